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

#[test]
fn sightings_of_one_sweep_become_one_scan() {
    use wisp_ingest::capture::sightings::{group, Grouping};
    let v14 = include_bytes!("fixtures/wigle/wigle_1_4.csv");
    let p = group(
        parse_capture(v14, "w14.csv", None).unwrap(),
        &Grouping::default(),
    );
    // Wi-Fi rows at :05 and :06 (1.3 m apart) → one scan; :08 and :09 (1.3 m) → one; :12 alone.
    let t0 = wisp_model::time::parse_rfc3339("2026-11-02T10:04:05Z").unwrap();
    let got: Vec<_> = p
        .scans
        .iter()
        .map(|s| {
            let heard: Vec<_> = s
                .observations
                .iter()
                .map(|o| (o.bssid.0[5], o.rssi_dbm))
                .collect();
            (s.source.as_str(), s.t.unwrap() - t0, heard)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("w14.csv:3", 0.5, vec![(1, -61.0), (2, -70.0)]),
            ("w14.csv:7", 3.5, vec![(3, -85.0), (4, -75.0)]),
            ("w14.csv:11", 7.0, vec![(7, -67.0)]),
        ]
    );
    // Mean of (51.5074, −0.1278) and (51.50741, −0.12781).
    let at = p.scans[0].at.unwrap();
    assert!(
        (at.y - 51.507405).abs() < 1e-9 && (at.x + 0.127805).abs() < 1e-9,
        "{at:?}"
    );
}
