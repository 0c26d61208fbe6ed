//! The calibrated model as the radio map's trend: where `wisp_interp`'s regression kriging
//! (method `model`) gets its physics.
//!
//! `wisp_interp` cannot see the calibration (this crate depends on it, not the other way), so
//! the model is handed over as data: [`CalibratedTrend`] implements `wisp_interp`'s `Trend` —
//! per radio, `P_r − PL1m(f) − 10·n·log10(max(d, 1 m)) − walls`, with the AP where the manifest
//! places it or where [`calibrate`] located it, the fitted exponent and power, and the floor's
//! walls (door leaves included, as the wall segments of their door material) at the
//! calibration's fitted losses where it fitted any, else the table's. A radio whose AP has no
//! position (unplaced and too weakly heard to locate) has no trend, and the map krige its
//! measurements as they are. [`CalibrationFit`] refits the whole calibration on a subset of the
//! walk, for cross-validation.

use crate::calibrate::{calibrate_sharing, Calibration, CalibrationOptions, SharedLattice};
use crate::walls::WallSet;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use wisp_interp::regression::{NoTrend, Trend, TrendFit};
use wisp_interp::RadioKey;
use wisp_model::{Band, Channel, Floor, Point, Sample};
use wisp_radio::path_loss::free_space_1m;

/// One radio's fitted model.
#[derive(Debug, Clone, PartialEq)]
struct TrendRadio {
    position: Point,
    power_dbm: f64,
    free_space_1m_db: f64,
}

/// The calibrated propagation model of one floor, per radio.
#[derive(Debug, Clone)]
pub struct CalibratedTrend {
    exponent: f64,
    radios: BTreeMap<RadioKey, TrendRadio>,
    walls: BTreeMap<Band, WallSet>,
}

impl CalibratedTrend {
    pub fn new(floor: &Floor, calibration: &Calibration) -> CalibratedTrend {
        let materials = calibration.materials(&floor.materials);
        let radios = calibration
            .radios
            .iter()
            .filter_map(|r| {
                let position = calibration.position_of(floor, &r.ap)?;
                let freq = Channel::new(r.band, r.channel).ok()?.freq_mhz;
                let key = RadioKey {
                    ap: r.ap.clone(),
                    band: r.band,
                    channel: r.channel,
                };
                Some((
                    key,
                    TrendRadio {
                        position,
                        power_dbm: r.power_dbm,
                        free_space_1m_db: free_space_1m(freq as f64),
                    },
                ))
            })
            .collect();
        let walls = Band::ALL
            .iter()
            .map(|&b| (b, WallSet::new(&floor.walls, &materials, b)))
            .collect();
        CalibratedTrend {
            exponent: calibration.exponent,
            radios,
            walls,
        }
    }

    /// Radios with a trend.
    pub fn len(&self) -> usize {
        self.radios.len()
    }

    pub fn is_empty(&self) -> bool {
        self.radios.is_empty()
    }
}

impl Trend for CalibratedTrend {
    fn at(&self, radio: &RadioKey, x: f64, y: f64) -> Option<f64> {
        let r = self.radios.get(radio)?;
        let p = Point::new(x, y);
        let walls = self
            .walls
            .get(&radio.band)
            .map_or(0.0, |w| w.loss_brute(r.position, p));
        Some(
            r.power_dbm
                - r.free_space_1m_db
                - 10.0 * self.exponent * r.position.distance(p).max(1.0).log10()
                - walls,
        )
    }
}

/// Calibrates the floor's model on the samples it is given ([`TrendFit`], for cross-validation).
/// A subset that cannot be calibrated (no readings) gives no trend: plain kriging.
#[derive(Debug, Clone)]
pub struct CalibrationFit {
    pub floor: Floor,
    pub options: CalibrationOptions,
    /// The coarse lattice's wall losses to the scans of the walk the fits take parts of, made
    /// once and shared by every fit ([`calibrate_sharing`]); None: each fit computes its own.
    pub shared: Option<Arc<SharedLattice>>,
}

impl CalibrationFit {
    /// The fit for parts of `samples` (one floor's walk), with the table they share.
    pub fn for_walk(floor: Floor, options: CalibrationOptions, samples: &[Sample]) -> Self {
        let shared = Arc::new(SharedLattice::new(&floor, samples, &options));
        CalibrationFit {
            floor,
            options,
            shared: Some(shared),
        }
    }
}

impl TrendFit for CalibrationFit {
    fn fit(&self, samples: &[Sample]) -> Box<dyn Trend> {
        match calibrate_sharing(&self.floor, samples, &self.options, self.shared.as_deref()) {
            Ok(c) => Box::new(CalibratedTrend::new(&self.floor, &c)),
            Err(_) => Box::new(NoTrend),
        }
    }
}

/// One reading against the calibrated model: a point of the measured-vs-model scatter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelReading {
    /// The radio (its AP key, as `RadioKey::ap`), band and channel.
    pub ap: String,
    pub band: Band,
    pub channel: u16,
    pub at: Point,
    /// Distance to the radio's AP, metres.
    pub distance_m: f64,
    /// The radio's reading at that scan (its SSIDs' readings averaged), dBm.
    pub measured_dbm: f64,
    pub modelled_dbm: f64,
}

