//! Walk tracks and GPS georeferencing: placing scans by time and by latitude/longitude, through
//! the public entry points and a whole site manifest.

use std::path::Path;
use wisp_ingest::georef::{ControlPoint, GeorefFit, EARTH_RADIUS_M};
use wisp_ingest::skip_reason;
use wisp_ingest::{place_with, Georef, ParsedCapture, Placement, Referencing, Scan, Track};
use wisp_model::{Band, Bssid, Channel, Observation, Point};

fn obs() -> Vec<Observation> {
    vec![Observation::new(
        "aa:bb:cc:dd:ee:01".parse::<Bssid>().unwrap(),
        Some("NHS-Clinical".into()),
        Channel::new(Band::G5, 36).unwrap(),
        -60.0,
        None,
    )
    .unwrap()]
}

fn scan(t: Option<f64>, i: usize) -> Scan {
    Scan {
        t,
        at: None,
        source: format!("cap.csv:{i}"),
        observations: obs(),
    }
}

const NO_PLACEMENT: Placement = Placement {
    at_m: None,
    px_calibration: None,
    bounds_m: None,
};

fn close(a: Point, b: Point, tol: f64) -> bool {
    (a.x - b.x).abs() <= tol && (a.y - b.y).abs() <= tol
}

// Waypoints: t=1000 at (0,0), t=1010 at (10,0), t=1020 at (10,20).
const TRACK: &str = "t,x,y\n1000,0,0\n1010,10,0\n1020,10,20\n";

#[test]
fn interpolates_linearly_in_time_and_is_exact_at_waypoints() {
    let tr = Track::parse(TRACK).unwrap();
    assert_eq!(tr.span(), (1000.0, 1020.0));
    // Hand-computed: halfway along the first leg, a quarter and a half along the second.
    assert_eq!(tr.position_at(1005.0), Some(Point::new(5.0, 0.0)));
    assert_eq!(tr.position_at(1012.5), Some(Point::new(10.0, 5.0)));
    assert_eq!(tr.position_at(1015.0), Some(Point::new(10.0, 10.0)));
    assert_eq!(tr.position_at(1001.0), Some(Point::new(1.0, 0.0)));
    // Exactly at every waypoint, first and last included.
    assert_eq!(tr.position_at(1000.0), Some(Point::new(0.0, 0.0)));
    assert_eq!(tr.position_at(1010.0), Some(Point::new(10.0, 0.0)));
    assert_eq!(tr.position_at(1020.0), Some(Point::new(10.0, 20.0)));
    // Outside the span: nothing, not the nearest end.
    assert_eq!(tr.position_at(999.999), None);
    assert_eq!(tr.position_at(1020.001), None);
}

#[test]
fn rfc3339_times_unsorted_and_duplicate_waypoints() {
    // 2026-11-02T10:00:00Z is 1_793_613_600 s since the epoch
    // (20_759 days × 86_400 + 10 h × 3_600).
    let t0 = 20_759.0 * 86_400.0 + 36_000.0;
    assert_eq!(
        wisp_model::time::parse_rfc3339("2026-11-02T10:00:00Z"),
        Some(t0)
    );
    // Out of order, one waypoint given twice, no header, a comment and a blank line.
    let text = "# walk 2\n2026-11-02T10:00:20Z,10,20\n\n2026-11-02T10:00:00Z,0,0\n2026-11-02T10:00:10Z,10,0\n2026-11-02T10:00:00Z,0,0\n";
    let tr = Track::parse(text).unwrap();
    assert_eq!(tr.waypoints().len(), 3);
    assert_eq!(tr.span(), (t0, t0 + 20.0));
    assert_eq!(tr.position_at(t0 + 15.0), Some(Point::new(10.0, 10.0)));
    // Seconds since the epoch and RFC 3339 mix.
    let mixed = format!(
        "time,x,y\n{},0,0\n2026-11-02T10:00:10+01:00,10,0\n",
        t0 - 3600.0
    );
    let tr = Track::parse(&mixed).unwrap();
    assert_eq!(tr.position_at(t0 - 3595.0), Some(Point::new(5.0, 0.0)));
}

