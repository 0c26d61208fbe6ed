//! wisp's own formats: the survey JSON (`docs/survey-format.md`) and the long-form CSV capture.

use crate::capture::formats::{CaptureFormat, Input, OpenCapture};
use crate::capture::stream::{file_text, TextSlice, TextSource};
use crate::capture::{ParsedCapture, Scan};
use crate::error::quote;
use crate::IngestError;
use std::io::{Read, Seek, SeekFrom};
use wisp_model::{Band, Bssid, Channel, Observation, Point, Survey, SURVEY_FORMAT, SURVEY_VERSION};

/// wisp's own capture formats, by the names `--format` takes.
pub const FORMATS: &[&str] = &["wisp-json", "wisp-csv"];

/// wisp's own formats in the registry ([`crate::capture::formats::FAMILIES`]): a survey JSON
/// read back as scans at their positions, and the long-form CSV.
pub struct Native;

impl CaptureFormat for Native {
    fn names(&self) -> &'static [&'static str] {
        FORMATS
    }
    fn detect_text(&self, text: &str) -> Option<&'static str> {
        let head = text.trim_start_matches('\u{feff}').trim_start();
        let mut cut = head.len().min(4096);
        while !head.is_char_boundary(cut) {
            cut -= 1;
        }
        if head.starts_with('{') && head[..cut].contains("wisp-survey") {
            return Some("wisp-json");
        }
        looks_like_long_csv(head).then_some("wisp-csv")
    }
    fn parse(
        &self,
        format: &str,
        input: Input<'_>,
        name: &str,
    ) -> Result<ParsedCapture, IngestError> {
        if format == "wisp-csv" {
            // From a file, UTF-8 text streams: memory holds the scans, not the file (#16).
            return match input {
                Input::File(open) => parse_long_csv_file(open, name),
                other => parse_long_csv(&other.text()?, name),
            };
        }
        let text = input.text()?;
        match format {
            "wisp-json" => {
                let survey = parse_survey(&text)?;
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
                    format: format.to_string(),
                    scans,
                    ..Default::default()
                })
            }
            other => Err(IngestError::syntax(format!(
                "format '{other}' is not one of wisp's own formats"
            ))),
        }
    }
}

/// Parses and checks a survey document: format name, version, and every observation's numbers.
pub fn parse_survey(text: &str) -> Result<Survey, IngestError> {
    let survey: Survey = serde_json::from_str(text)
        .map_err(|e| IngestError::syntax(format!("survey JSON: {e}")).line(e.line()))?;
    if survey.format != SURVEY_FORMAT {
        return Err(IngestError::invalid(format!(
            "\"format\" is \"{}\", expected \"{SURVEY_FORMAT}\"",
            survey.format
        )));
    }
    if survey.version != SURVEY_VERSION {
        return Err(IngestError::invalid(format!(
            "survey version {} is not supported (this wisp reads version {SURVEY_VERSION})",
            survey.version
        )));
    }
    for f in &survey.floors {
        for s in &f.samples {
            if !s.x_m.is_finite() || !s.y_m.is_finite() {
                return Err(IngestError::invalid(format!(
                    "sample {} has a position that is not a finite number",
                    s.source
                )));
            }
            for o in &s.observations {
                o.validate().map_err(|e| {
                    IngestError::invalid(format!("sample {}: {} : {e}", s.source, o.bssid))
                })?;
            }
        }
    }
    Ok(survey)
}

/// The survey as pretty JSON with a trailing newline; deterministic for the same survey.
pub fn survey_json(survey: &Survey) -> String {
    let mut s = serde_json::to_string_pretty(survey).unwrap_or_default();
    s.push('\n');
    s
}

/// Header of the long-form CSV capture as wisp writes it.
pub const LONG_CSV_HEADER: &str = "x,y,bssid,ssid,freq_mhz,rssi_dbm,timestamp,noise_dbm,channel";

