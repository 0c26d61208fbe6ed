//! Linux scanner output: `iw`, `iwlist`, and NetworkManager's `nmcli` (terse and tabular).
//!
//! Surveyors save what the tool printed, often from a loop such as
//! `while true; do date -Iseconds; iw dev wlan0 scan; sleep 2; done`, so a file is one scan
//! (the tool's output at one moment) unless it carries several runs. A run starts at a timestamp
//! line — `2026-11-02T10:04:05+00:00` (`date -Iseconds`, also behind a `#`),
//! `Mon Nov  2 10:04:05 UTC 2026` (`date`), bare epoch seconds (`date +%s`) — which gives the
//! scan its time; without timestamps, a repeated header (`iwlist`, tabular `nmcli`), the first BSS
//! seen again (`iw`) or a BSSID listed twice (terse `nmcli`) starts the next scan, timeless.
//! Shell prompts (`user@host:~$ iw dev wlan0 scan`) and `#` comments are ignored.
//!
//! * `iw dev wlan0 scan` / `iw dev wlan0 scan dump`: a block per BSS, opened by an unindented
//!   `BSS aa:bb:cc:dd:ee:ff(on wlan0)` (older iw put a space before the `(`; ` -- associated`
//!   may follow), then tab-indented fields: `freq: 5180` (iw ≥ 5.x prints `freq: 5180.0`),
//!   `signal: -61.00 dBm` (`signal: 60/100` from drivers that only give a quality, taken as a
//!   percentage), `SSID: …`, `DS Parameter set: channel 6`, `last seen: 36 ms ago` (the reading's
//!   `age_s`; scan times are not shifted by it). iw escapes the SSID bytewise: bytes outside
//!   printable ASCII, a backslash, and a leading or trailing space become `\xNN`, so UTF-8 names
//!   arrive as `Caf\xc3\xa9` and a hidden one as empty or `\x00\x00…`. A hidden AP may be
//!   listed twice (beacon entry without SSID, probe-response entry with it), which is why only
//!   the *first* BSS of a run coming back starts a new run. `command failed: …` lines (a busy
//!   radio) are counted as failed scans.
//! * `iwlist wlan0 scan`: `wlan0     Scan completed :`, then `Cell 01 - Address: …` blocks with
//!   `Channel:6`, `Frequency:2.437 GHz (Channel 6)`, `Quality=70/70  Signal level=-39 dBm`
//!   (older drivers: `Signal level:60/100`, a percentage; a bare positive number is in driver
//!   units and cannot be used), an optional `Noise level=-95 dBm`, and `ESSID:"…"`, where
//!   wireless-tools escapes non-ASCII and control bytes as `\xNN` but leaves quotes and other
//!   backslashes alone. Non-wireless interfaces print `Interface doesn't support scanning.`
//!   (ignored); a busy radio prints `… : Device or resource busy` (a failed scan).
//! * `nmcli -t -f … dev wifi list` (also `-g`, `-f ALL`): no header; fields separated by `:`
//!   with `\:` and `\\` escaping inside values (with `--escape no` a BSSID spans six fields and
//!   is put back together). The field order is whatever `-f` said, so columns are recognised by
//!   their content over the whole file: the BSSID, `5180 MHz` frequencies, integer columns
//!   (channel and signal told apart by agreeing with the frequency, else by which looks like
//!   real channel numbers, else nmcli's own order CHAN before SIGNAL), and the SSID as the first
//!   free-text column (after the `AP[n]` name in `-f ALL`). SIGNAL is a 0–100 percentage.
//! * `nmcli dev wifi list` (tabular): header `IN-USE  BSSID  SSID  MODE  CHAN  RATE  SIGNAL  BARS
//!   SECURITY`, values left-aligned under the header names in *display* columns (a CJK or emoji
//!   SSID character takes two), `*` in IN-USE for the connected AP, `--` for a hidden SSID.
//!   Older nmcli printed no BSSID column; such rows cannot be identified and are counted.
//!
//! Percentages become dBm by [`percent_to_dbm`] and are marked approximate. Where only a channel
//! number is known its band is inferred by [`Channel::infer`] (1–14 → 2.4 GHz; even 32–176 and
//! 149–177 → 5 GHz; other numbers ≡ 1 mod 4 up to 233 → 6 GHz), since a frequency is the only
//! unambiguous name.

use crate::capture::formats::{colon_mac, masked_mac, percent_to_dbm, sep_mac};
use crate::capture::{ParsedCapture, Scan, SkipLog};
use crate::text::{lines, trim};
use crate::IngestError;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use wisp_model::{Bssid, Channel, Observation};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &["iw", "iwlist", "nmcli", "nmcli-table"];

/// This family in the registry ([`super::FAMILIES`]): text formats, parsed from decoded text.
pub struct Linux;

impl super::CaptureFormat for Linux {
    fn names(&self) -> &'static [&'static str] {
        FORMATS
    }
    fn detect_text(&self, text: &str) -> Option<&'static str> {
        detect(text)
    }
    fn parse(
        &self,
        format: &str,
        input: super::Input<'_>,
        name: &str,
    ) -> Result<ParsedCapture, IngestError> {
        parse(format, &input.text()?, name)
    }
}

/// Lines `detect` looks at: past a prompt, a timestamp or two and a warning, cheap on huge files.
const DETECT_LINES: usize = 200;

/// Longest table or terse row read (bytes): real ones are a few hundred; longer is not a row,
/// and splitting it could cost memory many times its size.
pub(crate) const MAX_ROW_BYTES: usize = 16 * 1024;

/// Bytes of each line `detect` looks at.
pub(crate) const DETECT_LINE_BYTES: usize = 4096;

/// The format `text` is in, if it is one of this family's.
pub fn detect(text: &str) -> Option<&'static str> {
    let mut terse = false;
    for (_, line) in lines(text).take(DETECT_LINES) {
        // Every signature sits near a line's start: a giant line costs no more than a short one.
        let line = prefix(line, DETECT_LINE_BYTES).trim_start_matches('\u{feff}');
        if iw_bss_line(line).is_some() {
            return Some("iw");
        }
        if iwlist_section(line).is_some() || iwlist_cell(line.trim()).is_some() {
            return Some("iwlist");
        }
        if table_header(line).is_some() {
            return Some("nmcli-table");
        }
        terse |= looks_like_terse_row(line);
    }
    terse.then_some("nmcli")
}

