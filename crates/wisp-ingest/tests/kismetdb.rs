//! Kismet `.kismet` (SQLite) logs, built here with Kismet's own schema (db_version 8) and read
//! back through the file path and through the bytes alone.

use rusqlite::{params, Connection};
use std::path::Path;
use wisp_ingest::{parse_capture, parse_capture_file, skip_reason};
use wisp_model::{Band, Point};

/// Kismet's `KISMET`, `devices` and `packets` tables (db_version 8), plus the tables a survey
/// never reads, so the file looks like Kismet's.
const SCHEMA: &str = "
CREATE TABLE KISMET (kismet_version TEXT, db_version INT, db_module TEXT);
CREATE TABLE devices (first_time INT, last_time INT, devkey TEXT, phyname TEXT, devmac TEXT,
  strongest_signal INT, min_lat REAL, min_lon REAL, max_lat REAL, max_lon REAL, avg_lat REAL,
  avg_lon REAL, bytes_data INT, type TEXT, device BLOB, UNIQUE(phyname, devmac) ON CONFLICT REPLACE);
CREATE TABLE packets (ts_sec INT, ts_usec INT, phyname TEXT, sourcemac TEXT, destmac TEXT,
  transmac TEXT, frequency REAL, devkey TEXT, lat REAL, lon REAL, alt REAL, speed REAL,
  heading REAL, packet_len INT, signal INT, datasource TEXT, dlt INT, packet BLOB, error INT,
  tags TEXT, datarate REAL, hash INT, packetid INT);
CREATE TABLE data (ts_sec INT, ts_usec INT, phyname TEXT, devmac TEXT, lat REAL, lon REAL,
  alt REAL, speed REAL, heading REAL, datasource TEXT, type TEXT, json BLOB);
CREATE TABLE datasources (uuid TEXT, typestring TEXT, definition TEXT, name TEXT,
  interface TEXT, json BLOB, UNIQUE(uuid) ON CONFLICT REPLACE);
CREATE TABLE alerts (ts_sec INT, ts_usec INT, phyname TEXT, devmac TEXT, lat REAL, lon REAL,
  header TEXT, json BLOB);
CREATE TABLE messages (ts_sec INT, lat REAL, lon REAL, msgtype TEXT, message TEXT);
CREATE TABLE snapshots (ts_sec INT, ts_usec INT, lat REAL, lon REAL, snaptype TEXT, json BLOB);
";

const AP1: &str = "AA:BB:CC:DD:EE:01";
const AP2: &str = "AA:BB:CC:DD:EE:02";
const CLIENT: &str = "11:22:33:44:55:66";
const BT: &str = "00:1A:7D:DA:71:13";
const WIRED: &str = "00:50:56:00:00:01";

fn ap_json(ssid: &str, cloaked: u8) -> String {
    format!(
        r#"{{"kismet.device.base.type": "Wi-Fi AP", "dot11.device": {{
            "dot11.device.last_beaconed_ssid_record": {{"dot11.advertisedssid.ssid": "{ssid}",
                "dot11.advertisedssid.cloaked": {cloaked}, "dot11.advertisedssid.beacon": 1}}}}}}"#
    )
}

/// A packet row: (ts_sec, ts_usec, phy, sourcemac, transmac, kHz, lat, lon, signal).
type Packet<'a> = (i64, i64, &'a str, &'a str, &'a str, f64, f64, f64, i64);

