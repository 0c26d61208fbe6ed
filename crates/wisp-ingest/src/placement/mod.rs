//! Placing scans on the plan: each capture's scans become samples in plan metres, at a
//! stop-and-go point, on a walk track by time, through the floor's georeference, or at the
//! capture's own positions; and the checks that refuse a placement that is surely a mistake.

use crate::capture::sightings;
use crate::crowding::crowding_mistake;
use crate::georef::{self, Georef};
use crate::track::{self, Track};
use crate::{
    capture_name, parse_capture_file, IngestError, ParsedCapture, Scan, SiteFloor, SkipLog,
};
use std::path::Path;
use wisp_model::{PlanCalibration, Point, Sample};

/// What ingest did with one file.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    pub file: String,
    pub format: String,
    pub scans: usize,
    pub observations: usize,
    /// Distinct BSSIDs heard (unidentified radios not counted).
    pub bssids: usize,
    /// Distinct unidentified radios (no usable BSSID; keyed by SSID + band + channel).
    pub unidentified: usize,
    /// How the capture wrote its times, when it could write them several ways.
    pub time_kinds: Vec<track::TimeKind>,
    pub skipped: SkipLog,
}

impl FileReport {
    /// One line for people: "walk.csv: wisp-csv — 120 scans, 900 observations, 14 BSSIDs, 2
    /// skipped" (what the command line prints and the report's Data section lists).
    pub fn summary(&self) -> String {
        format!(
            "{}: {} — {}, {}, {}, {} skipped",
            self.file,
            self.format,
            wisp_model::words::count(self.scans, "scan", "scans"),
            wisp_model::words::count(self.observations, "observation", "observations"),
            wisp_model::words::count(self.bssids, "BSSID", "BSSIDs"),
            self.skipped.total()
        )
    }
}

/// How to place a capture's scans on the floor.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    /// Every scan of the file at this point (plan metres): stop-and-go.
    pub at_m: Option<Point>,
    /// Positions inside the capture are plan pixels to convert with this calibration.
    pub px_calibration: Option<PlanCalibration>,
    /// Floor size in metres; scans placed outside it are skipped.
    pub bounds_m: Option<Point>,
}

/// What else places scans besides a [`Placement`]: a walk track and the floor's georeference.
#[derive(Debug, Clone, Copy, Default)]
pub struct Referencing<'a> {
    /// Continuous walk, positions in plan metres: each timestamped scan is placed on it by time.
    pub track: Option<&'a Track>,
    /// Places scans of GPS formats ([`georef::GPS_FORMATS`]).
    pub georef: Option<&'a Georef>,
}

/// Skip reasons of placement, as printed in reports.
pub mod skip_reason {
    pub const NO_POSITION: &str =
        "scan has no position (give --at, a position in the manifest, or a track)";
    pub const NO_TIME_FOR_TRACK: &str = "scan has no time to place it on the track";
    pub const OUTSIDE_TRACK: &str = "outside the track's time span";
    pub const GPS_NO_GEOREF: &str = "GPS position but the floor has no georef";
}

/// Turns a parsed capture into samples in plan metres, counting scans it cannot place.
pub fn place(
    parsed: ParsedCapture,
    file: &str,
    placement: &Placement,
) -> (Vec<Sample>, FileReport) {
    place_with(parsed, file, placement, Referencing::default())
}

