//! `wisp calibrate`: fit the radio model (path-loss exponent, each radio's effective power, the
//! position of APs the manifest does not place) to the survey, and print it.

use crate::{CliError, ExitCode};
use serde_json::json;
use std::path::PathBuf;
use wisp_plan::{calibrate, Calibration, CalibrationOptions};
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

/// A floor's id and its fitted model, or why it could not be fitted.
pub type FloorFit = (String, Result<Calibration, String>);

/// Calibrates every floor (or the one asked for) that has readings; a floor that cannot be
/// calibrated comes back with its reason.
pub fn calibrate_site(
    loaded: &pipeline::Loaded,
    floor: Option<&str>,
    opts: &CalibrationOptions,
) -> Result<Vec<FloorFit>, CliError> {
    let floors: Vec<&wisp_ingest::SiteFloor> = match floor {
        Some(id) => vec![pipeline::pick_floor(&loaded.site, Some(id))?],
        None => loaded.site.floors.iter().collect(),
    };
    Ok(floors
        .into_iter()
        .map(|f| {
            let samples = pipeline::samples_of(&loaded.survey, &f.floor.id);
            // The site's AP grouping always: the options say what to fit, not who is who.
            let opts = CalibrationOptions {
                grouping: loaded.site.ap_grouping.clone(),
                ..opts.clone()
            };
            let c = calibrate(&f.floor, samples, &opts).map_err(|e| e.to_string());
            (f.floor.id.clone(), c)
        })
        .collect())
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
        let floors: Vec<serde_json::Value> = fits
            .iter()
            .map(|(id, c)| match c {
                Ok(c) => json!({"floor": id, "calibration": c}),
                Err(e) => json!({"floor": id, "error": e}),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "floors": floors })).unwrap_or_default()
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

/// The fitted model for people.
pub fn table(floor: &str, c: &Calibration) -> String {
    let mut s = format!(
        "floor {floor}: path-loss exponent n = {:.2}{}, {} readings, RMSE {:.1} dB, bias {:+.2} dB\n",
        c.exponent,
        if c.exponent_fitted { "" } else { " (not determined by the data: default kept)" },
        c.readings,
        c.rmse_db,
        c.bias_db
    );
    s += &format!(
        "  {:<36} {:>4} {:>6} {:>10} {:>9} {:>8} {:>6} {:>6}  {}\n",
        "radio", "band", "ch", "P fit dBm", "manifest", "readings", "RMSE", "bias", "position m"
    );
    for r in &c.radios {
        let name = match &r.ap_name {
            Some(n) => format!("{n} ({})", r.ap),
            None => format!("located {}", r.ap),
        };
        // Where the fit put the AP: the manifest's place, or located with its uncertainty.
        let position = match c.located.iter().find(|l| l.ap == r.ap) {
            Some(l) => format!(
                "({:.1}, {:.1}) ± {:.1} located",
                l.position.x, l.position.y, l.uncertainty_m
            ),
            None if r.ap_name.is_some() => "manifest".to_string(),
            None => "–".to_string(),
        };
        let channels = r
            .channels
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(",");
        s += &format!(
            "  {:<36} {:>4} {:>6} {:>10.1} {:>9} {:>8} {:>6.1} {:>+6.2}  {}{}\n",
            truncate(&name, 36),
            r.band.name(),
            channels,
            r.power_dbm,
            r.manifest_tx_dbm
                .map_or("–".to_string(), |t| format!("{t:.1}")),
            r.readings,
            r.rmse_db,
            r.bias_db,
            position,
            if r.implausible.is_some() { "  !" } else { "" }
        );
    }
    for l in &c.located {
        s += &format!(
            "  located AP {} at ({:.1}, {:.1}) m ± {:.1} m (RMSE {:.1} dB, strongest {:.0} dBm)\n",
            l.ap, l.position.x, l.position.y, l.uncertainty_m, l.rmse_db, l.strongest_dbm
        );
    }
    for r in &c.radios {
        if let Some(why) = &r.implausible {
            let name = r.ap_name.as_deref().unwrap_or(&r.ap);
            s += &format!("  ! {name} {} GHz: {why}\n", r.band.name());
        }
    }
    if let Some(w) = &c.walls {
        s += &format!(
            "  wall losses fitted: RMSE {:.1} → {:.1} dB, bias {:+.2} → {:+.2} dB\n",
            w.rmse_before_db, w.rmse_after_db, w.bias_before_db, w.bias_after_db
        );
        for m in &w.materials {
            s += &format!(
                "    {:<16} {:>4} GHz  {:>5.1} dB ± {:.1} (table {:.1}, {} readings cross it)\n",
                truncate(&m.material, 16),
                m.band.name(),
                m.loss_db,
                m.standard_error_db,
                m.default_db,
                m.readings
            );
        }
    }
    for k in &c.skipped {
        s += &format!(
            "  not located: {} ({} readings, strongest {:.0} dBm: too weak or too few)\n",
            k.ap, k.readings, k.strongest_dbm
        );
    }
    s += "\n";
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let t: String = s.chars().take(n - 1).collect();
        format!("{t}…")
    }
}
