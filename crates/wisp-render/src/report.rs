//! The PDF survey report, laid out here and drawn through krilla with DejaVu Sans embedded.
//!
//! Layout happens first, into a list of pages of simple drawing operations; only then is the PDF
//! drawn, so every footer can say "Page N of M".

use crate::chart_vector::{chart_ops, ChartOp};
use crate::text::{shorten, text_width, wrap_text, Faces};
use crate::{chart_size, Chart};
use crate::{RenderError, RenderErrorKind, SharedPng};
use image::{ImageEncoder, RgbImage, RgbaImage};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point as PdfPoint, Rect as PdfRect, Size, Transform};
use krilla::image::Image as PdfImage;
use krilla::metadata::{DateTime, Metadata};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font as PdfFont, TextDirection};
use krilla::Document;

/// Heatmaps wider than this are scaled down before embedding: at 1600 px across the ~480 pt
/// text width of A4 they print at over 240 dpi, and the file stays a few megabytes.
pub const MAX_IMAGE_WIDTH_PX: u32 = 1600;

/// Paper size of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Paper {
    /// ISO 216 A4, 210 × 297 mm: the NHS default.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in PostScript points (1/72 in): A4 595.28 × 841.89, Letter 612 × 792.
    pub fn size_pt(self) -> (f32, f32) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }
}

/// A table of text for the report. Rows may be shorter than the header (missing cells are blank)
/// or longer (extra cells get columns of their own).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// Column headings, repeated at the top of every continuation page; empty for none.
    pub header: Vec<String>,
    /// Cells, row by row; a row is never split across pages.
    pub rows: Vec<Vec<String>>,
    /// Rows to shade (e.g. zones that fail their profile), by row index; missing entries read as
    /// `false`.
    pub highlight_rows: Vec<bool>,
}

impl Table {
    /// A table with no highlighted rows.
    pub fn new(header: Vec<String>, rows: Vec<Vec<String>>) -> Self {
        Table {
            header,
            rows,
            highlight_rows: Vec::new(),
        }
    }
}

/// One floor's section of the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportFloor {
    /// Floor name, in the section heading.
    pub name: String,
    /// (caption, picture) pairs, typically from [`crate::heatmap_image`].
    pub heatmaps: Vec<(String, RgbaImage)>,
    /// More heatmaps, as PNG bytes, shown after `heatmaps`. They are decoded one at a time while
    /// the PDF is made, so a report over hundreds of floors never holds them all as pixels.
    pub heatmap_pngs: Vec<(String, SharedPng)>,
    /// Zone compliance: one row per zone, failing zones highlighted.
    pub zone_table: Table,
    /// Dead zones found on this floor.
    pub dead_zones: Table,
    /// Paragraphs under "Notes"; none means no notes heading.
    pub notes: Vec<String>,
}

/// What a floor's section shows beyond [`ReportFloor`]: close-ups of its dead zones, and the
/// floor's plan page (the predicted map with the proposed access points, the proposed-AP table,
/// each zone's predicted result before and after, the bill of materials). Given beside the report to [`report_pdf_with`], one per
/// floor in the order of [`Report::floors`]; a floor without one shows none of this.
///
/// It is a separate type, not more fields of [`ReportFloor`], so that code building a
/// `ReportFloor` with a struct literal keeps compiling.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FloorExtras {
    /// (caption, close-up as PNG bytes) pairs, typically from [`crate::crop`] of a heatmap,
    /// shown as a grid of thumbnails, three to a row, after the dead-zone table; decoded one at
    /// a time like [`ReportFloor::heatmap_pngs`], so a report of many floors never holds every
    /// close-up's pixels at once.
    pub dead_zone_maps: Vec<(String, SharedPng)>,
    /// Proposed access points, under "Proposed access points"; left out when it has no rows.
    pub proposed_aps: Table,
    /// Paragraphs after the proposed access points (what the plan assumes, what it costs…);
    /// the heading is shown when there are notes even if the table is empty.
    pub plan_notes: Vec<String>,
    /// Maps of the plan (typically the predicted signal with the proposed APs) as PNG bytes,
    /// (caption, PNG); decoded one at a time like [`ReportFloor::heatmap_pngs`].
    pub plan_map_pngs: Vec<(String, SharedPng)>,
    /// Each zone's predicted result before and after the plan; left out when it has no rows.
    pub plan_zones: Table,
    /// What an installer orders; left out when it has no rows.
    pub bill_of_materials: Table,
    /// Charts of the floor, drawn as vectors (lines and real text) on pages of their own,
    /// "Charts: <floor>", after the floor's notes and before its plan page, each scaled to the
    /// text width and kept whole on one page.
    pub charts: Vec<Chart>,
}

impl FloorExtras {
    /// Whether the floor has a plan page: any plan map, table row or note.
    fn has_plan(&self) -> bool {
        !self.plan_map_pngs.is_empty()
            || !self.proposed_aps.rows.is_empty()
            || !self.plan_zones.rows.is_empty()
            || !self.bill_of_materials.rows.is_empty()
            || !self.plan_notes.is_empty()
    }
}

/// Everything the PDF report says. The crate reads no clock: `date` is whatever the caller
/// gives, and callers that want reproducible files derive it from `SOURCE_DATE_EPOCH`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Cover title; "Wi-Fi survey report" when empty.
    pub title: String,
    /// Site name, on the cover and in every footer.
    pub site: String,
    /// Survey or report date as printed. If it starts with an ISO 8601 date (YYYY-MM-DD) that
    /// date also becomes the PDF's creation date; otherwise the PDF carries none.
    pub date: String,
    /// Who surveyed; also the PDF's author.
    pub surveyor: Option<String>,
    /// Name of the requirement profile the site was judged against.
    pub profile: String,
    /// (label, value) pairs for the summary page.
    pub summary: Vec<(String, String)>,
    /// One section each, in order.
    pub floors: Vec<ReportFloor>,
    /// (heading, paragraphs) sections after the floors.
    pub appendix: Vec<(String, Vec<String>)>,
    /// Page size.
    pub paper: Paper,
}

/// The report as PDF bytes: a cover page, a summary page, a section per floor (heatmaps, zone
/// compliance and dead-zone tables, notes), then the appendix, with "Page N of M" on every page.
///
/// Identical reports give identical bytes: nothing here reads a clock, and krilla derives the
/// document identifiers from the content.
pub fn report_pdf(report: &Report) -> Result<Vec<u8>, RenderError> {
    report_pdf_with(report, &[])
}

/// [`report_pdf`] with each floor's [`FloorExtras`] (`extras[i]` belongs to `report.floors[i]`;
/// missing entries show nothing, surplus ones are ignored): after a floor's dead-zone table
/// come its dead-zone close-ups as thumbnails, three to a row; a floor with a plan then gets a
/// plan page: "Plan: <floor>" with the plan maps, the proposed access points, the zones before
/// and after, the bill of materials and the plan notes.
pub fn report_pdf_with(report: &Report, extras: &[FloorExtras]) -> Result<Vec<u8>, RenderError> {
    let mut pdf = Vec::new();
    report_pdf_into(report, extras, &mut pdf)?;
    Ok(pdf)
}

/// [`report_pdf_with`] written to `path` as it is drawn, a segment of pages at a time (through
/// [`crate::write_atomic_with`]: a reader sees the old file or the new one), so the PDF is never
/// held whole in memory. The bytes are [`report_pdf_with`]'s.
pub fn write_report_pdf(
    path: &std::path::Path,
    report: &Report,
    extras: &[FloorExtras],
) -> Result<(), RenderError> {
    crate::write_atomic_with(path, |out| report_pdf_into(report, extras, out))
}

