//! Ingest throughput (MB/s of capture text → scans): the long-form CSV (wisp's own capture)
//! and a timestamped `iw dev wlan0 scan` loop, each about 64 MB generated here from a fixed seed,
//! outside the timed loop.
//!
//! Run with `cargo bench --bench ingest`; criterion prints the throughput in MB/s (decimal).
//! Target: at least 100 MB/s. What is timed is `wisp_ingest::parse_capture` on the file's bytes:
//! text decoding, format detection and parsing, as `wisp ingest` does after reading the file.
//!
//! A Kismet `.kismet` log (SQLite, 300,000 packets from 50 APs with a 100-byte packet each,
//! written to a temporary file outside the timed loop) is timed with
//! `wisp_ingest::parse_capture_file`, as `wisp ingest` reads it: its first 64 KiB read for
//! detection, then SQLite's read-only, immutable pass over the file.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;
use std::hint::black_box;

const TARGET_BYTES: usize = 64 << 20;

/// A walk of scans every 2 s, each hearing 25 BSSIDs, as `wisp simulate` writes it.
fn long_csv() -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut s = String::from(wisp_ingest::native::LONG_CSV_HEADER);
    s.push('\n');
    let mut scan = 0u64;
    while s.len() < TARGET_BYTES {
        let (x, y) = (
            (rng.random::<f64>() * 6000.0).round() / 100.0,
            (rng.random::<f64>() * 2400.0).round() / 100.0,
        );
        let t = wisp_model::time::format_rfc3339(1_793_613_600.0 + 2.0 * scan as f64);
        for b in 0..25u32 {
            let (freq, ch) = if b % 2 == 0 {
                (2412 + 5 * (b % 11), 1 + b % 11)
            } else {
                (5180 + 20 * (b % 8), 36 + 4 * (b % 8))
            };
            let _ = writeln!(
                s,
                "{x},{y},02:1a:11:00:{:02x}:{:02x},NHS-Clinical,{freq},{},{t},{},{ch}",
                b / 2,
                (b % 2) * 16,
                -40 - rng.random_range(0..50),
                -95 - rng.random_range(0..3),
            );
        }
        scan += 1;
    }
    s
}

/// `while true; do date -Iseconds; iw dev wlan0 scan; sleep 2; done`, 25 BSSes a scan.
fn iw_loop() -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut s = String::new();
    let mut scan = 0u64;
    while s.len() < TARGET_BYTES {
        let t = wisp_model::time::format_rfc3339(1_793_613_600.0 + 2.0 * scan as f64);
        let _ = writeln!(s, "{}+00:00", t.trim_end_matches('Z'));
        for b in 0..25u32 {
            let freq = if b % 2 == 0 {
                2412 + 5 * (b % 11)
            } else {
                5180 + 20 * (b % 8)
            };
            let _ = write!(
                s,
                "BSS 3c:37:86:5e:{:02x}:{:02x}(on wlan0)\n\
                 \tTSF: 88311234 usec (0d, 00:01:28)\n\
                 \tfreq: {freq}.0\n\
                 \tbeacon interval: 100 TUs\n\
                 \tcapability: ESS Privacy ShortSlotTime (0x0411)\n\
                 \tsignal: {}.00 dBm\n\
                 \tlast seen: 210 ms ago\n\
                 \tInformation elements from Probe Response frame:\n\
                 \tSSID: NHS-Clinical\n\
                 \tSupported rates: 1.0* 2.0* 5.5* 11.0* 6.0 9.0 12.0 18.0 \n",
                b / 2,
                (b % 2) * 16,
                -40 - rng.random_range(0..50),
            );
        }
        scan += 1;
    }
    s
}

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
    for (name, text) in [("long_csv", long_csv()), ("iw_loop", iw_loop())] {
        let bytes = text.into_bytes();
        // The file must parse, and as the format meant.
        let parsed = wisp_ingest::parse_capture(&bytes, name, None).expect("parses");
        assert!(!parsed.scans.is_empty() && parsed.skipped.is_empty());
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
