//! macOS scanner output: `airport -s` and `system_profiler SPAirPortDataType -json`.
//!
//! * `airport -s` (the private `Apple80211.framework/…/airport` tool, deprecated in macOS 14.4):
//!   a table headed `SSID BSSID RSSI CHANNEL HT CC SECURITY (auth/unicast/group)`. The SSID is
//!   right-aligned in 32 columns and may hold spaces, so rows are read from the right: RSSI is
//!   the last negative integer followed by a CHANNEL (`6`, `36,+1`, `149,80` — primary channel,
//!   then a 40 MHz offset or a width) and HT (`Y`/`N`); the BSSID, if present, is just before
//!   it. airport drops leading zeros of BSSID octets (`0:1b:2c:d:4e:5`), which are put back.
//!   Since macOS 14 location privacy blanks the BSSID column (or airport omits it), and a row
//!   without a BSSID cannot be attributed to a radio: such rows are counted as
//!   "no BSSID (redacted)". CHANNEL carries no band, so the band is inferred from the number as
//!   in [`super::linux`]. SSIDs lose leading spaces to the alignment. `WARNING: The airport
//!   command line tool is deprecated…` banners and prompts are ignored; every header line
//!   (`airport -s` run in a loop) or timestamp line starts a new scan.
//! * `system_profiler SPAirPortDataType -json`: `SPAirPortDataType[].spairport_airport_interfaces[]`
//!   with `spairport_airport_other_local_wireless_networks[]` (what the last scan heard) and
//!   `spairport_current_network_information` (the associated network). Each network has `_name`
//!   (SSID), `spairport_network_bssid` (absent or redacted since macOS 14 — counted as skipped
//!   "no BSSID (redacted)"), `spairport_network_channel` (`"36 (5GHz, 80MHz)"`,
//!   `"6 (2GHz, 20MHz)"`, or a bare number on older releases) and `spairport_signal_noise`
//!   (`"-61 dBm / -94 dBm"`: RSSI and noise). Interfaces without networks (`awdl0`, `llw0`) are
//!   passed over; each interface with networks is one scan, sourced at the line of its network
//!   list. Several documents may be concatenated, each optionally after a timestamp line
//!   (see [`super::linux`]), which gives the next document its time.

use super::linux::{
    is_shell_noise, observe, prefix, timestamp_line, Level, Runs, DETECT_LINE_BYTES, MAX_ROW_BYTES,
};
use crate::capture::formats::masked_mac;
use crate::capture::{ParsedCapture, Scan, SkipLog};
use crate::text::lines;
use crate::IngestError;
use serde_json::{Map, Value};
use std::collections::HashSet;
use wisp_model::{Band, Bssid, Channel, Observation};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &["airport", "system-profiler"];

/// Lines `detect` looks at for an airport header.
const DETECT_LINES: usize = 50;
/// Bytes `detect` looks into for system_profiler's top-level key.
const DETECT_BYTES: usize = 4096;

/// The format `text` is in, if it is one of this family's.
pub fn detect(text: &str) -> Option<&'static str> {
    let head = prefix(text, DETECT_BYTES);
    if head.contains("\"SPAirPortDataType\"") && head.contains('{') {
        return Some("system-profiler");
    }
    lines(text)
        .take(DETECT_LINES)
        .any(|(_, l)| airport_header(prefix(l, DETECT_LINE_BYTES)).is_some())
        .then_some("airport")
}

/// Parses `text` (from the file called `name`) as `format`.
pub fn parse(format: &str, text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    match format {
        "airport" => parse_airport(text, name),
        "system-profiler" => parse_system_profiler(text, name),
        other => Err(IngestError::syntax(format!(
            "format '{other}' is not a macos format"
        ))),
    }
}

/// A BSSID as airport prints it, octets maybe without their leading zero (`0:1b:2c:d:4e:5`).
fn loose_mac(s: &str) -> Option<Bssid> {
    let parts: Vec<&str> = s.split(':').collect();
    if parts.len() != 6
        || !parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    let mut octets = [0u8; 6];
    for (o, p) in octets.iter_mut().zip(&parts) {
        *o = u8::from_str_radix(p, 16).ok()?;
    }
    Some(Bssid(octets))
}

// ---------------------------------------------------------------------------------------------
// airport -s

