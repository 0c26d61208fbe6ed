use crate::pipeline::{self, FloorAnalysis};
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_coverage::Criterion;
use wisp_ingest::{Site, SiteFloor};
use wisp_interp::SignalLayers;
use wisp_model::{Grid, Sample};
use wisp_render::{ColourScale, HeatmapRequest, Marker, MarkerKind, Outline, Palette};

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
    #[arg(long, value_enum, default_value_t = Metric::Primary)]
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
    /// Output: PNG, or SVG (vector legend, labels and outlines) when the name ends in .svg.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    filters: crate::pipeline::Filters,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Metric {
    Primary,
    Secondary,
    Tertiary,
    Snr,
    /// Radios heard at or above −75 dBm.
    RadioCount,
    /// Other radios on the serving channel at or above −85 dBm.
    CoChannel,
    /// Distance to the nearest scan: how far the map is extrapolated.
    Uncertainty,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PaletteArg {
    Survey,
    Cividis,
}

impl Metric {
    pub fn title(self) -> &'static str {
        match self {
            Metric::Primary => "Primary signal",
            Metric::Secondary => "Secondary signal (second access point)",
            Metric::Tertiary => "Tertiary signal (third access point)",
            Metric::Snr => "Signal-to-noise ratio",
            Metric::RadioCount => "Radios at -75 dBm or better",
            Metric::CoChannel => "Co-channel radios at -85 dBm or better",
            Metric::Uncertainty => "Distance to the nearest scan",
        }
    }
    fn layer(self, l: &SignalLayers) -> Grid<f32> {
        let counts = |g: &Grid<u16>| {
            Grid::from_fn(*g.geometry(), |r, c| {
                if l.primary.get(r, c).is_some_and(|v| v.is_nan()) {
                    f32::NAN
                } else {
                    g.get(r, c).map_or(f32::NAN, |v| *v as f32)
                }
            })
        };
        match self {
            Metric::Primary => l.primary.clone(),
            Metric::Secondary => l.secondary.clone(),
            Metric::Tertiary => l.tertiary.clone(),
            Metric::Snr => l.snr.clone(),
            Metric::RadioCount => counts(&l.radio_count),
            Metric::CoChannel => counts(&l.cochannel),
            Metric::Uncertainty => l.distance_m.clone(),
        }
    }
    fn scale(self, palette: Palette) -> ColourScale {
        match self {
            Metric::Snr => ColourScale::snr(palette),
            Metric::RadioCount => ColourScale::count("Radios", 6.0, false, palette),
            Metric::CoChannel => ColourScale::count("Co-channel radios", 4.0, true, palette),
            Metric::Uncertainty => ColourScale::distance(palette),
            _ => ColourScale::signal(palette),
        }
        .with_title(self.title())
    }
    fn criterion(self) -> Option<Criterion> {
        match self {
            Metric::Primary => Some(Criterion::Primary),
            Metric::Secondary => Some(Criterion::Secondary),
            Metric::Tertiary => Some(Criterion::Tertiary),
            Metric::Snr => Some(Criterion::Snr),
            Metric::CoChannel => Some(Criterion::CoChannel),
            Metric::RadioCount | Metric::Uncertainty => None,
        }
    }
}

/// How a layer is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub metric: Metric,
    pub palette: Palette,
    pub opacity: f32,
    /// Draw the survey path and scan points.
    pub show_path: bool,
}

impl Style {
    /// The default look for `metric`: survey palette, default opacity, path on the primary map.
    pub fn of(metric: Metric) -> Style {
        Style {
            metric,
            palette: Palette::Survey,
            opacity: wisp_render::DEFAULT_OPACITY,
            show_path: metric == Metric::Primary,
        }
    }
}

/// Renders one layer of an analysed floor as a picture.
pub fn render(
    site: &Site,
    floor: &SiteFloor,
    analysis: &FloorAnalysis,
    samples: &[Sample],
    style: Style,
) -> Result<image::RgbaImage, CliError> {
    render_with(
        site,
        floor,
        analysis,
        samples,
        style,
        wisp_render::heatmap_image,
    )
}

