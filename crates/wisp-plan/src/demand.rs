//! Demand: the cells of every zone, with the zone's thresholds and weight.
//!
//! A cell of the 0.5 m analysis grid (the grid `wisp check` judges, origin at the plan's
//! top-left) belongs to a zone when its centre lies inside the zone's polygon, as in
//! `wisp_coverage::evaluate`. Cells are stored zone by zone, so a zone's cells are one range; a
//! cell inside two overlapping zones appears once for each.

use crate::matrix::{SignalMatrix, Source};
use crate::walls::WallSet;
use std::ops::Range;
use wisp_model::{Floor, GridGeometry, Point, RequirementProfile, Zone, ZoneKind};

/// Cell size of the demand grid: 0.5 m, the analysis grid of `wisp check` (RSSI carries no
/// information finer than that; shared/reference.md §2).
pub const DEMAND_CELL_M: f64 = 0.5;

/// How much a zone's cells count when APs compete for them: clinical areas 3, waiting rooms,
/// offices and imaging 2, circulation, plant, stairs and outdoors 1 (*estimate*: the order
/// follows which profile each kind is held to, shared/reference.md §1).
pub fn priority(kind: ZoneKind) -> f64 {
    if kind.is_clinical() {
        3.0
    } else {
        match kind {
            ZoneKind::Waiting | ZoneKind::Office | ZoneKind::Imaging => 2.0,
            _ => 1.0,
        }
    }
}

/// One zone's demand.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneDemand {
    pub name: String,
    pub kind: ZoneKind,
    pub profile: String,
    /// The profile's thresholds (dBm), without any design margin.
    pub primary_dbm: f64,
    pub secondary_dbm: Option<f64>,
    pub weight: f64,
    /// Its cells in [`Demand::cells`].
    pub cells: Range<usize>,
}

/// Every zone's cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Demand {
    pub cells: Vec<Point>,
    pub zones: Vec<ZoneDemand>,
    /// The grid whose centres the cells are (`None`: arbitrary points), for
    /// [`crate::matrix::SignalMatrix::build_on_grid`].
    pub grid: Option<GridGeometry>,
}

impl Demand {
    /// The demand of `floor` on a `cell_m` grid over the plan. `profile` resolves a zone's
    /// requirement profile; zones without one are left out. Zones with no cell centre inside are
    /// left out too (nothing to judge).
    pub fn of_floor(
        floor: &Floor,
        cell_m: f64,
        profile: &dyn Fn(&Zone) -> Option<RequirementProfile>,
    ) -> Demand {
        let mut cells = Vec::new();
        let mut zones = Vec::new();
        let Ok(g) = GridGeometry::covering(Point::new(0.0, 0.0), floor.size_m(), cell_m) else {
            return Demand {
                cells,
                zones,
                grid: None,
            };
        };
        for z in &floor.zones {
            let Some(p) = profile(z) else { continue };
            let (min, max) = z.polygon.bounds();
            let c0 = ((min.x / g.dx()).floor().max(0.0) as usize).min(g.cols());
            let c1 = ((max.x / g.dx()).ceil().max(0.0) as usize).min(g.cols());
            let r0 = ((min.y / g.dy()).floor().max(0.0) as usize).min(g.rows());
            let r1 = ((max.y / g.dy()).ceil().max(0.0) as usize).min(g.rows());
            let start = cells.len();
            for r in r0..r1 {
                for c in c0..c1 {
                    let centre = g.centre(r, c);
                    if z.polygon.contains(centre) {
                        cells.push(centre);
                    }
                }
            }
            if cells.len() > start {
                zones.push(ZoneDemand {
                    name: z.name.clone(),
                    kind: z.kind,
                    profile: p.name.clone(),
                    primary_dbm: p.primary_dbm.0,
                    secondary_dbm: p.secondary_dbm.map(|d| d.0),
                    weight: priority(z.kind),
                    cells: start..cells.len(),
                });
            }
        }
        Demand {
            cells,
            zones,
            grid: Some(g),
        }
    }

    /// The signal of every source at every cell ([`SignalMatrix::build_on_grid`] when the
    /// cells are a grid's centres, else [`SignalMatrix::build`]).
    pub fn matrix(
        &self,
        sources: &[Source],
        exponent: f64,
        walls: &WallSet,
        floor_dbm: f64,
    ) -> SignalMatrix {
        match &self.grid {
            Some(g) => {
                SignalMatrix::build_on_grid(sources, g, &self.cells, exponent, walls, floor_dbm)
            }
            None => SignalMatrix::build(sources, &self.cells, exponent, walls, floor_dbm),
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::{Dbm, Material, PlanCalibration, Polygon};

    #[test]
    fn cells_by_hand() {
        let zone = |name: &str, kind, a: (f64, f64), b: (f64, f64)| Zone {
            name: name.into(),
            kind,
            polygon: Polygon::rectangle(Point::new(a.0, a.1), Point::new(b.0, b.1)).unwrap(),
            profile: "p".into(),
            no_ap: false,
        };
        let floor = Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (200, 100),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(10., 5.)).unwrap(),
            materials: Material::defaults(),
            walls: vec![],
            zones: vec![
                zone("Bay", ZoneKind::Bay, (1.0, 1.0), (3.0, 2.0)),
                zone("Corridor", ZoneKind::Corridor, (0.0, 4.0), (10.0, 5.0)),
                zone("Tiny", ZoneKind::Office, (5.1, 0.1), (5.2, 0.2)),
            ],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        };
        let prof = RequirementProfile {
            name: "p".into(),
            primary_dbm: Dbm(-65.0),
            secondary_dbm: Some(Dbm(-75.0)),
            tertiary_dbm: None,
            snr_db: None,
            cochannel_max: None,
            cochannel_dbm: Dbm(-85.0),
            source: "test".into(),
        };
        let d = Demand::of_floor(&floor, 0.5, &|_| Some(prof.clone()));
        // Bay 2 m × 1 m = 4 × 2 cells; corridor 10 m × 1 m = 20 × 2; the tiny zone holds no centre.
        assert_eq!(d.zones.len(), 2);
        assert_eq!(d.zones[0].cells, 0..8);
        assert_eq!(d.zones[1].cells, 8..48);
        assert_eq!(d.cells[0], Point::new(1.25, 1.25));
        assert_eq!((d.zones[0].weight, d.zones[1].weight), (3.0, 1.0));
        assert_eq!(d.zones[0].secondary_dbm, Some(-75.0));
        assert!(Demand::of_floor(&floor, 0.5, &|_| None).is_empty());
    }
}
