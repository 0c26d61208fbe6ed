//! The measured workloads: one per hot path, each with its inputs built outside the count.
//!
//! A workload's `prepare` builds its inputs (generated from fixed seeds, in memory) and returns
//! the work to count. Only that work runs inside [`measured`], the function callgrind's
//! `--toggle-collect` switches counting on for, so the setup never shows in a count. The inputs
//! are those of the criterion benches (`benches/support/`), sized down where the criterion case
//! would take minutes under callgrind (it runs a program about 50× slower).

#[path = "../../../benches/support/captures.rs"]
mod captures;
#[path = "../../../benches/support/interp_floor.rs"]
mod interp_floor;
#[path = "../../../benches/support/planning_floor.rs"]
mod planning_floor;

use std::hint::black_box;
use wisp_interp::{Idw, Interpolator, LayerOptions, NeighbourIndex, OrdinaryKriging, SignalLayers};
use wisp_model::{Band, GridGeometry, Zone};
use wisp_plan::{CandidateOptions, PlanInput, PlanOptions};

/// The counted work of one workload, inputs captured.
pub type Work = Box<dyn Fn() + Send + Sync>;

/// One named hot path.
pub struct Workload {
    /// The bench name: the baseline is `benches/guard/<name>.json`.
    pub name: &'static str,
    /// What is counted, for the baseline file and the README.
    pub what: &'static str,
    /// Builds the inputs (not counted) and returns the work (counted).
    pub prepare: fn() -> Work,
}

/// Every workload, in the order they are reported.
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "idw_grid_10k_1000x1000",
        what: "k-d tree over 10,000 random points, then IDW (k = 12) onto 1000 × 1000 cells: the \
               `wisp grid` / gdal_grid comparison case of `cargo bench --bench interp`",
        prepare: idw_grid_large,
    },
    Workload {
        name: "idw_grid_2k_200x200",
        what: "k-d tree over 2,000 random points, then IDW (k = 12) onto 200 × 200 cells",
        prepare: idw_grid_small,
    },
    Workload {
        name: "layers_floor_100x50m",
        what: "SignalLayers::build of the simulated 100 m × 50 m floor (2,000 scans, 60 radios, \
               0.5 m cells): the layer-stack case of `cargo bench --bench interp`",
        prepare: layer_stack,
    },
    Workload {
        name: "kriging_1k_32x32",
        what:
            "OrdinaryKriging (64 neighbours, fitted variogram) prepared over 1,000 random points \
               in a 100 m square, then one field onto 32 × 32 cells with its standard deviation",
        prepare: kriging,
    },
    Workload {
        name: "plan_matrix_100x50m",
        what: "the planner's signal matrix (5 GHz, wall shadows) of the 100 m × 50 m planning \
               floor: every candidate on a 3 m lattice at every 0.5 m demand cell",
        prepare: plan_matrix,
    },
    Workload {
        name: "plan_floor_100x50m",
        what: "wisp_plan::plan_floor on the 100 m × 50 m planning floor, candidates on a 3 m \
               lattice: demand, signal matrices, greedy search, local search, channels",
        prepare: plan_whole_floor,
    },
    Workload {
        name: "parse_long_csv_4mb",
        what: "wisp_ingest::parse_capture on 4 MB of long-form CSV (decode, detect, parse)",
        prepare: parse_long_csv,
    },
    Workload {
        name: "parse_iw_4mb",
        what: "wisp_ingest::parse_capture on 4 MB of a timestamped `iw dev wlan0 scan` loop",
        prepare: parse_iw,
    },
];

