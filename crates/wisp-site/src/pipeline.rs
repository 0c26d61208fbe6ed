//! The steps every site command shares: load the site and its survey, build layers, evaluate;
//! and [`analyse_site_with`], which runs them over every floor of a site in parallel.

use crate::{Error, ExitCode};
use rayon::prelude::*;
use std::path::Path;
use wisp_coverage::{evaluate_floor, EvalOptions, ZoneResult};
use wisp_ingest::{FileReport, Site, SiteFloor};
use wisp_interp::WallAware;
use wisp_interp::{LayerOptions, SignalLayers};
use wisp_model::words::count;
use wisp_model::{
    GridGeometry, Method, MethodChoice, Point, RequirementProfile, Sample, Survey, SurveyFloor,
};
use wisp_radio::simulate::ThroughSlabs;

/// Cell size of the analysis grid: 0.5 m. RSSI carries no information finer than that
/// (shadowing decorrelates over metres, shared/reference.md §2); display resamples it.
pub const ANALYSIS_CELL_M: f64 = 0.5;

/// A site with its survey.
pub struct Loaded {
    pub site: Site,
    pub survey: Survey,
    /// What ingest did per capture file (empty when the survey came from a survey JSON).
    pub reports: Vec<FileReport>,
}

/// Every profile a zone may name: built in, then the manifest's own.
pub fn all_profiles(site: &Site) -> Vec<RequirementProfile> {
    let mut p = wisp_coverage::profiles::builtin();
    p.extend(site.profiles.iter().cloned());
    p
}

pub fn builtin_names() -> Vec<String> {
    wisp_coverage::profiles::builtin()
        .into_iter()
        .map(|p| p.name)
        .collect()
}

pub fn load_site(site: &Path) -> Result<Site, Error> {
    Ok(wisp_ingest::load_site(site, &builtin_names())?)
}

/// Reads a survey JSON and checks that its floors are the site's.
pub fn read_survey(site: &Site, path: &Path) -> Result<Survey, Error> {
    let bytes = wisp_ingest::read_limited(path, wisp_ingest::MAX_CAPTURE_BYTES)?;
    let text = wisp_ingest::text::decode(&bytes).map_err(|e| e.at(path))?;
    let survey = wisp_ingest::capture::native::parse_survey(&text).map_err(|e| e.at(path))?;
    for f in &survey.floors {
        if site.floor(&f.id).is_none() {
            return Err(Error::input(format!(
                "{}: floor '{}' is not in the site manifest {}",
                path.display(),
                f.id,
                site.manifest_path.display()
            )));
        }
    }
    Ok(survey)
}

/// Loads the site, and the survey from `survey` if given, else from the manifest's captures.
pub fn load(site: &Path, survey: Option<&Path>) -> Result<Loaded, Error> {
    let site = load_site(site)?;
    match survey {
        Some(path) => {
            let survey = read_survey(&site, path)?;
            Ok(Loaded {
                site,
                survey,
                reports: Vec::new(),
            })
        }
        None => {
            let mut floors = Vec::new();
            let mut reports = Vec::new();
            for f in &site.floors {
                let (samples, r) = wisp_ingest::ingest_floor(f)?;
                floors.push(SurveyFloor {
                    id: f.floor.id.clone(),
                    samples,
                });
                reports.extend(r);
            }
            Ok(Loaded {
                site,
                survey: Survey::new(floors),
                reports,
            })
        }
    }
}

/// The analysis grid of a floor: 0.5 m cells over the whole plan.
pub fn floor_grid(floor: &wisp_model::Floor) -> Result<GridGeometry, Error> {
    GridGeometry::covering(Point::new(0.0, 0.0), floor.size_m(), ANALYSIS_CELL_M)
        .map_err(|e| Error::input(format!("floor '{}': {e}", floor.id)))
}

/// Said wherever a floor's survey has unidentified radios (readings without a usable BSSID).
pub const APPROXIMATE_RANKS_NOTE: &str = "Some radios were heard without a usable BSSID (macOS redacts BSSIDs; shared logs mask them) and are known by SSID, band and channel only: two such radios may be one access point, so secondary and tertiary signal are approximate on this floor.";

