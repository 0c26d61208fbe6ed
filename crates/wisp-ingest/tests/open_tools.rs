//! The open survey tools' JSON through the public entry points: detection, parsing, placement.

use wisp_ingest::{parse_capture, place, Placement};
use wisp_model::Point;

#[test]
fn each_tool_is_detected_from_content() {
    for (bytes, want, scans) in [
        (
            &include_bytes!("fixtures/open_tools/wifi_survey_heatmap.json")[..],
            "wifi-survey-heatmap",
            2,
        ),
        (
            &include_bytes!("fixtures/open_tools/wifisurveyor.json")[..],
            "wifisurveyor",
            2,
        ),
        (
            &include_bytes!("fixtures/open_tools/wifi_heatmapper.json")[..],
            "wifi-heatmapper",
            3,
        ),
    ] {
        let p = parse_capture(bytes, "f.json", None).unwrap();
        assert_eq!(p.format, want);
        assert_eq!(p.scans.len(), scans, "{want}");
        assert!(p.scans.iter().all(|s| s.at.is_some()), "{want}");
    }
}

#[test]
fn pixel_positions_are_placed_as_given_without_calibration() {
    let bytes = include_bytes!("fixtures/open_tools/wifi_heatmapper.json");
    let p = parse_capture(bytes, "ward.json", Some("wifi-heatmapper")).unwrap();
    let placement = Placement {
        at_m: None,
        px_calibration: None,
        bounds_m: None,
    };
    let (samples, report) = place(p, "ward.json", &placement);
    assert_eq!(samples.len(), 3);
    assert_eq!(samples[0].position(), Point::new(150.0, 210.0));
    assert_eq!(samples[0].t.as_deref(), Some("2026-11-02T10:04:05.000Z"));
    // 1 + 2 + 1 observations; 2 skipped (a disabled point, a redacted BSSID).
    assert_eq!(report.observations, 4);
    assert_eq!(report.skipped.total(), 2);
}
