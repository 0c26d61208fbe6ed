//! Text that fits: the PDF report of the messy floor (60-character zone names, a long site name
//! and profile), read back with `pdftotext -bbox-layout`, has no word box outside its page's
//! margins, none overlapping another, and none running out of its table cell.
//!
//! A cell's edges are read from the PDF itself: each column's heading starts one cell padding
//! right of the column's left edge, so a word that starts in one column and ends past the next
//! column's left edge has left its cell.

mod support;

use std::process::Command;
use support::messy::messy;
use wisp_render::{
    crop, report_pdf_with, BinnedSeries, Chart, ChartBar, ChartKind, ChartMark, ChartSeries,
    FloorExtras, Paper, Report, ReportFloor, Table,
};

/// The page margin and the cell padding of the report's layout, in points.
const MARGIN: f64 = 56.0;
const CELL_PAD: f64 = 3.0;
/// Rounding slack for pdftotext's boxes, in points.
const SLACK: f64 = 0.5;

/// The zone table's and the dead-zone table's headings as wisp-site writes them.
const ZONE_HEADER: [&str; 8] = [
    "Zone",
    "Profile",
    "Area m²",
    "Surveyed",
    "Pass",
    "Primary p5",
    "Dead m²",
    "Verdict",
];
const DEAD_HEADER: [&str; 7] = [
    "Zone",
    "Criterion",
    "Area m²",
    "Centre (m)",
    "Worst",
    "Short by",
    "Nearest AP",
];

const SITE: &str = "Northern Lincolnshire and Goole Hospitals NHS Foundation Trust, Diana \
    Princess of Wales Hospital, Scartho Road, Grimsby: Block C, East Wing";
const PROFILE: &str = "nhs-clinical-voice-and-telemetry (HTM 08-03 clinical areas, \
    Vocera badges, infusion pumps on 5 GHz only)";

fn messy_report() -> (Report, Vec<FloorExtras>) {
    let m = messy();
    let names: Vec<String> = m.floor.zones.iter().map(|z| z.name.clone()).collect();
    assert!(names.len() >= 60 && names.iter().all(|n| n.chars().count() == 60));
    let zone_rows: Vec<Vec<String>> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            vec![
                name.clone(),
                PROFILE.to_string(),
                format!("{:.1}", 25.0 + i as f64 * 3.7),
                "100%".into(),
                format!("{}%", 60 + i % 40),
                format!("-{}.0 dBm", 60 + i % 20),
                format!("{:.1}", (i % 5) as f64 * 2.5),
                if i % 3 == 0 { "fail" } else { "pass" }.into(),
            ]
        })
        .collect();
    let dead_rows: Vec<Vec<String>> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == 0)
        .map(|(i, name)| {
            vec![
                name.clone(),
                "primary".into(),
                format!("{:.1}", 2.0 + i as f64),
                format!("{:.1}, {:.1}", 10.0 + i as f64, 20.5),
                "-81.5 dBm".into(),
                "14 dB".into(),
                format!("AP-{i:02}-{}", "Ward-Corridor-North-Ceiling-Void"),
            ]
        })
        .collect();
    let highlight = (0..zone_rows.len()).map(|i| i % 3 == 0).collect();
    let floor = ReportFloor {
        name: m.floor.name.clone(),
        heatmaps: vec![],
        heatmap_pngs: vec![],
        zone_table: Table {
            header: ZONE_HEADER.map(String::from).to_vec(),
            rows: zone_rows,
            highlight_rows: highlight,
        },
        dead_zones: Table::new(DEAD_HEADER.map(String::from).to_vec(), dead_rows),
        notes: vec![format!("{} was surveyed twice.", names[0])],
    };
    let close_ups = names
        .iter()
        .take(4)
        .map(|name| {
            (
                format!("{name}: primary, 12.5 m², worst -84.0 dBm"),
                wisp_render::png_bytes(&crop(&m.plan, (60.0, 30.0), 40))
                    .unwrap()
                    .into(),
            )
        })
        .collect();
    let report = Report {
        title: "Wi-Fi survey report".into(),
        site: SITE.into(),
        date: "2026-12-04".into(),
        surveyor: Some("A. Surveyor, Estates and Facilities IT".into()),
        profile: PROFILE.into(),
        summary: vec![
            ("Zones".into(), names.len().to_string()),
            ("Dead zones (primary)".into(), "21".into()),
            (
                "Requirement profile of the clinical areas".into(),
                PROFILE.into(),
            ),
        ],
        floors: vec![floor],
        appendix: vec![],
        paper: Paper::A4,
    };
    let extras = vec![FloorExtras {
        dead_zone_maps: close_ups,
        charts: messy_charts(&names),
        ..FloorExtras::default()
    }];
    (report, extras)
}

