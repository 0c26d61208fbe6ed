//! `wisp validate`: how well each interpolation method predicts stretches of the walk it did not
//! see, and which one `auto` would pick ([`wisp_site::validate`]).

use crate::{CliError, ExitCode};
use wisp_interp::CrossValidation;
use wisp_site::pipeline;
use wisp_site::validate::{check_folds, table, validate_site, ValidationDocument};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: crate::args::SiteArgs,
    /// Print JSON for scripts instead of the table.
    #[arg(long)]
    json: bool,
    /// Metres of walk per left-out stretch (2–3 shadow-fading decorrelation lengths).
    #[arg(long, default_value_t = CrossValidation::default().block_m)]
    block_m: f64,
    /// Folds the stretches are dealt to, round-robin.
    #[arg(long, default_value_t = CrossValidation::default().folds)]
    folds: usize,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let cv = CrossValidation {
        block_m: a.block_m,
        folds: a.folds,
    };
    check_folds(&cv)?;
    let mut loaded = pipeline::load(&a.input.site, a.input.survey.as_deref())?;
    a.filters.filters().apply(&mut loaded.survey);
    if !a.json {
        crate::progress::print_reports(&loaded.reports);
    }
    let v = validate_site(&loaded, &cv)?;
    if a.json {
        let doc = ValidationDocument::of(&loaded.site.name, &cv, &v.validation, &v.skipped);
        println!(
            "{}",
            serde_json::to_string_pretty(&doc.to_json()).unwrap_or_default()
        );
    } else {
        for s in &v.skipped {
            eprintln!("skipped floor {s}");
        }
        print!("{}", table(&cv, &v.validation));
    }
    Ok(ExitCode::Ok)
}
