//! A virtual walk-through: what a surveyor's scanner would record.

use crate::{PathLoss, ShadowField};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use wisp_model::{
    AccessPoint, ApRadio, Bssid, Channel, Floor, Material, Observation, Point, Sample,
};

/// Everything that shapes a simulated walk besides the floor and the APs.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulationParams {
    pub model: PathLoss,
    /// Shadow fading σ in dB: 5 dB, inside the 4–8 dB of indoor non-line-of-sight measurements
    /// (3GPP TR 38.901; shared/reference.md §2).
    pub shadow_sigma_db: f64,
    /// Distance over which shadowing decorrelates to 1/e: 6 m (3GPP TR 38.901 indoor NLOS).
    pub decorrelation_m: f64,
    /// Independent per-scan, per-BSSID variation in dB (multipath averaged over one scan, and
    /// the scanner's own ±1–2 dB reporting jitter): 2 dB, *estimate*.
    pub scan_noise_db: f64,
    /// Walking pace of a surveyor taking a walk-through: 1.0 m/s, a little under the ~1.3 m/s
    /// of ordinary walking, since surveyors walk slowly into rooms (*estimate*).
    pub walking_speed_mps: f64,
    /// A scan completes every 1–4 s, uniformly: the range of active scans across 2.4 and 5 GHz
    /// on common laptop and phone chipsets (*estimate*).
    pub scan_interval_s: (f64, f64),
    /// Radios weaker than this are not heard: −90 dBm, a typical client sensitivity at the
    /// lowest basic rate.
    pub sensitivity_dbm: f64,
    /// Time of the first scan, seconds since the Unix epoch (the core reads no clock).
    pub start_time: f64,
    pub seed: u64,
}

impl Default for SimulationParams {
    fn default() -> Self {
        SimulationParams {
            model: PathLoss::default(),
            shadow_sigma_db: 5.0,
            decorrelation_m: 6.0,
            scan_noise_db: 2.0,
            walking_speed_mps: 1.0,
            scan_interval_s: (1.0, 4.0),
            sensitivity_dbm: -90.0,
            // 2026-11-02T10:00:00Z
            start_time: 1_793_613_600.0,
            seed: 0,
        }
    }
}

/// The BSSID of SSID `ssid_index` on radio `radio_index` of the `ap_index`-th AP: the AP's base
/// BSSID (or a locally administered `02:00:00:00:<ap>:00`) with the last octet
/// `radio·16 + ssid`, so that one radio's BSSIDs differ in the last nibble and one AP's radios
/// share the first five octets, as vendors assign them.
pub fn bssid_for(
    ap: &AccessPoint,
    ap_index: usize,
    radio_index: usize,
    ssid_index: usize,
) -> Bssid {
    let mut o = ap
        .base_bssid
        .map(|b| b.0)
        .unwrap_or([0x02, 0, 0, 0, (ap_index & 0xff) as u8, 0]);
    o[5] = o[5]
        .wrapping_add((radio_index as u8).wrapping_mul(16))
        .wrapping_add(ssid_index as u8 & 0x0f);
    Bssid(o)
}

/// Predicted mean signal (no fading) of `radio` of `ap` at `p`, in dBm.
pub fn predict(
    model: &PathLoss,
    floor: &Floor,
    ap: &AccessPoint,
    radio: &ApRadio,
    p: Point,
) -> Option<f64> {
    let ch = Channel::new(radio.band, radio.channel).ok()?;
    Some(
        radio.tx_dbm
            - model.loss(
                ch.freq_mhz as f64,
                radio.band,
                ap.position,
                p,
                &floor.walls,
                &floor.materials,
            ),
    )
}

/// An access point on another floor of the same building, as the walked floor hears it.
///
/// Its `ap.position` is in the walked floor's plan metres: floors of one building are assumed
/// to have aligned plans, so the same plan point is the same spot of the building on every
/// floor.
#[derive(Debug, Clone, PartialEq)]
pub struct ThroughSlabs {
    pub ap: AccessPoint,
    /// Slabs between the two floors: the absolute difference of their levels.
    pub slabs: u32,
    /// Vertical distance between the two floors, metres.
    pub height_m: f64,
}

