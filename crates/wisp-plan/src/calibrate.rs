//! Calibrating the radio model on the survey: least squares for the path-loss exponent and each
//! radio's effective transmit power, and the position of access points the manifest does not
//! place.
//!
//! The model is `wisp_radio`'s: `rssi = P_r − PL1m(f) − 10·n·log10(max(d, 1 m)) − walls`, with
//! `PL1m` the free-space loss at 1 m of the radio's channel and the walls' losses from the floor's
//! material table. For radios at known positions it is linear in `(P_1..P_R, n)`: the normal
//! equations are solved directly ([`crate::linalg`]). An access point whose position is unknown
//! (its radios match no manifest AP) is located by grid search: for a trial position the best
//! power of each of its radios has a closed form (the mean residual), so the search scores
//! positions on a 1 m lattice over the floor, then refines on a 0.1 m lattice within 1.5 m of
//! the best. Its uncertainty is the radius within which the fit's RMSE rises by less than 1 dB.
//! Locating and fitting alternate a few times, since each depends on the other's exponent.
//!
//! A radio is an access point (by [`CalibrationOptions::grouping`]) and a band, not a channel: an
//! AP whose channel changed between captures (radio resource management does that daily) stays
//! one radio with one power, each reading's free-space term taken at its own channel. A radio's
//! readings at one scan (one per SSID) are averaged. A fitted power outside
//! [`CalibrationOptions::plausible_power_dbm`] is flagged with its likely cause. A manifest AP is the survey's AP its listed BSSIDs or its base BSSID name.
//! Per-material wall losses are taken from the floor's table, or, with `fit_walls`, fitted jointly
//! with the powers and the exponent once the positions are known ([`fit_walls`]).
//!
//! Known bias: scanners do not report radios below their sensitivity (about −90 dBm), so far from
//! an AP only the lucky, strong readings survive and the fitted exponent is slightly low. The
//! fit reports its bias (mean residual) and RMSE so the caller can judge.

use crate::linalg::solve;
use crate::walls::WallSet;
use crate::{PlanError, PlanErrorKind};
use rayon::prelude::*;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use wisp_interp::RadioKey;
use wisp_model::{ApGrouping, Band, Bssid, Channel, Floor, Material, Point, Sample, Segment};
use wisp_radio::path_loss::free_space_1m;
use wisp_radio::PathLoss;

/// Options of the calibration.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationOptions {
    /// Exponent to start from (and to keep when the data cannot determine it): `PathLoss`'s
    /// default 2.5 (shared/reference.md §2).
    pub initial_exponent: f64,
    /// Locate an unplaced AP only if some reading of it reaches this level. −50 dBm: Ekahau only
    /// auto-locates a measured AP when a reading exceeds −50 dBm (shared/reference.md §1).
    pub locate_min_dbm: f64,
    /// …and only with at least this many readings (10, *estimate*: a position and a power per
    /// radio are unknowns).
    pub locate_min_readings: usize,
    /// Lattice of the coarse position search, metres (1 m).
    pub coarse_step_m: f64,
    /// Lattice of the refinement, metres (0.1 m), within `fine_radius_m` (1.5 m) of the best.
    pub fine_step_m: f64,
    pub fine_radius_m: f64,
    /// A located AP's uncertainty is the radius within which the RMSE rises by less than this
    /// (1 dB).
    pub uncertainty_rise_db: f64,
    /// Rounds of locate-then-fit when some AP is unplaced (3).
    pub rounds: usize,
    /// Which BSSIDs are one access point (the site's `ap_grouping` and APs' `bssids`).
    pub grouping: ApGrouping,
    /// Also fit the loss of each wall material (per band) that enough paths cross (false).
    pub fit_walls: bool,
    /// …a material is fitted on a band when at least this many readings' paths cross it (30,
    /// *estimate*: enough that one reading's shadowing does not decide it).
    pub wall_min_readings: usize,
    /// …and is pulled towards the table's figure (shared/reference.md §2, the default
    /// materials) as a prior of this standard deviation: 5 dB (*estimate*: published tables
    /// for the same material differ by a few dB).
    pub wall_prior_sd_db: f64,
    /// Effective powers outside this range (dBm) are flagged ([`FittedRadio::implausible`]).
    /// Top, 30 dBm: the most EIRP UK rules allow a Wi-Fi band indoors (1 W, 5470–5725 MHz, Ofcom
    /// IR 2030). Bottom, −5 dBm (*estimate*): an AP turned down to 5 dBm (the least `wisp plan`
    /// suggests) less the ~10 dB a handheld client loses to a survey adapter (Ekahau's "view as
    /// mobile device", shared/reference.md §7).
    pub plausible_power_dbm: (f64, f64),
    /// A radio fitted from fewer readings than this is flagged as poorly determined when its
    /// power is implausible (20, *estimate*: the power's standard error under 5 dB shadowing is
    /// then about 1 dB before correlation along the walk, which makes it several).
    pub min_power_readings: usize,
}

impl Default for CalibrationOptions {
    fn default() -> Self {
        CalibrationOptions {
            initial_exponent: PathLoss::default().exponent,
            locate_min_dbm: -50.0,
            locate_min_readings: 10,
            coarse_step_m: 1.0,
            fine_step_m: 0.1,
            fine_radius_m: 1.5,
            uncertainty_rise_db: 1.0,
            rounds: 3,
            grouping: ApGrouping::default(),
            fit_walls: false,
            wall_min_readings: 30,
            wall_prior_sd_db: 5.0,
            plausible_power_dbm: (-5.0, 30.0),
            min_power_readings: 20,
        }
    }
}

/// One measured radio with its fitted effective power.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedRadio {
    /// The AP (by the grouping; by default the first five octets of its BSSIDs), as
    /// `wisp_interp::RadioKey::ap`.
    pub ap: String,
    pub band: Band,
    /// The channel heard most often (the lowest of equals).
    pub channel: u16,
    /// Every channel it was heard on, ascending: more than one when the AP changed channel
    /// between captures.
    pub channels: Vec<u16>,
    /// Name of the manifest AP it belongs to, when matched.
    pub ap_name: Option<String>,
    /// Transmit power the manifest gives, when matched.
    pub manifest_tx_dbm: Option<f64>,
    /// Fitted effective transmit power `P_r` (dBm): what the model needs at 1 m beyond free space.
    pub power_dbm: f64,
    pub readings: usize,
    pub rmse_db: f64,
    /// Mean of measured − predicted.
    pub bias_db: f64,
    /// Why the fitted power is implausible (outside
    /// [`CalibrationOptions::plausible_power_dbm`]) and what most likely caused it; `None` when
    /// it is plausible.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub implausible: Option<String>,
}

/// An access point located from the measurements.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocatedAp {
    pub ap: String,
    pub position: Point,
    /// Radius (m) within which the RMSE rises by less than `uncertainty_rise_db`.
    pub uncertainty_m: f64,
    pub rmse_db: f64,
    pub strongest_dbm: f64,
}

/// An access point heard but not used: unplaced and too weak or too rarely heard to locate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedAp {
    pub ap: String,
    pub readings: usize,
    pub strongest_dbm: f64,
}

/// One wall material's loss on one band, fitted to the survey.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FittedMaterial {
    pub material: String,
    pub band: Band,
    /// The floor's table figure (the prior), dB per crossing.
    pub default_db: f64,
    /// The fitted loss, dB per crossing.
    pub loss_db: f64,
    /// Its standard error from the fit's residual variance, dB.
    pub standard_error_db: f64,
    /// Readings whose path crosses at least one wall of the material.
    pub readings: usize,
}

/// The per-material wall fit, with the fit's quality before (table losses) and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WallFit {
    pub materials: Vec<FittedMaterial>,
    pub rmse_before_db: f64,
    pub bias_before_db: f64,
    pub rmse_after_db: f64,
    pub bias_after_db: f64,
}

/// The fitted model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Path-loss exponent n.
    pub exponent: f64,
    /// Whether the exponent was fitted (false: the data could not determine it; initial kept).
    pub exponent_fitted: bool,
    pub radios: Vec<FittedRadio>,
    pub located: Vec<LocatedAp>,
    pub skipped: Vec<SkippedAp>,
    /// Readings used in the fit, overall RMSE and bias (measured − predicted, dB).
    pub readings: usize,
    pub rmse_db: f64,
    pub bias_db: f64,
    /// The grouping the radios' `ap` keys were made with.
    #[serde(skip)]
    pub grouping: ApGrouping,
    /// Fitted wall losses, when asked for (`fit_walls`) and some material is crossed enough.
    pub walls: Option<WallFit>,
}

impl Calibration {
    /// The material table with the fitted losses in place of `table`'s (negative fits, which
    /// noise can give a thin wall, count as 0 dB).
    pub fn materials(&self, table: &[Material]) -> Vec<Material> {
        let mut out = table.to_vec();
        for f in self.walls.iter().flat_map(|w| &w.materials) {
            if let Some(m) = out.iter_mut().find(|m| m.name == f.material) {
                m.loss_db.insert(f.band, f.loss_db.max(0.0));
            }
        }
        out
    }

    /// The model with the fitted exponent (powers carry everything else).
    pub fn path_loss(&self) -> PathLoss {
        PathLoss {
            exponent: self.exponent,
            extra_1m_db: 0.0,
        }
    }

    /// Mean of (manifest tx − fitted power) over matched radios: what a new AP's nominal transmit
    /// power loses in practice (antenna, body, client). 0 when nothing is matched.
    pub fn extra_loss_db(&self) -> f64 {
        let d: Vec<f64> = self
            .radios
            .iter()
            .filter_map(|r| r.manifest_tx_dbm.map(|t| t - r.power_dbm))
            .collect();
        if d.is_empty() {
            0.0
        } else {
            d.iter().sum::<f64>() / d.len() as f64
        }
    }

