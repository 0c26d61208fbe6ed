//! A survey session's state, rebuilt from the journal's entries and kept up to date as new ones
//! are appended: the points clicked, the scans taken, what failed; and the survey they make.
//!
//! Placement: a stop-and-go scan sits at its point (where the point is now, after moves); a
//! continuous scan is placed by time on the track of the waypoints, with the rule `--track` uses
//! ([`wisp_ingest::Track::position_at`]: linear in time between the waypoints around it, never
//! clamped to an end). Continuous scans outside the waypoints' time span wait ("pending") until
//! the surveyor clicks the next waypoint.

use crate::journal::{Entry, Mode, PointKind};
use crate::ping::{PingRecord, PingResult};
use std::collections::BTreeMap;
use wisp_model::{Observation, Point, Sample, Survey, SurveyFloor};

/// A click on the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanPoint {
    pub id: u64,
    pub kind: PointKind,
    pub at: Point,
    pub t: f64,
    /// Taken back by "undo".
    pub undone: bool,
}

/// A scan taken.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanRecord {
    pub id: u64,
    pub point: Option<u64>,
    pub t: f64,
    /// The raw output's file, relative to the output folder.
    pub raw: String,
    pub format: String,
    pub observations: Vec<Observation>,
}

/// A scanner failure, as journalled.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Failure {
    pub point: Option<u64>,
    pub t: f64,
    pub message: String,
}

/// The session: everything the journal says, in order.
#[derive(Debug, Clone)]
pub struct Session {
    pub floor: String,
    pub points: BTreeMap<u64, PlanPoint>,
    pub scans: Vec<ScanRecord>,
    pub failures: Vec<Failure>,
    pub pings: Vec<PingRecord>,
    pub mode: Mode,
    pub paused: bool,
    /// Bumped by every change that can change the survey (for the live map's cache).
    pub revision: u64,
}

impl Session {
    pub fn new(floor: &str) -> Session {
        Session {
            floor: floor.to_string(),
            points: BTreeMap::new(),
            scans: Vec::new(),
            failures: Vec::new(),
            pings: Vec::new(),
            mode: Mode::StopAndGo,
            paused: false,
            revision: 0,
        }
    }

    /// Applies one journal entry.
    pub fn apply(&mut self, e: &Entry) {
        match e {
            Entry::Begin { .. } => {}
            Entry::Point {
                id,
                kind,
                x_m,
                y_m,
                t,
            } => {
                self.points.insert(
                    *id,
                    PlanPoint {
                        id: *id,
                        kind: *kind,
                        at: Point::new(*x_m, *y_m),
                        t: *t,
                        undone: false,
                    },
                );
            }
            Entry::Scan {
                id,
                point,
                t,
                raw,
                format,
                observations,
            } => self.scans.push(ScanRecord {
                id: *id,
                point: *point,
                t: *t,
                raw: raw.clone(),
                format: format.clone(),
                observations: observations.clone(),
            }),
            Entry::ScanFailed { point, t, message } => self.failures.push(Failure {
                point: *point,
                t: *t,
                message: message.clone(),
            }),
            Entry::Undo { point } => {
                if let Some(p) = self.points.get_mut(point) {
                    p.undone = true;
                }
            }
            Entry::Move { point, x_m, y_m } => {
                if let Some(p) = self.points.get_mut(point) {
                    p.at = Point::new(*x_m, *y_m);
                }
            }
            Entry::Ping {
                point,
                t,
                host,
                sent,
                received,
                rtt_avg_ms,
            } => self.pings.push(PingRecord {
                point: *point,
                t: *t,
                host: host.clone(),
                result: Ok(PingResult {
                    sent: *sent,
                    received: *received,
                    rtt_avg_ms: *rtt_avg_ms,
                }),
            }),
            Entry::PingFailed {
                point,
                t,
                host,
                message,
            } => self.pings.push(PingRecord {
                point: *point,
                t: *t,
                host: host.clone(),
                result: Err(message.clone()),
            }),
            Entry::Mode { mode, .. } => self.mode = *mode,
            Entry::Pause { .. } => self.paused = true,
            Entry::Resume { .. } => self.paused = false,
        }
        self.revision += 1;
    }

    /// The next point id (ids are never reused, even after undo).
    pub fn next_point_id(&self) -> u64 {
        self.points.keys().next_back().map_or(1, |i| i + 1)
    }

    /// The next scan id.
    pub fn next_scan_id(&self) -> u64 {
        self.scans.iter().map(|s| s.id).max().map_or(1, |i| i + 1)
    }

    /// The last point not taken back: what "undo" takes back.
    pub fn last_live_point(&self) -> Option<&PlanPoint> {
        self.points.values().rev().find(|p| !p.undone)
    }

    /// The live waypoints as a track, when there are at least two.
    pub fn track(&self) -> Option<wisp_ingest::Track> {
        let wps: Vec<(f64, Point, usize)> = self
            .points
            .values()
            .filter(|p| !p.undone && p.kind == PointKind::Waypoint)
            .map(|p| (p.t, p.at, p.id as usize))
            .collect();
        wisp_ingest::Track::from_waypoints(wps).ok()
    }

    /// Where a scan sits on the plan, or `None` (its point was taken back, or a continuous scan
    /// outside the waypoints' time span).
    pub fn position_of(
        &self,
        scan: &ScanRecord,
        track: Option<&wisp_ingest::Track>,
    ) -> Option<Point> {
        match scan.point {
            Some(id) => self.points.get(&id).filter(|p| !p.undone).map(|p| p.at),
            None => track.and_then(|t| t.position_at(scan.t)),
        }
    }