/// Parses `text` (from the file called `name`) as `format`.
pub fn parse(format: &str, text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    match format {
        "iw" => parse_iw(text, name),
        "iwlist" => parse_iwlist(text, name),
        "nmcli" => parse_nmcli_terse(text, name),
        "nmcli-table" => parse_nmcli_table(text, name),
        other => Err(IngestError::syntax(format!(
            "format '{other}' is not a linux format"
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared by the line-oriented parsers of this family and of macos.rs.

/// Collects scans run by run, with the skip log.
pub(crate) struct Runs<'a> {
    name: &'a str,
    scans: Vec<Scan>,
    current: Option<Scan>,
    /// Where each (BSSID, frequency) sits in the open scan's observations.
    /// (Fx-hashed: the key is the scanner's own text, a hash flood would only slow one file,
    /// and SipHash was a tenth of `nmcli -t`'s time: benches/ingest.rs.)
    index: FxHashMap<(Bssid, u32), usize>,
    /// The open scan was started by a timestamp line and no header or record has claimed it.
    fresh: bool,
    run_t: Option<f64>,
    pub(crate) skipped: SkipLog,
    /// Something of the format itself was seen (not just timestamps and prompts).
    pub(crate) recognised: bool,
}

impl<'a> Runs<'a> {
    pub(crate) fn new(name: &'a str) -> Self {
        Runs {
            name,
            scans: Vec::new(),
            current: None,
            index: FxHashMap::default(),
            fresh: false,
            run_t: None,
            skipped: SkipLog::default(),
            recognised: false,
        }
    }

    pub(crate) fn loc(&self, line: usize) -> String {
        crate::file_line(self.name, line)
    }

    fn open(&mut self, t: Option<f64>, line: usize) {
        self.finish();
        self.index.clear();
        // Room for as many readings as the scan before: a loop's runs hear about as many
        // radios, so the list is not regrown reading by reading (benches/ingest.rs).
        let room = self.scans.last().map_or(0, |s| s.observations.len());
        self.current = Some(Scan {
            t,
            at: None,
            source: self.loc(line),
            observations: Vec::with_capacity(room),
        });
    }

    /// A timestamp line: a new run, at time `t`.
    pub(crate) fn timestamp(&mut self, line: usize, t: Option<f64>) {
        self.open(t, line);
        self.run_t = t;
        self.fresh = true;
    }

    /// A scan's first header or record. Claims the scan a timestamp line just opened, else opens
    /// one; `same_moment` keeps the run's time (another interface of the same `iwlist scan`).
    pub(crate) fn start(&mut self, line: usize, same_moment: bool) {
        self.recognised = true;
        if self.fresh && self.current.is_some() {
            self.fresh = false;
            return;
        }
        let t = if same_moment { self.run_t } else { None };
        self.open(t, line);
        self.fresh = false;
    }

    pub(crate) fn has_scan(&self) -> bool {
        self.current.is_some()
    }

    /// The open scan is one a timestamp line started and nothing has claimed yet.
    pub(crate) fn is_fresh(&self) -> bool {
        self.fresh && self.current.is_some()
    }

    pub(crate) fn push(&mut self, line: usize, o: Observation) {
        if self.current.is_none() || self.fresh {
            self.start(line, false);
        }
        if let Some(s) = self.current.as_mut() {
            self.index
                .entry((o.bssid, o.freq_mhz))
                .or_insert(s.observations.len());
            s.observations.push(o);
        }
    }

    /// Adds `o` unless the open scan already has its BSSID on its frequency, which is reported:
    /// cfg80211 keeps a hidden AP's beacon entry (no SSID) beside its probe-response entry
    /// (named), and iwlist prints such cells twice too: one radio listed twice, the named
    /// reading kept. An unidentified radio (one SSID on one channel, masked) listed twice keeps
    /// its strongest reading.
    pub(crate) fn push_once(&mut self, line: usize, o: Observation) {
        match self.find_mut(o.bssid, o.freq_mhz) {
            Some(prev) if prev.unidentified => {
                if o.rssi_dbm > prev.rssi_dbm {
                    *prev = o;
                }
                self.skip(
                    "unidentified radio listed twice in one scan (strongest kept)",
                    line,
                );
            }
            Some(prev) => {
                if prev.ssid.is_none() && o.ssid.is_some() {
                    *prev = o;
                }
                self.skip("BSSID listed twice in one scan", line);
            }
            None => self.push(line, o),
        }
    }

    /// The open scan's observation of `bssid` on `freq_mhz`, if it has one.
    fn find_mut(&mut self, bssid: Bssid, freq_mhz: u32) -> Option<&mut Observation> {
        if self.fresh {
            return None;
        }
        let i = *self.index.get(&(bssid, freq_mhz))?;
        self.current.as_mut()?.observations.get_mut(i)
    }

    pub(crate) fn skip(&mut self, reason: &str, line: usize) {
        let loc = self.loc(line);
        self.skipped.skip(reason, loc);
    }

    /// The tool printed an error instead of results: counted, and the run it ended is dropped.
    pub(crate) fn failed(&mut self, line: usize) {
        self.recognised = true;
        self.skip("scan failed (tool printed an error)", line);
        if self.is_fresh() {
            self.current = None;
            self.fresh = false;
        }
    }

    pub(crate) fn finish(&mut self) {
        self.fresh = false;
        if let Some(s) = self.current.take() {
            self.scans.push(s);
        }
    }

    /// The capture, or an error naming what was expected when nothing of the format was seen.
    pub(crate) fn done(
        mut self,
        format: &str,
        expected: &str,
        text: &str,
    ) -> Result<ParsedCapture, IngestError> {
        self.finish();
        if !self.recognised {
            let first = lines(text)
                .find(|(_, l)| !l.trim().is_empty())
                .map_or(1, |(n, _)| n);
            return Err(IngestError::syntax(format!(
                "no {format} output found: expected {expected}"
            ))
            .line(first));
        }
        Ok(ParsedCapture {
            format: format.to_string(),
            scans: self.scans,
            skipped: self.skipped,
            ..Default::default()
        })
    }
}

/// At most the first `max` bytes of `text`, cut at a character boundary.
pub(crate) fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A line a surveyor's loop writes between runs: `Some(time)` if it is one (`Some(None)` when
/// its time zone is unknown, so it still separates runs but gives no time).
pub(crate) fn timestamp_line(line: &str) -> Option<Option<f64>> {
    let s = line.trim().trim_start_matches('#').trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    if let Some(t) = wisp_model::time::parse_rfc3339(s) {
        return Some(Some(t));
    }
    epoch_seconds(s).map(Some).or_else(|| date_output(s))
}

/// `date +%s` (seconds, maybe with a fraction) or `date +%s%3N` (13-digit milliseconds).
fn epoch_seconds(s: &str) -> Option<f64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    match int.len() {
        9 | 10 => Some(v),
        13 if frac.is_empty() => Some(v / 1000.0),
        _ => None,
    }
}

/// `date`'s default output in the C and en_GB/en_US locales: `Mon Nov  2 10:04:05 UTC 2026`,
/// `Mon  2 Nov 10:04:05 GMT 2026`, `Mon 2 Nov 2026 10:04:05 AM GMT`, `date -R`'s
/// `Mon, 02 Nov 2026 10:04:05 +0000`. Every token must be one of those parts.
fn date_output(s: &str) -> Option<Option<f64>> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let (mut month, mut day, mut year, mut hms) = (None, None, None, None);
    let mut offset: Option<Option<i64>> = None;
    let mut pm: Option<bool> = None;
    for tok in s.split([' ', '\t', ',']).filter(|t| !t.is_empty()) {
        let low = tok.to_ascii_lowercase();
        let low = low.trim_end_matches('.');
        let head = low.get(..3).unwrap_or("");
        let alpha = low.bytes().all(|b| b.is_ascii_alphabetic());
        if alpha && low.len() >= 3 && MONTHS.contains(&head) && month.is_none() {
            month = MONTHS.iter().position(|m| *m == head).map(|i| i as i64 + 1);
        } else if alpha && low.len() >= 3 && DAYS.contains(&head) {
        } else if low == "am" || low == "pm" {
            pm = Some(low == "pm");
        } else if low.starts_with('+') || low.starts_with('-') {
            let digits = low[1..].replace(':', "");
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let h: i64 = digits[..2].parse().ok()?;
            let m: i64 = digits[2..].parse().ok()?;
            let sign = if low.starts_with('-') { -1 } else { 1 };
            offset = Some(Some(sign * (h * 3600 + m * 60)));
        } else if low.contains(':') {
            let mut parts = low.split(':');
            let mut next = || -> Option<i64> {
                let p = parts.next()?;
                (!p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| p.parse().ok())?
            };
            let (h, m) = (next()?, next()?);
            let sec = next().unwrap_or(0);
            if parts.next().is_some() {
                return None;
            }
            hms = Some((h, m, sec));
        } else if low.bytes().all(|b| b.is_ascii_digit()) {
            match low.len() {
                1 | 2 if day.is_none() => day = low.parse::<i64>().ok(),
                4 if year.is_none() => year = low.parse::<i64>().ok(),
                _ => return None,
            }
        } else if alpha && (1..=5).contains(&low.len()) && offset.is_none() {
            offset = Some(zone_offset(low));
        } else {
            return None;
        }
    }
    let (month, day, year, (mut h, mi, sec)) = (month?, day?, year?, hms?);
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        _ => {}
    }
    let utc = wisp_model::time::parse_rfc3339(&format!(
        "{year:04}-{month:02}-{day:02}T{h:02}:{mi:02}:{sec:02}Z"
    ))?;
    // No zone at all: `date` always prints one, so this is someone's hand-made line; take UTC.
    match offset {
        None => Some(Some(utc)),
        Some(Some(off)) => Some(Some(utc - off as f64)),
        Some(None) => Some(None),
    }
}

/// Seconds east of UTC for the zone abbreviations a UK (or nearby) laptop prints.
fn zone_offset(zone: &str) -> Option<i64> {
    let h = match zone {
        "utc" | "gmt" | "ut" | "z" => 0,
        "bst" | "cet" | "wat" => 1,
        "cest" | "eet" => 2,
        "eest" => 3,
        "est" => -5,
        "edt" => -4,
        "cst" => -6,
        "cdt" => -5,
        "mst" => -7,
        "mdt" => -6,
        "pst" => -8,
        "pdt" => -7,
        _ => return None,
    };
    Some(h * 3600)
}

/// Commands whose echo or prompt line can sit in a saved capture.
const COMMANDS: &[&str] = &[
    "iw",
    "iwlist",
    "nmcli",
    "sudo",
    "airport",
    "system_profiler",
    "date",
    "while",
    "for",
    "do",
    "done",
    "sleep",
    "watch",
];

/// A shell prompt with a command, a `set -x` trace line, or a `#` comment.
pub(crate) fn is_shell_noise(line: &str) -> bool {
    let t = line.trim();
    if t.starts_with('#') {
        return true;
    }
    let t = t.strip_prefix("+ ").unwrap_or(t);
    let mut prev: Option<&str> = None;
    for tok in t.split_whitespace().take(4) {
        let cmd = tok.rsplit('/').next().unwrap_or(tok);
        let after_prompt = prev.is_none_or(|p| p.ends_with(['$', '#', '>', '%']));
        if COMMANDS.contains(&cmd) && after_prompt {
            return true;
        }
        prev = Some(tok);
    }
    false
}

/// A channel from a frequency in MHz as text may give it (`5180`, `5180.0`).
pub(crate) fn channel_from_mhz(mhz: f64) -> Option<Channel> {
    if !mhz.is_finite() || mhz.fract() != 0.0 || !(1.0..=100_000.0).contains(&mhz) {
        return None;
    }
    Channel::from_freq(mhz as u32).ok()
}

/// A BSSID field as a scanner printed it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MacText {
    Known(Bssid),
    /// Digits masked (`xx:xx:…`, see [`masked_mac`]) or redacted: an unidentified radio.
    Masked,
    Invalid,
}

