//! Files saved by open-source survey tools: each a JSON document of sample points with pixel
//! positions on a floor-plan image. Each sample point becomes one [`Scan`] at
//! `at = Point::new(x, y)` in plan pixels.
//!
//! **python-wifi-survey-heatmap** (`wifi-survey-heatmap`, jantman): `json.dumps` of
//! `{"img_path": …, "survey_points": [{"x": 412, "y": 230, "failed": false, "result": {…iperf3
//! results…, "ssid", "frequency", "channel", "signal_mbm", "scan_results": {"aa:bb:…":
//! {"bssid", "ssid", "frequency": 5180, "signal_mbm": -61.0, …}}}}]}` on one line. Quirks:
//! despite its name `signal_mbm` holds dBm in the files the tool writes (its libnl helper has
//! already divided by 100); a value below −150 can only be hundredths of a dBm and is divided
//! by 100. Early versions wrote a bare array of points (read the same) and, for a while,
//! positions as fractions of the window (0–1), which cannot be placed without the window size
//! and are refused. Points saved without `scan_results` (scanning disabled, or the old `iwscan`
//! data) are counted as skipped. The iperf3 times are when the throughput tests ran, not the
//! scan, so `t` is `None`. Reading age: entries from the libnl scanner carry `seen_ms_ago`, but
//! the tool converted it from Python's `timedelta` by its `microseconds` part alone (seconds
//! dropped), so 2.5 s old reads as 500 ms: it is not read as `age_s`, which would keep stale
//! readings as fresh. wifi-heatmapper and WiFiSurveyor keep no per-BSSID time.
//!
//! **WiFiSurveyor** (`wifisurveyor`, ecoAPM): `JSON.stringify` of the whole app state, on one
//! line: `{"name", "background": "data:image/png;base64,…", "readings": [{"id", "location":
//! {"x", "y"}, "signals": [{"mac", "ssid", "frequency": 2, "channel": 6, "strength": -61}]}],
//! "current": {…}}`. Quirks: `frequency` is the band as an enum (2 = 2.4 GHz, 5 = 5 GHz), not
//! MHz (a value of 1000 or more is taken as MHz all the same); hidden SSIDs are saved as
//! `[hidden]`; files from versions before `channel` was recorded name no channel, so their
//! signals cannot be placed on one and are counted as skipped; `current` is the live reading
//! on screen, not a survey point, and is ignored. No times.
//!
//! **wifi-heatmapper** (`wifi-heatmapper`, hnykda): the database file, `JSON.stringify(db,
//! null, 2)`: `{"surveyPoints": [{"x", "y", "timestamp": 1793613845000, "isEnabled": true,
//! "id", "wifiData": {"ssid", "bssid", "rssi": -58, "signalStrength": 84, "channel": 36,
//! "band": 5, …}, "iperfData": {…}}], "floorplanImageName", "dimensions", …}`. Quirks:
//! `wifiData` is the connected network only (an array of them is read too); `band` is in GHz
//! (2.4/5/6), older files have `frequency` instead, in GHz or MHz; `timestamp` is epoch
//! milliseconds (older files: a date string); where `rssi` is missing or 0 (no dBm from the
//! platform) the `signalStrength` percentage is converted and marked approximate; macOS
//! redacts the BSSID (empty), which is counted as skipped; points the user disabled
//! (`isEnabled: false`) are counted as skipped.
//!
//! Missing fields are common in all three, so every field is optional until it is needed.
//! Without a frequency or band, the band is inferred from the channel number
//! ([`wisp_model::Channel::infer`]).
//!
//! Provenance: pretty-printed files give each point's line (`survey.json:57`); one-line files,
//! where a line says nothing, give the point's place in the document instead
//! (`survey.json#survey_points[3]`, `survey.json#readings[0].signals[2]`).

use crate::capture::formats::percent_to_dbm;
use crate::capture::{ParsedCapture, Scan};
use crate::IngestError;
use serde_json::{Map, Value};
use wisp_model::{Band, Bssid, Channel, Observation, Point};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &["wifi-survey-heatmap", "wifisurveyor", "wifi-heatmapper"];

