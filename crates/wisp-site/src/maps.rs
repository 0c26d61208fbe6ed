use crate::calibrations::FloorCalibrations;
use crate::pipeline::{self, FloorAnalysis};
use crate::plan::FloorPlan;
use crate::Error;
use wisp_coverage::{Criterion, DeadZone};
use wisp_ingest::{Site, SiteFloor};
use wisp_interp::SignalLayers;
use wisp_model::{Grid, Sample};
use wisp_plan::{CalibrationOptions, PlanOptions, PlannedAp};
use wisp_render::{ColourScale, HeatmapRequest, Marker, MarkerKind, Outline, Palette};

/// A layer a map can show. Named in one place ([`Metric::ALL`], [`Metric::name`]); front ends
/// parse user input with [`str::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// The map's standard deviation of the primary signal (methods `model` and `kriging`):
    /// how sure the map is, cell by cell, which the dead and at-risk regions are judged from.
    StdDev,
    /// The serving (strongest) radio's channel, band and number: one colour per channel
    /// present, from a colour-blind-aware categorical palette (`--palette` does not apply).
    Channel,
    /// The calibrated radio model's primary signal (5 GHz) from the existing APs alone: the
    /// baseline to compare `predicted-after` with.
    PredictedBefore,
    /// The model's primary signal (5 GHz) with the plan's new APs added (needs `--plan`).
    PredictedAfter,
}

impl Metric {
    /// Every metric, in the order they are listed to users.
    pub const ALL: [Metric; 11] = [
        Metric::Primary,
        Metric::Secondary,
        Metric::Tertiary,
        Metric::Snr,
        Metric::RadioCount,
        Metric::CoChannel,
        Metric::Uncertainty,
        Metric::StdDev,
        Metric::Channel,
        Metric::PredictedBefore,
        Metric::PredictedAfter,
    ];

    /// The metric's name as users write it (`radio-count`, `predicted-after`...).
    pub fn name(self) -> &'static str {
        match self {
            Metric::Primary => "primary",
            Metric::Secondary => "secondary",
            Metric::Tertiary => "tertiary",
            Metric::Snr => "snr",
            Metric::RadioCount => "radio-count",
            Metric::CoChannel => "co-channel",
            Metric::Uncertainty => "uncertainty",
            Metric::StdDev => "std-dev",
            Metric::Channel => "channel",
            Metric::PredictedBefore => "predicted-before",
            Metric::PredictedAfter => "predicted-after",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Metric::Primary => "Primary signal",
            Metric::Secondary => "Secondary signal (second access point)",
            Metric::Tertiary => "Tertiary signal (third access point)",
            Metric::Snr => "Signal-to-noise ratio",
            Metric::RadioCount => "Radios at -75 dBm or better",
            Metric::CoChannel => "Co-channel radios at -85 dBm or better",
            Metric::Uncertainty => "Distance to the nearest scan",
            Metric::StdDev => "Standard deviation of the primary signal",
            Metric::Channel => "Serving channel",
            Metric::PredictedBefore => "Predicted primary signal, existing APs",
            Metric::PredictedAfter => "Predicted primary signal with the planned APs",
        }
    }
    /// Whether the layer comes from the radio model rather than the survey.
    pub fn is_predicted(self) -> bool {
        matches!(self, Metric::PredictedBefore | Metric::PredictedAfter)
    }
    /// The measured layer; `None` for the model's layers, which do not come from the survey.
    fn layer(self, l: &SignalLayers) -> Option<Grid<f32>> {
        let counts = |g: &Grid<u16>| {
            Grid::from_fn(*g.geometry(), |r, c| {
                if l.primary.get(r, c).is_some_and(|v| v.is_nan()) {
                    f32::NAN
                } else {
                    g.get(r, c).map_or(f32::NAN, |v| *v as f32)
                }
            })
        };
        Some(match self {
            Metric::Primary => l.primary.clone(),
            Metric::Secondary => l.secondary.clone(),
            Metric::Tertiary => l.tertiary.clone(),
            Metric::Snr => l.snr.clone(),
            Metric::RadioCount => counts(&l.radio_count),
            Metric::CoChannel => counts(&l.cochannel),
            Metric::Uncertainty => l.distance_m.clone(),
            Metric::StdDev => l.primary_std_dev.clone()?,
            Metric::Channel | Metric::PredictedBefore | Metric::PredictedAfter => return None,
        })
    }
    fn scale(self, palette: Palette) -> ColourScale {
        match self {
            Metric::Snr => ColourScale::snr(palette),
            Metric::RadioCount => ColourScale::count("Radios", 6.0, false, palette),
            Metric::CoChannel => ColourScale::count("Co-channel radios", 4.0, true, palette),
            Metric::Uncertainty => ColourScale::distance(palette),
            Metric::StdDev => ColourScale::std_dev(palette),
            _ => ColourScale::signal(palette),
        }
        .with_title(self.title())
    }
    fn criterion(self) -> Option<Criterion> {
        match self {
            Metric::Primary | Metric::PredictedBefore | Metric::PredictedAfter => {
                Some(Criterion::Primary)
            }
            Metric::Secondary => Some(Criterion::Secondary),
            Metric::Tertiary => Some(Criterion::Tertiary),
            Metric::Snr => Some(Criterion::Snr),
            Metric::CoChannel => Some(Criterion::CoChannel),
            Metric::RadioCount | Metric::Uncertainty | Metric::StdDev | Metric::Channel => None,
        }
    }
}