/// One floor's layers and zone results.
pub struct FloorAnalysis {
    pub layers: Option<SignalLayers>,
    pub zones: Vec<ZoneResult>,
    /// The interpolation method used, and why (for `auto`: the cross-validation's verdict).
    pub method: String,
    /// Secondary and tertiary signal are approximate: the survey has unidentified radios
    /// ([`SignalLayers::ranks_approximate`]).
    pub ranks_approximate: bool,
    /// The floor's plan image, decoded the first time a map needs it and kept while the
    /// analysis lives, so every picture of the floor shares one decode.
    pub plan_image: std::sync::OnceLock<image::RgbaImage>,
    /// The floor's calibrations in this run: the one method `model` took as its trend, and
    /// the ones the maps drawn from this analysis ask for, each made once.
    pub calibrations: crate::calibrations::FloorCalibrations,
}

impl FloorAnalysis {
    /// An analysis without layers (zone results read back, or a floor with no survey).
    pub fn without_layers(zones: Vec<ZoneResult>, method: String) -> FloorAnalysis {
        FloorAnalysis {
            layers: None,
            zones,
            method,
            ranks_approximate: false,
            plan_image: Default::default(),
            calibrations: Default::default(),
        }
    }

    /// The plan image of `floor` (the floor this analysis is of), decoded once.
    pub fn plan_image(&self, floor: &SiteFloor) -> Result<&image::RgbaImage, Error> {
        if let Some(image) = self.plan_image.get() {
            return Ok(image);
        }
        let image = wisp_ingest::plan::load_plan(&floor.plan_path)?;
        Ok(self.plan_image.get_or_init(|| image))
    }
}

/// Builds the layers of a floor from its samples and evaluates its zones. A floor with no usable
/// samples has no layers and every zone is "not enough data".
pub fn analyse(site: &Site, floor: &SiteFloor, samples: &[Sample]) -> Result<FloorAnalysis, Error> {
    analyse_with(site, floor, samples, &Filters::default())
}

/// Which radios the layers are built from (all, by default). Front ends fill it from their own
/// options (the CLI's `--ssid`, `--band`, `--bssid`).
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only radios broadcasting one of these SSIDs.
    pub ssids: Vec<String>,
    /// Only radios in these bands.
    pub bands: Vec<wisp_model::Band>,
    /// Only these BSSIDs (lowercase colon form).
    pub bssids: Vec<String>,
}

impl Filters {
    /// The filters as layer options (the one place their rule lives: `LayerOptions::keeps`).
    pub fn layer_options(&self) -> LayerOptions {
        LayerOptions {
            ssids: self.ssids.clone(),
            bands: self.bands.clone(),
            bssids: self.bssids.clone(),
            ..Default::default()
        }
    }

    /// Drops from `survey` every reading the filters do not keep, for commands that read the
    /// survey directly (validate, calibrate, plan, diff). A scan left empty stays, heard nothing.
    pub fn apply(&self, survey: &mut Survey) {
        let opts = self.layer_options();
        for s in survey.floors.iter_mut().flat_map(|f| &mut f.samples) {
            s.observations.retain(|o| opts.keeps(o));
        }
    }
}

/// The layer options `wisp check` derives a floor's layers with (walls, filters, grouping, the
/// floor's interpolation method, `auto` cross-validated on `samples`), and the method's label.
pub fn layer_options(
    site: &Site,
    floor: &SiteFloor,
    samples: &[Sample],
    filters: &Filters,
) -> (LayerOptions, String) {
    let (opts, label, _) = layer_options_sharing(site, floor, samples, filters);
    (opts, label)
}

