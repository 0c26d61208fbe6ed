mod support;

use support::*;
use wisp_render::{
    crop, heatmap_image, report_pdf, report_pdf_with, ColourScale, FloorExtras, HeatmapRequest,
    Palette, Paper, Report, ReportFloor, Table,
};

/// Page objects in the file: `/Type /Page` (with or without the space) not followed by `s`,
/// which would be the page tree. Checked against the page tree's own `/Count`.
fn page_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    let pages = ["/Type/Page", "/Type /Page"]
        .iter()
        .map(|needle| {
            text.match_indices(needle)
                .filter(|(i, _)| !text[i + needle.len()..].starts_with('s'))
                .count()
        })
        .sum();
    let count_in_tree = text
        .split("/Type/Pages")
        .nth(1)
        .and_then(|rest| rest.split("/Count").nth(1))
        .and_then(|rest| {
            rest.trim_start()
                .split(|c: char| !c.is_ascii_digit())
                .next()
        })
        .and_then(|digits| digits.parse::<usize>().ok());
    assert_eq!(
        count_in_tree,
        Some(pages),
        "page tree count disagrees with page objects"
    );
    pages
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// A 2:1 picture, which fills the text width at about 240 pt tall, leaving room for the tables.
fn wide_picture() -> image::RgbaImage {
    image::RgbaImage::from_fn(800, 400, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
    })
}

fn real_heatmap() -> image::RgbaImage {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let scale = ColourScale::signal(Palette::Survey);
    heatmap_image(&HeatmapRequest::new(
        &floor, &plan, &layer, &scale, "Level 1",
    ))
    .unwrap()
}

fn sample_report(zone_rows: usize, heatmap: image::RgbaImage) -> Report {
    let zone_rows = (0..zone_rows)
        .map(|i| {
            vec![
                format!("Bay {i}"),
                "ward".into(),
                "healthcare-voice".into(),
                format!("{}%", 90 + i % 10),
            ]
        })
        .collect();
    let mut zone_table = Table::new(
        vec![
            "Zone".into(),
            "Kind".into(),
            "Profile".into(),
            "Covered".into(),
        ],
        zone_rows,
    );
    zone_table.highlight_rows = vec![false, true];
    Report {
        title: "Wi-Fi survey: Ward 7".into(),
        site: "St Elsewhere General Hospital".into(),
        date: "2024-03-05".into(),
        surveyor: Some("A. Surveyor".into()),
        profile: "healthcare-voice".into(),
        summary: vec![
            ("Floors".into(), "1".into()),
            ("Zones failing".into(), "1 of 2".into()),
        ],
        floors: vec![ReportFloor {
            name: "Level 1".into(),
            heatmaps: vec![("Primary signal, 5 GHz".into(), heatmap)],
            zone_table,
            dead_zones: Table::new(
                vec!["Dead zone".into(), "Area (m²)".into()],
                vec![vec!["DZ-1".into(), "12.5".into()]],
            ),
            notes: vec!["Survey walked on a weekday morning.".into()],
            heatmap_pngs: vec![],
        }],
        appendix: vec![(
            "Method".into(),
            vec!["Signal interpolated from scan points. ".repeat(20)],
        )],
        paper: Paper::A4,
    }
}

#[test]
fn report_has_expected_pages_and_is_deterministic() {
    let report = sample_report(2, wide_picture());
    let first = report_pdf(&report).unwrap();
    assert!(first.starts_with(b"%PDF-"));
    // Cover, summary, one floor, appendix.
    assert_eq!(page_count(&first), 4);
    assert!(contains(&first, "DejaVuSans"), "font embedded");
    assert!(contains(&first, "595.28"), "A4 media box");
    let second = report_pdf(&report).unwrap();
    assert_eq!(first, second);
}

#[test]
fn long_tables_add_pages_and_letter_paper_is_honoured() {
    let short = page_count(&report_pdf(&sample_report(2, real_heatmap())).unwrap());
    let mut long = sample_report(300, real_heatmap());
    long.paper = Paper::Letter;
    let pdf = report_pdf(&long).unwrap();
    assert!(
        page_count(&pdf) >= short + 4,
        "300 rows need several continuation pages"
    );
    assert!(contains(&pdf, "612 792"), "Letter media box");
    assert!(!contains(&pdf, "595.28"));
}

#[test]
fn empty_report_still_renders() {
    let pdf = report_pdf(&Report::default()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(page_count(&pdf), 2, "cover and summary");
    let mut floorless = Report::default();
    floorless.floors.push(ReportFloor {
        heatmaps: vec![("empty".into(), image::RgbaImage::new(0, 0))],
        zone_table: Table {
            header: vec![],
            rows: vec![vec![]],
            highlight_rows: vec![],
        },
        ..ReportFloor::default()
    });
    assert_eq!(page_count(&report_pdf(&floorless).unwrap()), 3);
}

#[test]
fn wide_heatmaps_are_downscaled() {
    let mut report = sample_report(1, wide_picture());
    let wide = image::RgbaImage::from_pixel(3000, 500, image::Rgba([10, 200, 30, 255]));
    report.floors[0].heatmaps = vec![("wide".into(), wide)];
    let pdf = report_pdf(&report).unwrap();
    assert!(contains(&pdf, "/Width 1600"));
    assert!(!contains(&pdf, "/Width 3000"));
}

#[test]
fn pathological_tables_still_finish() {
    let mut report = sample_report(1, wide_picture());
    let wide_row: Vec<String> = (0..60)
        .map(|i| format!("column heading number {i}"))
        .collect();
    report.floors[0].zone_table = Table::new(wide_row.clone(), vec![wide_row]);
    report.floors[0].dead_zones = Table::new(
        vec!["Huge".into()],
        vec![vec!["word ".repeat(20_000)], vec!["x".repeat(5_000)]],
    );
    let pdf = report_pdf(&report).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        page_count(&pdf) < 20,
        "oversized rows are cut, not spread over endless pages"
    );
}