/// The format `text` is in, if it is one of this family's.
pub fn detect(text: &str) -> Option<&'static str> {
    let head = text.trim_start_matches('\u{feff}').trim_start();
    let array = head.starts_with('[');
    if !(head.starts_with('{') || array) {
        return None;
    }
    if has_key(text, "survey_points") || (array && has_key(text, "scan_results")) {
        Some("wifi-survey-heatmap")
    } else if has_key(text, "surveyPoints") {
        Some("wifi-heatmapper")
    } else if has_key(text, "readings") && has_key(text, "signals") {
        Some("wifisurveyor")
    } else {
        None
    }
}

/// Whether `"key"` occurs in `text` as an object key (followed by a colon), not as a value.
fn has_key(text: &str, key: &str) -> bool {
    let quoted = format!("\"{key}\"");
    text.match_indices(&quoted).any(|(i, m)| {
        text.get(i + m.len()..)
            .map(|rest| rest.trim_start().starts_with(':'))
            .unwrap_or(false)
    })
}

/// Parses `text` (from the file called `name`) as `format`.
pub fn parse(format: &str, text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let root: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| IngestError::syntax(format!("{format} JSON: {e}")).line(e.line()))?;
    let mut out = ParsedCapture {
        format: format.to_string(),
        ..Default::default()
    };
    match format {
        "wifi-survey-heatmap" => survey_heatmap(&root, text, name, &mut out)?,
        "wifisurveyor" => wifisurveyor(&root, text, name, &mut out)?,
        "wifi-heatmapper" => heatmapper(&root, text, name, &mut out)?,
        _ => {
            return Err(IngestError::syntax(format!(
                "format '{format}' is not one of the open survey tools' formats"
            )))
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// python-wifi-survey-heatmap

fn survey_heatmap(
    root: &Value,
    text: &str,
    name: &str,
    out: &mut ParsedCapture,
) -> Result<(), IngestError> {
    let (points, key) =
        match root {
            Value::Object(m) => (
                m.get("survey_points")
                    .and_then(Value::as_array)
                    .ok_or_else(|| {
                        IngestError::syntax(
                            "python-wifi-survey-heatmap file has no \"survey_points\" array",
                        )
                    })?,
                Some("survey_points"),
            ),
            Value::Array(a) => (a, None),
            _ => return Err(IngestError::syntax(
                "expected a python-wifi-survey-heatmap file: an object with a \"survey_points\" \
                 array",
            )),
        };
    let fractional = !points.is_empty()
        && points.iter().all(|p| {
            [field(p, "x"), field(p, "y")]
                .into_iter()
                .all(|v| v.and_then(number).is_some_and(|v| (0.0..=1.0).contains(&v)))
        })
        && points.iter().any(|p| {
            [field(p, "x"), field(p, "y")]
                .into_iter()
                .any(|v| v.and_then(number).is_some_and(|v| v.fract() != 0.0))
        });
    if fractional {
        return Err(IngestError::invalid(
            "survey point positions are fractions of the window (0–1), as early \
             python-wifi-survey-heatmap versions saved them; they cannot be placed on the plan \
             without the window size",
        ));
    }
    let src = Sources::new(name, text, key, points.len());
    for (i, p) in points.iter().enumerate() {
        let Some(at) = point_xy(p) else {
            out.skipped
                .skip("survey point has no position", src.point(i));
            continue;
        };
        let Some(result) = field(p, "result")
            .and_then(Value::as_object)
            .filter(|r| !r.is_empty())
        else {
            out.skipped.skip(
                "survey point has no result (failed or unfinished)",
                src.point(i),
            );
            continue;
        };
        let Some(scan_results) = result.get("scan_results") else {
            out.skipped.skip(
                "survey point has no scan_results (survey run without scanning)",
                src.point(i),
            );
            continue;
        };
        let entries = entries(scan_results);
        let places = src.nested(i, &["result", "scan_results"]);
        let mut observations = Vec::new();
        for (j, (key, entry)) in entries.iter().enumerate() {
            let sub = match key {
                Some(k) => format!("result.scan_results[\"{k}\"]"),
                None => format!("result.scan_results[{j}]"),
            };
            let loc = src.item(i, &sub, places.find(key.as_deref(), j));
            match heatmap_observation(key.as_deref(), entry) {
                Ok(o) => observations.push(o),
                Err(reason) => out.skipped.skip(reason, loc),
            }
        }
        out.scans.push(Scan {
            t: None,
            at: Some(at),
            source: src.point(i),
            observations,
        });
    }
    Ok(())
}

/// One `scan_results` entry (keyed by its BSSID, or carrying it).
fn heatmap_observation(key: Option<&str>, e: &Value) -> Result<Observation, &'static str> {
    // The entry's own "bssid" wins; the map key is the fallback.
    let bssid = bssid(field(e, "bssid").and_then(Value::as_str).or(key))?;
    let ssid = ssid(field(e, "ssid"));
    let mhz = field(e, "frequency")
        .and_then(number)
        .ok_or("no frequency")?;
    let channel = channel_from_mhz(mhz)?;
    let signal = field(e, "signal_mbm")
        .and_then(number)
        .ok_or("no signal_mbm")?;
    // The tool's own files hold dBm; true mBm (hundredths) are far below any dBm reading.
    let dbm = if signal < -150.0 {
        signal / 100.0
    } else {
        signal
    };
    Observation::new(bssid, ssid, channel, dbm, None).map_err(|_| "rssi outside -120..0 dBm")
}

// ---------------------------------------------------------------------------------------------
// WiFiSurveyor

fn wifisurveyor(
    root: &Value,
    text: &str,
    name: &str,
    out: &mut ParsedCapture,
) -> Result<(), IngestError> {
    let readings = root
        .get("readings")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            IngestError::syntax("expected a WiFiSurveyor file: an object with a \"readings\" array")
        })?;
    let src = Sources::new(name, text, Some("readings"), readings.len());
    for (i, r) in readings.iter().enumerate() {
        let Some(at) = field(r, "location").and_then(point_xy) else {
            out.skipped.skip("reading has no location", src.point(i));
            continue;
        };
        let signals = field(r, "signals").map(entries).unwrap_or_default();
        let places = src.nested(i, &["signals"]);
        let mut observations = Vec::new();
        for (j, (_, s)) in signals.iter().enumerate() {
            let loc = src.item(i, &format!("signals[{j}]"), places.find(None, j));
            match surveyor_observation(s) {
                Ok(o) => observations.push(o),
                Err(reason) => out.skipped.skip(reason, loc),
            }
        }
        out.scans.push(Scan {
            t: None,
            at: Some(at),
            source: src.point(i),
            observations,
        });
    }
    Ok(())
}

