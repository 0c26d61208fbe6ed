//! The planner: from a floor, the survey's radio map, its calibrated model and its zones'
//! profiles to a set of new APs, a channel plan and each zone's verdict before and after.
//!
//! Steps: existing coverage per demand cell is the survey's map where it was surveyed (our
//! radios' primary and secondary, as `wisp check` sees them) and the model of the existing APs
//! (manifest, plus any calibration located) elsewhere or without a survey; zones become demand
//! cells ([`crate::demand`]); candidates are listed ([`crate::candidates`]) and every candidate
//! is predicted at every cell ([`crate::matrix`]); [`crate::greedy`] builds a design and
//! [`crate::local_search`] improves it; [`crate::channels`] plans channels for our radios and
//! the new ones around the neighbours' fixed ones; [`crate::judge`] gives the verdicts.
//!
//! Model signals (new APs everywhere, existing APs where nobody measured) are lowered by the
//! design margin, a share of the calibration's residual spread: the model is what is uncertain,
//! not the thresholds.

use crate::aps::{ap_key, existing_aps, model_power, nominal_freq, power, source, PlannedAp};
use crate::calibrate::Calibration;
use crate::candidates::{candidates, CandidateOptions};
use crate::channels::{assign_around, keep_current, overlap_weights, COCHANNEL_DBM};
use crate::demand::{Demand, DEMAND_CELL_M};
use crate::greedy::{best_addition, greedy};
use crate::judge::{after_map, judge, ChannelChange, SurveyMap};
use crate::local_search::{improve, LocalSearchOptions};
use crate::matrix::{SignalMatrix, Source};
use crate::objective::Columns;
use crate::objective::{score, zone_counts, Problem, Search, Targets, Top2};
use crate::walls::WallSet;
use crate::{PlanError, PlanErrorKind};
use serde::Serialize;
use std::collections::BTreeMap;
use wisp_coverage::{Criterion, Verdict, ZoneResult};
use wisp_interp::SignalLayers;
use wisp_model::{ApRadio, Band, Bssid, Floor, Point, RequirementProfile, Zone, ZoneKind};
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
    /// The design margin, dB, when given (`wisp plan --margin`): model signals are lowered by
    /// it. `None`: [`PlanOptions::margin_sigma_share`] of the calibration's residual RMSE.
    pub margin_db: Option<f64>,
    /// The design margin as a share of the calibration's residual spread (its RMSE, measured −
    /// model): 0.5, measured with the truth harness (`cargo run --release -p wisp-plan
    /// --example plan_truth -- --share 0.5 --share 0.75 1 2 3`, README "Planning against the
    /// truth"): of 0, 0.25, 0.5 and 0.75, the share with the most layout × seed cases whose every
    /// clinical zone held ≥ 95 % on the true field (5 of 6; more margin is not monotonically
    /// safer, as the search then places APs elsewhere). Without a calibration the spread is
    /// [`SHADOW_SIGMA_DB`].
    pub margin_sigma_share: f64,
    /// How fast a surveyed cell's margin grows with its distance `d` to the nearest scan: the
    /// margin there is `margin × √(1 − exp(−2d/L))`, the spread left of a field with
    /// exponentially correlated errors (correlation `exp(−d/L)`) once its value at the nearest
    /// scan is known (simple kriging on one neighbour): none on a scan, nearly the whole margin
    /// a few metres from it, where the survey map is an interpolation and as uncertain as the
    /// model. Infinite by default: surveyed cells carry no margin. Measured with the truth
    /// harness in session 8 (`… --example plan_truth -- --decorrelation 6 --draws 20 …`, README
    /// "Planning against the truth"): at 6 m (the indoor non-line-of-sight shadow-fading
    /// decorrelation distance, 3GPP TR 38.901 Table 7.5-6) the plans held in no more draws of
    /// the new APs' shadowing (65 % of them, mean over the six cases, as without) and took 3
    /// APs more, further from the oracle, so it is not the default.
    pub survey_decorrelation_m: f64,
    /// What one new AP costs, in weighted m² of zone still short of its target: 4 (an
    /// *estimate*: about a bed space of a clinical zone (weight 3) or two corridor bays (weight 1)).
    /// An AP that closes less is not added, and what it would have closed is reported as hard
    /// to reach: no ring of APs round a room where mounting is forbidden.
    pub ap_cost_m2: f64,
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
            margin_db: None,
            margin_sigma_share: 0.5,
            survey_decorrelation_m: f64::INFINITY,
            ap_cost_m2: 4.0,
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

/// Shadow fading's spread without a calibration to measure it: 5 dB, mid-range of the 4–8 dB
/// indoor non-line-of-sight σ (3GPP TR 38.901, shared/reference.md §2; *estimate*).
pub const SHADOW_SIGMA_DB: f64 = 5.0;