/// [`layer_options`], and for `auto` the coarse lattice's wall losses to the walk its folds'
/// calibrations shared ([`wisp_plan::SharedLattice`]), so that the map's own calibration (when
/// `auto` picks `model`) takes them too instead of computing them again: on issue 16's dense
/// floor that table is most of a calibration's time. None for a fixed method.
pub fn layer_options_sharing(
    site: &Site,
    floor: &SiteFloor,
    samples: &[Sample],
    filters: &Filters,
) -> (
    LayerOptions,
    String,
    Option<std::sync::Arc<wisp_plan::SharedLattice>>,
) {
    let f = &floor.floor;
    let walls = (!f.walls.is_empty()).then(|| WallAware {
        walls: f.walls.clone(),
        materials: f.materials.clone(),
    });
    let mut opts = LayerOptions {
        survey_range_m: f.survey_range_m,
        walls,
        ssids: filters.ssids.clone(),
        bands: filters.bands.clone(),
        bssids: filters.bssids.clone(),
        grouping: site.ap_grouping.clone(),
        network: site.network.clone(),
        ..Default::default()
    };
    let mut shared = None;
    let label = match floor.interpolation {
        MethodChoice::Fixed(m) => {
            opts.method = m;
            m.to_string()
        }
        // Cross-validate every method, `model` included (its calibration refitted on each
        // fold's training scans), on walk-out folds of this floor's own walk; a walk too short
        // to fold falls back to IDW.
        MethodChoice::Auto => {
            let cv = wisp_interp::validate::CrossValidation::default();
            let model = wisp_plan::CalibrationFit::for_walk(
                f.clone(),
                wisp_plan::CalibrationOptions {
                    grouping: site.ap_grouping.clone(),
                    ..Default::default()
                },
                samples,
            );
            shared = model.shared.clone();
            match wisp_interp::validate::auto_with(samples, Some(&model), &opts, &cv) {
                Ok(a) => {
                    opts.method = a.method;
                    format!(
                        "{} (auto: lowest walk-out RMSE, {:.2} dB)",
                        a.method,
                        a.validation
                            .best()
                            .map_or(f64::NAN, |b| b.overall.rmse_db())
                    )
                }
                Err(_) => {
                    opts.method = Method::Idw;
                    "idw (auto: too little walk to cross-validate)".to_string()
                }
            }
        }
    };
    (opts, label, shared)
}

/// [`analyse`] with only the radios `filters` keeps.
pub fn analyse_with(
    site: &Site,
    floor: &SiteFloor,
    samples: &[Sample],
    filters: &Filters,
) -> Result<FloorAnalysis, Error> {
    let f = &floor.floor;
    let g = floor_grid(f)?;
    let (opts, method, shared) = layer_options_sharing(site, floor, samples, filters);
    let inside = |r: usize, c: usize| f.outline.contains(g.centre(r, c));
    let profiles = all_profiles(site);
    let find = |n: &str| profiles.iter().find(|p| p.name == n).cloned();
    // Method `model` (regression kriging) needs the floor's calibrated propagation model as its
    // trend; a floor that cannot be calibrated falls back to ordinary kriging.
    let mut opts = opts;
    let mut method = method;
    let calibrations = crate::calibrations::FloorCalibrations::default();
    let calibration = if opts.method == Method::Model {
        let cal_opts = wisp_plan::CalibrationOptions {
            grouping: site.ap_grouping.clone(),
            ..Default::default()
        };
        // With `auto`, from the lattice table its folds shared: the same calibration, bit
        // for bit (`wisp_plan::calibrate_sharing`), without computing the table again.
        let c = calibrations.get_sharing(f, samples, &cal_opts, shared.as_deref());
        if let Err(e) = c.as_ref() {
            opts.method = Method::Kriging;
            method = format!("kriging (model: the floor could not be calibrated: {e})");
        }
        Some(c)
    } else {
        None
    };
    let trend = calibration
        .as_ref()
        .and_then(|c| c.as_ref().as_ref().ok())
        .map(|c| wisp_plan::CalibratedTrend::new(f, c));
    let trend_ref = trend
        .as_ref()
        .map(|t| t as &dyn wisp_interp::regression::Trend);
    match SignalLayers::build_with(samples, &g, &inside, &opts, trend_ref).map(|(l, _)| l) {
        Ok(layers) => {
            let zones = evaluate_floor(f, &layers, &find, &EvalOptions::default());
            Ok(FloorAnalysis {
                ranks_approximate: layers.ranks_approximate(),
                layers: Some(layers),
                zones,
                method,
                plan_image: Default::default(),
                calibrations,
            })
        }
        Err(e) if *e.kind() == wisp_interp::InterpErrorKind::NoSamples => {
            // Judge against an all-unsurveyed floor, so every zone says "not enough data".
            let empty = unsurveyed_layers(g);
            let zones = evaluate_floor(f, &empty, &find, &EvalOptions::default());
            Ok(FloorAnalysis {
                calibrations,
                ..FloorAnalysis::without_layers(zones, method)
            })
        }
        Err(e) => Err(Error::input(format!("floor '{}': {e}", f.id))),
    }
}

