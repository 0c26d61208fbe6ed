//! The radio model: how much signal an access point delivers to a point of the floor.
//!
//! [`PathLoss`] is the log-distance model with explicit wall losses (a multi-wall model in the
//! manner of COST 231); [`simulate`] uses it, with spatially correlated shadow fading, to predict
//! what a surveyor's scanner would record on a walk. Planners use the simulation to test a
//! design; this repository uses it to make its samples and the ground truth of its tests.
//!
//! This crate must never do I/O, read a clock or environment, or use a global random generator:
//! every random draw comes from a seed the caller gives, so the same seed gives the same walk.

pub mod fading;
pub mod path_loss;
pub mod simulate;

pub use fading::ShadowField;
pub use path_loss::PathLoss;
pub use simulate::{bssid_for, generated_walk, shadow_of, simulate_walk, SimulationParams};
