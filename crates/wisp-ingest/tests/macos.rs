//! The macos family (`airport`, `system-profiler`) against hand-made captures whose expected
//! values were worked out by hand from the fixture text.

use wisp_ingest::capture::formats::macos;
use wisp_ingest::{ParsedCapture, Scan};
use wisp_model::{Band, Bssid, Channel, Observation};

/// 2026-11-02T10:04:05Z, worked out in tests/linux.rs.
const T_10_04_05: f64 = 1_793_613_845.0;

fn parse(format: &str, name: &str) -> ParsedCapture {
    let path = format!("{}/tests/fixtures/macos/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).unwrap();
    assert_eq!(macos::detect(&text), Some(format), "detecting {name}");
    assert_eq!(wisp_ingest::detect(&text).as_deref(), Some(format));
    macos::parse(format, &text, name).unwrap()
}

fn obs<'a>(scan: &'a Scan, bssid: &str) -> &'a Observation {
    scan.observations
        .iter()
        .find(|o| o.bssid.to_string() == bssid)
        .unwrap_or_else(|| panic!("{bssid} not in {}", scan.source))
}

/// (SSID, band, channel, rssi) of every observation, each an unidentified radio whose stand-in
/// BSSID is the one its SSID, band and channel give.
fn unidentified(scan: &Scan) -> Vec<(Option<&str>, Band, u16, f64)> {
    scan.observations
        .iter()
        .map(|o| {
            assert!(o.unidentified, "{o:?}");
            let ch = Channel::new(o.band, o.channel).unwrap();
            assert_eq!(o.bssid, Bssid::unidentified(o.ssid.as_deref(), ch));
            (o.ssid.as_deref(), o.band, o.channel, o.rssi_dbm)
        })
        .collect()
}

fn skips(p: &ParsedCapture) -> Vec<(String, usize, Vec<String>)> {
    p.skipped
        .iter()
        .map(|(r, n, l)| (r.to_string(), n, l.to_vec()))
        .collect()
}

fn skip(reason: &str, n: usize, locs: &[&str]) -> (String, usize, Vec<String>) {
    (
        reason.to_string(),
        n,
        locs.iter().map(|s| s.to_string()).collect(),
    )
}

#[test]
fn airport_table_read_from_the_right() {
    let p = parse("airport", "airport.txt");
    assert_eq!(p.scans.len(), 1);
    let s = &p.scans[0];
    assert_eq!(
        (s.source.as_str(), s.t, s.at),
        ("airport.txt:3", None, None)
    );
    assert_eq!(s.observations.len(), 5);
    let o = obs(s, "3c:37:86:5e:4a:11");
    assert_eq!(
        (
            o.ssid.as_deref(),
            o.band,
            o.channel,
            o.rssi_dbm,
            o.approximate
        ),
        (Some("Ward7"), Band::G5, 36, -61.0, false)
    );
    assert_eq!(
        obs(s, "3c:37:86:5e:4a:12").ssid.as_deref(),
        Some("NHS Wi-Fi")
    );
    assert_eq!(obs(s, "3c:37:86:5e:4a:20").ssid, None);
    // `0:1b:2c:d:4e:5` with its zeros put back; an SSID that looks like the columns it precedes.
    let odd = obs(s, "00:1b:2c:0d:4e:05");
    assert_eq!(
        (odd.ssid.as_deref(), odd.channel, odd.band, odd.rssi_dbm),
        (Some("Staff -5 6 Y"), 149, Band::G5, -74.0)
    );
    let g = obs(s, "3c:37:86:5e:4a:2f");
    assert_eq!((g.band, g.channel, g.freq_mhz), (Band::G2_4, 11, 2462));
    assert_eq!(
        skips(&p),
        vec![skip("channel does not exist", 1, &["airport.txt:9"])]
    );
}

#[test]
fn airport_without_bssids_keeps_every_row_as_an_unidentified_radio() {
    // Monterey and later: no BSSID column. Each row is a radio known by SSID, band and channel.
    let p = parse("airport", "airport_sonoma.txt");
    assert_eq!(p.scans.len(), 1);
    assert_eq!(
        unidentified(&p.scans[0]),
        vec![
            (Some("Ward7"), Band::G5, 36, -61.0),
            (Some("NHS Wi-Fi"), Band::G5, 36, -63.0),
            (Some("Ward7"), Band::G2_4, 6, -80.0),
        ]
    );
    assert!(p.skipped.is_empty());
}

