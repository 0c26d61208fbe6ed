//! A plotters backend that records a chart as vector primitives (lines, polygons, circles and
//! text with its font size and anchor resolved), so the PDF draws a chart as vectors and real
//! text (which `pdftotext` reads back and a test can measure), and tests can check where every
//! label went against every curve.

use crate::chart::{draw, register_font};
use crate::text::{em_of_px, text_width, Faces};
use crate::{Chart, RenderError, RenderErrorKind};
use ab_glyph::Font;
use plotters::prelude::*;
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, FontStyle,
    FontTransform,
};

/// One drawing primitive of a chart, in the chart's units (the size it was drawn at), y down.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ChartOp {
    /// An open polyline, stroked.
    Stroke {
        points: Vec<(f32, f32)>,
        width: f32,
        colour: [u8; 3],
        opacity: f32,
    },
    /// A closed polygon, filled.
    Fill {
        points: Vec<(f32, f32)>,
        colour: [u8; 3],
        opacity: f32,
    },
    /// A circle, filled or stroked.
    Circle {
        centre: (f32, f32),
        radius: f32,
        filled: bool,
        width: f32,
        colour: [u8; 3],
        opacity: f32,
    },
    /// Text: its baseline starts at `origin` moved by `offset` along the text's own axes,
    /// which are turned `rotate` degrees clockwise about `origin`.
    Text {
        origin: (f32, f32),
        offset: (f32, f32),
        rotate: f32,
        /// The font size (em), in chart units.
        em: f32,
        bold: bool,
        colour: [u8; 3],
        text: String,
    },
}

/// A text's box: left, top, right, bottom.
#[cfg(test)]
pub(crate) type TextBox = (f32, f32, f32, f32);

impl ChartOp {
    /// For an unrotated text, its box (left, top, right, bottom) from the face's ascent to
    /// its descent; `None` for anything else.
    #[cfg(test)]
    pub fn text_box(&self, faces: &Faces) -> Option<TextBox> {
        let ChartOp::Text {
            origin,
            offset,
            rotate,
            em,
            bold,
            text,
            ..
        } = self
        else {
            return None;
        };
        if *rotate != 0.0 {
            return None;
        }
        let face = if *bold { &faces.bold } else { &faces.regular };
        let units = face.units_per_em().unwrap_or(1000.0);
        let ascent = face.ascent_unscaled() * em / units;
        let descent = -face.descent_unscaled() * em / units;
        let x = origin.0 + offset.0;
        let baseline = origin.1 + offset.1;
        Some((
            x,
            baseline - ascent,
            x + text_width(face, *em, text),
            baseline + descent,
        ))
    }
}

/// The error type of a backend that cannot fail.
#[derive(Debug)]
pub(crate) struct Never;

impl std::fmt::Display for Never {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("never")
    }
}
impl std::error::Error for Never {}

struct Recorder {
    size: (u32, u32),
    faces: Faces,
    /// Shared with [`chart_ops`], which takes them once plotters lets go of the backend.
    ops: std::rc::Rc<std::cell::RefCell<Vec<ChartOp>>>,
}

fn rgb(c: BackendColor) -> [u8; 3] {
    [c.rgb.0, c.rgb.1, c.rgb.2]
}

fn pt(p: BackendCoord) -> (f32, f32) {
    (p.0 as f32, p.1 as f32)
}

