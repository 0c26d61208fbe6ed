//! Log-distance path loss with walls: `PL(d) = PL(1 m) + 10·n·log10(d) + Σ wall losses`.

use wisp_model::{Band, Material, Point, Segment, Wall};

/// Parameters of the log-distance model.
#[derive(Debug, Clone, PartialEq)]
pub struct PathLoss {
    /// Path-loss exponent n. Default 2.5: between free space in corridors (n ≈ 2) and the ITU-R
    /// P.1238 office figure (N = 30, n = 3.0), which already folds in the walls this model
    /// counts one by one (shared/reference.md §2). *Estimate*; `wisp calibrate` fits it.
    pub exponent: f64,
    /// Extra loss at 1 m beyond free space, per model (antenna pattern, body loss), in dB.
    pub extra_1m_db: f64,
}

impl Default for PathLoss {
    fn default() -> Self {
        PathLoss {
            exponent: 2.5,
            extra_1m_db: 0.0,
        }
    }
}

/// Free-space loss at 1 m: `20·log10(f_MHz) − 27.55` dB (40.2 dB at 2437 MHz, 47.3 dB at 5500 MHz).
pub fn free_space_1m(freq_mhz: f64) -> f64 {
    20.0 * freq_mhz.log10() - 27.55
}

/// Below 1 m the model would predict gain; clamp the distance there (the client is never closer
/// than about a metre to a ceiling-mounted AP).
const MIN_DISTANCE_M: f64 = 1.0;

impl PathLoss {
    /// Loss in dB from `from` to `to` at `freq_mhz`, through the walls the straight line crosses.
    pub fn loss(
        &self,
        freq_mhz: f64,
        band: Band,
        from: Point,
        to: Point,
        walls: &[Wall],
        materials: &[Material],
    ) -> f64 {
        let d = from.distance(to).max(MIN_DISTANCE_M);
        free_space_1m(freq_mhz)
            + self.extra_1m_db
            + 10.0 * self.exponent * d.log10()
            + wall_loss(band, from, to, walls, materials)
    }
}

/// Sum of the losses of the walls the segment `from`–`to` crosses.
pub fn wall_loss(
    band: Band,
    from: Point,
    to: Point,
    walls: &[Wall],
    materials: &[Material],
) -> f64 {
    let ray = Segment::new(from, to);
    walls
        .iter()
        .filter(|w| ray.crosses(&w.segment))
        .map(|w| materials.get(w.material).map_or(0.0, |m| m.loss(band)))
        .sum()
}

/// [`wall_loss`] in every band of [`Band::ALL`] at once: each wall's crossing is tested once,
/// not once per band (the same sums, bit for bit).
pub fn wall_losses(from: Point, to: Point, walls: &[Wall], materials: &[Material]) -> [f64; 3] {
    let ray = Segment::new(from, to);
    let crossed: Vec<usize> = walls
        .iter()
        .filter(|w| ray.crosses(&w.segment))
        .map(|w| w.material)
        .collect();
    Band::ALL.map(|band| {
        crossed
            .iter()
            .map(|&m| materials.get(m).map_or(0.0, |m| m.loss(band)))
            .sum()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_bands_at_once_equal_one_band_at_a_time() {
        let materials = Material::defaults();
        // A lattice of walls of every material, and rays in every direction across it.
        let walls: Vec<Wall> = (0..40)
            .map(|i| {
                let (a, b) = if i % 2 == 0 {
                    (Point::new(i as f64, 0.0), Point::new(i as f64, 30.0))
                } else {
                    (
                        Point::new(0.0, i as f64 * 0.7),
                        Point::new(40.0, i as f64 * 0.7 + 3.0),
                    )
                };
                Wall {
                    segment: Segment::new(a, b),
                    material: i % materials.len(),
                }
            })
            .collect();
        let mut crossings = 0;
        for k in 0..200 {
            let t = k as f64 * 0.37;
            let from = Point::new(20.0 + 15.0 * t.cos(), 15.0 + 12.0 * t.sin());
            let to = Point::new(20.0 - 18.0 * (1.3 * t).sin(), 15.0 + 14.0 * (0.7 * t).cos());
            let all = wall_losses(from, to, &walls, &materials);
            for (i, band) in Band::ALL.iter().enumerate() {
                let one = wall_loss(*band, from, to, &walls, &materials);
                assert_eq!(all[i].to_bits(), one.to_bits(), "ray {k}, {band:?}");
                crossings += (one > 0.0) as usize;
            }
        }
        assert!(crossings > 100, "the rays cross walls");
    }

    #[test]
    fn free_space_figures_match_the_reference() {
        assert!((free_space_1m(2437.0) - 40.19).abs() < 0.01);
        assert!((free_space_1m(5500.0) - 47.26).abs() < 0.01);
        assert!((free_space_1m(6500.0) - 48.71).abs() < 0.01);
    }

    #[test]
    fn ten_times_the_distance_costs_ten_n_db() {
        let m = PathLoss {
            exponent: 3.0,
            extra_1m_db: 0.0,
        };
        let a = m.loss(
            5180.0,
            Band::G5,
            Point::new(0., 0.),
            Point::new(2., 0.),
            &[],
            &[],
        );
        let b = m.loss(
            5180.0,
            Band::G5,
            Point::new(0., 0.),
            Point::new(20., 0.),
            &[],
            &[],
        );
        assert!((b - a - 30.0).abs() < 1e-9);
    }

    #[test]
    fn walls_add_their_material_loss_per_crossing() {
        let materials = Material::defaults();
        let lead = materials.iter().position(|m| m.name == "lead").unwrap();
        let plaster = materials
            .iter()
            .position(|m| m.name == "plasterboard")
            .unwrap();
        let wall = |x: f64, material| Wall {
            segment: Segment::new(Point::new(x, -5.0), Point::new(x, 5.0)),
            material,
        };
        let walls = [wall(3.0, lead), wall(6.0, plaster), wall(50.0, lead)];
        let got = wall_loss(
            Band::G5,
            Point::new(0., 0.),
            Point::new(10., 0.),
            &walls,
            &materials,
        );
        assert_eq!(got, 30.0 + 3.0);
        assert_eq!(
            wall_loss(
                Band::G2_4,
                Point::new(0., 0.),
                Point::new(10., 0.),
                &walls,
                &materials
            ),
            32.0
        );
    }
}
