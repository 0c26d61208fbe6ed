//! Writes a large WiGLE CSV or long-form CSV for measuring `wisp ingest`'s memory on big text
//! captures (they stream from the file: #16).
//!
//! `cargo run --release --example big_text -- KIND OUT.csv MEGABYTES`, KIND one of:
//! - `wigle`: every row a Wi-Fi reading (the ingest bench's WiGLE walk, 25 BSSIDs a sweep);
//! - `wigle-ble`: the same walk logged with Bluetooth on: one row in 25 Wi-Fi, the others BLE
//!   (skipped by wisp), so the survey is small and the file large;
//! - `long`: the ingest bench's long-form CSV walk.
//!
//! Deterministic: the same arguments give the same file.

#[allow(dead_code)]
#[path = "../benches/support/capture_families.rs"]
mod capture_families;
#[allow(dead_code)]
#[path = "../benches/support/captures.rs"]
mod captures;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(kind), Some(out), Some(mb)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: big_text wigle|wigle-ble|long OUT.csv MEGABYTES");
        std::process::exit(2);
    };
    let Ok(mb) = mb.parse::<usize>() else {
        eprintln!("big_text: MEGABYTES must be a whole number, not '{mb}'");
        std::process::exit(2);
    };
    let target = mb * 1_000_000;
    let text = match kind.as_str() {
        "wigle" => capture_families::wigle_csv(target),
        "wigle-ble" => {
            // Rows after the two header lines: the first of each sweep of 25 stays Wi-Fi.
            let text = capture_families::wigle_csv(target);
            let mut out = String::with_capacity(text.len());
            for (i, line) in text.split_inclusive('\n').enumerate() {
                match line.strip_suffix(",WIFI\n") {
                    Some(row) if (i - 2) % 25 != 0 => {
                        out.push_str(row);
                        out.push_str(",BLE\n");
                    }
                    _ => out.push_str(line),
                }
            }
            out
        }
        "long" => captures::long_csv(target),
        other => {
            eprintln!("big_text: unknown KIND '{other}' (wigle, wigle-ble or long)");
            std::process::exit(2);
        }
    };
    std::fs::write(out, text)
}
