//! The PDF report read back with poppler's tools, as a person's PDF viewer would see it.

use std::path::PathBuf;
use std::process::Command;

fn run(cmd: &str, args: &[&str]) -> std::process::Output {
    Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

#[test]
#[ignore = "needs poppler-utils"]
fn sample_report_has_its_zones_figures_and_pictures() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    let o = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args([
            "report",
            "samples/site.toml",
            "--out",
            pdf.to_str().unwrap(),
            "--quiet",
        ])
        .env("SOURCE_DATE_EPOCH", "1793613600")
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // Page count: cover, summary, the floor (maps, tables, close-ups), appendix.
    let info = String::from_utf8(run("pdfinfo", &[pdf.to_str().unwrap()]).stdout).unwrap();
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!((5..=30).contains(&pages), "{pages} pages");

    // Vector text: zone names, verdicts, figures, the date from SOURCE_DATE_EPOCH, page numbers.
    let text = String::from_utf8(run("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]).stdout)
        .unwrap();
    for needle in [
        "Bay A (6 beds)",
        "Consulting room 6",
        "FAIL",
        "healthcare-voice",
        "2026-11-02",
        &format!("Page 1 of {pages}"),
    ] {
        assert!(text.contains(needle), "'{needle}' not in the PDF text");
    }
    // The check command's figures appear in the report: Bay A's primary dead-zone area.
    let check = Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(["check", "samples/site.toml", "--json"])
        .current_dir(&root)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&check.stdout).unwrap();
    let bay_a = v["floors"][0]["zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|z| z["zone"] == "Bay A (6 beds)")
        .unwrap();
    let area = bay_a["dead_zones"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["criterion"] == "primary")
        .unwrap()["area_m2"]
        .as_f64()
        .unwrap();
    assert!(
        text.contains(&format!("{area:.1}")),
        "Bay A's dead-zone area {area:.1} m² not in the PDF"
    );

    // Pictures: the first floor page (page 3) rendered is not blank and carries heatmap colours.
    let prefix = dir.path().join("page");
    let o = run(
        "pdftoppm",
        &[
            "-f",
            "3",
            "-l",
            "3",
            "-r",
            "50",
            "-png",
            pdf.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    let png = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains("page"))
        .unwrap();
    let img = image::open(png).unwrap().to_rgb8();
    let coloured = img.pixels().filter(|p| {
        let [r, g, b] = p.0;
        let (mx, mn) = (r.max(g).max(b) as i32, r.min(g).min(b) as i32);
        mx - mn > 60
    });
    assert!(coloured.count() > 2_000, "page 3 shows no heatmap colours");
}

#[test]
#[ignore = "needs poppler-utils"]
fn a_planned_report_has_a_plan_page_per_floor() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let pdf = dir.path().join("report.pdf");
    let wisp = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_wisp"))
            .args(args)
            .env("SOURCE_DATE_EPOCH", "1793613600")
            .current_dir(&root)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    wisp(&["plan", "samples/site.toml", "--out", plan.to_str().unwrap()]);
    wisp(&[
        "report",
        "samples/site.toml",
        "--plan",
        plan.to_str().unwrap(),
        "--out",
        pdf.to_str().unwrap(),
        "--quiet",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&plan).unwrap()).unwrap();
    let new_aps = v["new_aps"].as_array().unwrap();
    assert!(!new_aps.is_empty());
    let text = String::from_utf8(run("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"]).stdout)
        .unwrap();
    // The summary counts the proposed APs; the plan page lists each, with the zone table
    // before/after and the bill of materials.
    let summary_line = text
        .lines()
        .find(|l| l.contains("Access points proposed"))
        .unwrap();
    assert!(
        summary_line
            .trim_end()
            .ends_with(&new_aps.len().to_string()),
        "{summary_line}"
    );
    for needle in [
        "Plan: Level 1",
        "Proposed access points",
        "Zones before and after the plan",
        "Bill of materials",
        "Ceiling mounting kit",
        "Predicted primary signal with the planned APs",
    ] {
        assert!(text.contains(needle), "'{needle}' not in the PDF text");
    }
    for ap in new_aps {
        let name = ap["name"].as_str().unwrap();
        let row = text
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name} not listed"));
        let at = format!(
            "{:.1}, {:.1}",
            ap["x_m"].as_f64().unwrap(),
            ap["y_m"].as_f64().unwrap()
        );
        assert!(row.contains(&at), "{row} lacks {at}");
    }
}
