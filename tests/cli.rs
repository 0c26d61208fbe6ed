//! Runs the `wisp` binary as a user would, on small sites made here and on `samples/`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::wisp;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A 20 m × 10 m single-floor site at 0.05 m/px (400 × 200 px) with one AP in the west half and
/// two zones: "West" next to the AP and "East" 15–20 m away behind a concrete wall.
struct TinySite {
    dir: tempfile::TempDir,
}

const MANIFEST: &str = r#"name = "Tiny"
[[floors]]
id = "L1"
plan = "plan.png"
metres_per_pixel = 0.05
walk = [[10, 100], [390, 100]]
[[floors.walls]]
material = "concrete"
points = [[240, 0], [240, 200]]
[[floors.walls]]
material = "concrete"
points = [[260, 0], [260, 200]]
[[floors.zones]]
name = "West"
kind = "bay"
polygon = [[20, 20], [160, 20], [160, 180], [20, 180]]
[[floors.zones]]
name = "East"
kind = "bay"
polygon = [[300, 20], [390, 20], [390, 180], [300, 180]]
[[floors.captures]]
file = "walk.csv"
[[floors.aps]]
name = "AP1"
at = [60, 100]
radios = [{ band = "5", channel = 36, tx_dbm = 17.0 }]
"#;

impl TinySite {
    fn new() -> TinySite {
        let dir = tempfile::tempdir().unwrap();
        image::RgbaImage::from_pixel(400, 200, image::Rgba([255, 255, 255, 255]))
            .save(dir.path().join("plan.png"))
            .unwrap();
        std::fs::write(dir.path().join("site.toml"), MANIFEST).unwrap();
        TinySite { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn simulate(&self) {
        let o = wisp(
            &[
                "simulate",
                "site.toml",
                "--floor",
                "L1",
                "--seed",
                "3",
                "--out",
                "walk.csv",
            ],
            self.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

#[test]
fn check_passes_near_the_ap_and_fails_behind_concrete() {
    let site = TinySite::new();
    site.simulate();
    let o = wisp(&["check", "site.toml", "--json"], site.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let zones = v["floors"][0]["zones"].as_array().unwrap();
    let west = zones.iter().find(|z| z["zone"] == "West").unwrap();
    let east = zones.iter().find(|z| z["zone"] == "East").unwrap();
    // West is within ~7 m of a 17 dBm AP: primary everywhere above −65 dBm.
    let primary = |z: &serde_json::Value| {
        z["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["criterion"] == "primary")
            .cloned()
            .unwrap()
    };
    assert_eq!(primary(west)["pass_share"], 1.0);
    // East is behind two concrete walls (2 × 15 dB) and 12–17 m away: every surveyed cell fails
    // primary, and the whole surveyed part of the zone is one dead zone.
    assert_eq!(primary(east)["pass_share"], 0.0);
    assert_eq!(east["verdict"], "fail");
    let dead: Vec<&serde_json::Value> = east["dead_zones"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["criterion"] == "primary")
        .collect();
    assert_eq!(dead.len(), 1);
    // The walk runs along y = 5 m; the zone spans y 1..9 m and x 15..19.5 m = 36 m²; the survey
    // range (5 m) reaches all of it.
    let area = dead[0]["area_m2"].as_f64().unwrap();
    assert!((area - 36.0).abs() <= 0.05 * 36.0, "dead zone area {area}");
}

#[test]
fn auto_interpolation_is_chosen_by_cross_validation_and_reported() {
    let site = TinySite::new();
    // A longer walk (three passes, ~60 m) so it cuts into several 20 m stretches.
    let manifest = MANIFEST
        .replace(
            "name = \"Tiny\"",
            "name = \"Tiny\"\ninterpolation = \"auto\"",
        )
        .replace(
            "walk = [[10, 100], [390, 100]]",
            "walk = [[10, 100], [390, 100], [390, 40], [10, 40], [10, 160], [390, 160]]",
        );
    std::fs::write(site.path().join("site.toml"), manifest).unwrap();
    site.simulate();
    let o = wisp(&["validate", "site.toml", "--json"], site.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let picked = v["auto"]["method"].as_str().unwrap().to_string();
    assert!(
        ["idw", "natural", "kriging", "nearest", "model"].contains(&picked.as_str()),
        "{picked}"
    );
    // The analysis uses the very method validate picks, and says so.
    let o = wisp(&["check", "site.toml", "--json"], site.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let used = v["floors"][0]["interpolation"].as_str().unwrap();
    assert!(
        used.starts_with(&format!("{picked} (auto")),
        "{used} vs {picked}"
    );
}

#[test]
fn dead_zones_in_pixels_and_wgs84() {
    let site = TinySite::new();
    // Two georeferenced corners: the plan's top edge, 20 m due east at latitude 51.5°.
    let dlon = 20.0 / (6_371_008.8 * 51.5f64.to_radians().cos()) * 180.0 / std::f64::consts::PI;
    let manifest = MANIFEST.replace(
        "metres_per_pixel = 0.05",
        &format!("metres_per_pixel = 0.05\ngeoref = [{{ at = [0, 0], lat = 51.5, lon = -0.1 }}, {{ at = [400, 0], lat = 51.5, lon = {} }}]", -0.1 + dlon),
    );
    std::fs::write(site.path().join("site.toml"), manifest).unwrap();
    site.simulate();
    let o = wisp(
        &[
            "check",
            "site.toml",
            "--json",
            "--geojson",
            "dz.geojson",
            "--wgs84",
        ],
        site.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let east = v["floors"][0]["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "East")
        .unwrap();
    let d = &east["dead_zones"][0];
    // Pixels are metres / 0.05.
    assert!(
        (d["centroid_px"]["x"].as_f64().unwrap() - d["centroid_m"]["x"].as_f64().unwrap() / 0.05)
            .abs()
            < 1e-6
    );
    let g: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.path().join("dz.geojson")).unwrap()).unwrap();
    let feature = g["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["zone"] == "East")
        .unwrap();
    let ring = feature["geometry"]["coordinates"][0].as_array().unwrap();
    let south_10m = 10.0 / 6_371_008.8 * 180.0 / std::f64::consts::PI;
    for p in ring {
        let (lon, lat) = (p[0].as_f64().unwrap(), p[1].as_f64().unwrap());
        // The East zone spans x 15..19.5 m, y 1..9 m of the 20 m × 10 m plan.
        assert!(lon > -0.1 + dlon * 0.7 && lon < -0.1 + dlon, "lon {lon}");
        assert!(lat < 51.5 && lat > 51.5 - south_10m, "lat {lat}");
    }
    // Without a georef, --wgs84 is refused by name.
    let plain = TinySite::new();
    plain.simulate();
    let o = wisp(
        &["check", "site.toml", "--geojson", "x.geojson", "--wgs84"],
        plain.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no georef"), "{}", stderr(&o));
}

#[test]
fn filters_choose_the_radios_layers_are_built_from() {
    let site = TinySite::new();
    site.simulate();
    let all = wisp(&["check", "site.toml", "--json"], site.path());
    // The one AP is a 5 GHz radio broadcasting NHS-Clinical (the default SSID).
    for keep in [
        &["--band", "5"][..],
        &["--ssid", "NHS-Clinical"],
        &["--bssid", "02-00-00-00-00-00"],
    ] {
        let args: Vec<&str> = ["check", "site.toml", "--json"]
            .iter()
            .copied()
            .chain(keep.iter().copied())
            .collect();
        let o = wisp(&args, site.path());
        assert_eq!(o.stdout, all.stdout, "{keep:?} keeps everything");
    }
    for drop in [&["--band", "2.4"][..], &["--ssid", "Guest"]] {
        let args: Vec<&str> = ["check", "site.toml"]
            .iter()
            .copied()
            .chain(drop.iter().copied())
            .collect();
        let o = wisp(&args, site.path());
        assert_eq!(
            o.status.code(),
            Some(3),
            "{drop:?} leaves no radio: {}",
            stderr(&o)
        );
    }
    let o = wisp(&["check", "site.toml", "--band", "7"], site.path());
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 13: with neither `[network]` nor APs in the manifest every SSID counts, and wisp says so
/// once on stderr and in the report; with either, it never says so.
#[test]
fn every_ssid_counting_is_said_once_on_stderr_and_in_the_report() {
    let site = TinySite::new();
    site.simulate();
    const NOTE: &str = "every SSID heard counts as coverage";
    let check = wisp(&["check", "site.toml"], site.path());
    assert!(!stderr(&check).contains(NOTE), "{}", stderr(&check));
    // The same site without its AP: nothing says which radios are ours.
    let bare = MANIFEST.split("[[floors.aps]]").next().unwrap();
    std::fs::write(site.path().join("site.toml"), bare).unwrap();
    let check = wisp(&["check", "site.toml"], site.path());
    assert_eq!(
        stderr(&check).matches(NOTE).count(),
        1,
        "{}",
        stderr(&check)
    );
    let report = wisp(
        &["report", "site.toml", "--out", "r.pdf", "--html", "r.html"],
        site.path(),
    );
    assert!(report.status.success(), "{}", stderr(&report));
    assert_eq!(
        stderr(&report).matches(NOTE).count(),
        1,
        "{}",
        stderr(&report)
    );
    let html = std::fs::read_to_string(site.path().join("r.html")).unwrap();
    assert!(html.contains(NOTE));
}

/// Issue 13: the filters work the same on every command that reads a survey. On each, a
/// filter keeping every reading changes nothing, and one keeping none leaves the command
/// without data, which it says.
#[test]
fn every_survey_command_takes_the_same_filters() {
    let site = TinySite::new();
    site.simulate();
    let run = |args: &[&str], filter: &[&str]| {
        let args: Vec<&str> = args.iter().chain(filter).copied().collect();
        let o = Command::new(env!("CARGO_BIN_EXE_wisp"))
            .args(&args)
            .env("SOURCE_DATE_EPOCH", "1793613600")
            .current_dir(site.path())
            .output()
            .unwrap();
        let written = args
            .iter()
            .position(|a| *a == "--out")
            .map(|i| std::fs::read(site.path().join(args[i + 1])).unwrap_or_default());
        (o, written)
    };
    let keep_all = ["--ssid", "NHS-Clinical"];
    let keep_none = ["--ssid", "Guest"];
    for (args, none_says) in [
        (
            &["heatmap", "site.toml", "--out", "h.png"][..],
            "no survey samples",
        ),
        (&["validate", "site.toml"][..], "no usable scans"),
        (
            &["calibrate", "site.toml"][..],
            "no readings to calibrate on",
        ),
        (
            &["plan", "site.toml", "--out", "p.json"][..],
            "no readings to calibrate on",
        ),
        (&["diff", "site.toml", "site.toml"][..], "need samples"),
        (
            &["report", "site.toml", "--quiet", "--out", "r.pdf"][..],
            "",
        ),
    ] {
        let (plain, plain_out) = run(args, &[]);
        let (all, all_out) = run(args, &keep_all);
        assert_eq!(plain.status.code(), all.status.code(), "{args:?}");
        assert_eq!(plain.stdout, all.stdout, "{args:?}: the filter keeping all");
        assert_eq!(plain_out, all_out, "{args:?}: the filter keeping all");
        let (none, none_out) = run(args, &keep_none);
        assert!(
            stderr(&none).contains(none_says),
            "{args:?} with no radio left: {}",
            stderr(&none)
        );
        // The report has no radio to show: another document.
        if args[0] == "report" {
            assert!(none.status.success(), "{}", stderr(&none));
            assert_ne!(none_out, plain_out);
        }
    }
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // The sample check JSON is ~90 kB, more than a pipe holds: writing it must hit the closed end.
    let mut child = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["check", "samples/site.toml", "--json"])
        .current_dir(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: the pipe is closed after one byte.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn simulate_is_deterministic_and_ingest_round_trips() {
    let site = TinySite::new();
    site.simulate();
    let first = std::fs::read(site.path().join("walk.csv")).unwrap();
    site.simulate();
    assert_eq!(first, std::fs::read(site.path().join("walk.csv")).unwrap());
    let o = wisp(
        &["ingest", "--site", "site.toml", "--out", "survey.json"],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("walk.csv: wisp-csv"), "{}", stderr(&o));
    let survey: serde_json::Value =
        serde_json::from_slice(&std::fs::read(site.path().join("survey.json")).unwrap()).unwrap();
    assert_eq!(survey["format"], "wisp-survey");
    let rows = String::from_utf8(first).unwrap().lines().count() - 1;
    let obs: usize = survey["floors"][0]["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["observations"].as_array().unwrap().len())
        .sum();
    assert_eq!(obs, rows, "every CSV row is one observation in the survey");
    // The same check from the survey JSON as from the captures.
    let a = wisp(&["check", "site.toml", "--json"], site.path());
    let b = wisp(
        &["check", "site.toml", "--survey", "survey.json", "--json"],
        site.path(),
    );
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn heatmap_and_report_are_written_whole() {
    let site = TinySite::new();
    site.simulate();
    let o = wisp(&["heatmap", "site.toml", "--out", "map.png"], site.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let img = image::open(site.path().join("map.png")).unwrap();
    assert!(img.width() >= 400 && img.height() >= 200);
    let o = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["report", "site.toml", "--out", "r.pdf"])
        .env("SOURCE_DATE_EPOCH", "1793613600")
        .current_dir(site.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = std::fs::read(site.path().join("r.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let again = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["report", "site.toml", "--out", "r2.pdf"])
        .env("SOURCE_DATE_EPOCH", "1793613600")
        .current_dir(site.path())
        .output()
        .unwrap();
    assert!(again.status.success());
    assert_eq!(
        pdf,
        std::fs::read(site.path().join("r2.pdf")).unwrap(),
        "same inputs, same PDF"
    );
    // No temporary files left behind.
    let names: Vec<String> = std::fs::read_dir(site.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");
}

/// Writes `manifest` (and optionally a capture) into a fresh site and runs `check` on it.
fn check_with(manifest: &str, capture: Option<&str>) -> (Output, tempfile::TempDir) {
    let site = TinySite::new();
    std::fs::write(site.path().join("site.toml"), manifest).unwrap();
    if let Some(c) = capture {
        std::fs::write(site.path().join("walk.csv"), c).unwrap();
    }
    let o = wisp(&["check", "site.toml"], site.path());
    (o, site.dir)
}

fn assert_bad_input(o: &Output, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let e = stderr(o);
    for n in needles {
        assert!(e.contains(n), "expected '{n}' in: {e}");
    }
    assert!(!e.contains("panicked"), "{e}");
}

#[test]
fn bad_input_names_file_and_line_and_exits_2() {
    // Missing capture file.
    let (o, _d) = check_with(MANIFEST, None);
    assert_bad_input(&o, &["walk.csv", "cannot read"]);
    // Malformed TOML.
    let (o, _d) = check_with(
        &MANIFEST.replace("metres_per_pixel = 0.05", "metres_per_pixel = "),
        Some(""),
    );
    assert_bad_input(&o, &["site.toml:5:"]);
    // An unknown key.
    let (o, _d) = check_with(
        &MANIFEST.replace("kind = \"bay\"", "kinds = \"bay\""),
        Some(""),
    );
    assert_bad_input(&o, &["site.toml:", "kinds"]);
    // A calibration of zero length.
    let (o, _d) = check_with(
        &MANIFEST.replace(
            "metres_per_pixel = 0.05",
            "calibration = { a = [5, 5], b = [5, 5], metres = 10.0 }",
        ),
        Some(""),
    );
    assert_bad_input(&o, &["site.toml:5:", "zero length"]);
    // An RSSI that is text.
    let csv = "x,y,bssid,ssid,freq_mhz,rssi_dbm\n1,5,02:00:00:00:01:00,A,5180,-60\n2,5,02:00:00:00:01:00,A,5180,strong\n";
    let (o, _d) = check_with(MANIFEST, Some(csv));
    assert_bad_input(&o, &["walk.csv:3:", "'strong' is not a number"]);
    // A plan that is not an image.
    let site = TinySite::new();
    std::fs::write(site.path().join("plan.png"), "not a picture").unwrap();
    let o = wisp(&["check", "site.toml"], site.path());
    assert_bad_input(&o, &["plan.png", "not a PNG"]);
    // A missing site.
    let o = wisp(&["check", "nowhere/site.toml"], site.path());
    assert_bad_input(&o, &["nowhere/site.toml"]);
}

#[test]
fn unsurveyed_site_is_not_enough_data() {
    let csv = "x,y,bssid,ssid,freq_mhz,rssi_dbm\n";
    let (o, _d) = check_with(MANIFEST, Some(csv));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn grid_matches_a_hand_computed_idw() {
    let dir = tempfile::tempdir().unwrap();
    // Two points; the cell centre (0.5, 0.5) is 0.5√2 from (0,0) and √(0.5²+1.5²) from (0,2).
    std::fs::write(dir.path().join("p.csv"), "x,y,value\n0,0,10\n0,2,20\n").unwrap();
    let o = wisp(
        &[
            "grid", "p.csv", "--extent", "0,0,1,2", "--cell", "1", "--out", "g.asc",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let asc = std::fs::read_to_string(dir.path().join("g.asc")).unwrap();
    let lines: Vec<&str> = asc.lines().collect();
    assert_eq!(
        &lines[..6],
        &[
            "ncols 1",
            "nrows 2",
            "xllcorner 0",
            "yllcorner 0",
            "cellsize 1",
            "NODATA_value -9999"
        ]
    );
    // Row 0 is the top (centre y = 1.5), row 1 the bottom (centre y = 0.5).
    let idw = |d1: f64, d2: f64| {
        (10.0 / d1.powi(2) + 20.0 / d2.powi(2)) / (1.0 / d1.powi(2) + 1.0 / d2.powi(2))
    };
    let top: f64 = lines[6].parse().unwrap();
    let bottom: f64 = lines[7].parse().unwrap();
    assert!(
        (top - idw(1.5f64.hypot(0.5), 0.5f64.hypot(0.5))).abs() < 1e-4,
        "{top}"
    );
    assert!(
        (bottom - idw(0.5f64.hypot(0.5), 1.5f64.hypot(0.5))).abs() < 1e-4,
        "{bottom}"
    );
    // --at gives the same values at the centres.
    std::fs::write(dir.path().join("q.csv"), "x,y\n0.5,1.5\n0,2\n").unwrap();
    let o = wisp(
        &["grid", "p.csv", "--at", "q.csv", "--out", "q.out.csv"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = std::fs::read_to_string(dir.path().join("q.out.csv")).unwrap();
    let vals: Vec<f64> = out
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse().unwrap())
        .collect();
    assert!((vals[0] - top).abs() < 1e-4);
    assert_eq!(vals[1], 20.0, "exact at a sample");
    // A bad value names its line.
    std::fs::write(dir.path().join("bad.csv"), "x,y,value\n0,0,1\n1,1,NaN\n").unwrap();
    let o = wisp(
        &[
            "grid", "bad.csv", "--extent", "0,0,1,1", "--cell", "1", "--out", "b.asc",
        ],
        dir.path(),
    );
    assert_bad_input(&o, &["bad.csv:3:"]);
    assert!(!dir.path().join("b.asc").exists(), "no output on bad input");
}

#[test]
fn grid_auto_takes_the_cross_validated_best_point_method() {
    // A walk of 120 points along a zig-zag with a smooth field (a plane plus a gentle wave):
    // the smooth methods beat nearest sample, and auto says which won and grids with it.
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("x,y,value\n");
    for i in 0..120 {
        let x = i as f64 * 0.5;
        let y = if (i / 20) % 2 == 0 {
            (i % 20) as f64 * 0.5
        } else {
            10.0 - (i % 20) as f64 * 0.5
        };
        csv.push_str(&format!(
            "{x},{y},{}\n",
            -50.0 - 0.4 * x - 0.3 * y + 2.0 * (x / 7.0).sin()
        ));
    }
    std::fs::write(dir.path().join("p.csv"), csv).unwrap();
    // `wisp grid` of p.csv with `method`, more arguments `extra`, into `out`.
    let grid = |method: &str, extra: &[&str], out: &str| {
        let mut args = vec![
            "grid",
            "p.csv",
            "--extent",
            "0,0,60,10",
            "--cell",
            "2",
            "--method",
            method,
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--out", out]);
        wisp(&args, dir.path())
    };
    let run = |method: &str, out: &str| grid(method, &[], out);
    let o = run("auto", "auto.asc");
    assert!(o.status.success(), "{}", stderr(&o));
    let said = String::from_utf8_lossy(&o.stdout).to_string();
    let line = said.lines().find(|l| l.starts_with("auto: ")).expect(&said);
    let chosen = line["auto: ".len()..].split_whitespace().next().unwrap();
    assert_ne!(chosen, "nearest", "{line}");
    assert!(line.contains("nearest "), "the others are listed: {line}");
    let o = run(chosen, "same.asc");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(dir.path().join("auto.asc")).unwrap(),
        std::fs::read(dir.path().join("same.asc")).unwrap(),
        "auto grids with the method it names"
    );
    // An unknown method is refused by name, with the choices.
    let o = run("bicubic", "x.asc");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("auto"), "{}", stderr(&o));
    // A smoothing λ is the spline's alone: given to another method it is refused, not dropped.
    let smoothed =
        |method: &str, lambda: &str, out: &str| grid(method, &["--smoothing", lambda], out);
    for method in ["idw", "kriging", "natural", "nearest"] {
        let o = smoothed(method, "10", "s.asc");
        assert_bad_input(&o, &["--smoothing", method]);
        assert!(!dir.path().join("s.asc").exists(), "no output when refused");
    }
    for (method, lambda) in [("spline", "10"), ("auto", "10"), ("spline", "0")] {
        let o = smoothed(method, lambda, &format!("{method}.{lambda}.asc"));
        assert!(o.status.success(), "{method}: {}", stderr(&o));
    }
    // And it is used: λ = 10 smooths the wave, so the surface differs from λ = 0 (exact).
    assert_ne!(
        std::fs::read(dir.path().join("spline.0.asc")).unwrap(),
        std::fs::read(dir.path().join("spline.10.asc")).unwrap(),
        "λ reaches the spline"
    );
}

/// 200 random points onto a 37 × 23 grid of 1 m cells, written as ESRI ASCII and as GeoTIFF.
fn grid_both_formats(dir: &Path) {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut csv = String::from("x,y,value\n");
    for _ in 0..200 {
        let (x, y) = (rng.random::<f64>() * 40.0, rng.random::<f64>() * 20.0);
        csv.push_str(&format!("{x},{y},{}\n", -90.0 + 60.0 * rng.random::<f64>()));
    }
    std::fs::write(dir.join("p.csv"), csv).unwrap();
    for out in ["g.asc", "g.tif"] {
        let o = wisp(
            &[
                "grid",
                "p.csv",
                "--extent=-2,1,35,24",
                "--size",
                "37x23",
                "--out",
                out,
            ],
            dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

#[test]
fn grid_geotiff_holds_the_same_values_as_the_ascii_grid() {
    use tiff::decoder::{Decoder, DecodingResult};
    let dir = tempfile::tempdir().unwrap();
    grid_both_formats(dir.path());
    let asc = std::fs::read_to_string(dir.path().join("g.asc")).unwrap();
    // The ASCII text is the shortest that reads back to the same f32, so equality is exact.
    let from_asc: Vec<f32> = asc
        .lines()
        .skip(6)
        .flat_map(|l| l.split(' ').map(|v| v.parse::<f32>().unwrap()))
        .collect();
    let file = std::fs::File::open(dir.path().join("g.tif")).unwrap();
    let mut d = Decoder::new(std::io::BufReader::new(file)).unwrap();
    assert_eq!(d.dimensions().unwrap(), (37, 23));
    let DecodingResult::F32(from_tif) = d.read_image().unwrap() else {
        panic!("not a 32-bit float GeoTIFF");
    };
    assert_eq!(from_tif, from_asc);
    let scale = d
        .get_tag_f64_vec(tiff::tags::Tag::ModelPixelScaleTag)
        .unwrap();
    assert_eq!(scale, vec![1.0, 1.0, 0.0]);
    let tie = d
        .get_tag_f64_vec(tiff::tags::Tag::ModelTiepointTag)
        .unwrap();
    assert_eq!(tie, vec![0.0, 0.0, 0.0, -2.0, 24.0, 0.0], "top-left corner");
}

/// GDAL itself reads the extent, cell size and nodata value of `wisp grid --out g.tif`.
#[test]
#[ignore = "needs gdal-bin"]
fn gdalinfo_reads_the_geotiff_extent_and_cell_size() {
    let dir = tempfile::tempdir().unwrap();
    grid_both_formats(dir.path());
    let o = Command::new("gdalinfo")
        .arg("g.tif")
        .current_dir(dir.path())
        .output()
        .expect("gdalinfo (gdal-bin) is installed");
    assert!(o.status.success(), "{}", stderr(&o));
    let info = String::from_utf8_lossy(&o.stdout);
    for want in [
        "Driver: GTiff/GeoTIFF",
        "Size is 37, 23",
        "Origin = (-2.000000000000000,24.000000000000000)",
        "Pixel Size = (1.000000000000000,-1.000000000000000)",
        "Lower Right (  35.0000000,   1.0000000)",
        "Type=Float32",
        "NoData Value=-9999",
    ] {
        assert!(info.contains(want), "gdalinfo lacks '{want}':\n{info}");
    }
}

#[test]
fn diff_of_a_survey_with_itself_is_empty_and_a_weakened_ap_shows() {
    let site = TinySite::new();
    site.simulate();
    let o = wisp(
        &["ingest", "--site", "site.toml", "--out", "before.json"],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wisp(
        &[
            "diff",
            "before.json",
            "before.json",
            "--site",
            "site.toml",
            "--json",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["floors"][0]["diff"];
    assert_eq!(d["worse_cells"], 0);
    assert_eq!(d["appeared"].as_array().unwrap().len(), 0);
    assert!(d["zones"]
        .as_array()
        .unwrap()
        .iter()
        .all(|z| z["pass_share"] == 0.0));
    // After: the AP loses 20 dB of transmit power (a failed radio replaced by a weak one).
    std::fs::write(
        site.path().join("weak.toml"),
        "[[aps]]\nname = \"AP1\"\nat = [60, 100]\nradios = [{ band = \"5\", channel = 36, tx_dbm = -3.0 }]\n",
    )
    .unwrap();
    let o = wisp(
        &[
            "simulate",
            "site.toml",
            "--aps",
            "weak.toml",
            "--seed",
            "3",
            "--out",
            "walk.csv",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wisp(
        &["ingest", "--site", "site.toml", "--out", "after.json"],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wisp(
        &[
            "diff",
            "before.json",
            "after.json",
            "--site",
            "site.toml",
            "--json",
            "--heatmap-dir",
            "d",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &v["floors"][0]["diff"];
    assert!(d["worse_cells"].as_u64().unwrap() > 0);
    let west = d["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "West")
        .unwrap();
    // Same walk and seed, 20 dB less power: the median falls by up to 20 dB, less what the
    // −95 dBm not-heard floor and the −90 dBm sensitivity clip.
    let m = west["median_primary_db"].as_f64().unwrap();
    assert!((-20.5..=-10.0).contains(&m), "median change {m}");
    assert!(site.path().join("d/diff-L1.png").is_file());
}

#[test]
fn sample_site_demo_runs() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if !root.join("samples/walk.csv").exists() {
        panic!("samples/walk.csv is missing: regenerate it as samples/README.md says");
    }
    let out = tempfile::tempdir().unwrap();
    let o = wisp(&["demo", "--out", out.path().to_str().unwrap()], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "survey.json",
        "heatmap-L1-primary.png",
        "check.json",
        "dead-zones.geojson",
        "plan.json",
        "report.pdf",
        "report.html",
    ] {
        assert!(out.path().join(f).is_file(), "{f} missing");
    }
    let check: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.path().join("check.json")).unwrap()).unwrap();
    let zones = check["floors"][0]["zones"].as_array().unwrap();
    // The sample AP layout is meant to leave dead zones: the report must name some.
    assert!(zones
        .iter()
        .any(|z| !z["dead_zones"].as_array().unwrap().is_empty()));
    assert!(zones.iter().any(|z| z["verdict"] == "pass"));
    // The second sample runs too, into renal-unit/, with the neighbour's co-channel map, and
    // says check and plan agree on every zone.
    for f in [
        "check.json",
        "heatmap-G-cochannel.png",
        "plan.json",
        "report.pdf",
    ] {
        assert!(
            out.path().join("renal-unit").join(f).is_file(),
            "renal-unit/{f} missing"
        );
    }
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("check and plan agree on every zone (10 zones;"),
        "{text}"
    );
    assert!(!text.contains("DISAGREE"), "{text}");
}

/// Whether the picture has the planned-AP blue within `r` pixels of (`x`, `y`).
fn planned_marker_near(img: &image::RgbaImage, x: u32, y: u32, r: u32) -> bool {
    (y.saturating_sub(r)..=y + r).any(|py| {
        (x.saturating_sub(r)..=x + r).any(|px| {
            img.get_pixel_checked(px, py)
                .is_some_and(|p| p.0[..3] == [0, 95, 210])
        })
    })
}

#[test]
fn a_plan_adds_predicted_maps_and_plan_pages() {
    let site = TinySite::new();
    site.simulate();
    // One proposed AP in the east zone, 17.5 m, 5 m: plan pixel (350, 100).
    let plan = r#"{"new_aps": [{"name": "NEW-L1-01", "floor": "L1", "x_px": 350, "y_px": 100,
        "x_m": 17.5, "y_m": 5.0, "radios": [{"band": "5", "channel": 44, "tx_dbm": 17.0}]}],
        "existing_aps": [{"name": "AP1", "floor": "L1", "located": false, "x_m": 3.0, "y_m": 5.0,
        "radios": [{"band": "5", "channel": 36, "tx_dbm": 17.0}]}],
        "zones": [{"floor": "L1", "zone": "East", "kind": "bay", "profile": "healthcare-voice",
        "area_m2": 30.0, "unreachable_share": 0.0,
        "design_before": {"primary_share": 0.0, "secondary_share": 0.0, "primary_p5_dbm": null, "meets_design_targets": false},
        "design_after": {"primary_share": 1.0, "secondary_share": 0.0, "primary_p5_dbm": -50.0, "meets_design_targets": false}}]}"#;
    std::fs::write(site.path().join("plan.json"), plan).unwrap();
    let map = |metric: &str, out: &str, with_plan: bool| {
        let mut args = vec!["heatmap", "site.toml", "--metric", metric, "--out", out];
        if with_plan {
            args.extend(["--plan", "plan.json"]);
        }
        let o = wisp(&args, site.path());
        assert!(o.status.success(), "{}", stderr(&o));
        image::open(site.path().join(out)).unwrap().to_rgba8()
    };
    let before = map("predicted-before", "before.png", false);
    let after = map("predicted-after", "after.png", true);
    assert!(planned_marker_near(&after, 350, 100, 3));
    assert!(!planned_marker_near(&before, 350, 100, 3));
    // The east zone lies behind two concrete walls from AP1: the new AP makes it greener there.
    let green = |img: &image::RgbaImage| {
        let p = img.get_pixel(330, 60).0;
        p[1] as i32 - p[0] as i32
    };
    assert!(
        green(&after) > green(&before) + 20,
        "{:?} {:?}",
        after.get_pixel(330, 60),
        before.get_pixel(330, 60)
    );
    // SVG too, with the planned AP as a vector marker.
    let o = wisp(
        &[
            "heatmap",
            "site.toml",
            "--metric",
            "predicted-after",
            "--plan",
            "plan.json",
            "--out",
            "after.svg",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(site.path().join("after.svg")).unwrap();
    assert!(svg.contains("planned-ap") && svg.contains("NEW-L1-01 ch 44"));

    // The report with the plan: bigger (the plan page and its map), still deterministic.
    let report = |out: &str, with_plan: bool| {
        let mut args = vec!["report", "site.toml", "--out", out, "--quiet"];
        if with_plan {
            args.extend(["--plan", "plan.json"]);
        }
        let o = Command::new(env!("CARGO_BIN_EXE_wisp"))
            .args(&args)
            .env("SOURCE_DATE_EPOCH", "1793613600")
            .current_dir(site.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read(site.path().join(out)).unwrap()
    };
    let plain = report("plain.pdf", false);
    let planned = report("planned.pdf", true);
    assert!(planned.len() > plain.len() + 10_000);
    assert_eq!(planned, report("planned2.pdf", true));
    // The HTML report gets the predicted-after layer and the proposed AP.
    let o = wisp(
        &[
            "report",
            "site.toml",
            "--html",
            "r.html",
            "--plan",
            "plan.json",
            "--quiet",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(site.path().join("r.html")).unwrap();
    assert!(html.contains("Predicted after plan") && html.contains("NEW-L1-01"));

    // What `wisp plan` writes, `--plan` reads.
    let o = wisp(
        &["plan", "site.toml", "--out", "real-plan.json"],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = wisp(
        &[
            "report",
            "site.toml",
            "--out",
            "real.pdf",
            "--plan",
            "real-plan.json",
            "--quiet",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn a_plan_naming_what_the_site_lacks_is_bad_input() {
    let site = TinySite::new();
    site.simulate();
    let try_plan = |plan: &str| {
        std::fs::write(site.path().join("bad.json"), plan).unwrap();
        wisp(
            &[
                "heatmap",
                "site.toml",
                "--metric",
                "predicted-after",
                "--plan",
                "bad.json",
                "--out",
                "m.png",
            ],
            site.path(),
        )
    };
    let ap = |floor: &str, x: f64| {
        format!(
            r#"{{"name": "N1", "floor": "{floor}", "x_m": {x}, "y_m": 5.0, "radios": [{{"band": "5", "channel": 36, "tx_dbm": 17.0}}]}}"#
        )
    };
    let o = try_plan(&format!(r#"{{"new_aps": [{}]}}"#, ap("L9", 5.0)));
    assert_bad_input(&o, &["bad.json", "new_aps[0] 'N1'", "floor 'L9'"]);
    let o = try_plan(&format!(r#"{{"new_aps": [{}]}}"#, ap("L1", 55.0)));
    assert_bad_input(&o, &["bad.json", "not on floor 'L1'"]);
    let o = try_plan(&format!(
        r#"{{"new_aps": [], "existing_aps": [{}]}}"#,
        ap("L1", 5.0).replace("N1", "AP9")
    ));
    assert_bad_input(&o, &["bad.json", "no access point 'AP9'"]);
    let o = try_plan(r#"{"new_aps": [], "zones": [{"floor": "L1", "zone": "North"}]}"#);
    assert_bad_input(&o, &["bad.json"]);
    let o = try_plan("{\"new_aps\": [\n  {\"name\": 3}\n]}");
    assert_bad_input(&o, &["bad.json:2:", "not a plan"]);
    let o = try_plan(&format!(
        r#"{{"new_aps": [{}]}}"#,
        ap("L1", 5.0).replace("\"channel\": 36", "\"channel\": 200")
    ));
    assert_bad_input(&o, &["bad.json", "N1"]);
    // The predicted-after map needs a plan at all; the report's --plan does not go with --shard.
    let o = wisp(
        &[
            "heatmap",
            "site.toml",
            "--metric",
            "predicted-after",
            "--out",
            "m.png",
        ],
        site.path(),
    );
    assert_bad_input(&o, &["--plan"]);
    let o = wisp(
        &[
            "report",
            "site.toml",
            "--plan",
            "bad.json",
            "--shard",
            "1/2",
            "--out",
            "b",
        ],
        site.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!site.path().join("m.png").exists());
}

#[test]
fn channel_map_lists_the_serving_channels() {
    let site = TinySite::new();
    site.simulate();
    let o = wisp(
        &[
            "heatmap",
            "site.toml",
            "--metric",
            "channel",
            "--out",
            "ch.svg",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(site.path().join("ch.svg")).unwrap();
    // The one AP serves on 5 GHz channel 36, the only channel of the survey: one swatch, in the
    // colour of the first slot (channels are ranked per site): Okabe–Ito orange.
    assert_eq!(svg.matches("class=\"category\"").count(), 1);
    assert!(svg.contains(">5 GHz ch 36</text>"));
    assert!(svg.contains("fill=\"#e69f00\""));
    let o = wisp(
        &[
            "heatmap",
            "site.toml",
            "--metric",
            "channel",
            "--out",
            "ch.png",
        ],
        site.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // Beside the AP (60, 100 px), the plan (white) under 60 % orange: 0.6·(230,159,0) + 0.4·255.
    let img = image::open(site.path().join("ch.png")).unwrap().to_rgba8();
    let p = img.get_pixel(40, 60).0;
    let want = [240, 197, 102];
    for k in 0..3 {
        assert!((p[k] as i32 - want[k]).abs() <= 2, "{p:?} vs {want:?}");
    }
}

#[test]
fn ingest_groups_gps_sightings_by_the_sighting_window() {
    let site = TinySite::new();
    let dlon = 20.0 / (6_371_008.8 * 51.5f64.to_radians().cos()) * 180.0 / std::f64::consts::PI;
    let manifest = MANIFEST.replace(
        "metres_per_pixel = 0.05",
        &format!("metres_per_pixel = 0.05\ngeoref = [{{ at = [0, 0], lat = 51.5, lon = -0.1 }}, {{ at = [400, 0], lat = 51.5, lon = {} }}]", -0.1 + dlon),
    );
    std::fs::write(site.path().join("site.toml"), manifest).unwrap();
    // Three sightings 5 m east and about 3 m south of the plan's top-left corner: the first two
    // 1 s apart at one fix, the third 3 s after the first.
    let (lat, lon) = (51.5 - 3.0 / 111_195.0, -0.1 + dlon / 4.0);
    let mut csv = String::from(
        "WigleWifi-1.4,appRelease=2.26\nMAC,SSID,AuthMode,FirstSeen,Channel,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,Type\n",
    );
    for (mac, sec, rssi) in [(1, 5, -61), (2, 6, -70), (1, 8, -64)] {
        csv.push_str(&format!(
            "aa:bb:cc:dd:ee:0{mac},Ward7,[ESS],2026-11-02 10:04:0{sec},36,{rssi},{lat},{lon},35.0,4.0,WIFI\n"
        ));
    }
    std::fs::write(site.path().join("w.csv"), csv).unwrap();
    let samples = |extra: &[&str]| {
        let mut args = vec!["ingest", "w.csv", "--site", "site.toml", "--out", "s.json"];
        args.extend(extra);
        let o = wisp(&args, site.path());
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(site.path().join("s.json")).unwrap()).unwrap();
        v["floors"][0]["samples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["observations"].as_array().unwrap().len())
            .collect::<Vec<_>>()
    };
    assert_eq!(samples(&[]), vec![2, 1]);
    assert_eq!(samples(&["--sighting-window", "0"]), vec![1, 1, 1]);
    assert_eq!(samples(&["--sighting-window", "4"]), vec![2]);
    let o = wisp(
        &[
            "ingest",
            "w.csv",
            "--site",
            "site.toml",
            "--sighting-window",
            "99",
            "--out",
            "s.json",
        ],
        site.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("0 (no grouping) to 60"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn ingest_refuses_an_at_off_the_floor_and_a_capture_left_empty() {
    let site = TinySite::new();
    site.simulate();
    let ingest = |extra: &[&str]| {
        let mut args = vec![
            "ingest",
            "walk.csv",
            "--site",
            "site.toml",
            "--out",
            "s.json",
        ];
        args.extend(extra);
        wisp(&args, site.path())
    };
    // `--at` in pixels without --units px: (300, 100) m is off the 20 m × 10 m plan.
    let o = ingest(&["--at", "300,100"]);
    assert_bad_input(
        &o,
        &[
            "--at (300.0, 100.0) m is outside floor 'L1' (20.0 m × 10.0 m)",
            "add --units px",
        ],
    );
    assert!(!site.path().join("s.json").exists());
    // In pixels it is on the floor.
    let o = ingest(&["--at", "300,100", "--units", "px"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A track whose times (a day after the walk) miss every scan: exit 2, both spans side by
    // side. (Epoch milliseconds are recognised by magnitude, so they would place the walk.)
    std::fs::write(
        site.path().join("t.csv"),
        "t,x,y\n1793700000,1,1\n1793700060,19,1\n",
    )
    .unwrap();
    let o = ingest(&["--track", "t.csv", "--track-units", "m"]);
    assert_bad_input(
        &o,
        &[
            "walk.csv: none of the capture's",
            "scans could be placed",
            "outside the track's time span",
            "the track 2026-11-03",
        ],
    );
}

#[test]
fn chart_and_calibrate_plot_write_svg_charts() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("charts");
    let o = wisp(
        &["chart", "samples/site.toml", "--out", dir.to_str().unwrap()],
        &common::root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("-zone-kinds.svg")),
        "{names:?}"
    );
    let zones = names.iter().filter(|n| n.contains("-zone-0")).count();
    assert!(zones >= 5, "{names:?}");
    for name in &names {
        let svg = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("DejaVu Sans"),
            "{name}"
        );
    }
    let plots = out.path().join("plots");
    let o = wisp(
        &[
            "calibrate",
            "samples/site.toml",
            "--plot",
            plots.to_str().unwrap(),
        ],
        &common::root(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&plots)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].ends_with("-calibration-residuals.svg"));
    assert!(names[1].ends_with("-calibration-scatter.svg"));
    let scatter = std::fs::read_to_string(plots.join(&names[1])).unwrap();
    assert!(scatter.contains("fit: "), "the fitted line is labelled");
}

/// `wisp collect --ping` refuses, before serving anything or writing the output folder, a host
/// that could be read as an option or holds shell characters, and a count out of range: exit 2.
#[test]
fn collect_refuses_a_bad_ping_host_or_count() {
    let dir = tempfile::tempdir().unwrap();
    let samples = common::root().join("samples");
    let out = dir.path().join("out");
    for extra in [
        vec!["--ping=-f"],
        vec!["--ping", "gw;reboot"],
        vec!["--ping", "gw", "--ping-count", "0"],
    ] {
        let mut args = vec![
            "collect",
            samples.to_str().unwrap(),
            "--floor",
            "L1",
            "--no-open",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra.iter().copied());
        let o = wisp(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{extra:?}: no address printed");
        assert!(!out.exists(), "{extra:?}: nothing written");
    }
}