/// Samples as a long-form CSV capture (one row per observation, positions in metres), the
/// format [`parse_long_csv`] reads back. SSIDs are quoted as CSV requires.
pub fn long_csv(samples: &[wisp_model::Sample]) -> String {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let mut out = String::from(LONG_CSV_HEADER);
    out.push('\n');
    for s in samples {
        for o in &s.observations {
            let _ = w.write_record([
                s.x_m.to_string(),
                s.y_m.to_string(),
                o.bssid.to_string(),
                o.ssid.clone().unwrap_or_default(),
                o.freq_mhz.to_string(),
                o.rssi_dbm.to_string(),
                s.t.clone().unwrap_or_default(),
                o.noise_dbm.map(|n| n.to_string()).unwrap_or_default(),
                o.channel.to_string(),
            ]);
        }
    }
    out.push_str(&String::from_utf8_lossy(
        &w.into_inner().unwrap_or_default(),
    ));
    out
}

/// Whether `text` looks like the long-form CSV: a header with bssid and rssi_dbm, and x and y
/// or (a continuous walk placed by a track) timestamp.
pub fn looks_like_long_csv(text: &str) -> bool {
    let first = text
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('\u{feff}');
    let cols: Vec<&str> = first.split(',').map(|c| c.trim()).collect();
    let has = |c: &str| cols.contains(&c);
    has("bssid") && has("rssi_dbm") && ((has("x") && has("y")) || has("timestamp"))
}

/// Parses the long-form CSV capture: header `x,y,bssid,ssid,freq_mhz,rssi_dbm` plus optional
/// `timestamp`, `noise_dbm`, `channel`. Consecutive rows sharing position and timestamp form one
/// scan. A field that is not a number is an error (this is wisp's own format); a value out of
/// physical range is skipped and counted.
pub fn parse_long_csv(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    // The csv crate miscounts lines after a CRLF record; with LF ends its line numbers are exact
    // (a streamed file drops the CRs as it goes: `file_text(_, true)`).
    // Speed (benches/ingest.rs): no copy without a CR, one record buffer reused for every row,
    // fields trimmed as borrowed slices, and nothing allocated per row but the SSID.
    let text: std::borrow::Cow<'_, str> = if text.contains('\r') {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    };
    parse_long_csv_source(TextSlice::new(&text), name)
}

/// [`parse_long_csv`] of the text `src` gives, LF line ends only, record by record.
fn parse_long_csv_source(src: impl TextSource, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut rdr = csv::ReaderBuilder::new().from_reader(src);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(rdr
                .get_mut()
                .take_error()
                .unwrap_or_else(|| IngestError::syntax(e.to_string()).line(1)))
        }
    };
    let cols = Columns::of(&headers)?;
    let mut rows = Rows::new();
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if let Some(unreadable) = rdr.get_mut().take_error() {
                    return Err(unreadable);
                }
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                return Err(IngestError::syntax(e.to_string()).line(line));
            }
        }
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
        cols.row(&rec, line, name, &mut rows)?;
    }
    Ok(rows.out)
}

/// Where the long-form CSV's columns are, from its header.
struct Columns {
    bssid: usize,
    rssi: usize,
    /// x and y; `None` for a continuous walk placed by `--track`.
    position: Option<(usize, usize)>,
    ssid: Option<usize>,
    freq: Option<usize>,
    time: Option<usize>,
    noise: Option<usize>,
    channel: Option<usize>,
    /// Fields in the header: csv refuses a record with another count.
    len: usize,
}

/// The (x, y, timestamp) text of a scan: consecutive rows sharing it belong to it.
type ScanKey = (String, String, String);

/// What the rows read so far make: the capture, and the key of its last scan.
struct Rows {
    out: ParsedCapture,
    key: Option<ScanKey>,
    /// The key of the first scan (for joining a block's rows to the block before).
    first_key: Option<ScanKey>,
}

impl Rows {
    fn new() -> Self {
        Rows {
            out: ParsedCapture {
                format: "wisp-csv".into(),
                ..Default::default()
            },
            key: None,
            first_key: None,
        }
    }