/// `SSID BSSID RSSI CHANNEL HT CC SECURITY …` → whether it has the BSSID column.
fn airport_header(line: &str) -> Option<bool> {
    if line.len() > MAX_ROW_BYTES {
        return None;
    }
    let toks: Vec<&str> = line.split_whitespace().collect();
    let has = |t: &str| toks.contains(&t);
    (has("SSID") && has("RSSI") && has("CHANNEL")).then(|| has("BSSID"))
}

/// One table row, split.
#[derive(Debug, PartialEq)]
struct AirportRow<'a> {
    ssid: &'a str,
    bssid: Option<&'a str>,
    rssi: &'a str,
    channel: &'a str,
}

/// Reads a row from the right (see the module doc); `None` if it is not one.
fn airport_row(line: &str) -> Option<AirportRow<'_>> {
    if line.len() > MAX_ROW_BYTES {
        return None;
    }
    let mut toks: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in line.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                toks.push((s, &line[s..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        toks.push((s, &line[s..]));
    }
    let is_rssi = |t: &str| {
        t.strip_prefix('-')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
    };
    let is_channel = |t: &str| {
        let primary = t.split(',').next().unwrap_or("");
        !primary.is_empty() && primary.bytes().all(|b| b.is_ascii_digit())
    };
    let k = (0..toks.len()).rev().find(|&k| {
        let after = |j: usize| toks.get(k + j).map(|t| t.1);
        is_rssi(toks[k].1)
            && after(1).is_some_and(is_channel)
            && after(2).is_none_or(|ht| ht == "Y" || ht == "N")
    })?;
    let (rssi_at, rssi) = toks[k];
    let channel = toks.get(k + 1).map_or("", |t| t.1);
    let before = k.checked_sub(1).and_then(|j| toks.get(j));
    let (bssid, ssid_end) = match before {
        Some(&(at, b)) if loose_mac(b).is_some() || masked_mac(b) => (Some(b), at),
        _ => (None, rssi_at),
    };
    Some(AirportRow {
        ssid: line[..ssid_end].trim(),
        bssid,
        rssi,
        channel,
    })
}

fn parse_airport(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut runs = Runs::new(name);
    let mut in_table = false;
    for (n, raw) in lines(text) {
        let line = raw.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        if let Some(t) = timestamp_line(line) {
            runs.timestamp(n, t);
            in_table = false;
        } else if airport_header(line).is_some() {
            runs.start(n, false);
            in_table = true;
        } else if let Some(row) = airport_row(line).filter(|_| in_table) {
            airport_observation(&mut runs, n, &row);
        } else if !in_table && airport_row(line).is_some() {
            runs.skip("row before the header", n);
        } else if !in_table || is_shell_noise(line) {
            // The deprecation banner (two lines since macOS 14), prompts: no records.
        } else {
            runs.skip("line not understood", n);
        }
    }
    runs.done(
        "airport",
        "the table of `airport -s` (header `SSID BSSID RSSI CHANNEL HT CC SECURITY`)",
        text,
    )
}

fn airport_observation(runs: &mut Runs, n: usize, row: &AirportRow) {
    // No BSSID column (Monterey and later), a blank or a masked one: an unidentified radio.
    let bssid = row.bssid.and_then(loose_mac);
    let Some(rssi) = row.rssi.parse::<i32>().ok() else {
        return runs.skip("signal not understood", n);
    };
    let number = row.channel.split(',').next().unwrap_or("");
    let Some(channel) = number
        .parse::<u16>()
        .ok()
        .and_then(|n| Channel::infer(n, None, None).ok())
    else {
        return runs.skip("channel does not exist", n);
    };
    let ssid = (!row.ssid.is_empty()).then(|| row.ssid.to_string());
    match observe(bssid, ssid, channel, Level::Dbm(f64::from(rssi)), None) {
        Ok(o) => runs.push(n, o),
        Err(reason) => runs.skip(reason, n),
    }
}

// ---------------------------------------------------------------------------------------------
// system_profiler SPAirPortDataType -json

const OTHERS_KEY: &str = "spairport_airport_other_local_wireless_networks";
const CURRENT_KEY: &str = "spairport_current_network_information";

/// Line numbers of byte offsets in one text.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex(starts)
    }
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset).max(1)
    }
}

