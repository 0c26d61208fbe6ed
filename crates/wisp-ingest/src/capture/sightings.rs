//! GPS sightings grouped into scans.
//!
//! WiGLE CSV rows and `.kismet` packets are *sightings*: one BSSID heard at one moment and one
//! GPS fix. Left one per scan, every other radio would count as "not heard" at that point and
//! the interpolation would read a survey far weaker than it was. So consecutive sightings of one
//! capture are grouped: a sighting joins the current scan when its time is within the window of
//! the scan's first sighting ([`DEFAULT_WINDOW_S`]) and its fix within [`DEFAULT_RADIUS_M`] of
//! the scan's first fix (sightings without a fix join only a scan without one). The scan is
//! placed at the mean position and mean time of its sightings and keeps, for each BSSID, its
//! strongest reading (first heard wins a tie). Its `source` is its first sighting's; it holds
//! every sighting from there up to the next scan's `source`, in file order. Sightings without a
//! time stay one scan each.
//!
//! **Reading age.** A sighting is a reading at its own time (a WiGLE row's `FirstSeen`, a
//! packet's `ts_sec`), so alone it is as fresh as its scan and gets no `age_s`. Grouped, each
//! reading kept gets `age_s` = how far its sighting's time lies from the scan's (mean) time,
//! either side: the time between the reading and the moment, and so the place, the scan stands
//! for. `max_age_s` then drops readings that a wide `--sighting-window` gathered from too far
//! along the walk, as it drops a scanner's cached results. (WiGLE rows carry the time the app
//! logged them, not the age of Android's cached scan result, which the file does not keep.)

use crate::capture::{ParsedCapture, Scan};
use crate::georef::{wrap_deg, EARTH_RADIUS_M};
use wisp_model::{Observation, Point};

/// Capture formats whose scans are single sightings (one BSSID each) with a GPS fix.
pub const SIGHTING_FORMATS: &[&str] = &["wigle", "kismetdb"];

/// Default time window of one scan, seconds: 2 s. A phone or laptop scan sweeps both bands in
/// about 1–4 s, and WiGLE writes each network heard in a sweep as its own row with that sweep's
/// time; Kismet hops channels several times a second, so a 2 s window gathers a good part of a
/// hop cycle. (shared/reference.md §4 gives no scan interval; this is wisp's choice.) A larger
/// window gathers more radios per scan but blurs the position: the distance limit bounds that.
pub const DEFAULT_WINDOW_S: f64 = 2.0;

/// Default largest distance of a sighting from its scan's first fix, metres: 3 m, about 2–3 s
/// of walking at a surveyor's pace (1–1.5 m/s), below the GPS accuracy phones report indoors,
/// so grouping never moves a reading further than the fix itself could be wrong.
pub const DEFAULT_RADIUS_M: f64 = 3.0;

/// How sightings are grouped; a window of 0 s keeps every sighting its own scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grouping {
    pub window_s: f64,
    pub radius_m: f64,
}

/// Largest window accepted, seconds: past a minute a "scan" would be a stroll, and the radius
/// alone would decide the grouping.
pub const MAX_WINDOW_S: f64 = 60.0;

impl Grouping {
    /// The default grouping with a window of `window_s` seconds, checked: 0 to [`MAX_WINDOW_S`].
    pub fn with_window(window_s: f64) -> Result<Grouping, String> {
        if !(window_s.is_finite() && (0.0..=MAX_WINDOW_S).contains(&window_s)) {
            return Err(format!(
                "{window_s} s: expected seconds from 0 (no grouping) to {MAX_WINDOW_S}"
            ));
        }
        Ok(Grouping {
            window_s,
            ..Grouping::default()
        })
    }
}

impl Default for Grouping {
    fn default() -> Self {
        Grouping {
            window_s: DEFAULT_WINDOW_S,
            radius_m: DEFAULT_RADIUS_M,
        }
    }
}

