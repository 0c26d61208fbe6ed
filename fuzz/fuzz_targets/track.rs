//! Walk tracks (`Track::parse`), then a position looked up inside the track's span.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = wisp_ingest::text::decode(data) else {
        return;
    };
    if let Ok(track) = wisp_ingest::Track::parse(&text) {
        let (t0, t1) = track.span();
        for t in [t0, (t0 + t1) / 2.0, t1] {
            let _ = track.position_at(t);
        }
    }
});
