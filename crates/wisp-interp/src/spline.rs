//! Smoothed thin-plate spline over each place's nearest samples (a local radial-basis method).
//!
//! At a place q with neighbours x₁…xₙ (the k nearest distinct sample positions) the estimate is
//! the thin-plate spline through them with a linear trend,
//!
//! ```text
//! s(q) = Σᵢ wᵢ φ(|q − xᵢ|) + c₀ + c₁ q̂ₓ + c₂ q̂ᵧ,   φ(r) = r² ln r,
//! ```
//!
//! whose coefficients solve `[K + λI, P; Pᵀ, 0] [w; c] = [z; 0]` (K the kernel between the
//! neighbours, P their rows `[1, x̂, ŷ]`, λ the smoothing): λ = 0 passes through every sample,
//! a larger λ lets the surface miss noisy ones. This is scipy's `RBFInterpolator(kernel=
//! "thin_plate_spline", degree=1, neighbors=k, smoothing=λ)`: the kernel in metres, the
//! polynomial's coordinates shifted to the neighbourhood's centre and scaled by its half-extent
//! (which only conditions the system; the spline is the same). Because the system is symmetric,
//! the estimate is `μ · [z; 0]` with `A μ = [φ(|q − xᵢ|); 1; q̂]`: one solve per place gives
//! weights every field (radio) shares, as kriging's weights are shared.
//!
//! Where the neighbours are collinear (a straight corridor) the linear trend is not determined;
//! the spline then takes a constant trend alone, and a lone neighbour gives its own value.
//!
//! Unless it is given, λ is chosen by cross-validation on the samples themselves: each distinct
//! position (every one up to [`MAX_SMOOTHING_SAMPLES`], evenly strided beyond) is estimated
//! from its k nearest others under every λ of [`SMOOTHING_LADDER`], and the
//! λ with the least squared error summed over every field wins (the first on a tie), once per
//! set of fields, so every radio of a floor shares it.

use crate::linear::lu_solve;
use crate::method::{
    at_points, check_fields, grid_cells, Estimates, Interpolator, Merged, Prepared, Surface,
};
use crate::neighbours::{Neighbour, NeighbourIndex};
use crate::{InterpError, InterpErrorKind, ScatteredPoint};
use rayon::prelude::*;
use wisp_model::GridGeometry;

/// A smoothed thin-plate spline over each place's `k` nearest samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThinPlateSpline {
    /// Neighbours per place (distinct positions).
    pub k: usize,
    /// λ, added to the kernel's diagonal, in the kernel's units (m² ln m): 0 interpolates.
    /// None: chosen from [`SMOOTHING_LADDER`] by leave-one-out cross-validation on the samples.
    pub smoothing: Option<f64>,
}

/// The smoothings cross-validation chooses among: decades around scipy's setting that scored
/// best on a real office floor (λ = 1, issue 14), from nearly interpolating to smoothing over
/// several metres (kernel values are ~10 at 3 m and ~1,000 at 15 m). An estimate.
pub const SMOOTHING_LADDER: [f64; 5] = [0.01, 0.1, 1.0, 10.0, 100.0];

/// At most this many positions (evenly strided) are left out to choose the smoothing: the
/// choice is one number per floor, and 500 left-out places pin it down while a survey of
/// thousands of scans (the dense floor's 2,000) does not pay five solves for each of them. An
/// estimate, as kriging's `MAX_VARIOGRAM_SAMPLES`.
pub const MAX_SMOOTHING_SAMPLES: usize = 500;

impl Default for ThinPlateSpline {
    /// 50 neighbours, as scipy's RBF thin-plate spline had when it scored the lowest walk-out
    /// RMSE of every method tried on a real office floor (issue 14: 5.71 dB against 6.15 for
    /// natural neighbour and 8.34 for IDW; an estimate from one floor), and the smoothing
    /// chosen by cross-validation.
    fn default() -> Self {
        ThinPlateSpline {
            k: 50,
            smoothing: None,
        }
    }
}

impl Interpolator for ThinPlateSpline {
    fn method(&self) -> wisp_model::Method {
        wisp_model::Method::Spline
    }

