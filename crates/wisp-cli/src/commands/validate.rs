//! `wisp validate`: how well each interpolation method predicts stretches of the walk it did not
//! see, and which one `auto` would pick.

use crate::{CliError, ExitCode};
use serde_json::json;
use wisp_interp::validate::TIE_DB;
use wisp_interp::{
    all_methods, cross_validate_with, CrossValidation, InterpErrorKind, Interpolator, LayerOptions,
    MethodScore, Score, Validation,
};
use wisp_model::words::count;
use wisp_site::pipeline;

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
    if !(a.block_m.is_finite() && a.block_m > 0.0) || a.folds < 2 {
        return Err(CliError::input(
            "--block-m must be a positive number of metres and --folds at least 2",
        ));
    }
    let mut loaded = pipeline::load(&a.input.site, a.input.survey.as_deref())?;
    a.filters.filters().apply(&mut loaded.survey);
    if !a.json {
        crate::progress::print_reports(&loaded.reports);
    }
    let methods = all_methods();
    let refs: Vec<&dyn Interpolator> = methods.iter().map(|m| m.as_ref()).collect();
    // Each floor is validated on its own walk; the scores are summed over floors.
    let mut total: Option<Validation> = None;
    let mut skipped: Vec<String> = Vec::new();
    for f in &loaded.site.floors {
        let id = &f.floor.id;
        let opts = LayerOptions {
            survey_range_m: f.floor.survey_range_m,
            grouping: loaded.site.ap_grouping.clone(),
            ..Default::default()
        };
        let samples = pipeline::samples_of(&loaded.survey, id);
        // Method `model` too, its calibration refitted on each fold's training scans, as `auto`
        // for a site (`wisp check`) scores it: both pick from the same methods.
        let model = wisp_plan::CalibrationFit {
            floor: f.floor.clone(),
            options: wisp_plan::CalibrationOptions {
                grouping: loaded.site.ap_grouping.clone(),
                ..Default::default()
            },
        };
        match cross_validate_with(samples, &refs, Some(&model), &opts, &cv) {
            Ok(v) => match &mut total {
                Some(t) => t.merge(&v),
                None => total = Some(v),
            },
            Err(e) if *e.kind() == InterpErrorKind::NoSamples => {
                skipped.push(format!("{id}: no usable scans"))
            }
            Err(e)
                if matches!(
                    e.kind(),
                    InterpErrorKind::Parameter {
                        name: "block_m",
                        ..
                    }
                ) =>
            {
                skipped.push(format!(
                    "{id}: walk shorter than two {} m stretches",
                    a.block_m
                ))
            }
            Err(e) => return Err(CliError::input(format!("floor '{id}': {e}"))),
        }
    }
    let Some(v) = total else {
        return Err(CliError::input(format!(
            "{}: nothing to validate ({})",
            loaded.site.manifest_path.display(),
            skipped.join("; ")
        )));
    };
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_report(&loaded.site.name, &cv, &v, &skipped))
                .unwrap_or_default()
        );
    } else {
        for s in &skipped {
            eprintln!("skipped floor {s}");
        }
        print!("{}", table(&cv, &v));
    }
    Ok(ExitCode::Ok)
}

fn num(v: f64, signed: bool) -> String {
    match (v.is_finite(), signed) {
        (false, _) => "–".into(),
        (true, true) => format!("{v:+.2}"),
        (true, false) => format!("{v:.2}"),
    }
}

/// The method × band table, then auto's choice and why.
pub fn table(cv: &CrossValidation, v: &Validation) -> String {
    let mut s = format!(
        "cross-validation: {} in {} of ~{} m walk, {}\n\n",
        count(v.samples, "scan", "scans"),
        count(v.blocks, "stretch", "stretches"),
        cv.block_m,
        count(cv.folds, "fold", "folds")
    );
    s += &format!(
        "{:<8} {:<5} {:>8} {:>8} {:>7}\n",
        "method", "band", "RMSE dB", "bias dB", "n"
    );
    let row = |s: &mut String, m: &str, band: &str, sc: &Score| {
        *s += &format!(
            "{:<8} {:<5} {:>8} {:>8} {:>7}\n",
            m,
            band,
            num(sc.rmse_db(), false),
            num(sc.bias_db(), true),
            sc.n
        );
    };
    for m in &v.methods {
        row(&mut s, m.method.name(), "all", &m.overall);
        for (band, sc) in &m.bands {
            row(&mut s, m.method.name(), band.name(), sc);
        }
    }
    s += "\n";
    s += &auto_line(v);
    s += "\n";
    s
}

