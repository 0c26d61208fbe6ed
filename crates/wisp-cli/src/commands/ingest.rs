//! `wisp ingest`: capture files to a survey JSON ([`wisp_site::ingest`]).

use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_ingest::SkipLog;
use wisp_model::words::count;
use wisp_model::Point;
use wisp_site::ingest::{
    all_survey_jsons, captures_of, duplicates_note, ingest_files, merge_survey_files,
    IngestRequest, Units as SiteUnits,
};
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

impl From<Units> for SiteUnits {
    fn from(u: Units) -> SiteUnits {
        match u {
            Units::M => SiteUnits::Metres,
            Units::Px => SiteUnits::Pixels,
        }
    }
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
/// Several survey JSONs of one site merged into one (docs/survey-format.md, "Merging surveys").
fn merge(a: &Args, files: &[(PathBuf, Option<Point>)]) -> Result<ExitCode, CliError> {
    let paths: Vec<PathBuf> = files.iter().map(|(f, _)| f.clone()).collect();
    let (survey, report) = merge_survey_files(&paths)?;
    if let Some(note) = duplicates_note(&report) {
        eprintln!("{note}");
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

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = a.site.as_deref().map(pipeline::load_site).transpose()?;
    let captures = captures_of(&a.files, a.points.as_deref())?;
    if all_survey_jsons(&captures) {
        return merge(&a, &captures);
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
        let ingested = ingest_files(&IngestRequest {
            site: site.as_ref(),
            floor: a.floor.as_deref(),
            captures,
            at: a.at,
            units: a.units.into(),
            track: a.track.as_deref(),
            track_units: a.track_units.into(),
            sighting_window_s: a.sighting_window,
            format: a.format.as_deref(),
        })?;
        for note in &ingested.notes {
            eprintln!("{note}");
        }
        (ingested.survey, ingested.reports)
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
