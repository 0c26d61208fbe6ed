//! Capture formats met in the field (shared/reference.md §4), one family per file.
//!
//! Each family module exposes `FORMATS` (the `--format` names it owns), `detect(text)` (the
//! format the text is in, judged from content, or `None`) and `parse(format, text, name)`. The
//! registry below asks them in order; the first to recognise the text wins.

use crate::{IngestError, ParsedCapture};

pub mod kismet;
pub mod kismetdb;
pub mod linux;
pub mod macos;
pub mod open_tools;
pub mod pcap;
pub mod wigle;
pub mod windows;

type Detect = fn(&str) -> Option<&'static str>;
type Parse = fn(&str, &str, &str) -> Result<ParsedCapture, IngestError>;

/// (names, detect, parse) per family, in detection order: most specific signatures first.
const FAMILIES: &[(&[&str], Detect, Parse)] = &[
    (wigle::FORMATS, wigle::detect, wigle::parse),
    (open_tools::FORMATS, open_tools::detect, open_tools::parse),
    (macos::FORMATS, macos::detect, macos::parse),
    (windows::FORMATS, windows::detect, windows::parse),
    (linux::FORMATS, linux::detect, linux::parse),
];

type DetectBytes = fn(&[u8]) -> Option<&'static str>;
type ParseBytes = fn(&str, &[u8], &str) -> Result<ParsedCapture, IngestError>;

/// Binary families, asked before the bytes are decoded as text: (names, detect, parse).
const BINARY_FAMILIES: &[(&[&str], DetectBytes, ParseBytes)] = &[
    (pcap::FORMATS, pcap::detect, pcap::parse),
    (kismet::FORMATS, kismet::detect, kismet::parse),
];

/// Every format name the families own, binary and text.
pub fn names() -> impl Iterator<Item = &'static str> {
    BINARY_FAMILIES
        .iter()
        .flat_map(|f| f.0.iter().copied())
        .chain(FAMILIES.iter().flat_map(|f| f.0.iter().copied()))
}

/// The binary format `bytes` are in, judged from their magic numbers.
pub fn detect_binary(bytes: &[u8]) -> Option<&'static str> {
    BINARY_FAMILIES.iter().find_map(|f| (f.1)(bytes))
}

/// Parses `bytes` as binary `format`, if a binary family owns that name.
pub fn parse_binary(
    format: &str,
    bytes: &[u8],
    name: &str,
) -> Option<Result<ParsedCapture, IngestError>> {
    BINARY_FAMILIES
        .iter()
        .find(|f| f.0.contains(&format))
        .map(|f| (f.2)(format, bytes, name))
}

/// The text format `text` is in, if a family recognises it.
pub fn detect(text: &str) -> Option<&'static str> {
    FAMILIES.iter().find_map(|f| (f.1)(text))
}

/// Parses `text` as `format`, if a family owns that name.
pub fn parse(format: &str, text: &str, name: &str) -> Option<Result<ParsedCapture, IngestError>> {
    FAMILIES
        .iter()
        .find(|f| f.0.contains(&format))
        .map(|f| (f.2)(format, text, name))
}

/// dBm from a 0–100 signal percentage, as Windows (netsh) and NetworkManager (nmcli) report it:
/// `dBm = pct / 2 − 100`, the mapping Windows' WLAN API documents for its link quality (0 % ↔
/// −100 dBm, 100 % ↔ −50 dBm; shared/reference.md §4). Observations converted this way are marked
/// `approximate` in the survey. `None` outside 0..=100.
pub fn percent_to_dbm(pct: f64) -> Option<f64> {
    (pct.is_finite() && (0.0..=100.0).contains(&pct)).then_some(pct / 2.0 - 100.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn percent_formula_end_points() {
        assert_eq!(super::percent_to_dbm(0.0), Some(-100.0));
        assert_eq!(super::percent_to_dbm(100.0), Some(-50.0));
        assert_eq!(super::percent_to_dbm(80.0), Some(-60.0));
        assert_eq!(super::percent_to_dbm(101.0), None);
    }
}