/// [`place`] with a walk track and a georeference. A scan's position comes from, in order: the
/// stop-and-go position (`placement.at_m`); the track, by the scan's time (scans without a time,
/// or outside the track's time span, are skipped — never clamped to an end); for GPS formats the
/// georeference (skipped without one); else the capture's own position.
pub fn place_with(
    parsed: ParsedCapture,
    file: &str,
    placement: &Placement,
    refs: Referencing<'_>,
) -> (Vec<Sample>, FileReport) {
    let mut skipped = parsed.skipped;
    let mut samples = Vec::new();
    // Only counted: a hash set (FxHash, no seed) where the B-tree of 1.15 million inserts was a
    // twentieth of `wisp check` on issue 16's dense floor.
    let mut bssids = rustc_hash::FxHashSet::default();
    let mut observations = 0;
    let gps = georef::is_gps_format(&parsed.format);
    let mut stale = parsed.stale.into_iter();
    for scan in parsed.scans {
        let stale = stale.next().unwrap_or_default();
        let at = if let Some(p) = placement.at_m {
            p
        } else if let Some(track) = refs.track {
            let Some(t) = scan.t else {
                skipped.skip(skip_reason::NO_TIME_FOR_TRACK, scan.source);
                continue;
            };
            match track.position_at(t) {
                Some(p) => p,
                None => {
                    skipped.skip(skip_reason::OUTSIDE_TRACK, scan.source);
                    continue;
                }
            }
        } else if gps {
            match (scan.at, refs.georef) {
                // GPS scans carry Point::new(longitude, latitude).
                (Some(ll), Some(g)) => g.from_wgs84(ll.y, ll.x),
                (Some(_), None) => {
                    skipped.skip(skip_reason::GPS_NO_GEOREF, scan.source);
                    continue;
                }
                (None, _) => {
                    skipped.skip(skip_reason::NO_POSITION, scan.source);
                    continue;
                }
            }
        } else {
            match scan.at {
                Some(p) => match placement.px_calibration {
                    Some(c) => c.to_metres(p),
                    None => p,
                },
                None => {
                    skipped.skip(skip_reason::NO_POSITION, scan.source);
                    continue;
                }
            }
        };
        if let Some(b) = placement.bounds_m {
            if !(0.0..=b.x).contains(&at.x) || !(0.0..=b.y).contains(&at.y) {
                skipped.skip("position outside the plan", scan.source);
                continue;
            }
        }
        if scan.observations.is_empty() {
            skipped.skip("scan heard nothing", scan.source);
            continue;
        }
        observations += scan.observations.len();
        bssids.extend(scan.observations.iter().map(|o| (o.unidentified, o.bssid)));
        samples.push(Sample {
            x_m: at.x,
            y_m: at.y,
            t: scan.t.map(wisp_model::time::format_rfc3339),
            source: scan.source,
            observations: scan.observations,
            stale,
        });
    }
    let unidentified = bssids.iter().filter(|b| b.0).count();
    let report = FileReport {
        file: file.to_string(),
        format: parsed.format,
        scans: samples.len(),
        observations,
        bssids: bssids.len() - unidentified,
        unidentified,
        time_kinds: parsed.time_kinds.into_iter().collect(),
        skipped,
    };
    (samples, report)
}

/// Ingests every capture of a site floor, each by [`ingest_capture`].
pub fn ingest_floor(floor: &SiteFloor) -> Result<(Vec<Sample>, Vec<FileReport>), IngestError> {
    let mut samples = Vec::new();
    let mut reports = Vec::new();
    let cal = floor.floor.calibration;
    for c in &floor.captures {
        let track = match &c.track {
            Some(path) => {
                let t = Track::load(path)?;
                let t = if c.track_units_px {
                    t.map(|p| cal.to_metres(p))
                } else {
                    t
                };
                check_track_inside(&t, &floor.floor, path, c.track_units_px)?;
                Some(t)
            }
            None => None,
        };
        let set_units = if c.track.is_some() {
            ("track_units = \"{}\"", c.track_units_px)
        } else {
            ("units = \"{}\"", c.units_px)
        };
        let (s, r) = ingest_capture(&CaptureJob {
            path: &c.path,
            format: c.format.as_deref(),
            grouping: &c.grouping,
            max_age_s: c.max_age_s,
            placement: Placement {
                at_m: c.at_m,
                px_calibration: c.units_px.then_some(cal),
                bounds_m: Some(floor.floor.size_m()),
            },
            refs: Referencing {
                track: track.as_ref(),
                georef: floor.georef.as_ref(),
            },
            floor: Some(&floor.floor),
            set_units,
        })?;
        samples.extend(s);
        reports.push(r);
    }
    Ok((samples, reports))
}

/// One capture file and how to read and place it: what [`ingest_capture`] takes.
#[derive(Debug, Clone, Copy)]
pub struct CaptureJob<'a> {
    pub path: &'a Path,
    /// A forced format name; detected from content when `None`.
    pub format: Option<&'a str>,
    /// How GPS sightings are grouped into scans ([`sightings::group`]).
    pub grouping: &'a sightings::Grouping,
    /// Readings older than this are dropped ([`drop_old_readings`]).
    pub max_age_s: f64,
    pub placement: Placement,
    pub refs: Referencing<'a>,
    /// The floor, for the checks of [`placement_mistake`] that need its size; `None` without a
    /// site.
    pub floor: Option<&'a wisp_model::Floor>,
    /// How the user sets the positions' units, `{}` standing for the value, and whether they
    /// are pixels now ([`placement_mistake`]'s last argument).
    pub set_units: (&'a str, bool),
}