impl DrawingBackend for Recorder {
    type ErrorType = Never;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }
    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Never>> {
        Ok(())
    }
    fn present(&mut self) -> Result<(), DrawingErrorKind<Never>> {
        Ok(())
    }
    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Never>> {
        if color.alpha > 0.0 {
            let (x, y) = pt(point);
            self.ops.borrow_mut().push(ChartOp::Fill {
                points: vec![(x, y), (x + 1.0, y), (x + 1.0, y + 1.0), (x, y + 1.0)],
                colour: rgb(color),
                opacity: color.alpha as f32,
            });
        }
        Ok(())
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Never>> {
        self.draw_path([from, to], style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha == 0.0 {
            return Ok(());
        }
        let (l, t) = pt(upper_left);
        let (r, b) = pt(bottom_right);
        if fill {
            // Plotters' rectangles include their last pixel.
            self.ops.borrow_mut().push(ChartOp::Fill {
                points: vec![(l, t), (r + 1.0, t), (r + 1.0, b + 1.0), (l, b + 1.0)],
                colour: rgb(c),
                opacity: c.alpha as f32,
            });
        } else {
            self.ops.borrow_mut().push(ChartOp::Stroke {
                points: vec![(l, t), (r, t), (r, b), (l, b), (l, t)],
                width: style.stroke_width() as f32,
                colour: rgb(c),
                opacity: c.alpha as f32,
            });
        }
        Ok(())
    }
    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        let points: Vec<(f32, f32)> = path.into_iter().map(pt).collect();
        if c.alpha > 0.0 && points.len() >= 2 {
            self.ops.borrow_mut().push(ChartOp::Stroke {
                points,
                width: style.stroke_width() as f32,
                colour: rgb(c),
                opacity: c.alpha as f32,
            });
        }
        Ok(())
    }
    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha > 0.0 {
            self.ops.borrow_mut().push(ChartOp::Circle {
                centre: pt(center),
                radius: radius as f32,
                filled: fill,
                width: style.stroke_width() as f32,
                colour: rgb(c),
                opacity: c.alpha as f32,
            });
        }
        Ok(())
    }
    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        let points: Vec<(f32, f32)> = vert.into_iter().map(pt).collect();
        if c.alpha > 0.0 && points.len() >= 3 {
            self.ops.borrow_mut().push(ChartOp::Fill {
                points,
                colour: rgb(c),
                opacity: c.alpha as f32,
            });
        }
        Ok(())
    }
    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Never>> {
        let c = style.color();
        if c.alpha == 0.0 || text.is_empty() {
            return Ok(());
        }
        let bold = matches!(style.style(), FontStyle::Bold);
        let face = if bold {
            &self.faces.bold
        } else {
            &self.faces.regular
        };
        // Plotters' size is the face's height from descender to ascender (ab_glyph's scale),
        // as the raster backend sets it.
        let size = style.size() as f32;
        let em = em_of_px(face, size);
        let units = face.units_per_em().unwrap_or(1000.0);
        let ascent = face.ascent_unscaled() * em / units;
        let width = text_width(face, em, text);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0.0,
            HPos::Center => -width / 2.0,
            HPos::Right => -width,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => ascent,
            VPos::Center => ascent - size / 2.0,
            VPos::Bottom => ascent - size,
        };
        let rotate = match style.transform() {
            FontTransform::None => 0.0,
            FontTransform::Rotate90 => 90.0,
            FontTransform::Rotate180 => 180.0,
            FontTransform::Rotate270 => 270.0,
        };
        self.ops.borrow_mut().push(ChartOp::Text {
            origin: pt(pos),
            offset: (dx, dy),
            rotate,
            em,
            bold,
            colour: rgb(c),
            text: text.to_string(),
        });
        Ok(())
    }
}

