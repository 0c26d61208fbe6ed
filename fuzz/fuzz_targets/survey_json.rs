//! The survey JSON (`native::parse_survey`), from bytes as a file arrives.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = wisp_ingest::text::decode(data) {
        let _ = wisp_ingest::capture::native::parse_survey(&text);
    }
});
