//! The linux family (`iw`, `iwlist`, `nmcli`, `nmcli-table`) against hand-made captures whose
//! expected values were worked out by hand from the fixture text.

use wisp_ingest::capture::formats::linux;
use wisp_ingest::{ParsedCapture, Scan};
use wisp_model::{Band, Observation};

/// 2026-11-02T10:04:05Z: 20 759 days (56 years with 14 leap days, plus 305 days of 2026) ×
/// 86 400 s + 36 245 s.
const T_10_04_05: f64 = 1_793_613_845.0;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/linux/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

fn parse(format: &str, name: &str) -> ParsedCapture {
    let text = fixture(name);
    assert_eq!(linux::detect(&text), Some(format), "detecting {name}");
    assert_eq!(wisp_ingest::detect(&text).as_deref(), Some(format));
    linux::parse(format, &text, name).unwrap()
}

fn obs<'a>(scan: &'a Scan, bssid: &str) -> &'a Observation {
    scan.observations
        .iter()
        .find(|o| o.bssid.to_string() == bssid)
        .unwrap_or_else(|| panic!("{bssid} not in {}", scan.source))
}

/// (reason, count, locations) of the skip log.
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
fn iw_single_scan_with_every_quirk() {
    let p = parse("iw", "iw_scan.txt");
    assert_eq!(p.format, "iw");
    assert_eq!(p.scans.len(), 1);
    let s = &p.scans[0];
    assert_eq!(s.source, "iw_scan.txt:2");
    assert_eq!((s.t, s.at), (None, None));
    assert_eq!(s.observations.len(), 5);

    let o = obs(s, "3c:37:86:5e:4a:11");
    assert_eq!(o.ssid.as_deref(), Some("Ward7"));
    assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
    assert_eq!(o.rssi_dbm, -61.0);
    assert!(!o.approximate);
    // `last seen: 36 ms ago` is the reading's age; `last seen: 1532.404s [boottime]` is not.
    assert_eq!(o.age_s, Some(0.036));
    // `\xc3\xa9` is UTF-8 é.
    assert_eq!(
        obs(s, "3c:37:86:5e:4a:12").ssid.as_deref(),
        Some("Café Staff")
    );
    let hidden = obs(s, "3c:37:86:5e:4a:20");
    assert_eq!(hidden.ssid, None);
    assert_eq!((hidden.band, hidden.channel), (Band::G2_4, 6));
    // 5975 MHz is 6 GHz channel 5, not 5 GHz.
    let six = obs(s, "3c:37:86:5e:4a:31");
    assert_eq!((six.band, six.channel, six.rssi_dbm), (Band::G6, 5, -78.0));
    // No freq line: the DS Parameter set channel 11 → 2.4 GHz.
    let ds = obs(s, "3c:37:86:5e:4a:40");
    assert_eq!(ds.ssid.as_deref(), Some("Lab\\Test"));
    assert_eq!((ds.band, ds.channel, ds.freq_mhz), (Band::G2_4, 11, 2462));

    assert_eq!(
        skips(&p),
        vec![
            skip("frequency is not a Wi-Fi channel", 1, &["iw_scan.txt:125"]),
            skip("no signal level", 1, &["iw_scan.txt:148"]),
            skip("rssi outside -120..0 dBm", 1, &["iw_scan.txt:136"]),
        ]
    );
}

#[test]
fn iw_loop_with_timestamps_failures_and_hidden_duplicates() {
    let p = parse("iw", "iw_loop.txt");
    assert_eq!(p.scans.len(), 3);
    let (a, b, c) = (&p.scans[0], &p.scans[1], &p.scans[2]);
    assert_eq!(
        (a.source.as_str(), a.t),
        ("iw_loop.txt:1", Some(T_10_04_05))
    );
    assert_eq!(a.observations.len(), 2);
    // The busy-radio run at 10:04:09 is dropped and counted; the next starts at its timestamp.
    assert_eq!(
        (b.source.as_str(), b.t),
        ("iw_loop.txt:24", Some(T_10_04_05 + 8.0))
    );
    assert_eq!(b.observations.len(), 3);
    assert_eq!(obs(b, "3c:37:86:5e:4a:11").rssi_dbm, -59.0);
    // Beacon entry (no SSID, -72) and probe-response entry (Theatres, -71): the named one stays.
    let theatres = obs(b, "3c:37:86:5e:4a:30");
    assert_eq!(
        (theatres.ssid.as_deref(), theatres.rssi_dbm),
        (Some("Theatres"), -71.0)
    );
    // `date` output: Mon Nov  2 10:04:20 GMT 2026.
    assert_eq!(
        (c.source.as_str(), c.t),
        ("iw_loop.txt:65", Some(T_10_04_05 + 15.0))
    );
    assert_eq!(c.observations.len(), 1);
    assert_eq!(
        skips(&p),
        vec![
            skip("BSSID listed twice in one scan", 1, &["iw_loop.txt:45"]),
            skip(
                "scan failed (tool printed an error)",
                1,
                &["iw_loop.txt:23"]
            ),
        ]
    );
}

