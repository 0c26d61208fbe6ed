//! Binary capture formats of the kismet family: not yet supported.

use crate::{IngestError, ParsedCapture};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &[];

/// The format `bytes` are in, if it is one of this family's (from magic numbers).
pub fn detect(_bytes: &[u8]) -> Option<&'static str> {
    None
}

/// Parses `bytes` (from the file called `name`) as `format`.
pub fn parse(format: &str, _bytes: &[u8], _name: &str) -> Result<ParsedCapture, IngestError> {
    Err(IngestError::syntax(format!(
        "format '{format}' is not supported yet"
    )))
}