#[test]
fn refuses_two_places_at_one_time_naming_the_lines() {
    let text = "t,x,y\n1000,0,0\n1010,10,0\n1020,10,20\n1010,12,0\n";
    let e = Track::parse(text).unwrap_err();
    let msg = e.to_string();
    assert_eq!(e.line_number(), Some(5), "{msg}");
    assert!(
        msg.contains("lines 3 and 5") && msg.contains("same time"),
        "{msg}"
    );

    let e = Track::parse("t,x,y\n1000,0,0\n1010,ten,0\n").unwrap_err();
    assert_eq!(e.line_number(), Some(3));
    assert!(e.to_string().contains("'ten'"), "{e}");
    let e = Track::parse("t,x,y\nsoon,0,0\n1010,1,0\n").unwrap_err();
    assert_eq!(e.line_number(), Some(2));
    assert!(Track::parse("t,x,y\n1000,0,0\n")
        .unwrap_err()
        .to_string()
        .contains("at least two waypoints"));
    assert!(Track::parse("when,x,y\n1000,0,0\n")
        .unwrap_err()
        .to_string()
        .contains("expected columns t,x,y"));
}

#[test]
fn places_scans_on_the_track_and_counts_the_rest() {
    let tr = Track::parse(TRACK).unwrap();
    let parsed = ParsedCapture {
        format: "wisp-csv".into(),
        scans: vec![
            scan(Some(1005.0), 2),
            scan(Some(1010.0), 3),
            scan(Some(999.0), 4),
            scan(Some(1021.0), 5),
            scan(None, 6),
            scan(Some(1015.0), 7),
        ],
        ..Default::default()
    };
    let refs = Referencing {
        track: Some(&tr),
        georef: None,
    };
    let (samples, report) = place_with(parsed, "cap.csv", &NO_PLACEMENT, refs);
    let at: Vec<(f64, f64)> = samples.iter().map(|s| (s.x_m, s.y_m)).collect();
    assert_eq!(at, vec![(5.0, 0.0), (10.0, 0.0), (10.0, 10.0)]);
    assert_eq!(samples[0].t.as_deref(), Some("1970-01-01T00:16:45.000Z"));
    let skips: Vec<(&str, usize, Vec<String>)> = report
        .skipped
        .iter()
        .map(|(r, n, l)| (r, n, l.to_vec()))
        .collect();
    assert_eq!(
        skips,
        vec![
            (
                skip_reason::OUTSIDE_TRACK,
                2,
                vec!["cap.csv:4".to_string(), "cap.csv:5".to_string()]
            ),
            (
                skip_reason::NO_TIME_FOR_TRACK,
                1,
                vec!["cap.csv:6".to_string()]
            ),
        ]
    );
    assert_eq!(report.scans, 3);
}

/// Local east/south metres as the module documents them, computed here independently.
fn local(lat: f64, lon: f64, lat0: f64, lon0: f64) -> [f64; 2] {
    [
        EARTH_RADIUS_M * lat0.to_radians().cos() * (lon - lon0).to_radians(),
        -EARTH_RADIUS_M * (lat - lat0).to_radians(),
    ]
}

#[test]
fn two_points_give_the_similarity_through_them() {
    // Hand-computed: 0.001° of longitude at 51.5° N is R·cos(51.5°)·0.001·π/180 = 69.2206 m, and
    // 0.0009° of latitude is R·0.0009·π/180 = 100.0756 m. Two points 0.001° apart east, put on
    // the plan 69.2206 m apart along x: scale 1, no rotation.
    let east = 69.220_564_967;
    let g = Georef::fit(&[
        ControlPoint {
            at_m: Point::new(10.0, 50.0),
            lat: 51.5,
            lon: -0.1205,
        },
        ControlPoint {
            at_m: Point::new(10.0 + east, 50.0),
            lat: 51.5,
            lon: -0.1195,
        },
    ])
    .unwrap();
    assert_eq!(g.fit_kind(), GeorefFit::Similarity);
    let p = g.from_wgs84(51.5009, -0.1200);
    assert!(
        close(p, Point::new(10.0 + east / 2.0, 50.0 - 100.075_572), 1e-5),
        "{p:?}"
    );

    // A known rotation (30°) and scale (1.25) and offset: recovered to rounding.
    let (th, k, t) = (30f64.to_radians(), 1.25, [40.0, 25.0]);
    let m = [k * th.cos(), -k * th.sin(), k * th.sin(), k * th.cos()];
    let geo = [(51.5, -0.12), (51.5009, -0.1185)];
    let (lat0, lon0) = ((geo[0].0 + geo[1].0) / 2.0, (geo[0].1 + geo[1].1) / 2.0);
    let apply = |lat: f64, lon: f64| {
        let [e, s] = local(lat, lon, lat0, lon0);
        Point::new(m[0] * e + m[1] * s + t[0], m[2] * e + m[3] * s + t[1])
    };
    let g = Georef::fit(&geo.map(|(lat, lon)| ControlPoint {
        at_m: apply(lat, lon),
        lat,
        lon,
    }))
    .unwrap();
    let (gm, gt) = g.matrix();
    for i in 0..4 {
        assert!((gm[i] - m[i]).abs() < 1e-10, "{gm:?} vs {m:?}");
    }
    assert!((gt[0] - t[0]).abs() < 1e-9 && (gt[1] - t[1]).abs() < 1e-9);
    assert!(g.rms_residual_m() < 1e-9);
    let q = g.from_wgs84(51.5004, -0.1191);
    assert!(close(q, apply(51.5004, -0.1191), 1e-9));
}

