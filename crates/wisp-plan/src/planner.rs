//! The planner: from a floor, its calibrated model and its zones' profiles to a set of new APs,
//! a channel plan and each zone's predicted result before and after.
//!
//! Steps: the existing APs (manifest, plus any calibration located) become sources on the design
//! band with their fitted powers; zones become demand cells ([`crate::demand`]); candidates are
//! listed ([`crate::candidates`]) and every candidate is predicted at every cell
//! ([`crate::matrix`]); [`crate::greedy`] builds a design and [`crate::local_search`] improves
//! it; [`crate::channels`] plans channels for every radio, old and new.

use crate::calibrate::Calibration;
use crate::candidates::{candidates, CandidateOptions};
use crate::channels::{assign, overlap_weights, COCHANNEL_DBM};
use crate::demand::{Demand, DEMAND_CELL_M};
use crate::greedy::greedy;
use crate::local_search::{improve, LocalSearchOptions};
use crate::matrix::{SignalMatrix, Source};
use crate::objective::Columns;
use crate::objective::{score, zone_counts, Problem, Search, Targets, Top2};
use crate::walls::WallSet;
use crate::PlanError;
use serde::Serialize;
use std::collections::BTreeMap;
use wisp_model::{
    AccessPoint, ApRadio, Band, Bssid, Channel, Floor, Point, RequirementProfile, Zone, ZoneKind,
};
use wisp_radio::PathLoss;

/// Options of the planner.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// The band coverage is designed on: 5 GHz, the weaker of the two bands clinical devices
    /// use (higher loss at 1 m and through walls, shared/reference.md §2), so 2.4 GHz follows.
    pub design_band: Band,
    /// Frequency for new APs on the design band: 5500 MHz, mid-band (free-space loss at 1 m
    /// 47.3 dB, shared/reference.md §2).
    pub design_freq_mhz: f64,
    /// Radios of a new AP (channels are replanned): 2.4 GHz at 14 dBm and 5 GHz at 17 dBm, the
    /// sample site's installation and common enterprise defaults (*estimate*).
    pub new_radios: Vec<ApRadio>,
    /// SSIDs of a new AP; empty: those of the first existing AP, else `NHS-Clinical`.
    pub new_ssids: Vec<String>,
    pub targets: Targets,
    pub candidates: CandidateOptions,
    /// Minimum distance between APs: 6 m (*estimate*: about the decorrelation distance of
    /// indoor shadowing, shared/reference.md §2; closer APs add co-channel contention for
    /// little coverage).
    pub min_distance_m: f64,
    /// At most this many new APs (`None`: no limit).
    pub max_new_aps: Option<usize>,
    pub search: LocalSearchOptions,
    /// Exponent when there is no calibration: `PathLoss`'s default 2.5.
    pub default_exponent: f64,
    /// Demand cell size: 0.5 m, the analysis grid.
    pub cell_m: f64,
    /// Switch off a new AP's 2.4 GHz radio when no channel of 1/6/11 is free of co-channel
    /// overlap for it (true).
    pub new_2g4_off_when_shared: bool,
    /// Suggest a lower transmit power for each new AP where the design still holds
    /// (false; see [`MIN_SUGGESTED_TX_DBM`]).
    pub suggest_tx_power: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            design_band: Band::G5,
            design_freq_mhz: 5500.0,
            new_radios: vec![
                ApRadio {
                    band: Band::G2_4,
                    channel: 1,
                    tx_dbm: 14.0,
                },
                ApRadio {
                    band: Band::G5,
                    channel: 36,
                    tx_dbm: 17.0,
                },
            ],
            new_ssids: Vec::new(),
            targets: Targets::default(),
            candidates: CandidateOptions::default(),
            min_distance_m: 6.0,
            max_new_aps: None,
            search: LocalSearchOptions::default(),
            default_exponent: PathLoss::default().exponent,
            cell_m: DEMAND_CELL_M,
            new_2g4_off_when_shared: true,
            suggest_tx_power: false,
        }
    }
}

/// An access point of the plan, existing or new, with its planned channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedAp {
    pub name: String,
    pub position: Point,
    pub radios: Vec<ApRadio>,
    pub ssids: Vec<String>,
    pub base_bssid: Option<Bssid>,
    /// New in this plan.
    pub new: bool,
    /// Existing, but placed by calibration rather than the manifest.
    pub located: bool,
}

impl PlannedAp {
    pub fn to_access_point(&self) -> AccessPoint {
        AccessPoint {
            name: self.name.clone(),
            position: self.position,
            radios: self.radios.clone(),
            ssids: self.ssids.clone(),
            base_bssid: self.base_bssid,
        }
    }
}

/// A zone's predicted coverage on the design band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneStats {
    /// Share of cells at or above the profile's primary threshold.
    pub primary_share: f64,
    /// …and secondary (another AP), when the profile sets one.
    pub secondary_share: Option<f64>,
    /// 5th percentile of the primary signal, dBm.
    pub primary_p5_dbm: f64,
    /// Whether the zone meets the design targets (shares, with the margin).
    pub meets_target: bool,
}