/// The report's PDF, written to `out` a segment at a time.
fn report_pdf_into(
    report: &Report,
    extras: &[FloorExtras],
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    let faces = Faces::load()?;
    let mut pictures = Vec::new();
    for (i, floor) in report.floors.iter().enumerate() {
        for (caption, picture) in &floor.heatmaps {
            pictures.push(Picture::drawn(picture, caption));
        }
        for (caption, png) in &floor.heatmap_pngs {
            pictures.push(Picture::png(png, caption));
        }
        let extra = extras.get(i);
        for (caption, png) in extra.map_or(&[][..], |e| &e.dead_zone_maps[..]) {
            pictures.push(Picture::png(png, caption));
        }
        for (caption, png) in extra.map_or(&[][..], |e| &e.plan_map_pngs[..]) {
            pictures.push(Picture::png(png, caption));
        }
    }
    // The layout needs only the pictures' sizes (a PNG's from its header); each picture is
    // flattened and embedded when its page is drawn and dropped after its last page, so the
    // report never holds more than a page's pictures decoded, however many floors it has.
    let sizes = pictures
        .iter()
        .map(Picture::size)
        .collect::<Result<Vec<_>, _>>()?;
    // The layout needs only the charts' sizes; a chart's primitives are made when its page is
    // drawn and dropped after it.
    let sources: Vec<&Chart> = extras.iter().flat_map(|e| &e.charts).collect();
    let charts: Vec<PreparedChart> = sources
        .iter()
        .map(|chart| PreparedChart {
            ops: Vec::new(),
            size: chart_size(chart, PDF_CHART_WIDTH),
        })
        .collect();
    // First the layout counts the pages (for "Page N of M") and finds each picture's last
    // page; then it runs again and each page, footer added, is drawn as it comes. No more than a
    // page's operations and a segment's PDF are held, however long the report.
    let mut total = 0;
    let mut last_page = vec![None; pictures.len()];
    lay_out_into(report, extras, &faces, &sizes, &charts, &mut |ops| {
        for index in placed_pictures(&ops, pictures.len()) {
            last_page[index] = Some(total);
        }
        total += 1;
    });
    let footers = Footers::new(report, &faces, total);
    let mut drawer = Drawer::new(report, &pictures, &sources, charts.clone(), last_page, out)?;
    let mut number = 0;
    let mut failed = None;
    lay_out_into(report, extras, &faces, &sizes, &charts, &mut |mut ops| {
        footers.add(number, &mut ops);
        number += 1;
        if failed.is_none() {
            failed = drawer.page(&ops).err();
        }
    });
    match failed {
        Some(e) => Err(e),
        None => drawer.finish(),
    }
}

/// A picture of the report as it was given: drawn (RGBA) or already encoded as PNG.
enum PictureSource<'r> {
    Drawn(&'r RgbaImage),
    Png(&'r SharedPng),
}

/// A picture to place in the PDF, with its caption (for errors).
struct Picture<'r> {
    caption: &'r str,
    source: PictureSource<'r>,
}

/// The size a picture has in the PDF, in pixels ([`pdf_pixels`] of its own).
#[derive(Debug, Clone, Copy, PartialEq)]
struct PictureSize {
    width: u32,
    height: u32,
}

/// A picture's pixel size in the PDF: as drawn, or scaled down to [`MAX_IMAGE_WIDTH_PX`] wide.
fn pdf_pixels(width: u32, height: u32) -> PictureSize {
    if width > MAX_IMAGE_WIDTH_PX {
        let new_h = ((height as u64 * MAX_IMAGE_WIDTH_PX as u64) / width as u64).max(1) as u32;
        PictureSize {
            width: MAX_IMAGE_WIDTH_PX,
            height: new_h,
        }
    } else {
        PictureSize { width, height }
    }
}

impl<'r> Picture<'r> {
    fn drawn(picture: &'r RgbaImage, caption: &'r str) -> Picture<'r> {
        Picture {
            caption,
            source: PictureSource::Drawn(picture),
        }
    }

    fn png(png: &'r SharedPng, caption: &'r str) -> Picture<'r> {
        Picture {
            caption,
            source: PictureSource::Png(png),
        }
    }

    fn not_a_png(&self, e: image::ImageError) -> RenderError {
        RenderErrorKind::PngEncode {
            what: self.caption.to_string(),
            message: format!("not a PNG: {e}"),
        }
        .into()
    }

    /// The picture's size in the PDF, without decoding a PNG's pixels.
    fn size(&self) -> Result<PictureSize, RenderError> {
        use image::ImageDecoder as _;
        let (w, h) = match self.source {
            PictureSource::Drawn(picture) => picture.dimensions(),
            PictureSource::Png(png) => {
                image::codecs::png::PngDecoder::new(std::io::Cursor::new(png.bytes()?))
                    .map_err(|e| self.not_a_png(e))?
                    .dimensions()
            }
        };
        Ok(pdf_pixels(w, h))
    }

    /// The picture ready to embed ([`embeddable_image`]), a PNG decoded only for as long as
    /// it takes.
    fn prepare(&self) -> Result<Vec<u8>, RenderError> {
        match self.source {
            PictureSource::Drawn(picture) => embeddable_image(picture, self.caption),
            PictureSource::Png(png) => {
                let picture =
                    image::load_from_memory_with_format(&png.bytes()?, image::ImageFormat::Png)
                        .map_err(|e| self.not_a_png(e))?
                        .to_rgba8();
                embeddable_image(&picture, self.caption)
            }
        }
    }
}

/// Charts are drawn this many units wide and scaled to the text width (about 480 pt): tick
/// labels at 12 units print at about 7.8 pt, titles at 20 units at about 13 pt.
const PDF_CHART_WIDTH: u32 = 640;

/// A chart ready for the PDF: its vector primitives (empty until its page is drawn) and the
/// size they are drawn at.
#[derive(Clone)]
struct PreparedChart {
    ops: Vec<ChartOp>,
    size: (u32, u32),
}

/// A picture ready for the PDF: flattened onto white, at most [`MAX_IMAGE_WIDTH_PX`] wide,
/// encoded as PNG (empty for a picture of no pixels).
fn embeddable_image(picture: &RgbaImage, caption: &str) -> Result<Vec<u8>, RenderError> {
    let (w, h) = picture.dimensions();
    let mut flat = RgbImage::new(w, h);
    for (out, p) in flat.pixels_mut().zip(picture.pixels()) {
        let alpha = p.0[3] as u32;
        let over_white = |c: u8| ((c as u32 * alpha + 255 * (255 - alpha) + 127) / 255) as u8;
        out.0 = [over_white(p.0[0]), over_white(p.0[1]), over_white(p.0[2])];
    }
    let PictureSize { width, height } = pdf_pixels(w, h);
    if (width, height) != (w, h) {
        flat = image::imageops::resize(&flat, width, height, image::imageops::FilterType::Triangle);
    }
    if width == 0 || height == 0 {
        return Ok(Vec::new());
    }
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(flat.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .map_err(|e| RenderErrorKind::PngEncode {
            what: caption.to_string(),
            message: e.to_string(),
        })?;
    Ok(png)
}

// Typography, in points.
const MARGIN: f32 = 56.0;
const FOOTER_SPACE: f32 = 20.0;
const TITLE_SIZE: f32 = 26.0;
const H1_SIZE: f32 = 17.0;
const H2_SIZE: f32 = 12.5;
const BODY_SIZE: f32 = 10.0;
const CAPTION_SIZE: f32 = 9.0;
const TABLE_SIZE: f32 = 8.5;
const FOOTER_SIZE: f32 = 8.0;
const CELL_PAD: f32 = 3.0;
/// The cover's date, surveyor and profile lines.
const COVER_SIZE: f32 = 11.0;
/// Space between a bold label and its value on the cover.
const LABEL_GAP: f32 = 12.0;
const LEADING: f32 = 1.35;
/// Dead-zone close-ups per row in a floor's section.
const THUMBNAILS_PER_ROW: usize = 3;

const INK: [u8; 3] = [25, 25, 25];
const GREY_TEXT: [u8; 3] = [95, 95, 95];
const RULE: [u8; 3] = [185, 185, 185];
const HEADER_FILL: [u8; 3] = [225, 229, 234];
/// Shading of highlighted table rows: a pale red that prints legibly in greyscale.
const HIGHLIGHT_FILL: [u8; 3] = [252, 224, 220];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Weight {
    Regular,
    Bold,
}

/// One drawing operation, in points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        weight: Weight,
        colour: [u8; 3],
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        colour: [u8; 3],
    },
    Line {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        colour: [u8; 3],
    },
    Image {
        index: usize,
        x: f32,
        y: f32,
        w: f32,
        h: f32,
    },
    /// Chart `index`'s primitives, scaled by `scale` from its top-left corner at (x, y).
    Chart {
        index: usize,
        x: f32,
        y: f32,
        scale: f32,
    },
}

