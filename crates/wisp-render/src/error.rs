//! The one error type of wisp-render.

use std::path::PathBuf;

/// Something that stopped a picture or a report from being made or written.
///
/// Follows the `Error { kind }` pattern used across wisp: callers match on [`RenderErrorKind`],
/// people read the `Display` text.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct RenderError {
    #[from]
    kind: RenderErrorKind,
}

impl RenderError {
    /// What went wrong.
    pub fn kind(&self) -> &RenderErrorKind {
        &self.kind
    }
}

/// What went wrong while rendering or writing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderErrorKind {
    /// The plan image is not the size the floor's calibration was made for.
    #[error(
        "floor '{floor}': plan image is {actual_w}×{actual_h} px but the floor's calibration is for \
         {expected_w}×{expected_h} px"
    )]
    PlanSize {
        /// The floor's id.
        floor: String,
        /// Width the calibration expects, px.
        expected_w: u32,
        /// Height the calibration expects, px.
        expected_h: u32,
        /// Width of the image given, px.
        actual_w: u32,
        /// Height of the image given, px.
        actual_h: u32,
    },
    /// A colour scale whose range is empty, reversed or not finite.
    #[error("colour scale '{title}' has range {min}..{max}; it needs finite min < max")]
    Scale {
        /// The scale's legend heading.
        title: String,
        /// Its lower end.
        min: f64,
        /// Its upper end.
        max: f64,
    },
    /// The embedded DejaVu font could not be parsed (a build problem, not an input problem).
    #[error("the embedded font {0} could not be loaded")]
    Font(&'static str),
    /// Encoding a PNG failed.
    #[error("could not encode {what} as PNG: {message}")]
    PngEncode {
        /// Which picture (its title or caption).
        what: String,
        /// The encoder's complaint.
        message: String,
    },
    /// plotters could not draw a chart.
    #[error("could not draw the chart: {0}")]
    Chart(String),
    /// Encoding a GeoTIFF failed (a grid too large for a classic TIFF, say).
    #[error("could not encode the grid as GeoTIFF: {0}")]
    TiffEncode(String),
    /// krilla refused to build the PDF.
    #[error("could not build the PDF report: {0}")]
    Pdf(String),
    /// The output path names no file (it is empty, a root or ends in `..`).
    #[error("'{}' does not name a file to write", path.display())]
    NotAFile {
        /// The path as given.
        path: PathBuf,
    },
    /// Creating, writing, syncing or renaming the output failed.
    #[error("cannot write '{}': {source}", path.display())]
    Write {
        /// The file that was to be written.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
}
