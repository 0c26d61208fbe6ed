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
use wisp_render::{BinnedSeries, Chart, ChartKind, ChartMark, ChartSeries, SIGNAL_RANGE_DBM};

/// Width of a signal histogram's bins, dB: finer than a map's colour steps are told apart,
/// coarse enough that a zone of a few hundred cells gives a readable outline (an estimate).
const SIGNAL_BIN_DB: f64 = 2.0;
/// Residuals are shown within ±20 dB, 1 dB bins: a calibrated log-distance model with walls
/// leaves residuals of a few dB (shared/reference.md §2: shadowing σ ≈ 4–8 dB indoors).
const RESIDUAL_RANGE_DB: (f64, f64) = (-20.0, 20.0);
const RESIDUAL_BIN_DB: f64 = 1.0;
/// A change of signal between two surveys is shown within ±30 dB, 2 dB bins.
const CHANGE_RANGE_DB: (f64, f64) = (-30.0, 30.0);
const CHANGE_BIN_DB: f64 = 2.0;

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

/// A zone's signal over the cells it is judged on (`wisp_coverage::zone_cells`).
struct ZoneSignal<'a> {
    /// Position of the zone in the floor's results (0-based).
    index: usize,
    result: &'a wisp_coverage::ZoneResult,
    primary: Vec<f64>,
    secondary: Vec<f64>,
}

/// Every zone of the analysis with judged cells, in the analysis's order.
fn zone_signals<'a>(floor: &SiteFloor, analysis: &'a FloorAnalysis) -> Vec<ZoneSignal<'a>> {
    let Some(layers) = &analysis.layers else {
        return Vec::new();
    };
    let value = |grid: &wisp_model::Grid<f32>, (r, c): (usize, usize)| {
        grid.get(r, c).map_or(f64::NAN, |v| *v as f64)
    };
    let mut out = Vec::new();
    for (index, result) in analysis.zones.iter().enumerate() {
        let Some(zone) = floor.floor.zones.iter().find(|z| z.name == result.zone) else {
            continue;
        };
        let (_, cells) =
            wisp_coverage::zone_cells(zone, layers, &wisp_coverage::EvalOptions::default());
        if cells.is_empty() {
            continue;
        }
        out.push(ZoneSignal {
            index,
            result,
            primary: cells.iter().map(|c| value(&layers.primary, *c)).collect(),
            secondary: cells.iter().map(|c| value(&layers.secondary, *c)).collect(),
        });
    }
    out
}

fn zone_cdf(z: &ZoneSignal<'_>) -> NamedChart {
    let marks = z
        .result
        .criteria
        .iter()
        .filter(|c| matches!(c.criterion, Criterion::Primary | Criterion::Secondary))
        .map(|c| signal_mark(c.criterion, c.threshold))
        .collect();
    NamedChart {
        stem: format!("zone-{:02}-{}", z.index + 1, stem_of(&z.result.zone)),
        chart: Chart {
            title: format!("{}: signal over the zone", z.result.zone),
            x_label: "Signal (dBm)".to_string(),
            x_range: SIGNAL_RANGE_DBM,
            kind: ChartKind::Cdf {
                series: vec![
                    ChartSeries {
                        name: "Primary signal".to_string(),
                        values: z.primary.clone(),
                    },
                    ChartSeries {
                        name: "Secondary signal".to_string(),
                        values: z.secondary.clone(),
                    },
                ],
                marks,
            },
        },
    }
}