    /// Where the AP `ap` (a radio's `ap` key) is: from the manifest (`floor`) or located.
    pub fn position_of(&self, floor: &Floor, ap: &str) -> Option<Point> {
        manifest_ap(floor, ap, &self.grouping)
            .map(|a| a.position)
            .or_else(|| self.located.iter().find(|l| l.ap == ap).map(|l| l.position))
    }
}

fn manifest_ap<'a>(
    floor: &'a Floor,
    ap: &str,
    grouping: &ApGrouping,
) -> Option<&'a wisp_model::AccessPoint> {
    floor.aps.iter().find(|a| {
        grouping
            .ap_named(&a.name, a.base_bssid)
            .is_some_and(|id| id.0 == ap)
    })
}

/// A radio's readings: positions, levels and the free-space loss at 1 m of each reading's
/// channel. `key.channel` is the channel heard most often.
pub(crate) struct RadioData {
    pub(crate) key: RadioKey,
    channels: Vec<u16>,
    fs1m: Vec<f64>,
    pub(crate) points: Vec<Point>,
    pub(crate) rssi: Vec<f64>,
    /// Index into the samples of each reading's scan: readings of different radios at one scan
    /// share a position, so the AP search computes each position's wall loss once.
    scans: Vec<u32>,
}

/// One reading per radio (AP and band) per scan, in key order for determinism.
pub(crate) fn gather(samples: &[Sample], grouping: &ApGrouping) -> Vec<RadioData> {
    #[derive(Default)]
    struct Acc {
        /// Readings per channel, to name the radio's usual channel.
        channels: BTreeMap<u16, usize>,
        fs1m: Vec<f64>,
        points: Vec<Point>,
        rssi: Vec<f64>,
        scans: Vec<u32>,
    }
    // Each BSSID's AP is named once (`ap_of` formats a string), as a number into `names`;
    // the radios are sorted by (name, band) at the end, the order a map by name would give.
    let mut names: Vec<String> = Vec::new();
    let mut number: HashMap<String, u32> = HashMap::new();
    let mut name_of: HashMap<Bssid, u32> = HashMap::new();
    let mut by_key: HashMap<(u32, Band), Acc> = HashMap::new();
    // (AP, band) → (channel, frequency, sum, count) at one scan.
    type AtScan = ((u32, Band), (u16, u32, f64, usize));
    let mut here: Vec<AtScan> = Vec::new();
    for (si, s) in samples.iter().enumerate() {
        let p = s.position();
        if !(p.x.is_finite() && p.y.is_finite()) {
            continue;
        }
        // One radio transmits on one channel at a time, so a scan's readings of it share a
        // channel; should two differ, the first one's is kept. Each radio's readings are summed
        // in the scan's order.
        here.clear();
        for o in &s.observations {
            if !o.rssi_dbm.is_finite() {
                continue;
            }
            let name = *name_of.entry(o.bssid).or_insert_with(|| {
                // Several BSSIDs (one per SSID) are one AP: one number per name.
                let ap = grouping.ap_of(&o.bssid).0;
                *number.entry(ap.clone()).or_insert_with(|| {
                    names.push(ap);
                    (names.len() - 1) as u32
                })
            });
            let key = (name, o.band);
            let i = match here.iter().position(|h| h.0 == key) {
                Some(i) => i,
                None => {
                    here.push((key, (o.channel, o.freq_mhz, 0.0, 0)));
                    here.len() - 1
                }
            };
            let e = &mut here[i].1;
            e.2 += o.rssi_dbm;
            e.3 += 1;
        }
        for &(key, (channel, freq, sum, n)) in &here {
            let freq = Channel::new(key.1, channel).map_or(freq, |c| c.freq_mhz);
            let e = by_key.entry(key).or_default();
            *e.channels.entry(channel).or_default() += 1;
            e.fs1m.push(free_space_1m(freq as f64));
            e.points.push(p);
            e.rssi.push(sum / n as f64);
            e.scans.push(si as u32);
        }
    }
    let mut radios: Vec<((u32, Band), Acc)> = by_key.into_iter().collect();
    radios.sort_by(|a, b| {
        (names[a.0 .0 as usize].as_str(), a.0 .1).cmp(&(names[b.0 .0 as usize].as_str(), b.0 .1))
    });
    radios
        .into_iter()
        .map(|((name, band), acc)| {
            let usual = acc
                .channels
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or(0, |(c, _)| *c);
            RadioData {
                key: RadioKey {
                    ap: names[name as usize].clone(),
                    band,
                    channel: usual,
                },
                channels: acc.channels.into_keys().collect(),
                fs1m: acc.fs1m,
                points: acc.points,
                rssi: acc.rssi,
                scans: acc.scans,
            }
        })
        .collect()
}

/// `10·log10(max(d, 1))`, the distance term per unit exponent.
fn log_term(a: Point, b: Point) -> f64 {
    10.0 * a.distance(b).max(1.0).log10()
}

/// Per reading: `z = rssi + PL1m + walls` and `L = 10·log10(d)`, so that `z = P − n·L`.
fn terms(r: &RadioData, at: Point, walls: &WallSet) -> (Vec<f64>, Vec<f64>) {
    let view = walls.view(at);
    let z = r
        .points
        .iter()
        .zip(&r.rssi)
        .zip(&r.fs1m)
        .map(|((p, y), fs)| y + fs + view.loss_to(*p))
        .collect();
    let l = r.points.iter().map(|p| log_term(at, *p)).collect();
    (z, l)
}

/// Least squares of `z = P_r − n·L` over radios; returns (powers, n, fitted?).
fn fit_linear(rows: &[(Vec<f64>, Vec<f64>)], fallback_n: f64) -> (Vec<f64>, f64, bool) {
    let r = rows.len();
    let m = r + 1;
    let mut a = vec![0.0; m * m];
    let mut b = vec![0.0; m];
    for (i, (z, l)) in rows.iter().enumerate() {
        a[i * m + i] = z.len() as f64;
        let sl: f64 = l.iter().sum();
        a[i * m + r] = -sl;
        a[r * m + i] = -sl;
        a[r * m + r] += l.iter().map(|v| v * v).sum::<f64>();
        b[i] = z.iter().sum();
        b[r] -= z.iter().zip(l).map(|(z, l)| z * l).sum::<f64>();
    }
    if let Some(x) = solve(&a, &b) {
        return (x[..r].to_vec(), x[r], true);
    }
    let powers = rows
        .iter()
        .map(|(z, l)| {
            let n = z.len().max(1) as f64;
            z.iter()
                .zip(l)
                .map(|(z, l)| z + fallback_n * l)
                .sum::<f64>()
                / n
        })
        .collect();
    (powers, fallback_n, false)
}

/// Sum of squared residuals and count, with each radio's power at its closed-form best: the
/// reference the lattice searches ([`LatticeWalls`]) equal bit for bit.
#[cfg(test)]
fn sse_at(
    radios: &[&RadioData],
    at: Point,
    n: f64,
    walls: &BTreeMap<Band, WallSet>,
) -> (f64, usize) {
    let mut sse = 0.0;
    let mut count = 0;
    for r in radios {
        let Some(w) = walls.get(&r.key.band) else {
            continue;
        };
        let (z, l) = terms(r, at, w);
        sse += radio_sse(&z, &l, n);
        count += z.len();
    }
    (sse, count)
}

/// One radio's sum of squared residuals with its power at its closed-form best (the tests'
/// reference; the search computes `v` in place, [`LatticeWalls::scores`]).
#[cfg(test)]
fn radio_sse(z: &[f64], l: &[f64], n: f64) -> f64 {
    let v: Vec<f64> = z.iter().zip(l).map(|(z, l)| z + n * l).collect();
    spread(&v)
}

/// The sum of squared deviations of `v` (each reading's `z + n·l`) from their mean: a radio's
/// SSE with its power at its closed-form best (`radio_sse`).
fn spread(v: &[f64]) -> f64 {
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>()
}

/// The RMSE of [`sse_at`] for every AP of `groups` (each its radios) at every point of
/// `lattice`, the same numbers bit for bit: `scores[g][i]` for AP g at `lattice[i]`.
///
/// The APs searched share the lattice and the scans, so at each lattice point one view of the
/// walls is built and each scan's wall losses (every band's from one crossing test per wall) and
/// distance term computed once, for every AP, instead of once per AP and radio: the search
/// costs lattice × scans, not lattice × readings of every AP searched.
#[cfg(test)]
fn lattice_scores(
    lattice: &[Point],
    groups: &[Vec<&RadioData>],
    positions: &[Point],
    n: f64,
    floor: &Floor,
) -> Vec<Vec<f64>> {
    LatticeWalls::new(lattice.to_vec(), groups, positions, floor).scores(groups, n)
}

/// Most wall losses the fine searches keep from one round to the next: 16 million, 64 MB as
/// `f32` (*estimate* of what a floor's run can spare beside its survey; the dense floor's three
/// located APs need 3.8 million). Beyond it a fine lattice is computed again each round.
const FINE_CACHE_LOSSES: usize = 16_000_000;

/// Every scan's wall loss seen from every point of a lattice, per band, for the scans the APs
/// searched were heard at: the part of `lattice_scores` (the tests' reference) that does not depend on the exponent,
/// so the rounds of locate-then-fit (which search the same lattice with the same scans and
/// walls, only `n` changes) compute it once instead of once per round.
struct LatticeWalls<'a> {
    lattice: Vec<Point>,
    positions: &'a [Point],
    /// Per scan, whether any band needs it (its distance term is computed).
    any: Vec<bool>,
    /// Per band: each scan's slot in a point's losses of that band (`u32::MAX`: not needed).
    slots: BTreeMap<Band, Vec<u32>>,
    /// Per lattice point, the needed losses of every band, band after band (or a
    /// [`SharedLattice`]'s, which may hold more).
    losses: Cow<'a, [PointLosses]>,
    /// A [`SharedLattice`]'s distance terms (per lattice point, per column) and each scan's
    /// column (`u32::MAX`: not needed); None: computed at each point as the scores need them.
    distance_terms: Option<(&'a [Vec<f64>], Vec<u32>)>,
}

