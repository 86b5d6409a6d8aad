//! The paths the fuzz targets drive (fuzz/fuzz_targets/), kept in the library so that the
//! inputs the fuzzer found are replayed by `cargo test` as regression tests
//! (tests/fuzz_regressions.rs) through the very same code: [`load_and_render`], a network
//! file rendered, and [`command_line`], a command line with its file.

mod command_line;

pub use command_line::command_line;

use crate::engine;
use crate::network::Network;
use crate::render::{Lang, json, table};
use crate::trace::{Options, Trace, UpdateOrder};

/// Networks larger than this are valid but make fuzzing slow; the fuzzer skips them.
const MAX_FUZZ_WEIGHTS: usize = 20_000;

/// Loads `data` as a network file; when it loads, records one iteration, renders it as
/// tables and as JSON, and reads the JSON back. Panics on any broken promise: that is what
/// the fuzzer looks for.
pub fn load_and_render(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok((network, _warnings)) = Network::from_json_str(text) else {
        return;
    };
    if network.weights.iter().map(Vec::len).sum::<usize>() > MAX_FUZZ_WEIGHTS {
        return;
    }
    // The last byte picks the options, so the fuzzer explores them too.
    let pick = data.last().copied().unwrap_or(0);
    let options = Options {
        update_order: if pick & 1 == 0 {
            UpdateOrder::Simultaneous
        } else {
            UpdateOrder::Sequential
        },
        update_biases: pick & 2 != 0,
        precision: usize::from(pick >> 3) % 21,
    };
    let trace = engine::trace_iteration(&network, &options);
    let style = table::TableOptions {
        lang: if pick & 4 == 0 { Lang::En } else { Lang::Zh },
        color: pick & 128 != 0,
        ascii: pick & 64 != 0,
        width: None,
        ..table::TableOptions::default()
    };
    let mut out = Vec::new();
    table::render(&trace, &style, &mut out).expect("tables render into memory");
    if trace.first().first_non_finite().is_some() {
        return; // never written: `show` refuses it
    }
    out.clear();
    json::render(&trace, &mut out).expect("JSON renders into memory");
    let back: Trace = serde_json::from_slice(&out).expect("a written trace reads back");
    assert_eq!(back, trace, "a written trace reads back identical");
}