/// What else a walked floor hears besides its own access points: those of the other floors of
/// its building, through `slab` once per floor between.
#[derive(Debug, Clone, Copy)]
pub struct Building<'a> {
    pub others: &'a [ThroughSlabs],
    /// The slab material (the site's `slab`, by default `floor-slab`: 15 / 18 / 21 dB at
    /// 2.4 / 5 / 6 GHz, shared/reference.md §2).
    pub slab: &'a Material,
}

/// Predicted mean signal (no fading) at `p` of `radio` of an access point on another floor,
/// in dBm: the log-distance loss over the 3-D distance (planar distance combined with the
/// height between the floors) plus the slab loss once per slab crossed, the ITU-R P.1238
/// form `L = 20·log10 f + N·log10 d + Lf(n) − 28` with a per-slab `Lf`
/// (shared/reference.md §2). Walls on either floor are not counted: the slab dominates, and
/// which walls an inclined path passes depends on geometry the plans do not give.
pub fn predict_through_slabs(
    model: &PathLoss,
    other: &ThroughSlabs,
    radio: &ApRadio,
    slab: &Material,
    p: Point,
) -> Option<f64> {
    let ch = Channel::new(radio.band, radio.channel).ok()?;
    let planar = other.ap.position.distance(p);
    let h = if other.height_m.is_finite() {
        other.height_m.abs()
    } else {
        0.0
    };
    let d = planar.hypot(h).max(1.0);
    Some(
        radio.tx_dbm
            - (crate::path_loss::free_space_1m(ch.freq_mhz as f64)
                + model.extra_1m_db
                + 10.0 * model.exponent * d.log10()
                + other.slabs as f64 * slab.loss(radio.band)),
    )
}

/// A serpentine route over a `width_m` × `depth_m` rectangle: passes 1 m in from the walls,
/// 1.5 m apart, walked there and back until the route is at least `length_m` long (the benches'
/// estate and dense floors; a surveyor's even coverage of an open floor).
pub fn serpentine(width_m: f64, depth_m: f64, length_m: f64) -> Vec<Point> {
    let mut pass = Vec::new();
    let mut y = 1.0;
    let mut east = true;
    while y < depth_m {
        let (a, b) = if east {
            (1.0, width_m - 1.0)
        } else {
            (width_m - 1.0, 1.0)
        };
        pass.push(Point::new(a, y));
        pass.push(Point::new(b, y));
        east = !east;
        y += 1.5;
    }
    let one: f64 = pass.windows(2).map(|w| w[0].distance(w[1])).sum();
    let mut walk = Vec::new();
    let mut total = 0.0;
    while total < length_m && one > 0.0 {
        if walk.is_empty() {
            walk.extend(pass.iter().copied());
        } else {
            walk.extend(pass.iter().rev().copied());
        }
        total += one;
    }
    walk
}

#[cfg(test)]
mod serpentine_tests {
    #[test]
    fn serpentine_covers_the_floor_and_is_long_enough() {
        let w = super::serpentine(10.0, 4.0, 30.0);
        // Passes at y = 1 and 2.5 (4 is not < 4) from x = 1 to 9: 8 + 1.5 + 8 = 17.5 m each way,
        // so two of them (there and back) make the 30 m.
        assert_eq!(w.len(), 8);
        assert_eq!((w[0].x, w[0].y), (1.0, 1.0));
        assert_eq!((w[3].x, w[3].y), (1.0, 2.5));
        assert_eq!((w[4].x, w[4].y), (1.0, 2.5));
        let len: f64 = w.windows(2).map(|p| p[0].distance(p[1])).sum();
        assert!((len - 35.0).abs() < 1e-9, "{len}");
        assert!(super::serpentine(1.0, 0.5, 10.0).is_empty());
    }
}

/// A walk that visits every zone: from the first zone's centroid to the nearest unvisited one,
/// and so on, and back. Straight lines between centroids may cross walls; give the manifest a
/// `walk` for a realistic route.
pub fn generated_walk(floor: &Floor) -> Vec<Point> {
    let mut left: Vec<Point> = floor.zones.iter().map(|z| z.polygon.centroid()).collect();
    if left.is_empty() {
        let (min, max) = floor.outline.bounds();
        return vec![
            min,
            Point::new(max.x, min.y),
            max,
            Point::new(min.x, max.y),
            min,
        ];
    }
    let mut walk = vec![left.remove(0)];
    while !left.is_empty() {
        let here = *walk.last().unwrap_or(&walk[0]);
        let (i, _) = left
            .iter()
            .enumerate()
            .min_by(|a, b| a.1.distance(here).total_cmp(&b.1.distance(here)))
            .unwrap_or((0, &here));
        walk.push(left.remove(i));
    }
    walk.push(walk[0]);
    walk
}