impl MacText {
    /// Reads `s` with `parse` (the format's own MAC spelling), else as a masked MAC.
    pub(crate) fn read(s: &str, parse: impl Fn(&str) -> Option<Bssid>) -> MacText {
        match parse(s) {
            Some(b) => MacText::Known(b),
            None if masked_mac(s) => MacText::Masked,
            None => MacText::Invalid,
        }
    }

    /// The BSSID to observe (`None`: unidentified), or the skip reason.
    pub(crate) fn bssid(self) -> Result<Option<Bssid>, &'static str> {
        match self {
            MacText::Known(b) => Ok(Some(b)),
            MacText::Masked => Ok(None),
            MacText::Invalid => Err("invalid BSSID"),
        }
    }

    pub(crate) fn known(self) -> Option<Bssid> {
        match self {
            MacText::Known(b) => Some(b),
            _ => None,
        }
    }
}

/// A number, refusing `NaN` and `inf` (which `f64::from_str` accepts).
pub(crate) fn number(s: &str) -> Option<f64> {
    let s = trim(s);
    // Whole numbers (a percentage, a channel, MHz) read without the float parser
    // (benches/ingest.rs).
    if let Some(v) = crate::text::whole_number(s) {
        return Some(v);
    }
    let plausible = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.'));
    plausible.then(|| s.parse::<f64>().ok()).flatten()
}

/// A received level as a scanner reports it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Level {
    Dbm(f64),
    Percent(f64),
}

/// Builds the observation, or the reason it cannot be one. An implausible noise value is
/// dropped rather than losing the signal it came with.
///
/// `bssid` `None`: the scanner gave no usable BSSID (redacted, masked), and the reading is an
/// unidentified radio keyed by SSID, band and channel ([`Observation::unidentified`]).
pub(crate) fn observe(
    bssid: Option<Bssid>,
    ssid: Option<String>,
    channel: Channel,
    level: Level,
    noise_dbm: Option<f64>,
) -> Result<Observation, &'static str> {
    let (rssi, approximate) = match level {
        Level::Dbm(v) => (v, false),
        Level::Percent(p) => (
            percent_to_dbm(p).ok_or("signal percentage outside 0..100")?,
            true,
        ),
    };
    let noise = noise_dbm.filter(|v| v.is_finite() && (-120.0..=0.0).contains(v));
    let o = match bssid {
        Some(bssid) => Observation::new(bssid, ssid, channel, rssi, noise),
        None => Observation::unidentified(ssid, channel, rssi, noise),
    };
    let mut o = o.map_err(|_| "rssi outside -120..0 dBm")?;
    o.approximate = approximate;
    Ok(o)
}

/// Decodes an escaped SSID: `\xNN` bytes (any case), and `\\` when `backslash` escapes itself.
/// Empty or all-NUL is a hidden network (`None`); bytes that are not UTF-8 are replaced.
pub(crate) fn decode_ssid(raw: &str, backslash: bool) -> Option<String> {
    let b = raw.as_bytes();
    let hex = |i: usize| {
        b.get(i)
            .and_then(|&c| (c as char).to_digit(16))
            .map(|d| d as u8)
    };
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\\' {
            if b.get(i + 1) == Some(&b'x') {
                if let (Some(h), Some(l)) = (hex(i + 2), hex(i + 3)) {
                    out.push(h * 16 + l);
                    i += 4;
                    continue;
                }
            }
            if backslash && b.get(i + 1) == Some(&b'\\') {
                out.push(b'\\');
                i += 2;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    if out.iter().all(|&c| c == 0) {
        return None;
    }
    Some(match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// iw

/// `BSS aa:bb:cc:dd:ee:ff(on wlan0) -- associated` → the BSSID text (maybe invalid, maybe
/// masked: `BSS xx:xx:xx:xx:xx:xx(on wlan0)`).
fn iw_bss_line(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("BSS ")?;
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, ':' | '*' | '#' | '?' | '_')))
        .unwrap_or(rest.len());
    let (mac, tail) = rest.split_at(end);
    let tail = tail.trim_start();
    let mac_like = mac.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') || masked_mac(mac);
    (mac_like
        && mac.contains(':')
        && (tail.is_empty() || tail.starts_with("(on ") || tail.starts_with("--")))
    .then_some(mac)
}

/// One `BSS` block of iw output.
struct IwBlock {
    line: usize,
    bssid: MacText,
    freq: Option<Option<f64>>,
    signal: Option<Option<Level>>,
    ssid: Option<Option<String>>,
    ds_channel: Option<u16>,
    /// `last seen: N ms ago`, in seconds.
    age_s: Option<f64>,
}

fn parse_iw(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut runs = Runs::new(name);
    let mut block: Option<IwBlock> = None;
    let mut first_bss: Option<Bssid> = None;
    let mut orphan = false;
    for (n, raw) in lines(text) {
        let line = raw.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        let indented = line.starts_with([' ', '\t']);
        if indented {
            match block.as_mut() {
                Some(b) => iw_field(b, line.trim()),
                None if !orphan => {
                    // A file cut at the start, or text pasted in: no BSS to attach it to.
                    runs.skip("BSS details without a BSS line", n);
                    orphan = true;
                }
                None => {}
            }
            continue;
        }
        orphan = false;
        if let Some(t) = timestamp_line(line) {
            finish_iw(&mut runs, block.take());
            runs.timestamp(n, t);
            first_bss = None;
        } else if let Some(mac) = iw_bss_line(line) {
            finish_iw(&mut runs, block.take());
            let mac = MacText::read(mac, |m| m.parse::<Bssid>().ok());
            let bssid = mac.known();
            if runs.is_fresh() || !runs.has_scan() || (bssid.is_some() && bssid == first_bss) {
                runs.start(n, false);
                first_bss = bssid;
            }
            block = Some(IwBlock {
                line: n,
                bssid: mac,
                freq: None,
                signal: None,
                ssid: None,
                ds_channel: None,
                age_s: None,
            });
        } else if line.starts_with("command failed:") || line.starts_with("Usage:") {
            finish_iw(&mut runs, block.take());
            runs.failed(n);
        } else if is_shell_noise(line) {
        } else {
            finish_iw(&mut runs, block.take());
            runs.skip("line not understood", n);
        }
    }
    finish_iw(&mut runs, block.take());
    runs.done(
        "iw",
        "`BSS aa:bb:cc:dd:ee:ff(on wlan0)` blocks from `iw dev <if> scan`",
        text,
    )
}

/// Reads one indented field of a BSS block; fields wisp does not need are left alone.
fn iw_field(b: &mut IwBlock, field: &str) {
    if let Some(v) = field.strip_prefix("freq:") {
        b.freq
            .get_or_insert(number(v.trim().trim_end_matches("MHz")));
    } else if let Some(v) = field.strip_prefix("signal:") {
        let v = v.trim();
        let level = if let Some(dbm) = v.strip_suffix("dBm") {
            number(dbm).map(Level::Dbm)
        } else if let Some(q) = v.strip_suffix("/100") {
            number(q).map(Level::Percent)
        } else {
            None
        };
        b.signal.get_or_insert(level);
    } else if let Some(v) = field.strip_prefix("SSID:") {
        let ssid = decode_ssid(v.trim(), true);
        // Both IE sets may be printed (`iw scan -u`); a named one beats a hidden one.
        if b.ssid.as_ref().is_none_or(|s| s.is_none()) {
            b.ssid = Some(ssid);
        }
    } else if let Some(v) = field.strip_prefix("DS Parameter set: channel") {
        b.ds_channel = b.ds_channel.or(v.trim().parse().ok());
    } else if let Some(v) = field.strip_prefix("last seen:") {
        let ms = v
            .trim()
            .strip_suffix("ms ago")
            .and_then(|n| number(n.trim()));
        b.age_s = b.age_s.or(ms.filter(|m| *m >= 0.0).map(|m| m / 1000.0));
    }
}

