//! Capture formats: every one behind the one trait [`CaptureFormat`], in the one registry
//! [`FAMILIES`] (shared/reference.md §4 lists the formats met in the field).
//!
//! A family (one file here, or wisp's own formats in [`crate::capture::native`]) owns some
//! `--format` names, recognises its formats from content, and parses from whichever [`Input`]
//! the registry hands it: a packet capture streams from the open file, a `.kismet` log is read
//! in place by SQLite, the text formats take the text the registry decoded once for detection.
//! Detection asks the families in registry order, binary signatures first (magic numbers, on
//! the raw bytes), then text signatures; the first to recognise the capture wins.

use crate::capture::native::Native;
use crate::{read_to_limit, text, IngestError, ParsedCapture, MAX_CAPTURE_BYTES};
use std::borrow::Cow;
use std::fs::File;
use std::path::Path;

pub mod kismet;
pub mod kismetdb;
pub mod linux;
pub mod macos;
pub mod open_tools;
pub mod pcap;
pub mod wigle;
pub mod windows;

/// One family of capture formats.
pub trait CaptureFormat: Sync {
    /// The `--format` names this family owns.
    fn names(&self) -> &'static [&'static str];

    /// The format a capture is in, judged from its raw bytes (magic numbers) before any text
    /// decoding: a binary family's signature. `bytes` may be only the capture's first
    /// [`crate::SNIFF_BYTES`].
    fn detect_bytes(&self, _bytes: &[u8]) -> Option<&'static str> {
        None
    }

    /// The format a capture is in, judged from its decoded text: a text family's signature.
    fn detect_text(&self, _text: &str) -> Option<&'static str> {
        None
    }

    /// Parses the capture (from the file called `name`) as `format`, one of [`Self::names`].
    fn parse(
        &self,
        format: &str,
        input: Input<'_>,
        name: &str,
    ) -> Result<ParsedCapture, IngestError>;
}

/// A capture as the registry hands it to a family.
pub enum Input<'a> {
    /// The capture file, opened, with its first bytes already read for detection.
    File(OpenCapture<'a>),
    /// The whole capture in memory.
    Bytes(&'a [u8]),
    /// The whole capture decoded as text (the registry decoded it to detect the format).
    Text(&'a str),
}

/// A capture file opened for parsing.
pub struct OpenCapture<'a> {
    pub path: &'a Path,
    /// The file's first bytes (up to [`crate::SNIFF_BYTES`]), read for detection.
    pub head: Vec<u8>,
    /// The file, positioned just after `head`.
    pub rest: File,
}

impl<'a> Input<'a> {
    /// The whole capture's bytes: a file is read whole, up to [`MAX_CAPTURE_BYTES`].
    pub fn bytes(self) -> Result<Cow<'a, [u8]>, IngestError> {
        match self {
            Input::File(OpenCapture {
                path,
                mut head,
                rest,
            }) => {
                read_to_limit(rest, &mut head, MAX_CAPTURE_BYTES).map_err(|e| e.at(path))?;
                Ok(Cow::Owned(head))
            }
            Input::Bytes(b) => Ok(Cow::Borrowed(b)),
            Input::Text(t) => Ok(Cow::Borrowed(t.as_bytes())),
        }
    }

    /// The whole capture as text ([`text::decode`]: UTF-8 or UTF-16 with a BOM).
    pub fn text(self) -> Result<Cow<'a, str>, IngestError> {
        match self {
            Input::Text(t) => Ok(Cow::Borrowed(t)),
            other => Ok(Cow::Owned(text::decode(&other.bytes()?)?)),
        }
    }
}

/// Every capture format family, in detection order: wisp's own formats, the binary families,
/// then the text families, most specific signatures first. The order of [`names`] too.
pub static FAMILIES: &[&dyn CaptureFormat] = &[
    &Native,
    &pcap::Pcap,
    &kismet::Kismet,
    &wigle::Wigle,
    &open_tools::OpenTools,
    &macos::Macos,
    &windows::Windows,
    &linux::Linux,
];

/// Every format name, by family in registry order.
pub fn names() -> impl Iterator<Item = &'static str> {
    FAMILIES.iter().flat_map(|f| f.names().iter().copied())
}

/// The family owning the format called `format`, and the name as the family spells it.
pub fn family_of(format: &str) -> Option<(&'static dyn CaptureFormat, &'static str)> {
    FAMILIES
        .iter()
        .find_map(|f| Some((*f, *f.names().iter().find(|n| **n == format)?)))
}

/// The binary format `bytes` are in, judged from their magic numbers, and its family.
pub fn detect_bytes(bytes: &[u8]) -> Option<(&'static dyn CaptureFormat, &'static str)> {
    FAMILIES
        .iter()
        .find_map(|f| Some((*f, f.detect_bytes(bytes)?)))
}

