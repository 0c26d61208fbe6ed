//! Heatmap pictures: a finished layer painted over the floor plan, with legend and scale bar.

use crate::map::{
    pixel_ring, HeatmapRequest, MarkerKind, Style, AT_RISK_DOTS, CONTOUR_COLOUR, DEFAULT_OPACITY,
    MEASURED_AP_COLOUR, NOT_SURVEYED_ALPHA, NOT_SURVEYED_GREY, OUTLINE_COLOUR, PATH_COLOUR,
    PLANNED_AP_COLOUR, TEXT_COLOUR, ZONE_COLOUR,
};
use crate::map_labels::{font_of, map_labels, MapLabel};
use crate::scale::format_number;
use crate::text::{em_of_px, wrap_text, Faces};
use crate::{RenderError, RenderErrorKind};
use ab_glyph::{FontRef, PxScale};
use image::{Rgba, RgbaImage};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_filled_rect_mut, draw_hollow_circle_mut, draw_hollow_rect_mut,
    draw_line_segment_mut, draw_polygon_mut, draw_text_mut, text_size,
};
use imageproc::point::Point as PixelPoint;
use imageproc::rect::Rect;
use rayon::prelude::*;
use wisp_model::{Grid, PlanCalibration, Point};

const WHITE: [u8; 3] = [255, 255, 255];

/// The heatmap as PNG bytes: the same picture as [`heatmap_image`], losslessly encoded.
/// Identical requests give identical bytes.
pub fn heatmap_png(request: &HeatmapRequest) -> Result<Vec<u8>, RenderError> {
    let image = heatmap_image(request)?;
    encode_png(&image, &request.title)
}

/// Any picture as PNG bytes, encoded as [`heatmap_png`] does.
pub fn png_bytes(image: &RgbaImage) -> Result<Vec<u8>, RenderError> {
    encode_png(image, "picture")
}

/// Encodes an RGBA picture as PNG with fixed settings (no timestamp or text chunks).
fn encode_png(image: &RgbaImage, what: &str) -> Result<Vec<u8>, RenderError> {
    use image::ImageEncoder;
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| RenderErrorKind::PngEncode {
            what: what.to_string(),
            message: e.to_string(),
        })?;
    // The encoder grows the buffer by doubling; a report holds every floor's PNGs until the
    // PDF is made, so give back the slack.
    bytes.shrink_to_fit();
    Ok(bytes)
}

/// The heatmap picture.
///
/// The plan occupies the top-left of the picture at its own pixel size, so plan pixel (x, y) is
/// picture pixel (x, y). To its right is the legend (scale title and unit, colour bar with ticks,
/// a key to contours, grey, markers and outlines); below it the title and a scale bar in metres.
///
/// Inside the floor outline the plan is shown in light grey and the layer's colour is blended
/// over it at `opacity`; outside it the plan's pixels are copied untouched. The layer is sampled
/// at each pixel centre by bilinear interpolation between cell centres, skipping NaN cells (the
/// nearest cell when all four are NaN); no value is invented beyond the grid's edge.
pub fn heatmap_image(request: &HeatmapRequest) -> Result<RgbaImage, RenderError> {
    let floor = request.floor;
    let (plan_w, plan_h) = request.plan.dimensions();
    if (plan_w, plan_h) != floor.plan_size_px {
        return Err(RenderErrorKind::PlanSize {
            floor: floor.id.clone(),
            expected_w: floor.plan_size_px.0,
            expected_h: floor.plan_size_px.1,
            actual_w: plan_w,
            actual_h: plan_h,
        }
        .into());
    }
    if !request.scale.is_valid() {
        return Err(RenderErrorKind::Scale {
            title: request.scale.title.clone(),
            min: request.scale.min,
            max: request.scale.max,
        }
        .into());
    }
    let faces = Faces::load()?;
    let style = Style::for_plan(plan_w, plan_h);
    let legend = Legend::measure(request, &faces, &style);
    let bottom_band =
        style.bottom_band_height(title_lines(request, &faces, &style, plan_w + legend.width).len());
    let canvas_w = plan_w.saturating_add(legend.width);
    let canvas_h = plan_h.max(legend.height).saturating_add(bottom_band);
    let mut canvas = RgbaImage::from_pixel(canvas_w, canvas_h, rgba(WHITE));

    let values = paint_layer(request, &mut canvas);
    let contour_half_width = ((style.font_px - 12.0) / 16.0).round().max(0.0) as usize;
    draw_contours(
        &mut canvas,
        &values,
        plan_w as usize,
        plan_h as usize,
        request.contours,
        contour_half_width,
    );

    let calibration = floor.calibration;
    if request.zones {
        for zone in &floor.zones {
            let ring = pixel_ring(calibration, zone.polygon.corners());
            draw_ring(&mut canvas, &ring, ZONE_COLOUR, style.zone_line_px(), None);
        }
    }
    draw_walks(&mut canvas, calibration, request.walks, &style);
    for outline in request.outlines {
        let ring = pixel_ring(calibration, &outline.ring);
        let dash = (style.font_px * 0.6).max(4.0) as f64;
        let gap = (style.font_px * 0.4).max(3.0) as f64;
        draw_ring(&mut canvas, &ring, OUTLINE_COLOUR, 2, Some((dash, gap)));
    }
    for outline in request.at_risk {
        let ring = pixel_ring(calibration, &outline.ring);
        draw_ring(&mut canvas, &ring, OUTLINE_COLOUR, 2, Some(AT_RISK_DOTS));
    }
    for marker in request.markers {
        if let Some((x, y)) = to_canvas(calibration, marker.at, &canvas) {
            let radius = style.symbol_radius();
            draw_symbol(
                &mut canvas,
                marker.kind,
                x.round() as i32,
                y.round() as i32,
                radius,
            );
        }
    }
    for label in map_labels(request, &faces, &style) {
        draw_map_label(&mut canvas, &label, &faces);
    }
    legend.draw(&mut canvas, request, &faces, &style, plan_w);

    let band_top = plan_h.max(legend.height) as i32;
    let title_px = style.title_px();
    let title_lines = title_lines(request, &faces, &style, canvas_w);
    for (i, line) in title_lines.iter().enumerate() {
        let y = band_top + style.pad() + i as i32 * style.title_line_height();
        draw_text_mut(
            &mut canvas,
            rgba(TEXT_COLOUR),
            style.pad(),
            y,
            title_px,
            &faces.bold,
            line,
        );
    }
    let bar_top =
        band_top + style.pad() + style.title_line_height() * title_lines.len().max(1) as i32;
    draw_scale_bar(
        &mut canvas,
        calibration,
        plan_w,
        bar_top,
        &faces.regular,
        &style,
    );
    Ok(canvas)
}

