//! Before and after: what changed between two surveys of one site.
//!
//! Compares zone results and layers computed on the same floor grid. Every quantity is a
//! difference `after − before`, so swapping the surveys negates it (antisymmetry) and comparing a
//! survey with itself gives nothing.

use crate::evaluate::{Criterion, DeadZone, ZoneResult};
use serde::Serialize;
use wisp_model::{Grid, Point};

/// How one zone changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneChange {
    pub zone: String,
    /// Change in the share of surveyed area meeting every criterion (−1..1).
    pub pass_share: f64,
    /// Change in median and 5th-percentile primary signal, dB (NaN where either lacks data).
    pub median_primary_db: f64,
    pub p5_primary_db: f64,
    pub verdict_before: String,
    pub verdict_after: String,
}

/// A dead zone present in one survey and absent (no overlapping dead zone of the same zone and
/// criterion) in the other.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeadZoneChange {
    pub zone: String,
    pub criterion: Criterion,
    pub area_m2: f64,
    pub centroid_m: Point,
}

/// Everything that changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SurveyDiff {
    pub zones: Vec<ZoneChange>,
    pub appeared: Vec<DeadZoneChange>,
    pub disappeared: Vec<DeadZoneChange>,
    /// Cells surveyed in both whose primary signal fell by more than the threshold.
    pub worse_cells: usize,
    pub worse_area_m2: f64,
    /// And rose by more than it.
    pub better_cells: usize,
    pub better_area_m2: f64,
}

impl SurveyDiff {
    /// True when nothing changed.
    pub fn is_empty(&self) -> bool {
        self.zones.iter().all(|z| {
            z.pass_share == 0.0 && zero_or_nan(z.median_primary_db) && zero_or_nan(z.p5_primary_db)
        }) && self.appeared.is_empty()
            && self.disappeared.is_empty()
            && self.worse_cells == 0
            && self.better_cells == 0
    }
}

fn zero_or_nan(v: f64) -> bool {
    v == 0.0 || v.is_nan()
}

/// `after − before` of the primary layer where both surveys reached the cell; NaN elsewhere.
pub fn difference(
    before: &Grid<f32>,
    before_surveyed: &Grid<bool>,
    after: &Grid<f32>,
    after_surveyed: &Grid<bool>,
) -> Grid<f32> {
    Grid::from_fn(*before.geometry(), |r, c| {
        let both = before_surveyed.get(r, c).copied().unwrap_or(false)
            && after_surveyed.get(r, c).copied().unwrap_or(false);
        match (both, before.get(r, c), after.get(r, c)) {
            (true, Some(b), Some(a)) => a - b,
            _ => f32::NAN,
        }
    })
}

/// Compares two evaluations of the same zones and the difference layer. `threshold_db` is the
/// change that counts a cell as worse or better (strictly more than it).
pub fn diff(
    before: &[ZoneResult],
    after: &[ZoneResult],
    difference: &Grid<f32>,
    threshold_db: f64,
) -> SurveyDiff {
    let primary = |z: &ZoneResult| {
        z.criteria
            .iter()
            .find(|c| c.criterion == Criterion::Primary)
            .cloned()
    };
    let zones = before
        .iter()
        .filter_map(|b| after.iter().find(|a| a.zone == b.zone).map(|a| (b, a)))
        .map(|(b, a)| {
            let (pb, pa) = (primary(b), primary(a));
            let delta = |f: fn(&crate::CriterionResult) -> f64| match (&pb, &pa) {
                (Some(x), Some(y)) => f(y) - f(x),
                _ => f64::NAN,
            };
            ZoneChange {
                zone: b.zone.clone(),
                pass_share: a.pass_share - b.pass_share,
                median_primary_db: delta(|c| c.median),
                p5_primary_db: delta(|c| c.p5),
                verdict_before: b.verdict.name().to_string(),
                verdict_after: a.verdict.name().to_string(),
            }
        })
        .collect();
    let dead = |zs: &[ZoneResult]| {
        zs.iter()
            .flat_map(|z| z.dead_zones.iter().cloned())
            .collect::<Vec<DeadZone>>()
    };
    let (db, da) = (dead(before), dead(after));
    let cell_area = difference.geometry().cell_area();
    let count = |pred: &dyn Fn(f32) -> bool| {
        difference
            .values()
            .iter()
            .filter(|v| !v.is_nan() && pred(**v))
            .count()
    };
    let worse_cells = count(&|v| (v as f64) < -threshold_db);
    let better_cells = count(&|v| (v as f64) > threshold_db);
    SurveyDiff {
        zones,
        appeared: unmatched(&da, &db),
        disappeared: unmatched(&db, &da),
        worse_cells,
        worse_area_m2: worse_cells as f64 * cell_area,
        better_cells,
        better_area_m2: better_cells as f64 * cell_area,
    }
}

