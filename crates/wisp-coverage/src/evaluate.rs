//! Zone evaluation: which share of each zone meets each criterion of its profile, and where the
//! dead zones are.
//!
//! A cell belongs to a zone when its centre lies inside the zone's polygon. Only *surveyed* cells
//! (near enough to a sample, see `wisp_interp::LayerOptions::survey_range_m`) are judged; the
//! rest are reported as not surveyed and never as dead. A value exactly at a threshold passes.
//!
//! **The verdict follows what was measured.** A zone fails when its surveyed part holds a dead
//! zone, whatever share of it was surveyed; it has "not enough data" only when nothing surveyed
//! fails. A dead zone is a connected failing region of at least
//! [`EvalOptions::min_dead_zone_m2`], or any failing region of a criterion that misses its pass
//! share, so a zone fails exactly when its dead area is positive.
//!
//! **Confidence.** Where the layers carry the map's standard deviation
//! ([`SignalLayers::primary_std_dev`], for the primary signal and the SNR derived from it), each
//! judged cell has a probability of failing ([`crate::confidence`]). Dead cells are those where
//! failing is more likely than not — exactly the failing cells, so a deviation never changes a
//! verdict. Passing cells that still fail with probability ≥ 20 % form the **at-risk** regions,
//! reported apart ([`ZoneResult::at_risk`]) and never counted in a verdict. An unsurveyed cell is
//! judged only when the map's deviation there is under [`EvalOptions::sure_std_dev_db`].

use crate::confidence::{fail_probability, judged, Confidence};
use crate::regions::{regions, Region};
use serde::{Deserialize, Deserializer, Serialize};
use wisp_interp::SignalLayers;
use wisp_model::{Floor, Grid, Point, RequirementProfile, Zone, ZoneKind};

/// Options of the evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalOptions {
    /// A dead zone must cover at least this many m² (default 1 m²: about a bed space; smaller
    /// failing patches are within the interpolation's own uncertainty), unless its criterion
    /// misses [`EvalOptions::min_pass_share`]: then every failing patch is a dead zone.
    pub min_dead_zone_m2: f64,
    /// A zone passes when each criterion holds on at least this share of its surveyed area and it
    /// has no dead zone. 0.95 (*estimate*): strict enough that a failing bay shows, loose enough
    /// that one unlucky cell at a door does not fail a room. Commercial planners aim at 0.99 for
    /// primary and 0.85 for secondary coverage (shared/reference.md §1).
    pub min_pass_share: f64,
    /// A zone with less than this share of its area surveyed is "not enough data" (0.5).
    pub min_surveyed_share: f64,
    /// An unsurveyed cell is judged when the map's standard deviation there is under this many
    /// dB: the model is then as sure as a survey is. 3 dB, the accuracy published for kriged
    /// indoor radio maps of measured data (within 3 dB at 72 % of points, Jan et al., Sensors
    /// 15(9):21377; shared/reference.md §7), an *estimate* of what a measurement itself gives.
    pub sure_std_dev_db: f64,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            min_dead_zone_m2: 1.0,
            min_pass_share: 0.95,
            min_surveyed_share: 0.5,
            sure_std_dev_db: 3.0,
        }
    }
}

/// One requirement of a profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    Primary,
    Secondary,
    Tertiary,
    Snr,
    CoChannel,
}

