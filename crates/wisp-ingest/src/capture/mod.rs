//! What a capture parser yields: scans with provenance, and every skipped record counted by reason.

pub mod formats;
pub mod native;
pub mod sightings;
pub mod stops;

use std::collections::BTreeMap;
use wisp_model::{Observation, Point};

/// One scan from a capture: what the scanner heard at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// Seconds since the Unix epoch (UTC), when the capture has a time.
    pub t: Option<f64>,
    /// Where the capture itself says the scan was taken, in the capture's units.
    pub at: Option<Point>,
    /// `file:line` or `file#index`.
    pub source: String,
    pub observations: Vec<Observation>,
}

/// How many records were skipped, by reason, with the first few locations of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkipLog {
    reasons: BTreeMap<String, (usize, Vec<String>)>,
}

/// Locations kept per reason: enough to find the problem, bounded for huge files.
const KEEP_LOCATIONS: usize = 5;

impl SkipLog {
    pub fn skip(&mut self, reason: impl Into<String>, location: impl Into<String>) {
        let e = self.reasons.entry(reason.into()).or_default();
        e.0 += 1;
        if e.1.len() < KEEP_LOCATIONS {
            e.1.push(location.into());
        }
    }
    pub fn total(&self) -> usize {
        self.reasons.values().map(|e| e.0).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }
    /// (reason, count, first locations), by reason.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize, &[String])> {
        self.reasons
            .iter()
            .map(|(r, (n, l))| (r.as_str(), *n, l.as_slice()))
    }
    pub fn merge(&mut self, other: SkipLog) {
        for (r, (n, locs)) in other.reasons {
            let e = self.reasons.entry(r).or_default();
            e.0 += n;
            for l in locs {
                if e.1.len() < KEEP_LOCATIONS {
                    e.1.push(l);
                }
            }
        }
    }
}

/// A parsed capture file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedCapture {
    /// The detected or forced format's name.
    pub format: String,
    pub scans: Vec<Scan>,
    pub skipped: SkipLog,
    /// How the capture wrote its times, when it could write them several ways (the long-form
    /// CSV: RFC 3339, epoch seconds or epoch milliseconds), for the report.
    pub time_kinds: std::collections::BTreeSet<crate::placement::track::TimeKind>,
}