fn surveyor_observation(s: &Value) -> Result<Observation, &'static str> {
    let bssid = bssid(field(s, "mac").and_then(Value::as_str))?;
    let ssid = ssid(field(s, "ssid")).filter(|s| s != "[hidden]");
    let channel_no = field(s, "channel").and_then(number);
    let channel = match field(s, "frequency").and_then(number) {
        Some(f) if f >= 1000.0 => channel_from_mhz(f)?,
        Some(ghz) => {
            let band = band_from_ghz(ghz).ok_or("frequency is not a Wi-Fi band")?;
            let n =
                channel_no.ok_or("no channel (older WiFiSurveyor files record only the band)")?;
            channel_of(n, Some(band))?
        }
        None => channel_of(channel_no.ok_or("no channel")?, None)?,
    };
    let dbm = field(s, "strength")
        .and_then(number)
        .ok_or("no signal strength")?;
    Observation::new(bssid, ssid, channel, dbm, None).map_err(|_| "rssi outside -120..0 dBm")
}

// ---------------------------------------------------------------------------------------------
// wifi-heatmapper

fn heatmapper(
    root: &Value,
    text: &str,
    name: &str,
    out: &mut ParsedCapture,
) -> Result<(), IngestError> {
    let points = root
        .get("surveyPoints")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            IngestError::syntax(
                "expected a wifi-heatmapper file: an object with a \"surveyPoints\" array",
            )
        })?;
    let src = Sources::new(name, text, Some("surveyPoints"), points.len());
    for (i, p) in points.iter().enumerate() {
        if field(p, "isEnabled").and_then(Value::as_bool) == Some(false) {
            out.skipped
                .skip("survey point disabled in wifi-heatmapper", src.point(i));
            continue;
        }
        let Some(at) = point_xy(p) else {
            out.skipped
                .skip("survey point has no position", src.point(i));
            continue;
        };
        let Some(wifi) = field(p, "wifiData").filter(|v| !v.is_null()) else {
            out.skipped
                .skip("survey point has no wifiData", src.point(i));
            continue;
        };
        let networks = entries(wifi);
        let places = src.nested(i, &["wifiData"]);
        let single = !wifi.is_array();
        let mut observations = Vec::new();
        for (j, (_, w)) in networks.iter().enumerate() {
            let (sub, at_offset) = if single {
                ("wifiData".to_string(), places.whole)
            } else {
                (format!("wifiData[{j}]"), places.find(None, j))
            };
            let loc = src.item(i, &sub, at_offset);
            match heatmapper_observation(w) {
                Ok(o) => observations.push(o),
                Err(reason) => out.skipped.skip(reason, loc),
            }
        }
        out.scans.push(Scan {
            t: field(p, "timestamp").and_then(timestamp),
            at: Some(at),
            source: src.point(i),
            observations,
        });
    }
    Ok(())
}

