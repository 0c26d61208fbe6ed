//! Dense linear solves for the methods' small local systems.

/// Relative size below which a pivot counts as zero (LU here, kriging's Cholesky).
pub(crate) const SINGULAR: f64 = 1e-12;

/// Solves `a · x = b` in place (`a` row-major n × n, destroyed; `b` becomes x) by Gaussian
/// elimination with partial pivoting. False if a pivot is negligible against the matrix's size
/// (a singular system) or the solution is not finite. For systems that are not positive
/// definite, such as the thin-plate spline's with its trend rows; kriging's covariance systems
/// take a Cholesky factorisation of their own.
pub(crate) fn lu_solve(a: &mut [f64], n: usize, b: &mut [f64]) -> bool {
    let scale = a.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return false;
    }
    for col in 0..n {
        let (p, pv) = (col..n)
            .map(|r| (r, a[r * n + col].abs()))
            .fold((col, -1.0), |best, c| if c.1 > best.1 { c } else { best });
        if pv <= SINGULAR * scale {
            return false;
        }
        if p != col {
            for j in 0..n {
                a.swap(p * n + j, col * n + j);
            }
            b.swap(p, col);
        }
        let d = a[col * n + col];
        // The pivot row and the rows below as separate slices, so the update is a plain
        // element-wise loop the compiler vectorises.
        let (upper, lower) = a.split_at_mut((col + 1) * n);
        let pivot = &upper[col * n + col..(col + 1) * n];
        for (r, row) in lower.chunks_exact_mut(n).enumerate() {
            let row = &mut row[col..];
            let f = row[0] / d;
            if f == 0.0 {
                continue;
            }
            for (x, p) in row.iter_mut().zip(pivot) {
                *x -= f * p;
            }
            b[col + 1 + r] -= f * b[col];
        }
    }
    for col in (0..n).rev() {
        let s: f64 = (col + 1..n).map(|j| a[col * n + j] * b[j]).sum();
        b[col] = (b[col] - s) / a[col * n + col];
    }
    b.iter().all(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn lu_solves_random_systems_and_refuses_singular_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for n in [1, 2, 5, 17, 53] {
            let a: Vec<f64> = (0..n * n).map(|_| rng.random::<f64>() - 0.5).collect();
            let x: Vec<f64> = (0..n).map(|_| rng.random::<f64>() * 10.0).collect();
            // b = a · x, computed directly.
            let b: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| a[i * n + j] * x[j]).sum())
                .collect();
            let (mut a2, mut b2) = (a.clone(), b.clone());
            assert!(lu_solve(&mut a2, n, &mut b2));
            for i in 0..n {
                assert!((b2[i] - x[i]).abs() < 1e-7, "n={n} i={i}");
            }
        }
        let mut singular = vec![1.0, 2.0, 2.0, 4.0];
        assert!(!lu_solve(&mut singular, 2, &mut [1.0, 2.0]));
        assert!(!lu_solve(&mut [0.0; 4], 2, &mut [1.0, 2.0]));
    }
}
