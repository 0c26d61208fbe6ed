//! The messy floor (tests/support/messy.rs) drawn as a heatmap: every label checked against
//! every other, against every AP symbol, the picture's edge and what it names, by brute force.

mod support;

use support::messy::*;
use wisp_model::Point;
use wisp_render::labels::{rect_inside_ring, rect_meets_ring, Rect};
use wisp_render::{
    heatmap_labels, heatmap_svg, walks_of, ColourScale, HeatmapRequest, LabelKind, Palette,
};

fn pixel_ring(m: &Messy, ring: &[Point]) -> Vec<Point> {
    ring.iter()
        .map(|p| m.floor.calibration.to_pixels(*p))
        .collect()
}

#[test]
fn messy_floor_labels_never_overlap_cover_or_leave_the_picture() {
    let m = messy();
    assert!(m.floor.zones.len() >= 60);
    assert!(m.floor.zones.iter().all(|z| z.name.chars().count() == 60));
    let scale = ColourScale::signal(Palette::Survey);
    let walks = walks_of(&m.samples);
    let mut request = HeatmapRequest::new(
        &m.floor,
        &m.plan,
        &m.layer,
        &scale,
        "Riverside General Hospital NHS Foundation Trust — Level 4 — Acute Medical, Paediatrics, \
         Haematology, Maternity — predicted primary signal with the planned access points",
    );
    request.markers = &m.markers;
    request.outlines = &m.outlines;
    request.walks = &walks;
    let labels = heatmap_labels(&request).unwrap();
    let bounds = Rect {
        left: 0.0,
        top: 0.0,
        right: m.plan.width() as f64,
        bottom: m.plan.height() as f64,
    };
    let symbol_radius = (m.plan.width().max(m.plan.height()) as f32 / 70.0).round() * 0.45;
    let symbols: Vec<Rect> = m
        .markers
        .iter()
        .map(|mk| {
            let p = m.floor.calibration.to_pixels(mk.at);
            Rect::centred(p, 2.0 * symbol_radius as f64, 2.0 * symbol_radius as f64)
        })
        .collect();
    for (i, a) in labels.iter().enumerate() {
        assert!(a.rect.within(&bounds), "{:?} leaves the plan", a.lines);
        for b in &labels[i + 1..] {
            assert!(
                !a.rect.overlaps(&b.rect),
                "{:?} overlaps {:?}",
                a.lines,
                b.lines
            );
        }
        for s in &symbols {
            assert!(!a.rect.overlaps(s), "{:?} covers an AP", a.lines);
        }
    }
    // Dead-zone labels sit beside their dead zone, never on it.
    for outline in &m.outlines {
        let label = labels
            .iter()
            .find(|l| l.kind == LabelKind::DeadZone && l.lines == [outline.label.clone()])
            .unwrap_or_else(|| panic!("{} not labelled", outline.label));
        assert!(!rect_meets_ring(
            &label.rect,
            &pixel_ring(&m, &outline.ring)
        ));
    }
    // Every AP is labelled, the three on one spot included.
    assert_eq!(
        labels.iter().filter(|l| l.kind == LabelKind::Ap).count(),
        m.markers.len()
    );
    // Zone names: inside their zone, or outside it on a leader; figures for the README.
    let zone_labels: Vec<_> = labels
        .iter()
        .filter(|l| l.kind == LabelKind::Zone)
        .collect();
    let mut inside = 0;
    for label in &zone_labels {
        let zone = m
            .floor
            .zones
            .iter()
            .find(|z| {
                let ring = pixel_ring(&m, z.polygon.corners());
                label
                    .leader
                    .map_or(rect_inside_ring(&label.rect, &ring), |l| {
                        Rect::centred(l.a, 0.0, 0.0).within(&Rect::bounding(&ring).unwrap())
                    })
            })
            .expect("a zone label belongs to a zone");
        let ring = pixel_ring(&m, zone.polygon.corners());
        if label.leader.is_none() {
            inside += 1;
        } else {
            assert!(!rect_meets_ring(&label.rect, &ring));
        }
    }
    eprintln!(
        "messy floor: {} zones, {} named ({} inside, {} on leaders)",
        m.floor.zones.len(),
        zone_labels.len(),
        inside,
        zone_labels.len() - inside
    );
    // 95 of 109 when last measured; most tiny side rooms lose only to AP labels.
    assert!(zone_labels.len() * 10 >= m.floor.zones.len() * 8);

    let svg = heatmap_svg(&request).unwrap();
    // The long title wraps rather than running off the picture: more than one title line.
    assert!(svg.matches("class=\"title\"").count() >= 2);
}

#[test]
fn walks_and_stop_points_are_separate() {
    let m = messy();
    let walks = walks_of(&m.samples);
    // Twelve walks of 20 scans, forty stop-and-go points of three scans each.
    assert_eq!(walks.len(), 52);
    assert!(walks[..12].iter().all(|w| w.len() == 20));
    assert!(walks[12..]
        .iter()
        .all(|w| w.len() == 3 && w.iter().all(|p| *p == w[0])));
    // Nothing joins two walks: in the SVG, one polyline per walk of 2+ distinct positions
    // (the stop points' polylines have zero length and are drawn as their dots).
    let scale = ColourScale::signal(Palette::Survey);
    let mut request = HeatmapRequest::new(&m.floor, &m.plan, &m.layer, &scale, "walks");
    request.walks = &walks;
    let svg = heatmap_svg(&request).unwrap();
    assert_eq!(svg.matches("<g class=\"walk\">").count(), 52);
}
