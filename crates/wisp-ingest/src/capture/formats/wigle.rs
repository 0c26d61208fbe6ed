//! WiGLE CSV, as the WiGLE WiFi Wardriving app (and the ESP32 wardriving loggers that copy it)
//! exports it.
//!
//! ```text
//! WigleWifi-1.6,appRelease=2.70,model=SM-G991B,release=14,device=o1s,...,brand=samsung
//! MAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,RCOIs,MfgrId,Type
//! aa:bb:cc:dd:ee:11,Ward7,[WPA2-EAP-CCMP][ESS],2026-11-02 10:05:00,36,5180,-58,51.5075,-0.1279,40.2,3.5,,,WIFI
//! 00:11:22:33:44:55,Heart monitor,Misc [BLE],2026-11-02 10:05:03,0,,-77,51.5075,-0.1279,40.2,3.5,,76,BLE
//! ```
//!
//! Version 1.4 has no `Frequency` column and ends at `Type`; version 1.6 adds `Frequency` after
//! `Channel` and, from the Android app, `RCOIs` and `MfgrId` before `Type`. Columns are found by
//! their header names, so either layout (and loggers' variants of it) reads the same.
//!
//! Each WIFI row is one observation at one moment and one place, so each becomes its own
//! [`Scan`]: `t` from `FirstSeen`, and `at = Point::new(longitude, latitude)`. **`at` is GPS
//! (degrees), not a plan position**: georeferencing to the floor plan happens later, and a
//! caller that does not georeference must not treat it as pixels. `source` is the row's line.
//!
//! Reading age: despite its name, `FirstSeen` is when the app logged *this* row (each row is one
//! sighting), so a row's reading is as old as its scan and gets no `age_s` here. Grouping rows
//! into scans ([`crate::sightings`]) gives each reading its distance in time from the grouped
//! scan. The age Android's cached scan results have (up to ~30 s) is not in the file: the app
//! writes its own log time, not the result's timestamp.
//!
//! Quirks handled:
//! - Bluetooth, BLE and cellular rows (BT, BLE, GSM, CDMA, LTE, WCDMA, NR) share the file; each
//!   is counted as skipped "not a Wi-Fi record (TYPE)".
//! - SSIDs containing commas are quoted (with `""` for a quote) by current versions; older ones
//!   wrote them bare, giving a row with more fields than the header: the surplus fields are
//!   joined back into the SSID.
//! - `Frequency` (MHz) names the channel when present and non-zero; otherwise `Channel` does,
//!   with the band inferred from the number ([`Channel::infer`]: numbers shared by two bands
//!   take the common one, 2.4 or 5 GHz). Some old exports put the frequency in
//!   `Channel` (e.g. `2437`): a value of 2400 or more is taken as MHz.
//! - `FirstSeen` (`2026-11-02 10:04:05`) is UTC; a `1970-01-01` time (no clock yet) is no time.
//! - `0,0` coordinates mean "no GPS fix": `at` is `None` for that row.
//! - ESP32 loggers write an all-zero MAC for records they could not identify, `#` comment
//!   lines, and sometimes a second header mid-file for a Bluetooth section
//!   (`MAC,Name,RSSI,...`): rows under a header without Wi-Fi columns are counted as skipped.
//! - A row cut short (a crash while logging) is counted as skipped "truncated row".

use crate::capture::stream::{file_text, TextSlice, TextSource};
use crate::capture::{ParsedCapture, Scan};
use crate::IngestError;
use csv::StringRecord;
use wisp_model::{Bssid, Channel, Observation, Point};

/// The `--format` names this family owns.
pub const FORMATS: &[&str] = &["wigle"];

/// This family in the registry ([`super::FAMILIES`]): text formats, parsed from decoded text.
pub struct Wigle;

impl super::CaptureFormat for Wigle {
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
        // From a file, UTF-8 text streams: memory holds the scans, not the file (#16).
        match file_text(input, false) {
            Ok(stream) => parse_source(format, stream, name),
            Err(input) => parse(format, &input.text()?, name),
        }
    }
}

/// The header's first columns, for files whose `WigleWifi-` pre-header line was cut off.
const HEADER_START: &str = "MAC,SSID,AuthMode,FirstSeen,";

