//! Ordinary kriging over local neighbourhoods, with an exponential semivariogram fitted to each
//! field.
//!
//! Kriging weighs the k nearest samples so that the estimate is unbiased (weights sum to one) and
//! its variance is least under a model of how values differ with distance: the semivariogram
//! `γ(h) = ½·E[(Z(x) − Z(x+h))²]`. Unlike IDW it accounts for samples clustered together (a walk
//! samples a line densely): two samples side by side share one weight rather than doubling it.
//! And it says how uncertain each estimate is: the kriging standard deviation, returned as a layer.
//!
//! **The semivariogram** is fitted per field (per radio), from that field's own values:
//!
//! 1. *Empirical semivariogram* (Matheron's estimator): every pair of samples closer than the
//!    cutoff falls into one of `bins` equal-width distance classes; each class gives the mean
//!    distance of its pairs `h̄ⱼ`, their number `Nⱼ` and `γ̂ⱼ = Σ (zᵢ − zₖ)² / (2Nⱼ)`. The cutoff is
//!    one third of the diagonal of the samples' bounding box and there are 15 classes: gstat's
//!    defaults for `variogram()` (`cutoff`, `width = cutoff / 15`; Pebesma 2004), which follow
//!    Journel & Huijbregts' (1978) advice not to trust lags beyond half the field's extent.
//! 2. *Model*: exponential with nugget, `γ(h) = c₀ + c₁·(1 − e^(−h/a))` for h > 0 and γ(0) = 0,
//!    so the sill is `c₀ + c₁` and the practical range (95 % of the sill) is `3a` (gstat's `Exp`).
//! 3. *Fit*: weighted least squares with weights `Nⱼ / h̄ⱼ²`, gstat's default `fit.method = 7`:
//!    well-populated short lags, which matter most for interpolation, count most. For a given `a`
//!    the model is linear in `c₀, c₁ ≥ 0` and is solved exactly (a 2-variable non-negative least
//!    squares); `a` is searched on a log grid and refined by golden section. No random starts, so
//!    the same data give the same fit.
//!
//! **Shared systems.** Kriging weights depend on the model's shape `γ / sill` alone, not on its
//! sill, so every field whose shape is the same is solved once per place and its weights applied
//! to each field's values (the variance scaled back by each field's sill). Fitted shapes are
//! rounded to make that common: the nugget's share of the sill to [`NUGGET_SHARE_STEP`], the
//! range to [`RANGE_STEPS_PER_DOUBLING`] steps per doubling. A floor's radios then share a few
//! dozen shapes instead of each having its own, which turns one system per radio and place into
//! one per shape and place (see the constants for what it costs in accuracy).
//!
//! The semivariogram is estimated from at most [`MAX_VARIOGRAM_SAMPLES`] samples (every s-th in
//! input order): pairs grow as n², information does not.
//!
//! **Duplicates.** Samples that share a position are averaged first: two identical rows make the
//! kriging system singular. With a zero nugget the estimate at a sample equals it (kriging is an
//! exact interpolator since γ(0) = 0); with a nugget it still does, with a jump just beside it, the
//! usual convention (gstat, GSLIB).
//!
//! The system is solved per cell in its covariance form by a Cholesky factorisation written here
//! (no BLAS; see [`System::solve`]).

use crate::linear::SINGULAR;
use crate::method::{
    at_points, check_fields, grid_cells, Estimates, Interpolator, Merged, Prepared, Surface,
};
use crate::neighbours::{Neighbour, NeighbourIndex};
use crate::{InterpError, InterpErrorKind, ScatteredPoint};
use rayon::prelude::*;
use wisp_model::GridGeometry;

/// Samples used to estimate the semivariogram, at most: 4000 give at most 8 million pairs (well
/// under a second per field), and a survey walk has fewer scans per floor than that; more points
/// (a dense `wisp grid` input) add pairs, not information about the variogram.
pub const MAX_VARIOGRAM_SAMPLES: usize = 4000;

/// An exponential semivariogram with nugget: `γ(h) = nugget + partial_sill·(1 − e^(−h/range_m))`
/// for h > 0, and 0 at h = 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variogram {
    /// Variance at vanishing distance: measurement noise plus variation finer than the samples.
    pub nugget: f64,
    /// Variance that builds up with distance; the sill is `nugget + partial_sill`.
    pub partial_sill: f64,
    /// Distance parameter `a` in metres; the practical range is `3a` (gstat's convention).
    pub range_m: f64,
}

impl Variogram {
    #[inline]
    pub fn gamma(&self, h: f64) -> f64 {
        if h <= 0.0 {
            0.0
        } else {
            self.nugget + self.partial_sill * (1.0 - (-h / self.range_m).exp())
        }
    }

    pub fn sill(&self) -> f64 {
        self.nugget + self.partial_sill
    }

    /// Fits the model to empirical bins by weighted least squares (weights `Nⱼ / h̄ⱼ²`, see the
    /// module notes). `None` if no bin has pairs at a positive distance.
    pub fn fit(bins: &[LagBin]) -> Option<Variogram> {
        let bins: Vec<&LagBin> = bins
            .iter()
            .filter(|b| b.pairs > 0 && b.lag_m > 0.0 && b.gamma.is_finite())
            .collect();
        let (lo, hi) = bins.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), b| {
            (lo.min(b.lag_m), hi.max(b.lag_m))
        });
        if bins.is_empty() {
            return None;
        }
        // Ranges from a tenth of the shortest lag (a pure step: all sill, reached at once) to ten
        // times the longest (nearly linear over the lags seen).
        let (la, lb) = ((lo / 10.0).ln(), (hi * 10.0).ln());
        const GRID: usize = 60;
        let at = |j: f64| la + (lb - la) * j / (GRID - 1) as f64;
        let cost = |ln_a: f64| fit_sills(&bins, ln_a.exp());
        let mut best = 0;
        let mut best_cost = f64::INFINITY;
        for j in 0..GRID {
            let c = cost(at(j as f64)).2;
            if c < best_cost {
                best = j;
                best_cost = c;
            }
        }
        // Golden-section search between the grid neighbours of the best grid point.
        let (mut a, mut b) = (
            at(best.saturating_sub(1) as f64),
            at((best + 1).min(GRID - 1) as f64),
        );
        let g = (5f64.sqrt() - 1.0) / 2.0;
        let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
        let (mut fc, mut fd) = (cost(c).2, cost(d).2);
        for _ in 0..50 {
            if fc < fd {
                b = d;
                d = c;
                fd = fc;
                c = b - g * (b - a);
                fc = cost(c).2;
            } else {
                a = c;
                c = d;
                fc = fd;
                d = a + g * (b - a);
                fd = cost(d).2;
            }
        }
        let mut ln_a = (a + b) / 2.0;
        if cost(ln_a).2 > best_cost {
            ln_a = at(best as f64);
        }
        let (nugget, partial_sill, _) = cost(ln_a);
        Some(Variogram {
            nugget,
            partial_sill,
            range_m: ln_a.exp(),
        })
    }
}

/// Best `c₀, c₁ ≥ 0` for a given range `a`, and the weighted squared error.
fn fit_sills(bins: &[&LagBin], a: f64) -> (f64, f64, f64) {
    // Rows: (weight, basis f = 1 − e^(−h/a), observed γ̂).
    let rows = bins.iter().map(|b| {
        (
            b.pairs as f64 / (b.lag_m * b.lag_m),
            1.0 - (-b.lag_m / a).exp(),
            b.gamma,
        )
    });
    let (mut sw, mut sf, mut sff, mut sg, mut sfg) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (w, f, g) in rows.clone() {
        sw += w;
        sf += w * f;
        sff += w * f * f;
        sg += w * g;
        sfg += w * f * g;
    }
    let sse = |c0: f64, c1: f64| -> f64 {
        rows.clone()
            .map(|(w, f, g)| w * (g - c0 - c1 * f).powi(2))
            .sum()
    };
    // A convex quadratic over the quadrant c₀, c₁ ≥ 0: its minimum is the unconstrained one if
    // feasible, else on an edge. Try every candidate and keep the feasible best.
    let mut candidates = vec![(0.0, 0.0)];
    let det = sw * sff - sf * sf;
    if det.abs() > 1e-12 * (sw * sff).abs().max(f64::MIN_POSITIVE) {
        candidates.push(((sg * sff - sf * sfg) / det, (sw * sfg - sf * sg) / det));
    }
    if sff > 0.0 {
        candidates.push((0.0, (sfg / sff).max(0.0)));
    }
    if sw > 0.0 {
        candidates.push(((sg / sw).max(0.0), 0.0));
    }
    candidates
        .into_iter()
        .filter(|(c0, c1)| *c0 >= 0.0 && *c1 >= 0.0 && c0.is_finite() && c1.is_finite())
        .map(|(c0, c1)| (c0, c1, sse(c0, c1)))
        .fold((0.0, 0.0, f64::INFINITY), |best, c| {
            if c.2 < best.2 {
                c
            } else {
                best
            }
        })
}

/// One distance class of an empirical semivariogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LagBin {
    /// Mean distance of the class's pairs, metres.
    pub lag_m: f64,
    /// Matheron's estimate `Σ (zᵢ − zₖ)² / (2N)`.
    pub gamma: f64,
    pub pairs: usize,
}

/// The empirical semivariogram of `values` at `points`: pairs closer than `cutoff` in `bins`
/// equal classes (a pair at exactly the cutoff falls in the last). Sorted by x and swept, so only
/// pairs within the cutoff in x are looked at.
pub fn empirical(
    points: &[ScatteredPoint],
    values: &[f64],
    cutoff: f64,
    bins: usize,
) -> Vec<LagBin> {
    LagPairs::new(points, cutoff, bins).bins(values)
}

/// The pairs of an empirical semivariogram, which depend on positions only: each distance
/// class's pairs in the order [`empirical`] meets them (points sorted by x, swept), with the
/// class's summed distance. A survey's radios are fields over the same scans, so they share one
/// set, and each radio's semivariogram is one pass over it ([`LagPairs::bins`]), summing in the
/// same order and so giving the same bits as a sweep of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct LagPairs {
    /// Per class, its pairs `(i, j)` of indices into the points.
    by_class: Vec<Vec<(u32, u32)>>,
    /// Per class, Σ h over its pairs, in the order of `by_class`.
    lag_sum: Vec<f64>,
}

