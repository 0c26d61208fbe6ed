//! Cross-validation that leaves out whole stretches of the walk, and `auto`, which picks the
//! method that predicted them best.
//!
//! Leaving out one scan at a time flatters every method: its neighbours a metre along the walk
//! are still there and measured nearly the same thing, because shadow fading is correlated over
//! 6–10 m indoors (3GPP TR 38.901, shared/reference.md §2). What a heatmap must get right is the
//! space *between* walked paths. So samples are split, in walk order (their order in the survey),
//! into contiguous stretches of about [`CrossValidation::block_m`] metres of walking, 20 m by
//! default: two to three decorrelation lengths, so the middle of a left-out stretch is about one
//! decorrelation length from the nearest sample that remains. Stretches are dealt round-robin
//! to K folds (5 by default, the usual k-fold choice: each fit sees 80 % of the data). A walk that
//! comes back along the same corridor still leaves nearby samples in; that is the survey's
//! geometry, not the validation's.
//!
//! Each fold predicts every left-out scan from the other folds' scans, per radio, from the same
//! fields the layers interpolate ([`radio_fields`]: a scan that heard other radios but not R holds
//! the not-heard level for R). Only observations where the radio was heard are scored: a
//! not-heard stand-in is a censored value, not a measurement. Errors are predicted − measured, in
//! dB, summed per method overall and per band.

use crate::fields::{radio_fields, LayerOptions, RadioFields};
use crate::method::Interpolator;
use crate::methods::all_methods;
use crate::regression::{RegressionKriging, TrendFit};
use crate::{InterpError, InterpErrorKind, ScatteredPoint};
use wisp_model::Method;
use wisp_model::{Band, Sample};

/// How to cut the walk into folds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossValidation {
    /// Metres of walk per left-out stretch. 20 m: two to three shadow-fading decorrelation
    /// lengths (6–10 m indoors, 3GPP TR 38.901 via shared/reference.md §2).
    pub block_m: f64,
    /// Number of folds the stretches are dealt to, round-robin. 5, the customary k-fold choice.
    pub folds: usize,
}

impl Default for CrossValidation {
    fn default() -> Self {
        CrossValidation {
            block_m: 20.0,
            folds: 5,
        }
    }
}

/// Which stretch of walk and which fold each sample is in.
#[derive(Debug, Clone, PartialEq)]
pub struct Folds {
    /// Stretch of each sample, numbered along the walk from 0.
    pub block: Vec<usize>,
    /// Fold of each sample: its stretch's number modulo the fold count.
    pub fold: Vec<usize>,
    /// Number of stretches.
    pub blocks: usize,
}

/// Cuts a walk (positions in walk order) into stretches of `cv.block_m` metres of walking, each
/// starting at the first sample at least that far along the walk from the stretch's first sample,
/// and deals them round-robin to `cv.folds` folds.
pub fn walk_folds(points: &[ScatteredPoint], cv: &CrossValidation) -> Result<Folds, InterpError> {
    if !(cv.block_m.is_finite() && cv.block_m > 0.0) {
        return Err(InterpErrorKind::Parameter {
            name: "block_m",
            reason: "must be a positive number of metres",
        }
        .into());
    }
    if cv.folds < 2 {
        return Err(InterpErrorKind::Parameter {
            name: "folds",
            reason: "must be at least 2: one to leave out, one to predict from",
        }
        .into());
    }
    if let Some(index) = points
        .iter()
        .position(|p| !p.x.is_finite() || !p.y.is_finite())
    {
        return Err(InterpErrorKind::NotFinite { index }.into());
    }
    let mut block = Vec::with_capacity(points.len());
    let (mut walked, mut start, mut b) = (0.0f64, 0.0f64, 0usize);
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            let q = points[i - 1];
            walked += (p.x - q.x).hypot(p.y - q.y);
            if walked - start >= cv.block_m {
                b += 1;
                start = walked;
            }
        }
        block.push(b);
    }
    let blocks = if points.is_empty() { 0 } else { b + 1 };
    let fold = block.iter().map(|b| b % cv.folds).collect();
    Ok(Folds {
        block,
        fold,
        blocks,
    })
}

/// Errors of a set of predictions, accumulated so that floors and folds can be summed.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Number of scored predictions.
    pub n: usize,
    /// Σ (predicted − measured), dB.
    pub sum_err: f64,
    /// Σ (predicted − measured)², dB².
    pub sum_sq: f64,
}

