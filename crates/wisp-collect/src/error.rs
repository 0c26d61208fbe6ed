//! The collector's error: a kind (what the front end maps to an exit code) and a message for
//! people that names the file and line where there is one.

use std::fmt;

/// What kind of thing went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The site, the floor, an option or the journal is wrong (exit 2 in the CLI).
    Input,
    /// The output folder, the journal or an export could not be written (exit 4).
    Output,
    /// The web server could not start (the address is taken, the runtime failed).
    Server,
}

/// An error of the collector.
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
    pub fn input(message: impl fmt::Display) -> Self {
        Error::new(ErrorKind::Input, message)
    }
    pub fn output(message: impl fmt::Display) -> Self {
        Error::new(ErrorKind::Output, message)
    }
    /// An I/O failure on `path`, writing.
    pub fn write(path: &std::path::Path, e: impl fmt::Display) -> Self {
        Error::output(format!("{}: {e}", path.display()))
    }
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }
}

impl From<wisp_site::Error> for Error {
    fn from(e: wisp_site::Error) -> Self {
        let kind = match e.kind() {
            wisp_site::ErrorKind::Input => ErrorKind::Input,
            wisp_site::ErrorKind::Output => ErrorKind::Output,
        };
        Error::new(kind, e)
    }
}

impl From<wisp_ingest::IngestError> for Error {
    fn from(e: wisp_ingest::IngestError) -> Self {
        Error::input(e)
    }
}
