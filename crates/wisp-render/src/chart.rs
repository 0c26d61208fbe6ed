//! Charts of distributions, drawn with plotters: a cumulative distribution with thresholds
//! marked, histograms of one or more series, and a scatter with its fitted line.
//!
//! The caller computes the data (a zone's cells, the calibration's readings, the change
//! between two surveys); this module only draws it. The axes are fixed by the caller, not by
//! the data, so two charts of the same kind compare at a glance, as the maps do. Text is DejaVu
//! Sans, registered with plotters from the bytes the `dejavu` crate embeds; the SVG names the
//! same family, and the raster is drawn with the glyphs themselves, so neither depends on the
//! machine's fonts. The same chart gives the same bytes.

use crate::scale::CATEGORICAL;
use crate::{RenderError, RenderErrorKind};
use image::RgbaImage;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontFamily, FontStyle};

/// The family the charts' text is set in; registered with plotters once per process.
const FONT: &str = "DejaVu Sans";
const TITLE_PX: u32 = 20;
const LABEL_PX: u32 = 14;
const TICK_PX: u32 = 12;

/// Named values: one line or one set of bars.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartSeries {
    /// Shown in the legend, e.g. "Primary signal" or "Ward".
    pub name: String,
    /// The values; those not finite are left out.
    pub values: Vec<f64>,
}

/// A vertical line across the plot at `value`, labelled, e.g. a profile's threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartMark {
    /// Beside the line, e.g. "primary ≥ −67 dBm".
    pub label: String,
    /// Where on the x axis.
    pub value: f64,
}

/// What a chart shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartKind {
    /// For each series, the share of its values at or below each x (0–100 %), with `marks`
    /// as vertical lines: how much of a zone is how far below the line.
    Cdf {
        /// Every series, one line each.
        series: Vec<ChartSeries>,
        /// Thresholds to mark.
        marks: Vec<ChartMark>,
    },
    /// For each series, the share of its values in each bin of `bin_width` from the x axis's
    /// start, drawn as a stepped outline (shares, not counts, so series of different sizes
    /// compare), with `marks` as vertical lines.
    Histogram {
        /// Every series, one outline each.
        series: Vec<ChartSeries>,
        /// Width of a bin in x units.
        bin_width: f64,
        /// Lines to mark (e.g. zero change).
        marks: Vec<ChartMark>,
    },
    /// Points (x, y), the line y = x dashed, and the fitted line y = `fit.0` + `fit.1`·x.
    Scatter {
        /// The points.
        points: Vec<(f64, f64)>,
        /// Intercept and slope of the fitted line, if there is one.
        fit: Option<(f64, f64)>,
        /// Axis range of y (x takes the chart's `x_range`).
        y_range: (f64, f64),
        /// The y axis's label.
        y_label: String,
    },
}

/// One chart: its title, x axis and contents.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Above the plot.
    pub title: String,
    /// The x axis's label, with its unit, e.g. "Primary signal (dBm)".
    pub x_label: String,
    /// The x axis's fixed range; values outside are clamped into the end bins (histogram) or
    /// not drawn (scatter).
    pub x_range: (f64, f64),
    /// What is drawn.
    pub kind: ChartKind,
}

/// Default size of a chart in pixels (SVG user units): 4:2.5, which fills the text width of
/// the PDF at a readable type size.
pub const CHART_SIZE: (u32, u32) = (800, 500);

/// The chart as an SVG document of `size` user units.
pub fn chart_svg(chart: &Chart, size: (u32, u32)) -> Result<String, RenderError> {
    register_font()?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        draw(&root, chart, 1.0)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The chart as a picture `scale` times `size` in pixels (2 or 3 for print), opaque white
/// behind.
pub fn chart_image(chart: &Chart, size: (u32, u32), scale: u32) -> Result<RgbaImage, RenderError> {
    register_font()?;
    let scale = scale.max(1);
    let (w, h) = (size.0 * scale, size.1 * scale);
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root, chart, scale as f64)?;
        root.present().map_err(chart_error)?;
    }
    let mut image = RgbaImage::new(w, h);
    for (out, p) in image.pixels_mut().zip(rgb.chunks_exact(3)) {
        out.0 = [p[0], p[1], p[2], 255];
    }
    Ok(image)
}