fn heatmapper_observation(w: &Value) -> Result<Observation, &'static str> {
    let bssid = bssid(field(w, "bssid").and_then(Value::as_str))?;
    let ssid = ssid(field(w, "ssid"));
    let channel_no = field(w, "channel").and_then(number);
    let band_ghz = field(w, "band")
        .and_then(number)
        .or_else(|| field(w, "frequency").and_then(number));
    let channel = match band_ghz {
        Some(f) if f >= 1000.0 => channel_from_mhz(f)?,
        Some(ghz) => {
            let band = band_from_ghz(ghz).ok_or("band is not 2.4, 5 or 6 GHz")?;
            channel_of(channel_no.ok_or("no channel")?, Some(band))?
        }
        None => channel_of(channel_no.ok_or("no channel")?, None)?,
    };
    let rssi = field(w, "rssi").and_then(number).filter(|&v| v != 0.0);
    let (dbm, approximate) = match rssi {
        Some(dbm) => (dbm, false),
        None => {
            let pct = field(w, "signalStrength")
                .and_then(number)
                .ok_or("no rssi or signalStrength")?;
            let dbm = percent_to_dbm(pct).ok_or("signal percentage outside 0..100")?;
            (dbm, true)
        }
    };
    let mut o = Observation::new(bssid, ssid, channel, dbm, None)
        .map_err(|_| "rssi outside -120..0 dBm")?;
    o.approximate = approximate;
    Ok(o)
}

/// `timestamp` as seconds: epoch milliseconds (or seconds, if small), a numeric string, or an
/// RFC 3339 date string.
fn timestamp(v: &Value) -> Option<f64> {
    let t = match v {
        Value::String(s) => match s.trim().parse::<f64>() {
            Ok(n) => n,
            Err(_) => return wisp_model::time::parse_rfc3339(s),
        },
        other => number(other)?,
    };
    // Milliseconds from 1973 on are ≥ 1e11; seconds stay below that until the year 5138.
    let t = if t >= 1e11 { t / 1000.0 } else { t };
    (t.is_finite() && t > 0.0).then_some(t)
}

// ---------------------------------------------------------------------------------------------
// Shared field readers

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.get(key)
}

/// A finite number, from a JSON number or a numeric string (some tools write either).
fn number(v: &Value) -> Option<f64> {
    let n = match v {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    n.is_finite().then_some(n)
}

/// `{"x": …, "y": …}` as a point, when both are finite numbers.
fn point_xy(v: &Value) -> Option<Point> {
    Some(Point::new(
        field(v, "x").and_then(number)?,
        field(v, "y").and_then(number)?,
    ))
}

/// The entries of an object (with their keys), an array, or a single object.
fn entries(v: &Value) -> Vec<(Option<String>, &Value)> {
    match v {
        Value::Array(a) => a.iter().map(|e| (None, e)).collect(),
        Value::Object(m) if looks_like_entry(m) => vec![(None, v)],
        Value::Object(m) => m.iter().map(|(k, e)| (Some(k.clone()), e)).collect(),
        _ => Vec::new(),
    }
}

/// Whether an object is one network's record rather than a map of them keyed by BSSID.
fn looks_like_entry(m: &Map<String, Value>) -> bool {
    m.values().any(|v| !v.is_object())
}

fn bssid(v: Option<&str>) -> Result<Bssid, &'static str> {
    let s = v.map(str::trim).unwrap_or("");
    if s.is_empty() || s.to_ascii_lowercase().contains("redacted") {
        return Err("no BSSID (redacted)");
    }
    s.parse().map_err(|_| "BSSID is not a MAC address")
}

fn ssid(v: Option<&Value>) -> Option<String> {
    let s = v?.as_str()?;
    (!s.is_empty() && !s.chars().all(|c| c == '\0')).then(|| s.to_string())
}