fn finish_iw(runs: &mut Runs, block: Option<IwBlock>) {
    let Some(b) = block else { return };
    let bssid = match b.bssid.bssid() {
        Ok(bssid) => bssid,
        Err(reason) => return runs.skip(reason, b.line),
    };
    let level = match b.signal {
        None => return runs.skip("no signal level", b.line),
        Some(None) => return runs.skip("signal not understood", b.line),
        Some(Some(l)) => l,
    };
    let channel = match (b.freq, b.ds_channel) {
        (Some(Some(f)), _) => match channel_from_mhz(f) {
            Some(c) => c,
            None => return runs.skip("frequency is not a Wi-Fi channel", b.line),
        },
        (Some(None), _) => return runs.skip("frequency not understood", b.line),
        (None, Some(ch)) => match Channel::infer(ch, None, None).ok() {
            Some(c) => c,
            None => return runs.skip("channel does not exist", b.line),
        },
        (None, None) => return runs.skip("no frequency or channel", b.line),
    };
    let observed =
        observe(bssid, b.ssid.flatten(), channel, level, None).and_then(|o| match b.age_s {
            Some(age) => o.with_age(age).map_err(|_| "last seen not understood"),
            None => Ok(o),
        });
    match observed {
        Ok(o) => runs.push_once(b.line, o),
        Err(reason) => runs.skip(reason, b.line),
    }
}

// ---------------------------------------------------------------------------------------------
// iwlist

/// What an unindented iwlist line says about its interface.
#[derive(Debug, PartialEq)]
enum IwlistSection<'a> {
    /// `wlan0     Scan completed :`
    Results(&'a str),
    /// `wlan0     No scan results`
    Empty(&'a str),
    /// `lo        Interface doesn't support scanning.`
    NotWireless,
    /// `wlan0     Interface doesn't support scanning : Device or resource busy`
    Failed,
}

fn iwlist_section(line: &str) -> Option<IwlistSection<'_>> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let (iface, rest) = line.split_once([' ', '\t'])?;
    let rest = rest.trim();
    if rest.starts_with("Scan completed") {
        Some(IwlistSection::Results(iface))
    } else if rest.starts_with("No scan results") {
        Some(IwlistSection::Empty(iface))
    } else if rest.starts_with("Interface doesn't support scanning") {
        Some(if rest.contains(" : ") {
            IwlistSection::Failed
        } else {
            IwlistSection::NotWireless
        })
    } else if rest.starts_with("Failed to read scan data") {
        Some(IwlistSection::Failed)
    } else {
        None
    }
}

/// `Cell 01 - Address: 3C:37:86:5E:4A:11` → the address text.
fn iwlist_cell(trimmed: &str) -> Option<&str> {
    let rest = trimmed.strip_prefix("Cell ")?;
    let (_, addr) = rest.split_once("Address:")?;
    Some(addr.trim())
}

struct IwlistCell {
    line: usize,
    bssid: MacText,
    freq_mhz: Option<Option<f64>>,
    channel: Option<u16>,
    signal: Option<Result<Level, &'static str>>,
    noise: Option<f64>,
    ssid: Option<String>,
}

fn parse_iwlist(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut runs = Runs::new(name);
    let mut cell: Option<IwlistCell> = None;
    let mut iface: Option<String> = None;
    let mut orphan = false;
    for (n, raw) in lines(text) {
        let line = raw.trim_start_matches('\u{feff}');
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(addr) = iwlist_cell(trimmed) {
                finish_iwlist(&mut runs, cell.take());
                if !runs.has_scan() || runs.is_fresh() {
                    // No `Scan completed` line (file cut at the start).
                    runs.start(n, true);
                }
                orphan = false;
                cell = Some(IwlistCell {
                    line: n,
                    bssid: MacText::read(addr, colon_mac),
                    freq_mhz: None,
                    channel: None,
                    signal: None,
                    noise: None,
                    ssid: None,
                });
            } else if let Some(c) = cell.as_mut() {
                iwlist_field(c, trimmed);
            } else if !orphan {
                runs.skip("cell details without a Cell line", n);
                orphan = true;
            }
            continue;
        }
        finish_iwlist(&mut runs, cell.take());
        orphan = false;
        if let Some(t) = timestamp_line(line) {
            runs.timestamp(n, t);
            iface = None;
            continue;
        }
        match iwlist_section(line) {
            Some(IwlistSection::Results(i)) | Some(IwlistSection::Empty(i)) => {
                // A second interface in the same `iwlist scan` is the same moment; the same
                // interface again is the next run of a loop without timestamps.
                let same_moment = iface.as_deref().is_some_and(|prev| prev != i);
                runs.start(n, same_moment);
                iface = Some(i.to_string());
            }
            Some(IwlistSection::NotWireless) => {}
            Some(IwlistSection::Failed) => runs.failed(n),
            None if is_shell_noise(line) => {}
            None => runs.skip("line not understood", n),
        }
    }
    finish_iwlist(&mut runs, cell.take());
    runs.done(
        "iwlist",
        "`wlan0  Scan completed :` and `Cell 01 - Address: …` lines from `iwlist <if> scan`",
        text,
    )
}

/// The value after `key` and `=` or `:` up to the next double space.
fn iwlist_value<'a>(field: &'a str, key: &str) -> Option<&'a str> {
    let at = field.find(key)?;
    let rest = field.get(at + key.len()..)?.trim_start();
    let rest = rest.strip_prefix(['=', ':'])?;
    let end = rest.find("  ").unwrap_or(rest.len());
    Some(rest[..end].trim())
}

/// An iwlist level: `-61 dBm`, `60/100` (or any `n/max`), or a bare driver number.
fn iwlist_level(v: &str) -> Result<Level, &'static str> {
    if let Some(dbm) = v.strip_suffix("dBm") {
        return number(dbm).map(Level::Dbm).ok_or("signal not understood");
    }
    if let Some((q, max)) = v.split_once('/') {
        return match (number(q), number(max)) {
            (Some(q), Some(max)) if max > 0.0 => Ok(Level::Percent(q * 100.0 / max)),
            _ => Err("signal not understood"),
        };
    }
    match number(v) {
        Some(x) if x < 0.0 => Ok(Level::Dbm(x)),
        Some(_) => Err("signal level in driver units (not dBm)"),
        None => Err("signal not understood"),
    }
}

fn iwlist_field(c: &mut IwlistCell, field: &str) {
    if let Some(v) = field.strip_prefix("Channel:") {
        c.channel = c.channel.or(v.trim().parse().ok());
    } else if field.starts_with("Frequency") {
        let Some(v) = iwlist_value(field, "Frequency") else {
            return;
        };
        let v = v.split(" (").next().unwrap_or(v).trim();
        let mhz = if let Some(g) = v.strip_suffix("GHz") {
            number(g).map(|g| (g * 1000.0).round())
        } else if let Some(m) = v.strip_suffix("MHz") {
            number(m)
        } else {
            None
        };
        c.freq_mhz.get_or_insert(mhz);
        // `(Channel 36)` is a fallback should the frequency be unusable.
        if let Some((_, ch)) = field.split_once("(Channel ") {
            c.channel = c.channel.or(ch.trim_end_matches(')').trim().parse().ok());
        }
    } else if field.contains("Signal level") {
        if let Some(v) = iwlist_value(field, "Signal level") {
            c.signal.get_or_insert(iwlist_level(v));
        }
        if let Some(Ok(Level::Dbm(noise))) = iwlist_value(field, "Noise level").map(iwlist_level) {
            c.noise = Some(noise);
        }
    } else if let Some(v) = field.strip_prefix("ESSID:") {
        // Quotes inside the name are not escaped: take everything between the outer pair.
        let v = v.trim();
        let inner = v
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .unwrap_or("");
        c.ssid = decode_ssid(inner, false);
    }
}

fn finish_iwlist(runs: &mut Runs, cell: Option<IwlistCell>) {
    let Some(c) = cell else { return };
    let bssid = match c.bssid.bssid() {
        Ok(bssid) => bssid,
        Err(reason) => return runs.skip(reason, c.line),
    };
    let level = match c.signal {
        None => return runs.skip("no signal level", c.line),
        Some(Err(reason)) => return runs.skip(reason, c.line),
        Some(Ok(l)) => l,
    };
    let channel = match (c.freq_mhz, c.channel) {
        (Some(Some(f)), _) => match channel_from_mhz(f) {
            Some(ch) => ch,
            None => return runs.skip("frequency is not a Wi-Fi channel", c.line),
        },
        (_, Some(n)) => match Channel::infer(n, None, None).ok() {
            Some(ch) => ch,
            None => return runs.skip("channel does not exist", c.line),
        },
        (Some(None), None) => return runs.skip("frequency not understood", c.line),
        (None, None) => return runs.skip("no frequency or channel", c.line),
    };
    match observe(bssid, c.ssid, channel, level, c.noise) {
        Ok(o) => runs.push_once(c.line, o),
        Err(reason) => runs.skip(reason, c.line),
    }
}