#[test]
fn three_or_more_points_give_the_least_squares_affine() {
    // A known affine map (shear and unequal scales) from the local frame of the points used.
    let m = [1.1, 0.2, -0.1, 0.9];
    let t = [5.0, 7.0];
    let truth = |geo: &[(f64, f64)]| {
        let n = geo.len() as f64;
        let lat0 = geo.iter().map(|g| g.0).sum::<f64>() / n;
        let lon0 = geo.iter().map(|g| g.1).sum::<f64>() / n;
        move |lat: f64, lon: f64| {
            let [e, s] = local(lat, lon, lat0, lon0);
            Point::new(m[0] * e + m[1] * s + t[0], m[2] * e + m[3] * s + t[1])
        }
    };
    let control = |geo: &[(f64, f64)], f: &dyn Fn(f64, f64) -> Point| -> Vec<ControlPoint> {
        geo.iter()
            .map(|&(lat, lon)| ControlPoint {
                at_m: f(lat, lon),
                lat,
                lon,
            })
            .collect()
    };
    let three = [(51.5, -0.12), (51.5008, -0.12), (51.5, -0.1188)];
    let apply = truth(&three);
    let g = Georef::fit(&control(&three, &apply)).unwrap();
    assert_eq!(g.fit_kind(), GeorefFit::Affine);
    let (gm, gt) = g.matrix();
    for i in 0..4 {
        assert!((gm[i] - m[i]).abs() < 1e-10, "{gm:?} vs {m:?}");
    }
    assert!(
        (gt[0] - t[0]).abs() < 1e-8 && (gt[1] - t[1]).abs() < 1e-8,
        "{gt:?}"
    );
    assert!(g.rms_residual_m() < 1e-8);
    let p = g.from_wgs84(51.5003, -0.1195);
    assert!(close(p, apply(51.5003, -0.1195), 1e-8), "{p:?}");

    // Four points that agree: the same map, no residual.
    let four = [
        (51.5, -0.12),
        (51.5008, -0.12),
        (51.5, -0.1188),
        (51.5006, -0.1190),
    ];
    let apply4 = truth(&four);
    let mut pts = control(&four, &apply4);
    let g4 = Georef::fit(&pts).unwrap();
    assert!(g4.rms_residual_m() < 1e-8);
    assert!(close(
        g4.from_wgs84(51.5003, -0.1195),
        apply4(51.5003, -0.1195),
        1e-8
    ));

    // Least squares: one of four points off by 1 m leaves a residual, spread over all of them
    // (a 2×3 affine has 6 unknowns, 8 equations: RMS = 1 m·sqrt(2/8)/... strictly between 0 and 1).
    pts[0].at_m.x += 1.0;
    let gn = Georef::fit(&pts).unwrap();
    assert!(
        gn.rms_residual_m() > 0.05 && gn.rms_residual_m() < 1.0,
        "{}",
        gn.rms_residual_m()
    );
}

#[test]
fn wgs84_round_trip_within_a_micrometre() {
    let g = Georef::fit(&[
        ControlPoint {
            at_m: Point::new(3.0, 4.0),
            lat: -33.8688,
            lon: 151.2093,
        },
        ControlPoint {
            at_m: Point::new(80.0, 12.0),
            lat: -33.8691,
            lon: 151.2101,
        },
        ControlPoint {
            at_m: Point::new(30.0, 60.0),
            lat: -33.8695,
            lon: 151.2094,
        },
    ])
    .unwrap();
    for p in [
        Point::new(0.0, 0.0),
        Point::new(120.5, 33.25),
        Point::new(-40.0, 400.0),
    ] {
        let (lat, lon) = g.to_wgs84(p);
        let back = g.from_wgs84(lat, lon);
        assert!(close(back, p, 1e-6), "{p:?} → ({lat}, {lon}) → {back:?}");
    }
    // Across the antimeridian.
    let g = Georef::fit(&[
        ControlPoint {
            at_m: Point::new(0.0, 0.0),
            lat: -17.7,
            lon: 179.9995,
        },
        ControlPoint {
            at_m: Point::new(100.0, 0.0),
            lat: -17.7,
            lon: -179.9995,
        },
    ])
    .unwrap();
    let p = Point::new(50.0, 10.0);
    let (lat, lon) = g.to_wgs84(p);
    assert!(close(g.from_wgs84(lat, lon), p, 1e-6));
    // Halfway between the points: still next to the antimeridian, not at longitude 0.
    assert!(lon.abs() > 179.999, "{lon}");
}

