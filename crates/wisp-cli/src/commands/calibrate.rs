//! `wisp calibrate`: fit the radio model (path-loss exponent, each radio's effective power, the
//! position of APs the manifest does not place) to the survey, and print it.

use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_plan::CalibrationOptions;
use wisp_site::calibrate::{calibrate_site, table, CalibrationDocument};
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: crate::args::SiteArgs,
    /// Only this floor (default: every floor with readings).
    #[arg(long)]
    floor: Option<String>,
    /// Print JSON for scripts instead of the table.
    #[arg(long)]
    json: bool,
    /// Also fit the loss of each wall material crossed by enough paths (per band), pulled
    /// towards the material table; prints each fitted loss with its standard error.
    #[arg(long)]
    fit_walls: bool,
    /// Also write each calibrated floor's charts into this folder as SVG: measured against the
    /// model with the fit, and the residual histogram.
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let mut loaded = pipeline::load(&a.input.site, a.input.survey.as_deref())?;
    a.filters.filters().apply(&mut loaded.survey);
    if !a.json {
        crate::progress::print_reports(&loaded.reports);
    }
    let opts = CalibrationOptions {
        fit_walls: a.fit_walls,
        ..Default::default()
    };
    let fits = calibrate_site(&loaded, a.floor.as_deref(), &opts)?;
    if fits.iter().all(|(_, c)| c.is_err()) {
        let why: Vec<String> = fits
            .iter()
            .filter_map(|(_, c)| c.as_ref().err().cloned())
            .collect();
        return Err(CliError::input(format!(
            "nothing to calibrate: {}",
            why.join("; ")
        )));
    }
    if let Some(dir) = &a.plot {
        for (id, c) in &fits {
            let (Ok(c), Ok(floor)) = (c, pipeline::pick_floor(&loaded.site, Some(id))) else {
                continue;
            };
            let samples = pipeline::samples_of(&loaded.survey, id);
            let evidence = wisp_plan::evidence(&floor.floor, samples, c);
            let charts = wisp_site::charts::calibration_charts(&floor.floor.name, &evidence);
            super::chart::write_charts(dir, id, &charts)?;
        }
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&CalibrationDocument::of(&fits).to_json())
                .unwrap_or_default()
        );
    } else {
        for (id, c) in &fits {
            match c {
                Ok(c) => print!("{}", table(id, c)),
                Err(e) => println!("floor {id}: not calibrated: {e}\n"),
            }
        }
    }
    Ok(ExitCode::Ok)
}