fn channel_from_mhz(mhz: f64) -> Result<Channel, &'static str> {
    let rounded = mhz.round();
    if !(0.0..=100_000.0).contains(&rounded) {
        return Err("frequency is not a Wi-Fi channel");
    }
    Channel::from_freq(rounded as u32).map_err(|_| "frequency is not a Wi-Fi channel")
}

fn band_from_ghz(ghz: f64) -> Option<Band> {
    match ghz {
        g if (2.0..2.5).contains(&g) => Some(Band::G2_4),
        g if (4.9..5.9).contains(&g) => Some(Band::G5),
        g if (5.9..7.2).contains(&g) => Some(Band::G6),
        _ => None,
    }
}

fn channel_number(n: f64) -> Result<u16, &'static str> {
    if n.fract() != 0.0 || !(1.0..=233.0).contains(&n) {
        return Err("channel does not exist");
    }
    Ok(n as u16)
}

/// Channel number `n` in `band`, or with its band inferred ([`Channel::infer`]) when none is given.
fn channel_of(n: f64, band: Option<Band>) -> Result<Channel, &'static str> {
    Channel::infer(channel_number(n)?, band, None).map_err(|_| match band {
        Some(_) => "channel does not exist in the band given",
        None => "channel does not name a band (no frequency)",
    })
}

// ---------------------------------------------------------------------------------------------
// Provenance: where in the file each point and entry is

/// Builds `file:line` (pretty-printed files) or `file#path` (one-line files) locations.
struct Sources<'a> {
    name: &'a str,
    text: &'a [u8],
    /// Byte offsets of line starts after the first, for line lookups.
    newlines: Vec<usize>,
    /// The key of the points array (`None`: the document is the array).
    key: Option<&'a str>,
    /// Byte offset of each point's value, when found.
    points: Vec<Option<usize>>,
    /// Whether every point starts on a line of its own, so lines identify them.
    pretty: bool,
}

/// Where the entries of one nested value are.
struct Places {
    /// The value itself.
    whole: Option<usize>,
    /// Its object members (key, offset) or array items (None, offset).
    items: Vec<(Option<String>, usize)>,
}

impl Places {
    /// The offset of the entry with `key`, or of the `index`th item.
    fn find(&self, key: Option<&str>, index: usize) -> Option<usize> {
        match key {
            Some(k) => self
                .items
                .iter()
                .rev()
                .find(|(ik, _)| ik.as_deref() == Some(k))
                .map(|e| e.1),
            None => self.items.get(index).map(|e| e.1),
        }
    }
}

impl<'a> Sources<'a> {
    fn new(name: &'a str, text: &'a str, key: Option<&'a str>, count: usize) -> Self {
        let b = text.as_bytes();
        let newlines = b
            .iter()
            .enumerate()
            .filter(|(_, &c)| c == b'\n')
            .map(|(i, _)| i)
            .collect();
        let root = skip_ws(b, if text.starts_with('\u{feff}') { 3 } else { 0 });
        let array = match key {
            None => Some(root),
            Some(k) => member(b, root, k),
        };
        let mut points: Vec<Option<usize>> = array
            .map(|a| items(b, a).into_iter().map(|(_, o)| Some(o)).collect())
            .unwrap_or_default();
        // Only trust the offsets when they match what serde parsed.
        if points.len() != count {
            points = vec![None; count];
        }
        let mut s = Sources {
            name,
            text: b,
            newlines,
            key,
            points,
            pretty: false,
        };
        let mut lines: Vec<usize> = s.points.iter().flatten().map(|&o| s.line(o)).collect();
        let known = lines.len();
        lines.dedup();
        s.pretty = known == count && lines.len() == known && text.trim_end().contains('\n');
        s
    }

    fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&n| n < offset) + 1
    }

    fn label(&self, i: usize) -> String {
        format!("{}[{i}]", self.key.unwrap_or(""))
    }

    /// The location of point `i`.
    fn point(&self, i: usize) -> String {
        match self.points.get(i).copied().flatten() {
            Some(o) if self.pretty => crate::file_line(self.name, self.line(o)),
            _ => format!("{}#{}", self.name, self.label(i)),
        }
    }

    /// The location of something inside point `i`, at `sub` (a path) and `offset`.
    fn item(&self, i: usize, sub: &str, offset: Option<usize>) -> String {
        match offset {
            Some(o) if self.pretty => crate::file_line(self.name, self.line(o)),
            _ => format!("{}#{}.{sub}", self.name, self.label(i)),
        }
    }

    /// The entries of the value at `path` inside point `i`.
    fn nested(&self, i: usize, path: &[&str]) -> Places {
        let mut at = self.points.get(i).copied().flatten();
        for k in path {
            at = at.and_then(|o| member(self.text, o, k));
        }
        Places {
            whole: at,
            items: at.map(|o| items(self.text, o)).unwrap_or_default(),
        }
    }
}

