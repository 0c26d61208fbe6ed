use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_model::words::count;
use wisp_radio::simulate::{simulate_walk_in_building, Building};
use wisp_radio::{generated_walk, SimulationParams};
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site (site.toml or its folder).
    site: PathBuf,
    /// Floor to walk.
    #[arg(long)]
    floor: Option<String>,
    /// Access points to simulate (TOML `[[aps]]` or JSON `{"aps": [...]}`, plan pixels);
    /// default: the floor's `[[floors.aps]]`.
    #[arg(long)]
    aps: Option<PathBuf>,
    /// Random seed: the same seed gives the same capture, byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the capture (long-form CSV, plan metres).
    #[arg(long)]
    out: PathBuf,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = pipeline::load_site(&a.site)?;
    let floor = pipeline::pick_floor(&site, a.floor.as_deref())?;
    let f = &floor.floor;
    let aps = match &a.aps {
        None => f.aps.clone(),
        Some(path) => {
            let raw = wisp_ingest::manifest::load_aps(path)?;
            let mut aps = Vec::new();
            for r in raw
                .iter()
                .filter(|r| r.floor.as_deref().is_none_or(|id| id == f.id))
            {
                aps.push(
                    wisp_ingest::manifest::resolve_ap(r, &f.calibration)
                        .map_err(|m| CliError::input(format!("{}: {m}", path.display())))?,
                );
            }
            aps
        }
    };
    // The APs of the building's other floors, through the slabs (floors with a `level`).
    let others = pipeline::through_slabs(&site, floor);
    if aps.is_empty() && others.is_empty() {
        return Err(CliError::input(format!(
            "floor '{}' has no access points to simulate (give --aps)",
            f.id
        )));
    }
    let walk = f.walk.clone().unwrap_or_else(|| generated_walk(f));
    let params = SimulationParams {
        seed: a.seed,
        ..Default::default()
    };
    let building = Building {
        others: &others,
        slab: &site.slab,
    };
    let samples = simulate_walk_in_building(f, &aps, building, &walk, &params);
    let csv = wisp_ingest::capture::native::long_csv(&samples);
    super::write_output(&a.out, csv.as_bytes())?;
    println!(
        "wrote {}: {} along a {:.0} m walk past {}{}, seed {}",
        a.out.display(),
        count(samples.len(), "scan", "scans"),
        walk.windows(2).map(|w| w[0].distance(w[1])).sum::<f64>(),
        count(aps.len(), "access point", "access points"),
        if others.is_empty() {
            String::new()
        } else {
            format!(" and {} on other floors", others.len())
        },
        a.seed
    );
    Ok(ExitCode::Ok)
}
