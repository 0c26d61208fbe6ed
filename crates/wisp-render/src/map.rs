//! What a map shows and how it looks, shared by the PNG painter ([`crate::heatmap`]), the SVG
//! writer ([`crate::svg`]) and the label placement ([`crate::map_labels`]): the request, its
//! markers and outlines, the map's colours, the sizes derived from the plan, and the plan-metre
//! to picture-pixel geometry of rings.

use crate::ColourScale;
use ab_glyph::PxScale;
use image::RgbaImage;
use wisp_model::{Floor, Grid, PlanCalibration, Point, Sample};

/// Heat-layer opacity over the plan unless the caller asks otherwise: strong enough to read the
/// colour, weak enough to read the room names beneath it.
pub const DEFAULT_OPACITY: f32 = 0.6;

/// Cells marked "not surveyed" are painted this neutral grey at half strength, never a scale
/// colour, so no one reads a guess as a measurement.
pub(crate) const NOT_SURVEYED_GREY: [u8; 3] = [150, 150, 150];
pub(crate) const NOT_SURVEYED_ALPHA: f32 = 0.55;
/// Contour lines: near-black, distinct from every palette colour.
pub(crate) const CONTOUR_COLOUR: [u8; 3] = [25, 25, 25];
/// Dead-zone outlines: magenta, which neither palette uses.
pub(crate) const OUTLINE_COLOUR: [u8; 3] = [200, 0, 160];
/// At-risk outlines: the dead zones' magenta, dotted (2 px on, 4 px off) where dead zones are
/// dashed, so the two read apart even in grey print.
pub(crate) const AT_RISK_DOTS: (f64, f64) = (2.0, 4.0);
pub(crate) const PATH_COLOUR: [u8; 3] = [30, 60, 170];
pub(crate) const MEASURED_AP_COLOUR: [u8; 3] = [20, 20, 20];
pub(crate) const PLANNED_AP_COLOUR: [u8; 3] = [0, 95, 210];
pub(crate) const TEXT_COLOUR: [u8; 3] = [20, 20, 20];
/// Zone outlines and names: a dark slate, quieter than contours and text.
pub(crate) const ZONE_COLOUR: [u8; 3] = [55, 65, 95];

/// What a marker stands for; decides its symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// An access point that exists and was heard: a filled black circle.
    MeasuredAp,
    /// An access point the planner proposes: a filled blue triangle.
    PlannedAp,
}

/// A labelled point on the map, in plan metres.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Where, in plan metres.
    pub at: Point,
    /// Printed beside the symbol; may be empty.
    pub label: String,
    /// Which symbol.
    pub kind: MarkerKind,
}

/// A labelled closed ring on the map (a dead zone), in plan metres; the last corner joins the
/// first implicitly.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    /// Corners in plan metres.
    pub ring: Vec<Point>,
    /// Printed at the ring's centroid; may be empty.
    pub label: String,
}

/// Everything one heatmap shows. The layer is finished: this crate only paints it.
#[derive(Debug, Clone)]
pub struct HeatmapRequest<'a> {
    /// Calibration, plan size and outline come from here.
    pub floor: &'a Floor,
    /// The floor plan, exactly `floor.plan_size_px` in size.
    pub plan: &'a RgbaImage,
    /// Values in the scale's unit; NaN means no value (e.g. outside the floor).
    pub layer: &'a Grid<f32>,
    /// Where the map is judged (the survey reached, or the map is sure without a scan): `false`
    /// cells are painted neutral grey, never a colour.
    pub surveyed: Option<&'a Grid<bool>>,
    /// The fixed colour scale of the layer's metric.
    pub scale: &'a ColourScale,
    /// Alpha of the heat layer over the plan, 0…1; [`DEFAULT_OPACITY`] is usual.
    pub opacity: f32,
    /// Draw a contour line where the layer crosses each of these values.
    pub contours: &'a [f64],
    /// Access points, measured or planned.
    pub markers: &'a [Marker],
    /// Dead zones: dashed magenta rings with their labels.
    pub outlines: &'a [Outline],
    /// At-risk regions (passing, but failing at least 20 % likely): dotted magenta rings,
    /// unlabelled, so they never read as dead zones.
    pub at_risk: &'a [Outline],
    /// Survey walks, each the scan positions of one capture in order: a walk is drawn as a
    /// polyline with a dot per scan, a stop-and-go point (one position) as a dot; nothing joins
    /// one walk to another. May be empty; [`walks_of`] groups a survey's samples.
    pub walks: &'a [Vec<Point>],
    /// Draw the floor's zones: outline and name (inside when it fits, else on a leader line).
    pub zones: bool,
    /// Printed under the plan; may be empty.
    pub title: String,
}