fn parse_system_profiler(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let index = LineIndex::new(text);
    let mut out = ParsedCapture {
        format: "system-profiler".to_string(),
        scans: Vec::new(),
        skipped: SkipLog::default(),
        ..Default::default()
    };
    // Split at timestamp lines and prompts, which sit between documents, never inside one.
    let mut segments: Vec<(usize, usize, Option<f64>)> = Vec::new();
    let mut seg_start = 0;
    let mut t = None;
    let mut offset = 0;
    // Own split rather than `lines`: byte offsets must count the `\r` of CRLF files.
    for piece in text.split('\n') {
        let next = (offset + piece.len() + 1).min(text.len());
        let raw = piece.strip_suffix('\r').unwrap_or(piece);
        let stamp = timestamp_line(raw);
        if stamp.is_some() || is_shell_noise(raw) {
            segments.push((seg_start, offset, t));
            // A prompt keeps the pending time: `date; system_profiler …` echoes in between.
            if let Some(stamp) = stamp {
                t = stamp;
            } else if !text[seg_start..offset].trim().is_empty() {
                t = None;
            }
            seg_start = next;
        }
        offset = next;
    }
    segments.push((seg_start, text.len(), t));
    let mut documents = 0;
    for (start, end, t) in segments {
        let segment = &text[start..end];
        let mut stream = serde_json::Deserializer::from_str(segment).into_iter::<Value>();
        let mut t = t;
        loop {
            let before = stream.byte_offset();
            let doc = match stream.next() {
                None => break,
                Some(Ok(doc)) => doc,
                Some(Err(e)) => {
                    let line = index.line(start) + e.line().saturating_sub(1);
                    let hint = if documents == 0 && !segment.trim_start().starts_with('{') {
                        " (run system_profiler with -json)"
                    } else {
                        ""
                    };
                    return Err(
                        IngestError::syntax(format!("system_profiler JSON: {e}{hint}")).line(line),
                    );
                }
            };
            documents += 1;
            let doc_start = start
                + before
                + segment[before..]
                    .find(|c: char| !c.is_whitespace())
                    .unwrap_or(0);
            let doc_end = start + stream.byte_offset();
            let doc_text = &text[doc_start..doc_end];
            profiler_document(&doc, doc_text, doc_start, &index, t.take(), name, &mut out)?;
        }
    }
    if documents == 0 {
        return Err(IngestError::syntax(
            "no system_profiler output found: expected the JSON of `system_profiler SPAirPortDataType -json`",
        )
        .line(1));
    }
    Ok(out)
}

/// Byte offsets of the elements of the JSON array that follows `from` (the first `[` after it),
/// scanning the text so that provenance can name each network's line.
fn array_element_offsets(text: &str, from: usize) -> Vec<usize> {
    let b = text.as_bytes();
    let Some(open) = text.get(from..).and_then(|r| r.find('[')).map(|i| from + i) else {
        return Vec::new();
    };
    let mut starts = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut expecting = true;
    for (i, &c) in b.iter().enumerate().skip(open + 1) {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        if depth == 0 && expecting && c != b']' {
            starts.push(i);
            expecting = false;
        }
        match c {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' if depth == 0 => break,
            b']' | b'}' => depth -= 1,
            b',' if depth == 0 => expecting = true,
            _ => {}
        }
    }
    starts
}

