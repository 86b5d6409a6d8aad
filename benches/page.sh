#!/usr/bin/env bash
# The web page of a 784-128-10 network (101,632 weights, 308,444 steps), measured against
# issue 11's targets: `show --format html` writes it in under 2 s; headless Chromium opens it
# and shows its first step in under 2 s; each step takes under 100 ms. Prints the figures
# (README: "The web page"). Needs what tests/page.rs needs: Node.js, `npm ci --prefix
# tests/js`, and Debian's chromium. Run from the repository: bash benches/page.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Inputs i/784, targets one-hot; the weights and biases drawn from seed 7.
node -e '
const input = Array.from({length: 784}, (_, i) => +(i / 784).toFixed(4));
const target = Array.from({length: 10}, (_, k) => (k === 3 ? 1 : 0));
console.log(JSON.stringify({layers: [784, 128, 10], seed: 7, input, target}));
' > "$dir/net.json"
echo "writing the page (3 runs):"
for run in 1 2 3; do
  /usr/bin/time -f "  %e s, peak %M KB resident" \
    target/release/backprop show "$dir/net.json" --format html -o "$dir/page.html" 2>&1 |
    grep -v '^Seed'
done
echo "  size: $(stat -c %s "$dir/page.html") bytes"
plan=$(printf '{"page": "%s", "actions": [
  {"time": {"key": "ArrowRight", "presses": 30, "label": "next step"}},
  {"time": {"key": "n", "presses": 5, "label": "next section"}},
  {"time": {"key": "End", "presses": 1, "label": "last step"}},
  {"time": {"key": "ArrowLeft", "presses": 10, "label": "previous step"}}]}' "$dir/page.html")
for run in 1 2 3; do
  node tests/js/browser.mjs "$plan" | node -e '
let text = ""; process.stdin.on("data", (d) => (text += d)).on("end", () => {
  const r = JSON.parse(text);
  if (r.errors.length || r.requests.length) throw new Error(JSON.stringify(r));
  const parts = [`opened, first step shown: ${r.times.open_ms.toFixed(0)} ms`];
  for (const [label, times] of Object.entries(r.times)) {
    if (label === "open_ms") continue;
    const sorted = [...times].sort((a, b) => a - b);
    parts.push(`${label}: median ${sorted[sorted.length >> 1].toFixed(0)} ms, slowest ${sorted[sorted.length - 1].toFixed(0)} ms`);
  }
  console.log("browser run: " + parts.join("; "));
});'
done