impl Score {
    pub fn add(&mut self, err: f64) {
        self.n += 1;
        self.sum_err += err;
        self.sum_sq += err * err;
    }

    pub fn merge(&mut self, other: &Score) {
        self.n += other.n;
        self.sum_err += other.sum_err;
        self.sum_sq += other.sum_sq;
    }

    /// Root-mean-square error in dB; NaN with no predictions.
    pub fn rmse_db(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            (self.sum_sq / self.n as f64).sqrt()
        }
    }

    /// Mean of predicted − measured in dB (positive: the method is optimistic); NaN with none.
    pub fn bias_db(&self) -> f64 {
        if self.n == 0 {
            f64::NAN
        } else {
            self.sum_err / self.n as f64
        }
    }
}

/// One method's cross-validation scores.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodScore {
    pub method: Method,
    pub overall: Score,
    /// Per band, in band order; only bands with at least one scored prediction.
    pub bands: Vec<(Band, Score)>,
}

/// The outcome of [`cross_validate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// Scans used (those that heard a kept radio).
    pub samples: usize,
    /// Stretches of walk.
    pub blocks: usize,
    pub folds: usize,
    /// In the order the methods were given.
    pub methods: Vec<MethodScore>,
}

/// Two RMSEs closer than this are a tie: half the 0.01 dB the CLI prints, a difference nobody
/// can see and no reason to prefer a method.
pub const TIE_DB: f64 = 0.005;

impl Validation {
    /// Adds another floor's validation of the same methods (same order) to this one.
    pub fn merge(&mut self, other: &Validation) {
        self.samples += other.samples;
        self.blocks += other.blocks;
        for (m, o) in self.methods.iter_mut().zip(&other.methods) {
            debug_assert_eq!(m.method, o.method);
            m.overall.merge(&o.overall);
            for (band, s) in &o.bands {
                match m.bands.iter_mut().find(|b| b.0 == *band) {
                    Some(b) => b.1.merge(s),
                    None => m.bands.push((*band, *s)),
                }
            }
            m.bands.sort_by_key(|b| b.0);
        }
    }

    /// What `auto` picks: the lowest overall RMSE; on a tie (within [`TIE_DB`]) the method that
    /// comes first in [`Method::ALL`] (idw, natural, kriging, spline, nearest, model). None if no method
    /// scored any prediction.
    pub fn best(&self) -> Option<&MethodScore> {
        let rank = |m: &MethodScore| Method::ALL.iter().position(|n| *n == m.method);
        let mut ordered: Vec<&MethodScore> = self
            .methods
            .iter()
            .filter(|m| m.overall.n > 0 && m.overall.rmse_db().is_finite())
            .collect();
        ordered.sort_by_key(|m| rank(m));
        let mut best: Option<&MethodScore> = None;
        for m in ordered {
            match best {
                Some(b) if m.overall.rmse_db() >= b.overall.rmse_db() - TIE_DB => {}
                _ => best = Some(m),
            }
        }
        best
    }
}

/// Cross-validates each of `methods` on one floor's samples (in walk order).
pub fn cross_validate(
    samples: &[Sample],
    methods: &[&dyn Interpolator],
    opts: &LayerOptions,
    cv: &CrossValidation,
) -> Result<Validation, InterpError> {
    cross_validate_with(samples, methods, None, opts, cv)
}

