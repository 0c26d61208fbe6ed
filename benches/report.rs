//! A ten-floor report end to end: `wisp report` (through the `wisp-site` library) over a synthetic site of ten floors (ingest →
//! layers → evaluate → heatmaps → PDF), in process, as a planner runs it for a hospital block.
//!
//! Run with `cargo bench --bench report`. The site (ten hospital floors of 72 m × 32 m, 390 simulated
//! scans each, from `support/estate_site.rs`, the estate bench's generator) is written once
//! into a temporary folder outside the timed loop. Targets (issue #7): the whole report in
//! under 10 s on 2 cores, and a PDF under 20 MB; the PDF's size is printed before timing.

#[path = "support/estate_site.rs"]
mod estate_site;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const FLOORS: usize = 10;
const SCANS: usize = 390;

fn report(c: &mut Criterion) {
    let (_dir, manifest) = estate_site::estate_dir(FLOORS, SCANS);
    let bytes = estate_site::report_pdf(&manifest).len();
    println!(
        "report of {FLOORS} floors: PDF {bytes} bytes ({:.2} MB, target under 20 MB)",
        bytes as f64 / 1e6
    );
    let mut group = c.benchmark_group("report");
    group.sample_size(10);
    group.throughput(Throughput::Elements(FLOORS as u64));
    group.bench_function("ten_floors_390_scans", |b| {
        b.iter(|| estate_site::report_pdf(&manifest))
    });
    group.finish();
}

criterion_group!(benches, report);
criterion_main!(benches);
