//! The heatmap as SVG: the same picture as [`crate::heatmap_image`], but with everything except
//! the painted layer drawn as vector elements.
//!
//! The plan with the layer blended over it (and the contour lines, which follow the painted
//! pixels) is one embedded PNG `<image>` at plan resolution; the legend, title, scale bar,
//! markers with their labels, dead-zone outlines and the survey path are real SVG shapes and
//! `<text>`, so they stay sharp at any zoom, can be edited in a drawing program and searched as
//! text. Positions and sizes follow the PNG's layout exactly (same [`Style`], same colours), so
//! the two can be swapped in a document.
//!
//! Text is set in "DejaVu Sans" with common fallbacks; the file embeds no font, so a machine
//! without DejaVu shows a close substitute. The output is deterministic: numbers are printed
//! with fixed decimals and elements appear in the order of the request.

use crate::heatmap::{
    blend, decimals_for, hatch_ink, hatch_stripe_px, heatmap_image, title_lines, walk_dot_radius,
    Legend, LegendKey,
};
use crate::html::{escape, png_data_uri};
use crate::map::{
    Style, AT_RISK_DOTS, CONTOUR_COLOUR, MEASURED_AP_COLOUR, NOT_SURVEYED_ALPHA, NOT_SURVEYED_GREY,
    OUTLINE_COLOUR, PATH_COLOUR, PLANNED_AP_COLOUR, TEXT_COLOUR, ZONE_COLOUR,
};
use crate::map_labels::{map_labels, MapLabel};
use crate::scale::format_number;
use crate::text::Faces;
use crate::{HeatmapRequest, MarkerKind, RenderError};
use ab_glyph::{Font, FontRef};
use std::fmt::Write;
use wisp_model::{PlanCalibration, Point};

/// Font stack of every `<text>`: DejaVu Sans, which the PNG uses, then look-alikes.
const FONT_FAMILY: &str = "'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif";
/// Stops of the legend's colour gradient: enough that linear interpolation between them
/// matches the palette's own piecewise-linear ramp to within a level or two.
const GRADIENT_STOPS: usize = 48;
/// Points farther than this outside the picture are left out; they cannot be seen and would
/// only bloat the file.
const FAR_PX: f64 = 1.0e6;