#[test]
fn iw_outputs_concatenated_without_separators_split_at_the_first_bss() {
    let p = parse("iw", "iw_concat.txt");
    let shape: Vec<(&str, usize)> = p
        .scans
        .iter()
        .map(|s| (s.source.as_str(), s.observations.len()))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("iw_concat.txt:1", 3),
            ("iw_concat.txt:31", 2),
            ("iw_concat.txt:51", 2)
        ]
    );
    assert!(p.scans.iter().all(|s| s.t.is_none()));
    assert_eq!(obs(&p.scans[1], "3c:37:86:5e:4a:11").rssi_dbm, -62.0);
    assert!(p.skipped.is_empty());
}

#[test]
fn iwlist_scan_with_noise_escapes_and_inferred_band() {
    let p = parse("iwlist", "iwlist_scan.txt");
    assert_eq!(p.scans.len(), 1);
    let s = &p.scans[0];
    assert_eq!((s.source.as_str(), s.t), ("iwlist_scan.txt:5", None));
    assert_eq!(s.observations.len(), 5);
    let o = obs(s, "3c:37:86:5e:4a:11");
    assert_eq!(
        (
            o.ssid.as_deref(),
            o.band,
            o.channel,
            o.rssi_dbm,
            o.noise_dbm
        ),
        (Some("Ward7"), Band::G5, 36, -61.0, None)
    );
    let hidden = obs(s, "3c:37:86:5e:4a:20");
    assert_eq!(
        (hidden.ssid.as_deref(), hidden.channel, hidden.noise_dbm),
        (None, 6, Some(-95.0))
    );
    // Unescaped quotes stay; \xC3\xA9 is é.
    assert_eq!(
        obs(s, "3c:37:86:5e:4a:22").ssid.as_deref(),
        Some("Café \"Staff\"")
    );
    let six = obs(s, "3c:37:86:5e:4a:31");
    assert_eq!((six.band, six.channel, six.freq_mhz), (Band::G6, 5, 5975));
    // Only `Channel:11`: band inferred; a lone backslash is not an escape in iwlist.
    let lab = obs(s, "3c:37:86:5e:4a:40");
    assert_eq!(
        (lab.ssid.as_deref(), lab.band, lab.channel),
        (Some("Lab\\Net"), Band::G2_4, 11)
    );
    assert_eq!(
        skips(&p),
        vec![
            skip("invalid BSSID", 1, &["iwlist_scan.txt:50"]),
            skip("rssi outside -120..0 dBm", 1, &["iwlist_scan.txt:44"]),
        ]
    );
}

#[test]
fn iwlist_old_driver_percentages_and_failures() {
    let p = parse("iwlist", "iwlist_old_driver.txt");
    assert_eq!(p.scans.len(), 2);
    let o = obs(&p.scans[0], "00:1b:2c:3d:4e:5f");
    // 60/100 → 60 / 2 − 100 = −70 dBm, approximate; `Noise level:0/100` is no dBm value.
    assert_eq!(
        (o.rssi_dbm, o.approximate, o.noise_dbm, o.channel),
        (-70.0, true, None, 11)
    );
    assert_eq!(p.scans[0].observations.len(), 1);
    // `No scan results` of the same interface: the next (empty) scan of a loop.
    assert_eq!(p.scans[1].source, "iwlist_old_driver.txt:16");
    assert!(p.scans[1].observations.is_empty());
    assert_eq!(
        skips(&p),
        vec![
            skip(
                "scan failed (tool printed an error)",
                1,
                &["iwlist_old_driver.txt:15"]
            ),
            skip(
                "signal level in driver units (not dBm)",
                1,
                &["iwlist_old_driver.txt:10"]
            ),
        ]
    );
}

