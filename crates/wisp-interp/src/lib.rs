//! Scattered samples to grids: the interpolation engine.
//!
//! Takes positions in plan metres and values (dBm, or anything else for `wisp grid`) and fills a
//! [`GridGeometry`](wisp_model::GridGeometry) with estimates, in parallel across tiles of cells.
//! [`neighbours`] finds each cell's exact k nearest samples with one k-d tree query per tile;
//! [`idw`] weighs them; [`layers`] turns a survey's per-radio fields into the layers people read
//! (primary, secondary, distance to the nearest sample).
//!
//! Every method sits behind one trait, [`Interpolator`] ([`method`]), one file each: [`idw`],
//! [`nearest`], [`natural`] (Sibson's natural neighbours) and [`kriging`] (ordinary kriging with a
//! fitted exponential semivariogram, which also gives a standard deviation). [`validate`] scores
//! them by leaving out whole stretches of the survey walk, and picks one for `auto`.
//! [`regression`] is the method `model`: a per-radio trend the caller supplies as data (the
//! calibrated propagation model, which lives in `wisp-plan`) plus the kriged residual.
//!
//! This crate must never do I/O, read a clock or environment, or use a global random generator.
//! Results do not depend on the number of threads.

pub mod fields;
pub mod idw;
pub mod kriging;
pub mod layers;
mod linear;
pub mod method;
pub mod methods;
pub mod natural;
pub mod nearest;
pub mod neighbours;
pub mod regression;
pub mod spline;
pub mod validate;

pub use fields::{radio_fields, LayerOptions, RadioFields, RadioInfo, RadioKey, WallAware};
pub use idw::{BandDone, Idw};
pub use kriging::{OrdinaryKriging, Variogram};
pub use layers::{serving_std_dev, RadioMap, SignalLayers};
pub use method::{Estimates, Interpolator, Prepared, Surface};
pub use methods::{all_methods, interpolator};
pub use natural::NaturalNeighbour;
pub use nearest::Nearest;
pub use neighbours::NeighbourIndex;
pub use regression::{RegressionKriging, Trend, TrendFit};
pub use spline::ThinPlateSpline;
pub use validate::{
    auto, auto_with, cross_validate, cross_validate_points, cross_validate_with, walk_folds, Auto,
    CrossValidation, Folds, MethodScore, Score, Validation,
};
pub use wisp_model::{Method, MethodChoice};

/// A scattered value at a position in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScatteredPoint {
    pub x: f64,
    pub y: f64,
}

/// Why interpolation could not run.
///
/// ripgrep's `Error { kind }` pattern: callers match on [`InterpErrorKind`], people read the
/// `Display` text (the kind's).
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[error("{kind}")]
pub struct InterpError {
    kind: InterpErrorKind,
}

impl InterpError {
    pub fn kind(&self) -> &InterpErrorKind {
        &self.kind
    }
}

impl From<InterpErrorKind> for InterpError {
    fn from(kind: InterpErrorKind) -> Self {
        InterpError { kind }
    }
}

/// What stopped interpolation.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum InterpErrorKind {
    #[error("no samples to interpolate from")]
    NoSamples,
    #[error("sample {index} has a position or value that is not a finite number")]
    NotFinite { index: usize },
    #[error("{fields} value field(s) must each have one value per sample ({samples} samples)")]
    FieldLength { fields: usize, samples: usize },
    #[error("k must be at least 1")]
    ZeroK,
    #[error("sample {index} has a coordinate too large to triangulate (|x| or |y| > 1e60)")]
    OutOfRange { index: usize },
    #[error("{name}: {reason}")]
    Parameter {
        name: &'static str,
        reason: &'static str,
    },
}
