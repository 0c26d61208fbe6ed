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
