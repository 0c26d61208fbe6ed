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
pub mod formats;
pub mod georef;
pub mod manifest;
pub mod native;
pub mod plan;
pub mod text;
pub mod track;

pub use capture::{ParsedCapture, Scan, SkipLog};
pub use error::{IngestError, IngestErrorKind};
pub use georef::Georef;
pub use manifest::{load_site, CaptureSpec, Site, SiteFloor};
pub use track::Track;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use wisp_model::{PlanCalibration, Point, Sample};

/// Largest manifest or APs file read (bytes): a manifest is hand-written text.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// Largest capture file read whole (bytes).
pub const MAX_CAPTURE_BYTES: u64 = 1 << 30;

/// Reads a whole file, refusing one larger than `limit` bytes.
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, IngestError> {
    let f = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut buf = Vec::new();
    f.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| IngestError::io(path, e))?;
    if buf.len() as u64 > limit {
        return Err(
            IngestError::invalid(format!("file is larger than the {limit}-byte limit")).at(path),
        );
    }
    Ok(buf)
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

/// Parses a capture's bytes, detecting the format from content unless `forced`.
pub fn parse_capture(
    bytes: &[u8],
    name: &str,
    forced: Option<&str>,
) -> Result<ParsedCapture, IngestError> {
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
    pub bssids: usize,
    pub skipped: SkipLog,
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
        bssids.extend(scan.observations.iter().map(|o| o.bssid));
        samples.push(Sample {
            x_m: at.x,
            y_m: at.y,
            t: scan.t.map(wisp_model::time::format_rfc3339),
            source: scan.source,
            observations: scan.observations,
        });
    }
    let report = FileReport {
        file: file.to_string(),
        format: parsed.format,
        scans: samples.len(),
        observations,
        bssids: bssids.len(),
        skipped,
    };
    (samples, report)
}

/// Ingests every capture of a site floor.
pub fn ingest_floor(floor: &SiteFloor) -> Result<(Vec<Sample>, Vec<FileReport>), IngestError> {
    let mut samples = Vec::new();
    let mut reports = Vec::new();
    for c in &floor.captures {
        let bytes = read_limited(&c.path, MAX_CAPTURE_BYTES)?;
        let name = c
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed =
            parse_capture(&bytes, &name, c.format.as_deref()).map_err(|e| e.at(&c.path))?;
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
        let refs = Referencing {
            track: track.as_ref(),
            georef: floor.georef.as_ref(),
        };
        let (s, r) = place_with(parsed, &name, &placement, refs);
        samples.extend(s);
        reports.push(r);
    }
    Ok((samples, reports))
}

#[cfg(test)]
mod tests {
    #[test]
    fn detect_never_cuts_a_character() {
        // A multi-byte character straddling the 4096-byte sniffing window.
        let text = format!("{{\"a\": \"{}é\"}}", "x".repeat(4095 - 7));
        assert!(text.len() > 4096 && !text.is_char_boundary(4096));
        assert_eq!(super::detect(&text), None);
    }
}
