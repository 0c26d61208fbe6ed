//! A floor's calibrations in one run (issue 16, "calibrate once per run"): the one place
//! wisp-site calibrates a floor. A leaf module, so `pipeline` (whose analyses carry one) and
//! `calibrate` (`wisp calibrate`, which reads the site through `pipeline`) both use it.

use std::sync::{Arc, Mutex};
use wisp_model::Sample;
use wisp_plan::{Calibration, CalibrationOptions};

/// A floor's calibrated model as one run made it, or why it could not be made.
pub type Calibrated = Arc<Result<Calibration, wisp_plan::PlanError>>;

/// The one place wisp-site calibrates a floor: each set of options at most once per run,
/// shared by everything the run derives from the floor (method `model`'s trend in the
/// analysis, the predicted maps, the report's calibration charts, the plan). A calibration
/// takes seconds on a dense floor (issue 16), and its result depends only on the floor, its
/// samples and the options, so a second one would only repeat the first.
///
/// One value per floor and survey: [`crate::pipeline::FloorAnalysis`] carries the one its
/// analysis used, so the maps drawn from that analysis reuse it.
#[derive(Debug, Default)]
pub struct FloorCalibrations {
    made: Mutex<Vec<(CalibrationOptions, Calibrated)>>,
}

impl FloorCalibrations {
    /// The floor's calibration with `opts` on `samples`: made the first time it is asked for,
    /// then the same one. Every call for one value must pass the same floor and samples.
    pub fn get(
        &self,
        floor: &wisp_model::Floor,
        samples: &[Sample],
        opts: &CalibrationOptions,
    ) -> Calibrated {
        self.get_sharing(floor, samples, opts, None)
    }

    /// [`FloorCalibrations::get`], taking the coarse lattice's wall losses from `shared` (made
    /// from this walk, e.g. by `auto`'s cross-validation) where it holds them: the same
    /// calibration bit for bit ([`wisp_plan::calibrate_sharing`]), made faster.
    pub fn get_sharing(
        &self,
        floor: &wisp_model::Floor,
        samples: &[Sample],
        opts: &CalibrationOptions,
        shared: Option<&wisp_plan::SharedLattice>,
    ) -> Calibrated {
        // Held while calibrating: a second caller with the same options waits for the first
        // result rather than making its own.
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, c)) = made.iter().find(|(o, _)| o == opts) {
            return c.clone();
        }
        let c = Arc::new(wisp_plan::calibrate_sharing(floor, samples, opts, shared));
        made.push((opts.clone(), c.clone()));
        c
    }

    /// How many calibrations it has made (one per distinct set of options asked for).
    pub fn made(&self) -> usize {
        self.made.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    /// Where wisp-site's code (not its tests or comments) calls a calibration: `file: line`
    /// for every `calibrate(` not part of a longer name.
    fn calibration_calls() -> Vec<String> {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files: Vec<_> = std::fs::read_dir(&src)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs"))
            .collect();
        files.sort();
        let mut calls = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                calls.extend(calls_in(line).map(|_| {
                    format!(
                        "{}: {}",
                        f.file_name().unwrap().to_string_lossy(),
                        line.trim()
                    )
                }));
            }
        }
        calls
    }

    /// Each `calibrate(` or `calibrate_sharing(` in `line` that is a call of one of them.
    fn calls_in(line: &str) -> impl Iterator<Item = usize> + '_ {
        ["calibrate(", "calibrate_sharing("]
            .into_iter()
            .flat_map(|name| line.match_indices(name))
            .map(|(i, _)| i)
            .filter(move |&i| {
                !line[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    }

    /// Issue 16, "calibrate once per run", by structure: the only calibration wisp-site makes
    /// is [`FloorCalibrations::get`]'s, so a run that shares one `FloorCalibrations` per floor
    /// (the analysis's) calibrates each floor once per set of options; a second call elsewhere
    /// would calibrate behind its back.
    #[test]
    fn every_calibration_goes_through_floor_calibrations() {
        let calls = calibration_calls();
        assert_eq!(
            calls,
            vec![
                "calibrations.rs: let c = Arc::new(wisp_plan::calibrate_sharing(floor, samples, opts, shared));"
            ]
        );
        // The scan sees the calls it must refuse.
        assert_eq!(
            calls_in("let c = wisp_plan::calibrate(f, s, &o);").count(),
            1
        );
        assert_eq!(calls_in("match calibrate(&f.floor, s, &o) {").count(), 1);
        assert_eq!(calls_in("calibrate_sharing(f, s, &o, None)").count(), 1);
        assert_eq!(calls_in("calibrate_site(&loaded, None, &opts)").count(), 0);
        assert_eq!(calls_in("wisp calibrate site.toml").count(), 0);
    }
}
