//! The planner against the truth: on every layout of `benches/support/truth.rs` and several
//! seeds, the planner plans from the simulated survey (the survey's radio map, the calibrated
//! model), and its plan is scored on the true field; an oracle plans on the true field itself.
//!
//! `cargo run --release -p wisp-plan --example plan_truth [--share S]... [--method M] [SEEDS...]`
//! (default seeds 1 2 3, shares 0.5; several `--share` values compare design margins as shares
//! of the calibration's residual spread; `--method` the survey map's interpolation, `idw` by
//! default, `model` for regression kriging on the calibrated model, as a site with
//! `interpolation = "model"` or `auto` choosing it plans).
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
    let key = ((at.x * 100.0).round() as i64 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ ((at.y * 100.0).round() as i64 as u64).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    ShadowField::new(
        params.shadow_sigma_db,
        params.decorrelation_m,
        params.seed ^ key ^ 0x5EED,
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

/// The worst clinical zone's share of cells meeting primary and secondary under `t`.
fn worst_clinical(demand: &Demand, t: &Top2) -> f64 {
    demand
        .zones
        .iter()
        .filter(|z| z.kind.is_clinical())
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
        .fold(1.0, f64::min)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut seeds: Vec<u64> = Vec::new();
    let mut shares: Vec<f64> = Vec::new();
    let mut method = wisp_model::Method::Idw;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--share" {
            let v = args.next().ok_or("--share needs a value")?;
            shares.push(v.parse()?);
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
        "{:<18} {:>4} {:>5} {:>5} {:>7} {:>6} {:>9} {:>9} {:>8}",
        "layout", "seed", "share", "scans", "planner", "oracle", "worst cl.", "margin dB", "σ dB"
    );
    let eval = EvalOptions::default();
    for layout in layouts() {
        let floor = &layout.floor;
        for &seed in &seeds {
            let case = Case::new(&layout, seed);
            let opts = layer_options(&case, method);
            let inside = |r: usize, c: usize| case.inside.values()[(r, c)];
            let cal = calibrate(floor, &case.samples, &CalibrationOptions::default())?;
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
            let mut data = Vec::with_capacity(cand.len() * demand.len());
            for &p in &cand {
                let shadow = new_ap_shadow(&case.params, p);
                data.extend(true_row(
                    floor,
                    &case.params,
                    &new_ap(p),
                    &shadow,
                    &demand.cells,
                ));
            }
            let matrix = SignalMatrix {
                rows: cand.len(),
                cols: demand.len(),
                data,
            };
            let reach = Top2::with_all(&base, &matrix);
            let ap_cost = defaults.ap_cost_m2 / (CELL_M * CELL_M);
            let problem = Problem::new(&demand, &Targets::default(), &reach, ap_cost);
            let columns = Columns::new(&matrix, &problem);
            let search = Search {
                demand: &demand,
                problem: &problem,
                matrix: &matrix,
                base: &base,
                positions: &cand,
                min_distance_m: defaults.min_distance_m,
                max_new: cand.len(),
                columns: &columns,
            };
            let oracle = improve(&search, greedy(&search, &[]), &defaults.search).len();
            for &share in &shares {
                let plan_opts = PlanOptions {
                    margin_sigma_share: share,
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
                println!(
                    "{:<18} {:>4} {:>5.2} {:>5} {:>7} {:>6} {:>8.1}% {:>9.1} {:>8.2}",
                    layout.name,
                    seed,
                    share,
                    case.samples.len(),
                    plan.new_aps().count(),
                    oracle,
                    100.0 * worst_clinical(&demand, &after),
                    plan.margin_db,
                    cal.rmse_db,
                );
            }
        }
    }
    Ok(())
}
