//! One judge: a plan's "before" and "after" are `wisp_coverage`'s verdicts, never the planner's
//! own.
//!
//! "Before" is [`wisp_coverage::evaluate_zone`] on the survey's layers: our radios' coverage with
//! everyone's interference ([`SignalLayers::from_map`] of the survey's [`RadioMap`]), the layers
//! `wisp check` judges. "After" is the same judgement on the predicted-after layers
//! ([`after_map`]): the survey's map with our re-channelled radios on their planned channels,
//! neighbours' radios untouched, and each new AP's radios added as the calibrated model's
//! signal. Every criterion of the profile is judged there, co-channel included, with the
//! survey's noise and surveyed cells.

use crate::aps::{freq, model_power, PlannedAp};
use crate::calibrate::Calibration;
use crate::matrix::{SignalMatrix, Source};
use crate::walls::WallSet;
use serde::Serialize;
use wisp_coverage::{evaluate_zone, EvalOptions, ZoneResult};
use wisp_interp::{LayerOptions, RadioInfo, RadioKey, RadioMap, SignalLayers};
use wisp_model::{Band, Floor, Grid, Point, RequirementProfile, Zone};
use wisp_radio::PathLoss;

/// The survey the planner starts from: every radio's map, which radios are ours, and the
/// options `wisp check` derives and judges layers with.
#[derive(Clone, Copy)]
pub struct SurveyMap<'a> {
    pub map: &'a RadioMap,
    /// Per radio of `map`: ours (coverage and interference) or a neighbour's (interference
    /// only; never re-channelled, never in the bill of materials).
    pub ours: &'a [bool],
    pub layers: &'a LayerOptions,
    pub eval: &'a EvalOptions,
}

impl SurveyMap<'_> {
    /// The survey's layers, as `wisp check` judges them.
    pub fn before_layers(&self) -> SignalLayers {
        SignalLayers::from_map(self.map, self.ours, self.layers)
    }
}

/// A channel change on one of our existing radios.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ChannelChange {
    /// The radio's AP as the survey groups it (its key), and the manifest's name when known.
    pub ap: String,
    pub name: Option<String>,
    pub band: Band,
    pub from: u16,
    pub to: u16,
}

/// Every zone of `floor` that has a profile, judged by `wisp_coverage` on `layers`, in the
/// floor's zone order.
pub fn judge(
    floor: &Floor,
    layers: &SignalLayers,
    profile: &dyn Fn(&Zone) -> Option<RequirementProfile>,
    eval: &EvalOptions,
) -> Vec<ZoneResult> {
    floor
        .zones
        .iter()
        .filter_map(|z| profile(z).map(|p| evaluate_zone(floor, z, &p, layers, eval)))
        .collect()
}

/// The predicted-after radio map and which of its radios are ours: the survey's map with
/// `changes` applied to our radios, plus one radio per radio of each of `new_aps` (the model's
/// signal at every cell of the floor, at the radio's power less the calibration's average extra
/// loss, on its channel's frequency, through the floor's walls with the calibration's losses).
/// A new radio's noise is the median of the survey's radios on its band (else the band's
/// default).
pub fn after_map(
    floor: &Floor,
    calibration: Option<&Calibration>,
    survey: &SurveyMap,
    changes: &[ChannelChange],
    new_aps: &[PlannedAp],
) -> (RadioMap, Vec<bool>) {
    let mut map = survey.map.clone();
    let mut ours = survey.ours.to_vec();
    for (info, &o) in map.radios.iter_mut().zip(&ours) {
        let k = &mut info.key;
        if let Some(c) = changes
            .iter()
            .filter(|_| o)
            .find(|c| c.ap == k.ap && c.band == k.band && c.from == k.channel)
        {
            k.channel = c.to;
        }
    }
    let g = *map.distance_m.geometry();
    let inside: Vec<(usize, usize)> = map
        .distance_m
        .indexed_iter()
        .filter(|(_, d)| !d.is_nan())
        .map(|(rc, _)| rc)
        .collect();
    let cells: Vec<Point> = inside.iter().map(|&(r, c)| g.centre(r, c)).collect();
    let exponent = calibration.map_or(PathLoss::default().exponent, |c| c.exponent);
    let materials = calibration.map_or_else(
        || floor.materials.clone(),
        |c| c.materials(&floor.materials),
    );
    let noise = |band: Band| {
        let mut n: Vec<f64> = survey
            .map
            .radios
            .iter()
            .filter(|r| r.key.band == band)
            .map(|r| r.noise_dbm)
            .collect();
        n.sort_by(f64::total_cmp);
        n.get(n.len() / 2)
            .copied()
            .unwrap_or(band.default_noise().0)
    };
    for ap in new_aps {
        for radio in &ap.radios {
            let walls = WallSet::new(&floor.walls, &materials, radio.band);
            let source = Source {
                position: ap.position,
                power_dbm: model_power(calibration, radio.tx_dbm),
                freq_mhz: freq(radio.band, radio.channel, 5500.0),
            };
            let m = SignalMatrix::build_on_grid(
                &[source],
                &g,
                &cells,
                exponent,
                &walls,
                f64::NEG_INFINITY,
            );
            let mut grid = Grid::filled(g, f32::NAN);
            for (&(r, c), &v) in inside.iter().zip(m.row(0)) {
                grid.values_mut()[[r, c]] = v;
            }
            map.radios.push(RadioInfo {
                key: RadioKey {
                    ap: ap.name.clone(),
                    band: radio.band,
                    channel: radio.channel,
                },
                bssids: Vec::new(),
                ssids: ap.ssids.clone(),
                noise_dbm: noise(radio.band),
                strongest_dbm: f64::NEG_INFINITY,
                strongest_at: (ap.position.x, ap.position.y),
                // A new AP is ours, and known by its planned BSSIDs.
                is_ours: true,
                unidentified: false,
            });
            map.grids.push(grid);
            ours.push(true);
        }
    }
    (map, ours)
}
