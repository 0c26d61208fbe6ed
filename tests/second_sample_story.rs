//! Issue 13, "Done when the plan, the check and the report tell the same story about every
//! zone", on the second sample site (samples/renal-unit) through the `wisp` binary: the zone
//! verdicts of `wisp check --json`, of plan.json's "before", of the plan's text summary, of the
//! HTML report and of the PDF's text (pdftotext) are the same zone by zone, and they are the
//! verdicts the site was designed to give (samples/renal-unit/README.md), written here by hand.

mod common;

use common::{html_rows, root, section, shown, verdict_words};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

const SITE: &str = "samples/renal-unit/site.toml";

/// Each zone's verdict as the outputs print it ([`wisp_coverage::Verdict::name`]), from the
/// site's design: the shops' co-channel fails the east rooms and the corridor, Ward 9 was never
/// walked, the rest is near one of our APs.
fn designed() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([
        ("Ward 9 (closed)", "not enough data"),
        ("Dialysis bay (8 beds)", "pass"),
        ("Treatment room", "pass"),
        ("Dirty utility", "pass"),
        ("Consulting room A", "FAIL"),
        ("Main corridor", "FAIL"),
        ("Waiting", "pass"),
        ("Nurses' station", "pass"),
        ("Clinic office", "pass"),
        ("Consulting room B", "FAIL"),
    ])
}

fn wisp(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1793613600")
        .current_dir(dir)
        .output()
        .expect("wisp runs")
}

/// The run: check (JSON), plan (plan.json and its summary), report (PDF and HTML) of the
/// second sample, in a temporary folder.
struct Story {
    dir: tempfile::TempDir,
    check: serde_json::Value,
    plan: serde_json::Value,
    plan_summary: String,
}

impl Story {
    fn tell() -> Story {
        let dir = tempfile::tempdir().unwrap();
        let site = root().join(SITE);
        let site = site.to_str().unwrap();
        let check = wisp(&["check", site, "--json"], dir.path());
        // Zones fail: exit 1, whatever else the run says.
        assert_eq!(
            check.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
        let plan_run = wisp(&["plan", site, "--out", "plan.json"], dir.path());
        assert!(
            plan_run.status.success(),
            "{}",
            String::from_utf8_lossy(&plan_run.stderr)
        );
        let report = wisp(
            &[
                "report",
                site,
                "--plan",
                "plan.json",
                "--out",
                "report.pdf",
                "--html",
                "report.html",
                "--quiet",
            ],
            dir.path(),
        );
        // A report is written whatever the verdicts (its exit code is about the floors).
        assert!(
            report.status.success(),
            "{}",
            String::from_utf8_lossy(&report.stderr)
        );
        let plan = std::fs::read(dir.path().join("plan.json")).unwrap();
        Story {
            check: serde_json::from_slice(&check.stdout).unwrap(),
            plan: serde_json::from_slice(&plan).unwrap(),
            plan_summary: String::from_utf8(plan_run.stdout).unwrap(),
            dir,
        }
    }

    /// `wisp check --json`'s zones in table order: (zone, verdict shown, dead area m²).
    fn checked(&self) -> Vec<(String, String, f64)> {
        self.check["floors"][0]["zones"]
            .as_array()
            .unwrap()
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

#[test]
fn check_plan_and_html_report_tell_the_same_story_per_zone() {
    let story = Story::tell();
    let checked = story.checked();
    let designed = designed();
    // Check gives every zone the verdict the site was built to show.
    let by_check: BTreeMap<&str, &str> = checked
        .iter()
        .map(|(z, v, _)| (z.as_str(), v.as_str()))
        .collect();
    assert_eq!(by_check, designed);
    // A failing zone never shows 0 m² of dead area; a passing one none.
    for (zone, verdict, dead) in &checked {
        assert_eq!(
            *verdict == "FAIL",
            *dead > 0.0,
            "{zone}: {verdict}, {dead} m²"
        );
    }

    // plan.json: "before" is check's verdict with check's figures, zone by zone.
    let planned = story.planned();
    assert_eq!(planned.len(), checked.len());
    let check_zones = story.check["floors"][0]["zones"].as_array().unwrap();
    for z in story.plan["zones"].as_array().unwrap() {
        let name = z["zone"].as_str().unwrap();
        let c = check_zones.iter().find(|c| c["zone"] == name).unwrap();
        let before = &z["verdict_before"];
        assert_eq!(before["verdict"], c["verdict"], "{name}");
        for figure in ["surveyed_share", "pass_share", "dead_area_m2"] {
            assert_eq!(before[figure], c[figure], "{name}: {figure}");
        }
        // One answer per question: no judged zone is said to "meet" anything.
        assert!(!z.to_string().contains("meets"), "{z}");
    }
    // The plan leaves the shops' co-channel failing: the three zones still fail after.
    for (zone, _, after) in &planned {
        if designed[zone.as_str()] == "FAIL" {
            assert_eq!(after, "FAIL", "{zone}");
        }
    }

    // Check's text: the shops' two radios against a limit of one, in words.
    let text = wisp(&["check", SITE], &root());
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("worst 2 radios, 1 radio short"), "{text}");
    assert!(!text.contains("1 radios"), "{text}");

    // The plan's text summary counts what check counts.
    let passing = checked.iter().filter(|(_, v, _)| v == "pass").count();
    let passing_after = planned.iter().filter(|(_, _, a)| a == "pass").count();
    let want = format!(
        "zones passing (as `wisp check` judges): {passing} of {} before, {passing_after} after",
        checked.len()
    );
    assert!(story.plan_summary.contains(&want), "{}", story.plan_summary);

    // The HTML report: the zone table (verdict and dead area per zone, check's) and the plan's
    // table (check's verdict before, the plan's after).
    let html = std::fs::read_to_string(story.dir.path().join("report.html")).unwrap();
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
}

#[test]
#[ignore = "needs pdftotext"]
fn the_pdf_report_tells_the_same_story_per_zone() {
    let story = Story::tell();
    let pdf = story.dir.path().join("report.pdf");
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
    // Dead zones counted per criterion, and their area (the union per zone, summed), as check
    // reports them.
    let zones = story.check["floors"][0]["zones"].as_array().unwrap();
    let mut per_criterion = BTreeMap::new();
    for d in zones
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

    // The zone table: check's verdicts in check's order (its continuation included), and each
    // zone's row carries check's dead area.
    let table = section(&text, "Zone compliance", "Zone compliance", "Dead zones");
    let want: Vec<String> = checked.iter().map(|(_, v, _)| v.clone()).collect();
    assert_eq!(verdict_words(table), want);
    for (zone, verdict, dead) in &checked {
        let row = table
            .lines()
            .find(|l| l.trim_start().starts_with(zone.as_str()))
            .unwrap_or_else(|| panic!("no row for {zone}"));
        assert!(row.contains(verdict.as_str()), "{row}");
        assert!(row.contains(&format!("{dead:.1}")), "{row}");
    }

    // The plan page: before (check's) and after per zone, in the plan's order, whatever the
    // table's wrapping does to the words.
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
}
