//! WiGLE CSV and the long-form CSV read from a file stream as text (#16: memory bounded by the
//! survey, not the file). Streamed from the file, a capture must give exactly what the same bytes
//! give parsed in memory: the same scans, skips and format, and the same error on bad bytes.

#[allow(dead_code)]
#[path = "../../../benches/support/capture_families.rs"]
mod capture_families;
#[allow(dead_code)]
#[path = "../../../benches/support/captures.rs"]
mod captures;

use std::path::Path;
use wisp_ingest::{parse_capture, parse_capture_file};

/// `bytes` parsed from a file called `name` and from memory, detected and forced: all equal.
fn same_both_ways(dir: &Path, name: &str, bytes: &[u8], format: &str) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    let memory = parse_capture(bytes, name, None);
    for forced in [None, Some(format)] {
        let file = parse_capture_file(&path, forced);
        match (&file, &memory) {
            (Ok(f), Ok(m)) => {
                assert_eq!(f.format, format, "{name}");
                assert!(
                    f == m,
                    "{name} ({forced:?}): streamed differs from in memory"
                );
            }
            (Err(f), Err(m)) => {
                assert_eq!(f.kind().to_string(), m.kind().to_string(), "{name}");
                assert_eq!(f.line_number(), m.line_number(), "{name}");
            }
            _ => panic!("{name} ({forced:?}): {file:?} but in memory {memory:?}"),
        }
    }
}

/// Variants of a text capture: as is, CRLF line ends, blank lines, a UTF-8 BOM, and an invalid
/// byte (or a character cut short) past the first 64 KiB.
fn variants(text: &str) -> Vec<(&'static str, Vec<u8>)> {
    let crlf = text.replace('\n', "\r\n");
    // Blank lines every so often (csv passes over them; lines still count).
    let blank = text.replace("0\n", "0\n\n\r\n\n");
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    let mut bad = text.as_bytes().to_vec();
    let at = bad.len() * 3 / 4;
    bad[at] = 0xFF;
    let mut cut = text.as_bytes().to_vec();
    cut.extend_from_slice(&[0xE6, 0xBC]);
    vec![
        ("lf", text.as_bytes().to_vec()),
        ("crlf", crlf.into_bytes()),
        ("blank", blank.into_bytes()),
        ("bom", bom),
        ("bad", bad),
        ("cut", cut),
    ]
}

#[test]
fn wigle_streamed_equals_wigle_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/wigle");
    let mut texts = vec![capture_families::wigle_csv(400_000)];
    for f in ["wigle_1_4.csv", "wigle_1_6.csv"] {
        texts.push(std::fs::read_to_string(fixtures.join(f)).unwrap());
    }
    // A quoted SSID holding a comma and a line end, a bare comma, BLE rows, comments: the
    // fixtures' quirks again far past the first 64 KiB.
    let tail = std::fs::read_to_string(fixtures.join("wigle_1_6.csv")).unwrap();
    let body: String = tail.lines().skip(2).map(|l| format!("{l}\n")).collect();
    texts.push(format!("{}{}", texts[0], body.repeat(3)));
    for (i, text) in texts.iter().enumerate() {
        for (v, bytes) in variants(text) {
            same_both_ways(dir.path(), &format!("w{i}_{v}.csv"), &bytes, "wigle");
        }
    }
}

#[test]
fn long_csv_streamed_equals_long_csv_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let big = captures::long_csv(400_000);
    // Rows of the same scan split across the 64 KiB head and the chunks that follow, a skipped
    // row and a quoted SSID with a line end in it.
    let odd = format!(
        "{big}1,2,aa:bb:cc:dd:ee:01,\"Ward\n7\",5180,-61,2026-11-02T10:00:00Z,-95,36\n\
         1,2,aa:bb:cc:dd:ee:02,Ward7,5185,-61,2026-11-02T10:00:00Z,-95,36\n"
    );
    for (i, text) in [big, odd].iter().enumerate() {
        for (v, bytes) in variants(text) {
            same_both_ways(dir.path(), &format!("l{i}_{v}.csv"), &bytes, "wisp-csv");
        }
    }
    // A bad number deep in the file is the same error with the same line either way.
    let mut bad = captures::long_csv(200_000);
    let at = 150_000 + bad[150_000..].find(",-4").unwrap();
    bad.replace_range(at..at + 3, ",x");
    same_both_ways(dir.path(), "badnum.csv", bad.as_bytes(), "wisp-csv");
}