impl<'a> HeatmapRequest<'a> {
    /// A request with [`DEFAULT_OPACITY`], no survey mask, no contours, markers, outlines or
    /// walks, and the floor's zones drawn; set those fields afterwards as needed.
    pub fn new(
        floor: &'a Floor,
        plan: &'a RgbaImage,
        layer: &'a Grid<f32>,
        scale: &'a ColourScale,
        title: impl Into<String>,
    ) -> Self {
        HeatmapRequest {
            floor,
            plan,
            layer,
            surveyed: None,
            scale,
            opacity: DEFAULT_OPACITY,
            contours: &[],
            markers: &[],
            outlines: &[],
            at_risk: &[],
            walks: &[],
            zones: true,
            title: title.into(),
        }
    }
}

/// The survey's walks for [`HeatmapRequest::walks`]: the samples grouped by the capture they
/// came from (their `source` up to the last `:` or `#`, which start the line or scan number),
/// in the order each capture first appears, each in sample order. A stop-and-go capture (all
/// its scans at one spot) is a walk of identical points, drawn as one dot.
pub fn walks_of(samples: &[Sample]) -> Vec<Vec<Point>> {
    let mut captures: Vec<&str> = Vec::new();
    let mut walks: Vec<Vec<Point>> = Vec::new();
    for sample in samples {
        let capture = sample
            .source
            .rsplit_once([':', '#'])
            .map_or(sample.source.as_str(), |(file, _)| file);
        let i = match captures.iter().position(|c| *c == capture) {
            Some(i) => i,
            None => {
                captures.push(capture);
                walks.push(Vec::new());
                walks.len() - 1
            }
        };
        walks[i].push(sample.position());
    }
    walks
}

/// Sizes derived from the plan, so that text stays legible on a 5000-pixel plan and does not
/// swamp a 500-pixel one.
pub(crate) struct Style {
    pub(crate) font_px: f32,
}

impl Style {
    pub(crate) fn for_plan(plan_w: u32, plan_h: u32) -> Style {
        let longest = plan_w.max(plan_h) as f32;
        Style {
            font_px: (longest / 70.0).round().clamp(12.0, 40.0),
        }
    }
    pub(crate) fn text_px(&self) -> PxScale {
        PxScale::from(self.font_px)
    }
    pub(crate) fn title_px(&self) -> PxScale {
        PxScale::from(self.font_px * 1.25)
    }
    pub(crate) fn pad(&self) -> i32 {
        self.font_px.round() as i32
    }
    pub(crate) fn line_height(&self) -> i32 {
        (self.font_px * 1.3).round() as i32
    }
    /// Height of one line of the title.
    pub(crate) fn title_line_height(&self) -> i32 {
        (self.font_px * 1.25 * 1.35) as i32
    }
    /// The band under the plan: the title's lines (at least one), the scale bar with its
    /// label, and padding above and below.
    pub(crate) fn bottom_band_height(&self, title_lines: usize) -> u32 {
        let title = self.title_line_height() * title_lines.max(1) as i32;
        (self.pad() * 2 + title + self.line_height()) as u32
    }
    /// Size of zone names and AP labels: smaller than other map text, as there are many of
    /// them, but not below 11 px.
    pub(crate) fn zone_font_px(&self) -> f32 {
        (self.font_px * 0.7).max(11.0)
    }
    /// Width of zone outlines.
    pub(crate) fn zone_line_px(&self) -> i32 {
        ((self.font_px / 14.0).round() as i32).max(1)
    }
    pub(crate) fn symbol_radius(&self) -> i32 {
        ((self.font_px * 0.45).round() as i32).max(3)
    }
}

/// A ring's corners (metres) in picture pixels.
pub(crate) fn pixel_ring(calibration: PlanCalibration, ring: &[Point]) -> Vec<Point> {
    ring.iter().map(|p| calibration.to_pixels(*p)).collect()
}

/// Area centroid of a ring; the mean of its corners when it has no area; `None` when empty or
/// not finite.
pub(crate) fn ring_centroid(ring: &[Point]) -> Option<Point> {
    if ring.is_empty() {
        return None;
    }
    let n = ring.len();
    let (mut twice_area, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (p, q) = (ring[i], ring[(i + 1) % n]);
        let cross = p.x * q.y - q.x * p.y;
        twice_area += cross;
        cx += (p.x + q.x) * cross;
        cy += (p.y + q.y) * cross;
    }
    let centre = if twice_area.abs() > 1e-12 {
        Point::new(cx / (3.0 * twice_area), cy / (3.0 * twice_area))
    } else {
        let sum = ring.iter().fold(Point::new(0.0, 0.0), |s, p| {
            Point::new(s.x + p.x, s.y + p.y)
        });
        Point::new(sum.x / n as f64, sum.y / n as f64)
    };
    (centre.x.is_finite() && centre.y.is_finite()).then_some(centre)
}
