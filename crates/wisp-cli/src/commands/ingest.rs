use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_ingest::{Placement, Referencing, SkipLog};
use wisp_model::{Point, Survey, SurveyFloor};
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Capture files. Without any, every capture listed in the site manifest is read.
    files: Vec<PathBuf>,
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
    /// Continuous walk: a track CSV `t,x,y` (t RFC 3339 or seconds since the epoch); each
    /// timestamped scan is placed by interpolating between the waypoints around its time.
    #[arg(long)]
    track: Option<PathBuf>,
    /// Units of the track's x,y (plan pixels by default, as in the manifest; px needs --site).
    #[arg(long, value_enum, default_value_t = Units::Px)]
    track_units: Units,
    /// GPS captures (WiGLE, .kismet): sightings within this many seconds (and 3 m) of a scan's
    /// first one are grouped into that scan; 0 keeps one scan per sighting. For FILES; the
    /// manifest's captures take their own `sighting_window_s`.
    #[arg(long, value_name = "SECONDS", default_value_t = wisp_ingest::sightings::DEFAULT_WINDOW_S,
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

fn parse_window(s: &str) -> Result<f64, String> {
    let w: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number"))?;
    wisp_ingest::sightings::Grouping::with_window(w).map(|g| g.window_s)
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = a.site.as_deref().map(pipeline::load_site).transpose()?;
    let (survey, reports) = if a.files.is_empty() {
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
        let placement = Placement {
            at_m: a.at.map(to_m),
            px_calibration: if px { cal } else { None },
            bounds_m: floor.map(|f| f.floor.size_m()),
        };
        let grouping = wisp_ingest::sightings::Grouping::with_window(a.sighting_window)
            .map_err(CliError::input)?;
        let mut samples = Vec::new();
        let mut reports = Vec::new();
        for file in &a.files {
            let name = wisp_ingest::capture_name(file);
            let parsed = wisp_ingest::sightings::group(
                wisp_ingest::parse_capture_file(file, a.format.as_deref())?,
                &grouping,
            );
            let (s, r) = wisp_ingest::place_with(parsed, &name, &placement, refs);
            samples.extend(s);
            reports.push(r);
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
            "--strict: {} record(s) skipped (see above); nothing written",
            skipped.total()
        )));
    }
    let n: usize = survey.floors.iter().map(|f| f.samples.len()).sum();
    super::write_output(&a.out, wisp_ingest::native::survey_json(&survey).as_bytes())?;
    println!(
        "wrote {} ({n} samples on {} floor(s))",
        a.out.display(),
        survey.floors.len()
    );
    Ok(ExitCode::Ok)
}