/// How a layer is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Style<'a> {
    pub metric: Metric,
    pub palette: Palette,
    pub opacity: f32,
    /// Draw the survey walks and stop-and-go points.
    pub show_path: bool,
    /// Draw the zones' outlines and names.
    pub show_zones: bool,
    /// The floor's part of a plan file: its new APs are added to `predicted-after` and marked.
    pub plan: Option<&'a FloorPlan>,
    /// Colour slot of every channel of the site (`wisp_render::channel_slots` over the whole
    /// survey), so a channel has one colour on every floor's channel map; `None`: the channels
    /// of the site's manifest and of this floor.
    pub channel_slots: Option<&'a ChannelSlots>,
}

/// A colour slot per (band, channel), as `wisp_render::channel_slots` gives them.
pub type ChannelSlots = std::collections::BTreeMap<(wisp_model::Band, u16), usize>;

/// The colour slots of every channel heard anywhere in the survey.
pub fn survey_channel_slots(survey: &wisp_model::Survey) -> ChannelSlots {
    wisp_render::channel_slots(
        survey
            .floors
            .iter()
            .flat_map(|f| &f.samples)
            .flat_map(|s| &s.observations)
            .map(|o| (o.band, o.channel)),
    )
}

impl<'a> Style<'a> {
    /// The default look for `metric`: survey palette, default opacity, path on the primary map.
    pub fn of(metric: Metric) -> Style<'a> {
        Style {
            metric,
            palette: Palette::Survey,
            opacity: wisp_render::DEFAULT_OPACITY,
            show_path: metric == Metric::Primary,
            show_zones: true,
            plan: None,
            channel_slots: None,
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
) -> Result<image::RgbaImage, Error> {
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
) -> Result<T, Error> {
    let Style {
        metric,
        palette,
        opacity,
        show_path,
        show_zones,
        plan,
        channel_slots,
    } = style;
    let f = &floor.floor;
    if metric.is_predicted() {
        let new_aps: &[PlannedAp] = match (metric, plan) {
            (Metric::PredictedAfter, Some(p)) => &p.new_aps,
            (Metric::PredictedAfter, None) => {
                return Err(Error::input(
                    "--metric predicted-after needs the plan: --plan plan.json (from `wisp plan --out`)",
                ))
            }
            _ => &[],
        };
        let prediction = predicted(site, floor, samples, &analysis.calibrations, plan, new_aps)?;
        let plan_image = analysis.plan_image(floor)?;
        return draw_predicted(
            site,
            floor,
            &prediction,
            new_aps,
            style,
            Some(plan_image),
            finish,
        );
    }
    let layers = analysis
        .layers
        .as_ref()
        .ok_or_else(|| Error::input(format!("floor '{}' has no survey samples to draw", f.id)))?;
    let scale = metric.scale(palette);
    let contours = contours_for(site, f, metric);
    if metric == Metric::StdDev && layers.primary_std_dev.is_none() {
        return Err(Error::input(format!(
            "--metric std-dev: floor '{}' was interpolated with {}, which gives no standard deviation; use interpolation = \"model\" or \"kriging\" in the manifest",
            f.id, analysis.method
        )));
    }
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
    // At-risk regions: outlined apart (dotted, no label), never as dead zones.
    let at_risk: Vec<Outline> = analysis
        .zones
        .iter()
        .flat_map(|z| &z.at_risk)
        .filter(|d| Some(d.criterion) == metric.criterion())
        .map(|d| Outline {
            ring: d.outline_m.clone(),
            label: String::new(),
        })
        .collect();
    let walks = if show_path {
        wisp_render::walks_of(samples)
    } else {
        vec![]
    };
    let (layer, scale) = if metric == Metric::Channel {
        let fallback;
        let slots = match channel_slots {
            Some(slots) => slots,
            None => {
                let manifest = site
                    .floors
                    .iter()
                    .flat_map(|f| &f.floor.aps)
                    .flat_map(|ap| &ap.radios)
                    .map(|r| (r.band, r.channel));
                let heard = layers.radios.iter().map(|r| (r.key.band, r.key.channel));
                fallback = wisp_render::channel_slots(manifest.chain(heard));
                &fallback
            }
        };
        channel_layer(layers, metric.title(), slots)
    } else {
        let layer = metric
            .layer(layers)
            .ok_or_else(|| Error::input(format!("{} is not a measured layer", metric.title())))?;
        (layer, scale)
    };
    let title = heading(site, f, metric.title());
    // Grey exactly where the verdicts judge nothing: a cell the map is sure of without a scan is
    // judged (wisp_coverage::judged_cells), so it is coloured too.
    let judged = wisp_coverage::judged_cells(layers, &wisp_coverage::EvalOptions::default());
    draw_with(
        floor,
        Some(analysis.plan_image(floor)?),
        &layer,
        Some(&judged),
        &scale,
        &contours,
        &outlines,
        &walks,
        &[],
        title,
        opacity,
        show_zones,
        |req| {
            let mut req = req.clone();
            req.at_risk = &at_risk;
            finish(&req)
        },
    )
}

/// The serving radio's channel as category indices, and the categorical scale listing the
/// channels present (band, then number): "2.4 GHz ch 1", "5 GHz ch 36"… NaN where no radio
/// serves or outside the floor. Each channel takes its colour from its slot in `slots` (a
/// channel missing there gets a slot after all of them).
pub fn channel_layer(
    l: &SignalLayers,
    title: &str,
    slots: &ChannelSlots,
) -> (Grid<f32>, ColourScale) {
    let channel_of = |r: usize, c: usize| -> Option<(wisp_model::Band, u16)> {
        if l.primary.get(r, c).is_none_or(|v| v.is_nan()) {
            return None;
        }
        let i = *l.serving.get(r, c)?;
        let key = &l.radios.get(i as usize)?.key;
        Some((key.band, key.channel))
    };
    let geometry = *l.serving.geometry();
    let mut present = std::collections::BTreeSet::new();
    for r in 0..geometry.rows() {
        for c in 0..geometry.cols() {
            present.extend(channel_of(r, c));
        }
    }
    let present: Vec<(wisp_model::Band, u16)> = present.into_iter().collect();
    let layer = Grid::from_fn(geometry, |r, c| {
        channel_of(r, c)
            .and_then(|k| present.binary_search(&k).ok())
            .map_or(f32::NAN, |i| i as f32)
    });
    let mut unknown = slots.len();
    let slots = present
        .iter()
        .map(|&(band, ch)| {
            let slot = slots.get(&(band, ch)).copied().unwrap_or_else(|| {
                unknown += 1;
                unknown - 1
            });
            (format!("{} GHz ch {ch}", band.name()), slot)
        })
        .collect();
    (layer, ColourScale::categorical_in_slots(title, "", slots))
}

/// Contours at the thresholds the floor's zones are held to for `metric`'s criterion.
fn contours_for(site: &Site, f: &wisp_model::Floor, metric: Metric) -> Vec<f64> {
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
    contours
}

/// The calibrated model's prediction over the floor's analysis grid for its existing APs plus
/// `new_aps`, on the planner's design band, calibrated as `plan` was (site grouping, fitted
/// walls if the plan fitted them); whether the model could be calibrated on `samples`
/// (else `wisp plan`'s fallback, the default model with the manifest's powers). The
/// calibration comes from `calibrations` (the analysis's: made once per run).
pub fn predicted(
    site: &Site,
    floor: &SiteFloor,
    samples: &[Sample],
    calibrations: &FloorCalibrations,
    plan: Option<&FloorPlan>,
    new_aps: &[PlannedAp],
) -> Result<Predicted, Error> {
    let f = &floor.floor;
    // The model the plan was made with: the site's AP grouping and, if the plan fitted them,
    // wall losses; so the picture never contradicts the plan it illustrates.
    let options = CalibrationOptions {
        grouping: site.ap_grouping.clone(),
        fit_walls: plan.is_some_and(|p| p.fit_walls),
        ..Default::default()
    };
    let cal = calibrations.get(f, samples, &options).as_ref().clone().ok();
    let mut aps = wisp_plan::existing_aps(f, cal.as_ref());
    aps.extend(new_aps.iter().cloned());
    let geometry = pipeline::floor_grid(f)?;
    let band = PlanOptions::default().design_band;
    let prediction = wisp_plan::predict(f, cal.as_ref(), &aps, band, &geometry);
    Ok(Predicted {
        prediction,
        calibrated: cal.is_some(),
        calibration: cal,
    })
}

/// The model's prediction for a floor, ready to draw.
pub struct Predicted {
    pub prediction: wisp_plan::Prediction,
    /// Whether the model was calibrated on the survey (else the default model).
    pub calibrated: bool,
    /// The calibration the model came from, if the survey calibrated it: the report's charts
    /// of how well it fits.
    pub calibration: Option<wisp_plan::Calibration>,
}

/// Draws a prediction of `predicted` (existing APs plus `new_aps`, marked as planned) as
/// `style.metric` says, with contours at the zones' primary thresholds.
pub fn draw_predicted<T>(
    site: &Site,
    floor: &SiteFloor,
    predicted: &Predicted,
    new_aps: &[PlannedAp],
    style: Style,
    plan_image: Option<&image::RgbaImage>,
    finish: impl FnOnce(&HeatmapRequest) -> Result<T, wisp_render::RenderError>,
) -> Result<T, Error> {
    let f = &floor.floor;
    let metric = style.metric;
    // Short, so it fits under the plan: the report's notes say more about the model.
    let what = if predicted.calibrated {
        format!(
            "{} (model n = {:.2})",
            metric.title(),
            predicted.prediction.exponent
        )
    } else {
        format!("{} (default model)", metric.title())
    };
    let scale = metric.scale(style.palette);
    let contours = contours_for(site, f, metric);
    let markers = planned_markers(new_aps);
    draw_with(
        floor,
        plan_image,
        &predicted.prediction.primary,
        None,
        &scale,
        &contours,
        &[],
        &[],
        &markers,
        heading(site, f, &what),
        style.opacity,
        style.show_zones,
        finish,
    )
}

/// Markers of planned APs: a blue triangle, the name and the planned channels.
pub fn planned_markers(aps: &[PlannedAp]) -> Vec<Marker> {
    aps.iter()
        .map(|ap| Marker {
            at: ap.position,
            label: ap_label(&ap.name, &ap.radios),
            kind: MarkerKind::PlannedAp,
        })
        .collect()
}

/// "NAME ch 6/36": an AP's marker label. The first word of the name keeps labels short enough
/// not to overlap on a plan.
fn ap_label(name: &str, radios: &[wisp_model::ApRadio]) -> String {
    format!(
        "{} ch {}",
        name.split_whitespace().next().unwrap_or(name),
        radios
            .iter()
            .map(|r| r.channel.to_string())
            .collect::<Vec<_>>()
            .join("/")
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
    walks: &[Vec<wisp_model::Point>],
    title: String,
    opacity: f32,
) -> Result<image::RgbaImage, Error> {
    draw_with(
        floor,
        None,
        layer,
        surveyed,
        scale,
        contours,
        outlines,
        walks,
        &[],
        title,
        opacity,
        true,
        wisp_render::heatmap_image,
    )
}

/// The one place heatmap requests are assembled; `finish` turns the request into the output.
#[allow(clippy::too_many_arguments)]
pub fn draw_with<T>(
    floor: &SiteFloor,
    plan: Option<&image::RgbaImage>,
    layer: &Grid<f32>,
    surveyed: Option<&Grid<bool>>,
    scale: &ColourScale,
    contours: &[f64],
    outlines: &[Outline],
    walks: &[Vec<wisp_model::Point>],
    planned: &[Marker],
    title: String,
    opacity: f32,
    zones: bool,
    finish: impl FnOnce(&HeatmapRequest) -> Result<T, wisp_render::RenderError>,
) -> Result<T, Error> {
    let f = &floor.floor;
    let loaded;
    let plan = match plan {
        Some(p) => p,
        None => {
            loaded = wisp_ingest::plan::load_plan(&floor.plan_path)?;
            &loaded
        }
    };
    let markers: Vec<Marker> = f
        .aps
        .iter()
        .map(|ap| Marker {
            at: ap.position,
            label: ap_label(&ap.name, &ap.radios),
            kind: MarkerKind::MeasuredAp,
        })
        .chain(planned.iter().cloned())
        .collect();
    let mut req = HeatmapRequest::new(f, plan, layer, scale, title);
    req.surveyed = surveyed;
    req.opacity = opacity;
    req.contours = contours;
    req.markers = &markers;
    req.outlines = outlines;
    req.walks = walks;
    req.zones = zones;
    Ok(finish(&req)?)
}

impl std::str::FromStr for Metric {
    type Err = String;
    fn from_str(s: &str) -> Result<Metric, String> {
        let want = s.trim().to_ascii_lowercase();
        Metric::ALL
            .into_iter()
            .find(|m| m.name() == want)
            .ok_or_else(|| {
                let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
                format!("unknown metric '{s}' (known: {})", names.join(", "))
            })
    }
}

/// A floor's maps for one analysis, each metric drawn at most once (in its default style) and
/// shared by the PDF's heatmaps, the dead-zone close-ups and the HTML layers; every map shares
/// the analysis's one decode of the plan image.
pub struct FloorPictures<'a> {
    pub site: &'a Site,
    pub floor: &'a SiteFloor,
    pub analysis: &'a FloorAnalysis,
    pub samples: &'a [Sample],
    drawn: std::cell::RefCell<Vec<(Metric, std::rc::Rc<image::RgbaImage>)>>,
    /// The site-wide channel colours of a report run ([`Self::with_channel_slots`]); `None`:
    /// the channels of the manifest and of this floor.
    channel_slots: Option<&'a ChannelSlots>,
    /// The floor's predicted-after model for the run's plan, calibrated once and shared by the
    /// PDF's plan page and the HTML layer.
    predicted_after: std::cell::OnceCell<Predicted>,
}

impl<'a> FloorPictures<'a> {
    pub fn new(
        site: &'a Site,
        floor: &'a SiteFloor,
        analysis: &'a FloorAnalysis,
        samples: &'a [Sample],
    ) -> Self {
        FloorPictures {
            site,
            floor,
            analysis,
            samples,
            drawn: Default::default(),
            channel_slots: None,
            predicted_after: Default::default(),
        }
    }

