//! Which labels a heatmap carries and where they go, decided once for the PNG and the SVG.
//!
//! Dead zones are labelled first (what the map is for), then access points, then zone names;
//! [`crate::labels::place_labels`] keeps each off every other label, every AP symbol and the
//! picture's edge. A dead zone's label sits beside it, never on it. A zone name goes inside the
//! zone on one line, or wrapped, when it fits; otherwise beside the zone on a leader line,
//! shortened with an ellipsis as a last resort. A label that fits nowhere is left out.

use crate::labels::{place_labels, Anchor, LabelWish, Rect};
use crate::map::{pixel_ring, HeatmapRequest, Style, OUTLINE_COLOUR, TEXT_COLOUR, ZONE_COLOUR};
use crate::text::{em_of_px, shorten, wrap_text, Faces};
use ab_glyph::{FontRef, PxScale};
use imageproc::drawing::text_size;
use wisp_model::{Point, Segment};

/// Room left around the ink for the one-pixel white halo every map label gets.
const HALO_PX: f64 = 1.0;

/// What a map label names; decides its font and colour, and its SVG class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// A dead zone's outline.
    DeadZone,
    /// An access point's marker.
    Ap,
    /// A zone of the floor.
    Zone,
}

impl LabelKind {
    pub(crate) fn colour(self) -> [u8; 3] {
        match self {
            LabelKind::DeadZone => OUTLINE_COLOUR,
            LabelKind::Ap => TEXT_COLOUR,
            LabelKind::Zone => ZONE_COLOUR,
        }
    }
    pub(crate) fn bold(self) -> bool {
        !matches!(self, LabelKind::Zone)
    }
    pub(crate) fn class(self) -> &'static str {
        match self {
            LabelKind::DeadZone => "dead-zone-label",
            LabelKind::Ap => "ap-label",
            LabelKind::Zone => "zone-label",
        }
    }
    fn font_px(self, style: &Style) -> f32 {
        match self {
            LabelKind::Zone | LabelKind::Ap => style.zone_font_px(),
            LabelKind::DeadZone => style.font_px,
        }
    }
}

/// One placed label: its lines, set top-down from `rect`'s top-left (inside the halo margin).
#[derive(Debug, Clone, PartialEq)]
pub struct MapLabel {
    /// What it names.
    pub kind: LabelKind,
    /// Its text, line by line (wrapped or shortened from the name as it had to be).
    pub lines: Vec<String>,
    /// The box the placer reserved, halo included, in picture pixels.
    pub rect: Rect,
    /// Text size (imageproc's pixel scale).
    pub font_px: f32,
    /// Distance between the tops of successive lines.
    pub line_height: f64,
    /// From the thing named to the label, when the label is away from it.
    pub leader: Option<Segment>,
}

impl MapLabel {
    /// Top-left corner of line `i`'s text.
    pub(crate) fn line_origin(&self, i: usize) -> (f64, f64) {
        (
            self.rect.left + HALO_PX,
            self.rect.top + HALO_PX + i as f64 * self.line_height,
        )
    }
}

/// A label's possible texts (preferred first), each as its lines.
struct Wanted {
    kind: LabelKind,
    anchor: Anchor,
    variants: Vec<Vec<String>>,
}

/// The labels of a heatmap as [`crate::heatmap_image`] and [`crate::heatmap_svg`] draw them:
/// every label that found a place, with its box and leader. For checks and tests.
pub fn heatmap_labels(request: &HeatmapRequest) -> Result<Vec<MapLabel>, crate::RenderError> {
    let faces = Faces::load()?;
    let (plan_w, plan_h) = request.plan.dimensions();
    Ok(map_labels(
        request,
        &faces,
        &Style::for_plan(plan_w, plan_h),
    ))
}