/// The one per-capture path of ingest, for a site's captures ([`ingest_floor`]) and for files
/// given on a command line alike: parse (format detected unless forced), group GPS sightings
/// into scans, drop readings that are too old, place the scans, and refuse a placement that is
/// surely a mistake ([`placement_mistake`]: the error names the file).
pub fn ingest_capture(job: &CaptureJob<'_>) -> Result<(Vec<Sample>, FileReport), IngestError> {
    let parsed = sightings::group(parse_capture_file(job.path, job.format)?, job.grouping);
    let parsed = drop_old_readings(parsed, job.max_age_s);
    let (scans, times) = (parsed.scans.len(), time_span(&parsed.scans));
    let (samples, report) = place_with(parsed, &capture_name(job.path), &job.placement, job.refs);
    if let Some(why) = placement_mistake(
        &samples,
        &report,
        scans,
        times,
        job.refs.track,
        job.floor,
        job.placement.at_m.is_some(),
        job.set_units,
    ) {
        return Err(IngestError::invalid(why).at(job.path));
    }
    Ok((samples, report))
}

/// Takes every reading older than `max_age_s` (by its `age_s`; readings without one are kept)
/// out of its scan's observations, counting each as skipped at its scan's location, and sets it
/// aside in [`ParsedCapture::stale`]: no measurement of the scan's place, but a sign the radio
/// was heard lately (see [`wisp_model::Sample::stale`]). A scan left with no observation is then
/// "scan heard nothing" at placement, its stale readings dropped with it.
pub fn drop_old_readings(mut parsed: ParsedCapture, max_age_s: f64) -> ParsedCapture {
    let reason = format!("reading older than max_age_s ({max_age_s} s)");
    parsed.stale.resize_with(parsed.scans.len(), Vec::new);
    for (scan, stale) in parsed.scans.iter_mut().zip(&mut parsed.stale) {
        let (fresh, old) = std::mem::take(&mut scan.observations)
            .into_iter()
            .partition(|o| o.age_s.is_none_or(|a| a <= max_age_s));
        scan.observations = fresh;
        for _ in &old {
            parsed.skipped.skip(reason.clone(), scan.source.clone());
        }
        stale.extend(old);
    }
    parsed
}

/// First and last time of the scans that have one.
pub fn time_span(scans: &[Scan]) -> Option<(f64, f64)> {
    scans
        .iter()
        .filter_map(|s| s.t)
        .fold(None, |acc, t| match acc {
            None => Some((t, t)),
            Some((a, b)) => Some((a.min(t), b.max(t))),
        })
}

/// Refuses a track with a waypoint outside the plan: its units or scale are wrong, and every
/// scan near that waypoint would be dropped or misplaced.
pub fn check_track_inside(
    track: &Track,
    floor: &wisp_model::Floor,
    path: &Path,
    units_px: bool,
) -> Result<(), IngestError> {
    let size = floor.size_m();
    let outside: Vec<&(f64, Point)> = track
        .waypoints()
        .iter()
        .filter(|(_, p)| !(0.0..=size.x).contains(&p.x) || !(0.0..=size.y).contains(&p.y))
        .collect();
    let Some((t, p)) = outside.first() else {
        return Ok(());
    };
    let fix = if units_px {
        "if the track is in metres, set track_units = \"m\""
    } else {
        "if the track is in plan pixels, set track_units = \"px\""
    };
    Err(IngestError::invalid(format!(
        "{} of the track's {} waypoints fall outside the {:.1} m × {:.1} m plan, the first at {} ({:.1}, {:.1}) m; {fix}",
        outside.len(),
        track.waypoints().len(),
        size.x,
        size.y,
        wisp_model::time::format_rfc3339(*t),
        p.x,
        p.y
    ))
    .at(path))
}

