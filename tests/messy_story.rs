//! Issue 13, "Done when the plan, the check and the report tell the same story about every
//! zone, neighbours count as interference and never as coverage", on a floor as messy as a
//! real one (tests/messy: an irregular outline, 61 zones with long names, 244 BSSIDs, a
//! neighbour's network through the party wall, an unsurveyed room, measured dead zones, eight
//! walks and twenty stop-and-go points), through the `wisp` binary: zone by zone, `wisp check
//! --json`, plan.json's "before", the plan's text, the HTML report and the PDF's text give the
//! same verdicts; the plan's "after" is `wisp_coverage` on the predicted-after layers; and the
//! neighbour's readings, taken out, change no zone's coverage, only the co-channel verdict of
//! the zone designed to fail on it.

mod common;
mod messy;

use common::{html_rows, section, shown, verdict_words};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

/// The seed of the messy floor's simulated survey.
const SEED: u64 = 13;

fn wisp(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1793613600")
        .current_dir(dir)
        .output()
        .expect("wisp runs")
}

fn ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The messy site written twice (the neighbour heard, and its readings taken out), checked,
/// planned and reported.
struct Story {
    dir: tempfile::TempDir,
    survey: messy::Survey,
    check: serde_json::Value,
    check_text: String,
    /// `wisp check --json` of the site without the neighbour's readings.
    without: serde_json::Value,
    plan: serde_json::Value,
    plan_summary: String,
}

impl Story {
    fn tell() -> Story {
        let dir = tempfile::tempdir().unwrap();
        let survey = messy::simulate(SEED);
        messy::write(&dir.path().join("with"), &survey, true).unwrap();
        messy::write(&dir.path().join("without"), &survey, false).unwrap();
        let with = dir.path().join("with");
        let check = wisp(&["check", "site.toml", "--json"], &with);
        // Zones fail: exit 1, whatever else the run says (an unsurveyed zone among them).
        assert_eq!(
            check.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let check_text = wisp(&["check", "site.toml"], &with);
        assert_eq!(check_text.status.code(), Some(1));
        let without = wisp(
            &["check", "site.toml", "--json"],
            &dir.path().join("without"),
        );
        // Candidates every 2 m (not 1 m) keep the planner's run short in a debug build.
        let plan_run = wisp(
            &["plan", "site.toml", "--spacing", "2", "--out", "plan.json"],
            &with,
        );
        ok(&plan_run, "wisp plan");
        let report = wisp(
            &[
                "report",
                "site.toml",
                "--plan",
                "plan.json",
                "--out",
                "report.pdf",
                "--html",
                "report.html",
                "--quiet",
            ],
            &with,
        );
        // A report is written whatever the verdicts (its exit code is about the floors).
        ok(&report, "wisp report");
        let plan = std::fs::read(with.join("plan.json")).unwrap();
        Story {
            survey,
            check: serde_json::from_slice(&check.stdout).unwrap(),
            check_text: String::from_utf8(check_text.stdout).unwrap(),
            without: serde_json::from_slice(&without.stdout).unwrap(),
            plan: serde_json::from_slice(&plan).unwrap(),
            plan_summary: String::from_utf8(plan_run.stdout).unwrap(),
            dir,
        }
    }

    fn site(&self) -> std::path::PathBuf {
        self.dir.path().join("with")
    }

    fn zones(v: &serde_json::Value) -> &Vec<serde_json::Value> {
        v["floors"][0]["zones"].as_array().unwrap()
    }

    /// `wisp check --json`'s zones in table order: (zone, verdict shown, dead area m²).
    fn checked(&self) -> Vec<(String, String, f64)> {
        Self::zones(&self.check)
            .iter()
            .map(|z| {
                (
                    z["zone"].as_str().unwrap().to_string(),
                    shown(&z["verdict"]),
                    z["dead_area_m2"].as_f64().unwrap(),
                )
            })
            .collect()
    }

    /// plan.json's zones in order: (zone, verdict before, verdict after).
    fn planned(&self) -> Vec<(String, String, String)> {
        self.plan["zones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| {
                (
                    z["zone"].as_str().unwrap().to_string(),
                    shown(&z["verdict_before"]["verdict"]),
                    shown(&z["verdict_after"]["verdict"]),
                )
            })
            .collect()
    }
}

