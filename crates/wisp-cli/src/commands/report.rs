use crate::args::PaperArg;
use crate::progress::{print_reports, Bars};
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_site::pipeline::{self, RunOptions, Shard};
use wisp_site::scene::{report_floors, site_report, FloorScene, ReportRequest};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: crate::args::SiteArgs,
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    paper: PaperArg,
    /// The PDF; with --shard, the folder to write the shard's bundle to (for `wisp merge`).
    #[arg(long, required_unless_present = "html")]
    out: Option<PathBuf>,
    /// Also (or only) write the interactive HTML report: one self-contained file, no network.
    #[arg(long, conflicts_with = "shard")]
    html: Option<PathBuf>,
    /// A plan from `wisp plan --out`: each floor it covers gets a plan page (predicted map with
    /// the proposed APs, the APs, each zone before and after, the bill of materials).
    #[arg(long, conflicts_with = "shard")]
    plan: Option<PathBuf>,
    /// Only the floors of shard I of N: those whose manifest index (from 0) mod N is I − 1.
    /// Writes a bundle (zone results, heatmap PNGs, tables) instead of the PDF.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// No progress bars or per-floor summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = pipeline::load_site(&a.input.site)?;
    let survey = match &a.input.survey {
        Some(p) => Some(pipeline::read_survey(&site, p)?),
        None => None,
    };
    let plan = match &a.plan {
        Some(p) => Some(wisp_site::plan::read_plan_file(&site, p)?),
        None => None,
    };
    let opts = RunOptions {
        shard: a.shard,
        filters: a.filters.filters(),
    };
    crate::progress::note_if_every_ssid_counts(&site, a.quiet);
    let bars = Bars::new(a.quiet);
    let date = crate::args::report_date();
    // The floors' pictures wait for the PDF in a nameless temporary file in the PDF's folder
    // (removed by the system when the run ends, however it ends), not in memory.
    let spool = match (&a.out, a.shard) {
        (Some(out), None) => Some(wisp_render::PngSpool::new_in(&folder_of(out))?),
        _ => None,
    };
    let request = ReportRequest {
        plan: plan.as_ref(),
        html: a.html.is_some(),
        paper: a.paper.paper(),
        date: &date,
        spool: spool.as_ref(),
        bundle: a.shard.is_some(),
    };
    // Each floor is analysed once; its heatmaps, tables and (with --html) interactive layers
    // are made inside the parallel map and its layers dropped there.
    let outcomes = report_floors(&site, survey.as_ref(), &opts, &bars, &request);
    if !a.quiet {
        for o in &outcomes {
            print_reports(&o.reports);
        }
    }
    bars.print_floor_summary(&outcomes, a.quiet, |s: &FloorScene| {
        wisp_site::check::zone_counts(&s.part.zones)
    });
    let code = pipeline::failure_code(&outcomes).unwrap_or(ExitCode::Ok);
    match a.shard {
        Some(shard) => {
            let out = a
                .out
                .as_ref()
                .ok_or_else(|| CliError::input("--shard needs --out DIR for the bundle"))?;
            let report = site_report(&site, outcomes, &request)?;
            wisp_site::bundle::write_bundle(out, &report.facts, &report.parts, shard)?;
            println!("wrote shard {shard} bundle {}", out.display());
        }
        None => {
            let mut report = site_report(&site, outcomes, &request)?;
            // The HTML's content is taken before the PDF consumes the report (its floors' parts
            // move into the PDF rather than being copied), and written out after it.
            let html = report.html.take();
            if let Some(out) = &a.out {
                report.write_pdf(out)?;
                println!("wrote {}", out.display());
            }
            let html = html.as_ref().map(wisp_render::report_html).transpose()?;
            if let (Some(path), Some(html)) = (&a.html, html) {
                super::write_output(path, html.as_bytes())?;
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(code)
}

/// The folder a file is written in ("." for a bare file name).
fn folder_of(path: &std::path::Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