#[test]
fn nmcli_terse_selected_fields_in_a_loop() {
    let p = parse("nmcli", "nmcli_terse.txt");
    assert_eq!(p.scans.len(), 2);
    let (a, b) = (&p.scans[0], &p.scans[1]);
    assert_eq!(
        (a.source.as_str(), a.t),
        ("nmcli_terse.txt:1", Some(T_10_04_05))
    );
    assert_eq!(a.observations.len(), 4);
    let o = obs(a, "3c:37:86:5e:4a:11");
    // 82 % → 82 / 2 − 100 = −59 dBm.
    assert_eq!(
        (o.ssid.as_deref(), o.rssi_dbm, o.approximate, o.channel),
        (Some("Ward7"), -59.0, true, 36)
    );
    assert_eq!(
        obs(a, "3c:37:86:5e:4a:12").ssid.as_deref(),
        Some("Lab\\Net:2")
    );
    let hidden = obs(a, "3c:37:86:5e:4a:20");
    assert_eq!(
        (hidden.ssid.as_deref(), hidden.rssi_dbm, hidden.band),
        (None, -72.5, Band::G2_4)
    );
    let six = obs(a, "3c:37:86:5e:4a:31");
    assert_eq!((six.band, six.channel, six.rssi_dbm), (Band::G6, 5, -84.5));
    assert_eq!(
        (b.source.as_str(), b.t),
        ("nmcli_terse.txt:8", Some(T_10_04_05 + 5.0))
    );
    assert_eq!(b.observations.len(), 2);
    assert_eq!(obs(b, "3c:37:86:5e:4a:12").rssi_dbm, -61.0);
    assert_eq!(
        skips(&p),
        vec![
            skip(
                "frequency is not a Wi-Fi channel",
                1,
                &["nmcli_terse.txt:7"]
            ),
            skip(
                "row has an unexpected number of fields",
                1,
                &["nmcli_terse.txt:12"]
            ),
            skip(
                "signal percentage outside 0..100",
                1,
                &["nmcli_terse.txt:11"]
            ),
        ]
    );
}

#[test]
fn nmcli_terse_default_fields_tell_channel_from_signal() {
    let p = parse("nmcli", "nmcli_terse_default.txt");
    // No timestamps: the BSSID seen again on line 6 starts the second listing.
    let shape: Vec<(&str, usize)> = p
        .scans
        .iter()
        .map(|s| (s.source.as_str(), s.observations.len()))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("nmcli_terse_default.txt:1", 5),
            ("nmcli_terse_default.txt:6", 3)
        ]
    );
    let a = &p.scans[0];
    let o = obs(a, "3c:37:86:5e:4a:33");
    assert_eq!((o.band, o.channel, o.rssi_dbm), (Band::G5, 149, -83.5));
    assert_eq!(obs(a, "3c:37:86:5e:4a:20").ssid, None);
    assert_eq!(
        obs(a, "3c:37:86:5e:4a:12").ssid.as_deref(),
        Some("NHS Wi-Fi")
    );
    let physio = obs(&p.scans[1], "3c:37:86:5e:4a:40");
    assert_eq!(
        (physio.channel, physio.band, physio.rssi_dbm),
        (1, Band::G2_4, -50.0)
    );
    assert!(p.skipped.is_empty());
}

#[test]
fn nmcli_terse_all_fields() {
    let p = parse("nmcli", "nmcli_all.txt");
    assert_eq!(p.scans.len(), 1);
    let s = &p.scans[0];
    assert_eq!(s.observations.len(), 3);
    let o = obs(s, "3c:37:86:5e:4a:11");
    assert_eq!(
        (o.ssid.as_deref(), o.freq_mhz, o.rssi_dbm),
        (Some("Ward7"), 5180, -59.0)
    );
    assert_eq!(obs(s, "3c:37:86:5e:4a:20").ssid, None);
    let cafe = obs(s, "3c:37:86:5e:4a:22");
    assert_eq!(
        (cafe.ssid.as_deref(), cafe.channel, cafe.rssi_dbm),
        (Some("Café"), 1, -70.0)
    );
}

#[test]
fn nmcli_table_with_wide_characters_crlf_and_hidden() {
    let p = parse("nmcli-table", "nmcli_table.txt");
    assert_eq!(p.scans.len(), 2);
    let (a, b) = (&p.scans[0], &p.scans[1]);
    assert_eq!((a.source.as_str(), a.t), ("nmcli_table.txt:2", None));
    assert_eq!(a.observations.len(), 6);
    assert_eq!(obs(a, "3c:37:86:5e:4a:20").ssid, None);
    assert_eq!(
        obs(a, "3c:37:86:5e:4a:12").ssid.as_deref(),
        Some("NHS Wi-Fi")
    );
    // Each CJK character takes two columns: the row still lines up with the header.
    let wide = obs(a, "3c:37:86:5e:4a:23");
    assert_eq!(
        (wide.ssid.as_deref(), wide.channel, wide.rssi_dbm),
        (Some("病院ゲスト"), 11, -76.5)
    );
    // Channel 37 (≡ 1 mod 4) exists only in 6 GHz: 5950 + 5 × 37 = 6135 MHz.
    let six = obs(a, "3c:37:86:5e:4a:31");
    assert_eq!((six.band, six.freq_mhz), (Band::G6, 6135));
    assert_eq!(
        (b.source.as_str(), b.t),
        ("nmcli_table.txt:9", Some(T_10_04_05 + 55.0))
    );
    assert_eq!(obs(b, "3c:37:86:5e:4a:11").rssi_dbm, -62.0);
    // `3C:37:86:5E:4A:zz`: a masked octet, so an unidentified radio keyed by SSID, band and
    // channel, not a refused row.
    let masked = a.observations.iter().find(|o| o.unidentified).unwrap();
    assert_eq!(
        (masked.ssid.as_deref(), masked.channel, masked.rssi_dbm),
        (Some("Broken"), 1, -90.0)
    );
    assert_eq!(
        masked.bssid,
        wisp_model::Bssid::unidentified(
            Some("Broken"),
            wisp_model::Channel::from_freq(2412).unwrap()
        )
    );
    assert!(p.skipped.is_empty());
}

