//! Regression kriging: a physical trend per radio, with the residual kriged.
//!
//! The trend is whatever the caller knows about how a radio's signal falls across the floor —
//! in wisp, the calibrated propagation model (`wisp_plan::radio_map`: the AP's position, the
//! fitted exponent and power, every wall between with its loss). This crate does not know the
//! model; it receives it as data, through [`Trend`] (a value per radio and place) and, for
//! cross-validation, [`TrendFit`] (refit the trend on a training subset of the walk).
//!
//! Per radio, the residual `measured − trend` at every scan is kriged ordinary-kriging-style
//! ([`OrdinaryKriging`], with one exponential semivariogram fitted to the residuals of every
//! radio with a trend pooled, see `pooled_variogram`), and the map is
//! `trend + kriged residual`. So the map honours every measurement (kriging is exact at its
//! samples up to the nugget), follows the walls between them (the trend drops behind a wall
//! where a point method would smear the corridor into the room), and carries a standard
//! deviation per cell: the kriging deviation of the residual, which is small near scans and
//! tends to the residual's own spread (the model's error) far from them (Hengl, Heuvelink &
//! Rossiter 2007, "About regression-kriging: from equations to case studies").
//!
//! **Not heard.** At a scan that did not hear a radio, the field holds the not-heard stand-in
//! (see [`crate::layers`]). Against a trend that is itself below that level, the scan says
//! nothing new (residual 0); against a trend above it, the scan says the model is too strong
//! there, by at least the difference (residual `not_heard − trend`).
//!
//! A radio without a trend (its AP could not be placed) is kriged as it is, which is plain
//! ordinary kriging.

use crate::fields::{RadioFields, RadioKey};
use crate::kriging::{empirical, HeardPairs, LagBin, MAX_VARIOGRAM_SAMPLES};
use crate::method::{Estimates, Interpolator, Surface};
use crate::{InterpError, OrdinaryKriging, ScatteredPoint, Variogram};
use rayon::prelude::*;
use wisp_model::{Grid, GridGeometry, Sample};

/// A per-radio trend (dBm) at any place, from a propagation model the caller calibrated.
pub trait Trend: Sync {
    /// The trend of `radio` at `(x, y)` in plan metres, or `None` when there is none for this
    /// radio (its access point could not be placed).
    fn at(&self, radio: &RadioKey, x: f64, y: f64) -> Option<f64>;
}

/// Fits a [`Trend`] to samples: cross-validation refits it on each fold's training scans, so a
/// left-out scan never informs its own prediction.
pub trait TrendFit: Sync {
    fn fit(&self, samples: &[Sample]) -> Box<dyn Trend>;
}

/// No trend for any radio: regression kriging is then plain ordinary kriging.
pub struct NoTrend;

impl Trend for NoTrend {
    fn at(&self, _: &RadioKey, _: f64, _: f64) -> Option<f64> {
        None
    }
}

/// Regression kriging with the residuals kriged by `kriging`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RegressionKriging {
    pub kriging: OrdinaryKriging,
}

