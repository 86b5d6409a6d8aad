//! Arbitrary bytes as a network file: when they load, one recorded iteration is rendered as
//! tables and as JSON and read back (see backprop_tracer::fuzzing).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    backprop_tracer::fuzzing::load_and_render(data);
});