// ---------------------------------------------------------------------------------------------
// nmcli, terse

/// Whether a raw line holds a `\:`-escaped BSSID, or starts with a plain one and a `:` (`-e no`).
fn looks_like_terse_row(line: &str) -> bool {
    if escaped_mac_at(line).is_some() {
        return true;
    }
    line.get(..18)
        .is_some_and(|h| h.ends_with(':') && colon_mac(&h[..17]).is_some())
}

/// Byte offset of a `AA\:BB\:CC\:DD\:EE\:FF` in a raw terse line, its digits hex or masked
/// (`XX\:XX\:…`, `3C\:37\:86\:xx\:xx\:xx`: [`masked_mac`]).
fn escaped_mac_at(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    // A row of `-f BSSID,…` starts with its BSSID: read in place, nothing copied.
    if b.get(..22).is_some_and(|h| sep_mac(h, b"\\:").is_some()) {
        return Some(0);
    }
    let digit = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'*' | b'#' | b'?' | b'_');
    let is_mac = |s: &[u8]| {
        s.len() >= 22
            && (0..6).all(|k| {
                let o = k * 4;
                digit(s[o])
                    && digit(s[o + 1])
                    && (k == 5 || (s[o + 2] == b'\\' && s[o + 3] == b':'))
            })
            && {
                // The six digit pairs joined by `:`, on the stack.
                let mut mac = [b':'; 17];
                for k in 0..6 {
                    mac[k * 3..k * 3 + 2].copy_from_slice(&s[k * 4..k * 4 + 2]);
                }
                std::str::from_utf8(&mac)
                    .is_ok_and(|mac| colon_mac(mac).is_some() || masked_mac(mac))
            }
    };
    (0..b.len()).find(|&i| is_mac(&b[i..]))
}

/// Splits a terse line at unescaped `:` into `fields` (cleared first) as raw slices of `line`,
/// escapes still in them: [`terse_value`] reads a field's value. Nothing is allocated per field
/// (benches/ingest.rs: a `String` per field, split twice per row, held `nmcli -t` to 18 MB/s).
fn split_terse<'t>(line: &'t str, fields: &mut Vec<&'t str>) {
    fields.clear();
    if line.len() > MAX_ROW_BYTES {
        return;
    }
    let b = line.as_bytes();
    let (mut start, mut i) = (0, 0);
    // `line.contains("\\:")`, found on the way: a `\` the loop skips is the escaped byte after
    // a `\`, so the pair `\:` starts at an escape or at its escaped `\`.
    let mut escaped_colon = false;
    while i < b.len() {
        match b[i] {
            // The escaped byte is `:` or `\` or starts a character; a UTF-8 continuation byte is
            // never `:` or `\`, so the scan may resume one byte on.
            b'\\' => {
                escaped_colon |= match b.get(i + 1) {
                    Some(b':') => true,
                    Some(b'\\') => b.get(i + 2) == Some(&b':'),
                    _ => false,
                };
                i += 2;
            }
            b':' => {
                fields.push(&line[start..i]);
                start = i + 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    fields.push(&line[start.min(line.len())..]);
    // `--escape no`: the BSSID's own colons split it into six two-digit fields. With no `\:` in
    // the line no `:` is escaped, so the six fields' span read as one field is their values
    // joined by `:`.
    if !escaped_colon {
        let octet = |raw: &str| {
            let v = terse_value(raw);
            v.len() == 2 && v.bytes().all(|b| b.is_ascii_hexdigit())
        };
        if let Some(i) = (0..fields.len()).find(|&i| {
            fields
                .get(i..i + 6)
                .is_some_and(|w| w.iter().all(|f| octet(f)))
        }) {
            let offset = |f: &str| f.as_ptr() as usize - line.as_ptr() as usize;
            let (from, to) = (
                offset(fields[i]),
                offset(fields[i + 5]) + fields[i + 5].len(),
            );
            fields.splice(i..i + 6, [&line[from..to]]);
        }
    }
}

/// A terse field's value: `\X` is `X` (`\:` and `\\` in practice), a lone `\` at the line's
/// end stays. Borrowed unless the field holds a backslash.
fn terse_value(raw: &str) -> Cow<'_, str> {
    // A byte loop: fields are short, and `contains` set up a search per field.
    if !raw.bytes().any(|b| b == b'\\') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(unescape_terse(raw))
}

/// `raw` with its escapes undone, byte by byte: the byte after a `\` is kept whatever it is (a
/// character's later bytes follow it unchanged, so the result is the characters unescaped).
fn unescape_terse(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            i += 1;
        }
        out.push(b[i]);
        i += 1;
    }
    // Only whole ASCII bytes were dropped, so the bytes are still UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A terse BSSID field read as [`MacText`], unescaped on the stack (`AA\:BB\:…` is on every row
/// of `nmcli -t` with escapes on).
fn terse_mac(raw: &str) -> MacText {
    if let Some(b) = sep_mac(raw.as_bytes(), b"\\:") {
        return MacText::Known(b);
    }
    if !raw.contains('\\') {
        return MacText::read(raw, colon_mac);
    }
    let b = raw.as_bytes();
    let mut buf = [0u8; 32];
    let (mut i, mut n) = (0, 0);
    while i < b.len() && n < buf.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            i += 1;
        }
        buf[n] = b[i];
        n += 1;
        i += 1;
    }
    match std::str::from_utf8(&buf[..n]) {
        Ok(v) if i == b.len() => MacText::read(v, colon_mac),
        _ => MacText::read(&unescape_terse(raw), colon_mac),
    }
}

/// What the values of one terse column look like, over every row.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Empty,
    Mac,
    /// `5180 MHz`
    Freq,
    Integer,
    /// Something nmcli prints that is not an SSID: rate, bandwidth, bars, mode, security, flags,
    /// active, D-Bus path, the `*` of IN-USE, the `AP[n]` name.
    Other,
    Text,
}

fn value_shape(v: &str) -> Shape {
    let t = v.trim();
    if t.is_empty() {
        return Shape::Empty;
    }
    if colon_mac(t).is_some() || masked_mac(t) {
        return Shape::Mac;
    }
    if let Some(m) = t.strip_suffix(" MHz").and_then(|m| m.parse::<u32>().ok()) {
        return if m >= 2000 { Shape::Freq } else { Shape::Other };
    }
    if t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit()) {
        return Shape::Integer;
    }
    const SECURITY: &[&str] = &[
        "WEP", "WPA1", "WPA2", "WPA3", "802.1X", "OWE", "OWE-TM", "--", "(none)",
    ];
    let bars = t.chars().count() == 4 && t.chars().all(|c| "▂▄▆█_*".contains(c));
    let other = t == "*"
        || bars
        || t.ends_with(" Mbit/s")
        || matches!(t, "Infra" | "Ad-Hoc" | "Mesh" | "N/A" | "yes" | "no")
        || t.starts_with("/org/freedesktop/")
        || (t.starts_with("AP[") && t.ends_with(']'))
        || t.split(' ').all(|w| SECURITY.contains(&w))
        || t.split(' ').all(|w| {
            w.starts_with("pair_")
                || w.starts_with("group_")
                || matches!(w, "psk" | "sae" | "owe" | "802.1X")
        });
    if other {
        Shape::Other
    } else {
        Shape::Text
    }
}

/// Which field is which in the terse rows of one file.
#[derive(Debug, Default, PartialEq)]
struct TerseLayout {
    fields: usize,
    bssid: Option<usize>,
    ssid: Option<usize>,
    chan: Option<usize>,
    freq: Option<usize>,
    signal: Option<usize>,
    /// The rows are nmcli's at all: a BSSID column, or (nmcli before 1.12 printed none) an
    /// integer column beside at least two of nmcli's own values (mode, rate, bars, security).
    nmcli_like: bool,
}

/// Whether `n` is a channel number some band really uses.
fn real_channel(n: u32) -> bool {
    // 2.4 GHz; 5 GHz UNII-1/2 and 2e (multiples of 4); 5 GHz UNII-3 and every 6 GHz channel
    // (≡ 1 mod 4).
    matches!(n, 1..=14)
        || (matches!(n, 36..=64 | 100..=144) && n.is_multiple_of(4))
        || ((1..=233).contains(&n) && n % 4 == 1)
}