/// A zone before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneOutcome {
    pub zone: String,
    pub kind: &'static str,
    pub profile: String,
    pub area_m2: f64,
    pub before: ZoneStats,
    pub after: ZoneStats,
    /// Share of the zone no allowed design reaches (primary, with the margin).
    pub unreachable_share: f64,
}

/// The plan of one floor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub floor: String,
    pub exponent: f64,
    pub design_band: Band,
    /// Existing APs first (channels replanned), then the new ones.
    pub aps: Vec<PlannedAp>,
    pub zones: Vec<ZoneOutcome>,
    pub candidates: usize,
    pub demand_cells: usize,
    /// Weighted cells still short of the targets (0: every zone meets them where reachable).
    pub deficit: f64,
    /// Co-channel overlap left per band (points where a serving radio hears another on its
    /// channel at ≥ −85 dBm, both ways round).
    pub cochannel_overlap: BTreeMap<Band, f64>,
}

impl Plan {
    pub fn new_aps(&self) -> impl Iterator<Item = &PlannedAp> {
        self.aps.iter().filter(|a| a.new)
    }
}

/// The inputs of a plan.
pub struct PlanInput<'a> {
    pub floor: &'a Floor,
    pub calibration: Option<&'a Calibration>,
    /// The profile a zone is held to (`None`: leave the zone out).
    pub profile: &'a dyn Fn(&Zone) -> Option<RequirementProfile>,
}

fn fitted(cal: Option<&Calibration>, ap: Option<&str>, band: Band, channel: u16) -> Option<f64> {
    let (cal, ap) = (cal?, ap?);
    cal.radios
        .iter()
        .find(|r| r.ap == ap && r.band == band && r.channel == channel)
        .map(|r| r.power_dbm)
}

fn freq(band: Band, channel: u16, fallback: f64) -> f64 {
    Channel::new(band, channel).map_or(fallback, |c| c.freq_mhz as f64)
}

/// Nominal centre frequency per band for prediction where the channel is not yet known.
pub(crate) fn nominal_freq(band: Band) -> f64 {
    match band {
        Band::G2_4 => 2437.0,
        Band::G5 => 5500.0,
        Band::G6 => 6500.0,
    }
}

/// The effective power of `radio` of `ap` (by its survey key): fitted, else nominal less the
/// calibration's average extra loss.
fn power(cal: Option<&Calibration>, prefix: Option<&str>, radio: &ApRadio) -> f64 {
    fitted(cal, prefix, radio.band, radio.channel)
        .unwrap_or(radio.tx_dbm - cal.map_or(0.0, |c| c.extra_loss_db()))
}

/// The existing APs: the manifest's, then those calibration located.
pub fn existing_aps(floor: &Floor, cal: Option<&Calibration>) -> Vec<PlannedAp> {
    let mut out: Vec<PlannedAp> = floor
        .aps
        .iter()
        .map(|a| PlannedAp {
            name: a.name.clone(),
            position: a.position,
            radios: a.radios.clone(),
            ssids: a.ssids.clone(),
            base_bssid: a.base_bssid,
            new: false,
            located: false,
        })
        .collect();
    if let Some(c) = cal {
        for l in &c.located {
            let radios: Vec<ApRadio> = c
                .radios
                .iter()
                .filter(|r| r.ap == l.ap)
                .map(|r| ApRadio {
                    band: r.band,
                    channel: r.channel,
                    tx_dbm: r.power_dbm + c.extra_loss_db(),
                })
                .collect();
            out.push(PlannedAp {
                name: format!("located {}", l.ap),
                position: l.position,
                radios,
                ssids: vec!["NHS-Clinical".into()],
                base_bssid: format!("{}:00", l.ap).parse().ok(),
                new: false,
                located: true,
            });
        }
    }
    out
}

/// The survey's key of an existing AP under the calibration's grouping (what its fitted radios
/// are filed under), if it has one.
fn ap_key(ap: &PlannedAp, cal: Option<&Calibration>) -> Option<String> {
    let g = &cal?.grouping;
    g.ap_named(&ap.name, ap.base_bssid).map(|id| id.0)
}

/// The design-band source of an AP, if it has a radio on that band.
pub(crate) fn source(
    ap: &PlannedAp,
    cal: Option<&Calibration>,
    band: Band,
    fallback_freq: f64,
) -> Option<Source> {
    let r = ap.radios.iter().find(|r| r.band == band)?;
    let p = ap_key(ap, cal);
    Some(Source {
        position: ap.position,
        power_dbm: power(cal, p.as_deref(), r),
        freq_mhz: freq(band, r.channel, fallback_freq),
    })
}