/// Paints the layer over the plan region of `canvas` and returns the sampled value of every plan
/// pixel (row-major), NaN where no colour was painted, for the contour pass.
fn paint_layer(request: &HeatmapRequest, canvas: &mut RgbaImage) -> Vec<f32> {
    let (plan_w, plan_h) = (
        request.plan.width() as usize,
        request.plan.height() as usize,
    );
    let mut values = vec![f32::NAN; plan_w * plan_h];
    if plan_w == 0 || plan_h == 0 {
        return values;
    }
    let canvas_row_bytes = canvas.width() as usize * 4;
    let opacity = if request.opacity.is_finite() {
        request.opacity.clamp(0.0, 1.0)
    } else {
        DEFAULT_OPACITY
    };
    let calibration = request.floor.calibration;
    let outline = &request.floor.outline;
    let categorical = request.scale.is_categorical();
    let stripe = hatch_stripe_px(plan_w as u32, plan_h as u32);
    let canvas_rows = canvas.as_mut().par_chunks_mut(canvas_row_bytes);
    canvas_rows
        .zip(values.par_chunks_mut(plan_w))
        .enumerate()
        .for_each(|(y, (row, row_values))| {
            for (x, value_out) in row_values.iter_mut().enumerate() {
                let plan_pixel = request.plan.get_pixel(x as u32, y as u32).0;
                let out = &mut row[x * 4..x * 4 + 4];
                let centre = calibration.to_metres(Point::new(x as f64 + 0.5, y as f64 + 0.5));
                if !outline.contains(centre) {
                    out.copy_from_slice(&plan_pixel);
                    continue;
                }
                let base = lightened_grey(plan_pixel);
                let not_surveyed = request
                    .surveyed
                    .is_some_and(|mask| nearest(mask, centre) == Some(false));
                let colour = if not_surveyed {
                    blend(NOT_SURVEYED_GREY, [base; 3], NOT_SURVEYED_ALPHA)
                } else if let Some(value) = if categorical {
                    // Category indices are labels, not quantities: never blended between cells.
                    nearest(request.layer, centre).filter(|v| v.is_finite())
                } else {
                    sample_bilinear(request.layer, centre)
                } {
                    *value_out = value;
                    let mut colour = request.scale.colour(value as f64);
                    if categorical
                        && request.scale.hatched(value as f64)
                        && on_hatch_stripe(x as u32, y as u32, stripe)
                    {
                        colour = hatch_ink(colour);
                    }
                    blend(colour, [base; 3], opacity)
                } else {
                    [base; 3]
                };
                out.copy_from_slice(&[colour[0], colour[1], colour[2], 255]);
            }
        });
    values
}

/// Width of the hatching stripes of a categorical map, in pixels: wide enough to see on a
/// printed page at the plan's size.
pub(crate) fn hatch_stripe_px(plan_w: u32, plan_h: u32) -> u32 {
    (plan_w.max(plan_h) / 300).max(3)
}

