//! Everything that comes in from files: site manifests, plan images and capture files.
//!
//! This crate is the only place that knows about pixels, encodings and file formats. What it
//! hands on is validated and in plan metres: a [`Site`] of [`wisp_model::Floor`]s and a
//! [`wisp_model::Survey`] whose every sample keeps its provenance (`file:line`). Whatever it
//! does not use it counts, by reason, in a [`SkipLog`].
//!
//! It must never write files, print, or exit: the CLI decides what to do with errors and reports.
//! Every read is bounded ([`MAX_CAPTURE_BYTES`], image limits), so hostile input cannot exhaust
//! memory.

pub mod capture;
mod error;
pub mod esx;
pub mod manifest;
pub mod placement;
pub mod plan;
pub mod points;
pub mod text;

use capture::{formats, native, sightings};
use manifest::georef;
use placement::track;

pub use capture::{ParsedCapture, Scan, SkipLog};
pub use error::{file_line, IngestError, IngestErrorKind};
pub use manifest::georef::Georef;
pub use manifest::{load_site, CaptureSpec, Site, SiteFloor};
pub use placement::track::Track;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use wisp_model::{PlanCalibration, Point, Sample};

/// Largest manifest or APs file read (bytes): a manifest is hand-written text.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// Largest capture file read whole (bytes): the text formats. Packet captures stream and
/// `.kismet` logs are read in place, without this limit.
pub const MAX_CAPTURE_BYTES: u64 = 1 << 30;

/// Reads a whole file, refusing one larger than `limit` bytes, and anything that is not a regular
/// file: a folder, a pipe (opening it would wait for a writer) or a device (`/dev/zero` never ends).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, IngestError> {
    require_file(path)?;
    let f = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut buf = Vec::new();
    read_to_limit(f, &mut buf, limit).map_err(|e| e.at(path))?;
    Ok(buf)
}

/// Appends the rest of `from` to `buf`, refusing to hold more than `limit` bytes in all.
fn read_to_limit(from: impl Read, buf: &mut Vec<u8>, limit: u64) -> Result<(), IngestError> {
    let room = (limit + 1).saturating_sub(buf.len() as u64);
    from.take(room)
        .read_to_end(buf)
        .map_err(|e| IngestError::new(IngestErrorKind::Io(e)))?;
    if buf.len() as u64 > limit {
        return Err(IngestError::invalid(format!(
            "file is larger than the {limit}-byte limit"
        )));
    }
    Ok(())
}

/// True when `bytes` hold nothing but whitespace: an empty capture.
fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// Refuses a path that is not a regular file (after following links), before anything opens it.
pub fn require_file(path: &Path) -> Result<(), IngestError> {
    let meta = std::fs::metadata(path).map_err(|e| IngestError::io(path, e))?;
    if meta.is_dir() {
        return Err(IngestError::invalid("is a folder, expected a file").at(path));
    }
    if !meta.is_file() {
        return Err(IngestError::invalid(
            "is not a regular file (a pipe, socket or device), expected a file",
        )
        .at(path));
    }
    Ok(())
}

/// Refuses `path` when a symbolic link on its way below `root` (the site folder) leads outside
/// `root`: a plan or capture that is a link to `/etc/passwd` or `../elsewhere.png`. Paths written
/// with `..` in the manifest are the surveyor's own choice and are not links, so they pass; a
/// path that does not exist passes too (reading it reports that).
pub fn check_link_inside(path: &Path, root: &Path) -> Result<(), IngestError> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    let mut linked = false;
    for c in rel.components() {
        at.push(c);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            linked = true;
            break;
        }
    }
    if !linked {
        return Ok(());
    }
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let (Ok(target), Ok(root_abs)) = (path.canonicalize(), root.canonicalize()) else {
        // A dangling link: reading it reports the missing target.
        return Ok(());
    };
    if target.starts_with(&root_abs) {
        return Ok(());
    }
    Err(IngestError::new(IngestErrorKind::UnsafePath(format!(
        "is a link leaving the site folder (it leads to {}); copy the file into the site folder",
        target.display()
    )))
    .at(path))
}

