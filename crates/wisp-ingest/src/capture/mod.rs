//! What a capture parser yields: scans with provenance, and every skipped record counted by reason.

pub mod formats;
pub mod native;
pub mod sightings;
pub mod stops;
pub(crate) mod stream;

use crate::{read_to_limit, require_file, text, IngestError, IngestErrorKind, MAX_CAPTURE_BYTES};
use formats::{Input, OpenCapture};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use wisp_model::{Observation, Point};

/// One scan from a capture: what the scanner heard at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Scan {
    /// Seconds since the Unix epoch (UTC), when the capture has a time.
    pub t: Option<f64>,
    /// Where the capture itself says the scan was taken, in the capture's units.
    pub at: Option<Point>,
    /// `file:line` or `file#index`.
    pub source: String,
    pub observations: Vec<Observation>,
}

/// How many records were skipped, by reason, with the first few locations of each.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SkipLog {
    reasons: BTreeMap<String, (usize, Vec<String>)>,
}

/// Locations kept per reason: enough to find the problem, bounded for huge files.
const KEEP_LOCATIONS: usize = 5;

impl SkipLog {
    pub fn skip(&mut self, reason: impl Into<String>, location: impl Into<String>) {
        let e = self.reasons.entry(reason.into()).or_default();
        e.0 += 1;
        if e.1.len() < KEEP_LOCATIONS {
            e.1.push(location.into());
        }
    }
    pub fn total(&self) -> usize {
        self.reasons.values().map(|e| e.0).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }
    /// (reason, count, first locations), by reason.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize, &[String])> {
        self.reasons
            .iter()
            .map(|(r, (n, l))| (r.as_str(), *n, l.as_slice()))
    }
    pub fn merge(&mut self, other: SkipLog) {
        for (r, (n, locs)) in other.reasons {
            let e = self.reasons.entry(r).or_default();
            e.0 += n;
            for l in locs {
                if e.1.len() < KEEP_LOCATIONS {
                    e.1.push(l);
                }
            }
        }
    }
}

/// A parsed capture file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedCapture {
    /// The detected or forced format's name.
    pub format: String,
    pub scans: Vec<Scan>,
    pub skipped: SkipLog,
    /// How the capture wrote its times, when it could write them several ways (the long-form
    /// CSV: RFC 3339, epoch seconds or epoch milliseconds), for the report.
    pub time_kinds: std::collections::BTreeSet<crate::track::TimeKind>,
    /// Readings older than `max_age_s`, set aside per scan by [`crate::drop_old_readings`]
    /// (`stale[i]` belongs to `scans[i]`; empty until then). Placement keeps them with their
    /// sample as [`wisp_model::Sample::stale`].
    pub stale: Vec<Vec<Observation>>,
}

/// Every capture format wisp reads, by the name `--format` takes, in registry order.
pub fn format_names() -> Vec<&'static str> {
    formats::names().collect()
}

/// The name a capture file goes by in `source` locations and reports: its file name.
pub fn capture_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// How much of a capture file format detection reads: enough for every magic number and for
/// the Kismet schema in an SQLite file's first pages ([`formats::kismet::detect`]).
pub const SNIFF_BYTES: u64 = 64 << 10;

/// Reads and parses the capture file at `path`, detecting the format from its first
/// [`SNIFF_BYTES`] unless `forced`. A binary format (forced, or recognised by its magic number)
/// gets the open file ([`Input::File`]): packet captures (pcap, pcapng) are parsed record by
/// record from a buffered reader over it, so memory is bounded by the scans kept, not by the
/// file's size; a `.kismet` log is read by SQLite from the file itself (read-only, immutable).
/// A WiGLE CSV or long-form CSV in UTF-8 ([`formats::detect_streamed_text`]) streams as text
/// the same way. Every other capture is read whole, bounded by [`MAX_CAPTURE_BYTES`], and parsed as
/// [`parse_capture`] parses bytes. Errors name the file.
pub fn parse_capture_file(path: &Path, forced: Option<&str>) -> Result<ParsedCapture, IngestError> {
    require_file(path)?;
    let mut file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut head = Vec::new();
    (&mut file)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| IngestError::io(path, e))?;
    let name = capture_name(path);
    // A blank head goes the in-memory way, which says the file is empty.
    let family = match forced {
        _ if is_blank(&head) => None,
        Some(f) => formats::family_of(f),
        None => formats::detect_bytes(&head)
            .or_else(|| formats::detect_streamed_text(&head, (head.len() as u64) < SNIFF_BYTES)),
    };
    let parsed = match family {
        Some((family, format)) => {
            let open = OpenCapture {
                path,
                head,
                rest: file,
            };
            family.parse(format, Input::File(open), &name)
        }
        None => {
            read_to_limit(file, &mut head, MAX_CAPTURE_BYTES).map_err(|e| e.at(path))?;
            parse_capture(&head, &name, forced)
        }
    };
    parsed.map_err(|e| e.at(path))
}