// ---- whole sites ------------------------------------------------------------------------------

fn write_png(path: &Path, w: u32, h: u32) {
    image::RgbImage::new(w, h).save(path).unwrap();
}

const WIGLE: &str = "WigleWifi-1.6,appRelease=2.70,model=test\n\
MAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,RCOIs,MfgrId,Type\n\
aa:bb:cc:dd:ee:11,Ward7,[WPA2-EAP-CCMP][ESS],2026-11-02 10:05:00,36,5180,-58,51.5,-0.12,40.2,3.5,,,WIFI\n\
aa:bb:cc:dd:ee:12,Ward7,[WPA2-EAP-CCMP][ESS],2026-11-02 10:05:03,36,5180,-61,51.5002,-0.12,40.2,3.5,,,WIFI\n";

fn site(dir: &Path, floor_extra: &str, captures: &str) -> wisp_ingest::Site {
    write_png(&dir.join("plan.png"), 1000, 1000);
    let manifest = format!(
        "name = \"T\"\n[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.1\n{floor_extra}\n{captures}"
    );
    std::fs::write(dir.join("site.toml"), manifest).unwrap();
    wisp_ingest::load_site(dir, &["healthcare-voice".into()]).unwrap()
}

#[test]
fn gps_captures_are_placed_through_the_floors_georef() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("wigle.csv"), WIGLE).unwrap();
    // 69.2206 m east = 692.2056 px at 0.1 m/px (see two_points_give_the_similarity_through_them).
    let georef = "georef = [{ at = [100, 900], lat = 51.5, lon = -0.1205 }, { at = [792.2056496746869, 900], lat = 51.5, lon = -0.1195 }]";
    let s = site(
        d.path(),
        georef,
        "[[floors.captures]]\nfile = \"wigle.csv\"\n",
    );
    assert!(s.floors[0].georef.is_some());
    let (samples, reports) = wisp_ingest::ingest_floor(&s.floors[0]).unwrap();
    assert_eq!(reports[0].format, "wigle");
    assert!(reports[0].skipped.is_empty(), "{:?}", reports[0].skipped);
    // Hand-computed: lon −0.12 is halfway → x = 10 + 34.6103 m; lat 51.5 → y = 90 m;
    // 0.0002° north is R·0.0002·π/180 = 22.2390 m up the plan.
    assert!(
        (samples[0].x_m - 44.610_282).abs() < 1e-5,
        "{:?}",
        samples[0]
    );
    assert!((samples[0].y_m - 90.0).abs() < 1e-6);
    assert!((samples[1].x_m - 44.610_282).abs() < 1e-5);
    assert!(
        (samples[1].y_m - (90.0 - 22.239_016)).abs() < 1e-5,
        "{:?}",
        samples[1]
    );

    // Without a georef, each GPS scan is skipped for that reason.
    let d2 = tempfile::tempdir().unwrap();
    std::fs::write(d2.path().join("wigle.csv"), WIGLE).unwrap();
    let s = site(d2.path(), "", "[[floors.captures]]\nfile = \"wigle.csv\"\n");
    let mut parsed = wisp_ingest::parse_capture(WIGLE.as_bytes(), "wigle.csv", None).unwrap();
    parsed = wisp_ingest::capture::sightings::group(parsed, &s.floors[0].captures[0].grouping);
    let (samples, report) = place_with(parsed, "wigle.csv", &NO_PLACEMENT, Referencing::default());
    assert!(samples.is_empty());
    assert_eq!(
        report.skipped.iter().next().map(|(r, n, _)| (r, n)),
        Some((skip_reason::GPS_NO_GEOREF, 2))
    );
    // ... and a site whose capture is then empty is an error saying why, never silently empty.
    let e = wisp_ingest::ingest_floor(&s.floors[0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("wigle.csv"), "{e}");
    assert!(e.contains("none of the capture's 2 scans could be placed: 2 GPS position but the floor has no georef (first wigle.csv:3)"), "{e}");
}

