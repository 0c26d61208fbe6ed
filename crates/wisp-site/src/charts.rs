//! The data of a floor's charts, computed here and drawn by `wisp_render::chart_svg` /
//! `chart_image`: per zone, the cumulative distribution of primary and secondary signal over
//! the cells it is judged on, with its profile's thresholds; the primary signal per zone kind;
//! the calibration's readings against the model, with the fit, and the residuals; the change
//! between two surveys' layers.
//!
//! Every signal chart spans `wisp_render::SIGNAL_RANGE_DBM`, the range of the signal maps, so
//! charts and maps read on one scale.

use crate::pipeline::FloorAnalysis;
use wisp_coverage::Criterion;
use wisp_ingest::SiteFloor;
use wisp_render::{Chart, ChartKind, ChartMark, ChartSeries, SIGNAL_RANGE_DBM};

/// Width of a signal histogram's bins, dB: finer than a map's colour steps are told apart,
/// coarse enough that a zone of a few hundred cells gives a readable outline (an estimate).
const SIGNAL_BIN_DB: f64 = 2.0;
/// Residuals are shown within ±20 dB, 1 dB bins: a calibrated log-distance model with walls
/// leaves residuals of a few dB (shared/reference.md §2: shadowing σ ≈ 4–8 dB indoors).
const RESIDUAL_RANGE_DB: (f64, f64) = (-20.0, 20.0);
/// A change of signal between two surveys is shown within ±30 dB, 2 dB bins.
const CHANGE_RANGE_DB: (f64, f64) = (-30.0, 30.0);

/// A chart and the file name stem it is written under (lower case, no spaces).
#[derive(Debug, Clone, PartialEq)]
pub struct NamedChart {
    pub stem: String,
    pub chart: Chart,
}