/// A zone's result for `criterion` in a check document (`null` when its profile has none).
fn criterion<'a>(zone: &'a serde_json::Value, criterion: &str) -> &'a serde_json::Value {
    zone["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["criterion"] == criterion)
        .unwrap_or(&serde_json::Value::Null)
}

#[test]
fn the_messy_floor_is_as_messy_as_promised() {
    let zones = messy::zones();
    assert!(zones.len() >= 60);
    let names: std::collections::BTreeSet<&str> = zones.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(names.len(), zones.len(), "zone names are unique");
    for mark in ['\'', '&', '–'] {
        assert!(names.iter().any(|n| n.contains(mark)), "a name with {mark}");
    }
    assert!(
        zones.iter().any(|z| z.polygon.len() > 4),
        "an irregular zone"
    );
    let survey = messy::simulate(SEED);
    let bssids: std::collections::BTreeSet<_> = survey
        .walks
        .iter()
        .chain(&survey.stops)
        .flatten()
        .flat_map(|s| s.observations.iter().map(|o| o.bssid))
        .collect();
    assert!(bssids.len() >= 200, "{} BSSIDs", bssids.len());
    assert!(bssids.iter().any(messy::is_neighbour));
    assert!(survey.walks.len() >= 8 && survey.stops.len() >= 20);
    assert!(
        (300..1000).contains(&survey.scans()),
        "{} scans",
        survey.scans()
    );
    // Deterministic: the same seed, the same scans.
    let again = messy::simulate(SEED);
    assert_eq!(format!("{:?}", again.walks), format!("{:?}", survey.walks));
}

#[test]
fn check_plan_and_report_agree_and_neighbours_are_interference_only_on_a_messy_floor() {
    let story = Story::tell();
    same_verdicts_everywhere(&story);
    neighbours_are_interference_never_coverage(&story);
    the_plans_after_is_wisp_coverages(&story);
}

