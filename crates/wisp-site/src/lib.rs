//! wisp's application layer: what every front end (the command line, the survey collector, a
//! web service, a batch runner) does with a site, as a library.
//!
//! It owns the steps between a site folder and the documents a planner reads: loading a site and
//! its survey ([`pipeline::load`]), analysing each floor into layers and zone verdicts
//! ([`pipeline::analyse_with`]), running every floor of a site or of a shard in parallel with a
//! [`pipeline::Progress`] sink ([`pipeline::analyse_site_with`]), the site's check
//! ([`check::SiteCheck`] and its table, JSON, CSV and GeoJSON), maps ([`maps`]), plans and the
//! plan file ([`plan`]), report parts and their assembly into the PDF ([`report`]) and the HTML
//! ([`html`]), a whole report run with one analysis per floor ([`scene`]), and shard bundles
//! ([`bundle`]).
//!
//! It never parses argv, prints, reads the clock or the environment, or picks a process exit
//! code itself: those belong to the front ends. [`ExitCode`] is here only because check
//! documents and bundles store it; [`ErrorKind::exit_code`] is the one table from errors to it.
//! Files are written only through [`write_output`] (atomic).

pub mod bundle;
pub mod calibrate;
pub mod calibrations;
pub mod charts;
pub mod check;
pub mod diff;
mod error;
pub mod html;
pub mod ingest;
pub mod maps;
pub mod pipeline;
pub mod plan;
pub mod report;
pub mod scene;
pub mod validate;

pub use error::{write_output, Error, ErrorKind, ExitCode};

/// Where the sample site lives, for `wisp demo` and tests: beside this crate's source tree.
pub fn sample_site() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples/site.toml")
}

/// Where the second sample site lives (samples/renal-unit: our network, a neighbour's heard
/// through the party wall, a zone failing on the neighbour's co-channel, an unsurveyed ward).
pub fn second_sample_site() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../samples/renal-unit/site.toml")
}
