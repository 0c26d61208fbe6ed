use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Also list the custom profiles of this site.
    #[arg(long)]
    site: Option<PathBuf>,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let profiles = match &a.site {
        Some(s) => pipeline::all_profiles(&pipeline::load_site(s)?),
        None => wisp_coverage::profiles::builtin(),
    };
    let opt = |v: Option<f64>, unit: &str| v.map_or("–".to_string(), |v| format!("{v} {unit}"));
    println!(
        "{:<18} {:>10} {:>10} {:>10} {:>7} {:>16}  source",
        "profile", "primary", "secondary", "tertiary", "SNR", "co-channel"
    );
    for p in profiles {
        let cochannel = p.cochannel_max.map_or("–".to_string(), |m| {
            format!("≤{m} at {} dBm", p.cochannel_dbm.0)
        });
        println!(
            "{:<18} {:>10} {:>10} {:>10} {:>7} {:>16}  {}",
            p.name,
            format!("{} dBm", p.primary_dbm.0),
            opt(p.secondary_dbm.map(|d| d.0), "dBm"),
            opt(p.tertiary_dbm.map(|d| d.0), "dBm"),
            opt(p.snr_db, "dB"),
            cochannel,
            p.source
        );
    }
    Ok(ExitCode::Ok)
}