    /// The same pictures with the channel map coloured by `slots` (typically
    /// [`survey_channel_slots`] of the whole survey), so every floor of one report gives a
    /// channel the same colour.
    pub fn with_channel_slots(mut self, slots: Option<&'a ChannelSlots>) -> Self {
        self.channel_slots = slots;
        self
    }

    /// The model's prediction with `plan`'s new APs ([`predicted`]), computed the first time it
    /// is asked for; a run has one plan, so every caller passes the same one.
    pub fn predicted_after(&self, plan: &FloorPlan) -> Result<&Predicted, Error> {
        if let Some(p) = self.predicted_after.get() {
            return Ok(p);
        }
        let p = predicted(
            self.site,
            self.floor,
            self.samples,
            &self.analysis.calibrations,
            Some(plan),
            &plan.new_aps,
        )?;
        Ok(self.predicted_after.get_or_init(|| p))
    }

    /// The map of `metric`, drawn the first time it is asked for.
    pub fn get(&self, metric: Metric) -> Result<std::rc::Rc<image::RgbaImage>, Error> {
        if let Some((_, image)) = self.drawn.borrow().iter().find(|(m, _)| *m == metric) {
            return Ok(image.clone());
        }
        let image = std::rc::Rc::new(render(
            self.site,
            self.floor,
            self.analysis,
            self.samples,
            Style {
                channel_slots: self.channel_slots,
                ..Style::of(metric)
            },
        )?);
        self.drawn.borrow_mut().push((metric, image.clone()));
        Ok(image)
    }
}

/// Plan metres of map shown around a dead zone's outline in its close-up.
const CLOSE_UP_MARGIN_M: f64 = 3.0;
/// The smallest close-up is this many metres from centre to edge (10 m across), so a 1 m² dead
/// zone is still shown with the rooms around it.
pub const CLOSE_UP_MIN_HALF_M: f64 = 5.0;

/// Close-ups of the dead zones of the floor of `pictures` ([`largest_dead_zones`]), in the order of the report's
/// dead-zone table (zone by zone, then as the zone lists them): each is cut from the map of its
/// own criterion, where its outline is drawn, centred on the zone and showing at least 3 m
/// around its outline (10 m across at least). Captioned "zone — criterion, area at (x, y)".
/// A floor with no survey has none.
pub fn dead_zone_crops(
    pictures: &FloorPictures<'_>,
) -> Result<Vec<(String, image::RgbaImage)>, Error> {
    let mut maps: Vec<(Metric, std::rc::Rc<image::RgbaImage>)> = Vec::new();
    let windows = dead_zone_windows(pictures)?;
    let mut crops = Vec::with_capacity(windows.len());
    for close_up in windows {
        if !maps.iter().any(|(m, _)| *m == close_up.metric) {
            maps.push((close_up.metric, pictures.get(close_up.metric)?));
        }
        let map = &maps.iter().find(|(m, _)| *m == close_up.metric).unwrap().1;
        let (x, y, w, h) = close_up.window;
        let picture = if w == 0 || h == 0 {
            image::RgbaImage::new(0, 0)
        } else {
            image::imageops::crop_imm(&**map, x, y, w, h).to_image()
        };
        crops.push((close_up.caption, picture));
    }
    Ok(crops)
}

/// Where a dead zone's close-up is cut from: the map of `metric`, through `window` (left, top,
/// width, height in the map's pixels, inside its plan-sized part).
#[derive(Debug, Clone, PartialEq)]
pub struct CloseUp {
    pub caption: String,
    pub metric: Metric,
    pub window: (u32, u32, u32, u32),
}

/// The windows of [`dead_zone_crops`], without cutting them: the HTML report draws its
/// close-ups from the layers it already holds.
pub fn dead_zone_windows(pictures: &FloorPictures<'_>) -> Result<Vec<CloseUp>, Error> {
    let analysis = pictures.analysis;
    let dead_zones = largest_dead_zones(analysis.zones.iter().flat_map(|z| &z.dead_zones));
    if analysis.layers.is_none() || dead_zones.is_empty() {
        return Ok(Vec::new());
    }
    let mut sizes: Vec<(Metric, (u32, u32))> = Vec::new();
    for d in &dead_zones {
        let metric = metric_of(d.criterion);
        if !sizes.iter().any(|(m, _)| *m == metric) {
            sizes.push((metric, pictures.get(metric)?.dimensions()));
        }
    }
    let size_of = |metric: Metric| sizes.iter().find(|(m, _)| *m == metric).map(|(_, s)| *s);
    Ok(close_up_windows(pictures.floor, &dead_zones, &size_of))
}

/// At most this many dead zones of a floor get a close-up: four rows of three thumbnails, about
/// a page. A floor that fails everywhere (co-channel interference from the floors above and
/// below, say) can have a hundred dead zones; a close-up of each made the PDF of a 200-floor
/// estate 4,400 pages and too big to hold (issue 16), while the dead-zone table lists them all.
/// An estimate of what a reader looks through, not a published figure.
pub const MAX_CLOSE_UPS_PER_FLOOR: usize = 12;

/// The floor's dead zones that get a close-up, in the order given (the dead-zone table's):
/// the [`MAX_CLOSE_UPS_PER_FLOOR`] largest by area, ties to the earlier one.
pub fn largest_dead_zones<'a>(dead_zones: impl Iterator<Item = &'a DeadZone>) -> Vec<&'a DeadZone> {
    let all: Vec<&DeadZone> = dead_zones.collect();
    if all.len() <= MAX_CLOSE_UPS_PER_FLOOR {
        return all;
    }
    let mut by_area: Vec<usize> = (0..all.len()).collect();
    by_area.sort_by(|&a, &b| all[b].area_m2.total_cmp(&all[a].area_m2).then(a.cmp(&b)));
    let mut kept = by_area[..MAX_CLOSE_UPS_PER_FLOOR].to_vec();
    kept.sort_unstable();
    kept.into_iter().map(|i| all[i]).collect()
}

