//! Placing scans on the plan: walk tracks.

pub mod track;