// A few JSON scanners over text serde has already accepted: enough to find where values start.
// Iterative, bounds-checked, never panicking; they return nothing rather than guess.

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Index after the string starting at `i` (a `"`).
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        match b.get(j)? {
            b'\\' => j += 2,
            b'"' => return Some(j + 1),
            _ => j += 1,
        }
    }
}

/// Index after the value starting at `i`.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    loop {
        match *b.get(j)? {
            b'"' => {
                j = skip_string(b, j)?;
                if depth == 0 {
                    return Some(j);
                }
            }
            b'{' | b'[' => {
                depth += 1;
                j += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                j += 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ if depth == 0 => {
                while b
                    .get(j)
                    .is_some_and(|&c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    j += 1;
                }
                return Some(j);
            }
            _ => j += 1,
        }
    }
}

/// Members (raw key, value offset) of the object at `i`, or items (None, offset) of the array.
fn items(b: &[u8], i: usize) -> Vec<(Option<String>, usize)> {
    let mut out = Vec::new();
    let object = match b.get(i) {
        Some(b'{') => true,
        Some(b'[') => false,
        _ => return out,
    };
    let mut j = i + 1;
    loop {
        j = skip_ws(b, j);
        match b.get(j) {
            Some(b'}' | b']') | None => return out,
            Some(b',') => {
                j += 1;
                continue;
            }
            _ => {}
        }
        let key = if object {
            let Some(end) = skip_string(b, j) else {
                return out;
            };
            let raw = b.get(j + 1..end - 1).unwrap_or(&[]);
            let key = String::from_utf8_lossy(raw).into_owned();
            j = skip_ws(b, end);
            if b.get(j) != Some(&b':') {
                return out;
            }
            j = skip_ws(b, j + 1);
            Some(key)
        } else {
            None
        };
        out.push((key, j));
        match skip_value(b, j) {
            Some(end) if end > j => j = end,
            _ => return out,
        }
    }
}