fn terse_layout<S: AsRef<str>>(rows: &[Vec<S>]) -> TerseLayout {
    let fields = rows.first().map_or(0, |r| r.len());
    let shapes: Vec<Shape> = (0..fields)
        .map(|i| {
            rows.iter().fold(Shape::Empty, |acc, r| {
                let s = r.get(i).map_or(Shape::Empty, |v| value_shape(v.as_ref()));
                match (acc, s) {
                    (a, Shape::Empty) => a,
                    (Shape::Empty, s) => s,
                    (a, s) if a == s => a,
                    // Numbers and MACs can be SSIDs; anything mixed is free text.
                    _ => Shape::Text,
                }
            })
        })
        .collect();
    let find = |want: Shape| shapes.iter().position(|&s| s == want);
    let bssid = find(Shape::Mac);
    let freq = find(Shape::Freq);
    let ints: Vec<usize> = (0..fields)
        .filter(|&i| shapes[i] == Shape::Integer)
        .collect();
    let value = |r: &[S], i: usize| r.get(i).and_then(|v| v.as_ref().trim().parse::<u32>().ok());
    // Fraction of rows in which column `i` is the channel: agreeing with the frequency when
    // there is one, else being a channel number in real use.
    let chan_score = |i: usize| {
        let hits = rows
            .iter()
            .filter(|r| match (value(r, i), freq) {
                (Some(v), Some(f)) => r
                    .get(f)
                    .and_then(|s| s.as_ref().trim().strip_suffix(" MHz")?.parse::<u32>().ok())
                    .and_then(|m| Channel::from_freq(m).ok())
                    .is_some_and(|c| u32::from(c.number) == v),
                (Some(v), None) => real_channel(v),
                (None, _) => false,
            })
            .count();
        hits as f64 / rows.len().max(1) as f64
    };
    let (chan, signal) = match ints.as_slice() {
        [] => (None, None),
        [only] if freq.is_some() && chan_score(*only) == 1.0 => (Some(*only), None),
        [only] => (None, Some(*only)),
        many => {
            // Highest score wins; on a tie the earlier column (nmcli lists CHAN before SIGNAL).
            let chan = many
                .iter()
                .copied()
                .fold(None::<(usize, f64)>, |best, i| {
                    let s = chan_score(i);
                    match best {
                        Some((_, b)) if b >= s => best,
                        _ => Some((i, s)),
                    }
                })
                .map(|(i, _)| i);
            (chan, many.iter().copied().find(|&i| Some(i) != chan))
        }
    };
    // `-f ALL` starts NAME,SSID,SSID-HEX,BSSID…; otherwise the first free-text column after the
    // BSSID (nmcli's order), else anywhere, else an all-empty one (every SSID hidden).
    let all_layout = rows
        .first()
        .and_then(|r| r.first())
        .is_some_and(|v| v.as_ref().starts_with("AP[") && v.as_ref().ends_with(']'));
    let after = bssid.map_or(0, |b| b + 1);
    let pick = |want: Shape| {
        (after..fields)
            .chain(0..after)
            .find(|&i| shapes[i] == want && Some(i) != bssid)
    };
    let ssid = if all_layout && fields > 1 {
        Some(1)
    } else {
        pick(Shape::Text).or_else(|| pick(Shape::Empty))
    };
    let others = shapes.iter().filter(|&&s| s == Shape::Other).count();
    let nmcli_like = bssid.is_some() || (!ints.is_empty() && others >= 2);
    TerseLayout {
        fields,
        nmcli_like,
        bssid,
        ssid,
        chan,
        freq,
        signal,
    }
}

enum TerseEvent<'t> {
    Time(usize, Option<f64>),
    /// Line number, line, and where its fields' spans sit in the shared span list.
    Row(usize, &'t str, std::ops::Range<usize>),
}

/// Splits `line` ([`split_terse`]) and appends its fields' byte spans in `line` to `spans`: a row
/// is split once, and read back by [`terse_fields`] (splitting it again for the layout and the
/// observations was a third of `nmcli -t`'s instructions: benches/ingest.rs). A row is at most
/// MAX_ROW_BYTES long, so a span's ends fit in `u16`.
fn split_terse_spans<'t>(
    line: &'t str,
    f: &mut Vec<&'t str>,
    spans: &mut Vec<(u16, u16)>,
) -> std::ops::Range<usize> {
    split_terse(line, f);
    let first = spans.len();
    let base = line.as_ptr() as usize;
    spans.extend(f.iter().map(|v| {
        let start = v.as_ptr() as usize - base;
        (start as u16, (start + v.len()) as u16)
    }));
    first..spans.len()
}

/// The fields [`split_terse_spans`] recorded for `line`, into `f` (cleared first).
fn terse_fields<'t>(line: &'t str, spans: &[(u16, u16)], f: &mut Vec<&'t str>) {
    f.clear();
    f.extend(
        spans
            .iter()
            .map(|&(a, b)| line.get(usize::from(a)..usize::from(b)).unwrap_or("")),
    );
}

/// Rows the column layout is inferred from: the `-f` list is the same for the whole file.
const LAYOUT_SAMPLE_ROWS: usize = 2000;

fn parse_nmcli_terse(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut runs = Runs::new(name);
    // A line is at most one event: sized once, not regrown (benches/ingest.rs).
    let mut events = Vec::with_capacity(crate::text::count_lines(text));
    // The field count nearly every row has: the `-f` list. Rows by field count, indexed by
    // it (a row has at most MAX_ROW_BYTES + 1 fields).
    let mut counts: Vec<usize> = Vec::new();
    // One buffer of field slices for every row: nothing is allocated per row or field.
    let mut f: Vec<&str> = Vec::new();
    let mut spans: Vec<(u16, u16)> = Vec::new();
    for (n, raw) in lines(text) {
        let line = raw.trim_start_matches('\u{feff}');
        if trim(line).is_empty() {
            continue;
        }
        // A row's escaped BSSID (six pairs joined by `\:`) fails every timestamp spelling, and
        // such a line is never taken for a prompt: it is a row, asked nothing else.
        let row = escaped_mac_at(line).is_some();
        let time = if row { None } else { timestamp_line(line) };
        if let Some(t) = time {
            events.push(TerseEvent::Time(n, t));
        } else if !row && is_shell_noise(line) {
        } else {
            let at = split_terse_spans(line, &mut f, &mut spans);
            if counts.len() <= f.len() {
                counts.resize(f.len() + 1, 0);
            }
            counts[f.len()] += 1;
            events.push(TerseEvent::Row(n, line, at));
        }
    }
    let fields = counts
        .into_iter()
        .enumerate()
        .filter(|&(len, k)| len > 1 && k > 0)
        .max_by_key(|&(len, k)| (k, len))
        .map(|(len, _)| len);
    let sample: Vec<Vec<Cow<str>>> = events
        .iter()
        .filter_map(|e| match e {
            TerseEvent::Row(_, line, at) => {
                terse_fields(line, &spans[at.clone()], &mut f);
                Some(f.iter().map(|&v| terse_value(v)).collect::<Vec<_>>())
            }
            TerseEvent::Time(..) => None,
        })
        .filter(|f| Some(f.len()) == fields)
        .take(LAYOUT_SAMPLE_ROWS)
        .collect();
    let layout = terse_layout(&sample);
    let mut seen: FxHashSet<Bssid> = FxHashSet::default();
    for e in events {
        let n = match e {
            TerseEvent::Time(n, t) => {
                runs.timestamp(n, t);
                seen.clear();
                continue;
            }
            TerseEvent::Row(n, line, at) => {
                terse_fields(line, &spans[at], &mut f);
                n
            }
        };
        if Some(f.len()) != fields {
            runs.skip("row has an unexpected number of fields", n);
            continue;
        }
        runs.recognised |= layout.nmcli_like;
        let mac = layout.bssid.and_then(|i| f.get(i)).map(|v| terse_mac(v));
        // A masked BSSID says nothing about where a loop's next run starts.
        if let Some(b) = mac.and_then(MacText::known) {
            // nmcli lists a BSSID once: seeing it again is the next run of a loop.
            if !runs.has_scan() || runs.is_fresh() || seen.contains(&b) {
                runs.start(n, false);
                seen.clear();
            }
            seen.insert(b);
        }
        terse_row(&mut runs, &layout, n, &f, mac);
    }
    runs.done(
        "nmcli",
        "rows of `nmcli -t -f BSSID,SSID,CHAN,FREQ,SIGNAL dev wifi list` (BSSID as AA\\:BB\\:…)",
        text,
    )
}