/// [`cross_validate`], and with `model` also method `model` (regression kriging), scored after
/// `methods`: on each fold the trend is refitted on the training scans only
/// ([`TrendFit::fit`]), so the left-out stretch informs neither the model nor the kriging.
pub fn cross_validate_with(
    samples: &[Sample],
    methods: &[&dyn Interpolator],
    model: Option<&dyn TrendFit>,
    opts: &LayerOptions,
    cv: &CrossValidation,
) -> Result<Validation, InterpError> {
    let fields = radio_fields(samples, opts)?;
    let folds = walk_folds(&fields.points, cv)?;
    if folds.blocks < 2 {
        return Err(InterpErrorKind::Parameter {
            name: "block_m",
            reason: "the walk is shorter than two stretches: nothing to leave out",
        }
        .into());
    }
    let bands: Vec<Band> = fields.radios.iter().map(|r| r.key.band).collect();
    let mut scores: Vec<MethodScore> = methods
        .iter()
        .map(|m| m.method())
        .chain(model.map(|_| Method::Model))
        .map(|method| MethodScore {
            method,
            overall: Score::default(),
            bands: Vec::new(),
        })
        .collect();
    for f in 0..cv.folds {
        let (test, train): (Vec<usize>, Vec<usize>) =
            (0..fields.points.len()).partition(|&i| folds.fold[i] == f);
        if test.is_empty() || train.is_empty() {
            continue;
        }
        let train_points: Vec<ScatteredPoint> = train.iter().map(|&i| fields.points[i]).collect();
        let test_points: Vec<ScatteredPoint> = test.iter().map(|&i| fields.points[i]).collect();
        let train_values: Vec<Vec<f32>> = fields
            .values
            .iter()
            .map(|v| train.iter().map(|&i| v[i]).collect())
            .collect();
        let refs: Vec<&[f32]> = train_values.iter().map(|v| v.as_slice()).collect();
        // Only what is scored is predicted: radio r at the left-out scans that heard it.
        let wanted = |r: usize, j: usize| fields.heard[r][test[j]];
        let mut predictions = Vec::with_capacity(scores.len());
        for m in methods {
            predictions.push(
                m.prepare(&train_points)?
                    .at_wanted(&refs, &test_points, &wanted)?,
            );
        }
        if let Some(model) = model {
            let train_samples: Vec<Sample> = train
                .iter()
                .map(|&i| samples[fields.used[i]].clone())
                .collect();
            let trend = model.fit(&train_samples);
            let train_fields = RadioFields {
                used: train.iter().map(|&i| fields.used[i]).collect(),
                points: train_points.clone(),
                radios: fields.radios.clone(),
                values: train_values.clone(),
                heard: fields
                    .heard
                    .iter()
                    .map(|h| train.iter().map(|&i| h[i]).collect())
                    .collect(),
            };
            predictions.push(RegressionKriging::default().at_wanted(
                &train_fields,
                trend.as_ref(),
                opts.not_heard_dbm,
                &test_points,
                &wanted,
            )?);
        }
        for (predicted, score) in predictions.iter().zip(scores.iter_mut()) {
            for (r, est) in predicted.iter().enumerate() {
                for (j, &i) in test.iter().enumerate() {
                    if !fields.heard[r][i] {
                        continue;
                    }
                    let err = est.value[j] as f64 - fields.values[r][i] as f64;
                    score.overall.add(err);
                    match score.bands.iter_mut().find(|b| b.0 == bands[r]) {
                        Some(b) => b.1.add(err),
                        None => {
                            let mut s = Score::default();
                            s.add(err);
                            score.bands.push((bands[r], s));
                        }
                    }
                }
            }
        }
    }
    for s in &mut scores {
        s.bands.sort_by_key(|b| b.0);
    }
    Ok(Validation {
        samples: fields.points.len(),
        blocks: folds.blocks,
        folds: cv.folds,
        methods: scores,
    })
}

/// Cross-validates each of `methods` on one field of scattered points, in the order given (a
/// walk's order when the points come from one; otherwise the stretches are arbitrary groups),
/// on the same walk-out folds as [`cross_validate`]: what `wisp grid --method auto` picks by.
/// Every point counts (there is no "not heard" here); the scores have no bands.
pub fn cross_validate_points(
    points: &[ScatteredPoint],
    values: &[f32],
    methods: &[&dyn Interpolator],
    cv: &CrossValidation,
) -> Result<Validation, InterpError> {
    if points.len() != values.len() {
        return Err(InterpErrorKind::Parameter {
            name: "values",
            reason: "must hold one value per point",
        }
        .into());
    }
    let folds = walk_folds(points, cv)?;
    if folds.blocks < 2 {
        return Err(InterpErrorKind::Parameter {
            name: "block_m",
            reason: "the points span less than two stretches: nothing to leave out",
        }
        .into());
    }
    let mut scores: Vec<MethodScore> = methods
        .iter()
        .map(|m| MethodScore {
            method: m.method(),
            overall: Score::default(),
            bands: Vec::new(),
        })
        .collect();
    for f in 0..cv.folds {
        let (test, train): (Vec<usize>, Vec<usize>) =
            (0..points.len()).partition(|&i| folds.fold[i] == f);
        if test.is_empty() || train.is_empty() {
            continue;
        }
        let train_points: Vec<ScatteredPoint> = train.iter().map(|&i| points[i]).collect();
        let test_points: Vec<ScatteredPoint> = test.iter().map(|&i| points[i]).collect();
        let train_values: Vec<f32> = train.iter().map(|&i| values[i]).collect();
        for (m, score) in methods.iter().zip(scores.iter_mut()) {
            let predicted = m
                .prepare(&train_points)?
                .at(&[&train_values], &test_points)?;
            for (j, &i) in test.iter().enumerate() {
                score
                    .overall
                    .add(predicted[0].value[j] as f64 - values[i] as f64);
            }
        }
    }
    Ok(Validation {
        samples: points.len(),
        blocks: folds.blocks,
        folds: cv.folds,
        methods: scores,
    })
}