/// Whether pixel (x, y) lies on a dark stripe of the diagonal hatching (stripes falling to the
/// right, as wide as the gaps between them).
pub(crate) fn on_hatch_stripe(x: u32, y: u32, stripe: u32) -> bool {
    ((x + y) / stripe.max(1)).is_multiple_of(2)
}

/// The stripe colour of a hatched category: its own colour darkened by half.
pub(crate) fn hatch_ink(colour: [u8; 3]) -> [u8; 3] {
    blend([0, 0, 0], colour, 0.5)
}

/// The plan pixel as a light grey: composited over white, reduced to luma, then its darkness
/// halved, so lines stay visible and colours laid over it read true.
fn lightened_grey([r, g, b, a]: [u8; 4]) -> u8 {
    let alpha = a as f32 / 255.0;
    let over_white = |c: u8| c as f32 * alpha + 255.0 * (1.0 - alpha);
    let luma = 0.299 * over_white(r) + 0.587 * over_white(g) + 0.114 * over_white(b);
    (255.0 - (255.0 - luma) * 0.5).round().clamp(0.0, 255.0) as u8
}

pub(crate) fn blend(top: [u8; 3], bottom: [u8; 3], alpha: f32) -> [u8; 3] {
    let mix = |i: usize| {
        (top[i] as f32 * alpha + bottom[i] as f32 * (1.0 - alpha))
            .round()
            .clamp(0.0, 255.0) as u8
    };
    [mix(0), mix(1), mix(2)]
}

/// The value of the cell containing `p`, if `p` lies on the grid.
fn nearest<T: Copy>(grid: &Grid<T>, p: Point) -> Option<T> {
    let (row, col) = grid.geometry().cell_at(p)?;
    grid.get(row, col).copied()
}

/// Bilinear interpolation between the four cell centres around `p`, skipping NaN cells and
/// renormalising the weights; the containing cell's value if all four are NaN; `None` off the
/// grid or where there is no value at all.
pub(crate) fn sample_bilinear(layer: &Grid<f32>, p: Point) -> Option<f32> {
    let geometry = layer.geometry();
    geometry.cell_at(p)?;
    let (row_f, col_f) = geometry.fractional(p);
    let last_col = (geometry.cols() - 1) as f64;
    let last_row = (geometry.rows() - 1) as f64;
    // Cell centres sit at integer + ½; between the outermost centres and the grid edge the value
    // is held flat rather than extrapolated.
    let u = (col_f - 0.5).clamp(0.0, last_col);
    let v = (row_f - 0.5).clamp(0.0, last_row);
    let (c0, r0) = (u.floor() as usize, v.floor() as usize);
    let (c1, r1) = (
        (c0 + 1).min(geometry.cols() - 1),
        (r0 + 1).min(geometry.rows() - 1),
    );
    let (tu, tv) = (u - c0 as f64, v - r0 as f64);
    let corners = [
        (r0, c0, (1.0 - tu) * (1.0 - tv)),
        (r0, c1, tu * (1.0 - tv)),
        (r1, c0, (1.0 - tu) * tv),
        (r1, c1, tu * tv),
    ];
    let (mut sum, mut weight) = (0.0f64, 0.0f64);
    for (row, col, w) in corners {
        if w <= 0.0 {
            continue;
        }
        match layer.get(row, col) {
            Some(value) if value.is_finite() => {
                sum += w * *value as f64;
                weight += w;
            }
            _ => {}
        }
    }
    if weight > 1e-9 {
        return Some((sum / weight) as f32);
    }
    nearest(layer, p).filter(|v| v.is_finite())
}

/// Darkens pixels where the sampled value crosses a contour level between a pixel and its right
/// or lower neighbour; both pixels are marked, giving a line about two pixels wide, widened by
/// `half_width` pixels each side on large plans. Only painted pixels (finite values) are darkened,
/// so the line never strays outside the outline.
fn draw_contours(
    canvas: &mut RgbaImage,
    values: &[f32],
    plan_w: usize,
    plan_h: usize,
    levels: &[f64],
    half_width: usize,
) {
    let levels: Vec<f32> = levels
        .iter()
        .filter(|l| l.is_finite())
        .map(|l| *l as f32)
        .collect();
    if levels.is_empty() || plan_w == 0 || plan_h == 0 {
        return;
    }
    let crosses = |a: f32, b: f32| {
        a.is_finite() && b.is_finite() && levels.iter().any(|&level| (a < level) != (b < level))
    };
    let mut on_line = vec![false; plan_w * plan_h];
    for y in 0..plan_h {
        for x in 0..plan_w {
            let here = values[y * plan_w + x];
            if x + 1 < plan_w && crosses(here, values[y * plan_w + x + 1]) {
                on_line[y * plan_w + x] = true;
                on_line[y * plan_w + x + 1] = true;
            }
            if y + 1 < plan_h && crosses(here, values[(y + 1) * plan_w + x]) {
                on_line[y * plan_w + x] = true;
                on_line[(y + 1) * plan_w + x] = true;
            }
        }
    }
    for (index, _) in on_line.iter().enumerate().filter(|(_, marked)| **marked) {
        let (x, y) = (index % plan_w, index / plan_w);
        for ny in y.saturating_sub(half_width)..=(y + half_width).min(plan_h - 1) {
            for nx in x.saturating_sub(half_width)..=(x + half_width).min(plan_w - 1) {
                if values[ny * plan_w + nx].is_finite() {
                    canvas.put_pixel(nx as u32, ny as u32, rgba(CONTOUR_COLOUR));
                }
            }
        }
    }
}

