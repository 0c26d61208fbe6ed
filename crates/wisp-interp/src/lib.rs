//! Scattered samples to grids: the interpolation engine.
//!
//! Takes positions in plan metres and values (dBm, or anything else for `wisp grid`) and fills a
//! [`GridGeometry`](wisp_model::GridGeometry) with estimates, in parallel across tiles of cells.
//! [`neighbours`] finds each cell's exact k nearest samples with one k-d tree query per tile;
//! [`idw`] weighs them; [`layers`] turns a survey's per-radio fields into the layers people read
//! (primary, secondary, distance to the nearest sample).
//!
//! This crate must never do I/O, read a clock or environment, or use a global random generator.
//! Results do not depend on the number of threads.

pub mod idw;
pub mod layers;
pub mod neighbours;

pub use idw::Idw;
pub use layers::{LayerOptions, RadioKey, SignalLayers};
pub use neighbours::NeighbourIndex;

/// A scattered value at a position in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatteredPoint {
    pub x: f64,
    pub y: f64,
}

/// Why interpolation could not run.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum InterpError {
    #[error("no samples to interpolate from")]
    NoSamples,
    #[error("sample {index} has a position or value that is not a finite number")]
    NotFinite { index: usize },
    #[error("{fields} value field(s) must each have one value per sample ({samples} samples)")]
    FieldLength { fields: usize, samples: usize },
    #[error("k must be at least 1")]
    ZeroK,
}