/// The format `text` is in, if it is one of this family's.
pub fn detect(text: &str) -> Option<&'static str> {
    let first = text
        .trim_start_matches('\u{feff}')
        .split('\n')
        .next()
        .unwrap_or("");
    (first.starts_with("WigleWifi-") || first.starts_with(HEADER_START)).then_some("wigle")
}

/// Parses `text` (from the file called `name`) as `format`.
pub fn parse(format: &str, text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    parse_source(format, TextSlice::new(text), name)
}

/// Parses the text `src` gives (from the file called `name`) as `format`, record by record.
fn parse_source(
    format: &str,
    src: impl TextSource,
    name: &str,
) -> Result<ParsedCapture, IngestError> {
    if format != "wigle" {
        return Err(IngestError::syntax(format!(
            "format '{format}' is not a WiGLE format"
        )));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(src);
    let mut out = ParsedCapture {
        format: "wigle".into(),
        ..Default::default()
    };
    // The header in force: `Err` for a section whose header lacks Wi-Fi columns.
    let mut columns: Option<Result<Columns, String>> = None;
    // One record buffer for every row (benches/ingest.rs).
    let mut rec = StringRecord::new();
    let mut last = LastRow::default();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if let Some(unreadable) = rdr.get_mut().take_error() {
                    return Err(unreadable);
                }
                let line = e
                    .position()
                    .map(|p| rdr.get_mut().line_at(p.byte()))
                    .unwrap_or(0);
                return Err(IngestError::syntax(format!("WiGLE CSV: {e}")).line(line));
            }
        }
        let line = rec
            .position()
            .map(|p| rdr.get_mut().line_at(p.byte()))
            .unwrap_or(0);
        let first = rec
            .get(0)
            .unwrap_or("")
            .trim_start_matches('\u{feff}')
            .trim();
        if first.starts_with("WigleWifi-") || first.starts_with('#') {
            // The device pre-header (again, when files were concatenated) or a logger's comment.
            continue;
        }
        if rec.len() == 1 && first.is_empty() {
            continue;
        }
        if first == "MAC" {
            let cols = Columns::from_header(&rec);
            if let (None, Err(missing)) = (&columns, &cols) {
                return Err(IngestError::syntax(format!(
                    "WiGLE header lacks the column '{missing}' (expected \
                     MAC,SSID,AuthMode,FirstSeen,Channel,[Frequency,]RSSI,CurrentLatitude,\
                     CurrentLongitude,AltitudeMeters,AccuracyMeters,...,Type)"
                ))
                .line(line));
            }
            columns = Some(cols);
            continue;
        }
        let loc = crate::file_line(name, line);
        match &columns {
            None => {
                return Err(IngestError::syntax(
                    "expected the WiGLE header line 'MAC,SSID,AuthMode,FirstSeen,Channel,...' \
                     before the first record",
                )
                .line(line))
            }
            Some(Err(_)) => out
                .skipped
                .skip("not a Wi-Fi record (section without Wi-Fi columns)", loc),
            Some(Ok(cols)) => match row_scan(cols, &rec, &mut last) {
                Ok(scan) => out.scans.push(Scan {
                    source: loc,
                    ..scan
                }),
                Err(reason) => out.skipped.skip(reason, loc),
            },
        }
    }
    if columns.is_none() {
        return Err(IngestError::syntax(
            "expected a WiGLE CSV: 'WigleWifi-1.x,...' then the header 'MAC,SSID,AuthMode,...'",
        )
        .line(1));
    }
    Ok(out)
}

/// Where the columns wisp needs are, by header name.
struct Columns {
    mac: usize,
    ssid: usize,
    first_seen: usize,
    channel: usize,
    frequency: Option<usize>,
    rssi: usize,
    lat: usize,
    lon: usize,
    kind: Option<usize>,
    len: usize,
}

impl Columns {
    /// The columns of a header record, or the name of a required one it lacks.
    fn from_header(rec: &StringRecord) -> Result<Columns, String> {
        let find = |n: &str| {
            rec.iter()
                .position(|h| h.trim_start_matches('\u{feff}').trim() == n)
        };
        let need = |n: &str| find(n).ok_or_else(|| n.to_string());
        Ok(Columns {
            mac: need("MAC")?,
            ssid: need("SSID")?,
            first_seen: need("FirstSeen")?,
            channel: need("Channel")?,
            frequency: find("Frequency"),
            rssi: need("RSSI")?,
            lat: need("CurrentLatitude")?,
            lon: need("CurrentLongitude")?,
            kind: find("Type"),
            len: rec.len(),
        })
    }
}

