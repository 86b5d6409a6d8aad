//! Every input in fuzz/seeds/ (the corpus the fuzzer starts from) and fuzz/regressions/
//! (inputs that once broke a promise) replayed through the fuzz target's own code path.

use std::path::Path;

fn replay(dir: &str) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(Path::new(dir)).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let data = std::fs::read(&path).unwrap();
            backprop_tracer::fuzzing::load_and_render(&data);
            n += 1;
        }
    }
    n
}

#[test]
fn the_seed_corpus_renders() {
    assert!(replay("fuzz/seeds") >= 4);
}

#[test]
fn inputs_that_once_failed_render() {
    replay("fuzz/regressions");
}
