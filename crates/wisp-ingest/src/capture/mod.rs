//! What a capture parser yields: scans with provenance, and every skipped record counted by reason.

pub mod formats;
pub mod native;
pub mod sightings;
pub mod stops;

use crate::{read_to_limit, require_file, text, IngestError, IngestErrorKind, MAX_CAPTURE_BYTES};
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
    pub time_kinds: std::collections::BTreeSet<crate::placement::track::TimeKind>,
}

/// wisp's own capture formats; the others are in [`formats`].
const NATIVE_FORMATS: &[&str] = &["wisp-json", "wisp-csv"];

/// Every capture format wisp reads, by the name `--format` takes.
pub fn format_names() -> Vec<&'static str> {
    NATIVE_FORMATS
        .iter()
        .copied()
        .chain(formats::names())
        .collect()
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
/// [`SNIFF_BYTES`] unless `forced`. Packet captures (pcap, pcapng) are parsed record by record
/// from a buffered reader over the file, so memory is bounded by the scans kept, not by the
/// file's size; a `.kismet` log is read by SQLite from the file itself (read-only, immutable);
/// every other format is read whole, bounded by [`MAX_CAPTURE_BYTES`]. Errors name the file.
pub fn parse_capture_file(path: &Path, forced: Option<&str>) -> Result<ParsedCapture, IngestError> {
    require_file(path)?;
    let mut file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut head = Vec::new();
    (&mut file)
        .take(SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| IngestError::io(path, e))?;
    let name = capture_name(path);
    let format = forced.or_else(|| formats::detect_binary(&head));
    let parsed = match format {
        Some(f) if formats::pcap::FORMATS.contains(&f) && !is_blank(&head) => {
            let stream = std::io::BufReader::with_capacity(1 << 16, head.as_slice().chain(file));
            formats::pcap::parse_reader(f, stream, &name)
        }
        Some("kismetdb") if !is_blank(&head) => formats::kismetdb::read_file(path, &head, &name),
        _ => {
            read_to_limit(file, &mut head, MAX_CAPTURE_BYTES).map_err(|e| e.at(path))?;
            parse_capture(&head, &name, forced)
        }
    };
    parsed.map_err(|e| e.at(path))
}

/// Parses a capture's bytes, detecting the format from content unless `forced`. Packet captures
/// go through the same record-by-record parser as [`parse_capture_file`], over the bytes.
pub fn parse_capture(
    bytes: &[u8],
    name: &str,
    forced: Option<&str>,
) -> Result<ParsedCapture, IngestError> {
    if is_blank(bytes) {
        return Err(IngestError::syntax("the file is empty: no capture in it"));
    }
    // Binary formats (pcap, pcapng, Kismet logs) are judged on the bytes, before any decoding.
    if let Some(parsed) = forced
        .or_else(|| formats::detect_binary(bytes))
        .and_then(|f| formats::parse_binary(f, bytes, name))
    {
        return parsed;
    }
    let text = text::decode(bytes)?;
    let format = match forced {
        Some(f) => f.to_string(),
        None => detect(&text).ok_or_else(|| {
            IngestError::new(IngestErrorKind::UnknownFormat(format!(
                "no capture format recognised (known: {}); use --format to force one",
                format_names().join(", ")
            )))
        })?,
    };
    match format.as_str() {
        "wisp-csv" => native::parse_long_csv(&text, name),
        "wisp-json" => {
            let survey = native::parse_survey(&text)?;
            let scans = survey
                .floors
                .into_iter()
                .flat_map(|f| f.samples)
                .map(|s| Scan {
                    t: s.t.as_deref().and_then(wisp_model::time::parse_rfc3339),
                    at: Some(Point::new(s.x_m, s.y_m)),
                    source: s.source,
                    observations: s.observations,
                })
                .collect();
            Ok(ParsedCapture {
                format,
                scans,
                skipped: SkipLog::default(),
                ..Default::default()
            })
        }
        other => formats::parse(other, &text, name).unwrap_or_else(|| {
            Err(IngestError::new(IngestErrorKind::UnknownFormat(format!(
                "unknown format '{other}' (known: {})",
                format_names().join(", ")
            ))))
        }),
    }
}

/// The format `text` is in, judged from its first lines.
pub fn detect(text: &str) -> Option<String> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let mut cut = head.len().min(4096);
    while !head.is_char_boundary(cut) {
        cut -= 1;
    }
    if head.starts_with('{') && head[..cut].contains("wisp-survey") {
        return Some("wisp-json".into());
    }
    if native::looks_like_long_csv(head) {
        return Some("wisp-csv".into());
    }
    formats::detect(text).map(str::to_string)
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