/// Check, plan.json, the plan's text and the HTML report, zone by zone; the plan leaves the
/// neighbour alone.
fn same_verdicts_everywhere(story: &Story) {
    let checked = story.checked();
    assert_eq!(checked.len(), messy::zones().len());
    let by_check: BTreeMap<&str, &str> = checked
        .iter()
        .map(|(z, v, _)| (z.as_str(), v.as_str()))
        .collect();
    // The floor shows every verdict: the closed room unsurveyed, the room by the party wall
    // failing, and passes.
    for zone in messy::UNSURVEYED {
        assert_eq!(by_check[zone], "not enough data", "{zone}");
    }
    assert_eq!(by_check[messy::COCHANNEL_ZONE], "FAIL");
    assert!(by_check.values().any(|v| *v == "pass"));
    // A failing zone never shows 0 m² of dead area; any other none.
    for (zone, verdict, dead) in &checked {
        assert_eq!(
            *verdict == "FAIL",
            *dead > 0.0,
            "{zone}: {verdict}, {dead} m²"
        );
    }
    // The measured dead zones: some failing zone fails its primary where it was walked.
    assert!(Story::zones(&story.check).iter().any(|z| {
        z["verdict"] == "fail"
            && z["dead_zones"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d["criterion"] == "primary")
    }));

    // Check's text: the summary line counts what its table and JSON show, and the dead zones
    // it lists are the JSON's.
    let n = |v: &str| checked.iter().filter(|(_, x, _)| x == v).count();
    let summary = format!(
        "{} zones: {} pass, {} fail, {} not enough data",
        checked.len(),
        n("pass"),
        n("FAIL"),
        n("not enough data")
    );
    assert!(story.check_text.contains(&summary), "{}", story.check_text);
    let dead_zones: usize = Story::zones(&story.check)
        .iter()
        .map(|z| z["dead_zones"].as_array().unwrap().len())
        .sum();
    assert!(
        story
            .check_text
            .contains(&format!("dead zones ({dead_zones}):")),
        "{}",
        story.check_text
    );

    // plan.json: "before" is check's verdict with check's figures, zone by zone.
    let planned = story.planned();
    assert_eq!(planned.len(), checked.len());
    let check_zones = Story::zones(&story.check);
    for z in story.plan["zones"].as_array().unwrap() {
        let name = z["zone"].as_str().unwrap();
        let c = check_zones.iter().find(|c| c["zone"] == name).unwrap();
        let before = &z["verdict_before"];
        assert_eq!(before["verdict"], c["verdict"], "{name}");
        for figure in ["surveyed_share", "pass_share", "dead_area_m2"] {
            assert_eq!(before[figure], c[figure], "{name}: {figure}");
        }
        assert!(!z.to_string().contains("meets"), "{z}");
    }
    // The plan's text summary counts what check counts.
    let passing_after = planned.iter().filter(|(_, _, a)| a == "pass").count();
    let want = format!(
        "zones passing (as `wisp check` judges): {} of {} before, {passing_after} after",
        n("pass"),
        checked.len()
    );
    assert!(story.plan_summary.contains(&want), "{}", story.plan_summary);

    // The HTML report: check's verdict and dead area per zone, and the plan's before → after.
    let html = std::fs::read_to_string(story.site().join("report.html")).unwrap();
    let rows = html_rows(&html, "Zone compliance");
    assert_eq!(rows.len(), checked.len());
    for (row, (zone, verdict, dead)) in rows.iter().zip(&checked) {
        assert_eq!(&row[0], zone);
        assert_eq!(row.last().unwrap(), verdict, "{zone}");
        assert!(row.contains(&format!("{dead:.1}")), "{zone}: {row:?}");
    }
    let rows = html_rows(&html, "Zones before and after the plan");
    assert_eq!(rows.len(), planned.len());
    for (row, (zone, before, after)) in rows.iter().zip(&planned) {
        assert_eq!(&row[0], zone);
        assert!(
            row.contains(&format!("{before} → {after}")),
            "{zone}: {row:?}"
        );
        assert_eq!(before, by_check[zone.as_str()], "{zone}");
    }

    // The plan never touches the neighbour: no channel change of a neighbour's radio, no
    // neighbour among the plan's APs, nothing of it in the bill of materials.
    let neighbour_key = |key: &str| {
        let oui = messy::NEIGHBOUR_OUI.map(|o| format!("{o:02x}")).join(":");
        key.to_ascii_lowercase().starts_with(&oui)
    };
    let changes = story.plan["floors"][0]["channel_changes"]
        .as_array()
        .unwrap();
    assert!(!changes.is_empty(), "the plan re-channels some of ours");
    for c in changes {
        assert!(!neighbour_key(c["ap"].as_str().unwrap()), "{c}");
    }
    for ap in story.plan["existing_aps"]
        .as_array()
        .unwrap()
        .iter()
        .chain(story.plan["new_aps"].as_array().unwrap())
    {
        assert!(!ap["name"].as_str().unwrap().starts_with("Parade"), "{ap}");
    }
    let proposed = section(&html, "<body", "Proposed access points", "</table>");
    assert!(proposed.contains("NEW-L4-01"), "{proposed}");
    assert!(
        !proposed.contains("Parade") && !proposed.contains("0a:5e:77"),
        "{proposed}"
    );
}