fn rgba([r, g, b]: [u8; 3]) -> Rgba<u8> {
    Rgba([r, g, b, 255])
}

/// `p` (metres) in canvas pixels, if finite and near enough to the canvas to be worth drawing;
/// far-off points would overflow the integer drawing routines.
fn to_canvas(calibration: PlanCalibration, p: Point, canvas: &RgbaImage) -> Option<(f32, f32)> {
    let px = calibration.to_pixels(p);
    let limit_x = canvas.width() as f64 + 10_000.0;
    let limit_y = canvas.height() as f64 + 10_000.0;
    let near = px.x.is_finite() && px.y.is_finite() && px.x.abs() < limit_x && px.y.abs() < limit_y;
    near.then_some((px.x as f32, px.y as f32))
}

/// Clips the segment a–b to the canvas (plus a small border), Liang–Barsky, in pixels. The
/// imageproc line routines walk every pixel from end to end, so a far-off end point must be
/// clipped first or the walk takes forever.
fn clip_to_canvas(a: Point, b: Point, canvas: &RgbaImage) -> Option<((f32, f32), (f32, f32))> {
    if ![a.x, a.y, b.x, b.y].iter().all(|v| v.is_finite()) {
        return None;
    }
    let (min_x, min_y) = (-2.0, -2.0);
    let (max_x, max_y) = (canvas.width() as f64 + 2.0, canvas.height() as f64 + 2.0);
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, a.x - min_x),
        (dx, max_x - a.x),
        (-dy, a.y - min_y),
        (dy, max_y - a.y),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| ((a.x + t * dx) as f32, (a.y + t * dy) as f32);
    Some((at(t0), at(t1)))
}

/// A line `thickness` pixels wide, as parallel one-pixel lines offset across its direction.
fn draw_thick_segment(canvas: &mut RgbaImage, a: Point, b: Point, colour: [u8; 3], thickness: i32) {
    let Some((start, end)) = clip_to_canvas(a, b, canvas) else {
        return;
    };
    let mostly_horizontal = (end.0 - start.0).abs() >= (end.1 - start.1).abs();
    for k in 0..thickness.max(1) {
        let offset = (k - thickness.max(1) / 2) as f32;
        let (ox, oy) = if mostly_horizontal {
            (0.0, offset)
        } else {
            (offset, 0.0)
        };
        draw_line_segment_mut(
            canvas,
            (start.0 + ox, start.1 + oy),
            (end.0 + ox, end.1 + oy),
            rgba(colour),
        );
    }
}

/// Each walk as a thin polyline with a dot per scan; a walk whose scans all sit on one spot
/// (stop-and-go) is only a dot. Walks are never joined to each other.
fn draw_walks(
    canvas: &mut RgbaImage,
    calibration: PlanCalibration,
    walks: &[Vec<Point>],
    style: &Style,
) {
    let radius = walk_dot_radius(style);
    for walk in walks {
        let pixels: Vec<Point> = walk.iter().map(|p| calibration.to_pixels(*p)).collect();
        for pair in pixels.windows(2) {
            draw_thick_segment(canvas, pair[0], pair[1], PATH_COLOUR, 1);
        }
        for p in walk {
            if let Some((x, y)) = to_canvas(calibration, *p, canvas) {
                draw_filled_circle_mut(
                    canvas,
                    (x.round() as i32, y.round() as i32),
                    radius,
                    rgba(PATH_COLOUR),
                );
            }
        }
    }
}

pub(crate) fn walk_dot_radius(style: &Style) -> i32 {
    ((style.font_px / 6.0).round() as i32).max(2)
}