fn profiler_document(
    doc: &Value,
    doc_text: &str,
    doc_start: usize,
    index: &LineIndex,
    t: Option<f64>,
    name: &str,
    out: &mut ParsedCapture,
) -> Result<(), IngestError> {
    let Some(items) = doc.get("SPAirPortDataType").and_then(Value::as_array) else {
        return Err(IngestError::syntax(
            "expected a \"SPAirPortDataType\" array (system_profiler SPAirPortDataType -json)",
        )
        .line(index.line(doc_start)));
    };
    let loc = |offset: usize| crate::file_line(name, index.line(doc_start + offset));
    // Each interface object holds each key once, so the k-th occurrence in the text is the k-th
    // interface (in document order) that has it.
    let (others_key, current_key) = (format!("\"{OTHERS_KEY}\""), format!("\"{CURRENT_KEY}\""));
    let mut others_at = doc_text.match_indices(&others_key).map(|m| m.0);
    let mut current_at = doc_text.match_indices(&current_key).map(|m| m.0);
    let interfaces = items
        .iter()
        .filter_map(|i| i.get("spairport_airport_interfaces")?.as_array())
        .flatten();
    for iface in interfaces {
        let others = iface.get(OTHERS_KEY);
        let current = iface.get(CURRENT_KEY);
        let others_offset = others.and_then(|_| others_at.next());
        let current_offset = current.and_then(|_| current_at.next());
        if others.is_none() && current.is_none() {
            continue;
        }
        let scan_offset = match (others_offset, current_offset) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b).unwrap_or(0),
        };
        let mut scan = Scan {
            t,
            at: None,
            source: loc(scan_offset),
            observations: Vec::new(),
        };
        let element_offsets = others_offset
            .map(|o| array_element_offsets(doc_text, o))
            .unwrap_or_default();
        let mut networks: Vec<(&Map<String, Value>, usize)> = Vec::new();
        if let Some(list) = others.and_then(Value::as_array) {
            for (k, net) in list.iter().enumerate() {
                let at = element_offsets
                    .get(k)
                    .copied()
                    .or(others_offset)
                    .unwrap_or(0);
                match net.as_object() {
                    Some(obj) => networks.push((obj, at)),
                    None => out.skipped.skip("network entry is not an object", loc(at)),
                }
            }
        }
        // The associated network is usually not in the list of others; keep it unless it is.
        if let Some(obj) = current.and_then(Value::as_object) {
            networks.push((obj, current_offset.unwrap_or(0)));
        }
        let mut kept = HashSet::new();
        for (net, at) in networks {
            match profiler_network(net) {
                Ok(o) => {
                    if kept.insert(o.bssid) {
                        scan.observations.push(o);
                    } else if o.unidentified {
                        // One SSID on one channel without BSSIDs twice: one unidentified
                        // radio, its strongest reading kept.
                        let same = scan.observations.iter_mut().find(|p| p.bssid == o.bssid);
                        if let Some(prev) = same.filter(|p| p.rssi_dbm < o.rssi_dbm) {
                            *prev = o;
                        }
                        out.skipped.skip(
                            "unidentified radio listed twice in one scan (strongest kept)",
                            loc(at),
                        );
                    }
                }
                Err(reason) => out.skipped.skip(reason, loc(at)),
            }
        }
        out.scans.push(scan);
    }
    Ok(())
}

fn profiler_network(net: &Map<String, Value>) -> Result<Observation, &'static str> {
    // Absent, `<redacted>`, empty or masked: an unidentified radio.
    let bssid = match net.get("spairport_network_bssid").and_then(Value::as_str) {
        None => None,
        Some(b) => match b
            .trim()
            .parse::<Bssid>()
            .ok()
            .or_else(|| loose_mac(b.trim()))
        {
            Some(b) => Some(b),
            None if !b.chars().any(|c| c.is_ascii_hexdigit())
                || b.contains("redact")
                || masked_mac(b) =>
            {
                None
            }
            None => return Err("invalid BSSID"),
        },
    };
    let channel = match net.get("spairport_network_channel") {
        None => return Err("no frequency or channel"),
        Some(v) => profiler_channel(v).ok_or("channel does not exist")?,
    };
    let (rssi, noise) = net
        .get("spairport_signal_noise")
        .and_then(Value::as_str)
        .map(signal_noise)
        .ok_or("no signal level")?
        .ok_or("signal not understood")?;
    let ssid = net
        .get("_name")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty() && !s.chars().all(|c| c == '\0'))
        .map(str::to_string);
    observe(bssid, ssid, channel, Level::Dbm(rssi), noise)
}

/// `"36 (5GHz, 80MHz)"`, `"6 (2GHz, 20MHz)"`, `"149,+1"`, `"36"` or `36`.
fn profiler_channel(v: &Value) -> Option<Channel> {
    if let Some(n) = v.as_u64() {
        return Channel::infer(u16::try_from(n).ok()?, None, None).ok();
    }
    let s = v.as_str()?.trim();
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    let number: u16 = s.get(..digits)?.parse().ok()?;
    let band = s
        .split_once('(')
        .and_then(|(_, rest)| rest.split([',', ')']).next())
        .map(|b| b.trim().to_ascii_lowercase());
    let band = band.and_then(|b| Band::parse(&b).ok());
    Channel::infer(number, band, None).ok()
}

