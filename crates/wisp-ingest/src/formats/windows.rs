//! Capture formats of the windows family: not yet supported.

use crate::{IngestError, ParsedCapture};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &[];

/// The format `text` is in, if it is one of this family's.
pub fn detect(_text: &str) -> Option<&'static str> {
    None
}

/// Parses `text` (from the file called `name`) as `format`.
pub fn parse(format: &str, _text: &str, _name: &str) -> Result<ParsedCapture, IngestError> {
    Err(IngestError::syntax(format!(
        "format '{format}' is not supported yet"
    )))
}
