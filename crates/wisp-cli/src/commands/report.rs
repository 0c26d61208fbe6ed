use crate::args::PaperArg;
use crate::progress::{print_reports, Bars};
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_site::pipeline::{self, RunOptions, Shard};
use wisp_site::report::{assemble, extras, floor_part, FloorPart, SiteFacts};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site (site.toml or its folder).
    site: PathBuf,
    /// A survey JSON from `wisp ingest`; default: read the manifest's captures.
    #[arg(long)]
    survey: Option<PathBuf>,
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
    let site = pipeline::load_site(&a.site)?;
    let survey = match &a.survey {
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
    let bars = Bars::new(a.quiet);
    // Each floor's heatmaps and tables are made inside the parallel map; its layers are dropped
    // there, so only the parts (PNG bytes and zone results) are kept.
    let outcomes =
        pipeline::analyse_site_with(&site, survey.as_ref(), &opts, &bars, |job, analysis| {
            job.step("drawing heatmaps");
            let fp = plan.as_ref().and_then(|p| p.floor(&job.floor.floor.id));
            floor_part(job.site, job.floor, job.samples, &analysis, job.index, fp)
        });
    if !a.quiet {
        for o in &outcomes {
            print_reports(&o.reports);
        }
    }
    bars.print_floor_summary(&outcomes, a.quiet, |p: &FloorPart| {
        wisp_site::check::zone_counts(&p.zones)
    });
    let code = pipeline::failure_code(&outcomes).unwrap_or(ExitCode::Ok);
    let facts = SiteFacts::of(&site, &outcomes).with_plan(plan.as_ref());
    let parts: Vec<FloorPart> = outcomes
        .into_iter()
        .map(|o| FloorPart::of_outcome(&site, o))
        .collect();
    match a.shard {
        Some(shard) => {
            let out = a
                .out
                .as_ref()
                .ok_or_else(|| CliError::input("--shard needs --out DIR for the bundle"))?;
            wisp_site::bundle::write_bundle(out, &facts, &parts, shard)?;
            println!("wrote shard {shard} bundle {}", out.display());
        }
        None => {
            let date = crate::args::report_date();
            let report = assemble(&facts, &parts, a.paper.paper(), &date)?;
            if let Some(out) = &a.out {
                super::write_output(
                    out,
                    &wisp_render::report_pdf_with(&report, &extras(&parts)?)?,
                )?;
                println!("wrote {}", out.display());
            }
            if let Some(path) = &a.html {
                // The interactive map needs every floor's layers at once: analyse again.
                let loaded = pipeline::load(&a.site, a.survey.as_deref())?;
                let check = wisp_site::check::check_site(&loaded)?;
                let html =
                    wisp_site::html::build_html_from(&loaded, &check, &report, plan.as_ref())?;
                super::write_output(path, html.as_bytes())?;
                println!("wrote {}", path.display());
            }
        }
    }
    Ok(code)
}
