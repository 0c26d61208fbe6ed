//! Continuous walk tracks: where the surveyor was, when.
//!
//! A track is a CSV of waypoints `t,x,y` — `t` an RFC 3339 time or seconds since the Unix epoch,
//! `x,y` a plan position (plan pixels by default, as a surveyor clicks them; see the manifest's
//! `track_units`) — with an optional header row naming the columns `t` (or `time`, `timestamp`),
//! `x`, `y`. Blank lines and lines starting `#` are ignored.
//!
//! Each timestamped scan of a capture is placed by linear interpolation in time between the two
//! waypoints around it ([`Track::position_at`]); a scan at a waypoint's time lands exactly on it.
//! A scan outside the track's time span is not clamped to an end (the surveyor may have walked on
//! with the scanner running): the caller counts it as skipped.
//!
//! Waypoints may come in any order; they are sorted by time. Two waypoints at the same time and
//! place are one; at the same time but different places the track is refused, naming both lines,
//! since there is no telling which way the surveyor went.

use crate::IngestError;
use std::path::Path;
use wisp_model::Point;

/// Largest track file read (bytes). A waypoint a second for a twelve-hour day is 43,200 lines of
/// under 60 bytes: 2.6 MB. 64 MiB leaves room for denser logs and still bounds memory.
pub const MAX_TRACK_BYTES: u64 = 64 << 20;

/// A walk track: waypoints sorted by time, strictly increasing.
#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    /// (seconds since the epoch, position)
    points: Vec<(f64, Point)>,
    /// How the track file wrote its times (empty for waypoints built in code).
    time_kinds: Vec<TimeKind>,
}

/// How a time was written, for the ingest report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TimeKind {
    Rfc3339,
    EpochSeconds,
    EpochMilliseconds,
}

impl TimeKind {
    pub fn name(self) -> &'static str {
        match self {
            TimeKind::Rfc3339 => "RFC 3339",
            TimeKind::EpochSeconds => "epoch seconds",
            TimeKind::EpochMilliseconds => "epoch milliseconds",
        }
    }
}

/// Epoch numbers at or above this are milliseconds: 10^11 seconds is the year 5138, 10^11
/// milliseconds is March 1973, so a survey's time is unambiguous either way.
pub const EPOCH_MILLISECONDS_FROM: f64 = 1e11;

/// A time in a track or capture: RFC 3339, or (fractional) seconds or milliseconds since the
/// Unix epoch, told apart by magnitude ([`EPOCH_MILLISECONDS_FROM`]).
pub fn parse_time(s: &str) -> Option<f64> {
    parse_time_kind(s).map(|(t, _)| t)
}

/// [`parse_time`], with how the time was written.
pub fn parse_time_kind(s: &str) -> Option<(f64, TimeKind)> {
    let s = s.trim();
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v.abs() >= EPOCH_MILLISECONDS_FROM => {
            Some((v / 1000.0, TimeKind::EpochMilliseconds))
        }
        Ok(v) if v.is_finite() => Some((v, TimeKind::EpochSeconds)),
        Ok(_) => None,
        Err(_) => wisp_model::time::parse_rfc3339(s).map(|t| (t, TimeKind::Rfc3339)),
    }
}

impl Track {
    /// Builds a track from `(t, position, line)` waypoints in any order. Errors (naming the
    /// lines) on two waypoints at one time but different places, or fewer than two waypoints.
    pub fn from_waypoints(mut wps: Vec<(f64, Point, usize)>) -> Result<Track, IngestError> {
        if let Some(w) = wps
            .iter()
            .find(|w| !(w.0.is_finite() && w.1.x.is_finite() && w.1.y.is_finite()))
        {
            return Err(IngestError::invalid("waypoint has a number that is not finite").line(w.2));
        }
        wps.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
        let mut points: Vec<(f64, Point)> = Vec::with_capacity(wps.len());
        let mut last_line = 0;
        for (t, p, line) in wps {
            if let Some(&(lt, lp)) = points.last() {
                if lt == t {
                    if lp == p {
                        continue;
                    }
                    return Err(IngestError::invalid(format!(
                        "waypoints on lines {last_line} and {line} have the same time ({}) but different positions ([{}, {}] and [{}, {}]): the track cannot be in two places at once",
                        wisp_model::time::format_rfc3339(t),
                        lp.x,
                        lp.y,
                        p.x,
                        p.y
                    ))
                    .line(line));
                }
            }
            points.push((t, p));
            last_line = line;
        }
        if points.len() < 2 {
            return Err(IngestError::invalid(format!(
                "a track needs at least two waypoints at different times, not {}",
                points.len()
            )));
        }
        Ok(Track {
            points,
            time_kinds: Vec::new(),
        })
    }

