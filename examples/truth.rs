//! The truth harness's full table: every layout of `benches/support/truth.rs`, several seeds,
//! every interpolation method; dead-zone IoU, true dead regions ≥ 4 m² found, RMSE against the
//! true field, and walk-out RMSE (what `wisp validate` reports).
//!
//! `cargo run --release --example truth [--missed] [SEEDS...]` (default seeds 1 2 3;
//! `--missed` lists, under each case, the true dead regions `model` misses: their zone, whether
//! the walk entered it, how optimistic the map is there and how much of it is at risk).

#[path = "../benches/support/truth.rs"]
mod truth;

use truth::{below_threshold, field_rmse, layouts, map_primary, missed_regions, score_dead, Case};

fn main() -> anyhow::Result<()> {
    let missed = std::env::args().any(|a| a == "--missed");
    let seeds: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| a != "--missed")
        .map(|a| a.parse())
        .collect::<Result<_, _>>()?;
    let seeds = if seeds.is_empty() {
        vec![1, 2, 3]
    } else {
        seeds
    };
    println!(
        "{:<18} {:>4} {:>5} {:>6} {:<8} {:>5} {:>9} {:>10} {:>9}",
        "layout", "seed", "scans", "dead%", "method", "IoU", "found", "field dB", "walk-out"
    );
    for layout in layouts() {
        for &seed in &seeds {
            let case = Case::new(&layout, seed);
            let opts = truth::layer_options(&case, wisp_model::Method::Idw);
            let cv = wisp_interp::validate::CrossValidation::default();
            let fit = truth::model_fit(&case);
            let auto = wisp_interp::validate::auto_with(&case.samples, Some(&fit), &opts, &cv)?;
            // Every method, then auto's pick again under the label "auto".
            let rows = wisp_model::Method::ALL
                .into_iter()
                .map(|m| (m, m.name()))
                .chain([(auto.method, "auto")]);
            for (name, label) in rows {
                let (primary, sd) = map_primary(&case, name);
                let s = score_dead(&case, &below_threshold(&case, &primary));
                let walk_out = auto
                    .validation
                    .methods
                    .iter()
                    .find(|v| v.method == name)
                    .map_or(f64::NAN, |v| v.overall.rmse_db());
                println!(
                    "{:<18} {:>4} {:>5} {:>5.1}% {:<8} {:>5.2} {:>4}/{:<4} {:>10.2} {:>9.2}",
                    layout.name,
                    seed,
                    case.samples.len(),
                    100.0 * s.true_dead_share,
                    label,
                    s.iou,
                    s.found,
                    s.regions,
                    field_rmse(&case, &primary),
                    walk_out
                );
                if missed && label == "model" {
                    for m in missed_regions(&case, &primary, sd.as_ref()) {
                        println!(
                            "    missed: {} ({:.1} m², {}), {:.0} % called dead, map {:+.1} dB over the truth, at risk {}",
                            m.zone,
                            m.area_m2,
                            if m.walked { "walked" } else { "not walked" },
                            100.0 * m.called_share,
                            m.map_error_db,
                            m.at_risk_share
                                .map_or("-".to_string(), |s| format!("{:.0} %", 100.0 * s)),
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