/// Groups the sightings of `parsed` into scans when its format is one of
/// [`SIGHTING_FORMATS`]; other captures are returned as they are.
pub fn group(mut parsed: ParsedCapture, grouping: &Grouping) -> ParsedCapture {
    if !SIGHTING_FORMATS.contains(&parsed.format.as_str()) || grouping.window_s <= 0.0 {
        return parsed;
    }
    let mut out = Vec::new();
    let mut open: Vec<Scan> = Vec::new();
    for scan in std::mem::take(&mut parsed.scans) {
        if scan.t.is_none() {
            out.extend(merge(std::mem::take(&mut open)));
            out.push(scan);
            continue;
        }
        if let Some(first) = open.first() {
            if !joins(first, &scan, grouping) {
                out.extend(merge(std::mem::take(&mut open)));
            }
        }
        open.push(scan);
    }
    out.extend(merge(open));
    parsed.scans = out;
    parsed
}

/// Whether `s` belongs to the scan whose first sighting is `first` (both have a time).
fn joins(first: &Scan, s: &Scan, g: &Grouping) -> bool {
    let (Some(t0), Some(t)) = (first.t, s.t) else {
        return false;
    };
    let near = match (first.at, s.at) {
        (Some(a), Some(b)) => ground_distance_m(a, b) <= g.radius_m,
        (None, None) => true,
        _ => false,
    };
    (t - t0).abs() <= g.window_s && near
}

/// Distance on the ground between two GPS points `Point::new(lon, lat)`, metres
/// (equirectangular: exact enough over the few metres compared here).
fn ground_distance_m(a: Point, b: Point) -> f64 {
    let lat = (0.5 * (a.y + b.y)).to_radians();
    let dx = wrap_deg(b.x - a.x).to_radians() * lat.cos();
    let dy = (b.y - a.y).to_radians();
    EARTH_RADIUS_M * dx.hypot(dy)
}

