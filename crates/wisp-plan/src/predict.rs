//! The calibrated model's picture of a floor: predicted primary and secondary signal on a grid,
//! for any set of access points (the existing ones, or the existing ones plus a plan's).
//!
//! Nothing new is modelled here. Each AP becomes the same [`Source`] the planner scores (its
//! first radio on the band, with the calibration's fitted power, else the nominal power less the
//! calibration's average extra loss), every source is predicted at every cell centre by
//! [`SignalMatrix::build`] (so `wisp_radio`'s log-distance model with the floor's walls, through
//! [`WallSet`]), and the strongest and second-strongest source per cell come from [`Top2`]. The
//! maps therefore agree with the planner's before/after figures cell for cell.

use crate::aps::{nominal_freq, source, PlannedAp};
use crate::calibrate::Calibration;
use crate::matrix::{SignalMatrix, Source};
use crate::objective::Top2;
use crate::walls::WallSet;
use wisp_model::{Band, Floor, Grid, GridGeometry, Point};
use wisp_radio::PathLoss;

/// Predicted signal per cell, dBm; NaN outside the floor outline.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    /// Strongest AP at each cell; −∞ inside the floor where no AP has a radio on the band.
    pub primary: Grid<f32>,
    /// Second-strongest *other* AP (each AP counts once, as in the planner).
    pub secondary: Grid<f32>,
    /// The path-loss exponent used: the calibration's, else `PathLoss`'s default 2.5.
    pub exponent: f64,
}