fn unsurveyed_layers(g: GridGeometry) -> SignalLayers {
    use wisp_model::Grid;
    let nan = Grid::filled(g, f32::NAN);
    SignalLayers {
        radios: Vec::new(),
        primary: nan.clone(),
        secondary: nan.clone(),
        tertiary: nan.clone(),
        snr: nan.clone(),
        radio_count: Grid::filled(g, 0),
        cochannel: Grid::filled(g, 0),
        serving: Grid::filled(g, wisp_interp::layers::NO_RADIO),
        distance_m: nan,
        surveyed: Grid::filled(g, false),
        primary_std_dev: None,
    }
}

/// The access points of the other floors of `floor`'s building as wisp-radio hears them through
/// the slabs (none for a floor without a `level`). An AP without a `bssid` gets the locally
/// administered `02:00:00:<1 + its floor's index>:<its index>:00`, so that it differs from the
/// walked floor's own (`02:00:00:00:<index>:00`).
pub fn through_slabs(site: &Site, floor: &SiteFloor) -> Vec<ThroughSlabs> {
    site.stacked_aps(floor)
        .into_iter()
        .map(|s| {
            let mut ap = s.ap;
            if ap.base_bssid.is_none() {
                let fi = site
                    .floors
                    .iter()
                    .position(|f| f.floor.id == s.floor)
                    .unwrap_or(0);
                let ai = site
                    .floor(&s.floor)
                    .and_then(|f| f.floor.aps.iter().position(|a| a.name == ap.name))
                    .unwrap_or(0);
                ap.base_bssid = Some(wisp_model::Bssid([
                    0x02,
                    0,
                    0,
                    ((fi + 1) & 0xff) as u8,
                    (ai & 0xff) as u8,
                    0,
                ]));
            }
            ThroughSlabs {
                ap,
                slabs: s.slabs,
                height_m: s.height_m,
            }
        })
        .collect()
}

/// One shard of a site's floors, `I/N` (1-based): the floors whose manifest index (0-based)
/// mod N is I − 1. Shards 1/N … N/N together take every floor exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// I, 1..=N.
    pub index: usize,
    /// N.
    pub count: usize,
}

impl Shard {
    /// Whether floor `floor_index` (0-based, manifest order) belongs to this shard.
    pub fn takes(&self, floor_index: usize) -> bool {
        floor_index % self.count == self.index - 1
    }
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("shard '{s}': expected I/N with 1 ≤ I ≤ N, e.g. 1/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// How a run over a site's floors goes.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Only this shard's floors.
    pub shard: Option<Shard>,
    /// Only these radios.
    pub filters: Filters,
}

/// Where a run reports what it is doing: a front end's progress display (the CLI draws
/// progress bars), or nothing ([`NoProgress`]). Called from the worker threads.
pub trait Progress: Sync {
    /// The run starts over `floors` floors of `label` (the site, and the shard if any).
    fn start(&self, _label: &str, _floors: usize) {}
    /// Floor `id` is now doing `what` (reading captures, interpolating, drawing...).
    fn step(&self, _id: &str, _what: &str) {}
    /// Floor `id` is done, well or not.
    fn floor_done(&self, _id: &str) {}
    /// Every floor is done.
    fn finish(&self) {}
}

/// A run that reports nothing.
pub struct NoProgress;

impl Progress for NoProgress {}

/// One floor being processed, as the per-floor work of [`analyse_site_with`] sees it.
pub struct FloorJob<'a> {
    /// Index of the floor in the manifest (0-based).
    pub index: usize,
    pub site: &'a Site,
    pub floor: &'a SiteFloor,
    pub samples: &'a [Sample],
    progress: &'a dyn Progress,
}