#[test]
fn placement_mistakes_are_errors_naming_the_file_and_the_fix() {
    let d = tempfile::tempdir().unwrap();
    // Three scans at 10:00:05, :30 and :50 (epoch 1_793_613_605 ...).
    std::fs::write(
        d.path().join("walk.csv"),
        "x,y,bssid,ssid,freq_mhz,rssi_dbm,timestamp\n\
         0,0,aa:bb:cc:dd:ee:01,W,5180,-60,2026-11-02T10:00:05Z\n\
         0,0,aa:bb:cc:dd:ee:01,W,5180,-62,2026-11-02T10:00:30Z\n\
         0,0,aa:bb:cc:dd:ee:01,W,5180,-64,2026-11-02T10:00:50Z\n",
    )
    .unwrap();
    let with_track = |track: &str, units: &str| {
        std::fs::write(d.path().join("track.csv"), track).unwrap();
        site(
            d.path(),
            "",
            &format!("[[floors.captures]]\nfile = \"walk.csv\"\ntrack = \"track.csv\"\n{units}"),
        )
    };
    let err = |s: &wisp_ingest::Site| {
        wisp_ingest::ingest_floor(&s.floors[0])
            .unwrap_err()
            .to_string()
    };
    let t0 = 1_793_613_600.0_f64;
    // A track a day after the walk: every scan outside the track's span, both spans side by
    // side. (Epoch milliseconds are recognised by magnitude, so they would place the walk.)
    let later = format!(
        "t,x,y\n{},100,100\n{},300,100\n",
        t0 + 86_400.0,
        t0 + 86_460.0
    );
    let e = err(&with_track(&later, ""));
    assert!(
        e.starts_with(&format!("{}", d.path().join("walk.csv").display())),
        "{e}"
    );
    assert!(e.contains("none of the capture's 3 scans could be placed: 3 outside the track's time span (first walk.csv:2)"), "{e}");
    assert!(e.contains("the scans run 2026-11-02T10:00:05.000Z .. 2026-11-02T10:00:50.000Z, the track 2026-11-03T10:00:00.000Z"), "{e}");
    // The same track in milliseconds places every scan.
    let ms = format!(
        "t,x,y\n{},100,100\n{},300,100\n",
        t0 * 1000.0,
        (t0 + 60.0) * 1000.0
    );
    let s = with_track(&ms, "");
    assert_eq!(wisp_ingest::ingest_floor(&s.floors[0]).unwrap().0.len(), 3);
    // A track in metres read as pixels (the default): the 100 m plan's walk shrinks into 1..3 m.
    let metres = format!("t,x,y\n{t0},10,10\n{},30,10\n", t0 + 60.0);
    let e = err(&with_track(&metres, ""));
    assert!(e.contains("every one of the 3 scans lies within the plan's top-left tenth (10.0 m × 10.0 m of a 100.0 m × 100.0 m plan)"), "{e}");
    assert!(e.contains("set track_units = \"m\""), "{e}");
    // Right units: placed.
    let s = with_track(&metres, "track_units = \"m\"\n");
    assert_eq!(wisp_ingest::ingest_floor(&s.floors[0]).unwrap().0.len(), 3);
    // The same shrunk walk measured from the bottom-right corner lands in that corner (95.5 ..
    // 97 m): refused, naming the corner and the fix.
    let bottom_right = format!("t,x,y\n{t0},955,970\n{},970,965\n", t0 + 60.0);
    let e = err(&with_track(&bottom_right, ""));
    assert!(e.contains("every one of the 3 scans lies within the plan's bottom-right tenth (10.0 m × 10.0 m of a 100.0 m × 100.0 m plan)"), "{e}");
    assert!(e.contains("measure x from the left and y downwards"), "{e}");
    assert!(e.contains("set track_units = \"m\""), "{e}");
    // ... and the bottom-left one.
    let e = err(&with_track(
        &format!("t,x,y\n{t0},10,950\n{},40,990\n", t0 + 60.0),
        "",
    ));
    assert!(e.contains("the plan's bottom-left tenth"), "{e}");
    // A walk in a 2 m × 0.5 m patch mid-plan (50 m, 50 m): a wrong scale, whatever the corner.
    let patch = format!("t,x,y\n{t0},500,500\n{},520,505\n", t0 + 60.0);
    let e = err(&with_track(&patch, ""));
    assert!(e.contains("every one of the 3 scans lies in a 1.5 m × 0.4 m patch at (50.9, 50.2) m of a 100.0 m × 100.0 m plan"), "{e}");
    assert!(e.contains("check metres_per_pixel"), "{e}");
    // A walk of one 12 m room mid-plan is a survey, not a mistake (more than a 20th of 100 m).
    let room = format!("t,x,y\n{t0},500,500\n{},620,505\n", t0 + 60.0);
    assert_eq!(
        wisp_ingest::ingest_floor(&with_track(&room, "").floors[0])
            .unwrap()
            .0
            .len(),
        3
    );
    // A walk along the plan's east edge, the whole height: not crowded into a corner.
    let edge = format!("t,x,y\n{t0},970,20\n{},975,980\n", t0 + 60.0);
    assert_eq!(
        wisp_ingest::ingest_floor(&with_track(&edge, "").floors[0])
            .unwrap()
            .0
            .len(),
        3
    );
    // A track in pixels given as metres runs off the plan.
    let px = format!("t,x,y\n{t0},100,100\n{},900,100\n", t0 + 60.0);
    let e = err(&with_track(&px, "track_units = \"m\"\n"));
    assert!(e.contains("track.csv"), "{e}");
    assert!(e.contains("1 of the track's 2 waypoints fall outside the 100.0 m × 100.0 m plan, the first at 2026-11-02T10:01:00.000Z (900.0, 100.0) m; if the track is in plan pixels, set track_units = \"px\""), "{e}");
}

