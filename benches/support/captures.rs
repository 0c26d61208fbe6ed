//! Capture texts for the ingest benches, shared by `benches/ingest.rs` (criterion, MB/s) and the
//! instruction-count guard (`crates/wisp-guard`), so both parse the same kind of input.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write as _;

/// A walk of scans every 2 s, each hearing 25 BSSIDs, as `wisp simulate` writes it: at least
/// `target_bytes` of long-form CSV, from seed 11.
pub fn long_csv(target_bytes: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut s = String::from(wisp_ingest::capture::native::LONG_CSV_HEADER);
    s.push('\n');
    let mut scan = 0u64;
    while s.len() < target_bytes {
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

/// `while true; do date -Iseconds; iw dev wlan0 scan; sleep 2; done`, 25 BSSes a scan: at least
/// `target_bytes`, from seed 12.
pub fn iw_loop(target_bytes: usize) -> String {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let mut s = String::new();
    let mut scan = 0u64;
    while s.len() < target_bytes {
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