fn write_log(path: &Path) {
    let c = Connection::open(path).unwrap();
    c.execute_batch(SCHEMA).unwrap();
    c.execute("INSERT INTO KISMET VALUES ('2023.07.R1', 8, 'kismet')", [])
        .unwrap();
    let devices = [
        ("IEEE802.11", AP1, "Wi-Fi AP", ap_json("Ward7", 0)),
        ("IEEE802.11", AP2, "Wi-Fi AP", ap_json("", 1)),
        (
            "IEEE802.11",
            CLIENT,
            "Wi-Fi Client",
            r#"{"kismet.device.base.type": "Wi-Fi Client"}"#.to_string(),
        ),
        ("Bluetooth", BT, "BR/EDR", "{}".to_string()),
    ];
    for (phy, mac, kind, json) in devices {
        c.execute(
            "INSERT INTO devices (first_time, last_time, devkey, phyname, devmac, strongest_signal, type, device)
             VALUES (1793613800, 1793613900, 'k', ?1, ?2, -50, ?3, ?4)",
            params![phy, mac, kind, json.as_bytes()],
        )
        .unwrap();
    }
    let packets: [Packet; 9] = [
        // 1: a beacon from AP1 on 5180 MHz at a GPS fix.
        (
            1_793_613_845,
            250_000,
            "IEEE802.11",
            AP1,
            AP1,
            5_180_000.0,
            51.5,
            -0.12,
            -61,
        ),
        // 2: the hidden AP2 on 2437 MHz, 0.0002° north.
        (
            1_793_613_846,
            0,
            "IEEE802.11",
            AP2,
            AP2,
            2_437_000.0,
            51.5002,
            -0.12,
            -70,
        ),
        // 3: AP1 without a fix.
        (
            1_793_613_847,
            0,
            "IEEE802.11",
            AP1,
            AP1,
            5_180_000.0,
            0.0,
            0.0,
            -65,
        ),
        // 4: AP1 with no signal measured.
        (
            1_793_613_848,
            0,
            "IEEE802.11",
            AP1,
            AP1,
            5_180_000.0,
            51.5,
            -0.12,
            0,
        ),
        // 5: AP1 with a sentinel signal.
        (
            1_793_613_849,
            0,
            "IEEE802.11",
            AP1,
            AP1,
            5_180_000.0,
            51.5,
            -0.12,
            -128,
        ),
        // 6: a client's frame.
        (
            1_793_613_850,
            0,
            "IEEE802.11",
            CLIENT,
            CLIENT,
            5_180_000.0,
            51.5,
            -0.12,
            -55,
        ),
        // 7: Bluetooth.
        (
            1_793_613_851,
            0,
            "Bluetooth",
            BT,
            BT,
            2_402_000.0,
            51.5,
            -0.12,
            -40,
        ),
        // 8: a from-DS data frame: source a wired host, transmitted by AP1.
        (
            1_793_613_852,
            500_000,
            "IEEE802.11",
            WIRED,
            AP1,
            5_180_000.0,
            51.5,
            -0.12,
            -63,
        ),
        // 9: a transmitter Kismet wrote no device record for.
        (
            1_793_613_853,
            0,
            "IEEE802.11",
            "DE:AD:BE:EF:00:01",
            "DE:AD:BE:EF:00:01",
            5_180_000.0,
            51.5,
            -0.12,
            -80,
        ),
    ];
    for (s, us, phy, src, trans, khz, lat, lon, sig) in packets {
        c.execute(
            "INSERT INTO packets (ts_sec, ts_usec, phyname, sourcemac, destmac, transmac, frequency,
               devkey, lat, lon, alt, speed, heading, packet_len, signal, datasource, dlt, packet, error)
             VALUES (?1, ?2, ?3, ?4, 'FF:FF:FF:FF:FF:FF', ?5, ?6, 'k', ?7, ?8, 40.0, 0, 0, 120, ?9, 'uuid', 127, x'00', 0)",
            params![s, us, phy, src, trans, khz, lat, lon, sig],
        )
        .unwrap();
    }
}

fn skips(p: &wisp_ingest::ParsedCapture) -> Vec<(String, usize)> {
    p.skipped
        .iter()
        .map(|(r, n, _)| (r.to_string(), n))
        .collect()
}