fn register_font() -> Result<(), RenderError> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
            && plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold()).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(RenderErrorKind::Font("DejaVu Sans").into())
    }
}

fn chart_error<E: std::error::Error + Send + Sync>(
    e: plotters::drawing::DrawingAreaErrorKind<E>,
) -> RenderError {
    RenderErrorKind::Chart(e.to_string()).into()
}

/// A tick label: whole numbers without decimals, a true minus sign.
fn tick(v: f64) -> String {
    let text = if (v - v.round()).abs() < 1e-9 {
        format!("{:.0}", v)
    } else {
        format!("{v:.1}")
    };
    match text.strip_prefix('-') {
        Some(rest) if rest.trim_start_matches(['0', '.']).is_empty() => rest.to_string(),
        Some(rest) => format!("\u{2212}{rest}"),
        None => text,
    }
}

fn colour(i: usize) -> RGBColor {
    let [r, g, b] = CATEGORICAL[i % CATEGORICAL.len()];
    RGBColor(r, g, b)
}

const MARK: RGBColor = RGBColor(190, 30, 45);
const GRID: RGBColor = RGBColor(225, 225, 225);

/// The values of `series` that are finite, sorted.
fn sorted_finite(values: &[f64]) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Shares (%) of `values` per bin of `width` from `range.0`; values outside the range count
/// in the end bins, so every value is somewhere.
pub fn histogram_shares(values: &[f64], range: (f64, f64), width: f64) -> Vec<f64> {
    let bins = (((range.1 - range.0) / width).ceil() as usize).max(1);
    let mut counts = vec![0usize; bins];
    let mut n = 0usize;
    for v in values.iter().filter(|v| v.is_finite()) {
        let k = ((v - range.0) / width).floor();
        let k = if k < 0.0 {
            0
        } else {
            (k as usize).min(bins - 1)
        };
        counts[k] += 1;
        n += 1;
    }
    counts
        .into_iter()
        .map(|c| {
            if n == 0 {
                0.0
            } else {
                100.0 * c as f64 / n as f64
            }
        })
        .collect()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    scale: f64,
) -> Result<(), RenderError>
where
    DB::ErrorType: 'static,
{
    let px = |v: u32| (v as f64 * scale).round() as u32;
    let font = |size: u32| (FontFamily::Name(FONT), px(size) as f64);
    root.fill(&WHITE).map_err(chart_error)?;
    let (x0, x1) = chart.x_range;
    let (y_range, y_label) = match &chart.kind {
        ChartKind::Cdf { .. } => ((0.0, 100.0), "Share of cells at or below (%)".to_string()),
        ChartKind::Histogram {
            series, bin_width, ..
        } => {
            let top = series
                .iter()
                .flat_map(|s| histogram_shares(&s.values, chart.x_range, *bin_width))
                .fold(0.0f64, f64::max);
            // A fixed ladder of tops, so charts of similar data share a scale.
            let top = [10.0, 20.0, 30.0, 50.0, 75.0, 100.0]
                .into_iter()
                .find(|t| *t >= top)
                .unwrap_or(100.0);
            ((0.0, top), "Share of values (%)".to_string())
        }
        ChartKind::Scatter {
            y_range, y_label, ..
        } => (*y_range, y_label.clone()),
    };
    let mut plot = ChartBuilder::on(root)
        .caption(
            &chart.title,
            font(TITLE_PX).into_font().style(FontStyle::Bold),
        )
        .margin(px(14))
        .x_label_area_size(px(46))
        .y_label_area_size(px(64))
        .build_cartesian_2d(x0..x1, y_range.0..y_range.1)
        .map_err(chart_error)?;
    plot.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(y_label.as_str())
        .axis_desc_style(font(LABEL_PX))
        .label_style(font(TICK_PX))
        .light_line_style(WHITE)
        .bold_line_style(GRID.stroke_width(px(1)))
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(chart_error)?;

    let line = |i: usize| colour(i).stroke_width(px(2));
    let mark_lines = |marks: &[ChartMark]| -> Vec<(String, f64)> {
        marks
            .iter()
            .filter(|m| m.value.is_finite() && m.value >= x0 && m.value <= x1)
            .map(|m| (m.label.clone(), m.value))
            .collect()
    };
    let mut legend = false;
    match &chart.kind {
        ChartKind::Cdf { series, marks } => {
            for (i, s) in series.iter().enumerate() {
                let values = sorted_finite(&s.values);
                if values.is_empty() {
                    continue;
                }
                let n = values.len() as f64;
                // A step up at each value; flat from the axis's start to the first and from
                // the last to the axis's end.
                let mut points = vec![(x0, 0.0)];
                for (k, v) in values.iter().enumerate() {
                    let v = v.clamp(x0, x1);
                    points.push((v, 100.0 * k as f64 / n));
                    points.push((v, 100.0 * (k + 1) as f64 / n));
                }
                points.push((x1, 100.0));
                let style = line(i);
                plot.draw_series(LineSeries::new(points, style))
                    .map_err(chart_error)?
                    .label(format!("{} ({} cells)", s.name, values.len()))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                legend = true;
            }
            draw_marks(&mut plot, &mark_lines(marks), y_range, scale)?;
        }
        ChartKind::Histogram {
            series,
            bin_width,
            marks,
        } => {
            for (i, s) in series.iter().enumerate() {
                let shares = histogram_shares(&s.values, chart.x_range, *bin_width);
                let count = s.values.iter().filter(|v| v.is_finite()).count();
                if count == 0 {
                    continue;
                }
                let mut points = vec![(x0, 0.0)];
                for (k, share) in shares.iter().enumerate() {
                    let left = x0 + k as f64 * bin_width;
                    let right = (left + bin_width).min(x1);
                    points.push((left, *share));
                    points.push((right, *share));
                }
                points.push((x1, 0.0));
                let c = colour(i);
                if series.len() == 1 {
                    plot.draw_series(AreaSeries::new(points.clone(), 0.0, c.mix(0.25)))
                        .map_err(chart_error)?;
                }
                let style = line(i);
                plot.draw_series(LineSeries::new(points, style))
                    .map_err(chart_error)?
                    .label(format!("{} ({count})", s.name))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
                legend = true;
            }
            draw_marks(&mut plot, &mark_lines(marks), y_range, scale)?;
        }
        ChartKind::Scatter { points, fit, .. } => {
            let inside: Vec<(f64, f64)> = points
                .iter()
                .copied()
                .filter(|(x, y)| {
                    x.is_finite()
                        && y.is_finite()
                        && (x0..=x1).contains(x)
                        && (y_range.0..=y_range.1).contains(y)
                })
                .collect();
            let dot = colour(1).mix(0.6).filled();
            let radius = px(2) as i32;
            plot.draw_series(inside.iter().map(|p| Circle::new(*p, radius, dot)))
                .map_err(chart_error)?
                .label(format!("readings ({})", inside.len()))
                .legend(move |(x, y)| Circle::new((x + 10, y), radius + 1, dot));
            let lo = x0.max(y_range.0);
            let hi = x1.min(y_range.1);
            if lo < hi {
                let identity = RGBColor(110, 110, 110).stroke_width(px(1));
                plot.draw_series(DashedLineSeries::new(
                    [(lo, lo), (hi, hi)],
                    px(6),
                    px(4),
                    identity,
                ))
                .map_err(chart_error)?
                .label("model = measured")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], identity));
            }
            if let Some((a, b)) = fit.filter(|(a, b)| a.is_finite() && b.is_finite()) {
                let style = MARK.stroke_width(px(2));
                plot.draw_series(LineSeries::new([(x0, a + b * x0), (x1, a + b * x1)], style))
                    .map_err(chart_error)?
                    .label(format!("fit: {a:.1} + {b:.2} × measured"))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
            legend = true;
        }
    }
    if legend {
        plot.configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(font(TICK_PX))
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .margin(px(6))
            .draw()
            .map_err(chart_error)?;
    }
    Ok(())
}