/// One scan from a run of sightings: mean time and position, each BSSID's strongest reading,
/// each reading's `age_s` from the scan's time when the run has more than one sighting.
fn merge(run: Vec<Scan>) -> Option<Scan> {
    let grouped = run.len() > 1;
    let mut it = run.into_iter();
    let mut scan = it.next()?;
    let (t0, at0) = (scan.t, scan.at);
    let (mut dt, mut dlon, mut dlat, mut n) = (0.0, 0.0, 0.0, 1.0);
    // Each reading kept, with its sighting's time.
    let mut observations: Vec<(Observation, Option<f64>)> = std::mem::take(&mut scan.observations)
        .into_iter()
        .map(|o| (o, t0))
        .collect();
    for s in it {
        n += 1.0;
        dt += s.t.zip(t0).map_or(0.0, |(t, t0)| t - t0);
        if let (Some(p), Some(p0)) = (s.at, at0) {
            dlon += wrap_deg(p.x - p0.x);
            dlat += p.y - p0.y;
        }
        for o in s.observations {
            match observations.iter_mut().find(|k| k.0.bssid == o.bssid) {
                Some(k) if o.rssi_dbm > k.0.rssi_dbm => *k = (o, s.t),
                Some(_) => {}
                None => observations.push((o, s.t)),
            }
        }
    }
    // Offsets from the first sighting: exact when they are all equal, and safe across ±180°.
    scan.t = t0.map(|t| t + dt / n);
    scan.at = at0.map(|p| Point::new(wrap_deg(p.x + dlon / n), p.y + dlat / n));
    scan.observations = observations
        .into_iter()
        .map(|(o, t)| match (grouped, scan.t, t) {
            (true, Some(at), Some(t)) => o.clone().with_age((at - t).abs()).unwrap_or(o),
            _ => o,
        })
        .collect();
    Some(scan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::{Bssid, Channel};

    /// Degrees of latitude per metre on the sphere of [`EARTH_RADIUS_M`]: 180 / (π R).
    const DEG_PER_M: f64 = 180.0 / (std::f64::consts::PI * EARTH_RADIUS_M);
    const LON: f64 = -0.1279;
    const LAT: f64 = 51.5075;

    fn sighting(row: usize, t: Option<f64>, north_m: f64, east_m: f64, ap: u8, rssi: f64) -> Scan {
        let east_deg = east_m * DEG_PER_M / LAT.to_radians().cos();
        let ch = Channel::new(wisp_model::Band::G5, 36).unwrap();
        let bssid = Bssid([2, 0, 0, 0, 0, ap]);
        Scan {
            t,
            at: Some(Point::new(LON + east_deg, LAT + north_m * DEG_PER_M)),
            source: format!("w.csv:{row}"),
            observations: vec![Observation::new(bssid, None, ch, rssi, None).unwrap()],
        }
    }

    fn capture(format: &str, scans: Vec<Scan>) -> ParsedCapture {
        ParsedCapture {
            format: format.into(),
            scans,
            ..Default::default()
        }
    }

    fn heard(s: &Scan) -> Vec<(u8, f64)> {
        s.observations
            .iter()
            .map(|o| (o.bssid.0[5], o.rssi_dbm))
            .collect()
    }

    #[test]
    fn distances_on_the_ground() {
        let d = |n: f64, e: f64| {
            let a = sighting(1, None, 0.0, 0.0, 1, -50.0).at.unwrap();
            let b = sighting(1, None, n, e, 1, -50.0).at.unwrap();
            ground_distance_m(a, b)
        };
        assert!((d(1.0, 0.0) - 1.0).abs() < 1e-6);
        assert!((d(0.0, 3.0) - 3.0).abs() < 1e-3);
        assert!((d(3.0, 4.0) - 5.0).abs() < 1e-3);
    }

    fn walk() -> Vec<Scan> {
        vec![
            sighting(2, Some(100.0), 0.0, 0.0, 1, -70.0),
            sighting(3, Some(100.5), 2.0, 0.0, 2, -60.0),
            sighting(4, Some(101.0), 0.0, 0.0, 1, -65.0),
            // 2.5 s after line 2: a new scan.
            sighting(5, Some(102.5), 0.0, 0.0, 3, -80.0),
            // 0.5 s later but 4 m east of line 5's fix: a new scan.
            sighting(6, Some(103.0), 0.0, 4.0, 1, -50.0),
            // No time: alone, and it ends the run before it.
            sighting(7, None, 0.0, 4.0, 2, -75.0),
            sighting(8, Some(103.5), 0.0, 4.0, 2, -55.0),
            sighting(9, Some(104.0), 0.0, 4.5, 1, -52.0),
        ]
    }

    #[test]
    fn consecutive_sightings_become_scans() {
        let p = group(capture("wigle", walk()), &Grouping::default());
        let sources: Vec<_> = p.scans.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(
            sources,
            ["w.csv:2", "w.csv:5", "w.csv:6", "w.csv:7", "w.csv:8"]
        );
        // Lines 2–4: mean time (100 + 100.5 + 101) / 3, mean position 2/3 m north of line 2,
        // AP 1's stronger reading (−65 over −70).
        let s = &p.scans[0];
        assert_eq!(s.t, Some(100.5));
        let at = s.at.unwrap();
        assert!(
            (at.y - (LAT + 2.0 / 3.0 * DEG_PER_M)).abs() < 1e-12,
            "{at:?}"
        );
        assert!((at.x - LON).abs() < 1e-12);
        assert_eq!(heard(s), vec![(1, -65.0), (2, -60.0)]);
        assert_eq!(heard(&p.scans[1]), vec![(3, -80.0)]);
        assert_eq!(p.scans[1].t, Some(102.5));
        assert_eq!(heard(&p.scans[2]), vec![(1, -50.0)]);
        assert_eq!(p.scans[3].t, None);
        // Lines 8–9: 0.5 s and 0.5 m apart; mean 103.75 s, 4.25 m east.
        let s = &p.scans[4];
        assert_eq!(s.t, Some(103.75));
        let east = (s.at.unwrap().x - LON) / DEG_PER_M * LAT.to_radians().cos();
        assert!((east - 4.25).abs() < 1e-6, "{east}");
        assert_eq!(heard(s), vec![(2, -55.0), (1, -52.0)]);
    }

    #[test]
    fn window_and_radius_are_honoured() {
        // A 0.6 s window splits lines 2–4 (line 4 is 1 s after line 2).
        let g = Grouping {
            window_s: 0.6,
            ..Grouping::default()
        };
        let p = group(capture("kismetdb", walk()), &g);
        assert_eq!(p.scans[0].source, "w.csv:2");
        assert_eq!(heard(&p.scans[0]), vec![(1, -70.0), (2, -60.0)]);
        assert_eq!(p.scans[1].source, "w.csv:4");
        // A 1.5 m radius leaves line 3 (2 m north) out of line 2's scan; line 4 is 2 m from
        // line 3, so starts its own, which line 5 (1.5 s later, same fix) joins.
        let g = Grouping {
            radius_m: 1.5,
            ..Grouping::default()
        };
        let p = group(capture("wigle", walk()), &g);
        let sources: Vec<_> = p.scans.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(
            sources,
            ["w.csv:2", "w.csv:3", "w.csv:4", "w.csv:6", "w.csv:7", "w.csv:8"]
        );
        assert_eq!(p.scans[2].t, Some(101.75));
        assert_eq!(heard(&p.scans[2]), vec![(1, -65.0), (3, -80.0)]);
        // Window 0: every sighting stays its own scan; other formats are never grouped.
        let zero = Grouping {
            window_s: 0.0,
            ..Grouping::default()
        };
        assert_eq!(group(capture("wigle", walk()), &zero).scans, walk());
        assert_eq!(
            group(capture("iw", walk()), &Grouping::default()).scans,
            walk()
        );
    }

    fn ages(s: &Scan) -> Vec<(u8, Option<f64>)> {
        s.observations
            .iter()
            .map(|o| (o.bssid.0[5], o.age_s))
            .collect()
    }

    #[test]
    fn grouped_readings_carry_their_distance_in_time_from_the_scan() {
        let p = group(capture("wigle", walk()), &Grouping::default());
        // Lines 2–4, scan at 100.5 s: AP 1's kept reading is line 4's (101 s), AP 2's line 3's
        // (100.5 s).
        assert_eq!(ages(&p.scans[0]), vec![(1, Some(0.5)), (2, Some(0.0))]);
        // A sighting alone is its scan (lines 5 and 6), and one without a time (line 7): no age.
        assert_eq!(ages(&p.scans[1]), vec![(3, None)]);
        assert_eq!(ages(&p.scans[2]), vec![(1, None)]);
        assert_eq!(ages(&p.scans[3]), vec![(2, None)]);
        // Lines 8–9, scan at 103.75 s: 103.5 and 104 s, a quarter second either side.
        assert_eq!(ages(&p.scans[4]), vec![(2, Some(0.25)), (1, Some(0.25))]);

        // A 10 s window gathers sightings at 100, 101 and 106 s at one fix into a scan at
        // 102.33 s: the last is 3.67 s from it, older than the default 3 s, dropped and counted.
        let far = vec![
            sighting(2, Some(100.0), 0.0, 0.0, 1, -60.0),
            sighting(3, Some(101.0), 0.0, 0.0, 2, -61.0),
            sighting(4, Some(106.0), 0.0, 0.0, 3, -62.0),
        ];
        let wide = Grouping::with_window(10.0).unwrap();
        let p = group(capture("kismetdb", far), &wide);
        assert_eq!(p.scans.len(), 1);
        let t = 307.0 / 3.0;
        let a = ages(&p.scans[0]);
        for (got, want) in a.iter().zip([t - 100.0, t - 101.0, 106.0 - t]) {
            assert!((got.1.unwrap() - want).abs() < 1e-12, "{a:?}");
        }
        let kept = crate::drop_old_readings(p, crate::manifest::DEFAULT_MAX_AGE_S);
        assert_eq!(heard(&kept.scans[0]), vec![(1, -60.0), (2, -61.0)]);
        let skipped: Vec<_> = kept
            .skipped
            .iter()
            .map(|(r, n, _)| (r.to_string(), n))
            .collect();
        assert_eq!(
            skipped,
            vec![("reading older than max_age_s (3 s)".to_string(), 1)]
        );
    }
}