/// A zone's coverage as the planner's search sees it (primary and secondary only, measured
/// where surveyed, the model less the margin elsewhere): the design figures, not the verdict.
/// Whether a zone passes is [`ZoneOutcome::verdict_before`] / [`ZoneOutcome::verdict_after`]
/// (`wisp_coverage`, every criterion), never these.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneStats {
    /// Share of cells at or above the profile's primary threshold.
    pub primary_share: f64,
    /// …and secondary (another AP), when the profile sets one.
    pub secondary_share: Option<f64>,
    /// 5th percentile of the primary signal, dBm.
    pub primary_p5_dbm: f64,
    /// Whether the zone meets the search's design targets ([`PlanOptions::targets`]: primary and
    /// secondary shares, model signals less the margin). Not a verdict: a zone may meet them
    /// and still fail its profile (co-channel, SNR, tertiary).
    pub meets_design_targets: bool,
}

/// A zone before and after.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZoneOutcome {
    pub zone: String,
    pub kind: &'static str,
    pub profile: String,
    pub area_m2: f64,
    /// The design figures before the plan (existing APs) and after (with the new ones).
    pub design_before: ZoneStats,
    pub design_after: ZoneStats,
    /// Share of the zone no allowed design reaches (primary, with the margin).
    pub unreachable_share: f64,
    /// `wisp_coverage`'s verdict on the survey's layers (what `wisp check` prints), with a
    /// survey map.
    pub verdict_before: Option<ZoneResult>,
    /// …and on the predicted-after layers ([`crate::judge::after_map`]).
    pub verdict_after: Option<ZoneResult>,
    /// The criteria adding APs cannot fix here, and why.
    pub limits: Vec<Limit>,
}

/// Why a criterion of a zone is left failing by the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LimitReason {
    /// Neighbours' radios on the serving channel: the plan may not re-channel them.
    NeighbourCochannel,
    /// Our own radios still share the channel after channel planning.
    OwnCochannel,
    /// No allowed mounting point reaches these cells.
    Unreachable,
    /// Reachable, but only by an AP that would close less than an AP costs.
    HardToReach,
    /// Not a criterion the search designs for (tertiary, SNR), or the model's margin fell short.
    NotDesignedFor,
    /// `--max-aps` stopped the search.
    ApLimit,
}

/// A criterion a zone still fails after the plan, and why adding APs does not fix it.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Limit {
    pub criterion: Criterion,
    pub reason: LimitReason,
    /// Area concerned, m².
    pub area_m2: f64,
    /// In words, with what it would take.
    pub detail: String,
}

/// The plan of one floor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub floor: String,
    pub exponent: f64,
    pub design_band: Band,
    /// The targets and margin the plan was made with.
    pub primary_share: f64,
    pub secondary_share: f64,
    pub margin_db: f64,
    /// The calibration's residual RMSE the margin is a share of (`None`: no calibration).
    pub residual_sigma_db: Option<f64>,
    /// Whether existing coverage came from the survey's map (else the model alone).
    pub survey_anchored: bool,
    /// Whether the model has fitted wall losses (`wisp plan --fit-walls` fitted some): a map
    /// of the plan must calibrate the same way to draw the same model.
    pub walls_fitted: bool,
    /// Our existing radios put on another channel (neighbours' never are).
    pub channel_changes: Vec<ChannelChange>,
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
    /// The survey's radio map, our radios told from neighbours' (`None`: plan on the model of
    /// the manifest's APs alone, judged by the planner's design figures only).
    pub survey: Option<SurveyMap<'a>>,
    /// The profile a zone is held to (`None`: leave the zone out).
    pub profile: &'a dyn Fn(&Zone) -> Option<RequirementProfile>,
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
        meets_design_targets: meets,
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

/// What the planner's search starts from: the design margin, the existing APs, the demand, the
/// candidates and their predicted signals (less the margin), and the existing coverage the
/// search builds on. [`plan_floor`] searches on it; the truth harness
/// (`crates/wisp-plan/examples/plan_truth.rs`) swaps parts of it for the true field to see which
/// part of the planner's picture costs APs.
pub struct Setup {
    pub margin_db: f64,
    pub residual_sigma_db: Option<f64>,
    pub exponent: f64,
    /// The existing APs that give coverage (manifest, and ours calibration located).
    pub aps: Vec<PlannedAp>,
    /// The floor's materials with the calibration's fitted losses.
    pub materials: Vec<wisp_model::Material>,
    pub demand: Demand,
    /// Candidate positions, one per row of [`Setup::matrix`].
    pub candidates: Vec<Point>,
    /// Each candidate's model signal on the design band at every demand cell, less the margin.
    pub matrix: SignalMatrix,
    /// Existing coverage per demand cell: the survey's map where it was surveyed, the model
    /// of the existing APs less the margin elsewhere.
    pub base: Top2,
    /// The survey's layers (`wisp check`'s), when planning on a survey.
    pub before_layers: Option<SignalLayers>,
    /// A new AP's transmit power on the design band, dBm.
    pub new_design_tx_dbm: f64,
}

