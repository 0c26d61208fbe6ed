//! The interpolation methods by name: the one list the manifest, the command line, the
//! cross-validation and the layer stack all read.

use crate::{ModelError, ModelErrorKind};
use std::fmt;
use std::str::FromStr;

/// A way of estimating a radio's signal between the places it was measured.
///
/// The vocabulary lives here, not in `wisp-interp`, because the site manifest names a floor's
/// method and the manifest reader does not depend on the interpolation crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Method {
    /// Inverse-distance weighting of the k nearest samples: the established default.
    #[default]
    Idw,
    /// Sibson natural-neighbour interpolation on the samples' Delaunay triangulation.
    Natural,
    /// Ordinary kriging with a fitted semivariogram.
    Kriging,
    /// The nearest sample's value: a step surface.
    Nearest,
    /// A smoothed thin-plate spline over each place's nearest samples (scipy's RBF thin-plate
    /// spline with neighbours and smoothing).
    Spline,
    /// Regression kriging: the floor's calibrated propagation model as the trend, the residual
    /// kriged. Needs a calibration, so it is not a point method.
    Model,
}

impl Method {
    /// The methods that need nothing but the samples' positions and values, in the order `auto`
    /// prefers them on a tie: IDW first (the established default), then the smoother natural
    /// neighbours, then kriging (more assumptions: a stationary variogram), the thin-plate
    /// spline (a smoothing parameter chosen for it), and nearest sample last (a step surface).
    pub const POINT: [Method; 5] = [
        Method::Idw,
        Method::Natural,
        Method::Kriging,
        Method::Spline,
        Method::Nearest,
    ];

    /// Every method, point methods first.
    pub const ALL: [Method; 6] = [
        Method::Idw,
        Method::Natural,
        Method::Kriging,
        Method::Spline,
        Method::Nearest,
        Method::Model,
    ];

    /// The name the manifest, the command line and every report use.
    pub const fn name(self) -> &'static str {
        match self {
            Method::Idw => "idw",
            Method::Natural => "natural",
            Method::Kriging => "kriging",
            Method::Nearest => "nearest",
            Method::Spline => "spline",
            Method::Model => "model",
        }
    }

    /// The names of the point methods, for a command line's list of choices.
    pub fn point_names() -> [&'static str; 5] {
        Method::POINT.map(Method::name)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Parses a method name, ignoring case and surrounding spaces.
impl FromStr for Method {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim();
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| unknown_method(s))
    }
}

/// What a floor asks for: one method, or `auto` (each method cross-validated on the floor's own
/// walk, the lowest walk-out error kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MethodChoice {
    Auto,
    Fixed(Method),
}

impl MethodChoice {
    /// Every choice's name: the methods, then `auto`.
    pub fn names() -> Vec<&'static str> {
        Method::ALL
            .iter()
            .map(|m| m.name())
            .chain(["auto"])
            .collect()
    }
}

/// A site's floors are mapped with `auto` unless the manifest names a method (issue 14): no one
/// method wins everywhere, and IDW, the default before, was among the worst on every floor
/// measured (the truth harness's six walks: `model` best on each, IDW 1.9–4.8 dB worse on
/// walk-out folds; issue 16's dense floor: `model` 2.09 dB, IDW 2.37; a real shopping-mall walk:
/// kriging best, IDW 0.7 dB behind scipy's linear; README "The default is auto").
impl Default for MethodChoice {
    fn default() -> Self {
        MethodChoice::Auto
    }
}

impl fmt::Display for MethodChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MethodChoice::Auto => f.write_str("auto"),
            MethodChoice::Fixed(m) => m.fmt(f),
        }
    }
}

impl FromStr for MethodChoice {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().eq_ignore_ascii_case("auto") {
            Ok(MethodChoice::Auto)
        } else {
            s.parse()
                .map(MethodChoice::Fixed)
                .map_err(|_| unknown_method(s))
        }
    }
}

/// `s` names no method: the error lists every name [`MethodChoice`] accepts.
fn unknown_method(s: &str) -> ModelError {
    ModelErrorKind::Method {
        name: s.to_string(),
        expected: MethodChoice::names().join(", "),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_back_to_its_method() {
        for m in Method::ALL {
            assert_eq!(m.name().parse::<Method>().unwrap(), m);
            assert_eq!(m.to_string().to_uppercase().parse::<Method>().unwrap(), m);
        }
        assert_eq!(" Kriging ".parse::<Method>().unwrap(), Method::Kriging);
        assert!("rbf".parse::<Method>().is_err());
        assert!(
            "auto".parse::<Method>().is_err(),
            "auto is a choice, not a method"
        );
    }

    #[test]
    fn choices_are_the_methods_and_auto() {
        assert_eq!(
            MethodChoice::names(),
            ["idw", "natural", "kriging", "spline", "nearest", "model", "auto"]
        );
        for n in MethodChoice::names() {
            assert_eq!(n.parse::<MethodChoice>().unwrap().to_string(), n);
        }
        assert_eq!("AUTO".parse::<MethodChoice>().unwrap(), MethodChoice::Auto);
        let e = "bicubic".parse::<MethodChoice>().unwrap_err().to_string();
        assert!(e.contains("bicubic") && e.contains("auto"), "{e}");
    }
}
