//! One module per subcommand.

pub mod calibrate;
pub mod chart;
pub mod check;
pub mod collect;
pub mod demo;
pub mod diff;
pub mod grid;
pub mod heatmap;
pub mod import;
pub mod ingest;
pub mod merge;
pub mod plan;
pub mod profiles;
pub mod report;
pub mod simulate;
pub mod validate;
pub mod walls;

pub use wisp_site::write_output;
