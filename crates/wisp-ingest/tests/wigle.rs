//! WiGLE CSV through the public entry point: detection from content, then parsing.

use wisp_ingest::parse_capture;
use wisp_model::{Band, Point};

#[test]
fn detects_both_versions_and_keeps_gps_in_at() {
    let v14 = include_bytes!("fixtures/wigle/wigle_1_4.csv");
    let p = parse_capture(v14, "w14.csv", None).unwrap();
    assert_eq!(p.format, "wigle");
    assert_eq!(p.scans.len(), 5);
    // GPS, (lon, lat): georeferenced later, never taken as pixels here.
    assert_eq!(p.scans[0].at, Some(Point::new(-0.1278, 51.5074)));

    let v16 = include_bytes!("fixtures/wigle/wigle_1_6.csv");
    let p = parse_capture(v16, "w16.csv", None).unwrap();
    assert_eq!(p.format, "wigle");
    assert_eq!(p.scans.len(), 5);
    assert_eq!(p.scans[1].observations[0].band, Band::G6);
    assert_eq!(p.skipped.total(), 5);
}