impl LagPairs {
    /// Every pair of `points` closer than `cutoff` (and apart), in `bins` classes.
    pub fn new(points: &[ScatteredPoint], cutoff: f64, bins: usize) -> LagPairs {
        if bins == 0 || cutoff.is_nan() || cutoff <= 0.0 {
            return LagPairs {
                by_class: Vec::new(),
                lag_sum: Vec::new(),
            };
        }
        let mut by_class = vec![Vec::new(); bins];
        let mut lag_sum = vec![0.0f64; bins];
        sweep(points, cutoff, bins, |b, i, j, h| {
            lag_sum[b] += h;
            by_class[b].push((i, j));
        });
        LagPairs { by_class, lag_sum }
    }

    /// The semivariogram of `values` (one per point): Matheron's estimate per class with pairs.
    pub fn bins(&self, values: &[f64]) -> Vec<LagBin> {
        self.bins_many(&[values]).pop().unwrap_or_default()
    }

    /// Fields summed together in [`LagPairs::bins_many`]: 8 values a pair, two AVX2 or four
    /// SSE2 vectors.
    const LANES: usize = 8;

    /// [`LagPairs::bins`] of several fields, the same bits: [`LagPairs::LANES`] fields at a
    /// time, each pair's squared differences added to one sum per field. Each field's sum still
    /// runs in the pairs' order, but the fields' sums are independent, so they proceed side by
    /// side instead of each waiting on its own previous addition (one field's sum is a chain
    /// of dependent additions, bound by their latency).
    pub fn bins_many(&self, values: &[&[f64]]) -> Vec<Vec<LagBin>> {
        const L: usize = LagPairs::LANES;
        let mut out = Vec::with_capacity(values.len());
        for fields in values.chunks(L) {
            let points = fields.iter().map(|v| v.len()).max().unwrap_or(0);
            // Point-major: a point's values of the chunk's fields side by side (unused lanes 0).
            let mut t = vec![0.0f64; points * L];
            for (r, v) in fields.iter().enumerate() {
                for (p, x) in v.iter().enumerate() {
                    t[p * L + r] = *x;
                }
            }
            let sums: Vec<[f64; L]> = self
                .by_class
                .iter()
                .map(|pairs| {
                    let mut sq = [0.0f64; L];
                    for &(i, j) in pairs {
                        let a = &t[i as usize * L..][..L];
                        let b = &t[j as usize * L..][..L];
                        for r in 0..L {
                            let d = a[r] - b[r];
                            sq[r] += d * d;
                        }
                    }
                    sq
                })
                .collect();
            for r in 0..fields.len() {
                out.push(
                    self.by_class
                        .iter()
                        .zip(&self.lag_sum)
                        .zip(&sums)
                        .filter(|((pairs, _), _)| !pairs.is_empty())
                        .map(|((pairs, h), sq)| {
                            let n = pairs.len();
                            LagBin {
                                lag_m: h / n as f64,
                                gamma: sq[r] / (2.0 * n as f64),
                                pairs: n,
                            }
                        })
                        .collect(),
                );
            }
        }
        out
    }
}

/// Every pair of `points` closer than `cutoff` (and apart), as [`empirical`] meets them: points
/// sorted by x (ties by index) and swept, each pair `(i, j)` with `i` the earlier in that order,
/// handed to `visit(class, i, j, h)`. The one sweep [`LagPairs`] and [`HeardPairs`] are made by.
fn sweep(
    points: &[ScatteredPoint],
    cutoff: f64,
    bins: usize,
    mut visit: impl FnMut(usize, u32, u32, f64),
) {
    let width = cutoff / bins as f64;
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by(|&a, &b| points[a].x.total_cmp(&points[b].x).then(a.cmp(&b)));
    for (oi, &i) in order.iter().enumerate() {
        let p = points[i];
        for &j in &order[oi + 1..] {
            let q = points[j];
            if q.x - p.x > cutoff {
                break;
            }
            let h = (q.x - p.x).hypot(q.y - p.y);
            if h > cutoff || h == 0.0 {
                continue;
            }
            let b = ((h / width) as usize).min(bins - 1);
            visit(b, i as u32, j as u32, h);
        }
    }
}

/// The pairs of every point of a survey's scans with their distances, for the semivariograms
/// of fields that each cover only some of the scans (a radio's residuals at the scans that
/// heard it): [`HeardPairs::bins`] of a subset equals [`empirical`] of that subset alone, bit
/// for bit, without sweeping it again.
///
/// Why it is the same: the subset's points keep their relative order (sorted by x, ties by
/// index, and a subset's indices rise with the full set's), so the subset's sweep meets its
/// pairs in the order the full sweep does, each with the same `h` (the same two points, the
/// earlier one first) in the same class; summing the full sweep's pairs whose two ends are both
/// in the subset, in order, adds the same numbers in the same order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct HeardPairs {
    /// Per class, its pairs `(i, j, h)`, in the order of the sweep.
    by_class: Vec<Vec<(u32, u32, f64)>>,
}

impl HeardPairs {
    /// Every pair of `points` closer than `cutoff` (and apart), in `bins` classes.
    pub(crate) fn new(points: &[ScatteredPoint], cutoff: f64, bins: usize) -> HeardPairs {
        if bins == 0 || cutoff.is_nan() || cutoff <= 0.0 {
            return HeardPairs {
                by_class: Vec::new(),
            };
        }
        let mut by_class = vec![Vec::new(); bins];
        sweep(points, cutoff, bins, |b, i, j, h| {
            by_class[b].push((i, j, h))
        });
        HeardPairs { by_class }
    }

    /// `empirical(points of the subset, values of the subset, cutoff, bins)` for the subset of
    /// points where `keep` holds (`values` and `keep` one per point of the full set).
    pub(crate) fn bins(&self, values: &[f64], keep: &[bool]) -> Vec<LagBin> {
        self.by_class
            .iter()
            .filter_map(|pairs| {
                let (mut h, mut sq, mut n) = (0.0f64, 0.0f64, 0usize);
                for &(i, j, lag) in pairs {
                    let (i, j) = (i as usize, j as usize);
                    if keep[i] && keep[j] {
                        h += lag;
                        let d = values[i] - values[j];
                        sq += d * d;
                        n += 1;
                    }
                }
                (n > 0).then(|| LagBin {
                    lag_m: h / n as f64,
                    gamma: sq / (2.0 * n as f64),
                    pairs: n,
                })
            })
            .collect()
    }
}

/// Ordinary kriging over the k nearest samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrdinaryKriging {
    /// Neighbours per estimate: 64. Farther samples are screened by nearer ones and get little
    /// weight (the screen effect, Isaaks & Srivastava 1989 ch. 12), but along a walk the nearest
    /// samples lie on one line, so a wider neighbourhood still helps: on walk-out folds of the
    /// sample floor (benches/compare/accuracy.py, seeds 7/11/23) RMSE was 3.54/4.18/4.13 dB with
    /// 16 neighbours, 3.50/4.12/4.09 with 32 and 3.51/4.08/4.09 with 64, against 3.49/4.00/4.11
    /// for pykrige's global kriging. On the truth harness (`cargo run --release --example truth
    /// 1 2 3`, session 8) kriging's walk-out RMSE was worse with fewer neighbours on all six
    /// floors: 4.67–5.58 dB with 64, +0.01–0.07 dB with 48, +0.01–0.28 dB with 32 (field RMSE
    /// up to 0.48 dB worse with 32); on issue 16's dense floor (2,000 scans) 32 and 64 gave the
    /// same walk-out RMSE to 0.001 dB. So 64 stays, though the system grows as k³: with 32,
    /// `wisp validate` on the dense floor took 22.5 s of CPU against 36.7 s (one run each,
    /// estimates of the cost, measured before the vectorised covariances).
    pub k: usize,
    /// Distance classes of the empirical semivariogram; 15 as gstat (see the module notes).
    pub bins: usize,
    /// Largest pair distance used for the semivariogram, metres; `None`: a third of the bounding
    /// box diagonal, gstat's default.
    pub cutoff_m: Option<f64>,
    /// Use this model for every field instead of fitting one per field.
    pub variogram: Option<Variogram>,
}

impl Default for OrdinaryKriging {
    fn default() -> Self {
        OrdinaryKriging {
            k: 64,
            bins: 15,
            cutoff_m: None,
            variogram: None,
        }
    }
}

impl Interpolator for OrdinaryKriging {
    fn method(&self) -> wisp_model::Method {
        wisp_model::Method::Kriging
    }

    fn prepare(&self, points: &[ScatteredPoint]) -> Result<Box<dyn Prepared>, InterpError> {
        if self.k == 0 {
            return Err(InterpErrorKind::ZeroK.into());
        }
        if self.bins == 0 {
            return Err(InterpErrorKind::Parameter {
                name: "bins",
                reason: "the semivariogram needs at least one distance class",
            }
            .into());
        }
        let (merged, index) = Merged::indexed(points)?;
        let (min, max) = merged.points.iter().fold(
            ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
            |(lo, hi), p| {
                (
                    [lo[0].min(p.x), lo[1].min(p.y)],
                    [hi[0].max(p.x), hi[1].max(p.y)],
                )
            },
        );
        let diagonal = (max[0] - min[0]).hypot(max[1] - min[1]);
        let cutoff = match self.cutoff_m {
            Some(c) if c.is_finite() && c > 0.0 => c,
            Some(_) => {
                return Err(InterpErrorKind::Parameter {
                    name: "cutoff_m",
                    reason: "must be a positive number of metres",
                }
                .into())
            }
            None => diagonal / 3.0,
        };
        let stride = merged.points.len().div_ceil(MAX_VARIOGRAM_SAMPLES).max(1);
        let subset: Vec<u32> = (0..merged.points.len() as u32).step_by(stride).collect();
        Ok(Box::new(PreparedKriging {
            params: *self,
            samples: points.len(),
            merged,
            index,
            cutoff,
            diagonal,
            subset,
        }))
    }
}