/// One lattice point's losses. Wall losses are sums of a few table figures (whole dB in the
/// default table), which `f32` holds exactly: they are kept as `f32` when every one of them
/// converts back to the same `f64`, halving the memory (2,000 scans × 4,000 points × 2 bands
/// is 64 MB in `f32`), and as `f64` otherwise, so the values read back are always the ones
/// computed.
#[derive(Debug, Clone)]
enum PointLosses {
    Narrow(Vec<f32>),
    Wide(Vec<f64>),
}

impl PointLosses {
    fn len(&self) -> usize {
        match self {
            PointLosses::Narrow(v) => v.len(),
            PointLosses::Wide(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> f64 {
        match self {
            PointLosses::Narrow(v) => v[i] as f64,
            PointLosses::Wide(v) => v[i],
        }
    }
}

/// Which scans each band needs for searching `groups`, and which any band needs.
fn needed_scans(
    groups: &[Vec<&RadioData>],
    scans: usize,
) -> (BTreeMap<Band, Vec<bool>>, Vec<bool>) {
    let mut needed: BTreeMap<Band, Vec<bool>> = BTreeMap::new();
    let mut any = vec![false; scans];
    for r in groups.iter().flatten() {
        let mask = needed
            .entry(r.key.band)
            .or_insert_with(|| vec![false; scans]);
        for &s in &r.scans {
            mask[s as usize] = true;
            any[s as usize] = true;
        }
    }
    (needed, any)
}

impl<'a> LatticeWalls<'a> {
    /// The table of `lattice` for `groups` taken from `shared`: None unless `shared` was made
    /// with the same lattice and walls and holds every loss `groups` needs. The losses read
    /// back are the ones [`LatticeWalls::new`] computes: each band's is its own set's sum
    /// whatever other bands the table holds (`SourceView::losses_to`), and a scan's depends on
    /// its position, not its index.
    fn from_shared(
        shared: &'a SharedLattice,
        lattice: &[Point],
        groups: &[Vec<&RadioData>],
        positions: &'a [Point],
        floor: &Floor,
    ) -> Option<LatticeWalls<'a>> {
        if shared.lattice != lattice
            || shared.floor_walls != floor.walls
            || shared.materials != floor.materials
        {
            return None;
        }
        let (needed, any) = needed_scans(groups, positions.len());
        let slots = needed
            .iter()
            .map(|(band, mask)| {
                let table = shared.slots.get(band)?;
                let slot = mask
                    .iter()
                    .zip(positions)
                    .map(|(&need, p)| {
                        if need {
                            table.get(&position_key(*p)).copied()
                        } else {
                            Some(u32::MAX)
                        }
                    })
                    .collect::<Option<Vec<u32>>>()?;
                Some((*band, slot))
            })
            .collect::<Option<BTreeMap<Band, Vec<u32>>>>()?;
        let columns = any
            .iter()
            .zip(positions)
            .map(|(&need, p)| {
                if need {
                    shared.columns.get(&position_key(*p)).copied()
                } else {
                    Some(u32::MAX)
                }
            })
            .collect::<Option<Vec<u32>>>()?;
        Some(LatticeWalls {
            lattice: lattice.to_vec(),
            positions,
            any,
            slots,
            losses: Cow::Borrowed(&shared.losses),
            distance_terms: Some((&shared.distance_terms, columns)),
        })
    }

    fn new(
        lattice: Vec<Point>,
        groups: &[Vec<&RadioData>],
        positions: &'a [Point],
        floor: &Floor,
    ) -> LatticeWalls<'a> {
        let (needed, any) = needed_scans(groups, positions.len());
        let mut offset = 0;
        let slots: BTreeMap<Band, Vec<u32>> = needed
            .iter()
            .map(|(band, mask)| {
                let slot = mask
                    .iter()
                    .map(|&need| {
                        if need {
                            offset += 1;
                            (offset - 1) as u32
                        } else {
                            u32::MAX
                        }
                    })
                    .collect();
                (*band, slot)
            })
            .collect();
        // Every band's losses from one crossing test per wall (`SourceView::losses_to`, equal
        // to each band's own `loss_to` bit for bit).
        let bands: Vec<Band> = needed.keys().copied().collect();
        let walls = WallSet::for_bands(&floor.walls, &floor.materials, &bands);
        let band_slots: Vec<&Vec<u32>> = slots.values().collect();
        let losses = lattice
            .par_iter()
            .map(|&at| {
                let mut loss = vec![0.0; offset];
                let mut here = vec![0.0; bands.len()];
                let view = walls.view(at);
                for (s, p) in positions.iter().enumerate() {
                    if !any[s] {
                        continue;
                    }
                    view.losses_to(*p, &mut here);
                    for (slot, &l) in band_slots.iter().zip(&here) {
                        if let Some(v) = loss.get_mut(slot[s] as usize) {
                            *v = l;
                        }
                    }
                }
                if loss.iter().all(|&v| (v as f32) as f64 == v) {
                    PointLosses::Narrow(loss.iter().map(|&v| v as f32).collect())
                } else {
                    PointLosses::Wide(loss)
                }
            })
            .collect();
        LatticeWalls {
            lattice,
            positions,
            any,
            slots,
            losses: Cow::Owned(losses),
            distance_terms: None,
        }
    }

    /// How many losses it holds.
    fn len(&self) -> usize {
        self.losses.iter().map(PointLosses::len).sum()
    }

    /// Every AP's RMSE at every point of the lattice with the exponent `n`, as `lattice_scores`
    /// (`scores[g][i]` for AP g at point i).
    fn scores(&self, groups: &[Vec<&RadioData>], n: f64) -> Vec<Vec<f64>> {
        // Each radio's readings' slots in a point's losses (None: its band has no walls).
        let slots: Vec<Vec<Option<Vec<usize>>>> = groups
            .iter()
            .map(|radios| {
                radios
                    .iter()
                    .map(|r| {
                        let slot = self.slots.get(&r.key.band)?;
                        Some(r.scans.iter().map(|&s| slot[s as usize] as usize).collect())
                    })
                    .collect()
            })
            .collect();
        let by_point: Vec<Vec<f64>> = self
            .lattice
            .par_iter()
            .zip(&self.losses[..])
            .enumerate()
            .map(|(i, (&at, loss))| {
                let logs: Vec<f64> = match &self.distance_terms {
                    Some((rows, columns)) => columns
                        .iter()
                        .map(|&c| rows[i].get(c as usize).copied().unwrap_or(f64::NAN))
                        .collect(),
                    None => self
                        .positions
                        .iter()
                        .zip(&self.any)
                        .map(|(p, &need)| if need { log_term(at, *p) } else { f64::NAN })
                        .collect(),
                };
                // One buffer for every radio's `z + n·l` at this point (`radio_sse`'s, the
                // same operations in the same order, without two allocations per radio).
                let mut v: Vec<f64> = Vec::new();
                groups
                    .iter()
                    .zip(&slots)
                    .map(|(radios, slots)| {
                        let mut sse = 0.0;
                        let mut count = 0;
                        for (r, slots) in radios.iter().zip(slots) {
                            let Some(slots) = slots else {
                                continue;
                            };
                            // `terms`, with the shared losses and distance terms.
                            v.clear();
                            v.extend(slots.iter().zip(&r.rssi).zip(&r.fs1m).zip(&r.scans).map(
                                |(((&i, y), fs), &s)| {
                                    let z = y + fs + loss.get(i);
                                    z + n * logs[s as usize]
                                },
                            ));
                            sse += spread(&v);
                            count += v.len();
                        }
                        (sse / count.max(1) as f64).sqrt()
                    })
                    .collect()
            })
            .collect();
        (0..groups.len())
            .map(|g| by_point.iter().map(|scores| scores[g]).collect())
            .collect()
    }
}

fn lattice(min: Point, max: Point, step: f64) -> Vec<Point> {
    let cols = (((max.x - min.x) / step).floor().max(0.0) as usize).min(100_000) + 1;
    let rows = (((max.y - min.y) / step).floor().max(0.0) as usize).min(100_000) + 1;
    let mut v = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            v.push(Point::new(min.x + c as f64 * step, min.y + r as f64 * step));
        }
    }
    v
}

/// The coarse lattice the AP search scores first: every `coarse_step_m` over the floor.
fn coarse_lattice(floor: &Floor, opts: &CalibrationOptions) -> Vec<Point> {
    let (min, max) = floor.outline.bounds();
    let step = if opts.coarse_step_m > 0.0 {
        opts.coarse_step_m
    } else {
        1.0
    };
    lattice(min, max, step)
}

/// Locates one AP given its RMSE at every point of the coarse lattice (`coarse`:
/// [`coarse_lattice`], scored by [`LatticeWalls`]) and `fine_scores`, its RMSE at each point
/// of the fine lattice it is given (the same, `sse_at`'s, bit for bit).
fn locate(
    coarse: Vec<(Point, f64)>,
    fine_scores: impl FnOnce(Vec<Point>) -> Vec<f64>,
    opts: &CalibrationOptions,
) -> Option<(Point, f64, f64)> {
    let mut scored = coarse;
    let best = scored
        .iter()
        .filter(|s| s.1.is_finite())
        .min_by(|a, b| a.1.total_cmp(&b.1))?
        .0;
    let fs = if opts.fine_step_m > 0.0 {
        opts.fine_step_m
    } else {
        0.1
    };
    let rad = opts.fine_radius_m.max(0.0);
    let fine = lattice(
        Point::new(best.x - rad, best.y - rad),
        Point::new(best.x + rad + fs / 2.0, best.y + rad + fs / 2.0),
        fs,
    );
    scored.extend(fine.clone().into_iter().zip(fine_scores(fine)));
    let (at, rmse) = scored
        .iter()
        .filter(|s| s.1.is_finite())
        .min_by(|a, b| {
            a.1.total_cmp(&b.1)
                .then(a.0.x.total_cmp(&b.0.x))
                .then(a.0.y.total_cmp(&b.0.y))
        })
        .copied()?;
    let uncertainty = scored
        .iter()
        .filter(|s| s.1 < rmse + opts.uncertainty_rise_db)
        .map(|s| s.0.distance(at))
        .fold(0.0, f64::max);
    Some((at, uncertainty, rmse))
}