/// Walks `walk` at the given pace, scanning every 1–4 s, and records what each scan hears.
pub fn simulate_walk(
    floor: &Floor,
    aps: &[AccessPoint],
    walk: &[Point],
    params: &SimulationParams,
) -> Vec<Sample> {
    let slab = Material {
        name: String::new(),
        loss_db: Default::default(),
    };
    let alone = Building {
        others: &[],
        slab: &slab,
    };
    simulate_walk_in_building(floor, aps, alone, walk, params)
}

/// [`simulate_walk`] on a floor of a building: each scan also hears the access points of the
/// other floors ([`predict_through_slabs`]). They come after the floor's own in the order of
/// shadow fields and default BSSIDs (`ap_index` = own APs + their index), so give them a
/// `base_bssid` for BSSIDs that do not depend on which floor is walked. With no other floors
/// the walk is byte for byte [`simulate_walk`]'s.
pub fn simulate_walk_in_building(
    floor: &Floor,
    aps: &[AccessPoint],
    building: Building<'_>,
    walk: &[Point],
    params: &SimulationParams,
) -> Vec<Sample> {
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let all: Vec<(&AccessPoint, Option<&ThroughSlabs>)> = aps
        .iter()
        .map(|a| (a, None))
        .chain(building.others.iter().map(|o| (&o.ap, Some(o))))
        .collect();
    let shadows: Vec<ShadowField> = (0..all.len()).map(|i| shadow_of(params, i)).collect();
    let jitter = Normal::new(0.0, params.scan_noise_db.max(0.0))
        .unwrap_or(Normal::new(0.0, 0.0).expect("σ = 0 is valid"));
    // Cumulative distance along the walk, to find the position at a given time.
    let mut cumulative = vec![0.0];
    for w in walk.windows(2) {
        cumulative.push(cumulative.last().copied().unwrap_or(0.0) + w[0].distance(w[1]));
    }
    let total = cumulative.last().copied().unwrap_or(0.0);
    let speed = params.walking_speed_mps.max(0.1);
    let (lo, hi) = params.scan_interval_s;
    let mut samples = Vec::new();
    let mut elapsed = 0.0;
    while walk.len() >= 2 && elapsed * speed <= total {
        let p = position_at(walk, &cumulative, elapsed * speed);
        let mut observations = Vec::new();
        for (ai, &(ap, other)) in all.iter().enumerate() {
            let shadow = shadows[ai].at(p);
            for (ri, radio) in ap.radios.iter().enumerate() {
                let mean = match other {
                    None => predict(&params.model, floor, ap, radio, p),
                    Some(o) => predict_through_slabs(&params.model, o, radio, building.slab, p),
                };
                let Some(mean) = mean else {
                    continue;
                };
                let Ok(channel) = Channel::new(radio.band, radio.channel) else {
                    continue;
                };
                for (si, ssid) in ap.ssids.iter().enumerate() {
                    let rssi = (mean + shadow + jitter.sample(&mut rng)).round();
                    if rssi < params.sensitivity_dbm || rssi > -10.0 {
                        continue;
                    }
                    let noise =
                        (radio.band.default_noise().0 + jitter.sample(&mut rng) / 2.0).round();
                    if let Ok(o) = Observation::new(
                        bssid_for(ap, ai, ri, si),
                        Some(ssid.clone()),
                        channel,
                        rssi,
                        Some(noise),
                    ) {
                        observations.push(o);
                    }
                }
            }
        }
        samples.push(Sample {
            x_m: (p.x * 100.0).round() / 100.0,
            y_m: (p.y * 100.0).round() / 100.0,
            t: Some(wisp_model::time::format_rfc3339(
                params.start_time + elapsed,
            )),
            source: format!("simulate#{}", samples.len() + 1),
            observations,
            stale: Vec::new(),
        });
        elapsed += lo + (hi - lo).max(0.0) * rng.random::<f64>();
        elapsed = (elapsed * 1000.0).round() / 1000.0;
    }
    samples
}

