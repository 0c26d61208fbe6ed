//! The planner against the truth: on every layout of `benches/support/truth.rs` and several
//! seeds, the planner plans from the simulated survey (the survey's radio map, the calibrated
//! model), and its plan is scored on the true field; an oracle plans on the true field itself.
//!
//! `cargo run --release -p wisp-plan --example plan_truth [--share S]... [--method M]
//! [--ap-cost M2] [--locate-dbm DBM] [--decorrelation M] [--draws N] [--diag] [--ideal M]...
//! [SEEDS...]`
//! (default seeds 1 2 3, shares 0.5; several `--share` values compare design margins as shares
//! of the calibration's residual spread; `--method` the survey map's interpolation, `idw` by
//! default, `model` for regression kriging on the calibrated model, as a site with
//! `interpolation = "model"` or `auto` choosing it plans; `--ap-cost` the cost of a new AP in
//! weighted m², planner and oracle alike; `--locate-dbm` calibration's
//! `locate_min_dbm`; `--decorrelation` how fast a surveyed cell's margin grows with its distance
//! to the nearest scan (`PlanOptions::survey_decorrelation_m`; by default `inf`: surveyed cells
//! carry no margin); `--draws N` adds two columns, the same plan scored under N other draws of the
//! new APs' shadowing (which no planner can know): the share of draws in which every clinical
//! zone holds ≥ 95 % ("held") and the mean of the worst clinical zone's share; `--diag` shows where the planner's picture differs from the truth, see
//! [`diagnose`]); `--ideal M` (repeatable) adds a line per case for the best a planner could do
//! without seeing the new APs' shadowing: the same search on the true existing coverage and each
//! new AP's true mean signal less M dB, with its count and its "held" over the draws).
//!
//! **The true field after a plan.** Every transmitting AP's radios at their model mean
//! (`wisp_radio::simulate::predict`, the walk's own model) plus that AP's shadowing (the walk's
//! own shadow fields, `wisp_radio::shadow_of`); a new AP gets a shadow field of its own, seeded
//! by its position, so the planner never sees it. Per 0.5 m cell of a zone: the true primary
//! (strongest AP) and secondary (strongest other AP). A zone's true share is the share of its
//! cells meeting both of its profile's thresholds.
//!
//! **The oracle.** The planner's own search (greedy maximum coverage, then local search, the same
//! cost per AP) on the true signals, with no margin: the fewest new APs, from the same candidate
//! lattice, that bring every zone to the targets on the true field.
//!
//! Columns: planner's new APs, oracle's, the worst clinical zone's true share after the plan
//! (target ≥ 95 %), the margin used (dB) and the calibration's residual RMSE (dB).

#[path = "../../../benches/support/truth.rs"]
mod truth;

use truth::{layer_options, layouts, Case, CELL_M};
use wisp_coverage::{profiles::builtin, EvalOptions};
use wisp_interp::RadioMap;
use wisp_model::{AccessPoint, ApRadio, Band, Floor, Point, RequirementProfile, Zone};
use wisp_plan::candidates::candidates;
use wisp_plan::demand::Demand;
use wisp_plan::greedy::greedy;
use wisp_plan::local_search::improve;
use wisp_plan::matrix::SignalMatrix;
use wisp_plan::objective::{Columns, Problem, Search, Top2};
use wisp_plan::{
    calibrate, plan_floor, CalibratedTrend, CalibrationOptions, PlanInput, PlanOptions, SurveyMap,
    Targets,
};
use wisp_radio::{ShadowField, SimulationParams};

fn profile(z: &Zone) -> Option<RequirementProfile> {
    builtin().into_iter().find(|p| p.name == z.profile)
}

/// A new AP's true shadowing: its own field, seeded by the case's seed and its position.
fn new_ap_shadow(params: &SimulationParams, at: Point) -> ShadowField {
    new_ap_shadow_draw(params, at, 0)
}

