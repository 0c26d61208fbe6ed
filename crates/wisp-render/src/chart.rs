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
use crate::text::{em_of_px, shorten, text_width, wrap_text, Faces};
use crate::{RenderError, RenderErrorKind};
use image::RgbaImage;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
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

/// A histogram's series: how many of its values fall in each bin. Kept as counts, not values,
/// so a chart of a floor's every cell holds a few dozen numbers until its page is drawn (issue
/// 16: the raw values of the zone-kinds chart were ~94 KB a floor, held for every floor), and
/// the PDF and the HTML draw their bars from the same counts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BinnedSeries {
    /// Shown in the legend with the number of values, e.g. "ward (2140)".
    pub name: String,
    /// Per bin of the chart's `bin_width` from the start of its x range, the number of finite
    /// values in it ([`histogram_counts`]: values outside the range count in the end bins).
    pub counts: Vec<u64>,
}

impl BinnedSeries {
    /// `values` counted into bins of `width` from `range.0` ([`histogram_counts`]); pass the
    /// chart's own x range and bin width.
    pub fn of(name: impl Into<String>, values: &[f64], range: (f64, f64), width: f64) -> Self {
        BinnedSeries {
            name: name.into(),
            counts: histogram_counts(values, range, width),
        }
    }

    /// The number of values counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
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
        /// Every series, one outline each, counted in the bins drawn ([`BinnedSeries::of`]).
        series: Vec<BinnedSeries>,
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
    /// Horizontal bars, one row each from the top, each a stack of segments (light to dark
    /// red), named in the legend: e.g. per zone, the share of its cells short of the line by
    /// 0–5, 5–10 and over 10 dB.
    Bars {
        /// The bars, top to bottom.
        rows: Vec<ChartBar>,
        /// The segments' names, in stacking order.
        segments: Vec<String>,
    },
}

/// One bar of a bar chart: its name (left of the plot, shortened with an ellipsis to the
/// room there) and its segments' lengths in x units, stacked from 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ChartBar {
    /// E.g. a zone's name.
    pub name: String,
    /// One length per segment of [`ChartKind::Bars`], in order; those not finite or not
    /// positive are left out.
    pub values: Vec<f64>,
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

pub(crate) fn register_font() -> Result<(), RenderError> {
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

/// Steps of a CDF are merged within this share of the x axis: a 1600th, under a pixel of a
/// chart printed or shown at its size, so a zone of 10 000 cells draws a few hundred points.
const CDF_STEP_SHARE: f64 = 1.0 / 1600.0;

/// The CDF of sorted finite `values` as a stepped line over `range`: a step up at each value
/// (values within [`CDF_STEP_SHARE`] of the axis of the first of a run are one step, at that
/// first value), flat from the axis's start to the first and from the last to the axis's end.
fn cdf_steps(values: &[f64], (x0, x1): (f64, f64)) -> Vec<(f64, f64)> {
    let n = values.len() as f64;
    let eps = (x1 - x0).abs() * CDF_STEP_SHARE;
    let mut points = vec![(x0, 0.0)];
    let mut k = 0;
    while k < values.len() {
        let start = values[k].clamp(x0, x1);
        let mut end = k + 1;
        while end < values.len() && values[end].clamp(x0, x1) - start < eps {
            end += 1;
        }
        points.push((start, 100.0 * k as f64 / n));
        points.push((start, 100.0 * end as f64 / n));
        k = end;
    }
    points.push((x1, 100.0));
    points
}

/// How many finite `values` fall in each bin of `width` from `range.0`: as many bins as cover
/// the range (the last may run past its end, and is drawn cut at it); values outside the range
/// count in the end bins, so every finite value is somewhere. Values not finite are left out.
pub fn histogram_counts(values: &[f64], range: (f64, f64), width: f64) -> Vec<u64> {
    let bins = (((range.1 - range.0) / width).ceil() as usize).max(1);
    let mut counts = vec![0u64; bins];
    for v in values.iter().filter(|v| v.is_finite()) {
        let k = ((v - range.0) / width).floor();
        let k = if k < 0.0 {
            0
        } else {
            (k as usize).min(bins - 1)
        };
        counts[k] += 1;
    }
    counts
}

/// Shares (%) of the values counted in each bin of `counts`; all 0 when none was counted.
fn histogram_shares(counts: &[u64]) -> Vec<f64> {
    let n: u64 = counts.iter().sum();
    counts
        .iter()
        .map(|c| {
            if n == 0 {
                0.0
            } else {
                100.0 * *c as f64 / n as f64
            }
        })
        .collect()
}

/// Share of a measured width a line of chart text may fill: the layout measures with kerning
/// (`crate::text`), plotters' raster and SVG set text without it, a little wider.
const FIT: f32 = 0.95;
/// Gap between a mark's line and its label, and between two labels on one row, at scale 1.
const LABEL_GAP_PX: u32 = 5;

/// What a legend entry shows before its text.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Swatch {
    Line(RGBColor, bool),
    Dot(RGBColor),
    Block(RGBColor),
}