/// The time and place of the row before, as written and as read: the rows of one sweep share
/// them, so each is read once a sweep, not once a row (benches/ingest.rs).
#[derive(Default)]
struct LastRow {
    first_seen: (String, Option<f64>),
    at: (String, String, Option<Point>),
}

/// One WIFI row as a scan of one observation (its `source` left for the caller), or why it is
/// skipped.
fn row_scan(cols: &Columns, rec: &StringRecord, last: &mut LastRow) -> Result<Scan, String> {
    // Bare commas in an old SSID push the later columns right by `extra`.
    let extra = rec.len().saturating_sub(cols.len);
    let index = |i: usize| if i > cols.ssid { i + extra } else { i };
    let needed = [
        cols.mac,
        cols.first_seen,
        cols.channel,
        cols.rssi,
        cols.lat,
        cols.lon,
    ]
    .into_iter()
    .chain(cols.kind)
    .map(index)
    .max()
    .unwrap_or(0);
    if needed >= rec.len() {
        // The type may still be readable when only later columns are missing.
        if let Some(kind) = cols.kind.map(index).and_then(|i| rec.get(i)) {
            if kind.trim() != "WIFI" {
                return Err(format!("not a Wi-Fi record ({})", kind.trim()));
            }
        }
        return Err("truncated row".into());
    }
    let field = |i: usize| rec.get(index(i)).unwrap_or("").trim();
    if let Some(k) = cols.kind {
        let kind = field(k);
        if kind != "WIFI" {
            let kind = if kind.is_empty() { "no type" } else { kind };
            return Err(format!("not a Wi-Fi record ({kind})"));
        }
    }
    let bssid: Bssid = field(cols.mac)
        .parse()
        .map_err(|_| "BSSID is not a MAC address")?;
    if bssid.0 == [0; 6] {
        return Err("BSSID is all zeros".into());
    }
    let ssid = match extra {
        0 => rec.get(cols.ssid).unwrap_or("").to_string(),
        _ => (cols.ssid..=cols.ssid + extra)
            .map(|i| rec.get(i).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(","),
    };
    let ssid = (!ssid.is_empty() && !ssid.chars().all(|c| c == '\0')).then_some(ssid);
    let channel = channel(cols.frequency.map(field), field(cols.channel))?;
    let rssi: f64 = field(cols.rssi)
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or("RSSI is not a number")?;
    let obs = Observation::new(bssid, ssid, channel, rssi, None)
        .map_err(|_| "rssi outside -120..0 dBm")?;
    Ok(Scan {
        t: {
            let text = field(cols.first_seen);
            if last.first_seen.0 != text {
                last.first_seen = (text.to_string(), first_seen(text));
            }
            last.first_seen.1
        },
        at: {
            let (lat, lon) = (field(cols.lat), field(cols.lon));
            if last.at.0 != lat || last.at.1 != lon {
                last.at = (lat.to_string(), lon.to_string(), position(lat, lon));
            }
            last.at.2
        },
        source: String::new(),
        observations: vec![obs],
    })
}

/// The channel from the `Frequency` column when it has one, else from `Channel`.
fn channel(frequency: Option<&str>, channel: &str) -> Result<Channel, &'static str> {
    if let Some(mhz) = frequency.and_then(|f| f.parse::<u32>().ok()) {
        if mhz > 0 {
            return Channel::from_freq(mhz).map_err(|_| "frequency is not a Wi-Fi channel");
        }
    }
    let n: u32 = channel.parse().map_err(|_| "no frequency or channel")?;
    if n >= 2400 {
        return Channel::from_freq(n).map_err(|_| "frequency is not a Wi-Fi channel");
    }
    let n = u16::try_from(n).map_err(|_| "channel does not exist")?;
    Channel::infer(n, None, None).map_err(|_| "channel does not name a band (no frequency)")
}

/// `FirstSeen` as seconds since the epoch: `2026-11-02 10:04:05` (UTC), or epoch seconds or
/// milliseconds as some loggers write. 1970 (no clock) is no time.
fn first_seen(s: &str) -> Option<f64> {
    let t = if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
        let v: f64 = s.parse().ok()?;
        // Milliseconds from 1973 on are ≥ 1e11; seconds stay below that until the year 5138.
        if v >= 1e11 {
            v / 1000.0
        } else {
            v
        }
    } else {
        wisp_model::time::parse_rfc3339(s)?
    };
    (t >= 86_400.0 * 366.0).then_some(t)
}

