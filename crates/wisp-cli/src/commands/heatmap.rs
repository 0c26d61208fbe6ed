use crate::progress::print_reports;
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_render::Palette;
use wisp_site::maps::{render_with, Metric, Style};
use wisp_site::pipeline;
use wisp_site::plan::FloorPlan;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: crate::args::SiteArgs,
    #[arg(long)]
    floor: Option<String>,
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
    /// Draw the survey walks (a line per capture) and stop-and-go points (dots).
    #[arg(long)]
    path: bool,
    /// Zones on the map: their outlines and names (`all`), or none.
    #[arg(long, value_enum, default_value_t = ZonesArg::All)]
    zones: ZonesArg,
    /// The plan file from `wisp plan --out`, for `--metric predicted-after`.
    #[arg(long)]
    plan: Option<PathBuf>,
    /// Output: PNG, or SVG (vector legend, labels and outlines) when the name ends in .svg.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ZonesArg {
    All,
    None,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PaletteArg {
    Survey,
    Cividis,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let loaded = pipeline::load(&a.input.site, a.input.survey.as_deref())?;
    crate::progress::note_if_every_ssid_counts(&loaded.site, false);
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
    let channel_slots = wisp_site::maps::survey_channel_slots(&loaded.survey);
    let style = Style {
        metric: a.metric,
        palette,
        opacity: a.opacity,
        show_path: a.path,
        show_zones: a.zones == ZonesArg::All,
        plan: plan
            .as_ref()
            .map(|p| p.floor(&floor.floor.id).unwrap_or(&empty)),
        channel_slots: Some(&channel_slots),
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