    fn prepare(&self, points: &[ScatteredPoint]) -> Result<Box<dyn Prepared>, InterpError> {
        if self.k == 0 {
            return Err(InterpErrorKind::ZeroK.into());
        }
        if self.smoothing.is_some_and(|s| !(s.is_finite() && s >= 0.0)) {
            return Err(InterpErrorKind::Parameter {
                name: "smoothing",
                reason: "must be a finite number, 0 or more",
            }
            .into());
        }
        Ok(Box::new(PreparedSpline::new(*self, points)?))
    }
}

struct PreparedSpline {
    params: ThinPlateSpline,
    samples: usize,
    merged: Merged,
    /// Over the distinct positions.
    index: NeighbourIndex,
}

/// The thin-plate kernel r² ln r (0 at r = 0, its limit).
#[inline]
fn kernel(r: f64) -> f64 {
    if r > 0.0 {
        r * r * r.ln()
    } else {
        0.0
    }
}

/// A thread's scratch: the system and its right-hand side.
#[derive(Default)]
struct System {
    a: Vec<f64>,
    b: Vec<f64>,
}

impl PreparedSpline {
    fn new(params: ThinPlateSpline, points: &[ScatteredPoint]) -> Result<Self, InterpError> {
        // Two samples at one place would make the kernel singular at λ = 0: averaged first.
        let (merged, index) = Merged::indexed(points)?;
        Ok(PreparedSpline {
            params,
            samples: points.len(),
            merged,
            index,
        })
    }

    /// The weights of the neighbours' values at (x, y) under smoothing λ, in `sys.b[..n]`;
    /// false if no trend could be fitted (then the caller takes the nearest value).
    fn weights(
        &self,
        x: f64,
        y: f64,
        neighbours: &[Neighbour],
        smoothing: f64,
        sys: &mut System,
    ) -> bool {
        let pts = &self.merged.points;
        let n = neighbours.len();
        let (mut lo, mut hi) = ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]);
        for nb in neighbours {
            let p = pts[nb.index as usize];
            lo = [lo[0].min(p.x), lo[1].min(p.y)];
            hi = [hi[0].max(p.x), hi[1].max(p.y)];
        }
        let shift = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        let half = |d: f64| if d > 0.0 { d / 2.0 } else { 1.0 };
        let scale = [half(hi[0] - lo[0]), half(hi[1] - lo[1])];
        // Linear trend first; a constant alone if the neighbours do not span the plane.
        for terms in [3usize, 1] {
            let m = n + terms;
            sys.a.clear();
            sys.a.resize(m * m, 0.0);
            sys.b.clear();
            sys.b.resize(m, 0.0);
            for (i, ni) in neighbours.iter().enumerate() {
                let pi = pts[ni.index as usize];
                for (j, nj) in neighbours.iter().enumerate().skip(i + 1) {
                    let pj = pts[nj.index as usize];
                    let v = kernel((pi.x - pj.x).hypot(pi.y - pj.y));
                    sys.a[i * m + j] = v;
                    sys.a[j * m + i] = v;
                }
                sys.a[i * m + i] = smoothing;
                let row = [
                    1.0,
                    (pi.x - shift[0]) / scale[0],
                    (pi.y - shift[1]) / scale[1],
                ];
                for (t, v) in row.iter().take(terms).enumerate() {
                    sys.a[i * m + n + t] = *v;
                    sys.a[(n + t) * m + i] = *v;
                }
                sys.b[i] = kernel((x - pi.x).hypot(y - pi.y));
            }
            let q = [1.0, (x - shift[0]) / scale[0], (y - shift[1]) / scale[1]];
            sys.b[n..m].copy_from_slice(&q[..terms]);
            if lu_solve(&mut sys.a, m, &mut sys.b) {
                return true;
            }
        }
        false
    }

    /// The fields checked and averaged over each distinct position, and the smoothing for them.
    fn fields(&self, fields: &[&[f32]]) -> Result<(Vec<Vec<f64>>, f64), InterpError> {
        check_fields(fields, self.len())?;
        let averaged: Vec<Vec<f64>> = fields.iter().map(|f| self.merged.average(f)).collect();
        let smoothing = self.smoothing(&averaged);
        Ok((averaged, smoothing))
    }

    /// The given smoothing, else the one of [`SMOOTHING_LADDER`] with the least squared
    /// leave-one-out error over every field (each distinct position from its k nearest others).
    fn smoothing(&self, averaged: &[Vec<f64>]) -> f64 {
        if let Some(s) = self.params.smoothing {
            return s;
        }
        let pts = &self.merged.points;
        if pts.len() < 2 || averaged.is_empty() {
            return 1.0;
        }
        let stride = pts.len().div_ceil(MAX_SMOOTHING_SAMPLES).max(1);
        let left_out: Vec<usize> = (0..pts.len()).step_by(stride).collect();
        let errors: Vec<[f64; SMOOTHING_LADDER.len()]> = left_out
            .into_par_iter()
            .map_init(System::default, |sys, i| {
                let p = pts[i];
                let others: Vec<Neighbour> = self
                    .index
                    .nearest(p.x, p.y, self.params.k + 1)
                    .into_iter()
                    .filter(|n| n.index as usize != i)
                    .take(self.params.k)
                    .collect();
                let mut sq = [0.0; SMOOTHING_LADDER.len()];
                for (e, &s) in sq.iter_mut().zip(&SMOOTHING_LADDER) {
                    let ok = self.weights(p.x, p.y, &others, s, sys);
                    for f in averaged {
                        let est = if ok {
                            others
                                .iter()
                                .zip(&sys.b)
                                .map(|(nb, w)| w * f[nb.index as usize])
                                .sum()
                        } else {
                            f[others[0].index as usize]
                        };
                        *e += (est - f[i]).powi(2);
                    }
                }
                sq
            })
            .collect();
        // Summed in position order, so the thread count never shows.
        let mut total = [0.0; SMOOTHING_LADDER.len()];
        for sq in &errors {
            for (t, e) in total.iter_mut().zip(sq) {
                *t += e;
            }
        }
        let mut best = 0;
        for (j, t) in total.iter().enumerate() {
            if *t < total[best] {
                best = j;
            }
        }
        SMOOTHING_LADDER[best]
    }

    /// Every field's estimate at (x, y) from its neighbours.
    #[allow(clippy::too_many_arguments)] // one cell's inputs, as the other methods' estimates
    fn estimate(
        &self,
        x: f64,
        y: f64,
        neighbours: &[Neighbour],
        smoothing: f64,
        sys: &mut System,
        averaged: &[Vec<f64>],
        out: &mut [f32],
    ) {
        if neighbours.is_empty() {
            out.fill(f32::NAN);
            return;
        }
        if self.weights(x, y, neighbours, smoothing, sys) {
            for (o, f) in out.iter_mut().zip(averaged) {
                let s: f64 = neighbours
                    .iter()
                    .zip(&sys.b)
                    .map(|(nb, w)| w * f[nb.index as usize])
                    .sum();
                *o = s as f32;
            }
        } else {
            let nearest = neighbours[0].index as usize;
            for (o, f) in out.iter_mut().zip(averaged) {
                *o = f[nearest] as f32;
            }
        }
    }
}

