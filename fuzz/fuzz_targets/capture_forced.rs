//! `parse_capture` with a forced format: the first byte picks the format (index into
//! `format_names()`), the rest is the file. Then the scans are placed on a 100 m × 100 m floor.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wisp_ingest::{format_names, parse_capture, place, Placement};
use wisp_model::Point;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let names = format_names();
    let format = names[pick as usize % names.len()];
    if let Ok(parsed) = parse_capture(bytes, "fuzz", Some(format)) {
        let placement = Placement {
            at_m: None,
            px_calibration: None,
            bounds_m: Some(Point::new(100.0, 100.0)),
        };
        let _ = place(parsed, "fuzz", &placement);
    }
});