/// A cursor running down pages, breaking to a new page when the next block does not fit.
struct Layout<'a> {
    faces: &'a Faces,
    page_w: f32,
    page_h: f32,
    /// Where each finished page goes, in order (the layout keeps none of them).
    sink: &'a mut dyn FnMut(Vec<Op>),
    /// Pages given to `sink` so far.
    finished: usize,
    current: Vec<Op>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(faces: &'a Faces, paper: Paper, sink: &'a mut dyn FnMut(Vec<Op>)) -> Self {
        let (page_w, page_h) = paper.size_pt();
        Layout {
            faces,
            page_w,
            page_h,
            sink,
            finished: 0,
            current: Vec::new(),
            y: MARGIN,
        }
    }

    fn left(&self) -> f32 {
        MARGIN
    }
    fn content_width(&self) -> f32 {
        self.page_w - 2.0 * MARGIN
    }
    fn bottom(&self) -> f32 {
        self.page_h - MARGIN - FOOTER_SPACE
    }
    /// Height available on an empty page.
    fn page_room(&self) -> f32 {
        self.bottom() - MARGIN
    }
    fn at_page_top(&self) -> bool {
        self.y <= MARGIN
    }
    fn font(&self, weight: Weight) -> &ab_glyph::FontRef<'static> {
        match weight {
            Weight::Regular => &self.faces.regular,
            Weight::Bold => &self.faces.bold,
        }
    }

    fn page_break(&mut self) {
        (self.sink)(std::mem::take(&mut self.current));
        self.finished += 1;
        self.y = MARGIN;
    }

    /// Starts a new page unless the current one is still untouched.
    fn start_section(&mut self) {
        if !self.current.is_empty() {
            self.page_break();
        }
    }

    /// Breaks the page if `height` more does not fit (never on an empty page, so a block taller
    /// than a page cannot loop).
    fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom() && !self.at_page_top() {
            self.page_break();
        }
    }

    /// Gives the last page to the sink (an empty report still has one page).
    fn finish(self) {
        if !self.current.is_empty() || self.finished == 0 {
            (self.sink)(self.current);
        }
    }

    fn push_text(
        &mut self,
        x: f32,
        top: f32,
        size: f32,
        weight: Weight,
        colour: [u8; 3],
        text: String,
    ) {
        if !text.is_empty() {
            self.current.push(Op::Text {
                x,
                baseline: top + size,
                size,
                weight,
                colour,
                text,
            });
        }
    }

    /// Wrapped lines of text at the cursor, each kept whole on one page.
    fn paragraph(&mut self, text: &str, size: f32, weight: Weight, colour: [u8; 3]) {
        let lines = wrap_text(self.font(weight), size, self.content_width(), text);
        for line in lines {
            self.ensure(size * LEADING);
            self.push_text(self.left(), self.y, size, weight, colour, line);
            self.y += size * LEADING;
        }
        self.y += size * 0.5;
    }

    /// A heading, kept on the same page as at least a few lines of what follows it.
    fn heading(&mut self, text: &str, size: f32) {
        self.ensure(size * LEADING * 2.0 + BODY_SIZE * LEADING * 4.0);
        self.y += if self.at_page_top() { 0.0 } else { size * 0.4 };
        self.paragraph(text, size, Weight::Bold, INK);
    }

    /// The width of a column of bold labels at `size`: the widest label and a gap, so no value
    /// beside them starts inside one.
    fn label_column(&self, labels: &[&str], size: f32) -> f32 {
        let widest = labels
            .iter()
            .map(|label| text_width(&self.faces.bold, size, label))
            .fold(0.0f32, f32::max);
        (widest + LABEL_GAP).min(self.content_width() / 2.0)
    }

    /// A label in bold with its value beside it, `label_column` further right, wrapping within
    /// the value column. A label wider than its column is wrapped inside it too.
    fn label_value(&mut self, label: &str, value: &str, size: f32, label_column: f32) {
        let value_x = self.left() + label_column;
        let value_width = self.content_width() - label_column;
        let label_lines = wrap_text(
            self.font(Weight::Bold),
            size,
            label_column - LABEL_GAP,
            label,
        );
        let lines = wrap_text(self.font(Weight::Regular), size, value_width, value);
        let top = self.y;
        for line in label_lines {
            self.ensure(size * LEADING);
            self.push_text(self.left(), self.y, size, Weight::Bold, INK, line);
            self.y += size * LEADING;
        }
        let label_bottom = self.y;
        self.y = top;
        for line in lines {
            self.ensure(size * LEADING);
            self.push_text(value_x, self.y, size, Weight::Regular, INK, line);
            self.y += size * LEADING;
        }
        self.y = self.y.max(label_bottom) + size * 0.3;
    }

    /// A picture scaled to the text width (or down to fit one page), centred, caption below.
    fn picture(&mut self, index: usize, image: &PictureSize, caption: &str) {
        let caption_lines = wrap_text(
            self.font(Weight::Regular),
            CAPTION_SIZE,
            self.content_width(),
            caption,
        );
        let caption_height = caption_lines.len() as f32 * CAPTION_SIZE * LEADING + 4.0;
        if image.width == 0 || image.height == 0 {
            self.paragraph(
                &format!("{caption} (empty picture)"),
                CAPTION_SIZE,
                Weight::Regular,
                GREY_TEXT,
            );
            return;
        }
        let mut w = self.content_width();
        let mut h = w * image.height as f32 / image.width as f32;
        let room = (self.page_room() - caption_height - 8.0).max(self.page_room() * 0.5);
        if h > room {
            w *= room / h;
            h = room;
        }
        self.ensure(h + caption_height);
        let x = self.left() + (self.content_width() - w) / 2.0;
        self.current.push(Op::Image {
            index,
            x,
            y: self.y,
            w,
            h,
        });
        self.y += h + 4.0;
        for line in caption_lines {
            self.ensure(CAPTION_SIZE * LEADING);
            self.push_text(
                self.left(),
                self.y,
                CAPTION_SIZE,
                Weight::Regular,
                GREY_TEXT,
                line,
            );
            self.y += CAPTION_SIZE * LEADING;
        }
        self.y += 10.0;
    }

    /// A chart scaled to the text width (or down to fit one page), kept whole on one page.
    fn chart(&mut self, index: usize, chart: &PreparedChart) {
        let (w, h) = (chart.size.0 as f32, chart.size.1 as f32);
        if w <= 0.0 || h <= 0.0 {
            return;
        }
        let mut scale = self.content_width() / w;
        if h * scale > self.page_room() {
            scale = self.page_room() / h;
        }
        self.ensure(h * scale);
        let x = self.left() + (self.content_width() - w * scale) / 2.0;
        self.current.push(Op::Chart {
            index,
            x,
            y: self.y,
            scale,
        });
        self.y += h * scale + 14.0;
    }

    /// Pictures as thumbnails, [`THUMBNAILS_PER_ROW`] to a row, each scaled to its column (and
    /// no taller than wide) with its caption below; a row is kept whole on one page.
    /// `first_index` is the index of the first picture in `images`.
    fn thumbnails(&mut self, first_index: usize, images: &[PictureSize], captions: &[&str]) {
        const GAP: f32 = 12.0;
        let per_row = THUMBNAILS_PER_ROW;
        let column = (self.content_width() - GAP * (per_row - 1) as f32) / per_row as f32;
        let count = images.len().min(captions.len());
        for row_start in (0..count).step_by(per_row) {
            let row_end = (row_start + per_row).min(count);
            let sizes: Vec<(f32, f32)> = images[row_start..row_end]
                .iter()
                .map(|image| {
                    if image.width == 0 || image.height == 0 {
                        return (0.0, 0.0);
                    }
                    let (w, h) = (column, column * image.height as f32 / image.width as f32);
                    if h > column {
                        (w * column / h, column)
                    } else {
                        (w, h)
                    }
                })
                .collect();
            let captions: Vec<Vec<String>> = captions[row_start..row_end]
                .iter()
                .map(|caption| wrap_text(self.font(Weight::Regular), CAPTION_SIZE, column, caption))
                .collect();
            let picture_height = sizes.iter().map(|(_, h)| *h).fold(0.0f32, f32::max);
            let caption_lines = captions.iter().map(Vec::len).max().unwrap_or(0);
            let caption_height = caption_lines as f32 * CAPTION_SIZE * LEADING;
            self.ensure(picture_height + 4.0 + caption_height);
            let top = self.y;
            for (k, ((w, h), lines)) in sizes.iter().zip(&captions).enumerate() {
                let column_left = self.left() + k as f32 * (column + GAP);
                if *w > 0.0 && *h > 0.0 {
                    self.current.push(Op::Image {
                        index: first_index + row_start + k,
                        x: column_left + (column - w) / 2.0,
                        y: top,
                        w: *w,
                        h: *h,
                    });
                }
                for (i, line) in lines.iter().enumerate() {
                    let line_top = top + picture_height + 4.0 + i as f32 * CAPTION_SIZE * LEADING;
                    self.push_text(
                        column_left,
                        line_top,
                        CAPTION_SIZE,
                        Weight::Regular,
                        GREY_TEXT,
                        line.clone(),
                    );
                }
            }
            self.y = top + picture_height + 4.0 + caption_height + 10.0;
        }
    }

    /// A titled table of vector text. Rows never split across pages; a long table continues on
    /// the next page under "(continued)" and the repeated header.
    fn table(&mut self, title: &str, title_size: f32, table: &Table) {
        self.heading(title, title_size);
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.header.len()])
            .max()
            .unwrap_or(0);
        if table.rows.is_empty() || columns == 0 {
            self.paragraph("None.", BODY_SIZE, Weight::Regular, GREY_TEXT);
            return;
        }
        let natural: Vec<f32> = (0..columns)
            .map(|c| {
                let header_width = text_width(&self.faces.bold, TABLE_SIZE, cell(&table.header, c));
                let body_width = table
                    .rows
                    .iter()
                    .map(|row| text_width(&self.faces.regular, TABLE_SIZE, cell(row, c)))
                    .fold(0.0f32, f32::max);
                header_width.max(body_width) + 2.0 * CELL_PAD
            })
            .collect();
        let widths = fit_columns(&natural, self.content_width());
        let has_header = table.header.iter().any(|h| !h.trim().is_empty());
        let header = has_header
            .then(|| self.wrap_row(&table.header, &widths, Weight::Bold, self.page_room() / 3.0));
        let header_height = header.as_ref().map_or(0.0, |(_, h)| *h);
        // The tallest a row may be: what a fresh page holds under the continuation line and header.
        let row_room = self.page_room() - header_height - H2_SIZE * LEADING - 2.0;

        self.ensure(header_height + TABLE_SIZE * LEADING * 2.0 + 2.0 * CELL_PAD);
        if let Some((cells, height)) = &header {
            self.table_row(cells, &widths, *height, Weight::Bold, Some(HEADER_FILL));
        }
        for (index, row) in table.rows.iter().enumerate() {
            let (cells, height) = self.wrap_row(row, &widths, Weight::Regular, row_room);
            if self.y + height > self.bottom() {
                self.page_break();
                self.paragraph(&format!("{title} (continued)"), H2_SIZE, Weight::Bold, INK);
                if let Some((cells, height)) = &header {
                    self.table_row(cells, &widths, *height, Weight::Bold, Some(HEADER_FILL));
                }
            }
            let highlighted = table.highlight_rows.get(index).copied().unwrap_or(false);
            self.table_row(
                &cells,
                &widths,
                height,
                Weight::Regular,
                highlighted.then_some(HIGHLIGHT_FILL),
            );
        }
        self.y += BODY_SIZE;
    }

    /// Each cell of `row` wrapped to its column, and the row's height; lines beyond `max_height`
    /// are dropped and the last kept line ends in an ellipsis.
    fn wrap_row(
        &self,
        row: &[String],
        widths: &[f32],
        weight: Weight,
        max_height: f32,
    ) -> (Vec<Vec<String>>, f32) {
        let line_height = TABLE_SIZE * LEADING;
        let max_lines = (((max_height - 2.0 * CELL_PAD) / line_height).floor() as usize).max(1);
        let mut cells: Vec<Vec<String>> = widths
            .iter()
            .enumerate()
            .map(|(c, width)| {
                let text = row.get(c).map(String::as_str).unwrap_or("");
                wrap_text(self.font(weight), TABLE_SIZE, width - 2.0 * CELL_PAD, text)
            })
            .collect();
        for (lines, width) in cells.iter_mut().zip(widths) {
            if lines.len() > max_lines {
                lines.truncate(max_lines);
                if let Some(last) = lines.last_mut() {
                    // The ellipsis is measured too: cut the line further if it needs the room.
                    let marked = format!("{last}…");
                    *last = shorten(
                        self.font(weight),
                        TABLE_SIZE,
                        width - 2.0 * CELL_PAD,
                        &marked,
                    );
                }
            }
        }
        let line_count = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
        (cells, line_count as f32 * line_height + 2.0 * CELL_PAD)
    }

    fn table_row(
        &mut self,
        cells: &[Vec<String>],
        widths: &[f32],
        height: f32,
        weight: Weight,
        fill: Option<[u8; 3]>,
    ) {
        let (left, top) = (self.left(), self.y);
        let total: f32 = widths.iter().sum();
        if let Some(colour) = fill {
            self.current.push(Op::Rect {
                x: left,
                y: top,
                w: total,
                h: height,
                colour,
            });
        }
        let mut x = left;
        for (lines, width) in cells.iter().zip(widths) {
            for (i, line) in lines.iter().enumerate() {
                let line_top = top + CELL_PAD + i as f32 * TABLE_SIZE * LEADING;
                self.push_text(
                    x + CELL_PAD,
                    line_top,
                    TABLE_SIZE,
                    weight,
                    INK,
                    line.clone(),
                );
            }
            x += width;
        }
        let rule_y = top + height;
        self.current.push(Op::Line {
            from: (left, rule_y),
            to: (left + total, rule_y),
            width: 0.5,
            colour: RULE,
        });
        self.y += height;
    }
}

