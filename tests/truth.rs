//! The truth harness's small case (benches/support/truth.rs): the ward block walked once, the
//! radio map scored against the true field on every 0.5 m cell (seed 1, and held-out seed 6),
//! and seed 1's weakly heard unlisted AP located.
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
fn the_ward_department_ap_heard_only_weakly_is_located_in_its_room() {
    // Seed 1's walk hears the unlisted department AP (AP-DEPT, in north room N7) at −53 dBm
    // at best, under the −50 dBm locate threshold: it is located as a weak AP, which is kept
    // because its uncertainty is small, and that uncertainty covers the truth.
    let layout = ward_block();
    let case = Case::new(&layout, 1);
    let truth_at = layout.aps.last().expect("the unlisted AP").position;
    let opts = wisp_plan::CalibrationOptions::default();
    let c = wisp_plan::calibrate(&layout.floor, &case.samples, &opts).expect("calibrates");
    assert!(c.skipped.is_empty(), "{:?}", c.skipped);
    let l = &c.located[0];
    assert!(
        l.strongest_dbm < opts.locate_min_dbm && l.strongest_dbm >= opts.weak_min_dbm,
        "{l:?}"
    );
    let off = l.position.distance(truth_at);
    assert!(
        off <= l.uncertainty_m && l.uncertainty_m <= opts.weak_max_uncertainty_m,
        "{l:?}: {off:.1} m off"
    );
    // In N7 (x 42–48, y 0–9), the truth's room.
    assert!(
        (42.0..48.0).contains(&l.position.x) && l.position.y < 9.0,
        "{l:?}"
    );
}
