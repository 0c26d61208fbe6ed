//! `wisp ingest` as a library: capture files given one by one (each optionally at a stop-and-go
//! point, or placed by a track) become one floor's survey, or several survey JSONs merge into
//! one. The positions are checked against the floor before anything is read, so a position in
//! the wrong units is said, not silently placed in a corner.

use crate::pipeline;
use crate::Error;
use std::path::{Path, PathBuf};
use wisp_ingest::capture::stops::MergeReport;
use wisp_ingest::{CaptureJob, FileReport, Placement, Referencing, Site};
use wisp_model::words::count;
use wisp_model::{Point, Survey, SurveyFloor};

/// Units of a position given on the command line or in a track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// Plan metres.
    Metres,
    /// Plan pixels (needs the site for the calibration).
    Pixels,
}

/// What to ingest, as `wisp ingest`'s arguments say it.
#[derive(Debug, Clone)]
pub struct IngestRequest<'a> {
    /// The site: the plan's calibration, bounds and outline, and the manifest's options.
    pub site: Option<&'a Site>,
    /// The floor the files belong to (needed when the site has several, or without a site).
    pub floor: Option<&'a str>,
    /// The capture files, each with its stop-and-go point if it has one.
    pub captures: Vec<(PathBuf, Option<Point>)>,
    /// Every scan of the files was taken here (stop-and-go), unless a file has its own point.
    pub at: Option<Point>,
    /// Units of `at`, of the captures' points and of positions inside the captures.
    pub units: Units,
    /// Continuous walk: the track CSV that places each timestamped scan.
    pub track: Option<&'a Path>,
    /// Units of the track's x,y.
    pub track_units: Units,
    /// Sightings within this many seconds (and 3 m) are one scan (GPS formats).
    pub sighting_window_s: f64,
    /// A capture format forced instead of detected.
    pub format: Option<&'a str>,
}

/// A survey made from capture files: the survey, what ingest did per file, and what a person
/// should be told about it (in order).
#[derive(Debug, Clone)]
pub struct Ingested {
    pub survey: Survey,
    pub reports: Vec<FileReport>,
    pub notes: Vec<String>,
}

/// The capture files of `wisp ingest`'s arguments: each `FILE@X,Y` (unless a file of that very
/// name exists) with its point, then each row of the points CSV.
pub fn captures_of(
    files: &[PathBuf],
    points: Option<&Path>,
) -> Result<Vec<(PathBuf, Option<Point>)>, Error> {
    let mut captures: Vec<(PathBuf, Option<Point>)> = Vec::new();
    for f in files {
        match wisp_ingest::capture::stops::parse_at_argument(&f.to_string_lossy()) {
            Some(cp) if !f.exists() => captures.push((PathBuf::from(cp.file), Some(cp.at))),
            _ => captures.push((f.clone(), None)),
        }
    }
    if let Some(points) = points {
        let rows = wisp_ingest::capture::stops::load_capture_points(points)?;
        captures.extend(rows.into_iter().map(|(path, r)| (path, Some(r.at))));
    }
    Ok(captures)
}

/// Whether every capture is a survey JSON without a point of its own: then they are merged,
/// not ingested.
pub fn all_survey_jsons(captures: &[(PathBuf, Option<Point>)]) -> bool {
    !captures.is_empty()
        && captures
            .iter()
            .all(|(f, at)| at.is_none() && is_survey_json(f))
}

fn is_survey_json(path: &Path) -> bool {
    use std::io::Read;
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        return false;
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(4096).read_to_end(&mut head));
    read.is_ok() && String::from_utf8_lossy(&head).contains(wisp_model::SURVEY_FORMAT)
}

/// Several survey JSONs of one site merged into one (docs/survey-format.md, "Merging surveys").
pub fn merge_survey_files(files: &[PathBuf]) -> Result<(Survey, MergeReport), Error> {
    let mut surveys = Vec::new();
    for f in files {
        let bytes = wisp_ingest::read_limited(f, wisp_ingest::MAX_CAPTURE_BYTES)?;
        let text = wisp_ingest::text::decode(&bytes).map_err(|e| e.at(f))?;
        surveys.push(wisp_ingest::capture::native::parse_survey(&text).map_err(|e| e.at(f))?);
    }
    Ok(wisp_ingest::capture::stops::merge_surveys(surveys))
}

/// The note on duplicate scans a merge kept once, if there were any.
pub fn duplicates_note(report: &MergeReport) -> Option<String> {
    (report.duplicates > 0).then(|| {
        format!(
            "{} kept once (first: {})",
            count(report.duplicates, "duplicate scan", "duplicate scans"),
            report.duplicate_sources.join(", ")
        )
    })
}