/// The chart pages of the messy floor, as wisp-site makes them: the shortfall of all 60 zones
/// in bars of at most 25 (60-character names), the signal per zone kind, a zone's CDF with
/// thresholds 1 dB apart and a title of two zone names, and located APs with long names.
fn messy_charts(names: &[String]) -> Vec<Chart> {
    let segments = vec![
        "short by up to 5 dB".to_string(),
        "by 5–10 dB".to_string(),
        "by over 10 dB".to_string(),
    ];
    let mut charts: Vec<Chart> = names
        .chunks(25)
        .enumerate()
        .map(|(k, chunk)| Chart {
            title: format!(
                "Level 4 — Acute Medical, Paediatrics, Haematology: zones below their primary \
                 threshold ({} of {}), part {} of {}",
                names.len(),
                names.len(),
                k + 1,
                names.len().div_ceil(25)
            ),
            x_label: "Share of the zone's judged cells below the threshold (%)".into(),
            x_range: (0.0, 100.0),
            kind: ChartKind::Bars {
                rows: chunk
                    .iter()
                    .enumerate()
                    .map(|(i, name)| ChartBar {
                        name: name.clone(),
                        values: vec![(i % 7) as f64 * 4.0, (i % 5) as f64 * 3.0, (i % 3) as f64],
                    })
                    .collect(),
                segments: segments.clone(),
            },
        })
        .collect();
    let signal = |n: usize, base: f64| -> Vec<f64> {
        (0..n)
            .map(|i| base + ((i * 37) % 41) as f64 * 0.7)
            .collect()
    };
    charts.push(Chart {
        title: "Level 4 — Acute Medical, Paediatrics: primary signal by zone kind".into(),
        x_label: "Primary signal (dBm)".into(),
        x_range: (-90.0, -30.0),
        kind: ChartKind::Histogram {
            series: ["ward", "corridor", "clinical", "office", "imaging", "plant"]
                .iter()
                .enumerate()
                .map(|(k, kind)| {
                    BinnedSeries::of(
                        *kind,
                        &signal(300 + 50 * k, -88.0 + 4.0 * k as f64),
                        (-90.0, -30.0),
                        2.0,
                    )
                })
                .collect(),
            bin_width: 2.0,
            marks: vec![],
        },
    });
    charts.push(Chart {
        title: format!("{} and {}: signal over the zone", names[0], names[1]),
        x_label: "Signal (dBm)".into(),
        x_range: (-90.0, -30.0),
        kind: ChartKind::Cdf {
            series: vec![
                ChartSeries {
                    name: "Primary signal".into(),
                    values: signal(400, -89.0),
                },
                ChartSeries {
                    name: "Secondary signal".into(),
                    values: signal(400, -89.5),
                },
            ],
            marks: [(-67.0, "primary"), (-68.0, "secondary"), (-30.0, "voice")]
                .iter()
                .map(|(v, c)| ChartMark {
                    label: format!("{c} ≥ {v:.0} dBm"),
                    value: *v,
                })
                .collect(),
        },
    });
    charts.push(Chart {
        title: "Level 4: located access points and how sure each position is".into(),
        x_label: "Uncertainty radius (m)".into(),
        x_range: (0.0, 10.0),
        kind: ChartKind::Bars {
            rows: (0..12)
                .map(|i| ChartBar {
                    name: format!(
                        "{:.1}, 20.5 m — AP-{i:02}-Ward-Corridor-North-Ceiling-Void",
                        10.0 + i as f64
                    ),
                    values: vec![0.5 + i as f64 * 0.7],
                })
                .collect(),
            segments: vec!["radius where the fit's RMSE rises by 1 dB".into()],
        },
    });
    charts
}

#[derive(Debug, Clone)]
struct Word {
    x_min: f64,
    y_min: f64,
    x_max: f64,
    y_max: f64,
    text: String,
}

#[derive(Debug)]
struct Page {
    width: f64,
    height: f64,
    words: Vec<Word>,
}

fn attribute(tag: &str, name: &str) -> f64 {
    let start = tag
        .find(&format!("{name}=\""))
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + name.len()
        + 2;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The pages and word boxes of pdftotext's `-bbox-layout` XHTML.
fn parse_bbox(xhtml: &str) -> Vec<Page> {
    let mut pages = Vec::new();
    for chunk in xhtml.split("<page ").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap()];
        let mut page = Page {
            width: attribute(tag, "width"),
            height: attribute(tag, "height"),
            words: Vec::new(),
        };
        for word in chunk.split("<word ").skip(1) {
            let close = word.find('>').unwrap();
            let tag = &word[..close];
            let text = &word[close + 1..word.find("</word>").unwrap()];
            page.words.push(Word {
                x_min: attribute(tag, "xMin"),
                y_min: attribute(tag, "yMin"),
                x_max: attribute(tag, "xMax"),
                y_max: attribute(tag, "yMax"),
                text: unescape(text),
            });
        }
        pages.push(page);
    }
    pages
}

