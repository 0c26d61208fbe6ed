//! One judge: a plan's before and after verdicts are `wisp_coverage`'s on the survey's layers
//! and on the predicted-after layers, and neighbours' radios are never re-channelled.
//!
//! A simulated floor (a corridor between two rows of rooms, one of our APs at the west end and
//! a neighbour's AP in a room, on our 5 GHz channel), walked along the corridor and into some
//! rooms; the survey's map, our radios told from the neighbour's by SSID, is planned.

use wisp_coverage::{evaluate_zone, profiles::builtin, EvalOptions};
use wisp_interp::{LayerOptions, RadioMap, SignalLayers};
use wisp_model::{
    AccessPoint, ApRadio, Band, Channel, Floor, GridGeometry, Material, PlanCalibration, Point,
    Polygon, RequirementProfile, Segment, Wall, Zone, ZoneKind,
};
use wisp_plan::{
    after_map, calibrate, plan_floor, CalibrationOptions, CandidateOptions, PlanInput, PlanOptions,
    SurveyMap,
};
use wisp_radio::{simulate_walk, PathLoss, SimulationParams};

const OURS: &str = "NHS-Clinical";

fn ap(
    name: &str,
    x: f64,
    y: f64,
    base: &str,
    ssid: &str,
    radios: [(Band, u16, f64); 2],
) -> AccessPoint {
    AccessPoint {
        name: name.into(),
        position: Point::new(x, y),
        radios: radios
            .iter()
            .map(|&(band, channel, tx_dbm)| ApRadio {
                band,
                channel,
                tx_dbm,
            })
            .collect(),
        ssids: vec![ssid.into()],
        base_bssid: Some(base.parse().unwrap()),
    }
}

/// 40 m × 14 m: a corridor (y 6–8) between two rows of five 8 m × 6 m bays, plasterboard
/// partitions with 1.5 m doorways, brick outside; our AP in the corridor's west end.
fn floor() -> Floor {
    let materials = Material::defaults();
    let idx = |n: &str| materials.iter().position(|m| m.name == n).unwrap();
    let (plaster, brick) = (idx("plasterboard"), idx("brick"));
    let mut walls = vec![];
    let mut wall = |a: (f64, f64), b: (f64, f64), material| {
        walls.push(Wall {
            segment: Segment::new(Point::new(a.0, a.1), Point::new(b.0, b.1)),
            material,
        })
    };
    for (a, b) in [
        ((0., 0.), (40., 0.)),
        ((40., 0.), (40., 14.)),
        ((40., 14.), (0., 14.)),
        ((0., 14.), (0., 0.)),
    ] {
        wall(a, b, brick);
    }
    let rect = |a: (f64, f64), b: (f64, f64)| {
        Polygon::rectangle(Point::new(a.0, a.1), Point::new(b.0, b.1)).unwrap()
    };
    let mut zones = vec![];
    for k in 0..5 {
        let x = 8.0 * k as f64;
        wall((x + 8.0, 0.0), (x + 8.0, 6.0), plaster);
        wall((x + 8.0, 8.0), (x + 8.0, 14.0), plaster);
        wall((x, 6.0), (x + 6.5, 6.0), plaster);
        wall((x, 8.0), (x + 6.5, 8.0), plaster);
        for (row, y0) in [("N", 0.0), ("S", 8.0)] {
            zones.push(Zone {
                name: format!("{row}{k}"),
                kind: ZoneKind::Bay,
                polygon: rect((x, y0), (x + 8.0, y0 + 6.0)),
                profile: "healthcare-voice".into(),
                no_ap: false,
            });
        }
    }
    zones.push(Zone {
        name: "Corridor".into(),
        kind: ZoneKind::Corridor,
        polygon: rect((0.0, 6.0), (40.0, 8.0)),
        profile: "basic".into(),
        no_ap: false,
    });
    Floor {
        id: "L1".into(),
        name: "L1".into(),
        calibration: PlanCalibration::new(0.05).unwrap(),
        plan_size_px: (800, 280),
        outline: rect((0., 0.), (40., 14.)),
        materials,
        walls,
        zones,
        aps: vec![ap(
            "OURS-1",
            4.0,
            7.0,
            "02:1a:11:00:01:00",
            OURS,
            [(Band::G2_4, 1, 14.0), (Band::G5, 36, 17.0)],
        )],
        walk: None,
        survey_range_m: 5.0,
    }
}

/// Along the corridor, into bays N0, S0, S1, N2, S3 and N4 through their doors, and back.
fn walk() -> Vec<Point> {
    let mut w = vec![Point::new(1.0, 7.0)];
    for (k, north) in [
        (0, true),
        (0, false),
        (1, false),
        (2, true),
        (3, false),
        (4, true),
    ] {
        let door = 8.0 * k as f64 + 7.25;
        let y = if north { 3.0 } else { 11.0 };
        w.push(Point::new(door, 7.0));
        w.push(Point::new(door, y));
        w.push(Point::new(8.0 * k as f64 + 3.0, y));
        w.push(Point::new(door, y));
        w.push(Point::new(door, 7.0));
    }
    w.push(Point::new(39.0, 7.0));
    w.push(Point::new(1.0, 7.0));
    w
}

fn profile(z: &Zone) -> Option<RequirementProfile> {
    builtin().into_iter().find(|p| p.name == z.profile)
}