/// A closed ring `thickness` pixels wide, solid or dashed (`(dash, gap)` in pixels).
fn draw_ring(
    canvas: &mut RgbaImage,
    ring: &[Point],
    colour: [u8; 3],
    thickness: i32,
    dashes: Option<(f64, f64)>,
) {
    if ring.len() < 2 {
        return;
    }
    let sides = if ring.len() == 2 { 1 } else { ring.len() };
    for i in 0..sides {
        let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
        let Some((dash, gap)) = dashes else {
            draw_thick_segment(canvas, a, b, colour, thickness);
            continue;
        };
        let Some((start, end)) = clip_to_canvas(a, b, canvas) else {
            continue;
        };
        let (start, end) = (
            Point::new(start.0 as f64, start.1 as f64),
            Point::new(end.0 as f64, end.1 as f64),
        );
        let length = start.distance(end);
        let mut t = 0.0;
        while t < length {
            let t_end = (t + dash).min(length);
            let along = |d: f64| {
                Point::new(
                    start.x + (end.x - start.x) * d / length,
                    start.y + (end.y - start.y) * d / length,
                )
            };
            draw_thick_segment(canvas, along(t), along(t_end), colour, thickness);
            t += dash + gap;
        }
    }
}

fn draw_symbol(canvas: &mut RgbaImage, kind: MarkerKind, cx: i32, cy: i32, radius: i32) {
    match kind {
        MarkerKind::MeasuredAp => {
            draw_filled_circle_mut(canvas, (cx, cy), radius, rgba(MEASURED_AP_COLOUR));
            draw_hollow_circle_mut(canvas, (cx, cy), radius + 1, rgba(WHITE));
        }
        MarkerKind::PlannedAp => {
            let corners = [
                PixelPoint::new(cx, cy - radius - 1),
                PixelPoint::new(cx + radius + 1, cy + radius),
                PixelPoint::new(cx - radius - 1, cy + radius),
            ];
            draw_polygon_mut(canvas, &corners, rgba(PLANNED_AP_COLOUR));
        }
    }
}

/// A placed map label: its leader (a thin line with a dot on the thing named), then its lines.
fn draw_map_label(canvas: &mut RgbaImage, label: &MapLabel, faces: &Faces) {
    let colour = label.kind.colour();
    if let Some(leader) = label.leader {
        draw_thick_segment(canvas, leader.a, leader.b, colour, 1);
        if let Some((x, y)) = (leader.a.x.is_finite() && leader.a.y.is_finite())
            .then_some((leader.a.x.round() as i32, leader.a.y.round() as i32))
        {
            draw_filled_circle_mut(canvas, (x, y), 2, rgba(colour));
        }
    }
    let font = font_of(faces, label.kind);
    for (i, line) in label.lines.iter().enumerate() {
        let (x, y) = label.line_origin(i);
        draw_label(
            canvas,
            font,
            PxScale::from(label.font_px),
            x.round() as i32,
            y.round() as i32,
            line,
            colour,
        );
    }
}

/// The title broken into lines that fit the picture's width (`canvas_w`) less its padding.
pub(crate) fn title_lines(
    request: &HeatmapRequest,
    faces: &Faces,
    style: &Style,
    canvas_w: u32,
) -> Vec<String> {
    let font = &faces.bold;
    let room = (canvas_w as i32 - 2 * style.pad()).max(1) as f32;
    let em = em_of_px(font, style.title_px().y);
    // wrap_text measures advances; imageproc's box can be a pixel or two wider, so leave room.
    wrap_text(font, em, room * 0.97, &request.title)
}

/// Text with a one-pixel white halo so it reads over any colour.
fn draw_label(
    canvas: &mut RgbaImage,
    font: &FontRef,
    px: PxScale,
    x: i32,
    y: i32,
    text: &str,
    colour: [u8; 3],
) {
    if text.trim().is_empty() {
        return;
    }
    for (dx, dy) in [
        (-1, -1),
        (0, -1),
        (1, -1),
        (-1, 0),
        (1, 0),
        (-1, 1),
        (0, 1),
        (1, 1),
    ] {
        draw_text_mut(canvas, rgba(WHITE), x + dx, y + dy, px, font, text);
    }
    draw_text_mut(canvas, rgba(colour), x, y, px, font, text);
}

/// The right-hand legend's size and keys, shared by the PNG and the SVG so both pictures come
/// out the same size: title, unit, the colour bar (or, for a categorical scale, one swatch row
/// per category) with its tick labels, then a key to everything else drawn on the plan.
pub(crate) struct Legend {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Height of the colour bar, or of the category rows, in pixels.
    pub(crate) bar_height: i32,
    pub(crate) keys: Vec<(LegendKey, String)>,
}

/// One entry of the legend's key.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LegendKey {
    Contour(f64),
    NotSurveyed,
    Marker(MarkerKind),
    Outline,
    AtRisk,
    Zone,
    Path,
}

