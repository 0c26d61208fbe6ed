//! A synthetic floor for the tests: a 200 × 100 px plan at 0.1 m per pixel (20 × 10 m) whose
//! outline stops 2 m short of the left and right edges and 1 m short of top and bottom.

#![allow(dead_code)]

pub mod messy;

use image::{Rgba, RgbaImage};
use wisp_model::{Floor, Grid, GridGeometry, PlanCalibration, Point, Polygon};

pub const PLAN_W: u32 = 200;
pub const PLAN_H: u32 = 100;
pub const METRES_PER_PIXEL: f64 = 0.1;

pub fn floor() -> Floor {
    Floor {
        id: "L1".into(),
        name: "Level 1".into(),
        calibration: PlanCalibration::new(METRES_PER_PIXEL).unwrap(),
        plan_size_px: (PLAN_W, PLAN_H),
        outline: Polygon::rectangle(Point::new(2.0, 1.0), Point::new(18.0, 9.0)).unwrap(),
        materials: vec![],
        walls: vec![],
        zones: vec![],
        aps: vec![],
        walk: None,
        survey_range_m: 5.0,
    }
}

/// A plan with colour that varies by position, and dark "walls" every 25 px, so a copied pixel
/// is told apart from a painted one.
pub fn plan() -> RgbaImage {
    RgbaImage::from_fn(PLAN_W, PLAN_H, |x, y| {
        if x % 25 == 0 || y % 25 == 0 {
            Rgba([40, 40, 60, 255])
        } else {
            Rgba([200 + (x % 50) as u8, 180 + (y % 70) as u8, 120, 255])
        }
    })
}

/// 1 m cells over the whole plan.
pub fn geometry() -> GridGeometry {
    GridGeometry::covering(Point::new(0.0, 0.0), Point::new(20.0, 10.0), 1.0).unwrap()
}

/// −40 dBm in the left half, −85 dBm in the right.
pub fn split_layer() -> Grid<f32> {
    let g = geometry();
    Grid::from_fn(g, |_, col| if col < g.cols() / 2 { -40.0 } else { -85.0 })
}

/// Plan pixel centre in metres.
pub fn centre_m(x: u32, y: u32) -> Point {
    Point::new(
        (x as f64 + 0.5) * METRES_PER_PIXEL,
        (y as f64 + 0.5) * METRES_PER_PIXEL,
    )
}