/// Refuses a stop-and-go position off the floor: outside the plan, or outside the outline.
fn check_at_inside(at: Point, floor: &wisp_model::Floor, px: bool) -> Result<(), Error> {
    let size = floor.size_m();
    let fix = if px {
        "check the position (plan pixels)"
    } else {
        "if it is in plan pixels, add --units px"
    };
    if !(0.0..=size.x).contains(&at.x) || !(0.0..=size.y).contains(&at.y) {
        return Err(Error::input(format!(
            "--at ({:.1}, {:.1}) m is outside floor '{}' ({:.1} m × {:.1} m); {fix}",
            at.x, at.y, floor.id, size.x, size.y
        )));
    }
    if !floor.outline.contains(at) {
        return Err(Error::input(format!(
            "--at ({:.1}, {:.1}) m is outside the outline of floor '{}'; {fix}",
            at.x, at.y, floor.id
        )));
    }
    Ok(())
}

/// Ingests the request's capture files into one floor's survey.
pub fn ingest_files(req: &IngestRequest) -> Result<Ingested, Error> {
    let floor = match req.site {
        Some(s) => Some(pipeline::pick_floor(s, req.floor)?),
        None => None,
    };
    let floor_id = match (floor, req.floor) {
        (Some(f), _) => f.floor.id.clone(),
        (None, Some(id)) => id.to_string(),
        (None, None) => {
            return Err(Error::input(
                "without --site, name the survey's floor with --floor ID",
            ))
        }
    };
    let cal = floor.map(|f| f.floor.calibration);
    let px = req.units == Units::Pixels;
    if px && cal.is_none() {
        return Err(Error::input(
            "--units px needs --site for the plan's calibration",
        ));
    }
    let to_m = |p: Point| {
        if px {
            cal.map_or(p, |c| c.to_metres(p))
        } else {
            p
        }
    };
    let track_px = req.track_units == Units::Pixels;
    let track = match req.track {
        Some(path) => {
            let t = wisp_ingest::Track::load(path)?;
            Some(if track_px {
                let Some(c) = cal else {
                    return Err(Error::input(
                        "--track in plan pixels needs --site for the plan's calibration (or give --track-units m)",
                    ));
                };
                t.map(|p| c.to_metres(p))
            } else {
                t
            })
        }
        None => None,
    };
    let refs = Referencing {
        track: track.as_ref(),
        georef: floor.and_then(|f| f.georef.as_ref()),
    };
    // Each stop-and-go position, and --at, must lie on the floor; and the points together must
    // not all sit in one corner of the plan (metres read as pixels that still land inside).
    if let Some(f) = floor {
        for at in req.captures.iter().filter_map(|(_, at)| *at).chain(req.at) {
            check_at_inside(to_m(at), &f.floor, px)?;
        }
        let points: Vec<Point> = req
            .captures
            .iter()
            .filter_map(|(_, at)| at.map(to_m))
            .collect();
        if let Some(why) = wisp_ingest::crowding::crowding_mistake(
            &points,
            f.floor.size_m(),
            "stop-and-go points",
            false,
            ("--units {}", px),
        ) {
            return Err(Error::input(format!("floor '{}': {why}", f.floor.id)));
        }
    }
    if let (Some(t), Some(f), Some(path)) = (&track, floor, req.track) {
        wisp_ingest::check_track_inside(t, &f.floor, path, track_px)?;
    }
    let mut notes = Vec::new();
    if let Some(t) = &track {
        let kinds: Vec<&str> = t.time_kinds().iter().map(|k| k.name()).collect();
        if !kinds.is_empty() {
            notes.push(format!("track times read as {}", kinds.join(" and ")));
        }
    }
    let max_age_s = req
        .site
        .map_or(wisp_ingest::manifest::DEFAULT_MAX_AGE_S, |s| s.max_age_s);
    let placement = |at: Option<Point>| Placement {
        at_m: at.or(req.at).map(to_m),
        px_calibration: if px { cal } else { None },
        bounds_m: floor.map(|f| f.floor.size_m()),
    };
    let grouping = wisp_ingest::capture::sightings::Grouping::with_window(req.sighting_window_s)
        .map_err(Error::input)?;
    let set_units = if req.track.is_some() {
        ("--track-units {}", track_px)
    } else {
        ("--units {}", px)
    };
    let mut samples = Vec::new();
    let mut reports = Vec::new();
    for (file, at) in &req.captures {
        let (s, r) = wisp_ingest::ingest_capture(&CaptureJob {
            path: file,
            format: req.format,
            grouping: &grouping,
            max_age_s,
            placement: placement(*at),
            refs,
            floor: floor.map(|f| &f.floor),
            set_units,
        })?;
        samples.extend(s);
        reports.push(r);
    }
    for (one, other) in wisp_ingest::capture::stops::same_point_and_time(&samples) {
        notes.push(format!(
            "two captures at the same point and time: {one} and {other} (the same scan saved twice, or a points-file slip?)"
        ));
    }
    Ok(Ingested {
        survey: Survey::new(vec![SurveyFloor {
            id: floor_id,
            samples,
        }]),
        reports,
        notes,
    })
}