/// Plans one floor.
pub fn plan_floor(input: &PlanInput, opts: &PlanOptions) -> Result<Plan, PlanError> {
    let floor = input.floor;
    let cal = input.calibration;
    let Setup {
        margin_db: margin,
        residual_sigma_db,
        exponent,
        mut aps,
        materials,
        demand,
        candidates: cand,
        matrix,
        base,
        before_layers,
        new_design_tx_dbm,
    } = setup(input, opts)?;
    let band = opts.design_band;
    let reach = Top2::with_all(&base, &matrix);
    let cell_area = opts.cell_m * opts.cell_m;
    let problem = Problem::new(&demand, &opts.targets, &reach, opts.ap_cost_m2 / cell_area);
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
            new_design_tx_dbm - MIN_SUGGESTED_TX_DBM,
        )
    } else {
        vec![0.0; chosen_sorted.len()]
    };
    let after = top2_with_cuts(&search, &chosen_sorted, &cuts);
    let score = score(&demand, &problem, &after, chosen_sorted.len());
    // What one more AP would still close, for the zones left short (hard to reach).
    let further = best_addition(&search, &after, &chosen_sorted);
    let capped = chosen_sorted.len() >= search.max_new;
    let met_before = meets(&demand, &problem, &opts.targets, &base);
    let met_after = meets(&demand, &problem, &opts.targets, &after);
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
    let channels = ChannelInput {
        walls_at: &|b| WallSet::new(&floor.walls, &materials, b),
        cal,
        demand: &demand,
        exponent,
        off_when_shared: opts.new_2g4_off_when_shared,
        cochannel_dbm: COCHANNEL_DBM - margin,
        survey: input.survey.as_ref(),
    };
    let (cochannel_overlap, channel_changes) = plan_channels(&channels, &mut aps);
    // One judge: wisp_coverage on the survey's layers and on the predicted-after layers.
    let verdicts = match (&input.survey, &before_layers) {
        (Some(survey), Some(before)) => {
            let new: Vec<PlannedAp> = aps.iter().filter(|a| a.new).cloned().collect();
            let (map, ours) = after_map(floor, cal, survey, &channel_changes, &new);
            let after_layers = SignalLayers::from_map(&map, &ours, survey.layers);
            let b = judge(floor, before, input.profile, survey.eval);
            let a = judge(floor, &after_layers, input.profile, survey.eval);
            Some((b, a, after_layers, map, ours))
        }
        _ => None,
    };
    let zones = demand
        .zones
        .iter()
        .enumerate()
        .map(|(zi, z)| {
            let n = z.cells.len().max(1) as f64;
            let find = |v: &[ZoneResult]| v.iter().find(|r| r.zone == z.name).cloned();
            let (verdict_before, verdict_after) = match &verdicts {
                Some((b, a, ..)) => (find(b), find(a)),
                None => (None, None),
            };
            let limits = match (&verdicts, &verdict_after) {
                (Some((_, _, layers, map, ours)), Some(result)) => limits(
                    &LimitContext {
                        floor,
                        layers,
                        map,
                        ours,
                        problem: &problem,
                        demand: &demand,
                        after: &after,
                        further: further.map(|(j, g)| (cand[j], g * cell_area)),
                        capped,
                        cell_area,
                        reach: &reach,
                        cochannel_dbm: input
                            .survey
                            .as_ref()
                            .map_or(COCHANNEL_DBM, |s| s.layers.cochannel_dbm),
                    },
                    zi,
                    result,
                ),
                _ => Vec::new(),
            };
            ZoneOutcome {
                zone: z.name.clone(),
                kind: z.kind.name(),
                profile: z.profile.clone(),
                area_m2: z.cells.len() as f64 * cell_area,
                design_before: stats(&demand, zi, &base, met_before[zi]),
                design_after: stats(&demand, zi, &after, met_after[zi]),
                unreachable_share: problem.unreachable_primary[zi] as f64 / n,
                verdict_before,
                verdict_after,
                limits,
            }
        })
        .collect();
    Ok(Plan {
        floor: floor.id.clone(),
        exponent,
        design_band: band,
        primary_share: opts.targets.primary_share,
        secondary_share: opts.targets.secondary_share,
        margin_db: margin,
        residual_sigma_db,
        survey_anchored: input.survey.is_some(),
        walls_fitted: cal.is_some_and(|c| c.walls.is_some()),
        channel_changes,
        aps,
        zones,
        candidates: cand.len(),
        demand_cells: demand.len(),
        deficit: score.deficit,
        cochannel_overlap,
    })
}

