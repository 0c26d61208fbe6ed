//! The macos family (`airport`, `system-profiler`) against hand-made captures whose expected
//! values were worked out by hand from the fixture text.

use wisp_ingest::formats::macos;
use wisp_ingest::{ParsedCapture, Scan};
use wisp_model::{Band, Observation};

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
fn airport_without_bssids_counts_every_row() {
    let p = parse("airport", "airport_sonoma.txt");
    assert_eq!(p.scans.len(), 1);
    assert!(p.scans[0].observations.is_empty());
    assert_eq!(
        skips(&p),
        vec![skip(
            "no BSSID (redacted)",
            3,
            &[
                "airport_sonoma.txt:2",
                "airport_sonoma.txt:3",
                "airport_sonoma.txt:4"
            ]
        )]
    );
}

#[test]
fn system_profiler_with_bssids_and_noise() {
    let p = parse("system-profiler", "system_profiler.json");
    // awdl0 has no networks: one scan, at the line of en0's network list.
    assert_eq!(p.scans.len(), 1);
    let s = &p.scans[0];
    assert_eq!((s.source.as_str(), s.t), ("system_profiler.json:7", None));
    assert_eq!(s.observations.len(), 4);
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
    assert_eq!(
        skips(&p),
        vec![
            skip("no BSSID (redacted)", 1, &["system_profiler.json:35"]),
            skip("no signal level", 1, &["system_profiler.json:43"]),
        ]
    );
}

#[test]
fn system_profiler_redacted_in_a_dated_loop() {
    let p = parse("system-profiler", "system_profiler_sonoma.txt");
    let shape: Vec<(&str, Option<f64>, usize)> = p
        .scans
        .iter()
        .map(|s| (s.source.as_str(), s.t, s.observations.len()))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("system_profiler_sonoma.txt:8", Some(T_10_04_05), 0),
            ("system_profiler_sonoma.txt:56", Some(T_10_04_05 + 30.0), 0),
        ]
    );
    assert_eq!(
        skips(&p),
        vec![skip(
            "no BSSID (redacted)",
            5,
            &[
                "system_profiler_sonoma.txt:9",
                "system_profiler_sonoma.txt:17",
                "system_profiler_sonoma.txt:26",
                "system_profiler_sonoma.txt:57",
                "system_profiler_sonoma.txt:66"
            ]
        )]
    );
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