/// `auto`'s choice and the scores behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct Auto {
    /// The chosen method.
    pub method: Method,
    pub validation: Validation,
}

/// Cross-validates every method with its defaults and picks one ([`Validation::best`]).
pub fn auto(
    samples: &[Sample],
    opts: &LayerOptions,
    cv: &CrossValidation,
) -> Result<Auto, InterpError> {
    auto_with(samples, None, opts, cv)
}

/// [`auto`], with method `model` among the candidates when a trend can be fitted (`model`).
pub fn auto_with(
    samples: &[Sample],
    model: Option<&dyn TrendFit>,
    opts: &LayerOptions,
    cv: &CrossValidation,
) -> Result<Auto, InterpError> {
    let methods = all_methods();
    let refs: Vec<&dyn Interpolator> = methods.iter().map(|m| m.as_ref()).collect();
    let validation = cross_validate_with(samples, &refs, model, opts, cv)?;
    let method = validation
        .best()
        .map(|m| m.method)
        .ok_or(InterpErrorKind::NoSamples)?;
    Ok(Auto { method, validation })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Nearest;
    use wisp_model::{Channel, Observation};

    fn obs(bssid: &str, freq: u32, rssi: f64) -> Observation {
        Observation::new(
            bssid.parse().unwrap(),
            Some("NHS".into()),
            Channel::from_freq(freq).unwrap(),
            rssi,
            None,
        )
        .unwrap()
    }

    fn sample(x: f64, y: f64, o: Vec<Observation>) -> Sample {
        Sample {
            x_m: x,
            y_m: y,
            t: None,
            source: "test".into(),
            observations: o,
            stale: Vec::new(),
        }
    }

    #[test]
    fn stretches_are_contiguous_and_never_split_across_folds() {
        // A straight walk along x, one scan every 0.5 m for 200 m.
        let pts: Vec<ScatteredPoint> = (0..400)
            .map(|i| ScatteredPoint {
                x: i as f64 * 0.5,
                y: 3.0,
            })
            .collect();
        let cv = CrossValidation::default();
        let f = walk_folds(&pts, &cv).unwrap();
        assert_eq!(f.blocks, 10);
        for (i, p) in pts.iter().enumerate() {
            // Hand rule: 20 m stretches starting at x = 0, 20, 40, …
            let b = (p.x / 20.0).floor() as usize;
            assert_eq!(f.block[i], b, "sample {i}");
            assert_eq!(f.fold[i], b % 5);
        }
        // Within a stretch one fold; along the walk, stretch numbers never decrease.
        assert!(f.block.windows(2).all(|w| w[1] == w[0] || w[1] == w[0] + 1));
        // A left-out scan's nearest remaining scan is beyond its stretch's ends: at x in
        // [20b, 20b + 19.5] the nearest kept scans are at 20b − 0.5 and 20b + 20 (brute force).
        for fold in 0..5 {
            let kept: Vec<f64> = pts
                .iter()
                .zip(&f.fold)
                .filter(|(_, g)| **g != fold)
                .map(|(p, _)| p.x)
                .collect();
            let mut farthest = 0.0f64;
            for (p, b) in pts.iter().zip(&f.block).filter(|(_, b)| *b % 5 == fold) {
                let near = kept
                    .iter()
                    .map(|x| (x - p.x).abs())
                    .fold(f64::INFINITY, f64::min);
                let (lo, hi) = (20.0 * *b as f64 - 0.5, 20.0 * *b as f64 + 20.0);
                let mut want = f64::INFINITY;
                if lo >= 0.0 {
                    want = want.min(p.x - lo);
                }
                if hi <= 199.5 {
                    want = want.min(hi - p.x);
                }
                assert_eq!(near, want, "x = {}", p.x);
                farthest = farthest.max(near);
            }
            // The middle of a stretch is about half a stretch (10 m) from any kept scan.
            assert!(farthest >= 10.0, "fold {fold}: {farthest}");
        }
    }

    #[test]
    fn jumps_count_as_walking_and_bad_parameters_are_refused() {
        let p = |x| ScatteredPoint { x, y: 0.0 };
        let f = walk_folds(
            &[p(0.0), p(5.0), p(100.0), p(101.0)],
            &CrossValidation {
                block_m: 10.0,
                folds: 2,
            },
        )
        .unwrap();
        assert_eq!(f.block, vec![0, 0, 1, 1]);
        assert_eq!(f.fold, vec![0, 0, 1, 1]);
        for cv in [
            CrossValidation {
                block_m: 0.0,
                folds: 5,
            },
            CrossValidation {
                block_m: f64::NAN,
                folds: 5,
            },
            CrossValidation {
                block_m: 20.0,
                folds: 1,
            },
        ] {
            assert!(walk_folds(&[p(0.0)], &cv).is_err(), "{cv:?}");
        }
    }

    #[test]
    fn a_constant_field_is_predicted_without_error_by_every_method() {
        let s: Vec<Sample> = (0..120)
            .map(|i| {
                let t = i as f64 * 0.8;
                sample(
                    t,
                    5.0 + 4.0 * (t / 7.0).sin(),
                    vec![
                        obs("02:00:00:00:01:01", 5180, -61.0),
                        obs("02:00:00:00:02:01", 2412, -72.0),
                    ],
                )
            })
            .collect();
        let a = auto(&s, &LayerOptions::default(), &CrossValidation::default()).unwrap();
        assert_eq!(a.validation.methods.len(), Method::POINT.len());
        for m in &a.validation.methods {
            // Every scan heard both radios, all of them are scored.
            assert_eq!(m.overall.n, 240, "{}", m.method);
            assert!(
                m.overall.rmse_db() < 1e-4,
                "{} {}",
                m.method,
                m.overall.rmse_db()
            );
            assert_eq!(m.bands.len(), 2);
        }
        assert_eq!(a.method, Method::Idw, "a four-way tie goes to idw");
    }

    #[test]
    fn a_small_case_by_hand() {
        // Four scans 10 m apart on a line, 10 m stretches, 2 folds: folds 0,1,0,1.
        // Radio A (5 GHz) heard everywhere: −50, −60, −70, −80.
        // Radio B (2.4 GHz) heard at scans 1 and 2 only: −70, −75 (−95 stand-in elsewhere).
        let a = |v| obs("02:00:00:00:01:01", 5180, v);
        let b = |v| obs("02:00:00:00:02:01", 2412, v);
        let s = vec![
            sample(0.0, 0.0, vec![a(-50.0)]),
            sample(10.0, 0.0, vec![a(-60.0), b(-70.0)]),
            sample(20.0, 0.0, vec![a(-70.0), b(-75.0)]),
            sample(30.0, 0.0, vec![a(-80.0)]),
        ];
        let cv = CrossValidation {
            block_m: 10.0,
            folds: 2,
        };
        let v = cross_validate(&s, &[&Nearest], &LayerOptions::default(), &cv).unwrap();
        // Nearest, ties to the earlier scan:
        //   fold 0 leaves out scans 0, 2; kept 1, 3. A: 0 ← 1: −60 − (−50) = −10;
        //     2 ← 1 (tie with 3): −60 − (−70) = +10. B: 2 ← 1: −70 − (−75) = +5; 0 not heard.
        //   fold 1 leaves out 1, 3; kept 0, 2. A: 1 ← 0 (tie): −50 − (−60) = +10;
        //     3 ← 2: −70 − (−80) = +10. B: 1 ← 0 (tie): −95 − (−70) = −25; 3 not heard.
        let m = &v.methods[0];
        assert_eq!((v.samples, v.blocks, v.folds), (4, 4, 2));
        assert_eq!(m.overall.n, 6);
        assert!((m.overall.bias_db() - 0.0).abs() < 1e-9);
        assert!((m.overall.rmse_db() - (1050.0f64 / 6.0).sqrt()).abs() < 1e-9);
        assert_eq!(m.bands[0].0, Band::G2_4);
        assert_eq!(m.bands[0].1.n, 2);
        assert!((m.bands[0].1.rmse_db() - 325f64.sqrt()).abs() < 1e-9);
        assert!((m.bands[0].1.bias_db() + 10.0).abs() < 1e-9);
        assert_eq!(m.bands[1].0, Band::G5);
        assert!((m.bands[1].1.rmse_db() - 10.0).abs() < 1e-9);
        assert!((m.bands[1].1.bias_db() - 5.0).abs() < 1e-9);
    }

    #[test]
    fn best_takes_the_lowest_rmse_and_breaks_ties_by_preference() {
        let score = |rmse: f64| Score {
            n: 1,
            sum_err: 0.0,
            sum_sq: rmse * rmse,
        };
        let v = |r: [f64; 4]| Validation {
            samples: 1,
            blocks: 1,
            folds: 2,
            // Deliberately not in preference order.
            methods: [
                Method::Nearest,
                Method::Kriging,
                Method::Idw,
                Method::Natural,
            ]
            .iter()
            .zip(r)
            .map(|(m, r)| MethodScore {
                method: *m,
                overall: score(r),
                bands: vec![],
            })
            .collect(),
        };
        assert_eq!(
            v([3.0, 4.0, 5.0, 4.5]).best().unwrap().method,
            Method::Nearest
        );
        // natural 4.0 beats idw 5.0; kriging 4.0 and nearest 3.999 only tie with it.
        assert_eq!(
            v([3.999, 4.0, 5.0, 4.0]).best().unwrap().method,
            Method::Natural
        );
        assert_eq!(v([4.0, 4.0, 4.0, 4.0]).best().unwrap().method, Method::Idw);
        let mut none = v([1.0; 4]);
        none.methods
            .iter_mut()
            .for_each(|m| m.overall = Score::default());
        assert!(none.best().is_none());
    }

    #[test]
    fn floors_merge_by_summing() {
        let mut a = Score::default();
        a.add(3.0);
        let mut b = Score::default();
        b.add(-1.0);
        b.add(1.0);
        a.merge(&b);
        assert_eq!(a.n, 3);
        assert!((a.rmse_db() - (11.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!((a.bias_db() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn points_are_cross_validated_on_walk_out_folds_by_hand() {
        // Ten points 10 m apart on a line, values 0, 10, 20, …: with 20 m stretches and 2 folds,
        // stretches are {0,1}, {2,3}, … dealt to folds 0,1,0,1,0. Nearest sample predicts a
        // left-out point from the nearest training point: fold 0 leaves out 0,1,4,5,8,9 and
        // trains on 2,3,6,7 (errors 20,10,10,10,10,20 dB: the ends are two steps from a
        // training point); fold 1 leaves out 2,3,6,7 (errors 10 each). RMSE = √(1600/10).
        let points: Vec<ScatteredPoint> = (0..10)
            .map(|i| ScatteredPoint {
                x: 10.0 * i as f64,
                y: 0.0,
            })
            .collect();
        let values: Vec<f32> = (0..10).map(|i| 10.0 * i as f32).collect();
        let cv = CrossValidation {
            block_m: 20.0,
            folds: 2,
        };
        let nearest = Nearest;
        let v = cross_validate_points(&points, &values, &[&nearest], &cv).unwrap();
        assert_eq!(v.blocks, 5);
        assert_eq!(v.methods[0].overall.n, 10);
        assert!((v.methods[0].overall.rmse_db() - 160f64.sqrt()).abs() < 1e-9);
        // A constant field is predicted exactly by every method.
        let flat = vec![-60.0f32; 10];
        let methods = all_methods();
        let refs: Vec<&dyn Interpolator> = methods.iter().map(|m| m.as_ref()).collect();
        let v = cross_validate_points(&points, &flat, &refs, &cv).unwrap();
        for m in &v.methods {
            assert!(
                m.overall.rmse_db() < 1e-3,
                "{}: {}",
                m.method,
                m.overall.rmse_db()
            );
        }
        assert!(cross_validate_points(&points, &flat[..3], &refs, &cv).is_err());
    }
}
