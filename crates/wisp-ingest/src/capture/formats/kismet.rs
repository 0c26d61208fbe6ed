//! Kismet logs: the older XML network summary (`.netxml`, Kismet 2008–2016 "classic" and
//! newcore's `kismetdb_to_netxml`-style exports), recognised-and-refused `.gpsxml` track logs,
//! and detection of `.kismet` SQLite logs, which [`super::kismetdb`] reads.
//!
//! ```text
//! <?xml version="1.0" encoding="ISO-8859-1"?>
//! <!DOCTYPE detection-run SYSTEM "http://kismetwireless.net/kismet-3.1.0.dtd">
//! <detection-run kismet-version="2016.07.R1" start-time="Mon Nov  2 10:00:00 2026">
//! <wireless-network number="1" type="infrastructure" first-time="…" last-time="Mon Nov  2 10:04:12 2026">
//!   <SSID …><type>Beacon</type>…<essid cloaked="false">Ward7</essid></SSID>
//!   <BSSID>AA:BB:CC:DD:EE:01</BSSID>
//!   <channel>36</channel>
//!   <freqmhz>5180 120</freqmhz>
//!   <snr-info><last_signal_dbm>-61</last_signal_dbm><last_noise_dbm>-95</last_noise_dbm>…</snr-info>
//!   <gps-info><avg-lat>51.5074</avg-lat><avg-lon>-0.1278</avg-lon>…</gps-info>
//!   <wireless-client …> … its own <channel>, <snr-info>, <gps-info> … </wireless-client>
//! </wireless-network>
//! ```
//!
//! A netxml holds one summary per network, not a time series: each infrastructure network
//! becomes one [`Scan`] with one observation at `last_signal_dbm` (noise from `last_noise_dbm`),
//! `t` from the network's `last-time` and `source` = `"{name}:{line}"` of its
//! `<wireless-network` tag. **`at` is GPS**: `Point::new(avg-lon, avg-lat)` from `gps-info`,
//! in degrees, not a plan position — georeferencing to the floor plan happens later. The
//! reading is the network's last signal, taken at `last-time`, which is the scan's own time:
//! it has no age to tell (`age_s` stays unset).
//!
//! Quirks handled:
//! - `<wireless-client>` elements nest inside their network with the same tag names
//!   (`channel`, `snr-info`, `gps-info`): only the network's own children are read.
//! - `<freqmhz>` appears once per frequency the network was heard on, with a packet count;
//!   2.4 GHz networks are often heard on neighbouring channels. The entry matching the
//!   advertised `<channel>` is taken, else the one with most packets; with none, the channel
//!   number with its band inferred ([`Channel::infer`]).
//! - Several `<SSID>` blocks (beacon, probe response): the Beacon one is preferred. Cloaked
//!   networks whose name Kismet learned from a probe response keep that name; an empty or
//!   all-NUL essid is a hidden network (`ssid: None`).
//! - Signal sentinels: Kismet writes 0 (nothing measured, or an RSSI-only card), −256, 108 or
//!   −128 for "no value"; anything outside −120..0 dBm is counted as skipped "sentinel signal
//!   value". Noise sentinels just leave the noise out.
//! - Times are ctime strings (`Mon Nov  2 10:04:12 2026`) in the logging machine's *local*
//!   time with no zone; they are read as UTC (in the UK, one hour early in summer time).
//! - The file says ISO-8859-1 but Kismet writes SSID bytes as received, usually UTF-8: UTF-8
//!   is tried first, Latin-1 otherwise. Entities `&amp; &lt; &gt; &quot; &apos; &#NN; &#xNN;`
//!   are decoded.
//! - Kismet rewrites the netxml periodically, so a crash leaves it cut mid-network: networks
//!   complete before the cut are kept and the open one is counted "truncated network record".
//! - Non-infrastructure records (`probe`, `ad-hoc`, `data`) are counted as skipped.
//!
//! `.gpsxml` (`<gps-run>`) holds positions only: it is recognised and refused with what to do
//! instead.

use crate::capture::{ParsedCapture, Scan};
use crate::IngestError;
use wisp_model::{Bssid, Channel, Observation, Point};

