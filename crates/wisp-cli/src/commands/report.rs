use super::check::{check_site, SiteCheck};
use super::heatmap::{render, Metric, Style};
use crate::pipeline::{self, Loaded};
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_coverage::{Criterion, Verdict};
use wisp_render::{Paper, Report, ReportFloor, Table};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site (site.toml or its folder).
    site: PathBuf,
    /// A survey JSON from `wisp ingest`; default: read the manifest's captures.
    #[arg(long)]
    survey: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    paper: PaperArg,
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PaperArg {
    A4,
    Letter,
}

/// The report's date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else today (UTC).
pub fn report_date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s as f64)
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as f64)
                .unwrap_or(0.0)
        });
    wisp_model::time::format_rfc3339(secs)[..10].to_string()
}

fn f1(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.0}")
    }
}

/// Builds the report from a checked site.
pub fn build(loaded: &Loaded, check: &SiteCheck, paper: Paper) -> Result<Report, CliError> {
    let site = &loaded.site;
    let mut floors = Vec::new();
    for (sf, (_, analysis)) in site.floors.iter().zip(&check.floors) {
        let samples = pipeline::samples_of(&loaded.survey, &sf.floor.id);
        let mut heatmaps = Vec::new();
        if analysis.layers.is_some() {
            for metric in [Metric::Primary, Metric::Secondary] {
                let img = render(site, sf, analysis, samples, Style::of(metric))?;
                heatmaps.push((format!("{} — {}", sf.floor.name, metric.title()), img));
            }
        }
        let mut zone_table = Table::new(
            [
                "Zone",
                "Profile",
                "Area m²",
                "Surveyed",
                "Pass",
                "Primary p5",
                "Worst",
                "Verdict",
            ]
            .map(String::from)
            .to_vec(),
            vec![],
        );
        for z in &analysis.zones {
            let p = z
                .criteria
                .iter()
                .find(|c| c.criterion == Criterion::Primary);
            zone_table.rows.push(vec![
                z.zone.clone(),
                z.profile.clone(),
                format!("{:.1}", z.area_m2),
                format!("{:.0}%", 100.0 * z.surveyed_share),
                format!("{:.0}%", 100.0 * z.pass_share),
                p.map_or("–".into(), |p| format!("{} dBm", f1(p.p5))),
                p.map_or("–".into(), |p| format!("{} dBm", f1(p.worst))),
                z.verdict.name().to_string(),
            ]);
            zone_table.highlight_rows.push(z.verdict == Verdict::Fail);
        }
        let mut dead_zones = Table::new(
            [
                "Zone",
                "Criterion",
                "Area m²",
                "Centre (m)",
                "Worst",
                "Short by",
                "Nearest AP",
            ]
            .map(String::from)
            .to_vec(),
            vec![],
        );
        for d in analysis.zones.iter().flat_map(|z| &z.dead_zones) {
            dead_zones.rows.push(vec![
                d.zone.clone(),
                d.criterion.name().to_string(),
                format!("{:.1}", d.area_m2),
                format!("{:.1}, {:.1}", d.centroid_m.x, d.centroid_m.y),
                format!("{} {}", f1(d.worst), d.criterion.unit()),
                format!("{:.0} {}", d.shortfall, d.criterion.margin_unit()),
                d.nearest_radio.clone().unwrap_or_else(|| "–".into()),
            ]);
        }
        let mut notes = vec![format!("{} scans on this floor.", samples.len())];
        if let Some(l) = &analysis.layers {
            let inside = l.primary.values().iter().filter(|v| !v.is_nan()).count();
            let surveyed = l.surveyed.values().iter().filter(|v| **v).count();
            notes.push(format!(
                "{:.0} % of the floor lies within {} m of a scan; grey areas were not surveyed and are never reported as dead.",
                100.0 * surveyed as f64 / inside.max(1) as f64,
                sf.floor.survey_range_m
            ));
            notes.push(format!(
                "{} radios heard ({} access points).",
                l.radios.len(),
                {
                    let mut aps: Vec<&str> = l.radios.iter().map(|r| r.key.ap.as_str()).collect();
                    aps.dedup();
                    aps.len()
                }
            ));
        }
        floors.push(ReportFloor {
            name: sf.floor.name.clone(),
            heatmaps,
            zone_table,
            dead_zones,
            notes,
        });
    }
    let zones: Vec<_> = check.zones().collect();
    let count = |v: Verdict| zones.iter().filter(|z| z.1.verdict == v).count();
    let dead: Vec<_> = zones
        .iter()
        .flat_map(|z| &z.1.dead_zones)
        .filter(|d| d.criterion == Criterion::Primary)
        .collect();
    let mut profiles: Vec<&str> = zones.iter().map(|z| z.1.profile.as_str()).collect();
    profiles.sort();
    profiles.dedup();
    let summary = vec![
        ("Floors".to_string(), site.floors.len().to_string()),
        ("Zones".to_string(), zones.len().to_string()),
        (
            "Zones passing".to_string(),
            count(Verdict::Pass).to_string(),
        ),
        (
            "Zones failing".to_string(),
            count(Verdict::Fail).to_string(),
        ),
        (
            "Zones with not enough data".to_string(),
            count(Verdict::NotEnoughData).to_string(),
        ),
        (
            "Dead zones (primary signal)".to_string(),
            dead.len().to_string(),
        ),
        (
            "Dead-zone area".to_string(),
            format!("{:.1} m²", dead.iter().map(|d| d.area_m2).sum::<f64>()),
        ),
        (
            "Scans".to_string(),
            loaded
                .survey
                .floors
                .iter()
                .map(|f| f.samples.len())
                .sum::<usize>()
                .to_string(),
        ),
        (
            "Access points proposed".to_string(),
            "none (run wisp plan)".to_string(),
        ),
    ];
    let mut sources: Vec<String> = loaded
        .reports
        .iter()
        .map(|r| {
            format!(
                "{}: {} — {} scans, {} observations, {} BSSIDs, {} records skipped.",
                r.file,
                r.format,
                r.scans,
                r.observations,
                r.bssids,
                r.skipped.total()
            )
        })
        .collect();
    if sources.is_empty() {
        sources.push("Survey read from a wisp survey JSON.".into());
    }
    let appendix = vec![
        (
            "Method".to_string(),
            vec![
                format!("Signal was interpolated per radio by inverse-distance weighting over the 12 nearest scans (power 2) on a {} m grid.", pipeline::ANALYSIS_CELL_M),
                "A scan that heard other radios but not a given one counts as −95 dBm for that radio, so coverage does not spread from where it was heard into where it was not.".into(),
                "Secondary and tertiary signal come from different access points than the primary: another band or SSID of the same AP is no backup when that AP fails.".into(),
                "A zone passes when every criterion of its profile holds on at least 95 % of its surveyed area and it has no dead zone; dead zones are connected failing regions of at least 1 m².".into(),
            ],
        ),
        ("Requirement profiles".to_string(), pipeline::all_profiles(site).iter().filter(|p| profiles.contains(&p.name.as_str())).map(|p| {
            format!(
                "{}: primary ≥ {} dBm{}{}{} — {}",
                p.name,
                p.primary_dbm.0,
                p.secondary_dbm.map_or(String::new(), |d| format!(", secondary ≥ {} dBm", d.0)),
                p.snr_db.map_or(String::new(), |d| format!(", SNR ≥ {d} dB")),
                p.cochannel_max.map_or(String::new(), |m| format!(", ≤ {m} co-channel radio(s) at ≥ {} dBm", p.cochannel_dbm.0)),
                p.source
            )
        }).collect()),
        ("Data".to_string(), sources),
    ];
    Ok(Report {
        title: "Wi-Fi survey report".into(),
        site: site.name.clone(),
        date: report_date(),
        surveyor: site.surveyor.clone(),
        profile: profiles.join(", "),
        summary,
        floors,
        appendix,
        paper,
    })
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let loaded = pipeline::load(&a.site, a.survey.as_deref())?;
    pipeline::print_reports(&loaded.reports);
    let check = check_site(&loaded)?;
    let paper = match a.paper {
        PaperArg::A4 => Paper::A4,
        PaperArg::Letter => Paper::Letter,
    };
    let report = build(&loaded, &check, paper)?;
    super::write_output(&a.out, &wisp_render::report_pdf(&report)?)?;
    println!("wrote {}", a.out.display());
    Ok(ExitCode::Ok)
}
