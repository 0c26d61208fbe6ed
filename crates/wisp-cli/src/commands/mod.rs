//! One module per subcommand.

pub mod calibrate;
pub mod check;
pub mod demo;
pub mod diff;
pub mod grid;
pub mod heatmap;
pub mod html;
pub mod import;
pub mod ingest;
pub mod merge;
pub mod plan;
pub mod profiles;
pub mod report;
pub mod simulate;
pub mod validate;
pub mod walls;

use crate::CliError;
use std::path::Path;

/// Writes `bytes` to `path` atomically (temporary file, then rename).
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    wisp_render::write_atomic(path, bytes).map_err(CliError::output)
}