fn cell(row: &[String], column: usize) -> &str {
    row.get(column).map(String::as_str).unwrap_or("")
}

/// Column widths summing to `available`: a column narrower than an equal share keeps its natural
/// width; the wider ones share what is left in proportion to what they would like.
fn fit_columns(natural: &[f32], available: f32) -> Vec<f32> {
    let n = natural.len().max(1) as f32;
    let total: f32 = natural.iter().sum();
    if total <= available {
        let extra = (available - total) / n;
        return natural.iter().map(|w| w + extra).collect();
    }
    let share = available / n;
    let floor: Vec<f32> = natural.iter().map(|w| w.min(share)).collect();
    let left_over = available - floor.iter().sum::<f32>();
    let wants: f32 = natural.iter().zip(&floor).map(|(w, f)| w - f).sum();
    natural
        .iter()
        .zip(&floor)
        .map(|(w, f)| {
            if wants > 0.0 {
                f + left_over * (w - f) / wants
            } else {
                *f
            }
        })
        .collect()
}

/// The report's pages, footers included, all at once (the tests' view of [`lay_out_into`]).
#[cfg(test)]
fn lay_out(
    report: &Report,
    extras: &[FloorExtras],
    faces: &Faces,
    images: &[PictureSize],
    charts: &[PreparedChart],
) -> Vec<Vec<Op>> {
    let mut pages = Vec::new();
    lay_out_into(report, extras, faces, images, charts, &mut |ops| {
        pages.push(ops)
    });
    let footers = Footers::new(report, faces, pages.len());
    for (number, ops) in pages.iter_mut().enumerate() {
        footers.add(number, ops);
    }
    pages
}