    /// Appends the rows of the block after this one, as if read on: a first scan with the key
    /// of this one's last scan continues it.
    fn append(&mut self, next: Rows) {
        let mut scans = next.out.scans.into_iter();
        if next.first_key.is_some() && next.first_key == self.key {
            if let (Some(last), Some(first)) = (self.out.scans.last_mut(), scans.next()) {
                last.observations.extend(first.observations);
            }
        }
        self.out.scans.extend(scans);
        self.out.skipped.merge(next.out.skipped);
        self.out.time_kinds.extend(next.out.time_kinds);
        if next.key.is_some() {
            self.key = next.key;
        }
    }
}

impl Columns {
    fn of(headers: &csv::StringRecord) -> Result<Columns, IngestError> {
        let col = |n: &str| {
            headers
                .iter()
                .position(|h| h.trim().trim_start_matches('\u{feff}') == n)
        };
        let need = |n: &str| {
            col(n).ok_or_else(|| IngestError::syntax(format!("CSV header lacks the column '{n}' (expected x,y,bssid,ssid,freq_mhz,rssi_dbm[,timestamp,noise_dbm,channel])")).line(1))
        };
        let (bssid, rssi) = (need("bssid")?, need("rssi_dbm")?);
        // Without x and y (a continuous walk: time and observation only) each scan is placed by
        // `--track`; then `timestamp` is required.
        let position = match (col("x"), col("y")) {
            (Some(x), Some(y)) => Some((x, y)),
            (None, None) if col("timestamp").is_some() => None,
            (None, None) => {
                return Err(IngestError::syntax(
                    "CSV header needs 'x' and 'y', or 'timestamp' for a walk placed by --track",
                )
                .line(1))
            }
            (Some(_), None) => need("y").map(|_| None)?,
            (None, Some(_)) => need("x").map(|_| None)?,
        };
        let cols = Columns {
            bssid,
            rssi,
            position,
            ssid: col("ssid"),
            freq: col("freq_mhz"),
            time: col("timestamp"),
            noise: col("noise_dbm"),
            channel: col("channel"),
            len: headers.len(),
        };
        if cols.freq.is_none() && cols.channel.is_none() {
            return Err(IngestError::syntax("CSV header needs 'freq_mhz' or 'channel'").line(1));
        }
        Ok(cols)
    }