#[test]
fn georef_is_validated_with_the_line() {
    let d = tempfile::tempdir().unwrap();
    write_png(&d.path().join("plan.png"), 100, 100);
    let base =
        "name = \"T\"\n[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.1\n";
    for (georef, want) in [
        ("georef = [{ at = [10, 10], lat = 51.5, lon = -0.12 }]", "at least two"),
        (
            "georef = [{ at = [10, 10], lat = 51.5, lon = -0.12 }, { at = [10, 10], lat = 51.6, lon = -0.12 }]",
            "same plan position",
        ),
        (
            "georef = [{ at = [10, 10], lat = 51.5, lon = -0.12 }, { at = [500, 10], lat = 51.5, lon = -0.11 }]",
            "outside the 100×100 px plan",
        ),
        (
            "georef = [{ at = [10, 10], lat = 51.5, lon = -0.12 }, { at = [50, 10], lat = 51.5, lon = -0.12 }]",
            "same latitude",
        ),
        ("georef = [{ at = [10, 10], lat = 51.5 }]", "lon"),
    ] {
        std::fs::write(d.path().join("site.toml"), format!("{base}{georef}\n")).unwrap();
        let e = wisp_ingest::load_site(d.path(), &[]).unwrap_err().to_string();
        assert!(e.contains("site.toml:6:") && e.contains(want), "{georef}: {e}");
    }
}

#[test]
fn manifest_tracks_place_a_capture_in_plan_pixels_or_metres() {
    let d = tempfile::tempdir().unwrap();
    // Two scans of a capture whose own positions (0,0) are ignored in favour of the track.
    std::fs::write(
        d.path().join("walk.csv"),
        "x,y,bssid,ssid,freq_mhz,rssi_dbm,timestamp\n\
         0,0,aa:bb:cc:dd:ee:01,W,5180,-60,2026-11-02T10:00:05Z\n\
         0,0,aa:bb:cc:dd:ee:01,W,5180,-62,2026-11-02T10:00:30Z\n\
         0,0,aa:bb:cc:dd:ee:01,W,5180,-64,2026-11-02T10:01:30Z\n",
    )
    .unwrap();
    // px track: (100,100) → (300,100) over 20 s, then (300,500) at 60 s.
    std::fs::write(
        d.path().join("walk-track.csv"),
        "t,x,y\n2026-11-02T10:00:00Z,100,100\n2026-11-02T10:00:20Z,300,100\n2026-11-02T10:01:00Z,300,500\n",
    )
    .unwrap();
    let s = site(
        d.path(),
        "",
        "[[floors.captures]]\nfile = \"walk.csv\"\ntrack = \"walk-track.csv\"\n",
    );
    let (samples, reports) = wisp_ingest::ingest_floor(&s.floors[0]).unwrap();
    // t=5 s: a quarter of the first leg → (150, 100) px = (15, 10) m.
    // t=30 s: a quarter of the second leg → (300, 200) px = (30, 20) m. t=90 s: outside.
    let at: Vec<(f64, f64)> = samples.iter().map(|s| (s.x_m, s.y_m)).collect();
    assert_eq!(at, vec![(15.0, 10.0), (30.0, 20.0)]);
    assert_eq!(reports[0].skipped.total(), 1);
    assert_eq!(
        reports[0].skipped.iter().next().unwrap().0,
        skip_reason::OUTSIDE_TRACK
    );

    // The same track in metres.
    std::fs::write(
        d.path().join("walk-track-m.csv"),
        "t,x,y\n2026-11-02T10:00:00Z,10,10\n2026-11-02T10:00:20Z,30,10\n2026-11-02T10:01:00Z,30,50\n",
    )
    .unwrap();
    std::fs::write(
        d.path().join("site.toml"),
        "name = \"T\"\n[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.1\n[[floors.captures]]\nfile = \"walk.csv\"\ntrack = \"walk-track-m.csv\"\ntrack_units = \"m\"\n",
    )
    .unwrap();
    let s = wisp_ingest::load_site(d.path(), &[]).unwrap();
    let (samples, _) = wisp_ingest::ingest_floor(&s.floors[0]).unwrap();
    let at: Vec<(f64, f64)> = samples.iter().map(|s| (s.x_m, s.y_m)).collect();
    assert_eq!(at, vec![(15.0, 10.0), (30.0, 20.0)]);

    // A bad track line is an error naming the track file and line.
    std::fs::write(
        d.path().join("walk-track-m.csv"),
        "t,x,y\n2026-11-02T10:00:00Z,10,10\n2026-11-02T10:00:00Z,30,10\n",
    )
    .unwrap();
    let s = wisp_ingest::load_site(d.path(), &[]).unwrap();
    let e = wisp_ingest::ingest_floor(&s.floors[0])
        .unwrap_err()
        .to_string();
    assert!(e.contains("walk-track-m.csv:3:"), "{e}");

    std::fs::write(
        d.path().join("site.toml"),
        "name = \"T\"\n[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.1\n[[floors.captures]]\nfile = \"walk.csv\"\ntrack = \"t.csv\"\ntrack_units = \"feet\"\n",
    )
    .unwrap();
    let e = wisp_ingest::load_site(d.path(), &[])
        .unwrap_err()
        .to_string();
    assert!(e.contains("site.toml:6:") && e.contains("'feet'"), "{e}");
}