/// [`new_ap_shadow`]'s `draw`-th alternative (draw 0 is the field itself): the same
/// statistics, another realisation, for `--draws`.
fn new_ap_shadow_draw(params: &SimulationParams, at: Point, draw: u64) -> ShadowField {
    let key = ((at.x * 100.0).round() as i64 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ ((at.y * 100.0).round() as i64 as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    ShadowField::new(
        params.shadow_sigma_db,
        params.decorrelation_m,
        params.seed ^ key ^ 0x5EED ^ draw.wrapping_mul(0xD6E8_FEB8_6659_FD93),
    )
}

/// One AP's true signal at every demand cell: the strongest of its radios.
fn true_row(
    floor: &Floor,
    params: &SimulationParams,
    ap: &AccessPoint,
    shadow: &ShadowField,
    cells: &[Point],
) -> Vec<f32> {
    cells
        .iter()
        .map(|&p| {
            ap.radios
                .iter()
                .filter_map(|r| wisp_radio::simulate::predict(&params.model, floor, ap, r, p))
                .fold(f64::NEG_INFINITY, f64::max) as f32
                + shadow.at(p) as f32
        })
        .collect()
}

/// The planner's search (greedy, then local search, default options) on `base` and `matrix`,
/// each new AP costing `ap_cost_m2` weighted m²: the new APs it picks.
fn search_on(
    demand: &Demand,
    base: &Top2,
    matrix: &SignalMatrix,
    positions: &[Point],
    ap_cost_m2: f64,
) -> Vec<usize> {
    let defaults = PlanOptions::default();
    let reach = Top2::with_all(base, matrix);
    let ap_cost = ap_cost_m2 / (CELL_M * CELL_M);
    let problem = Problem::new(demand, &Targets::default(), &reach, ap_cost);
    let columns = Columns::new(matrix, &problem);
    let search = Search {
        demand,
        problem: &problem,
        matrix,
        base,
        positions,
        min_distance_m: defaults.min_distance_m,
        max_new: positions.len(),
        columns: &columns,
    };
    improve(&search, greedy(&search, &[]), &defaults.search)
}

/// Per zone, the share of cells meeting primary and secondary under `t`.
fn zone_shares(demand: &Demand, t: &Top2) -> Vec<f64> {
    demand
        .zones
        .iter()
        .map(|z| {
            let ok = z
                .cells
                .clone()
                .filter(|&i| {
                    t.best[i] as f64 >= z.primary_dbm
                        && z.secondary_dbm.is_none_or(|s| t.second[i] as f64 >= s)
                })
                .count();
            ok as f64 / z.cells.len().max(1) as f64
        })
        .collect()
}

/// The worst clinical zone's share of cells meeting primary and secondary under `t`.
fn worst_clinical(demand: &Demand, t: &Top2) -> f64 {
    demand
        .zones
        .iter()
        .zip(zone_shares(demand, t))
        .filter(|(z, _)| z.kind.is_clinical())
        .map(|(_, share)| share)
        .fold(1.0, f64::min)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut seeds: Vec<u64> = Vec::new();
    let mut shares: Vec<f64> = Vec::new();
    let mut method = wisp_model::Method::Idw;
    let mut diag = false;
    let mut ap_cost_m2 = PlanOptions::default().ap_cost_m2;
    let mut cal_opts = CalibrationOptions::default();
    let mut decorrelation_m = PlanOptions::default().survey_decorrelation_m;
    let mut draws: u64 = 0;
    let mut ideal: Vec<f64> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--share" {
            let v = args.next().ok_or("--share needs a value")?;
            shares.push(v.parse()?);
        } else if a == "--locate-dbm" {
            let v = args.next().ok_or("--locate-dbm needs a value")?;
            cal_opts.locate_min_dbm = v.parse()?;
        } else if a == "--ap-cost" {
            let v = args.next().ok_or("--ap-cost needs a value")?;
            ap_cost_m2 = v.parse()?;
        } else if a == "--decorrelation" {
            let v = args.next().ok_or("--decorrelation needs a value")?;
            decorrelation_m = v.parse()?;
        } else if a == "--draws" {
            let v = args.next().ok_or("--draws needs a value")?;
            draws = v.parse()?;
        } else if a == "--diag" {
            diag = true;
        } else if a == "--ideal" {
            let v = args.next().ok_or("--ideal needs a margin in dB")?;
            ideal.push(v.parse()?);
        } else if a == "--method" {
            method = args.next().ok_or("--method needs a value")?.parse()?;
        } else {
            seeds.push(a.parse()?);
        }
    }
    if seeds.is_empty() {
        seeds = vec![1, 2, 3];
    }
    if shares.is_empty() {
        shares = vec![PlanOptions::default().margin_sigma_share];
    }
    println!(
        "{:<18} {:>4} {:>5} {:>5} {:>7} {:>6} {:>9} {:>9} {:>8}{}",
        "layout",
        "seed",
        "share",
        "scans",
        "planner",
        "oracle",
        "worst cl.",
        "margin dB",
        "σ dB",
        if draws > 0 { "   held  mean worst" } else { "" }
    );
    let eval = EvalOptions::default();
    for layout in layouts() {
        let floor = &layout.floor;
        for &seed in &seeds {
            let case = Case::new(&layout, seed);
            let opts = layer_options(&case, method);
            let inside = |r: usize, c: usize| case.inside.values()[(r, c)];
            let cal = calibrate(floor, &case.samples, &cal_opts)?;
            let trend = CalibratedTrend::new(floor, &cal);
            let trend_ref = (method == wisp_model::Method::Model)
                .then_some(&trend as &dyn wisp_interp::regression::Trend);
            let map = RadioMap::build(&case.samples, &case.geometry, &inside, &opts, trend_ref)?;
            let ours = vec![true; map.radios.len()];
            // The truth at the demand cells: existing APs with the walk's own shadowing.
            let demand = Demand::of_floor(floor, CELL_M, &profile);
            let mut base = Top2::empty(demand.len());
            for (i, ap) in layout.aps.iter().enumerate() {
                let shadow = wisp_radio::shadow_of(&case.params, i);
                base.add(&true_row(floor, &case.params, ap, &shadow, &demand.cells));
            }
            // The oracle: the planner's search (same AP cost) on the true field, no margin.
            let defaults = PlanOptions::default();
            let existing: Vec<Point> = layout.aps.iter().map(|a| a.position).collect();
            let cand = candidates(
                floor,
                &existing,
                defaults.min_distance_m,
                &defaults.candidates,
            );
            let new_ap = |p: Point| AccessPoint {
                name: "NEW".into(),
                position: p,
                radios: vec![ApRadio {
                    band: Band::G5,
                    channel: 36,
                    tx_dbm: 17.0,
                }],
                ssids: vec![],
                base_bssid: None,
            };
            // A new AP's true signal, with its own shadowing or (`shadowed` false) its mean.
            let signal_matrix = |positions: &[Point], shadowed: bool| {
                let mut data = Vec::with_capacity(positions.len() * demand.len());
                for &p in positions {
                    let shadow = if shadowed {
                        new_ap_shadow(&case.params, p)
                    } else {
                        ShadowField::new(0.0, case.params.decorrelation_m, 0)
                    };
                    data.extend(true_row(
                        floor,
                        &case.params,
                        &new_ap(p),
                        &shadow,
                        &demand.cells,
                    ));
                }
                SignalMatrix {
                    rows: positions.len(),
                    cols: demand.len(),
                    data,
                }
            };
            let true_matrix = |positions: &[Point]| signal_matrix(positions, true);
            let matrix = true_matrix(&cand);
            let oracle = search_on(&demand, &base, &matrix, &cand, ap_cost_m2).len();
            // `--ideal M`: a planner that knows all it could know, the true existing coverage
            // and each new AP's true mean signal, and lacks only the new APs' own shadowing,
            // designing on the mean less M dB; its AP count against the oracle's, and how often
            // its plan holds under draws of that shadowing.
            for &margin in &ideal {
                let mut mean = signal_matrix(&cand, false);
                mean.data.iter_mut().for_each(|v| *v -= margin as f32);
                let chosen = search_on(&demand, &base, &mean, &cand, ap_cost_m2);
                let scored: Vec<f64> = (0..=draws)
                    .map(|k| {
                        let mut t = base.clone();
                        for &j in &chosen {
                            let shadow = new_ap_shadow_draw(&case.params, cand[j], k);
                            t.add(&true_row(
                                floor,
                                &case.params,
                                &new_ap(cand[j]),
                                &shadow,
                                &demand.cells,
                            ));
                        }
                        worst_clinical(&demand, &t)
                    })
                    .collect();
                let ok = scored.iter().filter(|&&w| w >= 0.95).count();
                println!(
                    "{:<18} {:>4} ideal margin {:>4.1} dB: {} new APs (oracle {}), worst cl. {:.1} %, held {:.0} % of {} draws, mean worst {:.1} %",
                    layout.name,
                    seed,
                    margin,
                    chosen.len(),
                    oracle,
                    100.0 * scored[0],
                    100.0 * ok as f64 / scored.len() as f64,
                    scored.len(),
                    100.0 * scored.iter().sum::<f64>() / scored.len() as f64,
                );
            }
            for &share in &shares {
                let plan_opts = PlanOptions {
                    margin_sigma_share: share,
                    survey_decorrelation_m: decorrelation_m,
                    ap_cost_m2,
                    ..PlanOptions::default()
                };
                let survey = SurveyMap {
                    map: &map,
                    ours: &ours,
                    layers: &opts,
                    eval: &eval,
                };
                let input = PlanInput {
                    floor,
                    calibration: Some(&cal),
                    survey: Some(survey),
                    profile: &profile,
                };
                let plan = plan_floor(&input, &plan_opts)?;
                let mut after = base.clone();
                for a in plan.new_aps() {
                    let shadow = new_ap_shadow(&case.params, a.position);
                    let ap = a.to_access_point();
                    after.add(&true_row(floor, &case.params, &ap, &shadow, &demand.cells));
                }
                // `--draws`: the same plan under other draws of the new APs' shadowing (which
                // the planner cannot know): how often every clinical zone holds ≥ 95 %.
                let held = (draws > 0).then(|| {
                    let worst: Vec<f64> = (1..=draws)
                        .map(|k| {
                            let mut t = base.clone();
                            for a in plan.new_aps() {
                                let shadow = new_ap_shadow_draw(&case.params, a.position, k);
                                let ap = a.to_access_point();
                                t.add(&true_row(floor, &case.params, &ap, &shadow, &demand.cells));
                            }
                            worst_clinical(&demand, &t)
                        })
                        .collect();
                    let ok = worst.iter().filter(|&&w| w >= 0.95).count();
                    format!(
                        " {:>5.0}% {:>10.1}%",
                        100.0 * ok as f64 / worst.len() as f64,
                        100.0 * worst.iter().sum::<f64>() / worst.len() as f64
                    )
                });
                println!(
                    "{:<18} {:>4} {:>5.2} {:>5} {:>7} {:>6} {:>8.1}% {:>9.1} {:>8.2}{}",
                    layout.name,
                    seed,
                    share,
                    case.samples.len(),
                    plan.new_aps().count(),
                    oracle,
                    100.0 * worst_clinical(&demand, &after),
                    plan.margin_db,
                    cal.rmse_db,
                    held.unwrap_or_default(),
                );
                if diag {
                    diagnose(&Diagnosis {
                        input: &input,
                        opts: &plan_opts,
                        plan: &plan,
                        demand: &demand,
                        true_base: &base,
                        true_after: &after,
                        true_matrix: &true_matrix,
                        mean_matrix: &|p: &[Point]| signal_matrix(p, false),
                    })?;
                }
            }
        }
    }
    Ok(())
}