    /// Reads one record, on `line` of the file `name`, into `rows`.
    fn row(
        &self,
        rec: &csv::StringRecord,
        line: usize,
        name: &str,
        rows: &mut Rows,
    ) -> Result<(), IngestError> {
        let out = &mut rows.out;
        let loc = || crate::file_line(name, line);
        let get = |i: usize| crate::text::trim(rec.get(i).unwrap_or(""));
        let num = |i: usize, what: &str| -> Result<f64, IngestError> {
            let v = get(i);
            if let Some(x) = crate::text::whole_number(v) {
                return Ok(x);
            }
            let x: f64 = v.parse().map_err(|_| {
                IngestError::syntax(format!("{what} '{}' is not a number", quote(v))).line(line)
            })?;
            if !x.is_finite() {
                return Err(IngestError::syntax(format!(
                    "{what} '{}' is not a finite number",
                    quote(v)
                ))
                .line(line));
            }
            Ok(x)
        };
        let at = match self.position {
            Some((cx, cy)) => Some((num(cx, "x")?, num(cy, "y")?)),
            None => None,
        };
        let rssi = num(self.rssi, "rssi_dbm")?;
        let cb = self.bssid;
        let bssid: Bssid = match crate::capture::formats::colon_mac(get(cb)) {
            Some(b) => b,
            None => get(cb).parse().map_err(|_| {
                IngestError::syntax(format!(
                    "bssid '{}' is not a BSSID (expected six hex octets like aa:bb:cc:dd:ee:ff)",
                    quote(get(cb))
                ))
                .line(line)
            })?,
        };
        let channel = match (self.freq, self.channel) {
            (Some(f), _) if !get(f).is_empty() => {
                let mhz = num(f, "freq_mhz")?;
                match Channel::from_freq(mhz.round() as u32) {
                    Ok(c) => c,
                    Err(_) => {
                        out.skipped.skip("frequency is not a Wi-Fi channel", loc());
                        return Ok(());
                    }
                }
            }
            (_, Some(c)) => {
                let n = num(c, "channel")?;
                // A channel number alone does not name a band; 1–14 are 2.4 GHz, 32+ are 5 GHz.
                let band = if n <= 14.0 { Band::G2_4 } else { Band::G5 };
                match Channel::new(band, n as u16) {
                    Ok(c) => c,
                    Err(_) => {
                        out.skipped.skip("channel does not exist", loc());
                        return Ok(());
                    }
                }
            }
            _ => {
                out.skipped.skip("no frequency or channel", loc());
                return Ok(());
            }
        };
        let noise = match self.noise.map(get) {
            Some(v) if !v.is_empty() => Some(num(self.noise.unwrap_or(0), "noise_dbm")?),
            _ => None,
        };
        let ssid = self
            .ssid
            .map(get)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let obs = match Observation::new(bssid, ssid, channel, rssi, noise) {
            Ok(o) => o,
            Err(e) => {
                out.skipped.skip(format!("implausible value ({e})"), loc());
                return Ok(());
            }
        };
        let ts = self.time.map(get).unwrap_or("");
        let (xs, ys) = self
            .position
            .map_or(("", ""), |(cx, cy)| (get(cx), get(cy)));
        let same_scan = rows
            .key
            .as_ref()
            .is_some_and(|k| k.0 == xs && k.1 == ys && k.2 == ts);
        if !same_scan {
            let t = if ts.is_empty() {
                None
            } else {
                let (t, kind) = crate::track::parse_time_kind(ts).ok_or_else(|| {
                    IngestError::syntax(format!(
                        "timestamp '{}' is not an RFC 3339 time like 2026-11-02T10:04:05Z nor \
                         seconds or milliseconds since the epoch",
                        quote(ts)
                    ))
                    .line(line)
                })?;
                out.time_kinds.insert(kind);
                Some(t)
            };
            // Room for as many readings as the scan before had: a walk's scans hear about as
            // many radios each, and growing from empty copied each scan's readings ~10 times.
            let room = out.scans.last().map_or(0, |s| s.observations.len());
            out.scans.push(Scan {
                t,
                at: at.map(|(x, y)| Point::new(x, y)),
                source: loc(),
                observations: Vec::with_capacity(room),
            });
            let key = (xs.to_string(), ys.to_string(), ts.to_string());
            if rows.first_key.is_none() {
                rows.first_key = Some(key.clone());
            }
            rows.key = Some(key);
        }
        if let Some(scan) = out.scans.last_mut() {
            scan.observations.push(obs);
        }
        Ok(())
    }
}

/// Text read per block when a long-form CSV file is parsed on several threads: 1 MiB, an
/// estimate, large enough that a thread's hand-over costs nothing against a block's parse
/// (~5 ms) and small enough that the blocks in flight (two rounds of two per thread) are
/// a few MB, not the file.
const BLOCK_BYTES: usize = 1 << 20;

/// A long-form CSV file: parsed in blocks on rayon's threads, else record by record.
fn parse_long_csv_file(open: OpenCapture<'_>, name: &str) -> Result<ParsedCapture, IngestError> {
    let OpenCapture { path, head, rest } = open;
    let again = rest.try_clone().map_err(|e| IngestError::io(path, e))?;
    let first = head.clone();
    let input = Input::File(OpenCapture { path, head, rest });
    match file_text(input, true) {
        Ok(stream) => {
            if let Some(parsed) = parse_long_csv_blocks(stream, name, BLOCK_BYTES) {
                return Ok(parsed);
            }
            // Something the blocks cannot say as the sequential parser would (an error, a
            // quoted line end at a block's end): read again, record by record.
            let mut again = again;
            again
                .seek(SeekFrom::Start(first.len() as u64))
                .map_err(|e| IngestError::io(path, e))?;
            let input = Input::File(OpenCapture {
                path,
                head: first,
                rest: again,
            });
            match file_text(input, true) {
                Ok(stream) => parse_long_csv_source(stream, name),
                Err(input) => parse_long_csv(&input.text()?, name),
            }
        }
        Err(input) => parse_long_csv(&input.text()?, name),
    }
}