/// The planner's starting point for `input` ([`Setup`]), after checking the options.
pub fn setup(input: &PlanInput, opts: &PlanOptions) -> Result<Setup, PlanError> {
    let floor = input.floor;
    let cal = input.calibration;
    let bad = |what: &str| -> PlanError {
        PlanErrorKind::Invalid {
            floor: floor.id.clone(),
            what: what.to_string(),
        }
        .into()
    };
    if !(opts.min_distance_m.is_finite() && opts.min_distance_m >= 0.0) {
        return Err(bad("the minimum distance between APs must be a number ≥ 0"));
    }
    if !(opts.cell_m.is_finite() && opts.cell_m >= 0.1) {
        return Err(bad("the demand cell must be at least 0.1 m"));
    }
    if !opts.targets.is_valid() {
        return Err(bad("the target shares must be numbers from 0 to 1"));
    }
    if !(opts.margin_sigma_share.is_finite() && opts.margin_sigma_share >= 0.0)
        || opts.margin_db.is_some_and(|m| !m.is_finite())
    {
        return Err(bad("the design margin must be a number"));
    }
    if opts.survey_decorrelation_m.is_nan() || opts.survey_decorrelation_m <= 0.0 {
        return Err(bad("the decorrelation distance must be positive"));
    }
    if !(opts.ap_cost_m2.is_finite() && opts.ap_cost_m2 >= 0.0) {
        return Err(bad("the cost of an AP must be a number ≥ 0"));
    }
    let exponent = cal.map_or(opts.default_exponent, |c| c.exponent);
    if !(exponent.is_finite() && exponent > 0.0) {
        return Err(bad("the path-loss exponent must be a positive number"));
    }
    let residual_sigma_db = cal.map(|c| c.rmse_db).filter(|s| s.is_finite());
    let margin = opts
        .margin_db
        .unwrap_or(opts.margin_sigma_share * residual_sigma_db.unwrap_or(SHADOW_SIGMA_DB));
    let band = opts.design_band;
    let mut aps = existing_aps(floor, cal);
    // An AP calibration located from a neighbour's radios is not ours: it gives no coverage.
    if let Some(survey) = &input.survey {
        aps.retain(|a| {
            !a.located
                || ap_key(a, cal).is_some_and(|k| {
                    survey
                        .map
                        .radios
                        .iter()
                        .zip(survey.ours)
                        .any(|(r, &o)| o && r.key.ap == k)
                })
        });
    }
    let existing_sources: Vec<Source> = aps
        .iter()
        .filter_map(|a| source(a, cal, band, opts.design_freq_mhz))
        .map(|s| Source {
            power_dbm: s.power_dbm - margin,
            ..s
        })
        .collect();
    let demand = Demand::of_floor(floor, opts.cell_m, input.profile);
    let existing_pos: Vec<Point> = aps.iter().map(|a| a.position).collect();
    let cand = candidates(floor, &existing_pos, opts.min_distance_m, &opts.candidates);
    let new_design = opts
        .new_radios
        .iter()
        .find(|r| r.band == band)
        .ok_or_else(|| bad("new APs need a radio on the design band"))?;
    let new_power = model_power(cal, new_design.tx_dbm) - margin;
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
    // No threshold lies below the weakest zone threshold: candidates' signals below that never
    // decide a cell, so their walls need not be counted.
    let lowest = demand
        .zones
        .iter()
        .map(|z| z.secondary_dbm.unwrap_or(z.primary_dbm).min(z.primary_dbm))
        .fold(f64::INFINITY, f64::min);
    let matrix = demand.matrix(&cand_sources, exponent, &walls, lowest);
    let existing_m = demand.matrix(&existing_sources, exponent, &walls, f64::NEG_INFINITY);
    let mut base = Top2::with(
        &Top2::empty(demand.len()),
        &existing_m,
        &(0..existing_m.rows).collect::<Vec<_>>(),
    );
    // Existing coverage is the survey's map wherever it was surveyed.
    let before_layers = input.survey.as_ref().map(|s| s.before_layers());
    if let Some(l) = &before_layers {
        anchor_on_survey(&mut base, &demand, l, margin, opts.survey_decorrelation_m);
    }
    Ok(Setup {
        margin_db: margin,
        residual_sigma_db,
        exponent,
        aps,
        materials,
        demand,
        candidates: cand,
        matrix,
        base,
        before_layers,
        new_design_tx_dbm: new_design.tx_dbm,
    })
}