#[test]
fn system_profiler_with_bssids_and_noise() {
    let p = parse("system-profiler", "system_profiler.json");
    // awdl0 has no networks: one scan, at the line of en0's network list.
    assert_eq!(p.scans.len(), 1);
    let s = &p.scans[0];
    assert_eq!((s.source.as_str(), s.t), ("system_profiler.json:7", None));
    assert_eq!(s.observations.len(), 5);
    let o = obs(s, "3c:37:86:5e:4a:12");
    assert_eq!(
        (
            o.ssid.as_deref(),
            o.band,
            o.channel,
            o.rssi_dbm,
            o.noise_dbm
        ),
        (Some("NHS Wi-Fi"), Band::G5, 36, -63.0, Some(-94.0))
    );
    let g = obs(s, "3c:37:86:5e:4a:21");
    assert_eq!(
        (g.band, g.channel, g.noise_dbm),
        (Band::G2_4, 6, Some(-92.0))
    );
    let six = obs(s, "3c:37:86:5e:4a:31");
    assert_eq!((six.band, six.channel, six.freq_mhz), (Band::G6, 5, 5975));
    // The associated network comes from spairport_current_network_information.
    let cur = obs(s, "3c:37:86:5e:4a:11");
    assert_eq!(
        (cur.ssid.as_deref(), cur.rssi_dbm, cur.noise_dbm),
        (Some("Ward7"), -58.0, Some(-94.0))
    );
    // Line 35: Physio without a BSSID, kept as an unidentified radio.
    let physio = s.observations.iter().find(|o| o.unidentified).unwrap();
    assert_eq!(
        (physio.ssid.as_deref(), physio.channel, physio.rssi_dbm),
        (Some("Physio"), 149, -77.0)
    );
    assert_eq!(
        skips(&p),
        vec![skip("no signal level", 1, &["system_profiler.json:43"])]
    );
}

#[test]
fn system_profiler_redacted_in_a_dated_loop_keeps_current_and_other_networks() {
    let p = parse("system-profiler", "system_profiler_sonoma.txt");
    let shape: Vec<(&str, Option<f64>, usize)> = p
        .scans
        .iter()
        .map(|s| (s.source.as_str(), s.t, s.observations.len()))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("system_profiler_sonoma.txt:8", Some(T_10_04_05), 3),
            ("system_profiler_sonoma.txt:56", Some(T_10_04_05 + 30.0), 2),
        ]
    );
    // The other local networks and the current network, every one without a BSSID: all kept.
    assert_eq!(
        unidentified(&p.scans[0]),
        vec![
            (Some("NHS Wi-Fi"), Band::G5, 36, -63.0),
            (Some("Ward7"), Band::G2_4, 6, -71.0),
            (Some("Ward7"), Band::G5, 36, -58.0),
        ]
    );
    assert_eq!(
        unidentified(&p.scans[1]),
        vec![
            (Some("NHS Wi-Fi"), Band::G5, 36, -65.0),
            (Some("Ward7"), Band::G5, 36, -58.0),
        ]
    );
    assert!(p.skipped.is_empty());
}

#[test]
fn detection_leaves_other_families_alone() {
    for text in [
        "BSS 3c:37:86:5e:4a:11(on wlan0)\n\tfreq: 5180\n\tsignal: -61.00 dBm\n\tSSID: Ward7\n",
        "IN-USE  BSSID              SSID   MODE   CHAN  RATE        SIGNAL  BARS  SECURITY\n",
        "Interface name : Wi-Fi\r\nSSID 1 : Ward7\r\n    BSSID 1   : 3c:37:86:5e:4a:11\r\n    Signal    : 80%\r\n",
        "{\"survey_points\": [{\"x\": 1, \"y\": 2, \"result\": {}}]}",
        "",
    ] {
        assert_eq!(macos::detect(text), None, "{text}");
    }
}
