//! Inverse-distance weighting over the k nearest samples (Shepard's method, local form).
//!
//! `v(p) = Σ wᵢ vᵢ / Σ wᵢ` with `wᵢ = 1 / dᵢ^power` over the k samples nearest `p`. A cell centre
//! that coincides with samples takes their mean, so the surface passes through the data. It is
//! the estimator of `gdal_grid -a invdistnn:power=2:nmax=12` with an unlimited radius.

use crate::neighbours::{split_bands, Neighbour, NeighbourIndex};
use crate::{InterpError, InterpErrorKind, ScatteredPoint};
use wisp_model::{Grid, GridGeometry};

/// IDW parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Idw {
    /// Neighbours per estimate. 12 is `gdal_grid`'s customary `nmax` and the benchmark's k.
    pub k: usize,
    /// Distance exponent; 2 is Shepard's original choice.
    pub power: f64,
}

impl Default for Idw {
    fn default() -> Self {
        Idw { k: 12, power: 2.0 }
    }
}

/// Wasted work for the `guard-slowdown` feature only (see Cargo.toml): adds zero to `den` in a way
/// the optimiser cannot drop. Two rounds: +17.8 % instructions on the guard's
/// `idw_grid_10k_1000x1000`, +13.4 % on `idw_grid_2k_200x200` (measured in session 9, README;
/// four rounds, once +8.6 % / +4.2 %, came to +25 % on the small bench as the kernel shrank).
#[cfg(feature = "guard-slowdown")]
#[inline(never)]
fn guard_slowdown(neighbours: &[Neighbour], den: &mut f64) {
    for _ in 0..GUARD_SLOWDOWN_ROUNDS {
        for n in neighbours {
            *den += std::hint::black_box(0.0) * n.dist2.sqrt();
        }
    }
}

#[cfg(feature = "guard-slowdown")]
const GUARD_SLOWDOWN_ROUNDS: usize = 2;

/// `(Σ wᵢ vᵢ, Σ wᵢ)` in two interleaved lanes added at the end: the lanes' divisions and sums
/// do not wait on each other, where one
/// running sum would make every addition wait for the last. The order is fixed, so the result
/// depends only on the neighbours' order.
#[inline]
fn weighted_sums(
    neighbours: &[Neighbour],
    values: &[f32],
    weight: impl Fn(f64) -> f64,
) -> (f64, f64) {
    let (mut num, mut den) = ([0.0f64; 2], [0.0f64; 2]);
    let mut pairs = neighbours.chunks_exact(2);
    for pair in &mut pairs {
        for lane in 0..2 {
            let w = weight(pair[lane].dist2);
            num[lane] += w * values[pair[lane].index as usize] as f64;
            den[lane] += w;
        }
    }
    for n in pairs.remainder() {
        let w = weight(n.dist2);
        num[0] += w * values[n.index as usize] as f64;
        den[0] += w;
    }
    (num[0] + num[1], den[0] + den[1])
}