/// Replaces the model's existing coverage by the survey's (our radios' primary and secondary)
/// at every demand cell the survey covers, less the share of `margin` left at the cell's
/// distance to the nearest scan ([`surveyed_margin`]).
fn anchor_on_survey(
    base: &mut Top2,
    demand: &Demand,
    layers: &SignalLayers,
    margin: f64,
    decorrelation_m: f64,
) {
    let g = layers.primary.geometry();
    let value = |grid: &wisp_model::Grid<f32>, r, c| {
        grid.get(r, c)
            .copied()
            .filter(|v| !v.is_nan())
            .unwrap_or(f32::NEG_INFINITY)
    };
    for (i, &p) in demand.cells.iter().enumerate() {
        let Some((r, c)) = g.cell_at(p) else { continue };
        if layers.surveyed.get(r, c) == Some(&true) {
            let d = layers.distance_m.get(r, c).copied().unwrap_or(f32::NAN) as f64;
            let m = surveyed_margin(margin, d, decorrelation_m) as f32;
            base.best[i] = value(&layers.primary, r, c) - m;
            base.second[i] = value(&layers.secondary, r, c) - m;
        }
    }
}

/// The design margin on a surveyed cell `distance_m` from the nearest scan:
/// `margin × √(1 − exp(−2d/L))` ([`PlanOptions::survey_decorrelation_m`]); the whole margin
/// when the distance is unknown.
fn surveyed_margin(margin: f64, distance_m: f64, decorrelation_m: f64) -> f64 {
    if distance_m.is_nan() || distance_m < 0.0 {
        return margin;
    }
    margin
        * (1.0 - (-2.0 * distance_m / decorrelation_m).exp())
            .max(0.0)
            .sqrt()
}

/// What [`limits`] reads.
struct LimitContext<'a> {
    floor: &'a Floor,
    layers: &'a SignalLayers,
    map: &'a wisp_interp::RadioMap,
    ours: &'a [bool],
    problem: &'a Problem,
    demand: &'a Demand,
    after: &'a Top2,
    reach: &'a Top2,
    /// The best further AP and the weighted m² it would close.
    further: Option<(Point, f64)>,
    capped: bool,
    cell_area: f64,
    /// The layers' co-channel level (`wisp_interp::LayerOptions::cochannel_dbm`).
    cochannel_dbm: f64,
}