/// "auto would pick METHOD: lowest RMSE (x.xx dB vs other y.yy, …)".
pub fn auto_line(v: &Validation) -> String {
    let Some(best) = v.best() else {
        return "auto has nothing to pick from: no method scored any prediction".into();
    };
    let others: Vec<String> = v
        .methods
        .iter()
        .filter(|m| m.method != best.method)
        .map(|m| format!("{} {}", m.method, num(m.overall.rmse_db(), false)))
        .collect();
    let tied = v.methods.iter().any(|m| {
        m.method != best.method && (m.overall.rmse_db() - best.overall.rmse_db()).abs() < TIE_DB
    });
    format!(
        "auto would pick {}: lowest RMSE ({} dB vs {}){}",
        best.method,
        num(best.overall.rmse_db(), false),
        others.join(", "),
        if tied {
            " — a tie, broken in the order idw, natural, kriging, nearest"
        } else {
            ""
        }
    )
}

fn score_json(s: &Score) -> serde_json::Value {
    let f = |v: f64| if v.is_finite() { json!(v) } else { json!(null) };
    json!({"rmse_db": f(s.rmse_db()), "bias_db": f(s.bias_db()), "n": s.n})
}

fn method_json(m: &MethodScore) -> serde_json::Value {
    let mut o = score_json(&m.overall);
    o["method"] = json!(m.method.name());
    o["bands"] = m
        .bands
        .iter()
        .map(|(b, s)| {
            let mut j = score_json(s);
            j["band"] = json!(b.name());
            j
        })
        .collect();
    o
}

pub fn json_report(
    site: &str,
    cv: &CrossValidation,
    v: &Validation,
    skipped: &[String],
) -> serde_json::Value {
    let best = v.best();
    json!({
        "site": site,
        "block_m": cv.block_m,
        "folds": cv.folds,
        "samples": v.samples,
        "blocks": v.blocks,
        "methods": v.methods.iter().map(method_json).collect::<Vec<_>>(),
        "auto": best.map(|b| json!({"method": b.method.name(), "rmse_db": b.overall.rmse_db(), "reason": auto_line(v)})),
        "skipped_floors": skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::Band;

    fn score(errs: &[f64]) -> Score {
        let mut s = Score::default();
        errs.iter().for_each(|e| s.add(*e));
        s
    }

    #[test]
    fn table_and_json_carry_the_same_numbers_and_the_reason() {
        let v = Validation {
            samples: 10,
            blocks: 4,
            folds: 2,
            methods: vec![
                MethodScore {
                    method: wisp_model::Method::Idw,
                    overall: score(&[3.0, -4.0]),
                    bands: vec![(Band::G5, score(&[3.0, -4.0]))],
                },
                MethodScore {
                    method: wisp_model::Method::Kriging,
                    overall: score(&[1.0, -1.0]),
                    bands: vec![(Band::G5, score(&[1.0, -1.0]))],
                },
            ],
        };
        let cv = CrossValidation::default();
        let t = table(&cv, &v);
        // idw: RMSE √((9 + 16) / 2) = 3.54, bias −0.5; kriging: RMSE 1, bias 0.
        assert!(
            t.contains("idw      all       3.54    -0.50       2"),
            "{t}"
        );
        assert!(
            t.contains("kriging  5         1.00    +0.00       2"),
            "{t}"
        );
        assert!(
            t.contains("auto would pick kriging: lowest RMSE (1.00 dB vs idw 3.54)"),
            "{t}"
        );
        let j = json_report("S", &cv, &v, &[]);
        assert_eq!(j["auto"]["method"], "kriging");
        assert_eq!(j["methods"][0]["n"], 2);
        assert!((j["methods"][0]["rmse_db"].as_f64().unwrap() - 12.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(j["methods"][1]["bands"][0]["band"], "5");
    }
}
