//! The steps every site command shares: load the site and its survey, build layers, evaluate.

use crate::CliError;
use std::path::Path;
use wisp_coverage::{evaluate_floor, EvalOptions, ZoneResult};
use wisp_ingest::{FileReport, Site, SiteFloor};
use wisp_interp::layers::WallAware;
use wisp_interp::{LayerOptions, SignalLayers};
use wisp_model::{GridGeometry, Point, RequirementProfile, Sample, Survey, SurveyFloor};

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

pub fn load_site(site: &Path) -> Result<Site, CliError> {
    Ok(wisp_ingest::load_site(site, &builtin_names())?)
}

/// Loads the site, and the survey from `survey` if given, else from the manifest's captures.
pub fn load(site: &Path, survey: Option<&Path>) -> Result<Loaded, CliError> {
    let site = load_site(site)?;
    match survey {
        Some(path) => {
            let bytes = wisp_ingest::read_limited(path, wisp_ingest::MAX_CAPTURE_BYTES)?;
            let text = wisp_ingest::text::decode(&bytes).map_err(|e| e.at(path))?;
            let survey = wisp_ingest::native::parse_survey(&text).map_err(|e| e.at(path))?;
            for f in &survey.floors {
                if site.floor(&f.id).is_none() {
                    return Err(CliError::input(format!(
                        "{}: floor '{}' is not in the site manifest {}",
                        path.display(),
                        f.id,
                        site.manifest_path.display()
                    )));
                }
            }
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
pub fn floor_grid(floor: &wisp_model::Floor) -> Result<GridGeometry, CliError> {
    GridGeometry::covering(Point::new(0.0, 0.0), floor.size_m(), ANALYSIS_CELL_M)
        .map_err(|e| CliError::input(format!("floor '{}': {e}", floor.id)))
}

/// One floor's layers and zone results.
pub struct FloorAnalysis {
    pub layers: Option<SignalLayers>,
    pub zones: Vec<ZoneResult>,
}

/// Builds the layers of a floor from its samples and evaluates its zones. A floor with no usable
/// samples has no layers and every zone is "not enough data".
pub fn analyse(
    site: &Site,
    floor: &SiteFloor,
    samples: &[Sample],
) -> Result<FloorAnalysis, CliError> {
    let f = &floor.floor;
    let g = floor_grid(f)?;
    let walls = (!f.walls.is_empty()).then(|| WallAware {
        walls: f.walls.clone(),
        materials: f.materials.clone(),
    });
    let opts = LayerOptions {
        survey_range_m: f.survey_range_m,
        walls,
        ..Default::default()
    };
    let inside = |r: usize, c: usize| f.outline.contains(g.centre(r, c));
    let profiles = all_profiles(site);
    let find = |n: &str| profiles.iter().find(|p| p.name == n).cloned();
    match SignalLayers::build(samples, &g, &inside, &opts) {
        Ok(layers) => {
            let zones = evaluate_floor(f, &layers, &find, &EvalOptions::default());
            Ok(FloorAnalysis {
                layers: Some(layers),
                zones,
            })
        }
        Err(wisp_interp::InterpError::NoSamples) => {
            // Judge against an all-unsurveyed floor, so every zone says "not enough data".
            let empty = unsurveyed_layers(g);
            let zones = evaluate_floor(f, &empty, &find, &EvalOptions::default());
            Ok(FloorAnalysis {
                layers: None,
                zones,
            })
        }
        Err(e) => Err(CliError::input(format!("floor '{}': {e}", f.id))),
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
    }
}

/// The samples of floor `id` in the survey (none if the survey lacks the floor).
pub fn samples_of<'a>(survey: &'a Survey, id: &str) -> &'a [Sample] {
    survey
        .floor(id)
        .map(|f| f.samples.as_slice())
        .unwrap_or(&[])
}

/// Picks a floor by id, or the only floor when none is named.
pub fn pick_floor<'a>(site: &'a Site, id: Option<&str>) -> Result<&'a SiteFloor, CliError> {
    match id {
        Some(id) => site.floor(id).ok_or_else(|| {
            CliError::input(format!(
                "{}: no floor '{id}' (floors: {})",
                site.manifest_path.display(),
                site.floors
                    .iter()
                    .map(|f| f.floor.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }),
        None if site.floors.len() == 1 => Ok(&site.floors[0]),
        None => Err(CliError::input(format!(
            "{} has {} floors: name one with --floor ({})",
            site.manifest_path.display(),
            site.floors.len(),
            site.floors
                .iter()
                .map(|f| f.floor.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// Prints what ingest did per file to stderr: format, counts, skips by reason with locations.
pub fn print_reports(reports: &[FileReport]) {
    for r in reports {
        eprintln!(
            "{}: {} — {} scans, {} observations, {} BSSIDs, {} skipped",
            r.file,
            r.format,
            r.scans,
            r.observations,
            r.bssids,
            r.skipped.total()
        );
        for (reason, n, locs) in r.skipped.iter() {
            eprintln!("    skipped {n} × {reason} (first at {})", locs.join(", "));
        }
    }
}