/// Renders one layer of an analysed floor, finishing the request with `finish` (a picture, SVG…).
pub fn render_with<T>(
    site: &Site,
    floor: &SiteFloor,
    analysis: &FloorAnalysis,
    samples: &[Sample],
    style: Style,
    finish: impl FnOnce(&HeatmapRequest) -> Result<T, wisp_render::RenderError>,
) -> Result<T, CliError> {
    let Style {
        metric,
        palette,
        opacity,
        show_path,
    } = style;
    let f = &floor.floor;
    let layers = analysis.layers.as_ref().ok_or_else(|| {
        CliError::input(format!("floor '{}' has no survey samples to draw", f.id))
    })?;
    let scale = metric.scale(palette);
    // Contours at the thresholds the floor's zones are held to for this metric.
    let profiles = pipeline::all_profiles(site);
    let mut contours: Vec<f64> = f
        .zones
        .iter()
        .filter_map(|z| profiles.iter().find(|p| p.name == z.profile))
        .flat_map(Criterion::of)
        .filter(|(c, _)| Some(*c) == metric.criterion())
        .map(|(_, t)| t)
        .collect();
    contours.sort_by(f64::total_cmp);
    contours.dedup();
    let outlines: Vec<Outline> = analysis
        .zones
        .iter()
        .flat_map(|z| &z.dead_zones)
        .filter(|d| Some(d.criterion) == metric.criterion())
        .map(|d| Outline {
            ring: d.outline_m.clone(),
            label: format!("{} {:.0} m²", d.zone, d.area_m2),
        })
        .collect();
    let path: Vec<wisp_model::Point> = if show_path {
        samples.iter().map(|s| s.position()).collect()
    } else {
        vec![]
    };
    let layer = metric.layer(layers);
    let title = heading(site, f, metric.title());
    draw_with(
        floor,
        &layer,
        Some(&layers.surveyed),
        &scale,
        &contours,
        &outlines,
        &path,
        title,
        opacity,
        finish,
    )
}

/// "Site — floor — what", without repeating the floor's name when the site's name holds it.
pub fn heading(site: &Site, floor: &wisp_model::Floor, what: &str) -> String {
    if site.name.contains(&floor.name) {
        format!("{} — {what}", site.name)
    } else {
        format!("{} — {} — {what}", site.name, floor.name)
    }
}

/// Draws `layer` over the floor's plan with its APs as a picture.
#[allow(clippy::too_many_arguments)]
pub fn draw(
    floor: &SiteFloor,
    layer: &Grid<f32>,
    surveyed: Option<&Grid<bool>>,
    scale: &ColourScale,
    contours: &[f64],
    outlines: &[Outline],
    path: &[wisp_model::Point],
    title: String,
    opacity: f32,
) -> Result<image::RgbaImage, CliError> {
    draw_with(
        floor,
        layer,
        surveyed,
        scale,
        contours,
        outlines,
        path,
        title,
        opacity,
        wisp_render::heatmap_image,
    )
}

/// The one place heatmap requests are assembled; `finish` turns the request into the output.
#[allow(clippy::too_many_arguments)]
pub fn draw_with<T>(
    floor: &SiteFloor,
    layer: &Grid<f32>,
    surveyed: Option<&Grid<bool>>,
    scale: &ColourScale,
    contours: &[f64],
    outlines: &[Outline],
    path: &[wisp_model::Point],
    title: String,
    opacity: f32,
    finish: impl FnOnce(&HeatmapRequest) -> Result<T, wisp_render::RenderError>,
) -> Result<T, CliError> {
    let f = &floor.floor;
    let plan = wisp_ingest::plan::load_plan(&floor.plan_path)?;
    let markers: Vec<Marker> = f
        .aps
        .iter()
        .map(|ap| Marker {
            at: ap.position,
            // The first word of the name keeps labels short enough not to overlap on a plan.
            label: format!(
                "{} ch {}",
                ap.name.split_whitespace().next().unwrap_or(&ap.name),
                ap.radios
                    .iter()
                    .map(|r| r.channel.to_string())
                    .collect::<Vec<_>>()
                    .join("/")
            ),
            kind: MarkerKind::MeasuredAp,
        })
        .collect();
    let mut req = HeatmapRequest::new(f, &plan, layer, scale, title);
    req.surveyed = surveyed;
    req.opacity = opacity;
    req.contours = contours;
    req.markers = &markers;
    req.outlines = outlines;
    req.path = path;
    Ok(finish(&req)?)
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let loaded = pipeline::load(&a.site, a.survey.as_deref())?;
    pipeline::print_reports(&loaded.reports);
    let floor = pipeline::pick_floor(&loaded.site, a.floor.as_deref())?;
    let samples = pipeline::samples_of(&loaded.survey, &floor.floor.id);
    let analysis = pipeline::analyse_with(&loaded.site, floor, samples, &a.filters)?;
    let palette = match a.palette {
        PaletteArg::Survey => Palette::Survey,
        PaletteArg::Cividis => Palette::Cividis,
    };
    let style = Style {
        metric: a.metric,
        palette,
        opacity: a.opacity,
        show_path: a.path,
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