/// The heatmap as an SVG document (UTF-8 text), the vector twin of [`crate::heatmap_png`].
///
/// The picture has the PNG's size and layout: plan at the top-left at its own pixel size (one
/// SVG user unit per plan pixel), legend to the right, title and scale bar below. Fails as
/// [`crate::heatmap_image`] does (plan of the wrong size, invalid scale).
pub fn heatmap_svg(req: &HeatmapRequest) -> Result<String, RenderError> {
    // The raster part: plan and layer (and contours), without anything drawn here as vectors.
    let mut bare = req.clone();
    bare.markers = &[];
    bare.outlines = &[];
    bare.at_risk = &[];
    bare.walks = &[];
    bare.zones = false;
    bare.title = String::new();
    let painted = heatmap_image(&bare)?;
    let (plan_w, plan_h) = req.plan.dimensions();
    let plan_region = image::imageops::crop_imm(&painted, 0, 0, plan_w, plan_h).to_image();

    let faces = Faces::load()?;
    let style = Style::for_plan(plan_w, plan_h);
    let metrics = Metrics::new(&faces.regular);
    let legend = Legend::measure(req, &faces, &style);
    let width = plan_w.saturating_add(legend.width);
    let band_top = plan_h.max(legend.height);
    let title_lines = title_lines(req, &faces, &style, width);
    let height = band_top.saturating_add(style.bottom_band_height(title_lines.len()));

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" \
         version=\"1.1\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" \
         font-family=\"{FONT_FAMILY}\">\n"
    );
    let title = if req.title.trim().is_empty() {
        req.scale.title.as_str()
    } else {
        req.title.as_str()
    };
    let _ = writeln!(svg, "<title>{}</title>", escape(title));
    let _ = writeln!(
        svg,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    if plan_w > 0 && plan_h > 0 {
        let _ = writeln!(
            svg,
            "<image class=\"plan\" x=\"0\" y=\"0\" width=\"{plan_w}\" height=\"{plan_h}\" \
             preserveAspectRatio=\"none\" xlink:href=\"{}\"/>",
            png_data_uri(&plan_region)?
        );
    }

    let calibration = req.floor.calibration;
    if req.zones {
        write_zones(&mut svg, req, &style);
    }
    write_walks(&mut svg, calibration, req.walks, &style);
    write_outlines(&mut svg, req, &style);
    write_at_risk(&mut svg, req);
    write_markers(&mut svg, req, &style);
    write_labels(&mut svg, &map_labels(req, &faces, &style), &metrics);
    LegendWriter(&legend).write(&mut svg, req, &style, &metrics, plan_w);

    // Title and scale bar in the band under the plan and legend.
    let band_top = band_top as f64;
    let pad = style.pad() as f64;
    let title_px = style.font_px as f64 * 1.25;
    for (i, line) in title_lines.iter().enumerate() {
        let top = band_top + pad + (i as i32 * style.title_line_height()) as f64;
        let _ = writeln!(
            svg,
            "<text class=\"title\" x=\"{}\" y=\"{}\" font-size=\"{}\" font-weight=\"bold\" \
             fill=\"{}\">{}</text>",
            num(pad),
            num(top + metrics.ascent(title_px)),
            num(metrics.em(title_px)),
            hex(TEXT_COLOUR),
            escape(line)
        );
    }
    let bar_top =
        band_top + pad + (style.title_line_height() * title_lines.len().max(1) as i32) as f64;
    write_scale_bar(
        &mut svg,
        calibration,
        plan_w,
        width,
        bar_top,
        &style,
        &metrics,
    );
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// Converts the PNG's pixel font sizes (ab_glyph `PxScale`, the height from descender to
/// ascender) into SVG font sizes (the em) and places baselines, from DejaVu Sans' metrics.
struct Metrics {
    /// Em size per unit of `PxScale` height.
    em_per_px: f64,
    /// Ascender per unit of `PxScale` height.
    ascent_per_px: f64,
}

impl Metrics {
    fn new(font: &FontRef) -> Metrics {
        let upm = font.units_per_em().filter(|u| *u > 0.0).unwrap_or(2048.0) as f64;
        let height = (font.ascent_unscaled() - font.descent_unscaled()) as f64;
        let height = if height > 0.0 { height } else { upm };
        Metrics {
            em_per_px: upm / height,
            ascent_per_px: font.ascent_unscaled() as f64 / height,
        }
    }
    /// The SVG `font-size` of text drawn at `px` in the PNG.
    fn em(&self, px: f64) -> f64 {
        px * self.em_per_px
    }
    /// From the top of a line (where imageproc places text) to its baseline.
    fn ascent(&self, px: f64) -> f64 {
        px * self.ascent_per_px
    }
    /// Baseline that centres digits and capitals vertically on `y`.
    fn centred_baseline(&self, y: f64, px: f64) -> f64 {
        // Cap height of DejaVu Sans is 0.73 em.
        y + 0.365 * self.em(px)
    }
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// A coordinate with at most two decimals and no trailing zeros, never "-0".
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" || text.is_empty() {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// `p` (metres) in picture pixels, if finite and not absurdly far off.
fn to_px(calibration: PlanCalibration, p: Point) -> Option<(f64, f64)> {
    let px = calibration.to_pixels(p);
    (px.x.is_finite() && px.y.is_finite() && px.x.abs() < FAR_PX && px.y.abs() < FAR_PX)
        .then_some((px.x, px.y))
}

/// White halo behind text, as the PNG draws it, so labels read over any colour.
const HALO: &str =
    "stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";

/// One `<polyline>` per walk of two or more scans and a dot per scan; walks are never joined.
fn write_walks(
    svg: &mut String,
    calibration: PlanCalibration,
    walks: &[Vec<Point>],
    style: &Style,
) {
    if walks.iter().all(|w| w.is_empty()) {
        return;
    }
    let colour = hex(PATH_COLOUR);
    let radius = walk_dot_radius(style) as f64;
    svg.push_str("<g class=\"survey-walks\">\n");
    for walk in walks {
        let points: Vec<(f64, f64)> = walk.iter().filter_map(|p| to_px(calibration, *p)).collect();
        if points.is_empty() {
            continue;
        }
        svg.push_str("<g class=\"walk\">\n");
        if points.len() >= 2 {
            let list: Vec<String> = points
                .iter()
                .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
                .collect();
            let _ = writeln!(
                svg,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1\"/>",
                list.join(" ")
            );
        }
        for (x, y) in &points {
            let _ = writeln!(
                svg,
                "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{colour}\"/>",
                num(*x),
                num(*y),
                num(radius)
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</g>\n");
}

/// One `<polygon class="zone">` per zone of the floor.
fn write_zones(svg: &mut String, req: &HeatmapRequest, style: &Style) {
    if req.floor.zones.is_empty() {
        return;
    }
    let calibration = req.floor.calibration;
    let _ = writeln!(
        svg,
        "<g class=\"zones\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\">",
        hex(ZONE_COLOUR),
        style.zone_line_px()
    );
    for zone in &req.floor.zones {
        let corners: Option<Vec<(f64, f64)>> = zone
            .polygon
            .corners()
            .iter()
            .map(|p| to_px(calibration, *p))
            .collect();
        let Some(corners) = corners else { continue };
        let list: Vec<String> = corners
            .iter()
            .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
            .collect();
        let _ = writeln!(
            svg,
            "<polygon class=\"zone\" points=\"{}\"><title>{}</title></polygon>",
            list.join(" "),
            escape(&zone.name)
        );
    }
    svg.push_str("</g>\n");
}

/// The labels placed by [`map_labels`]: leader lines, then text with one `<tspan>` per line.
fn write_labels(svg: &mut String, labels: &[MapLabel], metrics: &Metrics) {
    if labels.is_empty() {
        return;
    }
    svg.push_str("<g class=\"labels\">\n");
    for label in labels {
        let colour = hex(label.kind.colour());
        if let Some(leader) = label.leader {
            let _ = writeln!(
                svg,
                "<line class=\"leader\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{colour}\" \
                 stroke-width=\"1\"/><circle cx=\"{}\" cy=\"{}\" r=\"2\" fill=\"{colour}\"/>",
                num(leader.a.x),
                num(leader.a.y),
                num(leader.b.x),
                num(leader.b.y),
                num(leader.a.x),
                num(leader.a.y)
            );
        }
        let px = label.font_px as f64;
        let weight = if label.kind.bold() {
            " font-weight=\"bold\""
        } else {
            ""
        };
        let _ = write!(
            svg,
            "<text class=\"{}\" font-size=\"{}\"{weight} fill=\"{colour}\" {HALO}>",
            label.kind.class(),
            num(metrics.em(px))
        );
        for (i, line) in label.lines.iter().enumerate() {
            let (x, top) = label.line_origin(i);
            let _ = write!(
                svg,
                "<tspan x=\"{}\" y=\"{}\">{}</tspan>",
                num(x),
                num(top + metrics.ascent(px)),
                escape(line)
            );
        }
        svg.push_str("</text>\n");
    }
    svg.push_str("</g>\n");
}

/// One dashed `<polygon class="dead-zone">` per outline whose corners are all finite (their
/// labels are placed with the others, [`write_labels`]).
fn write_outlines(svg: &mut String, req: &HeatmapRequest, style: &Style) {
    let dash = (style.font_px * 0.6).max(4.0) as f64;
    let gap = (style.font_px * 0.4).max(3.0) as f64;
    write_rings(
        svg,
        req,
        req.outlines,
        ("dead-zones", "dead-zone"),
        (dash, gap),
    );
}

/// One dotted `<polygon class="at-risk">` per at-risk outline whose corners are all finite.
fn write_at_risk(svg: &mut String, req: &HeatmapRequest) {
    write_rings(svg, req, req.at_risk, ("at-risk", "at-risk"), AT_RISK_DOTS);
}

/// A `<g>` of `classes.0` holding one dashed `<polygon>` of `classes.1` per outline whose
/// corners are all finite (nothing when there are no outlines): dead zones and at-risk regions
/// differ only in their classes and dash pattern (on, off).
fn write_rings(
    svg: &mut String,
    req: &HeatmapRequest,
    outlines: &[crate::Outline],
    classes: (&str, &str),
    dashes: (f64, f64),
) {
    if outlines.is_empty() {
        return;
    }
    let calibration = req.floor.calibration;
    let colour = hex(OUTLINE_COLOUR);
    let _ = writeln!(svg, "<g class=\"{}\">", classes.0);
    for outline in outlines {
        let corners: Option<Vec<(f64, f64)>> = outline
            .ring
            .iter()
            .map(|p| to_px(calibration, *p))
            .collect();
        let Some(corners) = corners.filter(|c| !c.is_empty()) else {
            continue;
        };
        let list: Vec<String> = corners
            .iter()
            .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
            .collect();
        let _ = writeln!(
            svg,
            "<polygon class=\"{}\" points=\"{}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"2\" stroke-dasharray=\"{} {}\"/>",
            classes.1,
            list.join(" "),
            num(dashes.0),
            num(dashes.1)
        );
    }
    svg.push_str("</g>\n");
}

/// The symbol of a marker kind centred on (`cx`, `cy`), as the PNG draws it.
fn symbol(kind: MarkerKind, cx: f64, cy: f64, radius: f64) -> String {
    match kind {
        MarkerKind::MeasuredAp => format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"/>",
            num(cx),
            num(cy),
            num(radius + 0.5),
            hex(MEASURED_AP_COLOUR)
        ),
        MarkerKind::PlannedAp => format!(
            "<polygon points=\"{},{} {},{} {},{}\" fill=\"{}\"/>",
            num(cx),
            num(cy - radius - 1.0),
            num(cx + radius + 1.0),
            num(cy + radius),
            num(cx - radius - 1.0),
            num(cy + radius),
            hex(PLANNED_AP_COLOUR)
        ),
    }
}

fn write_markers(svg: &mut String, req: &HeatmapRequest, style: &Style) {
    if req.markers.is_empty() {
        return;
    }
    let calibration = req.floor.calibration;
    let radius = style.symbol_radius() as f64;
    svg.push_str("<g class=\"markers\">\n");
    for marker in req.markers {
        let Some((x, y)) = to_px(calibration, marker.at) else {
            continue;
        };
        let kind = match marker.kind {
            MarkerKind::MeasuredAp => "measured-ap",
            MarkerKind::PlannedAp => "planned-ap",
        };
        let _ = writeln!(
            svg,
            "<g class=\"marker {kind}\"><title>{}</title>{}</g>",
            escape(&marker.label),
            symbol(marker.kind, x.round(), y.round(), radius)
        );
    }
    svg.push_str("</g>\n");
}

/// Writes the right-hand legend measured by [`Legend::measure`], as the PNG draws it.
struct LegendWriter<'l>(&'l Legend);

impl LegendWriter<'_> {
    fn write(
        &self,
        svg: &mut String,
        req: &HeatmapRequest,
        style: &Style,
        metrics: &Metrics,
        plan_w: u32,
    ) {
        let legend = self.0;
        let bar_height = legend.bar_height as f64;
        let scale = req.scale;
        let px = style.font_px as f64;
        let em = num(metrics.em(px));
        let pad = style.pad() as f64;
        let line = style.line_height() as f64;
        let ink = hex(TEXT_COLOUR);
        let left = plan_w as f64 + pad;
        let bar_width = (style.font_px * 1.2).trunc() as f64;
        let mut y = pad;
        svg.push_str("<g class=\"legend\">\n");
        let _ = writeln!(
            svg,
            "<text class=\"legend-title\" x=\"{}\" y=\"{}\" font-size=\"{em}\" font-weight=\"bold\" \
             fill=\"{ink}\">{}</text>",
            num(left),
            num(y + metrics.ascent(px)),
            escape(&scale.title)
        );
        y += line;
        let _ = writeln!(
            svg,
            "<text class=\"legend-unit\" x=\"{}\" y=\"{}\" font-size=\"{em}\" fill=\"{ink}\">{}</text>",
            num(left),
            num(y + metrics.ascent(px)),
            escape(scale.unit)
        );
        y += line + (style.pad() / 2) as f64;

        let bar_top = y;
        let text_height = px * 0.75;
        if scale.is_categorical() {
            // One swatch per category, in the scale's order, with its label.
            for (i, category) in scale.categories.iter().enumerate() {
                let row_y = bar_top + i as f64 * line;
                if category.hatched {
                    // The map's hatching, as a pattern over the swatch.
                    let stripe = hatch_stripe_px(req.plan.width(), req.plan.height()) as f64;
                    let _ = writeln!(
                        svg,
                        "<defs><pattern id=\"hatch-{i}\" patternUnits=\"userSpaceOnUse\" \
                         width=\"{p}\" height=\"{p}\" patternTransform=\"rotate(45)\">\
                         <rect width=\"{p}\" height=\"{p}\" fill=\"{}\"/>\
                         <rect width=\"{}\" height=\"{p}\" fill=\"{}\"/></pattern></defs>",
                        hex(category.colour),
                        num(stripe * std::f64::consts::SQRT_2 / 2.0),
                        hex(hatch_ink(category.colour)),
                        p = num(stripe * std::f64::consts::SQRT_2),
                    );
                }
                let fill = if category.hatched {
                    format!("url(#hatch-{i})")
                } else {
                    hex(category.colour)
                };
                let _ = writeln!(
                    svg,
                    "<rect class=\"category\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                     fill=\"{}\" stroke=\"{ink}\" stroke-width=\"1\"/>\n\
                     <text class=\"category-label\" x=\"{}\" y=\"{}\" font-size=\"{em}\" \
                     fill=\"{ink}\">{}</text>",
                    num(left),
                    num(row_y),
                    num(bar_width),
                    num(text_height),
                    fill,
                    num(left + bar_width + (style.pad() / 2) as f64),
                    num(row_y + metrics.ascent(px)),
                    escape(&category.label)
                );
            }
        } else {
            // The colour bar, best value at the top: a vertical gradient through the scale's colours.
            svg.push_str(
                "<defs><linearGradient id=\"wisp-scale\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">\n",
            );
            for i in 0..=GRADIENT_STOPS {
                let t = i as f64 / GRADIENT_STOPS as f64;
                let value = scale.max - (scale.max - scale.min) * t;
                let _ = writeln!(
                    svg,
                    "<stop offset=\"{}\" stop-color=\"{}\"/>",
                    num(t),
                    hex(scale.colour(value))
                );
            }
            svg.push_str("</linearGradient></defs>\n");
            let _ = writeln!(
                svg,
                "<rect class=\"colour-bar\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
             fill=\"url(#wisp-scale)\" stroke=\"{ink}\" stroke-width=\"1\"/>",
                num(left),
                num(bar_top),
                num(bar_width),
                num(bar_height)
            );
            let steps = (bar_height - 1.0).max(1.0);
            let row_of = |value: f64| bar_top + ((1.0 - scale.position(value)) * steps).round();
            for tick in scale.ticks() {
                let ty = row_of(tick);
                let tick_end = left + bar_width + (style.pad() / 3) as f64;
                let _ = writeln!(
                svg,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{ink}\" stroke-width=\"1\"/>\n\
                 <text class=\"tick\" x=\"{}\" y=\"{}\" font-size=\"{em}\" fill=\"{ink}\">{}</text>",
                num(left + bar_width),
                num(ty),
                num(tick_end),
                num(ty),
                num(tick_end + 2.0),
                num(metrics.centred_baseline(ty, px)),
                escape(&scale.format_tick(tick))
            );
            }
            for level in req.contours.iter().filter(|l| l.is_finite()) {
                let ty = row_of(*level);
                let _ = writeln!(
                svg,
                "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>",
                num(left),
                num(ty + 0.5),
                num(left + bar_width),
                num(ty + 0.5),
                hex(CONTOUR_COLOUR)
            );
            }
        }
        y = bar_top + bar_height + pad;

        // The key to everything else drawn on the plan.
        for (key, text) in &legend.keys {
            let mid_y = (y + text_height / 2.0).round();
            let swatch = match key {
                LegendKey::Contour(_) => format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\"/>",
                    num(left),
                    num(mid_y),
                    num(left + bar_width),
                    num(mid_y),
                    hex(CONTOUR_COLOUR)
                ),
                LegendKey::NotSurveyed => format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\" stroke=\"{ink}\" \
                     stroke-width=\"1\"/>",
                    num(left),
                    num(y),
                    num(bar_width),
                    num(text_height),
                    hex(blend(NOT_SURVEYED_GREY, [255; 3], NOT_SURVEYED_ALPHA))
                ),
                LegendKey::Marker(kind) => symbol(
                    *kind,
                    left + (bar_width / 2.0).trunc(),
                    mid_y,
                    style.symbol_radius() as f64,
                ),
                LegendKey::Outline => format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\" \
                     stroke-dasharray=\"{} 3\"/>",
                    num(left),
                    num(mid_y),
                    num(left + bar_width),
                    num(mid_y),
                    hex(OUTLINE_COLOUR),
                    num((bar_width / 2.0 - 1.0).max(1.0))
                ),
                LegendKey::AtRisk => format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"2\" \
                     stroke-dasharray=\"{} {}\"/>",
                    num(left),
                    num(mid_y),
                    num(left + bar_width),
                    num(mid_y),
                    hex(OUTLINE_COLOUR),
                    num(AT_RISK_DOTS.0),
                    num(AT_RISK_DOTS.1)
                ),
                LegendKey::Zone => format!(
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" \
                     stroke=\"{}\" stroke-width=\"1\"/>",
                    num(left),
                    num(y),
                    num(bar_width),
                    num(text_height),
                    hex(ZONE_COLOUR)
                ),
                LegendKey::Path => format!(
                    "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{c}\" stroke-width=\"1\"/>\
                     <circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{c}\"/>",
                    num(left),
                    num(mid_y),
                    num(left + bar_width),
                    num(mid_y),
                    num(left + (bar_width / 2.0).trunc()),
                    num(mid_y),
                    c = hex(PATH_COLOUR)
                ),
            };
            let _ = writeln!(
                svg,
                "<g class=\"key\">{swatch}<text x=\"{}\" y=\"{}\" font-size=\"{em}\" \
                 fill=\"{ink}\">{}</text></g>",
                num(left + bar_width + (style.pad() / 2) as f64),
                num(metrics.centred_baseline(mid_y, px)),
                escape(text)
            );
            y += line;
        }
        svg.push_str("</g>\n");
    }
}

