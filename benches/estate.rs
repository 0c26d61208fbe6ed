//! An estate end to end: `wisp report` (through the `wisp-site` library, as the command runs it) over a synthetic site (ingest → layers → evaluate →
//! report PDF), in process.
//!
//! Run with `cargo bench --bench estate`. The site (4 hospital floors of 72 m × 32 m, 390 simulated
//! scans each, a plan PNG per floor) is generated once into a temporary folder, outside the
//! timed loop. Throughput is in floors, so criterion prints floors per second; the time per
//! floor is the iteration time ÷ 4. The full 200-floor target (under 5 minutes and 2 GB) is
//! measured once by `cargo run --release --example estate` (README, "Performance").

#[path = "support/estate_site.rs"]
mod estate_site;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const FLOORS: usize = 4;
const SCANS: usize = 390;

fn estate(c: &mut Criterion) {
    let (_dir, manifest) = estate_site::estate_dir(FLOORS, SCANS);
    let mut group = c.benchmark_group("estate");
    group.sample_size(10);
    group.throughput(Throughput::Elements(FLOORS as u64));
    group.bench_function("report_4_floors_390_scans", |b| {
        b.iter(|| estate_site::report_pdf(&manifest))
    });
    group.finish();
}

criterion_group!(benches, estate);
criterion_main!(benches);
