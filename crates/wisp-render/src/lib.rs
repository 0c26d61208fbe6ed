//! wisp-render turns finished layers into files a planner reads: heatmap PNGs with legend,
//! contours, markers and a scale bar, the same heatmap as SVG with vector annotations, the PDF
//! survey report, a self-contained interactive HTML report, and bare grids as ESRI ASCII or
//! GeoTIFF rasters for GIS tools.
//!
//! It owns only the drawing. It must never compute coverage, interpolate a survey or decide
//! compliance: it takes finished grids and tables and paints them. Rendering functions return
//! bytes and read no clock, environment or system font (text is DejaVu Sans, embedded), so the
//! same input always gives the same bytes. Only [`write_atomic`], [`write_atomic_with`]
//! (which [`write_report_pdf`] streams the PDF through) and [`write_atomic_file`] (under
//! [`geotiff_while_computed`], which writes a grid's bands as the caller computes them) write
//! outputs to disk, and a
//! [`PngSpool`] keeps a report's pictures in a nameless temporary file until they are drawn.

#![warn(missing_docs)]

mod atomic;
mod chart;
mod chart_vector;
mod crop;
mod error;
mod heatmap;
mod html;
mod indexed;
pub mod labels;
mod map;
mod map_labels;
mod pdf_join;
mod raster;
mod report;
mod scale;
mod spool;
mod svg;
mod text;

pub use atomic::{write_atomic, write_atomic_file, write_atomic_with, WriteSeek};
pub use chart::{
    chart_image, chart_size, chart_svg, histogram_counts, BinnedSeries, Chart, ChartBar, ChartKind,
    ChartMark, ChartSeries, CHART_SIZE,
};
pub use crop::{crop, crop_window};
pub use error::{RenderError, RenderErrorKind};
pub use heatmap::{heatmap_image, heatmap_png, png_bytes};
pub use html::{report_html, HtmlCloseUp, HtmlFloor, HtmlGrid, HtmlLayer, HtmlReport};
pub use map::{walks_of, HeatmapRequest, Marker, MarkerKind, Outline, DEFAULT_OPACITY};
pub use map_labels::{heatmap_labels, LabelKind, MapLabel};
pub use raster::{esri_ascii, geotiff, geotiff_into, geotiff_while_computed, NODATA};
pub use report::{
    report_pdf, report_pdf_with, write_report_pdf, FloorExtras, Paper, Report, ReportFloor, Table,
    MAX_IMAGE_WIDTH_PX,
};
pub use scale::{
    channel_order, channel_slots, ColourScale, Palette, CATEGORICAL, SIGNAL_RANGE_DBM, SNR_RANGE_DB,
};
pub use spool::{PngSpool, SharedPng};
pub use svg::heatmap_svg;