/// Dead zones of `these` with no dead zone of the same zone and criterion in `others` whose
/// outline's bounding box overlaps theirs.
fn unmatched(these: &[DeadZone], others: &[DeadZone]) -> Vec<DeadZoneChange> {
    these
        .iter()
        .filter(|d| {
            !others.iter().any(|o| {
                o.zone == d.zone
                    && o.criterion == d.criterion
                    && boxes_overlap(&o.outline_m, &d.outline_m)
            })
        })
        .map(|d| DeadZoneChange {
            zone: d.zone.clone(),
            criterion: d.criterion,
            area_m2: d.area_m2,
            centroid_m: d.centroid_m,
        })
        .collect()
}

fn boxes_overlap(a: &[Point], b: &[Point]) -> bool {
    let bbox = |v: &[Point]| {
        v.iter().fold(
            (
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ),
            |(x0, y0, x1, y1), p| (x0.min(p.x), y0.min(p.y), x1.max(p.x), y1.max(p.y)),
        )
    };
    let (a, b) = (bbox(a), bbox(b));
    a.0 <= b.2 && b.0 <= a.2 && a.1 <= b.3 && b.1 <= a.3
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{CriterionResult, Verdict};
    use wisp_model::GridGeometry;

    fn zone(name: &str, pass: f64, median: f64, dead: Vec<DeadZone>) -> ZoneResult {
        ZoneResult {
            zone: name.into(),
            kind: wisp_model::ZoneKind::Bay,
            profile: "nhs-minimum".into(),
            area_m2: 20.0,
            surveyed_share: 1.0,
            pass_share: pass,
            criteria: vec![CriterionResult {
                criterion: Criterion::Primary,
                threshold: -65.0,
                pass_share: pass,
                worst: median - 10.0,
                p5: median - 5.0,
                median,
            }],
            dead_area_m2: dead.iter().map(|d| d.area_m2).sum(),
            at_risk: Vec::new(),
            verdict: if dead.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            dead_zones: dead,
        }
    }

    fn dz(name: &str, x: f64) -> DeadZone {
        DeadZone {
            zone: name.into(),
            criterion: Criterion::Primary,
            confidence: crate::Confidence::Dead,
            fail_probability: 1.0,
            area_m2: 4.0,
            centroid_m: Point::new(x + 1.0, 1.0),
            worst: -80.0,
            shortfall: 15.0,
            nearest_radio: None,
            outline_m: vec![
                Point::new(x, 0.0),
                Point::new(x + 2.0, 0.0),
                Point::new(x + 2.0, 2.0),
                Point::new(x, 2.0),
            ],
        }
    }

    fn layers() -> (Grid<f32>, Grid<f32>, Grid<bool>) {
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 4, 1).unwrap();
        let before = Grid::from_vec(g, vec![-60.0, -70.0, -80.0, -50.0]);
        let after = Grid::from_vec(g, vec![-60.0, -62.0, -90.0, -51.0]);
        (before, after, Grid::filled(g, true))
    }

    #[test]
    fn a_survey_against_itself_is_empty() {
        let (b, _, s) = layers();
        let zs = vec![zone("Bay A", 0.8, -62.0, vec![dz("Bay A", 0.0)])];
        let d = diff(&zs, &zs, &difference(&b, &s, &b, &s), 3.0);
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn diff_is_antisymmetric_and_counts_by_hand() {
        let (b, a, s) = layers();
        let before = vec![
            zone("Bay A", 0.6, -66.0, vec![dz("Bay A", 0.0)]),
            zone("Bay B", 1.0, -55.0, vec![]),
        ];
        let after = vec![
            zone("Bay A", 1.0, -60.0, vec![]),
            zone("Bay B", 0.9, -58.0, vec![dz("Bay B", 5.0)]),
        ];
        let fwd = diff(&before, &after, &difference(&b, &s, &a, &s), 3.0);
        let back = diff(&after, &before, &difference(&a, &s, &b, &s), 3.0);
        // Cells change by 0, +8, −10, −1: one better, one worse at a 3 dB threshold.
        assert_eq!((fwd.worse_cells, fwd.better_cells), (1, 1));
        assert_eq!((back.worse_cells, back.better_cells), (1, 1));
        assert_eq!(fwd.appeared, back.disappeared);
        assert_eq!(fwd.disappeared, back.appeared);
        assert_eq!(fwd.appeared[0].zone, "Bay B");
        assert_eq!(fwd.disappeared[0].zone, "Bay A");
        for (f, r) in fwd.zones.iter().zip(&back.zones) {
            assert_eq!(f.pass_share, -r.pass_share);
            assert_eq!(f.median_primary_db, -r.median_primary_db);
            assert_eq!(f.p5_primary_db, -r.p5_primary_db);
        }
        assert!((fwd.zones[0].pass_share - 0.4).abs() < 1e-12);
        assert_eq!(fwd.zones[0].median_primary_db, 6.0);
    }

    #[test]
    fn only_cells_surveyed_in_both_count() {
        let (b, a, s) = layers();
        let partly = Grid::from_vec(*s.geometry(), vec![true, false, true, true]);
        let d = difference(&b, &s, &a, &partly);
        assert!(d.get(0, 1).unwrap().is_nan());
        assert_eq!(*d.get(0, 2).unwrap(), -10.0);
    }
}