/// The primary signal of every judged cell, per zone kind in the order the kinds first appear,
/// counted into the bins the chart draws: a floor's chart holds a few dozen counts per kind,
/// not a value per cell.
fn kinds_chart(floor: &SiteFloor, zones: &[ZoneSignal<'_>]) -> Option<NamedChart> {
    let mut by_kind: Vec<(wisp_model::ZoneKind, Vec<u64>)> = Vec::new();
    for z in zones {
        let counts = wisp_render::histogram_counts(&z.primary, SIGNAL_RANGE_DBM, SIGNAL_BIN_DB);
        match by_kind.iter_mut().find(|(k, _)| *k == z.result.kind) {
            Some((_, total)) => total.iter_mut().zip(counts).for_each(|(t, c)| *t += c),
            None => by_kind.push((z.result.kind, counts)),
        }
    }
    (!by_kind.is_empty()).then(|| NamedChart {
        stem: "zone-kinds".to_string(),
        chart: Chart {
            title: format!("{}: primary signal by zone kind", floor.floor.name),
            x_label: "Primary signal (dBm)".to_string(),
            x_range: SIGNAL_RANGE_DBM,
            kind: ChartKind::Histogram {
                series: by_kind
                    .into_iter()
                    .map(|(kind, counts)| BinnedSeries {
                        name: kind.to_string(),
                        counts,
                    })
                    .collect(),
                bin_width: SIGNAL_BIN_DB,
                marks: Vec::new(),
            },
        },
    })
}

/// The charts of an analysed floor: one CDF per zone with surveyed cells (file
/// `zone-NN-name`), then the primary signal per zone kind (`zone-kinds`), then the primary
/// shortfall per zone (`shortfall`, `shortfall-2`…). None without layers.
pub fn floor_charts(floor: &SiteFloor, analysis: &FloorAnalysis) -> Vec<NamedChart> {
    let zones = zone_signals(floor, analysis);
    let mut charts: Vec<NamedChart> = zones.iter().map(zone_cdf).collect();
    charts.extend(kinds_chart(floor, &zones));
    charts.extend(shortfall_charts(floor, &zones));
    charts
}

/// How far short a failing cell is, dB: the segments of the shortfall bars.
const SHORTFALL_STEPS_DB: [f64; 2] = [5.0, 10.0];
/// Bars per shortfall chart: a chart of this many rows fills most of an A4 page.
pub const SHORTFALL_ROWS: usize = 25;

/// Per zone with any judged cell below its primary threshold, the share of its judged cells
/// that are short by 0–5, 5–10 and over 10 dB (`SHORTFALL_STEPS_DB`), worst zone first, in
/// charts of at most [`SHORTFALL_ROWS`] bars: how much of each zone is how far below the line,
/// which a map shows only zone by zone.
fn shortfall_charts(floor: &SiteFloor, zones: &[ZoneSignal<'_>]) -> Vec<NamedChart> {
    let mut rows: Vec<(f64, wisp_render::ChartBar)> = Vec::new();
    for z in zones {
        let Some(primary) = z
            .result
            .criteria
            .iter()
            .find(|c| c.criterion == Criterion::Primary)
        else {
            continue;
        };
        let mut counts = [0usize; 3];
        for v in &z.primary {
            if Criterion::Primary.passes(*v, primary.threshold) {
                continue;
            }
            let short = primary.threshold - v;
            let step = SHORTFALL_STEPS_DB
                .iter()
                .position(|s| short <= *s)
                .unwrap_or(SHORTFALL_STEPS_DB.len());
            counts[step] += 1;
        }
        let n = z.primary.len() as f64;
        let shares: Vec<f64> = counts.iter().map(|c| 100.0 * *c as f64 / n).collect();
        let total: f64 = shares.iter().sum();
        if total > 0.0 {
            rows.push((
                total,
                wisp_render::ChartBar {
                    name: z.result.zone.clone(),
                    values: shares,
                },
            ));
        }
    }
    // Worst first; ties in the analysis's order (the sort is stable).
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let rows: Vec<wisp_render::ChartBar> = rows.into_iter().map(|(_, r)| r).collect();
    let parts = rows.len().div_ceil(SHORTFALL_ROWS);
    rows.chunks(SHORTFALL_ROWS)
        .enumerate()
        .map(|(k, chunk)| NamedChart {
            stem: if k == 0 {
                "shortfall".to_string()
            } else {
                format!("shortfall-{}", k + 1)
            },
            chart: Chart {
                title: format!(
                    "{}: zones below their primary threshold ({} of {}){}",
                    floor.floor.name,
                    rows.len(),
                    zones.len(),
                    if parts > 1 {
                        format!(", part {} of {parts}", k + 1)
                    } else {
                        String::new()
                    }
                ),
                x_label: "Share of the zone's judged cells below the threshold (%)".to_string(),
                x_range: (0.0, 100.0),
                kind: ChartKind::Bars {
                    rows: chunk.to_vec(),
                    segments: vec![
                        format!("short by up to {:.0} dB", SHORTFALL_STEPS_DB[0]),
                        format!(
                            "by {:.0}–{:.0} dB",
                            SHORTFALL_STEPS_DB[0], SHORTFALL_STEPS_DB[1]
                        ),
                        format!("by over {:.0} dB", SHORTFALL_STEPS_DB[1]),
                    ],
                },
            },
        })
        .collect()
}

/// Zones whose CDF the report shows: the worst failing ones (by share of judged cells below
/// the primary threshold), at most this many; `wisp chart` writes every zone's.
pub const REPORT_ZONE_CDFS: usize = 4;

/// The charts of a floor's report pages: the primary shortfall per zone, the primary signal per
/// zone kind, and the CDF of the [`REPORT_ZONE_CDFS`] worst failing zones. None without layers.
pub fn report_charts(floor: &SiteFloor, analysis: &FloorAnalysis) -> Vec<Chart> {
    let zones = zone_signals(floor, analysis);
    let mut charts: Vec<Chart> = shortfall_charts(floor, &zones)
        .into_iter()
        .map(|c| c.chart)
        .collect();
    charts.extend(kinds_chart(floor, &zones).map(|c| c.chart));
    let failing_share = |z: &ZoneSignal<'_>| {
        z.result
            .criteria
            .iter()
            .find(|c| c.criterion == Criterion::Primary)
            .map_or(0.0, |c| 1.0 - c.pass_share)
    };
    let mut failing: Vec<&ZoneSignal<'_>> = zones
        .iter()
        .filter(|z| z.result.verdict == wisp_coverage::Verdict::Fail)
        .collect();
    failing.sort_by(|a, b| failing_share(b).total_cmp(&failing_share(a)));
    charts.extend(
        failing
            .into_iter()
            .take(REPORT_ZONE_CDFS)
            .map(|z| zone_cdf(z).chart),
    );
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

/// The calibration's charts (files `calibration-scatter`, `calibration-residuals`,
/// `calibration-located`): every reading measured against modelled with the least-squares fit,
/// the residuals (measured − modelled), and the located APs with their uncertainty
/// ([`located_chart`], when any was located).
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
    let mut charts = vec![
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
                    series: vec![BinnedSeries::of(
                        "Readings",
                        &residuals,
                        RESIDUAL_RANGE_DB,
                        RESIDUAL_BIN_DB,
                    )],
                    bin_width: RESIDUAL_BIN_DB,
                    marks: vec![ChartMark {
                        label: "0 dB".to_string(),
                        value: 0.0,
                    }],
                },
            },
        },
    ];
    charts.extend(located_chart(floor_name, &evidence.located));
    charts
}