    /// Parses track CSV text; errors name the line.
    pub fn parse(text: &str) -> Result<Track, IngestError> {
        let mut wps = Vec::new();
        let mut kinds = std::collections::BTreeSet::new();
        let mut cols: Option<[usize; 3]> = None;
        let mut first = true;
        for (line, rec) in crate::text::small_csv_rows(text, "track")? {
            if first {
                first = false;
                if parse_time(rec.get(0).unwrap_or("")).is_none() {
                    // A header row: find the columns by name.
                    let find = |names: &[&str]| {
                        rec.iter()
                            .position(|f| names.iter().any(|n| f.eq_ignore_ascii_case(n)))
                    };
                    let (Some(t), Some(x), Some(y)) = (
                        find(&["t", "time", "timestamp"]),
                        find(&["x", "x_px", "x_m"]),
                        find(&["y", "y_px", "y_m"]),
                    ) else {
                        return Err(IngestError::syntax(format!(
                            "track header '{}': expected columns t,x,y",
                            crate::error::quote(&rec.iter().collect::<Vec<_>>().join(","))
                        ))
                        .line(line));
                    };
                    cols = Some([t, x, y]);
                    continue;
                }
            }
            let [ct, cx, cy] = cols.unwrap_or([0, 1, 2]);
            let field = |i: usize| rec.get(i).unwrap_or("");
            let (t, kind) = parse_time_kind(field(ct)).ok_or_else(|| {
                IngestError::invalid(format!(
                    "time '{}' is neither RFC 3339 nor seconds or milliseconds since the epoch",
                    crate::error::quote(field(ct))
                ))
                .line(line)
            })?;
            kinds.insert(kind);
            let num = |i: usize, what: &str| crate::text::small_csv_number(&rec, i, what, line);
            wps.push((t, Point::new(num(cx, "x")?, num(cy, "y")?), line));
        }
        let mut track = Track::from_waypoints(wps)?;
        track.time_kinds = kinds.into_iter().collect();
        Ok(track)
    }

    /// Reads a track file (at most [`MAX_TRACK_BYTES`]); errors name the file and line.
    pub fn load(path: &Path) -> Result<Track, IngestError> {
        let bytes = crate::read_limited(path, MAX_TRACK_BYTES)?;
        let text = crate::text::decode(&bytes).map_err(|e| e.at(path))?;
        Track::parse(&text).map_err(|e| e.at(path))
    }

    /// The same track with every position mapped by `f` (e.g. plan pixels → plan metres).
    pub fn map(&self, f: impl Fn(Point) -> Point) -> Track {
        Track {
            points: self.points.iter().map(|&(t, p)| (t, f(p))).collect(),
            time_kinds: self.time_kinds.clone(),
        }
    }

    /// How the track file wrote its times (RFC 3339, epoch seconds or milliseconds), in that
    /// order, each once: said in the ingest report.
    pub fn time_kinds(&self) -> &[TimeKind] {
        &self.time_kinds
    }

    /// Waypoints sorted by time: (seconds since the epoch, position).
    pub fn waypoints(&self) -> &[(f64, Point)] {
        &self.points
    }

    /// First and last waypoint times.
    pub fn span(&self) -> (f64, f64) {
        (self.points[0].0, self.points[self.points.len() - 1].0)
    }

    /// Where the track was at time `t`, interpolated linearly between the waypoints around it;
    /// `None` outside the track's time span. At a waypoint's time, exactly that waypoint.
    pub fn position_at(&self, t: f64) -> Option<Point> {
        let (t0, t1) = self.span();
        if !t.is_finite() || t < t0 || t > t1 {
            return None;
        }
        // First waypoint later than t (t ≤ t1, so i ≤ len; i ≥ 1 since t ≥ t0).
        let i = self.points.partition_point(|w| w.0 <= t);
        if i == self.points.len() {
            return Some(self.points[i - 1].1);
        }
        let (ta, a) = self.points[i - 1];
        let (tb, b) = self.points[i];
        if t == ta {
            return Some(a);
        }
        let f = (t - ta) / (tb - ta);
        Some(Point::new(
            (1.0 - f) * a.x + f * b.x,
            (1.0 - f) * a.y + f * b.y,
        ))
    }
}

/// Writes waypoints as track CSV (`t,x,y`, t in seconds since the epoch), the format
/// [`Track::parse`] reads.
pub fn track_csv(points: &[(f64, Point)]) -> String {
    let mut s = String::from("t,x,y\n");
    for (t, p) in points {
        s.push_str(&format!("{t},{},{}\n", p.x, p.y));
    }
    s
}