#[test]
fn packets_from_access_points_become_gps_scans() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("survey.kismet");
    write_log(&path);
    let before = std::fs::read(&path).unwrap();
    let from_file = parse_capture_file(&path, None).unwrap();
    // The capture is never modified, and nothing is written beside it (no journal, no WAL).
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let beside: Vec<_> = std::fs::read_dir(d.path()).unwrap().collect();
    assert_eq!(beside.len(), 1);
    // The bytes alone read the same.
    let from_bytes = parse_capture(&before, "survey.kismet", None).unwrap();
    assert_eq!(from_file, from_bytes);

    let p = from_file;
    assert_eq!(p.format, "kismetdb");
    assert_eq!(p.scans.len(), 4, "{:?}", p.scans);
    let s = &p.scans[0];
    assert_eq!(s.source, "survey.kismet#packets:1");
    assert_eq!(s.t, Some(1_793_613_845.25));
    assert_eq!(s.at, Some(Point::new(-0.12, 51.5)));
    let o = &s.observations[0];
    assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:01");
    assert_eq!(o.ssid.as_deref(), Some("Ward7"));
    assert_eq!((o.band, o.channel, o.freq_mhz), (Band::G5, 36, 5180));
    assert_eq!((o.rssi_dbm, o.noise_dbm), (-61.0, None));

    let o = &p.scans[1].observations[0];
    assert_eq!(o.bssid.to_string(), "aa:bb:cc:dd:ee:02");
    assert_eq!(o.ssid, None, "hidden SSID stays hidden");
    assert_eq!((o.band, o.channel, o.rssi_dbm), (Band::G2_4, 6, -70.0));

    // Packet 3 has no fix: kept without a position, for a track to place.
    assert_eq!(p.scans[2].source, "survey.kismet#packets:3");
    assert_eq!(p.scans[2].at, None);

    // Packet 8: the transmitter, not the wired source, is the radio heard.
    let s = &p.scans[3];
    assert_eq!(s.source, "survey.kismet#packets:8");
    assert_eq!(s.t, Some(1_793_613_852.5));
    assert_eq!(s.observations[0].bssid.to_string(), "aa:bb:cc:dd:ee:01");
    assert_eq!(s.observations[0].rssi_dbm, -63.0);

    assert_eq!(
        skips(&p),
        vec![
            ("no device record for the transmitter".into(), 1),
            ("no signal (0)".into(), 1),
            ("not a Wi-Fi packet (Bluetooth)".into(), 1),
            ("not from an access point (Wi-Fi Client)".into(), 1),
            ("sentinel signal value".into(), 1),
        ]
    );
    let locs: Vec<&[String]> = p.skipped.iter().map(|(_, _, l)| l).collect();
    assert_eq!(locs[0], ["survey.kismet#packets:9".to_string()]);
    assert_eq!(locs[1], ["survey.kismet#packets:4".to_string()]);
}

#[test]
fn a_site_places_kismet_packets_through_its_georef() {
    let d = tempfile::tempdir().unwrap();
    write_log(&d.path().join("survey.kismet"));
    image::RgbImage::new(1000, 1000)
        .save(d.path().join("plan.png"))
        .unwrap();
    // 0.001° of longitude at 51.5° N is 69.2206 m = 692.2056 px at 0.1 m/px (as in placement.rs).
    let manifest = "name = \"T\"\n[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.1\n\
        georef = [{ at = [100, 900], lat = 51.5, lon = -0.1205 }, { at = [792.2056496746869, 900], lat = 51.5, lon = -0.1195 }]\n\
        [[floors.captures]]\nfile = \"survey.kismet\"\n";
    std::fs::write(d.path().join("site.toml"), manifest).unwrap();
    let site = wisp_ingest::load_site(d.path(), &["healthcare-voice".into()]).unwrap();
    let (samples, reports) = wisp_ingest::ingest_floor(&site.floors[0]).unwrap();
    assert_eq!(reports[0].format, "kismetdb");
    assert_eq!(samples.len(), 3);
    // Hand-computed: lon −0.12 is halfway → x = 10 + 34.6103 m; lat 51.5 → y = 90 m; 0.0002°
    // north is R·0.0002·π/180 = 22.2390 m up the plan.
    assert!(
        (samples[0].x_m - 44.610_282).abs() < 1e-5,
        "{:?}",
        samples[0]
    );
    assert!((samples[0].y_m - 90.0).abs() < 1e-6);
    assert!((samples[1].y_m - (90.0 - 22.239_016)).abs() < 1e-5);
    assert_eq!(samples[0].t.as_deref(), Some("2026-11-02T10:04:05.250Z"));
    let no_fix = reports[0]
        .skipped
        .iter()
        .find(|(r, _, _)| *r == skip_reason::NO_POSITION)
        .map(|(_, n, l)| (n, l.to_vec()));
    assert_eq!(
        no_fix,
        Some((1, vec!["survey.kismet#packets:3".to_string()]))
    );
    assert_eq!(reports[0].skipped.total(), 6);
}