impl RegressionKriging {
    /// Every radio of `fields` on the cells of `geometry` where `include` holds: value and
    /// standard deviation (dB).
    pub fn grid(
        &self,
        fields: &RadioFields,
        trend: &dyn Trend,
        not_heard_dbm: f64,
        geometry: &GridGeometry,
        include: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Surface>, InterpError> {
        let residuals = residuals(fields, trend, not_heard_dbm);
        let kriged = self.krige(fields, trend, &residuals, &|kriging, refs, _| {
            kriging
                .prepare(&fields.points)?
                .grid_many(refs, geometry, include)
        })?;
        Ok(kriged
            .into_iter()
            .zip(&fields.radios)
            .map(|(s, radio)| {
                let trend_grid = trend_grid(trend, &radio.key, geometry, include);
                let value = Grid::from_vec(
                    *geometry,
                    s.value
                        .values()
                        .iter()
                        .zip(trend_grid.values().iter())
                        .map(|(r, t)| r + t)
                        .collect(),
                );
                Surface {
                    value,
                    std_dev: s.std_dev,
                }
            })
            .collect())
    }

    /// Every radio of `fields` at `queries`.
    pub fn at(
        &self,
        fields: &RadioFields,
        trend: &dyn Trend,
        not_heard_dbm: f64,
        queries: &[ScatteredPoint],
    ) -> Result<Vec<Estimates>, InterpError> {
        self.at_wanted(fields, trend, not_heard_dbm, queries, &|_, _| true)
    }

    /// [`RegressionKriging::at`] for only the estimates `wanted(radio, query)` (the others may
    /// be NaN), as [`crate::Prepared::at_wanted`]: what cross-validation scores.
    pub fn at_wanted(
        &self,
        fields: &RadioFields,
        trend: &dyn Trend,
        not_heard_dbm: f64,
        queries: &[ScatteredPoint],
        wanted: &(dyn Fn(usize, usize) -> bool + Sync),
    ) -> Result<Vec<Estimates>, InterpError> {
        let residuals = residuals(fields, trend, not_heard_dbm);
        let kriged = self.krige(fields, trend, &residuals, &|kriging, refs, radios| {
            kriging
                .prepare(&fields.points)?
                .at_wanted(refs, queries, &|f, q| wanted(radios[f], q))
        })?;
        Ok(kriged
            .into_iter()
            .zip(&fields.radios)
            .map(|(mut e, radio)| {
                for (v, q) in e.value.iter_mut().zip(queries) {
                    *v += trend.at(&radio.key, q.x, q.y).unwrap_or(0.0) as f32;
                }
                e
            })
            .collect())
    }
}

/// Kriging of some radios' residuals: `(kriging, fields, radio index of each field)`.
type KrigeRun<'a, T> =
    dyn Fn(&OrdinaryKriging, &[&[f32]], &[usize]) -> Result<Vec<T>, InterpError> + 'a;

impl RegressionKriging {
    /// Kriges every radio's `residuals` with `run(kriging, fields, radios)` (`radios`: the
    /// radio index of each field handed over), returning the results in radio order. Unless
    /// [`OrdinaryKriging::variogram`] is set, the radios with a trend share one semivariogram
    /// fitted to all their residuals together ([`pooled_variogram`]); radios without one (their
    /// fields are raw signal, not residuals) keep a fit each.
    fn krige<T>(
        &self,
        fields: &RadioFields,
        trend: &dyn Trend,
        residuals: &[Vec<f32>],
        run: &KrigeRun<'_, T>,
    ) -> Result<Vec<T>, InterpError> {
        let pooled = match self.kriging.variogram {
            Some(_) => None,
            None => pooled_variogram(fields, trend, residuals, self.kriging.bins),
        };
        let Some(pooled) = pooled else {
            let refs: Vec<&[f32]> = residuals.iter().map(Vec::as_slice).collect();
            let all: Vec<usize> = (0..residuals.len()).collect();
            return run(&self.kriging, &refs, &all);
        };
        let (with, without): (Vec<usize>, Vec<usize>) =
            (0..residuals.len()).partition(|&r| has_trend(fields, trend, r));
        let mut out: Vec<Option<T>> = (0..residuals.len()).map(|_| None).collect();
        let shared = OrdinaryKriging {
            variogram: Some(pooled),
            ..self.kriging
        };
        for (kriging, radios) in [(&shared, &with), (&self.kriging, &without)] {
            if radios.is_empty() {
                continue;
            }
            let refs: Vec<&[f32]> = radios.iter().map(|&r| residuals[r].as_slice()).collect();
            for (r, t) in radios.iter().zip(run(kriging, &refs, radios)?) {
                out[*r] = Some(t);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }
}

/// Whether radio `r` of `fields` has a trend (the trend gives one for a radio everywhere or
/// nowhere, so the first scan decides).
fn has_trend(fields: &RadioFields, trend: &dyn Trend, r: usize) -> bool {
    fields
        .points
        .first()
        .is_some_and(|p| trend.at(&fields.radios[r].key, p.x, p.y).is_some())
}

/// One exponential semivariogram for the residuals of every radio with a trend: the empirical
/// semivariograms of each radio's residuals at the scans that heard it, pooled (each distance
/// class's pairs summed over the radios), then fitted as [`Variogram::fit`] fits one field's.
///
/// Why pooled: the residual is the shadowing and scan noise the model does not explain, a
/// property of the building rather than of one radio, and one radio's ~100 scans along a walk
/// are too few to fit it. Fitted per radio on the truth harness's floors (shadowing σ 5 dB over
/// 6 m, scan noise 2 dB), a third of the radios got sills of 90–700 dB² and ranges of 30–195 m
/// on a 60 m floor (an almost linear semivariogram, which carries a residual's gradient far into
/// rooms the walk never entered); pooled, the same walks give 7–22 m and 27–50 dB². Scans that
/// did not hear the radio are left out here: their stand-in residual says only that the signal
/// is lower than the model, not by how much. Each radio is sampled as the kriging samples a
/// field ([`crate::kriging::MAX_VARIOGRAM_SAMPLES`]). The cutoff is a third of the diagonal of
/// all scans' bounding box (gstat's default, as the kriging's). `None` when no radio with a
/// trend has a pair within it.
fn pooled_variogram(
    fields: &RadioFields,
    trend: &dyn Trend,
    residuals: &[Vec<f32>],
    bins: usize,
) -> Option<Variogram> {
    // With no more scans than a radio's semivariogram is estimated from, every radio takes
    // all the scans that heard it: their pairs are found once, with their distances, for every
    // radio (`HeardPairs`, the same bins as each radio's own sweep, bit for bit), instead of
    // one sweep per radio.
    let share = fields.points.len() <= MAX_VARIOGRAM_SAMPLES;
    pooled_variogram_by(fields, trend, residuals, bins, share)
}

/// [`pooled_variogram`], each radio's bins from the pairs shared by all (`share`, only when no
/// radio is subsampled) or from its own sweep (the reference the tests hold the shared pairs to).
fn pooled_variogram_by(
    fields: &RadioFields,
    trend: &dyn Trend,
    residuals: &[Vec<f32>],
    bins: usize,
    share: bool,
) -> Option<Variogram> {
    let (lo, hi) = fields.points.iter().fold(
        ([f64::INFINITY; 2], [f64::NEG_INFINITY; 2]),
        |(lo, hi), p| {
            (
                [lo[0].min(p.x), lo[1].min(p.y)],
                [hi[0].max(p.x), hi[1].max(p.y)],
            )
        },
    );
    let cutoff = (hi[0] - lo[0]).hypot(hi[1] - lo[1]) / 3.0;
    if cutoff.is_nan() || cutoff <= 0.0 || bins == 0 {
        return None;
    }
    let shared = (share && fields.points.len() <= MAX_VARIOGRAM_SAMPLES)
        .then(|| HeardPairs::new(&fields.points, cutoff, bins));
    let per_radio: Vec<Vec<LagBin>> = (0..residuals.len())
        .into_par_iter()
        .filter(|&r| has_trend(fields, trend, r))
        .map(|r| {
            if let Some(pairs) = &shared {
                let values: Vec<f64> = residuals[r].iter().map(|&v| v as f64).collect();
                return pairs.bins(&values, &fields.heard[r]);
            }
            let heard: Vec<usize> = (0..fields.points.len())
                .filter(|&s| fields.heard[r][s])
                .collect();
            let stride = heard.len().div_ceil(MAX_VARIOGRAM_SAMPLES).max(1);
            let (points, values): (Vec<ScatteredPoint>, Vec<f64>) = heard
                .iter()
                .step_by(stride)
                .map(|&s| (fields.points[s], residuals[r][s] as f64))
                .unzip();
            empirical(&points, &values, cutoff, bins)
        })
        .collect();
    let mut pooled = vec![
        LagBin {
            lag_m: 0.0,
            gamma: 0.0,
            pairs: 0
        };
        bins
    ];
    // A radio's bins are its non-empty lag classes only, so each goes to the class its mean lag
    // lies in (a class's mean lies inside it), not to the pooled bin at its place in the list:
    // a radio with no pair in a short class would otherwise shift every longer class down.
    let width = cutoff / bins as f64;
    for radio in &per_radio {
        for b in radio.iter().filter(|b| b.pairs > 0) {
            let p = &mut pooled[((b.lag_m / width) as usize).min(bins - 1)];
            let n = b.pairs as f64;
            p.lag_m += b.lag_m * n;
            p.gamma += b.gamma * n;
            p.pairs += b.pairs;
        }
    }
    for p in &mut pooled {
        if p.pairs > 0 {
            p.lag_m /= p.pairs as f64;
            p.gamma /= p.pairs as f64;
        }
    }
    Variogram::fit(&pooled)
}

/// `measured − trend` per radio and scan (see the module notes for scans that did not hear it).
fn residuals(fields: &RadioFields, trend: &dyn Trend, not_heard_dbm: f64) -> Vec<Vec<f32>> {
    fields
        .radios
        .par_iter()
        .enumerate()
        .map(|(r, radio)| {
            fields
                .points
                .iter()
                .enumerate()
                .map(|(s, p)| {
                    let v = fields.values[r][s] as f64;
                    match trend.at(&radio.key, p.x, p.y) {
                        None => v,
                        // Heard, or heard lately (a stale reading's level, over the floor).
                        Some(t) if fields.heard[r][s] || v > not_heard_dbm as f32 as f64 => v - t,
                        Some(t) => (not_heard_dbm - t).min(0.0),
                    }
                })
                .map(|x| x as f32)
                .collect()
        })
        .collect()
}

/// The trend of one radio on the included cells (0 where it has none, so the residual surface,
/// which then holds the field itself, passes through unchanged).
fn trend_grid(
    trend: &dyn Trend,
    radio: &RadioKey,
    geometry: &GridGeometry,
    include: &(dyn Fn(usize, usize) -> bool + Sync),
) -> Grid<f32> {
    let cols = geometry.cols();
    let values: Vec<f32> = (0..geometry.rows())
        .into_par_iter()
        .flat_map_iter(|r| {
            (0..cols).map(move |c| {
                if include(r, c) {
                    let p = geometry.centre(r, c);
                    trend.at(radio, p.x, p.y).unwrap_or(0.0) as f32
                } else {
                    0.0
                }
            })
        })
        .collect();
    Grid::from_vec(*geometry, values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::RadioInfo;
    use wisp_model::Band;

    /// A trend that falls 2 dB per metre from x = 0.
    struct Slope;
    impl Trend for Slope {
        fn at(&self, _: &RadioKey, x: f64, _: f64) -> Option<f64> {
            Some(-40.0 - 2.0 * x)
        }
    }

    fn fields(values: Vec<f32>, heard: Vec<bool>, points: Vec<ScatteredPoint>) -> RadioFields {
        RadioFields {
            used: (0..points.len()).collect(),
            points,
            radios: vec![RadioInfo {
                key: RadioKey {
                    ap: "a".into(),
                    band: Band::G5,
                    channel: 36,
                },
                bssids: vec![],
                ssids: vec![],
                noise_dbm: -95.0,
                strongest_dbm: -40.0,
                strongest_at: (0.0, 0.0),
                is_ours: true,
                unidentified: false,
            }],
            values: vec![values],
            heard: vec![heard],
        }
    }

    #[test]
    fn a_field_that_is_the_trend_plus_a_constant_is_reproduced_everywhere() {
        // Samples exactly on trend + 3 dB: the residual is 3 everywhere, kriging a constant
        // returns it, so the map is trend + 3 at every cell, far from the samples too.
        let points: Vec<ScatteredPoint> = (0..30)
            .map(|i| ScatteredPoint {
                x: (i % 10) as f64 * 1.5,
                y: (i / 10) as f64 * 2.0,
            })
            .collect();
        let values: Vec<f32> = points.iter().map(|p| (-37.0 - 2.0 * p.x) as f32).collect();
        let f = fields(values, vec![true; 30], points);
        let g = GridGeometry::new(-5.0, -5.0, 1.0, 1.0, 40, 20).unwrap();
        let s = RegressionKriging::default()
            .grid(&f, &Slope, -95.0, &g, &|_, _| true)
            .unwrap();
        for ((r, c), v) in s[0].value.indexed_iter() {
            let p = g.centre(r, c);
            assert!(
                (*v as f64 - (-37.0 - 2.0 * p.x)).abs() < 1e-3,
                "{r},{c}: {v}"
            );
        }
        // And at points, the same.
        let q = [ScatteredPoint { x: 30.0, y: 7.0 }];
        let e = RegressionKriging::default()
            .at(&f, &Slope, -95.0, &q)
            .unwrap();
        assert!((e[0].value[0] as f64 - (-37.0 - 60.0)).abs() < 1e-3);
    }

    #[test]
    fn not_heard_below_the_trend_says_nothing_above_it_pulls_down() {
        let points = vec![
            ScatteredPoint { x: 0.0, y: 0.0 },
            ScatteredPoint { x: 10.0, y: 0.0 },
            ScatteredPoint { x: 40.0, y: 0.0 },
        ];
        // Trend at x = 10: −60, at x = 40: −120. Neither scan heard the radio (−95 stand-in).
        let f = fields(vec![-40.0, -95.0, -95.0], vec![true, false, false], points);
        let r = residuals(&f, &Slope, -95.0);
        assert_eq!(r[0], vec![0.0, -35.0, 0.0]);
        // Without a trend the values pass through unchanged.
        assert_eq!(residuals(&f, &NoTrend, -95.0)[0], vec![-40.0, -95.0, -95.0]);
    }

    #[test]
    fn the_map_honours_the_measurements_and_follows_the_trend_between() {
        // Two scans off the trend by +4 and −4 dB, 30 m apart: at each scan the map equals the
        // measurement (exact interpolation, zero nugget); midway it is near the trend.
        let points = vec![
            ScatteredPoint { x: 0.0, y: 0.0 },
            ScatteredPoint { x: 30.0, y: 0.0 },
        ];
        let f = fields(vec![-36.0, -104.0], vec![true, true], points.clone());
        let rk = RegressionKriging {
            kriging: OrdinaryKriging {
                variogram: Some(crate::Variogram {
                    nugget: 0.0,
                    partial_sill: 16.0,
                    range_m: 3.0,
                }),
                ..Default::default()
            },
        };
        let mid = [points[0], points[1], ScatteredPoint { x: 15.0, y: 0.0 }];
        let e = rk.at(&f, &Slope, -95.0, &mid).unwrap();
        assert!((e[0].value[0] + 36.0).abs() < 1e-3);
        assert!((e[0].value[1] + 104.0).abs() < 1e-3);
        // Midway: the trend −70, and the residual's mean (0) by symmetry.
        assert!((e[0].value[2] + 70.0).abs() < 1e-3, "{}", e[0].value[2]);
        let sd = e[0].std_dev.as_ref().unwrap();
        assert!(sd[0] < 1e-3 && sd[2] > 3.9, "{sd:?}");
    }

    /// A trend for radio "a" only (radio "b" has none): 2 dB per metre from x = 0.
    struct OnlyA;
    impl Trend for OnlyA {
        fn at(&self, radio: &RadioKey, x: f64, _: f64) -> Option<f64> {
            (radio.ap == "a").then_some(-40.0 - 2.0 * x)
        }
    }

    /// Two radios "a" and "b" heard at pseudo-random places with pseudo-random values; `heard`
    /// drops every seventh scan of "a" and every fifth of "b".
    fn two_radios() -> RadioFields {
        let n = 60;
        let mut x = 12345u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<ScatteredPoint> = (0..n)
            .map(|_| ScatteredPoint {
                x: 30.0 * next(),
                y: 12.0 * next(),
            })
            .collect();
        let mut f = fields(
            points.iter().map(|p| (-50.0 - p.x) as f32).collect(),
            (0..n).map(|s| s % 7 != 3).collect(),
            points,
        );
        let mut b = f.radios[0].clone();
        b.key.ap = "b".into();
        f.radios.push(b);
        f.values
            .push((0..n).map(|_| (-70.0 + 10.0 * next()) as f32).collect());
        f.heard.push((0..n).map(|s| s % 5 != 1).collect());
        for v in &mut f.values[0] {
            *v += (6.0 * next()) as f32;
        }
        f
    }

    #[test]
    fn the_pooled_variogram_fits_every_trended_radios_heard_pairs_together() {
        let f = two_radios();
        // Both radios with a trend (Slope), so both pool.
        let res = residuals(&f, &Slope, -95.0);
        // At 60 classes of 0.18 m some radio has no pair in a short class: its longer classes
        // must still pool into their own bins.
        for bins in [15, 60] {
            let v = pooled_variogram(&f, &Slope, &res, bins).unwrap();
            // Brute force: every pair of scans that both heard the radio, over both radios,
            // classed by distance up to a third of the scans' bounding-box diagonal.
            let (xs, ys): (Vec<f64>, Vec<f64>) = f.points.iter().map(|p| (p.x, p.y)).unzip();
            let span = |v: &[f64]| {
                v.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
                    - v.iter().cloned().fold(f64::INFINITY, f64::min)
            };
            let cutoff = span(&xs).hypot(span(&ys)) / 3.0;
            let mut sum_h = vec![0.0; bins];
            let mut sum_sq = vec![0.0; bins];
            let mut count = vec![0usize; bins];
            for (r, res) in res.iter().enumerate() {
                for i in 0..f.points.len() {
                    for j in i + 1..f.points.len() {
                        if !(f.heard[r][i] && f.heard[r][j]) {
                            continue;
                        }
                        let (p, q) = (f.points[i], f.points[j]);
                        let h = (q.x - p.x).hypot(q.y - p.y);
                        if h == 0.0 || h > cutoff {
                            continue;
                        }
                        let b = ((h / (cutoff / bins as f64)) as usize).min(bins - 1);
                        sum_h[b] += h;
                        sum_sq[b] += (res[i] as f64 - res[j] as f64).powi(2);
                        count[b] += 1;
                    }
                }
            }
            let brute: Vec<crate::kriging::LagBin> = (0..bins)
                .map(|b| crate::kriging::LagBin {
                    lag_m: sum_h[b] / count[b].max(1) as f64,
                    gamma: sum_sq[b] / (2 * count[b].max(1)) as f64,
                    pairs: count[b],
                })
                .collect();
            let w = Variogram::fit(&brute).unwrap();
            for (a, b) in [
                (v.nugget, w.nugget),
                (v.partial_sill, w.partial_sill),
                (v.range_m, w.range_m),
            ] {
                assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{v:?} vs {w:?}");
            }
            // Radio "b" has no trend under OnlyA: only "a"'s pairs pool, so the fit differs.
            let only_a = pooled_variogram(&f, &OnlyA, &residuals(&f, &OnlyA, -95.0), bins).unwrap();
            assert_ne!(only_a, v);
        }
    }

    #[test]
    fn pooled_from_shared_pairs_equals_each_radios_own_sweep() {
        // Two radios heard at different scans (every seventh of "a" and every fifth of "b"
        // missing), a scan repeated at one position and two at one x: the shared pairs give
        // the same variogram, bit for bit, as each radio's own sweep of its heard scans.
        let mut f = two_radios();
        let (p3, p9) = (f.points[3], f.points[9]);
        f.points[10] = p3;
        f.points[11].x = p9.x;
        for trend in [&Slope as &dyn Trend, &OnlyA] {
            let res = residuals(&f, trend, -95.0);
            for bins in [1, 7, 15] {
                let shared = pooled_variogram_by(&f, trend, &res, bins, true);
                let own = pooled_variogram_by(&f, trend, &res, bins, false);
                assert!(shared.is_some());
                assert_eq!(shared, own, "{bins} bins");
                assert_eq!(pooled_variogram(&f, trend, &res, bins), own);
            }
        }
    }

    #[test]
    fn a_radio_without_a_trend_is_kriged_with_its_own_variogram_and_the_others_with_the_pooled_one()
    {
        let f = two_radios();
        let g = GridGeometry::new(0.0, 0.0, 2.0, 2.0, 15, 6).unwrap();
        let rk = RegressionKriging::default();
        let s = rk.grid(&f, &OnlyA, -95.0, &g, &|_, _| true).unwrap();
        // "b": plain ordinary kriging of its raw values, its variogram fitted alone.
        let b = OrdinaryKriging::default()
            .prepare(&f.points)
            .unwrap()
            .grid_many(&[f.values[1].as_slice()], &g, &|_, _| true)
            .unwrap();
        assert_eq!(s[1].value, b[0].value);
        // "a": the trend plus its residual kriged with the pooled variogram (of "a" alone here).
        let res = residuals(&f, &OnlyA, -95.0);
        let pooled = pooled_variogram(&f, &OnlyA, &res, 15).unwrap();
        let a = OrdinaryKriging {
            variogram: Some(pooled),
            ..Default::default()
        }
        .prepare(&f.points)
        .unwrap()
        .grid_many(&[res[0].as_slice()], &g, &|_, _| true)
        .unwrap();
        for ((r, c), v) in s[0].value.indexed_iter() {
            let p = g.centre(r, c);
            let want =
                a[0].value.values()[(r, c)] + OnlyA.at(&f.radios[0].key, p.x, p.y).unwrap() as f32;
            assert_eq!(*v, want, "{r},{c}");
        }
        // And at points, the same split.
        let q = [ScatteredPoint { x: 7.0, y: 3.0 }];
        let e = rk.at(&f, &OnlyA, -95.0, &q).unwrap();
        let eb = OrdinaryKriging::default()
            .prepare(&f.points)
            .unwrap()
            .at(&[f.values[1].as_slice()], &q)
            .unwrap();
        assert_eq!(e[1].value, eb[0].value);
    }
}
