//! Dead zones with confidence: how likely each cell is to fail, from the map's estimate and its
//! standard deviation.
//!
//! A radio map that carries a standard deviation per cell (method `model`, or kriging) says not
//! only "−67 dBm here" but "−67 ± 4 dB". Taking the true level as normal about the estimate,
//! the probability that a "at least T" criterion fails is `Φ((T − estimate) / σ)`. A cell is
//! **dead** when failing is more likely than not (above [`DEAD_PROBABILITY`]) — exactly the cells
//! whose estimate is below the threshold, so a verdict never changes because a σ was added —
//! and **at risk** when it is at least [`AT_RISK_PROBABILITY`] likely but not dead. At-risk
//! regions are reported apart and never count as dead zones in a verdict.
//!
//! A cell beyond the survey range is not judged ("not surveyed"), unless the map's σ there is
//! under the profile's margin ([`judged`]): the model is then sure enough without a scan nearby.
//! [`crate::evaluate`] applies all this per zone and criterion.

use serde::{Deserialize, Serialize};

/// Above this probability of failing a cell is dead: more likely than not (issue 14).
pub const DEAD_PROBABILITY: f64 = 0.5;
/// From this probability of failing a cell is at risk: one chance in five (issue 14; about the
/// estimate being within 0.84 σ above the threshold).
pub const AT_RISK_PROBABILITY: f64 = 0.2;

/// How sure the map is that a failing region fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Failing is more likely than not.
    Dead,
    /// Failing is at least 20 % likely, but not more likely than not.
    AtRisk,
}

impl Confidence {
    /// The name in tables and in GeoJSON's `"confidence"` property.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Dead => "dead",
            Confidence::AtRisk => "at-risk",
        }
    }

    /// The class of a cell that fails with probability `p` (None: neither).
    pub fn of(p: f64) -> Option<Confidence> {
        if p > DEAD_PROBABILITY {
            Some(Confidence::Dead)
        } else if p >= AT_RISK_PROBABILITY {
            Some(Confidence::AtRisk)
        } else {
            None
        }
    }
}

/// The standard normal distribution function Φ(z).
pub fn normal_cdf(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// The complementary error function, by the Chebyshev fit of Press et al., *Numerical Recipes*
/// (2nd ed., §6.2, `erfcc`): fractional error under 1.2e-7 everywhere, ample for a probability
/// compared with 0.2 and 0.5.
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Probability that a criterion "value ≥ `threshold`" fails where the map says `estimate` with
/// standard deviation `sd`. Without a usable deviation (NaN, zero or negative) the estimate is
/// taken as certain: 1 below the threshold, 0 at or above it (a value at the threshold passes).
/// NaN estimate: NaN.
pub fn fail_probability(estimate: f64, sd: f64, threshold: f64) -> f64 {
    if estimate.is_nan() {
        return f64::NAN;
    }
    if !(sd.is_finite() && sd > 0.0) {
        return if estimate < threshold { 1.0 } else { 0.0 };
    }
    let p = normal_cdf((threshold - estimate) / sd);
    // Φ's approximation is good to 1.2e-7, not exactly 0.5 at 0: keep "dead" exactly the
    // estimates below the threshold, as the module promises.
    if estimate < threshold {
        p.max(0.5 + f64::EPSILON)
    } else {
        p.min(0.5)
    }
}

/// Whether a cell is judged: surveyed (within the survey range of a scan), or unsurveyed but
/// with the map's standard deviation under `margin_db`, the profile's design margin.
pub fn judged(surveyed: bool, sd: f32, margin_db: f64) -> bool {
    surveyed || (sd.is_finite() && (sd as f64) < margin_db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_cdf_matches_tabulated_values() {
        // Φ from standard tables (Abramowitz & Stegun 26.2).
        for (z, want) in [
            (0.0, 0.5),
            (1.0, 0.841_344_746),
            (-1.0, 0.158_655_254),
            (1.959_964, 0.975),
            (-0.841_621, 0.2),
            (3.0, 0.998_650_102),
            (-5.0, 2.866_515_7e-7),
        ] {
            let got = normal_cdf(z);
            assert!((got - want).abs() < 2e-7, "Φ({z}) = {got}, want {want}");
        }
    }

    #[test]
    fn probability_and_classes() {
        // −67 ± 4 against −65: z = 0.5, Φ = 0.6915 → dead.
        let p = fail_probability(-67.0, 4.0, -65.0);
        assert!((p - 0.691_462).abs() < 1e-5, "{p}");
        assert_eq!(Confidence::of(p), Some(Confidence::Dead));
        // −62 ± 4: z = −0.75, Φ = 0.2266 → at risk.
        let p = fail_probability(-62.0, 4.0, -65.0);
        assert!((p - 0.226_627).abs() < 1e-5, "{p}");
        assert_eq!(Confidence::of(p), Some(Confidence::AtRisk));
        // −60 ± 4: z = −1.25, Φ = 0.1056 → fine.
        assert_eq!(Confidence::of(fail_probability(-60.0, 4.0, -65.0)), None);
        // Exactly at the threshold: 0.5, not more likely than not: at risk, not dead.
        assert_eq!(
            Confidence::of(fail_probability(-65.0, 4.0, -65.0)),
            Some(Confidence::AtRisk)
        );
        // No deviation: certain either way; the threshold itself passes.
        assert_eq!(fail_probability(-65.0, f64::NAN, -65.0), 0.0);
        assert_eq!(fail_probability(-65.1, 0.0, -65.0), 1.0);
        assert!(fail_probability(f64::NAN, 3.0, -65.0).is_nan());
        // Dead exactly where the estimate is below the threshold, whatever σ.
        for e in [-80.0, -65.5, -65.0, -64.5, -50.0] {
            for sd in [0.5, 3.0, 10.0] {
                let dead = Confidence::of(fail_probability(e, sd, -65.0)) == Some(Confidence::Dead);
                assert_eq!(dead, e < -65.0, "{e} ± {sd}");
            }
        }
    }

    #[test]
    fn unsurveyed_cells_are_judged_only_when_the_model_is_sure() {
        assert!(judged(true, f32::NAN, 3.0));
        assert!(!judged(false, f32::NAN, 3.0));
        assert!(judged(false, 2.5, 3.0));
        assert!(!judged(false, 3.0, 3.0));
    }

    #[test]
    fn names_are_those_of_tables_and_geojson() {
        assert_eq!(Confidence::Dead.name(), "dead");
        assert_eq!(Confidence::AtRisk.name(), "at-risk");
        assert_eq!(
            serde_json::to_string(&Confidence::AtRisk).unwrap(),
            "\"at-risk\""
        );
        assert_eq!(
            serde_json::to_string(&Confidence::Dead).unwrap(),
            "\"dead\""
        );
    }
}
