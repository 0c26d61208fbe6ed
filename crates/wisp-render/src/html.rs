//! The HTML report: one self-contained file a planner can open anywhere, offline.
//!
//! Everything is inside the one file: pictures are indexed-colour PNG `data:` URIs (a byte a
//! pixel, see `indexed.rs`), the style sheet and the
//! script are inline, and a Content-Security-Policy forbids the browser to fetch anything at
//! all (`default-src 'none'`), so the file works on a locked-down ward PC and leaks nothing when
//! opened. Per floor it shows the plan with its layers, chosen with radio buttons; mouse-wheel
//! zoom about the pointer and drag to pan (CSS transforms, plain JS); hovering shows every
//! layer's value in the cell under the pointer. Below come the zone and dead-zone tables, the
//! dead-zone close-ups and the proposed access points.
//!
//! **Layer pictures.** A layer is any picture whose top-left plan-sized region lines up with the
//! plan (plan pixel (x, y) is picture pixel (x, y)): a plan-sized overlay, or a whole
//! [`crate::heatmap_image`] with its legend and scale bar beside and below. Each is stacked over
//! the plan. To keep the file small, the pixels of a layer that are identical to the plan
//! beneath are made transparent before encoding: a full heatmap copies the plan untouched
//! outside the floor outline, so that part of the plan is stored once, not once per layer, and
//! the picture on screen is unchanged.
//!
//! **Close-ups.** A dead zone's close-up given as an [`HtmlCloseUp`] is a window onto one of
//! the floor's layers: the page's script draws the plan and that layer through the window into
//! a canvas, so the file holds each map's pixels once.
//!
//! **Values under the pointer.** Each grid travels as compact JSON (origin, cell size, columns,
//! rows, then the row-major values rounded to the grid's decimals, NaN as `null`) in a
//! `<script type="application/json">` block. The script maps the pointer to a plan pixel
//! (undoing the zoom and pan), the pixel to plan metres (× metres per pixel) and the metres to a
//! cell, exactly as [`wisp_model::GridGeometry::cell_at`] does.
//!
//! **Links to a point.** `#at=F,X,Y` in the address (floor index F, X and Y in plan metres)
//! zooms floor F's map onto that point and shows its values; the dead-zone table links each
//! zone to its map this way when the caller passes the zones' centres.
//!
//! The output is deterministic: the same input gives the same text, byte for byte.

use crate::{chart_size, chart_svg, Chart, RenderError, RenderErrorKind, Table, CHART_SIZE};
use base64::Engine;
use image::RgbaImage;
use std::fmt::Write;
use wisp_model::{Grid, Point};

/// Everything the HTML report says. The crate reads no clock: `date` is printed as given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HtmlReport {
    /// Page title; "Wi-Fi survey report" when empty.
    pub title: String,
    /// Site name, under the title and in the browser tab.
    pub site: String,
    /// Survey or report date, as printed.
    pub date: String,
    /// Who surveyed, if known.
    pub surveyor: Option<String>,
    /// Name(s) of the requirement profiles the site was judged against.
    pub profile: String,
    /// (label, value) pairs for the summary table.
    pub summary: Vec<(String, String)>,
    /// One section each, in order.
    pub floors: Vec<HtmlFloor>,
    /// (heading, paragraphs) sections after the floors.
    pub appendix: Vec<(String, Vec<String>)>,
}

/// One floor's section of the HTML report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HtmlFloor {
    /// Floor name, in the section heading.
    pub name: String,
    /// The floor plan as drawn, at its own resolution; the base of the map.
    pub plan: RgbaImage,
    /// Plan metres per plan pixel, to turn the pointer's position into metres. Not finite or not
    /// positive: the map still zooms and pans but shows no values.
    pub metres_per_pixel: f64,
    /// The pictures the reader switches between, first one shown; see the module notes for how
    /// they line up with the plan.
    pub layers: Vec<HtmlLayer>,
    /// The values shown under the pointer, in this order, whichever picture is shown.
    pub grids: Vec<HtmlGrid>,
    /// Zone compliance: one row per zone, failing zones highlighted.
    pub zone_table: Table,
    /// Dead zones found on this floor.
    pub dead_zones: Table,
    /// Where each row of `dead_zones` lies (plan metres), by row index; a row with a centre gets
    /// a link that zooms the map onto it. May be shorter than the table, or empty.
    pub dead_zone_centres: Vec<Point>,
    /// (caption, close-up) pairs shown as thumbnails after the dead-zone table.
    pub dead_zone_maps: Vec<(String, RgbaImage)>,
    /// Close-ups the page draws itself from one of `layers` (over the plan), after
    /// `dead_zone_maps`: no pixel is stored twice.
    pub dead_zone_views: Vec<HtmlCloseUp>,
    /// Proposed access points; the section is left out when the table has no rows.
    pub proposed_aps: Table,
    /// Each zone before and after the plan (verdicts and design figures); left out when the
    /// table has no rows.
    pub plan_zones: Table,
    /// Paragraphs under "Notes"; none means no notes heading.
    pub notes: Vec<String>,
    /// Charts of the floor, inlined as SVG under "Charts" after the notes (scaled to the page's
    /// width, text in DejaVu Sans where the reader has it); none means no heading.
    pub charts: Vec<Chart>,
}

/// A close-up the page cuts from one of its floor's layers: the window of that layer's picture
/// (which lines up with the plan at the top-left), drawn over the same window of the plan into
/// a canvas when the page loads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HtmlCloseUp {
    /// Under the picture, and its accessible name.
    pub caption: String,
    /// Index into [`HtmlFloor::layers`]; a view of a layer that does not exist is left out.
    pub layer: usize,
    /// (left, top, width, height) in the layer's pixels, e.g. from [`crate::crop_window`].
    pub window: (u32, u32, u32, u32),
}

/// A picture the reader can switch on over the plan.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HtmlLayer {
    /// The radio button's label, e.g. "Primary signal".
    pub name: String,
    /// Lined up with the plan at the top-left (see the module notes).
    pub image: RgbaImage,
}