struct PreparedKriging {
    params: OrdinaryKriging,
    samples: usize,
    merged: Merged,
    /// Over the distinct positions.
    index: NeighbourIndex,
    cutoff: f64,
    diagonal: f64,
    /// The distinct positions the semivariogram is estimated from.
    subset: Vec<u32>,
}

/// The variogram shape the system is solved with: `γ / sill`, plus the sill to scale variances
/// back. Kriging weights do not change when γ is multiplied by a constant, and a unit scale keeps
/// the system well conditioned whatever the field's units.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Shape {
    unit: Variogram,
    sill: f64,
}

impl PreparedKriging {
    /// The pairs the semivariograms are estimated from (over the subset).
    fn lag_pairs(&self) -> LagPairs {
        let pts: Vec<ScatteredPoint> = self
            .subset
            .iter()
            .map(|&i| self.merged.points[i as usize])
            .collect();
        LagPairs::new(&pts, self.cutoff, self.params.bins)
    }

    /// The models of `fields` (values per distinct position), from the subset's `pairs`.
    fn variograms(&self, pairs: &LagPairs, fields: &[&[f64]]) -> Vec<Variogram> {
        if let Some(v) = self.params.variogram {
            return vec![v; fields.len()];
        }
        let vals: Vec<Vec<f64>> = fields
            .iter()
            .map(|a| self.subset.iter().map(|&i| a[i as usize]).collect())
            .collect();
        let refs: Vec<&[f64]> = vals.iter().map(Vec::as_slice).collect();
        pairs
            .bins_many(&refs)
            .iter()
            .zip(&vals)
            .map(|(bins, vals)| {
                Variogram::fit(bins).unwrap_or_else(|| {
                    // No pair within the cutoff (one or two samples): an exponential with no
                    // nugget over the whole extent, scaled to the values' variance. It
                    // interpolates exactly and smoothly; its variances are a guess, as they must
                    // be from so little.
                    let n = vals.len().max(1) as f64;
                    let mean = vals.iter().sum::<f64>() / n;
                    let var = vals.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
                    Variogram {
                        nugget: 0.0,
                        partial_sill: var,
                        range_m: (self.diagonal / 3.0).max(1.0),
                    }
                })
            })
            .collect()
    }

    fn shape(v: Variogram) -> Shape {
        let sill = v.sill();
        if sill > 0.0 && sill.is_finite() && v.range_m > 0.0 && v.range_m.is_finite() {
            Shape {
                unit: Variogram {
                    nugget: v.nugget / sill,
                    partial_sill: v.partial_sill / sill,
                    range_m: v.range_m,
                },
                sill,
            }
        } else {
            // No variation at any lag: any unbiased weights are right and the variance is 0. An
            // exponential without nugget gives smooth, exact weights.
            Shape {
                unit: Variogram {
                    nugget: 0.0,
                    partial_sill: 1.0,
                    range_m: if v.range_m > 0.0 && v.range_m.is_finite() {
                        v.range_m
                    } else {
                        1.0
                    },
                },
                sill: 0.0,
            }
        }
    }

    /// [`Self::shape`] of a fitted model, rounded to the steps fields share their systems by (the
    /// module notes): from whole numbers of steps, so equal steps give equal bits.
    fn rounded_shape(v: Variogram) -> Shape {
        let exact = Self::shape(v);
        if exact.sill == 0.0 {
            return exact;
        }
        let nugget_steps = (exact.unit.nugget / NUGGET_SHARE_STEP).round();
        let range_steps = (exact.unit.range_m.log2() * RANGE_STEPS_PER_DOUBLING).round();
        let nugget = nugget_steps * NUGGET_SHARE_STEP;
        Shape {
            unit: Variogram {
                nugget,
                partial_sill: 1.0 - nugget,
                range_m: (range_steps / RANGE_STEPS_PER_DOUBLING).exp2(),
            },
            sill: exact.sill,
        }
    }

    /// The fields `needed` grouped by identical shape, so each group's system is solved once per
    /// place. The fields' variograms are fitted in parallel (each on its own; the order of the
    /// groups is the fields' order whatever the threads).
    fn groups(&self, averaged: &[Vec<f64>], needed: &[bool]) -> Vec<ShapeGroup> {
        let fitted = needed.iter().filter(|n| **n).count();
        // The pairs are shared by every field fitted; a fixed model needs none.
        let pairs = if self.params.variogram.is_none() && fitted > 0 {
            self.lag_pairs()
        } else {
            LagPairs::new(&[], 0.0, 0)
        };
        // In chunks of the lanes `LagPairs::bins_many` sums side by side, the chunks in parallel.
        let wanted: Vec<usize> = (0..averaged.len()).filter(|&f| needed[f]).collect();
        let fitted: Vec<Shape> = wanted
            .par_chunks(LagPairs::LANES)
            .flat_map_iter(|chunk| {
                let fields: Vec<&[f64]> = chunk.iter().map(|&f| averaged[f].as_slice()).collect();
                // A model given is used as given; fitted ones are rounded to share systems.
                self.variograms(&pairs, &fields)
                    .into_iter()
                    .map(|v| match self.params.variogram {
                        Some(_) => Self::shape(v),
                        None => Self::rounded_shape(v),
                    })
            })
            .collect();
        let mut shapes: Vec<Option<Shape>> = vec![None; averaged.len()];
        for (&f, s) in wanted.iter().zip(fitted) {
            shapes[f] = Some(s);
        }
        let mut groups: Vec<ShapeGroup> = Vec::new();
        for (f, s) in shapes.into_iter().enumerate() {
            let Some(s) = s else { continue };
            match groups.iter_mut().find(|g| g.unit == s.unit) {
                Some(g) => g.fields.push((f, s.sill)),
                None => groups.push(ShapeGroup {
                    unit: s.unit,
                    fields: vec![(f, s.sill)],
                }),
            }
        }
        groups
    }

    /// Every grouped field at one place from its neighbours `n`, or only those `wanted`
    /// (by field); the others are left as they are.
    #[allow(clippy::too_many_arguments)] // one place's inputs and outputs
    fn estimate(
        &self,
        n: &[Neighbour],
        sys: &mut System,
        groups: &[ShapeGroup],
        averaged: &[Vec<f64>],
        out: &mut [f32],
        sd: &mut [f32],
        wanted: &dyn Fn(usize) -> bool,
    ) {
        sys.set_place(&self.merged.points, n);
        for group in groups {
            if !group.fields.iter().any(|&(f, _)| wanted(f)) {
                continue;
            }
            let ok = sys.solve(n, &group.unit);
            for &(f, sill) in group.fields.iter().filter(|&&(f, _)| wanted(f)) {
                let a = &averaged[f];
                if ok {
                    out[f] = n
                        .iter()
                        .zip(&sys.weights)
                        .map(|(nb, w)| w * a[nb.index as usize])
                        .sum::<f64>() as f32;
                    sd[f] = (sill * sys.variance.max(0.0)).sqrt() as f32;
                } else {
                    // Unsolvable even when regularised (only with degenerate geometry): the mean
                    // of the neighbours, with no claim about its uncertainty.
                    out[f] = (n.iter().map(|nb| a[nb.index as usize]).sum::<f64>()
                        / n.len().max(1) as f64) as f32;
                    sd[f] = f32::NAN;
                }
            }
        }
    }
}

/// The fields whose variograms have one shape (`γ / sill`), each with its own sill: the kriging
/// weights depend on the shape alone, so the group's system is solved once per place.
#[derive(Debug, Clone, PartialEq)]
struct ShapeGroup {
    unit: Variogram,
    fields: Vec<(usize, f64)>,
}

/// The step the nugget's share of the sill is rounded to: 0.05. With
/// [`RANGE_STEPS_PER_DOUBLING`], the rounding that lets radios share their systems (see the
/// module notes); the steps are this project's choice, judged by what they cost. Measured with `cargo run --release --example truth
/// 1 2 3` (session 9): against the unrounded fit, no dead-zone IoU or found count changed on
/// the six floors, and kriging's and `model`'s field and walk-out RMSE moved by at most 0.01 dB,
/// except clinic seed 2 where both improved (kriging field 4.68 → 4.62 dB, `model` 4.36 →
/// 4.29). On issue 16's dense floor (2,000 radios) `wisp check` with `interpolation =
/// "kriging"` took 12.7 s of CPU instead of 146 s, its verdicts unchanged.
const NUGGET_SHARE_STEP: f64 = 0.05;
/// Steps per doubling of the range the shapes are rounded to: 4, so a range is moved by at most
/// 2^(1/8) − 1 ≈ 9 % (see [`NUGGET_SHARE_STEP`] for what the rounding costs).
const RANGE_STEPS_PER_DOUBLING: f64 = 4.0;

/// Scratch space for one kriging system and its solution.
#[derive(Debug, Default)]
struct System {
    /// The distances between the place's neighbours, row-major k × k (upper triangle set): the
    /// same for every field's model, so computed once per place.
    distances: Vec<f64>,
    /// The covariance matrix and its two right-hand sides, row-major k × (k + 2), factorised in
    /// place ([`cholesky`]).
    matrix: Vec<f64>,
    /// The right-hand side of the back substitution, then the weights of the neighbours.
    weights: Vec<f64>,
    /// The solution's variance in units of the sill.
    variance: f64,
    /// The previous place's neighbours (indices into the points), whose distances
    /// `distances` held before this place's: a place's neighbours are mostly the previous
    /// place's (the next cell of a row, the next scan of a walk), and a distance already
    /// computed is copied instead of computed again.
    previous: Vec<u32>,
    /// Per point, its slot among `previous` (`u32::MAX`: not among them).
    slot_of: Vec<u32>,
    /// Scratch for the next place's distances (swapped with `distances`).
    next: Vec<f64>,
}

/// Regularisation tried when the system is singular: a nugget of a millionth of the sill on the
/// diagonal, far below anything a measurement resolves (RSSI is reported in whole dB).
const JITTER: f64 = 1e-6;