/// The criteria zone `zi` still fails after the plan (its verdict `result`), each with why
/// adding APs does not fix it.
fn limits(cx: &LimitContext, zi: usize, result: &ZoneResult) -> Vec<Limit> {
    if result.verdict != Verdict::Fail {
        return Vec::new();
    }
    let z = &cx.demand.zones[zi];
    let zone = cx.floor.zones.iter().find(|x| x.name == z.name);
    let mut out = Vec::new();
    let failing: Vec<Criterion> = {
        let mut v: Vec<Criterion> = result
            .criteria
            .iter()
            .filter(|c| c.pass_share < 1.0)
            .map(|c| c.criterion)
            .filter(|c| {
                result.dead_zones.iter().any(|d| d.criterion == *c)
                    || result
                        .criteria
                        .iter()
                        .any(|r| r.criterion == *c && r.pass_share < 0.95)
            })
            .collect();
        v.dedup();
        v
    };
    for criterion in failing {
        let area = |cells: usize| cells as f64 * cx.cell_area;
        match criterion {
            Criterion::CoChannel => {
                // Whose radios are on the serving channel where the criterion fails.
                let threshold = result
                    .criteria
                    .iter()
                    .find(|c| c.criterion == criterion)
                    .map_or(0.0, |c| c.threshold);
                let (mut theirs, mut own, mut cells) = (Vec::new(), 0usize, 0usize);
                let g = cx.layers.cochannel.geometry();
                for &p in &cx.demand.cells[z.cells.clone()] {
                    let Some((r, c)) = g.cell_at(p) else { continue };
                    let count = cx.layers.cochannel.get(r, c).copied().unwrap_or(0) as f64;
                    if cx.layers.surveyed.get(r, c) != Some(&true) || count <= threshold {
                        continue;
                    }
                    cells += 1;
                    let Some(&s) = cx.layers.serving.get(r, c) else {
                        continue;
                    };
                    let Some(serving) = cx.map.radios.get(s as usize) else {
                        continue;
                    };
                    for (ri, info) in cx.map.radios.iter().enumerate() {
                        let v = cx.map.grids[ri].get(r, c).copied().unwrap_or(f32::NAN) as f64;
                        if ri != s as usize
                            && info.key.band == serving.key.band
                            && info.key.channel == serving.key.channel
                            && v >= cx.cochannel_dbm
                        {
                            if cx.ours[ri] {
                                own += 1;
                            } else {
                                let name = format!("{} ch {}", info.key.ap, info.key.channel);
                                if !theirs.contains(&name) {
                                    theirs.push(name);
                                }
                            }
                        }
                    }
                }
                if !theirs.is_empty() {
                    theirs.sort();
                    out.push(Limit {
                        criterion,
                        reason: LimitReason::NeighbourCochannel,
                        area_m2: area(cells),
                        detail: format!(
                            "neighbours' radios on the serving channel ({}); the plan does not \
                             re-channel other people's APs: it would take agreeing a channel with \
                             their owner",
                            theirs.join(", ")
                        ),
                    });
                } else if own > 0 {
                    out.push(Limit {
                        criterion,
                        reason: LimitReason::OwnCochannel,
                        area_m2: area(cells),
                        detail: "our own radios still share the serving channel after channel \
                                 planning: it would take lower transmit power or fewer radios \
                                 on this band"
                            .into(),
                    });
                }
            }
            Criterion::Primary | Criterion::Secondary => {
                let primary = criterion == Criterion::Primary;
                let unreachable = if primary {
                    cx.problem.unreachable_primary[zi]
                } else {
                    cx.problem.unreachable_secondary[zi]
                };
                let threshold = if primary {
                    z.primary_dbm
                } else {
                    z.secondary_dbm.unwrap_or(z.primary_dbm)
                };
                if unreachable > 0 {
                    let reach = if primary {
                        &cx.reach.best
                    } else {
                        &cx.reach.second
                    };
                    let worst = z
                        .cells
                        .clone()
                        .map(|i| threshold - reach[i] as f64)
                        .fold(0.0, f64::max);
                    let forbidden = zone.is_some_and(|x| x.no_ap);
                    out.push(Limit {
                        criterion,
                        reason: LimitReason::Unreachable,
                        area_m2: area(unreachable),
                        detail: format!(
                            "no allowed mounting point reaches it (up to {} dB short from the \
                             best one, with the margin): it would take a mounting point {}",
                            if worst.is_finite() {
                                format!("{worst:.0}")
                            } else {
                                "∞".into()
                            },
                            if forbidden {
                                "inside the zone, where mounting is forbidden now"
                            } else {
                                "nearer the zone, or fewer walls in the way"
                            }
                        ),
                    });
                    continue;
                }
                let (t, need) = if primary {
                    (&cx.after.best, cx.problem.need_primary[zi])
                } else {
                    (&cx.after.second, cx.problem.need_secondary[zi])
                };
                let got = z
                    .cells
                    .clone()
                    .filter(|&i| t[i] as f64 >= threshold)
                    .count();
                let short = need.saturating_sub(got);
                if short > 0 {
                    let (reason, detail) = if cx.capped {
                        (
                            LimitReason::ApLimit,
                            "the limit on new APs (--max-aps) was reached".to_string(),
                        )
                    } else {
                        (
                            LimitReason::HardToReach,
                            match cx.further {
                                Some((p, m2)) => format!(
                                    "hard to reach: the best further AP (at {:.1}, {:.1} m) would \
                                     close {m2:.1} weighted m² in all, less than an AP costs; it \
                                     would take accepting that AP, or a mounting point nearer",
                                    p.x, p.y
                                ),
                                None => "hard to reach: no further AP closes any of it".into(),
                            },
                        )
                    };
                    out.push(Limit {
                        criterion,
                        reason,
                        area_m2: area(short),
                        detail,
                    });
                } else {
                    out.push(Limit {
                        criterion,
                        reason: LimitReason::NotDesignedFor,
                        area_m2: 0.0,
                        detail: "the design meets it on the model less the margin; the \
                                 predicted-after map (other bands, interpolation between scans) \
                                 still fails it: re-survey after installing"
                            .into(),
                    });
                }
            }
            Criterion::Tertiary | Criterion::Snr => out.push(Limit {
                criterion,
                reason: LimitReason::NotDesignedFor,
                area_m2: 0.0,
                detail: format!(
                    "the planner designs for primary and secondary coverage; {} is judged \
                     after but not planned for",
                    criterion.name()
                ),
            }),
        }
    }
    out
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

/// What [`plan_channels`] needs besides the APs.
struct ChannelInput<'a> {
    walls_at: &'a dyn Fn(Band) -> WallSet,
    cal: Option<&'a Calibration>,
    demand: &'a Demand,
    exponent: f64,
    off_when_shared: bool,
    /// Radios count as overlapping from here: −85 dBm less the design margin, so shadowing
    /// does not turn a planned separation into co-channel interference.
    cochannel_dbm: f64,
    survey: Option<&'a SurveyMap<'a>>,
}

/// A radio in the channel plan: which, its signal at the overlap points, the channel it must
/// keep (a neighbour's), its current channel (ours, existing) and whether it is new.
struct ChannelMember {
    who: Member,
    signal: Vec<f32>,
    fixed: Option<u16>,
    current: Option<u16>,
    new: bool,
}

