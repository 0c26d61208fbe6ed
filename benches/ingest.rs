//! Ingest throughput (MB/s of capture → scans) for each main format family: the long-form CSV
//! (wisp's own capture), a timestamped `iw dev wlan0 scan` loop, an `nmcli -t` loop, one long
//! `netsh` output, a WiGLE CSV, a survey JSON and a radiotap pcap, each generated here from a
//! fixed seed outside the timed loop (64 MB for the CSV and `iw`, 32 MB for the others).
//!
//! Run with `cargo bench --bench ingest`; criterion prints the throughput in MB/s (decimal).
//! Target: at least 100 MB/s. What is timed is `wisp_ingest::parse_capture` on the file's bytes:
//! text decoding, format detection and parsing, as `wisp ingest` does after reading the file
//! (a pcap goes through the same record-by-record parser that streams a file).
//!
//! A Kismet `.kismet` log (SQLite, 300,000 packets from 50 APs with a 100-byte packet each,
//! written to a temporary file outside the timed loop) is timed with
//! `wisp_ingest::parse_capture_file`, as `wisp ingest` reads it: its first 64 KiB read for
//! detection, then SQLite's read-only, immutable pass over the file.

#[path = "support/capture_families.rs"]
mod capture_families;
#[path = "support/captures.rs"]
mod captures;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const TARGET_BYTES: usize = 64 << 20;

/// A Kismet log at `path`: 50 APs (one SSID each) on 2.4 and 5 GHz, 300,000 beacons heard along
/// a GPS walk, each with a 100-byte packet blob.
fn kismet_log(path: &std::path::Path) {
    let mut rng = ChaCha8Rng::seed_from_u64(13);
    let mut c = rusqlite::Connection::open(path).expect("creates the log");
    c.execute_batch(
        "CREATE TABLE KISMET (kismet_version TEXT, db_version INT, db_module TEXT);
         INSERT INTO KISMET VALUES ('2023.07.R1', 8, 'kismet');
         CREATE TABLE devices (first_time INT, last_time INT, devkey TEXT, phyname TEXT, devmac TEXT,
           strongest_signal INT, min_lat REAL, min_lon REAL, max_lat REAL, max_lon REAL, avg_lat REAL,
           avg_lon REAL, bytes_data INT, type TEXT, device BLOB);
         CREATE TABLE packets (ts_sec INT, ts_usec INT, phyname TEXT, sourcemac TEXT, destmac TEXT,
           transmac TEXT, frequency REAL, devkey TEXT, lat REAL, lon REAL, alt REAL, speed REAL,
           heading REAL, packet_len INT, signal INT, datasource TEXT, dlt INT, packet BLOB, error INT,
           tags TEXT);",
    )
    .expect("schema");
    let tx = c.transaction().expect("transaction");
    let mac = |a: u32| format!("02:1A:11:00:{:02X}:{:02X}", a / 2, (a % 2) * 16);
    for a in 0..50u32 {
        let json = format!(
            r#"{{"dot11.device": {{"dot11.device.last_beaconed_ssid_record": {{"dot11.advertisedssid.ssid": "NHS-Clinical-{a}"}}}}}}"#
        );
        tx.execute(
            "INSERT INTO devices (phyname, devmac, type, device) VALUES ('IEEE802.11', ?1, 'Wi-Fi AP', ?2)",
            rusqlite::params![mac(a), json],
        )
        .expect("device");
    }
    let packet = [0u8; 100];
    for i in 0..300_000u32 {
        let a = i % 50;
        let khz = if a % 2 == 0 {
            2_412_000 + 5_000 * (a % 11)
        } else {
            5_180_000 + 20_000 * (a % 8)
        };
        tx.execute(
            "INSERT INTO packets (ts_sec, ts_usec, phyname, sourcemac, destmac, transmac, frequency,
               lat, lon, signal, packet_len, packet, error)
             VALUES (?1, ?2, 'IEEE802.11', ?3, 'FF:FF:FF:FF:FF:FF', ?3, ?4, ?5, ?6, ?7, 100, ?8, 0)",
            rusqlite::params![
                1_793_613_600 + i / 100,
                (i % 100) * 10_000,
                mac(a),
                khz,
                51.5 + f64::from(i) * 1e-8,
                -0.12,
                -40 - rng.random_range(0..50),
                &packet[..]
            ],
        )
        .expect("packet");
    }
    tx.commit().expect("commit");
}

fn ingest(c: &mut Criterion) {
    let mut group = c.benchmark_group("ingest");
    group.sample_size(10);
    let half = TARGET_BYTES / 2;
    for (name, format, bytes) in [
        (
            "long_csv",
            "wisp-csv",
            captures::long_csv(TARGET_BYTES).into_bytes(),
        ),
        (
            "iw_loop",
            "iw",
            captures::iw_loop(TARGET_BYTES).into_bytes(),
        ),
        (
            "nmcli_terse",
            "nmcli",
            capture_families::nmcli_terse(half).into_bytes(),
        ),
        ("netsh", "netsh", capture_families::netsh(half).into_bytes()),
        (
            "wigle_csv",
            "wigle",
            capture_families::wigle_csv(half).into_bytes(),
        ),
        (
            "survey_json",
            "wisp-json",
            capture_families::survey_json(half).into_bytes(),
        ),
        (
            "radiotap_pcap",
            "pcap",
            capture_families::radiotap_pcap(half),
        ),
    ] {
        // The file must parse, as the format meant, with nothing skipped.
        let parsed = wisp_ingest::parse_capture(&bytes, name, None).expect("parses");
        assert_eq!(parsed.format, format, "{name}");
        assert!(!parsed.scans.is_empty(), "{name}: no scans");
        assert!(parsed.skipped.is_empty(), "{name}: {:?}", parsed.skipped);
        group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        group.bench_function(format!("{name}_{}MB", bytes.len() / 1_000_000), |b| {
            b.iter(|| black_box(wisp_ingest::parse_capture(&bytes, name, None).expect("parses")))
        });
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("walk.kismet");
    kismet_log(&path);
    let bytes = std::fs::metadata(&path).expect("log").len();
    let parsed = wisp_ingest::parse_capture_file(&path, None).expect("parses");
    assert_eq!((parsed.scans.len(), parsed.skipped.total()), (300_000, 0));
    group.throughput(Throughput::BytesDecimal(bytes));
    group.bench_function(format!("kismetdb_{}MB", bytes / 1_000_000), |b| {
        b.iter(|| black_box(wisp_ingest::parse_capture_file(&path, None).expect("parses")))
    });
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