/// The workload called `name`.
pub fn by_name(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

/// Runs `work`: the one function callgrind counts (`--toggle-collect=wisp_guard_measured`).
/// Unmangled so the name callgrind sees is this one on every toolchain, and never inlined so the
/// function exists to be toggled on.
#[no_mangle]
#[inline(never)]
pub extern "Rust" fn wisp_guard_measured(work: &(dyn Fn() + Send + Sync)) {
    work()
}

/// Runs a workload's work once on a one-thread rayon pool, inside [`wisp_guard_measured`].
///
/// One thread because callgrind counts per thread and the toggle only follows the thread that
/// entered the toggled function: on one worker all the parallel work runs inside it, and no
/// idle worker spins into the count (the counts would then depend on scheduling).
pub fn run(workload: &Workload) -> anyhow::Result<()> {
    let work = (workload.prepare)();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    pool.install(|| wisp_guard_measured(&*work));
    Ok(())
}

fn idw_grid(points: usize, side: f64, cells: usize) -> Work {
    let (points, values) = interp_floor::grid_points(points, side);
    let g = GridGeometry::new(
        0.0,
        side,
        side / cells as f64,
        -side / cells as f64,
        cells,
        cells,
    )
    .expect("valid grid");
    Box::new(move || {
        let index = NeighbourIndex::new(&points).expect("points");
        black_box(
            Idw::default()
                .grid_many(&index, &[&values], &g, &|_, _| true)
                .expect("grid"),
        );
    })
}

fn idw_grid_large() -> Work {
    idw_grid(10_000, 1000.0, 1000)
}

fn idw_grid_small() -> Work {
    idw_grid(2_000, 200.0, 200)
}

fn layer_stack() -> Work {
    let (samples, g) = interp_floor::floor_case();
    Box::new(move || {
        black_box(
            SignalLayers::build(&samples, &g, &|_, _| true, &LayerOptions::default())
                .expect("layers"),
        );
    })
}

fn kriging() -> Work {
    let (points, values) = interp_floor::grid_points(1_000, 100.0);
    // 32 × 32 cells: each solves a 65 × 65 system, so 100 × 100 took 4 s natively.
    let g = GridGeometry::new(0.0, 100.0, 3.125, -3.125, 32, 32).expect("valid grid");
    Box::new(move || {
        let prepared = OrdinaryKriging::default()
            .prepare(&points)
            .expect("prepared");
        black_box(
            prepared
                .grid_many(&[&values], &g, &|_, _| true)
                .expect("grid"),
        );
    })
}

/// The planning floor's options: candidates on a 3 m lattice (about 500; the criterion bench's
/// 1.5 m gives about 2,000 and would take minutes under callgrind).
fn plan_options() -> PlanOptions {
    PlanOptions {
        candidates: CandidateOptions {
            spacing_m: 3.0,
            ..Default::default()
        },
        default_exponent: 3.0,
        ..Default::default()
    }
}

fn profile(z: &Zone) -> Option<wisp_model::RequirementProfile> {
    wisp_coverage::profiles::builtin()
        .into_iter()
        .find(|p| p.name == z.profile)
}

fn plan_matrix() -> Work {
    let floor = planning_floor::floor();
    let opts = plan_options();
    let demand = wisp_plan::demand::Demand::of_floor(&floor, 0.5, &profile);
    let sources: Vec<wisp_plan::matrix::Source> =
        wisp_plan::candidates::candidates(&floor, &[], 0.0, &opts.candidates)
            .into_iter()
            .map(|position| wisp_plan::matrix::Source {
                position,
                power_dbm: 17.0,
                freq_mhz: 5500.0,
            })
            .collect();
    let walls = wisp_plan::walls::WallSet::new(&floor.walls, &floor.materials, Band::G5);
    Box::new(move || {
        // The floor `plan_floor` uses: the basic profile's −80 dBm secondary plus the 3 dB margin.
        black_box(demand.matrix(&sources, 3.0, &walls, -77.0));
    })
}

fn plan_whole_floor() -> Work {
    let floor = planning_floor::floor();
    let opts = plan_options();
    Box::new(move || {
        let input = PlanInput {
            floor: &floor,
            calibration: None,
            profile: &profile,
            survey: None,
        };
        black_box(wisp_plan::plan_floor(&input, &opts).expect("plan"));
    })
}

const CAPTURE_BYTES: usize = 4_000_000;

fn parse(name: &'static str, text: String) -> Work {
    let bytes = text.into_bytes();
    Box::new(move || {
        black_box(wisp_ingest::parse_capture(&bytes, name, None).expect("parses"));
    })
}

fn parse_long_csv() -> Work {
    parse("walk.csv", captures::long_csv(CAPTURE_BYTES))
}

fn parse_iw() -> Work {
    parse("iw.txt", captures::iw_loop(CAPTURE_BYTES))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_file_safe() {
        let mut names: Vec<&str> = WORKLOADS.iter().map(|w| w.name).collect();
        assert!(names.iter().all(|n| !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), WORKLOADS.len());
    }

    /// The inputs are what the workloads claim: the parsers' captures parse whole, as the format
    /// meant, and the planner floor plans.
    #[test]
    fn capture_inputs_parse_without_skips() {
        for (name, text) in [
            ("walk.csv", captures::long_csv(200_000)),
            ("iw.txt", captures::iw_loop(200_000)),
        ] {
            let parsed = wisp_ingest::parse_capture(text.as_bytes(), name, None).expect("parses");
            assert!(!parsed.scans.is_empty(), "{name}");
            assert_eq!(parsed.skipped.total(), 0, "{name}");
        }
    }
}
