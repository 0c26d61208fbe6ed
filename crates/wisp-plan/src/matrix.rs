//! The predicted signal of every source (candidate or existing AP) at every demand cell.
//!
//! One row per source, one column per cell, f32 dBm; rows are computed in parallel (rayon), one
//! [`crate::walls::SourceView`] per source, so each value is `wisp_radio`'s prediction
//! `P − PL1m(f) − 10·n·log10(max(d, 1 m)) − walls` to rounding.

use crate::walls::WallSet;
use rayon::prelude::*;
use wisp_model::Point;
use wisp_radio::path_loss::free_space_1m;

/// A transmitter on the design band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Source {
    pub position: Point,
    /// Effective transmit power (dBm), as calibration fits it.
    pub power_dbm: f64,
    pub freq_mhz: f64,
}

impl Source {
    /// The prediction at `p`, given the walls' loss on the way.
    pub fn at(&self, p: Point, exponent: f64, walls_db: f64) -> f64 {
        self.power_dbm
            - free_space_1m(self.freq_mhz)
            - 10.0 * exponent * self.position.distance(p).max(1.0).log10()
            - walls_db
    }
}

/// Signal of `rows` sources at `cols` cells, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalMatrix {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f32>,
}

impl SignalMatrix {
    /// Predicts every source at every cell. Where even the prediction without walls is below
    /// `floor_dbm` the walls are not counted and the entry is −∞: a planner whose thresholds
    /// all lie at or above `floor_dbm` loses nothing (pass `f64::NEG_INFINITY` to keep all).
    pub fn build(
        sources: &[Source],
        cells: &[Point],
        exponent: f64,
        walls: &WallSet,
        floor_dbm: f64,
    ) -> SignalMatrix {
        let cols = cells.len();
        let mut data = vec![f32::NEG_INFINITY; sources.len() * cols];
        if cols > 0 {
            data.par_chunks_mut(cols)
                .zip(sources.par_iter())
                .for_each(|(row, s)| {
                    let view = walls.view(s.position);
                    let base = s.power_dbm - free_space_1m(s.freq_mhz);
                    for (v, p) in row.iter_mut().zip(cells) {
                        let d = s.position.distance(*p).max(1.0);
                        let open = base - 10.0 * exponent * d.log10();
                        if open < floor_dbm {
                            *v = f32::NEG_INFINITY;
                            continue;
                        }
                        let x = open - view.loss_to(*p);
                        *v = if x.is_finite() {
                            x as f32
                        } else {
                            f32::NEG_INFINITY
                        };
                    }
                });
        }
        SignalMatrix {
            rows: sources.len(),
            cols,
            data,
        }
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::{
        AccessPoint, ApRadio, Band, Floor, Material, PlanCalibration, Polygon, Segment, Wall,
    };

    #[test]
    fn rows_equal_wisp_radio_predictions() {
        let materials = Material::defaults();
        let walls = vec![
            Wall {
                segment: Segment::new(Point::new(5.0, 0.0), Point::new(5.0, 10.0)),
                material: 6,
            },
            Wall {
                segment: Segment::new(Point::new(0.0, 4.0), Point::new(10.0, 4.0)),
                material: 0,
            },
        ];
        let floor = Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (200, 200),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(10., 10.)).unwrap(),
            materials: materials.clone(),
            walls,
            zones: vec![],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        };
        let set = WallSet::new(&floor.walls, &materials, Band::G5);
        let cells: Vec<Point> = (0..100)
            .map(|i| Point::new((i % 10) as f64 + 0.5, (i / 10) as f64 + 0.5))
            .collect();
        let sources = [
            Source {
                position: Point::new(2.0, 2.0),
                power_dbm: 17.0,
                freq_mhz: 5180.0,
            },
            Source {
                position: Point::new(8.0, 7.0),
                power_dbm: 12.0,
                freq_mhz: 5500.0,
            },
        ];
        let m = SignalMatrix::build(&sources, &cells, 3.1, &set, f64::NEG_INFINITY);
        // With a floor, entries below it are −∞ and the rest unchanged.
        let cut = SignalMatrix::build(&sources, &cells, 3.1, &set, -60.0);
        for (a, b) in m.data.iter().zip(&cut.data) {
            assert!(if *a >= -60.0 {
                a == b
            } else {
                *b == f32::NEG_INFINITY || b == a
            });
        }
        let model = wisp_radio::PathLoss {
            exponent: 3.1,
            extra_1m_db: 0.0,
        };
        for (i, s) in sources.iter().enumerate() {
            let ap = AccessPoint {
                name: "A".into(),
                position: s.position,
                radios: vec![],
                ssids: vec![],
                base_bssid: None,
            };
            let radio = ApRadio {
                band: Band::G5,
                channel: ((s.freq_mhz as u16) - 5000) / 5,
                tx_dbm: s.power_dbm,
            };
            for (j, p) in cells.iter().enumerate() {
                let want = wisp_radio::simulate::predict(&model, &floor, &ap, &radio, *p).unwrap();
                assert!((m.row(i)[j] as f64 - want).abs() < 1e-3, "{i} {p:?}");
            }
        }
    }
}
