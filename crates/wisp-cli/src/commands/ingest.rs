use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_ingest::{Placement, Referencing, SkipLog};
use wisp_model::words::count;
use wisp_model::{Point, Survey, SurveyFloor};
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Capture files, each optionally `FILE@X,Y` (stop-and-go: every scan of that file taken at
    /// X,Y, units as --units). Survey JSONs given alone are merged into one survey. Without
    /// any (and without --points), every capture listed in the site manifest is read.
    files: Vec<PathBuf>,
    /// Stop-and-go: a CSV of `file,x,y` rows (optional header), each file (relative to the
    /// points file's folder) taken at its point, units as --units.
    #[arg(long)]
    points: Option<PathBuf>,
    /// The site (site.toml or its folder): gives the plan calibration and bounds.
    #[arg(long)]
    site: Option<PathBuf>,
    /// Floor the files belong to (required with FILES when the site has several floors).
    #[arg(long)]
    floor: Option<String>,
    /// Stop-and-go: every scan of the files was taken here (X,Y).
    #[arg(long, value_parser = parse_xy)]
    at: Option<Point>,
    /// Units of --at and of positions inside the captures.
    #[arg(long, value_enum, default_value_t = Units::M)]
    units: Units,
    /// Continuous walk: a track CSV `t,x,y` (t RFC 3339, or seconds or milliseconds since the
    /// epoch); each
    /// timestamped scan is placed by interpolating between the waypoints around its time.
    #[arg(long)]
    track: Option<PathBuf>,
    /// Units of the track's x,y (plan pixels by default, as in the manifest; px needs --site).
    #[arg(long, value_enum, default_value_t = Units::Px)]
    track_units: Units,
    /// GPS captures (WiGLE, .kismet): sightings within this many seconds (and 3 m) of a scan's
    /// first one are grouped into that scan; 0 keeps one scan per sighting. For FILES; the
    /// manifest's captures take their own `sighting_window_s`.
    #[arg(long, value_name = "SECONDS", default_value_t = wisp_ingest::capture::sightings::DEFAULT_WINDOW_S,
          value_parser = parse_window)]
    sighting_window: f64,
    /// Force a capture format instead of detecting it.
    #[arg(long)]
    format: Option<String>,
    /// Fail (exit 2) if any record is skipped.
    #[arg(long)]
    strict: bool,
    /// Where to write the survey JSON.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Units {
    /// Plan metres.
    M,
    /// Plan pixels (needs --site for the calibration).
    Px,
}

pub fn parse_xy(s: &str) -> Result<Point, String> {
    let (x, y) = s
        .split_once(',')
        .ok_or_else(|| format!("'{s}' is not X,Y"))?;
    let x: f64 = x
        .trim()
        .parse()
        .map_err(|_| format!("'{x}' is not a number"))?;
    let y: f64 = y
        .trim()
        .parse()
        .map_err(|_| format!("'{y}' is not a number"))?;
    if !x.is_finite() || !y.is_finite() {
        return Err(format!("'{s}' is not a finite position"));
    }
    Ok(Point::new(x, y))
}