/// The `--format` names this family owns. `kismet-gpsxml` is recognised only to be refused with
/// a useful message.
pub const FORMATS: &[&str] = &["kismet-netxml", "kismet-gpsxml", "kismetdb"];

use super::kismetdb::SQLITE_MAGIC;
/// How far into a file detection looks.
const SNIFF: usize = 4096;

/// The format `bytes` are in, if it is one of this family's.
pub fn detect(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(SQLITE_MAGIC) {
        // Kismet's schema (table KISMET, devices, packets) sits in the first pages.
        let head = &bytes[..bytes.len().min(1 << 16)];
        return contains(head, b"KISMET").then_some("kismetdb");
    }
    let head = &bytes[..bytes.len().min(SNIFF)];
    let start = head
        .iter()
        .position(|b| !b" \t\r\n\xEF\xBB\xBF".contains(b))
        .unwrap_or(head.len());
    if head.get(start) != Some(&b'<') {
        return None;
    }
    if contains(head, b"<detection-run") {
        Some("kismet-netxml")
    } else if contains(head, b"<gps-run") {
        Some("kismet-gpsxml")
    } else {
        None
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Parses `bytes` (from the file called `name`) as `format`. A `.kismet` log is read from the
/// bytes here; [`crate::parse_capture_file`] reads it from its file instead.
pub fn parse(format: &str, bytes: &[u8], name: &str) -> Result<ParsedCapture, IngestError> {
    // What the file is decides the message, whatever name was forced.
    match detect(bytes) {
        Some("kismetdb") => return super::kismetdb::read(bytes, name),
        _ if format == "kismetdb" => return super::kismetdb::read(bytes, name),
        Some("kismet-gpsxml") => {
            return Err(IngestError::invalid(
                "this is a Kismet .gpsxml file: a GPS track of positions per packet, without the \
                 networks' channels or SSIDs; ingest the .netxml written alongside it",
            ))
        }
        _ if bytes.starts_with(SQLITE_MAGIC) => {
            return Err(IngestError::invalid(
                "an SQLite database that is not a Kismet log",
            ))
        }
        _ => {}
    }
    if !FORMATS.contains(&format) {
        return Err(IngestError::syntax(format!(
            "format '{format}' is not a Kismet format"
        )));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        // Latin-1, as the XML declaration claims: every byte is its own code point.
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    };
    parse_netxml(text.trim_start_matches('\u{feff}'), name)
}

/// One piece of the XML stream.
#[derive(Debug, PartialEq)]
enum Token<'a> {
    /// Tag name, raw attribute text, self-closing.
    Open(&'a str, &'a str, bool),
    Close(&'a str),
    Text(&'a str),
}

/// A tolerant XML tokenizer for Kismet's few tags: no validation, no namespaces; comments,
/// processing instructions and the DOCTYPE are skipped; CDATA is text. Yields the 1-based line
/// each token starts on. An unclosed `<` at the end stops it (a truncated file).
struct Tokens<'a> {
    text: &'a str,
    at: usize,
    line: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = (usize, Token<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let rest = self.text.get(self.at..)?;
            if rest.is_empty() {
                return None;
            }
            let line = self.line;
            let (len, token) = if let Some(lt) = rest.strip_prefix('<') {
                let (skip_to, token) = if lt.starts_with("!--") {
                    (rest.find("-->").map(|i| i + 3), None)
                } else if let Some(cdata) = lt.strip_prefix("![CDATA[") {
                    let end = cdata.find("]]>");
                    (end.map(|i| i + 12), end.map(|i| Token::Text(&cdata[..i])))
                } else if lt.starts_with('?') || lt.starts_with('!') {
                    (rest.find('>').map(|i| i + 1), None)
                } else {
                    let end = rest.find('>');
                    let token = end.map(|i| {
                        let inner = &rest[1..i];
                        if let Some(name) = inner.strip_prefix('/') {
                            Token::Close(name.trim())
                        } else {
                            let closed = inner.ends_with('/');
                            let inner = inner.trim_end_matches('/');
                            let split = inner
                                .find(|c: char| c.is_ascii_whitespace())
                                .unwrap_or(inner.len());
                            Token::Open(&inner[..split], &inner[split..], closed)
                        }
                    });
                    (end.map(|i| i + 1), token)
                };
                (skip_to?, token)
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                (end, Some(Token::Text(&rest[..end])))
            };
            let consumed = &rest[..len];
            self.line += consumed.bytes().filter(|&b| b == b'\n').count();
            self.at += len;
            if let Some(t) = token {
                return Some((line, t));
            }
        }
    }
}

/// The value of attribute `key` in a tag's raw attribute text.
fn attr<'a>(attrs: &'a str, key: &str) -> Option<&'a str> {
    let mut rest = attrs;
    while let Some(i) = rest.find(key) {
        let before_ok = rest[..i]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_ascii_whitespace());
        let after = rest[i + key.len()..].trim_start();
        if let (true, Some(v)) = (before_ok, after.strip_prefix('=')) {
            let v = v.trim_start();
            let quote = v.chars().next()?;
            if quote == '"' || quote == '\'' {
                let v = &v[1..];
                return v.find(quote).map(|end| &v[..end]);
            }
        }
        rest = &rest[i + key.len()..];
    }
    None
}

