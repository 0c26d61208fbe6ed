//! The predicted signal of every source (candidate or existing AP) at every demand cell.
//!
//! One row per source, one column per cell, f32 dBm; rows are computed in parallel (rayon), one
//! [`crate::walls::SourceView`] per source, so each value is `wisp_radio`'s prediction
//! `P − PL1m(f) − 10·n·log10(max(d, 1 m)) − walls` to rounding.

use crate::walls::WallSet;
use rayon::prelude::*;
use std::ops::Range;
use wisp_model::{GridGeometry, Point};
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
                        let open = base - spreading_db(exponent, s.position, *p);
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

    /// As [`SignalMatrix::build`], for cells that are centres of `grid` (any other cell is
    /// computed as `build` does): the walls are counted per source over the window of the grid
    /// the source can reach above `floor_dbm`, with [`WallSet::loss_window`]. Same values, to
    /// the order in which wall losses are summed.
    pub fn build_on_grid(
        sources: &[Source],
        grid: &GridGeometry,
        cells: &[Point],
        exponent: f64,
        walls: &WallSet,
        floor_dbm: f64,
    ) -> SignalMatrix {
        let cols = cells.len();
        let mut data = vec![f32::NEG_INFINITY; sources.len() * cols];
        let on_grid: Vec<Option<(usize, usize)>> = cells
            .iter()
            .map(|&p| grid.cell_at(p).filter(|&(r, c)| grid.centre(r, c) == p))
            .collect();
        if cols > 0 {
            data.par_chunks_mut(cols)
                .zip(sources.par_iter())
                .for_each_init(Vec::new, |loss, (row, s)| {
                    let base = s.power_dbm - free_space_1m(s.freq_mhz);
                    let reach = reach_m(base, exponent, floor_dbm);
                    let (rows_w, cols_w) = window(grid, s.position, reach);
                    walls.loss_window(s.position, grid, rows_w.clone(), cols_w.clone(), loss);
                    let width = cols_w.len();
                    let reach2 = reach * reach;
                    let mut view = None;
                    for ((v, p), rc) in row.iter_mut().zip(cells).zip(&on_grid) {
                        let (dx, dy) = (p.x - s.position.x, p.y - s.position.y);
                        // Beyond the reach the prediction is below the floor (slack included).
                        if dx * dx + dy * dy > reach2 {
                            continue;
                        }
                        let open = base - spreading_db(exponent, s.position, *p);
                        if open < floor_dbm {
                            continue;
                        }
                        let wall_db = match rc {
                            Some((r, c)) if rows_w.contains(r) && cols_w.contains(c) => {
                                loss[(r - rows_w.start) * width + (c - cols_w.start)]
                            }
                            _ => view
                                .get_or_insert_with(|| walls.view(s.position))
                                .loss_to(*p),
                        };
                        let x = open - wall_db;
                        if x.is_finite() {
                            *v = x as f32;
                        }
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

/// `10·n·log10(max(d, 1 m))`, the spreading loss beyond 1 m, computed from the squared
/// distance with an f32 logarithm: the matrix holds f32, so this loses nothing it keeps, and it
/// is the costliest step of a large matrix.
pub fn spreading_db(exponent: f64, from: Point, to: Point) -> f64 {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let d2 = (dx * dx + dy * dy).max(1.0);
    // log10(d) = ln(d²) / (2·ln 10).
    10.0 * exponent * ((d2 as f32).ln() as f64 / (2.0 * std::f64::consts::LN_10))
}

/// How far a source with `base` dBm at 1 m stays at or above `floor_dbm`, with slack against
/// rounding: 0 when it never does, ∞ for a floor of −∞ (or a NaN).
fn reach_m(base: f64, exponent: f64, floor_dbm: f64) -> f64 {
    if base < floor_dbm {
        return 0.0;
    }
    let r = 10f64.powf((base - floor_dbm) / (10.0 * exponent)).max(1.0) * (1.0 + 1e-4) + 1e-3;
    if r.is_nan() {
        f64::INFINITY
    } else {
        r
    }
}

/// The rows and columns of `grid` whose centres may lie within `reach` of `at` (with a cell of
/// slack either side); the whole grid for an infinite reach or a non-finite position.
fn window(grid: &GridGeometry, at: Point, reach: f64) -> (Range<usize>, Range<usize>) {
    let all = (0..grid.rows(), 0..grid.cols());
    if !(at.x.is_finite() && at.y.is_finite() && reach.is_finite()) {
        return all;
    }
    if reach <= 0.0 {
        return (0..0, 0..0);
    }
    let span = |lo: f64, hi: f64, n: usize| -> Range<usize> {
        // Fractional positions with centres at integer + ½.
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        let first = (lo - 1.5).floor().clamp(0.0, n as f64) as usize;
        let last = (hi + 1.5).ceil().clamp(0.0, n as f64) as usize;
        first..last.max(first)
    };
    let (r0, c0) = grid.fractional(Point::new(at.x - reach, at.y - reach));
    let (r1, c1) = grid.fractional(Point::new(at.x + reach, at.y + reach));
    (span(r0, r1, grid.rows()), span(c0, c1, grid.cols()))
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
        // On a grid: the same values, and cells off the grid are computed the slow way.
        let grid = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 10, 10).unwrap();
        let mut off = cells.clone();
        off.push(Point::new(3.3, 4.1));
        off.push(Point::new(12.5, 0.5));
        for floor in [f64::NEG_INFINITY, -60.0, -45.0] {
            let slow = SignalMatrix::build(&sources, &off, 3.1, &set, floor);
            let fast = SignalMatrix::build_on_grid(&sources, &grid, &off, 3.1, &set, floor);
            assert_eq!((fast.rows, fast.cols), (slow.rows, slow.cols));
            for (a, b) in fast.data.iter().zip(&slow.data) {
                assert!(a == b || (a - b).abs() < 1e-4, "{a} vs {b}");
            }
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