/// Whether `path` is a wisp survey JSON (by name and first bytes: nothing large is read).
fn is_survey_json(path: &std::path::Path) -> bool {
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
fn merge_survey_files(a: &Args, files: &[(PathBuf, Option<Point>)]) -> Result<ExitCode, CliError> {
    let mut surveys = Vec::new();
    for (f, _) in files {
        let bytes = wisp_ingest::read_limited(f, wisp_ingest::MAX_CAPTURE_BYTES)?;
        let text = wisp_ingest::text::decode(&bytes).map_err(|e| e.at(f))?;
        surveys.push(wisp_ingest::capture::native::parse_survey(&text).map_err(|e| e.at(f))?);
    }
    let (survey, report) = wisp_ingest::capture::stops::merge_surveys(surveys);
    if report.duplicates > 0 {
        eprintln!(
            "{} kept once (first: {})",
            count(report.duplicates, "duplicate scan", "duplicate scans"),
            report.duplicate_sources.join(", ")
        );
        if a.strict {
            return Err(CliError::input(
                "--strict: duplicate scans in the surveys merged; nothing written",
            ));
        }
    }
    let n: usize = survey.floors.iter().map(|f| f.samples.len()).sum();
    super::write_output(
        &a.out,
        wisp_ingest::capture::native::survey_json(&survey).as_bytes(),
    )?;
    println!(
        "wrote {} ({} on {}, merged from {})",
        a.out.display(),
        count(n, "sample", "samples"),
        count(survey.floors.len(), "floor", "floors"),
        count(files.len(), "survey", "surveys")
    );
    Ok(ExitCode::Ok)
}

fn parse_window(s: &str) -> Result<f64, String> {
    let w: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    wisp_ingest::capture::sightings::Grouping::with_window(w).map(|g| g.window_s)
}

/// Refuses a stop-and-go position off the floor: outside the plan, or outside the outline.
fn check_at_inside(at: Point, floor: &wisp_model::Floor, px: bool) -> Result<(), CliError> {
    let size = floor.size_m();
    let fix = if px {
        "check the position (plan pixels)"
    } else {
        "if it is in plan pixels, add --units px"
    };
    if !(0.0..=size.x).contains(&at.x) || !(0.0..=size.y).contains(&at.y) {
        return Err(CliError::input(format!(
            "--at ({:.1}, {:.1}) m is outside floor '{}' ({:.1} m × {:.1} m); {fix}",
            at.x, at.y, floor.id, size.x, size.y
        )));
    }
    if !floor.outline.contains(at) {
        return Err(CliError::input(format!(
            "--at ({:.1}, {:.1}) m is outside the outline of floor '{}'; {fix}",
            at.x, at.y, floor.id
        )));
    }
    Ok(())
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = a.site.as_deref().map(pipeline::load_site).transpose()?;
    let mut captures: Vec<(PathBuf, Option<Point>)> = Vec::new();
    for f in &a.files {
        // `FILE@X,Y`, unless a file of that very name exists.
        match wisp_ingest::capture::stops::parse_at_argument(&f.to_string_lossy()) {
            Some(cp) if !f.exists() => captures.push((PathBuf::from(cp.file), Some(cp.at))),
            _ => captures.push((f.clone(), None)),
        }
    }
    if let Some(points) = &a.points {
        let bytes = wisp_ingest::read_limited(points, wisp_ingest::points::MAX_POINTS_BYTES)?;
        let text = wisp_ingest::text::decode(&bytes).map_err(|e| e.at(points))?;
        let rows =
            wisp_ingest::capture::stops::parse_capture_points(&text).map_err(|e| e.at(points))?;
        let dir = points.parent().unwrap_or(std::path::Path::new(""));
        captures.extend(rows.into_iter().map(|r| (dir.join(r.file), Some(r.at))));
    }
    if !captures.is_empty()
        && captures
            .iter()
            .all(|(f, at)| at.is_none() && is_survey_json(f))
    {
        return merge_survey_files(&a, &captures);
    }
    let (survey, reports) = if captures.is_empty() {
        if a.track.is_some() {
            return Err(CliError::input(
                "--track places the capture FILES given; the manifest's captures name their own track",
            ));
        }
        let Some(site_path) = &a.site else {
            return Err(CliError::input(
                "give capture FILES, or --site to read the captures its manifest lists",
            ));
        };
        let loaded = pipeline::load(site_path, None)?;
        (loaded.survey, loaded.reports)
    } else {
        let floor = match &site {
            Some(s) => Some(pipeline::pick_floor(s, a.floor.as_deref())?),
            None => None,
        };
        let floor_id = match (floor, &a.floor) {
            (Some(f), _) => f.floor.id.clone(),
            (None, Some(id)) => id.clone(),
            (None, None) => {
                return Err(CliError::input(
                    "without --site, name the survey's floor with --floor ID",
                ))
            }
        };
        let cal = floor.map(|f| f.floor.calibration);
        let px = matches!(a.units, Units::Px);
        if px && cal.is_none() {
            return Err(CliError::input(
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
        let track = match &a.track {
            Some(path) => {
                let t = wisp_ingest::Track::load(path)?;
                Some(match a.track_units {
                    Units::M => t,
                    Units::Px => {
                        let Some(c) = cal else {
                            return Err(CliError::input(
                                "--track in plan pixels needs --site for the plan's calibration (or give --track-units m)",
                            ));
                        };
                        t.map(|p| c.to_metres(p))
                    }
                })
            }
            None => None,
        };
        let refs = Referencing {
            track: track.as_ref(),
            georef: floor.and_then(|f| f.georef.as_ref()),
        };
        // Each stop-and-go position, and --at, must lie on the floor.
        if let Some(f) = floor {
            for at in captures.iter().filter_map(|(_, at)| *at).chain(a.at) {
                check_at_inside(to_m(at), &f.floor, px)?;
            }
        }
        if let (Some(t), Some(f), Some(path)) = (&track, floor, &a.track) {
            wisp_ingest::check_track_inside(t, &f.floor, path, matches!(a.track_units, Units::Px))?;
        }
        if let Some(t) = &track {
            let kinds: Vec<&str> = t.time_kinds().iter().map(|k| k.name()).collect();
            if !kinds.is_empty() {
                eprintln!("track times read as {}", kinds.join(" and "));
            }
        }
        let max_age_s = site
            .as_ref()
            .map_or(wisp_ingest::manifest::DEFAULT_MAX_AGE_S, |s| s.max_age_s);
        let placement = |at: Option<Point>| Placement {
            at_m: at.or(a.at).map(to_m),
            px_calibration: if px { cal } else { None },
            bounds_m: floor.map(|f| f.floor.size_m()),
        };
        let grouping = wisp_ingest::capture::sightings::Grouping::with_window(a.sighting_window)
            .map_err(CliError::input)?;
        let mut samples = Vec::new();
        let mut reports = Vec::new();
        for (file, at) in &captures {
            let name = wisp_ingest::capture_name(file);
            let parsed = wisp_ingest::capture::sightings::group(
                wisp_ingest::parse_capture_file(file, a.format.as_deref())?,
                &grouping,
            );
            let parsed = wisp_ingest::drop_old_readings(parsed, max_age_s);
            let (scans, times) = (parsed.scans.len(), wisp_ingest::time_span(&parsed.scans));
            let (s, r) = wisp_ingest::place_with(parsed, &name, &placement(*at), refs);
            let units = if a.track.is_some() {
                ("--track-units {}", matches!(a.track_units, Units::Px))
            } else {
                ("--units {}", px)
            };
            if let Some(why) = wisp_ingest::placement_mistake(
                &s,
                &r,
                scans,
                times,
                track.as_ref(),
                floor.map(|f| &f.floor),
                at.is_some() || a.at.is_some(),
                units,
            ) {
                return Err(CliError::input(format!("{}: {why}", file.display())));
            }
            samples.extend(s);
            reports.push(r);
        }
        for (one, other) in wisp_ingest::capture::stops::same_point_and_time(&samples) {
            eprintln!(
                "two captures at the same point and time: {one} and {other} (the same scan saved twice, or a points-file slip?)"
            );
        }
        (
            Survey::new(vec![SurveyFloor {
                id: floor_id,
                samples,
            }]),
            reports,
        )
    };
    crate::progress::print_reports(&reports);
    let mut skipped = SkipLog::default();
    for r in &reports {
        skipped.merge(r.skipped.clone());
    }
    if a.strict && !skipped.is_empty() {
        return Err(CliError::input(format!(
            "--strict: {} skipped (see above); nothing written",
            count(skipped.total(), "record", "records")
        )));
    }
    let n: usize = survey.floors.iter().map(|f| f.samples.len()).sum();
    super::write_output(
        &a.out,
        wisp_ingest::capture::native::survey_json(&survey).as_bytes(),
    )?;
    println!(
        "wrote {} ({} on {})",
        a.out.display(),
        count(n, "sample", "samples"),
        count(survey.floors.len(), "floor", "floors")
    );
    Ok(ExitCode::Ok)
}