/// Parses a capture's bytes, detecting the format from content unless `forced`: binary formats
/// by their magic numbers, before any decoding; then the text (decoded once) by each text
/// family's signature. Packet captures go through the same record-by-record parser as
/// [`parse_capture_file`], over the bytes.
pub fn parse_capture(
    bytes: &[u8],
    name: &str,
    forced: Option<&str>,
) -> Result<ParsedCapture, IngestError> {
    if is_blank(bytes) {
        return Err(IngestError::syntax("the file is empty: no capture in it"));
    }
    if let Some(forced) = forced {
        let Some((family, format)) = formats::family_of(forced) else {
            // Undecodable bytes say so before the name is refused.
            text::decode(bytes)?;
            return Err(IngestError::new(IngestErrorKind::UnknownFormat(format!(
                "unknown format '{forced}' (known: {})",
                format_names().join(", ")
            ))));
        };
        return family.parse(format, Input::Bytes(bytes), name);
    }
    if let Some((family, format)) = formats::detect_bytes(bytes) {
        return family.parse(format, Input::Bytes(bytes), name);
    }
    let text = text::decode(bytes)?;
    let Some((family, format)) = formats::detect_text(&text) else {
        return Err(IngestError::new(IngestErrorKind::UnknownFormat(format!(
            "no capture format recognised (known: {}); use --format to force one",
            format_names().join(", ")
        ))));
    };
    family.parse(format, Input::Text(&text), name)
}

/// The text format `text` is in, judged from its first lines.
pub fn detect(text: &str) -> Option<String> {
    formats::detect_text(text).map(|(_, f)| f.to_string())
}

/// True when `bytes` hold nothing but whitespace: an empty capture.
fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

#[cfg(test)]
mod tests {
    #[test]
    fn detect_never_cuts_a_character() {
        // A multi-byte character straddling the 4096-byte sniffing window.
        let text = format!("{{\"a\": \"{}é\"}}", "x".repeat(4095 - 7));
        assert!(text.len() > 4096 && !text.is_char_boundary(4096));
        assert_eq!(super::detect(&text), None);
    }

    /// A classic pcap (radiotap, link type 127) holding one beacon heard at -61 dBm on 5180 MHz.
    fn one_beacon_pcap() -> Vec<u8> {
        let mut f = vec![0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0];
        f.extend([0; 8]);
        f.extend(65535u32.to_le_bytes());
        f.extend(127u32.to_le_bytes());
        let mut p = vec![0u8, 0, 13, 0];
        p.extend((1u32 << 3 | 1 << 5).to_le_bytes());
        p.extend(5180u16.to_le_bytes());
        p.extend(0x0140u16.to_le_bytes());
        p.push(-61i8 as u8);
        p.extend([0x80, 0, 0, 0]);
        p.extend([0xff; 6]);
        p.extend([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01]);
        p.extend([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0x01]);
        p.extend([0x10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x64, 0, 0x31, 0x04]);
        p.extend([0, 5]);
        p.extend(b"Ward7");
        f.extend(1_793_613_845u32.to_le_bytes());
        f.extend(0u32.to_le_bytes());
        f.extend((p.len() as u32).to_le_bytes());
        f.extend((p.len() as u32).to_le_bytes());
        f.extend(p);
        f
    }

    #[test]
    fn binary_captures_are_parsed_before_text_decoding() {
        // Regression: pcap bytes went through text decoding first and failed as "not UTF-8".
        let pcap = one_beacon_pcap();
        for forced in [None, Some("pcap")] {
            let p = super::parse_capture(&pcap, "b.pcap", forced).unwrap();
            assert_eq!((p.format.as_str(), p.scans.len()), ("pcap", 1));
            assert_eq!(p.scans[0].observations[0].rssi_dbm, -61.0);
        }
        // Cut mid-packet: no scan, one counted "truncated packet".
        let cut = super::parse_capture(&pcap[..pcap.len() - 10], "b.pcap", None).unwrap();
        assert_eq!(cut.scans.len(), 0);
        assert_eq!(cut.skipped.iter().next().unwrap().0, "truncated packet");
    }

    #[test]
    fn capture_files_stream_packet_captures_and_read_text_whole() {
        let dir = tempfile::tempdir().unwrap();
        let pcap = one_beacon_pcap();
        let path = dir.path().join("b.pcap");
        std::fs::write(&path, &pcap).unwrap();
        let p = super::parse_capture_file(&path, None).unwrap();
        assert_eq!(p, super::parse_capture(&pcap, "b.pcap", None).unwrap());
        assert_eq!(p.scans[0].source, "b.pcap#1");
        std::fs::write(&path, &pcap[..pcap.len() - 10]).unwrap();
        let p = super::parse_capture_file(&path, Some("pcap")).unwrap();
        assert_eq!(p.skipped.iter().next().unwrap().0, "truncated packet");
        // A pcap header cut short names the file; a blank file is empty whatever is forced.
        std::fs::write(&path, &pcap[..20]).unwrap();
        let e = super::parse_capture_file(&path, None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("b.pcap") && e.contains("(20 of 24 bytes)"),
            "{e}"
        );
        for forced in [None, Some("pcap"), Some("kismetdb")] {
            std::fs::write(&path, b"  \n").unwrap();
            let e = super::parse_capture_file(&path, forced).unwrap_err();
            assert!(e.to_string().contains("the file is empty"), "{e}");
        }
    }

    #[test]
    fn empty_capture_says_so() {
        for bytes in [&b""[..], b" \r\n\n"] {
            let e = super::parse_capture(bytes, "e.csv", None).unwrap_err();
            assert!(e.to_string().contains("the file is empty"), "{e}");
        }
    }
}