#[test]
fn the_plans_verdicts_are_wisp_coverages_and_neighbours_keep_their_channels() {
    let f = floor();
    let neighbour = ap(
        "SHOP",
        20.0,
        3.0,
        "02:2b:22:00:01:00",
        "Shop-WiFi",
        [(Band::G2_4, 6, 14.0), (Band::G5, 36, 20.0)],
    );
    let transmitting = vec![f.aps[0].clone(), neighbour];
    let params = SimulationParams {
        seed: 7,
        ..Default::default()
    };
    let samples = simulate_walk(&f, &transmitting, &walk(), &params);
    let g = GridGeometry::covering(Point::new(0.0, 0.0), f.size_m(), 0.5).unwrap();
    let inside = |r: usize, c: usize| f.outline.contains(g.centre(r, c));
    let layer_opts = LayerOptions::default();
    let map = RadioMap::build(&samples, &g, &inside, &layer_opts, None).unwrap();
    let ours: Vec<bool> = map
        .radios
        .iter()
        .map(|r| r.ssids.iter().any(|s| s == OURS))
        .collect();
    assert!(ours.iter().any(|o| *o) && ours.iter().any(|o| !*o));
    let cal = calibrate(&f, &samples, &CalibrationOptions::default()).unwrap();
    let eval = EvalOptions::default();
    let survey = SurveyMap {
        map: &map,
        ours: &ours,
        layers: &layer_opts,
        eval: &eval,
    };
    let opts = PlanOptions {
        candidates: CandidateOptions {
            spacing_m: 2.0,
            ..Default::default()
        },
        ..Default::default()
    };
    let input = PlanInput {
        floor: &f,
        calibration: Some(&cal),
        survey: Some(survey),
        profile: &profile,
    };
    let plan = plan_floor(&input, &opts).unwrap();
    assert!(plan.survey_anchored);
    assert!(plan.new_aps().count() >= 1, "the east bays need APs");
    // The margin is the chosen share of the calibration's residual spread.
    assert_eq!(plan.margin_db, opts.margin_sigma_share * cal.rmse_db);

    // Before: wisp_coverage on the survey's layers (ours for coverage, everyone's interference).
    let before = SignalLayers::from_map(&map, &ours, &layer_opts);
    // After: the same judgement on the predicted-after layers.
    let new: Vec<_> = plan.new_aps().cloned().collect();
    let (after, after_ours) = after_map(&f, Some(&cal), &survey, &plan.channel_changes, &new);
    let after_layers = SignalLayers::from_map(&after, &after_ours, &layer_opts);
    let mut judged = 0;
    for z in &plan.zones {
        let zone = f.zones.iter().find(|x| x.name == z.zone).unwrap();
        let p = profile(zone).unwrap();
        let b = evaluate_zone(&f, zone, &p, &before, &eval);
        let a = evaluate_zone(&f, zone, &p, &after_layers, &eval);
        // Debug forms compare NaN (no second AP heard) as equal.
        assert_eq!(format!("{:?}", z.verdict_before), format!("{:?}", Some(&b)));
        assert_eq!(format!("{:?}", z.verdict_after), format!("{:?}", Some(&a)));
        // A zone the plan leaves failing says which criterion and why.
        if a.verdict == wisp_coverage::Verdict::Fail {
            assert!(
                !z.limits.is_empty(),
                "{} fails with no reason given",
                z.zone
            );
        }
        judged += 1;
    }
    assert_eq!(judged, f.zones.len());
    // Some zone failed before and passes after: the plan's APs count in the verdict.
    assert!(plan.zones.iter().any(|z| {
        z.verdict_before.as_ref().unwrap().verdict == wisp_coverage::Verdict::Fail
            && z.verdict_after.as_ref().unwrap().verdict == wisp_coverage::Verdict::Pass
    }));

    // The new APs' radios in the after map are the calibrated model, computed here directly.
    let model = PathLoss {
        exponent: cal.exponent,
        extra_1m_db: 0.0,
    };
    let mut k = map.radios.len();
    for a in &new {
        for r in &a.radios {
            let freq = Channel::new(r.band, r.channel).unwrap().freq_mhz as f64;
            for (row, col) in [(3, 5), (14, 40), (20, 70), (27, 79)] {
                let p = g.centre(row, col);
                let want = r.tx_dbm
                    - cal.extra_loss_db()
                    - model.loss(freq, r.band, a.position, p, &f.walls, &f.materials);
                let got = *after.grids[k].get(row, col).unwrap() as f64;
                assert!(
                    (got - want).abs() < 1e-3,
                    "{} {:?}: {got} vs {want}",
                    a.name,
                    r.band
                );
            }
            k += 1;
        }
    }
    assert_eq!(k, after.radios.len());

    // Neighbours: never re-channelled, never in the plan's APs; their radios in the after map
    // keep their channels. Our radio on the neighbour's 5 GHz channel may move, and is listed.
    for (info, o) in map.radios.iter().zip(&ours) {
        if !o {
            assert!(plan.channel_changes.iter().all(|c| c.ap != info.key.ap));
        }
    }
    for (i, info) in map.radios.iter().enumerate() {
        if !ours[i] {
            assert_eq!(after.radios[i].key, info.key);
        }
    }
    assert!(plan
        .aps
        .iter()
        .all(|a| a.name != "SHOP" && !a.ssids.iter().any(|s| s == "Shop-WiFi")));
    // Our 5 GHz radio shared the neighbour's channel 36 where it serves: it moves, listed.
    assert!(plan
        .channel_changes
        .iter()
        .any(|c| c.name.as_deref() == Some("OURS-1") && c.band == Band::G5 && c.from == 36));
    for c in &plan.channel_changes {
        assert_ne!(c.from, c.to);
        let i = map
            .radios
            .iter()
            .position(|r| r.key.ap == c.ap && r.key.band == c.band && r.key.channel == c.from)
            .expect("a change names a surveyed radio of ours");
        assert!(ours[i]);
        assert_eq!(after.radios[i].key.channel, c.to);
    }
}
