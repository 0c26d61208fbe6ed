//! wisp's own formats: the survey JSON (`docs/survey-format.md`) and the long-form CSV capture.

use crate::capture::formats::{CaptureFormat, Input};
use crate::capture::stream::{file_text, TextSlice, TextSource};
use crate::capture::{ParsedCapture, Scan};
use crate::error::quote;
use crate::IngestError;
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
            return match file_text(input, true) {
                Ok(stream) => parse_long_csv_source(stream, name),
                Err(input) => parse_long_csv(&input.text()?, name),
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
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h.trim().trim_start_matches('\u{feff}') == n)
    };
    let need = |n: &str| {
        col(n).ok_or_else(|| IngestError::syntax(format!("CSV header lacks the column '{n}' (expected x,y,bssid,ssid,freq_mhz,rssi_dbm[,timestamp,noise_dbm,channel])")).line(1))
    };
    let (cb, cr) = (need("bssid")?, need("rssi_dbm")?);
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
    let (cs, cf, ct, cn, cc) = (
        col("ssid"),
        col("freq_mhz"),
        col("timestamp"),
        col("noise_dbm"),
        col("channel"),
    );
    if cf.is_none() && cc.is_none() {
        return Err(IngestError::syntax("CSV header needs 'freq_mhz' or 'channel'").line(1));
    }
    let mut out = ParsedCapture {
        format: "wisp-csv".into(),
        ..Default::default()
    };
    // The (x, y, timestamp) text of the current scan: rows sharing it belong to it.
    let mut key: Option<(String, String, String)> = None;
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
        let loc = || crate::file_line(name, line);
        let get = |i: usize| rec.get(i).unwrap_or("").trim();
        let num = |i: usize, what: &str| -> Result<f64, IngestError> {
            let v = get(i);
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
        let at = match position {
            Some((cx, cy)) => Some((num(cx, "x")?, num(cy, "y")?)),
            None => None,
        };
        let rssi = num(cr, "rssi_dbm")?;
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
        let channel = match (cf, cc) {
            (Some(f), _) if !get(f).is_empty() => {
                let mhz = num(f, "freq_mhz")?;
                match Channel::from_freq(mhz.round() as u32) {
                    Ok(c) => c,
                    Err(_) => {
                        out.skipped.skip("frequency is not a Wi-Fi channel", loc());
                        continue;
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
                        continue;
                    }
                }
            }
            _ => {
                out.skipped.skip("no frequency or channel", loc());
                continue;
            }
        };
        let noise = match cn.map(get) {
            Some(v) if !v.is_empty() => Some(num(cn.unwrap_or(0), "noise_dbm")?),
            _ => None,
        };
        let ssid = cs.map(get).filter(|s| !s.is_empty()).map(str::to_string);
        let obs = match Observation::new(bssid, ssid, channel, rssi, noise) {
            Ok(o) => o,
            Err(e) => {
                out.skipped.skip(format!("implausible value ({e})"), loc());
                continue;
            }
        };
        let ts = ct.map(get).unwrap_or("");
        let (xs, ys) = position.map_or(("", ""), |(cx, cy)| (get(cx), get(cy)));
        let same_scan = key
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
            out.scans.push(Scan {
                t,
                at: at.map(|(x, y)| Point::new(x, y)),
                source: loc(),
                observations: Vec::new(),
            });
            key = Some((xs.to_string(), ys.to_string(), ts.to_string()));
        }
        if let Some(scan) = out.scans.last_mut() {
            scan.observations.push(obs);
        }
    }
    Ok(out)
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