/// The legend of `chart`: one entry per series, segment or drawn line, in drawing order.
fn legend_entries(chart: &Chart) -> Vec<(Swatch, String)> {
    let (x0, x1) = chart.x_range;
    match &chart.kind {
        ChartKind::Cdf { series, .. } => series
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let n = s.values.iter().filter(|v| v.is_finite()).count();
                (n > 0).then(|| {
                    (
                        Swatch::Line(colour(i), false),
                        format!("{} ({n} cells)", s.name),
                    )
                })
            })
            .collect(),
        ChartKind::Histogram { series, .. } => series
            .iter()
            .enumerate()
            .filter_map(|(i, s)| {
                let n = s.total();
                (n > 0).then(|| (Swatch::Line(colour(i), false), format!("{} ({n})", s.name)))
            })
            .collect(),
        ChartKind::Scatter {
            points,
            fit,
            y_range,
            ..
        } => {
            let inside = scatter_inside(points, chart.x_range, *y_range).len();
            let mut entries = vec![(Swatch::Dot(colour(1)), format!("readings ({inside})"))];
            if x0.max(y_range.0) < x1.min(y_range.1) {
                entries.push((
                    Swatch::Line(RGBColor(110, 110, 110), true),
                    "model = measured".to_string(),
                ));
            }
            if let Some((a, b)) = fit.filter(|(a, b)| a.is_finite() && b.is_finite()) {
                entries.push((
                    Swatch::Line(MARK, false),
                    format!("fit: {a:.1} + {b:.2} × measured"),
                ));
            }
            entries
        }
        ChartKind::Bars { segments, .. } => segments
            .iter()
            .enumerate()
            .map(|(i, name)| {
                (
                    Swatch::Block(segment_colour(i, segments.len())),
                    name.clone(),
                )
            })
            .collect(),
    }
}

/// A bar's segments: light to dark red, so the far end of a shortfall reads darkest.
fn segment_colour(i: usize, n: usize) -> RGBColor {
    const RAMP: [RGBColor; 4] = [
        RGBColor(253, 174, 97),
        RGBColor(244, 109, 67),
        RGBColor(215, 48, 39),
        RGBColor(140, 20, 30),
    ];
    if n <= 1 {
        return RAMP[2];
    }
    RAMP[(i * (RAMP.len() - 1) / (n - 1)).min(RAMP.len() - 1)]
}

fn scatter_inside(
    points: &[(f64, f64)],
    (x0, x1): (f64, f64),
    y_range: (f64, f64),
) -> Vec<(f64, f64)> {
    points
        .iter()
        .copied()
        .filter(|(x, y)| {
            x.is_finite()
                && y.is_finite()
                && (x0..=x1).contains(x)
                && (y_range.0..=y_range.1).contains(y)
        })
        .collect()
}

/// Where a mark's label goes: `row` 0 is just above the plot, each further row higher; the
/// label runs from `left` to `right` (chart pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MarkLabel {
    pub row: usize,
    pub left: f64,
    pub right: f64,
}