/// Offset of the value of member `key` of the object at `i` (the last one, as serde keeps).
fn member(b: &[u8], i: usize, key: &str) -> Option<usize> {
    items(b, i)
        .into_iter()
        .rev()
        .find(|(k, _)| k.as_deref() == Some(key))
        .map(|(_, o)| o)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEATMAP: &str =
        include_str!("../../../tests/fixtures/open_tools/wifi_survey_heatmap.json");
    const SURVEYOR: &str = include_str!("../../../tests/fixtures/open_tools/wifisurveyor.json");
    const HEATMAPPER: &str =
        include_str!("../../../tests/fixtures/open_tools/wifi_heatmapper.json");

    fn skips(p: &ParsedCapture) -> Vec<(String, usize, Vec<String>)> {
        p.skipped
            .iter()
            .map(|(r, n, l)| (r.to_string(), n, l.to_vec()))
            .collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn find<'a>(scan: &'a Scan, bssid: &str) -> &'a Observation {
        let b: Bssid = bssid.parse().unwrap();
        scan.observations
            .iter()
            .find(|o| o.bssid == b)
            .unwrap_or_else(|| panic!("{bssid} not in {}", scan.source))
    }

    #[test]
    fn python_wifi_survey_heatmap() {
        assert_eq!(detect(HEATMAP), Some("wifi-survey-heatmap"));
        let p = parse("wifi-survey-heatmap", HEATMAP, "ward7.json").unwrap();
        assert_eq!(p.format, "wifi-survey-heatmap");
        // One-line file: points are named by their place in the document.
        let sources: Vec<_> = p.scans.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(
            sources,
            ["ward7.json#survey_points[0]", "ward7.json#survey_points[1]"]
        );
        let s0 = &p.scans[0];
        assert_eq!(s0.at, Some(Point::new(412.0, 230.0)));
        assert_eq!(s0.t, None);
        assert_eq!(s0.observations.len(), 3);
        let o = find(s0, "aa:bb:cc:dd:ee:01");
        assert_eq!(o.ssid.as_deref(), Some("Ward7"));
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
        assert_eq!(o.rssi_dbm, -61.0);
        // True mBm: −7450 → −74.5 dBm.
        let o = find(s0, "aa:bb:cc:dd:ee:02");
        assert_eq!((o.band, o.channel), (Band::G2_4, 6));
        assert_eq!(o.rssi_dbm, -74.5);
        // Hidden SSID.
        assert_eq!(find(s0, "aa:bb:cc:dd:ee:03").ssid, None);
        let s1 = &p.scans[1];
        assert_eq!(s1.at, Some(Point::new(655.5, 300.0)));
        assert_eq!(s1.observations.len(), 1);
        assert_eq!(find(s1, "aa:bb:cc:dd:ee:01").rssi_dbm, -70.0);
        // `seen_ms_ago` (120, 240, 80, 40 here) is the age's sub-second part only, as the tool
        // saved it: never read as an age.
        assert!(p
            .scans
            .iter()
            .flat_map(|s| &s.observations)
            .all(|o| o.age_s.is_none()));

        assert_eq!(
            skips(&p),
            vec![
                (
                    "frequency is not a Wi-Fi channel".into(),
                    1,
                    s(&["ward7.json#survey_points[1].result.scan_results[\"aa:bb:cc:dd:ee:09\"]"])
                ),
                (
                    "survey point has no result (failed or unfinished)".into(),
                    1,
                    s(&["ward7.json#survey_points[2]"])
                ),
                (
                    "survey point has no scan_results (survey run without scanning)".into(),
                    1,
                    s(&["ward7.json#survey_points[3]"])
                ),
            ]
        );
    }

    #[test]
    fn python_heatmap_old_array_and_fraction_positions() {
        let old = r#"[{"x": 10, "y": 20, "result": {"scan_results": [{"bssid": "aa:bb:cc:dd:ee:01", "ssid": "Ward7", "frequency": 2412, "signal_mbm": -50.0}]}, "failed": false}]"#;
        assert_eq!(detect(old), Some("wifi-survey-heatmap"));
        let p = parse("wifi-survey-heatmap", old, "old.json").unwrap();
        assert_eq!(p.scans[0].source, "old.json#[0]");
        assert_eq!(p.scans[0].observations[0].channel, 1);
        let frac = r#"{"survey_points": [{"x": 0.25, "y": 0.5, "result": {}}, {"x": 1, "y": 0, "result": {}}]}"#;
        let e = parse("wifi-survey-heatmap", frac, "f.json").unwrap_err();
        assert!(e.to_string().contains("fractions"), "{e}");
    }

    #[test]
    fn wifisurveyor() {
        assert_eq!(detect(SURVEYOR), Some("wifisurveyor"));
        let p = parse("wifisurveyor", SURVEYOR, "bay.json").unwrap();
        let sources: Vec<_> = p.scans.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(sources, ["bay.json#readings[0]", "bay.json#readings[1]"]);
        let s0 = &p.scans[0];
        assert_eq!(s0.at, Some(Point::new(120.0, 84.0)));
        assert_eq!(s0.observations.len(), 3);
        // frequency 5 is the band: channel 44 → 5220 MHz.
        let o = find(s0, "aa:bb:cc:dd:ee:01");
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 44, 5220));
        assert_eq!(o.rssi_dbm, -57.0);
        assert_eq!(o.ssid.as_deref(), Some("Ward7"));
        // frequency 2 → 2.4 GHz; "[hidden]" is no SSID; dashes in the MAC.
        let o = find(s0, "aa:bb:cc:dd:ee:02");
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G2_4, 11, 2462));
        assert_eq!(o.ssid, None);
        let o = find(s0, "aa:bb:cc:dd:ee:03");
        assert_eq!((o.band, o.channel), (Band::G2_4, 1));
        let s1 = &p.scans[1];
        assert_eq!(s1.at, Some(Point::new(340.0, 96.0)));
        assert_eq!(s1.observations.len(), 1);

        assert_eq!(
            skips(&p),
            vec![
                (
                    "channel does not exist in the band given".into(),
                    1,
                    s(&["bay.json#readings[1].signals[2]"])
                ),
                (
                    "no BSSID (redacted)".into(),
                    1,
                    s(&["bay.json#readings[1].signals[1]"])
                ),
                (
                    "no channel (older WiFiSurveyor files record only the band)".into(),
                    1,
                    s(&["bay.json#readings[1].signals[3]"])
                ),
            ]
        );
    }

    #[test]
    fn wifi_heatmapper_pretty_printed() {
        assert_eq!(detect(HEATMAPPER), Some("wifi-heatmapper"));
        let p = parse("wifi-heatmapper", HEATMAPPER, "ward.json").unwrap();
        // Pretty-printed: each point's line.
        let sources: Vec<_> = p.scans.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(sources, ["ward.json:3", "ward.json:41", "ward.json:108"]);
        let s0 = &p.scans[0];
        assert_eq!(s0.at, Some(Point::new(150.0, 210.0)));
        // 1793613845000 ms.
        assert_eq!(s0.t, Some(1_793_613_845.0));
        let o = &s0.observations[0];
        assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:01");
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
        assert_eq!(o.rssi_dbm, -58.0);
        assert!(!o.approximate);
        // Array of networks; rssi 0 → 84 % → −58 dBm approximate; band 2.4.
        let s1 = &p.scans[1];
        assert_eq!(s1.t, Some(1_793_613_905.5));
        assert_eq!(s1.observations.len(), 2);
        let o = find(s1, "aa:bb:cc:dd:ee:02");
        assert_eq!((o.band, o.channel), (Band::G2_4, 6));
        assert_eq!(o.rssi_dbm, -58.0);
        assert!(o.approximate);
        // Older file layout: frequency in MHz, date-string timestamp.
        let o = find(s1, "aa:bb:cc:dd:ee:03");
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G6, 5, 5975));
        let s2 = &p.scans[2];
        assert_eq!(s2.t, Some(1_793_614_000.0));
        assert_eq!(s2.observations.len(), 1);
        assert_eq!(s2.observations[0].channel, 149);

        assert_eq!(
            skips(&p),
            vec![
                ("no BSSID (redacted)".into(), 1, s(&["ward.json:112"])),
                (
                    "survey point disabled in wifi-heatmapper".into(),
                    1,
                    s(&["ward.json:93"])
                ),
            ]
        );
    }

    #[test]
    fn detection_is_specific() {
        assert_eq!(detect("{\"format\": \"wisp-survey\"}"), None);
        assert_eq!(
            detect(r#"{"SPAirPortDataType": [{"_name": "readings", "signals": 1}]}"#),
            None
        );
        assert_eq!(detect("x,y,bssid\n"), None);
        assert_eq!(detect("[1, 2]"), None);
        assert_eq!(
            detect(r#"{"readings": [], "signals": []}"#),
            Some("wifisurveyor")
        );
    }

    #[test]
    fn garbage_and_truncation_never_panic() {
        for f in FORMATS {
            for text in [
                "",
                "{",
                "[",
                "null",
                "{\"survey_points\": 3, \"readings\": {}, \"surveyPoints\": [1, null, \"x\"]}",
                "[{\"x\": \"NaN\", \"y\": 1e999}]",
                r#"{"survey_points": [{"x": 1, "y": 2, "result": {"scan_results": {"zz": {"frequency": 1e300, "signal_mbm": -1e300}}}}],
                    "readings": [{"location": {"x": 1, "y": 2}, "signals": [{"mac": "aa:bb:cc:dd:ee:01", "frequency": 5, "channel": 1e20, "strength": 3}]}],
                    "surveyPoints": [{"x": 1, "y": 2, "wifiData": {"bssid": "aa:bb:cc:dd:ee:01", "channel": -4, "band": 2.4, "signalStrength": 900}}]}"#,
            ] {
                let _ = parse(f, text, "g.json");
            }
            for doc in [HEATMAP, SURVEYOR, HEATMAPPER] {
                let end = doc.trim_end().len();
                for cut in (0..end).step_by(7).filter(|&i| doc.is_char_boundary(i)) {
                    assert!(parse(f, &doc[..cut], "t.json").is_err());
                }
            }
        }
        assert!(parse("wifisurveyor", "[]", "g.json").is_err());
        assert!(parse("netsh", "{}", "g.json").is_err());
        // Stray brackets and escapes never send the scanners out of bounds.
        for junk in ["{\"a\":\"\\", "]]]", "{\"a\" 1}", "\"", "[1,", "{\"k\":[}"] {
            let b = junk.as_bytes();
            let _ = items(b, 0);
            let _ = skip_value(b, 0);
            let _ = member(b, 0, "a");
        }
    }
}