impl Prepared for PreparedSpline {
    fn len(&self) -> usize {
        self.samples
    }

    fn at(
        &self,
        fields: &[&[f32]],
        queries: &[ScatteredPoint],
    ) -> Result<Vec<Estimates>, InterpError> {
        let (averaged, smoothing) = self.fields(fields)?;
        Ok(at_points(
            &self.index,
            self.params.k,
            queries,
            fields.len(),
            false,
            &System::default,
            &|_, x, y, n, sys, out, _| self.estimate(x, y, n, smoothing, sys, &averaged, out),
        ))
    }

    fn grid_many(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Surface>, InterpError> {
        let (averaged, smoothing) = self.fields(fields)?;
        Ok(grid_cells(
            &self.index,
            self.params.k,
            geometry,
            include,
            fields.len(),
            false,
            &System::default,
            &|x, y, n, sys, out, _| self.estimate(x, y, n, smoothing, sys, &averaged, out),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn p(x: f64, y: f64) -> ScatteredPoint {
        ScatteredPoint { x, y }
    }

    fn at(spline: ThinPlateSpline, pts: &[ScatteredPoint], z: &[f32], q: ScatteredPoint) -> f32 {
        spline.prepare(pts).unwrap().at(&[z], &[q]).unwrap()[0].value[0]
    }

    fn scattered(n: usize, seed: u64) -> Vec<ScatteredPoint> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| p(rng.random::<f64>() * 30.0, rng.random::<f64>() * 12.0))
            .collect()
    }

    /// The global thin-plate spline written out from its definition (the full system over all
    /// samples, solved for [w; c], then evaluated): the reference for k ≥ n.
    fn reference(pts: &[ScatteredPoint], z: &[f32], smoothing: f64, q: ScatteredPoint) -> f64 {
        let n = pts.len();
        let m = n + 3;
        let (lo, hi) = pts.iter().fold(
            ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
            |(lo, hi), p| {
                (
                    [lo[0].min(p.x), lo[1].min(p.y)],
                    [hi[0].max(p.x), hi[1].max(p.y)],
                )
            },
        );
        let shift = [(lo[0] + hi[0]) / 2.0, (lo[1] + hi[1]) / 2.0];
        let scale = [(hi[0] - lo[0]) / 2.0, (hi[1] - lo[1]) / 2.0];
        let poly = |p: ScatteredPoint| {
            [
                1.0,
                (p.x - shift[0]) / scale[0],
                (p.y - shift[1]) / scale[1],
            ]
        };
        let mut a = vec![0.0; m * m];
        let mut b = vec![0.0; m];
        for i in 0..n {
            for j in 0..n {
                let r = (pts[i].x - pts[j].x).hypot(pts[i].y - pts[j].y);
                a[i * m + j] = if r > 0.0 { r * r * r.ln() } else { 0.0 };
            }
            a[i * m + i] += smoothing;
            for (t, v) in poly(pts[i]).iter().enumerate() {
                a[i * m + n + t] = *v;
                a[(n + t) * m + i] = *v;
            }
            b[i] = z[i] as f64;
        }
        assert!(lu_solve(&mut a, m, &mut b));
        let kernel_part: f64 = (0..n)
            .map(|i| {
                let r = (q.x - pts[i].x).hypot(q.y - pts[i].y);
                b[i] * if r > 0.0 { r * r * r.ln() } else { 0.0 }
            })
            .sum();
        let trend: f64 = poly(q).iter().zip(&b[n..]).map(|(c, v)| c * v).sum();
        kernel_part + trend
    }

    #[test]
    fn equals_the_spline_written_from_its_definition() {
        let pts = scattered(25, 1);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let z: Vec<f32> = pts
            .iter()
            .map(|_| -90.0 + rng.random::<f32>() * 50.0)
            .collect();
        for smoothing in [0.0, 1.0, 20.0] {
            let spline = ThinPlateSpline {
                k: 25,
                smoothing: Some(smoothing),
            };
            for q in [p(3.0, 4.0), p(15.5, 6.25), p(29.0, 11.0), pts[7]] {
                let got = at(spline, &pts, &z, q) as f64;
                let want = reference(&pts, &z, smoothing, q);
                assert!(
                    (got - want).abs() < 1e-3,
                    "λ {smoothing} at {q:?}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn passes_through_the_samples_unsmoothed_and_misses_them_smoothed() {
        let pts = scattered(40, 3);
        let z: Vec<f32> = (0..pts.len())
            .map(|i| if i % 2 == 0 { -50.0 } else { -80.0 })
            .collect();
        let exact = ThinPlateSpline {
            k: 12,
            smoothing: Some(0.0),
        };
        let smooth = ThinPlateSpline {
            k: 12,
            smoothing: Some(50.0),
        };
        let prepared = exact.prepare(&pts).unwrap();
        let e = &prepared.at(&[&z], &pts).unwrap()[0].value;
        let s = &smooth.prepare(&pts).unwrap().at(&[&z], &pts).unwrap()[0].value;
        for i in 0..pts.len() {
            assert!((e[i] - z[i]).abs() < 1e-3, "{i}: {} vs {}", e[i], z[i]);
        }
        let misses = (0..pts.len())
            .filter(|&i| (s[i] - z[i]).abs() > 1.0)
            .count();
        assert!(
            misses > pts.len() / 2,
            "smoothing moved only {misses} samples"
        );
    }

    /// A plane is reproduced exactly (the linear trend absorbs it, the kernel weights vanish)
    /// wherever the neighbours span the plane; along a line of samples the constant trend takes
    /// over and the spline still reproduces a plane's values on that line.
    #[test]
    fn reproduces_a_plane_and_survives_collinear_neighbours() {
        let plane = |q: ScatteredPoint| (-40.0 - 1.5 * q.x + 0.75 * q.y) as f32;
        let pts = scattered(60, 4);
        let z: Vec<f32> = pts.iter().map(|q| plane(*q)).collect();
        let spline = ThinPlateSpline::default();
        for q in [p(1.0, 1.0), p(12.3, 7.7), p(28.0, 2.0)] {
            let got = at(spline, &pts, &z, q);
            assert!(
                (got - plane(q)).abs() < 1e-3,
                "{q:?}: {got} vs {}",
                plane(q)
            );
        }
        // A corridor: every sample on y = 2.
        let line: Vec<ScatteredPoint> = (0..20).map(|i| p(i as f64 * 1.5, 2.0)).collect();
        let zl: Vec<f32> = line.iter().map(|q| plane(*q)).collect();
        for x in [0.0, 4.0, 13.4, 28.5] {
            let got = at(spline, &line, &zl, p(x, 2.0));
            assert!(got.is_finite(), "x {x}");
            assert!((got - plane(p(x, 2.0))).abs() < 0.5, "x {x}: {got}");
        }
        // A lone sample: its value everywhere.
        assert_eq!(at(spline, &[p(3.0, 3.0)], &[-61.0], p(9.0, 1.0)), -61.0);
    }

    /// The smoothing chosen is the ladder's λ with the least leave-one-out error, each sample
    /// predicted by the spline written from its definition through all the others (k ≥ n − 1),
    /// summed over both fields: noise gets a larger λ than a smooth field.
    #[test]
    fn smoothing_is_the_leave_one_out_best_of_the_ladder() {
        let pts = scattered(30, 6);
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let smooth: Vec<f32> = pts
            .iter()
            .map(|q| (-60.0 - 0.8 * q.x + 4.0 * (q.y * 0.3).sin()) as f32)
            .collect();
        let noisy: Vec<f32> = smooth
            .iter()
            .map(|v| v + 8.0 * (rng.random::<f32>() - 0.5))
            .collect();
        let spline = ThinPlateSpline {
            k: 40,
            smoothing: None,
        };
        let prepared = PreparedSpline::new(spline, &pts).unwrap();
        let mut chosen = Vec::new();
        for fields in [
            vec![smooth.clone(), smooth.clone()],
            vec![noisy.clone(), smooth.clone()],
        ] {
            let averaged: Vec<Vec<f64>> = fields
                .iter()
                .map(|f| f.iter().map(|v| *v as f64).collect())
                .collect();
            let loo = |s: f64| -> f64 {
                let mut sq = 0.0;
                for i in 0..pts.len() {
                    let others: Vec<ScatteredPoint> =
                        (0..pts.len()).filter(|&j| j != i).map(|j| pts[j]).collect();
                    for f in &fields {
                        let z: Vec<f32> =
                            (0..pts.len()).filter(|&j| j != i).map(|j| f[j]).collect();
                        sq += (reference(&others, &z, s, pts[i]) - f[i] as f64).powi(2);
                    }
                }
                sq
            };
            let errors: Vec<f64> = SMOOTHING_LADDER.iter().map(|&s| loo(s)).collect();
            let best = (0..errors.len()).fold(0, |b, j| if errors[j] < errors[b] { j } else { b });
            let got = prepared.smoothing(&averaged);
            assert_eq!(got, SMOOTHING_LADDER[best], "errors {errors:?}");
            chosen.push(got);
        }
        assert!(chosen[1] > chosen[0], "noise smoothed more: {chosen:?}");
        // A smoothing given is used as it is.
        let fixed = PreparedSpline::new(
            ThinPlateSpline {
                k: 40,
                smoothing: Some(3.5),
            },
            &pts,
        )
        .unwrap();
        assert_eq!(fixed.smoothing(&[]), 3.5);
    }

    #[test]
    fn duplicates_are_averaged_and_bad_parameters_refused() {
        let pts = [p(0.0, 0.0), p(0.0, 0.0), p(4.0, 0.0), p(0.0, 4.0)];
        let z = [-50.0, -70.0, -60.0, -60.0];
        let exact = ThinPlateSpline {
            k: 8,
            smoothing: Some(0.0),
        };
        assert!((at(exact, &pts, &z, p(0.0, 0.0)) + 60.0).abs() < 1e-4);
        for bad in [f64::NAN, -1.0, f64::INFINITY] {
            let s = ThinPlateSpline {
                k: 8,
                smoothing: Some(bad),
            };
            assert!(s.prepare(&pts).is_err());
        }
        assert!(ThinPlateSpline {
            k: 0,
            smoothing: None,
        }
        .prepare(&pts)
        .is_err());
    }
}
