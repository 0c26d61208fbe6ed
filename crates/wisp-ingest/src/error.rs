use std::fmt;
use std::path::{Path, PathBuf};

/// An input wisp could not use, with where it was: file, and line when known.
///
/// The `Display` text is what a surveyor reads: `site.toml:12: zone "Bay A": polygon has no area`.
/// ripgrep's `Error { kind }` pattern: callers match on [`IngestErrorKind`]; the place is
/// formatted here and nowhere else ([`file_line`]).
#[derive(Debug, thiserror::Error)]
#[error("{}{kind}", place(.path.as_deref(), *.line))]
pub struct IngestError {
    kind: IngestErrorKind,
    path: Option<PathBuf>,
    line: Option<usize>,
}

/// What was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IngestErrorKind {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Io(std::io::Error),
    /// The file is not valid TOML, JSON or CSV, or has a key or column wisp does not know.
    #[error("{0}")]
    Syntax(String),
    /// The file parsed but a value is not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The plan image could not be decoded, or breaks the size limits.
    #[error("plan image: {0}")]
    Image(String),
    /// No parser recognised the capture.
    #[error("{0}")]
    UnknownFormat(String),
    /// A path that leaves where it must stay (zip entries, links out of the site folder).
    #[error("{0}")]
    UnsafePath(String),
    /// `--strict` and records were skipped.
    #[error("{0}")]
    Strict(String),
}

/// `file:line`, the one way wisp names a line of an input (in errors, skip logs and the
/// provenance of every sample).
pub fn file_line(file: impl fmt::Display, line: usize) -> String {
    use fmt::Write as _;
    let mut s = String::new();
    let _ = write!(s, "{file}");
    s.push(':');
    // The number by hand, not through `fmt`: every record of a capture gets one
    // (benches/ingest.rs).
    let mut digits = [0u8; 20];
    let (mut n, mut i) = (line, digits.len());
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.extend(digits[i..].iter().map(|&d| char::from(d)));
    s
}

/// The `file:line: ` (or `file: `, or `line N: `) that opens an error's text.
fn place(path: Option<&Path>, line: Option<usize>) -> String {
    match (path, line) {
        (Some(p), Some(l)) => format!("{}: ", file_line(p.display(), l)),
        (Some(p), None) => format!("{}: ", p.display()),
        (None, Some(l)) => format!("line {l}: "),
        (None, None) => String::new(),
    }
}

impl IngestError {
    pub fn new(kind: IngestErrorKind) -> Self {
        IngestError {
            kind,
            path: None,
            line: None,
        }
    }
    pub fn invalid(msg: impl Into<String>) -> Self {
        IngestError::new(IngestErrorKind::Invalid(msg.into()))
    }
    pub fn syntax(msg: impl Into<String>) -> Self {
        IngestError::new(IngestErrorKind::Syntax(msg.into()))
    }
    pub fn io(path: &Path, e: std::io::Error) -> Self {
        IngestError::new(IngestErrorKind::Io(e)).at(path)
    }
    /// Names the file the error is in (kept if already set).
    pub fn at(mut self, path: &Path) -> Self {
        self.path.get_or_insert_with(|| path.to_path_buf());
        self
    }
    /// Names the line (1-based) the error is on (kept if already set).
    pub fn line(mut self, line: usize) -> Self {
        self.line.get_or_insert(line);
        self
    }
    pub fn kind(&self) -> &IngestErrorKind {
        &self.kind
    }
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
    pub fn line_number(&self) -> Option<usize> {
        self.line
    }
    /// What was wrong, without the file and line (for an error quoted inside another's).
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

/// A field's value as an error message quotes it: control characters escaped (a NUL shows as
/// `\0`) and cut after 40 characters, so a corrupt multi-megabyte field cannot flood the terminal.
pub fn quote(v: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = v.chars().take(MAX).flat_map(char::escape_debug).collect();
    let n = v.chars().count();
    if n > MAX {
        out.push_str(&format!("… ({n} characters)"));
    }
    out
}

/// 1-based line of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_line_writes_what_format_writes() {
        for n in [0, 1, 9, 10, 99, 100, 101, 65_536, 1_234_567, usize::MAX] {
            for f in ["walk.csv", "", "é.txt"] {
                assert_eq!(super::file_line(f, n), format!("{f}:{n}"));
            }
        }
    }

    #[test]
    fn quote_escapes_and_cuts() {
        assert_eq!(super::quote("-61"), "-61");
        assert_eq!(super::quote("-6\u{0}1"), "-6\\01");
        let long = "0".repeat(5_000_000);
        assert_eq!(
            super::quote(&long),
            format!("{}… (5000000 characters)", &long[..40])
        );
    }
}