/// Which radio a [`ChannelMember`] is.
enum Member {
    /// Radio `r` of an AP of the plan (`aps[a].radios[r]`).
    Ap(usize, usize),
    /// Radio `r` of the survey's map.
    Surveyed(usize),
}

/// Plans channels band by band: the new APs' radios and our existing ones (the survey's, else
/// the manifest's) around the neighbours' radios, which keep theirs. An existing radio moves
/// only where that lowers the overlap. Returns the overlap left per band and our existing
/// radios' channel changes; `aps` get their planned channels (a new AP's 2.4 GHz radio that
/// would share its channel is switched off).
fn plan_channels(
    cx: &ChannelInput,
    aps: &mut [PlannedAp],
) -> (BTreeMap<Band, f64>, Vec<ChannelChange>) {
    // Every 4th demand cell (about one per metre² of zone) is plenty for overlap weights.
    let points: Vec<Point> = cx.demand.cells.iter().step_by(4).copied().collect();
    let mut left = BTreeMap::new();
    let mut changes = Vec::new();
    for band in Band::ALL {
        let mut members: Vec<ChannelMember> = Vec::new();
        let mut modelled: Vec<(usize, usize)> = Vec::new();
        for (a, ap) in aps.iter().enumerate() {
            if cx.survey.is_some() && !ap.new {
                continue;
            }
            if let Some(r) = ap.radios.iter().position(|r| r.band == band) {
                modelled.push((a, r));
            }
        }
        if let Some(survey) = cx.survey {
            let g = survey.map.distance_m.geometry();
            for (ri, info) in survey.map.radios.iter().enumerate() {
                if info.key.band != band {
                    continue;
                }
                let signal = points
                    .iter()
                    .map(|&p| {
                        g.cell_at(p)
                            .and_then(|(r, c)| survey.map.grids[ri].get(r, c).copied())
                            .filter(|v| !v.is_nan())
                            .unwrap_or(f32::NEG_INFINITY)
                    })
                    .collect();
                let ch = Some(info.key.channel);
                let ours = survey.ours[ri];
                members.push(ChannelMember {
                    who: Member::Surveyed(ri),
                    signal,
                    fixed: ch.filter(|_| !ours),
                    current: ch.filter(|_| ours),
                    new: false,
                });
            }
        }
        if members.is_empty() && modelled.is_empty() {
            continue;
        }
        let walls = (cx.walls_at)(band);
        let sources: Vec<Source> = modelled
            .iter()
            .map(|&(a, r)| {
                let ap = &aps[a];
                let radio = &ap.radios[r];
                let p = if ap.new { None } else { ap_key(ap, cx.cal) };
                Source {
                    position: ap.position,
                    power_dbm: power(cx.cal, p.as_deref(), radio),
                    freq_mhz: nominal_freq(band),
                }
            })
            .collect();
        let m = match &cx.demand.grid {
            Some(g) => SignalMatrix::build_on_grid(
                &sources,
                g,
                &points,
                cx.exponent,
                &walls,
                f64::NEG_INFINITY,
            ),
            None => SignalMatrix::build(&sources, &points, cx.exponent, &walls, f64::NEG_INFINITY),
        };
        for (k, &(a, r)) in modelled.iter().enumerate() {
            let new = aps[a].new;
            let current = (!new).then_some(aps[a].radios[r].channel);
            members.push(ChannelMember {
                who: Member::Ap(a, r),
                signal: m.row(k).to_vec(),
                fixed: None,
                current,
                new,
            });
        }
        let signal: Vec<Vec<f32>> = members.iter().map(|m| m.signal.clone()).collect();
        let w = overlap_weights(&signal, cx.cochannel_dbm);
        let fixed: Vec<Option<u16>> = members.iter().map(|m| m.fixed).collect();
        let current: Vec<Option<u16>> = members.iter().map(|m| m.current).collect();
        let plan = keep_current(&w, &assign_around(&w, band, &fixed), &current);
        // 2.4 GHz has three channels and carries far: a new AP's 2.4 GHz radio that would still
        // share its channel with a radio it hears is switched off, worst first (the usual design
        // practice of enabling 2.4 GHz on a subset of APs; the 5 GHz radio serves there).
        let mut on = vec![true; members.len()];
        if band == Band::G2_4 && cx.off_when_shared {
            loop {
                let shared = |i: usize| -> f64 {
                    (0..members.len())
                        .filter(|&k| k != i && on[k] && plan[k] == plan[i])
                        .map(|k| w[i][k])
                        .sum()
                };
                let worst = (0..members.len())
                    .filter(|&i| on[i] && members[i].new)
                    .map(|i| (i, shared(i)))
                    .filter(|&(_, o)| o > 0.0)
                    .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
                match worst {
                    Some((i, _)) => on[i] = false,
                    None => break,
                }
            }
        }
        let mut total = 0.0;
        for i in 0..plan.len() {
            for k in i + 1..plan.len() {
                if on[i] && on[k] && plan[i] == plan[k] {
                    total += w[i][k];
                }
            }
        }
        let mut off: Vec<(usize, usize)> = Vec::new();
        for (member, (&ch, &o)) in members.iter().zip(plan.iter().zip(&on)) {
            let current = &member.current;
            match member.who {
                Member::Ap(a, r) => {
                    let was = aps[a].radios[r].channel;
                    aps[a].radios[r].channel = ch;
                    if !o {
                        off.push((a, r));
                    } else if current.is_some() && was != ch {
                        changes.push(ChannelChange {
                            ap: ap_key(&aps[a], cx.cal).unwrap_or_else(|| aps[a].name.clone()),
                            name: Some(aps[a].name.clone()),
                            band,
                            from: was,
                            to: ch,
                        });
                    }
                }
                Member::Surveyed(ri) => {
                    let Some(from) = *current else { continue };
                    if from == ch {
                        continue;
                    }
                    let key = &cx.survey.expect("surveyed member").map.radios[ri].key;
                    // The manifest AP this radio belongs to, if any, gets the new channel too.
                    let name = aps.iter_mut().find_map(|ap| {
                        (ap_key(ap, cx.cal).as_deref() == Some(key.ap.as_str())).then(|| {
                            for r in ap.radios.iter_mut() {
                                if r.band == band && r.channel == from {
                                    r.channel = ch;
                                }
                            }
                            ap.name.clone()
                        })
                    });
                    changes.push(ChannelChange {
                        ap: key.ap.clone(),
                        name,
                        band,
                        from,
                        to: ch,
                    });
                }
            }
        }
        // Remove switched-off radios (highest index first so positions stay valid).
        off.sort_by(|a, b| b.cmp(a));
        for (a, r) in off {
            aps[a].radios.remove(r);
        }
        left.insert(band, total);
    }
    (left, changes)
}