/// The left edges of a table's columns on `page`, from the line holding its headings, or
/// `None` when the table's header is not on this page; with the header line's bottom.
fn columns(page: &Page, header: &[&str]) -> Option<(Vec<f64>, f64)> {
    let first_words: Vec<&str> = header
        .iter()
        .map(|h| h.split_whitespace().next().unwrap())
        .collect();
    for (i, word) in page.words.iter().enumerate() {
        if word.text != first_words[0] {
            continue;
        }
        let same_line: Vec<&Word> = page.words[i..]
            .iter()
            .filter(|w| (w.y_min - word.y_min).abs() < 1.0)
            .collect();
        let mut lefts = Vec::new();
        let mut from = 0;
        for wanted in &first_words {
            let found = same_line[from..].iter().position(|w| w.text == *wanted)?;
            lefts.push(same_line[from + found].x_min - CELL_PAD);
            from += found + 1;
        }
        if lefts.windows(2).all(|w| w[0] < w[1]) {
            return Some((lefts, word.y_max));
        }
    }
    None
}

fn overlap(a: &Word, b: &Word) -> bool {
    // Boxes share their edges where words touch; only a real overlap counts.
    let dx = a.x_max.min(b.x_max) - a.x_min.max(b.x_min);
    let dy = a.y_max.min(b.y_max) - a.y_min.max(b.y_min);
    dx > 1.0 && dy > 1.0
}

#[test]
#[ignore = "needs pdftotext"]
fn every_word_stays_on_its_page_and_in_its_cell() {
    let (report, extras) = messy_report();
    let pdf = report_pdf_with(&report, &extras).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("messy.pdf");
    std::fs::write(&path, &pdf).unwrap();
    if let Some(keep) = std::env::var_os("WISP_KEEP_PDF") {
        std::fs::write(keep, &pdf).unwrap();
    }
    let out = Command::new("pdftotext")
        .args(["-bbox-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pages = parse_bbox(&String::from_utf8(out.stdout).unwrap());
    assert!(pages.len() >= 4, "{} pages", pages.len());

    let mut problems = Vec::new();
    let mut table_words = 0;
    for (number, page) in pages.iter().enumerate() {
        let number = number + 1;
        let right = page.width - MARGIN;
        for w in &page.words {
            if w.x_min < MARGIN - SLACK
                || w.x_max > right + SLACK
                || w.y_min < 0.0
                || w.y_max > page.height - MARGIN + 12.0
            {
                problems.push(format!("page {number}: {:?} outside the margins", w));
            }
        }
        for (i, a) in page.words.iter().enumerate() {
            for b in &page.words[i + 1..] {
                if overlap(a, b) {
                    problems.push(format!("page {number}: {:?} overlaps {:?}", a.text, b.text));
                }
            }
        }
        for header in [&ZONE_HEADER[..], &DEAD_HEADER[..]] {
            let Some((lefts, header_bottom)) = columns(page, header) else {
                continue;
            };
            // The table runs from its header to the first word set at the margin itself (the
            // next heading, caption or note: cells are indented by their padding), or the
            // footer.
            let end = page
                .words
                .iter()
                .filter(|w| w.y_min > header_bottom && w.x_min < MARGIN + CELL_PAD / 2.0)
                .map(|w| w.y_min)
                .fold(page.height - MARGIN - 10.0, f64::min);
            for w in page
                .words
                .iter()
                .filter(|w| w.y_min > header_bottom && w.y_min < end)
            {
                let Some(column) = lefts.iter().rposition(|l| *l <= w.x_min + SLACK) else {
                    continue;
                };
                let cell_right = lefts.get(column + 1).copied().unwrap_or(right);
                table_words += 1;
                if w.x_max > cell_right + SLACK {
                    problems.push(format!(
                        "page {number}: {:?} runs out of column {} ({:.1} > {:.1})",
                        w.text, header[column], w.x_max, cell_right
                    ));
                }
            }
        }
    }
    assert!(table_words > 500, "only {table_words} table words found");
    // The chart pages are there, their text real text (checked with every other word above).
    // The chart section is the fixture's last: from its heading to the end.
    let first_chart_page = pages
        .iter()
        .position(|p| p.words.iter().any(|w| w.text == "Charts:"))
        .expect("a chart section");
    let chart_pages: Vec<&Page> = pages[first_chart_page..].iter().collect();
    assert!(chart_pages.len() >= 3, "{} chart pages", chart_pages.len());
    let chart_words: usize = chart_pages.iter().map(|p| p.words.len()).sum();
    assert!(chart_words > 600, "{chart_words} words on the chart pages");
    let shortened = chart_pages
        .iter()
        .flat_map(|p| &p.words)
        .filter(|w| w.text.ends_with('…'))
        .count();
    assert!(
        shortened >= 60,
        "{shortened} names shortened on the chart pages"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The fixture is long enough to be shortened: the footer ends in an ellipsis.
    let footer = pages[0]
        .words
        .iter()
        .filter(|w| w.y_min > pages[0].height - MARGIN - 10.0)
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(footer.contains('…'), "footer {footer:?}");
    assert!(
        footer.starts_with("Northern Lincolnshire"),
        "footer {footer:?}"
    );
}