impl<'a> FloorJob<'a> {
    /// A floor's job outside a run (its analysis already in hand, as a check's), reporting
    /// nothing.
    pub fn alone(
        index: usize,
        site: &'a Site,
        floor: &'a SiteFloor,
        samples: &'a [Sample],
    ) -> Self {
        FloorJob {
            index,
            site,
            floor,
            samples,
            progress: &NoProgress,
        }
    }

    /// Reports what the floor's worker is doing now.
    pub fn step(&self, what: &str) {
        self.progress.step(&self.floor.floor.id, what);
    }
}

/// What happened to one floor of a run.
pub struct FloorOutcome<T> {
    /// Index of the floor in the manifest (0-based).
    pub index: usize,
    pub id: String,
    pub result: Result<T, Error>,
    /// What ingest did per capture file of the floor (empty with a survey JSON).
    pub reports: Vec<FileReport>,
    pub scans: usize,
}

/// Runs every floor of the site (or of `opts.shard`) in parallel on rayon's threads: reads the
/// floor's captures (unless `survey` is given), builds its layers, evaluates its zones and
/// hands the analysis to `work`, whose result is all that is kept: the layers are dropped as soon
/// as `work` returns, so a run over hundreds of floors holds only a few floors' layers at once.
/// A floor that fails (bad capture, error in `work`, even a panic) fails alone; the others are
/// still processed. Outcomes come back in manifest order; `progress` hears each floor's steps.
pub fn analyse_site_with<T, F>(
    site: &Site,
    survey: Option<&Survey>,
    opts: &RunOptions,
    progress: &dyn Progress,
    work: F,
) -> Vec<FloorOutcome<T>>
where
    T: Send,
    F: Fn(&FloorJob<'_>, FloorAnalysis) -> Result<T, Error> + Sync,
{
    let chosen: Vec<usize> = (0..site.floors.len())
        .filter(|i| opts.shard.is_none_or(|s| s.takes(*i)))
        .collect();
    progress.start(
        &match opts.shard {
            Some(s) => format!("{} shard {s}", site.name),
            None => site.name.clone(),
        },
        chosen.len(),
    );
    let outcomes = chosen
        .par_iter()
        .map(|&index| {
            let sf = &site.floors[index];
            let mut reports = Vec::new();
            let mut scans = 0;
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let owned;
                let samples: &[Sample] = match survey {
                    Some(s) => samples_of(s, &sf.floor.id),
                    None => {
                        progress.step(&sf.floor.id, "reading captures");
                        let (s, r) = wisp_ingest::ingest_floor(sf)?;
                        reports = r;
                        owned = s;
                        &owned
                    }
                };
                scans = samples.len();
                let job = FloorJob {
                    index,
                    site,
                    floor: sf,
                    samples,
                    progress,
                };
                job.step(&format!(
                    "interpolating {}",
                    count(samples.len(), "scan", "scans")
                ));
                let analysis = analyse_with(site, sf, samples, &opts.filters)?;
                work(&job, analysis)
            }))
            .unwrap_or_else(|panic| {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown".into());
                Err(Error::input(format!("internal error: {what}")))
            });
            progress.floor_done(&sf.floor.id);
            FloorOutcome {
                index,
                id: sf.floor.id.clone(),
                result,
                reports,
                scans,
            }
        })
        .collect();
    progress.finish();
    outcomes
}