/// Zone kinds an AP may not be mounted in by default (re-exported for the CLI's help).
pub fn default_excluded_kinds() -> Vec<ZoneKind> {
    CandidateOptions::default().excluded_kinds
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aps::freq;
    use wisp_coverage::profiles::builtin;
    use wisp_model::{AccessPoint, Material, PlanCalibration, Polygon, Segment, Wall};

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

    /// The margin the planner uses uncalibrated: a share of shadowing's spread.
    fn margin(o: &PlanOptions) -> f64 {
        o.margin_sigma_share * SHADOW_SIGMA_DB
    }

    /// Candidates as sources at 17 dBm less the margin on the design frequency, as the planner
    /// sees them uncalibrated.
    fn design_sources(cand: &[Point], o: &PlanOptions) -> Vec<Source> {
        cand.iter()
            .map(|&p| Source {
                position: p,
                power_dbm: 17.0 - margin(o),
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
                    power_dbm: r.tx_dbm - margin(o),
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
        let problem = Problem::new(
            &demand,
            &o.targets,
            &reach,
            o.ap_cost_m2 / (o.cell_m * o.cell_m),
        );
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
    fn a_surveyed_cells_margin_grows_with_its_distance_to_the_scan() {
        let (m, l) = (3.0, 6.0);
        // On the scan nothing is left to doubt; far from it, the whole margin.
        assert_eq!(surveyed_margin(m, 0.0, l), 0.0);
        assert!((surveyed_margin(m, 1e3, l) - m).abs() < 1e-12);
        // At half the decorrelation distance: √(1 − e⁻¹) of it, 0.795 (by hand).
        let half = surveyed_margin(m, 3.0, l);
        assert!((half - m * 0.795_060_1).abs() < 1e-6, "{half}");
        assert!(surveyed_margin(m, 1.0, l) < half && half < surveyed_margin(m, 5.0, l));
        // The default, an infinite distance: surveyed cells carry none; unknown distance: all.
        assert_eq!(surveyed_margin(m, 4.0, f64::INFINITY), 0.0);
        assert_eq!(surveyed_margin(m, f64::NAN, l), m);
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
                survey: None,
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
                assert!(
                    z.design_after.meets_design_targets || z.unreachable_share > 0.0,
                    "{z:?}"
                );
                assert!(z.design_after.primary_share >= z.design_before.primary_share);
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
            survey: None,
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
            survey: None,
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
                assert!(
                    a.design_after.meets_design_targets || !b.design_after.meets_design_targets,
                    "{a:?}"
                );
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
            survey: None,
            profile: &profile,
        };
        let p = plan_floor(&input, &opts(3.0)).unwrap();
        assert_eq!(
            (p.new_aps().count(), p.deficit, p.demand_cells),
            (0, 0.0, 0)
        );
    }
}
