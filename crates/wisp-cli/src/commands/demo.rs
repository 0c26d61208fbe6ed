use crate::{CliError, ExitCode};
use std::path::{Path, PathBuf};
use wisp_model::words::count;
use wisp_render::Paper;
use wisp_site::check::{check_site, geojson, json_report, table};
use wisp_site::maps::{render, Metric, Style};
use wisp_site::pipeline;
use wisp_site::scene::ReportRequest;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder for every output.
    #[arg(long, default_value = "wisp-demo")]
    out: PathBuf,
    /// The site to run on (default: both sample sites in samples/, the second into
    /// OUT/renal-unit).
    #[arg(long)]
    site: Option<PathBuf>,
}

/// `relative` (a sample site) from the working directory, else beside the source tree wisp was
/// built from.
fn default_site(relative: &str, built: PathBuf) -> PathBuf {
    let here = Path::new(relative);
    if here.is_file() {
        here.to_path_buf()
    } else {
        built
    }
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    match &a.site {
        Some(site) => run_site(site, &a.out),
        None => {
            run_site(
                &default_site("samples/site.toml", wisp_site::sample_site()),
                &a.out,
            )?;
            println!();
            run_site(
                &default_site(
                    "samples/renal-unit/site.toml",
                    wisp_site::second_sample_site(),
                ),
                &a.out.join("renal-unit"),
            )
        }
    }
}

/// Runs one site into `out`: survey, heatmaps (our coverage, everyone's co-channel), check,
/// plan and reports, and says whether check and plan agree on every zone.
fn run_site(site_path: &Path, out: &Path) -> Result<ExitCode, CliError> {
    std::fs::create_dir_all(out)
        .map_err(|e| CliError::output(format!("{}: cannot create folder: {e}", out.display())))?;
    println!("wisp demo: site {}", site_path.display());
    let loaded = pipeline::load(site_path, None)?;
    crate::progress::print_reports(&loaded.reports);
    println!("{}", loaded.site.network.describe());
    let mut written = Vec::new();
    let mut put = |name: &str, bytes: &[u8], what: &str| -> Result<(), CliError> {
        let p = out.join(name);
        super::write_output(&p, bytes)?;
        written.push((p, what.to_string()));
        Ok(())
    };
    put(
        "survey.json",
        wisp_ingest::capture::native::survey_json(&loaded.survey).as_bytes(),
        "the ingested survey (docs/survey-format.md)",
    )?;
    let check = check_site(&loaded)?;
    for (sf, (_, analysis)) in loaded.site.floors.iter().zip(&check.floors) {
        if analysis.layers.is_none() {
            continue;
        }
        let samples = pipeline::samples_of(&loaded.survey, &sf.floor.id);
        for (metric, name) in [
            (Metric::Primary, "primary"),
            (Metric::Secondary, "secondary"),
            (Metric::Snr, "snr"),
            (Metric::CoChannel, "cochannel"),
        ] {
            let img = render(&loaded.site, sf, analysis, samples, Style::of(metric))?;
            put(
                &format!("heatmap-{}-{name}.png", sf.floor.id),
                &wisp_render::png_bytes(&img)?,
                &format!("{} heatmap", metric.title().to_lowercase()),
            )?;
        }
    }
    let text = table(&check);
    put("check.txt", text.as_bytes(), "zone compliance table")?;
    put(
        "check.json",
        serde_json::to_string_pretty(&json_report(&loaded, &check))
            .unwrap_or_default()
            .as_bytes(),
        "zone results for scripts",
    )?;
    put(
        "dead-zones.geojson",
        geojson(&check).to_string().as_bytes(),
        "dead zones as GeoJSON (plan metres)",
    )?;
    // Plan the floors as `wisp plan` does by default, write the plan, and check it against the
    // site as `wisp report --plan` would (in memory), so the sample report shows the plan pages.
    let floors: Vec<&wisp_ingest::SiteFloor> = loaded.site.floors.iter().collect();
    let planned = wisp_site::plan::plan_floors(
        &loaded,
        &floors,
        None,
        &wisp_plan::PlanOptions::default(),
        &Default::default(),
    )?;
    let plan_path = out.join("plan.json");
    let document = planned.document();
    put(
        "plan.json",
        serde_json::to_string(&document)
            .unwrap_or_default()
            .as_bytes(),
        "proposed access points, zones before/after (wisp plan)",
    )?;
    let plan_summary = wisp_site::plan::summary(&planned.floors);
    drop(planned);
    let disagreements = check.plan_disagreements(&document);
    let plan = wisp_site::plan::PlanFile::of_document(&loaded.site, &document, &plan_path)?;
    // The reports as `wisp report --plan --html` makes them, from the analyses the check holds.
    let report = wisp_site::scene::checked_site_report(
        &loaded,
        &check,
        &ReportRequest {
            plan: Some(&plan),
            html: true,
            paper: Paper::A4,
            date: &crate::args::report_date(),
            spool: None,
            bundle: false,
        },
    )?;
    put(
        "report.pdf",
        &report.pdf()?,
        "the PDF survey report, with the plan pages",
    )?;
    put(
        "report.html",
        report.html_document()?.unwrap_or_default().as_bytes(),
        "the interactive report (one file, no network)",
    )?;
    print!("\n{text}\n");
    print!("plan (as `wisp plan`):\n{plan_summary}");
    if disagreements.is_empty() {
        println!(
            "check and plan agree on every zone ({}; the plan's \"before\" is `wisp check`'s verdict; the reports print both)",
            count(document.zones.len(), "zone", "zones")
        );
    } else {
        println!(
            "check and plan DISAGREE on {}:",
            count(disagreements.len(), "zone", "zones")
        );
        for d in &disagreements {
            println!("  {d}");
        }
    }
    println!("outputs:");
    for (p, what) in &written {
        println!("  {:<40} {what}", p.display());
    }
    Ok(ExitCode::Ok)
}
