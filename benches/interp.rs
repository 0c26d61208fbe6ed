//! Interpolation speed: the `wisp grid` case and the full layer stack of one floor.
//!
//! Run with `cargo bench --bench interp`. Inputs are generated from a fixed seed, so every run
//! measures the same work (`benches/support/interp_floor.rs`, shared with the instruction-count
//! guard, `crates/wisp-guard`).

#[path = "support/interp_floor.rs"]
mod interp_floor;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use wisp_interp::{Idw, LayerOptions, NeighbourIndex, SignalLayers};
use wisp_model::GridGeometry;

/// 10,000 random points onto 1000 × 1000 cells, k = 12: the `gdal_grid invdistnn` comparison case.
fn grid_case(c: &mut Criterion) {
    let (points, values) = interp_floor::grid_points(10_000, 1000.0);
    let g = GridGeometry::new(0.0, 1000.0, 1.0, -1.0, 1000, 1000).expect("valid grid");
    let mut group = c.benchmark_group("grid");
    group.sample_size(10);
    group.bench_function("idw_10k_points_1000x1000_k12", |b| {
        b.iter(|| {
            let index = NeighbourIndex::new(&points).expect("points");
            black_box(
                Idw::default()
                    .grid_many(&index, &[&values], &g, &|_, _| true)
                    .expect("grid"),
            )
        })
    });
    group.finish();
}

fn layer_stack(c: &mut Criterion) {
    let (samples, g) = interp_floor::floor_case();
    let mut group = c.benchmark_group("layers");
    group.sample_size(10);
    group.bench_function("floor_2000_scans_60_radios_100x50m_0.5m", |b| {
        b.iter(|| {
            black_box(
                SignalLayers::build(&samples, &g, &|_, _| true, &LayerOptions::default())
                    .expect("layers"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, grid_case, layer_stack);
criterion_main!(benches);