/// The chart drawn at `size` as vector primitives.
pub(crate) fn chart_ops(chart: &Chart, size: (u32, u32)) -> Result<Vec<ChartOp>, RenderError> {
    register_font()?;
    let ops = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let recorder = Recorder {
        size,
        faces: Faces::load()?,
        ops: ops.clone(),
    };
    {
        let root = recorder.into_drawing_area();
        draw(&root, chart, 1.0)?;
        root.present()
            .map_err(|e| RenderError::from(RenderErrorKind::Chart(e.to_string())))?;
    }
    Ok(ops.take())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{place_mark_labels, MarkLabel};
    use crate::{ChartBar, ChartKind, ChartMark, ChartSeries, CHART_SIZE};

    /// A deterministic spread in 0 … 1 from an index (SplitMix64's finaliser).
    fn unit(i: u64) -> f64 {
        let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The three rules of `place_mark_labels`, checked pair by pair.
    fn check_rules(xs: &[f64], labels: &[MarkLabel], gap: f64) -> Result<(), String> {
        for (i, a) in labels.iter().enumerate() {
            for (j, b) in labels.iter().enumerate() {
                if i == j {
                    continue;
                }
                if a.row == b.row && a.left < b.right + gap && b.left < a.right + gap {
                    return Err(format!("labels {i} and {j} overlap on row {}", a.row));
                }
                // b's connector runs from the plot up to b's row, through every lower row.
                let covers = xs[j] >= a.left - gap / 2.0 && xs[j] <= a.right + gap / 2.0;
                if b.row > a.row && covers {
                    return Err(format!("label {i} covers the connector of mark {j}"));
                }
            }
        }
        Ok(())
    }

    #[test]
    fn mark_labels_keep_clear_of_each_other_and_of_connectors() {
        let (left, right, gap) = (14.0, 786.0, 5.0);
        let mut checked = 0;
        for case in 0..2000u64 {
            let n = 1 + (unit(case * 31) * 6.0) as usize;
            // Thresholds crowd together in some cases (within 30 px), spread in others.
            let spread = if case % 3 == 0 { 30.0 } else { 700.0 };
            let start = 80.0 + unit(case * 31 + 1) * (700.0 - spread);
            let xs: Vec<f64> = (0..n)
                .map(|k| start + unit(case * 31 + 2 + k as u64) * spread)
                .collect();
            let widths: Vec<f64> = (0..n)
                .map(|k| 40.0 + unit(case * 31 + 20 + k as u64) * 110.0)
                .collect();
            let labels = place_mark_labels(&xs, &widths, left, right, gap);
            assert_eq!(labels.len(), n);
            for (k, l) in labels.iter().enumerate() {
                assert!(
                    l.left >= left - 1e-9 && l.right <= right + 1e-9,
                    "{case}: {l:?}"
                );
                assert!((l.right - l.left - widths[k]).abs() < 1e-9);
            }
            let all_right = (0..n).all(|k| xs[k] + gap + widths[k] <= right);
            let all_left = (0..n).all(|k| xs[k] - gap - widths[k] >= left);
            if all_right || all_left {
                checked += 1;
                if let Err(e) = check_rules(&xs, &labels, gap) {
                    panic!("case {case}: {e}\n{xs:?}\n{widths:?}\n{labels:?}");
                }
            }
        }
        assert!(checked > 1500, "{checked}");
    }

    fn segment_meets_box(a: (f32, f32), b: (f32, f32), r: TextBox) -> bool {
        // Sampled finely: boxes are several units high, segments are what plotters drew.
        let steps = ((b.0 - a.0).abs().max((b.1 - a.1).abs()).ceil() as usize).max(1) * 2;
        (0..=steps).any(|k| {
            let t = k as f32 / steps as f32;
            let (x, y) = (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t);
            x > r.0 && x < r.2 && y > r.1 && y < r.3
        })
    }

    /// Every unrotated text of `chart` drawn as vectors: no two overlap, none leaves the chart,
    /// and none is crossed by a curve (a series' line) or a mark's line.
    fn assert_legible(chart: &Chart, size: (u32, u32)) {
        let faces = Faces::load().unwrap();
        let ops = chart_ops(chart, size).unwrap();
        let boxes: Vec<(&str, TextBox)> = ops
            .iter()
            .filter_map(|op| match op {
                ChartOp::Text { text, .. } => op.text_box(&faces).map(|b| (text.as_str(), b)),
                _ => None,
            })
            .collect();
        assert!(boxes.len() > 10, "{} texts", boxes.len());
        for (i, (ta, a)) in boxes.iter().enumerate() {
            assert!(
                a.0 >= 0.0 && a.1 >= 0.0 && a.2 <= size.0 as f32 && a.3 <= size.1 as f32,
                "{ta:?} {a:?} leaves the chart"
            );
            for (tb, b) in &boxes[i + 1..] {
                let dx = a.2.min(b.2) - a.0.max(b.0);
                let dy = a.3.min(b.3) - a.1.max(b.1);
                assert!(dx <= 0.5 || dy <= 0.5, "{ta:?} {a:?} overlaps {tb:?} {b:?}");
            }
        }
        let curve_colours: Vec<[u8; 3]> = crate::scale::CATEGORICAL[..4]
            .iter()
            .copied()
            .chain([[190, 30, 45]])
            .collect();
        let mut curves = 0;
        for op in &ops {
            let ChartOp::Stroke {
                points,
                colour,
                width,
                ..
            } = op
            else {
                continue;
            };
            if !curve_colours.contains(colour) {
                continue;
            }
            curves += 1;
            for pair in points.windows(2) {
                for (text, b) in &boxes {
                    assert!(
                        !segment_meets_box(pair[0], pair[1], *b),
                        "a line of width {width} in {colour:?} crosses {text:?} {b:?}"
                    );
                }
            }
        }
        assert!(curves > 0);
    }

    fn cdf(values: Vec<f64>, marks: &[(f64, &str)], title: &str) -> Chart {
        Chart {
            title: title.into(),
            x_label: "Signal (dBm)".into(),
            x_range: (-90.0, -30.0),
            kind: ChartKind::Cdf {
                series: vec![
                    ChartSeries {
                        name: "Primary signal".into(),
                        values: values.clone(),
                    },
                    ChartSeries {
                        name: "Secondary signal".into(),
                        values: values.iter().map(|v| v - 6.0).collect(),
                    },
                ],
                marks: marks
                    .iter()
                    .map(|(v, l)| ChartMark {
                        label: l.to_string(),
                        value: *v,
                    })
                    .collect(),
            },
        }
    }

    #[test]
    fn cdf_labels_never_meet_each_other_or_the_curves() {
        let name = "Acute Medical Unit - Side Room 14 (isolation, negative pres";
        let weak: Vec<f64> = (0..300).map(|i| -89.0 + (i % 7) as f64 * 0.5).collect();
        let strong: Vec<f64> = (0..300).map(|i| -40.0 + (i % 11) as f64).collect();
        let spread: Vec<f64> = (0..300).map(|i| -88.0 + i as f64 * 0.19).collect();
        let cases = [
            // Weak zone: the curves rise at once and run along the top, where a legend in
            // the plot would sit.
            cdf(
                weak,
                &[(-67.0, "primary ≥ −67 dBm"), (-70.0, "secondary ≥ −70 dBm")],
                &format!("{name}: signal over the zone"),
            ),
            // Strong zone, thresholds crowded and one at the axis's end.
            cdf(
                strong,
                &[
                    (-67.0, "primary ≥ −67 dBm"),
                    (-68.0, "secondary ≥ −68 dBm"),
                    (-65.0, "voice ≥ −65 dBm"),
                    (-30.0, "edge ≥ −30 dBm"),
                ],
                "Short title",
            ),
            cdf(
                spread,
                &[(-75.0, "secondary ≥ −75 dBm"), (-67.0, "primary ≥ −67 dBm")],
                &format!("{name} {name}: signal over the zone"),
            ),
        ];
        for chart in &cases {
            assert_legible(chart, CHART_SIZE);
            assert_legible(chart, (640, 400));
        }
    }

    #[test]
    fn bar_names_are_shortened_and_never_overlap() {
        let name = "Acute Medical Unit - Side Room 14 (isolation, negative pres";
        let chart = Chart {
            title: "Level 4: zones below their primary threshold (25 of 60)".into(),
            x_label: "Share of the zone's judged cells below the threshold (%)".into(),
            x_range: (0.0, 100.0),
            kind: ChartKind::Bars {
                rows: (0..25)
                    .map(|i| ChartBar {
                        name: format!("{i:02} {name}"),
                        values: vec![10.0, 5.0 + i as f64, 2.0],
                    })
                    .collect(),
                segments: vec!["up to 5 dB".into(), "5–10 dB".into(), "over 10 dB".into()],
            },
        };
        let size = crate::chart_size(&chart, 640);
        let faces = Faces::load().unwrap();
        let ops = chart_ops(&chart, size).unwrap();
        let names: Vec<&ChartOp> = ops
            .iter()
            .filter(|op| matches!(op, ChartOp::Text { text, .. } if text.ends_with('…')))
            .collect();
        assert_eq!(names.len(), 25, "every long name shortened and shown");
        // Bars carry no curve colours; the texts' own checks still hold.
        let boxes: Vec<(f32, f32, f32, f32)> =
            ops.iter().filter_map(|op| op.text_box(&faces)).collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(a.0 >= 0.0 && a.2 <= size.0 as f32 && a.3 <= size.1 as f32);
            for b in &boxes[i + 1..] {
                let dx = a.2.min(b.2) - a.0.max(b.0);
                let dy = a.3.min(b.3) - a.1.max(b.1);
                assert!(dx <= 0.5 || dy <= 0.5, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn vectors_are_deterministic() {
        let chart = cdf(vec![-70.0, -60.0], &[(-67.0, "primary")], "t");
        assert_eq!(
            chart_ops(&chart, CHART_SIZE).unwrap(),
            chart_ops(&chart, CHART_SIZE).unwrap()
        );
    }
}
