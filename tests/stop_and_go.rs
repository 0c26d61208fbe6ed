//! Stop-and-go surveys from the shell: many captures, each at its own point, in one command;
//! survey JSONs merged; masked captures kept as unidentified radios and counted.

use std::path::Path;

mod common;
use common::wisp;

const AIRPORT_NO_BSSID: &str = "\
                            SSID RSSI CHANNEL HT CC SECURITY (auth/unicast/group)
                           Ward7 -61  36,+1   Y  GB WPA2(802.1x/AES/AES)
                           Ward7 -80  6       Y  GB WPA2(802.1x/AES/AES)
";

fn iw(rssi: i32) -> String {
    format!(
        "BSS 3c:37:86:5e:4a:11(on wlan0)\n\tfreq: 5180\n\tsignal: {rssi}.00 dBm\n\tSSID: Ward7\n"
    )
}

fn survey(dir: &Path, name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join(name)).unwrap()).unwrap()
}

/// (x, y, source, first rssi) of every sample of floor 0.
fn samples(v: &serde_json::Value) -> Vec<(f64, f64, String, f64)> {
    v["floors"][0]["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["x_m"].as_f64().unwrap(),
                s["y_m"].as_f64().unwrap(),
                s["source"].as_str().unwrap().to_string(),
                s["observations"][0]["rssi_dbm"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn many_points_in_one_command_and_surveys_merged() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::write(p.join("a.txt"), iw(-50)).unwrap();
    std::fs::write(p.join("b.txt"), iw(-60)).unwrap();
    std::fs::create_dir(p.join("stops")).unwrap();
    std::fs::write(p.join("stops/c.txt"), iw(-70)).unwrap();
    std::fs::write(p.join("stops/mac.txt"), AIRPORT_NO_BSSID).unwrap();
    // Files in the points CSV are relative to its folder.
    std::fs::write(
        p.join("stops/points.csv"),
        "file,x,y\nc.txt,5,6\nmac.txt,7,8\n",
    )
    .unwrap();
    let o = wisp(
        &[
            "ingest",
            "a.txt@1,2",
            "b.txt@3.5,4",
            "--points",
            "stops/points.csv",
            "--floor",
            "L1",
            "--out",
            "one.json",
        ],
        p,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    // The Mac capture: two unidentified radios, counted and explained.
    assert!(err.contains("2 unidentified radios"), "{err}");
    assert!(
        err.contains("secondary and tertiary signal are approximate"),
        "{err}"
    );
    let v = survey(p, "one.json");
    assert_eq!(
        samples(&v),
        vec![
            (1.0, 2.0, "a.txt:1".into(), -50.0),
            (3.5, 4.0, "b.txt:1".into(), -60.0),
            (5.0, 6.0, "c.txt:1".into(), -70.0),
            (7.0, 8.0, "mac.txt:1".into(), -61.0),
        ]
    );
    let mac = &v["floors"][0]["samples"][3]["observations"];
    assert_eq!(mac[0]["unidentified"], true);
    assert_eq!(mac[1]["channel"], 6);

    // A second survey sharing one scan: merged, the shared scan kept once.
    let o = wisp(
        &["ingest", "a.txt@1,2", "--floor", "L1", "--out", "two.json"],
        p,
    );
    assert!(o.status.success());
    let o = wisp(
        &["ingest", "one.json", "two.json", "--out", "merged.json"],
        p,
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("1 duplicate scan kept once (first: a.txt:1)"),
        "{err}"
    );
    assert_eq!(samples(&survey(p, "merged.json")).len(), 4);
}

#[test]
fn check_says_secondary_is_approximate_with_unidentified_radios() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    image::RgbaImage::from_pixel(400, 200, image::Rgba([255, 255, 255, 255]))
        .save(p.join("plan.png"))
        .unwrap();
    std::fs::write(p.join("mac.txt"), AIRPORT_NO_BSSID).unwrap();
    std::fs::write(p.join("b.txt"), iw(-50)).unwrap();
    let manifest = "name = \"T\"\n[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.05\n\
        [[floors.zones]]\nname = \"Bay\"\nkind = \"bay\"\npolygon = [[20, 20], [180, 20], [180, 180], [20, 180]]\n\
        [[floors.captures]]\nfile = \"mac.txt\"\nat = [100, 100]\n\
        [[floors.captures]]\nfile = \"b.txt\"\nat = [120, 100]\n";
    std::fs::write(p.join("site.toml"), manifest).unwrap();
    let o = wisp(&["check", ".", "--quiet"], p);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("note: floor L1: Some radios were heard without a usable BSSID"),
        "{out}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Without the Mac capture, no such note.
    let manifest = manifest.replace(
        "[[floors.captures]]\nfile = \"mac.txt\"\nat = [100, 100]\n",
        "",
    );
    std::fs::write(p.join("site.toml"), manifest).unwrap();
    let o = wisp(&["check", ".", "--quiet"], p);
    assert!(!String::from_utf8_lossy(&o.stdout).contains("usable BSSID"));
}

#[test]
fn a_manifest_glob_with_a_points_file_places_every_stop() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    std::fs::create_dir(p.join("stops")).unwrap();
    // Written out of order; read in file-name order.
    std::fs::write(p.join("stops/p2.txt"), iw(-60)).unwrap();
    std::fs::write(p.join("stops/p1.txt"), iw(-50)).unwrap();
    std::fs::write(p.join("stops/readme.md"), "not a capture").unwrap();
    // Plan pixels (0.05 m/px), rows in any order, files relative to the CSV.
    std::fs::write(
        p.join("stops/points.csv"),
        "file,x,y\np2.txt,200,300\np1.txt,100,120\n",
    )
    .unwrap();
    let plan = common::root().join("floorplans/ward-block-l1.png");
    let manifest = format!(
        "name = \"Glob\"\n[[floors]]\nid = \"L1\"\nplan = {:?}\nmetres_per_pixel = 0.05\n\
         outline = [[40, 40], [1480, 40], [1480, 640], [40, 640]]\n\
         [[floors.captures]]\nglob = \"stops/p*.txt\"\npoints = \"stops/points.csv\"\n",
        plan.to_str().unwrap()
    );
    std::fs::write(p.join("site.toml"), &manifest).unwrap();
    let o = wisp(&["ingest", "--site", ".", "--out", "s.json"], p);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        samples(&survey(p, "s.json")),
        [
            (5.0, 6.0, "p1.txt:1".to_string(), -50.0),
            (10.0, 15.0, "p2.txt:1".to_string(), -60.0)
        ]
    );
    // A stop missing from the points file: exit 2, at the manifest's line of the entry.
    std::fs::write(p.join("stops/p3.txt"), iw(-70)).unwrap();
    let o = wisp(&["ingest", "--site", ".", "--out", "s2.json"], p);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("site.toml:7:")
            && err.contains("p3.txt matches glob 'stops/p*.txt' but has no row"),
        "{err}"
    );
    assert!(!p.join("s2.json").exists());
}

