//! `wisp collect`: survey a floor with wisp itself. The surveyor clicks where they stand on the
//! plan, the machine's Wi-Fi scanner runs, the scan is journalled and the live map fills in.
//!
//! This crate owns the collector: the journal ([`journal`]: append-only JSON lines, fsync'd
//! before anyone is told, replayed on restart), the scanner adapters ([`scanner`]: run the OS's
//! scanner, hand the bytes to wisp-ingest's own parsers), the session ([`session`]: points,
//! scans, placement, the survey they make), the active checks ([`ping`]: `--ping HOST`, the
//! thresholds its layers are drawn with, `pings.csv`), the live map ([`map`]: a floor analysed by
//! wisp-site, sent as a value raster) and the local web server with its page ([`server`]).
//!
//! It never decides a verdict (the live map's layers and "walk here next" come from wisp-site and
//! wisp-interp), never parses a capture format itself (wisp-ingest does), never writes outside
//! its output folder, and never serves a request without the session's token. It does read the
//! clock (a scan's time) and the OS's random source (the token): it is a front end, not core.

pub mod error;
pub mod journal;
pub mod map;
pub mod ping;
pub mod scanner;
pub mod server;
pub mod session;

pub use error::{Error, ErrorKind};
pub use journal::{Entry, Mode, PointKind};
pub use scanner::Scanner;
pub use session::Session;

use journal::Journal;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use wisp_ingest::{Site, SiteFloor};
use wisp_model::{Observation, Point};

/// How a collection runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder: journal, raw outputs, exports. Nothing is written elsewhere.
    pub out_dir: PathBuf,
    /// Scans taken at each stop-and-go point.
    pub scans_per_point: u32,
    /// `--ping HOST`: an active check at each point (after a stop's scans, at a waypoint).
    pub ping: Option<ping::PingCommand>,
    /// Least time between the starts of two continuous scans.
    pub continuous_interval: std::time::Duration,
}

impl Options {
    pub fn new(out_dir: PathBuf) -> Options {
        Options {
            out_dir,
            scans_per_point: DEFAULT_SCANS_PER_POINT,
            ping: None,
            continuous_interval: DEFAULT_CONTINUOUS_INTERVAL,
        }
    }
}

/// Scans per stop-and-go point by default: two, so one scan's missed beacons (a scan dwells
/// ~100 ms per channel and can miss a beacon) are caught by the other. An estimate, not a
/// measured optimum.
pub const DEFAULT_SCANS_PER_POINT: u32 = 2;

/// Least time between continuous scans: one second. A full active scan of 2.4 + 5 GHz takes
/// about 2–4 s with `iw` (shared/reference.md §4), so real scanners are slower anyway; the
/// floor only keeps a fast fake scanner from filling the disk. An estimate.
pub const DEFAULT_CONTINUOUS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// The folder of raw scanner outputs inside the output folder.
pub const RAW_DIR: &str = "raw";

/// The export of the active checks inside the output folder ([`ping::pings_csv`]).
pub const PINGS_FILE: &str = "pings.csv";

/// What resuming from an existing journal found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resumed {
    pub points: usize,
    pub scans: usize,
    /// Journal lines that could not be read (a torn last line), by line number.
    pub skipped_lines: Vec<usize>,
}

/// What one scan came to.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ScanOutcome {
    Scan {
        id: u64,
        point: Option<u64>,
        format: String,
        radios: usize,
    },
    Failed {
        point: Option<u64>,
        message: String,
    },
}

/// The files an export wrote, and the manifest lines that use them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Exported {
    pub survey: PathBuf,
    pub track: Option<PathBuf>,
    /// `pings.csv`, when any check was made at a live point.
    pub pings: Option<PathBuf>,
    pub raw_dir: PathBuf,
    pub samples: usize,
    /// `[[floors.captures]]` lines to paste into the site manifest.
    pub manifest_lines: String,
}

struct Inner {
    journal: Journal,
    session: Session,
}

/// A collection in progress: the site and floor, the scanner, the journal and the session.
pub struct Collector {
    site: Site,
    floor_index: usize,
    options: Options,
    scanner: Arc<dyn Scanner>,
    inner: Mutex<Inner>,
    resumed: Resumed,
}