/// `text` as a file name stem: letters and digits kept (lower case), runs of anything else
/// one hyphen.
pub fn stem_of(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

fn signal_mark(criterion: Criterion, threshold: f64) -> ChartMark {
    ChartMark {
        label: format!(
            "{} ≥ {} dBm",
            criterion.name(),
            format!("{threshold:.0}").replace('-', "\u{2212}")
        ),
        value: threshold,
    }
}

/// The charts of an analysed floor: one CDF per zone with surveyed cells (file
/// `zone-NN-name`), then the primary signal per zone kind (`zone-kinds`). None without layers.
pub fn floor_charts(floor: &SiteFloor, analysis: &FloorAnalysis) -> Vec<NamedChart> {
    let Some(layers) = &analysis.layers else {
        return Vec::new();
    };
    let value = |grid: &wisp_model::Grid<f32>, (r, c): (usize, usize)| {
        grid.get(r, c).map_or(f64::NAN, |v| *v as f64)
    };
    let mut charts = Vec::new();
    let mut by_kind: Vec<(wisp_model::ZoneKind, Vec<f64>)> = Vec::new();
    for (index, result) in analysis.zones.iter().enumerate() {
        let Some(zone) = floor.floor.zones.iter().find(|z| z.name == result.zone) else {
            continue;
        };
        let (_, cells) =
            wisp_coverage::zone_cells(zone, layers, &wisp_coverage::EvalOptions::default());
        if cells.is_empty() {
            continue;
        }
        let primary: Vec<f64> = cells.iter().map(|c| value(&layers.primary, *c)).collect();
        let secondary: Vec<f64> = cells.iter().map(|c| value(&layers.secondary, *c)).collect();
        match by_kind.iter_mut().find(|(k, _)| *k == result.kind) {
            Some((_, values)) => values.extend(&primary),
            None => by_kind.push((result.kind, primary.clone())),
        }
        let marks = result
            .criteria
            .iter()
            .filter(|c| matches!(c.criterion, Criterion::Primary | Criterion::Secondary))
            .map(|c| signal_mark(c.criterion, c.threshold))
            .collect();
        charts.push(NamedChart {
            stem: format!("zone-{:02}-{}", index + 1, stem_of(&result.zone)),
            chart: Chart {
                title: format!("{}: signal over the zone", result.zone),
                x_label: "Signal (dBm)".to_string(),
                x_range: SIGNAL_RANGE_DBM,
                kind: ChartKind::Cdf {
                    series: vec![
                        ChartSeries {
                            name: "Primary signal".to_string(),
                            values: primary,
                        },
                        ChartSeries {
                            name: "Secondary signal".to_string(),
                            values: secondary,
                        },
                    ],
                    marks,
                },
            },
        });
    }
    if !by_kind.is_empty() {
        charts.push(NamedChart {
            stem: "zone-kinds".to_string(),
            chart: Chart {
                title: format!("{}: primary signal by zone kind", floor.floor.name),
                x_label: "Primary signal (dBm)".to_string(),
                x_range: SIGNAL_RANGE_DBM,
                kind: ChartKind::Histogram {
                    series: by_kind
                        .into_iter()
                        .map(|(kind, values)| ChartSeries {
                            name: kind.to_string(),
                            values,
                        })
                        .collect(),
                    bin_width: SIGNAL_BIN_DB,
                    marks: Vec::new(),
                },
            },
        });
    }
    charts
}

/// Least-squares line y = a + b·x through `points`; `None` with fewer than two distinct x.
pub fn fit_line(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx <= 0.0 || !sxx.is_finite() {
        return None;
    }
    let b = sxy / sxx;
    Some((my - b * mx, b))
}

/// The calibration's charts (files `calibration-scatter`, `calibration-residuals`): every
/// reading measured against modelled with the least-squares fit, and the residuals
/// (measured − modelled).
pub fn calibration_charts(
    floor_name: &str,
    evidence: &wisp_plan::CalibrationEvidence,
) -> Vec<NamedChart> {
    let points: Vec<(f64, f64)> = evidence
        .readings
        .iter()
        .map(|r| (r.measured_dbm, r.modelled_dbm))
        .collect();
    let residuals: Vec<f64> = evidence
        .readings
        .iter()
        .map(|r| r.measured_dbm - r.modelled_dbm)
        .collect();
    vec![
        NamedChart {
            stem: "calibration-scatter".to_string(),
            chart: Chart {
                title: format!("{floor_name}: measured against the model"),
                x_label: "Measured (dBm)".to_string(),
                x_range: SIGNAL_RANGE_DBM,
                kind: ChartKind::Scatter {
                    fit: fit_line(&points),
                    points,
                    y_range: SIGNAL_RANGE_DBM,
                    y_label: "Model (dBm)".to_string(),
                },
            },
        },
        NamedChart {
            stem: "calibration-residuals".to_string(),
            chart: Chart {
                title: format!(
                    "{floor_name}: residuals, mean {:+.1} dB, sd {:.1} dB",
                    evidence.residual_mean_db, evidence.residual_sd_db
                ),
                x_label: "Measured − model (dB)".to_string(),
                x_range: RESIDUAL_RANGE_DB,
                kind: ChartKind::Histogram {
                    series: vec![ChartSeries {
                        name: "Readings".to_string(),
                        values: residuals,
                    }],
                    bin_width: 1.0,
                    marks: vec![ChartMark {
                        label: "0 dB".to_string(),
                        value: 0.0,
                    }],
                },
            },
        },
    ]
}

/// The change of primary signal cell by cell, `after − before`, over the cells surveyed in
/// both (file `change`), with `threshold_db` either side marked.
pub fn change_chart(
    floor_name: &str,
    before: &wisp_interp::SignalLayers,
    after: &wisp_interp::SignalLayers,
    threshold_db: f64,
) -> NamedChart {
    let mut values = Vec::new();
    for ((r, c), b) in before.primary.indexed_iter() {
        let both = before.surveyed.get(r, c).copied().unwrap_or(false)
            && after.surveyed.get(r, c).copied().unwrap_or(false);
        if let (true, Some(a)) = (both, after.primary.get(r, c)) {
            let d = (*a - *b) as f64;
            if d.is_finite() {
                values.push(d);
            }
        }
    }
    NamedChart {
        stem: "change".to_string(),
        chart: Chart {
            title: format!("{floor_name}: change in primary signal, before → after"),
            x_label: "After − before (dB)".to_string(),
            x_range: CHANGE_RANGE_DB,
            kind: ChartKind::Histogram {
                series: vec![ChartSeries {
                    name: "Cells surveyed in both".to_string(),
                    values,
                }],
                bin_width: 2.0,
                marks: vec![
                    ChartMark {
                        label: format!("{:.0} dB worse", -threshold_db.abs())
                            .replace('-', "\u{2212}"),
                        value: -threshold_db.abs(),
                    },
                    ChartMark {
                        label: format!("+{:.0} dB better", threshold_db.abs()),
                        value: threshold_db.abs(),
                    },
                ],
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_site;
    use crate::pipeline;

    #[test]
    fn fit_line_recovers_a_line_and_refuses_a_point() {
        let points: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, 3.0 + 0.5 * i as f64)).collect();
        let (a, b) = fit_line(&points).unwrap();
        assert!((a - 3.0).abs() < 1e-9 && (b - 0.5).abs() < 1e-9);
        assert_eq!(fit_line(&[(1.0, 2.0)]), None);
        assert_eq!(fit_line(&[(1.0, 2.0), (1.0, 3.0)]), None);
    }

    #[test]
    fn stems_are_file_names() {
        assert_eq!(stem_of("Bay A (6 beds)"), "bay-a-6-beds");
        assert_eq!(stem_of("  X-ray 1 / ☢ "), "x-ray-1");
    }

    #[test]
    fn sample_floor_charts_take_the_cells_each_zone_is_judged_on() {
        let loaded = pipeline::load(&crate::sample_site(), None).unwrap();
        let check = check_site(&loaded).unwrap();
        let sf = &loaded.site.floors[0];
        let (_, analysis) = &check.floors[0];
        let charts = floor_charts(sf, analysis);
        let layers = analysis.layers.as_ref().unwrap();
        let zone_charts: Vec<&NamedChart> =
            charts.iter().filter(|c| c.stem != "zone-kinds").collect();
        assert!(!zone_charts.is_empty());
        for (named, result) in zone_charts
            .iter()
            .zip(analysis.zones.iter().filter(|z| z.surveyed_share > 0.0))
        {
            let ChartKind::Cdf { series, marks } = &named.chart.kind else {
                panic!("{} is not a CDF", named.stem);
            };
            assert!(named.chart.title.starts_with(&result.zone));
            // The primary series' share at or below the primary threshold is the share of cells
            // failing it: 1 − the evaluation's pass share.
            let primary = result
                .criteria
                .iter()
                .find(|c| c.criterion == Criterion::Primary)
                .unwrap();
            let values = &series[0].values;
            let below = values
                .iter()
                .filter(|v| !Criterion::Primary.passes(**v, primary.threshold))
                .count();
            let failing = 1.0 - primary.pass_share;
            assert!(
                (below as f64 / values.len() as f64 - failing).abs() < 1e-9,
                "{}: {below} of {} below, evaluation says {failing}",
                result.zone,
                values.len()
            );
            assert!(marks.iter().any(|m| m.value == primary.threshold));
        }
        let kinds = charts.iter().find(|c| c.stem == "zone-kinds").unwrap();
        let ChartKind::Histogram { series, .. } = &kinds.chart.kind else {
            panic!()
        };
        let total: usize = series.iter().map(|s| s.values.len()).sum();
        let judged: usize = sf
            .floor
            .zones
            .iter()
            .map(|z| {
                wisp_coverage::zone_cells(z, layers, &wisp_coverage::EvalOptions::default())
                    .1
                    .len()
            })
            .sum();
        assert_eq!(total, judged);
        // Every chart draws.
        for c in &charts {
            assert!(wisp_render::chart_svg(&c.chart, wisp_render::CHART_SIZE).is_ok());
        }
    }
}