fn stats(demand: &Demand, zi: usize, t: &Top2, meets: bool) -> ZoneStats {
    let z = &demand.zones[zi];
    let n = z.cells.len().max(1) as f64;
    let p = z
        .cells
        .clone()
        .filter(|&i| t.best[i] as f64 >= z.primary_dbm)
        .count();
    let s = z.secondary_dbm.map(|th| {
        z.cells
            .clone()
            .filter(|&i| t.second[i] as f64 >= th)
            .count() as f64
            / n
    });
    let mut v: Vec<f32> = z.cells.clone().map(|i| t.best[i]).collect();
    v.sort_by(f32::total_cmp);
    let p5 = v.get(((v.len() as f64 * 0.05).floor() as usize).min(v.len().saturating_sub(1)));
    ZoneStats {
        primary_share: p as f64 / n,
        secondary_share: s,
        primary_p5_dbm: p5.map_or(f64::NAN, |x| *x as f64),
        meets_target: meets,
    }
}

/// Whether each zone meets the (uncapped) targets under `t`.
fn meets(demand: &Demand, problem: &Problem, targets: &Targets, t: &Top2) -> Vec<bool> {
    zone_counts(demand, problem, t)
        .iter()
        .zip(&demand.zones)
        .map(|(&(p, s), z)| {
            let n = z.cells.len() as f64;
            p as f64 >= targets.primary_share * n - 1e-9
                && s as f64 >= targets.secondary_share * n - 1e-9
        })
        .collect()
}

/// A locally administered base BSSID for the `k`-th new AP: `02:77:69:kk:kk:00`.
pub fn new_bssid(k: usize) -> Bssid {
    Bssid([
        0x02,
        0x77,
        0x69,
        ((k >> 8) & 0xff) as u8,
        (k & 0xff) as u8,
        0,
    ])
}

/// Plans one floor.
pub fn plan_floor(input: &PlanInput, opts: &PlanOptions) -> Result<Plan, PlanError> {
    let floor = input.floor;
    let cal = input.calibration;
    let bad = |what: &str| PlanError::Invalid {
        floor: floor.id.clone(),
        what: what.to_string(),
    };
    if !(opts.min_distance_m.is_finite() && opts.min_distance_m >= 0.0) {
        return Err(bad("the minimum distance between APs must be a number ≥ 0"));
    }
    if !(opts.cell_m.is_finite() && opts.cell_m >= 0.1) {
        return Err(bad("the demand cell must be at least 0.1 m"));
    }
    if !opts.targets.margin_db.is_finite() {
        return Err(bad("the design margin must be a number"));
    }
    let exponent = cal.map_or(opts.default_exponent, |c| c.exponent);
    if !(exponent.is_finite() && exponent > 0.0) {
        return Err(bad("the path-loss exponent must be a positive number"));
    }
    let band = opts.design_band;
    let mut aps = existing_aps(floor, cal);
    let existing_sources: Vec<Source> = aps
        .iter()
        .filter_map(|a| source(a, cal, band, opts.design_freq_mhz))
        .collect();
    let demand = Demand::of_floor(floor, opts.cell_m, input.profile);
    let existing_pos: Vec<Point> = aps.iter().map(|a| a.position).collect();
    let cand = candidates(floor, &existing_pos, opts.min_distance_m, &opts.candidates);
    let new_design = opts
        .new_radios
        .iter()
        .find(|r| r.band == band)
        .ok_or_else(|| bad("new APs need a radio on the design band"))?;
    let new_power = new_design.tx_dbm - cal.map_or(0.0, |c| c.extra_loss_db());
    let cand_sources: Vec<Source> = cand
        .iter()
        .map(|&p| Source {
            position: p,
            power_dbm: new_power,
            freq_mhz: opts.design_freq_mhz,
        })
        .collect();
    // The calibration's fitted wall losses, where it fitted any.
    let materials = cal.map_or_else(
        || floor.materials.clone(),
        |c| c.materials(&floor.materials),
    );
    let walls = WallSet::new(&floor.walls, &materials, band);
    // No threshold lies below the weakest zone threshold plus the margin: candidates' signals
    // below that never decide a cell, so their walls need not be counted.
    let lowest = demand
        .zones
        .iter()
        .map(|z| z.secondary_dbm.unwrap_or(z.primary_dbm).min(z.primary_dbm))
        .fold(f64::INFINITY, f64::min)
        + opts.targets.margin_db;
    let matrix = demand.matrix(&cand_sources, exponent, &walls, lowest);
    let existing_m = demand.matrix(&existing_sources, exponent, &walls, f64::NEG_INFINITY);
    let base = Top2::with(
        &Top2::empty(demand.len()),
        &existing_m,
        &(0..existing_m.rows).collect::<Vec<_>>(),
    );
    let reach = Top2::with_all(&base, &matrix);
    let problem = Problem::new(&demand, &opts.targets, &reach);
    let columns = Columns::new(&matrix, &problem);
    let search = Search {
        columns: &columns,
        demand: &demand,
        problem: &problem,
        matrix: &matrix,
        base: &base,
        positions: &cand,
        min_distance_m: opts.min_distance_m,
        max_new: opts.max_new_aps.unwrap_or(cand.len()).min(cand.len()),
    };
    let start = greedy(&search, &[]);
    let chosen = improve(&search, start, &opts.search);
    let mut chosen_sorted = chosen.clone();
    chosen_sorted.sort_unstable();
    let cuts = if opts.suggest_tx_power {
        power_cuts(
            &search,
            &opts.targets,
            &chosen_sorted,
            new_design.tx_dbm - MIN_SUGGESTED_TX_DBM,
        )
    } else {
        vec![0.0; chosen_sorted.len()]
    };
    let after = top2_with_cuts(&search, &chosen_sorted, &cuts);
    let score = score(&demand, &problem, &after, chosen_sorted.len());
    // Zone outcomes.
    let met_before = meets(&demand, &problem, &opts.targets, &base);
    let met_after = meets(&demand, &problem, &opts.targets, &after);
    let zones = demand
        .zones
        .iter()
        .enumerate()
        .map(|(zi, z)| ZoneOutcome {
            zone: z.name.clone(),
            kind: z.kind.name(),
            profile: z.profile.clone(),
            area_m2: z.cells.len() as f64 * opts.cell_m * opts.cell_m,
            before: stats(&demand, zi, &base, met_before[zi]),
            after: stats(&demand, zi, &after, met_after[zi]),
            unreachable_share: problem.unreachable_primary[zi] as f64 / z.cells.len().max(1) as f64,
        })
        .collect();
    // New APs, named and numbered in lattice order.
    let ssids = if !opts.new_ssids.is_empty() {
        opts.new_ssids.clone()
    } else {
        floor
            .aps
            .first()
            .map(|a| a.ssids.clone())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| vec!["NHS-Clinical".to_string()])
    };
    for (k, (&j, &cut)) in chosen_sorted.iter().zip(&cuts).enumerate() {
        let mut radios = opts.new_radios.clone();
        for r in &mut radios {
            r.tx_dbm -= cut;
        }
        aps.push(PlannedAp {
            name: format!("NEW-{}-{:02}", floor.id, k + 1),
            position: cand[j],
            radios,
            ssids: ssids.clone(),
            base_bssid: Some(new_bssid(k + 1)),
            new: true,
            located: false,
        });
    }
    let cochannel_overlap = plan_channels(
        &|b| WallSet::new(&floor.walls, &materials, b),
        cal,
        &mut aps,
        &demand,
        exponent,
        opts.new_2g4_off_when_shared,
        COCHANNEL_DBM - opts.targets.margin_db,
    );
    Ok(Plan {
        floor: floor.id.clone(),
        exponent,
        design_band: band,
        aps,
        zones,
        candidates: cand.len(),
        demand_cells: demand.len(),
        deficit: score.deficit,
        cochannel_overlap,
    })
}