impl Criterion {
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Primary => "primary",
            Criterion::Secondary => "secondary",
            Criterion::Tertiary => "tertiary",
            Criterion::Snr => "snr",
            Criterion::CoChannel => "co-channel",
        }
    }

    /// The criteria a profile sets, with their thresholds. For co-channel the threshold is the
    /// largest count allowed.
    pub fn of(profile: &RequirementProfile) -> Vec<(Criterion, f64)> {
        let mut v = vec![(Criterion::Primary, profile.primary_dbm.0)];
        v.extend(profile.secondary_dbm.map(|d| (Criterion::Secondary, d.0)));
        v.extend(profile.tertiary_dbm.map(|d| (Criterion::Tertiary, d.0)));
        v.extend(profile.snr_db.map(|d| (Criterion::Snr, d)));
        v.extend(
            profile
                .cochannel_max
                .map(|m| (Criterion::CoChannel, m as f64)),
        );
        v
    }

    /// The cell's value for this criterion (NaN where it has none: no second AP heard).
    pub fn value(self, layers: &SignalLayers, r: usize, c: usize) -> f64 {
        let f = |g: &wisp_model::Grid<f32>| g.get(r, c).map_or(f64::NAN, |v| *v as f64);
        match self {
            Criterion::Primary => f(&layers.primary),
            Criterion::Secondary => f(&layers.secondary),
            Criterion::Tertiary => f(&layers.tertiary),
            Criterion::Snr => f(&layers.snr),
            Criterion::CoChannel => layers.cochannel.get(r, c).map_or(f64::NAN, |v| *v as f64),
        }
    }

    /// The standard deviation of the criterion's value at a cell, dB, where the map has one: the
    /// primary signal's, which the SNR shares (the noise floor is a per-radio constant). NaN
    /// for the others (taken as certain).
    pub fn std_dev(self, layers: &SignalLayers, r: usize, c: usize) -> f64 {
        match (self, &layers.primary_std_dev) {
            (Criterion::Primary | Criterion::Snr, Some(sd)) => {
                sd.get(r, c).map_or(f64::NAN, |v| *v as f64)
            }
            _ => f64::NAN,
        }
    }

    /// Probability that the criterion fails at a cell whose value is `value` with standard
    /// deviation `sd` ([`crate::confidence::fail_probability`], mirrored for co-channel counts,
    /// which fail above the threshold). No value fails for certain.
    pub fn fail_probability(self, value: f64, sd: f64, threshold: f64) -> f64 {
        if value.is_nan() {
            return 1.0;
        }
        match self {
            Criterion::CoChannel => fail_probability(-value, sd, -threshold),
            _ => fail_probability(value, sd, threshold),
        }
    }

    /// Whether `value` meets `threshold`: at least it for signal and SNR, at most it for
    /// co-channel counts. No value never passes.
    pub fn passes(self, value: f64, threshold: f64) -> bool {
        match self {
            Criterion::CoChannel => value <= threshold,
            _ => value >= threshold,
        }
    }

    /// How far `value` misses `threshold`, positive when failing (dB, or radios for co-channel).
    pub fn shortfall(self, value: f64, threshold: f64) -> f64 {
        match self {
            Criterion::CoChannel => value - threshold,
            _ => threshold - value,
        }
    }

    /// Unit of `difference`, a difference from the threshold: dB for levels, radios for counts
    /// ("1 radio", "2 radios": the unit follows the count as printed, to the unit).
    pub fn margin_unit(self, difference: f64) -> &'static str {
        match self {
            Criterion::CoChannel => radios(difference),
            _ => "dB",
        }
    }

    /// Unit of `value`, a value of the criterion's layer: dBm, dB, or radios (as
    /// [`Criterion::margin_unit`]).
    pub fn unit(self, value: f64) -> &'static str {
        match self {
            Criterion::CoChannel => radios(value),
            Criterion::Snr => "dB",
            _ => "dBm",
        }
    }
}

/// "radio" for a count that prints as 1, else "radios".
fn radios(count: f64) -> &'static str {
    if count.round().abs() == 1.0 {
        "radio"
    } else {
        "radios"
    }
}

/// serde_json writes a NaN as `null`; this reads `null` back as NaN, so the results below survive
/// a round trip through JSON (shard bundles, check documents) unchanged.
fn nan_from_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// How one criterion fares over a zone's surveyed cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionResult {
    pub criterion: Criterion,
    pub threshold: f64,
    /// Share of surveyed cells meeting it.
    #[serde(deserialize_with = "nan_from_null")]
    pub pass_share: f64,
    /// Worst value (lowest signal, highest co-channel count); NaN when no value anywhere.
    #[serde(deserialize_with = "nan_from_null")]
    pub worst: f64,
    /// 5th percentile of the value (95th for co-channel): the level 95 % of the area beats.
    #[serde(deserialize_with = "nan_from_null")]
    pub p5: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub median: f64,
}

/// A connected region of a zone failing one criterion: dead (failing is more likely than not)
/// or at risk (passing, but failing is at least 20 % likely).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadZone {
    pub zone: String,
    pub criterion: Criterion,
    /// Dead, or only at risk (then the region never counts in a verdict). Absent from documents
    /// written before confidence existed: dead, the only kind then.
    #[serde(default = "dead")]
    pub confidence: Confidence,
    /// The highest probability of failing over the region's cells (1 where the map is taken as
    /// certain, and in documents written before it existed).
    #[serde(default = "certain", deserialize_with = "nan_from_null")]
    pub fail_probability: f64,
    pub area_m2: f64,
    pub centroid_m: Point,
    /// Worst value inside the region and how far it is from the threshold.
    #[serde(deserialize_with = "nan_from_null")]
    pub worst: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub shortfall: f64,
    /// The access point nearest the centroid (known APs, else where a radio was heard strongest).
    pub nearest_radio: Option<String>,
    /// Outline of the region through its border cells' centres, plan metres.
    pub outline_m: Vec<Point>,
}

/// A zone's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Pass,
    Fail,
    NotEnoughData,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::NotEnoughData => "not enough data",
        }
    }
}

fn dead() -> Confidence {
    Confidence::Dead
}

fn certain() -> f64 {
    1.0
}