/// The site without the neighbour's readings (the same scans otherwise): every zone's coverage
/// figures are the same, and only co-channel moves, the designed zone passing it.
fn neighbours_are_interference_never_coverage(story: &Story) {
    // The neighbour is loud: in some scans it is heard above every radio of ours, so counting
    // it as coverage would show.
    let louder = story
        .survey
        .walks
        .iter()
        .chain(&story.survey.stops)
        .flatten()
        .filter(|s| {
            let best = |n: bool| {
                s.observations
                    .iter()
                    .filter(|o| messy::is_neighbour(&o.bssid) == n)
                    .map(|o| o.rssi_dbm)
                    .fold(f64::NEG_INFINITY, f64::max)
            };
            best(true) > best(false)
        })
        .count();
    assert!(louder > 0, "the neighbour is never the loudest");
    // No scan heard only the neighbour: taking its readings out keeps every scan.
    for s in story
        .survey
        .walks
        .iter()
        .chain(&story.survey.stops)
        .flatten()
    {
        assert!(s
            .observations
            .iter()
            .any(|o| !messy::is_neighbour(&o.bssid)));
    }
    let with = Story::zones(&story.check);
    let without = Story::zones(&story.without);
    assert_eq!(with.len(), without.len());
    for (w, o) in with.iter().zip(without) {
        let name = w["zone"].as_str().unwrap();
        assert_eq!(w["zone"], o["zone"]);
        assert_eq!(w["surveyed_share"], o["surveyed_share"], "{name}");
        assert!(!criterion(w, "primary").is_null(), "{name}");
        for c in ["primary", "secondary", "tertiary", "snr"] {
            assert_eq!(criterion(w, c), criterion(o, c), "{name}: {c}");
        }
        // Interference only grows with the neighbour heard.
        if let (Some(a), Some(b)) = (
            criterion(w, "co-channel")["pass_share"].as_f64(),
            criterion(o, "co-channel")["pass_share"].as_f64(),
        ) {
            assert!(
                a <= b,
                "{name}: co-channel {a} with the neighbour, {b} without"
            );
        }
    }
    // The designed zone fails on co-channel with the neighbour and passes it without.
    let zone = |zs: &[serde_json::Value]| {
        zs.iter()
            .find(|z| z["zone"] == messy::COCHANNEL_ZONE)
            .cloned()
            .unwrap()
    };
    let (w, o) = (zone(with), zone(without));
    assert_eq!(w["verdict"], "fail");
    assert!(w["dead_zones"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["criterion"] == "co-channel"));
    assert_eq!(criterion(&o, "co-channel")["pass_share"], 1.0);
    assert_eq!(o["verdict"], "pass");
}