/// A grid of values shown under the pointer.
#[derive(Debug, Clone, PartialEq)]
pub struct HtmlGrid {
    /// Label in the hover box, e.g. "Primary signal".
    pub name: String,
    /// Unit printed after the value, e.g. "dBm"; may be empty.
    pub unit: String,
    /// Decimal places kept in the file and shown (at most 6): 0 for dBm and counts.
    pub decimals: usize,
    /// The values, in plan metres; NaN means no value there.
    pub grid: Grid<f32>,
}

/// The report as one HTML document (UTF-8 text), with nothing fetched from anywhere.
///
/// Fails only if a picture cannot be encoded as PNG.
pub fn report_html(input: &HtmlReport) -> Result<String, RenderError> {
    let title = non_empty(&input.title, "Wi-Fi survey report");
    let mut out = String::with_capacity(1 << 16);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n",
    );
    out.push_str("<meta name=\"generator\" content=\"wisp\">\n");
    let tab_title = if input.site.trim().is_empty() {
        title.to_string()
    } else {
        format!("{title} — {}", input.site)
    };
    let _ = writeln!(out, "<title>{}</title>", escape(&tab_title));
    let _ = writeln!(out, "<style>{STYLE}</style>\n</head>\n<body>");

    // Cover: title, site, date, surveyor, profile.
    out.push_str("<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", escape(title));
    if !input.site.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"site\">{}</p>", escape(&input.site));
    }
    out.push_str("<dl class=\"meta\">\n");
    let mut meta = vec![("Date", input.date.as_str())];
    if let Some(surveyor) = &input.surveyor {
        meta.push(("Surveyor", surveyor.as_str()));
    }
    meta.push(("Requirement profile", input.profile.as_str()));
    for (label, value) in meta.into_iter().filter(|(_, v)| !v.trim().is_empty()) {
        let _ = writeln!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            escape(label),
            escape(value)
        );
    }
    out.push_str("</dl>\n");
    if input.floors.len() > 1 {
        out.push_str("<nav><ul>\n");
        for (i, floor) in input.floors.iter().enumerate() {
            let _ = writeln!(
                out,
                "<li><a href=\"#floor-{i}\">{}</a></li>",
                escape(&floor.name)
            );
        }
        out.push_str("</ul></nav>\n");
    }
    out.push_str("</header>\n<main>\n");

    if !input.summary.is_empty() {
        let summary = Table::new(
            vec!["Measure".to_string(), "Value".to_string()],
            input
                .summary
                .iter()
                .map(|(label, value)| vec![label.clone(), value.clone()])
                .collect(),
        );
        out.push_str("<section class=\"summary\">\n<h2>Summary</h2>\n");
        write_table(&mut out, &summary, &[], 0);
        out.push_str("</section>\n");
    }

    for (index, floor) in input.floors.iter().enumerate() {
        write_floor(&mut out, index, floor)?;
    }

    if !input.appendix.is_empty() {
        out.push_str("<section class=\"appendix\">\n<h2>Appendix</h2>\n");
        for (heading, paragraphs) in &input.appendix {
            let _ = writeln!(out, "<h3>{}</h3>", escape(heading));
            for paragraph in paragraphs {
                let _ = writeln!(out, "<p>{}</p>", escape(paragraph));
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n<footer>Made with wisp. This file is self-contained: it needs no network and loads nothing.</footer>\n");
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    Ok(out)
}

fn write_floor(out: &mut String, index: usize, floor: &HtmlFloor) -> Result<(), RenderError> {
    let _ = writeln!(
        out,
        "<section class=\"floor\" id=\"floor-{index}\">\n<h2>Floor: {}</h2>",
        escape(&floor.name)
    );
    let (plan_w, plan_h) = floor.plan.dimensions();
    let stage_w = floor
        .layers
        .iter()
        .map(|l| l.image.width())
        .fold(plan_w, u32::max);
    let stage_h = floor
        .layers
        .iter()
        .map(|l| l.image.height())
        .fold(plan_h, u32::max);
    if stage_w == 0 || stage_h == 0 {
        out.push_str("<p class=\"none\">No plan to show.</p>\n");
    } else {
        write_viewer(out, index, floor, (stage_w, stage_h))?;
    }

    out.push_str("<h3>Zone compliance</h3>\n");
    write_table(out, &floor.zone_table, &[], index);
    out.push_str("<h3>Dead zones</h3>\n");
    write_table(out, &floor.dead_zones, &floor.dead_zone_centres, index);
    let views: Vec<&HtmlCloseUp> = floor
        .dead_zone_views
        .iter()
        .filter(|v| {
            let (_, _, w, h) = v.window;
            w > 0
                && h > 0
                && floor
                    .layers
                    .get(v.layer)
                    .is_some_and(|l| l.image.width() > 0)
        })
        .collect();
    if !floor.dead_zone_maps.is_empty() || !views.is_empty() {
        out.push_str("<div class=\"thumbs\">\n");
        for (caption, picture) in &floor.dead_zone_maps {
            let _ = write!(out, "<figure>");
            if picture.width() > 0 && picture.height() > 0 {
                let _ = write!(
                    out,
                    "<img class=\"thumb\" width=\"{}\" height=\"{}\" alt=\"{}\" src=\"{}\">",
                    picture.width(),
                    picture.height(),
                    escape(caption),
                    indexed_data_uri(picture, caption)?
                );
            }
            let _ = writeln!(out, "<figcaption>{}</figcaption></figure>", escape(caption));
        }
        for view in views {
            let (x, y, w, h) = view.window;
            let _ = writeln!(
                out,
                "<figure><canvas class=\"thumb view\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\" data-floor=\"{index}\" data-layer=\"{}\" data-window=\"{x},{y},{w},{h}\"></canvas><figcaption>{}</figcaption></figure>",
                escape(&view.caption),
                view.layer,
                escape(&view.caption)
            );
        }
        out.push_str("</div>\n");
    }
    if !floor.proposed_aps.rows.is_empty() {
        out.push_str("<h3>Proposed access points</h3>\n");
        write_table(out, &floor.proposed_aps, &[], index);
    }
    if !floor.plan_zones.rows.is_empty() {
        out.push_str("<h3>Zones before and after the plan</h3>\n");
        write_table(out, &floor.plan_zones, &[], index);
    }
    if !floor.notes.is_empty() {
        out.push_str("<h3>Notes</h3>\n");
        for note in &floor.notes {
            let _ = writeln!(out, "<p>{}</p>", escape(note));
        }
    }
    if !floor.charts.is_empty() {
        out.push_str("<h3>Charts</h3>\n<div class=\"charts\">\n");
        for chart in &floor.charts {
            let svg = chart_svg(chart, chart_size(chart, CHART_SIZE.0))?;
            // Inline SVG needs no namespace in HTML, and the page names no URL in a tag.
            let svg = svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
            let _ = writeln!(
                out,
                "<figure class=\"chart\" role=\"img\" aria-label=\"{}\">{}</figure>",
                escape(&chart.title),
                svg.trim()
            );
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
    Ok(())
}

/// The map: layer choice, zoom buttons, the stacked pictures and the grids' JSON.
fn write_viewer(
    out: &mut String,
    index: usize,
    floor: &HtmlFloor,
    (stage_w, stage_h): (u32, u32),
) -> Result<(), RenderError> {
    let _ = writeln!(out, "<div class=\"viewer\" data-floor=\"{index}\">");
    out.push_str("<div class=\"controls\">\n");
    if !floor.layers.is_empty() {
        let _ = write!(out, "<fieldset class=\"layers\"><legend>Layer</legend>");
        let _ = write!(
            out,
            "<label><input type=\"radio\" name=\"layer-{index}\" data-layer=\"none\"> Plan only</label>"
        );
        for (k, layer) in floor.layers.iter().enumerate() {
            let checked = if k == 0 { " checked" } else { "" };
            let _ = write!(
                out,
                "<label><input type=\"radio\" name=\"layer-{index}\" data-layer=\"{k}\"{checked}> {}</label>",
                escape(&layer.name)
            );
        }
        out.push_str("</fieldset>\n");
    }
    out.push_str(
        "<span class=\"zoom\"><button type=\"button\" data-zoom=\"in\" title=\"Zoom in\">+</button>\
         <button type=\"button\" data-zoom=\"out\" title=\"Zoom out\">\u{2212}</button>\
         <button type=\"button\" data-zoom=\"fit\" title=\"Whole floor\">Fit</button></span>\n\
         <span class=\"hint\">Wheel: zoom · drag: pan · hover: values</span>\n</div>\n",
    );
    let _ = writeln!(
        out,
        "<div class=\"view\" tabindex=\"0\">\n<div class=\"stage\" style=\"width:{stage_w}px;height:{stage_h}px\">"
    );
    let (plan_w, plan_h) = floor.plan.dimensions();
    if plan_w > 0 && plan_h > 0 {
        let _ = writeln!(
            out,
            "<img class=\"plan\" width=\"{plan_w}\" height=\"{plan_h}\" alt=\"Plan of {}\" draggable=\"false\" src=\"{}\">",
            escape(&floor.name),
            indexed_data_uri(&floor.plan, "plan")?
        );
    }
    for (k, layer) in floor.layers.iter().enumerate() {
        let (w, h) = layer.image.dimensions();
        if w == 0 || h == 0 {
            continue;
        }
        let hidden = if k == 0 { "" } else { " hidden" };
        let thinned = without_plan(&layer.image, &floor.plan);
        let _ = writeln!(
            out,
            "<img class=\"layer\" data-layer=\"{k}\" width=\"{w}\" height=\"{h}\" alt=\"{}\" draggable=\"false\"{hidden} src=\"{}\">",
            escape(&layer.name),
            indexed_data_uri(&thinned, &layer.name)?
        );
    }
    out.push_str("</div>\n<div class=\"tip\" hidden></div>\n</div>\n");
    let _ = writeln!(
        out,
        "<script type=\"application/json\" class=\"wisp-grids\">{}</script>\n</div>",
        grids_json(floor, (stage_w, stage_h))
    );
    Ok(())
}

/// `layer` with every pixel inside the plan's extent that equals the plan's pixel there made
/// fully transparent, so the plan shows through unchanged and the PNG compresses to little.
fn without_plan(layer: &RgbaImage, plan: &RgbaImage) -> RgbaImage {
    let mut out = layer.clone();
    let (w, h) = (
        layer.width().min(plan.width()),
        layer.height().min(plan.height()),
    );
    for y in 0..h {
        for x in 0..w {
            if out.get_pixel(x, y) == plan.get_pixel(x, y) {
                out.put_pixel(x, y, image::Rgba([0, 0, 0, 0]));
            }
        }
    }
    out
}

/// The JSON the script reads: stage and plan size, metres per pixel, and each grid.
fn grids_json(floor: &HtmlFloor, (stage_w, stage_h): (u32, u32)) -> String {
    let mpp = floor.metres_per_pixel;
    let mut json = String::new();
    let _ = write!(
        json,
        "{{\"w\":{stage_w},\"h\":{stage_h},\"pw\":{},\"ph\":{},\"mpp\":{},\"grids\":[",
        floor.plan.width(),
        floor.plan.height(),
        if mpp.is_finite() && mpp > 0.0 {
            format!("{mpp:e}")
        } else {
            "null".to_string()
        }
    );
    for (i, grid) in floor.grids.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        let g = grid.grid.geometry();
        let decimals = grid.decimals.min(6);
        let _ = write!(
            json,
            "{{\"name\":{},\"unit\":{},\"d\":{decimals},\"x0\":{:e},\"y0\":{:e},\"dx\":{:e},\"dy\":{:e},\"cols\":{},\"rows\":{},\"v\":[",
            json_string(&grid.name),
            json_string(&grid.unit),
            g.origin().x,
            g.origin().y,
            g.dx(),
            g.dy(),
            g.cols(),
            g.rows()
        );
        for (k, value) in grid.grid.values().iter().enumerate() {
            if k > 0 {
                json.push(',');
            }
            json.push_str(&json_number(*value, decimals));
        }
        json.push_str("]}");
    }
    json.push_str("]}");
    json
}

/// `value` rounded to `decimals`, without trailing zeros or "-0"; `null` if not finite.
fn json_number(value: f32, decimals: usize) -> String {
    if !value.is_finite() {
        return "null".to_string();
    }
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text.as_str()
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text.to_string()
    }
}

/// A JSON string literal that is also safe inside a `<script>` element: `<`, `>` and `&` are
/// written as `\u` escapes, so no `</script>` can appear.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A table, or "None." when it has no rows. Rows with a centre in `centres` get a link that
/// zooms floor `floor`'s map onto it.
fn write_table(out: &mut String, table: &Table, centres: &[Point], floor: usize) {
    let columns = table
        .rows
        .iter()
        .map(Vec::len)
        .chain([table.header.len()])
        .max()
        .unwrap_or(0);
    if table.rows.is_empty() || columns == 0 {
        out.push_str("<p class=\"none\">None.</p>\n");
        return;
    }
    let links = centres
        .iter()
        .take(table.rows.len())
        .any(|p| p.x.is_finite() && p.y.is_finite());
    out.push_str("<div class=\"table-wrap\"><table>\n");
    if table.header.iter().any(|h| !h.trim().is_empty()) {
        out.push_str("<thead><tr>");
        for c in 0..columns {
            let _ = write!(
                out,
                "<th>{}</th>",
                escape(table.header.get(c).map(String::as_str).unwrap_or(""))
            );
        }
        if links {
            out.push_str("<th>Map</th>");
        }
        out.push_str("</tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for (i, row) in table.rows.iter().enumerate() {
        let highlighted = table.highlight_rows.get(i).copied().unwrap_or(false);
        out.push_str(if highlighted {
            "<tr class=\"fail\">"
        } else {
            "<tr>"
        });
        for c in 0..columns {
            let _ = write!(
                out,
                "<td>{}</td>",
                escape(row.get(c).map(String::as_str).unwrap_or(""))
            );
        }
        if links {
            match centres
                .get(i)
                .filter(|p| p.x.is_finite() && p.y.is_finite())
            {
                Some(p) => {
                    let _ = write!(
                        out,
                        "<td><a class=\"goto\" href=\"#at={floor},{:.2},{:.2}\">show</a></td>",
                        p.x, p.y
                    );
                }
                None => out.push_str("<td></td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn non_empty<'s>(text: &'s str, fallback: &'s str) -> &'s str {
    if text.trim().is_empty() {
        fallback
    } else {
        text
    }
}

/// `text` safe as HTML or XML text and inside double- or single-quoted attribute values.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The picture as a `data:image/png;base64,…` URI of an indexed-colour PNG
/// ([`crate::indexed`]): a byte per pixel, exact up to 256 colours, which keeps a floor's
/// layers within the report's size budget.
fn indexed_data_uri(image: &RgbaImage, what: &str) -> Result<String, RenderError> {
    let png = crate::indexed::indexed_png(image, what)?;
    let mut uri = String::with_capacity(22 + png.len() * 4 / 3 + 4);
    uri.push_str("data:image/png;base64,");
    base64::engine::general_purpose::STANDARD.encode_string(&png, &mut uri);
    Ok(uri)
}

/// The picture as a `data:image/png;base64,…` URI: PNG at the encoder's highest compression
/// (these files are written once and opened many times), without the alpha channel when every
/// pixel is opaque.
pub(crate) fn png_data_uri(image: &RgbaImage) -> Result<String, RenderError> {
    use image::codecs::png::{CompressionType, FilterType, PngEncoder};
    use image::ImageEncoder;
    let (w, h) = image.dimensions();
    let opaque = image.pixels().all(|p| p.0[3] == 255);
    let mut png = Vec::new();
    let encoder =
        PngEncoder::new_with_quality(&mut png, CompressionType::Best, FilterType::Adaptive);
    let written = if opaque {
        let rgb: Vec<u8> = image
            .as_raw()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        encoder.write_image(&rgb, w, h, image::ExtendedColorType::Rgb8)
    } else {
        encoder.write_image(image.as_raw(), w, h, image::ExtendedColorType::Rgba8)
    };
    written.map_err(|e| RenderErrorKind::PngEncode {
        what: "embedded picture".to_string(),
        message: e.to_string(),
    })?;
    let mut uri = String::with_capacity(22 + png.len() * 4 / 3 + 4);
    uri.push_str("data:image/png;base64,");
    base64::engine::general_purpose::STANDARD.encode_string(&png, &mut uri);
    Ok(uri)
}

const STYLE: &str = r#"
:root{--ink:#191919;--grey:#5f5f5f;--rule:#b9b9b9;--head:#e1e5ea;--fail:#fce0dc;--accent:#1f4e8c}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 "DejaVu Sans",Verdana,Arial,sans-serif;color:var(--ink);background:#fff}
header,main,footer{max-width:1400px;margin:0 auto;padding:0 24px}
header{padding-top:20px;border-bottom:1px solid var(--rule)}
h1{font-size:28px;margin:8px 0 2px}
h2{font-size:21px;margin:28px 0 10px;border-bottom:2px solid var(--head);padding-bottom:4px}
h3{font-size:16px;margin:22px 0 8px}
.site{font-size:18px;margin:0 0 10px}
.meta{display:flex;flex-wrap:wrap;gap:4px 28px;margin:0 0 14px}
.meta div{display:flex;gap:8px}.meta dt{font-weight:bold}.meta dd{margin:0}
nav ul{list-style:none;padding:0;margin:0 0 14px;display:flex;flex-wrap:wrap;gap:6px 18px}
a{color:var(--accent)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:13px;margin:4px 0 8px}
th,td{padding:3px 9px;border-bottom:1px solid var(--rule);text-align:left;vertical-align:top}
thead th{background:var(--head)}
tr.fail td{background:var(--fail)}
.none{color:var(--grey)}
.controls{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;margin:6px 0}
.layers{border:1px solid var(--rule);border-radius:4px;padding:3px 10px;margin:0;display:flex;flex-wrap:wrap;gap:2px 14px}
.layers legend{font-weight:bold;padding:0 4px}
.layers label{white-space:nowrap;cursor:pointer}
.zoom button{font:inherit;min-width:2.2em;margin-right:2px;cursor:pointer}
.hint{color:var(--grey);font-size:13px}
.view{position:relative;overflow:hidden;height:70vh;min-height:320px;border:1px solid var(--rule);background:#fff;cursor:grab;touch-action:none;user-select:none}
.view.dragging{cursor:grabbing}
.view:focus{outline:2px solid var(--accent)}
.stage{position:absolute;left:0;top:0;transform-origin:0 0}
.stage img{position:absolute;left:0;top:0;max-width:none;pointer-events:none}
.stage img[hidden]{display:none}
.tip{position:absolute;z-index:2;pointer-events:none;background:rgba(255,255,255,.95);border:1px solid var(--rule);border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.25);padding:5px 8px;font-size:13px;white-space:nowrap}
.tip[hidden]{display:none}
.tip div{display:flex;justify-content:space-between;gap:14px}.tip .v{font-weight:bold}
.thumbs{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:14px;margin:10px 0}
.thumbs figure{margin:0}.thumbs img,.thumbs canvas{width:100%;height:auto;border:1px solid var(--rule)}
.thumbs figcaption{font-size:12px;color:var(--grey)}
.charts figure{margin:12px 0;max-width:800px}.charts svg{width:100%;height:auto}
footer{color:var(--grey);font-size:12px;padding:30px 24px}
@media print{.controls,.tip{display:none}.view{height:auto;min-height:0;border:0;overflow:visible}.floor{break-before:page}}
"#;

/// The viewer: zoom about the pointer, drag to pan, hover for values, layer switching, and
/// `#at=F,X,Y` links. Plain ES5 plus a few DOM APIs every current browser has.
const SCRIPT: &str = r#"
(function () {
  "use strict";
  function fmt(v, d) {
    var t = v.toFixed(d);
    if (/^-0(\.0+)?$/.test(t)) { t = t.slice(1); }
    return t.replace("-", "\u2212");
  }
  function init(viewer) {
    var dataEl = viewer.querySelector("script.wisp-grids");
    var view = viewer.querySelector(".view");
    var stage = viewer.querySelector(".stage");
    var tip = viewer.querySelector(".tip");
    if (!dataEl || !view || !stage || !tip) { return; }
    var data;
    try { data = JSON.parse(dataEl.textContent); } catch (err) { return; }
    var s = 1, tx = 0, ty = 0, minS = 0.01, maxS = 40, drag = null;
    function apply() {
      stage.style.transform = "translate(" + tx + "px," + ty + "px) scale(" + s + ")";
    }
    function fitScale() {
      var f = Math.min(view.clientWidth / data.w, view.clientHeight / data.h);
      return isFinite(f) && f > 0 ? f : 1;
    }
    function fit() {
      s = fitScale();
      minS = s / 4;
      tx = (view.clientWidth - data.w * s) / 2;
      ty = (view.clientHeight - data.h * s) / 2;
      apply();
    }
    function zoomAt(f, mx, my) {
      var ns = Math.min(Math.max(s * f, minS), maxS);
      tx = mx - (mx - tx) * ns / s;
      ty = my - (my - ty) * ns / s;
      s = ns;
      apply();
    }
    // Plan pixel (px, py) -> [[label, value], ...], or null off the plan.
    function valuesAt(px, py) {
      if (!(data.mpp > 0) || !(px >= 0 && py >= 0 && px < data.pw && py < data.ph)) { return null; }
      var xm = px * data.mpp, ym = py * data.mpp;
      var lines = [["Position", fmt(xm, 1) + " m, " + fmt(ym, 1) + " m"]];
      data.grids.forEach(function (g) {
        var c = Math.floor((xm - g.x0) / g.dx), r = Math.floor((ym - g.y0) / g.dy);
        if (!(c >= 0 && r >= 0 && c < g.cols && r < g.rows)) { return; }
        var v = g.v[r * g.cols + c];
        lines.push([g.name, (v === null || v === undefined) ? "\u2013" : fmt(v, g.d) + (g.unit ? " " + g.unit : "")]);
      });
      return lines;
    }
    function showTip(lines, vx, vy) {
      if (!lines) { tip.hidden = true; return; }
      while (tip.firstChild) { tip.removeChild(tip.firstChild); }
      lines.forEach(function (l) {
        var row = document.createElement("div");
        var k = document.createElement("span");
        var v = document.createElement("span");
        k.className = "k"; k.textContent = l[0];
        v.className = "v"; v.textContent = l[1];
        row.appendChild(k); row.appendChild(v);
        tip.appendChild(row);
      });
      tip.hidden = false;
      var x = vx + 16, y = vy + 16;
      if (x + tip.offsetWidth > view.clientWidth) { x = Math.max(0, vx - 16 - tip.offsetWidth); }
      if (y + tip.offsetHeight > view.clientHeight) { y = Math.max(0, vy - 16 - tip.offsetHeight); }
      tip.style.left = x + "px";
      tip.style.top = y + "px";
    }
    function local(e) {
      var r = view.getBoundingClientRect();
      return [e.clientX - r.left - view.clientLeft, e.clientY - r.top - view.clientTop];
    }
    function hover(e) {
      var p = local(e);
      showTip(valuesAt((p[0] - tx) / s, (p[1] - ty) / s), p[0], p[1]);
    }
    view.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = local(e);
      var dy = e.deltaY * (e.deltaMode === 1 ? 16 : (e.deltaMode === 2 ? 400 : 1));
      zoomAt(Math.exp(-dy * 0.0015), p[0], p[1]);
      hover(e);
    }, { passive: false });
    view.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) { return; }
      drag = { x: e.clientX, y: e.clientY, tx: tx, ty: ty };
      if (view.setPointerCapture) { view.setPointerCapture(e.pointerId); }
      view.classList.add("dragging");
    });
    view.addEventListener("pointermove", function (e) {
      if (drag) {
        tx = drag.tx + e.clientX - drag.x;
        ty = drag.ty + e.clientY - drag.y;
        apply();
      }
      hover(e);
    });
    function endDrag() { drag = null; view.classList.remove("dragging"); }
    view.addEventListener("pointerup", endDrag);
    view.addEventListener("pointercancel", endDrag);
    view.addEventListener("pointerleave", function () { if (!drag) { tip.hidden = true; } });
    view.addEventListener("dblclick", function (e) { var p = local(e); zoomAt(2, p[0], p[1]); });
    view.addEventListener("keydown", function (e) {
      var w = view.clientWidth / 2, h = view.clientHeight / 2, step = 60;
      if (e.key === "+" || e.key === "=") { zoomAt(1.5, w, h); }
      else if (e.key === "-") { zoomAt(1 / 1.5, w, h); }
      else if (e.key === "0") { fit(); }
      else if (e.key === "ArrowLeft") { tx += step; apply(); }
      else if (e.key === "ArrowRight") { tx -= step; apply(); }
      else if (e.key === "ArrowUp") { ty += step; apply(); }
      else if (e.key === "ArrowDown") { ty -= step; apply(); }
      else { return; }
      e.preventDefault();
    });
    Array.prototype.forEach.call(viewer.querySelectorAll("button[data-zoom]"), function (b) {
      b.addEventListener("click", function () {
        var z = b.getAttribute("data-zoom");
        if (z === "fit") { fit(); } else { zoomAt(z === "in" ? 1.5 : 1 / 1.5, view.clientWidth / 2, view.clientHeight / 2); }
      });
    });
    Array.prototype.forEach.call(viewer.querySelectorAll("input[data-layer]"), function (input) {
      input.addEventListener("change", function () {
        var want = input.getAttribute("data-layer");
        Array.prototype.forEach.call(stage.querySelectorAll("img.layer"), function (img) {
          img.hidden = img.getAttribute("data-layer") !== want;
        });
      });
    });
    // Zooms onto plan metres (xm, ym) and shows the values there.
    viewer.wispGoTo = function (xm, ym) {
      if (!(data.mpp > 0)) { return; }
      var px = xm / data.mpp, py = ym / data.mpp;
      s = Math.min(Math.max(fitScale() * 4, minS), maxS);
      var cx = view.clientWidth / 2, cy = view.clientHeight / 2;
      tx = cx - px * s;
      ty = cy - py * s;
      apply();
      showTip(valuesAt(px, py), cx, cy);
    };
    fit();
    viewer.setAttribute("data-ready", "1");
  }
  Array.prototype.forEach.call(document.querySelectorAll(".viewer"), init);
  // Close-ups: the plan, then the layer, through the same window into the canvas.
  function whenLoaded(img, then) {
    if (img.complete && img.naturalWidth > 0) { then(); } else { img.addEventListener("load", then); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("canvas.view"), function (canvas) {
    var viewer = document.querySelector(".viewer[data-floor=\"" + canvas.getAttribute("data-floor") + "\"]");
    if (!viewer) { return; }
    var plan = viewer.querySelector("img.plan");
    var layer = viewer.querySelector("img.layer[data-layer=\"" + canvas.getAttribute("data-layer") + "\"]");
    var win = canvas.getAttribute("data-window").split(",").map(Number);
    var ctx = canvas.getContext("2d");
    var pending = (plan ? 1 : 0) + (layer ? 1 : 0);
    function draw() {
      pending -= 1;
      if (pending > 0) { return; }
      ctx.fillStyle = "white";
      ctx.fillRect(0, 0, win[2], win[3]);
      if (plan) { ctx.drawImage(plan, win[0], win[1], win[2], win[3], 0, 0, win[2], win[3]); }
      if (layer) { ctx.drawImage(layer, win[0], win[1], win[2], win[3], 0, 0, win[2], win[3]); }
      canvas.setAttribute("data-drawn", "1");
    }
    if (plan) { whenLoaded(plan, draw); }
    if (layer) { whenLoaded(layer, draw); }
  });
  function goToHash() {
    var m = /^#at=(\d+),(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (!m) { return; }
    var v = document.querySelector(".viewer[data-floor=\"" + m[1] + "\"]");
    if (v && v.wispGoTo) {
      v.scrollIntoView();
      v.wispGoTo(parseFloat(m[2]), parseFloat(m[3]));
    }
  }
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a.goto") : null;
    if (!a) { return; }
    e.preventDefault();
    window.location.hash = a.getAttribute("href");
    goToHash();
  });
  window.addEventListener("hashchange", goToHash);
  goToHash();
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;
    use wisp_model::GridGeometry;

    const W: u32 = 40;
    const H: u32 = 20;

    fn plan() -> RgbaImage {
        RgbaImage::from_fn(W, H, |x, y| {
            if x % 10 == 0 || y % 10 == 0 {
                Rgba([40, 40, 60, 255])
            } else {
                Rgba([250, 250, 250, 255])
            }
        })
    }

    /// A "heatmap": the plan, green over the left half of the floor, plus a legend strip to the
    /// right and a band below, as a full heatmap picture has.
    fn heat_layer(colour: [u8; 3]) -> RgbaImage {
        let plan = plan();
        RgbaImage::from_fn(W + 12, H + 6, |x, y| {
            if x < W && y < H {
                if (2..W / 2).contains(&x) && (2..H - 2).contains(&y) {
                    Rgba([colour[0], colour[1], colour[2], 255])
                } else {
                    *plan.get_pixel(x, y)
                }
            } else {
                Rgba([255, 255, 255, 255])
            }
        })
    }

    fn grid(values: Vec<f32>) -> Grid<f32> {
        // 5 m cells: the 40 × 20 px plan at 0.5 m per pixel is 20 × 10 m, 4 × 2 cells.
        let g = GridGeometry::new(0.0, 0.0, 5.0, 5.0, 4, 2).unwrap();
        Grid::from_vec(g, values)
    }

    fn sample() -> HtmlReport {
        HtmlReport {
            title: "Wi-Fi survey report".into(),
            site: "Riverside <General>".into(),
            date: "2024-03-05".into(),
            surveyor: Some("J. Smith".into()),
            profile: "healthcare-voice".into(),
            summary: vec![("Zones".into(), "3".into())],
            floors: vec![HtmlFloor {
                name: "Level 1 & annexe".into(),
                plan: plan(),
                metres_per_pixel: 0.5,
                layers: vec![
                    HtmlLayer {
                        name: "Primary signal".into(),
                        image: heat_layer([26, 152, 80]),
                    },
                    HtmlLayer {
                        name: "SNR".into(),
                        image: heat_layer([215, 48, 39]),
                    },
                ],
                grids: vec![
                    HtmlGrid {
                        name: "Primary signal".into(),
                        unit: "dBm".into(),
                        decimals: 0,
                        grid: grid(vec![-40.4, -62.4, f32::NAN, -0.2, -80.0, -81.6, -90.0, 1.0]),
                    },
                    HtmlGrid {
                        name: "</script><b>".into(),
                        unit: "dB".into(),
                        decimals: 1,
                        grid: grid(vec![12.26, 3.0, 0.04, f32::INFINITY, 5.0, 5.0, 5.0, 5.0]),
                    },
                ],
                zone_table: Table {
                    header: vec!["Zone".into(), "Verdict".into()],
                    rows: vec![
                        vec!["Bay 1".into(), "pass".into()],
                        vec!["Bay 2".into(), "FAIL".into()],
                    ],
                    highlight_rows: vec![false, true],
                },
                dead_zones: Table::new(
                    vec!["Zone".into(), "Area m²".into()],
                    vec![vec!["Bay 2".into(), "4.0".into()]],
                ),
                dead_zone_centres: vec![Point::new(7.25, 3.5)],
                dead_zone_maps: vec![("Bay 2 — primary".into(), RgbaImage::new(8, 6))],
                dead_zone_views: vec![
                    HtmlCloseUp {
                        caption: "Bay 3 — snr".into(),
                        layer: 1,
                        window: (2, 3, 10, 8),
                    },
                    // A layer that does not exist, and an empty window: left out.
                    HtmlCloseUp {
                        caption: "nowhere".into(),
                        layer: 9,
                        window: (0, 0, 4, 4),
                    },
                    HtmlCloseUp {
                        caption: "empty".into(),
                        layer: 0,
                        window: (0, 0, 0, 4),
                    },
                ],
                proposed_aps: Table::default(),
                plan_zones: Table::default(),
                notes: vec!["See https://example.org/guide for the method.".into()],
                charts: vec![crate::Chart {
                    title: "Bay 2 <east>: signal over the zone".into(),
                    x_label: "Signal (dBm)".into(),
                    x_range: (-90.0, -30.0),
                    kind: crate::ChartKind::Cdf {
                        series: vec![crate::ChartSeries {
                            name: "Primary signal".into(),
                            values: (0..50).map(|i| -80.0 + i as f64 * 0.5).collect(),
                        }],
                        marks: vec![crate::ChartMark {
                            label: "primary ≥ −67 dBm".into(),
                            value: -67.0,
                        }],
                    },
                }],
            }],
            appendix: vec![("Method".into(), vec!["IDW, 0.5 m grid.".into()])],
        }
    }

    /// Every `src="data:image/png;base64,…"` in document order, decoded.
    fn images(html: &str) -> Vec<RgbaImage> {
        html.split("src=\"data:image/png;base64,")
            .skip(1)
            .map(|rest| {
                let b64 = &rest[..rest.find('"').unwrap()];
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap();
                assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
                image::load_from_memory(&bytes).unwrap().to_rgba8()
            })
            .collect()
    }

    /// The JSON of the first floor's grids.
    fn grid_json(html: &str) -> &str {
        let start = html.find("class=\"wisp-grids\">").unwrap() + "class=\"wisp-grids\">".len();
        &html[start..start + html[start..].find("</script>").unwrap()]
    }

    #[test]
    fn the_expected_elements_in_order() {
        let html = report_html(&sample()).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
        assert!(html.ends_with("</html>\n"));
        assert!(html.contains("<title>Wi-Fi survey report — Riverside &lt;General&gt;</title>"));
        assert!(html.contains("<p class=\"site\">Riverside &lt;General&gt;</p>"));
        assert!(html.contains("<dt>Date</dt><dd>2024-03-05</dd>"));
        assert!(html.contains("<dt>Surveyor</dt><dd>J. Smith</dd>"));
        assert!(html.contains("<h2>Floor: Level 1 &amp; annexe</h2>"));
        // Layer switch: "plan only" plus one radio button per layer, the first chosen.
        assert_eq!(html.matches("type=\"radio\" name=\"layer-0\"").count(), 3);
        assert!(html.contains("data-layer=\"0\" checked> Primary signal</label>"));
        assert!(html.contains("data-layer=\"1\"> SNR</label>"));
        // Only the first layer picture is visible at first.
        assert!(html.contains("<img class=\"layer\" data-layer=\"0\" width=\"52\" height=\"26\" alt=\"Primary signal\" draggable=\"false\" src="));
        assert!(html.contains("alt=\"SNR\" draggable=\"false\" hidden src="));
        // Zoom controls and the viewer's script.
        for wanted in ["data-zoom=\"in\"", "data-zoom=\"out\"", "data-zoom=\"fit\""] {
            assert!(html.contains(wanted), "{wanted}");
        }
        assert!(html.contains("addEventListener(\"wheel\""));
        assert!(html.contains("addEventListener(\"pointermove\""));
        // Stage as large as the largest picture.
        assert!(html.contains("<div class=\"stage\" style=\"width:52px;height:26px\">"));
        // Tables: failing rows highlighted, dead zone linked to its place on the map.
        assert!(html.contains("<tr class=\"fail\"><td>Bay 2</td><td>FAIL</td></tr>"));
        assert!(html.contains("<th>Map</th>"));
        assert!(html.contains("<a class=\"goto\" href=\"#at=0,7.25,3.50\">show</a>"));
        assert!(html.contains("<figcaption>Bay 2 — primary</figcaption>"));
        // A close-up the page draws from layer 1, through its window; the others left out.
        assert!(html.contains("<canvas class=\"thumb view\" width=\"10\" height=\"8\" role=\"img\" aria-label=\"Bay 3 — snr\" data-floor=\"0\" data-layer=\"1\" data-window=\"2,3,10,8\"></canvas><figcaption>Bay 3 — snr</figcaption>"));
        assert_eq!(html.matches("<canvas").count(), 1);
        // An empty proposed-AP table leaves its heading out; notes are text.
        assert!(!html.contains("Proposed access points"));
        assert!(html.contains("<p>See https://example.org/guide for the method.</p>"));
        assert!(html.contains("<h3>Method</h3>"));
        // The order a reader meets them in.
        let order = [
            "<h1>",
            "<h2>Summary</h2>",
            "<h2>Floor:",
            "class=\"viewer\"",
            "<h3>Zone compliance</h3>",
            "<h3>Dead zones</h3>",
            "class=\"thumbs\"",
            "<h3>Notes</h3>",
            "<h3>Charts</h3>",
            "<figure class=\"chart\" role=\"img\" aria-label=\"Bay 2 &lt;east&gt;: signal over the zone\"><svg",
            "<h2>Appendix</h2>",
            "<script>",
        ];
        let positions: Vec<usize> = order.iter().map(|s| html.find(s).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    }

    #[test]
    fn nothing_is_fetched_from_anywhere() {
        let html = report_html(&sample()).unwrap();
        // Every URL is in text: outside tags (attributes), scripts and style sheets.
        let mut urls = 0;
        for scheme in ["http://", "https://"] {
            for (at, _) in html.match_indices(scheme) {
                urls += 1;
                let before = &html[..at];
                let context = &html[at.saturating_sub(60)..at];
                assert!(
                    before.rfind('<') < before.rfind('>'),
                    "URL inside a tag: {context}"
                );
                for (open, close) in [("<script", "</script>"), ("<style", "</style>")] {
                    assert!(
                        before
                            .rfind(open)
                            .is_none_or(|o| before.rfind(close) > Some(o)),
                        "URL inside {open}: {context}"
                    );
                }
            }
        }
        // The note's link is there, as text.
        assert_eq!(urls, 1);
        for forbidden in [
            "src=\"http",
            "href=\"http",
            "url(",
            "@import",
            "<link",
            "<iframe",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
        // Every picture is inline, and the policy forbids loading anything else.
        assert_eq!(
            html.matches(" src=\"").count(),
            html.matches(" src=\"data:image/png;base64,").count()
        );
        assert!(html.contains("content=\"default-src 'none'; img-src data:;"));
    }

    #[test]
    fn pictures_decode_to_the_right_size_and_layers_drop_the_plan() {
        let input = sample();
        let html = report_html(&input).unwrap();
        let decoded = images(&html);
        // Plan, two layers, one thumbnail.
        let sizes: Vec<(u32, u32)> = decoded.iter().map(RgbaImage::dimensions).collect();
        assert_eq!(
            sizes,
            vec![(W, H), (W + 12, H + 6), (W + 12, H + 6), (8, 6)]
        );
        assert_eq!(decoded[0], plan());
        let layer = &decoded[1];
        // Where the layer only repeats the plan it is transparent; its own colour and the legend
        // area are kept as they were.
        assert_eq!(layer.get_pixel(0, 0).0[3], 0);
        assert_eq!(layer.get_pixel(30, 5).0[3], 0);
        assert_eq!(layer.get_pixel(5, 5).0, [26, 152, 80, 255]);
        assert_eq!(layer.get_pixel(W + 3, 3).0, [255, 255, 255, 255]);
        // Composited over the plan, it is the picture the caller gave.
        let original = &input.floors[0].layers[0].image;
        for (x, y, p) in layer.enumerate_pixels() {
            let seen = if p.0[3] == 0 {
                *input.floors[0].plan.get_pixel(x, y)
            } else {
                *p
            };
            assert_eq!(seen, *original.get_pixel(x, y), "pixel ({x},{y})");
        }
    }

    #[test]
    fn grids_travel_as_compact_json() {
        let html = report_html(&sample()).unwrap();
        let json = grid_json(&html);
        assert!(json.starts_with("{\"w\":52,\"h\":26,\"pw\":40,\"ph\":20,\"mpp\":5e-1,\"grids\":["));
        // Rounded to the grid's decimals, NaN and infinity as null, no "-0".
        assert!(json.contains("\"name\":\"Primary signal\",\"unit\":\"dBm\",\"d\":0,\"x0\":0e0,\"y0\":0e0,\"dx\":5e0,\"dy\":5e0,\"cols\":4,\"rows\":2,\"v\":[-40,-62,null,0,-80,-82,-90,1]"));
        assert!(json.contains("\"v\":[12.3,3,0,null,5,5,5,5]"));
        // A name that tries to close the script block cannot.
        assert!(json.contains("\"name\":\"\\u003c/script\\u003e\\u003cb\\u003e\""));
        assert!(!json.contains('<'));
    }

    #[test]
    fn deterministic_and_total() {
        assert_eq!(
            report_html(&sample()).unwrap(),
            report_html(&sample()).unwrap()
        );
        // An empty report is still a valid page.
        let html = report_html(&HtmlReport::default()).unwrap();
        assert!(html.contains("<h1>Wi-Fi survey report</h1>"));
        // A floor without a plan or a scale: no map, no panic, values switched off.
        let mut odd = sample();
        odd.floors[0].metres_per_pixel = f64::NAN;
        let html = report_html(&odd).unwrap();
        assert!(grid_json(&html).contains("\"mpp\":null"));
        odd.floors[0].plan = RgbaImage::new(0, 0);
        odd.floors[0].layers.clear();
        let html = report_html(&odd).unwrap();
        assert!(html.contains("No plan to show."));
        assert!(!html.contains("class=\"viewer\""));
    }

    #[test]
    fn proposed_aps_when_there_are_some() {
        let mut input = sample();
        input.floors[0].proposed_aps = Table::new(
            vec!["AP".into(), "Position (m)".into()],
            vec![vec!["NEW-1".into(), "12.0, 4.5".into()]],
        );
        let html = report_html(&input).unwrap();
        assert!(html.contains("<h3>Proposed access points</h3>"));
        assert!(html.contains("<td>NEW-1</td>"));
        assert!(!html.contains("Zones before and after the plan"));
        input.floors[0].plan_zones = Table::new(
            vec!["Zone".into(), "Verdict".into()],
            vec![vec!["Bay 1".into(), "FAIL → pass".into()]],
        );
        let html = report_html(&input).unwrap();
        assert!(html.contains("<h3>Zones before and after the plan</h3>"));
        assert!(html.contains("<td>FAIL → pass</td>"));
    }

    #[test]
    fn numbers_and_escapes() {
        assert_eq!(json_number(-62.46, 1), "-62.5");
        assert_eq!(json_number(-62.04, 1), "-62");
        assert_eq!(json_number(-0.04, 1), "0");
        assert_eq!(json_number(120.0, 0), "120");
        assert_eq!(json_number(f32::NAN, 0), "null");
        assert_eq!(escape("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&#39; ");
        assert_eq!(
            json_string("a\"\\\n\u{2028}"),
            "\"a\\\"\\\\\\u000a\\u2028\""
        );
    }
}
