//! The application layer as a library: a program runs a site's check, a shard and its merge, a
//! plan and a report through `wisp-site` with no argv, and gets the story the command line
//! tells (the same check document as `wisp check --json`, byte for byte after parsing).

mod common;

use common::{root, wisp};
use wisp_site::pipeline::{load, NoProgress, RunOptions, Shard};
use wisp_site::plan::{plan_floors, PlanFile};
use wisp_site::scene::{report_floors, site_report, ReportRequest};

#[test]
fn a_program_runs_check_shards_plan_and_report_without_argv() {
    let manifest = root().join("samples/site.toml");
    let loaded = load(&manifest, None).expect("the sample site loads");

    // Check: the library's document is the command's.
    let outcomes = wisp_site::pipeline::analyse_site_with(
        &loaded.site,
        Some(&loaded.survey),
        &RunOptions::default(),
        &NoProgress,
        |_, mut a| {
            a.layers = None;
            Ok(a)
        },
    );
    let check = wisp_site::check::SiteCheck::from_outcomes(outcomes);
    let ours = wisp_site::check::site_check_json(&loaded.site, &check);
    let tmp = tempfile::tempdir().unwrap();
    let out = wisp(&["check", manifest.to_str().unwrap(), "--json"], tmp.path());
    let theirs: serde_json::Value = serde_json::from_slice(&out.stdout).expect("check --json");
    assert_eq!(ours, theirs);
    assert_eq!(
        out.status.code(),
        Some(check.exit_code() as i32),
        "the exit code is the document's"
    );

    // Shards: every shard's bundle written by the library, merged back, is the same check
    // (dead-zone outlines included: the request asks for a bundle, so the parts keep them).
    let request = ReportRequest {
        plan: None,
        html: false,
        paper: wisp_render::Paper::A4,
        date: "2026-01-01",
        spool: None,
        bundle: true,
    };
    let mut bundles = Vec::new();
    for index in 1..=2 {
        let shard = Shard { index, count: 2 };
        let opts = RunOptions {
            shard: Some(shard),
            ..Default::default()
        };
        let scenes = report_floors(
            &loaded.site,
            Some(&loaded.survey),
            &opts,
            &NoProgress,
            &request,
        );
        let report = site_report(&loaded.site, scenes, &request).unwrap();
        let dir = tmp.path().join(format!("shard-{index}"));
        wisp_site::bundle::write_bundle(&dir, &report.facts, &report.parts, shard).unwrap();
        bundles.push(dir);
    }
    let merged = wisp_site::bundle::merge_bundles(&bundles).unwrap();
    // The merged document alone, pixel positions included (the bundles carry each plan's scale).
    assert_eq!(
        merged.check_json(),
        theirs,
        "the shards merge into the whole site's check"
    );

    // Plan, then a report with its plan pages and the HTML, from one analysis per floor.
    let floors: Vec<_> = loaded.site.floors.iter().collect();
    let planned = plan_floors(
        &loaded,
        &floors,
        None,
        &wisp_plan::PlanOptions::default(),
        &Default::default(),
    )
    .unwrap();
    let document = planned.document();
    let text = serde_json::to_string(&document).unwrap();
    assert_eq!(text, planned.to_json(), "one serde type writes plan.json");
    let read_back: wisp_site::plan::PlanDocument = serde_json::from_str(&text).unwrap();
    assert_eq!(serde_json::to_string(&read_back).unwrap(), text);
    let plan = PlanFile::of_document(&loaded.site, &document, "plan.json".as_ref()).unwrap();
    assert_eq!(
        plan.new_ap_count(),
        planned
            .floors
            .iter()
            .map(|f| f.2.new_aps().count())
            .sum::<usize>()
    );
    let request = ReportRequest {
        plan: Some(&plan),
        html: true,
        bundle: false,
        ..request
    };
    // The whole site, unsharded, as `request` asks for it.
    let whole_site = |request: &ReportRequest| {
        let scenes = report_floors(
            &loaded.site,
            Some(&loaded.survey),
            &RunOptions::default(),
            &NoProgress,
            request,
        );
        site_report(&loaded.site, scenes, request).unwrap()
    };
    let report = whole_site(&request);
    let pdf = report.pdf().unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // A report's parts keep no dead-zone outline (the maps are drawn by then); the same report
    // with them kept, as for a bundle, is the same PDF and HTML byte for byte.
    let outlines = |r: &wisp_site::scene::SiteReport| -> usize {
        r.parts
            .iter()
            .flat_map(|p| &p.zones)
            .flat_map(|z| z.dead_zones.iter().chain(&z.at_risk))
            .map(|d| d.outline_m.len())
            .sum()
    };
    let kept = whole_site(&ReportRequest {
        bundle: true,
        ..request
    });
    assert_eq!(outlines(&report), 0);
    assert!(outlines(&kept) > 0, "the sample site has dead zones");
    assert_eq!(kept.pdf().unwrap(), pdf);
    assert_eq!(
        kept.html_document().unwrap(),
        report.html_document().unwrap()
    );
    drop(kept);
    // The pictures kept in a spool file rather than in memory: the same PDF, byte for byte.
    let spool_dir = tempfile::tempdir().unwrap();
    let spool = wisp_render::PngSpool::new_in(spool_dir.path()).unwrap();
    let spooled = ReportRequest {
        spool: Some(&spool),
        ..request
    };
    let spooled = whole_site(&spooled);
    assert!(spooled
        .parts
        .iter()
        .all(|p| !p.heatmaps.is_empty() && format!("{:?}", p.heatmaps).contains("spooled")));
    assert_eq!(spooled.pdf().unwrap(), pdf);
    // Streamed to disk by `write_pdf`, which moves each floor's plan page, close-ups and charts
    // into the PDF instead of copying them: still the same bytes, plan pages included.
    let written = spool_dir.path().join("report.pdf");
    spooled.write_pdf(&written).unwrap();
    assert_eq!(std::fs::read(&written).unwrap(), pdf);
    let html = report
        .html_document()
        .unwrap()
        .expect("the HTML was asked for");
    assert!(html.contains("Predicted after plan"), "the plan's layer");
    assert!(report.parts.iter().all(|p| p.plan.is_some()));
}
