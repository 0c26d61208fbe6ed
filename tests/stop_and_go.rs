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