/// One terse row, its fields raw ([`split_terse`]); `mac` is its BSSID field (`None`: the layout
/// has no BSSID column). A masked BSSID makes an unidentified radio (one SSID on one channel,
/// listed once per scan).
fn terse_row(runs: &mut Runs, l: &TerseLayout, n: usize, f: &[&str], mac: Option<MacText>) {
    let value = |i: Option<usize>| i.and_then(|i| f.get(i)).map(|v| terse_value(v));
    let Some(mac) = mac else {
        return runs.skip("no BSSID (nmcli run without the BSSID field)", n);
    };
    let bssid = match mac.bssid() {
        Ok(b) => b,
        Err(reason) => return runs.skip(reason, n),
    };
    let Some(pct) = value(l.signal).and_then(|v| number(&v)) else {
        return runs.skip("no signal level", n);
    };
    let freq = value(l.freq).and_then(|v| {
        let v = trim(&v);
        number(v.strip_suffix("MHz").unwrap_or(v))
    });
    let chan = value(l.chan).and_then(|v| trim(&v).parse::<u16>().ok());
    let channel = match (freq, chan) {
        (Some(mhz), _) => match channel_from_mhz(mhz) {
            Some(c) => c,
            None => return runs.skip("frequency is not a Wi-Fi channel", n),
        },
        (None, Some(ch)) => match Channel::infer(ch, None, None).ok() {
            Some(c) => c,
            None => return runs.skip("channel does not exist", n),
        },
        (None, None) => return runs.skip("no frequency or channel", n),
    };
    // Terse output leaves a hidden SSID empty; nmcli has already unescaped nothing else.
    let ssid = value(l.ssid)
        .map(|v| trim(&v).to_string())
        .filter(|s| !s.is_empty());
    match observe(bssid, ssid, channel, Level::Percent(pct), None) {
        Ok(o) if o.unidentified => runs.push_once(n, o),
        Ok(o) => runs.push(n, o),
        Err(reason) => runs.skip(reason, n),
    }
}

// ---------------------------------------------------------------------------------------------
// nmcli, tabular

/// Terminal columns a character takes, as nmcli counts them when it pads: East Asian wide and
/// emoji take two, combining marks none.
fn char_width(c: char) -> usize {
    match c as u32 {
        0x0300..=0x036F | 0x200B..=0x200F | 0x20D0..=0x20FF | 0xFE00..=0xFE0F => 0,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x3FFFD => 2,
        _ => 1,
    }
}

/// Header names of the tabular output with the display column each starts at.
fn table_header(line: &str) -> Option<Vec<(String, usize)>> {
    if line.len() > MAX_ROW_BYTES {
        return None;
    }
    let mut cols = Vec::new();
    let mut col = 0;
    let mut in_word = false;
    for c in line.chars() {
        if c.is_whitespace() {
            in_word = false;
        } else {
            if !in_word {
                cols.push((String::new(), col));
            }
            in_word = true;
            if let Some(w) = cols.last_mut() {
                w.0.push(c);
            }
        }
        col += char_width(c);
    }
    let has = |n: &str| cols.iter().any(|(w, _)| w == n);
    (has("SSID") && (has("SIGNAL") || has("BARS")) && !has("RSSI")).then_some(cols)
}

fn parse_nmcli_table(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut runs = Runs::new(name);
    let mut header: Option<Vec<(String, usize)>> = None;
    for (n, raw) in lines(text) {
        let line = raw.trim_start_matches('\u{feff}');
        if line.trim().is_empty() {
            continue;
        }
        if let Some(t) = timestamp_line(line) {
            runs.timestamp(n, t);
            header = None;
        } else if let Some(h) = table_header(line) {
            runs.start(n, false);
            header = Some(h);
        } else if let Some(h) = header.as_deref() {
            table_row(&mut runs, h, n, line);
        } else if is_shell_noise(line) {
        } else {
            runs.skip("line not understood", n);
        }
    }
    runs.done(
        "nmcli-table",
        "the table of `nmcli dev wifi list` (header `IN-USE  BSSID  SSID  MODE  CHAN …`)",
        text,
    )
}