#[test]
fn readings_older_than_max_age_are_dropped_and_counted() {
    // Scan 1: a 0.5 s and a 30 s old reading; scan 2: only a 4 s old one; scan 3: no age.
    let aged = |age: Option<f64>| {
        let o = obs().remove(0);
        match age {
            Some(a) => o.with_age(a).unwrap(),
            None => o,
        }
    };
    let mut scans = vec![scan(None, 1), scan(None, 2), scan(None, 3)];
    scans[0].observations = vec![aged(Some(0.5)), aged(Some(30.0))];
    scans[1].observations = vec![aged(Some(4.0))];
    scans[2].observations = vec![aged(None)];
    let parsed = ParsedCapture {
        format: "test".into(),
        scans,
        skipped: Default::default(),
        time_kinds: Default::default(),
        stale: Vec::new(),
    };
    let kept = wisp_ingest::drop_old_readings(parsed, 3.0);
    // The old readings are set aside with their scans, not lost.
    let aside: Vec<Vec<Option<f64>>> = kept
        .stale
        .iter()
        .map(|s| s.iter().map(|o| o.age_s).collect())
        .collect();
    assert_eq!(aside, vec![vec![Some(30.0)], vec![Some(4.0)], vec![]]);
    let left: Vec<usize> = kept.scans.iter().map(|s| s.observations.len()).collect();
    assert_eq!(left, vec![1, 0, 1]);
    assert_eq!(kept.scans[0].observations[0].age_s, Some(0.5));
    let skips: Vec<(String, usize, Vec<String>)> = kept
        .skipped
        .iter()
        .map(|(r, n, l)| (r.to_string(), n, l.to_vec()))
        .collect();
    assert_eq!(
        skips,
        vec![(
            "reading older than max_age_s (3 s)".to_string(),
            2,
            vec!["cap.csv:1".to_string(), "cap.csv:2".to_string()]
        )]
    );
    // The emptied scan is then counted at placement, not silently kept.
    let placement = Placement {
        at_m: Some(Point::new(1.0, 1.0)),
        ..NO_PLACEMENT
    };
    let (samples, report) = place_with(kept, "cap.csv", &placement, Referencing::default());
    assert_eq!(samples.len(), 2);
    assert_eq!(report.skipped.total(), 3);
    // Scan 1's 30 s old reading stays with its sample; the emptied scan 2 takes its own along.
    let aside: Vec<usize> = samples.iter().map(|s| s.stale.len()).collect();
    assert_eq!(aside, vec![1, 0]);
    assert_eq!(samples[0].stale[0].age_s, Some(30.0));
    // An age must be a finite, non-negative number of seconds.
    assert!(obs().remove(0).with_age(-1.0).is_err());
    assert!(obs().remove(0).with_age(f64::NAN).is_err());
}