impl Legend {
    pub(crate) fn measure(request: &HeatmapRequest, faces: &Faces, style: &Style) -> Legend {
        let scale = request.scale;
        let mut keys: Vec<(LegendKey, String)> = request
            .contours
            .iter()
            .filter(|l| l.is_finite())
            .map(|l| {
                let text = format!(
                    "{} {} contour",
                    format_number(*l, decimals_for(*l)),
                    scale.unit
                );
                (LegendKey::Contour(*l), text)
            })
            .collect();
        if request.surveyed.is_some() {
            keys.push((LegendKey::NotSurveyed, "Not surveyed".to_string()));
        }
        for (kind, text) in [
            (MarkerKind::MeasuredAp, "Measured AP"),
            (MarkerKind::PlannedAp, "Planned AP"),
        ] {
            if request.markers.iter().any(|m| m.kind == kind) {
                keys.push((LegendKey::Marker(kind), text.to_string()));
            }
        }
        if !request.outlines.is_empty() {
            keys.push((LegendKey::Outline, "Dead zone".to_string()));
        }
        if !request.at_risk.is_empty() {
            keys.push((LegendKey::AtRisk, "At risk (≥ 20 % likely)".to_string()));
        }
        if request.zones && !request.floor.zones.is_empty() {
            keys.push((LegendKey::Zone, "Zone".to_string()));
        }
        if !request.walks.is_empty() {
            keys.push((LegendKey::Path, "Survey walk, scans".to_string()));
        }

        let px = style.text_px();
        let width_of = |font: &FontRef, text: &str| text_size(px, font, text).0 as i32;
        let pad = style.pad();
        let bar_width = (style.font_px * 1.2) as i32;
        let tick_label_width = scale
            .ticks()
            .iter()
            .map(|t| scale.format_tick(*t))
            .chain(scale.categories.iter().map(|c| c.label.clone()))
            .map(|label| width_of(&faces.regular, &label))
            .max()
            .unwrap_or(0);
        let key_width = keys
            .iter()
            .map(|(_, text)| bar_width + pad / 2 + width_of(&faces.regular, text))
            .max()
            .unwrap_or(0);
        let content_width = [
            width_of(&faces.bold, &scale.title),
            width_of(&faces.regular, scale.unit),
            bar_width + pad / 2 + tick_label_width,
            key_width,
        ]
        .into_iter()
        .max()
        .unwrap_or(0);
        let line = style.line_height();
        let bar_height = if scale.is_categorical() {
            scale.categories.len() as i32 * line
        } else {
            ((request.plan.height() as f32 * 0.5) as i32)
                .clamp((style.font_px * 8.0) as i32, (style.font_px * 18.0) as i32)
        };
        let height = pad + 2 * line + pad / 2 + bar_height + pad + keys.len() as i32 * line + pad;
        Legend {
            width: (2 * pad + content_width).max(0) as u32,
            height: height.max(0) as u32,
            bar_height,
            keys,
        }
    }

    fn draw(
        &self,
        canvas: &mut RgbaImage,
        request: &HeatmapRequest,
        faces: &Faces,
        style: &Style,
        plan_w: u32,
    ) {
        let scale = request.scale;
        let px = style.text_px();
        let pad = style.pad();
        let line = style.line_height();
        let left = plan_w as i32 + pad;
        let mut y = pad;
        draw_text_mut(
            canvas,
            rgba(TEXT_COLOUR),
            left,
            y,
            px,
            &faces.bold,
            &scale.title,
        );
        y += line;
        draw_text_mut(
            canvas,
            rgba(TEXT_COLOUR),
            left,
            y,
            px,
            &faces.regular,
            scale.unit,
        );
        y += line + pad / 2;

        let bar_width = (style.font_px * 1.2) as i32;
        let bar_top = y;
        let text_height = text_size(px, &faces.regular, "0").1 as i32;
        if scale.is_categorical() {
            // One swatch per category, in the scale's order, with its label.
            for (i, category) in scale.categories.iter().enumerate() {
                let row_y = bar_top + i as i32 * line;
                let rect =
                    Rect::at(left, row_y).of_size(bar_width as u32, text_height.max(1) as u32);
                draw_filled_rect_mut(canvas, rect, rgba(category.colour));
                if category.hatched {
                    let stripe = hatch_stripe_px(request.plan.width(), request.plan.height());
                    for y in rect.top()..=rect.bottom() {
                        for x in rect.left()..=rect.right() {
                            let inside = x >= 0 && y >= 0 && (x as u32) < canvas.width();
                            if inside
                                && (y as u32) < canvas.height()
                                && on_hatch_stripe(x as u32, y as u32, stripe)
                            {
                                canvas.put_pixel(
                                    x as u32,
                                    y as u32,
                                    rgba(hatch_ink(category.colour)),
                                );
                            }
                        }
                    }
                }
                draw_hollow_rect_mut(canvas, rect, rgba(TEXT_COLOUR));
                draw_text_mut(
                    canvas,
                    rgba(TEXT_COLOUR),
                    left + bar_width + pad / 2,
                    row_y,
                    px,
                    &faces.regular,
                    &category.label,
                );
            }
            y = bar_top + self.bar_height + pad;
            self.draw_keys(canvas, faces, style, left, y, text_height);
            return;
        }
        // The colour bar, best value at the top.
        let steps = (self.bar_height - 1).max(1);
        let value_at_row = |i: i32| scale.max - (scale.max - scale.min) * i as f64 / steps as f64;
        for i in 0..self.bar_height {
            let rect = Rect::at(left, bar_top + i).of_size(bar_width as u32, 1);
            draw_filled_rect_mut(canvas, rect, rgba(scale.colour(value_at_row(i))));
        }
        let frame =
            Rect::at(left, bar_top).of_size(bar_width as u32, self.bar_height.max(1) as u32);
        draw_hollow_rect_mut(canvas, frame, rgba(TEXT_COLOUR));
        let row_of =
            |value: f64| bar_top + ((1.0 - scale.position(value)) * steps as f64).round() as i32;
        for tick in scale.ticks() {
            let ty = row_of(tick);
            let tick_end = left + bar_width + pad / 3;
            draw_line_segment_mut(
                canvas,
                ((left + bar_width) as f32, ty as f32),
                (tick_end as f32, ty as f32),
                rgba(TEXT_COLOUR),
            );
            let label = scale.format_tick(tick);
            draw_text_mut(
                canvas,
                rgba(TEXT_COLOUR),
                tick_end + 2,
                ty - text_height / 2,
                px,
                &faces.regular,
                &label,
            );
        }
        for level in request.contours.iter().filter(|l| l.is_finite()) {
            let ty = row_of(*level) as f32;
            for offset in [0.0, 1.0] {
                draw_line_segment_mut(
                    canvas,
                    (left as f32, ty + offset),
                    ((left + bar_width) as f32, ty + offset),
                    rgba(CONTOUR_COLOUR),
                );
            }
        }
        y = bar_top + self.bar_height + pad;
        self.draw_keys(canvas, faces, style, left, y, text_height);
    }

