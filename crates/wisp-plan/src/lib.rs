//! Access-point planning: a radio model calibrated on the survey, and a planner that closes dead
//! zones with as few new access points as it can.
//!
//! [`calibrate`] fits `wisp_radio`'s log-distance model with walls to the measurements (the
//! exponent, each radio's effective power, and the position of APs the manifest does not place).
//! [`candidates`] lists where an AP may be mounted; [`demand`] turns zones into weighted 0.5 m
//! demand cells and precomputes, in parallel, the predicted signal of every candidate at every
//! cell ([`walls`] makes the wall crossings cheap). [`objective`] scores a set of APs against the
//! zones' targets; [`greedy`] picks APs by maximum coverage and [`local_search`] improves the set
//! (move, swap, remove) with a seeded generator. [`channels`] plans 2.4 and 5 GHz channels.
//! [`planner`] ties these together, starting from the survey's radio map (existing coverage as
//! measured; neighbours' radios as fixed interferers); [`judge`] gives its before and after as
//! `wisp_coverage`'s verdicts on the survey's and the predicted-after layers; [`predict`] draws
//! the model's picture of a floor (predicted primary and secondary signal per cell) for the
//! existing APs or a plan's; [`radio_map`] hands the calibrated model to `wisp_interp`'s
//! regression kriging (method `model`) as its trend.
//!
//! This crate owns the planning arithmetic only. It must never do I/O, print, read a clock or the
//! environment, or use a global random generator: randomness comes from the caller's seed
//! (`ChaCha8Rng`), and the same inputs give the same plan, whatever the number of threads.

pub mod aps;
pub mod calibrate;
pub mod candidates;
pub mod channels;
pub mod demand;
pub mod greedy;
pub mod judge;
pub mod linalg;
pub mod local_search;
pub mod matrix;
pub mod objective;
pub mod planner;
pub mod predict;
pub mod radio_map;
pub mod walls;

pub use aps::{existing_aps, PlannedAp};
pub use calibrate::{
    calibrate, calibrate_sharing, Calibration, CalibrationOptions, FittedMaterial, FittedRadio,
    LocatedAp, SharedLattice, SkippedAp, WallFit,
};
pub use candidates::CandidateOptions;
pub use judge::{after_map, judge, ChannelChange, SurveyMap};
pub use local_search::LocalSearchOptions;
pub use objective::Targets;
pub use planner::{
    plan_floor, setup, Limit, LimitReason, Plan, PlanInput, PlanOptions, Setup, ZoneOutcome,
    ZoneStats,
};
pub use predict::{predict, Prediction};
pub use radio_map::{evidence, CalibratedTrend, CalibrationEvidence, CalibrationFit, ModelReading};

/// Why calibration or planning could not run.
///
/// ripgrep's `Error { kind }` pattern: callers match on [`PlanErrorKind`], people read the
/// `Display` text (the kind's).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct PlanError {
    kind: PlanErrorKind,
}

impl PlanError {
    pub fn kind(&self) -> &PlanErrorKind {
        &self.kind
    }
}

impl From<PlanErrorKind> for PlanError {
    fn from(kind: PlanErrorKind) -> Self {
        PlanError { kind }
    }
}

/// What stopped calibration or planning.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PlanErrorKind {
    #[error("floor '{floor}': the survey has no readings to calibrate on")]
    NoReadings { floor: String },
    #[error("floor '{floor}': no measured radio belongs to an access point whose position is known or could be located (give the manifest APs a `bssid`)")]
    NoPlacedRadios { floor: String },
    #[error("floor '{floor}': {what}")]
    Invalid { floor: String, what: String },
}
