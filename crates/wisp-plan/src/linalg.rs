//! Solving small dense linear systems: Gaussian elimination with partial pivoting.
//!
//! The calibration's normal equations have one unknown per measured radio plus the exponent, a
//! few dozen at most, so an O(m³) dense solve is instant and needs no BLAS.

/// Solves `a · x = b` for square `a` (row-major, `m × m`). `None` when the system is singular
/// (a pivot below `1e-12` of the largest entry) or the sizes disagree.
pub fn solve(a: &[f64], b: &[f64]) -> Option<Vec<f64>> {
    let m = b.len();
    if a.len() != m * m {
        return None;
    }
    let mut a = a.to_vec();
    let mut x = b.to_vec();
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    for col in 0..m {
        let pivot =
            (col..m).max_by(|&i, &j| a[i * m + col].abs().total_cmp(&a[j * m + col].abs()))?;
        if a[pivot * m + col].abs() <= 1e-12 * scale || a[pivot * m + col].is_nan() {
            return None;
        }
        if pivot != col {
            for k in 0..m {
                a.swap(pivot * m + k, col * m + k);
            }
            x.swap(pivot, col);
        }
        for row in col + 1..m {
            let f = a[row * m + col] / a[col * m + col];
            if f == 0.0 {
                continue;
            }
            for k in col..m {
                a[row * m + k] -= f * a[col * m + k];
            }
            x[row] -= f * x[col];
        }
    }
    for col in (0..m).rev() {
        let mut v = x[col];
        for k in col + 1..m {
            v -= a[col * m + k] * x[k];
        }
        x[col] = v / a[col * m + col];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_hand_computed_system() {
        // 2x + y = 5, x + 3y = 10  →  x = 1, y = 3.
        let x = solve(&[2.0, 1.0, 1.0, 3.0], &[5.0, 10.0]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 3.0).abs() < 1e-12);
        // Needs a row swap: 0x + y = 2, x + y = 3  →  x = 1, y = 2.
        let x = solve(&[0.0, 1.0, 1.0, 1.0], &[2.0, 3.0]).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn refuses_singular_and_malformed_systems() {
        assert!(solve(&[1.0, 2.0, 2.0, 4.0], &[1.0, 2.0]).is_none());
        assert!(solve(&[1.0, 2.0, 3.0], &[1.0, 2.0]).is_none());
        assert!(solve(&[f64::NAN, 0.0, 0.0, 1.0], &[1.0, 1.0]).is_none());
        assert!(solve(&[], &[]).is_none());
    }

    #[test]
    fn residual_is_tiny_on_a_larger_system() {
        // A diagonally dominant 6 × 6 system: check A·x = b by multiplying back.
        let m = 6;
        let a: Vec<f64> = (0..m * m)
            .map(|k| {
                let (i, j) = (k / m, k % m);
                if i == j {
                    10.0
                } else {
                    1.0 / (1.0 + i as f64 + 2.0 * j as f64)
                }
            })
            .collect();
        let b: Vec<f64> = (0..m).map(|i| i as f64 - 2.5).collect();
        let x = solve(&a, &b).unwrap();
        for i in 0..m {
            let r: f64 = (0..m).map(|j| a[i * m + j] * x[j]).sum::<f64>() - b[i];
            assert!(r.abs() < 1e-12);
        }
    }
}
