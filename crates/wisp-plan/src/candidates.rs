//! Where a new access point may be mounted.
//!
//! Candidates lie on a square lattice (default 1 m) inside the floor outline, or are the user's
//! own list of positions. Zones where an AP must not hang are left out: imaging rooms (lead
//! lining, equipment), plant rooms, stairs and lifts, outdoors, any zone the manifest marks
//! `no_ap = true`, and any zone the caller names (`wisp plan --no-ap-zone`). Candidates nearer
//! than the minimum AP spacing to an existing AP are left out too.

use wisp_model::{Floor, Point, ZoneKind};

/// Options for listing candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct CandidateOptions {
    /// Lattice spacing in metres: 1 m, finer than an installer's tolerance for a ceiling mount
    /// and coarse enough to keep the search small (*estimate*).
    pub spacing_m: f64,
    /// Zone kinds where no AP goes: imaging (lead-lined, equipment), plant, stairs and lifts,
    /// outdoor.
    pub excluded_kinds: Vec<ZoneKind>,
    /// Further zones (by name) where no AP goes.
    pub excluded_zones: Vec<String>,
    /// Only these positions (plan metres), if given.
    pub allowed: Option<Vec<Point>>,
}

impl Default for CandidateOptions {
    fn default() -> Self {
        CandidateOptions {
            spacing_m: 1.0,
            excluded_kinds: vec![
                ZoneKind::Imaging,
                ZoneKind::Plant,
                ZoneKind::StairsLift,
                ZoneKind::Outdoor,
            ],
            excluded_zones: Vec::new(),
            allowed: None,
        }
    }
}

/// Candidate positions on `floor`, in row-major lattice order (or the order of `allowed`), at
/// least `min_distance_m` from every point of `existing`.
pub fn candidates(
    floor: &Floor,
    existing: &[Point],
    min_distance_m: f64,
    opts: &CandidateOptions,
) -> Vec<Point> {
    let excluded: Vec<&wisp_model::Polygon> = floor
        .zones
        .iter()
        .filter(|z| {
            z.no_ap
                || opts.excluded_kinds.contains(&z.kind)
                || opts.excluded_zones.contains(&z.name)
        })
        .map(|z| &z.polygon)
        .collect();
    let ok = |p: Point| {
        p.x.is_finite()
            && p.y.is_finite()
            && floor.outline.contains(p)
            && !excluded.iter().any(|z| z.contains(p))
            && existing.iter().all(|e| e.distance(p) >= min_distance_m)
    };
    if let Some(list) = &opts.allowed {
        return list.iter().copied().filter(|p| ok(*p)).collect();
    }
    let step = if opts.spacing_m.is_finite() && opts.spacing_m > 0.0 {
        opts.spacing_m
    } else {
        1.0
    };
    let (min, max) = floor.outline.bounds();
    let cols = (((max.x - min.x) / step).floor().max(0.0) as usize).min(1_000_000);
    let rows = (((max.y - min.y) / step).floor().max(0.0) as usize).min(1_000_000);
    let mut out = Vec::new();
    for r in 0..rows {
        for c in 0..cols {
            let p = Point::new(
                min.x + (c as f64 + 0.5) * step,
                min.y + (r as f64 + 0.5) * step,
            );
            if ok(p) {
                out.push(p);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::{Material, PlanCalibration, Polygon, Zone};

    fn floor() -> Floor {
        let zone = |name: &str, kind, a: (f64, f64), b: (f64, f64)| Zone {
            name: name.into(),
            kind,
            polygon: Polygon::rectangle(Point::new(a.0, a.1), Point::new(b.0, b.1)).unwrap(),
            profile: kind.default_profile().into(),
            no_ap: false,
        };
        Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (200, 100),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(10., 5.)).unwrap(),
            materials: Material::defaults(),
            walls: vec![],
            zones: vec![
                zone("Ward", ZoneKind::Ward, (0.0, 0.0), (6.0, 5.0)),
                zone("X-ray", ZoneKind::Imaging, (6.0, 0.0), (8.0, 5.0)),
                zone("Store", ZoneKind::Office, (8.0, 0.0), (10.0, 5.0)),
            ],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        }
    }

    #[test]
    fn lattice_skips_excluded_zones_and_existing_aps() {
        let f = floor();
        // 10 × 5 lattice points at the centres of 1 m squares; X-ray (x 6–8) holds 2 × 5.
        let all = candidates(&f, &[], 0.0, &CandidateOptions::default());
        assert_eq!(all.len(), 50 - 10);
        assert!(all.iter().all(|p| !(6.0..8.0).contains(&p.x)));
        let opts = CandidateOptions {
            excluded_zones: vec!["Store".into()],
            ..Default::default()
        };
        assert_eq!(candidates(&f, &[], 0.0, &opts).len(), 30);
        // The same zone marked in the manifest (`no_ap = true`) instead of named.
        let mut marked = floor();
        marked.zones[2].no_ap = true;
        let kept = candidates(&marked, &[], 0.0, &CandidateOptions::default());
        assert_eq!(kept.len(), 30);
        assert!(kept.iter().all(|p| p.x < 6.0));
        // An AP at (0.5, 0.5) with 2 m spacing removes the points nearer than 2 m: by hand,
        // (0.5, 0.5), (1.5, 0.5), (0.5, 1.5) and (1.5, 1.5); (2.5, 0.5) at exactly 2 m stays.
        let near = candidates(
            &f,
            &[Point::new(0.5, 0.5)],
            2.0,
            &CandidateOptions::default(),
        );
        assert_eq!(near.len(), 40 - 4);
    }

    #[test]
    fn a_user_list_is_filtered_not_extended() {
        let f = floor();
        let opts = CandidateOptions {
            allowed: Some(vec![
                Point::new(1.0, 1.0),
                Point::new(7.0, 1.0),  // X-ray
                Point::new(20.0, 1.0), // outside
                Point::new(f64::NAN, 1.0),
            ]),
            ..Default::default()
        };
        assert_eq!(candidates(&f, &[], 6.0, &opts), vec![Point::new(1.0, 1.0)]);
    }
}
