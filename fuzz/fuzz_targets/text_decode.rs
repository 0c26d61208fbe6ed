//! `text::decode` (BOMs, UTF-16 with and without BOM, UTF-8 errors with their line), then the
//! line splitter.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = wisp_ingest::text::decode(data) {
        for _ in wisp_ingest::text::lines(&text) {}
    }
});