/// GPS position as `Point::new(lon, lat)`; `None` for no fix (0,0) or values that are not
/// coordinates.
fn position(lat: &str, lon: &str) -> Option<Point> {
    let lat: f64 = lat.parse().ok()?;
    let lon: f64 = lon.parse().ok()?;
    let valid = lat.is_finite()
        && lon.is_finite()
        && (-90.0..=90.0).contains(&lat)
        && (-180.0..=180.0).contains(&lon)
        && !(lat == 0.0 && lon == 0.0);
    valid.then(|| Point::new(lon, lat))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::Band;

    const V14: &str = include_str!("../../../tests/fixtures/wigle/wigle_1_4.csv");
    const V16: &str = include_str!("../../../tests/fixtures/wigle/wigle_1_6.csv");

    fn skips(p: &ParsedCapture) -> Vec<(String, usize, Vec<String>)> {
        p.skipped
            .iter()
            .map(|(r, n, l)| (r.to_string(), n, l.to_vec()))
            .collect()
    }

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn version_1_4_with_bare_commas_and_channel_only() {
        assert_eq!(detect(V14), Some("wigle"));
        let p = parse("wigle", V14, "w14.csv").unwrap();
        assert_eq!(p.format, "wigle");
        let sources: Vec<_> = p.scans.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(
            sources,
            [
                "w14.csv:3",
                "w14.csv:4",
                "w14.csv:7",
                "w14.csv:8",
                "w14.csv:11"
            ]
        );
        assert!(p.scans.iter().all(|s| s.observations.len() == 1));

        let s0 = &p.scans[0];
        // 2026-11-02 10:04:05 UTC = 20759 days · 86400 s + 36245 s.
        assert_eq!(s0.t, Some(1_793_613_845.0));
        assert_eq!(s0.at, Some(Point::new(-0.1278, 51.5074)));
        let o = &s0.observations[0];
        assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:01");
        assert_eq!(o.ssid.as_deref(), Some("Ward7"));
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
        assert_eq!(o.rssi_dbm, -61.0);
        assert!(!o.approximate);

        // Quoted SSID with a comma.
        let o = &p.scans[1].observations[0];
        assert_eq!(o.ssid.as_deref(), Some("Cafe, Level 2"));
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G2_4, 6, 2437));
        // Hidden SSID.
        assert_eq!(p.scans[2].observations[0].ssid, None);
        assert_eq!(p.scans[2].observations[0].channel, 1);
        // Channel column holding MHz.
        let o = &p.scans[3].observations[0];
        assert_eq!((o.band, o.channel), (Band::G2_4, 11));
        // Bare commas in the SSID, joined back; later columns still read right.
        let o = &p.scans[4].observations[0];
        assert_eq!(o.ssid.as_deref(), Some("Ward 7, Bay 2, Beds"));
        assert_eq!((o.band, o.channel, o.rssi_dbm), (Band::G5, 44, -67.0));
        assert_eq!(p.scans[4].at, Some(Point::new(-0.1281, 51.5077)));

        assert_eq!(
            skips(&p),
            vec![
                ("not a Wi-Fi record (BLE)".into(), 1, s(&["w14.csv:5"])),
                ("not a Wi-Fi record (GSM)".into(), 1, s(&["w14.csv:6"])),
                ("rssi outside -120..0 dBm".into(), 1, s(&["w14.csv:9"])),
                ("truncated row".into(), 1, s(&["w14.csv:10"])),
            ]
        );
    }

    #[test]
    fn version_1_6_with_frequency_and_extra_columns() {
        assert_eq!(detect(V16), Some("wigle"));
        let p = parse("wigle", V16, "w16.csv").unwrap();
        let sources: Vec<_> = p.scans.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(
            sources,
            [
                "w16.csv:3",
                "w16.csv:4",
                "w16.csv:5",
                "w16.csv:6",
                "w16.csv:12"
            ]
        );
        let o = &p.scans[0].observations[0];
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
        assert_eq!(o.rssi_dbm, -58.0);
        // 10:05:00 is 55 s after 10:04:05.
        assert_eq!(p.scans[0].t, Some(1_793_613_900.0));
        // 6 GHz: the frequency decides, not the channel number.
        let o = &p.scans[1].observations[0];
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G6, 37, 6135));
        // Quotes inside a quoted SSID; no GPS fix.
        let o = &p.scans[2].observations[0];
        assert_eq!(o.ssid.as_deref(), Some("Say \"hi\""));
        assert_eq!(p.scans[2].at, None);
        // Upper-case MAC, RCOIs filled in.
        let o = &p.scans[3].observations[0];
        assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:14");
        assert_eq!((o.band, o.channel), (Band::G5, 149));
        // 1970 means no clock.
        assert_eq!(p.scans[4].t, None);

        assert_eq!(
            skips(&p),
            vec![
                ("BSSID is all zeros".into(), 1, s(&["w16.csv:11"])),
                (
                    "frequency is not a Wi-Fi channel".into(),
                    1,
                    s(&["w16.csv:10"])
                ),
                ("not a Wi-Fi record (BLE)".into(), 1, s(&["w16.csv:7"])),
                ("not a Wi-Fi record (BT)".into(), 1, s(&["w16.csv:8"])),
                ("not a Wi-Fi record (LTE)".into(), 1, s(&["w16.csv:9"])),
            ]
        );
    }

    #[test]
    fn logger_sections_comments_and_crlf() {
        let text = "WigleWifi-1.6,appRelease=1.0,model=ESP32,release=1.0,device=GhostESP\r\n\
MAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,Type\r\n\
aa:bb:cc:dd:ee:01,Ward7,[WPA2],1762077845,6,2437,-50,51.5,-0.1,10,5,WIFI\r\n\
# Bluetooth\r\n\
MAC,Name,RSSI,FirstSeen,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,Type\r\n\
11:22:33:44:55:66,Buds,-70,1762077846,51.5,-0.1,10,5,BLE\r\n\
11:22:33:44:55:67,Watch,-71,1762077847,51.5,-0.1,10,5,BLE\r\n";
        assert_eq!(detect(text), Some("wigle"));
        let p = parse("wigle", text, "esp.csv").unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.scans[0].t, Some(1_762_077_845.0));
        assert_eq!(
            skips(&p),
            vec![(
                "not a Wi-Fi record (section without Wi-Fi columns)".into(),
                2,
                s(&["esp.csv:6", "esp.csv:7"])
            )]
        );
    }

    #[test]
    fn headerless_and_broken_headers_are_errors() {
        let e = parse(
            "wigle",
            "WigleWifi-1.4,appRelease=1\naa:bb:cc:dd:ee:01,x\n",
            "h.csv",
        )
        .unwrap_err();
        assert_eq!(e.line_number(), Some(2));
        let e = parse(
            "wigle",
            "WigleWifi-1.4\nMAC,SSID,AuthMode,FirstSeen\n",
            "h.csv",
        )
        .unwrap_err();
        assert!(e.to_string().contains("'Channel'"), "{e}");
        assert!(parse("wigle", "", "h.csv").is_err());
        assert!(parse("netsh", V14, "h.csv").is_err());
        assert_eq!(detect("MAC,SSID\n"), None);
        assert_eq!(detect("x,y,bssid,rssi_dbm\n"), None);
    }

    #[test]
    fn garbage_and_truncation_never_panic() {
        for cut in (0..V16.len()).filter(|&i| V16.is_char_boundary(i)) {
            let _ = parse("wigle", &V16[..cut], "t.csv");
        }
        let junk = "WigleWifi-1.6\nMAC,SSID,AuthMode,FirstSeen,Channel,Frequency,RSSI,CurrentLatitude,CurrentLongitude,Type\n\
zz,,,,99999999999999999999,4294967296,NaN,inf,-inf,WIFI\n\
aa:bb:cc:dd:ee:01,,,,6,,inf,1,1,WIFI\n\
,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\n\
\"unterminated,\u{0},,,,\n";
        let p = parse("wigle", junk, "j.csv").unwrap();
        assert!(p.scans.is_empty());
        assert_eq!(
            skips(&p),
            vec![
                ("BSSID is not a MAC address".into(), 1, s(&["j.csv:3"])),
                ("RSSI is not a number".into(), 1, s(&["j.csv:4"])),
                ("not a Wi-Fi record (no type)".into(), 1, s(&["j.csv:5"])),
                ("truncated row".into(), 1, s(&["j.csv:6"])),
            ]
        );
    }
}