/// plan.json's verdicts are `wisp_coverage`'s: "before" on the survey's map, "after" on the
/// predicted-after layers (plan.json's new APs and channel changes added to the map the
/// planner builds, `wisp_plan::after_map`), computed here in-process.
fn the_plans_after_is_wisp_coverages(story: &Story) {
    use wisp_site::pipeline;
    let loaded = pipeline::load(&story.site().join("site.toml"), None).unwrap();
    let f = &loaded.site.floors[0];
    let samples = pipeline::samples_of(&loaded.survey, &f.floor.id);
    let cal = wisp_plan::calibrate(
        &f.floor,
        samples,
        &wisp_plan::CalibrationOptions {
            grouping: loaded.site.ap_grouping.clone(),
            ..Default::default()
        },
    )
    .unwrap();
    let (layer_opts, _) =
        pipeline::layer_options(&loaded.site, f, samples, &pipeline::Filters::default());
    let g = pipeline::floor_grid(&f.floor).unwrap();
    let inside = |r: usize, c: usize| f.floor.outline.contains(g.centre(r, c));
    let trend = wisp_plan::CalibratedTrend::new(&f.floor, &cal);
    let map =
        wisp_interp::RadioMap::build(samples, &g, &inside, &layer_opts, Some(&trend)).unwrap();
    let ours: Vec<bool> = map.radios.iter().map(|r| r.is_ours).collect();
    // The neighbour's radios are in the map, and not ours.
    assert!(map
        .radios
        .iter()
        .any(|r| !r.is_ours && r.ssids.iter().any(|s| s == messy::NEIGHBOUR_SSIDS[0])));
    let eval = wisp_coverage::EvalOptions::default();
    let survey = wisp_plan::SurveyMap {
        map: &map,
        ours: &ours,
        layers: &layer_opts,
        eval: &eval,
    };
    let plan =
        wisp_site::plan::read_plan_file(&loaded.site, &story.site().join("plan.json")).unwrap();
    let new = &plan.floor(&f.floor.id).unwrap().new_aps;
    assert!(!new.is_empty(), "the west end's dead zones need APs");
    let changes: Vec<wisp_plan::ChannelChange> =
        serde_json::from_value(story.plan["floors"][0]["channel_changes"].clone()).unwrap();
    // Only our radios are re-channelled, each from the channel the survey heard it on.
    for c in &changes {
        let i = map
            .radios
            .iter()
            .position(|r| r.key.ap == c.ap && r.key.band == c.band && r.key.channel == c.from)
            .unwrap_or_else(|| panic!("{c:?} names no surveyed radio"));
        assert!(ours[i], "{c:?} re-channels a neighbour");
    }
    let (after, after_ours) = wisp_plan::after_map(&f.floor, Some(&cal), &survey, &changes, new);
    // The neighbour's radios keep their channels in the after map.
    for (i, r) in map.radios.iter().enumerate() {
        if !ours[i] {
            assert_eq!(after.radios[i].key, r.key);
        }
    }
    let before = wisp_interp::SignalLayers::from_map(&map, &ours, &layer_opts);
    let after = wisp_interp::SignalLayers::from_map(&after, &after_ours, &layer_opts);
    let profiles = pipeline::all_profiles(&loaded.site);
    let docs = story.plan["zones"].as_array().unwrap();
    assert_eq!(docs.len(), f.floor.zones.len());
    for (zone, doc) in f.floor.zones.iter().zip(docs) {
        assert_eq!(doc["zone"], zone.name.as_str());
        let p = profiles.iter().find(|p| p.name == zone.profile).unwrap();
        for (layers, key) in [(&before, "verdict_before"), (&after, "verdict_after")] {
            let r = wisp_coverage::evaluate_zone(&f.floor, zone, p, layers, &eval);
            let d = &doc[key];
            assert_eq!(
                shown(&d["verdict"]),
                r.verdict.name(),
                "{}: {key}",
                zone.name
            );
            for (figure, v) in [
                ("pass_share", r.pass_share),
                ("surveyed_share", r.surveyed_share),
                ("dead_area_m2", r.dead_area_m2),
            ] {
                assert_eq!(d[figure].as_f64(), Some(v), "{}: {key} {figure}", zone.name);
            }
        }
    }
    // A zone the plan leaves failing says which criterion and why.
    for d in docs {
        if d["verdict_after"]["verdict"] == "fail" {
            assert!(
                d["limits"].as_array().is_some_and(|l| !l.is_empty()),
                "{} fails after with no reason given",
                d["zone"]
            );
        }
    }
    // The plan fixes something: a zone failing before passes after.
    assert!(docs.iter().any(
        |d| d["verdict_before"]["verdict"] == "fail" && d["verdict_after"]["verdict"] == "pass"
    ));
}

