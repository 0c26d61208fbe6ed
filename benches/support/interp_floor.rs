//! The interpolation benches' inputs, shared by `benches/interp.rs` (criterion, wall time) and the
//! instruction-count guard (`crates/wisp-guard`), so both measure the same work.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use wisp_interp::ScatteredPoint;
use wisp_model::{Channel, GridGeometry, Observation, Point, Sample};

/// `n` points uniform over a `side` × `side` square and a value between −90 and −30 dBm for
/// each, from seed 1: the `wisp grid` / `gdal_grid invdistnn` comparison case at n = 10,000,
/// side 1000.
pub fn grid_points(n: usize, side: f64) -> (Vec<ScatteredPoint>, Vec<f32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let points: Vec<ScatteredPoint> = (0..n)
        .map(|_| ScatteredPoint {
            x: rng.random::<f64>() * side,
            y: rng.random::<f64>() * side,
        })
        .collect();
    let values: Vec<f32> = (0..n).map(|_| -90.0 + 60.0 * rng.random::<f32>()).collect();
    (points, values)
}

/// A simulated floor: 2,000 scans along a serpentine walk over 100 m × 50 m, 60 radios (30
/// dual-band APs) each heard within about 35 m.
pub fn floor_case() -> (Vec<Sample>, GridGeometry) {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let aps: Vec<Point> = (0..30)
        .map(|i| Point::new(8.0 + (i % 6) as f64 * 17.0, 6.0 + (i / 6) as f64 * 10.0))
        .collect();
    let samples = (0..2000)
        .map(|i| {
            // Serpentine: 10 passes of 100 m, 5 m apart.
            let s = i as f64 * 0.5;
            let pass = (s / 100.0).floor();
            let along = s % 100.0;
            let x = if pass as i64 % 2 == 0 {
                along
            } else {
                100.0 - along
            };
            let p = Point::new(x, 2.5 + pass * 5.0);
            let observations = aps
                .iter()
                .enumerate()
                .flat_map(|(a, ap)| {
                    let d = ap.distance(p).max(1.0);
                    [(2437u32, 14.0, 40.2), (5180, 17.0, 47.3)]
                        .into_iter()
                        .enumerate()
                        .filter_map(move |(r, (f, tx, pl1))| {
                            let rssi = (tx - pl1 - 30.0 * d.log10()).round();
                            let bssid = wisp_model::Bssid([2, 0, 0, 0, a as u8, (r * 16) as u8]);
                            (rssi >= -90.0).then(|| {
                                Observation::new(
                                    bssid,
                                    None,
                                    Channel::from_freq(f).expect("channel"),
                                    rssi,
                                    None,
                                )
                                .expect("valid")
                            })
                        })
                })
                .map(|mut o| {
                    o.rssi_dbm = (o.rssi_dbm + rng.random::<f64>() * 4.0 - 2.0).clamp(-119.0, -1.0);
                    o
                })
                .collect();
            Sample {
                x_m: p.x,
                y_m: p.y,
                t: None,
                source: String::new(),
                observations,
                stale: Vec::new(),
            }
        })
        .collect();
    let g =
        GridGeometry::covering(Point::new(0.0, 0.0), Point::new(100.0, 50.0), 0.5).expect("grid");
    (samples, g)
}