/// Which APs the calibration places from the manifest, which it locates and which it skips.
struct Search {
    /// Each AP's radios (indices into the gathered radios), by AP.
    aps: BTreeMap<String, Vec<usize>>,
    /// Positions of the APs the manifest places.
    position: BTreeMap<String, Point>,
    skipped: Vec<SkippedAp>,
    /// The APs to locate, with their strongest reading.
    unplaced: Vec<(String, f64)>,
}

/// Groups the radios by AP, places the manifest's and picks those heard often and strongly
/// enough to locate. On a subset of a walk an AP has no more readings, and none stronger, than
/// on the whole walk, so a subset locates no AP the whole walk would not (what
/// [`SharedLattice`] relies on).
fn search(floor: &Floor, data: &[RadioData], opts: &CalibrationOptions) -> Search {
    let mut aps: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in data.iter().enumerate() {
        aps.entry(r.key.ap.clone()).or_default().push(i);
    }
    let position: BTreeMap<String, Point> = aps
        .keys()
        .filter_map(|ap| manifest_ap(floor, ap, &opts.grouping).map(|a| (ap.clone(), a.position)))
        .collect();
    let mut skipped = Vec::new();
    let mut unplaced = Vec::new();
    for (ap, idx) in &aps {
        if position.contains_key(ap) {
            continue;
        }
        let readings: usize = idx.iter().map(|&i| data[i].rssi.len()).sum();
        let strongest = idx
            .iter()
            .flat_map(|&i| data[i].rssi.iter().copied())
            .fold(f64::NEG_INFINITY, f64::max);
        if readings >= opts.locate_min_readings && strongest >= opts.locate_min_dbm {
            unplaced.push((ap.clone(), strongest));
        } else {
            skipped.push(SkippedAp {
                ap: ap.clone(),
                readings,
                strongest_dbm: strongest,
            });
        }
    }
    Search {
        aps,
        position,
        skipped,
        unplaced,
    }
}

/// The coarse lattice's wall losses to every scan of a walk where an AP the calibration of the
/// whole walk would locate was heard, for calibrating subsets of that walk (cross-validation's
/// folds, [`crate::CalibrationFit`]): the losses depend on the lattice point, the scan's
/// position and the walls, not on which other scans are in the subset, so the folds share one
/// table instead of each computing its own ([`calibrate_sharing`]). A subset's scans are found
/// in it by position; a subset that needs a loss it does not hold (another walk, another
/// floor, other options) computes its own table, so the result never depends on the table
/// given, only the time.
#[derive(Debug)]
pub struct SharedLattice {
    lattice: Vec<Point>,
    floor_walls: Vec<wisp_model::Wall>,
    materials: Vec<Material>,
    /// Per band: a scan position's (bits of x, y) slot in each point's losses.
    slots: BTreeMap<Band, HashMap<(u64, u64), u32>>,
    losses: Vec<PointLosses>,
    /// Each needed scan position's (bits of x, y) column in `distance_terms`.
    columns: HashMap<(u64, u64), u32>,
    /// Per lattice point, per column, the distance term (`log_term`), which the rounds of
    /// every fit would otherwise compute again (a `log10` and a `hypot` each).
    distance_terms: Vec<Vec<f64>>,
}

impl SharedLattice {
    /// The table for calibrating subsets of `samples` (one floor's walk) with `opts`.
    pub fn new(floor: &Floor, samples: &[Sample], opts: &CalibrationOptions) -> SharedLattice {
        let data = gather(samples, &opts.grouping);
        let Search { aps, unplaced, .. } = search(floor, &data, opts);
        let groups: Vec<Vec<&RadioData>> = unplaced
            .iter()
            .map(|(ap, _)| aps[ap].iter().map(|&i| &data[i]).collect())
            .collect();
        let lattice = if groups.is_empty() {
            Vec::new()
        } else {
            coarse_lattice(floor, opts)
        };
        let positions: Vec<Point> = samples.iter().map(|s| s.position()).collect();
        let table = LatticeWalls::new(lattice, &groups, &positions, floor);
        let slots = table
            .slots
            .iter()
            .map(|(band, slot)| {
                let mut by_position = HashMap::new();
                for (p, &s) in positions.iter().zip(slot) {
                    if s != u32::MAX {
                        by_position.entry(position_key(*p)).or_insert(s);
                    }
                }
                (*band, by_position)
            })
            .collect();
        // One column per distinct position any band needs, in scan order.
        let mut columns = HashMap::new();
        let mut column_points = Vec::new();
        for (p, &need) in positions.iter().zip(&table.any) {
            if need {
                columns.entry(position_key(*p)).or_insert_with(|| {
                    column_points.push(*p);
                    (column_points.len() - 1) as u32
                });
            }
        }
        let distance_terms = table
            .lattice
            .par_iter()
            .map(|&at| column_points.iter().map(|p| log_term(at, *p)).collect())
            .collect();
        SharedLattice {
            columns,
            distance_terms,
            slots,
            floor_walls: floor.walls.clone(),
            materials: floor.materials.clone(),
            lattice: table.lattice,
            losses: match table.losses {
                Cow::Owned(l) => l,
                Cow::Borrowed(l) => l.to_vec(),
            },
        }
    }
}

/// A scan position as a key: its coordinates' bits (a subset's samples are copies of the
/// walk's, so the same bits).
fn position_key(p: Point) -> (u64, u64) {
    (p.x.to_bits(), p.y.to_bits())
}

/// Fits the model of one floor to its samples.
pub fn calibrate(
    floor: &Floor,
    samples: &[Sample],
    opts: &CalibrationOptions,
) -> Result<Calibration, PlanError> {
    calibrate_sharing(floor, samples, opts, None)
}