/// Rows above the plot for the labels of vertical marks at pixel `xs` with text `widths`, so
/// that no two labels on a row overlap, no label covers another mark's connector (the line
/// from the plot's top up to that mark's label) and no connector crosses a label below its
/// own. Labels run right of their mark when all of them fit so within `right`, else left of it
/// when all fit within `left`; marks are taken from the side the labels run towards, each into
/// the lowest row that keeps the rules, which always exists (a label only has to sit above the
/// labels whose marks it spans). Mixed cases (a label wider than either side) take the lowest
/// row free of the first two rules.
pub(crate) fn place_mark_labels(
    xs: &[f64],
    widths: &[f64],
    left: f64,
    right: f64,
    gap: f64,
) -> Vec<MarkLabel> {
    let n = xs.len().min(widths.len());
    let all_right = (0..n).all(|i| xs[i] + gap + widths[i] <= right);
    let all_left = !all_right && (0..n).all(|i| xs[i] - gap - widths[i] >= left);
    let span = |i: usize| -> (f64, f64) {
        if all_left {
            (xs[i] - gap - widths[i], xs[i] - gap)
        } else if all_right {
            (xs[i] + gap, xs[i] + gap + widths[i])
        } else {
            let start = (xs[i] + gap).min(right - widths[i]).max(left);
            (start, start + widths[i])
        }
    };
    let mut order: Vec<usize> = (0..n).collect();
    // Towards the side the labels run first; ties by index, so the layout is deterministic.
    order.sort_by(|&a, &b| {
        let key = xs[a].total_cmp(&xs[b]);
        if all_left { key } else { key.reverse() }.then(a.cmp(&b))
    });
    let mut placed: Vec<Option<MarkLabel>> = vec![None; n];
    let meets = |(a0, a1): (f64, f64), (b0, b1): (f64, f64)| a0 < b1 + gap && b0 < a1 + gap;
    let covers = |(s0, s1): (f64, f64), x: f64| x >= s0 - gap / 2.0 && x <= s1 + gap / 2.0;
    for &i in &order {
        let (s0, s1) = span(i);
        let ok = |row: usize, strict: bool| {
            placed.iter().enumerate().all(|(j, p)| {
                let Some(p) = p else { return true };
                let other = (p.left, p.right);
                if p.row == row && meets((s0, s1), other) {
                    return false;
                }
                if p.row > row && covers((s0, s1), xs[j]) {
                    return false;
                }
                !(strict && p.row < row && covers(other, xs[i]))
            })
        };
        let row = (0..=n)
            .find(|&r| ok(r, true))
            .or_else(|| (0..=n).find(|&r| ok(r, false)))
            .unwrap_or(n);
        placed[i] = Some(MarkLabel {
            row,
            left: s0,
            right: s1,
        });
    }
    placed.into_iter().flatten().collect()
}

/// Left edges and rows of legend entries `widths` wide, laid left to right from `left` and
/// wrapped before `right`.
fn flow(widths: &[f64], left: f64, right: f64, gap: f64) -> Vec<(usize, f64)> {
    let mut out = Vec::new();
    let (mut row, mut x) = (0usize, left);
    for w in widths {
        if x > left && x + w > right {
            row += 1;
            x = left;
        }
        out.push((row, x));
        x += w + gap;
    }
    out
}

/// The size a chart of `kind` is drawn at for a page `width` units wide: 8:5, or for bars as
/// tall as their rows need (each row a line of tick text and a gap).
pub fn chart_size(chart: &Chart, width: u32) -> (u32, u32) {
    match &chart.kind {
        ChartKind::Bars { rows, .. } => (width, 150 + 22 * rows.len().max(1) as u32),
        _ => (width, width * 5 / 8),
    }
}

pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    scale: f64,
) -> Result<(), RenderError>
where
    DB::ErrorType: 'static,
{
    let faces = Faces::load()?;
    let px = |v: u32| (v as f64 * scale).round() as u32;
    let font = |size: u32| (FontFamily::Name(FONT), px(size) as f64);
    root.fill(&WHITE).map_err(chart_error)?;
    let (width, _) = root.dim_in_pixel();
    let margin = px(14);
    let gap = px(LABEL_GAP_PX) as f64;
    let row_h = (px(TICK_PX) as f64 * 1.5).round() as u32;
    let (x0, x1) = chart.x_range;

    // The title: bold, wrapped to the width, at most two lines, the second shortened.
    let title_em = em_of_px(&faces.bold, px(TITLE_PX) as f32);
    let room = (width.saturating_sub(2 * margin)) as f32 * FIT;
    let mut title = wrap_text(&faces.bold, title_em, room, &chart.title);
    if title.len() > 2 {
        title.truncate(2);
        title[1] = shorten(&faces.bold, title_em, room, &format!("{}…", title[1]));
    }
    let title_line = (px(TITLE_PX) as f64 * 1.25).round() as u32;
    let title_style = font(TITLE_PX)
        .into_font()
        .style(FontStyle::Bold)
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, line) in title.iter().enumerate() {
        root.draw_text(
            line,
            &title_style,
            (
                (width / 2) as i32,
                (margin / 2 + i as u32 * title_line) as i32,
            ),
        )
        .map_err(chart_error)?;
    }
    let title_h = margin / 2 + title.len() as u32 * title_line + px(4);

    let tick_em = em_of_px(&faces.regular, px(TICK_PX) as f32);
    let (y_area, names) = match &chart.kind {
        ChartKind::Bars { rows, .. } => {
            // Names take up to 38 % of the width, each shortened to it with an ellipsis.
            let area = (width as f64 * 0.38).round() as u32;
            let room = (area - px(10)) as f32 * FIT;
            let names: Vec<String> = rows
                .iter()
                .map(|r| shorten(&faces.regular, tick_em, room, &r.name))
                .collect();
            (area, names)
        }
        _ => (px(64), Vec::new()),
    };
    let plot_left = (margin + y_area) as f64;
    let plot_right = width.saturating_sub(margin) as f64;
    let to_px = |v: f64| plot_left + (v - x0) / (x1 - x0) * (plot_right - plot_left);

    // Marks: dashed lines in the plot, labelled in rows above it.
    let marks: Vec<&ChartMark> = match &chart.kind {
        ChartKind::Cdf { marks, .. } | ChartKind::Histogram { marks, .. } => marks
            .iter()
            .filter(|m| m.value.is_finite() && m.value >= x0 && m.value <= x1)
            .collect(),
        _ => Vec::new(),
    };
    let mark_text: Vec<String> = marks
        .iter()
        .map(|m| shorten(&faces.regular, tick_em, room, &m.label))
        .collect();
    let mark_widths: Vec<f64> = mark_text
        .iter()
        .map(|t| (text_width(&faces.regular, tick_em, t) / FIT) as f64)
        .collect();
    let mark_xs: Vec<f64> = marks.iter().map(|m| to_px(m.value)).collect();
    let placed = place_mark_labels(
        &mark_xs,
        &mark_widths,
        margin as f64,
        width.saturating_sub(margin) as f64,
        gap,
    );
    let mark_rows = placed.iter().map(|p| p.row + 1).max().unwrap_or(0) as u32;
    let marks_h = mark_rows * row_h;

    // The legend, below the plot, wrapped.
    let entries = legend_entries(chart);
    let swatch = px(20) as f64;
    let entry_text: Vec<String> = entries
        .iter()
        .map(|(_, t)| shorten(&faces.regular, tick_em, room * 0.9, t))
        .collect();
    let entry_widths: Vec<f64> = entry_text
        .iter()
        .map(|t| swatch + gap + (text_width(&faces.regular, tick_em, t) / FIT) as f64)
        .collect();
    let legend_at = flow(&entry_widths, plot_left, plot_right, 3.0 * gap);
    let legend_rows = legend_at.iter().map(|(r, _)| r + 1).max().unwrap_or(0) as u32;
    let legend_h = legend_rows * row_h;

    let body = root.margin(title_h + marks_h, 0, 0, 0);
    let (y_range, y_label) = match &chart.kind {
        ChartKind::Cdf { .. } => ((0.0, 100.0), "Share of cells at or below (%)".to_string()),
        ChartKind::Histogram { series, .. } => {
            let top = series
                .iter()
                .flat_map(|s| histogram_shares(&s.counts))
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
        ChartKind::Bars { rows, .. } => ((0.0, rows.len().max(1) as f64), String::new()),
    };
    let mut plot = ChartBuilder::on(&body)
        .margin_left(margin)
        .margin_right(margin)
        .margin_top(px(6))
        .margin_bottom(margin / 2 + legend_h)
        .x_label_area_size(px(46))
        .y_label_area_size(y_area)
        .build_cartesian_2d(x0..x1, y_range.0..y_range.1)
        .map_err(chart_error)?;
    let bars = matches!(chart.kind, ChartKind::Bars { .. });
    plot.configure_mesh()
        .x_desc(chart.x_label.as_str())
        .y_desc(y_label.as_str())
        .axis_desc_style(font(LABEL_PX))
        .label_style(font(TICK_PX))
        // No light lines: they were white, invisible, yet one element each in the SVG.
        .max_light_lines(0)
        .bold_line_style(GRID.stroke_width(px(1)))
        .x_labels(8)
        .y_labels(if bars { 0 } else { 6 })
        .x_label_formatter(&|v| tick(*v))
        .y_label_formatter(&|v| tick(*v))
        .draw()
        .map_err(chart_error)?;
    let line = |i: usize| colour(i).stroke_width(px(2));
    match &chart.kind {
        ChartKind::Cdf { series, .. } => {
            for (i, s) in series.iter().enumerate() {
                let values = sorted_finite(&s.values);
                if values.is_empty() {
                    continue;
                }
                plot.draw_series(LineSeries::new(cdf_steps(&values, chart.x_range), line(i)))
                    .map_err(chart_error)?;
            }
        }
        ChartKind::Histogram {
            series, bin_width, ..
        } => {
            for (i, s) in series.iter().enumerate() {
                if s.total() == 0 {
                    continue;
                }
                let shares = histogram_shares(&s.counts);
                let mut points = vec![(x0, 0.0)];
                for (k, share) in shares.iter().enumerate() {
                    let left = x0 + k as f64 * bin_width;
                    let right = (left + bin_width).min(x1);
                    points.push((left, *share));
                    points.push((right, *share));
                }
                points.push((x1, 0.0));
                if series.len() == 1 {
                    plot.draw_series(AreaSeries::new(points.clone(), 0.0, colour(i).mix(0.25)))
                        .map_err(chart_error)?;
                }
                plot.draw_series(LineSeries::new(points, line(i)))
                    .map_err(chart_error)?;
            }
        }
        ChartKind::Scatter {
            points,
            fit,
            y_range,
            ..
        } => {
            let inside = scatter_inside(points, chart.x_range, *y_range);
            let dot = colour(1).mix(0.6).filled();
            let radius = px(2) as i32;
            // One dot per cell of a dot's radius: more readings there would only darken a dot
            // drawn over the same place, and make the SVG grow with the survey (the legend
            // still counts every reading).
            let mut seen = std::collections::HashSet::new();
            let cell = radius.max(1);
            let dots: Vec<(f64, f64)> = inside
                .into_iter()
                .filter(|p| {
                    let (x, y) = plot.backend_coord(p);
                    seen.insert((x.div_euclid(cell), y.div_euclid(cell)))
                })
                .collect();
            plot.draw_series(dots.iter().map(|p| Circle::new(*p, radius, dot)))
                .map_err(chart_error)?;
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
                .map_err(chart_error)?;
            }
            if let Some((a, b)) = fit.filter(|(a, b)| a.is_finite() && b.is_finite()) {
                let style = MARK.stroke_width(px(2));
                plot.draw_series(LineSeries::new([(x0, a + b * x0), (x1, a + b * x1)], style))
                    .map_err(chart_error)?;
            }
        }
        ChartKind::Bars { rows, segments } => {
            let n = rows.len() as f64;
            for (k, row) in rows.iter().enumerate() {
                let (top, bottom) = (n - k as f64 - 0.15, n - k as f64 - 0.85);
                let mut start = x0.max(0.0);
                for (i, v) in row.values.iter().enumerate() {
                    if !v.is_finite() || *v <= 0.0 {
                        continue;
                    }
                    let end = (start + v).min(x1);
                    if end > start {
                        plot.draw_series(std::iter::once(Rectangle::new(
                            [(start, bottom), (end, top)],
                            segment_colour(i, segments.len()).filled(),
                        )))
                        .map_err(chart_error)?;
                    }
                    start = end;
                }
            }
            // Names right-aligned left of the plot, one per row; when rows are thinner than a
            // line of text, every k-th, so no two names overlap.
            let row_px = plot
                .backend_coord(&(x0, 0.0))
                .1
                .abs_diff(plot.backend_coord(&(x0, 1.0)).1) as f64;
            let stride = ((px(TICK_PX) as f64 * 1.15) / row_px.max(1.0))
                .ceil()
                .max(1.0) as usize;
            let name_style = font(TICK_PX)
                .into_font()
                .color(&BLACK)
                .pos(Pos::new(HPos::Right, VPos::Center));
            for (k, name) in names.iter().enumerate().step_by(stride) {
                let (_, y) = plot.backend_coord(&(x0, n - k as f64 - 0.5));
                let x = plot_left as i32 - px(6) as i32;
                root.draw_text(name, &name_style, (x, y))
                    .map_err(chart_error)?;
            }
        }
    }

    // Marks' lines, connectors and labels.
    let (_, plot_y) = plot.plotting_area().get_pixel_range();
    let plot_top = plot_y.start;
    let mark_style = MARK.stroke_width(px(1));
    let label_style = font(TICK_PX)
        .into_font()
        .color(&MARK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for ((mark, text), label) in marks.iter().zip(&mark_text).zip(&placed) {
        plot.draw_series(DashedLineSeries::new(
            [(mark.value, y_range.0), (mark.value, y_range.1)],
            px(5),
            px(3),
            mark_style,
        ))
        .map_err(chart_error)?;
        let (x, _) = plot.backend_coord(&(mark.value, y_range.1));
        let centre = plot_top - px(6) as i32 - (label.row as i32 * row_h as i32) - row_h as i32 / 2;
        root.draw(&PathElement::new(
            vec![(x, plot_top), (x, centre)],
            mark_style,
        ))
        .map_err(chart_error)?;
        // The label's left edge as placed, moved by the difference between the placement's
        // estimate of the mark's pixel and where plotters drew it.
        let shift = x as f64 - to_px(mark.value);
        root.draw_text(
            text,
            &label_style,
            ((label.left + shift).round() as i32, centre),
        )
        .map_err(chart_error)?;
    }

    // The legend.
    let (_, height) = root.dim_in_pixel();
    let legend_top = height as i32 - (margin / 2) as i32 - legend_h as i32;
    let text_style = font(TICK_PX)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (((swatch_kind, _), text), (row, x)) in entries.iter().zip(&entry_text).zip(&legend_at) {
        let y = legend_top + (*row as u32 * row_h + row_h / 2) as i32;
        let x = x.round() as i32;
        let w = swatch.round() as i32;
        match swatch_kind {
            Swatch::Line(c, dashed) => {
                let style = c.stroke_width(if *dashed { px(1) } else { px(2) });
                if *dashed {
                    let third = w / 3;
                    root.draw(&PathElement::new(vec![(x, y), (x + third, y)], style))
                        .map_err(chart_error)?;
                    root.draw(&PathElement::new(
                        vec![(x + 2 * third, y), (x + w, y)],
                        style,
                    ))
                    .map_err(chart_error)?;
                } else {
                    root.draw(&PathElement::new(vec![(x, y), (x + w, y)], style))
                        .map_err(chart_error)?;
                }
            }
            Swatch::Dot(c) => {
                root.draw(&Circle::new(
                    (x + w / 2, y),
                    px(3) as i32,
                    c.mix(0.6).filled(),
                ))
                .map_err(chart_error)?;
            }
            Swatch::Block(c) => {
                let half = px(6) as i32;
                root.draw(&Rectangle::new(
                    [(x, y - half), (x + w, y + half)],
                    c.filled(),
                ))
                .map_err(chart_error)?;
            }
        }
        root.draw_text(text, &text_style, (x + w + gap as i32, y))
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
    fn cdf_steps_rise_to_each_share_and_merge_within_a_step() {
        let values = [-80.0, -80.0, -70.01, -70.0, -50.0];
        let steps = cdf_steps(&values, (-90.0, -30.0));
        // -70.01 and -70 are 0.01 dB apart, under 60/1600 dB: one step, at the first.
        assert_eq!(
            steps,
            vec![
                (-90.0, 0.0),
                (-80.0, 0.0),
                (-80.0, 40.0),
                (-70.01, 40.0),
                (-70.01, 80.0),
                (-50.0, 80.0),
                (-50.0, 100.0),
                (-30.0, 100.0),
            ]
        );
        // Against brute force: at every step's x, the share at or below it (before the next
        // step) is the share of values within the merge distance above or below.
        let many: Vec<f64> = (0..5000).map(|i| -85.0 + (i % 997) as f64 * 0.05).collect();
        let mut sorted = many.clone();
        sorted.sort_by(f64::total_cmp);
        let steps = cdf_steps(&sorted, (-90.0, -30.0));
        assert!(steps.len() < 2000, "{} points", steps.len());
        for pair in steps.windows(2).filter(|p| p[0].0 == p[1].0) {
            let x = pair[1].0;
            let at_or_below = sorted.iter().filter(|v| **v < x + 60.0 / 1600.0).count();
            let below = sorted.iter().filter(|v| **v < x).count();
            assert!((pair[0].1 - 100.0 * below as f64 / 5000.0).abs() < 1e-9);
            assert!((pair[1].1 - 100.0 * at_or_below as f64 / 5000.0).abs() < 1e-9);
            assert!(pair[1].1 > pair[0].1);
        }
    }

    #[test]
    fn histogram_shares_sum_to_100_and_clamp_the_ends() {
        let shares = histogram_shares(&histogram_counts(
            &[-100.0, -80.0, -79.0, -31.0, 5.0, f64::NAN],
            (-90.0, -30.0),
            10.0,
        ));
        assert_eq!(shares.len(), 6);
        assert!((shares.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert_eq!(shares[0], 20.0); // −100 clamped in
        assert_eq!(shares[1], 40.0); // −80, −79
        assert_eq!(shares[5], 40.0); // −31 and 5 clamped in
        assert!(histogram_shares(&histogram_counts(&[], (0.0, 1.0), 0.5))
            .iter()
            .all(|s| *s == 0.0));
    }

    #[test]
    fn histogram_counts_equal_a_brute_force_binning_clamped_at_the_ends() {
        // Values below, on and above both ends, on bin edges, between them, and not finite;
        // a range that bins do not divide evenly (the last bin runs past the end).
        let range = (-90.0, -31.0);
        let width = 2.0;
        let mut values: Vec<f64> = (0..4000)
            .map(|i| -110.0 + ((i * 7919) % 10007) as f64 * 0.01)
            .collect();
        values.extend([-90.0, -88.0, -31.0, -32.0, -30.0, 0.0, -1e9, 1e9]);
        values.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY]);
        let counts = histogram_counts(&values, range, width);
        // 59 dB in 2 dB bins: 30 bins, the last [-32, -30) cut at -31.
        assert_eq!(counts.len(), 30);
        let last = counts.len() - 1;
        for (k, got) in counts.iter().enumerate() {
            let lo = range.0 + k as f64 * width;
            let hi = lo + width;
            let want = values
                .iter()
                .filter(|v| v.is_finite())
                .filter(|v| (k == 0 || **v >= lo) && (k == last || **v < hi))
                .count() as u64;
            assert_eq!(*got, want, "bin {k} [{lo}, {hi})");
        }
        assert_eq!(
            counts.iter().sum::<u64>(),
            values.iter().filter(|v| v.is_finite()).count() as u64
        );
        // Clamping put something in both end bins from beyond the range.
        assert!(
            counts[0]
                > values
                    .iter()
                    .filter(|v| (-90.0..-88.0).contains(*v))
                    .count() as u64
        );
        assert!(
            counts[last]
                > values
                    .iter()
                    .filter(|v| (-32.0..-31.0).contains(*v))
                    .count() as u64
        );
        let series = BinnedSeries::of("x", &values, range, width);
        assert_eq!((series.counts, series.name.as_str()), (counts, "x"));
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