/// The access points the calibration located (file `calibration-located`): one bar per AP, as
/// long as its uncertainty radius (where the fit's RMSE rises by 1 dB), named by its position in
/// plan metres first (so shortening a long name never hides where it is); `None` when it located
/// none. The x axis runs to the next whole 5 m above the largest radius, at least 5 m.
pub fn located_chart(
    floor_name: &str,
    located: &[wisp_plan::calibrate::LocatedAp],
) -> Option<NamedChart> {
    if located.is_empty() {
        return None;
    }
    let widest = located
        .iter()
        .map(|l| l.uncertainty_m)
        .filter(|r| r.is_finite())
        .fold(0.0f64, f64::max);
    let top = ((widest / 5.0).ceil() * 5.0).max(5.0);
    Some(NamedChart {
        stem: "calibration-located".to_string(),
        chart: Chart {
            title: format!(
                "{floor_name}: {} access point(s) located from the survey, and how sure",
                located.len()
            ),
            x_label: "Uncertainty radius (m)".to_string(),
            x_range: (0.0, top),
            kind: ChartKind::Bars {
                rows: located
                    .iter()
                    .map(|l| wisp_render::ChartBar {
                        name: format!("{:.1}, {:.1} m — {}", l.position.x, l.position.y, l.ap),
                        values: vec![l.uncertainty_m],
                    })
                    .collect(),
                segments: vec!["radius where the fit's RMSE rises by 1 dB".to_string()],
            },
        },
    })
}

