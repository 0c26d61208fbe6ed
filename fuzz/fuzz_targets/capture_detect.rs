//! `parse_capture` detecting the format from content, then placing the scans.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_ingest::{parse_capture, place, Placement};
use wisp_model::Point;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = parse_capture(data, "fuzz", None) {
        let placement = Placement {
            at_m: None,
            px_calibration: None,
            bounds_m: Some(Point::new(100.0, 100.0)),
        };
        let _ = place(parsed, "fuzz", &placement);
    }
});
