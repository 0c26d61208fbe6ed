//! Calibrating a site's floors (`wisp calibrate`): each floor's model fitted to its survey under
//! the site's AP grouping, and the one serde type of the JSON for scripts.

use crate::calibrations::FloorCalibrations;
use crate::pipeline::{self, Loaded};
use crate::Error;
use serde::Serialize;
use wisp_model::words::{count, truncate};
use wisp_plan::{Calibration, CalibrationOptions};

/// A floor's id and its fitted model, or why it could not be fitted.
pub type FloorFit = (String, Result<Calibration, String>);

/// Calibrates every floor (or the one asked for) that has readings; a floor that cannot be
/// calibrated comes back with its reason.
pub fn calibrate_site(
    loaded: &Loaded,
    floor: Option<&str>,
    opts: &CalibrationOptions,
) -> Result<Vec<FloorFit>, Error> {
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
            let c = FloorCalibrations::default()
                .get(&f.floor, samples, &opts)
                .as_ref()
                .clone()
                .map_err(|e| e.to_string());
            (f.floor.id.clone(), c)
        })
        .collect())
}

/// One floor of `wisp calibrate --json`: its model, or why there is none.
#[derive(Debug, Clone, Serialize)]
pub struct CalibratedFloor<'a> {
    pub floor: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<&'a Calibration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

/// The one serde type of `wisp calibrate --json`. Written through [`serde_json::Value`], so its
/// keys come out sorted.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationDocument<'a> {
    pub floors: Vec<CalibratedFloor<'a>>,
}

impl<'a> CalibrationDocument<'a> {
    pub fn of(fits: &'a [FloorFit]) -> Self {
        CalibrationDocument {
            floors: fits
                .iter()
                .map(|(id, c)| CalibratedFloor {
                    floor: id,
                    calibration: c.as_ref().ok(),
                    error: c.as_ref().err().map(String::as_str),
                })
                .collect(),
        }
    }