/// [`weighted_sums`] with weights `1 / d²`, each pair's two divisions in one SSE2 instruction
/// (x86-64's baseline; the compiler left them as two scalar divisions, 12 of a cell's
/// slowest instructions). The same lanes and order as [`weighted_sums`], and IEEE division
/// is correctly rounded either way, so the sums are bit for bit the same.
#[cfg(target_arch = "x86_64")]
#[inline]
fn inverse_square_sums(neighbours: &[Neighbour], values: &[f32]) -> (f64, f64) {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86-64's baseline, so every x86-64 CPU has these instructions.
    unsafe {
        let (mut num, mut den) = (_mm_setzero_pd(), _mm_setzero_pd());
        let mut pairs = neighbours.chunks_exact(2);
        for pair in &mut pairs {
            let d2 = _mm_set_pd(pair[1].dist2, pair[0].dist2);
            let v = _mm_set_pd(
                values[pair[1].index as usize] as f64,
                values[pair[0].index as usize] as f64,
            );
            let w = _mm_div_pd(_mm_set1_pd(1.0), d2);
            num = _mm_add_pd(num, _mm_mul_pd(w, v));
            den = _mm_add_pd(den, w);
        }
        let lanes = |s: __m128d| [_mm_cvtsd_f64(s), _mm_cvtsd_f64(_mm_unpackhi_pd(s, s))];
        let (mut num, den) = (lanes(num), lanes(den));
        let mut den0 = den[0];
        for n in pairs.remainder() {
            let w = 1.0 / n.dist2;
            num[0] += w * values[n.index as usize] as f64;
            den0 += w;
        }
        (num[0] + num[1], den0 + den[1])
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline]
fn inverse_square_sums(neighbours: &[Neighbour], values: &[f32]) -> (f64, f64) {
    weighted_sums(neighbours, values, |d2| 1.0 / d2)
}

impl Idw {
    /// The weight of a neighbour at squared distance `dist2` (> 0): `1 / d^power`.
    #[inline]
    pub fn weight(&self, dist2: f64) -> f64 {
        let half_power = self.power / 2.0;
        if half_power == 1.0 {
            1.0 / dist2
        } else {
            dist2.powf(-half_power)
        }
    }

    /// The estimate from a cell's neighbours (in any order) and the sample values.
    #[inline]
    pub fn estimate(&self, neighbours: &[Neighbour], values: &[f32]) -> f32 {
        if self.power == 2.0 {
            let (num, den) = inverse_square_sums(neighbours, values);
            // A sample at distance 0 makes its weight, so `den`, infinite: a finite `den`
            // means none is, and the cell takes the weighted mean, as below.
            if den.is_finite() {
                #[cfg(feature = "guard-slowdown")]
                let den = {
                    let mut den = den;
                    guard_slowdown(neighbours, &mut den);
                    den
                };
                return (num / den) as f32;
            }
        }
        if neighbours.iter().any(|n| n.dist2 == 0.0) {
            let (sum, count) = neighbours
                .iter()
                .filter(|n| n.dist2 == 0.0)
                .fold((0.0f64, 0usize), |(s, c), n| {
                    (s + values[n.index as usize] as f64, c + 1)
                });
            return (sum / count as f64) as f32;
        }
        let (num, den) = if self.power == 2.0 {
            inverse_square_sums(neighbours, values)
        } else {
            weighted_sums(neighbours, values, |d2| self.weight(d2))
        };
        #[cfg(feature = "guard-slowdown")]
        let den = {
            let mut den = den;
            guard_slowdown(neighbours, &mut den);
            den
        };
        (num / den) as f32
    }

    /// Interpolates one field onto every cell of `geometry`.
    pub fn grid(
        &self,
        points: &[ScatteredPoint],
        values: &[f32],
        geometry: &GridGeometry,
    ) -> Result<Grid<f32>, InterpError> {
        let index = NeighbourIndex::new(points)?;
        let mut out = self.grid_many(&index, &[values], geometry, &|_, _| true)?;
        Ok(out.remove(0))
    }

    /// Interpolates several fields over the same samples at once: the neighbour search, which is
    /// most of the cost, runs once per cell for all of them. Cells where `include` is false are NaN.
    pub fn grid_many(
        &self,
        index: &NeighbourIndex,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Grid<f32>>, InterpError> {
        self.grid_many_banded(index, fields, geometry, include, &|_, _| {})
    }

    /// [`Self::grid_many`], calling `band_done(first row, rows)` as each band of rows is
    /// finished (`rows`: each field's cells of those rows, row-major), from the thread that
    /// computed it, bands in any order; see [`BandDone`].
    pub fn grid_many_banded(
        &self,
        index: &NeighbourIndex,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
        band_done: &BandDone<'_>,
    ) -> Result<Vec<Grid<f32>>, InterpError> {
        if self.k == 0 {
            return Err(InterpErrorKind::ZeroK.into());
        }
        if fields.iter().any(|f| f.len() != index.len()) {
            return Err(InterpErrorKind::FieldLength {
                fields: fields.len(),
                samples: index.len(),
            }
            .into());
        }
        let cols = geometry.cols();
        // Each band writes its rows of every field's grid in place, so nothing is copied
        // after. The grids start as zeroed memory the system has not yet handed over, and each
        // band fills its rows with NaN (the cells `include` leaves out) on its own thread: the
        // pages are first touched in parallel, not on this thread beforehand.
        let mut out: Vec<Vec<f32>> = fields.iter().map(|_| vec![0.0; geometry.len()]).collect();
        let mut seeds: Vec<Vec<&mut [f32]>> = (0..NeighbourIndex::bands(geometry))
            .map(|_| Vec::with_capacity(fields.len()))
            .collect();
        for grid in &mut out {
            for (seed, rows) in seeds.iter_mut().zip(split_bands(geometry, grid)) {
                seed.push(rows);
            }
        }
        // The weighted mean does not need the neighbours sorted (the order only moves the
        // sum's last bits, and it is fixed by the inputs).
        index.for_each_cell_any_order_seeded(
            geometry,
            self.k,
            include,
            &|r, c, n, band: &mut (usize, Vec<&mut [f32]>)| {
                let at = (r - band.0) * cols + c;
                for (rows, values) in band.1.iter_mut().zip(fields) {
                    rows[at] = self.estimate(n, values);
                }
            },
            (
                seeds,
                &|r0, _, mut rows: Vec<&mut [f32]>| {
                    for r in &mut rows {
                        r.fill(f32::NAN);
                    }
                    (r0, rows)
                },
                &|band: &mut (usize, Vec<&mut [f32]>)| {
                    let rows: Vec<&[f32]> = band.1.iter().map(|r| &**r).collect();
                    band_done(band.0, &rows);
                },
            ),
        );
        Ok(out
            .into_iter()
            .map(|v| Grid::from_vec(*geometry, v))
            .collect())
    }

    /// Estimates at arbitrary query points (brute-force neighbour search per point is avoided:
    /// each query uses the k-d tree).
    pub fn at(
        &self,
        index: &NeighbourIndex,
        values: &[f32],
        queries: &[ScatteredPoint],
    ) -> Vec<f32> {
        use rayon::prelude::*;
        queries
            .par_iter()
            .map(|q| self.estimate(&index.nearest(q.x, q.y, self.k), values))
            .collect()
    }
}

/// Called with a band's first row and, per field, that band's cells (whole rows, row-major,
/// the grid's values exactly), once per band, from the thread that computed it and in no fixed
/// order; together the bands cover every row once.
pub type BandDone<'a> = dyn Fn(usize, &[&[f32]]) + Sync + 'a;

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Straight from the formula, with an O(n) scan per cell.
    fn brute(
        points: &[ScatteredPoint],
        values: &[f32],
        x: f64,
        y: f64,
        k: usize,
        power: f64,
    ) -> f64 {
        let mut d: Vec<(f64, usize)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| ((p.x - x).hypot(p.y - y), i))
            .collect();
        d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        d.truncate(k);
        if d[0].0 == 0.0 {
            let z: Vec<f64> = d
                .iter()
                .filter(|e| e.0 == 0.0)
                .map(|e| values[e.1] as f64)
                .collect();
            return z.iter().sum::<f64>() / z.len() as f64;
        }
        let w: Vec<f64> = d.iter().map(|e| 1.0 / e.0.powf(power)).collect();
        d.iter()
            .zip(&w)
            .map(|(e, w)| w * values[e.1] as f64)
            .sum::<f64>()
            / w.iter().sum::<f64>()
    }

    fn random_case(seed: u64, n: usize) -> (Vec<ScatteredPoint>, Vec<f32>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let pts = (0..n)
            .map(|_| ScatteredPoint {
                x: rng.random::<f64>() * 40.0,
                y: rng.random::<f64>() * 20.0,
            })
            .collect();
        let vals = (0..n).map(|_| -90.0 + 60.0 * rng.random::<f32>()).collect();
        (pts, vals)
    }

    #[test]
    fn equals_brute_force_on_random_inputs() {
        for (seed, k, power) in [(1, 12, 2.0), (2, 4, 3.0), (3, 1, 2.0), (4, 50, 1.5)] {
            let (pts, vals) = random_case(seed, 200);
            let g = GridGeometry::new(-2.0, 22.0, 0.37, -0.41, 120, 60).unwrap();
            let idw = Idw { k, power };
            let grid = idw.grid(&pts, &vals, &g).unwrap();
            for ((r, c), v) in grid.indexed_iter() {
                let p = g.centre(r, c);
                let want = brute(&pts, &vals, p.x, p.y, k, power);
                assert!(
                    (*v as f64 - want).abs() < 1e-3,
                    "({r},{c}) got {v} want {want}"
                );
            }
        }
    }

    #[test]
    fn exact_at_samples_and_bounded_by_them() {
        // Samples at cell centres so some cells coincide with them.
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 20, 20).unwrap();
        // (3, 4) twice: a cell on duplicate samples takes their mean.
        let pts: Vec<ScatteredPoint> = [(3, 4), (10, 10), (15, 2), (7, 18), (3, 4)]
            .iter()
            .map(|&(r, c)| {
                let p = g.centre(r, c);
                ScatteredPoint { x: p.x, y: p.y }
            })
            .collect();
        let vals = vec![-40.0f32, -80.0, -60.0, -72.5, -50.0];
        let grid = Idw::default().grid(&pts, &vals, &g).unwrap();
        assert_eq!(*grid.get(3, 4).unwrap(), (-40.0 + -50.0) / 2.0);
        assert_eq!(*grid.get(10, 10).unwrap(), -80.0);
        assert_eq!(*grid.get(7, 18).unwrap(), -72.5);
        assert!(grid.values().iter().all(|v| (-80.0..=-40.0).contains(v)));
    }

    #[test]
    fn many_fields_equal_one_at_a_time() {
        let (pts, a) = random_case(9, 150);
        let b: Vec<f32> = a.iter().map(|v| -v - 120.0).collect();
        let g = GridGeometry::new(0.0, 0.0, 0.5, 0.5, 80, 40).unwrap();
        let idw = Idw::default();
        let index = NeighbourIndex::new(&pts).unwrap();
        let both = idw
            .grid_many(&index, &[&a, &b], &g, &|r, _| r % 2 == 0)
            .unwrap();
        assert_eq!(
            both[0].values()[(0, 3)],
            idw.grid(&pts, &a, &g).unwrap().values()[(0, 3)]
        );
        assert_eq!(
            both[1].values()[(2, 7)],
            idw.grid(&pts, &b, &g).unwrap().values()[(2, 7)]
        );
        assert!(both[0].values()[(1, 3)].is_nan(), "excluded rows stay NaN");
    }

    /// The bands `grid_many_banded` hands over, IDW's own and the trait's default (one band, for
    /// methods without bands), cover every row once and hold exactly the grids' values.
    #[test]
    fn banded_rows_are_the_grids_rows() {
        use crate::{Interpolator, Nearest};
        let (pts, a) = random_case(13, 300);
        let b: Vec<f32> = a.iter().map(|v| v * 0.5).collect();
        let g = GridGeometry::new(0.0, 20.0, 0.3, -0.3, 133, 70).unwrap();
        let include = |r: usize, c: usize| !(r + c).is_multiple_of(7);
        type Bands = std::sync::Mutex<Vec<(usize, Vec<Vec<u32>>)>>;
        fn record(bands: &Bands) -> impl Fn(usize, &[&[f32]]) + Sync + '_ {
            move |r0, rows| {
                let bits = rows
                    .iter()
                    .map(|f| f.iter().map(|v| v.to_bits()).collect())
                    .collect();
                bands.lock().unwrap().push((r0, bits));
            }
        }
        let idw_bands = Bands::default();
        let idw = Idw::default();
        let index = NeighbourIndex::new(&pts).unwrap();
        let idw_grids = idw
            .grid_many_banded(&index, &[&a, &b], &g, &include, &record(&idw_bands))
            .unwrap();
        let nearest_bands = Bands::default();
        let nearest_grids: Vec<Grid<f32>> = Nearest
            .prepare(&pts)
            .unwrap()
            .grid_many_banded(&[&a, &b], &g, &include, &record(&nearest_bands))
            .unwrap()
            .into_iter()
            .map(|s| s.value)
            .collect();
        for (grids, bands, several) in [
            (idw_grids, idw_bands, true),
            (nearest_grids, nearest_bands, false),
        ] {
            let mut bands = bands.into_inner().unwrap();
            assert_eq!(bands.len() > 1, several, "IDW hands over bands of rows");
            bands.sort_by_key(|b| b.0);
            let mut next_row = 0;
            for (r0, fields) in bands {
                assert_eq!(r0, next_row, "bands meet, no row twice");
                let rows = fields[0].len() / g.cols();
                for (f, cells) in fields.iter().enumerate() {
                    assert_eq!(cells.len(), rows * g.cols());
                    for (i, bits) in cells.iter().enumerate() {
                        let v = grids[f].values()[(r0 + i / g.cols(), i % g.cols())];
                        assert_eq!(*bits, v.to_bits(), "field {f}, cell {i} of band {r0}");
                    }
                }
                next_row += rows;
            }
            assert_eq!(next_row, g.rows(), "every row");
        }
    }

    #[test]
    fn thread_count_does_not_change_output() {
        let (pts, vals) = random_case(11, 500);
        let g = GridGeometry::new(0.0, 0.0, 0.25, 0.25, 160, 80).unwrap();
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| Idw::default().grid(&pts, &vals, &g).unwrap());
        let two = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| Idw::default().grid(&pts, &vals, &g).unwrap());
        assert_eq!(one, two);
    }
}