/// Why a capture's placement is surely a mistake, or `None`: every scan dropped (saying why, and
/// for a track both time spans side by side), every scan crowded into one of the plan's
/// corners (metres read as pixels, measured from that corner) or into a patch far smaller than
/// the plan (a wrong scale). Nothing silently empty. `set_units` says how to set the units,
/// `{}` standing for the value (`track_units = "{}"` in a manifest, `--units {}` on a command
/// line); `units_px` whether they are pixels now.
#[allow(clippy::too_many_arguments)]
pub fn placement_mistake(
    samples: &[Sample],
    report: &FileReport,
    scans: usize,
    scan_times: Option<(f64, f64)>,
    track: Option<&Track>,
    floor: Option<&wisp_model::Floor>,
    stop_and_go: bool,
    (set_units, units_px): (&str, bool),
) -> Option<String> {
    let fmt = wisp_model::time::format_rfc3339;
    if scans > 0 && samples.is_empty() {
        let reasons: Vec<String> = report
            .skipped
            .iter()
            .map(|(r, n, at)| match at.first() {
                Some(first) => format!("{n} {r} (first {first})"),
                None => format!("{n} {r}"),
            })
            .collect();
        let mut why = format!(
            "none of the capture's {scans} scans could be placed: {}",
            reasons.join("; ")
        );
        if let (Some(track), Some((a, b))) = (track, scan_times) {
            let (t0, t1) = track.span();
            why += &format!(
                "; the scans run {} .. {}, the track {} .. {}",
                fmt(a),
                fmt(b),
                fmt(t0),
                fmt(t1)
            );
            // Epoch milliseconds read as seconds land tens of thousands of years away.
            let ratio = t0.abs().max(1.0) / a.abs().max(1.0);
            if (500.0..2000.0).contains(&ratio) {
                why += " (the track's times look like milliseconds: give seconds)";
            } else if (500.0..2000.0).contains(&(1.0 / ratio)) {
                why += " (the capture's times look like milliseconds of the track's seconds)";
            }
        }
        let outside = report
            .skipped
            .iter()
            .any(|(r, n, _)| r == "position outside the plan" && n * 2 > scans);
        if outside {
            why += &format!(
                "; positions beyond the plan look like pixels read as metres: set {}",
                set_units.replace("{}", "px")
            );
        }
        return Some(why);
    }
    // Metres read as pixels shrink a walk by metres-per-pixel (×0.05 typically) into the
    // top-left corner (the origin); measured from another corner (y up, or x leftwards), into
    // that corner; with a wrong scale, into a patch anywhere. A walk of a floor spans more.
    let size = floor?.size_m();
    let distinct = samples
        .iter()
        .any(|s| (s.x_m, s.y_m) != (samples[0].x_m, samples[0].y_m));
    if stop_and_go || !distinct {
        return None;
    }
    // Shrinking a walk slows it by the same factor, so a walk that moves at walking pace is at
    // its true scale however small a part of a large plan it covers (a real shopping-mall walk:
    // 6 m × 4.7 m of a 240 m × 176 m plan, at 0.9 m/s).
    if walking_speed_mps(samples).is_some_and(|v| v >= WALKING_PACE_MPS) {
        return None;
    }
    let points: Vec<Point> = samples.iter().map(|s| Point::new(s.x_m, s.y_m)).collect();
    crowding_mistake(&points, size, "scans", true, (set_units, units_px))
}

/// The slowest mean speed (0.25 m/s) along a timed walk's scans taken as a walk at its true
/// scale. An *estimate*: adults' comfortable walking speed is 1.3–1.5 m/s (Bohannon 1997, Age
/// and Ageing 26:15–19); a surveyor pausing is slower (the 27 real walks of a shopping-mall
/// floor tried by hand: 0.6–1.35 m/s); metres read as pixels at 0.05 m/px slow a 1 m/s walk to
/// 0.05 m/s, and a 5-fold wrong scale to 0.2 m/s.
const WALKING_PACE_MPS: f64 = 0.25;

/// The mean speed along the scans in time order (the distance between consecutive positions
/// over the time they span), or `None` when a scan has no time or no time passes. The path
/// between scans is a straight line, so the speed is a lower bound.
fn walking_speed_mps(samples: &[Sample]) -> Option<f64> {
    let mut timed: Vec<(f64, Point)> = samples
        .iter()
        .map(|s| {
            let t = wisp_model::time::parse_rfc3339(s.t.as_deref()?)?;
            Some((t, Point::new(s.x_m, s.y_m)))
        })
        .collect::<Option<_>>()?;
    timed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let span = timed.last()?.0 - timed.first()?.0;
    let path: f64 = timed.windows(2).map(|w| w[0].1.distance(w[1].1)).sum();
    (span > 0.0).then(|| path / span)
}
