//! Coverage analysis: requirement profiles, zone evaluation and dead-zone regions.
//!
//! Takes finished layers ([`wisp_interp::SignalLayers`]) and the floor's zones, and says which
//! zones meet their profile, by how much they miss, and where the dead zones are. It never
//! interpolates, never reads files, and never calls a cell dead that nobody surveyed (unless the
//! map's own standard deviation there is under the profile's margin, [`confidence::judged`]).
//! [`confidence`] turns an estimate and its deviation into a probability of failing, and failing
//! regions into "dead" and "at-risk" ones.

pub mod confidence;
pub mod diff;
pub mod evaluate;
pub mod profiles;
pub mod regions;

pub use confidence::{fail_probability, Confidence};
pub use evaluate::{
    evaluate_floor, evaluate_zone, judged_cells, zone_cells, Criterion, CriterionResult, DeadZone,
    EvalOptions, Verdict, ZoneResult,
};