/// Lays the report out page by page, each page (without its footer) handed to `sink` as it
/// is finished; nothing is kept, so the same layout can be run once to count the pages and
/// again to draw them.
fn lay_out_into(
    report: &Report,
    extras: &[FloorExtras],
    faces: &Faces,
    images: &[PictureSize],
    charts: &[PreparedChart],
    sink: &mut dyn FnMut(Vec<Op>),
) {
    let mut layout = Layout::new(faces, report.paper, sink);

    // Cover.
    layout.y = layout.page_h * 0.28;
    layout.paragraph(
        non_empty(&report.title, "Wi-Fi survey report"),
        TITLE_SIZE,
        Weight::Bold,
        INK,
    );
    layout.paragraph(&report.site, 16.0, Weight::Regular, INK);
    layout.y += 24.0;
    let labels = ["Date", "Surveyor", "Requirement profile"];
    let label_column = layout.label_column(&labels, COVER_SIZE);
    layout.label_value(labels[0], &report.date, COVER_SIZE, label_column);
    if let Some(surveyor) = &report.surveyor {
        layout.label_value(labels[1], surveyor, COVER_SIZE, label_column);
    }
    layout.label_value(labels[2], &report.profile, COVER_SIZE, label_column);

    // Summary.
    layout.page_break();
    let summary = Table::new(
        vec!["Measure".to_string(), "Value".to_string()],
        report
            .summary
            .iter()
            .map(|(label, value)| vec![label.clone(), value.clone()])
            .collect(),
    );
    layout.table("Summary", H1_SIZE, &summary);

    let mut image_index = 0;
    let mut chart_index = 0;
    for (floor_index, floor) in report.floors.iter().enumerate() {
        let extra = extras.get(floor_index);
        layout.start_section();
        layout.heading(&format!("Floor: {}", floor.name), H1_SIZE);
        let captions = floor
            .heatmaps
            .iter()
            .map(|h| &h.0)
            .chain(floor.heatmap_pngs.iter().map(|h| &h.0));
        for caption in captions {
            if let Some(image) = images.get(image_index) {
                layout.picture(image_index, image, caption);
            }
            image_index += 1;
        }
        layout.table("Zone compliance", H2_SIZE, &floor.zone_table);
        layout.table("Dead zones", H2_SIZE, &floor.dead_zones);
        if let Some(extra) = extra {
            let count = extra.dead_zone_maps.len();
            let captions: Vec<&str> = extra
                .dead_zone_maps
                .iter()
                .map(|(caption, _)| caption.as_str())
                .collect();
            let end = (image_index + count).min(images.len());
            let start = image_index.min(end);
            layout.thumbnails(start, &images[start..end], &captions);
            image_index += count;
        }
        if !floor.notes.is_empty() {
            layout.heading("Notes", H2_SIZE);
            for note in &floor.notes {
                layout.paragraph(note, BODY_SIZE, Weight::Regular, INK);
            }
        }
        if let Some(extra) = extra.filter(|e| !e.charts.is_empty()) {
            layout.start_section();
            layout.heading(&format!("Charts: {}", floor.name), H1_SIZE);
            for _ in &extra.charts {
                if let Some(chart) = charts.get(chart_index) {
                    layout.chart(chart_index, chart);
                }
                chart_index += 1;
            }
        }
        if let Some(extra) = extra.filter(|e| e.has_plan()) {
            layout.start_section();
            layout.heading(&format!("Plan: {}", floor.name), H1_SIZE);
            for (caption, _) in &extra.plan_map_pngs {
                if let Some(image) = images.get(image_index) {
                    layout.picture(image_index, image, caption);
                }
                image_index += 1;
            }
            if !extra.proposed_aps.rows.is_empty() {
                layout.table("Proposed access points", H2_SIZE, &extra.proposed_aps);
            } else if !extra.plan_notes.is_empty() {
                layout.heading("Proposed access points", H2_SIZE);
            }
            if !extra.plan_zones.rows.is_empty() {
                layout.table(
                    "Zones before and after the plan",
                    H2_SIZE,
                    &extra.plan_zones,
                );
            }
            if !extra.bill_of_materials.rows.is_empty() {
                layout.table("Bill of materials", H2_SIZE, &extra.bill_of_materials);
            }
            for note in &extra.plan_notes {
                layout.paragraph(note, BODY_SIZE, Weight::Regular, INK);
            }
        }
    }

    if !report.appendix.is_empty() {
        layout.start_section();
        layout.heading("Appendix", H1_SIZE);
        for (heading, paragraphs) in &report.appendix {
            layout.heading(heading, H2_SIZE);
            for paragraph in paragraphs {
                layout.paragraph(paragraph, BODY_SIZE, Weight::Regular, INK);
            }
        }
    }
    layout.finish();
}

/// Adds the footer to every page: a rule, the site (or title) on the left and "Page N of M" on
/// the right.
/// Every page's footer: a rule, the site (or title) on the left and "Page N of M" on the right.
struct Footers<'f> {
    faces: &'f Faces,
    total: usize,
    page_w: f32,
    baseline: f32,
    left: String,
}

impl<'f> Footers<'f> {
    fn new(report: &Report, faces: &'f Faces, total: usize) -> Self {
        let (page_w, page_h) = report.paper.size_pt();
        let footer_left = non_empty(&report.site, &report.title);
        // One line only, shortened with an ellipsis to the room the widest page number leaves
        // (digits are all one width in DejaVu Sans), so every page shows the same text.
        let widest_number = text_width(
            &faces.regular,
            FOOTER_SIZE,
            &format!("Page {total} of {total}"),
        );
        let room = page_w - 2.0 * MARGIN - widest_number - LABEL_GAP;
        let left = if footer_left.trim().is_empty() {
            String::new()
        } else {
            shorten(&faces.regular, FOOTER_SIZE, room, footer_left)
        };
        Footers {
            faces,
            total,
            page_w,
            baseline: page_h - MARGIN + 6.0,
            left,
        }
    }

    /// Adds page `number`'s (from 0) footer to its operations.
    fn add(&self, number: usize, ops: &mut Vec<Op>) {
        let (page_w, baseline) = (self.page_w, self.baseline);
        let page_number = format!("Page {} of {}", number + 1, self.total);
        let number_width = text_width(&self.faces.regular, FOOTER_SIZE, &page_number);
        ops.push(Op::Line {
            from: (MARGIN, baseline - 12.0),
            to: (page_w - MARGIN, baseline - 12.0),
            width: 0.5,
            colour: RULE,
        });
        let footer_text = |x: f32, text: String| Op::Text {
            x,
            baseline,
            size: FOOTER_SIZE,
            weight: Weight::Regular,
            colour: GREY_TEXT,
            text,
        };
        if !self.left.is_empty() {
            ops.push(footer_text(MARGIN, self.left.clone()));
        }
        ops.push(footer_text(page_w - MARGIN - number_width, page_number));
    }
}