    /// The scans placed on the plan, as survey samples, in the order they were taken. Scans that
    /// heard nothing are left out (ingest counts them as "scan heard nothing").
    pub fn samples(&self) -> Vec<Sample> {
        let track = self.track();
        self.scans
            .iter()
            .filter(|s| !s.observations.is_empty())
            .filter_map(|s| {
                let at = self.position_of(s, track.as_ref())?;
                Some(Sample {
                    x_m: at.x,
                    y_m: at.y,
                    t: Some(wisp_model::time::format_rfc3339(s.t)),
                    source: s.raw.clone(),
                    observations: s.observations.clone(),
                    stale: Vec::new(),
                })
            })
            .collect()
    }

    /// Continuous scans not (yet) placed: outside the waypoints' time span.
    pub fn pending(&self) -> usize {
        let track = self.track();
        self.scans
            .iter()
            .filter(|s| s.point.is_none() && self.position_of(s, track.as_ref()).is_none())
            .count()
    }

    /// The survey document of this floor (the one serde type of survey JSON, `wisp_model::Survey`).
    pub fn survey(&self) -> Survey {
        Survey::new(vec![SurveyFloor {
            id: self.floor.clone(),
            samples: self.samples(),
        }])
    }

    /// The pings at live points, where those points are now (a ping follows its point when it
    /// moves and leaves with it on undo), in the order they were taken.
    pub fn placed_pings(&self) -> Vec<(Point, &PingRecord)> {
        self.pings
            .iter()
            .filter_map(|r| {
                let p = self.points.get(&r.point?).filter(|p| !p.undone)?;
                Some((p.at, r))
            })
            .collect()
    }

    /// Where the surveyor was, in time order: every live point (stop or waypoint), in metres.
    pub fn walk(&self) -> Vec<(f64, Point)> {
        let mut w: Vec<(f64, Point)> = self
            .points
            .values()
            .filter(|p| !p.undone)
            .map(|p| (p.t, p.at))
            .collect();
        w.sort_by(|a, b| a.0.total_cmp(&b.0));
        w.dedup_by(|a, b| a.0 == b.0);
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Entry;

    fn obs() -> Vec<Observation> {
        vec![Observation::new(
            "02:00:00:00:00:01".parse().unwrap(),
            Some("Ward7".into()),
            wisp_model::Channel::from_freq(5180).unwrap(),
            -60.0,
            None,
        )
        .unwrap()]
    }

    fn point(id: u64, kind: PointKind, x: f64, y: f64, t: f64) -> Entry {
        Entry::Point {
            id,
            kind,
            x_m: x,
            y_m: y,
            t,
        }
    }

    fn scan(id: u64, point: Option<u64>, t: f64) -> Entry {
        Entry::Scan {
            id,
            point,
            t,
            raw: format!("raw/scan-{id}.txt"),
            format: "iw".into(),
            observations: obs(),
        }
    }

    #[test]
    fn stop_scans_follow_their_point_and_leave_with_it() {
        let mut s = Session::new("L1");
        for e in [
            point(1, PointKind::Stop, 2.0, 3.0, 10.0),
            scan(1, Some(1), 11.0),
            scan(2, Some(1), 12.0),
            point(2, PointKind::Stop, 5.0, 3.0, 20.0),
            scan(3, Some(2), 21.0),
            Entry::Move {
                point: 1,
                x_m: 2.5,
                y_m: 3.5,
            },
        ] {
            s.apply(&e);
        }
        let at: Vec<(f64, f64)> = s.samples().iter().map(|p| (p.x_m, p.y_m)).collect();
        assert_eq!(at, vec![(2.5, 3.5), (2.5, 3.5), (5.0, 3.0)]);
        assert_eq!(s.last_live_point().unwrap().id, 2);
        s.apply(&Entry::Undo { point: 2 });
        assert_eq!(s.samples().len(), 2);
        assert_eq!(s.last_live_point().unwrap().id, 1);
        assert_eq!(s.next_point_id(), 3);
    }

    /// Continuous scans land where `--track` would put them: linear in time between waypoints,
    /// hand-computed here; a scan after the last waypoint waits.
    #[test]
    fn continuous_scans_are_placed_by_time_between_waypoints() {
        let mut s = Session::new("L1");
        s.apply(&scan(1, None, 100.0));
        s.apply(&point(1, PointKind::Waypoint, 0.0, 0.0, 100.0));
        s.apply(&scan(2, None, 105.0));
        assert_eq!(s.samples().len(), 0);
        assert_eq!(s.pending(), 2);
        s.apply(&point(2, PointKind::Waypoint, 10.0, 4.0, 110.0));
        s.apply(&scan(3, None, 112.0));
        let at: Vec<(f64, f64)> = s.samples().iter().map(|p| (p.x_m, p.y_m)).collect();
        assert_eq!(at, vec![(0.0, 0.0), (5.0, 2.0)]);
        assert_eq!(s.pending(), 1);
        s.apply(&point(3, PointKind::Waypoint, 10.0, 8.0, 114.0));
        let at: Vec<(f64, f64)> = s.samples().iter().map(|p| (p.x_m, p.y_m)).collect();
        assert_eq!(at, vec![(0.0, 0.0), (5.0, 2.0), (10.0, 6.0)]);
        // Undoing the last waypoint puts scan 3 back to pending.
        s.apply(&Entry::Undo { point: 3 });
        assert_eq!(s.samples().len(), 2);
    }
}