impl Variogram {
    /// The covariance `C(h) = sill − γ(h)`: `partial_sill·e^(−h/a)` for h > 0, the sill at 0,
    /// with [`exp_neg`]: branch-free, so a row of them vectorises.
    #[inline(always)]
    fn covariance(&self, h: f64) -> f64 {
        let e = self.partial_sill * exp_neg(-h / self.range_m);
        if h <= 0.0 {
            self.sill()
        } else {
            e
        }
    }
}

/// `eˣ` for `x ≤ 0` (and for `x` up to 709), to within one unit in the last place: fdlibm's
/// `e_exp.c` (Sun Microsystems, 1993; the algorithm musl and FreeBSD use), without its
/// special cases and branches so that a loop of calls vectorises, where each call to libm's
/// `exp` costs as much as a kriging system's elimination row. `x = k·ln2 + r`, `|r| ≤ ln2/2`
/// (Cody–Waite, ln2 in two parts), `eʳ` from fdlibm's degree-5 rational approximation, then
/// `2ᵏ` added to the exponent's bits. Below −708 it returns `e⁻⁷⁰⁸` (3e−308) instead of a
/// subnormal or 0: a covariance that small is 0 to any sum it enters. NaN stays NaN.
#[inline(always)]
// fdlibm's constants with its digits, as published.
#[allow(clippy::excessive_precision)]
pub(crate) fn exp_neg(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const INV_LN2: f64 = std::f64::consts::LOG2_E;
    const P1: f64 = 1.666_666_666_666_660_190_37e-1;
    const P2: f64 = -2.777_777_777_701_559_338_42e-3;
    const P3: f64 = 6.613_756_321_437_934_361_17e-5;
    const P4: f64 = -1.653_390_220_546_525_153_90e-6;
    const P5: f64 = 4.138_136_797_057_238_460_39e-8;
    // 1.5·2⁵²: adding it rounds to an integer, held in the low bits of the sum's mantissa.
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    let x = if x < -708.0 { -708.0 } else { x };
    let t = x * INV_LN2 + SHIFT;
    let k = t - SHIFT;
    let hi = x - k * LN2_HI;
    let lo = k * LN2_LO;
    let r = hi - lo;
    let r2 = r * r;
    let c = r - r2 * (P1 + r2 * (P2 + r2 * (P3 + r2 * (P4 + r2 * P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // k (|k| ≤ 1022) from t's low bits, moved into the exponent field.
    let k_bits = t.to_bits().wrapping_sub(SHIFT.to_bits()) << 52;
    f64::from_bits(y.to_bits().wrapping_add(k_bits))
}

/// The covariance form's matrix and right-hand sides for a place (see [`System::solve`]): row
/// i of `matrix` (k × (k + 2)) holds `C(xᵢ − xⱼ)` for j ≥ i, the sill plus `jitter` on the
/// diagonal, then `C(xᵢ − p)` and 1. Dispatched like [`cholesky`]: with AVX2 the covariances
/// are four at a time, the same bits (no FMA; the test
/// `avx2_and_baseline_factorisations_agree_bit_for_bit` compares the two).
fn fill(matrix: &mut [f64], distances: &[f64], n: &[Neighbour], v: &Variogram, jitter: f64) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above (the check is cached by std).
        return unsafe { fill_avx2(matrix, distances, n, v, jitter) };
    }
    fill_body(matrix, distances, n, v, jitter)
}

/// [`fill`] compiled for AVX2; call it only on a CPU that has it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fill_avx2(matrix: &mut [f64], distances: &[f64], n: &[Neighbour], v: &Variogram, jitter: f64) {
    fill_body(matrix, distances, n, v, jitter)
}

#[inline(always)]
fn fill_body(matrix: &mut [f64], distances: &[f64], n: &[Neighbour], v: &Variogram, jitter: f64) {
    let k = n.len();
    let w = k + 2;
    for (i, a) in n.iter().enumerate() {
        let row = &mut matrix[i * w..(i + 1) * w];
        // The upper triangle only: C is symmetric, each covariance computed once.
        row[i] = v.sill() + jitter;
        let d = &distances[i * k + i + 1..(i + 1) * k];
        for (c, &h) in row[i + 1..k].iter_mut().zip(d) {
            *c = v.covariance(h);
        }
        row[k] = v.covariance(a.dist2.sqrt());
        row[k + 1] = 1.0;
    }
}

impl System {
    /// The distances between the neighbours `n` (indices into `points`) of a place; those
    /// between two of the previous place's neighbours are copied from its distances. The same
    /// bits as computing each ([`System::set_place_fresh`], the test
    /// `set_place_reuses_the_previous_places_distances_bit_for_bit`): a copied distance was
    /// computed from the same two points, perhaps in the other order, and `hypot` of the
    /// negated differences is the same number (IEEE negation is exact; `hypot` takes the
    /// magnitudes).
    fn set_place(&mut self, points: &[ScatteredPoint], n: &[Neighbour]) {
        let k = n.len();
        if self.slot_of.len() != points.len() {
            self.slot_of.clear();
            self.slot_of.resize(points.len(), u32::MAX);
            self.previous.clear();
        }
        let pk = self.previous.len();
        // This place's neighbours' slots among the previous place's.
        let slots: Vec<u32> = n.iter().map(|a| self.slot_of[a.index as usize]).collect();
        let mut next = std::mem::take(&mut self.next);
        next.clear();
        next.resize(k * k, 0.0);
        for (i, a) in n.iter().enumerate() {
            let pa = points[a.index as usize];
            let si = slots[i] as usize;
            for (j, b) in n.iter().enumerate().skip(i + 1) {
                let sj = slots[j] as usize;
                next[i * k + j] = if si < pk && sj < pk {
                    self.distances[si.min(sj) * pk + si.max(sj)]
                } else {
                    let pb = points[b.index as usize];
                    (pa.x - pb.x).hypot(pa.y - pb.y)
                };
            }
        }
        for &p in &self.previous {
            self.slot_of[p as usize] = u32::MAX;
        }
        self.previous.clear();
        for (i, a) in n.iter().enumerate() {
            self.slot_of[a.index as usize] = i as u32;
            self.previous.push(a.index);
        }
        self.next = std::mem::replace(&mut self.distances, next);
    }

    /// [`System::set_place`] computing every distance: the reference it must equal.
    #[cfg(test)]
    fn set_place_fresh(&mut self, points: &[ScatteredPoint], n: &[Neighbour]) {
        let k = n.len();
        self.distances.clear();
        self.distances.resize(k * k, 0.0);
        for (i, a) in n.iter().enumerate() {
            let pa = points[a.index as usize];
            for (j, b) in n.iter().enumerate().skip(i + 1) {
                let pb = points[b.index as usize];
                self.distances[i * k + j] = (pa.x - pb.x).hypot(pa.y - pb.y);
            }
        }
    }

    /// Solves the ordinary kriging system for a place and its neighbours (indices into
    /// `points`, with their squared distances to the place). In semivariogram form it reads
    ///
    /// ```text
    /// [ γ(xᵢ−xⱼ)  1 ] [λ]   [γ(xᵢ−p)]
    /// [ 1ᵀ        0 ] [μ] = [   1   ]      σ² = Σ λᵢ γ(xᵢ−p) + μ
    /// ```
    ///
    /// which is indefinite. With the covariance `C(h) = s − γ(h)` (s the sill) and `Σλ = 1` it
    /// is the same as `C λ = c + μ 1` (`c` the covariances to the place), and C is symmetric
    /// positive definite (an exponential covariance with nugget, at distinct positions). So it
    /// is solved by Cholesky, `C = UᵀU` (k³/6 multiply-adds against the bordered system's LU
    /// at (k+1)³/3), with `z = U⁻ᵀc` and `w = U⁻ᵀ1` from the same elimination:
    /// `μ = (1 − wᵀz) / wᵀw`, `λ = U⁻¹(z + μ w)` and `σ² = s − zᵀz + μ (1 − wᵀz)`
    /// (the simple kriging variance plus the price of not knowing the mean). Isaaks &
    /// Srivastava (1989) ch. 12 give the covariance form.
    ///
    /// False if it stays singular after regularising. [`System::set_place`] first.
    fn solve(&mut self, n: &[Neighbour], v: &Variogram) -> bool {
        let k = n.len();
        let w = k + 2;
        debug_assert_eq!(self.distances.len(), k * k);
        let sill = v.sill();
        for jitter in [0.0, JITTER] {
            self.matrix.clear();
            self.matrix.resize(k * w, 0.0);
            fill(&mut self.matrix, &self.distances, n, v, jitter);
            if !cholesky(&mut self.matrix, k, sill + jitter) {
                continue;
            }
            let (mut wz, mut ww, mut zz) = (0.0f64, 0.0f64, 0.0f64);
            for row in self.matrix.chunks_exact(w) {
                let (z, o) = (row[k], row[k + 1]);
                wz += o * z;
                ww += o * o;
                zz += z * z;
            }
            let mu = (1.0 - wz) / ww;
            self.weights.clear();
            self.weights.extend(
                self.matrix
                    .chunks_exact(w)
                    .map(|row| row[k] + mu * row[k + 1]),
            );
            for j in (0..k).rev() {
                let row = &self.matrix[j * w..(j + 1) * w];
                let s: f64 = (j + 1..k).map(|p| row[p] * self.weights[p]).sum();
                self.weights[j] = (self.weights[j] - s) / row[j];
            }
            self.variance = sill - zz + mu * (1.0 - wz);
            if self.variance.is_finite() && self.weights.iter().all(|x| x.is_finite()) {
                return true;
            }
        }
        false
    }
}

/// Factorises a symmetric positive definite `k × k` matrix `C = UᵀU` in place and applies
/// `U⁻ᵀ` to its right-hand sides: `a` is row-major `k × (k + r)`, the upper triangle of C then
/// the r right-hand sides in each row (the lower triangle is neither read nor written); it
/// becomes U and `U⁻ᵀ·rhs`. False if a pivot is not above `SINGULAR · scale` (not positive
/// definite, to rounding).
///
/// On a CPU with AVX2 the same code runs compiled for it: the row update then takes four
/// values per instruction instead of SSE2's two. The results are the same bits: the operations
/// and their order are unchanged, and Rust never fuses a multiply and a subtraction into an FMA
/// (nor is `fma` enabled here), so each element still sees one rounded product and one rounded
/// difference. The test `avx2_and_baseline_factorisations_agree_bit_for_bit` compares the two.
fn cholesky(a: &mut [f64], k: usize, scale: f64) -> bool {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above (the check is cached by std).
        return unsafe { cholesky_avx2(a, k, scale) };
    }
    cholesky_baseline(a, k, scale)
}