fn non_empty<'s>(text: &'s str, fallback: &'s str) -> &'s str {
    if text.trim().is_empty() {
        fallback
    } else {
        text
    }
}

/// The ISO 8601 date at the start of `text` (YYYY-MM-DD), if there is one.
fn leading_iso_date(text: &str) -> Option<DateTime> {
    let date = text.trim().get(..10)?;
    let mut parts = date.split('-');
    let year: u16 = parts.next().filter(|p| p.len() == 4)?.parse().ok()?;
    let month: u8 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    let day: u8 = parts.next().filter(|p| p.len() == 2)?.parse().ok()?;
    ((1..=12).contains(&month) && (1..=31).contains(&day))
        .then(|| DateTime::new(year).month(month).day(day))
}

/// Pages drawn as one krilla document before it is finished and appended to the output:
/// krilla holds a document whole until it is finished, so this bounds the PDF's memory. Each
/// segment embeds the subsets of the two fonts its pages use, which costs file size: a few
/// kilobytes a segment (measured in the README's report figures).
const SEGMENT_PAGES: usize = 48;

/// The pictures a page draws, by index.
fn placed_pictures(ops: &[Op], pictures: usize) -> Vec<usize> {
    ops.iter()
        .filter_map(|op| match op {
            Op::Image { index, .. } if *index < pictures => Some(*index),
            _ => None,
        })
        .collect()
}

fn pdf_error(what: &str) -> RenderError {
    RenderError::from(RenderErrorKind::Pdf(what.to_string()))
}

/// Draws the report's pages as they come, [`SEGMENT_PAGES`] to a krilla document, each
/// document finished and appended to the output when full.
struct Drawer<'d, 'r> {
    pictures: &'d [Picture<'r>],
    /// The charts as given, and as drawn: a chart's primitives only while its page is drawn.
    sources: &'d [&'r Chart],
    charts: Vec<PreparedChart>,
    /// The last page each picture is drawn on: it is dropped after that page (krilla writes an
    /// image into the document when it is first drawn and keeps only a reference to it).
    last_page: Vec<Option<usize>>,
    pdf_images: Vec<Option<PdfImage>>,
    regular: PdfFont,
    bold: PdfFont,
    metadata: Metadata,
    settings: krilla::SerializeSettings,
    page_size: (f32, f32),
    /// The segment being drawn and its pages so far.
    document: Option<(Document, usize)>,
    /// Pages drawn so far.
    drawn: usize,
    joined: crate::pdf_join::PdfJoin<&'d mut dyn std::io::Write>,
}

impl<'d, 'r> Drawer<'d, 'r> {
    fn new(
        report: &Report,
        pictures: &'d [Picture<'r>],
        sources: &'d [&'r Chart],
        charts: Vec<PreparedChart>,
        last_page: Vec<Option<usize>>,
        out: &'d mut dyn std::io::Write,
    ) -> Result<Self, RenderError> {
        let regular = PdfFont::new(dejavu::sans::regular().into(), 0)
            .ok_or_else(|| pdf_error("DejaVu Sans not accepted"))?;
        let bold = PdfFont::new(dejavu::sans::bold().into(), 0)
            .ok_or_else(|| pdf_error("DejaVu Sans Bold not accepted"))?;
        let mut metadata = Metadata::new()
            .title(non_empty(&report.title, "Wi-Fi survey report").to_string())
            .creator("wisp".to_string())
            .language("en-GB".to_string());
        if let Some(date) = leading_iso_date(&report.date) {
            metadata = metadata.creation_date(date);
        }
        if let Some(surveyor) = &report.surveyor {
            metadata = metadata.authors(vec![surveyor.clone()]);
        }
        // No XMP metadata: the joined file keeps the first segment's catalog, and its XMP
        // would give that segment's page count. The document information says the same.
        let settings = krilla::SerializeSettings {
            xmp_metadata: false,
            ..Default::default()
        };
        Ok(Drawer {
            pictures,
            sources,
            charts,
            pdf_images: vec![None; pictures.len()],
            last_page,
            regular,
            bold,
            metadata,
            settings,
            page_size: report.paper.size_pt(),
            document: None,
            drawn: 0,
            joined: crate::pdf_join::PdfJoin::new(out),
        })
    }

    fn page(&mut self, ops: &[Op]) -> Result<(), RenderError> {
        let p = self.drawn;
        for index in placed_pictures(ops, self.pictures.len()) {
            if self.pdf_images[index].is_none() {
                let png = self.pictures[index].prepare()?;
                if !png.is_empty() {
                    self.pdf_images[index] =
                        Some(PdfImage::from_png(png.into(), true).map_err(|e| pdf_error(&e))?);
                }
            }
        }
        let charts: Vec<usize> = ops
            .iter()
            .filter_map(|op| match op {
                Op::Chart { index, .. } if *index < self.charts.len() => Some(*index),
                _ => None,
            })
            .collect();
        for &index in &charts {
            let chart = &mut self.charts[index];
            chart.ops = chart_ops(self.sources[index], chart.size)?;
        }
        let (document, pages) = self.document.get_or_insert_with(|| {
            let mut document = Document::new_with(self.settings.clone());
            document.set_metadata(self.metadata.clone());
            (document, 0)
        });
        let settings = PageSettings::from_wh(self.page_size.0, self.page_size.1)
            .ok_or_else(|| pdf_error("invalid page size"))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw_op(
                &mut surface,
                op,
                &self.regular,
                &self.bold,
                &self.pdf_images,
                &self.charts,
            );
        }
        surface.finish();
        page.finish();
        *pages += 1;
        for index in charts {
            self.charts[index].ops = Vec::new();
        }
        for (index, last) in self.last_page.iter().enumerate() {
            if *last == Some(p) {
                self.pdf_images[index] = None;
            }
        }
        self.drawn += 1;
        if *pages == SEGMENT_PAGES {
            self.flush()?;
        }
        Ok(())
    }

    /// Finishes the segment being drawn and appends it to the output.
    fn flush(&mut self) -> Result<(), RenderError> {
        if let Some((document, _)) = self.document.take() {
            let bytes = document
                .finish()
                .map_err(|e| pdf_error(&format!("{e:?}")))?;
            self.joined.push(&bytes)?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), RenderError> {
        self.flush()?;
        self.joined.finish()?;
        Ok(())
    }
}

fn solid_fill(colour: [u8; 3]) -> Fill {
    fill_with(colour, 1.0)
}

fn fill_with(colour: [u8; 3], opacity: f32) -> Fill {
    Fill {
        paint: rgb::Color::new(colour[0], colour[1], colour[2]).into(),
        opacity: NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE),
        rule: FillRule::NonZero,
    }
}

fn stroke_with(colour: [u8; 3], width: f32, opacity: f32) -> Stroke {
    Stroke {
        paint: rgb::Color::new(colour[0], colour[1], colour[2]).into(),
        width,
        opacity: NormalizedF32::new(opacity.clamp(0.0, 1.0)).unwrap_or(NormalizedF32::ONE),
        ..Stroke::default()
    }
}

/// A polyline through `points`, closed if asked.
fn polyline(points: &[(f32, f32)], close: bool) -> Option<krilla::geom::Path> {
    let (first, rest) = points.split_first()?;
    let mut builder = PathBuilder::new();
    builder.move_to(first.0, first.1);
    for p in rest {
        builder.line_to(p.0, p.1);
    }
    if close {
        builder.close();
    }
    builder.finish()
}

/// A circle as four cubic Béziers (the usual 0.5523 control distance).
fn circle(centre: (f32, f32), radius: f32) -> Option<krilla::geom::Path> {
    const K: f32 = 0.552_284_8;
    let (cx, cy, r) = (centre.0, centre.1, radius.max(0.1));
    let k = K * r;
    let mut b = PathBuilder::new();
    b.move_to(cx + r, cy);
    b.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    b.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    b.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    b.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    b.close();
    b.finish()
}

