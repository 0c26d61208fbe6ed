//! The truth harness's small case (benches/support/truth.rs): the ward block walked once, the
//! radio map scored against the true field on every 0.5 m cell (seed 1, and held-out seed 6).
//! The full table, every layout and seed: `cargo run --release --example truth`.

#[path = "../benches/support/truth.rs"]
mod truth;

use truth::{
    below_threshold, field_rmse, map_primary, missed_regions, score_dead, ward_block, Case,
};

#[test]
fn the_model_map_finds_the_dead_rooms_behind_doors() {
    let case = Case::new(&ward_block(), 1);
    let (model, sd) = map_primary(&case, wisp_model::Method::Model);
    let (idw, _) = map_primary(&case, wisp_model::Method::Idw);
    let m = score_dead(&case, &below_threshold(&case, &model));
    let i = score_dead(&case, &below_threshold(&case, &idw));
    // The floor has dead rooms to find, and a map that called everything dead would not score.
    assert!(
        m.regions >= 3 && (0.1..0.6).contains(&m.true_dead_share),
        "{m:?}"
    );
    // Issue 14's targets on this case, and better than the walls-aware IDW it replaces.
    assert!(m.iou >= 0.70, "model IoU {m:?} (idw {i:?})");
    assert!(m.found_share() >= 0.85, "model found {m:?}");
    assert!(m.iou > i.iou, "model {m:?} vs idw {i:?}");
    assert!(field_rmse(&case, &model) < field_rmse(&case, &idw));
    // The missed regions the example lists are the ones the score counts as not found, and
    // the truth itself misses none.
    let missed = missed_regions(&case, &model, sd.as_ref());
    assert_eq!(missed.len(), m.regions - m.found, "{missed:?}");
    assert!(missed
        .iter()
        .all(|x| x.called_share < 0.5 && x.area_m2 >= 4.0));
    assert!(missed_regions(&case, &case.truth, None).is_empty());
    // The deviation is small where the walk went and grows away from it.
    let sd = sd.expect("regression kriging gives a deviation");
    let at = |p: wisp_model::Point| {
        let (r, c) = case.geometry.cell_at(p).unwrap();
        sd.values()[(r, c)]
    };
    let walked = at(wisp_model::Point::new(20.0, 11.0));
    // North room N3 (x 18–24) is seen only from its door.
    let unwalked = at(wisp_model::Point::new(21.0, 1.5));
    assert!(
        walked < unwalked,
        "σ {walked} in the corridor, {unwalked} in an unwalked room"
    );
}

#[test]
fn the_model_map_meets_the_targets_on_the_held_out_ward_seed_6() {
    // Seed 6 was held out while the pooled residual semivariogram was chosen (seeds 1-3 were
    // looked at); it met both targets only after that change (IoU 0.72 -> 0.74, regions found
    // 5/6 -> 6/6), so it is held here to them.
    let case = Case::new(&ward_block(), 6);
    let (model, _) = map_primary(&case, wisp_model::Method::Model);
    let (idw, _) = map_primary(&case, wisp_model::Method::Idw);
    let m = score_dead(&case, &below_threshold(&case, &model));
    let i = score_dead(&case, &below_threshold(&case, &idw));
    assert!(m.regions >= 3, "{m:?}");
    assert!(m.iou >= 0.70, "model IoU {m:?} (idw {i:?})");
    assert!(m.found_share() >= 0.85, "model found {m:?}");
    assert!(m.iou > i.iou, "model {m:?} vs idw {i:?}");
}