/// The long-form CSV whose LF-ended text `src` gives, cut into blocks of about `block` bytes
/// at line ends and parsed on rayon's threads (a round of blocks parsed while the next round
/// is read), the blocks' rows joined in file order: the same capture as
/// [`parse_long_csv_source`], scans, skips and lines alike (#16). `None` when the blocks
/// cannot tell what the sequential parser would: any error (bad row, header, unreadable
/// text: which one comes first and its words are the sequential parser's to say), a record
/// whose field count is not the header's, or a block that may end inside a quoted field.
fn parse_long_csv_blocks(
    mut src: impl Read + Send,
    name: &str,
    block: usize,
) -> Option<ParsedCapture> {
    let per_round = 2 * rayon::current_num_threads().max(1);
    let mut carry = Vec::new();
    let mut lines = 0;
    let mut round = read_blocks(&mut src, &mut carry, &mut lines, block, per_round)?;
    let first = round.first()?;
    let cols = {
        let mut rdr = csv::ReaderBuilder::new().from_reader(&first.0[..]);
        Columns::of(rdr.headers().ok()?).ok()?
    };
    let mut rows: Option<Rows> = None;
    let mut index = 0;
    while !round.is_empty() {
        let (parts, next) = rayon::join(
            || {
                use rayon::prelude::*;
                round
                    .par_iter()
                    .enumerate()
                    .map(|(i, (text, line))| parse_block(text, *line, index + i == 0, &cols, name))
                    .collect::<Vec<_>>()
            },
            || read_blocks(&mut src, &mut carry, &mut lines, block, per_round),
        );
        for part in parts {
            let part = part?;
            match rows.as_mut() {
                Some(rows) => rows.append(part),
                None => rows = Some(part),
            }
        }
        index += round.len();
        round = next?;
    }
    rows.map(|r| r.out)
}

/// Up to `count` blocks of text from `src`, each ending at a line end (but the last), with
/// the line its text starts on; `carry` holds what was read past the last block's end and
/// `lines` the line ends before it. `None` when the text cannot be read.
fn read_blocks(
    src: &mut impl Read,
    carry: &mut Vec<u8>,
    lines: &mut usize,
    block: usize,
    count: usize,
) -> Option<Vec<(Vec<u8>, usize)>> {
    let mut blocks = Vec::new();
    while blocks.len() < count {
        let mut text = std::mem::take(carry);
        let mut eof = false;
        loop {
            if text.len() >= block {
                // A block ends after its last line end; a longer line makes it longer.
                if let Some(end) = memchr::memrchr(b'\n', &text) {
                    *carry = text.split_off(end + 1);
                    break;
                }
            }
            // Through a small buffer: growing `text` by a zeroed block per read (a stream
            // hands over 64 KiB at a time) cost more than the copy.
            let mut buf = [0u8; 1 << 14];
            match src.read(&mut buf) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => text.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return None,
            }
        }
        if text.is_empty() {
            break;
        }
        let first_line = *lines + 1;
        *lines += memchr::memchr_iter(b'\n', &text).count();
        blocks.push((text, first_line));
        if eof {
            break;
        }
    }
    Some(blocks)
}

