//! Planning speed: a 5,000 m² floor, 0.5 m demand cells, about 2,000 candidate positions.
//!
//! Run with `cargo bench --bench plan`. The floor is generated, not random
//! (`benches/support/planning_floor.rs`, shared with the instruction-count guard). Target: under 2 s
//! on 2 cores.

#[path = "support/planning_floor.rs"]
mod planning_floor;

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use wisp_model::{Band, Zone};
use wisp_plan::{plan_floor, CandidateOptions, PlanInput, PlanOptions};

fn plan_case(c: &mut Criterion) {
    let f = planning_floor::floor();
    let profiles = wisp_coverage::profiles::builtin();
    let profile = |z: &Zone| profiles.iter().find(|p| p.name == z.profile).cloned();
    // 1.5 m spacing over 100 m × 50 m, less the points near the existing APs: about 2,000.
    let opts = PlanOptions {
        candidates: CandidateOptions {
            spacing_m: 1.5,
            ..Default::default()
        },
        default_exponent: 3.0,
        ..Default::default()
    };
    let input = PlanInput {
        floor: &f,
        calibration: None,
        survey: None,
        profile: &profile,
    };
    let p = plan_floor(&input, &opts).expect("plan");
    eprintln!(
        "bench floor: {} candidates, {} demand cells, {} new APs, deficit {}",
        p.candidates,
        p.demand_cells,
        p.new_aps().count(),
        p.deficit
    );
    let mut group = c.benchmark_group("plan");
    group.sample_size(10);
    group.bench_function("floor_5000m2_cells_0.5m_2000_candidates", |b| {
        b.iter(|| black_box(plan_floor(&input, &opts).expect("plan")))
    });
    // The signal matrix alone (candidates × cells with wall crossings), the parallel part.
    let demand = wisp_plan::demand::Demand::of_floor(&f, 0.5, &profile);
    let cands = wisp_plan::candidates::candidates(&f, &[], 0.0, &opts.candidates);
    let sources: Vec<wisp_plan::matrix::Source> = cands
        .iter()
        .map(|&position| wisp_plan::matrix::Source {
            position,
            power_dbm: 17.0,
            freq_mhz: 5500.0,
        })
        .collect();
    let walls = wisp_plan::walls::WallSet::new(&f.walls, &f.materials, Band::G5);
    group.bench_function("matrix_only", |b| {
        b.iter(|| {
            // The plan's floor: the basic profile's −80 dBm secondary plus the 3 dB margin.
            black_box(demand.matrix(&sources, 3.0, &walls, -77.0))
        })
    });
    group.finish();
}

criterion_group!(benches, plan_case);
criterion_main!(benches);
