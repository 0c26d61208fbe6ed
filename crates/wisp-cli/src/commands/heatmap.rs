use crate::progress::print_reports;
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_render::Palette;
use wisp_site::maps::{render_with, Metric, Style};
use wisp_site::pipeline;
use wisp_site::plan::FloorPlan;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site (site.toml or its folder).
    site: PathBuf,
    #[arg(long)]
    floor: Option<String>,
    /// A survey JSON from `wisp ingest`; default: read the manifest's captures.
    #[arg(long)]
    survey: Option<PathBuf>,
    /// Layer to draw.
    /// One of: primary, secondary, tertiary, snr, radio-count, co-channel, uncertainty,
    /// channel, predicted-before, predicted-after.
    #[arg(long, default_value = "primary")]
    metric: Metric,
    /// Colour scale: the greens-yellows-reds surveyors expect, or colour-blind-safe cividis.
    #[arg(long, value_enum, default_value_t = PaletteArg::Survey)]
    palette: PaletteArg,
    /// Opacity of the heat layer over the plan, 0..1.
    #[arg(long, default_value_t = wisp_render::DEFAULT_OPACITY)]
    opacity: f32,
    /// Draw the survey path and scan points.
    #[arg(long)]
    path: bool,
    /// The plan file from `wisp plan --out`, for `--metric predicted-after`.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// Output: PNG, or SVG (vector legend, labels and outlines) when the name ends in .svg.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PaletteArg {
    Survey,
    Cividis,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let loaded = pipeline::load(&a.site, a.survey.as_deref())?;
    print_reports(&loaded.reports);
    let floor = pipeline::pick_floor(&loaded.site, a.floor.as_deref())?;
    let samples = pipeline::samples_of(&loaded.survey, &floor.floor.id);
    let analysis = pipeline::analyse_with(&loaded.site, floor, samples, &a.filters.filters())?;
    let palette = match a.palette {
        PaletteArg::Survey => Palette::Survey,
        PaletteArg::Cividis => Palette::Cividis,
    };
    let plan = match &a.plan {
        Some(p) => Some(wisp_site::plan::read_plan_file(&loaded.site, p)?),
        None => None,
    };
    let empty = FloorPlan::default();
    let style = Style {
        metric: a.metric,
        palette,
        opacity: a.opacity,
        show_path: a.path,
        plan: plan
            .as_ref()
            .map(|p| p.floor(&floor.floor.id).unwrap_or(&empty)),
    };
    let svg = a
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let bytes = if svg {
        render_with(
            &loaded.site,
            floor,
            &analysis,
            samples,
            style,
            wisp_render::heatmap_svg,
        )?
        .into_bytes()
    } else {
        render_with(
            &loaded.site,
            floor,
            &analysis,
            samples,
            style,
            wisp_render::heatmap_png,
        )?
    };
    super::write_output(&a.out, &bytes)?;
    println!("wrote {}", a.out.display());
    Ok(ExitCode::Ok)
}