/// Predicts `aps` on `band` at the centre of every cell of `geometry` inside the floor outline.
///
/// Pure: no I/O; the same inputs give the same grids whatever the number of threads (rows of the
/// matrix are independent and the top-two fold runs in AP order).
pub fn predict(
    floor: &Floor,
    calibration: Option<&Calibration>,
    aps: &[PlannedAp],
    band: Band,
    geometry: &GridGeometry,
) -> Prediction {
    let exponent = calibration.map_or(PathLoss::default().exponent, |c| c.exponent);
    let sources: Vec<Source> = aps
        .iter()
        .filter_map(|a| source(a, calibration, band, nominal_freq(band)))
        .collect();
    let mut inside: Vec<(usize, usize)> = Vec::new();
    let mut cells: Vec<Point> = Vec::new();
    for row in 0..geometry.rows() {
        for col in 0..geometry.cols() {
            let c = geometry.centre(row, col);
            if floor.outline.contains(c) {
                inside.push((row, col));
                cells.push(c);
            }
        }
    }
    // The calibration's fitted wall losses where it fitted any, as the planner uses them.
    let materials = calibration.map_or_else(
        || floor.materials.clone(),
        |c| c.materials(&floor.materials),
    );
    let walls = WallSet::new(&floor.walls, &materials, band);
    let m = SignalMatrix::build(&sources, &cells, exponent, &walls, f64::NEG_INFINITY);
    let mut top = Top2::empty(cells.len());
    for i in 0..m.rows {
        top.add(m.row(i));
    }
    let mut primary = Grid::filled(*geometry, f32::NAN);
    let mut secondary = Grid::filled(*geometry, f32::NAN);
    for (k, &(row, col)) in inside.iter().enumerate() {
        primary.values_mut()[[row, col]] = top.best[k];
        secondary.values_mut()[[row, col]] = top.second[k];
    }
    Prediction {
        primary,
        secondary,
        exponent,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::FittedRadio;
    use wisp_model::{ApRadio, Material, PlanCalibration, Polygon, Segment, Wall};

    /// 20 m × 2 m, a concrete wall across at x = 5 m, 1 m cells.
    fn corridor() -> (Floor, GridGeometry) {
        let materials = Material::defaults();
        let concrete = materials.iter().position(|m| m.name == "concrete").unwrap();
        let floor = Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (400, 40),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(20., 2.)).unwrap(),
            materials,
            walls: vec![Wall {
                segment: Segment::new(Point::new(5.0, -1.0), Point::new(5.0, 3.0)),
                material: concrete,
            }],
            zones: vec![],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        };
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 21, 2).unwrap();
        (floor, g)
    }

    fn ap(name: &str, x: f64, channel: u16, tx: f64, bssid: &str) -> PlannedAp {
        PlannedAp {
            name: name.into(),
            position: Point::new(x, 0.5),
            radios: vec![
                ApRadio {
                    band: Band::G2_4,
                    channel: 6,
                    tx_dbm: 30.0,
                },
                ApRadio {
                    band: Band::G5,
                    channel,
                    tx_dbm: tx,
                },
            ],
            ssids: vec![],
            base_bssid: bssid.parse().ok(),
            new: false,
            located: false,
        }
    }

    /// Free-space loss at 1 m written out, `20·log10(f) − 27.55` (shared/reference.md §2).
    fn fs(f: f64) -> f64 {
        20.0 * f.log10() - 27.55
    }

    #[test]
    fn matches_a_hand_computation_without_calibration() {
        let (floor, g) = corridor();
        // A (ch 36, 5180 MHz, 17 dBm) at x = 0.5; B (ch 149, 5745 MHz, 20 dBm) at x = 19.5.
        let aps = [
            ap("A", 0.5, 36, 17.0, "02:00:00:00:01:00"),
            ap("B", 19.5, 149, 20.0, "02:00:00:00:02:00"),
        ];
        let p = predict(&floor, None, &aps, Band::G5, &g);
        assert_eq!(p.exponent, 2.5);
        // Cell (row 0, col 10), centre (10.5, 0.5): A is 10 m away behind 15 dB of concrete,
        // B 9 m away in the open.
        let a = 17.0 - fs(5180.0) - 25.0 * 10f64.log10() - 15.0; // −69.74 dBm
        let b = 20.0 - fs(5745.0) - 25.0 * 9f64.log10(); // −51.49 dBm
        assert!((p.primary.get(0, 10).unwrap() - b as f32).abs() < 1e-3);
        assert!((p.secondary.get(0, 10).unwrap() - a as f32).abs() < 1e-3);
        // Beside A the distance is held at 1 m: only the free-space loss at 1 m.
        let near = 17.0 - fs(5180.0);
        assert!((p.primary.get(1, 0).unwrap() - near as f32).abs() < 1e-3);
        // Column 20 (centre x = 20.5) lies outside the 20 m outline.
        assert!(p.primary.get(0, 20).unwrap().is_nan());
        assert!(p.secondary.get(1, 20).unwrap().is_nan());
        // One AP alone: no secondary anywhere on the floor.
        let one = predict(&floor, None, &aps[..1], Band::G5, &g);
        assert_eq!(*one.secondary.get(0, 3).unwrap(), f32::NEG_INFINITY);
        // On 2.4 GHz each AP's 2.4 GHz radio serves (channel 6, 2437 MHz, 30 dBm), and the
        // concrete costs 12 dB.
        let g24 = predict(&floor, None, &aps, Band::G2_4, &g);
        let a24 = 30.0 - fs(2437.0) - 25.0 * 10f64.log10() - 12.0;
        let b24 = 30.0 - fs(2437.0) - 25.0 * 9f64.log10();
        assert!((g24.primary.get(0, 10).unwrap() - b24 as f32).abs() < 1e-3);
        assert!((g24.secondary.get(0, 10).unwrap() - a24 as f32).abs() < 1e-3);
    }

    #[test]
    fn uses_the_calibrated_powers_and_exponent() {
        let (floor, g) = corridor();
        let aps = [
            ap("A", 0.5, 36, 17.0, "02:00:00:00:01:00"),
            ap("B", 19.5, 149, 20.0, "02:00:00:00:02:00"),
        ];
        // A's 5 GHz radio fitted at 10 dBm where the manifest says 17: 7 dB of extra loss,
        // which B (not measured) is assumed to lose too.
        let cal = Calibration {
            exponent: 3.0,
            exponent_fitted: true,
            radios: vec![FittedRadio {
                ap: "02:00:00:00:01".into(),
                band: Band::G5,
                channel: 36,
                channels: vec![36],
                ap_name: Some("A".into()),
                manifest_tx_dbm: Some(17.0),
                power_dbm: 10.0,
                readings: 50,
                rmse_db: 3.0,
                bias_db: 0.0,
                implausible: None,
            }],
            located: vec![],
            skipped: vec![],
            readings: 50,
            rmse_db: 3.0,
            bias_db: 0.0,
            grouping: Default::default(),
            walls: None,
        };
        let p = predict(&floor, Some(&cal), &aps, Band::G5, &g);
        assert_eq!(p.exponent, 3.0);
        // Cell centre (4.5, 1.5): A at 4.03 m in the open; B at 15.03 m through the concrete.
        let da = (16.0f64 + 1.0).sqrt();
        let db = (15.0f64 * 15.0 + 1.0).sqrt();
        let a = 10.0 - fs(5180.0) - 30.0 * da.log10();
        let b = (20.0 - 7.0) - fs(5745.0) - 30.0 * db.log10() - 15.0;
        assert!((p.primary.get(1, 4).unwrap() - a as f32).abs() < 1e-3);
        assert!((p.secondary.get(1, 4).unwrap() - b as f32).abs() < 1e-3);
    }
}
