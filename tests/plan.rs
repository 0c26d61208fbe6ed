//! End to end: plan the sample site, walk the design virtually, and check that every zone that
//! failed for primary coverage before now passes it.

use std::path::PathBuf;
use std::process::Output;

mod common;
use common::wisp;

fn ok(o: &Output) -> &Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// (zone, primary pass share, primary dead zones) from `wisp check --json`, surveyed zones only.
fn primary(check: &serde_json::Value) -> Vec<(String, f64, usize, String, f64)> {
    let mut out = vec![];
    for f in check["floors"].as_array().unwrap() {
        for z in f["zones"].as_array().unwrap() {
            let c = z["criteria"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["criterion"] == "primary")
                .unwrap();
            let dead = z["dead_zones"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["criterion"] == "primary")
                .count();
            out.push((
                z["zone"].as_str().unwrap().to_string(),
                c["pass_share"].as_f64().unwrap_or(0.0),
                dead,
                z["verdict"].as_str().unwrap().to_string(),
                z["surveyed_share"].as_f64().unwrap_or(0.0),
            ));
        }
    }
    out
}

#[test]
fn planned_aps_close_the_primary_dead_zones_of_the_sample_site() {
    let site = samples();
    if !site.join("walk.csv").exists() {
        eprintln!("samples/walk.csv is missing: skipped");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let s = site.to_str().unwrap();
    // Calibration runs and reports the model.
    let o = ok(&wisp(&["calibrate", s, "--json"], t)).stdout.clone();
    let cal: serde_json::Value = serde_json::from_slice(&o).unwrap();
    let n = cal["floors"][0]["calibration"]["exponent"]
        .as_f64()
        .unwrap();
    assert!((1.5..4.5).contains(&n), "exponent {n}");
    assert!(cal["floors"][0]["calibration"]["walls"].is_null());
    // With --fit-walls: the crossed materials get a loss and a standard error, and the fit
    // does not get worse.
    let o = ok(&wisp(&["calibrate", s, "--json", "--fit-walls"], t))
        .stdout
        .clone();
    let cal: serde_json::Value = serde_json::from_slice(&o).unwrap();
    let walls = &cal["floors"][0]["calibration"]["walls"];
    let mats = walls["materials"].as_array().unwrap();
    assert!(
        mats.iter().any(|m| m["material"] == "plasterboard"),
        "{walls}"
    );
    for m in mats {
        let (loss, se) = (
            m["loss_db"].as_f64().unwrap(),
            m["standard_error_db"].as_f64().unwrap(),
        );
        assert!(loss.is_finite() && se > 0.0 && se < 2.0, "{m}");
        assert!(m["readings"].as_u64().unwrap() >= 30);
    }
    assert!(walls["rmse_after_db"].as_f64().unwrap() <= walls["rmse_before_db"].as_f64().unwrap());

    ok(&wisp(
        &[
            "plan",
            s,
            "--fit-walls",
            "--suggest-tx-power",
            "--seed",
            "3",
            "--out",
            "plan.json",
            "--bom",
            "bom.csv",
            "--aps-out",
            "new-aps.toml",
        ],
        t,
    ));
    let plan: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.join("plan.json")).unwrap()).unwrap();
    let new = plan["new_aps"].as_array().unwrap();
    assert!(!new.is_empty());
    for ap in new {
        // Plan metres and plan pixels agree through the floor's calibration (0.05 m/px).
        let (xm, xp) = (ap["x_m"].as_f64().unwrap(), ap["x_px"].as_f64().unwrap());
        assert!((xm - 0.05 * xp).abs() < 0.02, "{ap}");
        assert!(ap["radios"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["band"] == "5"));
    }
    // Each zone: the design figures, and the one judge's verdicts before and after; no field
    // says a judged zone "meets its target" (issue 13: the verdict is the one answer).
    for z in plan["zones"].as_array().unwrap() {
        assert!(
            z["design_before"].is_object() && z["design_after"].is_object(),
            "{z}"
        );
        assert!(z["verdict_before"]["verdict"].is_string(), "{z}");
        assert!(z["verdict_after"]["verdict"].is_string(), "{z}");
        let text = z.to_string();
        assert!(!text.contains("meets"), "{text}");
        assert!(z.get("before").is_none() && z.get("after").is_none(), "{z}");
    }
    // Only at the user's mounting points: the planned positions (pixels) and one far off.
    let mut pts = String::from("x,y\n");
    for ap in new {
        pts += &format!("{},{}\n", ap["x_px"], ap["y_px"]);
    }
    pts += "5,5\n";
    std::fs::write(t.join("allowed.csv"), &pts).unwrap();
    ok(&wisp(
        &[
            "plan",
            s,
            "--allowed-points",
            "allowed.csv",
            "--out",
            "allowed.json",
        ],
        t,
    ));
    let only: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.join("allowed.json")).unwrap()).unwrap();
    assert!(!only["new_aps"].as_array().unwrap().is_empty());
    for ap in only["new_aps"].as_array().unwrap() {
        let here = (ap["x_px"].as_f64().unwrap(), ap["y_px"].as_f64().unwrap());
        assert!(
            new.iter()
                .any(|n| (n["x_px"].as_f64().unwrap() - here.0).abs() < 0.01
                    && (n["y_px"].as_f64().unwrap() - here.1).abs() < 0.01)
                || here == (5.0, 5.0),
            "{ap}"
        );
    }
    std::fs::write(t.join("bad.csv"), "x,y\n1,2\n3,oops\n").unwrap();
    let bad = wisp(
        &["plan", s, "--allowed-points", "bad.csv", "--out", "x.json"],
        t,
    );
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("bad.csv:3") && err.contains("'oops'"), "{err}");

    let bom = std::fs::read_to_string(t.join("bom.csv")).unwrap();
    assert!(bom.starts_with("item,quantity,notes\n"));
    assert!(bom.contains(&format!(",{},", new.len())), "{bom}");

    // Walk the design virtually: the APs file holds existing and new APs.
    ok(&wisp(
        &[
            "simulate",
            s,
            "--floor",
            "L1",
            "--aps",
            "new-aps.toml",
            "--seed",
            "7",
            "--out",
            "walk.csv",
        ],
        t,
    ));
    ok(&wisp(
        &[
            "ingest",
            "--site",
            s,
            "--floor",
            "L1",
            "walk.csv",
            "--out",
            "survey.json",
        ],
        t,
    ));
    let before = wisp(&["check", s, "--json"], t);
    let after = wisp(&["check", s, "--survey", "survey.json", "--json"], t);
    assert_eq!(
        before.status.code(),
        Some(1),
        "the sample site has dead zones to close"
    );
    let b = primary(&serde_json::from_slice(&before.stdout).unwrap());
    let a = primary(&serde_json::from_slice(&after.stdout).unwrap());
    // Zones the planner reports out of reach of every allowed position (X-ray 1: lead-lined, and
    // no AP may hang in imaging rooms) are exempt; it says so in plan.json.
    let unreachable: Vec<&str> = plan["zones"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|z| z["unreachable_share"].as_f64().unwrap() > 0.05)
        .map(|z| z["zone"].as_str().unwrap())
        .collect();
    let mut closed = 0;
    for ((zone, share, dead, verdict, surveyed), (zone2, share2, dead2, verdict2, _)) in
        b.iter().zip(&a)
    {
        assert_eq!(zone, zone2);
        // Zones under half surveyed before (the lift cars, walked past but not into) fail on
        // what little was measured, but the walk, not the plan, is what they lack.
        if verdict != "not-enough-data"
            && *surveyed >= 0.5
            && (*share < 0.95 || *dead > 0)
            && !unreachable.contains(&zone.as_str())
        {
            assert!(
                verdict2 != "not-enough-data" && *share2 >= 0.95 && *dead2 == 0,
                "{zone}: primary {share2} after, {dead2} dead zones, {verdict2}"
            );
            closed += 1;
        }
    }
    assert!(closed >= 2, "zones failing primary before: {closed}");
    // The full check (secondary, SNR, co-channel too) is not asserted: it also depends on the
    // interpolation, which other commands own. The plan must not break what passed, though.
    for ((zone, share, _, verdict, _), (_, share2, _, _, _)) in b.iter().zip(&a) {
        if verdict == "pass" {
            assert!(
                *share2 >= 0.95 || *share2 >= *share,
                "{zone}: primary {share} → {share2}"
            );
        }
    }
}