/// The change of primary signal cell by cell (file `change`): the finite cells of
/// `difference`, `wisp_coverage::diff::difference` of the two surveys' layers (after − before
/// where both surveys reached the cell), with `threshold_db` either side marked.
pub fn change_chart(
    floor_name: &str,
    difference: &wisp_model::Grid<f32>,
    threshold_db: f64,
) -> NamedChart {
    let values: Vec<f64> = difference
        .values()
        .iter()
        .filter(|d| d.is_finite())
        .map(|d| *d as f64)
        .collect();
    NamedChart {
        stem: "change".to_string(),
        chart: Chart {
            title: format!("{floor_name}: change in primary signal, before → after"),
            x_label: "After − before (dB)".to_string(),
            x_range: CHANGE_RANGE_DB,
            kind: ChartKind::Histogram {
                series: vec![BinnedSeries::of(
                    "Cells surveyed in both",
                    &values,
                    CHANGE_RANGE_DB,
                    CHANGE_BIN_DB,
                )],
                bin_width: CHANGE_BIN_DB,
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
        let zone_charts: Vec<&NamedChart> = charts
            .iter()
            .filter(|c| c.stem.starts_with("zone-") && c.stem != "zone-kinds")
            .collect();
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
        let ChartKind::Histogram {
            series, bin_width, ..
        } = &kinds.chart.kind
        else {
            panic!()
        };
        let total: u64 = series.iter().map(|s| s.total()).sum();
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
        assert_eq!(total, judged as u64);
        // Each kind's counts: its zones' judged cells binned by brute force, the ends clamped.
        let (x0, x1) = kinds.chart.x_range;
        for s in series {
            let mut want = vec![0u64; s.counts.len()];
            for z in &sf.floor.zones {
                let Some(result) = analysis.zones.iter().find(|r| r.zone == z.name) else {
                    continue;
                };
                if result.kind.to_string() != s.name {
                    continue;
                }
                let cells =
                    wisp_coverage::zone_cells(z, layers, &wisp_coverage::EvalOptions::default()).1;
                for (r, c) in cells {
                    let v = *layers.primary.get(r, c).unwrap() as f64;
                    if !v.is_finite() {
                        continue;
                    }
                    let clamped = v.clamp(x0, x1 - 1e-9);
                    want[((clamped - x0) / bin_width) as usize] += 1;
                }
            }
            assert_eq!(s.counts, want, "{}", s.name);
        }
        // Every chart draws.
        for c in &charts {
            assert!(wisp_render::chart_svg(&c.chart, wisp_render::CHART_SIZE).is_ok());
        }

        // The shortfall bars: one per zone with a judged cell below its primary threshold, as
        // long as the share the evaluation says fails it, split by how far short by brute force.
        let bars: Vec<&wisp_render::ChartBar> = charts
            .iter()
            .filter(|c| c.stem.starts_with("shortfall"))
            .flat_map(|c| match &c.chart.kind {
                ChartKind::Bars { rows, .. } => rows.iter(),
                _ => panic!("{} is not bars", c.stem),
            })
            .collect();
        let short_zones: Vec<&wisp_coverage::ZoneResult> = analysis
            .zones
            .iter()
            .filter(|z| {
                z.surveyed_share > 0.0
                    && z.criteria
                        .iter()
                        .any(|c| c.criterion == Criterion::Primary && c.pass_share < 1.0)
            })
            .collect();
        assert!(!short_zones.is_empty(), "the sample floor has weak zones");
        assert_eq!(bars.len(), short_zones.len());
        for zone in &short_zones {
            let bar = bars.iter().find(|b| b.name == zone.zone).unwrap();
            let primary = zone
                .criteria
                .iter()
                .find(|c| c.criterion == Criterion::Primary)
                .unwrap();
            let cdf = zone_charts
                .iter()
                .find(|c| c.chart.title.starts_with(&zone.zone))
                .unwrap();
            let ChartKind::Cdf { series, .. } = &cdf.chart.kind else {
                panic!()
            };
            let values = &series[0].values;
            let n = values.len() as f64;
            let share = |lo: f64, hi: f64| {
                100.0
                    * values
                        .iter()
                        .filter(|v| {
                            let short = primary.threshold - **v;
                            !Criterion::Primary.passes(**v, primary.threshold)
                                && short > lo
                                && short <= hi
                        })
                        .count() as f64
                    / n
            };
            let want = [
                share(f64::NEG_INFINITY, 5.0),
                share(5.0, 10.0),
                share(10.0, f64::INFINITY),
            ];
            for (got, want) in bar.values.iter().zip(want) {
                assert!((got - want).abs() < 1e-9, "{}: {got} vs {want}", zone.zone);
            }
            let total: f64 = bar.values.iter().sum();
            assert!(
                (total - 100.0 * (1.0 - primary.pass_share)).abs() < 1e-6,
                "{}: {total} % short, evaluation says {}",
                zone.zone,
                1.0 - primary.pass_share
            );
        }
        // Worst first.
        let totals: Vec<f64> = bars.iter().map(|b| b.values.iter().sum()).collect();
        assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");

        // The report's charts: the shortfall bars, the zone kinds, then failing zones' CDFs.
        let report = report_charts(sf, analysis);
        let failing = analysis
            .zones
            .iter()
            .filter(|z| z.verdict == wisp_coverage::Verdict::Fail)
            .count();
        let cdfs: Vec<&Chart> = report
            .iter()
            .filter(|c| matches!(c.kind, ChartKind::Cdf { .. }))
            .collect();
        assert_eq!(cdfs.len(), failing.min(REPORT_ZONE_CDFS));
        for c in cdfs {
            let zone = analysis
                .zones
                .iter()
                .find(|z| c.title.starts_with(&z.zone))
                .unwrap();
            assert_eq!(zone.verdict, wisp_coverage::Verdict::Fail);
        }
        assert!(matches!(report[0].kind, ChartKind::Bars { .. }));
    }

    #[test]
    fn located_aps_are_named_by_position_first() {
        let located = [wisp_plan::calibrate::LocatedAp {
            ap: "AP-Ward-7-Ceiling-Void-North-Corridor-Long-Name".into(),
            position: wisp_model::Point::new(12.34, 5.0),
            uncertainty_m: 6.2,
            rmse_db: 4.0,
            strongest_dbm: -50.0,
        }];
        let chart = located_chart("Level 2", &located).unwrap().chart;
        // Up to the next 5 m above the widest radius.
        assert_eq!(chart.x_range, (0.0, 10.0));
        let ChartKind::Bars { rows, .. } = &chart.kind else {
            panic!()
        };
        assert_eq!(rows[0].name, format!("12.3, 5.0 m — {}", located[0].ap));
        assert_eq!(rows[0].values, vec![6.2]);
        assert!(located_chart("Level 2", &[]).is_none());
    }
}