    /// The key to everything else drawn on the plan, from `y` down.
    fn draw_keys(
        &self,
        canvas: &mut RgbaImage,
        faces: &Faces,
        style: &Style,
        left: i32,
        mut y: i32,
        text_height: i32,
    ) {
        let px = style.text_px();
        let pad = style.pad();
        let line = style.line_height();
        let bar_width = (style.font_px * 1.2) as i32;
        let symbol_centre_x = left + bar_width / 2;
        for (key, text) in &self.keys {
            let mid_y = y + text_height / 2;
            match key {
                LegendKey::Contour(_) => {
                    let (a, b) = (
                        Point::new(left as f64, mid_y as f64),
                        Point::new((left + bar_width) as f64, mid_y as f64),
                    );
                    draw_thick_segment(canvas, a, b, CONTOUR_COLOUR, 2);
                }
                LegendKey::NotSurveyed => {
                    let swatch = blend(NOT_SURVEYED_GREY, [255; 3], NOT_SURVEYED_ALPHA);
                    let rect =
                        Rect::at(left, y).of_size(bar_width as u32, text_height.max(1) as u32);
                    draw_filled_rect_mut(canvas, rect, rgba(swatch));
                    draw_hollow_rect_mut(canvas, rect, rgba(TEXT_COLOUR));
                }
                LegendKey::Marker(kind) => {
                    draw_symbol(canvas, *kind, symbol_centre_x, mid_y, style.symbol_radius())
                }
                LegendKey::Outline => {
                    let half = bar_width / 2 - 1;
                    let (a, b) = (
                        Point::new(left as f64, mid_y as f64),
                        Point::new((left + half) as f64, mid_y as f64),
                    );
                    draw_thick_segment(canvas, a, b, OUTLINE_COLOUR, 2);
                    let (c, d) = (
                        Point::new((left + half + 3) as f64, mid_y as f64),
                        Point::new((left + bar_width) as f64, mid_y as f64),
                    );
                    draw_thick_segment(canvas, c, d, OUTLINE_COLOUR, 2);
                }
                LegendKey::AtRisk => {
                    let ring = [
                        Point::new(left as f64, mid_y as f64),
                        Point::new((left + bar_width) as f64, mid_y as f64),
                    ];
                    draw_ring(canvas, &ring, OUTLINE_COLOUR, 2, Some(AT_RISK_DOTS));
                }
                LegendKey::Zone => {
                    let rect =
                        Rect::at(left, y).of_size(bar_width as u32, text_height.max(1) as u32);
                    draw_hollow_rect_mut(canvas, rect, rgba(ZONE_COLOUR));
                }
                LegendKey::Path => {
                    let (a, b) = (
                        Point::new(left as f64, mid_y as f64),
                        Point::new((left + bar_width) as f64, mid_y as f64),
                    );
                    draw_thick_segment(canvas, a, b, PATH_COLOUR, 1);
                    draw_filled_circle_mut(canvas, (symbol_centre_x, mid_y), 3, rgba(PATH_COLOUR));
                }
            }
            draw_text_mut(
                canvas,
                rgba(TEXT_COLOUR),
                left + bar_width + pad / 2,
                y,
                px,
                &faces.regular,
                text,
            );
            y += line;
        }
    }
}

