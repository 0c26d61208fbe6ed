//! The vocabulary of wisp: units, radio identifiers, surveys, floors and grids.
//!
//! Every other crate speaks in these types. Everything here is in *plan metres* (origin at the plan
//! image's top-left corner, x to the right, y down) and dBm; pixels exist only in [`PlanCalibration`],
//! which converts them once at ingest.
//!
//! This crate must never do I/O, read a clock, the environment or a global random generator. Its
//! constructors validate, so code downstream takes these types as already checked.

mod channel;
mod error;
mod geometry;
mod grid;
mod method;
mod network;
mod radio;
mod site;
mod survey;
pub mod time;
mod units;
pub mod words;

pub use channel::{Band, Channel};
pub use error::{ModelError, ModelErrorKind};
pub use geometry::{Point, Polygon, Segment};
pub use grid::{Grid, GridGeometry};
pub use method::{Method, MethodChoice};
pub use network::{NetworkSource, OurNetwork};
pub use radio::{ApGrouping, ApId, ApRule, Bssid};
pub use site::{
    AccessPoint, ApRadio, Floor, Material, PlanCalibration, RequirementProfile, Wall, Zone,
    ZoneKind,
};
pub use survey::{Observation, Sample, Survey, SurveyFloor, SURVEY_FORMAT, SURVEY_VERSION};
pub use units::{Db, Dbm, Metres};