#[test]
#[ignore = "needs pdftotext"]
fn the_pdf_report_tells_the_same_story_on_a_messy_floor() {
    let story = Story::tell();
    let pdf = story.site().join("report.pdf");
    let out = Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8(out.stdout).unwrap();
    let checked = story.checked();

    // The summary's counts are check's.
    let count = |label: &str| -> usize {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no '{label}' in the summary"));
        line[line.find(label).unwrap() + label.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let n = |v: &str| checked.iter().filter(|(_, x, _)| x == v).count();
    assert_eq!(count("Zones passing"), n("pass"));
    assert_eq!(count("Zones failing"), n("FAIL"));
    assert_eq!(count("Zones with not enough data"), n("not enough data"));
    // Dead zones counted per criterion, and their area (the union per zone, summed).
    let mut per_criterion = BTreeMap::new();
    for d in Story::zones(&story.check)
        .iter()
        .flat_map(|z| z["dead_zones"].as_array().unwrap())
    {
        *per_criterion
            .entry(d["criterion"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    let dead_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Dead zones "))
        .unwrap();
    assert_eq!(
        count("Dead zones"),
        per_criterion.values().sum::<usize>(),
        "{dead_line}"
    );
    for (criterion, k) in &per_criterion {
        assert!(
            dead_line.contains(&format!("{criterion} {k}")),
            "{dead_line}"
        );
    }
    let area: f64 = checked.iter().map(|(_, _, a)| a).sum();
    let area_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Dead-zone area"))
        .unwrap();
    assert!(area_line.contains(&format!("{area:.1} m²")), "{area_line}");

    // The zone table (over several pages): check's verdicts in check's order.
    let table = section(&text, "Zone compliance", "Zone compliance", "Dead zones");
    let want: Vec<String> = checked.iter().map(|(_, v, _)| v.clone()).collect();
    assert_eq!(verdict_words(table), want);

    // The plan page: before (check's) and after per zone, in the plan's order.
    let table = section(
        &text,
        "Zones before and after the plan",
        "Zones before and after the plan",
        "Bill of materials",
    );
    let want: Vec<String> = story
        .planned()
        .into_iter()
        .flat_map(|(_, before, after)| [before, after])
        .collect();
    assert_eq!(verdict_words(table), want);
    let before: Vec<&String> = want.iter().step_by(2).collect();
    let checked_verdicts: Vec<&String> = checked.iter().map(|(_, v, _)| v).collect();
    assert_eq!(before, checked_verdicts);

    // The bill of materials: plan.json's channel changes, all of ours, none of the
    // neighbour's.
    let bom = section(&text, "Bill of materials", "Bill of materials", "Appendix");
    let changes = story.plan["floors"][0]["channel_changes"]
        .as_array()
        .unwrap()
        .len();
    let line = bom
        .lines()
        .find(|l| l.starts_with("Channel change on an existing"))
        .unwrap_or_else(|| panic!("no channel changes in {bom}"));
    assert_eq!(
        line.split_whitespace().nth(5),
        Some(changes.to_string().as_str()),
        "{line}"
    );
    assert!(
        !bom.contains("0a:5e:77") && !bom.contains("Parade"),
        "{bom}"
    );
}

#[test]
fn mistakes_on_the_messy_floor_exit_2_naming_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let survey = messy::simulate(SEED);
    messy::write(dir.path(), &survey, true).unwrap();
    let site = std::fs::read_to_string(dir.path().join("site.toml")).unwrap();
    for (from, to, says) in [
        // Stop points in metres read as pixels: in the plan's corner, off the outline.
        (
            "points_units = \"m\"",
            "points_units = \"px\"",
            "points.csv:2: floor 'L4': stop-00.csv's point (18, 8) px (1.8, 0.8) m is outside the floor's outline; if the points are in metres, set points_units = \"m\"",
        ),
        // A walk in metres read as pixels.
        (
            "file = \"walks/walk-00.csv\"\nunits = \"m\"",
            "file = \"walks/walk-00.csv\"\nunits = \"px\"",
            "the positions look like metres read as pixels",
        ),
        // A scale fifteen times too large (a 1.5 km floor).
        (
            "metres_per_pixel = 0.1",
            "metres_per_pixel = 1.5",
            "the scale is implausible",
        ),
    ] {
        assert!(site.contains(from), "{from}");
        std::fs::write(dir.path().join("bad.toml"), site.replacen(from, to, 1)).unwrap();
        let o = wisp(&["check", "bad.toml", "--json"], dir.path());
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{to}: {err}");
        assert!(err.contains(says), "{to}: {err}");
    }
}
