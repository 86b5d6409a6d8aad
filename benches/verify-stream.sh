#!/usr/bin/env bash
# verify of a long training stream, against producing it (README: "verify of whole runs"):
# the article's network trained for 1,000,000 iterations with --format ndjson --summary, then
# verified by replay; each three times, with the time and the peak resident memory (which
# must not grow with the number of iterations). Run from the repository:
#   bash benches/verify-stream.sh [ITERATIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for run in 1 2 3; do
  /usr/bin/time -f "produce: %e s, peak %M KB resident" \
    target/release/backprop train -n "$n" --format ndjson --summary -o "$dir/run.ndjson"
  /usr/bin/time -f "verify:  %e s, peak %M KB resident" \
    target/release/backprop verify "$dir/run.ndjson" --network traces/article.json > /dev/null
done
echo "stream: $(stat -c %s "$dir/run.ndjson") bytes, $n lines"