/// The rows of one block of the long-form CSV, whose text starts on `first_line` (the
/// header's block when `header`). `None` as [`parse_long_csv_blocks`] says.
fn parse_block(
    text: &[u8],
    first_line: usize,
    header: bool,
    cols: &Columns,
    name: &str,
) -> Option<Rows> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(header)
        .flexible(true)
        .from_reader(text);
    let mut rows = Rows::new();
    let mut rec = csv::StringRecord::new();
    let mut last_field_ends_line = false;
    while rdr.read_record(&mut rec).ok()? {
        if rec.len() != cols.len {
            return None;
        }
        // csv counts this block's lines from 1 (its header line included).
        let line = first_line - 1 + rec.position().map_or(0, |p| p.line() as usize);
        cols.row(&rec, line, name, &mut rows).ok()?;
        last_field_ends_line = rec.iter().next_back().is_some_and(|f| f.ends_with('\n'));
    }
    // A quoted field left open takes the block's final line end into its text: then the
    // block may have been cut inside the field.
    (!last_field_ends_line).then_some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "x,y,bssid,ssid,freq_mhz,rssi_dbm,timestamp\n\
1.0,2.0,AA:BB:CC:DD:EE:01,Ward7,5180,-61,2026-11-02T10:00:00Z\n\
1.0,2.0,aa:bb:cc:dd:ee:11,Ward7,2412,-55.5,2026-11-02T10:00:00Z\n\
3.0,2.0,aa:bb:cc:dd:ee:01,,5180,-70,2026-11-02T10:00:02Z\n\
3.0,2.0,aa:bb:cc:dd:ee:02,x,5180,7,2026-11-02T10:00:02Z\n";

    #[test]
    fn groups_rows_into_scans_and_counts_skips() {
        let p = parse_long_csv(CSV, "walk.csv").unwrap();
        assert_eq!(p.scans.len(), 2);
        assert_eq!(p.scans[0].observations.len(), 2);
        assert_eq!(p.scans[0].source, "walk.csv:2");
        assert_eq!(p.scans[1].observations[0].ssid, None);
        assert_eq!(p.scans[1].t, Some(p.scans[0].t.unwrap() + 2.0));
        assert_eq!(p.skipped.total(), 1);
        let (reason, n, locs) = p.skipped.iter().next().unwrap();
        assert!(reason.contains("rssi_dbm"), "{reason}");
        assert_eq!((n, locs), (1, &["walk.csv:5".to_string()][..]));
    }

    #[test]
    fn long_csv_reads_back_what_it_wrote() {
        let p = parse_long_csv(CSV, "walk.csv").unwrap();
        let samples: Vec<wisp_model::Sample> = p
            .scans
            .iter()
            .map(|s| wisp_model::Sample {
                x_m: s.at.unwrap().x,
                y_m: s.at.unwrap().y,
                t: s.t.map(wisp_model::time::format_rfc3339),
                source: s.source.clone(),
                observations: s.observations.clone(),
                stale: Vec::new(),
            })
            .collect();
        let text = long_csv(&samples);
        assert!(text.starts_with(LONG_CSV_HEADER));
        let back = parse_long_csv(&text, "again.csv").unwrap();
        assert_eq!(back.scans.len(), 2);
        for (a, b) in back.scans.iter().zip(&p.scans) {
            assert_eq!((a.t, a.at, &a.observations), (b.t, b.at, &b.observations));
        }
        // An SSID with a comma and a quote survives.
        let mut odd = samples.clone();
        odd[0].observations[0].ssid = Some("Ward 7, \"East\"".into());
        let back = parse_long_csv(&long_csv(&odd), "odd.csv").unwrap();
        assert_eq!(
            back.scans[0].observations[0].ssid.as_deref(),
            Some("Ward 7, \"East\"")
        );
    }

    /// A long-form CSV of `scans` scans with the quirks a file meets: padded and quoted
    /// fields (commas, doubled quotes, line ends inside quotes when `quoted_breaks`), blank
    /// lines, lone CRs, rows skipped for each reason, both ways of writing times, and (when
    /// `bad`) one row that is an error.
    fn quirky_csv(
        rng: &mut impl rand::Rng,
        scans: usize,
        quoted_breaks: bool,
        bad: bool,
    ) -> String {
        let mut t = String::from(LONG_CSV_HEADER);
        t.push('\n');
        let bad_at = if bad {
            rng.random_range(0..scans)
        } else {
            usize::MAX
        };
        for s in 0..scans {
            let (x, y) = (rng.random_range(0..40), rng.random_range(0..20));
            let ts = if s % 3 == 0 {
                format!("{}", 1_793_613_845 + s)
            } else {
                format!("2026-11-02T10:{:02}:{:02}Z", s / 60 % 60, s % 60)
            };
            for r in 0..rng.random_range(1..9) {
                let ssid = match rng.random_range(0..12) {
                    0 => String::new(),
                    1 => "\"Ward 7, East\"".into(),
                    2 => "\"say \"\"hi\"\"\"".into(),
                    3 if quoted_breaks => "\"two\nlines\"".into(),
                    4 => " Padded ".into(),
                    _ => format!("Net{}", r % 3),
                };
                let freq = match rng.random_range(0..40) {
                    0 => "1234".to_string(),
                    1 => String::new(),
                    _ => ["2412", "5180", "5500", " 2437 "][r % 4].to_string(),
                };
                let rssi = match rng.random_range(0..40) {
                    0 => "7".to_string(),
                    _ if s == bad_at && r == 0 => "strong".to_string(),
                    _ => format!("-{}.{}", rng.random_range(30..95), r),
                };
                let channel = if freq.is_empty() { "999" } else { "" };
                let sep = if rng.random_range(0..30) == 0 {
                    "\n\n"
                } else {
                    "\n"
                };
                let sep = if rng.random_range(0..50) == 0 {
                    "\r"
                } else {
                    sep
                };
                t.push_str(&format!(
                    "{x}.0, {y}.5,aa:bb:cc:00:{:02x}:{r:02x},{ssid},{freq},{rssi},{ts},,{channel}{sep}",
                    s % 256
                ));
            }
        }
        t
    }

    #[test]
    fn blocks_on_threads_parse_as_the_record_by_record_parser() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let mut whole = 0;
        for case in 0..60 {
            let quoted_breaks = case % 4 == 1;
            let bad = case % 5 == 2;
            let scans = rng.random_range(1..120);
            let text = quirky_csv(&mut rng, scans, quoted_breaks, bad);
            let want = parse_long_csv(&text, "walk.csv");
            for block in [1, 7, 64, 300, 1 << 20] {
                let got = parse_long_csv_blocks(text.as_bytes(), "walk.csv", block);
                match (&got, &want) {
                    (Some(got), Ok(want)) => {
                        assert_eq!(got, want, "case {case} block {block}");
                        whole += 1;
                    }
                    // The record-by-record parser decides: every error is its.
                    (None, _) => assert!(bad || quoted_breaks, "case {case} block {block}"),
                    (Some(_), Err(e)) => panic!("case {case} block {block}: blocks missed {e}"),
                }
            }
            if !bad && !quoted_breaks {
                assert!(got_some(&text), "case {case}");
            }
        }
        assert!(whole > 150, "{whole}");

        fn got_some(text: &str) -> bool {
            parse_long_csv_blocks(text.as_bytes(), "walk.csv", 64).is_some()
        }
    }

    #[test]
    fn a_long_csv_file_parses_as_its_bytes_errors_included() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("walk.csv");
        // Over two blocks (BLOCK_BYTES), with a BOM and CRLF line ends.
        let mut text = quirky_csv(&mut rng, 12_000, false, false);
        assert!(text.len() > 2 * BLOCK_BYTES, "{}", text.len());
        text = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        let quoted = quirky_csv(&mut rng, 12_000, true, false).replace('\n', "\r\n");
        let bad = quirky_csv(&mut rng, 12_000, false, true);
        for (i, text) in [text, quoted, bad].iter().enumerate() {
            std::fs::write(&path, text).unwrap();
            let got = crate::capture::parse_capture_file(&path, None);
            let want = crate::capture::parse_capture(text.as_bytes(), "walk.csv", None);
            match (got, want) {
                (Ok(got), Ok(want)) => {
                    assert_eq!(got, want, "file {i}");
                    assert!(!got.scans.is_empty() && !got.skipped.is_empty());
                }
                (Err(got), Err(want)) => {
                    assert_eq!(i, 2);
                    assert_eq!(got.line_number(), want.line_number());
                    // The file's error names the file where the bytes' names the line only.
                    let (got, want) = (got.to_string(), want.to_string());
                    let words = want.split_once(": ").map_or(&want[..], |w| w.1);
                    assert!(
                        got.ends_with(words) && words.contains("strong"),
                        "{got} / {want}"
                    );
                }
                (got, want) => panic!("file {i}: {got:?} against {want:?}"),
            }
        }
    }

    #[test]
    fn crlf_keeps_line_numbers() {
        let p = parse_long_csv(&CSV.replace('\n', "\r\n"), "walk.csv").unwrap();
        assert_eq!(p.scans[1].source, "walk.csv:4");
        let (_, _, locs) = p.skipped.iter().next().unwrap();
        assert_eq!(locs, &["walk.csv:5".to_string()][..]);
    }

    #[test]
    fn corrupt_fields_are_quoted_short_and_escaped() {
        // A multi-megabyte field is not echoed whole; a NUL shows as \0.
        let long = CSV.replace("-70", &format!("-7{}", "0".repeat(5_000_000)));
        let e = parse_long_csv(&long, "walk.csv").unwrap_err().to_string();
        assert!(e.len() < 200 && e.contains("(5000002 characters)"), "{e}");
        let nul = CSV.replace("-70", "-7\u{0}0");
        let e = parse_long_csv(&nul, "walk.csv").unwrap_err();
        assert_eq!(e.line_number(), Some(4));
        assert!(e.to_string().contains("'-7\\00' is not a number"), "{e}");
        let bad = CSV.replace("aa:bb:cc:dd:ee:02", &"z".repeat(1000));
        let e = parse_long_csv(&bad, "walk.csv").unwrap_err().to_string();
        assert!(e.len() < 200 && e.contains("is not a BSSID"), "{e}");
    }

    #[test]
    fn text_rssi_is_an_error_with_its_line() {
        let bad = CSV.replace("-70", "strong");
        let e = parse_long_csv(&bad, "walk.csv").unwrap_err();
        assert_eq!(e.line_number(), Some(4));
        assert!(e.to_string().contains("'strong' is not a number"));
        let e = parse_long_csv("x,y,ssid\n1,2,a\n", "w.csv").unwrap_err();
        assert!(e.to_string().contains("'bssid'"));
    }

    #[test]
    fn survey_round_trip_and_checks() {
        let p = parse_long_csv(CSV, "walk.csv").unwrap();
        let survey = wisp_model::Survey::new(vec![wisp_model::SurveyFloor {
            id: "L1".into(),
            samples: p
                .scans
                .iter()
                .map(|s| wisp_model::Sample {
                    x_m: s.at.unwrap().x,
                    y_m: s.at.unwrap().y,
                    t: s.t.map(wisp_model::time::format_rfc3339),
                    source: s.source.clone(),
                    observations: s.observations.clone(),
                    stale: Vec::new(),
                })
                .collect(),
        }]);
        let text = survey_json(&survey);
        assert_eq!(parse_survey(&text).unwrap(), survey);
        let bad = text.replacen("-61.0", "12.0", 1);
        assert!(parse_survey(&bad)
            .unwrap_err()
            .to_string()
            .contains("rssi_dbm"));
        let bad = text.replacen("\"version\": 1", "\"version\": 9", 1);
        assert!(parse_survey(&bad)
            .unwrap_err()
            .to_string()
            .contains("version 9"));
        let e = parse_survey("{\"format\": \"wisp-survey\",\n \"version\": 1, \"floors\": [}")
            .unwrap_err();
        assert_eq!(e.line_number(), Some(2));
    }
}
