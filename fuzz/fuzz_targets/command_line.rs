//! A command line and the file it reads (`show`, `explain`, `verify`, `check`, `train`, with
//! their options), run in process with bounded sizes (see backprop_tracer::fuzzing).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // An error is the command's answer to bad input; only a panic is a finding.
    let _ = backprop_tracer::fuzzing::command_line(data);
});