/// The black-and-white bar of a round length in metres, with its label, as in the PNG.
fn write_scale_bar(
    svg: &mut String,
    calibration: PlanCalibration,
    plan_w: u32,
    canvas_w: u32,
    top: f64,
    style: &Style,
    metrics: &Metrics,
) {
    let length_m = crate::heatmap::scale_bar_length_m(calibration.metres_per_pixel(), plan_w);
    let length_px = (length_m / calibration.metres_per_pixel())
        .round()
        .clamp(1.0, canvas_w.max(1) as f64);
    let left = style.pad() as f64;
    let thickness = (style.font_px as f64 / 3.0).round().max(3.0);
    let half = (length_px / 2.0).trunc().max(1.0);
    let ink = hex(TEXT_COLOUR);
    let px = style.font_px as f64;
    let label = format!("{} m", format_number(length_m, decimals_for(length_m)));
    let _ = writeln!(
        svg,
        "<g class=\"scale-bar\">\
         <rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{h}\" fill=\"{ink}\"/>\
         <rect x=\"{l}\" y=\"{t}\" width=\"{}\" height=\"{h}\" fill=\"none\" stroke=\"{ink}\" stroke-width=\"1\"/>\
         <text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{ink}\">{}</text></g>",
        num(half),
        num(length_px),
        num(left + length_px + (style.pad() / 2) as f64),
        num(metrics.centred_baseline(top + thickness / 2.0, px)),
        num(metrics.em(px)),
        escape(&label),
        l = num(left),
        t = num(top),
        h = num(thickness),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ColourScale, Marker, Outline, Palette};
    use image::{Rgba, RgbaImage};
    use wisp_model::{Floor, Grid, GridGeometry, Polygon};

    fn floor() -> Floor {
        Floor {
            id: "L1".into(),
            name: "Level 1".into(),
            calibration: PlanCalibration::new(0.1).unwrap(),
            plan_size_px: (200, 100),
            outline: Polygon::rectangle(Point::new(2.0, 1.0), Point::new(18.0, 9.0)).unwrap(),
            materials: vec![],
            walls: vec![],
            zones: vec![],
            aps: vec![],
            walk: None,
            survey_range_m: 5.0,
        }
    }

    fn layer() -> Grid<f32> {
        let g = GridGeometry::covering(Point::new(0.0, 0.0), Point::new(20.0, 10.0), 1.0).unwrap();
        Grid::from_fn(g, |_, c| if c < 10 { -40.0 } else { -85.0 })
    }

    /// Checks that every element is closed, in order; returns the element names in order.
    fn balanced(doc: &str) -> Vec<String> {
        let mut stack: Vec<String> = Vec::new();
        let mut names = Vec::new();
        let mut rest = doc;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            rest = &rest[end + 1..];
            if tag.starts_with('?') || tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(
                    stack.pop().as_deref(),
                    Some(name.trim()),
                    "mismatched </{name}>"
                );
                continue;
            }
            let name: String = tag
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '/')
                .collect();
            names.push(name.clone());
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed elements: {stack:?}");
        names
    }

    fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
        let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = element[start..].find('"')? + start;
        Some(&element[start..end])
    }

    #[test]
    fn vectors_for_everything_but_the_layer() {
        let floor = floor();
        let plan = RgbaImage::from_pixel(200, 100, Rgba([230, 230, 230, 255]));
        let layer = layer();
        let scale = ColourScale::signal(Palette::Survey);
        let markers = [
            Marker {
                at: Point::new(5.0, 5.0),
                label: "AP-1 <ch 36>".into(),
                kind: MarkerKind::MeasuredAp,
            },
            Marker {
                at: Point::new(15.0, 5.0),
                label: "New & 2".into(),
                kind: MarkerKind::PlannedAp,
            },
        ];
        let outlines = [
            Outline {
                ring: vec![
                    Point::new(12.0, 2.0),
                    Point::new(16.0, 2.0),
                    Point::new(16.0, 6.0),
                ],
                label: "Bay 3 4 m²".into(),
            },
            Outline {
                ring: vec![
                    Point::new(3.0, 7.0),
                    Point::new(4.0, 7.0),
                    Point::new(4.0, 8.0),
                    Point::new(3.0, 8.0),
                ],
                label: String::new(),
            },
            // A corner at infinity: left out rather than printed as "inf".
            Outline {
                ring: vec![Point::new(f64::INFINITY, 1.0), Point::new(2.0, 2.0)],
                label: "never".into(),
            },
        ];
        let contours = [-67.0];
        let surveyed = Grid::filled(*layer.geometry(), true);
        let mut req = HeatmapRequest::new(&floor, &plan, &layer, &scale, "Ward 7 — primary");
        req.markers = &markers;
        req.outlines = &outlines;
        req.contours = &contours;
        req.surveyed = Some(&surveyed);
        let walks = [
            vec![Point::new(3.0, 3.0), Point::new(10.0, 3.0)],
            vec![Point::new(6.0, 8.0)],
        ];
        req.walks = &walks;
        let svg = heatmap_svg(&req).unwrap();

        let names = balanced(&svg);
        assert_eq!(names[0], "svg");
        // The same size as the PNG.
        let png = heatmap_image(&req).unwrap();
        let root = &svg[svg.find("<svg").unwrap()..];
        let root = &root[..root.find('>').unwrap()];
        assert_eq!(
            attribute(root, "width"),
            Some(png.width().to_string().as_str())
        );
        assert_eq!(
            attribute(root, "height"),
            Some(png.height().to_string().as_str())
        );

        // Legend ticks as text, with true minus signs: −90 … −30 in steps of 10.
        for tick in ["\u{2212}90", "\u{2212}60", "\u{2212}30"] {
            assert!(svg.contains(&format!(">{tick}</text>")), "tick {tick}");
        }
        assert_eq!(svg.matches("class=\"tick\"").count(), 7);
        assert!(svg.contains(">\u{2212}67 dBm contour</text>"));
        assert!(svg.contains(">Not surveyed</text>"));
        assert!(svg.contains(">Signal</text>"));
        // One dashed polygon per drawable outline, with its points in pixels (0.1 m per px).
        assert_eq!(svg.matches("<polygon class=\"dead-zone\"").count(), 2);
        assert!(svg.contains("points=\"120,20 160,20 160,60\""));
        assert!(svg.contains(">Bay 3 4 m²</tspan></text>"));
        assert!(!svg.contains("never") && !svg.contains("inf"));
        // Markers: escaped labels, a circle for the measured AP and a triangle for the planned.
        assert!(svg.contains(">AP-1 &lt;ch 36&gt;</tspan></text>"));
        assert!(svg.contains(">New &amp; 2</tspan></text>"));
        assert!(svg.contains("<circle cx=\"50\" cy=\"50\""));
        assert!(svg.contains("<g class=\"marker planned-ap\"><title>New &amp; 2</title><polygon"));
        // Two walks: one polyline (the stop-and-go point is a dot only), never joined.
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert!(svg.contains("<polyline points=\"30,30 100,30\""));
        assert!(svg.contains("<circle cx=\"60\" cy=\"80\""));
        assert!(svg.contains(">Ward 7 — primary</text>"));
        // Scale bar: 0.1 m/px on a 200 px plan has 120 px of room → 10 m, 100 px long, the
        // first half filled.
        assert!(svg.contains(">10 m</text>"));
        assert!(svg.contains("width=\"50\" height=\"4\" fill=\"#141414\""));

        // The embedded raster is the plan region of the PNG without markers: left half green.
        let href = svg
            .split("xlink:href=\"data:image/png;base64,")
            .nth(1)
            .unwrap();
        let b64 = &href[..href.find('"').unwrap()];
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        let raster = image::load_from_memory(&bytes).unwrap().to_rgba8();
        assert_eq!(raster.dimensions(), (200, 100));
        let [r, g, _, _] = raster.get_pixel(40, 40).0;
        assert!(g as i32 > r as i32 + 20);
        // No marker was painted into the raster where the measured AP stands.
        let bare = heatmap_image(&HeatmapRequest::new(&floor, &plan, &layer, &scale, "")).unwrap();
        assert_eq!(raster.get_pixel(50, 50), bare.get_pixel(50, 50));

        // Deterministic.
        assert_eq!(svg, heatmap_svg(&req).unwrap());
    }

    #[test]
    fn errors_and_empty_requests() {
        let floor = floor();
        let layer = layer();
        let scale = ColourScale::signal(Palette::Survey);
        let wrong = RgbaImage::new(10, 10);
        assert!(heatmap_svg(&HeatmapRequest::new(&floor, &wrong, &layer, &scale, "")).is_err());
        let plan = RgbaImage::new(200, 100);
        let svg = heatmap_svg(&HeatmapRequest::new(&floor, &plan, &layer, &scale, "")).unwrap();
        balanced(&svg);
        assert!(!svg.contains("class=\"dead-zones\"") && !svg.contains("class=\"markers\""));
        // The document title falls back to the scale's.
        assert!(svg.contains("<title>Signal</title>"));
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(120.5), "120.5");
    }
}
