//! The one error type of the application layer, and the one table from what went wrong to the
//! exit status every front end reports (README "Exit codes").

use std::fmt;

/// The status of a run, as a process exit code (README "Exit codes"). Check documents and shard
/// bundles store it, so it is part of their formats, not only of the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Ok = 0,
    /// A zone fails its profile.
    ZoneFails = 1,
    /// Bad input or usage: the message names the file and line.
    BadInput = 2,
    /// No zone fails, but some zone has too little survey data to judge.
    NotEnoughData = 3,
    /// Writing an output failed (disk full, permissions): not the input's fault.
    OutputFailed = 4,
}

impl ExitCode {
    /// The status a stored code stands for (an unknown code reads as bad input).
    pub fn from_code(code: i32) -> ExitCode {
        match code {
            0 => ExitCode::Ok,
            1 => ExitCode::ZoneFails,
            3 => ExitCode::NotEnoughData,
            4 => ExitCode::OutputFailed,
            _ => ExitCode::BadInput,
        }
    }
}

/// What kind of thing went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input (a manifest, a capture, a plan file, a bundle, an option) is wrong; the message
    /// names the file, the line and what was expected.
    Input,
    /// An output could not be written.
    Output,
}

impl ErrorKind {
    /// The one table from error kinds to exit codes.
    pub fn exit_code(self) -> ExitCode {
        match self {
            ErrorKind::Input => ExitCode::BadInput,
            ErrorKind::Output => ExitCode::OutputFailed,
        }
    }
}

/// An error of the application layer: its kind and a message for people.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl fmt::Display) -> Self {
        Error {
            kind,
            message: message.to_string(),
        }
    }
    /// Bad input (exit 2).
    pub fn input(message: impl fmt::Display) -> Self {
        Error::new(ErrorKind::Input, message)
    }
    /// An output that could not be written (exit 4).
    pub fn output(message: impl fmt::Display) -> Self {
        Error::new(ErrorKind::Output, message)
    }
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
    pub fn exit_code(&self) -> ExitCode {
        self.kind.exit_code()
    }
}

impl From<wisp_ingest::IngestError> for Error {
    fn from(e: wisp_ingest::IngestError) -> Self {
        Error::input(e)
    }
}

impl From<wisp_render::RenderError> for Error {
    fn from(e: wisp_render::RenderError) -> Self {
        Error::output(e)
    }
}

/// Writes `bytes` to `path` atomically (temporary file, then rename): an interrupted run
/// leaves the old file or the new one.
pub fn write_output(path: &std::path::Path, bytes: &[u8]) -> Result<(), Error> {
    wisp_render::write_atomic(path, bytes).map_err(Error::output)
}
