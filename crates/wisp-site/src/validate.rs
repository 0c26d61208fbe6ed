//! Cross-validating a site's interpolation methods (`wisp validate`): each floor's walk-out
//! folds scored for every point method and for `model` (its calibration refitted on each fold's
//! training scans, as `auto` scores it for `wisp check`), summed over floors; the table for
//! people and the one serde type of the JSON for scripts.

use crate::pipeline::{self, Loaded};
use crate::Error;
use serde::Serialize;
use wisp_interp::validate::TIE_DB;
use wisp_interp::{
    all_methods, cross_validate_with, CrossValidation, InterpErrorKind, Interpolator, LayerOptions,
    MethodScore, Score, Validation,
};
use wisp_model::words::count;

/// A site's validation: the scores summed over its floors, and the floors left out with why.
#[derive(Debug, Clone)]
pub struct SiteValidation {
    pub validation: Validation,
    /// "FLOOR: why", for each floor that could not be validated.
    pub skipped: Vec<String>,
}

/// Refuses stretches that are not a positive length and fewer than two folds (before a front end
/// loads the site, so the mistake is said first).
pub fn check_folds(cv: &CrossValidation) -> Result<(), Error> {
    if !(cv.block_m.is_finite() && cv.block_m > 0.0) || cv.folds < 2 {
        return Err(Error::input(
            "--block-m must be a positive number of metres and --folds at least 2",
        ));
    }
    Ok(())
}

/// Validates every floor of `loaded` on its own walk with `cv`'s folds. Errors when no floor
/// can be validated, naming why for each.
pub fn validate_site(loaded: &Loaded, cv: &CrossValidation) -> Result<SiteValidation, Error> {
    check_folds(cv)?;
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
        // The folds' calibrations share the coarse lattice's wall losses to the walk.
        let model = wisp_plan::CalibrationFit::for_walk(
            f.floor.clone(),
            wisp_plan::CalibrationOptions {
                grouping: loaded.site.ap_grouping.clone(),
                ..Default::default()
            },
            samples,
        );
        match cross_validate_with(samples, &refs, Some(&model), &opts, cv) {
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
                    cv.block_m
                ))
            }
            Err(e) => return Err(Error::input(format!("floor '{id}': {e}"))),
        }
    }
    let Some(validation) = total else {
        return Err(Error::input(format!(
            "{}: nothing to validate ({})",
            loaded.site.manifest_path.display(),
            skipped.join("; ")
        )));
    };
    Ok(SiteValidation {
        validation,
        skipped,
    })
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

/// "auto (the default) would pick METHOD: lowest RMSE (x.xx dB vs other y.yy, …)": a site
/// without `interpolation` in its manifest is mapped with the method `auto` picks per floor
/// (this table sums the floors).
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
    let tie_order = wisp_model::Method::ALL.map(|m| m.name()).join(", ");
    format!(
        "auto (the default) would pick {}: lowest RMSE ({} dB vs {}){}",
        best.method,
        num(best.overall.rmse_db(), false),
        others.join(", "),
        if tied {
            format!(" — a tie, broken in the order {tie_order}")
        } else {
            String::new()
        }
    )
}

/// One score in the JSON: RMSE and bias `null` when nothing was scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreJson {
    pub rmse_db: Option<f64>,
    pub bias_db: Option<f64>,
    pub n: usize,
}

impl ScoreJson {
    fn of(s: &Score) -> ScoreJson {
        let finite = |v: f64| v.is_finite().then_some(v);
        ScoreJson {
            rmse_db: finite(s.rmse_db()),
            bias_db: finite(s.bias_db()),
            n: s.n,
        }
    }
}

/// A method's scores in the JSON: overall, then per band.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodJson {
    pub method: String,
    #[serde(flatten)]
    pub overall: ScoreJson,
    pub bands: Vec<BandJson>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BandJson {
    pub band: String,
    #[serde(flatten)]
    pub score: ScoreJson,
}

/// What `auto` would pick, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AutoJson {
    pub method: String,
    pub rmse_db: f64,
    pub reason: String,
}

/// The one serde type of `wisp validate --json`. Written through [`serde_json::Value`], so its
/// keys come out sorted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValidationDocument {
    pub site: String,
    pub block_m: f64,
    pub folds: usize,
    pub samples: usize,
    pub blocks: usize,
    pub methods: Vec<MethodJson>,
    pub auto: Option<AutoJson>,
    pub skipped_floors: Vec<String>,
}

impl ValidationDocument {
    pub fn of(site: &str, cv: &CrossValidation, v: &Validation, skipped: &[String]) -> Self {
        ValidationDocument {
            site: site.to_string(),
            block_m: cv.block_m,
            folds: cv.folds,
            samples: v.samples,
            blocks: v.blocks,
            methods: v.methods.iter().map(method_json).collect(),
            auto: v.best().map(|b| AutoJson {
                method: b.method.name().to_string(),
                rmse_db: b.overall.rmse_db(),
                reason: auto_line(v),
            }),
            skipped_floors: skipped.to_vec(),
        }
    }

    /// The document as JSON with sorted keys.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

fn method_json(m: &MethodScore) -> MethodJson {
    MethodJson {
        method: m.method.name().to_string(),
        overall: ScoreJson::of(&m.overall),
        bands: m
            .bands
            .iter()
            .map(|(b, s)| BandJson {
                band: b.name().to_string(),
                score: ScoreJson::of(s),
            })
            .collect(),
    }
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
            t.contains("auto (the default) would pick kriging: lowest RMSE (1.00 dB vs idw 3.54)"),
            "{t}"
        );
        let j = ValidationDocument::of("S", &cv, &v, &[]).to_json();
        assert_eq!(j["auto"]["method"], "kriging");
        assert_eq!(j["methods"][0]["n"], 2);
        assert!((j["methods"][0]["rmse_db"].as_f64().unwrap() - 12.5f64.sqrt()).abs() < 1e-12);
        assert_eq!(j["methods"][1]["bands"][0]["band"], "5");
    }
}