#[test]
fn old_logs_scale_integer_positions() {
    // db_version 4: lat/lon are integers × 100 000, and there is no transmac, ts_usec or error.
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("old.kismet");
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE KISMET (kismet_version TEXT, db_version INT);
         INSERT INTO KISMET VALUES ('2018.08.BETA1', 4);
         CREATE TABLE devices (phyname TEXT, devmac TEXT, type TEXT, device BLOB);
         CREATE TABLE packets (ts_sec INT, phyname TEXT, sourcemac TEXT, frequency REAL, lat INT, lon INT, signal INT);",
    )
    .unwrap();
    c.execute(
        "INSERT INTO devices VALUES ('IEEE802.11', ?1, 'Wi-Fi AP', ?2)",
        params![AP1, ap_json("Ward7", 0)],
    )
    .unwrap();
    c.execute(
        "INSERT INTO packets VALUES (1793613845, 'IEEE802.11', ?1, 2412000, 5150000, -12000, -58)",
        params![AP1],
    )
    .unwrap();
    drop(c);
    let p = parse_capture_file(&path, None).unwrap();
    assert_eq!(p.scans.len(), 1);
    assert_eq!(p.scans[0].at, Some(Point::new(-0.12, 51.5)));
    assert_eq!(p.scans[0].t, Some(1_793_613_845.0));
    assert_eq!(p.scans[0].observations[0].channel, 1);
}

#[test]
fn device_type_from_the_json_when_the_log_has_no_type_column() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("untyped.kismet");
    let c = Connection::open(&path).unwrap();
    c.execute_batch(
        "CREATE TABLE KISMET (kismet_version TEXT, db_version INT);
         INSERT INTO KISMET VALUES ('x', 6);
         CREATE TABLE devices (phyname TEXT, devmac TEXT, device BLOB);
         CREATE TABLE packets (ts_sec INT, phyname TEXT, sourcemac TEXT, frequency REAL, lat REAL, lon REAL, signal INT);",
    )
    .unwrap();
    for (mac, json) in [
        (AP1, ap_json("Ward7", 0)),
        (
            CLIENT,
            r#"{"kismet.device.base.type": "Wi-Fi Client"}"#.to_string(),
        ),
    ] {
        c.execute(
            "INSERT INTO devices VALUES ('IEEE802.11', ?1, ?2)",
            params![mac, json],
        )
        .unwrap();
    }
    for mac in [AP1, CLIENT] {
        c.execute(
            "INSERT INTO packets VALUES (1793613845, 'IEEE802.11', ?1, 2437000, 51.5, -0.12, -58)",
            params![mac],
        )
        .unwrap();
    }
    drop(c);
    let p = parse_capture_file(&path, None).unwrap();
    assert_eq!(p.scans.len(), 1);
    assert_eq!(p.scans[0].observations[0].ssid.as_deref(), Some("Ward7"));
    assert_eq!(
        skips(&p),
        vec![("not from an access point (Wi-Fi Client)".to_string(), 1)]
    );
}