/// What `wisp calibrate --plot` and the report's appendix draw: every reading of a placed radio
/// against the model (scatter and residual histogram), the residual spread, and each located
/// AP with its uncertainty radius. Data only; the charts are drawn elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationEvidence {
    pub readings: Vec<ModelReading>,
    /// Standard deviation of measured − modelled over `readings`, dB (NaN with none).
    pub residual_sd_db: f64,
    /// Mean of measured − modelled, dB.
    pub residual_mean_db: f64,
    pub located: Vec<crate::calibrate::LocatedAp>,
}

/// The evidence for `calibration` on `samples` (the ones it was fitted to).
pub fn evidence(
    floor: &Floor,
    samples: &[Sample],
    calibration: &Calibration,
) -> CalibrationEvidence {
    let trend = CalibratedTrend::new(floor, calibration);
    let mut readings = Vec::new();
    for radio in crate::calibrate::gather(samples, &calibration.grouping) {
        let Some(model) = trend.radios.get(&radio.key) else {
            continue;
        };
        for (p, y) in radio.points.iter().zip(&radio.rssi) {
            if let Some(m) = trend.at(&radio.key, p.x, p.y) {
                readings.push(ModelReading {
                    ap: radio.key.ap.clone(),
                    band: radio.key.band,
                    channel: radio.key.channel,
                    at: *p,
                    distance_m: model.position.distance(*p),
                    measured_dbm: *y,
                    modelled_dbm: m,
                });
            }
        }
    }
    let n = readings.len() as f64;
    let residual = |r: &ModelReading| r.measured_dbm - r.modelled_dbm;
    let mean = readings.iter().map(residual).sum::<f64>() / n;
    let sd = (readings
        .iter()
        .map(|r| (residual(r) - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    CalibrationEvidence {
        readings,
        residual_sd_db: sd,
        residual_mean_db: mean,
        located: calibration.located.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::calibrate;
    use wisp_model::{AccessPoint, ApRadio, Material, PlanCalibration, Polygon, Segment, Wall};
    use wisp_radio::{simulate_walk, SimulationParams};

    fn floor() -> Floor {
        let materials = Material::defaults();
        let block = materials.iter().position(|m| m.name == "block").unwrap();
        Floor {
            id: "T".into(),
            name: "T".into(),
            calibration: PlanCalibration::new(0.1).unwrap(),
            plan_size_px: (400, 200),
            outline: Polygon::rectangle(Point::new(0., 0.), Point::new(40., 20.)).unwrap(),
            materials,
            walls: vec![Wall {
                segment: Segment::new(Point::new(20.0, 0.0), Point::new(20.0, 20.0)),
                material: block,
            }],
            zones: vec![],
            aps: vec![AccessPoint {
                name: "AP1".into(),
                position: Point::new(5.0, 10.0),
                radios: vec![ApRadio {
                    band: Band::G5,
                    channel: 36,
                    tx_dbm: 15.0,
                }],
                ssids: vec!["S".into()],
                base_bssid: Some("02:1a:11:00:01:00".parse().unwrap()),
            }],
            walk: None,
            survey_range_m: 5.0,
        }
    }

    #[test]
    fn without_fading_the_trend_is_the_simulators_model_behind_the_wall_too() {
        // A noiseless walk: calibration recovers the power and exponent, so the trend equals
        // wisp_radio's prediction everywhere, including beyond the block wall the walk crossed.
        let f = floor();
        let params = SimulationParams {
            shadow_sigma_db: 0.0,
            scan_noise_db: 0.0,
            seed: 3,
            ..Default::default()
        };
        let walk = [
            Point::new(1.0, 2.0),
            Point::new(38.0, 2.0),
            Point::new(38.0, 18.0),
            Point::new(1.0, 18.0),
        ];
        let samples = simulate_walk(&f, &f.aps, &walk, &params);
        let fit = CalibrationFit {
            floor: f.clone(),
            options: CalibrationOptions::default(),
            shared: None,
        };
        let trend = fit.fit(&samples);
        let key = RadioKey {
            ap: "02:1a:11:00:01".into(),
            band: Band::G5,
            channel: 36,
        };
        for p in [
            Point::new(10.0, 10.0),
            Point::new(30.0, 5.0),
            Point::new(39.0, 19.0),
        ] {
            let want =
                wisp_radio::simulate::predict(&params.model, &f, &f.aps[0], &f.aps[0].radios[0], p)
                    .unwrap();
            let got = trend.at(&key, p.x, p.y).unwrap();
            // Readings are rounded to whole dB, so the fit is good to a fraction of one.
            assert!((got - want).abs() < 0.5, "{p:?}: {got} vs {want}");
        }
        let other = RadioKey { channel: 40, ..key };
        assert!(trend.at(&other, 1.0, 1.0).is_none());
        // The evidence pairs every reading with the model: residuals are the rounding only.
        let cal = calibrate(&f, &samples, &CalibrationOptions::default()).unwrap();
        let ev = evidence(&f, &samples, &cal);
        assert_eq!(ev.readings.len(), samples.len());
        assert!(
            ev.residual_sd_db < 0.5 && ev.residual_mean_db.abs() < 0.2,
            "{ev:?}"
        );
        for r in &ev.readings {
            assert!((r.distance_m - r.at.distance(f.aps[0].position)).abs() < 1e-9);
        }
    }
}