/// `"-61 dBm / -94 dBm"` → (RSSI, noise); noise may be missing.
fn signal_noise(s: &str) -> Option<(f64, Option<f64>)> {
    let mut parts = s.split('/');
    let dbm = |p: &str| super::linux::number(p.trim().trim_end_matches("dBm"));
    let rssi = dbm(parts.next()?)?;
    let noise = parts.next().and_then(dbm);
    Some((rssi, noise))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &[(&str, &str)] = &[
        (
            "airport",
            include_str!("../../../tests/fixtures/macos/airport.txt"),
        ),
        (
            "airport",
            include_str!("../../../tests/fixtures/macos/airport_sonoma.txt"),
        ),
        (
            "system-profiler",
            include_str!("../../../tests/fixtures/macos/system_profiler.json"),
        ),
        (
            "system-profiler",
            include_str!("../../../tests/fixtures/macos/system_profiler_sonoma.txt"),
        ),
    ];

    #[test]
    fn airport_bssids_and_rows() {
        assert_eq!(
            loose_mac("0:1b:2c:d:4e:5")
                .map(|b| b.to_string())
                .as_deref(),
            Some("00:1b:2c:0d:4e:05")
        );
        assert_eq!(loose_mac("0:1b:2c:d:4e"), None);
        assert_eq!(loose_mac("0:1b:2c:d:4e:5g"), None);
        assert_eq!(
            airport_row("   Ward 7 3c:37:86:5e:4a:11 -61  36,+1   Y  GB NONE"),
            Some(AirportRow {
                ssid: "Ward 7",
                bssid: Some("3c:37:86:5e:4a:11"),
                rssi: "-61",
                channel: "36,+1"
            })
        );
        assert_eq!(airport_row("no networks found"), None);
    }

    #[test]
    fn profiler_channel_and_signal_spellings() {
        let ch = |v: Value| profiler_channel(&v).map(|c| (c.band, c.number));
        assert_eq!(ch(Value::from("36 (5GHz, 80MHz)")), Some((Band::G5, 36)));
        assert_eq!(ch(Value::from("6 (2GHz, 20MHz)")), Some((Band::G2_4, 6)));
        assert_eq!(ch(Value::from("1 (6GHz, 20MHz)")), Some((Band::G6, 1)));
        assert_eq!(ch(Value::from("149,+1")), Some((Band::G5, 149)));
        assert_eq!(ch(Value::from(11)), Some((Band::G2_4, 11)));
        assert_eq!(ch(Value::from(70_000)), None);
        assert_eq!(ch(Value::from("6 (5GHz, 20MHz)")), None);
        assert_eq!(ch(Value::from("")), None);
        assert_eq!(
            signal_noise("-61 dBm / -94 dBm"),
            Some((-61.0, Some(-94.0)))
        );
        assert_eq!(signal_noise("-61 dBm"), Some((-61.0, None)));
        assert_eq!(signal_noise("n/a"), None);
    }

    #[test]
    fn profiler_syntax_errors_name_the_line() {
        let text = "2026-11-02T10:04:05Z\n{\n  \"SPAirPortDataType\" : [\n    {,\n  ]\n}\n";
        let e = parse("system-profiler", text, "bad.json").unwrap_err();
        assert_eq!(e.line_number(), Some(4), "{e}");
        let e = parse("system-profiler", "{\"other\": []}", "x.json").unwrap_err();
        assert!(e.to_string().contains("SPAirPortDataType"), "{e}");
        let e = parse(
            "system-profiler",
            "Wi-Fi:\n\n  Software Versions:\n",
            "x.txt",
        )
        .unwrap_err();
        assert!(e.to_string().contains("-json"), "{e}");
    }

    #[test]
    fn garbage_is_an_error_naming_what_was_expected() {
        for text in ["", "hello\nworld\n", "\u{0}\u{1}", "   \n"] {
            for format in FORMATS {
                assert!(
                    parse(format, text, "junk.txt").is_err(),
                    "{format}: {text:?}"
                );
            }
        }
        let e = parse("airport", "hello\n", "junk.txt").unwrap_err();
        assert!(e.to_string().contains("expected"), "{e}");
    }

    #[test]
    fn truncated_and_mangled_captures_never_panic() {
        for (format, text) in FIXTURES {
            for cut in text.char_indices().map(|(i, _)| i).step_by(3) {
                let head = &text[..cut];
                let _ = parse(format, head, "cut.txt");
                let _ = detect(head);
                let mangled = format!(
                    "{}{}",
                    head,
                    text[cut..].chars().skip(1).collect::<String>()
                );
                let _ = parse(format, &mangled, "mangled.txt");
            }
        }
        assert_eq!(prefix("aé", 2), "a");
    }
}
