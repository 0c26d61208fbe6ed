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

/// Whether `s` is a MAC address with some or all of its digits masked, as shared logs and
/// privacy settings write them: six groups of two characters separated by `:` or `-`, each
/// hex digits or mask characters (`x`, `X`, `*`, `#`, `?`, `_`, or other letters standing in for
/// digits, `XX:YY:ZZ:…`), at least one group not hex. Such a reading is an *unidentified radio*
/// ([`wisp_model::Observation::unidentified`]), not an invalid record.
pub fn masked_mac(s: &str) -> bool {
    let s = s.trim();
    let groups: Vec<&str> = s.split([':', '-']).collect();
    let maskable = |c: char| c.is_ascii_alphanumeric() || matches!(c, '*' | '#' | '?' | '_');
    s.len() == 17
        && groups.len() == 6
        && groups
            .iter()
            .all(|g| g.len() == 2 && g.chars().all(maskable))
        && groups
            .iter()
            .any(|g| !g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn masked_macs() {
        for m in [
            "xx:xx:xx:xx:xx:xx",
            "XX:XX:XX:XX:XX:XX",
            "3c:37:86:xx:xx:xx",
            "AB:CD:EF:GH:IJ:KL",
            "**-**-**-**-**-**",
            "3C:37:86:5E:4A:ZZ",
        ] {
            assert!(super::masked_mac(m), "{m}");
        }
        for m in [
            "3c:37:86:5e:4a:11",
            "3c:37:86:5e:4a",
            "xx:xx:xx:xx:xx:xx:xx",
            "<redacted>",
            "x:x:x:x:x:x",
            "",
        ] {
            assert!(!super::masked_mac(m), "{m}");
        }
    }

    #[test]
    fn percent_formula_end_points() {
        assert_eq!(super::percent_to_dbm(0.0), Some(-100.0));
        assert_eq!(super::percent_to_dbm(100.0), Some(-50.0));
        assert_eq!(super::percent_to_dbm(80.0), Some(-60.0));
        assert_eq!(super::percent_to_dbm(101.0), None);
    }
}