/// Every floor's layers and zone results (or why the floor failed), in manifest order, computed
/// in parallel. Keeps every floor's layers: for many floors use [`analyse_site_with`] and keep
/// only what is needed.
#[allow(dead_code)]
pub fn analyse_site(
    site: &Site,
    survey: Option<&Survey>,
    opts: &RunOptions,
) -> Vec<(String, Result<FloorAnalysis, Error>)> {
    analyse_site_with(site, survey, opts, &NoProgress, |_, a| Ok(a))
        .into_iter()
        .map(|o| (o.id, o.result))
        .collect()
}

/// The exit code of the first floor that failed, if any did.
pub fn failure_code<T>(outcomes: &[FloorOutcome<T>]) -> Option<ExitCode> {
    outcomes
        .iter()
        .find_map(|o| o.result.as_ref().err().map(|e| e.exit_code()))
}

/// The samples of floor `id` in the survey (none if the survey lacks the floor).
pub fn samples_of<'a>(survey: &'a Survey, id: &str) -> &'a [Sample] {
    survey
        .floor(id)
        .map(|f| f.samples.as_slice())
        .unwrap_or(&[])
}

/// The site's floor ids, comma-separated, for messages naming what exists.
pub fn floor_ids(site: &Site) -> String {
    site.floors
        .iter()
        .map(|f| f.floor.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Picks a floor by id, or the only floor when none is named.
pub fn pick_floor<'a>(site: &'a Site, id: Option<&str>) -> Result<&'a SiteFloor, Error> {
    match id {
        Some(id) => site.floor(id).ok_or_else(|| {
            Error::input(format!(
                "{}: no floor '{id}' (floors: {})",
                site.manifest_path.display(),
                floor_ids(site)
            ))
        }),
        None if site.floors.len() == 1 => Ok(&site.floors[0]),
        None => Err(Error::input(format!(
            "{} has {} floors: name one with --floor ({})",
            site.manifest_path.display(),
            site.floors.len(),
            floor_ids(site)
        ))),
    }
}

#[cfg(test)]
mod tests {
    /// `interpolation = "model"`: the floor's layers come from regression kriging on its
    /// calibrated model, which honours the measurements (the primary signal at a scan is within
    /// a few dB of the strongest reading there, as kriging's is).
    #[test]
    fn a_floor_interpolated_by_the_calibrated_model() {
        let mut loaded = super::load(&crate::sample_site(), None).unwrap();
        loaded.site.floors[0].interpolation =
            wisp_model::MethodChoice::Fixed(wisp_model::Method::Model);
        let sf = &loaded.site.floors[0];
        let samples = super::samples_of(&loaded.survey, &sf.floor.id);
        let a = super::analyse(&loaded.site, sf, samples).unwrap();
        assert_eq!(a.method, "model");
        let layers = a.layers.expect("the sample floor has scans");
        let g = *layers.primary.geometry();
        let mut checked = 0;
        for s in samples.iter().step_by(25) {
            let Some((r, c)) = g.cell_at(s.position()) else {
                continue;
            };
            let strongest = s
                .observations
                .iter()
                .map(|o| o.rssi_dbm)
                .fold(f64::NEG_INFINITY, f64::max);
            let at = layers.primary.get(r, c).copied().unwrap_or(f32::NAN) as f64;
            if at.is_finite() && strongest.is_finite() {
                assert!((at - strongest).abs() < 8.0, "{at} vs {strongest}");
                checked += 1;
            }
        }
        assert!(checked > 5, "{checked} scans checked");
        assert_eq!(a.zones.len(), sf.floor.zones.len());
    }

    use super::Shard;

    #[test]
    fn shards_take_every_floor_exactly_once() {
        let s: Vec<Shard> = (1..=3).map(|i| format!("{i}/3").parse().unwrap()).collect();
        for floor in 0..10 {
            assert_eq!(s.iter().filter(|s| s.takes(floor)).count(), 1);
        }
        assert!(s[0].takes(0) && s[0].takes(3) && s[2].takes(2));
        for bad in ["0/3", "4/3", "1/0", "1", "a/b", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(" 2 / 5".parse::<Shard>().unwrap().to_string(), "2/5");
    }
}
