use crate::args::PaperArg;
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_coverage::ZoneResult;
use wisp_model::words::count;
use wisp_site::bundle::merge_bundles;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Shard bundles (folders written by `wisp report --shard` / `wisp check --shard`), one per
    /// shard, in any order.
    #[arg(required = true, value_name = "BUNDLE")]
    bundles: Vec<PathBuf>,
    /// Write the combined PDF report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the combined check JSON (as `wisp check --json` prints it) here.
    #[arg(long)]
    json: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    paper: PaperArg,
    /// Print only failures.
    #[arg(long, short)]
    quiet: bool,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let merged = merge_bundles(&a.bundles)?;
    let (facts, parts, check) = (&merged.facts, &merged.parts, &merged.check);
    for (id, e) in &check.failed {
        eprintln!("  {id:<12} FAILED  {e}");
    }
    if let Some(path) = &a.json {
        let json = serde_json::to_string_pretty(&merged.check_json()).unwrap_or_default();
        super::write_output(path, json.as_bytes())?;
        println!("wrote {}", path.display());
    }
    if let Some(path) = &a.out {
        let report = wisp_site::report::assemble(
            facts,
            parts,
            a.paper.paper(),
            &crate::args::report_date(),
        )?;
        wisp_render::write_report_pdf(path, &report, &[]).map_err(wisp_site::Error::output)?;
        println!("wrote {}", path.display());
    }
    if !a.quiet {
        let zones: Vec<ZoneResult> = parts.iter().flat_map(|p| p.zones.clone()).collect();
        eprintln!(
            "merged {}: {} ({} failed), {}",
            count(a.bundles.len(), "bundle", "bundles"),
            count(parts.len(), "floor", "floors"),
            check.failed.len(),
            wisp_site::check::zone_counts(&zones)
        );
    }
    Ok(check.exit_code())
}