/// Decimal places to print a contour level with: none for whole numbers, else up to two.
pub(crate) fn decimals_for(value: f64) -> usize {
    if (value - value.round()).abs() < 1e-9 {
        0
    } else if (value * 10.0 - (value * 10.0).round()).abs() < 1e-9 {
        1
    } else {
        2
    }
}

/// Round scale-bar lengths in metres; 1, 2, 5, 10 and 20 m cover most wards, the rest cover
/// very small or very large plans.
const SCALE_BAR_LENGTHS_M: [f64; 13] = [
    0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0,
];

/// The longest round length that fits in a quarter of the plan's width (at least 120 px).
pub(crate) fn scale_bar_length_m(metres_per_pixel: f64, plan_w: u32) -> f64 {
    let room_px = (plan_w as f64 / 4.0).max(120.0);
    SCALE_BAR_LENGTHS_M
        .iter()
        .copied()
        .rev()
        .find(|length| length / metres_per_pixel <= room_px)
        .unwrap_or(SCALE_BAR_LENGTHS_M[0])
}

fn draw_scale_bar(
    canvas: &mut RgbaImage,
    calibration: PlanCalibration,
    plan_w: u32,
    top: i32,
    font: &FontRef,
    style: &Style,
) {
    let length_m = scale_bar_length_m(calibration.metres_per_pixel(), plan_w);
    let length_px = (length_m / calibration.metres_per_pixel())
        .round()
        .clamp(1.0, canvas.width() as f64) as i32;
    let left = style.pad();
    let thickness = ((style.font_px / 3.0).round() as i32).max(3);
    // Two halves, black then white, the classic map scale bar.
    let half = (length_px / 2).max(1);
    draw_filled_rect_mut(
        canvas,
        Rect::at(left, top).of_size(half as u32, thickness as u32),
        rgba(TEXT_COLOUR),
    );
    draw_hollow_rect_mut(
        canvas,
        Rect::at(left, top).of_size(length_px as u32, thickness as u32),
        rgba(TEXT_COLOUR),
    );
    let label = format!("{} m", format_number(length_m, decimals_for(length_m)));
    let text_height = text_size(style.text_px(), font, &label).1 as i32;
    let label_x = left + length_px + style.pad() / 2;
    draw_text_mut(
        canvas,
        rgba(TEXT_COLOUR),
        label_x,
        top + thickness / 2 - text_height / 2,
        style.text_px(),
        font,
        &label,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::GridGeometry;

    #[test]
    fn bilinear_interpolates_and_skips_nan() {
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 2, 1).unwrap();
        let layer = Grid::from_vec(g, vec![-40.0f32, -80.0]);
        // Halfway between the two centres.
        assert_eq!(sample_bilinear(&layer, Point::new(1.0, 0.5)), Some(-60.0));
        // Before the first centre the value is held, not extrapolated.
        assert_eq!(sample_bilinear(&layer, Point::new(0.1, 0.5)), Some(-40.0));
        assert_eq!(sample_bilinear(&layer, Point::new(2.5, 0.5)), None);
        let holed = Grid::from_vec(g, vec![f32::NAN, -80.0]);
        assert_eq!(sample_bilinear(&holed, Point::new(0.9, 0.5)), Some(-80.0));
        let empty = Grid::from_vec(g, vec![f32::NAN, f32::NAN]);
        assert_eq!(sample_bilinear(&empty, Point::new(0.9, 0.5)), None);
    }

    #[test]
    fn scale_bar_is_round() {
        // 0.05 m per pixel, 800 px wide: a quarter is 200 px = 10 m.
        assert_eq!(scale_bar_length_m(0.05, 800), 10.0);
        assert_eq!(scale_bar_length_m(0.05, 100), 5.0);
        // Very fine plans fall back to the shortest bar, very coarse ones to the longest.
        assert_eq!(scale_bar_length_m(0.0001, 100), 0.1);
        assert_eq!(scale_bar_length_m(100.0, 100), 1000.0);
    }

    #[test]
    fn clipping_keeps_far_lines_finite() {
        let canvas = RgbaImage::new(10, 10);
        let clipped =
            clip_to_canvas(Point::new(-1e12, 5.0), Point::new(1e12, 5.0), &canvas).unwrap();
        assert_eq!(clipped, ((-2.0, 5.0), (12.0, 5.0)));
        assert!(
            clip_to_canvas(Point::new(-1e12, -50.0), Point::new(1e12, -50.0), &canvas).is_none()
        );
        assert!(clip_to_canvas(Point::new(f64::NAN, 0.0), Point::new(1.0, 1.0), &canvas).is_none());
    }
}
