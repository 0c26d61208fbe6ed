//! The planner benches' floor, shared by `benches/plan.rs` (criterion, wall time) and the
//! instruction-count guard (`crates/wisp-guard`), so both plan the same floor.
//!
//! Generated, not random: 100 m × 50 m, a 6 m corridor along the middle, forty 5 m × 22 m rooms
//! off it (plasterboard partitions, 1.5 m doorways, brick outside), four existing APs in the
//! corridor.

use wisp_model::{
    AccessPoint, ApRadio, Band, Floor, Material, PlanCalibration, Point, Polygon, Segment, Wall,
    Zone, ZoneKind,
};

pub fn floor() -> Floor {
    let materials = Material::defaults();
    let idx = |n: &str| materials.iter().position(|m| m.name == n).unwrap_or(0);
    let (plaster, brick) = (idx("plasterboard"), idx("brick"));
    let mut walls = vec![];
    let mut wall = |a: (f64, f64), b: (f64, f64), material| {
        walls.push(Wall {
            segment: Segment::new(Point::new(a.0, a.1), Point::new(b.0, b.1)),
            material,
        })
    };
    for (a, b) in [
        ((0., 0.), (100., 0.)),
        ((100., 0.), (100., 50.)),
        ((100., 50.), (0., 50.)),
        ((0., 50.), (0., 0.)),
    ] {
        wall(a, b, brick);
    }
    let rect = |a: (f64, f64), b: (f64, f64)| {
        Polygon::rectangle(Point::new(a.0, a.1), Point::new(b.0, b.1)).expect("rectangle")
    };
    let mut zones = vec![];
    for k in 0..20 {
        let x = 5.0 * k as f64;
        wall((x + 5.0, 0.0), (x + 5.0, 22.0), plaster);
        wall((x + 5.0, 28.0), (x + 5.0, 50.0), plaster);
        wall((x, 22.0), (x + 3.5, 22.0), plaster);
        wall((x, 28.0), (x + 3.5, 28.0), plaster);
        for (name, y0, y1, kind) in [
            ("N", 0.0, 22.0, ZoneKind::Bay),
            ("S", 28.0, 50.0, ZoneKind::Office),
        ] {
            zones.push(Zone {
                name: format!("{name}{k}"),
                kind,
                polygon: rect((x, y0), (x + 5.0, y1)),
                profile: kind.default_profile().into(),
                no_ap: false,
            });
        }
    }
    zones.push(Zone {
        name: "Corridor".into(),
        kind: ZoneKind::Corridor,
        polygon: rect((0.0, 22.0), (100.0, 28.0)),
        profile: "basic".into(),
        no_ap: false,
    });
    let aps = (0..4)
        .map(|i| AccessPoint {
            name: format!("AP{i}"),
            position: Point::new(12.5 + 25.0 * i as f64, 25.0),
            radios: vec![
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
            ssids: vec!["NHS-Clinical".into()],
            base_bssid: None,
        })
        .collect();
    Floor {
        id: "B".into(),
        name: "Bench".into(),
        calibration: PlanCalibration::new(0.05).expect("calibration"),
        plan_size_px: (2000, 1000),
        outline: rect((0.0, 0.0), (100.0, 50.0)),
        materials,
        walls,
        zones,
        aps,
        walk: None,
        survey_range_m: 5.0,
    }
}