/// [`cholesky`] compiled for AVX2; call it only on a CPU that has it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn cholesky_avx2(a: &mut [f64], k: usize, scale: f64) -> bool {
    cholesky_body(a, k, scale)
}

/// [`cholesky`] for the build's baseline CPU.
fn cholesky_baseline(a: &mut [f64], k: usize, scale: f64) -> bool {
    cholesky_body(a, k, scale)
}

/// The factorisation itself (right-looking, by rows of U), inlined into each of its callers so
/// that each is compiled for its own CPU features. Two pivots at a time: rows j and j + 1 of U
/// are finished first (row j + 1 after row j's update), then every row below loses both in one
/// pass, `(x − U[j][i]·U[j][m]) − U[j+1][i]·U[j+1][m]`: each element sees the same products and
/// differences in the same order as one pivot at a time (the reference kept in the tests,
/// `cholesky_reference`), and is loaded and stored half as often.
#[inline(always)]
fn cholesky_body(a: &mut [f64], k: usize, scale: f64) -> bool {
    if k == 0 {
        return true;
    }
    let w = a.len() / k;
    debug_assert!(w >= k && a.len() == k * w);
    // Row j of U: the square root of its diagonal, then the rest of the row divided by it.
    let finish = |row: &mut [f64], j: usize| -> bool {
        let d = row[j];
        if d.is_nan() || d <= SINGULAR * scale {
            return false;
        }
        let s = d.sqrt();
        row[j] = s;
        for x in &mut row[j + 1..] {
            *x /= s;
        }
        true
    };
    let mut j = 0;
    while j < k {
        let (upper, lower) = a.split_at_mut((j + 1) * w);
        let row = &mut upper[j * w..];
        if !finish(row, j) {
            return false;
        }
        let pivot = &row[j + 1..];
        if j + 1 == k {
            break;
        }
        // Row j + 1 loses row j's contribution and is finished.
        let (next, rest) = lower.split_at_mut(w);
        let f = pivot[0];
        if f != 0.0 {
            for (x, p) in next[j + 1..].iter_mut().zip(pivot) {
                *x -= f * p;
            }
        }
        if !finish(next, j + 1) {
            return false;
        }
        let pivot2 = &next[j + 2..];
        // Each row i below loses U[j][i]·(row j) then U[j+1][i]·(row j + 1), from its
        // diagonal on: element-wise loops the compiler vectorises.
        for (r, other) in rest.chunks_exact_mut(w).enumerate() {
            let (f, g) = (pivot[r + 1], pivot2[r]);
            let xs = &mut other[j + 2 + r..];
            match (f != 0.0, g != 0.0) {
                (true, true) => {
                    for ((x, p), q) in xs.iter_mut().zip(&pivot[r + 1..]).zip(&pivot2[r..]) {
                        *x = (*x - f * p) - g * q;
                    }
                }
                (true, false) => {
                    for (x, p) in xs.iter_mut().zip(&pivot[r + 1..]) {
                        *x -= f * p;
                    }
                }
                (false, true) => {
                    for (x, q) in xs.iter_mut().zip(&pivot2[r..]) {
                        *x -= g * q;
                    }
                }
                (false, false) => {}
            }
        }
        j += 2;
    }
    true
}

/// The factorisation one pivot at a time, as it was before pivots were paired: the reference
/// [`cholesky_body`] must equal bit for bit.
#[cfg(test)]
fn cholesky_reference(a: &mut [f64], k: usize, scale: f64) -> bool {
    if k == 0 {
        return true;
    }
    let w = a.len() / k;
    for j in 0..k {
        let (upper, lower) = a.split_at_mut((j + 1) * w);
        let row = &mut upper[j * w..];
        let d = row[j];
        if d.is_nan() || d <= SINGULAR * scale {
            return false;
        }
        let s = d.sqrt();
        row[j] = s;
        for x in &mut row[j + 1..] {
            *x /= s;
        }
        let pivot = &row[j + 1..];
        for (r, other) in lower.chunks_exact_mut(w).enumerate() {
            let f = pivot[r];
            if f == 0.0 {
                continue;
            }
            for (x, p) in other[j + 1 + r..].iter_mut().zip(&pivot[r..]) {
                *x -= f * p;
            }
        }
    }
    true
}

impl Prepared for PreparedKriging {
    fn len(&self) -> usize {
        self.samples
    }

    fn at(
        &self,
        fields: &[&[f32]],
        queries: &[ScatteredPoint],
    ) -> Result<Vec<Estimates>, InterpError> {
        self.at_wanted(fields, queries, &|_, _| true)
    }