/// The text format of a capture file whose first bytes are `head` (`whole`: the file holds no
/// more), when its parser streams text from the file (WiGLE, the long-form CSV: memory bounded
/// by the survey, not the file) and `head` settles it as [`detect_text`] on the whole text
/// would: every family asked before these judges by the first line, or the first 4096 bytes,
/// after any leading whitespace. UTF-16 and undecodable heads are left to the whole-file way.
pub fn detect_streamed_text(
    head: &[u8],
    whole: bool,
) -> Option<(&'static dyn CaptureFormat, &'static str)> {
    if text::utf16_signature(head) {
        return None;
    }
    let body = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        // The head's end cut a character.
        Err(e) if e.error_len().is_none() && !whole => {
            std::str::from_utf8(&body[..e.valid_up_to()]).ok()?
        }
        Err(_) => return None,
    };
    let start = text.trim_start();
    if !whole && (!start.contains('\n') || start.len() < 4096) {
        return None;
    }
    let (family, format) = detect_text(text)?;
    matches!(format, "wigle" | "wisp-csv").then_some((family, format))
}

/// The text format `text` is in, if a family recognises it, and its family.
pub fn detect_text(text: &str) -> Option<(&'static dyn CaptureFormat, &'static str)> {
    FAMILIES
        .iter()
        .find_map(|f| Some((*f, f.detect_text(text)?)))
}

/// dBm from a 0–100 signal percentage, as Windows (netsh) and NetworkManager (nmcli) report it:
/// `dBm = pct / 2 − 100`, the mapping Windows' WLAN API documents for its link quality (0 % ↔
/// −100 dBm, 100 % ↔ −50 dBm; shared/reference.md §4). Observations converted this way are marked
/// `approximate` in the survey. `None` outside 0..=100.
pub fn percent_to_dbm(pct: f64) -> Option<f64> {
    (pct.is_finite() && (0.0..=100.0).contains(&pct)).then_some(pct / 2.0 - 100.0)
}

/// A BSSID written as six colon-separated two-digit hex octets (`3C:37:86:5E:4A:11`), read byte
/// by byte (it is on every row of the line formats and of wisp's long-form CSV:
/// benches/ingest.rs).
pub(crate) fn colon_mac(s: &str) -> Option<wisp_model::Bssid> {
    sep_mac(s.trim().as_bytes(), b":")
}

/// Exactly six two-digit hex octets joined by `sep` (`:` in [`colon_mac`]; `\:` as `nmcli -t`
/// escapes it, read in place without unescaping: benches/ingest.rs).
/// (`N` is a constant so the separator compares inline, not through `memcmp`.)
pub(crate) fn sep_mac<const N: usize>(b: &[u8], sep: &[u8; N]) -> Option<wisp_model::Bssid> {
    let stride = 2 + N;
    if b.len() != 5 * stride + 2 {
        return None;
    }
    let mut out = [0u8; 6];
    // Every digit's value or'ed together: a non-digit's 0xFF shows in the high nibble.
    let mut bad = 0u8;
    for (i, o) in out.iter_mut().enumerate() {
        let at = stride * i;
        if i > 0 && (0..N).any(|k| b[at - N + k] != sep[k]) {
            return None;
        }
        let (hi, lo) = (HEX[usize::from(b[at])], HEX[usize::from(b[at + 1])]);
        bad |= hi | lo;
        *o = hi << 4 | lo;
    }
    (bad < 16).then_some(wisp_model::Bssid(out))
}

/// A byte's value as a hex digit (`char::to_digit(16)`), 0xFF for any other byte: a table, as
/// the MAC readers look up twelve digits on every row (benches/ingest.rs).
const HEX: [u8; 256] = {
    let mut t = [0xFF; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = match (c as u8 as char).to_digit(16) {
            Some(d) => d as u8,
            None => 0xFF,
        };
        c += 1;
    }
    t
};

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
    fn registry_names_every_format_once_in_the_documented_order() {
        // The order `--format` lists and error messages print (wisp's own formats first, then
        // the binary families, then the text families in detection order).
        let expected = [
            "wisp-json",
            "wisp-csv",
            "pcap",
            "pcapng",
            "kismet-netxml",
            "kismet-gpsxml",
            "kismetdb",
            "wigle",
            "wifi-survey-heatmap",
            "wifisurveyor",
            "wifi-heatmapper",
            "airport",
            "system-profiler",
            "netsh",
            "iw",
            "iwlist",
            "nmcli",
            "nmcli-table",
        ];
        assert_eq!(super::names().collect::<Vec<_>>(), expected);
        for name in expected {
            let (family, spelled) = super::family_of(name).unwrap();
            assert_eq!(spelled, name);
            assert!(family.names().contains(&name));
        }
        assert!(super::family_of("IW").is_none() && super::family_of("").is_none());
    }

    #[test]
    fn binary_signatures_are_asked_before_text_ones() {
        // A netxml file is XML text, but the Kismet family judges it on its bytes (it may be
        // Latin-1); pcap magic never reaches text decoding.
        let netxml = b"<?xml version=\"1.0\"?>\n<detection-run kismet-version=\"x\">";
        assert_eq!(super::detect_bytes(netxml).unwrap().1, "kismet-netxml");
        assert!(super::detect_text(std::str::from_utf8(netxml).unwrap()).is_none());
        assert_eq!(
            super::detect_bytes(&[0xD4, 0xC3, 0xB2, 0xA1]).unwrap().1,
            "pcap"
        );
        // wisp's own formats are asked first among the text families.
        let csv = "x,y,bssid,ssid,freq_mhz,rssi_dbm\n";
        assert_eq!(super::detect_text(csv).unwrap().1, "wisp-csv");
    }

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