#[test]
fn detection_leaves_other_families_alone() {
    for text in [
        "Interface name : Wi-Fi\r\nThere are 2 networks currently visible.\r\n\r\nSSID 1 : Ward7\r\n    BSSID 1                 : 3c:37:86:5e:4a:11\r\n    Signal                  : 80%\r\n",
        "WigleWifi-1.4,appRelease=2.70,model=Pixel 7\nMAC,SSID,AuthMode,FirstSeen,Channel,RSSI,CurrentLatitude,CurrentLongitude,AltitudeMeters,AccuracyMeters,Type\n3c:37:86:5e:4a:11,Ward7,[WPA2],2026-11-02 10:04:05,36,-61,51.5,-0.1,10,5,WIFI\n",
        "                            SSID BSSID             RSSI CHANNEL HT CC SECURITY (auth/unicast/group)\n                           Ward7 3c:37:86:5e:4a:11 -61  36,+1   Y  GB WPA2(PSK/AES/AES)\n",
        "x,y,bssid,ssid,freq_mhz,rssi_dbm\n1,2,3c:37:86:5e:4a:11,Ward7,5180,-61\n",
        "",
    ] {
        assert_eq!(linux::detect(text), None, "{text}");
    }
}

/// (SSID, band, channel, rssi) of every unidentified radio of a scan, each checked to carry the
/// stand-in BSSID its SSID, band and channel give.
fn unidentified(scan: &Scan) -> Vec<(Option<&str>, Band, u16, f64)> {
    scan.observations
        .iter()
        .filter(|o| o.unidentified)
        .map(|o| {
            let ch = wisp_model::Channel::new(o.band, o.channel).unwrap();
            assert_eq!(
                o.bssid,
                wisp_model::Bssid::unidentified(o.ssid.as_deref(), ch)
            );
            (o.ssid.as_deref(), o.band, o.channel, o.rssi_dbm)
        })
        .collect()
}

#[test]
fn masked_iw_scan_is_read_not_refused() {
    let p = parse("iw", "iw_masked.txt");
    assert_eq!(p.scans.len(), 1);
    let s = &p.scans[0];
    // Ward7 on 5180 MHz masked twice (-61, -75): one unidentified radio at its strongest.
    assert_eq!(
        unidentified(s),
        vec![
            (Some("Ward7"), Band::G5, 36, -61.0),
            (Some("NHS Wi-Fi"), Band::G2_4, 6, -70.0),
        ]
    );
    let known = obs(s, "3c:37:86:5e:4a:11");
    assert_eq!((known.channel, known.rssi_dbm), (100, -80.0));
    assert!(!known.unidentified);
    assert_eq!(
        skips(&p),
        vec![skip(
            "unidentified radio listed twice in one scan (strongest kept)",
            1,
            &["iw_masked.txt:10"]
        )]
    );
}

#[test]
fn masked_iwlist_cells_are_unidentified_radios() {
    let p = parse("iwlist", "iwlist_masked.txt");
    assert_eq!(p.scans.len(), 1);
    assert_eq!(
        unidentified(&p.scans[0]),
        vec![
            (Some("Ward7"), Band::G2_4, 6, -39.0),
            (None, Band::G5, 36, -60.0),
        ]
    );
    assert!(p.skipped.is_empty());
}

#[test]
fn iwlist_cell_listed_twice_is_reported_once_kept() {
    // A hidden AP's beacon cell (no ESSID, -50) and its probe-response cell (Ward7, -52): one
    // radio; the named reading is kept and the repeat reported.
    let p = parse("iwlist", "iwlist_twice.txt");
    let s = &p.scans[0];
    assert_eq!(s.observations.len(), 1);
    let o = obs(s, "3c:37:86:5e:4a:11");
    assert_eq!((o.ssid.as_deref(), o.rssi_dbm), (Some("Ward7"), -52.0));
    assert_eq!(
        skips(&p),
        vec![skip(
            "BSSID listed twice in one scan",
            1,
            &["iwlist_twice.txt:6"]
        )]
    );
}