    fn at_wanted(
        &self,
        fields: &[&[f32]],
        queries: &[ScatteredPoint],
        wanted: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Estimates>, InterpError> {
        check_fields(fields, self.len())?;
        let averaged: Vec<Vec<f64>> = fields.iter().map(|f| self.merged.average(f)).collect();
        // A field no query wants needs no variogram.
        let needed: Vec<bool> = (0..fields.len())
            .map(|f| (0..queries.len()).any(|q| wanted(f, q)))
            .collect();
        let groups = self.groups(&averaged, &needed);
        Ok(at_points(
            &self.index,
            self.params.k,
            queries,
            fields.len(),
            true,
            &System::default,
            &|q, _, _, n, sys, out, sd| {
                // The scratch outputs are reused from query to query: what is not wanted is NaN.
                out.fill(f32::NAN);
                sd.fill(f32::NAN);
                self.estimate(n, sys, &groups, &averaged, out, sd, &|f| wanted(f, q))
            },
        ))
    }

    fn grid_many(
        &self,
        fields: &[&[f32]],
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Surface>, InterpError> {
        check_fields(fields, self.len())?;
        let averaged: Vec<Vec<f64>> = fields.iter().map(|f| self.merged.average(f)).collect();
        let groups = self.groups(&averaged, &vec![true; fields.len()]);
        Ok(grid_cells(
            &self.index,
            self.params.k,
            geometry,
            include,
            fields.len(),
            true,
            &System::default,
            &|_, _, n, sys, out, sd| self.estimate(n, sys, &groups, &averaged, out, sd, &|_| true),
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

    fn with(v: Variogram, k: usize) -> OrdinaryKriging {
        OrdinaryKriging {
            k,
            variogram: Some(v),
            ..Default::default()
        }
    }

    const EXP: Variogram = Variogram {
        nugget: 0.0,
        partial_sill: 25.0,
        range_m: 4.0,
    };

    /// The semivariogram sweep, the system set-up and the elimination as they were before the
    /// pairs, the neighbour distances and the row updates were shared and vectorised: the
    /// reference the fast paths must equal bit for bit.
    mod reference {
        use super::*;

        pub fn empirical(
            points: &[ScatteredPoint],
            values: &[f64],
            cutoff: f64,
            bins: usize,
        ) -> Vec<LagBin> {
            let mut acc = vec![(0.0f64, 0.0f64, 0usize); bins];
            let width = cutoff / bins as f64;
            let mut order: Vec<usize> = (0..points.len()).collect();
            order.sort_by(|&a, &b| points[a].x.total_cmp(&points[b].x).then(a.cmp(&b)));
            for (oi, &i) in order.iter().enumerate() {
                let p = points[i];
                for &j in &order[oi + 1..] {
                    let q = points[j];
                    if q.x - p.x > cutoff {
                        break;
                    }
                    let h = (q.x - p.x).hypot(q.y - p.y);
                    if h > cutoff || h == 0.0 {
                        continue;
                    }
                    let b = ((h / width) as usize).min(bins - 1);
                    let e = &mut acc[b];
                    e.0 += h;
                    e.1 += (values[i] - values[j]).powi(2);
                    e.2 += 1;
                }
            }
            acc.into_iter()
                .filter(|e| e.2 > 0)
                .map(|(h, sq, n)| LagBin {
                    lag_m: h / n as f64,
                    gamma: sq / (2.0 * n as f64),
                    pairs: n,
                })
                .collect()
        }

        /// Weights and variance (in units of the sill) at a place with neighbours `n`.
        pub fn solve(points: &[ScatteredPoint], n: &[Neighbour], v: &Variogram) -> (Vec<f64>, f64) {
            let k = n.len();
            let m = k + 1;
            let mut matrix = vec![1.0; m * m];
            matrix[m * m - 1] = 0.0;
            let mut rhs = Vec::new();
            for (i, a) in n.iter().enumerate() {
                let pa = points[a.index as usize];
                for (j, b) in n.iter().enumerate() {
                    let pb = points[b.index as usize];
                    matrix[i * m + j] = if i == j {
                        0.0
                    } else {
                        v.gamma((pa.x - pb.x).hypot(pa.y - pb.y))
                    };
                }
                rhs.push(v.gamma(a.dist2.sqrt()));
            }
            rhs.push(1.0);
            let gamma0 = rhs[..k].to_vec();
            assert!(
                crate::linear::lu_solve(&mut matrix, m, &mut rhs),
                "random places are solvable"
            );
            let w = rhs[..k].to_vec();
            let var = w.iter().zip(&gamma0).map(|(w, g)| w * g).sum::<f64>() + rhs[k];
            (w, var)
        }
    }

    /// Fitted kriging of several fields at scattered places, the fast path (shared pairs, one
    /// distance matrix per place, the covariance form's Cholesky solve, only the wanted
    /// estimates) against the reference above: the same semivariograms bit for bit, the same
    /// estimates to their last f32 bit, and the wanted ones the same bits as all of them.
    #[test]
    fn the_fast_paths_equal_the_reference() {
        let mut rng = ChaCha8Rng::seed_from_u64(17);
        let pts: Vec<ScatteredPoint> = (0..300)
            .map(|_| p(rng.random::<f64>() * 60.0, rng.random::<f64>() * 20.0))
            .collect();
        // Fields of different texture (so different variograms), one with a not-heard level.
        let fields: Vec<Vec<f32>> = (0..5)
            .map(|f| {
                let scale = 3.0 + 4.0 * f as f64;
                pts.iter()
                    .map(|q| {
                        let v = -60.0 - 15.0 * (q.x / scale).sin() * (q.y / scale).cos()
                            + rng.random::<f64>() * f as f64;
                        if f == 4 && v < -65.0 {
                            -95.0
                        } else {
                            v as f32
                        }
                    })
                    .collect()
            })
            .collect();
        let refs: Vec<&[f32]> = fields.iter().map(|f| f.as_slice()).collect();
        let queries: Vec<ScatteredPoint> = (0..40)
            .map(|_| {
                p(
                    rng.random::<f64>() * 66.0 - 3.0,
                    rng.random::<f64>() * 24.0 - 2.0,
                )
            })
            .collect();
        let kriging = OrdinaryKriging::default();
        let prep = kriging.prepare(&pts).unwrap();
        let all = prep.at(&refs, &queries).unwrap();
        let mask: Vec<Vec<bool>> = (0..fields.len())
            .map(|_| {
                (0..queries.len())
                    .map(|_| rng.random::<f64>() < 0.4)
                    .collect()
            })
            .collect();
        let some = prep.at_wanted(&refs, &queries, &|f, q| mask[f][q]).unwrap();

        let (lo, hi) = pts.iter().fold(
            ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
            |(lo, hi), q| {
                (
                    [lo[0].min(q.x), lo[1].min(q.y)],
                    [hi[0].max(q.x), hi[1].max(q.y)],
                )
            },
        );
        let cutoff = (hi[0] - lo[0]).hypot(hi[1] - lo[1]) / 3.0;
        let index = NeighbourIndex::new(&pts).unwrap();
        let mut worst = 0;
        for (f, field) in fields.iter().enumerate() {
            let values: Vec<f64> = field.iter().map(|v| *v as f64).collect();
            let bins = reference::empirical(&pts, &values, cutoff, kriging.bins);
            assert_eq!(bins, empirical(&pts, &values, cutoff, kriging.bins));
            let shape = PreparedKriging::rounded_shape(Variogram::fit(&bins).unwrap());
            for (q, place) in queries.iter().enumerate() {
                let n = index.nearest(place.x, place.y, kriging.k);
                let (w, var) = reference::solve(&pts, &n, &shape.unit);
                let value = n
                    .iter()
                    .zip(&w)
                    .map(|(nb, w)| w * values[nb.index as usize])
                    .sum::<f64>() as f32;
                let sd = (shape.sill * var.max(0.0)).sqrt() as f32;
                let got = (all[f].value[q], all[f].std_dev.as_ref().unwrap()[q]);
                // The Cholesky solve of the covariance form rounds differently from the
                // reference's elimination of the bordered system: the estimates may differ in
                // their last f32 bit, no more.
                let ulps = |a: f32, b: f32| (a.to_bits() as i64 - b.to_bits() as i64).abs();
                worst = worst.max(ulps(got.0, value)).max(ulps(got.1, sd));
                assert!(
                    ulps(got.0, value) <= 1 && ulps(got.1, sd) <= 1,
                    "field {f} place {q}: {got:?} vs {:?}",
                    (value, sd)
                );
                let part = (some[f].value[q], some[f].std_dev.as_ref().unwrap()[q]);
                if mask[f][q] {
                    assert_eq!(
                        (part.0.to_bits(), part.1.to_bits()),
                        (got.0.to_bits(), got.1.to_bits())
                    );
                } else {
                    assert!(part.0.is_nan() && part.1.is_nan(), "not wanted: {part:?}");
                }
            }
        }
        eprintln!("largest difference from the reference: {worst} f32 ulp");
    }

    /// Several fields' semivariograms summed side by side equal each field's own sweep, bit for
    /// bit: more fields than lanes (a full chunk and a partial one).
    #[test]
    fn bins_of_many_fields_equal_each_fields_own_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(37);
        let pts: Vec<ScatteredPoint> = (0..250)
            .map(|_| p(rng.random::<f64>() * 40.0, rng.random::<f64>() * 15.0))
            .collect();
        let fields: Vec<Vec<f64>> = (0..LagPairs::LANES + 3)
            .map(|_| {
                (0..pts.len())
                    .map(|_| rng.random::<f64>() * 40.0 - 95.0)
                    .collect()
            })
            .collect();
        let refs: Vec<&[f64]> = fields.iter().map(Vec::as_slice).collect();
        let (cutoff, bins) = (13.0, 15);
        let many = LagPairs::new(&pts, cutoff, bins).bins_many(&refs);
        assert_eq!(many.len(), fields.len());
        for (got, values) in many.iter().zip(&fields) {
            assert_eq!(*got, reference::empirical(&pts, values, cutoff, bins));
        }
    }

    /// `exp_neg` against std's `exp` (libm): within one unit in the last place from −708 to 0
    /// (the covariances' range) and a little above, and clamped below.
    #[test]
    fn exp_neg_is_within_an_ulp_of_libm() {
        let mut rng = ChaCha8Rng::seed_from_u64(31);
        let ulps = |a: f64, b: f64| (a.to_bits() as i64 - b.to_bits() as i64).abs();
        let mut worst = 0;
        let scales = [(-708.0, 200_000), (-2.0, 100_000), (5.0, 1_000)];
        let xs: Vec<f64> = scales
            .iter()
            .flat_map(|&(s, n)| std::iter::repeat_n(s, n))
            .map(|s| s * rng.random::<f64>())
            .chain([
                0.0,
                -0.0,
                -1e-300,
                -1e-20,
                -0.5 * std::f64::consts::LN_2,
                -708.0,
            ])
            .collect();
        for x in xs {
            let (got, want) = (exp_neg(x), x.exp());
            worst = worst.max(ulps(got, want));
            assert!(ulps(got, want) <= 1, "exp({x:e}) = {got:e}, libm {want:e}");
        }
        eprintln!("largest difference from libm: {worst} ulp");
        assert_eq!(exp_neg(-800.0), (-708.0f64).exp());
        assert!(exp_neg(f64::NAN).is_nan());
    }

    /// A random symmetric positive definite `n × n` matrix (`BᵀB + I`), row-major.
    fn spd(rng: &mut ChaCha8Rng, n: usize) -> Vec<f64> {
        let b: Vec<f64> = (0..n * n).map(|_| rng.random::<f64>() - 0.5).collect();
        (0..n * n)
            .map(|ij| {
                let (i, j) = (ij / n, ij % n);
                (0..n).map(|p| b[p * n + i] * b[p * n + j]).sum::<f64>()
                    + if i == j { 1.0 } else { 0.0 }
            })
            .collect()
    }

    #[test]
    fn cholesky_factorises_and_forward_solves_random_systems() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for n in [1, 2, 5, 17, 64] {
            let c = spd(&mut rng, n);
            let rhs: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 10.0).collect();
            // The upper triangle and the right-hand side; the lower triangle holds junk that
            // must be neither read nor written.
            let w = n + 1;
            let mut a = vec![f64::NAN; n * w];
            for i in 0..n {
                a[i * w + i..i * w + n].copy_from_slice(&c[i * n + i..(i + 1) * n]);
                a[i * w + n] = rhs[i];
            }
            assert!(cholesky(&mut a, n, 1.0));
            let u = |i: usize, j: usize| if j >= i { a[i * w + j] } else { 0.0 };
            for i in 0..n {
                assert!(a[i * w..i * w + i].iter().all(|x| x.is_nan()), "n={n}");
                for j in 0..n {
                    // (UᵀU)ᵢⱼ = Σₚ U[p][i]·U[p][j], against C directly.
                    let got: f64 = (0..n).map(|p| u(p, i) * u(p, j)).sum();
                    assert!((got - c[i * n + j]).abs() < 1e-9, "n={n} ({i},{j})");
                }
                // Uᵀz = rhs.
                let got: f64 = (0..=i).map(|p| u(p, i) * a[p * w + n]).sum();
                assert!((got - rhs[i]).abs() < 1e-9, "n={n} row {i}");
            }
        }
        // Not positive definite: refused.
        for m in [
            vec![1.0, 2.0, 0.0, 4.0],
            vec![0.0, 0.0, 0.0, 1.0],
            vec![1.0, 1.0, 0.0, 1.0],
        ] {
            let mut m = m;
            assert!(!cholesky(&mut m, 2, 4.0), "{m:?}");
        }
    }

    /// Two pivots at a time give the one-at-a-time factorisation's bits, on random systems of
    /// even and odd sizes, dense and with exact zeros (whose updates both skip), with two
    /// right-hand sides; and refuse the same matrices.
    #[test]
    fn paired_pivots_equal_one_pivot_at_a_time_bit_for_bit() {
        let mut rng = ChaCha8Rng::seed_from_u64(41);
        for n in (1..=20).chain([33, 64, 65, 66]) {
            for sparse in [false, true] {
                let mut c = spd(&mut rng, n);
                if sparse {
                    // Zero off-diagonal pairs, then make it diagonally dominant again.
                    for i in 0..n {
                        for j in i + 1..n {
                            if rng.random::<f64>() < 0.4 {
                                c[i * n + j] = 0.0;
                                c[j * n + i] = 0.0;
                            }
                        }
                        c[i * n + i] += n as f64;
                    }
                }
                let w = n + 2;
                let mut a = vec![0.0; n * w];
                for i in 0..n {
                    a[i * w..i * w + n].copy_from_slice(&c[i * n..(i + 1) * n]);
                    a[i * w + n] = rng.random::<f64>() * 10.0 - 5.0;
                    a[i * w + n + 1] = 1.0;
                }
                let mut reference = a.clone();
                assert!(cholesky_reference(&mut reference, n, 1.0));
                let mut baseline = a.clone();
                assert!(cholesky_baseline(&mut baseline, n, 1.0));
                let mut dispatched = a;
                assert!(cholesky(&mut dispatched, n, 1.0));
                for (i, r) in reference.iter().enumerate() {
                    assert_eq!(r.to_bits(), baseline[i].to_bits(), "n={n} [{i}]");
                    assert_eq!(r.to_bits(), dispatched[i].to_bits(), "n={n} [{i}]");
                }
            }
        }
        // Not positive definite at an even and at an odd pivot: both refuse.
        for m in [
            vec![1.0, 2.0, 0.0, 4.0],
            vec![0.0, 0.0, 0.0, 1.0],
            vec![4.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0],
        ] {
            let k = (m.len() as f64).sqrt() as usize;
            let (mut x, mut y) = (m.clone(), m);
            assert!(!cholesky_reference(&mut x, k, 4.0));
            assert!(!cholesky_baseline(&mut y, k, 4.0));
        }
    }

    /// The covariances and the factorisation compiled for AVX2 give the baseline build's bits
    /// (the same operations in the same order, no fused multiply-add): on a kriging system of
    /// the default size and on random systems of odd sizes whose rows end in a partial vector.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_and_baseline_factorisations_agree_bit_for_bit() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            eprintln!("no AVX2 on this CPU: only the baseline factorisation runs");
            return;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(29);
        // (k, row-major k × (k + 2) with the upper triangle and two right-hand sides)
        let mut systems: Vec<(usize, Vec<f64>)> = Vec::new();
        for n in [1, 2, 3, 5, 17, 33, 65] {
            let c = spd(&mut rng, n);
            let w = n + 2;
            let mut a = vec![0.0; n * w];
            for i in 0..n {
                a[i * w..i * w + n].copy_from_slice(&c[i * n..(i + 1) * n]);
                a[i * w + n] = rng.random::<f64>() * 10.0;
                a[i * w + n + 1] = 1.0;
            }
            systems.push((n, a));
        }
        // A kriging system: 64 scattered neighbours under an exponential with nugget.
        let pts: Vec<ScatteredPoint> = (0..64)
            .map(|_| p(rng.random::<f64>() * 30.0, rng.random::<f64>() * 10.0))
            .collect();
        let v = Variogram {
            nugget: 0.1,
            partial_sill: 0.9,
            range_m: 7.0,
        };
        // Its covariances, filled by each build (the place at the origin).
        let n: Vec<Neighbour> = (0..pts.len() as u32)
            .map(|i| Neighbour {
                index: i,
                dist2: pts[i as usize].x.powi(2) + pts[i as usize].y.powi(2),
            })
            .collect();
        let mut sys = System::default();
        sys.set_place(&pts, &n);
        let (k, w) = (pts.len(), pts.len() + 2);
        let mut a = vec![0.0; k * w];
        fill_body(&mut a, &sys.distances, &n, &v, 0.0);
        let mut a2 = vec![0.0; k * w];
        // SAFETY: AVX2 was detected above.
        unsafe { fill_avx2(&mut a2, &sys.distances, &n, &v, 0.0) };
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a), bits(&a2), "covariances");
        systems.push((k, a));
        for (n, a) in systems {
            let (mut a1, mut a2) = (a.clone(), a);
            let ok1 = cholesky_baseline(&mut a1, n, 1.0);
            // SAFETY: AVX2 was detected above.
            let ok2 = unsafe { cholesky_avx2(&mut a2, n, 1.0) };
            assert!(ok1 && ok2, "n={n}");
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a1), bits(&a2), "n={n}");
        }
    }

    #[test]
    fn two_samples_symmetric_about_the_place_weigh_equally() {
        let pts = [p(-3.0, 1.0), p(3.0, 1.0)];
        let prep = with(EXP, 16).prepare(&pts).unwrap();
        let e = prep.at(&[&[-50.0, -70.0]], &[p(0.0, 1.0)]).unwrap();
        assert!((e[0].value[0] + 60.0).abs() < 1e-5);
        // σ² = Σλγ + μ; by hand with λ = ½: μ = γ(3) − ½γ(6), so σ² = 2γ(3) − ½γ(6).
        let want = 2.0 * EXP.gamma(3.0) - 0.5 * EXP.gamma(6.0);
        let sd = e[0].std_dev.as_ref().unwrap()[0] as f64;
        assert!((sd - want.sqrt()).abs() < 1e-4, "{sd} vs {}", want.sqrt());
    }

    #[test]
    fn exact_at_a_sample_with_zero_nugget_and_with_one() {
        let pts = [p(0.0, 0.0), p(2.0, 1.0), p(5.0, -1.0), p(1.0, 4.0)];
        let vals = [-50.0f32, -58.0, -71.0, -64.0];
        for v in [EXP, Variogram { nugget: 4.0, ..EXP }] {
            let prep = with(v, 16).prepare(&pts).unwrap();
            let e = prep.at(&[&vals], &[p(2.0, 1.0), p(1.0, 4.0)]).unwrap();
            assert!((e[0].value[0] + 58.0).abs() < 1e-4, "{:?}", e[0].value);
            assert!((e[0].value[1] + 64.0).abs() < 1e-4);
            assert!(e[0].std_dev.as_ref().unwrap()[0].abs() < 1e-3);
        }
    }

    #[test]
    fn three_point_system_matches_a_hand_solution() {
        // Ordinary kriging minimises σ²(λ) = 2 Σ λᵢ gᵢ − Σᵢⱼ λᵢ λⱼ Γᵢⱼ subject to Σλ = 1.
        // Substituting λ₃ = 1 − λ₁ − λ₂ leaves a 2-variable quadratic whose minimum is found here
        // by Cramer's rule, independently of the code's bordered (k+1)×(k+1) system.
        let pts = [p(0.0, 0.0), p(4.0, 0.0), p(1.0, 3.0)];
        let q = (1.5, 1.0);
        let v = Variogram {
            nugget: 1.0,
            partial_sill: 9.0,
            range_m: 3.0,
        };
        let d = |a: ScatteredPoint, b: ScatteredPoint| (a.x - b.x).hypot(a.y - b.y);
        let gm = |i: usize, j: usize| v.gamma(d(pts[i], pts[j]));
        let g: Vec<f64> = pts.iter().map(|&a| v.gamma(d(a, p(q.0, q.1)))).collect();
        // With λ = e₃ + B t, B = [[1,0],[0,1],[−1,−1]]: minimise 2tᵀBᵀ(g − Γe₃) − tᵀ(BᵀΓB)t.
        let bgb = |i: usize, j: usize| gm(i, j) - gm(i, 2) - gm(2, j) + gm(2, 2);
        let m = [[bgb(0, 0), bgb(0, 1)], [bgb(1, 0), bgb(1, 1)]];
        let r = [
            g[0] - g[2] - gm(0, 2) + gm(2, 2),
            g[1] - g[2] - gm(1, 2) + gm(2, 2),
        ];
        let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        let l1 = (r[0] * m[1][1] - m[0][1] * r[1]) / det;
        let l2 = (m[0][0] * r[1] - m[1][0] * r[0]) / det;
        let l = [l1, l2, 1.0 - l1 - l2];
        let quad: f64 = (0..3)
            .flat_map(|i| (0..3).map(move |j| (i, j)))
            .map(|(i, j)| l[i] * l[j] * gm(i, j))
            .sum();
        let var = 2.0 * (0..3).map(|i| l[i] * g[i]).sum::<f64>() - quad;
        let vals = [-40.0f32, -70.0, -55.0];
        let want: f64 = (0..3).map(|i| l[i] * vals[i] as f64).sum();
        let prep = with(v, 3).prepare(&pts).unwrap();
        let e = prep.at(&[&vals], &[p(q.0, q.1)]).unwrap();
        assert!(
            (e[0].value[0] as f64 - want).abs() < 1e-4,
            "{} vs {want}",
            e[0].value[0]
        );
        let sd = e[0].std_dev.as_ref().unwrap()[0] as f64;
        assert!((sd - var.sqrt()).abs() < 1e-4, "{sd} vs {}", var.sqrt());
    }

    #[test]
    fn empirical_semivariogram_equals_brute_force() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let pts: Vec<ScatteredPoint> = (0..120)
            .map(|_| p(rng.random::<f64>() * 30.0, rng.random::<f64>() * 12.0))
            .collect();
        let vals: Vec<f64> = (0..120)
            .map(|_| rng.random::<f64>() * 30.0 - 90.0)
            .collect();
        let (cutoff, nb) = (10.0, 7);
        let got = empirical(&pts, &vals, cutoff, nb);
        let mut want = vec![(0.0, 0.0, 0usize); nb];
        for i in 0..pts.len() {
            for j in i + 1..pts.len() {
                let h = (pts[i].x - pts[j].x).hypot(pts[i].y - pts[j].y);
                if h > 0.0 && h <= cutoff {
                    let b = ((h / (cutoff / nb as f64)).floor() as usize).min(nb - 1);
                    want[b].0 += h;
                    want[b].1 += (vals[i] - vals[j]).powi(2);
                    want[b].2 += 1;
                }
            }
        }
        let want: Vec<_> = want.into_iter().filter(|w| w.2 > 0).collect();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(g.pairs, w.2);
            assert!((g.lag_m - w.0 / w.2 as f64).abs() < 1e-9);
            assert!((g.gamma - w.1 / (2.0 * w.2 as f64)).abs() < 1e-9);
        }
    }

    #[test]
    fn fit_recovers_the_model_that_made_the_bins() {
        let truth = Variogram {
            nugget: 3.0,
            partial_sill: 30.0,
            range_m: 5.0,
        };
        let bins: Vec<LagBin> = (1..=15)
            .map(|j| {
                let h = j as f64 * 1.3;
                LagBin {
                    lag_m: h,
                    gamma: truth.gamma(h),
                    pairs: 100 + j,
                }
            })
            .collect();
        let fit = Variogram::fit(&bins).unwrap();
        assert!((fit.nugget - 3.0).abs() < 1e-3, "{fit:?}");
        assert!((fit.partial_sill - 30.0).abs() < 1e-3, "{fit:?}");
        assert!((fit.range_m - 5.0).abs() < 1e-3, "{fit:?}");
        // Pure noise (flat bins) is all nugget.
        let flat: Vec<LagBin> = bins.iter().map(|b| LagBin { gamma: 7.0, ..*b }).collect();
        let fit = Variogram::fit(&flat).unwrap();
        assert!(
            (fit.sill() - 7.0).abs() < 1e-6 && fit.gamma(0.3) > 6.9,
            "{fit:?}"
        );
        assert_eq!(Variogram::fit(&[]), None);
    }

    #[test]
    fn duplicates_do_not_make_the_system_singular() {
        let pts = [p(0.0, 0.0), p(0.0, 0.0), p(3.0, 0.0), p(0.0, 3.0)];
        let vals = [-50.0f32, -54.0, -60.0, -60.0];
        let prep = with(EXP, 16).prepare(&pts).unwrap();
        let e = prep.at(&[&vals], &[p(0.0, 0.0), p(1.0, 1.0)]).unwrap();
        assert!(
            (e[0].value[0] + 52.0).abs() < 1e-4,
            "mean of the duplicates"
        );
        assert!(e[0].value[1].is_finite() && e[0].std_dev.as_ref().unwrap()[1].is_finite());
    }

    #[test]
    fn shapes_are_rounded_within_their_steps_and_keep_their_sill() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        for _ in 0..2000 {
            let v = Variogram {
                nugget: rng.random::<f64>() * 20.0,
                partial_sill: rng.random::<f64>() * 40.0 + 1e-3,
                range_m: (rng.random::<f64>() * 12.0 - 3.0).exp(),
            };
            let s = PreparedKriging::rounded_shape(v);
            assert_eq!(s.sill, v.sill());
            assert!((s.unit.nugget - v.nugget / v.sill()).abs() <= NUGGET_SHARE_STEP / 2.0 + 1e-12);
            assert!((s.unit.sill() - 1.0).abs() < 1e-12, "{s:?}");
            let moved = (s.unit.range_m / v.range_m).log2().abs();
            assert!(
                moved <= 0.5 / RANGE_STEPS_PER_DOUBLING + 1e-12,
                "{v:?} -> {s:?}"
            );
            // On the grid: rounding again changes nothing.
            let again = PreparedKriging::rounded_shape(s.unit);
            assert_eq!(again.unit.range_m, s.unit.range_m);
            assert!((again.unit.nugget - s.unit.nugget).abs() < 1e-12);
        }
    }

    #[test]
    fn fields_of_one_shape_share_a_system_and_keep_their_own_scale() {
        // Field b = 3·a − 40 has a's semivariogram times 9: the same shape, so one group, and
        // kriging being linear in the values, b's estimates are 3·a's − 40 and its deviations 3×.
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let pts: Vec<ScatteredPoint> = (0..300)
            .map(|_| p(rng.random::<f64>() * 40.0, rng.random::<f64>() * 20.0))
            .collect();
        let a: Vec<f32> = pts
            .iter()
            .map(|q| (-60.0 - 0.5 * q.x + 3.0 * (q.y / 3.0).sin() + rng.random::<f64>()) as f32)
            .collect();
        let b: Vec<f32> = a.iter().map(|v| 3.0 * v - 40.0).collect();
        let k = OrdinaryKriging::default();
        let prep = k.prepare(&pts).unwrap();
        let places: Vec<ScatteredPoint> = (0..50)
            .map(|_| p(rng.random::<f64>() * 40.0, rng.random::<f64>() * 20.0))
            .collect();
        let e = prep.at(&[&a, &b], &places).unwrap();
        for q in 0..places.len() {
            let (ea, eb) = (e[0].value[q] as f64, e[1].value[q] as f64);
            assert!((eb - (3.0 * ea - 40.0)).abs() < 1e-3, "{q}: {ea} {eb}");
            let (sa, sb) = (
                e[0].std_dev.as_ref().unwrap()[q] as f64,
                e[1].std_dev.as_ref().unwrap()[q] as f64,
            );
            assert!((sb - 3.0 * sa).abs() < 1e-3 * sb.max(1.0), "{q}: {sa} {sb}");
        }
        // And the two fields are one group: one system per place.
        let averaged: Vec<Vec<f64>> = [&a, &b]
            .iter()
            .map(|f| f.iter().map(|v| *v as f64).collect())
            .collect();
        let prepared = PreparedKriging {
            params: k,
            samples: pts.len(),
            merged: Merged::indexed(&pts).unwrap().0,
            index: Merged::indexed(&pts).unwrap().1,
            cutoff: 15.0,
            diagonal: 45.0,
            subset: (0..pts.len() as u32).collect(),
        };
        let groups = prepared.groups(&averaged, &[true, true]);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0].fields.len(), 2);
        // 9 up to the f32 rounding of b's values.
        assert!((groups[0].fields[1].1 / groups[0].fields[0].1 - 9.0).abs() < 1e-3);
    }

    #[test]
    fn fitted_per_field_and_a_smooth_field_is_predicted_well() {
        // A smooth field sampled along a zig-zag walk: fitted kriging predicts a held-out point
        // close to the truth, and its standard deviation grows away from the samples.
        let truth = |x: f64, y: f64| -50.0 - 20.0 * (x / 30.0) - 5.0 * (y / 8.0).sin();
        let pts: Vec<ScatteredPoint> = (0..200)
            .map(|i| {
                let t = i as f64 * 0.15;
                p(t, 4.0 + 3.0 * (t * 0.8).sin())
            })
            .collect();
        let vals: Vec<f32> = pts.iter().map(|q| truth(q.x, q.y) as f32).collect();
        let prep = OrdinaryKriging::default().prepare(&pts).unwrap();
        let q = [p(15.03, 4.0 + 3.0 * (15.03f64 * 0.8).sin()), p(15.0, 12.0)];
        let e = prep.at(&[&vals], &q).unwrap();
        assert!((e[0].value[0] as f64 - truth(q[0].x, q[0].y)).abs() < 0.05);
        let sd = e[0].std_dev.as_ref().unwrap();
        assert!(sd[1] > sd[0], "{sd:?}");
    }

    #[test]
    fn heard_pairs_bins_equal_each_subsets_own_sweep() {
        // Random points on a coarse lattice (so that some share a position and many an x),
        // random values and random subsets: a subset's bins from the full set's pairs equal
        // its own sweep's ([`empirical`]) bit for bit.
        let mut rng = ChaCha8Rng::seed_from_u64(16);
        for case in 0..20 {
            let n = 2 + case * 9;
            let points: Vec<ScatteredPoint> = (0..n)
                .map(|_| {
                    p(
                        rng.random_range(0..40) as f64 * 0.5,
                        rng.random_range(0..20) as f64 * 0.5,
                    )
                })
                .collect();
            let values: Vec<f64> = (0..n).map(|_| rng.random_range(-90.0..-40.0)).collect();
            let cutoff = rng.random_range(1.0..25.0);
            let bins = 1 + case % 15;
            let shared = HeardPairs::new(&points, cutoff, bins);
            for share in [0.0, 0.3, 0.8, 1.0] {
                let keep: Vec<bool> = (0..n).map(|_| rng.random_bool(share)).collect();
                let (sub_p, sub_v): (Vec<ScatteredPoint>, Vec<f64>) = (0..n)
                    .filter(|&i| keep[i])
                    .map(|i| (points[i], values[i]))
                    .unzip();
                assert_eq!(
                    shared.bins(&values, &keep),
                    empirical(&sub_p, &sub_v, cutoff, bins),
                    "case {case}, share {share}"
                );
            }
        }
    }

    #[test]
    fn set_place_reuses_the_previous_places_distances_bit_for_bit() {
        // Places along a row and then elsewhere, each with its k nearest of random points
        // (brute force): one System carried from place to place gives, at every place, the
        // distances a fresh one computes, bit for bit (the copied ones were computed with the
        // two points in either order).
        let mut rng = ChaCha8Rng::seed_from_u64(61);
        let pts: Vec<ScatteredPoint> = (0..300)
            .map(|_| p(rng.random_range(-20.0..20.0), rng.random_range(-8.0..8.0)))
            .collect();
        let near = |q: ScatteredPoint, k: usize| -> Vec<Neighbour> {
            let mut all: Vec<Neighbour> = pts
                .iter()
                .enumerate()
                .map(|(i, a)| Neighbour {
                    index: i as u32,
                    dist2: (a.x - q.x).powi(2) + (a.y - q.y).powi(2),
                })
                .collect();
            all.sort_by(|a, b| a.dist2.total_cmp(&b.dist2).then(a.index.cmp(&b.index)));
            all.truncate(k);
            all
        };
        let mut carried = System::default();
        let mut reused = 0usize;
        let places = (0..60)
            .map(|c| p(-15.0 + 0.5 * c as f64, 1.0))
            .chain((0..20).map(|_| p(rng.random_range(-20.0..20.0), rng.random_range(-8.0..8.0))));
        for (at, q) in places.enumerate() {
            let k = [64, 64, 16, 1, 0, 64][at % 6];
            let n = near(q, k);
            reused += n
                .iter()
                .filter(|a| {
                    carried
                        .slot_of
                        .get(a.index as usize)
                        .is_some_and(|s| *s != u32::MAX)
                })
                .count();
            carried.set_place(&pts, &n);
            let mut fresh = System::default();
            fresh.set_place_fresh(&pts, &n);
            assert_eq!(carried.distances.len(), fresh.distances.len(), "place {at}");
            for (a, b) in carried.distances.iter().zip(&fresh.distances) {
                assert_eq!(a.to_bits(), b.to_bits(), "place {at}");
            }
        }
        // Most neighbours were the previous place's, so the copies were exercised.
        assert!(reused > 1000, "{reused}");
    }
}