/// Decodes the five XML entities and numeric character references; others are left as written.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let entity = rest
            .find(';')
            .filter(|&end| end <= 12)
            .map(|end| (&rest[1..end], end));
        let decoded = entity.and_then(|(e, end)| {
            let c = match e {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => {
                    let n = if let Some(h) = e.strip_prefix("#x").or_else(|| e.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else {
                        e.strip_prefix('#').and_then(|d| d.parse().ok())
                    };
                    n.and_then(char::from_u32)
                }
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// What one `<wireless-network>` said, as far as a survey cares.
#[derive(Debug, Default)]
struct Network {
    line: usize,
    kind: String,
    last_time: Option<String>,
    /// (SSID block type, essid text, cloaked)
    ssids: Vec<(String, String, bool)>,
    bssid: Option<String>,
    channel: Option<String>,
    /// (MHz, packets)
    freqs: Vec<(u32, u64)>,
    last_signal: Option<String>,
    last_noise: Option<String>,
    avg_lat: Option<String>,
    avg_lon: Option<String>,
}

fn parse_netxml(text: &str, name: &str) -> Result<ParsedCapture, IngestError> {
    let mut out = ParsedCapture {
        format: "kismet-netxml".into(),
        ..Default::default()
    };
    // Open elements; `net_depth` is where the current <wireless-network> sits in it.
    let mut stack: Vec<&str> = Vec::new();
    let mut network: Option<(usize, Network)> = None;
    let mut seen_run = false;
    let tokens = Tokens {
        text,
        at: 0,
        line: 1,
    };
    for (line, token) in tokens {
        match token {
            Token::Open(tag, attrs, closed) => {
                if tag == "detection-run" {
                    seen_run = true;
                }
                if tag == "wireless-network" && network.is_none() && !closed {
                    network = Some((
                        stack.len(),
                        Network {
                            line,
                            kind: attr(attrs, "type").unwrap_or("").to_string(),
                            last_time: attr(attrs, "last-time").map(str::to_string),
                            ..Default::default()
                        },
                    ));
                }
                if let Some((depth, net)) = &mut network {
                    // The network's own children only: path below it, not inside a client.
                    let path = stack.get(*depth + 1..).unwrap_or(&[]);
                    if tag == "SSID" && path.is_empty() {
                        net.ssids.push(Default::default());
                    }
                    if tag == "essid" && path == ["SSID"] {
                        if let Some(s) = net.ssids.last_mut() {
                            s.2 = attr(attrs, "cloaked") == Some("true");
                        }
                    }
                }
                if !closed {
                    stack.push(tag);
                }
            }
            Token::Close(tag) => {
                // Tolerate mismatches: close up to the nearest open element of that name.
                let Some(pos) = stack.iter().rposition(|&t| t == tag) else {
                    continue;
                };
                stack.truncate(pos);
                if let Some((depth, _)) = &network {
                    if stack.len() <= *depth {
                        if let Some((_, net)) = network.take() {
                            let loc = crate::file_line(name, net.line);
                            match network_scan(&net, &loc) {
                                Ok(scan) => out.scans.push(scan),
                                Err(reason) => out.skipped.skip(reason, loc),
                            }
                        }
                    }
                }
            }
            Token::Text(raw) => {
                let Some((depth, net)) = &mut network else {
                    continue;
                };
                let path = stack.get(*depth + 1..).unwrap_or(&[]);
                let value = || unescape(raw.trim());
                match path {
                    ["SSID", "type"] => {
                        if let Some(s) = net.ssids.last_mut() {
                            s.0 = value();
                        }
                    }
                    // Not trimmed: leading/trailing spaces are part of an SSID.
                    ["SSID", "essid"] => {
                        if let Some(s) = net.ssids.last_mut() {
                            s.1.push_str(&unescape(raw));
                        }
                    }
                    ["BSSID"] => net.bssid = Some(value()),
                    ["channel"] => net.channel = Some(value()),
                    ["freqmhz"] => {
                        let v = value();
                        let mut parts = v.split_whitespace();
                        if let Some(Ok(mhz)) = parts.next().map(str::parse) {
                            let packets = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
                            net.freqs.push((mhz, packets));
                        }
                    }
                    ["snr-info", "last_signal_dbm"] => net.last_signal = Some(value()),
                    ["snr-info", "last_noise_dbm"] => net.last_noise = Some(value()),
                    ["gps-info", "avg-lat"] => net.avg_lat = Some(value()),
                    ["gps-info", "avg-lon"] => net.avg_lon = Some(value()),
                    _ => {}
                }
            }
        }
    }
    if let Some((_, net)) = network {
        out.skipped
            .skip("truncated network record", crate::file_line(name, net.line));
    }
    if !seen_run {
        return Err(IngestError::syntax(
            "expected a Kismet netxml file: a <detection-run> element holding \
             <wireless-network> elements",
        )
        .line(1));
    }
    Ok(out)
}

/// Turns one network summary into a scan, or the reason it cannot be one.
fn network_scan(net: &Network, loc: &str) -> Result<Scan, String> {
    if net.kind != "infrastructure" {
        let kind = if net.kind.is_empty() {
            "untyped"
        } else {
            &net.kind
        };
        return Err(format!("not an infrastructure network ({kind})"));
    }
    let bssid: Bssid = net
        .bssid
        .as_deref()
        .ok_or("no BSSID")?
        .parse()
        .map_err(|_| "unreadable BSSID")?;
    if bssid.0 == [0; 6] {
        return Err("no BSSID".into());
    }
    let signal: f64 = net
        .last_signal
        .as_deref()
        .ok_or("no signal")?
        .parse()
        .map_err(|_| "unreadable signal")?;
    if !(-120.0..0.0).contains(&signal) {
        return Err("sentinel signal value".into());
    }
    let noise = net
        .last_noise
        .as_deref()
        .and_then(|n| n.parse::<f64>().ok())
        .filter(|n| (-120.0..0.0).contains(n));
    let channel = network_channel(net)?;
    let ssid = net
        .ssids
        .iter()
        .find(|s| s.0 == "Beacon")
        .or(net.ssids.first())
        .map(|s| s.1.as_str())
        .filter(|s| !s.is_empty() && !s.chars().all(|c| c == '\0'))
        .map(str::to_string);
    let obs = Observation::new(bssid, ssid, channel, signal, noise)
        .map_err(|_| "rssi outside -120..0 dBm")?;
    let coord = |v: &Option<String>| v.as_deref().and_then(|s| s.parse::<f64>().ok());
    let at = match (coord(&net.avg_lat), coord(&net.avg_lon)) {
        // 0,0 is "no fix"; anything off the globe is junk.
        (Some(lat), Some(lon))
            if (lat, lon) != (0.0, 0.0)
                && (-90.0..=90.0).contains(&lat)
                && (-180.0..=180.0).contains(&lon) =>
        {
            Some(Point::new(lon, lat))
        }
        _ => None,
    };
    Ok(Scan {
        t: net.last_time.as_deref().and_then(parse_ctime),
        at,
        source: loc.to_string(),
        observations: vec![obs],
    })
}

/// The network's channel: the `freqmhz` entry matching `<channel>`, else the busiest one, else
/// the channel number with its band inferred.
fn network_channel(net: &Network) -> Result<Channel, String> {
    let number: Option<u16> = net
        .channel
        .as_deref()
        .and_then(|c| c.parse().ok())
        .filter(|&n| n != 0);
    let heard: Vec<(Channel, u64)> = net
        .freqs
        .iter()
        .filter_map(|&(mhz, n)| Channel::from_freq(mhz).ok().map(|c| (c, n)))
        .collect();
    if let Some(c) = heard
        .iter()
        .find(|(c, _)| Some(c.number) == number)
        .or_else(|| heard.iter().max_by_key(|(_, n)| *n))
    {
        return Ok(c.0);
    }
    let n = number.ok_or("no channel")?;
    Channel::infer(n, None, None).map_err(|_| "channel number names no band".into())
}

/// Seconds since the epoch for a ctime string such as `Mon Nov  2 10:04:12 2026`, read as UTC.
fn parse_ctime(s: &str) -> Option<f64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, month, day, time, year] = parts.as_slice() else {
        return None;
    };
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let day: u32 = day.parse().ok()?;
    let year: u32 = year.parse().ok()?;
    let stamp = format!("{year:04}-{month:02}-{day:02}T{time}Z");
    wisp_model::time::parse_rfc3339(&stamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use wisp_model::Band;

    const NETXML: &str = include_str!("../../../tests/fixtures/kismet/survey.netxml");
    const TRUNCATED: &str = include_str!("../../../tests/fixtures/kismet/crashed.netxml");
    const GPSXML: &str = include_str!("../../../tests/fixtures/kismet/survey.gpsxml");

    fn skips(p: &ParsedCapture) -> Vec<(String, usize, Vec<String>)> {
        p.skipped
            .iter()
            .map(|(r, n, l)| (r.to_string(), n, l.to_vec()))
            .collect()
    }

    #[test]
    fn detects_netxml_gpsxml_and_kismetdb() {
        assert_eq!(detect(NETXML.as_bytes()), Some("kismet-netxml"));
        assert_eq!(detect(GPSXML.as_bytes()), Some("kismet-gpsxml"));
        let mut db = b"SQLite format 3\0\x10\x00".to_vec();
        db.extend([0u8; 80]);
        db.extend(b"CREATE TABLE KISMET (kismet_version TEXT, db_version INT)");
        assert_eq!(detect(&db), Some("kismetdb"));
        assert_eq!(detect(b"SQLite format 3\0 other"), None);
        assert_eq!(detect(b"{\"survey_points\": []}"), None);
        assert_eq!(detect(b"<html><body>detection-run</body></html>"), None);
        // Detected from a schema text alone, but not a database SQLite can open.
        let e = parse("kismetdb", &db, "a.kismet").unwrap_err().to_string();
        assert!(e.contains("cannot read the Kismet log as SQLite"), "{e}");
        let e = parse("kismet-netxml", GPSXML.as_bytes(), "a.gpsxml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("GPS track") && e.contains(".netxml"), "{e}");
    }

    #[test]
    fn netxml_networks_become_scans() {
        let p = parse("kismet-netxml", NETXML.as_bytes(), "s.netxml").unwrap();
        assert_eq!(p.format, "kismet-netxml");
        assert_eq!(p.scans.len(), 4);

        // Network 1: 5 GHz, client's own snr-info/channel must not leak in.
        let s = &p.scans[0];
        assert_eq!(s.source, "s.netxml:5");
        // Mon Nov 2 10:04:12 2026 UTC = 1793613852.
        assert_eq!(s.t, Some(1_793_613_852.0));
        assert_eq!(s.at, Some(Point::new(-0.1278, 51.5074)));
        let o = &s.observations[0];
        assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:01");
        assert_eq!(o.ssid.as_deref(), Some("Ward 7 & ICU"));
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
        assert_eq!((o.rssi_dbm, o.noise_dbm), (-61.0, Some(-95.0)));

        // Network 2: 2.4 GHz heard on 3 frequencies; channel 6 advertised. Cloaked, name
        // unknown; no GPS; noise sentinel 0.
        let s = &p.scans[1];
        assert_eq!(s.source, "s.netxml:61");
        assert_eq!(s.at, None);
        let o = &s.observations[0];
        assert_eq!(o.ssid, None);
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G2_4, 6, 2437));
        assert_eq!((o.rssi_dbm, o.noise_dbm), (-77.0, None));

        // Network 3: Latin-1 é via &#233;, probe response SSID first, Beacon preferred.
        let o = &p.scans[2].observations[0];
        assert_eq!(o.ssid.as_deref(), Some("Café <Staff>"));
        assert_eq!((o.channel, o.rssi_dbm), (11, -70.0));

        // Network 7: no freqmhz, channel 149 → 5 GHz inferred; cloaked but name revealed.
        let o = &p.scans[3].observations[0];
        assert_eq!(o.ssid.as_deref(), Some("Theatres"));
        assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 149, 5745));

        assert_eq!(
            skips(&p),
            vec![
                (
                    "not an infrastructure network (probe)".into(),
                    1,
                    vec!["s.netxml:119".into()]
                ),
                (
                    "sentinel signal value".into(),
                    2,
                    vec!["s.netxml:99".into(), "s.netxml:110".into()]
                ),
            ]
        );
    }

    #[test]
    fn crashed_log_keeps_complete_networks() {
        let p = parse("kismet-netxml", TRUNCATED.as_bytes(), "c.netxml").unwrap();
        assert_eq!(p.scans.len(), 1);
        assert_eq!(p.scans[0].observations[0].rssi_dbm, -55.0);
        assert_eq!(
            skips(&p),
            vec![(
                "truncated network record".into(),
                1,
                vec!["c.netxml:22".into()]
            )]
        );
    }

    #[test]
    fn latin1_bytes_and_entities() {
        assert_eq!(
            unescape("a&amp;b&lt;&gt;&quot;&apos;&#65;&#x42;&bogus;&"),
            "a&b<>\"'AB&bogus;&"
        );
        let xml = b"<detection-run><wireless-network type=\"infrastructure\"><SSID><essid>Caf\xe9</essid></SSID><BSSID>00:11:22:33:44:55</BSSID><channel>1</channel><snr-info><last_signal_dbm>-50</last_signal_dbm></snr-info></wireless-network></detection-run>";
        let p = parse("kismet-netxml", xml, "l").unwrap();
        assert_eq!(p.scans[0].observations[0].ssid.as_deref(), Some("Café"));
        assert_eq!(parse_ctime("Thu Jan  1 00:00:00 1970"), Some(0.0));
        assert_eq!(parse_ctime("garbage"), None);
    }

    #[test]
    fn garbage_is_an_error_truncations_and_mutations_never_panic() {
        assert!(parse("kismet-netxml", b"\x00\x01 not xml", "g").is_err());
        assert!(parse("kismet-netxml", b"<foo><bar/></foo>", "g").is_err());
        let files = [NETXML.as_bytes(), TRUNCATED.as_bytes(), GPSXML.as_bytes()];
        for f in files {
            for cut in 0..=f.len() {
                let _ = parse("kismet-netxml", &f[..cut], "t");
            }
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0x04B1_53E7);
        for i in 0..3000 {
            let mut f = files[i % 2].to_vec();
            for _ in 0..rng.random_range(1..10) {
                let at = rng.random_range(0..f.len());
                match rng.random_range(0..4) {
                    0 => f[at] = rng.random(),
                    1 => f[at] = b"<>/&;\"'#"[rng.random_range(0..8)],
                    2 if f.len() > 1 => {
                        f.remove(at);
                    }
                    _ => f.truncate(at.max(1)),
                }
            }
            let _ = parse("kismet-netxml", &f, "m");
        }
    }
}