/// [`calibrate`], taking the coarse lattice's wall losses from `shared` (made from a walk
/// `samples` is part of) where it holds them: the same calibration, bit for bit.
pub fn calibrate_sharing(
    floor: &Floor,
    samples: &[Sample],
    opts: &CalibrationOptions,
    shared: Option<&SharedLattice>,
) -> Result<Calibration, PlanError> {
    let data = gather(samples, &opts.grouping);
    if data.is_empty() {
        return Err(PlanErrorKind::NoReadings {
            floor: floor.id.clone(),
        }
        .into());
    }
    let walls: BTreeMap<Band, WallSet> = Band::ALL
        .iter()
        .map(|&b| (b, WallSet::new(&floor.walls, &floor.materials, b)))
        .collect();
    let Search {
        aps,
        mut position,
        skipped,
        unplaced,
    } = search(floor, &data, opts);
    let mut n = opts.initial_exponent;
    let mut fitted = false;
    let fit = |position: &BTreeMap<String, Point>, n: f64| {
        let used: Vec<usize> = (0..data.len())
            .filter(|&i| position.contains_key(&data[i].key.ap))
            .collect();
        let rows: Vec<(Vec<f64>, Vec<f64>)> = used
            .par_iter()
            .map(|&i| {
                let r = &data[i];
                let w = &walls[&r.key.band];
                terms(r, position[&r.key.ap], w)
            })
            .collect();
        let (p, n2, ok) = fit_linear(&rows, n);
        (used, rows, p, n2, ok)
    };
    if !position.is_empty() {
        let (_, _, _, n2, ok) = fit(&position, n);
        if ok {
            n = n2;
            fitted = true;
        }
    }
    let mut located = Vec::new();
    let rounds = if unplaced.is_empty() {
        0
    } else {
        opts.rounds.max(1)
    };
    let coarse = if unplaced.is_empty() {
        Vec::new()
    } else {
        coarse_lattice(floor, opts)
    };
    let groups: Vec<Vec<&RadioData>> = unplaced
        .iter()
        .map(|(ap, _)| aps[ap].iter().map(|&i| &data[i]).collect())
        .collect();
    let positions: Vec<Point> = samples.iter().map(|s| s.position()).collect();
    // The walls between each lattice point and each scan, for every round.
    let coarse_walls = (rounds > 0).then(|| {
        shared
            .and_then(|t| LatticeWalls::from_shared(t, &coarse, &groups, &positions, floor))
            .unwrap_or_else(|| LatticeWalls::new(coarse.clone(), &groups, &positions, floor))
    });
    // Each AP's fine lattice's walls, kept for the next round, which usually refines around the
    // same coarse point (then only the exponent differs), while they fit in FINE_CACHE_LOSSES.
    let mut fine_walls: Vec<Option<LatticeWalls>> = groups.iter().map(|_| None).collect();
    let mut fine_cached = 0;
    for round in 0..rounds {
        located.clear();
        let mut new_pos = position.clone();
        let search_n = if n.is_finite() && n > 0.5 {
            n
        } else {
            opts.initial_exponent
        };
        let scores = coarse_walls
            .as_ref()
            .map_or_else(Vec::new, |c| c.scores(&groups, search_n));
        for ((((ap, strongest), radios), scores), cache) in unplaced
            .iter()
            .zip(&groups)
            .zip(scores)
            .zip(&mut fine_walls)
        {
            let scored = coarse.iter().copied().zip(scores).collect();
            let group = std::slice::from_ref(radios);
            let fine_scores = |fine: Vec<Point>| {
                if cache.as_ref().is_some_and(|c| c.lattice == fine) {
                    return cache.as_ref().map_or_else(Vec::new, |c| {
                        c.scores(group, search_n).pop().unwrap_or_default()
                    });
                }
                if let Some(old) = cache.take() {
                    fine_cached -= old.len();
                }
                let fresh = LatticeWalls::new(fine, group, &positions, floor);
                let scores = fresh.scores(group, search_n).pop().unwrap_or_default();
                if fine_cached + fresh.len() <= FINE_CACHE_LOSSES {
                    fine_cached += fresh.len();
                    *cache = Some(fresh);
                }
                scores
            };
            if let Some((at, unc, rmse)) = locate(scored, fine_scores, opts) {
                new_pos.insert(ap.clone(), at);
                located.push(LocatedAp {
                    ap: ap.clone(),
                    position: at,
                    uncertainty_m: unc,
                    rmse_db: rmse,
                    strongest_dbm: *strongest,
                });
            }
        }
        let (_, _, _, n2, ok) = fit(&new_pos, n);
        if ok {
            n = n2;
            fitted = true;
        }
        if round + 1 == rounds {
            position = new_pos;
        }
    }
    let (used, rows, powers, n_final, ok) = fit(&position, n);
    if ok {
        n = n_final;
        fitted = true;
    }
    if used.is_empty() {
        return Err(PlanErrorKind::NoPlacedRadios {
            floor: floor.id.clone(),
        }
        .into());
    }
    let mut residuals: Vec<Vec<f64>> = rows
        .iter()
        .zip(&powers)
        .map(|((z, l), &p)| z.iter().zip(l).map(|(z, l)| z - (p - n * l)).collect())
        .collect();
    let mut powers = powers;
    let mut wall_fit = None;
    if opts.fit_walls {
        let radios: Vec<(&RadioData, Point)> = used
            .iter()
            .map(|&i| (&data[i], position[&data[i].key.ap]))
            .collect();
        if let Some(w) = fit_walls(floor, &radios, opts) {
            let (rmse_before_db, bias_before_db) = rmse_bias(&residuals);
            let (rmse_after_db, bias_after_db) = rmse_bias(&w.residuals);
            powers = w.powers;
            n = w.exponent;
            residuals = w.residuals;
            wall_fit = Some(WallFit {
                materials: w.materials,
                rmse_before_db,
                bias_before_db,
                rmse_after_db,
                bias_after_db,
            });
        }
    }
    let mut radios = Vec::new();
    let (mut all_sse, mut all_sum, mut all_n) = (0.0, 0.0, 0usize);
    for ((&i, res), &p) in used.iter().zip(&residuals).zip(&powers) {
        let r = &data[i];
        let cnt = res.len().max(1) as f64;
        let sse: f64 = res.iter().map(|e| e * e).sum();
        let sum: f64 = res.iter().sum();
        all_sse += sse;
        all_sum += sum;
        all_n += res.len();
        let m = manifest_ap(floor, &r.key.ap, &opts.grouping);
        radios.push(FittedRadio {
            ap: r.key.ap.clone(),
            band: r.key.band,
            channel: r.key.channel,
            channels: r.channels.clone(),
            ap_name: m.map(|a| a.name.clone()),
            // The manifest's radio on the band, whatever channel it names: identity is AP + band.
            manifest_tx_dbm: m.and_then(|a| {
                a.radios
                    .iter()
                    .find(|x| x.band == r.key.band)
                    .map(|x| x.tx_dbm)
            }),
            power_dbm: p,
            readings: res.len(),
            rmse_db: (sse / cnt).sqrt(),
            bias_db: sum / cnt,
            implausible: implausible(p, res.len(), m.map(|a| a.name.as_str()), opts),
        });
    }
    let cnt = all_n.max(1) as f64;
    Ok(Calibration {
        exponent: n,
        exponent_fitted: fitted,
        radios,
        located,
        skipped,
        readings: all_n,
        rmse_db: (all_sse / cnt).sqrt(),
        bias_db: all_sum / cnt,
        grouping: opts.grouping.clone(),
        walls: wall_fit,
    })
}

/// Why a fitted power `p` is implausible, with its likely cause, or `None` when it is not.
fn implausible(
    p: f64,
    readings: usize,
    manifest_name: Option<&str>,
    opts: &CalibrationOptions,
) -> Option<String> {
    let (lo, hi) = opts.plausible_power_dbm;
    if (lo..=hi).contains(&p) {
        return None;
    }
    let side = if p > hi { "above" } else { "below" };
    let cause = if readings < opts.min_power_readings {
        format!(
            "too few readings ({readings}, fewer than {}) to determine it",
            opts.min_power_readings
        )
    } else if let Some(name) = manifest_name {
        if p > hi {
            format!("'{name}' is probably not where the manifest places it (heard stronger than from there; nearer the walk?)")
        } else {
            format!("'{name}' is probably not where the manifest places it, or its radio is off or behind more walls than the manifest draws")
        }
    } else if p < lo {
        "located from weak readings: probably a neighbour's AP or one on another floor, not on this floor".to_string()
    } else {
        "located position is probably wrong (readings stronger than any position on the floor explains)".to_string()
    };
    Some(format!(
        "fitted {p:.1} dBm is {side} the plausible {lo:.0}..{hi:.0} dBm: {cause}"
    ))
}

/// RMSE and mean of all residuals.
fn rmse_bias(res: &[Vec<f64>]) -> (f64, f64) {
    let n = res.iter().map(Vec::len).sum::<usize>().max(1) as f64;
    let sse: f64 = res.iter().flatten().map(|e| e * e).sum();
    let sum: f64 = res.iter().flatten().sum();
    ((sse / n).sqrt(), sum / n)
}

/// The joint fit with wall losses.
struct JointFit {
    powers: Vec<f64>,
    exponent: f64,
    materials: Vec<FittedMaterial>,
    residuals: Vec<Vec<f64>>,
}