/// Issue 13, "units that look swapped": stop-and-go points given in metres but read as plan
/// pixels all land in the plan's top-left corner, inside a floor without an outline of its own,
/// so no single point is off the floor. Together they are refused (exit 2, naming the fix);
/// the same command with points that reach across the floor passes.
#[test]
fn stop_points_crowded_into_a_corner_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    image::RgbImage::from_pixel(400, 200, image::Rgb([255, 255, 255]))
        .save(p.join("plan.png"))
        .unwrap();
    std::fs::write(
        p.join("site.toml"),
        "name = \"Corner\"\n[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.05\n",
    )
    .unwrap();
    for f in ["a.txt", "b.txt", "c.txt"] {
        std::fs::write(p.join(f), iw(-55)).unwrap();
    }
    let ingest = |points: [&str; 3], units: &str| {
        let mut args = vec!["ingest", "--site", "site.toml", "--units", units];
        args.extend(points);
        args.extend(["--out", "s.json"]);
        wisp(&args, p)
    };
    // Metres (up to 1.5 m) read as pixels: at most (0.075, 0.05) m of a 20 m × 10 m plan.
    let o = ingest(["a.txt@1,1", "b.txt@1.5,0.8", "c.txt@0.5,1"], "px");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("floor 'L1': every one of the 3 stop-and-go points lies within the plan's top-left tenth (2.0 m × 1.0 m of a 20.0 m × 10.0 m plan): the positions look like metres read as pixels; if the positions are metres, set --units m"),
        "{err}"
    );
    assert!(!p.join("s.json").exists(), "nothing written");
    // Points across the floor, in metres or in pixels, pass.
    let o = ingest(["a.txt@2,1.5", "b.txt@15,8", "c.txt@7.5,2.25"], "m");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = ingest(["a.txt@40,30", "b.txt@300,160", "c.txt@150,45"], "px");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
