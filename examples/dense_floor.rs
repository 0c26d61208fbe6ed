//! A floor as dense as a hospital's (issue 16): writes the site folder of
//! `benches/support/dense_floor.rs` (2,000 BSSIDs, 2,000 scans, 100 m × 40 m) and times the
//! layer stack and `wisp check`'s analysis of it in process, printing each figure.
//!
//! ```text
//! cargo run --release --example dense_floor -- DIR [SCANS]
//! ```
//!
//! The commands' own figures (wall time and peak memory of `check`, `calibrate`, `plan`,
//! `validate` as separate processes) come from `benches/compare/dense_floor.sh DIR`, which runs
//! each under `/usr/bin/time`.

#[path = "../benches/support/dense_floor.rs"]
#[allow(dead_code)] // this example writes the dense floor, not the estate's
mod dense_floor;

use std::collections::BTreeSet;
use std::time::Instant;
use wisp_site::pipeline::{analyse_with, floor_grid, layer_options, load, samples_of, Filters};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| "dense-floor".into()));
    let scans: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2000);

    let t = Instant::now();
    let samples = dense_floor::generate(&dir, scans, 1)?;
    let bssids: BTreeSet<_> = samples
        .iter()
        .flat_map(|s| s.observations.iter().map(|o| o.bssid))
        .collect();
    let observations: usize = samples.iter().map(|s| s.observations.len()).sum();
    println!(
        "wrote {} ({} scans, {} BSSIDs heard, {} observations, {:.0} MB CSV) in {:.1} s",
        dir.display(),
        samples.len(),
        bssids.len(),
        observations,
        std::fs::metadata(dir.join("walk.csv"))?.len() as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );

    // Read back through ingest, as every command does.
    let t = Instant::now();
    let loaded = load(&dir.join("site.toml"), None)?;
    println!("load site and ingest: {:.2} s", t.elapsed().as_secs_f64());
    let (site, survey) = (&loaded.site, &loaded.survey);
    let floor = &site.floors[0];
    let samples = samples_of(survey, &floor.floor.id);

    let g = floor_grid(&floor.floor)?;
    let (opts, _) = layer_options(site, floor, samples, &Filters::default());
    let inside = |r: usize, c: usize| floor.floor.outline.contains(g.centre(r, c));
    let mut best = f64::INFINITY;
    let mut radios = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let layers = wisp_interp::SignalLayers::build(samples, &g, &inside, &opts)?;
        best = best.min(t.elapsed().as_secs_f64());
        radios = layers.radios.len();
    }
    println!(
        "layer stack: {radios} radios over {} × {} cells at 0.5 m, best of 3 {best:.3} s",
        g.cols(),
        g.rows()
    );
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let analysis = analyse_with(site, floor, samples, &Filters::default())?;
        best = best.min(t.elapsed().as_secs_f64());
        std::hint::black_box(analysis);
    }
    println!("layers + zone verdicts (wisp check's analysis of the floor): best of 3 {best:.3} s");
    Ok(())
}