/// Vertical lines at `marks`, dashed, each labelled at its top.
fn draw_marks<DB: DrawingBackend>(
    plot: &mut ChartContext<
        '_,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    marks: &[(String, f64)],
    y_range: (f64, f64),
    scale: f64,
) -> Result<(), RenderError>
where
    DB::ErrorType: 'static,
{
    let px = |v: u32| (v as f64 * scale).round() as u32;
    let style = MARK.stroke_width(px(1));
    for (k, (label, value)) in marks.iter().enumerate() {
        plot.draw_series(DashedLineSeries::new(
            [(*value, y_range.0), (*value, y_range.1)],
            px(5),
            px(3),
            style,
        ))
        .map_err(chart_error)?;
        // Staggered down the plot so two close thresholds do not print on each other.
        let y = y_range.1 - (y_range.1 - y_range.0) * (0.04 + 0.07 * k as f64);
        plot.draw_series(std::iter::once(Text::new(
            format!(" {label}"),
            (*value, y),
            (FontFamily::Name(FONT), px(TICK_PX) as f64)
                .into_font()
                .color(&MARK),
        )))
        .map_err(chart_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_whole_with_a_minus_sign() {
        assert_eq!(tick(-90.0), "\u{2212}90");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(-0.0), "0");
        assert_eq!(tick(2.5), "2.5");
        assert_eq!(tick(-0.5), "\u{2212}0.5");
    }

    #[test]
    fn histogram_shares_sum_to_100_and_clamp_the_ends() {
        let shares = histogram_shares(
            &[-100.0, -80.0, -79.0, -31.0, 5.0, f64::NAN],
            (-90.0, -30.0),
            10.0,
        );
        assert_eq!(shares.len(), 6);
        assert!((shares.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert_eq!(shares[0], 20.0); // −100 clamped in
        assert_eq!(shares[1], 40.0); // −80, −79
        assert_eq!(shares[5], 40.0); // −31 and 5 clamped in
        assert!(histogram_shares(&[], (0.0, 1.0), 0.5)
            .iter()
            .all(|s| *s == 0.0));
    }

    fn cdf() -> Chart {
        Chart {
            title: "Ward 7".into(),
            x_label: "Signal (dBm)".into(),
            x_range: (-90.0, -30.0),
            kind: ChartKind::Cdf {
                series: vec![ChartSeries {
                    name: "Primary signal".into(),
                    values: (0..200).map(|i| -85.0 + i as f64 * 0.2).collect(),
                }],
                marks: vec![ChartMark {
                    label: "primary ≥ −67 dBm".into(),
                    value: -67.0,
                }],
            },
        }
    }

    #[test]
    fn svg_names_the_font_and_is_deterministic() {
        let svg = chart_svg(&cdf(), CHART_SIZE).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("DejaVu Sans"));
        assert!(svg.contains("Ward 7"));
        assert!(svg.contains("primary ≥ −67 dBm"));
        assert_eq!(svg, chart_svg(&cdf(), CHART_SIZE).unwrap());
    }

    #[test]
    fn raster_has_the_size_asked_and_draws_the_line() {
        let image = chart_image(&cdf(), (400, 250), 2).unwrap();
        assert_eq!(image.dimensions(), (800, 500));
        let [r, g, b] = CATEGORICAL[0];
        let line = image
            .pixels()
            .filter(|p| {
                (p.0[0] as i32 - r as i32).abs() < 30
                    && (p.0[1] as i32 - g as i32).abs() < 30
                    && (p.0[2] as i32 - b as i32).abs() < 30
            })
            .count();
        assert!(line > 500, "{line} pixels of the series colour");
        assert_eq!(image, chart_image(&cdf(), (400, 250), 2).unwrap());
    }
}