/// Least squares of `rssi + PL1m(f) = P_r − n·L − Σ_m c_m·ℓ_{m,band}` over the radios (at their
/// known or located positions), with `c_m` the walls of material m the path crosses. Unknowns
/// are the powers, n and the losses ℓ of the (material, band) pairs crossed on at least
/// `wall_min_readings` readings; the other materials keep their table loss. Each fitted loss is
/// pulled to its table figure ℓ₀ by a prior of standard deviation τ (`wall_prior_sd_db`): the
/// penalty (σ/τ)²·(ℓ − ℓ₀)² with σ = 5 dB, indoor shadow fading (shared/reference.md §2), so a
/// material few paths cross stays near the table. Standard errors come from the inverse of the
/// (penalised) normal matrix times the residual variance, as if residuals were independent:
/// shadowing correlated along the walk makes them optimistic. `None` when no material qualifies or
/// the system is singular.
fn fit_walls(
    floor: &Floor,
    radios: &[(&RadioData, Point)],
    opts: &CalibrationOptions,
) -> Option<JointFit> {
    let nm = floor.materials.len();
    // Crossings per reading per material.
    let crossings: Vec<Vec<Vec<u16>>> = radios
        .par_iter()
        .map(|(r, at)| {
            r.points
                .iter()
                .map(|p| {
                    let ray = Segment::new(*at, *p);
                    let mut c = vec![0u16; nm];
                    for w in floor.walls.iter().filter(|w| w.material < nm) {
                        if ray.crosses(&w.segment) {
                            c[w.material] = c[w.material].saturating_add(1);
                        }
                    }
                    c
                })
                .collect()
        })
        .collect();
    let mut crossed: BTreeMap<(Band, usize), usize> = BTreeMap::new();
    for ((r, _), cs) in radios.iter().zip(&crossings) {
        for c in cs {
            for (m, &k) in c.iter().enumerate() {
                if k > 0 {
                    *crossed.entry((r.key.band, m)).or_default() += 1;
                }
            }
        }
    }
    let unknowns: Vec<((Band, usize), usize)> = crossed
        .into_iter()
        .filter(|&((b, m), n)| {
            n >= opts.wall_min_readings && floor.materials[m].loss(b).is_finite()
        })
        .collect();
    let tau = opts.wall_prior_sd_db;
    if unknowns.is_empty() || !(tau.is_finite() && tau > 0.0) {
        return None;
    }
    let slot = |b: Band, m: usize| unknowns.iter().position(|u| u.0 == (b, m));
    let (nr, nu) = (radios.len(), unknowns.len());
    let dim = nr + 1 + nu;
    let mut ata = vec![0.0; dim * dim];
    let mut atb = vec![0.0; dim];
    // One reading's row: (column, coefficient) pairs, and its left-hand side.
    let row_of = |ri: usize, k: usize| -> (Vec<(usize, f64)>, f64) {
        let (r, at) = radios[ri];
        let b = r.key.band;
        let mut y = r.rssi[k] + r.fs1m[k];
        let mut a = vec![(ri, 1.0), (nr, -log_term(at, r.points[k]))];
        for (m, &c) in crossings[ri][k].iter().enumerate() {
            if c == 0 {
                continue;
            }
            match slot(b, m) {
                Some(u) => a.push((nr + 1 + u, -(c as f64))),
                None => y += c as f64 * floor.materials[m].loss(b),
            }
        }
        (a, y)
    };
    let mut total = 0usize;
    for (ri, (r, _)) in radios.iter().enumerate() {
        for k in 0..r.rssi.len() {
            let (a, y) = row_of(ri, k);
            for &(i, ai) in &a {
                atb[i] += ai * y;
                for &(j, aj) in &a {
                    ata[i * dim + j] += ai * aj;
                }
            }
            total += 1;
        }
    }
    // σ = 5 dB: indoor shadow fading (shared/reference.md §2).
    let weight = (5.0 / tau).powi(2);
    for (u, &((b, m), _)) in unknowns.iter().enumerate() {
        let i = nr + 1 + u;
        ata[i * dim + i] += weight;
        atb[i] += weight * floor.materials[m].loss(b);
    }
    let x = solve(&ata, &atb)?;
    let mut residuals = Vec::with_capacity(nr);
    let mut sse = 0.0;
    for (ri, (r, _)) in radios.iter().enumerate() {
        let res: Vec<f64> = (0..r.rssi.len())
            .map(|k| {
                let (a, y) = row_of(ri, k);
                y - a.iter().map(|&(i, ai)| ai * x[i]).sum::<f64>()
            })
            .collect();
        sse += res.iter().map(|e| e * e).sum::<f64>();
        residuals.push(res);
    }
    let variance = sse / (total.saturating_sub(dim)).max(1) as f64;
    let materials = unknowns
        .iter()
        .enumerate()
        .map(|(u, &((band, m), readings))| {
            let i = nr + 1 + u;
            let mut e = vec![0.0; dim];
            e[i] = 1.0;
            let inv = solve(&ata, &e).map_or(f64::NAN, |c| c[i]);
            FittedMaterial {
                material: floor.materials[m].name.clone(),
                band,
                default_db: floor.materials[m].loss(band),
                loss_db: x[i],
                standard_error_db: (variance * inv).sqrt(),
                readings,
            }
        })
        .collect();
    Some(JointFit {
        powers: x[..nr].to_vec(),
        exponent: x[nr],
        materials,
        residuals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::{AccessPoint, ApRadio, PlanCalibration, Polygon, Wall};
    use wisp_radio::{simulate_walk, SimulationParams};

    pub(crate) fn test_floor() -> Floor {
        let materials = Material::defaults();
        let plaster = materials
            .iter()
            .position(|m| m.name == "plasterboard")
            .unwrap();
        let brick = materials.iter().position(|m| m.name == "brick").unwrap();
        let wall = |a: (f64, f64), b: (f64, f64), m| Wall {
            segment: Segment::new(Point::new(a.0, a.1), Point::new(b.0, b.1)),
            material: m,
        };
        Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (800, 400),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(40., 20.)).unwrap(),
            materials,
            walls: vec![
                wall((10.0, 0.0), (10.0, 8.0), plaster),
                wall((20.0, 0.0), (20.0, 8.0), brick),
                wall((30.0, 12.0), (30.0, 20.0), plaster),
                wall((0.0, 8.0), (8.0, 8.0), plaster),
            ],
            zones: vec![],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        }
    }

    pub(crate) fn ap(name: &str, x: f64, y: f64, k: u8) -> AccessPoint {
        AccessPoint {
            name: name.into(),
            position: Point::new(x, y),
            radios: vec![
                ApRadio {
                    band: Band::G2_4,
                    channel: 6,
                    tx_dbm: 14.0,
                },
                ApRadio {
                    band: Band::G5,
                    channel: 36,
                    tx_dbm: 17.0,
                },
            ],
            ssids: vec!["A".into(), "B".into()],
            base_bssid: Some(format!("02:1a:11:00:{k:02x}:00").parse().unwrap()),
        }
    }

    /// A serpentine over the 40 m × 20 m floor, rows 2 m apart.
    pub(crate) fn serpentine() -> Vec<Point> {
        let mut w = Vec::new();
        for (i, y) in (1..20).step_by(2).enumerate() {
            let (a, b) = if i % 2 == 0 { (1.0, 39.0) } else { (39.0, 1.0) };
            w.push(Point::new(a, y as f64));
            w.push(Point::new(b, y as f64));
        }
        w
    }

    fn params(n: f64, shadow: f64, noise: f64, seed: u64) -> SimulationParams {
        SimulationParams {
            model: PathLoss {
                exponent: n,
                extra_1m_db: 0.0,
            },
            shadow_sigma_db: shadow,
            scan_noise_db: noise,
            seed,
            ..Default::default()
        }
    }

    #[test]
    fn recovers_exponent_and_powers_without_noise() {
        let mut floor = test_floor();
        let aps = vec![ap("A", 8.0, 5.0, 1), ap("B", 30.0, 10.0, 2)];
        floor.aps = aps.clone();
        let samples = simulate_walk(&floor, &aps, &serpentine(), &params(3.0, 0.0, 0.0, 1));
        let c = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
        assert!((c.exponent - 3.0).abs() < 0.1, "n = {}", c.exponent);
        assert_eq!(c.radios.len(), 4);
        for r in &c.radios {
            let want = r.manifest_tx_dbm.unwrap();
            assert!((r.power_dbm - want).abs() < 0.1, "{r:?}");
        }
        // Only the simulator's rounding to whole dB is left: uniform ±0.5 dB, RMSE √(1/12).
        assert!(
            c.rmse_db < 0.35 && c.bias_db.abs() < 0.05,
            "{} {}",
            c.rmse_db,
            c.bias_db
        );
        assert!(c.located.is_empty() && c.skipped.is_empty());
        assert!(c.extra_loss_db().abs() < 0.1);
    }

    #[test]
    fn a_channel_change_between_captures_stays_one_radio() {
        // Day 1: A on 5 GHz channel 36; day 2 the same AP on channel 44 (same BSSIDs). One radio
        // per AP and band: four in all, A's 5 GHz heard on both channels, each power the
        // manifest's (no noise; the free-space term follows each reading's own channel).
        let mut floor = test_floor();
        let aps = vec![ap("A", 8.0, 5.0, 1), ap("B", 30.0, 10.0, 2)];
        floor.aps = aps.clone();
        let mut moved = aps.clone();
        moved[0].radios[1].channel = 44;
        let mut samples = simulate_walk(&floor, &aps, &serpentine(), &params(3.0, 0.0, 0.0, 1));
        samples.extend(simulate_walk(
            &floor,
            &moved,
            &serpentine(),
            &params(3.0, 0.0, 0.0, 2),
        ));
        let c = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
        assert_eq!(c.radios.len(), 4, "{:?}", c.radios);
        let a5 = c
            .radios
            .iter()
            .find(|r| r.ap_name.as_deref() == Some("A") && r.band == Band::G5)
            .unwrap();
        assert_eq!(a5.channels, vec![36, 44]);
        assert!((c.exponent - 3.0).abs() < 0.1, "n = {}", c.exponent);
        for r in &c.radios {
            assert!(
                (r.power_dbm - r.manifest_tx_dbm.unwrap()).abs() < 0.1,
                "{r:?}"
            );
            assert_eq!(r.implausible, None);
        }
        assert!(c.rmse_db < 0.35, "{}", c.rmse_db);
    }

    #[test]
    fn implausible_powers_are_flagged_with_a_likely_cause() {
        // B transmits 38 dBm on 5 GHz where the manifest says 17: fitted near 38, above 30.
        let mut floor = test_floor();
        let aps = vec![ap("A", 8.0, 5.0, 1), ap("B", 30.0, 10.0, 2)];
        floor.aps = aps.clone();
        let mut loud = aps.clone();
        loud[1].radios[1].tx_dbm = 38.0;
        let samples = simulate_walk(&floor, &loud, &serpentine(), &params(3.0, 0.0, 0.0, 1));
        let c = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
        for r in &c.radios {
            let is_loud = r.ap_name.as_deref() == Some("B") && r.band == Band::G5;
            assert_eq!(r.implausible.is_some(), is_loud, "{r:?}");
            if is_loud {
                assert!((r.power_dbm - 38.0).abs() < 0.1, "{r:?}");
                let why = r.implausible.as_deref().unwrap();
                assert!(why.contains("above the plausible -5..30 dBm"), "{why}");
                assert!(
                    why.contains("'B' is probably not where the manifest places it"),
                    "{why}"
                );
            }
        }
        // The other causes, by hand.
        let o = CalibrationOptions::default();
        assert_eq!(implausible(30.0, 5, None, &o), None);
        assert_eq!(implausible(-5.0, 5, None, &o), None);
        let few = implausible(39.0, 12, Some("A"), &o).unwrap();
        assert!(
            few.contains("too few readings (12, fewer than 20)"),
            "{few}"
        );
        let weak = implausible(-13.0, 200, None, &o).unwrap();
        assert!(
            weak.contains("below") && weak.contains("neighbour's AP"),
            "{weak}"
        );
    }

    #[test]
    fn aps_sharing_five_octets_are_split_by_their_listed_bssids() {
        // A (…:01:00 up) and B (…:01:40 up) share five octets; the simulator gives radio r, SSID s
        // the base + 16r + s, so A hears as :00 :01 :10 :11 and B as :40 :41 :50 :51.
        let mut floor = test_floor();
        let a = ap("A", 8.0, 5.0, 1);
        let mut b = ap("B", 30.0, 10.0, 1);
        b.base_bssid = Some("02:1a:11:00:01:40".parse().unwrap());
        floor.aps = vec![a.clone(), b.clone()];
        let samples = simulate_walk(&floor, &floor.aps, &serpentine(), &params(3.0, 0.0, 0.0, 1));
        // By default they are one AP, placed where the first manifest AP is: two radios, and a
        // model that cannot fit B's readings from A's position.
        let merged = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
        assert_eq!(merged.radios.len(), 2);
        assert!(merged
            .radios
            .iter()
            .all(|r| r.ap_name.as_deref() == Some("A")));
        assert!(merged.rmse_db > 3.0, "{}", merged.rmse_db);
        // Listing each AP's BSSIDs splits them: four radios, each fitted to its manifest power
        // (n = 3, no shadowing or noise: as recovers_exponent_and_powers_without_noise).
        let mut assigned = std::collections::BTreeMap::new();
        for (name, base) in [("A", 0x00u8), ("B", 0x40)] {
            for last in [base, base + 1, base + 0x10, base + 0x11] {
                let bssid = wisp_model::Bssid([0x02, 0x1a, 0x11, 0x00, 0x01, last]);
                assigned.insert(bssid, name.to_string());
            }
        }
        let opts = CalibrationOptions {
            grouping: ApGrouping {
                assigned,
                ..Default::default()
            },
            ..Default::default()
        };
        let c = calibrate(&floor, &samples, &opts).unwrap();
        assert_eq!(c.radios.len(), 4);
        assert!((c.exponent - 3.0).abs() < 0.1, "n = {}", c.exponent);
        for r in &c.radios {
            assert_eq!(Some(r.ap.as_str()), r.ap_name.as_deref());
            assert!(
                (r.power_dbm - r.manifest_tx_dbm.unwrap()).abs() < 0.1,
                "{r:?}"
            );
        }
        assert_eq!(c.position_of(&floor, "B"), Some(b.position));
        assert!(c.rmse_db < 0.35, "{}", c.rmse_db);
    }

    #[test]
    fn recovers_within_tolerance_with_scan_noise() {
        let mut floor = test_floor();
        let aps = vec![
            ap("A", 8.0, 5.0, 1),
            ap("B", 30.0, 10.0, 2),
            ap("C", 18.0, 16.0, 3),
        ];
        floor.aps = aps.clone();
        // Independent 2 dB noise on ~150 readings per radio: the power's standard error is about
        // 2/√150 ≈ 0.16 dB (more with the exponent shared), so 0.5 dB is ~3σ.
        for seed in [1, 2, 3] {
            let samples = simulate_walk(&floor, &aps, &serpentine(), &params(2.8, 0.0, 2.0, seed));
            let c = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
            assert!(
                (c.exponent - 2.8).abs() < 0.1,
                "seed {seed}: n = {}",
                c.exponent
            );
            for r in &c.radios {
                assert!(
                    (r.power_dbm - r.manifest_tx_dbm.unwrap()).abs() < 0.5,
                    "seed {seed}: {r:?}"
                );
            }
            // Each scan's two SSIDs are averaged: (2² + rounding 1/12) / 2 per reading.
            let want = ((4.0f64 + 1.0 / 12.0) / 2.0).sqrt();
            assert!(
                (c.rmse_db - want).abs() < 0.3,
                "rmse {} vs {want}",
                c.rmse_db
            );
        }
    }

    #[test]
    fn shadowing_is_absorbed_into_power_with_a_sane_exponent() {
        let mut floor = test_floor();
        let aps = vec![
            ap("A", 8.0, 5.0, 1),
            ap("B", 30.0, 10.0, 2),
            ap("C", 18.0, 16.0, 3),
        ];
        floor.aps = aps.clone();
        // σ 5 dB correlated over 6 m: the shadow around an AP shifts every reading of it alike, so
        // it lands in the fitted power (which is what a planner wants: the AP's effective power
        // where it hangs). A 40 × 20 m floor holds ~20 independent patches, so n is known to a
        // few tenths and a power to a few dB.
        for seed in 1..=5 {
            let samples = simulate_walk(&floor, &aps, &serpentine(), &params(2.8, 5.0, 2.0, seed));
            let c = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
            assert!(
                (c.exponent - 2.8).abs() < 0.6,
                "seed {seed}: n = {}",
                c.exponent
            );
            for r in &c.radios {
                assert!(
                    (r.power_dbm - r.manifest_tx_dbm.unwrap()).abs() < 7.0,
                    "seed {seed}: {r:?}"
                );
            }
            // The residual is the shadowing and noise the model cannot know: √(5² + 2²) ≈ 5.4 dB.
            assert!(
                c.rmse_db < 6.5 && c.bias_db.abs() < 0.1,
                "{} {}",
                c.rmse_db,
                c.bias_db
            );
        }
    }

    #[test]
    fn locates_an_unplaced_ap() {
        let mut floor = test_floor();
        let known = vec![ap("A", 8.0, 5.0, 1), ap("B", 30.0, 10.0, 2)];
        let hidden = ap("X", 23.3, 14.6, 9);
        floor.aps = known.clone();
        let mut all = known;
        all.push(hidden.clone());
        let mut errors = Vec::new();
        for seed in 1..=8 {
            for shadow in [3.0, 5.0] {
                let p = params(2.5, shadow, 2.0, seed);
                let samples = simulate_walk(&floor, &all, &serpentine(), &p);
                let c = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
                assert_eq!(c.located.len(), 1);
                let l = &c.located[0];
                assert_eq!(l.ap, "02:1a:11:00:09");
                assert_eq!(c.position_of(&floor, &l.ap), Some(l.position));
                let err = l.position.distance(hidden.position);
                // The stated uncertainty covers the true position.
                assert!(
                    err <= l.uncertainty_m,
                    "seed {seed}: {err:.2} m off, ±{:.2}",
                    l.uncertainty_m
                );
                if shadow == 3.0 {
                    // Line-of-sight shadowing (σ 3 dB, 3GPP TR 38.901) and 2 dB scan noise.
                    assert!(
                        err < 2.0,
                        "seed {seed}: located at {:?}, {err:.2} m off",
                        l.position
                    );
                    errors.push(err);
                }
            }
        }
        errors.sort_by(f64::total_cmp);
        assert!(errors[errors.len() / 2] < 1.0, "median error {errors:?}");
    }

    /// The test floor with AP A placed and X, Y and Z heard but not listed, walked with `seed`
    /// (exponent 2.5, shadowing 5 dB, noise 2 dB).
    fn three_unplaced_behind_walls(seed: u64) -> (Floor, Vec<Sample>) {
        let mut floor = test_floor();
        let known = vec![ap("A", 8.0, 5.0, 1)];
        floor.aps = known.clone();
        let mut all = known;
        all.extend([
            ap("X", 23.3, 14.6, 9),
            ap("Y", 35.0, 3.0, 7),
            ap("Z", 4.0, 17.0, 5),
        ]);
        let samples = simulate_walk(&floor, &all, &serpentine(), &params(2.5, 5.0, 2.0, seed));
        (floor, samples)
    }

    #[test]
    fn shared_lattice_scores_equal_each_aps_own_search() {
        // Three unplaced APs behind the test floor's walls, one placed; every AP's RMSE at
        // every coarse point must be the per-AP search's (`sse_at`), bit for bit.
        let (floor, samples) = three_unplaced_behind_walls(3);
        let data = gather(&samples, &ApGrouping::default());
        let walls: BTreeMap<Band, WallSet> = Band::ALL
            .iter()
            .map(|&b| (b, WallSet::new(&floor.walls, &floor.materials, b)))
            .collect();
        let groups: Vec<Vec<&RadioData>> = ["02:1a:11:00:09", "02:1a:11:00:07", "02:1a:11:00:05"]
            .iter()
            .map(|ap| data.iter().filter(|r| r.key.ap == *ap).collect::<Vec<_>>())
            .collect();
        assert!(
            groups.iter().all(|g| g.len() == 2),
            "both bands of each AP heard"
        );
        let positions: Vec<Point> = samples.iter().map(|s| s.position()).collect();
        let mut coarse = coarse_lattice(&floor, &CalibrationOptions::default());
        assert!(coarse.len() > 500);
        // And a fine lattice, as `locate` refines on, across the brick wall at x = 20.
        coarse.extend(lattice(Point::new(18.5, 3.5), Point::new(21.55, 6.55), 0.1));
        let n = 2.7;
        let shared = lattice_scores(&coarse, &groups, &positions, n, &floor);
        for (g, radios) in groups.iter().enumerate() {
            for (i, &at) in coarse.iter().enumerate() {
                let (sse, count) = sse_at(radios, at, n, &walls);
                let own = (sse / count.max(1) as f64).sqrt();
                assert_eq!(shared[g][i].to_bits(), own.to_bits(), "AP {g} at {at:?}");
            }
        }
    }

    /// `gather` as it was before each BSSID's AP was named once: the reference it must equal.
    fn gather_reference(samples: &[Sample], grouping: &ApGrouping) -> Vec<RadioData> {
        #[derive(Default)]
        struct Acc {
            /// Readings per channel, to name the radio's usual channel.
            channels: BTreeMap<u16, usize>,
            fs1m: Vec<f64>,
            points: Vec<Point>,
            rssi: Vec<f64>,
            scans: Vec<u32>,
        }
        let mut by_key: BTreeMap<(String, Band), Acc> = BTreeMap::new();
        for (si, s) in samples.iter().enumerate() {
            let p = s.position();
            if !(p.x.is_finite() && p.y.is_finite()) {
                continue;
            }
            // (AP, band) → (channel, frequency, sum, count) at this scan. One radio transmits on
            // one channel at a time, so a scan's readings of it share a channel; should two differ,
            // the first one's is kept.
            let mut here: BTreeMap<(String, Band), (u16, u32, f64, usize)> = BTreeMap::new();
            for o in &s.observations {
                if !o.rssi_dbm.is_finite() {
                    continue;
                }
                let key = (grouping.ap_of(&o.bssid).0, o.band);
                let e = here.entry(key).or_insert((o.channel, o.freq_mhz, 0.0, 0));
                e.2 += o.rssi_dbm;
                e.3 += 1;
            }
            for (key, (channel, freq, sum, n)) in here {
                let freq = Channel::new(key.1, channel).map_or(freq, |c| c.freq_mhz);
                let e = by_key.entry(key).or_default();
                *e.channels.entry(channel).or_default() += 1;
                e.fs1m.push(free_space_1m(freq as f64));
                e.points.push(p);
                e.rssi.push(sum / n as f64);
                e.scans.push(si as u32);
            }
        }
        by_key
            .into_iter()
            .map(|((ap, band), acc)| {
                let usual = acc
                    .channels
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map_or(0, |(c, _)| *c);
                RadioData {
                    key: RadioKey {
                        ap,
                        band,
                        channel: usual,
                    },
                    channels: acc.channels.into_keys().collect(),
                    fs1m: acc.fs1m,
                    points: acc.points,
                    rssi: acc.rssi,
                    scans: acc.scans,
                }
            })
            .collect()
    }

    #[test]
    fn gather_equals_the_per_reading_reference() {
        // Every AP heard under two more BSSIDs (other SSIDs, last octet changed, other levels),
        // one BSSID assigned to a named AP, under three grouping rules.
        let mut floor = test_floor();
        let all = vec![
            ap("A", 8.0, 5.0, 1),
            ap("X", 23.3, 14.6, 9),
            ap("Y", 35.0, 3.0, 7),
        ];
        floor.aps = all.clone();
        let mut samples = simulate_walk(&floor, &all, &serpentine(), &params(2.5, 5.0, 2.0, 17));
        for (i, s) in samples.iter_mut().enumerate() {
            let extra: Vec<wisp_model::Observation> = s
                .observations
                .iter()
                .flat_map(|o| {
                    (1..=2u8).map(move |k| {
                        let mut b = o.bssid;
                        b.0[5] ^= k << 4;
                        let mut c = o.clone();
                        c.bssid = b;
                        c.ssid = Some(format!("SSID{k}"));
                        c.rssi_dbm = o.rssi_dbm - (k as f64) * 0.37 - (i % 3) as f64;
                        c
                    })
                })
                .collect();
            s.observations.extend(extra);
        }
        let named = samples[0].observations[0].bssid;
        let mut assigned = ApGrouping::default();
        assigned.assigned.insert(named, "Ward 7 AP".into());
        for grouping in [
            ApGrouping::default(),
            ApGrouping {
                rule: wisp_model::ApRule::Bssid,
                ..Default::default()
            },
            assigned,
        ] {
            let (got, want) = (
                gather(&samples, &grouping),
                gather_reference(&samples, &grouping),
            );
            assert_eq!(got.len(), want.len());
            assert!(want.len() > 3);
            for (g, w) in got.iter().zip(&want) {
                assert_eq!(g.key, w.key);
                assert_eq!(g.channels, w.channels);
                assert_eq!(g.scans, w.scans);
                assert_eq!(g.points, w.points);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&g.rssi), bits(&w.rssi));
                assert_eq!(bits(&g.fs1m), bits(&w.fs1m));
            }
        }
    }

    #[test]
    fn calibrating_parts_of_a_walk_with_a_shared_lattice_equals_calibrating_them_alone() {
        // Three unplaced APs behind walls, one placed, a noisy walk; each fold-like part (all
        // but every third stretch of 15 scans) calibrated with the whole walk's table must give
        // the calibration it gets alone, bit for bit, and must take its losses from the table.
        let (floor, samples) = three_unplaced_behind_walls(11);
        let opts = CalibrationOptions::default();
        let shared = SharedLattice::new(&floor, &samples, &opts);
        assert!(!shared.losses.is_empty() && !shared.columns.is_empty());
        // A table made for another floor (one wall moved) is not used: the same result.
        let mut moved = floor.clone();
        moved.walls[0].segment.a.x += 0.5;
        let foreign = SharedLattice::new(&moved, &samples, &opts);
        for fold in 0..3 {
            let part: Vec<Sample> = samples
                .iter()
                .enumerate()
                .filter(|(i, _)| (i / 15) % 3 != fold)
                .map(|(_, s)| s.clone())
                .collect();
            let alone = calibrate(&floor, &part, &opts).unwrap();
            assert!(!alone.located.is_empty(), "fold {fold} locates APs");
            let with = calibrate_sharing(&floor, &part, &opts, Some(&shared)).unwrap();
            assert_eq!(format!("{alone:?}"), format!("{with:?}"), "fold {fold}");
            let with_foreign = calibrate_sharing(&floor, &part, &opts, Some(&foreign)).unwrap();
            assert_eq!(
                format!("{alone:?}"),
                format!("{with_foreign:?}"),
                "fold {fold}"
            );
            // The part's search found every loss it needs in the table.
            let data = gather(&part, &opts.grouping);
            let Search { aps, unplaced, .. } = search(&floor, &data, &opts);
            let groups: Vec<Vec<&RadioData>> = unplaced
                .iter()
                .map(|(ap, _)| aps[ap].iter().map(|&i| &data[i]).collect())
                .collect();
            let positions: Vec<Point> = part.iter().map(|s| s.position()).collect();
            let coarse = coarse_lattice(&floor, &opts);
            let from = LatticeWalls::from_shared(&shared, &coarse, &groups, &positions, &floor);
            let own = LatticeWalls::new(coarse.clone(), &groups, &positions, &floor);
            let from = from.expect("the table holds the part's losses");
            assert!(
                LatticeWalls::from_shared(&foreign, &coarse, &groups, &positions, &floor).is_none()
            );
            for n in [2.0, 3.1] {
                let (a, b) = (from.scores(&groups, n), own.scores(&groups, n));
                for (a, b) in a.iter().flatten().zip(b.iter().flatten()) {
                    assert_eq!(a.to_bits(), b.to_bits());
                }
            }
        }
    }

    #[test]
    fn without_noise_the_position_is_exact_to_the_lattice() {
        let mut floor = test_floor();
        floor.aps = vec![ap("A", 8.0, 5.0, 1)];
        let hidden = ap("X", 25.0, 13.0, 9);
        let all = vec![floor.aps[0].clone(), hidden.clone()];
        let samples = simulate_walk(&floor, &all, &serpentine(), &params(2.5, 0.0, 0.0, 1));
        let c = calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
        assert!(
            c.located[0].position.distance(hidden.position) < 0.25,
            "{:?}",
            c.located
        );
        assert!((c.exponent - 2.5).abs() < 0.1);
    }

    /// The test floor with plasterboard at 5 dB and brick at 9 dB on every band (the table
    /// has 2/3/4 and 4/5/7), and three APs.
    fn walled_truth() -> (Floor, Floor, Vec<AccessPoint>) {
        let mut table = test_floor();
        let aps = vec![
            ap("A", 8.0, 5.0, 1),
            ap("B", 30.0, 10.0, 2),
            ap("C", 18.0, 16.0, 3),
        ];
        table.aps = aps.clone();
        let mut truth = table.clone();
        for m in &mut truth.materials {
            let v = match m.name.as_str() {
                "plasterboard" => 5.0,
                "brick" => 9.0,
                _ => continue,
            };
            for b in Band::ALL {
                m.loss_db.insert(b, v);
            }
        }
        (table, truth, aps)
    }

    fn fit_walls_opts() -> CalibrationOptions {
        CalibrationOptions {
            fit_walls: true,
            ..Default::default()
        }
    }

    #[test]
    fn fits_wall_losses_that_differ_from_the_table() {
        let (table, truth, aps) = walled_truth();
        let samples = simulate_walk(&truth, &aps, &serpentine(), &params(3.0, 0.0, 0.5, 1));
        let plain = calibrate(&table, &samples, &CalibrationOptions::default()).unwrap();
        assert!(plain.walls.is_none());
        let c = calibrate(&table, &samples, &fit_walls_opts()).unwrap();
        let w = c.walls.as_ref().expect("walls fitted");
        // Both materials on both bands are crossed by many paths.
        assert_eq!(w.materials.len(), 4, "{w:?}");
        for m in &w.materials {
            let want = if m.material == "plasterboard" {
                5.0
            } else {
                9.0
            };
            assert!((m.loss_db - want).abs() < 1.0, "{m:?}");
            assert!(m.standard_error_db < 0.5, "{m:?}");
        }
        assert!((c.exponent - 3.0).abs() < 0.1, "n = {}", c.exponent);
        for r in &c.radios {
            assert!(
                (r.power_dbm - r.manifest_tx_dbm.unwrap()).abs() < 1.0,
                "{r:?}"
            );
        }
        // Wrong table losses left a misfit the wall fit removes.
        assert!(w.rmse_before_db > 1.0 && w.rmse_after_db < 0.6, "{w:?}");
        assert!((w.rmse_after_db - c.rmse_db).abs() < 1e-9);
        // The planner's table takes the fitted figures.
        let mats = c.materials(&table.materials);
        let plaster = mats.iter().find(|m| m.name == "plasterboard").unwrap();
        assert!((plaster.loss(Band::G5) - 5.0).abs() < 1.0);
    }

    #[test]
    fn wall_fit_with_shadowing_stays_within_its_standard_error() {
        let (table, truth, aps) = walled_truth();
        // σ 4 dB shadowing and 2 dB noise: the losses are known to a standard error of a few
        // tenths of a dB; shadowing is correlated along the walk, so allow 4 standard errors
        // plus 1 dB.
        for seed in 1..=4 {
            let samples = simulate_walk(&truth, &aps, &serpentine(), &params(3.0, 4.0, 2.0, seed));
            let c = calibrate(&table, &samples, &fit_walls_opts()).unwrap();
            let w = c.walls.as_ref().expect("walls fitted");
            for m in &w.materials {
                let want = if m.material == "plasterboard" {
                    5.0
                } else {
                    9.0
                };
                assert!(
                    (m.loss_db - want).abs() < 4.0 * m.standard_error_db + 1.0,
                    "seed {seed}: {m:?}"
                );
            }
            assert!(w.rmse_after_db <= w.rmse_before_db + 1e-9);
        }
    }

    #[test]
    fn empty_and_unusable_surveys_are_errors() {
        let floor = test_floor();
        assert!(matches!(
            calibrate(&floor, &[], &CalibrationOptions::default()),
            Err(e) if matches!(e.kind(), PlanErrorKind::NoReadings { .. })
        ));
        // Heard, but weak and unplaced: nothing to fit.
        let far = ap("F", 39.0, 19.0, 7);
        let samples = simulate_walk(
            &floor,
            &[far],
            &[Point::new(1.0, 1.0), Point::new(3.0, 1.0)],
            &params(2.5, 0.0, 0.0, 1),
        );
        assert!(matches!(
            calibrate(&floor, &samples, &CalibrationOptions::default()),
            Err(e) if matches!(e.kind(), PlanErrorKind::NoPlacedRadios { .. })
        ));
    }
}
