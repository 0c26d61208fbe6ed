//! The live map: the floor analysed by wisp-site from the scans so far (the same layers and
//! options `wisp check` uses), sent to the page as a value raster that it paints over the plan.
//!
//! "Walk here next" is the analysis's own surveyed mask: cells inside a zone that no scan is
//! within the floor's survey range of. This module judges nothing itself.

use crate::Error;
use serde::Serialize;
use wisp_ingest::{Site, SiteFloor};
use wisp_model::Sample;
use wisp_site::maps::Metric;
use wisp_site::pipeline::{self, Filters};

/// The layers the live map shows (measured, one value per cell).
pub const LIVE_LAYERS: [Metric; 5] = [
    Metric::Primary,
    Metric::Secondary,
    Metric::Snr,
    Metric::Uncertainty,
    Metric::CoChannel,
];

/// A layer of the floor as values per 0.5 m cell, row 0 at the top of the plan.
#[derive(Debug, Clone, Serialize)]
pub struct LiveMap {
    pub layer: &'static str,
    pub title: &'static str,
    pub rows: usize,
    pub cols: usize,
    pub cell_m: f64,
    /// Row by row; `None` where the layer has no value (outside the floor) or the cell is
    /// beyond survey range.
    pub values: Vec<Option<f32>>,
    /// Cells inside a zone beyond survey range: where to walk next.
    pub next: Vec<bool>,
    pub next_m2: f64,
    pub scans: usize,
    /// The interpolation method, as the analysis names it.
    pub method: String,
}

/// Parses a live layer's name (the names `wisp heatmap --metric` takes).
pub fn live_layer(name: &str) -> Result<Metric, Error> {
    let m: Metric = name.parse().map_err(Error::input)?;
    if !LIVE_LAYERS.contains(&m) {
        let names: Vec<&str> = LIVE_LAYERS.iter().map(|m| m.name()).collect();
        return Err(Error::input(format!(
            "the live map shows {} (not {name})",
            names.join(", ")
        )));
    }
    Ok(m)
}

/// Analyses the floor from `samples` (only radios of `ssid`, when given) and returns `layer`.
pub fn live_map(
    site: &Site,
    floor: &SiteFloor,
    samples: &[Sample],
    layer: Metric,
    ssid: Option<&str>,
) -> Result<LiveMap, Error> {
    let filters = Filters {
        ssids: ssid.map(|s| vec![s.to_string()]).unwrap_or_default(),
        ..Default::default()
    };
    let analysis = pipeline::analyse_with(site, floor, samples, &filters)?;
    let g = pipeline::floor_grid(&floor.floor)?;
    let zones = &floor.floor.zones;
    let in_zone = |r: usize, c: usize| {
        let p = g.centre(r, c);
        zones.iter().any(|z| z.polygon.contains(p))
    };
    let n = g.rows() * g.cols();
    let (values, surveyed): (Vec<Option<f32>>, Vec<bool>) = match &analysis.layers {
        Some(l) => {
            let grid = match layer {
                Metric::Primary => l.primary.clone(),
                Metric::Secondary => l.secondary.clone(),
                Metric::Snr => l.snr.clone(),
                Metric::Uncertainty => l.distance_m.clone(),
                _ => wisp_model::Grid::from_fn(*l.cochannel.geometry(), |r, c| {
                    if l.surveyed.get(r, c).copied().unwrap_or(false) {
                        l.cochannel.get(r, c).map_or(f32::NAN, |v| *v as f32)
                    } else {
                        f32::NAN
                    }
                }),
            };
            let mut v = Vec::with_capacity(n);
            let mut s = Vec::with_capacity(n);
            for r in 0..g.rows() {
                for c in 0..g.cols() {
                    // Beyond survey range a value is extrapolation: the page leaves it
                    // unpainted, as wisp-render greys it.
                    let surveyed = l.surveyed.get(r, c).copied().unwrap_or(false);
                    v.push(
                        grid.get(r, c)
                            .copied()
                            .filter(|x| surveyed && x.is_finite()),
                    );
                    s.push(surveyed);
                }
            }
            (v, s)
        }
        None => (vec![None; n], vec![false; n]),
    };
    let mut next = Vec::with_capacity(n);
    for r in 0..g.rows() {
        for c in 0..g.cols() {
            next.push(!surveyed[r * g.cols() + c] && in_zone(r, c));
        }
    }
    let next_m2 = next.iter().filter(|b| **b).count() as f64 * g.dx() * g.dx();
    Ok(LiveMap {
        layer: layer.name(),
        title: layer.title(),
        rows: g.rows(),
        cols: g.cols(),
        cell_m: g.dx(),
        values,
        next,
        next_m2,
        scans: samples.len(),
        method: analysis.method,
    })
}