/// Seconds since the Unix epoch, now.
pub fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl Collector {
    /// Opens the output folder's journal (resuming what it holds) for floor `floor` of `site`.
    /// A journal of another site's floor is refused.
    pub fn open(
        site: Site,
        floor: &str,
        options: Options,
        scanner: Box<dyn Scanner>,
    ) -> Result<Collector, Error> {
        let floor_index = site
            .floors
            .iter()
            .position(|f| f.floor.id == floor)
            .ok_or_else(|| {
                Error::input(format!(
                    "{}: no floor '{floor}' (floors: {})",
                    site.manifest_path.display(),
                    wisp_site::pipeline::floor_ids(&site)
                ))
            })?;
        if options.scans_per_point == 0 {
            return Err(Error::input("--scans-per-point must be at least 1"));
        }
        let raw = options.out_dir.join(RAW_DIR);
        std::fs::create_dir_all(&raw).map_err(|e| Error::write(&raw, e))?;
        let (mut journal, replay) = Journal::open(&options.out_dir)?;
        let mut session = Session::new(floor);
        match replay.entries.first() {
            None => journal.append(&Entry::Begin {
                version: journal::JOURNAL_VERSION,
                site: site.name.clone(),
                floor: floor.to_string(),
                t: now(),
            })?,
            Some(Entry::Begin { floor: f, .. }) if f == floor => {}
            Some(Entry::Begin { floor: f, site: s, .. }) => {
                return Err(Error::input(format!(
                    "{}: this folder holds a survey of floor '{f}' of '{s}', not floor '{floor}': use another --out",
                    journal.path().display()
                )))
            }
            Some(_) => {
                return Err(Error::input(format!(
                    "{}: not a wisp collect journal (its first line is not a \"begin\" entry)",
                    journal.path().display()
                )))
            }
        }
        for e in &replay.entries {
            session.apply(e);
        }
        let resumed = Resumed {
            points: session.points.values().filter(|p| !p.undone).count(),
            scans: session.scans.len(),
            skipped_lines: replay.skipped_lines,
        };
        Ok(Collector {
            site,
            floor_index,
            options,
            scanner: Arc::from(scanner),
            inner: Mutex::new(Inner { journal, session }),
            resumed,
        })
    }

    pub fn site(&self) -> &Site {
        &self.site
    }
    pub fn floor(&self) -> &SiteFloor {
        &self.site.floors[self.floor_index]
    }
    pub fn options(&self) -> &Options {
        &self.options
    }
    pub fn resumed(&self) -> &Resumed {
        &self.resumed
    }
    pub fn scanner_description(&self) -> String {
        self.scanner.describe()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the session half-applied (entries are
        // applied whole after their journal line is written), so a poisoned lock is still sound.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of the session as it is now.
    pub fn session(&self) -> Session {
        self.lock().session.clone()
    }

    /// The session's mode and whether it is paused, without copying the session.
    pub fn mode(&self) -> (Mode, bool) {
        let inner = self.lock();
        (inner.session.mode, inner.session.paused)
    }

    /// Journals `entry`, then applies it to the session.
    pub fn record(&self, entry: Entry) -> Result<(), Error> {
        let mut inner = self.lock();
        inner.journal.append(&entry)?;
        inner.session.apply(&entry);
        Ok(())
    }

    /// A plan position in pixels as plan metres, refused unless finite and on the plan.
    pub fn plan_point(&self, x_px: f64, y_px: f64) -> Result<Point, Error> {
        let f = &self.floor().floor;
        let (w, h) = f.plan_size_px;
        // `contains` is false for NaN, and JSON has no infinities: finite and on the plan.
        let on_plan = (0.0..=w as f64).contains(&x_px) && (0.0..=h as f64).contains(&y_px);
        if !on_plan {
            return Err(Error::input(format!(
                "position ({x_px}, {y_px}) px is not on the {w} × {h} px plan"
            )));
        }
        Ok(f.calibration.to_metres(Point::new(x_px, y_px)))
    }

    /// Adds a point (a stop, or a waypoint in continuous mode) and returns its id.
    pub fn add_point(&self, kind: PointKind, at: Point) -> Result<u64, Error> {
        let mut inner = self.lock();
        if inner.session.paused {
            return Err(Error::input("the survey is paused: resume it first"));
        }
        let id = inner.session.next_point_id();
        let e = Entry::Point {
            id,
            kind,
            x_m: at.x,
            y_m: at.y,
            t: now(),
        };
        inner.journal.append(&e)?;
        inner.session.apply(&e);
        Ok(id)
    }

    /// Runs the scanner once and journals what came of it: the raw output (its own file, on
    /// disk first) and the scan, or the failure. Blocking: the scanner takes seconds.
    pub fn scan_once(&self, point: Option<u64>) -> Result<ScanOutcome, Error> {
        let output = self.scanner.scan();
        let t = now();
        let parsed = output.and_then(|bytes| parse_scan(&bytes).map(|p| (bytes, p)));
        let mut inner = self.lock();
        match parsed {
            Ok((bytes, (format, observations))) => {
                let id = inner.session.next_scan_id();
                let raw = format!("{RAW_DIR}/scan-{id:06}.txt");
                journal::write_durable(&self.options.out_dir.join(&raw), &bytes)?;
                let radios = observations.len();
                let e = Entry::Scan {
                    id,
                    point,
                    t,
                    raw,
                    format: format.clone(),
                    observations,
                };
                inner.journal.append(&e)?;
                inner.session.apply(&e);
                Ok(ScanOutcome::Scan {
                    id,
                    point,
                    format,
                    radios,
                })
            }
            Err(message) => {
                let e = Entry::ScanFailed {
                    point,
                    t,
                    message: message.clone(),
                };
                inner.journal.append(&e)?;
                inner.session.apply(&e);
                Ok(ScanOutcome::Failed { point, message })
            }
        }
    }

    /// `--ping`: one active check at `point`, journalled; a check that could not run (no
    /// `ping` binary, an unknown host) is journalled as a failed check and the survey goes on.
    /// Blocking: `ping` takes seconds. `None` without `--ping`.
    pub fn ping_once(&self, point: Option<u64>) -> Result<Option<Entry>, Error> {
        let Some(command) = &self.options.ping else {
            return Ok(None);
        };
        let host = command.host.clone();
        let e = match command.run() {
            Ok(r) => Entry::Ping {
                point,
                t: now(),
                host,
                sent: r.sent,
                received: r.received,
                rtt_avg_ms: r.rtt_avg_ms,
            },
            Err(message) => Entry::PingFailed {
                point,
                t: now(),
                host,
                message,
            },
        };
        self.record(e.clone())?;
        Ok(Some(e))
    }

    /// Takes back the last point; `None` when there is none.
    pub fn undo(&self) -> Result<Option<u64>, Error> {
        let mut inner = self.lock();
        let Some(id) = inner.session.last_live_point().map(|p| p.id) else {
            return Ok(None);
        };
        let e = Entry::Undo { point: id };
        inner.journal.append(&e)?;
        inner.session.apply(&e);
        Ok(Some(id))
    }

    /// Moves point `id` to `at`.
    pub fn move_point(&self, id: u64, at: Point) -> Result<(), Error> {
        let mut inner = self.lock();
        if inner.session.points.get(&id).is_none_or(|p| p.undone) {
            return Err(Error::input(format!("there is no point {id} to move")));
        }
        let e = Entry::Move {
            point: id,
            x_m: at.x,
            y_m: at.y,
        };
        inner.journal.append(&e)?;
        inner.session.apply(&e);
        Ok(())
    }

    /// Writes the survey JSON and the track into the output folder (atomically) and returns the
    /// manifest lines that use them.
    pub fn export(&self) -> Result<Exported, Error> {
        let session = self.session();
        let survey = session.survey();
        let dir = &self.options.out_dir;
        let survey_path = dir.join("survey.json");
        wisp_site::write_output(
            &survey_path,
            wisp_ingest::capture::native::survey_json(&survey).as_bytes(),
        )?;
        let walk = session.walk();
        let track_path = (walk.len() >= 2).then(|| dir.join("track.csv"));
        if let Some(p) = &track_path {
            wisp_site::write_output(p, wisp_ingest::track::track_csv(&walk).as_bytes())?;
        }
        let placed_pings = session.placed_pings();
        // Written whenever checks were made, so an export after undoing them all leaves no
        // stale rows behind.
        let pings_path = (!session.pings.is_empty()).then(|| dir.join(PINGS_FILE));
        if let Some(p) = &pings_path {
            wisp_site::write_output(p, ping::pings_csv(&placed_pings).as_bytes())?;
        }
        let manifest_dir = self
            .site
            .manifest_path
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let rel = relative_to(&survey_path, &manifest_dir);
        let manifest_lines = format!(
            "# wisp collect: {} scans of floor '{}' (raw scanner outputs in {})\n[[floors.captures]]\nfile = \"{}\"\n",
            survey.floors[0].samples.len(),
            session.floor,
            dir.join(RAW_DIR).display(),
            toml_escape(&rel)
        );
        Ok(Exported {
            survey: survey_path,
            track: track_path,
            pings: pings_path,
            raw_dir: dir.join(RAW_DIR),
            samples: survey.floors[0].samples.len(),
            manifest_lines,
        })
    }
}

/// A scanner's output through wisp-ingest's own detection and parsers: the format and every
/// radio heard (a radio listed twice keeps its strongest reading). An output no parser reads,
/// or that holds no scan, is an error saying so.
pub fn parse_scan(bytes: &[u8]) -> Result<(String, Vec<Observation>), String> {
    let parsed =
        wisp_ingest::parse_capture(bytes, "scanner output", None).map_err(|e| e.to_string())?;
    if parsed.scans.is_empty() {
        let why: Vec<String> = parsed
            .skipped
            .iter()
            .map(|(r, n, _)| format!("{n} {r}"))
            .collect();
        return Err(format!(
            "the scanner's output ({}) holds no scan{}",
            parsed.format,
            if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join("; "))
            }
        ));
    }
    let mut best: Vec<Observation> = Vec::new();
    for o in parsed.scans.into_iter().flat_map(|s| s.observations) {
        match best.iter_mut().find(|b| b.bssid == o.bssid) {
            Some(b) if b.rssi_dbm < o.rssi_dbm => *b = o,
            Some(_) => {}
            None => best.push(o),
        }
    }
    Ok((parsed.format, best))
}

/// `path` relative to `base` when it lies below it, else absolute (as given).
fn relative_to(path: &Path, base: &Path) -> String {
    let abs = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (p, b) = (abs(path), abs(base));
    p.strip_prefix(&b)
        .map(|r| r.to_path_buf())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

fn toml_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