/// wisp's own capture formats; the others are in [`formats`].
const NATIVE_FORMATS: &[&str] = &["wisp-json", "wisp-csv"];

/// Every capture format wisp reads, by the name `--format` takes.
pub fn format_names() -> Vec<&'static str> {
    NATIVE_FORMATS
        .iter()
        .copied()
        .chain(formats::names())
        .collect()
}

/// The name a capture file goes by in `source` locations and reports: its file name.
pub fn capture_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// How much of a capture file format detection reads: enough for every magic number and for
/// the Kismet schema in an SQLite file's first pages ([`formats::kismet::detect`]).
pub const SNIFF_BYTES: u64 = 64 << 10;

/// Reads and parses the capture file at `path`, detecting the format from its first
/// [`SNIFF_BYTES`] unless `forced`. Packet captures (pcap, pcapng) are parsed record by record
/// from a buffered reader over the file, so memory is bounded by the scans kept, not by the
/// file's size; a `.kismet` log is read by SQLite from the file itself (read-only, immutable);
/// every other format is read whole, bounded by [`MAX_CAPTURE_BYTES`]. Errors name the file.
pub fn parse_capture_file(path: &Path, forced: Option<&str>) -> Result<ParsedCapture, IngestError> {
    require_file(path)?;
    let mut file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut head = Vec::new();
    (&mut file)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| IngestError::io(path, e))?;
    let name = capture_name(path);
    let format = forced.or_else(|| formats::detect_binary(&head));
    let parsed = match format {
        Some(f) if formats::pcap::FORMATS.contains(&f) && !is_blank(&head) => {
            let stream = std::io::BufReader::with_capacity(1 << 16, head.as_slice().chain(file));
            formats::pcap::parse_reader(f, stream, &name)
        }
        Some("kismetdb") if !is_blank(&head) => formats::kismetdb::read_file(path, &head, &name),
        _ => {
            read_to_limit(file, &mut head, MAX_CAPTURE_BYTES).map_err(|e| e.at(path))?;
            parse_capture(&head, &name, forced)
        }
    };
    parsed.map_err(|e| e.at(path))
}

/// Parses a capture's bytes, detecting the format from content unless `forced`. Packet captures
/// go through the same record-by-record parser as [`parse_capture_file`], over the bytes.
pub fn parse_capture(
    bytes: &[u8],
    name: &str,
    forced: Option<&str>,
) -> Result<ParsedCapture, IngestError> {
    if is_blank(bytes) {
        return Err(IngestError::syntax("the file is empty: no capture in it"));
    }
    // Binary formats (pcap, pcapng, Kismet logs) are judged on the bytes, before any decoding.
    if let Some(parsed) = forced
        .or_else(|| formats::detect_binary(bytes))
        .and_then(|f| formats::parse_binary(f, bytes, name))
    {
        return parsed;
    }
    let text = text::decode(bytes)?;
    let format = match forced {
        Some(f) => f.to_string(),
        None => detect(&text).ok_or_else(|| {
            IngestError::new(IngestErrorKind::UnknownFormat(format!(
                "no capture format recognised (known: {}); use --format to force one",
                format_names().join(", ")
            )))
        })?,
    };
    match format.as_str() {
        "wisp-csv" => native::parse_long_csv(&text, name),
        "wisp-json" => {
            let survey = native::parse_survey(&text)?;
            let scans = survey
                .floors
                .into_iter()
                .flat_map(|f| f.samples)
                .map(|s| Scan {
                    t: s.t.as_deref().and_then(wisp_model::time::parse_rfc3339),
                    at: Some(Point::new(s.x_m, s.y_m)),
                    source: s.source,
                    observations: s.observations,
                })
                .collect();
            Ok(ParsedCapture {
                format,
                scans,
                skipped: SkipLog::default(),
                ..Default::default()
            })
        }
        other => formats::parse(other, &text, name).unwrap_or_else(|| {
            Err(IngestError::new(IngestErrorKind::UnknownFormat(format!(
                "unknown format '{other}' (known: {})",
                format_names().join(", ")
            ))))
        }),
    }
}

