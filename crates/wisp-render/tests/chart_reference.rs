//! Every chart kind against a reference picture committed in `tests/reference/`, with the
//! tolerance of the maps' reference pictures (the workspace's `tests/reference_images.rs`): a
//! third of the size (Triangle filter), mean absolute difference under 1 level per channel and
//! under 0.5 % of the pixels off by more than 24 levels. The data are built from indices, so
//! the charts are the same every run. `WISP_BLESS=1 cargo test -p wisp-render --test
//! chart_reference` rewrites the references; look at every rewritten picture before committing.

use image::RgbaImage;
use std::path::PathBuf;
use wisp_render::{
    chart_image, BinnedSeries, Chart, ChartKind, ChartMark, ChartSeries, CHART_SIZE,
};

#[path = "support/reference.rs"]
mod reference_picture;
use reference_picture::{difference, matches_reference, shrink, FAR_SHARE_LIMIT, MEAN_ABS_LIMIT};

/// A deterministic spread in −1 … 1 from an index (SplitMix64's finaliser of the index), so
/// the data look like measurements without any random generator.
fn jitter(i: usize) -> f64 {
    let mut z = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    2.0 * (z >> 11) as f64 / (1u64 << 53) as f64 - 1.0
}

/// A zone's signal: most cells around −62 dBm, a weak corner near −80.
fn zone_signal(n: usize, centre: f64, spread: f64) -> Vec<f64> {
    (0..n)
        .map(|i| centre + spread * jitter(i) * jitter(i + 7).abs().sqrt())
        .collect()
}

fn zone_cdf() -> Chart {
    let mut primary = zone_signal(400, -62.0, 12.0);
    primary.extend(zone_signal(60, -80.0, 4.0));
    Chart {
        title: "Bay A (6 beds): signal across the zone".into(),
        x_label: "Signal (dBm)".into(),
        x_range: (-90.0, -30.0),
        kind: ChartKind::Cdf {
            series: vec![
                ChartSeries {
                    name: "Primary signal".into(),
                    values: primary,
                },
                ChartSeries {
                    name: "Secondary signal".into(),
                    values: zone_signal(460, -74.0, 10.0),
                },
            ],
            marks: vec![
                ChartMark {
                    label: "primary ≥ −67 dBm".into(),
                    value: -67.0,
                },
                ChartMark {
                    label: "secondary ≥ −75 dBm".into(),
                    value: -75.0,
                },
            ],
        },
    }
}

fn kind_histogram() -> Chart {
    Chart {
        title: "Primary signal by zone kind".into(),
        x_label: "Primary signal (dBm)".into(),
        x_range: (-90.0, -30.0),
        kind: ChartKind::Histogram {
            series: vec![
                BinnedSeries::of("Ward", &zone_signal(900, -60.0, 14.0), (-90.0, -30.0), 2.0),
                BinnedSeries::of(
                    "Corridor",
                    &zone_signal(500, -55.0, 10.0),
                    (-90.0, -30.0),
                    2.0,
                ),
                BinnedSeries::of(
                    "Imaging",
                    &zone_signal(150, -78.0, 8.0),
                    (-90.0, -30.0),
                    2.0,
                ),
            ],
            bin_width: 2.0,
            marks: vec![],
        },
    }
}

fn calibration_scatter() -> Chart {
    let points: Vec<(f64, f64)> = (0..600)
        .map(|i| {
            let measured = -60.5 + 27.5 * jitter(i + 1000);
            (measured, 0.9 * measured - 6.0 + 4.0 * jitter(i))
        })
        .collect();
    Chart {
        title: "Calibration: measured against the model".into(),
        x_label: "Measured (dBm)".into(),
        x_range: (-90.0, -30.0),
        kind: ChartKind::Scatter {
            points,
            fit: Some((-6.0, 0.9)),
            y_range: (-90.0, -30.0),
            y_label: "Model (dBm)".into(),
        },
    }
}

fn residual_histogram() -> Chart {
    Chart {
        title: "Calibration residuals (measured − model)".into(),
        x_label: "Residual (dB)".into(),
        x_range: (-20.0, 20.0),
        kind: ChartKind::Histogram {
            series: vec![BinnedSeries::of(
                "Readings",
                &(0..600)
                    .map(|i| 5.0 * jitter(i) + 2.0 * jitter(i + 3))
                    .collect::<Vec<f64>>(),
                (-20.0, 20.0),
                1.0,
            )],
            bin_width: 1.0,
            marks: vec![ChartMark {
                label: "0 dB".into(),
                value: 0.0,
            }],
        },
    }
}

fn change_histogram() -> Chart {
    Chart {
        title: "Change in primary signal, before → after".into(),
        x_label: "After − before (dB)".into(),
        x_range: (-30.0, 30.0),
        kind: ChartKind::Histogram {
            series: vec![BinnedSeries::of(
                "Surveyed cells",
                &(0..800)
                    .map(|i| {
                        if i % 5 == 0 {
                            -12.0 + 4.0 * jitter(i)
                        } else {
                            3.0 * jitter(i)
                        }
                    })
                    .collect::<Vec<f64>>(),
                (-30.0, 30.0),
                2.0,
            )],
            bin_width: 2.0,
            marks: vec![
                ChartMark {
                    label: "−6 dB worse".into(),
                    value: -6.0,
                },
                ChartMark {
                    label: "+6 dB better".into(),
                    value: 6.0,
                },
            ],
        },
    }
}

fn reference(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reference")
        .join(name)
}

/// The chart as the PDF embeds it (twice the size, for print), shrunk as the references are.
fn render(chart: &Chart) -> RgbaImage {
    shrink(&chart_image(chart, CHART_SIZE, 2).unwrap())
}

fn compare(name: &str, chart: &Chart) {
    matches_reference(name, &render(chart), &reference(name));
}

#[test]
fn zone_cdf_matches_its_reference() {
    compare("chart-zone-cdf.png", &zone_cdf());
}

#[test]
fn kind_histogram_matches_its_reference() {
    compare("chart-kind-histogram.png", &kind_histogram());
}

#[test]
fn calibration_scatter_matches_its_reference() {
    compare("chart-calibration-scatter.png", &calibration_scatter());
}

#[test]
fn residual_histogram_matches_its_reference() {
    compare("chart-residual-histogram.png", &residual_histogram());
}

#[test]
fn change_histogram_matches_its_reference() {
    compare("chart-change-histogram.png", &change_histogram());
}

#[test]
fn the_comparison_notices_a_moved_threshold() {
    // The tolerance is not so loose that a threshold 5 dB off passes for the reference.
    let Ok(want) = image::open(reference("chart-zone-cdf.png")) else {
        return; // not blessed yet: the test above says so
    };
    let mut moved = zone_cdf();
    if let ChartKind::Cdf { marks, .. } = &mut moved.kind {
        marks[0].value = -72.0;
    }
    let (mean, far) = difference(&render(&moved), &want.to_rgba8());
    assert!(
        mean >= MEAN_ABS_LIMIT || far >= FAR_SHARE_LIMIT,
        "{mean} {far}"
    );
}
