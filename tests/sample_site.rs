//! The shipped sample site (samples/site.toml, drawn into floorplans/ward-block-l1.png) validates
//! and describes the floor its README promises.

use std::path::Path;
use wisp_model::{Point, ZoneKind};

mod common;
use common::sample_site as site;

#[test]
fn sample_site_is_a_plausible_hospital_floor() {
    let site = site();
    assert_eq!(site.floors.len(), 1);
    let f = &site.floors[0].floor;
    assert_eq!(f.id, "L1");
    assert_eq!(f.plan_size_px, (1520, 680));
    assert!((f.calibration.metres_per_pixel() - 0.05).abs() < 1e-12);

    // 72 m × 30 m of building
    let area = f.outline.area();
    assert!((area - 72.0 * 30.0).abs() < 1.0, "outline area {area} m²");
    let (lo, hi) = f.outline.bounds();
    assert!((hi.x - lo.x - 72.0).abs() < 0.01 && (hi.y - lo.y - 30.0).abs() < 0.01);

    assert!(f.zones.len() >= 20, "{} zones", f.zones.len());
    for kind in [
        ZoneKind::Bay,
        ZoneKind::SingleRoom,
        ZoneKind::NursesStation,
        ZoneKind::TreatmentRoom,
        ZoneKind::ConsultingRoom,
        ZoneKind::Imaging,
        ZoneKind::StairsLift,
        ZoneKind::Corridor,
    ] {
        assert!(
            f.zones.iter().any(|z| z.kind == kind),
            "no zone of kind {}",
            kind.name()
        );
    }
    for z in &f.zones {
        let c = z.polygon.centroid();
        assert!(
            f.outline.contains(c),
            "zone '{}' lies outside the outline",
            z.name
        );
    }

    let material = |i: usize| f.materials[i].name.as_str();
    assert!(f.walls.iter().any(|w| material(w.material) == "lead"));
    assert!(f.walls.iter().any(|w| material(w.material) == "lift-shaft"));
    assert!(f.walls.iter().any(|w| material(w.material) == "fire-door"));

    assert!(f.aps.len() >= 4, "{} APs", f.aps.len());
    for ap in &f.aps {
        assert!(f.outline.contains(ap.position), "{} is outside", ap.name);
        assert_eq!(ap.radios.len(), 2, "{} should be dual-band", ap.name);
        assert!(ap.base_bssid.is_some(), "{} has no BSSID", ap.name);
    }

    let walk = f.walk.as_ref().expect("the sample floor has a walk");
    assert!(walk.len() >= 2);
    for p in walk {
        assert!(
            f.outline.contains(*p),
            "walk vertex {p:?} is outside the outline"
        );
    }
    let length: f64 = walk.windows(2).map(|w| w[0].distance(w[1])).sum();
    assert!((200.0..1500.0).contains(&length), "walk is {length:.0} m");
    assert!(
        walk[0].distance(*walk.last().unwrap()) < 0.01,
        "the walk ends where it starts"
    );

    assert_eq!(site.floors[0].captures.len(), 1);
    assert!(site.floors[0].captures[0].path.ends_with("walk.csv"));
}

/// The surveyor walks through doorways, never through a wall (cross-corridor fire doors are
/// walls the radio model attenuates through, and people walk through them).
#[test]
fn sample_walk_passes_only_through_doorways() {
    let site = site();
    let f = &site.floors[0].floor;
    let walk = f.walk.as_ref().unwrap();
    for leg in walk.windows(2) {
        for w in &f.walls {
            if f.materials[w.material].name == "fire-door" {
                continue;
            }
            assert!(
                !crosses(leg[0], leg[1], w.segment.a, w.segment.b),
                "the walk from {:?} to {:?} crosses a {} wall",
                leg[0],
                leg[1],
                f.materials[w.material].name
            );
        }
    }
}

/// The APs file names the same access points as the manifest.
#[test]
fn aps_file_matches_the_manifest() {
    let site = site();
    let f = &site.floors[0].floor;
    let raw = wisp_ingest::manifest::load_aps(Path::new("samples/aps.toml")).unwrap();
    assert_eq!(raw.len(), f.aps.len());
    for (r, ap) in raw.iter().zip(&f.aps) {
        assert_eq!(r.floor.as_deref(), Some("L1"));
        let resolved = wisp_ingest::manifest::resolve_ap(r, &f.calibration).unwrap();
        assert_eq!(&resolved, ap);
    }
}

/// Whether segments a–b and c–d touch or cross.
fn crosses(a: Point, b: Point, c: Point, d: Point) -> bool {
    fn orient(p: Point, q: Point, r: Point) -> i8 {
        let v = (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x);
        if v.abs() < 1e-12 {
            0
        } else if v > 0.0 {
            1
        } else {
            -1
        }
    }
    fn on(p: Point, q: Point, r: Point) -> bool {
        r.x >= p.x.min(q.x) - 1e-9
            && r.x <= p.x.max(q.x) + 1e-9
            && r.y >= p.y.min(q.y) - 1e-9
            && r.y <= p.y.max(q.y) + 1e-9
    }
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    if o1 != o2 && o3 != o4 && o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0 {
        return true;
    }
    (o1 == 0 && on(a, b, c))
        || (o2 == 0 && on(a, b, d))
        || (o3 == 0 && on(c, d, a))
        || (o4 == 0 && on(c, d, b))
}