/// The shadow-fading field of the `ap_index`-th access point of a walk simulated with `params`
/// (own APs first, then the building's other floors', as [`simulate_walk_in_building`] counts
/// them). A truth harness adds it to [`predict`] to get the mean signal the walk's scans scatter
/// around at any point, not only where the walk went.
pub fn shadow_of(params: &SimulationParams, ap_index: usize) -> ShadowField {
    let s = params.seed ^ (ap_index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ShadowField::new(params.shadow_sigma_db, params.decorrelation_m, s)
}

fn position_at(walk: &[Point], cumulative: &[f64], s: f64) -> Point {
    let i = cumulative
        .partition_point(|&c| c <= s)
        .clamp(1, walk.len() - 1);
    let (a, b) = (walk[i - 1], walk[i]);
    let seg = cumulative[i] - cumulative[i - 1];
    let t = if seg > 0.0 {
        ((s - cumulative[i - 1]) / seg).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Point::new(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::{Band, Material, PlanCalibration, Polygon};

    fn floor() -> Floor {
        Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.1).unwrap(),
            plan_size_px: (400, 100),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(40., 10.)).unwrap(),
            materials: Material::defaults(),
            walls: vec![],
            zones: vec![],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        }
    }

    fn ap() -> AccessPoint {
        AccessPoint {
            name: "AP1".into(),
            position: Point::new(0.0, 5.0),
            radios: vec![
                ApRadio {
                    band: Band::G5,
                    channel: 36,
                    tx_dbm: 17.0,
                },
                ApRadio {
                    band: Band::G2_4,
                    channel: 6,
                    tx_dbm: 14.0,
                },
            ],
            ssids: vec!["A".into(), "B".into()],
            base_bssid: Some("02:1a:11:00:01:00".parse().unwrap()),
        }
    }

    #[test]
    fn same_seed_same_walk_and_pace_is_kept() {
        let walk = [Point::new(0.0, 5.0), Point::new(40.0, 5.0)];
        let p = SimulationParams {
            seed: 7,
            ..Default::default()
        };
        let a = simulate_walk(&floor(), &[ap()], &walk, &p);
        assert_eq!(a, simulate_walk(&floor(), &[ap()], &walk, &p));
        assert_ne!(
            a,
            simulate_walk(
                &floor(),
                &[ap()],
                &walk,
                &SimulationParams {
                    seed: 8,
                    ..p.clone()
                }
            )
        );
        // 40 m at 1 m/s with a scan every 1–4 s (mean 2.5 s): about 16 scans.
        assert!((10..=41).contains(&a.len()), "{}", a.len());
        for w in a.windows(2) {
            let dt = wisp_model::time::parse_rfc3339(w[1].t.as_deref().unwrap()).unwrap()
                - wisp_model::time::parse_rfc3339(w[0].t.as_deref().unwrap()).unwrap();
            assert!((1.0 - 1e-6..=4.0 + 1e-6).contains(&dt), "{dt}");
            let moved = w[0].position().distance(w[1].position());
            assert!((moved - dt).abs() < 0.02, "moved {moved} in {dt} s");
        }
    }

    #[test]
    fn signal_falls_with_distance_and_weak_radios_go_unheard() {
        let walk = [Point::new(1.0, 5.0), Point::new(40.0, 5.0)];
        let p = SimulationParams {
            seed: 1,
            shadow_sigma_db: 0.0,
            scan_noise_db: 0.0,
            ..Default::default()
        };
        let s = simulate_walk(&floor(), &[ap()], &walk, &p);
        let five: Vec<f64> = s
            .iter()
            .filter_map(|s| {
                s.observations
                    .iter()
                    .find(|o| o.band == Band::G5)
                    .map(|o| o.rssi_dbm)
            })
            .collect();
        assert!(
            five.windows(2).all(|w| w[1] <= w[0]),
            "monotone without fading: {five:?}"
        );
        // With no fading the value is the model's, to the dB: at 1 m, 17 − 47.07 (5180 MHz).
        assert_eq!(
            five[0],
            (17.0 - crate::path_loss::free_space_1m(5180.0)).round()
        );
        assert!(s
            .iter()
            .flat_map(|s| &s.observations)
            .all(|o| o.rssi_dbm >= -90.0));
        // One radio's two SSIDs share the first five octets and differ in the last nibble.
        let o = &s[0].observations;
        assert_eq!(o[0].bssid.to_string(), "02:1a:11:00:01:00");
        assert_eq!(o[1].bssid.to_string(), "02:1a:11:00:01:01");
        assert_eq!(o[2].bssid.to_string(), "02:1a:11:00:01:10");
    }

    fn slab() -> Material {
        Material::defaults()
            .into_iter()
            .find(|m| m.name == "floor-slab")
            .unwrap()
    }

    #[test]
    fn an_ap_one_floor_up_costs_the_slab_and_the_height() {
        // Hand-computed, 5 GHz channel 36 (5180 MHz), 17 dBm, n = 2.5:
        // free space at 1 m = 20·log10(5180) − 27.55 = 46.737 dB.
        let model = PathLoss::default();
        let radio = ap().radios[0].clone();
        let fs = 20.0 * 5180f64.log10() - 27.55;
        assert!((fs - 46.737).abs() < 1e-3);
        let here = Point::new(10.0, 5.0);
        // Same floor, 10 m away, no walls: 17 − 46.737 − 25 = −54.74 dBm.
        let same = predict(&model, &floor(), &ap(), &radio, here).unwrap();
        assert!((same - (17.0 - fs - 25.0)).abs() < 1e-9, "{same}");
        assert!((same - -54.737).abs() < 1e-3, "{same}");
        // One floor up (4 m, one 18 dB slab), same plan position, 10 m planar:
        // d = √(10² + 4²) = 10.770 m → 25·log10(10.770) = 25.806 dB; −54.74 − 0.806 − 18 = −73.54.
        let up = ThroughSlabs {
            ap: ap(),
            slabs: 1,
            height_m: 4.0,
        };
        let through = predict_through_slabs(&model, &up, &radio, &slab(), here).unwrap();
        assert!((through - -73.543).abs() < 1e-3, "{through}");
        let weaker = same - through;
        assert!((18.0..19.0).contains(&weaker), "{weaker}");
        // Straight below the AP: d = 4 m → 25·log10(4) = 15.051 dB; 17 − 46.737 − 15.051 − 18.
        let below = predict_through_slabs(&model, &up, &radio, &slab(), Point::new(0.0, 5.0));
        assert!((below.unwrap() - -62.788).abs() < 1e-3, "{below:?}");
        // Two floors up: two slabs and twice the height.
        let two = ThroughSlabs {
            slabs: 2,
            height_m: 8.0,
            ..up.clone()
        };
        let far = predict_through_slabs(&model, &two, &radio, &slab(), here).unwrap();
        let d2 = (100.0f64 + 64.0).sqrt();
        assert!((far - (17.0 - fs - 25.0 * d2.log10() - 36.0)).abs() < 1e-9);
        // 2.4 GHz radios cross the slab at its 2.4 GHz figure, 15 dB.
        let r24 = ap().radios[1].clone();
        let a = predict(&model, &floor(), &ap(), &r24, here).unwrap();
        let b = predict_through_slabs(&model, &up, &r24, &slab(), here).unwrap();
        assert!((a - b - 15.0 - 25.0 * (116f64.sqrt() / 10.0).log10()).abs() < 1e-9);
    }

    #[test]
    fn the_walk_hears_the_floor_above_through_the_slab() {
        let walk = [Point::new(10.0, 5.0), Point::new(10.5, 5.0)];
        let p = SimulationParams {
            seed: 3,
            shadow_sigma_db: 0.0,
            scan_noise_db: 0.0,
            ..Default::default()
        };
        let slab = slab();
        let mut upstairs = ap();
        upstairs.base_bssid = Some("02:1a:22:00:01:00".parse().unwrap());
        let others = [ThroughSlabs {
            ap: upstairs,
            slabs: 1,
            height_m: 4.0,
        }];
        let b = Building {
            others: &others,
            slab: &slab,
        };
        let s = simulate_walk_in_building(&floor(), &[ap()], b, &walk, &p);
        let first = &s[0].observations;
        let rssi = |prefix: &str| {
            first
                .iter()
                .find(|o| o.band == Band::G5 && o.bssid.to_string().starts_with(prefix))
                .map(|o| o.rssi_dbm)
                .unwrap()
        };
        // Own AP 10 m away: −54.74 → −55; the one above: −73.54 → −74.
        assert_eq!(rssi("02:1a:11"), -55.0);
        assert_eq!(rssi("02:1a:22"), -74.0);
        // No other floors: exactly the single-floor walk.
        let none = Building {
            others: &[],
            slab: &slab,
        };
        assert_eq!(
            simulate_walk_in_building(&floor(), &[ap()], none, &walk, &p),
            simulate_walk(&floor(), &[ap()], &walk, &p)
        );
    }
}
