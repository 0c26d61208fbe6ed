//! Comparing two surveys of one site (`wisp diff`): both judged on the later site's zones,
//! walls and profiles; per floor the change in primary signal on the cells surveyed in both, each
//! zone's change and the dead zones that appeared or went ([`wisp_coverage::diff`]).

use crate::pipeline::{self, Loaded};
use crate::Error;
use serde::Serialize;
use std::path::Path;
use wisp_coverage::diff::{diff, difference, SurveyDiff};
use wisp_model::Grid;

fn is_survey_json(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The site whose manifest judges both sides: `site` if given, else AFTER's own when AFTER is a
/// site rather than a survey JSON.
pub fn judging_site(after: &Path, site: Option<&Path>) -> Option<std::path::PathBuf> {
    site.map(Path::to_path_buf)
        .or_else(|| (!is_survey_json(after)).then(|| after.to_path_buf()))
}

/// One side of a comparison: a survey JSON (which needs `site`) or a site folder or manifest.
pub fn load_side(path: &Path, site: Option<&Path>) -> Result<Loaded, Error> {
    if is_survey_json(path) {
        let site = site.ok_or_else(|| {
            Error::input(format!(
                "{}: a survey JSON needs --site SITE",
                path.display()
            ))
        })?;
        pipeline::load(site, Some(path))
    } else {
        pipeline::load(path, None)
    }
}

/// One floor's change.
#[derive(Debug, Clone)]
pub struct FloorChange {
    pub id: String,
    /// After − before primary signal, dB, on the cells surveyed in both (NaN elsewhere).
    pub delta: Grid<f32>,
    pub diff: SurveyDiff,
}

/// Refuses a threshold that is negative or not a number (before a front end loads the surveys,
/// so the mistake is said first).
pub fn check_threshold(threshold_db: f64) -> Result<(), Error> {
    if !threshold_db.is_finite() || threshold_db < 0.0 {
        return Err(Error::input("--threshold-db must be a non-negative number"));
    }
    Ok(())
}

/// Compares `before` with `after` on every floor of AFTER's site; a cell counts as worse (or
/// better) past `threshold_db`.
pub fn compare(
    before: &Loaded,
    after: &Loaded,
    threshold_db: f64,
) -> Result<Vec<FloorChange>, Error> {
    check_threshold(threshold_db)?;
    // Both sides are judged on AFTER's site (its zones, walls and profiles).
    let site = &after.site;
    let mut floors = Vec::new();
    for sf in &site.floors {
        let id = &sf.floor.id;
        let b = pipeline::analyse(site, sf, pipeline::samples_of(&before.survey, id))?;
        let a = pipeline::analyse(site, sf, pipeline::samples_of(&after.survey, id))?;
        let (Some(bl), Some(al)) = (&b.layers, &a.layers) else {
            return Err(Error::input(format!(
                "floor '{id}': both surveys need samples on it to compare"
            )));
        };
        let delta = difference(&bl.primary, &bl.surveyed, &al.primary, &al.surveyed);
        let d = diff(&b.zones, &a.zones, &delta, threshold_db);
        floors.push(FloorChange {
            id: id.clone(),
            delta,
            diff: d,
        });
    }
    Ok(floors)
}

/// One floor of `wisp diff --json`.
#[derive(Debug, Clone, Serialize)]
pub struct DiffFloor<'a> {
    pub floor: &'a str,
    pub diff: &'a SurveyDiff,
}

/// The one serde type of `wisp diff --json`. Written through [`serde_json::Value`], so its keys
/// come out sorted.
#[derive(Debug, Clone, Serialize)]
pub struct DiffDocument<'a> {
    pub site: &'a str,
    pub threshold_db: f64,
    pub floors: Vec<DiffFloor<'a>>,
}

impl<'a> DiffDocument<'a> {
    pub fn of(site: &'a str, threshold_db: f64, floors: &'a [FloorChange]) -> Self {
        DiffDocument {
            site,
            threshold_db,
            floors: floors
                .iter()
                .map(|f| DiffFloor {
                    floor: &f.id,
                    diff: &f.diff,
                })
                .collect(),
        }
    }

    /// The document as JSON with sorted keys.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

fn signed(v: f64, unit: &str) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:+.1}{unit}")
    }
}

/// The zone table and each floor's areas and dead zones, for people.
pub fn table(floors: &[FloorChange], threshold: f64) -> String {
    let mut s = format!(
        "{:<6} {:<28} {:>10} {:>10} {:>10}  {}\n",
        "floor", "zone", "Δ pass", "Δ median", "Δ p5", "verdict before → after"
    );
    for FloorChange { id, diff: d, .. } in floors {
        for z in &d.zones {
            s += &format!(
                "{:<6} {:<28} {:>10} {:>10} {:>10}  {} → {}\n",
                id,
                z.zone.chars().take(28).collect::<String>(),
                signed(100.0 * z.pass_share, "%"),
                signed(z.median_primary_db, " dB"),
                signed(z.p5_primary_db, " dB"),
                z.verdict_before,
                z.verdict_after
            );
        }
        s += &format!(
            "{id}: {:.1} m² got worse by more than {threshold} dB, {:.1} m² better\n",
            d.worse_area_m2, d.better_area_m2
        );
        for dz in &d.appeared {
            s += &format!(
                "{id}: new dead zone in {} ({}, {:.1} m² at {:.1}, {:.1} m)\n",
                dz.zone,
                dz.criterion.name(),
                dz.area_m2,
                dz.centroid_m.x,
                dz.centroid_m.y
            );
        }
        for dz in &d.disappeared {
            s += &format!(
                "{id}: dead zone gone from {} ({}, {:.1} m²)\n",
                dz.zone,
                dz.criterion.name(),
                dz.area_m2
            );
        }
    }
    s
}