#[test]
fn a_continuous_walk_without_positions_is_placed_by_its_track_in_any_time_unit() {
    // Time and observation only: a scan in epoch milliseconds (≥ 10^11, so not seconds:
    // 1_793_613_850_000 ms = 2026-11-02T10:04:10Z, tests/linux.rs works out 10:04:05) and one
    // in RFC 3339 (10:04:20Z); the track in epoch seconds.
    let csv = "timestamp,bssid,ssid,freq_mhz,rssi_dbm\n\
        1793613850000,aa:bb:cc:dd:ee:01,Ward7,5180,-60\n\
        1793613850000,aa:bb:cc:dd:ee:02,Ward7,5200,-70\n\
        2026-11-02T10:04:20Z,aa:bb:cc:dd:ee:01,Ward7,5180,-65\n";
    assert_eq!(wisp_ingest::detect(csv).as_deref(), Some("wisp-csv"));
    let parsed = wisp_ingest::parse_capture(csv.as_bytes(), "walk.csv", None).unwrap();
    assert_eq!(parsed.scans.len(), 2);
    assert_eq!(parsed.scans[0].observations.len(), 2);
    assert_eq!(parsed.scans[0].at, None);
    assert_eq!(parsed.scans[0].t, Some(1_793_613_850.0));
    assert_eq!(parsed.scans[1].t, Some(1_793_613_860.0));
    use wisp_ingest::track::TimeKind;
    assert_eq!(
        parsed.time_kinds.iter().copied().collect::<Vec<_>>(),
        vec![TimeKind::Rfc3339, TimeKind::EpochMilliseconds]
    );
    // Track in epoch seconds: (0,0) at 10:04:05, (20,0) at 10:04:25.
    let tr = Track::parse("1793613845,0,0\n1793613865,20,0\n").unwrap();
    assert_eq!(tr.time_kinds(), &[TimeKind::EpochSeconds]);
    let refs = Referencing {
        track: Some(&tr),
        georef: None,
    };
    let (samples, _) = place_with(parsed, "walk.csv", &NO_PLACEMENT, refs);
    // 5 s and 15 s into a 20 s, 20 m leg: 5 m and 15 m.
    let at: Vec<(f64, f64)> = samples.iter().map(|s| (s.x_m, s.y_m)).collect();
    assert_eq!(at, vec![(5.0, 0.0), (15.0, 0.0)]);
    // The same track in milliseconds reads the same.
    let ms = Track::parse("1793613845000,0,0\n1793613865000,20,0\n").unwrap();
    assert_eq!(ms.waypoints(), tr.waypoints());
    assert_eq!(ms.time_kinds(), &[TimeKind::EpochMilliseconds]);
}

#[test]
fn a_short_walk_at_walking_pace_is_a_survey_and_the_same_walk_slowed_by_a_wrong_scale_is_not() {
    // Thirteen scans 2 s apart, back and forth along 4 m at (50, 50) m of the 100 m plan, inside
    // the 5 m × 5 m patch the scale rule refuses: 48 m in 24 s, 2 m/s by straight lines.
    let d = tempfile::tempdir().unwrap();
    let walk = |scale: f64| {
        let mut csv = String::from("x,y,bssid,ssid,freq_mhz,rssi_dbm,timestamp\n");
        for i in 0..13 {
            let along = if i % 2 == 0 { 0.0 } else { 4.0 };
            csv += &format!(
                "{},{},aa:bb:cc:dd:ee:01,W,5180,-60,{}\n",
                50.0 + along * scale,
                50.0 + 0.5 * i as f64 * scale / 6.0,
                1_793_613_600 + 2 * i
            );
        }
        csv
    };
    let ingest = |csv: String| {
        std::fs::write(d.path().join("walk.csv"), csv).unwrap();
        let s = site(d.path(), "", "[[floors.captures]]\nfile = \"walk.csv\"\n");
        wisp_ingest::ingest_floor(&s.floors[0]).map(|(samples, _)| samples.len())
    };
    assert_eq!(ingest(walk(1.0)).unwrap(), 13);
    // The same walk shrunk 20-fold (metres read as pixels at 0.05 m/px would do this): 0.1 m/s,
    // under walking pace, and in a 0.2 m × 0.05 m patch: refused as before.
    let e = ingest(walk(0.05)).unwrap_err().to_string();
    assert!(e.contains("every one of the 13 scans lies in a 0.2 m × 0.0 m patch at (50.1, 50.0) m of a 100.0 m × 100.0 m plan"), "{e}");
    // Without times nothing says how fast it moved: refused as before.
    let untimed: String = walk(1.0)
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    let e = ingest(untimed).unwrap_err().to_string();
    assert!(
        e.contains("every one of the 13 scans lies in a 4.0 m × 1.0 m patch"),
        "{e}"
    );
}