/// The lowest transmit power a suggestion goes down to: 5 dBm (*estimate*: enterprise APs
/// allow a few dBm, and below that a client's own power dominates the link).
pub const MIN_SUGGESTED_TX_DBM: f64 = 5.0;

/// The top two signals with the new APs `chosen` each `cuts[k]` dB weaker.
fn top2_with_cuts(s: &Search, chosen: &[usize], cuts: &[f64]) -> Top2 {
    let mut t = s.base.clone();
    let mut row = vec![0f32; s.matrix.cols];
    for (&j, &cut) in chosen.iter().zip(cuts) {
        for (v, &x) in row.iter_mut().zip(s.matrix.row(j)) {
            *v = (x as f64 - cut) as f32;
        }
        t.add(&row);
    }
    t
}

/// Transmit-power suggestions: for each new AP in turn, the largest cut in whole dB (at most
/// `max_cut`) that leaves the design's deficit no larger and every zone that meets its target
/// (with the margin) still meeting it. Lower power means less co-channel overlap and less
/// stickiness of clients to distant APs; all of an AP's radios are lowered alike.
fn power_cuts(s: &Search, targets: &Targets, chosen: &[usize], max_cut: f64) -> Vec<f64> {
    let mut cuts = vec![0.0; chosen.len()];
    let t = top2_with_cuts(s, chosen, &cuts);
    let deficit = score(s.demand, s.problem, &t, chosen.len()).deficit;
    let met = meets(s.demand, s.problem, targets, &t);
    for k in 0..chosen.len() {
        while cuts[k] + 1.0 <= max_cut {
            cuts[k] += 1.0;
            let t = top2_with_cuts(s, chosen, &cuts);
            let ok = score(s.demand, s.problem, &t, chosen.len()).deficit <= deficit + 1e-9
                && meets(s.demand, s.problem, targets, &t)
                    .iter()
                    .zip(&met)
                    .all(|(now, before)| *now || !*before);
            if !ok {
                cuts[k] -= 1.0;
                break;
            }
        }
    }
    cuts
}

