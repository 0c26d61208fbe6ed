//! The registry of point methods: each [`Method`] to its interpolator with default parameters.
//! The methods implement [`Interpolator`] in their own files; this is the one place that lists
//! them, so the trait's file does not depend on its implementations.

use crate::method::Interpolator;
use crate::Idw;
use crate::{
    InterpError, InterpErrorKind, NaturalNeighbour, Nearest, OrdinaryKriging, ThinPlateSpline,
};
use wisp_model::Method;

/// A point method with its default parameters. `model` is not one: its trend comes from a
/// calibration (see [`crate::regression`]), so asking for it here is an error.
pub fn interpolator(method: Method) -> Result<Box<dyn Interpolator>, InterpError> {
    match method {
        Method::Idw => Ok(Box::new(Idw::default())),
        Method::Nearest => Ok(Box::new(Nearest)),
        Method::Natural => Ok(Box::new(NaturalNeighbour::default())),
        Method::Kriging => Ok(Box::new(OrdinaryKriging::default())),
        Method::Spline => Ok(Box::new(ThinPlateSpline::default())),
        Method::Model => Err(InterpErrorKind::Parameter {
            name: "method",
            reason: "'model' needs the calibrated model's trend",
        }
        .into()),
    }
}

/// Every point method with its default parameters, in [`Method::POINT`] order.
pub fn all_methods() -> Vec<Box<dyn Interpolator>> {
    Method::POINT
        .into_iter()
        .filter_map(|m| interpolator(m).ok())
        .collect()
}