/// Image objects in the file.
fn image_count(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.matches("/Subtype/Image").count() + text.matches("/Subtype /Image").count()
}

#[test]
fn dead_zone_close_ups_and_proposed_aps_are_embedded() {
    let report = sample_report(2, wide_picture());
    let plain = report_pdf(&report).unwrap();
    assert_eq!(image_count(&plain), 1);
    // The same as giving no extras at all.
    assert_eq!(plain, report_pdf_with(&report, &[]).unwrap());
    let heatmap = real_heatmap();
    let extras = vec![FloorExtras {
        dead_zone_maps: (0..4)
            .map(|i| {
                let centre = (120.0 + 10.0 * i as f64, 50.0);
                let close_up = crop(&heatmap, centre, 30);
                (
                    format!("DZ-{i}"),
                    wisp_render::png_bytes(&close_up).unwrap().into(),
                )
            })
            .collect(),
        proposed_aps: Table::new(
            vec!["AP".into(), "Position (m)".into()],
            vec![vec!["NEW-1".into(), "12.0, 4.5".into()]],
        ),
        plan_notes: vec!["One new access point closes DZ-1.".into()],
        ..FloorExtras::default()
    }];
    let with = report_pdf_with(&report, &extras).unwrap();
    assert_eq!(image_count(&with), 5);
    assert!(page_count(&with) >= page_count(&plain));
    assert_eq!(with, report_pdf_with(&report, &extras).unwrap());
    // Extras for floors that do not exist are ignored.
    let mut surplus = extras.clone();
    surplus.push(extras[0].clone());
    assert_eq!(with, report_pdf_with(&report, &surplus).unwrap());
}

#[test]
fn heatmaps_given_as_png_make_the_same_pdf_as_pixels() {
    let mut picture = image::RgbaImage::new(300, 120);
    for (x, y, p) in picture.enumerate_pixels_mut() {
        *p = image::Rgba([(x % 256) as u8, (y * 2 % 256) as u8, 90, 255]);
    }
    let png = wisp_render::png_bytes(&picture).unwrap();
    let as_pixels = Report {
        floors: vec![ReportFloor {
            name: "L1".into(),
            heatmaps: vec![("map".into(), picture)],
            ..ReportFloor::default()
        }],
        ..Report::default()
    };
    let as_png = Report {
        floors: vec![ReportFloor {
            name: "L1".into(),
            heatmap_pngs: vec![("map".into(), png.into())],
            ..ReportFloor::default()
        }],
        ..Report::default()
    };
    assert_eq!(
        report_pdf(&as_pixels).unwrap(),
        report_pdf(&as_png).unwrap()
    );
    let broken = Report {
        floors: vec![ReportFloor {
            name: "L1".into(),
            heatmap_pngs: vec![("map".into(), b"not a png"[..].into())],
            ..ReportFloor::default()
        }],
        ..Report::default()
    };
    assert!(report_pdf(&broken).is_err());
}

/// A report of several hundred pages: four floors of a 2,500-row zone table each, so the PDF
/// is drawn in several segments and joined.
fn long_report() -> Report {
    let mut report = sample_report(2500, real_heatmap());
    let floor = report.floors[0].clone();
    report.floors = (0..4)
        .map(|i| ReportFloor {
            name: format!("Level {i}"),
            ..floor.clone()
        })
        .collect();
    report
}

#[test]
fn a_long_report_is_streamed_to_disk_as_the_same_bytes() {
    let report = long_report();
    let pdf = report_pdf(&report).unwrap();
    // More pages than one segment (48) several times over.
    assert!(page_count(&pdf) > 150, "{} pages", page_count(&pdf));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.pdf");
    wisp_render::write_report_pdf(&path, &report, &[]).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), pdf);
    // Nothing else is left in the folder (no temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
#[ignore = "needs qpdf and poppler-utils"]
fn a_long_report_joined_from_segments_passes_qpdf_check_and_reads_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.pdf");
    let report = long_report();
    wisp_render::write_report_pdf(&path, &report, &[]).unwrap();
    let pages = page_count(&std::fs::read(&path).unwrap());
    let run = |cmd: &str, args: &[&str]| {
        let o = std::process::Command::new(cmd)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
        assert!(
            o.status.success(),
            "{cmd} failed: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    };
    let p = path.to_str().unwrap();
    // qpdf reads the file strictly: the cross-reference table, every object and stream.
    let check = run("qpdf", &["--check", p]);
    assert!(
        check.contains("No syntax or stream encoding errors"),
        "{check}"
    );
    let info = run("pdfinfo", &[p]);
    assert!(
        info.lines()
            .any(|l| l.starts_with("Pages:") && l.ends_with(&format!(" {pages}"))),
        "{info}"
    );
    let text = run("pdftotext", &["-layout", p, "-"]);
    for needle in [
        format!("Page 1 of {pages}"),
        format!("Page {pages} of {pages}"),
        "Level 3".to_string(),
        "Bay 2499".to_string(),
    ] {
        assert!(text.contains(&needle), "'{needle}' not in the PDF text");
    }
    // Page by page: form feeds split the text into exactly the pages.
    assert_eq!(text.matches('\u{c}').count(), pages);
}