/// The map a dead zone of `criterion` is outlined on.
fn metric_of(criterion: Criterion) -> Metric {
    match criterion {
        Criterion::Primary => Metric::Primary,
        Criterion::Secondary => Metric::Secondary,
        Criterion::Tertiary => Metric::Tertiary,
        Criterion::Snr => Metric::Snr,
        Criterion::CoChannel => Metric::CoChannel,
    }
}

/// One close-up window per dead zone whose map `map_size_of` knows; inside the plan part of
/// the map only, so a zone near the right edge never shows half a legend. The window holds the
/// dead zone, its zone and the nearest access point, plus a margin for the neighbouring rooms.
fn close_up_windows(
    floor: &SiteFloor,
    dead_zones: &[&DeadZone],
    map_size_of: &dyn Fn(Metric) -> Option<(u32, u32)>,
) -> Vec<CloseUp> {
    let calibration = floor.floor.calibration;
    let (plan_w, plan_h) = floor.floor.plan_size_px;
    dead_zones
        .iter()
        .filter_map(|d| {
            let metric = metric_of(d.criterion);
            let (map_w, map_h) = map_size_of(metric)?;
            let centre = calibration.to_pixels(d.centroid_m);
            // Context: the dead zone, the whole zone it lies in and the nearest access point
            // (the margin then shows the neighbouring rooms), so the close-up says where it is.
            let zone = floor.floor.zones.iter().find(|z| z.name == d.zone);
            let nearest_ap = floor
                .floor
                .aps
                .iter()
                .map(|ap| ap.position)
                .filter(|p| p.distance(d.centroid_m).is_finite())
                .min_by(|a, b| {
                    a.distance(d.centroid_m)
                        .total_cmp(&b.distance(d.centroid_m))
                });
            let reach_m = d
                .outline_m
                .iter()
                .chain(zone.map_or(&[][..], |z| z.polygon.corners()))
                .chain(nearest_ap.as_ref())
                .map(|p| {
                    (p.x - d.centroid_m.x)
                        .abs()
                        .max((p.y - d.centroid_m.y).abs())
                })
                .filter(|r| r.is_finite())
                .fold(0.0f64, f64::max);
            let half_m = (reach_m + CLOSE_UP_MARGIN_M).max(CLOSE_UP_MIN_HALF_M);
            let half_px = (half_m / calibration.metres_per_pixel())
                .ceil()
                .clamp(1.0, u32::MAX as f64) as u32;
            // Inside the map's plan-sized part: never into its legend or scale bar.
            let window = wisp_render::crop_window(
                (plan_w.min(map_w), plan_h.min(map_h)),
                (centre.x, centre.y),
                half_px,
            );
            let caption = format!(
                "{} — {}, {:.1} m² at ({:.1}, {:.1}) m",
                d.zone,
                d.criterion.name(),
                d.area_m2,
                d.centroid_m.x,
                d.centroid_m.y
            );
            Some(CloseUp {
                caption,
                metric,
                window,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_coverage::Confidence;
    use wisp_model::Point;

    fn dead_zone(name: &str, area_m2: f64) -> DeadZone {
        DeadZone {
            zone: name.into(),
            criterion: Criterion::Primary,
            confidence: Confidence::Dead,
            fail_probability: 1.0,
            area_m2,
            centroid_m: Point::new(0.0, 0.0),
            worst: -80.0,
            shortfall: 15.0,
            nearest_radio: None,
            outline_m: vec![],
        }
    }

    #[test]
    fn close_ups_go_to_the_largest_dead_zones_in_table_order() {
        // Fifteen dead zones; areas by hand. The three smallest are 1.0 (d3), 1.5 (d9) and,
        // of the two at 2.0 (d5 and d12), the later one, d12: ties go to the earlier zone.
        let areas = [
            9.0, 4.0, 3.0, 1.0, 7.5, 2.0, 6.0, 5.0, 8.0, 1.5, 2.5, 3.5, 2.0, 10.0, 4.5,
        ];
        let zones: Vec<DeadZone> = areas
            .iter()
            .enumerate()
            .map(|(i, a)| dead_zone(&format!("d{i}"), *a))
            .collect();
        let kept: Vec<&str> = largest_dead_zones(zones.iter())
            .iter()
            .map(|d| d.zone.as_str())
            .collect();
        let expected: Vec<String> = (0..15)
            .filter(|i| ![3, 9, 12].contains(i))
            .map(|i| format!("d{i}"))
            .collect();
        assert_eq!(kept, expected);
        assert_eq!(kept.len(), MAX_CLOSE_UPS_PER_FLOOR);
        // Twelve or fewer: every one, in order.
        let few: Vec<&str> = largest_dead_zones(zones[..5].iter())
            .iter()
            .map(|d| d.zone.as_str())
            .collect();
        assert_eq!(few, ["d0", "d1", "d2", "d3", "d4"]);
    }

    /// The sample site with its first floor interpolated by `method`.
    fn sample_site_interpolated_by(method: wisp_model::Method) -> pipeline::Loaded {
        let mut loaded = pipeline::load(&crate::sample_site(), None).unwrap();
        loaded.site.floors[0].interpolation = wisp_model::MethodChoice::Fixed(method);
        loaded
    }

    /// Issue 16: `heatmap --metric predicted-*` and `report --plan` calibrate each floor once
    /// per run. With `interpolation = "model"` the analysis calibrates the floor for its trend;
    /// the predicted maps and the report's calibration charts drawn from that analysis reuse
    /// it (the count is the analysis's own: every calibration of the run goes through it), and
    /// what they reuse is what a calibration of their own would give.
    #[test]
    fn a_run_calibrates_each_floor_once_per_model() {
        let loaded = sample_site_interpolated_by(wisp_model::Method::Model);
        let (site, sf) = (&loaded.site, &loaded.site.floors[0]);
        let samples = pipeline::samples_of(&loaded.survey, &sf.floor.id);
        let analysis = pipeline::analyse(site, sf, samples).unwrap();
        assert_eq!(analysis.method, "model");
        assert_eq!(analysis.calibrations.made(), 1, "the trend's calibration");
        let plan = FloorPlan::default();
        let style = |metric| Style {
            plan: Some(&plan),
            ..Style::of(metric)
        };
        // `wisp heatmap --metric predicted-before` / `predicted-after`: the trend's model.
        for metric in [Metric::PredictedBefore, Metric::PredictedAfter] {
            render(site, sf, &analysis, samples, style(metric)).unwrap();
            assert_eq!(analysis.calibrations.made(), 1, "{metric:?}");
        }
        // `wisp report --plan`: the plan page, the HTML layer and the charts share it too.
        let pictures = FloorPictures::new(site, sf, &analysis, samples);
        let shared = pictures.predicted_after(&plan).unwrap();
        crate::report::part_charts(&pictures, Some(&plan)).unwrap();
        assert_eq!(analysis.calibrations.made(), 1);
        let own = wisp_plan::calibrate(
            &sf.floor,
            samples,
            &CalibrationOptions {
                grouping: site.ap_grouping.clone(),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(shared.calibration.as_ref(), Some(&own));
        // A plan made with fitted walls is another model: calibrated once more, once.
        let fitted = FloorPlan {
            fit_walls: true,
            ..Default::default()
        };
        for _ in 0..2 {
            render(
                site,
                sf,
                &analysis,
                samples,
                Style {
                    plan: Some(&fitted),
                    ..Style::of(Metric::PredictedAfter)
                },
            )
            .unwrap();
            assert_eq!(analysis.calibrations.made(), 2);
        }
    }

    /// A floor interpolated without the model calibrates nothing for its layers, and its
    /// predicted maps calibrate it once between them.
    #[test]
    fn an_idw_floor_calibrates_once_for_its_predicted_maps() {
        let loaded = sample_site_interpolated_by(wisp_model::Method::Idw);
        let (site, sf) = (&loaded.site, &loaded.site.floors[0]);
        let samples = pipeline::samples_of(&loaded.survey, &sf.floor.id);
        let analysis = pipeline::analyse(site, sf, samples).unwrap();
        assert_eq!(analysis.calibrations.made(), 0);
        let plan = FloorPlan::default();
        let pictures = FloorPictures::new(site, sf, &analysis, samples);
        for metric in [Metric::PredictedBefore, Metric::PredictedAfter] {
            let style = Style {
                plan: Some(&plan),
                ..Style::of(metric)
            };
            render(site, sf, &analysis, samples, style).unwrap();
            pictures.predicted_after(&plan).unwrap();
            assert_eq!(analysis.calibrations.made(), 1, "{metric:?}");
        }
    }
}
