//! Stop-and-go positions: a `file,x,y` points CSV and a `FILE@X,Y` argument, from the same
//! bytes (decoded as text as `wisp ingest --points` does).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = wisp_ingest::text::decode(data) {
        let _ = wisp_ingest::capture::stops::parse_capture_points(&text);
        let _ = wisp_ingest::capture::stops::parse_at_argument(&text);
    }
});