    /// The document as JSON with sorted keys.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The fitted model for people.
pub fn table(floor: &str, c: &Calibration) -> String {
    let mut s = format!(
        "floor {floor}: path-loss exponent n = {:.2}{}, {}, RMSE {:.1} dB, bias {:+.2} dB\n",
        c.exponent,
        if c.exponent_fitted {
            ""
        } else {
            " (not determined by the data: default kept)"
        },
        count(c.readings, "reading", "readings"),
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
                "    {:<16} {:>4} GHz  {:>5.1} dB ± {:.1} (table {:.1}, {} {} it)\n",
                truncate(&m.material, 16),
                m.band.name(),
                m.loss_db,
                m.standard_error_db,
                m.default_db,
                count(m.readings, "reading", "readings"),
                if m.readings == 1 { "crosses" } else { "cross" }
            );
        }
    }
    for k in &c.skipped {
        s += &format!(
            "  not located: {} ({}, strongest {:.0} dBm: too weak or too few)\n",
            k.ap,
            count(k.readings, "reading", "readings"),
            k.strongest_dbm
        );
    }
    s += "\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::{
        AccessPoint, ApRadio, Band, Floor, Material, PlanCalibration, Point, Polygon,
    };
    use wisp_radio::{simulate_walk, PathLoss, SimulationParams};

    fn ap(name: &str, x: f64, y: f64, k: u8, ch5: u16, tx5: f64) -> AccessPoint {
        AccessPoint {
            name: name.into(),
            position: Point::new(x, y),
            radios: vec![
                ApRadio {
                    band: Band::G2_4,
                    channel: 6,
                    tx_dbm: 14.0,
                },
                ApRadio {
                    band: Band::G5,
                    channel: ch5,
                    tx_dbm: tx5,
                },
            ],
            ssids: vec!["NHS-Clinical".into()],
            base_bssid: Some(format!("02:1a:11:00:{k:02x}:00").parse().unwrap()),
        }
    }

    /// The calibration table says what issue 13 asks of it, on a floor where everything it
    /// reports happens at once: A's 5 GHz radio moved from channel 36 to 44 between two walks
    /// (one radio, both channels), B transmits 38 dBm on 5 GHz where the manifest says 17
    /// (flagged, with the cause), and X is in no manifest (located, with its uncertainty).
    #[test]
    fn the_table_shows_one_radio_per_band_the_flags_and_the_located_positions() {
        let mut floor = Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.05).unwrap(),
            plan_size_px: (800, 400),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(40., 20.)).unwrap(),
            materials: Material::defaults(),
            walls: vec![],
            zones: vec![],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        };
        let a = ap("A", 8.0, 5.0, 1, 36, 17.0);
        let b = ap("B", 30.0, 10.0, 2, 149, 17.0);
        floor.aps = vec![a.clone(), b.clone()];
        let loud_b = ap("B", 30.0, 10.0, 2, 149, 38.0);
        let x = ap("X", 23.3, 14.6, 9, 100, 17.0);
        let moved_a = ap("A", 8.0, 5.0, 1, 44, 17.0);
        // One pass over the floor, rows 1.5 m apart.
        let walk = wisp_radio::simulate::serpentine(40.0, 20.0, 1.0);
        let params = |seed| SimulationParams {
            model: PathLoss {
                exponent: 2.5,
                extra_1m_db: 0.0,
            },
            shadow_sigma_db: 0.0,
            scan_noise_db: 0.0,
            seed,
            ..Default::default()
        };
        let day1 = vec![a, loud_b.clone(), x.clone()];
        let day2 = vec![moved_a, loud_b, x];
        let mut samples = simulate_walk(&floor, &day1, &walk, &params(1));
        samples.extend(simulate_walk(&floor, &day2, &walk, &params(2)));
        let c = wisp_plan::calibrate(&floor, &samples, &CalibrationOptions::default()).unwrap();
        let text = table("T", &c);
        let lines: Vec<&str> = text.lines().collect();

        // One line per AP and band: A's 5 GHz radio once, heard on both channels.
        let a5: Vec<&&str> = lines
            .iter()
            .filter(|l| l.contains("A (02:1a:11:00:01)") && l.contains(" 5 "))
            .collect();
        assert_eq!(a5.len(), 1, "{text}");
        assert!(a5[0].contains("36,44"), "{text}");
        assert_eq!(c.radios.len(), 6, "A, B and X on two bands: {text}");

        // B's 5 GHz power is flagged on its row and explained below the table.
        let b5 = lines
            .iter()
            .find(|l| l.contains("B (02:1a:11:00:02)") && l.contains(" 5 "))
            .unwrap();
        assert!(b5.ends_with("  !"), "{b5}");
        assert!(
            text.contains("! B 5 GHz: fitted 38.0 dBm is above the plausible -5..30 dBm: 'B' is probably not where the manifest places it"),
            "{text}"
        );
        // Nothing else is flagged.
        assert_eq!(text.matches("  !\n").count(), 1, "{text}");

        // X is located: its rows give the position with its uncertainty, and so does the
        // located-AP line, with the figures of the calibration.
        assert_eq!(c.located.len(), 1);
        let l = &c.located[0];
        assert!(l.uncertainty_m > 0.0);
        let at = format!(
            "({:.1}, {:.1}) ± {:.1} located",
            l.position.x, l.position.y, l.uncertainty_m
        );
        let rows = lines
            .iter()
            .filter(|r| r.contains("located 02:1a:11:00:09"));
        assert_eq!(rows.clone().count(), 2, "{text}");
        for row in rows {
            assert!(row.contains(&at), "{row} lacks {at}");
        }
        assert!(
            text.contains(&format!(
                "located AP 02:1a:11:00:09 at ({:.1}, {:.1}) m ± {:.1} m",
                l.position.x, l.position.y, l.uncertainty_m
            )),
            "{text}"
        );
        // Within a metre of where X really is (no shadowing, no noise).
        assert!(l.position.distance(Point::new(23.3, 14.6)) < 1.0, "{text}");
        // Manifest APs say so.
        assert!(a5[0].ends_with("manifest"), "{text}");
    }
}