/// A zone's evaluation. Its JSON (NaN as `null`) is written into check documents and shard
/// bundles and read back from them through this one type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneResult {
    pub zone: String,
    pub kind: ZoneKind,
    pub profile: String,
    pub area_m2: f64,
    #[serde(deserialize_with = "nan_from_null")]
    pub surveyed_share: f64,
    /// Share of surveyed cells meeting every criterion.
    #[serde(deserialize_with = "nan_from_null")]
    pub pass_share: f64,
    pub criteria: Vec<CriterionResult>,
    pub dead_zones: Vec<DeadZone>,
    /// Area covered by at least one dead zone, whatever its criterion (m²). Dead zones of two
    /// criteria may overlap, so this is at most the sum of their areas. Positive exactly when
    /// the zone fails. NaN when read from a document written before it existed (see
    /// [`ZoneResult::dead_area_or_sum`]).
    #[serde(default = "not_a_number", deserialize_with = "nan_from_null")]
    pub dead_area_m2: f64,
    /// Regions that pass but fail with probability ≥ 20 % (at least
    /// [`EvalOptions::min_dead_zone_m2`] each): reported apart, never in the verdict.
    #[serde(default)]
    pub at_risk: Vec<DeadZone>,
    pub verdict: Verdict,
}

fn not_a_number() -> f64 {
    f64::NAN
}

impl ZoneResult {
    /// A result read from a document written before `dead_area_m2` existed gets the dead zones'
    /// summed area, what that figure was then.
    pub fn dead_area_or_sum(mut self) -> ZoneResult {
        if self.dead_area_m2.is_nan() {
            self.dead_area_m2 = self.dead_zones.iter().map(|d| d.area_m2).sum();
        }
        self
    }
}

/// Evaluates every zone of `floor`. `profile` resolves a zone's profile name (the caller joins
/// built-in and manifest profiles; an unresolved name was refused at ingest).
pub fn evaluate_floor(
    floor: &Floor,
    layers: &SignalLayers,
    profile: &dyn Fn(&str) -> Option<RequirementProfile>,
    opts: &EvalOptions,
) -> Vec<ZoneResult> {
    floor
        .zones
        .iter()
        .filter_map(|z| profile(&z.profile).map(|p| evaluate_zone(floor, z, &p, layers, opts)))
        .collect()
}

/// Grid cells as (row, column).
pub type Cells = Vec<(usize, usize)>;

/// The cells of `layers` whose centre lies in `zone` (row, column), and those of them that
/// were surveyed: the cells a zone is judged on. Charts of a zone's distribution take the same.
pub fn zone_cells(zone: &Zone, layers: &SignalLayers, opts: &EvalOptions) -> (Cells, Cells) {
    let g = *layers.primary.geometry();
    let (min, max) = zone.polygon.bounds();
    // Only the cells under the zone's bounding box can be inside it.
    let cells_in = |lo: Point, hi: Point| {
        let (r0, c0) = clamp_cell(&g, lo);
        let (r1, c1) = clamp_cell(&g, hi);
        let (r0, r1) = (r0.min(r1), r0.max(r1));
        (r0..=r1).flat_map(move |r| (c0..=c1).map(move |c| (r, c)))
    };
    let inside: Vec<(usize, usize)> = cells_in(min, max)
        .filter(|&(r, c)| zone.polygon.contains(g.centre(r, c)))
        .collect();
    // Judged cells: surveyed, or sure enough without a scan (the map's deviation under the
    // margin). "Surveyed" below means judged.
    let surveyed: Vec<(usize, usize)> = inside
        .iter()
        .copied()
        .filter(|&(r, c)| judged_cell(layers, r, c, opts))
        .collect();
    (inside, surveyed)
}

/// Every cell of `layers` the evaluation judges: surveyed, or sure enough without a scan
/// ([`judged`] on the primary signal's deviation), as [`zone_cells`] takes them. Maps paint the
/// other cells grey, so no coloured cell goes unjudged and no judged cell is greyed out.
pub fn judged_cells(layers: &SignalLayers, opts: &EvalOptions) -> Grid<bool> {
    Grid::from_fn(*layers.primary.geometry(), |r, c| {
        judged_cell(layers, r, c, opts)
    })
}

fn judged_cell(layers: &SignalLayers, r: usize, c: usize, opts: &EvalOptions) -> bool {
    judged(
        layers.surveyed.get(r, c).copied().unwrap_or(false),
        Criterion::Primary.std_dev(layers, r, c) as f32,
        opts.sure_std_dev_db,
    )
}