/// What [`diagnose`] compares.
struct Diagnosis<'a> {
    input: &'a PlanInput<'a>,
    opts: &'a PlanOptions,
    plan: &'a wisp_plan::Plan,
    demand: &'a Demand,
    true_base: &'a Top2,
    true_after: &'a Top2,
    true_matrix: &'a dyn Fn(&[Point]) -> SignalMatrix,
    mean_matrix: &'a dyn Fn(&[Point]) -> SignalMatrix,
}

/// `--diag`: which part of the planner's picture costs APs, and where it is wrong.
///
/// The search is rerun with the planner's existing coverage or its new APs' model (both less
/// the margin) swapped for the true field, on the planner's own candidates; then, per zone,
/// the share of cells meeting primary and secondary as the planner believes it and as it truly
/// is, before and after the plan, and the mean error (belief − truth, dB) of the existing
/// primary signal on surveyed and unsurveyed cells.
fn diagnose(d: &Diagnosis) -> Result<(), Box<dyn std::error::Error>> {
    let st = wisp_plan::setup(d.input, d.opts)?;
    let demand = d.demand;
    // The existing APs' model alone (no survey), for its error against the truth.
    let model_only = wisp_plan::setup(
        &PlanInput {
            floor: d.input.floor,
            calibration: d.input.calibration,
            survey: None,
            profile: d.input.profile,
        },
        d.opts,
    )?;
    assert_eq!(st.demand.len(), demand.len(), "same demand cells");
    let pc = &st.candidates;
    // An AP the manifest does not list is in the model only if calibration located it.
    if let Some(cal) = d.input.calibration {
        for l in &cal.located {
            println!(
                "  located {} at ({:.1}, {:.1}) ± {:.1} m",
                l.ap, l.position.x, l.position.y, l.uncertainty_m
            );
        }
        for k in &cal.skipped {
            println!(
                "  not located {} (strongest {:.0} dBm, {} readings)",
                k.ap, k.strongest_dbm, k.readings
            );
        }
    }
    let truth_m = (d.true_matrix)(pc);
    {
        // The new APs' model against their truth where it matters (true signal ≥ −75 dBm).
        let (mut sum, mut sq, mut n) = (0.0, 0.0, 0usize);
        for (&m, &t) in st.matrix.data.iter().zip(&truth_m.data) {
            if m.is_finite() && t.is_finite() && t >= -75.0 {
                let e = (m as f64 + st.margin_db) - t as f64;
                sum += e;
                sq += e * e;
                n += 1;
            }
        }
        let mean = sum / n.max(1) as f64;
        println!(
            "  new-AP model − truth (no margin), cells ≥ −75: mean {:+.2} dB, sd {:.2} dB; exponent {:.2}",
            mean,
            (sq / n.max(1) as f64 - mean * mean).sqrt(),
            st.exponent
        );
    }
    let count =
        |base: &Top2, m: &SignalMatrix| search_on(demand, base, m, pc, d.opts.ap_cost_m2).len();
    println!(
        "  search on: planner's picture {}, true existing {}, true new APs {}, both true {}, true existing + new APs' mean {}",
        count(&st.base, &st.matrix),
        count(d.true_base, &st.matrix),
        count(&st.base, &truth_m),
        count(d.true_base, &truth_m),
        count(d.true_base, &(d.mean_matrix)(pc)),
    );
    let chosen: Vec<usize> = d
        .plan
        .new_aps()
        .filter_map(|a| pc.iter().position(|&p| p.distance(a.position) < 1e-6))
        .collect();
    let believed_after = Top2::with(&st.base, &st.matrix, &chosen);
    let (bb, tb) = (
        zone_shares(demand, &st.base),
        zone_shares(demand, d.true_base),
    );
    let (ba, ta) = (
        zone_shares(demand, &believed_after),
        zone_shares(demand, d.true_after),
    );
    let surveyed = |p: Point| {
        st.before_layers.as_ref().is_some_and(|l| {
            l.surveyed
                .geometry()
                .cell_at(p)
                .is_some_and(|(r, c)| l.surveyed.get(r, c) == Some(&true))
        })
    };
    println!(
        "  {:<16} {:>6} {:>6} {:>6} {:>6} {:>5} {:>7} {:>7} {:>7}",
        "zone", "bel.0", "true.0", "bel.1", "true.1", "surv", "err s", "err u", "model"
    );
    for (zi, z) in demand.zones.iter().enumerate() {
        let (mut es, mut ns, mut eu, mut nu) = (0.0, 0usize, 0.0, 0usize);
        for i in z.cells.clone() {
            let (b, t) = (st.base.best[i] as f64, d.true_base.best[i] as f64);
            if !(b.is_finite() && t.is_finite()) {
                continue;
            }
            if surveyed(demand.cells[i]) {
                es += b - t;
                ns += 1;
            } else {
                eu += b - t;
                nu += 1;
            }
        }
        let (mut em, mut nm) = (0.0, 0usize);
        for i in z.cells.clone() {
            let (b, t) = (
                model_only.base.best[i] as f64 + st.margin_db,
                d.true_base.best[i] as f64,
            );
            if b.is_finite() && t.is_finite() {
                em += b - t;
                nm += 1;
            }
        }
        let n = z.cells.len().max(1);
        let mean = |e: f64, k: usize| {
            if k == 0 {
                "-".to_string()
            } else {
                format!("{:+.1}", e / k as f64)
            }
        };
        println!(
            "  {:<16} {:>5.0}% {:>5.0}% {:>5.0}% {:>5.0}% {:>4.0}% {:>7} {:>7} {:>7}{}",
            z.name,
            100.0 * bb[zi],
            100.0 * tb[zi],
            100.0 * ba[zi],
            100.0 * ta[zi],
            100.0 * ns as f64 / n as f64,
            mean(es, ns),
            mean(eu, nu),
            mean(em, nm),
            if z.kind.is_clinical() && ta[zi] < 0.95 {
                "  <- fails"
            } else {
                ""
            }
        );
    }
    Ok(())
}
