//! The site manifest: `text::decode` then `manifest::parse_site`, every plan image said to be
//! 2000 × 1000 px (no file is opened).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;
use wisp_ingest::manifest::parse_site;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = wisp_ingest::text::decode(data) else {
        return;
    };
    let known = [
        "healthcare-voice".to_string(),
        "nhs-minimum".into(),
        "basic".into(),
    ];
    let _ = parse_site(
        &text,
        Path::new("/nonexistent/wisp-fuzz/site.toml"),
        &known,
        &|_| Ok((2000, 1000)),
    );
});