/// The format `text` is in, judged from its first lines.
pub fn detect(text: &str) -> Option<String> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let mut cut = head.len().min(4096);
    while !head.is_char_boundary(cut) {
        cut -= 1;
    }
    if head.starts_with('{') && head[..cut].contains("wisp-survey") {
        return Some("wisp-json".into());
    }
    if native::looks_like_long_csv(head) {
        return Some("wisp-csv".into());
    }
    formats::detect(text).map(str::to_string)
}

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
            "{}: {} — {} scans, {} observations, {} BSSIDs, {} skipped",
            self.file,
            self.format,
            self.scans,
            self.observations,
            self.bssids,
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
    let mut bssids = BTreeSet::new();
    let mut observations = 0;
    let gps = georef::is_gps_format(&parsed.format);
    for scan in parsed.scans {
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

/// Ingests every capture of a site floor.
pub fn ingest_floor(floor: &SiteFloor) -> Result<(Vec<Sample>, Vec<FileReport>), IngestError> {
    let mut samples = Vec::new();
    let mut reports = Vec::new();
    for c in &floor.captures {
        let name = capture_name(&c.path);
        let parsed = sightings::group(
            parse_capture_file(&c.path, c.format.as_deref())?,
            &c.grouping,
        );
        let parsed = drop_old_readings(parsed, c.max_age_s);
        let cal = floor.floor.calibration;
        let placement = Placement {
            at_m: c.at_px.map(|p| cal.to_metres(p)),
            px_calibration: c.units_px.then_some(cal),
            bounds_m: Some(floor.floor.size_m()),
        };
        let track = match &c.track {
            Some(path) => {
                let t = Track::load(path)?;
                Some(if c.track_units_px {
                    t.map(|p| cal.to_metres(p))
                } else {
                    t
                })
            }
            None => None,
        };
        if let (Some(t), Some(path)) = (&track, &c.track) {
            check_track_inside(t, &floor.floor, path, c.track_units_px)?;
        }
        let refs = Referencing {
            track: track.as_ref(),
            georef: floor.georef.as_ref(),
        };
        let (scans, times) = (parsed.scans.len(), time_span(&parsed.scans));
        let (s, r) = place_with(parsed, &name, &placement, refs);
        let units = if c.track.is_some() {
            ("track_units = \"{}\"", c.track_units_px)
        } else {
            ("units = \"{}\"", c.units_px)
        };
        if let Some(why) = placement_mistake(
            &s,
            &r,
            scans,
            times,
            track.as_ref(),
            Some(&floor.floor),
            c.at_px.is_some(),
            units,
        ) {
            return Err(IngestError::invalid(why).at(&c.path));
        }
        samples.extend(s);
        reports.push(r);
    }
    Ok((samples, reports))
}

/// Drops every reading older than `max_age_s` (by its `age_s`; readings without one are kept),
/// counting each as skipped at its scan's location. A scan left with nothing is then "scan
/// heard nothing" at placement.
pub fn drop_old_readings(mut parsed: ParsedCapture, max_age_s: f64) -> ParsedCapture {
    let reason = format!("reading older than max_age_s ({max_age_s} s)");
    for scan in &mut parsed.scans {
        let before = scan.observations.len();
        scan.observations
            .retain(|o| o.age_s.is_none_or(|a| a <= max_age_s));
        for _ in scan.observations.len()..before {
            parsed.skipped.skip(reason.clone(), scan.source.clone());
        }
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
    let (mut lo, mut hi) = (
        Point::new(f64::INFINITY, f64::INFINITY),
        Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
    );
    for s in samples {
        lo = Point::new(lo.x.min(s.x_m), lo.y.min(s.y_m));
        hi = Point::new(hi.x.max(s.x_m), hi.y.max(s.y_m));
    }
    let (tenth_x, tenth_y) = (size.x / CROWDED_SHARE, size.y / CROWDED_SHARE);
    let fix_metres = if units_px {
        format!(
            "if the positions are metres, set {}",
            set_units.replace("{}", "m")
        )
    } else {
        "check the positions' units".to_string()
    };
    let west = hi.x <= tenth_x;
    let east = lo.x >= size.x - tenth_x;
    let north = hi.y <= tenth_y;
    let south = lo.y >= size.y - tenth_y;
    let corner = match (north, south, west, east) {
        (true, _, true, _) => Some("top-left"),
        (true, _, _, true) => Some("top-right"),
        (_, true, true, _) => Some("bottom-left"),
        (_, true, _, true) => Some("bottom-right"),
        _ => None,
    };
    let plan = format!(
        "({:.1} m × {:.1} m of a {:.1} m × {:.1} m plan)",
        tenth_x, tenth_y, size.x, size.y
    );
    match corner {
        Some("top-left") => Some(format!(
            "every one of the {} scans lies within the plan's top-left tenth {plan}: the positions look like metres read as pixels; {fix_metres}",
            samples.len()
        )),
        Some(corner) => Some(format!(
            "every one of the {} scans lies within the plan's {corner} tenth {plan}: the positions look measured from that corner (wisp's are from the plan's top-left, x right, y down) and shrunk, as metres read as pixels are; measure x from the left and y downwards, and {fix_metres}",
            samples.len()
        )),
        None if hi.x - lo.x <= size.x / CLUSTER_SHARE && hi.y - lo.y <= size.y / CLUSTER_SHARE => {
            Some(format!(
                "every one of the {} scans lies in a {:.1} m × {:.1} m patch at ({:.1}, {:.1}) m of a {:.1} m × {:.1} m plan, far smaller than a walk of the floor: the positions' units or the floor's metres_per_pixel look wrong; {fix_metres}, or check metres_per_pixel (a survey of one spot is a stop-and-go capture: give it --at or FILE@X,Y)",
                samples.len(),
                hi.x - lo.x,
                hi.y - lo.y,
                (lo.x + hi.x) / 2.0,
                (lo.y + hi.y) / 2.0,
                size.x,
                size.y
            ))
        }
        None => None,
    }
}

/// A walk all of whose scans lie within this fraction (1/10) of the plan's width and height
/// from one of its corners is refused as shrunk (metres read as pixels shrink it 20-fold at
/// 0.05 m/px). An *estimate*: a real walk of a floor reaches further than a tenth of it.
const CROWDED_SHARE: f64 = 10.0;

/// A walk anywhere spanning no more than this fraction (1/20) of the plan in both directions is
/// refused as a wrong scale. An *estimate*, stricter than the corner rule because a surveyor may
/// walk one room: on a 72 m × 30 m floor, 3.6 m × 1.5 m.
const CLUSTER_SHARE: f64 = 20.0;

#[cfg(test)]
mod tests {
    #[test]
    fn detect_never_cuts_a_character() {
        // A multi-byte character straddling the 4096-byte sniffing window.
        let text = format!("{{\"a\": \"{}é\"}}", "x".repeat(4095 - 7));
        assert!(text.len() > 4096 && !text.is_char_boundary(4096));
        assert_eq!(super::detect(&text), None);
    }

    /// A classic pcap (radiotap, link type 127) holding one beacon heard at -61 dBm on 5180 MHz.
    fn one_beacon_pcap() -> Vec<u8> {
        let mut f = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0];
        f.extend([0; 8]);
        f.extend(65535u32.to_le_bytes());
        f.extend(127u32.to_le_bytes());
        let mut p = vec![0u8, 0, 13, 0];
        p.extend((1u32 << 3 | 1 << 5).to_le_bytes());
        p.extend(5180u16.to_le_bytes());
        p.extend(0x0140u16.to_le_bytes());
        p.push(-61i8 as u8);
        p.extend([0x80, 0, 0, 0]);
        p.extend([0xff; 6]);
        p.extend([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01]);
        p.extend([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01]);
        p.extend([0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x64, 0, 0x31, 0x04]);
        p.extend([0, 5]);
        p.extend(b"Ward7");
        f.extend(1_793_613_845u32.to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend((p.len() as u32).to_le_bytes());
        f.extend((p.len() as u32).to_le_bytes());
        f.extend(p);
        f
    }

    #[test]
    fn binary_captures_are_parsed_before_text_decoding() {
        // Regression: pcap bytes went through text decoding first and failed as "not UTF-8".
        let pcap = one_beacon_pcap();
        for forced in [None, Some("pcap")] {
            let p = super::parse_capture(&pcap, "b.pcap", forced).unwrap();
            assert_eq!((p.format.as_str(), p.scans.len()), ("pcap", 1));
            assert_eq!(p.scans[0].observations[0].rssi_dbm, -61.0);
        }
        // Cut mid-packet: no scan, one counted "truncated packet".
        let cut = super::parse_capture(&pcap[..pcap.len() - 10], "b.pcap", None).unwrap();
        assert_eq!(cut.scans.len(), 0);
        assert_eq!(cut.skipped.iter().next().unwrap().0, "truncated packet");
    }

    #[test]
    fn capture_files_stream_packet_captures_and_read_text_whole() {
        let dir = tempfile::tempdir().unwrap();
        let pcap = one_beacon_pcap();
        let path = dir.path().join("b.pcap");
        std::fs::write(&path, &pcap).unwrap();
        let p = super::parse_capture_file(&path, None).unwrap();
        assert_eq!(p, super::parse_capture(&pcap, "b.pcap", None).unwrap());
        assert_eq!(p.scans[0].source, "b.pcap#1");
        std::fs::write(&path, &pcap[..pcap.len() - 10]).unwrap();
        let p = super::parse_capture_file(&path, Some("pcap")).unwrap();
        assert_eq!(p.skipped.iter().next().unwrap().0, "truncated packet");
        // A pcap header cut short names the file; a blank file is empty whatever is forced.
        std::fs::write(&path, &pcap[..20]).unwrap();
        let e = super::parse_capture_file(&path, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("b.pcap") && e.contains("(20 of 24 bytes)"),
            "{e}"
        );
        for forced in [None, Some("pcap"), Some("kismetdb")] {
            std::fs::write(&path, b"  \n").unwrap();
            let e = super::parse_capture_file(&path, forced).unwrap_err();
            assert!(e.to_string().contains("the file is empty"), "{e}");
        }
    }

    #[test]
    fn empty_capture_says_so() {
        for bytes in [&b""[..], b" \r\n\n"] {
            let e = super::parse_capture(bytes, "e.csv", None).unwrap_err();
            assert!(e.to_string().contains("the file is empty"), "{e}");
        }
    }

    #[test]
    fn folders_and_devices_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let e = super::read_limited(dir.path(), 100)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a folder, expected a file"), "{e}");
        #[cfg(unix)]
        {
            // /dev/zero never ends; a pipe would block the open.
            let e = super::read_limited(std::path::Path::new("/dev/zero"), 1 << 30)
                .unwrap_err()
                .to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_leaving_the_site_folder_are_refused() {
        use std::os::unix::fs::symlink;
        let top = tempfile::tempdir().unwrap();
        let site = top.path().join("site");
        std::fs::create_dir_all(site.join("sub")).unwrap();
        std::fs::write(top.path().join("outside.png"), b"x").unwrap();
        std::fs::write(site.join("inside.csv"), b"x").unwrap();
        symlink("../outside.png", site.join("plan.png")).unwrap();
        symlink("/etc/passwd", site.join("sub").join("walk.csv")).unwrap();
        symlink("inside.csv", site.join("alias.csv")).unwrap();
        symlink("..", site.join("up")).unwrap();
        for bad in ["plan.png", "sub/walk.csv", "up/outside.png"] {
            let e = super::check_link_inside(&site.join(bad), &site).unwrap_err();
            assert!(
                e.to_string().contains("is a link leaving the site folder"),
                "{bad}: {e}"
            );
        }
        // A link that stays inside, a plain file, a written `..` path and a missing file pass.
        for good in ["alias.csv", "inside.csv", "../outside.png", "missing.csv"] {
            super::check_link_inside(&site.join(good), &site).unwrap();
        }
    }
}