/// Plans channels band by band for every AP's radios; returns the overlap left per band. Radios
/// count as overlapping from `cochannel_dbm` (−85 dBm less the design margin, so shadowing does
/// not turn a planned separation into co-channel interference).
fn plan_channels(
    walls_at: &dyn Fn(Band) -> WallSet,
    cal: Option<&Calibration>,
    aps: &mut [PlannedAp],
    demand: &Demand,
    exponent: f64,
    off_when_shared: bool,
    cochannel_dbm: f64,
) -> BTreeMap<Band, f64> {
    // Every 4th demand cell (about one per metre² of zone) is plenty for overlap weights.
    let points: Vec<Point> = demand.cells.iter().step_by(4).copied().collect();
    let mut left = BTreeMap::new();
    for band in Band::ALL {
        let members: Vec<(usize, usize)> = aps
            .iter()
            .enumerate()
            .filter_map(|(a, ap)| {
                ap.radios
                    .iter()
                    .position(|r| r.band == band)
                    .map(|r| (a, r))
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        let walls = walls_at(band);
        let sources: Vec<Source> = members
            .iter()
            .map(|&(a, r)| {
                let ap = &aps[a];
                let radio = &ap.radios[r];
                let p = if ap.new { None } else { ap_key(ap, cal) };
                Source {
                    position: ap.position,
                    power_dbm: power(cal, p.as_deref(), radio),
                    freq_mhz: nominal_freq(band),
                }
            })
            .collect();
        let m = match &demand.grid {
            Some(g) => SignalMatrix::build_on_grid(
                &sources,
                g,
                &points,
                exponent,
                &walls,
                f64::NEG_INFINITY,
            ),
            None => SignalMatrix::build(&sources, &points, exponent, &walls, f64::NEG_INFINITY),
        };
        let signal: Vec<Vec<f32>> = (0..m.rows).map(|i| m.row(i).to_vec()).collect();
        let w = overlap_weights(&signal, cochannel_dbm);
        let plan = assign(&w, band);
        for (&(a, r), &ch) in members.iter().zip(&plan) {
            aps[a].radios[r].channel = ch;
        }
        // 2.4 GHz has three channels and carries far: a new AP's 2.4 GHz radio that would still
        // share its channel with a radio it hears is switched off, worst first (the usual design
        // practice of enabling 2.4 GHz on a subset of APs; the 5 GHz radio serves there).
        let mut on = vec![true; members.len()];
        if band == Band::G2_4 && off_when_shared {
            loop {
                let shared = |i: usize| -> f64 {
                    (0..members.len())
                        .filter(|&k| k != i && on[k] && plan[k] == plan[i])
                        .map(|k| w[i][k])
                        .sum()
                };
                let worst = (0..members.len())
                    .filter(|&i| on[i] && aps[members[i].0].new)
                    .map(|i| (i, shared(i)))
                    .filter(|&(_, o)| o > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
                match worst {
                    Some((i, _)) => on[i] = false,
                    None => break,
                }
            }
        }
        let kept: Vec<u16> = plan
            .iter()
            .zip(&on)
            .map(|(&c, &o)| if o { c } else { 0 })
            .collect();
        let mut total = 0.0;
        for i in 0..kept.len() {
            for k in i + 1..kept.len() {
                if on[i] && on[k] && kept[i] == kept[k] {
                    total += w[i][k];
                }
            }
        }
        // Remove switched-off radios (highest index first so positions stay valid).
        let mut off: Vec<(usize, usize)> = members
            .iter()
            .zip(&on)
            .filter(|(_, &o)| !o)
            .map(|(&m, _)| m)
            .collect();
        off.sort_by(|a, b| b.cmp(a));
        for (a, r) in off {
            aps[a].radios.remove(r);
        }
        left.insert(band, total);
    }
    left
}

/// Zone kinds an AP may not be mounted in by default (re-exported for the CLI's help).
pub fn default_excluded_kinds() -> Vec<ZoneKind> {
    CandidateOptions::default().excluded_kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_coverage::profiles::builtin;
    use wisp_model::{Material, PlanCalibration, Polygon, Segment, Wall};

    /// 30 m × 12 m: a corridor (y 5–7) between two rows of 6 m × 5 m rooms, plasterboard
    /// partitions with 1.5 m doorways, brick outside.
    fn floor(existing: Vec<AccessPoint>) -> Floor {
        let materials = Material::defaults();
        let idx = |n: &str| materials.iter().position(|m| m.name == n).unwrap();
        let (plaster, brick) = (idx("plasterboard"), idx("brick"));
        let mut walls = vec![];
        let mut wall = |a: (f64, f64), b: (f64, f64), m| {
            walls.push(Wall {
                segment: Segment::new(Point::new(a.0, a.1), Point::new(b.0, b.1)),
                material: m,
            })
        };
        for (a, b) in [
            ((0., 0.), (30., 0.)),
            ((30., 0.), (30., 12.)),
            ((30., 12.), (0., 12.)),
            ((0., 12.), (0., 0.)),
        ] {
            wall(a, b, brick);
        }
        let mut zones = vec![];
        for k in 0..5 {
            let x = 6.0 * k as f64;
            wall((x + 6.0, 0.0), (x + 6.0, 5.0), plaster);
            wall((x + 6.0, 7.0), (x + 6.0, 12.0), plaster);
            wall((x, 5.0), (x + 4.5, 5.0), plaster);
            wall((x, 7.0), (x + 4.5, 7.0), plaster);
            for (row, y0, kind) in [("N", 0.0, ZoneKind::Bay), ("S", 7.0, ZoneKind::Office)] {
                zones.push(Zone {
                    name: format!("{row}{k}"),
                    kind,
                    polygon: Polygon::rectangle(Point::new(x, y0), Point::new(x + 6.0, y0 + 5.0))
                        .unwrap(),
                    profile: kind.default_profile().into(),
                    no_ap: false,
                });
            }
        }
        zones.push(Zone {
            name: "Corridor".into(),
            kind: ZoneKind::Corridor,
            polygon: Polygon::rectangle(Point::new(0.0, 5.0), Point::new(30.0, 7.0)).unwrap(),
            profile: "basic".into(),
            no_ap: false,
        });
        Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (600, 240),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(30., 12.)).unwrap(),
            materials,
            walls,
            zones,
            aps: existing,
            walk: None,
            survey_range_m: 5.0,
        }
    }

    fn profile(z: &Zone) -> Option<RequirementProfile> {
        builtin().into_iter().find(|p| p.name == z.profile)
    }

    fn opts(exponent: f64) -> PlanOptions {
        PlanOptions {
            default_exponent: exponent,
            candidates: CandidateOptions {
                spacing_m: 3.0,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    /// The search problem of the test floor, built as the planner builds it.
    struct Parts {
        demand: Demand,
        problem: Problem,
        m: SignalMatrix,
        base: Top2,
        cand: Vec<Point>,
        columns: Columns,
        min_distance_m: f64,
    }

    impl Parts {
        fn search(&self) -> Search<'_> {
            Search {
                columns: &self.columns,
                demand: &self.demand,
                problem: &self.problem,
                matrix: &self.m,
                base: &self.base,
                positions: &self.cand,
                min_distance_m: self.min_distance_m,
                max_new: self.cand.len(),
            }
        }
    }

    /// Candidates as sources at 17 dBm on the design frequency, as the planner sees them
    /// uncalibrated.
    fn design_sources(cand: &[Point], o: &PlanOptions) -> Vec<Source> {
        cand.iter()
            .map(|&p| Source {
                position: p,
                power_dbm: 17.0,
                freq_mhz: o.design_freq_mhz,
            })
            .collect()
    }

    fn parts(f: &Floor, o: &PlanOptions) -> Parts {
        let demand = Demand::of_floor(f, o.cell_m, &profile);
        let walls = WallSet::new(&f.walls, &f.materials, o.design_band);
        let existing: Vec<Point> = f.aps.iter().map(|a| a.position).collect();
        let cand = candidates(f, &existing, o.min_distance_m, &o.candidates);
        let src = design_sources(&cand, o);
        let m = SignalMatrix::build(
            &src,
            &demand.cells,
            o.default_exponent,
            &walls,
            f64::NEG_INFINITY,
        );
        let ex: Vec<Source> = f
            .aps
            .iter()
            .filter_map(|a| {
                let r = a.radios.iter().find(|r| r.band == Band::G5)?;
                Some(Source {
                    position: a.position,
                    power_dbm: r.tx_dbm,
                    freq_mhz: freq(Band::G5, r.channel, 5500.0),
                })
            })
            .collect();
        let em = SignalMatrix::build(
            &ex,
            &demand.cells,
            o.default_exponent,
            &walls,
            f64::NEG_INFINITY,
        );
        let base = Top2::with(
            &Top2::empty(demand.len()),
            &em,
            &(0..em.rows).collect::<Vec<_>>(),
        );
        let reach = Top2::with(&base, &m, &(0..m.rows).collect::<Vec<_>>());
        let problem = Problem::new(&demand, &o.targets, &reach);
        let columns = Columns::new(&m, &problem);
        Parts {
            demand,
            problem,
            m,
            base,
            cand,
            columns,
            min_distance_m: o.min_distance_m,
        }
    }

    /// The fewest new APs that meet every (capped) target, by trying every subset.
    fn exhaustive(f: &Floor, o: &PlanOptions, up_to: usize) -> Option<usize> {
        let parts = parts(f, o);
        let s = parts.search();
        let cand = &parts.cand;
        let n = cand.len();
        fn rec(s: &Search, chosen: &mut Vec<usize>, from: usize, k: usize, n: usize) -> bool {
            if chosen.len() == k {
                return s.score(chosen).deficit == 0.0;
            }
            for j in from..n {
                if s.allowed(j, chosen, None) {
                    chosen.push(j);
                    if rec(s, chosen, j + 1, k, n) {
                        return true;
                    }
                    chosen.pop();
                }
            }
            false
        }
        (0..=up_to).find(|&k| rec(&s, &mut vec![], 0, k, n))
    }

    fn ap5(x: f64, y: f64) -> AccessPoint {
        AccessPoint {
            name: "OLD".into(),
            position: Point::new(x, y),
            radios: vec![ApRadio {
                band: Band::G5,
                channel: 36,
                tx_dbm: 17.0,
            }],
            ssids: vec!["NHS-Clinical".into()],
            base_bssid: Some("02:1a:11:00:01:00".parse().unwrap()),
        }
    }

    #[test]
    fn at_most_one_ap_more_than_the_exhaustive_optimum() {
        // Exponents from open plan to walled wards; the optimum needs 1–3 new APs.
        for (existing, exponent) in [
            (vec![], 2.2),
            (vec![ap5(3.0, 6.0)], 2.4),
            (vec![], 2.6),
            (vec![], 2.8),
        ] {
            let f = floor(existing);
            let o = opts(exponent);
            let best = exhaustive(&f, &o, 3).expect("some design of ≤ 3 APs meets the targets");
            let input = PlanInput {
                floor: &f,
                calibration: None,
                profile: &profile,
            };
            let plan = plan_floor(&input, &o).unwrap();
            let got = plan.new_aps().count();
            assert_eq!(plan.deficit, 0.0);
            assert!(
                got <= best + 1,
                "n = {exponent}: planner {got}, optimum {best}"
            );
            assert!(
                got >= best,
                "n = {exponent}: planner {got} beats the exhaustive optimum {best}?"
            );
            // Every zone meets the target afterwards where reachable; new APs keep their distance.
            for z in &plan.zones {
                assert!(z.after.meets_target || z.unreachable_share > 0.0, "{z:?}");
                assert!(z.after.primary_share >= z.before.primary_share);
            }
            let all: Vec<&PlannedAp> = plan.aps.iter().collect();
            for a in 0..all.len() {
                for b in a + 1..all.len() {
                    assert!(all[a].position.distance(all[b].position) >= o.min_distance_m);
                }
            }
        }
    }

    #[test]
    fn same_seed_same_plan_and_limits_are_kept() {
        let f = floor(vec![]);
        let input = PlanInput {
            floor: &f,
            calibration: None,
            profile: &profile,
        };
        let a = plan_floor(&input, &opts(3.3)).unwrap();
        assert_eq!(a, plan_floor(&input, &opts(3.3)).unwrap());
        let capped = PlanOptions {
            max_new_aps: Some(1),
            ..opts(3.3)
        };
        let c = plan_floor(&input, &capped).unwrap();
        assert_eq!(c.new_aps().count(), 1);
        assert!(c.deficit > 0.0);
        // New APs got distinct 2.4 GHz channels from 1/6/11 where they can.
        let ch: Vec<u16> = a
            .aps
            .iter()
            .flat_map(|x| {
                x.radios
                    .iter()
                    .filter(|r| r.band == Band::G2_4)
                    .map(|r| r.channel)
            })
            .collect();
        assert!(ch.iter().all(|c| [1, 6, 11].contains(c)));
        // …and those that would share a channel with a radio they hear were switched off.
        assert_eq!(a.cochannel_overlap[&Band::G2_4], 0.0);
        assert!(a
            .new_aps()
            .all(|x| x.radios.iter().any(|r| r.band == Band::G5)));
        let bad = PlanOptions {
            min_distance_m: f64::NAN,
            ..opts(3.0)
        };
        assert!(plan_floor(&input, &bad).is_err());
    }

    #[test]
    fn incremental_scores_and_column_gains_equal_brute_force() {
        use crate::greedy::best_addition;
        use crate::objective::Design;
        use rand::{Rng, SeedableRng};
        let f = floor(vec![ap5(3.0, 6.0)]);
        let parts = parts(&f, &opts(2.6));
        let s = parts.search();
        let n = parts.cand.len();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        for _ in 0..60 {
            let size = rng.random_range(0..5);
            let chosen: Vec<usize> = (0..size).map(|_| rng.random_range(0..n)).collect();
            let d = Design::new(&s, chosen.clone());
            assert_eq!(d.score_swap(&s, None, None), s.score(&chosen));
            if size > 0 {
                let (k, j) = (rng.random_range(0..size), rng.random_range(0..n));
                let mut swapped = chosen.clone();
                swapped[k] = j;
                assert_eq!(d.score_swap(&s, Some(k), Some(j)), s.score(&swapped));
                let mut removed = chosen.clone();
                removed.remove(k);
                assert_eq!(d.score_swap(&s, Some(k), None), s.score(&removed));
            }
            // The greedy gain is the drop in deficit: try every allowed candidate.
            let before = s.score(&chosen).deficit;
            let mut want: Option<(usize, f64)> = None;
            for j in (0..n).filter(|&j| s.allowed(j, &chosen, None)) {
                let mut with = chosen.clone();
                with.push(j);
                let gain = before - s.score(&with).deficit;
                if gain > 0.0 && want.is_none_or(|w| gain > w.1) {
                    want = Some((j, gain));
                }
            }
            assert_eq!(best_addition(&s, &s.top2(&chosen), &chosen), want);
        }
    }

    #[test]
    fn grid_matrix_equals_the_point_by_point_reference() {
        // The planner's fast matrix (wall shadows over the demand grid) against the reference
        // (every cell's walls counted on its own), on the test floor with two existing APs:
        // default wall losses are whole dB, so the sums agree to the bit and so do the plans.
        let f = floor(vec![ap5(3.0, 6.0), ap5(20.0, 2.0)]);
        let o = opts(2.6);
        let demand = Demand::of_floor(&f, o.cell_m, &profile);
        assert!(demand.grid.is_some());
        let walls = WallSet::new(&f.walls, &f.materials, o.design_band);
        let cand = candidates(&f, &[], 0.0, &o.candidates);
        let src = design_sources(&cand, &o);
        for floor_dbm in [f64::NEG_INFINITY, -70.0] {
            let fast = demand.matrix(&src, 2.6, &walls, floor_dbm);
            let slow = SignalMatrix::build(&src, &demand.cells, 2.6, &walls, floor_dbm);
            assert!(fast == slow, "grid and point-by-point matrices differ");
        }
    }

    #[test]
    fn suggested_powers_keep_the_design() {
        let f = floor(vec![]);
        let input = PlanInput {
            floor: &f,
            calibration: None,
            profile: &profile,
        };
        for exponent in [2.2, 2.8] {
            let full = plan_floor(&input, &opts(exponent)).unwrap();
            let o = PlanOptions {
                suggest_tx_power: true,
                ..opts(exponent)
            };
            let cut = plan_floor(&input, &o).unwrap();
            // Same APs, same deficit, every zone that met its target still does.
            let pos = |p: &Plan| p.new_aps().map(|a| a.position).collect::<Vec<_>>();
            assert_eq!(pos(&cut), pos(&full));
            assert!(cut.deficit <= full.deficit + 1e-9);
            for (a, b) in cut.zones.iter().zip(&full.zones) {
                assert!(a.after.meets_target || !b.after.meets_target, "{a:?}");
            }
            let tx: Vec<f64> = cut
                .new_aps()
                .flat_map(|a| a.radios.iter().filter(|r| r.band == Band::G5))
                .map(|r| r.tx_dbm)
                .collect();
            assert!(tx
                .iter()
                .all(|&t| (MIN_SUGGESTED_TX_DBM..=17.0).contains(&t)));
            if exponent == 2.2 {
                // Open plan: the signal is strong, so some AP can be turned down.
                assert!(tx.iter().any(|&t| t < 17.0), "{tx:?}");
            }
            // One more dB off any AP would break the design: checked by hand on the matrix.
            let parts = parts(&f, &opts(exponent));
            let s = parts.search();
            let chosen: Vec<usize> = cut
                .new_aps()
                .map(|a| parts.cand.iter().position(|p| *p == a.position).unwrap())
                .collect();
            let cuts: Vec<f64> = tx.iter().map(|t| 17.0 - t).collect();
            let base_t = top2_with_cuts(&s, &chosen, &vec![0.0; chosen.len()]);
            let deficit = score(&parts.demand, &parts.problem, &base_t, chosen.len()).deficit;
            let met = meets(&parts.demand, &parts.problem, &o.targets, &base_t);
            for k in 0..chosen.len() {
                if tx[k] <= MIN_SUGGESTED_TX_DBM {
                    continue;
                }
                let mut more = cuts.clone();
                more[k] += 1.0;
                let t = top2_with_cuts(&s, &chosen, &more);
                let worse = score(&parts.demand, &parts.problem, &t, chosen.len()).deficit
                    > deficit + 1e-9
                    || meets(&parts.demand, &parts.problem, &o.targets, &t)
                        .iter()
                        .zip(&met)
                        .any(|(now, before)| *before && !*now);
                // Later APs were cut after this one, so a cut refused then may pass now; only
                // the last AP's refusal is final.
                if k + 1 == chosen.len() {
                    assert!(worse, "AP {k} could go lower");
                }
            }
        }
    }

    #[test]
    fn a_floor_without_zones_needs_nothing() {
        let mut f = floor(vec![]);
        f.zones.clear();
        let input = PlanInput {
            floor: &f,
            calibration: None,
            profile: &profile,
        };
        let p = plan_floor(&input, &opts(3.0)).unwrap();
        assert_eq!(
            (p.new_aps().count(), p.deficit, p.demand_cells),
            (0, 0.0, 0)
        );
    }
}
