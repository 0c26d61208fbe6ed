//! The journal: an append-only file of JSON lines in the output folder, one [`Entry`] a line,
//! each written and fsync'd before anyone is told about it. It is the collector's only state on
//! disk; a restart on the same folder replays it ([`Journal::open`]).
//!
//! A crash can tear the last line (the write was cut short); replay skips a line it cannot read
//! and counts it, and the next append starts on a fresh line, so a torn line never poisons the
//! entries after it.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use wisp_model::Observation;

/// The journal's file name inside the output folder.
pub const JOURNAL_FILE: &str = "journal.jsonl";

/// Version of the journal's line format, in its first entry.
pub const JOURNAL_VERSION: u32 = 1;

/// Largest journal replayed (bytes): a scan a second for twelve hours with 60 radios each is
/// about 43,200 lines of 8 KB, 350 MB; 1 GiB bounds memory with room to spare.
pub const MAX_JOURNAL_BYTES: u64 = 1 << 30;

/// Where the surveyor clicked: a stop-and-go point (scans are taken there) or a waypoint of a
/// continuous walk (scans are placed by time between waypoints).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    Stop,
    Waypoint,
}

/// How scans are taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Click where you stand; the scanner runs N times there.
    StopAndGo,
    /// The scanner runs back to back; clicks are waypoints.
    Continuous,
}

/// One line of the journal. Times are seconds since the Unix epoch (the collector's clock).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum Entry {
    /// The first line: which site and floor this folder surveys.
    Begin {
        version: u32,
        site: String,
        floor: String,
        t: f64,
    },
    /// A click on the plan, in plan metres.
    Point {
        id: u64,
        kind: PointKind,
        x_m: f64,
        y_m: f64,
        t: f64,
    },
    /// A scan that came in: its raw output's file (relative to the folder), the format wisp
    /// detected, and what it heard. `point` is the stop-and-go point it was taken at; `None` in
    /// continuous mode.
    Scan {
        id: u64,
        point: Option<u64>,
        t: f64,
        raw: String,
        format: String,
        observations: Vec<Observation>,
    },
    /// The scanner failed (or printed nothing wisp reads); the survey goes on.
    ScanFailed {
        point: Option<u64>,
        t: f64,
        message: String,
    },
    /// A point taken back ("undo"); its scans leave the survey.
    Undo {
        point: u64,
    },
    /// A point moved to where it should have been.
    Move {
        point: u64,
        x_m: f64,
        y_m: f64,
    },
    /// An active check at a point: round-trip times and loss with the system `ping`.
    Ping {
        point: Option<u64>,
        t: f64,
        host: String,
        sent: u32,
        received: u32,
        rtt_avg_ms: Option<f64>,
    },
    /// The active check could not run or printed no summary (no `ping` binary, an unknown
    /// host); the survey goes on. A host that answers nothing is a `Ping` with nothing received.
    PingFailed {
        point: Option<u64>,
        t: f64,
        host: String,
        message: String,
    },
    Mode {
        mode: Mode,
        t: f64,
    },
    Pause {
        t: f64,
    },
    Resume {
        t: f64,
    },
}

/// What replaying a journal found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Replay {
    pub entries: Vec<Entry>,
    /// Lines that could not be read (a torn last line after a crash), with their line numbers.
    pub skipped_lines: Vec<usize>,
}

/// The open journal, appending.
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens (creating if needed) the journal in `dir` and replays what it holds. A file that
    /// does not end with a newline (a torn last line) gets one, so the next entry starts clean.
    pub fn open(dir: &Path) -> Result<(Journal, Replay), Error> {
        std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
        let path = dir.join(JOURNAL_FILE);
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| Error::write(&path, e))?;
        let mut bytes = Vec::new();
        (&mut file)
            .take(MAX_JOURNAL_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::input(format!("{}: {e}", path.display())))?;
        if bytes.len() as u64 > MAX_JOURNAL_BYTES {
            return Err(Error::input(format!(
                "{}: the journal is larger than {MAX_JOURNAL_BYTES} bytes",
                path.display()
            )));
        }
        let replay = replay(&bytes);
        let mut journal = Journal { file, path };
        if bytes.last().is_some_and(|b| *b != b'\n') {
            journal.write_raw(b"\n")?;
        }
        Ok((journal, replay))
    }

    /// Appends one entry and waits until it is on disk.
    pub fn append(&mut self, entry: &Entry) -> Result<(), Error> {
        let mut line = serde_json::to_vec(entry).map_err(Error::output)?;
        line.push(b'\n');
        self.write_raw(&line)
    }

    fn write_raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.file
            .write_all(bytes)
            .and_then(|_| self.file.sync_data())
            .map_err(|e| Error::write(&self.path, e))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Reads the entries of a journal's bytes, skipping (and counting) lines it cannot read.
pub fn replay(bytes: &[u8]) -> Replay {
    let mut out = Replay::default();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Entry>(line) {
            Ok(e) => out.entries.push(e),
            Err(_) => out.skipped_lines.push(i + 1),
        }
    }
    out
}

/// Writes `bytes` to a new file `path` and waits until it and its folder entry are on disk.
pub fn write_durable(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut f = File::create(path).map_err(|e| Error::write(path, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::write(path, e))?;
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        // The new name itself must survive a power cut: fsync the folder (Unix only; Windows
        // cannot open a folder as a file).
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| Error::write(dir, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_skipped_and_the_next_entry_starts_clean() {
        let dir = tempfile::tempdir().unwrap();
        let (mut j, r) = Journal::open(dir.path()).unwrap();
        assert!(r.entries.is_empty() && r.skipped_lines.is_empty());
        let a = Entry::Pause { t: 1.0 };
        j.append(&a).unwrap();
        drop(j);
        // A crash mid-write: half a line, no newline.
        let path = dir.path().join(JOURNAL_FILE);
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(br#"{"entry":"resume","t":"#).unwrap();
        drop(f);
        let (mut j, r) = Journal::open(dir.path()).unwrap();
        assert_eq!(r.entries, vec![a.clone()]);
        assert_eq!(r.skipped_lines, vec![2]);
        let b = Entry::Resume { t: 2.0 };
        j.append(&b).unwrap();
        drop(j);
        let (_, r) = Journal::open(dir.path()).unwrap();
        assert_eq!(r.entries, vec![a, b]);
        assert_eq!(r.skipped_lines, vec![2]);
    }
}
