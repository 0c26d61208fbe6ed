//! Spatially correlated shadow fading.
//!
//! Shadowing is log-normal with σ ≈ 4–8 dB indoors and correlated over about 6–10 m (3GPP TR
//! 38.901 indoor hotspot: 8 dB over 6 m without line of sight; shared/reference.md §2). The field
//! is a sum of random Fourier features: `X(p) = σ·√(2/M)·Σ cos(ωₘ·p + φₘ)` with `ωₘ` drawn from a
//! Gaussian of standard deviation `1/L` and `φₘ` uniform. Its covariance tends to
//! `σ²·exp(−d²/2L²)` — a Gaussian correlation whose 1/e distance is `√2·L` — and it is smooth,
//! stationary, defined everywhere without a grid, and fully determined by the seed.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use wisp_model::Point;

/// Fourier features per field; 64 gives a field close to Gaussian at negligible cost.
const FEATURES: usize = 64;

/// One shadow-fading field (one per transmitter).
#[derive(Debug, Clone)]
pub struct ShadowField {
    sigma_db: f64,
    /// (ωx, ωy, φ) per feature.
    features: Vec<(f64, f64, f64)>,
}

impl ShadowField {
    /// A field with standard deviation `sigma_db` whose correlation falls to 1/e over
    /// `decorrelation_m`, drawn from `seed`.
    pub fn new(sigma_db: f64, decorrelation_m: f64, seed: u64) -> ShadowField {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let length = (decorrelation_m / std::f64::consts::SQRT_2).max(1e-6);
        let features = (0..FEATURES)
            .map(|_| {
                let wx: f64 = StandardNormal.sample(&mut rng);
                let wy: f64 = StandardNormal.sample(&mut rng);
                let phase = rng.random::<f64>() * std::f64::consts::TAU;
                (wx / length, wy / length, phase)
            })
            .collect();
        ShadowField { sigma_db, features }
    }

    /// The fading in dB at `p`.
    pub fn at(&self, p: Point) -> f64 {
        let s: f64 = self
            .features
            .iter()
            .map(|(wx, wy, ph)| (wx * p.x + wy * p.y + ph).cos())
            .sum();
        self.sigma_db * (2.0 / FEATURES as f64).sqrt() * s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corr(fields: &[ShadowField], d: f64) -> (f64, f64) {
        // Over many independent fields and places: sample variance and correlation at lag d.
        let (mut sxx, mut sxy, mut n) = (0.0, 0.0, 0.0);
        for f in fields {
            for i in 0..40 {
                let p = Point::new(i as f64 * 37.0, (i % 7) as f64 * 53.0);
                let (a, b) = (f.at(p), f.at(Point::new(p.x + d, p.y)));
                sxx += a * a;
                sxy += a * b;
                n += 1.0;
            }
        }
        (sxx / n, sxy / sxx)
    }

    #[test]
    fn has_the_stated_sigma_and_correlation() {
        let fields: Vec<ShadowField> = (0..200).map(|s| ShadowField::new(5.0, 6.0, s)).collect();
        let (var, _) = corr(&fields, 0.0);
        assert!((var.sqrt() - 5.0).abs() < 0.5, "sigma {}", var.sqrt());
        let (_, r6) = corr(&fields, 6.0);
        assert!(
            (r6 - (-1.0f64).exp()).abs() < 0.12,
            "correlation at 6 m {r6}"
        );
        let (_, r1) = corr(&fields, 1.0);
        assert!(r1 > 0.9, "nearby points are alike: {r1}");
        let (_, r30) = corr(&fields, 30.0);
        assert!(r30.abs() < 0.12, "far points are independent: {r30}");
    }

    #[test]
    fn same_seed_same_field() {
        let p = Point::new(3.3, 7.1);
        assert_eq!(
            ShadowField::new(5.0, 6.0, 42).at(p),
            ShadowField::new(5.0, 6.0, 42).at(p)
        );
        assert_ne!(
            ShadowField::new(5.0, 6.0, 42).at(p),
            ShadowField::new(5.0, 6.0, 43).at(p)
        );
    }
}