/// Evaluates one zone against `profile`.
pub fn evaluate_zone(
    floor: &Floor,
    zone: &Zone,
    profile: &RequirementProfile,
    layers: &SignalLayers,
    opts: &EvalOptions,
) -> ZoneResult {
    let g = *layers.primary.geometry();
    let (inside, surveyed) = zone_cells(zone, layers, opts);
    let criteria = Criterion::of(profile);
    let mut results = Vec::new();
    let mut dead_zones = Vec::new();
    let mut at_risk = Vec::new();
    let mut all_pass = vec![true; surveyed.len()];
    // Cells inside any dead zone, of any criterion (regions of two criteria may overlap).
    let mut dead_cells = std::collections::BTreeSet::new();
    for &(crit, threshold) in &criteria {
        let values: Vec<f64> = surveyed
            .iter()
            .map(|&(r, c)| crit.value(layers, r, c))
            .collect();
        let pass: Vec<bool> = values.iter().map(|&v| crit.passes(v, threshold)).collect();
        for (a, p) in all_pass.iter_mut().zip(&pass) {
            *a &= *p;
        }
        let n_pass = pass.iter().filter(|p| **p).count();
        // NaN (no second AP at all) ranks as the worst possible value.
        let mut ranked: Vec<f64> = values
            .iter()
            .map(|v| {
                if v.is_nan() {
                    if crit == Criterion::CoChannel {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                } else {
                    *v
                }
            })
            .collect();
        ranked.sort_by(f64::total_cmp);
        if crit == Criterion::CoChannel {
            ranked.reverse();
        }
        let pick = |q: f64| {
            ranked
                .get(((ranked.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .map(finite_or_nan)
                .unwrap_or(f64::NAN)
        };
        results.push(CriterionResult {
            criterion: crit,
            threshold,
            pass_share: share(n_pass, surveyed.len()),
            worst: pick(0.0),
            p5: pick(0.05),
            median: pick(0.5),
        });
        let failing: Vec<(usize, usize)> = surveyed
            .iter()
            .zip(&pass)
            .filter(|(_, p)| !**p)
            .map(|(c, _)| *c)
            .collect();
        // A criterion that misses its share fails the zone, so each of its failing patches is
        // shown, however small: a failing zone never shows 0 m² of dead area.
        let misses_share = share(n_pass, surveyed.len()) < opts.min_pass_share;
        for region in regions(&g, &failing) {
            let area = region.cells.len() as f64 * g.cell_area();
            if !misses_share && area + 1e-9 < opts.min_dead_zone_m2 {
                continue;
            }
            for &cell in &region.cells {
                dead_cells.insert(cell);
            }
            dead_zones.push(dead_zone(
                floor,
                zone,
                crit,
                threshold,
                &region,
                area,
                layers,
                Confidence::Dead,
            ));
        }
        // Passing cells the map is not sure of: failing is at least 20 % likely.
        let risky: Vec<(usize, usize)> = surveyed
            .iter()
            .zip(values.iter().zip(&pass))
            .filter(|(&(r, c), (&v, &p))| {
                p && Confidence::of(crit.fail_probability(v, crit.std_dev(layers, r, c), threshold))
                    == Some(Confidence::AtRisk)
            })
            .map(|(cell, _)| *cell)
            .collect();
        for region in regions(&g, &risky) {
            let area = region.cells.len() as f64 * g.cell_area();
            if area + 1e-9 < opts.min_dead_zone_m2 {
                continue;
            }
            at_risk.push(dead_zone(
                floor,
                zone,
                crit,
                threshold,
                &region,
                area,
                layers,
                Confidence::AtRisk,
            ));
        }
    }
    let pass_share = share(all_pass.iter().filter(|p| **p).count(), surveyed.len());
    let surveyed_share = share(surveyed.len(), inside.len());
    // What the surveyed part shows wins: a dead zone fails the zone whatever its surveyed share,
    // and "not enough data" is left for zones where nothing surveyed fails. Every criterion that
    // misses its share has a dead zone (above), so "no dead zone" means every share is met.
    let verdict = if !dead_zones.is_empty() {
        Verdict::Fail
    } else if surveyed.is_empty() || surveyed_share < opts.min_surveyed_share {
        Verdict::NotEnoughData
    } else {
        Verdict::Pass
    };
    ZoneResult {
        zone: zone.name.clone(),
        kind: zone.kind,
        profile: profile.name.clone(),
        area_m2: zone.polygon.area(),
        surveyed_share,
        pass_share,
        criteria: results,
        dead_zones,
        dead_area_m2: dead_cells.len() as f64 * g.cell_area(),
        at_risk,
        verdict,
    }
}

fn finite_or_nan(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        f64::NAN
    }
}

fn share(n: usize, of: usize) -> f64 {
    if of == 0 {
        0.0
    } else {
        n as f64 / of as f64
    }
}

fn clamp_cell(g: &wisp_model::GridGeometry, p: Point) -> (usize, usize) {
    let (fr, fc) = g.fractional(p);
    let r = fr.floor().clamp(0.0, (g.rows() - 1) as f64) as usize;
    let c = fc.floor().clamp(0.0, (g.cols() - 1) as f64) as usize;
    (r, c)
}

#[allow(clippy::too_many_arguments)]
fn dead_zone(
    floor: &Floor,
    zone: &Zone,
    crit: Criterion,
    threshold: f64,
    region: &Region,
    area_m2: f64,
    layers: &SignalLayers,
    confidence: Confidence,
) -> DeadZone {
    let g = layers.primary.geometry();
    let n = region.cells.len() as f64;
    let (sx, sy) = region.cells.iter().fold((0.0, 0.0), |(x, y), &(r, c)| {
        let p = g.centre(r, c);
        (x + p.x, y + p.y)
    });
    let centroid = Point::new(sx / n, sy / n);
    let worst = region
        .cells
        .iter()
        .map(|&(r, c)| crit.value(layers, r, c))
        .map(|v| {
            if v.is_nan() {
                if crit == Criterion::CoChannel {
                    f64::INFINITY
                } else {
                    f64::NEG_INFINITY
                }
            } else {
                v
            }
        })
        .fold(None, |acc: Option<f64>, v| {
            Some(match acc {
                None => v,
                Some(a) if crit == Criterion::CoChannel => a.max(v),
                Some(a) => a.min(v),
            })
        })
        .map(finite_or_nan)
        .unwrap_or(f64::NAN);
    let nearest_radio = if floor.aps.is_empty() {
        layers
            .radios
            .iter()
            .min_by(|a, b| {
                let d = |r: &wisp_interp::RadioInfo| {
                    Point::new(r.strongest_at.0, r.strongest_at.1).distance(centroid)
                };
                d(a).total_cmp(&d(b))
            })
            .map(|r| r.key.ap.clone())
    } else {
        floor
            .aps
            .iter()
            .min_by(|a, b| {
                a.position
                    .distance(centroid)
                    .total_cmp(&b.position.distance(centroid))
            })
            .map(|a| a.name.clone())
    };
    let probability = region
        .cells
        .iter()
        .map(|&(r, c)| {
            crit.fail_probability(
                crit.value(layers, r, c),
                crit.std_dev(layers, r, c),
                threshold,
            )
        })
        .fold(0.0f64, f64::max);
    DeadZone {
        zone: zone.name.clone(),
        criterion: crit,
        confidence,
        fail_probability: probability,
        area_m2,
        centroid_m: centroid,
        worst,
        shortfall: if worst.is_nan() {
            f64::NAN
        } else {
            crit.shortfall(worst, threshold)
        },
        nearest_radio,
        outline_m: region
            .outline
            .iter()
            .map(|&(r, c)| g.centre(r, c))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profiles::find_builtin;
    use wisp_interp::layers::NO_RADIO;
    use wisp_model::{Grid, GridGeometry, Material, PlanCalibration, Polygon, ZoneKind};

    /// A 20 m × 10 m floor at 0.5 m cells, with the given primary field and survey mask.
    fn layers(primary: impl Fn(Point) -> f32, surveyed: impl Fn(Point) -> bool) -> SignalLayers {
        let g = GridGeometry::new(0.0, 0.0, 0.5, 0.5, 40, 20).unwrap();
        let p = Grid::from_fn(g, |r, c| primary(g.centre(r, c)));
        SignalLayers {
            radios: vec![],
            secondary: p.map(|v| v - 8.0),
            tertiary: p.map(|_| f32::NAN),
            snr: p.map(|v| v + 95.0),
            radio_count: p.map(|_| 2),
            cochannel: p.map(|_| 0),
            serving: p.map(|_| NO_RADIO),
            distance_m: p.map(|_| 0.0),
            surveyed: Grid::from_fn(g, |r, c| surveyed(g.centre(r, c))),
            primary_std_dev: None,
            primary: p,
        }
    }

    fn floor(zone: Polygon) -> Floor {
        Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (400, 200),
            outline: Polygon::rectangle(Point::new(0.0, 0.0), Point::new(20.0, 10.0)).unwrap(),
            materials: Material::defaults(),
            walls: vec![],
            zones: vec![Zone {
                name: "Bay".into(),
                kind: ZoneKind::Bay,
                polygon: zone,
                profile: "nhs-minimum".into(),
                no_ap: false,
            }],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        }
    }

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Polygon {
        Polygon::rectangle(Point::new(x0, y0), Point::new(x1, y1)).unwrap()
    }

    fn eval(f: &Floor, l: &SignalLayers) -> ZoneResult {
        evaluate_floor(f, l, &|n| find_builtin(n), &EvalOptions::default()).remove(0)
    }

    #[test]
    fn fully_covered_zone_passes() {
        let f = floor(rect(2.0, 2.0, 8.0, 6.0));
        let r = eval(&f, &layers(|_| -50.0, |_| true));
        assert_eq!(r.verdict, Verdict::Pass);
        assert_eq!(r.pass_share, 1.0);
        assert!(r.dead_zones.is_empty());
        assert_eq!(r.area_m2, 24.0);
    }

    #[test]
    fn out_of_reach_part_is_a_dead_zone_of_the_right_size() {
        // Zone 2..12 × 2..6 m; everything right of x = 9 m is at −80 dBm: a 3 m × 4 m = 12 m² hole.
        let f = floor(rect(2.0, 2.0, 12.0, 6.0));
        let r = eval(
            &f,
            &layers(|p| if p.x > 9.0 { -80.0 } else { -60.0 }, |_| true),
        );
        assert_eq!(r.verdict, Verdict::Fail);
        let dz: Vec<&DeadZone> = r
            .dead_zones
            .iter()
            .filter(|d| d.criterion == Criterion::Primary)
            .collect();
        assert_eq!(dz.len(), 1);
        assert!(
            (dz[0].area_m2 - 12.0).abs() <= 0.05 * 12.0,
            "{}",
            dz[0].area_m2
        );
        assert!(
            (dz[0].centroid_m.x - 10.5).abs() < 0.01 && (dz[0].centroid_m.y - 4.0).abs() < 0.01,
            "{:?}",
            dz[0].centroid_m
        );
        assert_eq!(dz[0].worst, -80.0);
        assert_eq!(dz[0].shortfall, 15.0);
        assert!((r.criteria[0].pass_share - 0.7).abs() < 1e-9);
    }

    #[test]
    fn a_value_exactly_at_the_threshold_passes() {
        let f = floor(rect(2.0, 2.0, 8.0, 6.0));
        let r = eval(&f, &layers(|_| -65.0, |_| true));
        assert_eq!(r.verdict, Verdict::Pass);
        let r = eval(&f, &layers(|_| -65.01, |_| true));
        assert_eq!(r.verdict, Verdict::Fail);
    }

    #[test]
    fn not_surveyed_is_never_dead() {
        let f = floor(rect(2.0, 2.0, 8.0, 6.0));
        let r = eval(&f, &layers(|_| -95.0, |_| false));
        assert_eq!(r.verdict, Verdict::NotEnoughData);
        assert!(r.dead_zones.is_empty());
        assert_eq!(r.surveyed_share, 0.0);
        // Partly surveyed: only the surveyed (weak) part can be dead; the unsurveyed (weak) part not.
        let r = eval(&f, &layers(|_| -95.0, |p| p.x < 6.0));
        let dz = r
            .dead_zones
            .iter()
            .find(|d| d.criterion == Criterion::Primary)
            .unwrap();
        assert!((dz.area_m2 - 16.0).abs() < 1e-9, "{}", dz.area_m2);
        assert!((r.surveyed_share - 4.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn small_patches_are_not_dead_zones() {
        // One failing 0.5 m cell (0.25 m²) in a good zone: below the 1 m² minimum.
        let f = floor(rect(2.0, 2.0, 8.0, 6.0));
        let r = eval(
            &f,
            &layers(
                |p| {
                    if (p.x - 4.25).abs() < 0.1 && (p.y - 4.25).abs() < 0.1 {
                        -90.0
                    } else {
                        -50.0
                    }
                },
                |_| true,
            ),
        );
        assert!(r.dead_zones.is_empty());
        assert_eq!(
            r.verdict,
            Verdict::Pass,
            "one cell in 96 is above the 95 % share"
        );
    }

    #[test]
    fn a_dead_zone_fails_a_zone_however_little_of_it_was_surveyed() {
        // Zone 2..12 × 2..6 m (40 m²); only x < 5 m surveyed (3 m × 4 m = 12 m², 30 %), and
        // that part measures −80 dBm: 15 dB short of nhs-minimum's −65.
        let f = floor(rect(2.0, 2.0, 12.0, 6.0));
        let r = eval(&f, &layers(|_| -80.0, |p| p.x < 5.0));
        assert!(
            (r.surveyed_share - 0.3).abs() < 1e-9,
            "{}",
            r.surveyed_share
        );
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.dead_zones.len(), 1);
        assert!((r.dead_zones[0].area_m2 - 12.0).abs() < 1e-9);
        assert_eq!(r.dead_zones[0].shortfall, 15.0);
        assert!((r.dead_area_m2 - 12.0).abs() < 1e-9);
        // The same part measuring well: nothing surveyed fails, so there is not enough data.
        let r = eval(&f, &layers(|_| -50.0, |p| p.x < 5.0));
        assert_eq!(r.verdict, Verdict::NotEnoughData);
        assert!(r.dead_zones.is_empty());
        assert_eq!(r.dead_area_m2, 0.0);
    }

    #[test]
    fn scattered_failures_that_miss_the_share_are_shown_as_dead_area() {
        // Zone 2..8 × 2..6 m: cell columns 4..16 and rows 4..12 (96 cells of 0.25 m²). Cells whose
        // row and column are both multiples of 3 fail: columns 6, 9, 12, 15 × rows 6, 9 = 8
        // isolated cells (8.3 %, missing the 95 % share), none of them 1 m².
        let f = floor(rect(2.0, 2.0, 8.0, 6.0));
        let weak = |p: Point| {
            let (r, c) = ((p.y / 0.5) as usize, (p.x / 0.5) as usize);
            r % 3 == 0 && c % 3 == 0
        };
        let r = eval(
            &f,
            &layers(|p| if weak(p) { -80.0 } else { -50.0 }, |_| true),
        );
        assert_eq!(r.verdict, Verdict::Fail);
        assert!((r.criteria[0].pass_share - 88.0 / 96.0).abs() < 1e-9);
        assert_eq!(r.dead_zones.len(), 8);
        assert!((r.dead_area_m2 - 2.0).abs() < 1e-9, "{}", r.dead_area_m2);
        assert!(r.dead_zones.iter().all(|d| d.area_m2 == 0.25));
    }

    #[test]
    fn dead_area_counts_overlapping_criteria_once() {
        // healthcare-voice: primary −65, secondary −75, SNR 25. Right of x = 9 m the primary is
        // −80, so primary, secondary (−88) and SNR (15 dB) all fail over the same 3 m × 4 m.
        let mut f = floor(rect(2.0, 2.0, 12.0, 6.0));
        f.zones[0].profile = "healthcare-voice".into();
        let r = eval(
            &f,
            &layers(|p| if p.x > 9.0 { -80.0 } else { -60.0 }, |_| true),
        );
        assert_eq!(r.verdict, Verdict::Fail);
        let mut crits: Vec<Criterion> = r.dead_zones.iter().map(|d| d.criterion).collect();
        crits.sort();
        assert_eq!(
            crits,
            vec![Criterion::Primary, Criterion::Secondary, Criterion::Snr]
        );
        let summed: f64 = r.dead_zones.iter().map(|d| d.area_m2).sum();
        assert!((summed - 36.0).abs() < 1e-9, "{summed}");
        assert!((r.dead_area_m2 - 12.0).abs() < 1e-9, "{}", r.dead_area_m2);
    }

    /// [`layers`] with the map's deviation `sd` (dB) on every cell.
    fn with_sd(mut l: SignalLayers, sd: f32) -> SignalLayers {
        l.primary_std_dev = Some(l.primary.map(|_| sd));
        l
    }

    #[test]
    fn unsure_passing_cells_are_at_risk_and_never_fail_a_zone() {
        // Zone 2..12 × 2..6 m; right of x = 9 m the map says −62 ± 4 dBm against nhs-minimum's
        // −65: passing, but failing with Φ(−0.75) = 22.7 % — at risk over 3 m × 4 m = 12 m².
        // Left of it −50 ± 4: Φ(−3.75) ≈ 0.01 %, fine.
        let f = floor(rect(2.0, 2.0, 12.0, 6.0));
        let l = with_sd(
            layers(|p| if p.x > 9.0 { -62.0 } else { -50.0 }, |_| true),
            4.0,
        );
        let r = eval(&f, &l);
        assert_eq!(r.verdict, Verdict::Pass);
        assert!(r.dead_zones.is_empty());
        assert_eq!(r.dead_area_m2, 0.0);
        // nhs-minimum sets only the primary criterion.
        let primary: Vec<&DeadZone> = r
            .at_risk
            .iter()
            .filter(|d| d.criterion == Criterion::Primary)
            .collect();
        assert_eq!(primary.len(), 1);
        assert_eq!(r.at_risk.len(), 1);
        assert_eq!(primary[0].confidence, Confidence::AtRisk);
        assert!(
            (primary[0].area_m2 - 12.0).abs() < 1e-9,
            "{}",
            primary[0].area_m2
        );
        assert!(
            (primary[0].fail_probability - 0.226_627).abs() < 1e-4,
            "{}",
            primary[0].fail_probability
        );
        assert!((primary[0].shortfall + 3.0).abs() < 1e-9);
        // The same map without a deviation is certain: nothing at risk.
        let r = eval(
            &f,
            &layers(|p| if p.x > 9.0 { -62.0 } else { -50.0 }, |_| true),
        );
        assert!(r.at_risk.is_empty());
        // A deviation never changes what is dead: −70 ± 4 is dead (Φ(1.25) = 89 %), with or
        // without the deviation, and the verdict is the same.
        let weak = |p: Point| if p.x > 9.0 { -70.0 } else { -50.0 };
        let sure = eval(&f, &layers(weak, |_| true));
        let unsure = eval(&f, &with_sd(layers(weak, |_| true), 4.0));
        assert_eq!(sure.verdict, Verdict::Fail);
        assert_eq!(unsure.verdict, sure.verdict);
        assert_eq!(unsure.dead_area_m2, sure.dead_area_m2);
        let d = &unsure.dead_zones[0];
        assert_eq!(d.confidence, Confidence::Dead);
        assert!(
            (d.fail_probability - 0.894_350).abs() < 1e-4,
            "{}",
            d.fail_probability
        );
        assert_eq!(sure.dead_zones[0].fail_probability, 1.0);
    }

    #[test]
    fn small_at_risk_patches_are_dropped() {
        // One at-risk cell (0.25 m²) is below the 1 m² minimum.
        let f = floor(rect(2.0, 2.0, 8.0, 6.0));
        let l = with_sd(
            layers(
                |p| {
                    if (p.x - 4.25).abs() < 0.1 && (p.y - 4.25).abs() < 0.1 {
                        -63.0
                    } else {
                        -50.0
                    }
                },
                |_| true,
            ),
            4.0,
        );
        assert!(eval(&f, &l).at_risk.is_empty());
    }

    #[test]
    fn unsurveyed_cells_are_judged_only_where_the_map_is_sure() {
        // Nothing surveyed, −80 dBm everywhere: with σ = 2 dB (under the 3 dB margin) the map is
        // sure and the zone fails; with σ = 3 dB (not under it) it stays not surveyed.
        let f = floor(rect(2.0, 2.0, 8.0, 6.0));
        let r = eval(&f, &with_sd(layers(|_| -80.0, |_| false), 2.0));
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(r.surveyed_share, 1.0);
        assert!((r.dead_area_m2 - 24.0).abs() < 1e-9);
        let r = eval(&f, &with_sd(layers(|_| -80.0, |_| false), 3.0));
        assert_eq!(r.verdict, Verdict::NotEnoughData);
        assert!(r.dead_zones.is_empty());
        // NaN deviation (no model there): not judged either.
        let r = eval(&f, &with_sd(layers(|_| -80.0, |_| false), f32::NAN));
        assert_eq!(r.verdict, Verdict::NotEnoughData);
    }

    #[test]
    fn units_follow_the_count_they_name() {
        assert_eq!(Criterion::CoChannel.unit(1.0), "radio");
        assert_eq!(Criterion::CoChannel.unit(2.0), "radios");
        assert_eq!(Criterion::CoChannel.unit(0.0), "radios");
        assert_eq!(Criterion::CoChannel.margin_unit(1.0), "radio");
        assert_eq!(Criterion::CoChannel.margin_unit(3.0), "radios");
        assert_eq!(Criterion::Primary.unit(-71.0), "dBm");
        assert_eq!(Criterion::Primary.margin_unit(1.0), "dB");
        assert_eq!(Criterion::Snr.unit(1.0), "dB");
    }

    #[test]
    fn maps_grey_exactly_the_cells_no_verdict_judges() {
        // Surveyed left of x = 5 m; right of it the deviation is 2 dB (sure) below y = 5 m and
        // 6 dB (unsure) above: judged = surveyed, or unsurveyed and sure.
        let mut l = layers(|_| -80.0, |p| p.x < 5.0);
        let g = *l.primary.geometry();
        l.primary_std_dev = Some(Grid::from_fn(g, |r, c| {
            if g.centre(r, c).y < 5.0 {
                2.0
            } else {
                6.0
            }
        }));
        let opts = EvalOptions::default();
        let judged = judged_cells(&l, &opts);
        let mut counted = 0;
        for r in 0..g.rows() {
            for c in 0..g.cols() {
                let p = g.centre(r, c);
                assert_eq!(
                    *judged.get(r, c).unwrap(),
                    p.x < 5.0 || p.y < 5.0,
                    "cell ({r}, {c}) at {p:?}"
                );
                counted += usize::from(*judged.get(r, c).unwrap());
            }
        }
        // A zone over the whole grid is judged on those very cells.
        let whole = Zone {
            name: "All".into(),
            kind: ZoneKind::Bay,
            profile: "nhs-minimum".into(),
            polygon: rect(0.0, 0.0, 20.0, 10.0),
            no_ap: false,
        };
        let (inside, judged_in_zone) = zone_cells(&whole, &l, &opts);
        assert_eq!(inside.len(), g.rows() * g.cols());
        assert_eq!(judged_in_zone.len(), counted);
        assert!(judged_in_zone
            .iter()
            .all(|&(r, c)| *judged.get(r, c).unwrap()));
    }

    #[test]
    fn co_channel_fails_above_its_threshold_with_certainty() {
        assert_eq!(
            Criterion::CoChannel.fail_probability(3.0, f64::NAN, 2.0),
            1.0
        );
        assert_eq!(
            Criterion::CoChannel.fail_probability(2.0, f64::NAN, 2.0),
            0.0
        );
        assert_eq!(
            Criterion::Secondary.fail_probability(f64::NAN, 4.0, -75.0),
            1.0
        );
    }
}