#[test]
fn the_oracle_kriging_honours_noiseless_readings_and_matches_a_direct_solve() {
    use truth::{shadow_covariance, Mean, TrueKriging};
    use wisp_model::Point;
    let params = wisp_radio::SimulationParams::default();
    let points = [
        Point::new(1.0, 1.0),
        Point::new(4.0, 2.0),
        Point::new(2.0, 6.0),
        Point::new(9.0, 3.5),
    ];
    let values = [3.0, -4.0, 6.5, 1.0];
    // No nugget: the estimate at each reading is the reading, with no uncertainty left.
    for kind in [Mean::Known, Mean::Unknown] {
        let k = TrueKriging::new(&points, &values, &params, 0.0, kind).unwrap();
        for (p, v) in points.iter().zip(values) {
            let (e, sd) = k.at(*p);
            assert!((e - v).abs() < 1e-6, "{kind:?} at {p:?}: {e} vs {v}");
            assert!(sd < 1e-3, "{kind:?} at {p:?}: sd {sd}");
        }
    }
    // One reading, nugget ν: weight C(d)/(σ² + ν), variance σ² − C(d)²/(σ² + ν), by hand:
    // σ² = 25, D = 6 m, d = 3 m → C = 25·e^(−1/4) = 19.470; ν = 4 + 1/12.
    let nu = truth::reading_nugget(&params);
    assert!((nu - (4.0 + 1.0 / 12.0)).abs() < 1e-12);
    let one = TrueKriging::new(&points[..1], &[8.0], &params, nu, Mean::Known).unwrap();
    let c = 25.0 * (-0.25f64).exp();
    assert!((shadow_covariance(&params, 3.0) - c).abs() < 1e-12);
    let (e, sd) = one.at(Point::new(4.0, 1.0));
    assert!((e - 8.0 * c / (25.0 + nu)).abs() < 1e-9, "{e}");
    assert!(
        (sd * sd - (25.0 - c * c / (25.0 + nu))).abs() < 1e-9,
        "{sd}"
    );
    // Far from every reading: the prior (mean 0, σ 5 dB).
    let (e, sd) = one.at(Point::new(500.0, 500.0));
    assert!(e.abs() < 1e-9 && (sd - 5.0).abs() < 1e-9, "{e} ± {sd}");
    // With a nugget, against the kriging system solved directly (wisp_plan's elimination):
    // K·w = k, estimate wᵀr, variance σ² − wᵀk.
    let k = TrueKriging::new(&points, &values, &params, nu, Mean::Known).unwrap();
    let n = points.len();
    let mut matrix = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            matrix[i * n + j] = shadow_covariance(&params, points[i].distance(points[j]))
                + if i == j { nu } else { 0.0 };
        }
    }
    for q in [
        Point::new(3.0, 3.0),
        Point::new(7.5, 0.5),
        Point::new(2.0, 6.0),
    ] {
        let rhs: Vec<f64> = points
            .iter()
            .map(|p| shadow_covariance(&params, q.distance(*p)))
            .collect();
        let w = wisp_plan::linalg::solve(&matrix, &rhs).unwrap();
        let direct: f64 = w.iter().zip(values).map(|(w, v)| w * v).sum();
        let var = 25.0 - w.iter().zip(&rhs).map(|(w, c)| w * c).sum::<f64>();
        let (e, sd) = k.at(q);
        assert!((e - direct).abs() < 1e-9, "{e} vs {direct}");
        assert!((sd * sd - var).abs() < 1e-9, "{sd} vs {var}");
    }
}

#[test]
fn the_oracle_map_is_a_ceiling_for_model_on_ward_seed_1() {
    let case = Case::new(&ward_block(), 1);
    let (model, _) = map_primary(&case, wisp_model::Method::Model);
    let oracle = truth::oracle_map(&case);
    let primary = oracle.primary();
    let (o, m) = (field_rmse(&case, &primary), field_rmse(&case, &model));
    assert!(o <= m, "oracle {o} dB, model {m} dB");
    // The oracle is right about itself: its error over the floor is about the deviation it
    // claims (RMS of the serving radio's), which a wrong covariance or mean would break.
    let sd = oracle.serving_sd();
    let cells: Vec<f64> = case
        .inside
        .indexed_iter()
        .filter(|(_, &i)| i)
        .map(|(rc, _)| sd.values()[rc] as f64)
        .collect();
    let claimed = (cells.iter().map(|s| s * s).sum::<f64>() / cells.len() as f64).sqrt();
    assert!(
        (o / claimed - 1.0).abs() < 0.25,
        "RMSE {o} dB, claimed {claimed} dB"
    );
    // Its dead cells by probability are a subset of those under the threshold by estimate
    // (all radios must fail), and the scores see real dead area.
    let by_p = truth::likely_dead(&case, &oracle.fail_probability());
    let by_estimate = below_threshold(&case, &primary);
    assert!(by_p
        .indexed_iter()
        .all(|(rc, &d)| !d || by_estimate.values()[rc]));
    let s = score_dead(&case, &by_p);
    assert!(s.regions >= 3 && s.iou > 0.0, "{s:?}");
}