#[test]
fn schema_problems_name_what_was_expected() {
    let d = tempfile::tempdir().unwrap();
    let cases = [
        (
            "CREATE TABLE KISMET (kismet_version TEXT, db_version INT); INSERT INTO KISMET VALUES ('x', 8);
             CREATE TABLE devices (phyname TEXT, devmac TEXT, type TEXT, device BLOB);
             CREATE TABLE packets (ts_sec INT, phyname TEXT, sourcemac TEXT, frequency REAL, lat REAL, lon REAL);",
            "Kismet log (db_version 8): table packets has no column signal (expected columns ts_sec,",
        ),
        (
            "CREATE TABLE KISMET (kismet_version TEXT, db_version INT); INSERT INTO KISMET VALUES ('x', 8);
             CREATE TABLE devices (phyname TEXT, devmac TEXT, type TEXT, device BLOB);",
            "no table packets",
        ),
        (
            "CREATE TABLE KISMET (kismet_version TEXT, db_version INT);",
            "table KISMET is empty",
        ),
        (
            // A view could run any query: refused before anything reads it.
            "CREATE TABLE KISMET (kismet_version TEXT, db_version INT); INSERT INTO KISMET VALUES ('x', 8);
             CREATE TABLE devices (phyname TEXT, devmac TEXT, type TEXT, device BLOB);
             CREATE VIEW packets AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)
               SELECT i AS ts_sec, '' AS phyname, '' AS sourcemac, 0 AS frequency, 0 AS lat, 0 AS lon, 0 AS signal FROM n;",
            "packets is a view, expected a table",
        ),
        ("CREATE TABLE t (a INT);", "not a Kismet log: no table KISMET"),
    ];
    for (i, (sql, want)) in cases.iter().enumerate() {
        let path = d.path().join(format!("c{i}.kismet"));
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        let e = parse_capture_file(&path, Some("kismetdb"))
            .unwrap_err()
            .to_string();
        assert!(e.contains(want), "case {i}: {e}");
        assert!(e.starts_with(&path.display().to_string()), "case {i}: {e}");
    }
}

#[test]
fn truncated_and_damaged_logs_are_errors_not_panics() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("survey.kismet");
    write_log(&path);
    let good = std::fs::read(&path).unwrap();
    // Every page boundary and a few bytes either side; each cut file read by path and by bytes.
    let mut cuts: Vec<usize> = (0..good.len()).step_by(4096).collect();
    cuts.extend([16, 17, 100, 4095, 4097, good.len() - 1]);
    for cut in cuts {
        let bytes = &good[..cut];
        let cut_path = d.path().join("cut.kismet");
        std::fs::write(&cut_path, bytes).unwrap();
        for r in [
            parse_capture_file(&cut_path, Some("kismetdb")),
            parse_capture(bytes, "cut.kismet", Some("kismetdb")),
        ] {
            if let Err(e) = r {
                assert!(!e.to_string().is_empty());
            }
        }
    }
    // A file cut inside the header: a clear error naming the file.
    let cut_path = d.path().join("head.kismet");
    std::fs::write(&cut_path, &good[..10]).unwrap();
    let e = parse_capture_file(&cut_path, Some("kismetdb"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("head.kismet") && e.contains("expected an SQLite database"),
        "{e}"
    );
    // Pages overwritten with garbage, deterministically.
    let mut seed = 0x04B1_53E7_u64;
    for _ in 0..200 {
        let mut bytes = good.clone();
        for _ in 0..8 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let at = 100 + (seed >> 33) as usize % (bytes.len() - 100);
            bytes[at] = (seed >> 20) as u8;
        }
        let _ = parse_capture(&bytes, "m.kismet", None);
    }
}

#[test]
fn a_log_in_wal_mode_reads_from_bytes_and_file() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("wal.kismet");
    write_log(&path);
    {
        let c = Connection::open(&path).unwrap();
        let mode: String = c
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!((bytes[18], bytes[19]), (2, 2), "header says WAL");
    let a = parse_capture_file(&path, None).unwrap();
    let b = parse_capture(&bytes, "wal.kismet", None).unwrap();
    assert_eq!(a.scans.len(), 4);
    assert_eq!(a, b);
}
