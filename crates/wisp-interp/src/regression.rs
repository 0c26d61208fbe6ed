//! Regression kriging: a physical trend per radio, with the residual kriged.
//!
//! The trend is whatever the caller knows about how a radio's signal falls across the floor —
//! in wisp, the calibrated propagation model (`wisp_plan::radio_map`: the AP's position, the
//! fitted exponent and power, every wall between with its loss). This crate does not know the
//! model; it receives it as data, through [`Trend`] (a value per radio and place) and, for
//! cross-validation, [`TrendFit`] (refit the trend on a training subset of the walk).
//!
//! Per radio, the residual `measured − trend` at every scan is kriged ordinary-kriging-style
//! ([`OrdinaryKriging`], its exponential semivariogram fitted to the residuals), and the map is
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
use crate::method::{Estimates, Interpolator, Surface};
use crate::{InterpError, OrdinaryKriging, ScatteredPoint};
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
        let refs: Vec<&[f32]> = residuals.iter().map(|r| r.as_slice()).collect();
        let kriged = self
            .kriging
            .prepare(&fields.points)?
            .grid_many(&refs, geometry, include)?;
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
        let refs: Vec<&[f32]> = residuals.iter().map(|r| r.as_slice()).collect();
        let kriged = self
            .kriging
            .prepare(&fields.points)?
            .at_wanted(&refs, queries, wanted)?;
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
                        Some(t) if fields.heard[r][s] => v - t,
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
}
