//! The full estate once: generates a 200-floor synthetic site (benches/support/estate_site.rs:
//! 40 buildings of 5 storeys, 72 m × 32 m hospital floors of 57 zones hearing 588 BSSIDs, 390
//! simulated scans each, as issue 16 measured real estates) and runs
//! `wisp report` over it in process, printing wall time and peak memory (VmHWM).
//!
//! ```text
//! cargo run --release --example estate [-- FLOORS [DIR]]
//! ```
//!
//! Without DIR the site goes to a temporary folder that is removed afterwards. The target is
//! 200 floors in under 5 minutes and 2 GB.

#[path = "../benches/support/estate_site.rs"]
mod estate_site;

use std::time::Instant;

/// Scans per floor: issue 16's estate floors had ~390.
const SCANS: usize = 390;

/// Peak resident set size of this process so far, in MiB (Linux `/proc/self/status` VmHWM).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let floors: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(200);
    let tmp = tempfile::tempdir()?;
    let dir = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());

    let t = Instant::now();
    let bytes = estate_site::generate(&dir, floors, SCANS)?;
    println!(
        "generated {floors} floors ({:.0} MB of captures) in {:.1} s; peak RSS so far {:.0} MiB",
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        peak_rss_mib().unwrap_or(f64::NAN)
    );

    let pdf = dir.join("report.pdf");
    let t = Instant::now();
    // `wisp report SITE --out report.pdf` through the library, as the command runs it: the PDF
    // streamed to disk a segment of pages at a time.
    estate_site::site_report(&dir.join("site.toml")).write_pdf(&pdf)?;
    let code = 0;
    let secs = t.elapsed().as_secs_f64();
    println!(
        "wisp report: exit {code}, {floors} floors in {secs:.1} s ({:.2} s per floor), PDF {:.1} MB",
        secs / floors as f64,
        std::fs::metadata(&pdf).map(|m| m.len()).unwrap_or(0) as f64 / 1e6
    );
    println!(
        "peak RSS (VmHWM): {:.0} MiB",
        peak_rss_mib().unwrap_or(f64::NAN)
    );
    Ok(())
}