/// The labels of `request`, placed. Deterministic: the same request gives the same labels.
pub(crate) fn map_labels(request: &HeatmapRequest, faces: &Faces, style: &Style) -> Vec<MapLabel> {
    let calibration = request.floor.calibration;
    let (plan_w, plan_h) = request.plan.dimensions();
    let bounds = Rect {
        left: 0.0,
        top: 0.0,
        right: plan_w as f64,
        bottom: plan_h as f64,
    };
    let mut wanted = Vec::new();
    for outline in request.outlines {
        let finite = outline
            .ring
            .iter()
            .all(|p| p.x.is_finite() && p.y.is_finite());
        if outline.label.trim().is_empty() || outline.ring.is_empty() || !finite {
            continue;
        }
        wanted.push(Wanted {
            kind: LabelKind::DeadZone,
            anchor: Anchor::Area {
                ring: pixel_ring(calibration, &outline.ring),
                inside: false,
            },
            variants: vec![vec![outline.label.clone()]],
        });
    }
    let radius = style.symbol_radius() as f64 + 2.0;
    // Every symbol is an obstacle, labelled or not.
    for marker in request.markers {
        let at = calibration.to_pixels(marker.at);
        if !(at.x.is_finite() && at.y.is_finite()) {
            continue;
        }
        let at = Point::new(at.x.round(), at.y.round());
        wanted.push(Wanted {
            kind: LabelKind::Ap,
            anchor: Anchor::Symbol {
                symbol: Rect::centred(at, 2.0 * radius, 2.0 * radius),
            },
            variants: if marker.label.trim().is_empty() {
                Vec::new()
            } else {
                vec![vec![marker.label.clone()]]
            },
        });
    }
    if request.zones {
        let font = &faces.regular;
        let px = style.zone_font_px();
        let em = em_of_px(font, px);
        // Largest zones first: they claim their own interiors before small rooms' leader
        // labels can take the space.
        let mut order: Vec<usize> = (0..request.floor.zones.len()).collect();
        order.sort_by(|&a, &b| {
            let area = |i: usize| request.floor.zones[i].polygon.area();
            area(b).total_cmp(&area(a)).then(a.cmp(&b))
        });
        for zone in order.into_iter().map(|i| &request.floor.zones[i]) {
            let name = zone.name.trim();
            if name.is_empty() {
                continue;
            }
            let ring = pixel_ring(calibration, zone.polygon.corners());
            let zone_w = Rect::bounding(&ring).map_or(0.0, |r| r.width()) as f32 * 0.9;
            // Inside: one line, or wrapped to the zone's width. Outside on a leader: wrapped to
            // a readable width. Last resorts, shortened with an ellipsis to either width, so
            // long names still say which room they are.
            let readable = px * 12.0;
            let mut variants = vec![vec![name.to_string()]];
            let mut add = |lines: Vec<String>| {
                if !lines.is_empty() && lines.len() <= 6 && !variants.contains(&lines) {
                    variants.push(lines);
                }
            };
            add(wrap_text(font, em, zone_w, name));
            add(wrap_text(font, em, readable, name));
            add(vec![shorten(font, em, zone_w, name)]);
            add(vec![shorten(font, em, readable, name)]);
            wanted.push(Wanted {
                kind: LabelKind::Zone,
                anchor: Anchor::Area { ring, inside: true },
                variants,
            });
        }
    }

    let sized: Vec<(Vec<(f64, f64)>, f64)> = wanted
        .iter()
        .map(|w| {
            let kind_px = w.kind.font_px(style);
            let font = font_of(faces, w.kind);
            let line_height = (kind_px as f64 * 1.2).ceil();
            let sizes = w
                .variants
                .iter()
                .map(|lines| {
                    let width = lines
                        .iter()
                        .map(|l| text_size(PxScale::from(kind_px), font, l).0)
                        .max()
                        .unwrap_or(0) as f64;
                    (
                        width + 2.0 * HALO_PX,
                        lines.len() as f64 * line_height + 2.0 * HALO_PX,
                    )
                })
                .collect();
            (sizes, line_height)
        })
        .collect();
    let wishes: Vec<LabelWish> = wanted
        .iter()
        .zip(&sized)
        .map(|(w, (sizes, _))| LabelWish {
            anchor: w.anchor.clone(),
            sizes: sizes.clone(),
        })
        .collect();
    let gap = (style.font_px as f64 * 0.25).max(2.0);
    place_labels(&wishes, bounds, gap)
        .into_iter()
        .zip(wanted)
        .zip(sized)
        .filter_map(|((placement, w), (_, line_height))| {
            let p = placement?;
            Some(MapLabel {
                kind: w.kind,
                lines: w.variants[p.size].clone(),
                rect: p.rect,
                font_px: w.kind.font_px(style),
                line_height,
                leader: p.leader,
            })
        })
        .collect()
}

pub(crate) fn font_of(faces: &Faces, kind: LabelKind) -> &FontRef<'static> {
    if kind.bold() {
        &faces.bold
    } else {
        &faces.regular
    }
}