/// A chart's primitives on `surface`, in the chart's units (the caller sets the transform).
fn draw_chart(surface: &mut Surface, ops: &[ChartOp], regular: &PdfFont, bold: &PdfFont) {
    for op in ops {
        match op {
            ChartOp::Stroke {
                points,
                width,
                colour,
                opacity,
            } => {
                if let Some(path) = polyline(points, false) {
                    surface.set_fill(None);
                    surface.set_stroke(Some(stroke_with(*colour, *width, *opacity)));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            ChartOp::Fill {
                points,
                colour,
                opacity,
            } => {
                if let Some(path) = polyline(points, true) {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill_with(*colour, *opacity)));
                    surface.draw_path(&path);
                }
            }
            ChartOp::Circle {
                centre,
                radius,
                filled,
                width,
                colour,
                opacity,
            } => {
                if let Some(path) = circle(*centre, *radius) {
                    if *filled {
                        surface.set_stroke(None);
                        surface.set_fill(Some(fill_with(*colour, *opacity)));
                    } else {
                        surface.set_fill(None);
                        surface.set_stroke(Some(stroke_with(*colour, *width, *opacity)));
                    }
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
            ChartOp::Text {
                origin,
                offset,
                rotate,
                em,
                bold: is_bold,
                colour,
                text,
            } => {
                let (sin, cos) = rotate.to_radians().sin_cos();
                surface.push_transform(&Transform::from_row(
                    cos, sin, -sin, cos, origin.0, origin.1,
                ));
                surface.set_stroke(None);
                surface.set_fill(Some(solid_fill(*colour)));
                surface.draw_text(
                    PdfPoint::from_xy(offset.0, offset.1),
                    if *is_bold { bold } else { regular }.clone(),
                    *em,
                    text,
                    false,
                    TextDirection::Auto,
                );
                surface.pop();
            }
        }
    }
}

fn draw_op(
    surface: &mut Surface,
    op: &Op,
    regular: &PdfFont,
    bold: &PdfFont,
    images: &[Option<PdfImage>],
    charts: &[PreparedChart],
) {
    match op {
        Op::Text {
            x,
            baseline,
            size,
            weight,
            colour,
            text,
        } => {
            let font = if *weight == Weight::Bold {
                bold
            } else {
                regular
            };
            surface.set_stroke(None);
            surface.set_fill(Some(solid_fill(*colour)));
            surface.draw_text(
                PdfPoint::from_xy(*x, *baseline),
                font.clone(),
                *size,
                text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rect { x, y, w, h, colour } => {
            let Some(rect) = PdfRect::from_xywh(*x, *y, *w, *h) else {
                return;
            };
            let mut builder = PathBuilder::new();
            builder.push_rect(rect);
            if let Some(path) = builder.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(solid_fill(*colour)));
                surface.draw_path(&path);
            }
        }
        Op::Line {
            from,
            to,
            width,
            colour,
        } => {
            let mut builder = PathBuilder::new();
            builder.move_to(from.0, from.1);
            builder.line_to(to.0, to.1);
            if let Some(path) = builder.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(colour[0], colour[1], colour[2]).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
        Op::Image { index, x, y, w, h } => {
            let (Some(Some(image)), Some(size)) = (images.get(*index), Size::from_wh(*w, *h))
            else {
                return;
            };
            surface.push_transform(&Transform::from_translate(*x, *y));
            surface.draw_image(image.clone(), size);
            surface.pop();
        }
        Op::Chart { index, x, y, scale } => {
            let Some(chart) = charts.get(*index) else {
                return;
            };
            surface.push_transform(&Transform::from_row(*scale, 0.0, 0.0, *scale, *x, *y));
            draw_chart(surface, &chart.ops, regular, bold);
            surface.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The layout reads a PNG's size from its header; the picture embedded later must have
    /// exactly that size, scaled down or not, drawn or PNG.
    #[test]
    fn a_pictures_size_from_its_header_is_the_size_embedded() {
        for (w, h) in [
            (1, 1),
            (400, 40),
            (1600, 3),
            (1601, 3),
            (3000, 1),
            (2401, 977),
        ] {
            let drawn = RgbaImage::from_fn(w, h, |x, y| image::Rgba([x as u8, y as u8, 7, 200]));
            let mut png = Vec::new();
            image::codecs::png::PngEncoder::new(&mut png)
                .write_image(drawn.as_raw(), w, h, image::ExtendedColorType::Rgba8)
                .unwrap();
            let png = SharedPng::from(png);
            for picture in [Picture::drawn(&drawn, "d"), Picture::png(&png, "p")] {
                let size = picture.size().unwrap();
                let embedded = image::load_from_memory_with_format(
                    &picture.prepare().unwrap(),
                    image::ImageFormat::Png,
                )
                .unwrap();
                assert_eq!(
                    (size.width, size.height),
                    (embedded.width(), embedded.height()),
                    "{w} x {h}"
                );
                assert!(size.width <= MAX_IMAGE_WIDTH_PX);
            }
        }
        let garbage = SharedPng::from(*b"not a png");
        let garbage = Picture::png(&garbage, "map");
        assert!(garbage
            .size()
            .unwrap_err()
            .to_string()
            .contains("not a PNG"));
    }

    #[test]
    fn columns_fill_the_width_and_keep_narrow_ones() {
        let widths = fit_columns(&[20.0, 30.0], 100.0);
        assert_eq!(widths, vec![45.0, 55.0]);
        let widths = fit_columns(&[20.0, 900.0, 400.0], 300.0);
        assert!((widths.iter().sum::<f32>() - 300.0).abs() < 1e-3);
        assert_eq!(widths[0], 20.0);
        assert!(widths[1] > widths[2]);
    }

    #[test]
    fn a_cut_cell_ends_in_an_ellipsis_that_fits_its_column() {
        let faces = Faces::load().unwrap();
        let mut sink = |_: Vec<Op>| {};
        let layout = Layout::new(&faces, Paper::A4, &mut sink);
        let widths = [60.0, 80.0];
        let long = "Haematology Day Case - Room 02 (north side, isolation capable)".repeat(4);
        // Room for two lines only.
        let max_height = 2.0 * CELL_PAD + 2.5 * TABLE_SIZE * LEADING;
        let (cells, height) =
            layout.wrap_row(&[long.clone(), long], &widths, Weight::Regular, max_height);
        assert!(height <= max_height);
        for (lines, width) in cells.iter().zip(widths) {
            assert_eq!(lines.len(), 2);
            let last = lines.last().unwrap();
            assert!(last.ends_with('…'), "{last}");
            for line in lines {
                assert!(text_width(&faces.regular, TABLE_SIZE, line) <= width - 2.0 * CELL_PAD);
            }
        }
    }

    #[test]
    fn cover_labels_never_run_into_their_values() {
        let faces = Faces::load().unwrap();
        let report = Report {
            profile: "nhs-clinical".into(),
            surveyor: Some("A. Surveyor".into()),
            ..Report::default()
        };
        let pages = lay_out(&report, &[], &faces, &[], &[]);
        let find = |wanted: &str| {
            pages[0].iter().find_map(|op| match op {
                Op::Text { x, text, .. } if text == wanted => Some(*x),
                _ => None,
            })
        };
        let label_end = find("Requirement profile").unwrap()
            + text_width(&faces.bold, COVER_SIZE, "Requirement profile");
        assert!(find("nhs-clinical").unwrap() >= label_end + LABEL_GAP - 1e-3);
        assert_eq!(
            find("nhs-clinical"),
            find("A. Surveyor"),
            "one value column"
        );
    }

    #[test]
    fn iso_dates_only() {
        assert_eq!(
            leading_iso_date("2024-03-05"),
            Some(DateTime::new(2024).month(3).day(5))
        );
        assert_eq!(
            leading_iso_date("2024-03-05T10:00Z"),
            Some(DateTime::new(2024).month(3).day(5))
        );
        assert_eq!(leading_iso_date("5 March 2024"), None);
        assert_eq!(leading_iso_date("2024-13-05"), None);
        assert_eq!(leading_iso_date("é"), None);
    }

    #[test]
    fn long_tables_continue_with_their_header() {
        let faces = Faces::load().unwrap();
        let rows = (0..200)
            .map(|i| vec![format!("Zone {i}"), "pass".to_string()])
            .collect();
        let report = Report {
            floors: vec![ReportFloor {
                name: "L1".into(),
                zone_table: Table::new(vec!["Zone".into(), "Result".into()], rows),
                ..ReportFloor::default()
            }],
            ..Report::default()
        };
        let pages = lay_out(&report, &[], &faces, &[], &[]);
        // Cover, summary, then the floor spilling over several pages.
        assert!(pages.len() >= 5, "{} pages", pages.len());
        let is_text = |op: &Op, wanted: &str| matches!(op, Op::Text { text, .. } if text == wanted);
        for page in &pages[3..] {
            assert!(page
                .iter()
                .any(|op| is_text(op, "Zone compliance (continued)")));
            assert!(page.iter().any(|op| is_text(op, "Zone")), "header repeated");
        }
        let total = pages.len();
        for (i, page) in pages.iter().enumerate() {
            let wanted = format!("Page {} of {}", i + 1, total);
            assert!(
                page.iter().any(|op| is_text(op, &wanted)),
                "footer on page {}",
                i + 1
            );
        }
        // Nothing but the footer is drawn below the content area.
        let bottom = Paper::A4.size_pt().1 - MARGIN - FOOTER_SPACE;
        for op in pages.iter().flatten() {
            if let Op::Text {
                baseline,
                size,
                text,
                ..
            } = op
            {
                assert!(
                    *baseline - *size <= bottom || text.starts_with("Page "),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn dead_zone_close_ups_three_to_a_row_then_proposed_aps() {
        let faces = Faces::load().unwrap();
        let report = Report {
            floors: vec![ReportFloor {
                name: "L1".into(),
                heatmaps: vec![("map".into(), RgbaImage::new(400, 40))],
                dead_zones: Table::new(vec!["Zone".into()], vec![vec!["Bay 1".into()]]),
                ..ReportFloor::default()
            }],
            ..Report::default()
        };
        let extras = [FloorExtras {
            // The layout reads the pictures' sizes from the prepared images below (a tall
            // one, which must be no taller than its column is wide); these give the captions.
            dead_zone_maps: (0..5)
                .map(|i| (format!("Close-up {i}"), SharedPng::from([])))
                .collect(),
            proposed_aps: Table::new(vec!["AP".into()], vec![vec!["NEW-1".into()]]),
            plan_notes: vec!["Two new access points close every dead zone.".into()],
            plan_map_pngs: vec![("Predicted after".into(), SharedPng::from([]))],
            plan_zones: Table::new(vec!["Zone".into()], vec![vec!["Bay 9".into()]]),
            bill_of_materials: Table::new(vec!["Item".into()], vec![vec!["Mount kit".into()]]),
            charts: vec![],
        }];
        let prepared = |width: u32, height: u32| PictureSize { width, height };
        let mut images = vec![prepared(400, 40)];
        for i in 0..5 {
            images.push(if i == 1 {
                prepared(60, 120)
            } else {
                prepared(100, 100)
            });
        }
        images.push(prepared(300, 30));
        let pages = lay_out(&report, &extras, &faces, &images, &[]);
        let placed: Vec<(usize, f32, f32, f32, f32)> = pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Image { index, x, y, w, h } => Some((*index, *x, *y, *w, *h)),
                _ => None,
            })
            .collect();
        assert_eq!(
            placed.iter().map(|p| p.0).collect::<Vec<_>>(),
            vec![0, 1, 2, 3, 4, 5, 6]
        );
        let column = (Paper::A4.size_pt().0 - 2.0 * MARGIN - 2.0 * 12.0) / 3.0;
        let (a, b, c, d, e) = (placed[1], placed[2], placed[3], placed[4], placed[5]);
        // The first three share a row, left to right, one column apart.
        assert_eq!((a.2, b.2), (c.2, c.2));
        assert!((a.1 - MARGIN).abs() < 1e-3 && (a.3 - column).abs() < 1e-3);
        assert!((c.1 - (MARGIN + 2.0 * (column + 12.0))).abs() < 1e-3);
        // The tall one is scaled to a square's height and centred in its column.
        assert!((b.4 - column).abs() < 1e-3 && (b.3 - column / 2.0).abs() < 1e-3);
        assert!((b.1 - (MARGIN + column + 12.0 + column / 4.0)).abs() < 1e-3);
        // The fourth starts the next row under the first, below the captions.
        assert_eq!(d.1, a.1);
        assert!(d.2 > a.2 + column + CAPTION_SIZE, "{} vs {}", d.2, a.2);
        assert_eq!(e.2, d.2);

        let texts: Vec<(&str, f32)> = pages
            .iter()
            .flatten()
            .filter_map(|op| match op {
                Op::Text { text, baseline, .. } => Some((text.as_str(), *baseline)),
                _ => None,
            })
            .collect();
        let find = |wanted: &str| texts.iter().find(|(t, _)| *t == wanted).map(|(_, y)| *y);
        // Captions sit under their own picture.
        let caption = find("Close-up 0").unwrap();
        assert!(caption > a.2 + column && caption < d.2);
        let heading = find("Proposed access points").unwrap();
        assert!(find("NEW-1").unwrap() > heading);
        assert!(find("Two new access points close every dead zone.").is_some());
        // The plan has its own page: its heading tops a page after the close-ups, and its map,
        // the proposed APs, the zones before/after and the bill of materials follow in order.
        let plan_page = pages
            .iter()
            .position(|p| {
                p.iter()
                    .any(|op| matches!(op, Op::Text { text, .. } if text == "Plan: L1"))
            })
            .unwrap();
        let close_up_page = pages
            .iter()
            .position(|p| p.iter().any(|op| matches!(op, Op::Image { index: 1, .. })))
            .unwrap();
        assert!(plan_page > close_up_page);
        let on_plan_page = |wanted: &str| {
            pages[plan_page].iter().find_map(|op| match op {
                Op::Text { text, baseline, .. } if text == wanted => Some(*baseline),
                _ => None,
            })
        };
        let map_y = pages[plan_page]
            .iter()
            .find_map(|op| match op {
                Op::Image { index: 6, y, .. } => Some(*y),
                _ => None,
            })
            .unwrap();
        let order = [
            on_plan_page("Plan: L1").unwrap(),
            map_y,
            on_plan_page("Proposed access points").unwrap(),
            on_plan_page("Zones before and after the plan").unwrap(),
            on_plan_page("Bay 9").unwrap(),
            on_plan_page("Bill of materials").unwrap(),
            on_plan_page("Mount kit").unwrap(),
        ];
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

        // Without extras, none of it.
        let pages = lay_out(&report, &[], &faces, &images[..1], &[]);
        assert!(!pages
            .iter()
            .flatten()
            .any(|op| matches!(op, Op::Text { text, .. } if text == "Proposed access points")));
        // Notes alone still get the heading; an empty table alone does not.
        let notes_only = [FloorExtras {
            plan_notes: vec!["No access point is needed.".into()],
            ..FloorExtras::default()
        }];
        let has_heading = |extras: &[FloorExtras]| {
            lay_out(&report, extras, &faces, &images[..1], &[])
                .iter()
                .flatten()
                .any(|op| matches!(op, Op::Text { text, .. } if text == "Proposed access points"))
        };
        assert!(has_heading(&notes_only));
        assert!(!has_heading(&[FloorExtras::default()]));
    }
}