fn table_row(runs: &mut Runs, header: &[(String, usize)], n: usize, line: &str) {
    if line.len() > MAX_ROW_BYTES {
        return runs.skip("line not understood", n);
    }
    // Cut the row at the header's display columns.
    let mut values = vec![String::new(); header.len()];
    let mut col = 0;
    for c in line.chars() {
        let i = header
            .iter()
            .rposition(|(_, start)| *start <= col)
            .unwrap_or(0);
        if let Some(v) = values.get_mut(i) {
            v.push(c);
        }
        col += char_width(c);
    }
    let get = |name: &str| {
        header
            .iter()
            .position(|(h, _)| h == name)
            .and_then(|i| values.get(i))
            .map(|v| v.trim())
    };
    let Some(bssid_text) = get("BSSID") else {
        return runs.skip("no BSSID (nmcli run without the BSSID field)", n);
    };
    let bssid = match MacText::read(bssid_text, colon_mac).bssid() {
        Ok(bssid) => bssid,
        Err(reason) => return runs.skip(reason, n),
    };
    let Some(pct) = get("SIGNAL").and_then(number) else {
        return runs.skip("no signal level", n);
    };
    let freq = get("FREQ").and_then(|v| number(v.strip_suffix("MHz").unwrap_or(v)));
    let chan = get("CHAN").and_then(|v| v.parse::<u16>().ok());
    let channel = match (freq, chan) {
        (Some(mhz), _) => match channel_from_mhz(mhz) {
            Some(c) => c,
            None => return runs.skip("frequency is not a Wi-Fi channel", n),
        },
        (None, Some(ch)) => match Channel::infer(ch, None, None).ok() {
            Some(c) => c,
            None => return runs.skip("channel does not exist", n),
        },
        (None, None) => return runs.skip("no frequency or channel", n),
    };
    // `--` is how the table shows a hidden SSID (a network really called `--` reads the same).
    let ssid = get("SSID")
        .filter(|s| !s.is_empty() && *s != "--")
        .map(str::to_string);
    match observe(bssid, ssid, channel, Level::Percent(pct), None) {
        Ok(o) => runs.push(n, o),
        Err(reason) => runs.skip(reason, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-02T10:04:05Z (hand count in tests/linux.rs).
    const T: f64 = 1_793_613_845.0;

    const FIXTURES: &[(&str, &str)] = &[
        (
            "iw",
            include_str!("../../../tests/fixtures/linux/iw_scan.txt"),
        ),
        (
            "iw",
            include_str!("../../../tests/fixtures/linux/iw_loop.txt"),
        ),
        (
            "iwlist",
            include_str!("../../../tests/fixtures/linux/iwlist_scan.txt"),
        ),
        (
            "nmcli",
            include_str!("../../../tests/fixtures/linux/nmcli_terse.txt"),
        ),
        (
            "nmcli",
            include_str!("../../../tests/fixtures/linux/nmcli_all.txt"),
        ),
        (
            "nmcli-table",
            include_str!("../../../tests/fixtures/linux/nmcli_table.txt"),
        ),
    ];

    #[test]
    fn timestamp_lines_of_every_spelling() {
        for (line, want) in [
            ("2026-11-02T10:04:05+00:00", Some(T)),
            ("# 2026-11-02T10:04:05Z", Some(T)),
            ("2026-11-02T11:04:05,123456789+01:00", Some(T + 0.123456789)),
            ("Mon Nov  2 10:04:05 UTC 2026", Some(T)),
            ("Mon  2 Nov 10:04:05 GMT 2026", Some(T)),
            ("Mon 2 Nov 2026 10:04:05 AM GMT", Some(T)),
            ("Mon Nov  2 10:04:05 PM UTC 2026", Some(T + 12.0 * 3600.0)),
            ("Mon, 02 Nov 2026 11:04:05 +0100", Some(T)),
            // BST is UTC+1.
            ("Mon Nov  2 11:04:05 BST 2026", Some(T)),
            ("1793613845", Some(T)),
            ("1793613845250", Some(T + 0.25)),
        ] {
            let got = timestamp_line(line).flatten();
            assert!(
                got.zip(want).is_some_and(|(g, w)| (g - w).abs() < 1e-6),
                "{line}: {got:?}"
            );
        }
        // Separates runs, but a zone it cannot place gives no time.
        assert_eq!(timestamp_line("Mon Nov  2 10:04:05 AEDT 2026"), Some(None));
        for not in [
            "BSS 3c:37:86:5e:4a:11(on wlan0)",
            "# saved by the survey script",
            "wlan0     Scan completed :",
            "3C\\:37\\:86\\:5E\\:4A\\:11:Ward7:36:5180 MHz:82",
            "Mon Nov 2 2026",
            "12345",
            "",
        ] {
            assert_eq!(timestamp_line(not), None, "{not}");
        }
    }

    #[test]
    fn colon_mac_agrees_with_the_split_and_parse_reference() {
        // colon_mac as first written, as the reference.
        fn reference(s: &str) -> Option<Bssid> {
            let s = s.trim();
            let ok = s.len() == 17
                && s.split(':').count() == 6
                && s.split(':')
                    .all(|o| o.len() == 2 && o.bytes().all(|b| b.is_ascii_hexdigit()));
            ok.then(|| s.parse().ok()).flatten()
        }
        let base = "3c:37:86:5E:4a:11";
        let mut cases = vec![base.to_string(), format!(" {base}\t"), String::new()];
        // Every byte position of the MAC replaced by each of a few characters, and removed.
        for i in 0..base.len() {
            for c in [":", "-", "g", "F", "0", " ", "é", "::", ""] {
                cases.push(format!("{}{c}{}", &base[..i], &base[i + 1..]));
            }
        }
        for s in &cases {
            assert_eq!(colon_mac(s), reference(s), "{s:?}");
        }
    }

    #[test]
    fn no_line_holding_an_escaped_mac_is_a_timestamp() {
        // parse_nmcli_terse asks a row with an escaped BSSID nothing else on that ground. (A
        // lone backslash may be: `date_output` reads a bad seconds field as 0.)
        for line in [
            "2026-11-02T10:04:05+00:00",
            "# 2026-11-02T10:04:05Z",
            "Mon Nov  2 10:04:05 UTC 2026",
            "Mon, 02 Nov 2026 11:04:05 +0100",
            "1793613845",
            "1793613845250",
        ] {
            assert!(timestamp_line(line).is_some(), "{line}");
            for i in 0..=line.len() {
                for mac in [r"3C\:37\:86\:5E\:4A\:11", r"xx\:xx\:xx\:xx\:xx\:xx"] {
                    for with in [
                        format!("{}{mac}{}", &line[..i], &line[i..]),
                        format!("{} {mac} {}", &line[..i], &line[i..]),
                    ] {
                        assert!(escaped_mac_at(&with).is_some(), "{with}");
                        assert_eq!(timestamp_line(&with), None, "{with}");
                    }
                }
            }
        }
    }

    #[test]
    fn ssid_escapes() {
        assert_eq!(decode_ssid(r"Caf\xc3\xa9", true).as_deref(), Some("Café"));
        assert_eq!(decode_ssid(r"\x20lead", true).as_deref(), Some(" lead"));
        assert_eq!(decode_ssid(r"a\\b", true).as_deref(), Some("a\\b"));
        assert_eq!(decode_ssid(r"a\\b", false).as_deref(), Some("a\\\\b"));
        assert_eq!(decode_ssid(r"\x00\x00\x00", true), None);
        assert_eq!(decode_ssid("", true), None);
        // Truncated escapes and non-UTF-8 bytes neither panic nor vanish.
        assert_eq!(decode_ssid(r"end\x4", true).as_deref(), Some("end\\x4"));
        assert_eq!(decode_ssid(r"\xff!", true).as_deref(), Some("\u{fffd}!"));
    }

    /// The terse splitter as first written, character by character into owned fields: the
    /// reference [`split_terse`] and [`terse_value`] must agree with.
    fn split_terse_reference(line: &str) -> Vec<String> {
        if line.len() > MAX_ROW_BYTES {
            return Vec::new();
        }
        let mut fields = vec![String::new()];
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    let next = chars.next().unwrap_or('\\');
                    fields.last_mut().unwrap().push(next);
                }
                ':' => fields.push(String::new()),
                _ => fields.last_mut().unwrap().push(c),
            }
        }
        if !line.contains("\\:") {
            let octet = |s: &String| s.len() == 2 && s.bytes().all(|b| b.is_ascii_hexdigit());
            if let Some(i) = (0..fields.len())
                .find(|&i| fields.get(i..i + 6).is_some_and(|w| w.iter().all(octet)))
            {
                let mac = fields[i..i + 6].join(":");
                fields.splice(i..i + 6, [mac]);
            }
        }
        fields
    }

    /// `line` split by the fast splitter, each field's value read (and, for a BSSID-like field,
    /// through [`terse_mac`] as well, which must agree with reading the value).
    fn split_fast(line: &str) -> Vec<String> {
        let mut f = Vec::new();
        split_terse(line, &mut f);
        for raw in &f {
            assert_eq!(
                terse_mac(raw),
                MacText::read(&terse_value(raw), colon_mac),
                "{line:?}: {raw:?}"
            );
        }
        f.iter().map(|v| terse_value(v).into_owned()).collect()
    }

    #[test]
    fn terse_splitter_agrees_with_the_reference_on_tricky_rows() {
        for (line, want) in [
            (
                r"3C\:37\:86\:5E\:4A\:11:Ward7:36:5180 MHz:82",
                &["3C:37:86:5E:4A:11", "Ward7", "36", "5180 MHz", "82"][..],
            ),
            (
                r"3C\:37\:86\:5E\:4A\:12:Lab\\Net\:2:36:5180 MHz:80",
                &["3C:37:86:5E:4A:12", "Lab\\Net:2", "36", "5180 MHz", "80"],
            ),
            // `--escape no`: the BSSID rejoined, an SSID holding `:` left split.
            (
                "3C:37:86:5E:4A:11:Ward:7:36:82",
                &["3C:37:86:5E:4A:11", "Ward", "7", "36", "82"],
            ),
            (r"a\\:b:", &["a\\", "b", ""]),
            ("::", &["", "", ""]),
            ("", &[""]),
            (r"end\", &["end\\"]),
            (r"x\é\:y:z", &["xé:y", "z"]),
            (
                r"xx\:xx\:xx\:xx\:xx\:xx::6:2437 MHz:55",
                &["xx:xx:xx:xx:xx:xx", "", "6", "2437 MHz", "55"],
            ),
            // Escaped octet digits rejoined too (no `\:` in the line).
            (
                r"AP[1]:\3C:37:86:5E:4A:11:S",
                &["AP[1]", "3C:37:86:5E:4A:11", "S"],
            ),
        ] {
            assert_eq!(split_terse_reference(line), want, "{line:?}");
            assert_eq!(split_fast(line), want, "{line:?}");
        }
        let long = "a:".repeat(MAX_ROW_BYTES);
        assert_eq!(split_fast(&long), split_terse_reference(&long));
    }

    #[test]
    fn terse_splitter_agrees_with_the_reference_on_generated_rows() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        // Pieces a terse row is made of, weighted towards the characters that matter.
        const PIECES: &[&str] = &[
            ":",
            ":",
            "\\",
            "\\:",
            "\\\\",
            "3C",
            "4a",
            "xx",
            "Ward",
            " ",
            "é",
            "5180 MHz",
            "82",
            "3C\\:37\\:86\\:5E\\:4A\\:11",
            "3C:37:86:5E:4A:11",
            "AP[1]",
            "漢",
        ];
        for _ in 0..20_000 {
            let line: String = (0..rng.random_range(0..14))
                .map(|_| PIECES[rng.random_range(0..PIECES.len())])
                .collect();
            assert_eq!(split_fast(&line), split_terse_reference(&line), "{line:?}");
        }
    }

    #[test]
    fn nmcli_without_escapes_rejoins_the_bssid() {
        let text = "3C:37:86:5E:4A:11:Ward7:36:82\n3C:37:86:5E:4A:12:Ward 7:6:60\n";
        assert_eq!(detect(text), Some("nmcli"));
        let p = parse("nmcli", text, "noesc.txt").unwrap();
        let o = &p.scans[0].observations;
        assert_eq!(o.len(), 2);
        assert_eq!(o[1].ssid.as_deref(), Some("Ward 7"));
        assert_eq!((o[1].channel, o[1].rssi_dbm), (6, -70.0));
    }

    #[test]
    fn old_nmcli_without_bssid_is_counted_not_guessed() {
        let text = "IN-USE  SSID   MODE   CHAN  RATE        SIGNAL  BARS  SECURITY\n\
                    *       Ward7  Infra  36    540 Mbit/s  82      ▂▄▆█  WPA2\n";
        let p = parse("nmcli-table", text, "old.txt").unwrap();
        assert_eq!(p.scans[0].observations.len(), 0);
        assert_eq!(p.skipped.total(), 1);
    }

    #[test]
    fn garbage_is_an_error_naming_what_was_expected() {
        for format in FORMATS {
            for text in ["", "hello\nworld\n", "\u{0}\u{1}\u{2}", "{\"a\": 1}"] {
                let e = parse(format, text, "junk.txt").unwrap_err();
                assert!(e.to_string().contains("expected"), "{format}: {e}");
            }
        }
        assert_eq!(
            parse("iw", "\n\nnot iw\n", "junk.txt")
                .unwrap_err()
                .line_number(),
            Some(3)
        );
    }

    #[test]
    fn truncated_and_mangled_captures_never_panic() {
        for (format, text) in FIXTURES {
            let cuts = text.char_indices().map(|(i, _)| i).step_by(3);
            for cut in cuts {
                let head = &text[..cut];
                let _ = parse(format, head, "cut.txt");
                let _ = detect(head);
                // The same text with one line's first character knocked out.
                let mangled = format!(
                    "{}{}",
                    head,
                    text[cut..].chars().skip(1).collect::<String>()
                );
                let _ = parse(format, &mangled, "mangled.txt");
            }
            // A cut capture still yields what it holds, and counts the block it lost.
            let half = &text[..text.len() / 2];
            let half = &half[..half.rfind('\n').unwrap_or(0)];
            if let Ok(p) = parse(format, half, "half.txt") {
                assert!(p.scans.iter().all(|s| s.source.starts_with("half.txt:")));
            }
        }
    }
}
