//! `wisp chart`: the charts of every floor (or one) as SVG files, without the report: per zone
//! the signal's cumulative distribution with its thresholds, the signal per zone kind, and each
//! zone's primary shortfall.

use crate::{CliError, ExitCode};
use std::path::{Path, PathBuf};
use wisp_site::charts::{stem_of, NamedChart};
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: crate::args::SiteArgs,
    /// Only this floor (default: every floor).
    #[arg(long)]
    floor: Option<String>,
    /// The folder to write FLOOR-CHART.svg into (made if missing).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

/// Writes `charts` as `DIR/PREFIX-STEM.svg`, each at its size for [`wisp_render::CHART_SIZE`]'s
/// width; returns the files written.
pub fn write_charts(
    dir: &Path,
    prefix: &str,
    charts: &[NamedChart],
) -> Result<Vec<PathBuf>, CliError> {
    std::fs::create_dir_all(dir)
        .map_err(|e| CliError::output(format!("cannot make '{}': {e}", dir.display())))?;
    let mut written = Vec::new();
    for named in charts {
        let size = wisp_render::chart_size(&named.chart, wisp_render::CHART_SIZE.0);
        let svg = wisp_render::chart_svg(&named.chart, size)?;
        let path = dir.join(format!("{}-{}.svg", stem_of(prefix), named.stem));
        super::write_output(&path, svg.as_bytes())?;
        written.push(path);
    }
    Ok(written)
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let loaded = pipeline::load(&a.input.site, a.input.survey.as_deref())?;
    crate::progress::print_reports(&loaded.reports);
    let floors: Vec<&wisp_ingest::SiteFloor> = match &a.floor {
        Some(id) => vec![pipeline::pick_floor(&loaded.site, Some(id))?],
        None => loaded.site.floors.iter().collect(),
    };
    let mut written = 0;
    for floor in floors {
        let samples = pipeline::samples_of(&loaded.survey, &floor.floor.id);
        let analysis = pipeline::analyse_with(&loaded.site, floor, samples, &a.filters.filters())?;
        let charts = wisp_site::charts::floor_charts(floor, &analysis);
        written += write_charts(&a.out, &floor.floor.id, &charts)?.len();
    }
    println!("{written} charts written to {}", a.out.display());
    Ok(ExitCode::Ok)
}
