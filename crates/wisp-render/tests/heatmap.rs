mod support;

use support::*;
use wisp_model::{Grid, Point};
use wisp_render::{
    heatmap_image, heatmap_png, ColourScale, HeatmapRequest, Marker, MarkerKind, Outline, Palette,
    RenderErrorKind,
};

fn rgb(image: &image::RgbaImage, x: u32, y: u32) -> [i32; 3] {
    let p = image.get_pixel(x, y).0;
    [p[0] as i32, p[1] as i32, p[2] as i32]
}

#[test]
fn strong_left_is_green_weak_right_is_red() {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let scale = ColourScale::signal(Palette::Survey);
    let image = heatmap_image(&HeatmapRequest::new(
        &floor,
        &plan,
        &layer,
        &scale,
        "Primary signal",
    ))
    .unwrap();
    // Well inside each half, away from the boundary at x = 100 px and off the plan's wall lines.
    for (x, y) in [(40, 40), (60, 60), (80, 30)] {
        let [r, g, _] = rgb(&image, x, y);
        assert!(
            g > r + 20,
            "pixel ({x},{y}) should be green, got r={r} g={g}"
        );
    }
    for (x, y) in [(130, 40), (160, 60), (170, 30)] {
        let [r, g, _] = rgb(&image, x, y);
        assert!(r > g + 20, "pixel ({x},{y}) should be red, got r={r} g={g}");
    }
}

#[test]
fn outside_the_outline_the_plan_is_untouched() {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let scale = ColourScale::signal(Palette::Survey);
    let image = heatmap_image(&HeatmapRequest::new(&floor, &plan, &layer, &scale, "t")).unwrap();
    let mut outside = 0;
    let mut inside_changed = 0;
    for y in 0..PLAN_H {
        for x in 0..PLAN_W {
            if floor.outline.contains(centre_m(x, y)) {
                inside_changed += (image.get_pixel(x, y) != plan.get_pixel(x, y)) as usize;
            } else {
                outside += 1;
                assert_eq!(
                    image.get_pixel(x, y),
                    plan.get_pixel(x, y),
                    "pixel ({x},{y}) outside the outline"
                );
            }
        }
    }
    assert!(outside > 4000);
    assert!(
        inside_changed > 10_000,
        "the layer must actually be painted inside"
    );
    // The picture is bigger than the plan: legend to the right, title and scale bar below.
    assert!(image.width() > PLAN_W && image.height() > PLAN_H);
}

#[test]
fn not_surveyed_cells_are_neutral_grey() {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    // The top three metres were never walked.
    let surveyed = Grid::from_fn(geometry(), |row, _| row >= 3);
    let scale = ColourScale::signal(Palette::Survey);
    let mut request = HeatmapRequest::new(&floor, &plan, &layer, &scale, "t");
    request.surveyed = Some(&surveyed);
    let image = heatmap_image(&request).unwrap();
    for (x, y) in [(40, 15), (60, 22), (150, 15)] {
        let [r, g, b] = rgb(&image, x, y);
        assert!(
            r == g && g == b,
            "pixel ({x},{y}) should be grey, got {r},{g},{b}"
        );
    }
    let [r, g, _] = rgb(&image, 40, 60);
    assert!(g > r + 20, "surveyed cells keep their colour");
}

#[test]
fn all_nan_layer_renders_grey_plan_without_colour() {
    let (floor, plan) = (floor(), plan());
    let layer = Grid::filled(geometry(), f32::NAN);
    let scale = ColourScale::snr(Palette::Cividis);
    let mut request = HeatmapRequest::new(&floor, &plan, &layer, &scale, "Nothing");
    request.contours = &[20.0];
    let image = heatmap_image(&request).unwrap();
    for (x, y) in [(40, 40), (150, 60)] {
        let [r, g, b] = rgb(&image, x, y);
        assert!(
            r == g && g == b,
            "no value means no colour, got {r},{g},{b}"
        );
    }
}

#[test]
fn contour_line_follows_the_crossing() {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let scale = ColourScale::signal(Palette::Survey);
    let mut request = HeatmapRequest::new(&floor, &plan, &layer, &scale, "t");
    request.contours = &[-65.0];
    let image = heatmap_image(&request).unwrap();
    let dark = |x: u32, y: u32| rgb(&image, x, y) == [25, 25, 25];
    // −40 at the centre 9.5 m and −85 at 10.5 m cross −65 at about 10.06 m, i.e. pixel 100.
    for y in [30, 40, 60, 70] {
        let hits: Vec<u32> = (90..111).filter(|x| dark(*x, y)).collect();
        assert!(
            !hits.is_empty() && hits.iter().all(|x| (98..=103).contains(x)),
            "row {y}: {hits:?}"
        );
        assert!(!dark(50, y) && !dark(150, y));
    }
}

#[test]
fn rendering_twice_gives_identical_png_bytes() {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let surveyed = Grid::from_fn(geometry(), |row, col| row + col > 4);
    let scale = ColourScale::signal(Palette::Survey).with_title("Primary signal");
    let markers = [
        Marker {
            at: Point::new(5.0, 5.0),
            label: "AP-1".into(),
            kind: MarkerKind::MeasuredAp,
        },
        Marker {
            at: Point::new(15.0, 5.0),
            label: "New AP".into(),
            kind: MarkerKind::PlannedAp,
        },
    ];
    let outlines = [Outline {
        ring: vec![
            Point::new(12.0, 2.0),
            Point::new(16.0, 2.0),
            Point::new(16.0, 6.0),
            Point::new(12.0, 6.0),
        ],
        label: "DZ-1".into(),
    }];
    let walks = [
        vec![
            Point::new(3.0, 3.0),
            Point::new(8.0, 4.0),
            Point::new(14.0, 7.0),
        ],
        vec![Point::new(5.0, 8.0)],
    ];
    let mut request = HeatmapRequest::new(
        &floor,
        &plan,
        &layer,
        &scale,
        "Level 1 — primary signal, 5 GHz",
    );
    request.surveyed = Some(&surveyed);
    request.contours = &[-65.0, -70.0];
    request.markers = &markers;
    request.outlines = &outlines;
    request.walks = &walks;
    let first = heatmap_png(&request).unwrap();
    let second = heatmap_png(&request).unwrap();
    assert!(first.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(first, second);
    let decoded = image::load_from_memory(&first).unwrap().to_rgba8();
    assert_eq!(decoded, heatmap_image(&request).unwrap());
}

#[test]
fn hostile_geometry_neither_panics_nor_hangs() {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let scale = ColourScale::signal(Palette::Survey);
    let far = Point::new(1e12, -1e12);
    let nan = Point::new(f64::NAN, 1.0);
    let markers = [
        Marker {
            at: far,
            label: "far".into(),
            kind: MarkerKind::PlannedAp,
        },
        Marker {
            at: nan,
            label: String::new(),
            kind: MarkerKind::MeasuredAp,
        },
        Marker {
            at: Point::new(19.9, 9.9),
            label: "edge label that runs off the plan".into(),
            kind: MarkerKind::PlannedAp,
        },
    ];
    let outlines = [
        Outline {
            ring: vec![],
            label: "empty".into(),
        },
        Outline {
            ring: vec![Point::new(5.0, 5.0)],
            label: "point".into(),
        },
        Outline {
            ring: vec![Point::new(-1e12, 5.0), Point::new(1e12, 5.0)],
            label: "line".into(),
        },
        Outline {
            ring: vec![nan, far, Point::new(1.0, 1.0)],
            label: "bad".into(),
        },
    ];
    let walks = [
        vec![far, nan, Point::new(1.0, 1.0), Point::new(-1e15, 1e15)],
        vec![nan],
        vec![],
    ];
    let mut request = HeatmapRequest::new(&floor, &plan, &layer, &scale, "");
    request.markers = &markers;
    request.outlines = &outlines;
    request.walks = &walks;
    request.contours = &[f64::NAN, f64::INFINITY, -65.0];
    request.opacity = f32::NAN;
    assert!(heatmap_png(&request).is_ok());
}

#[test]
fn empty_plan_renders_legend_only() {
    let mut floor = floor();
    floor.plan_size_px = (0, 0);
    let plan = image::RgbaImage::new(0, 0);
    let layer = split_layer();
    let scale = ColourScale::signal(Palette::Survey);
    let image = heatmap_image(&HeatmapRequest::new(&floor, &plan, &layer, &scale, "t")).unwrap();
    assert!(image.width() > 0 && image.height() > 0);
}

#[test]
fn mismatched_plan_and_bad_scale_are_errors() {
    let (floor, layer) = (floor(), split_layer());
    let small_plan = image::RgbaImage::new(100, 50);
    let scale = ColourScale::signal(Palette::Survey);
    let err = heatmap_image(&HeatmapRequest::new(
        &floor,
        &small_plan,
        &layer,
        &scale,
        "t",
    ))
    .unwrap_err();
    assert!(matches!(err.kind(), RenderErrorKind::PlanSize { .. }));
    assert!(err.to_string().contains("100×50"), "{err}");

    let plan = plan();
    let flat = ColourScale {
        min: -50.0,
        max: -50.0,
        ..ColourScale::signal(Palette::Survey)
    };
    let err = heatmap_image(&HeatmapRequest::new(&floor, &plan, &layer, &flat, "t")).unwrap_err();
    assert!(matches!(err.kind(), RenderErrorKind::Scale { .. }));
}

#[test]
fn a_hatched_category_is_striped_and_a_plain_one_is_not() {
    let (floor, plan) = (floor(), plan());
    // 25 categories: the 25th shares the first's colour and is told apart by its hatching.
    let scale =
        ColourScale::categorical("Channel", "", (0..25).map(|i| format!("ch {i}")).collect());
    let colours_in = |value: f32| {
        let layer = Grid::filled(geometry(), value);
        let mut request = HeatmapRequest::new(&floor, &plan, &layer, &scale, "t");
        request.opacity = 1.0;
        let image = heatmap_image(&request).unwrap();
        // A patch inside the outline, clear of the plan's dark lines.
        let mut seen = std::collections::BTreeSet::new();
        for y in 30..45 {
            for x in 30..45 {
                seen.insert(rgb(&image, x, y));
            }
        }
        seen
    };
    assert_eq!(colours_in(0.0).len(), 1);
    let hatched = colours_in(24.0);
    assert_eq!(hatched.len(), 2, "{hatched:?}");
    assert!(hatched.contains(&[0xe6, 0x9f, 0x00]));
}

#[test]
fn at_risk_regions_are_dotted_where_dead_zones_are_dashed() {
    let (floor, plan, layer) = (floor(), plan(), split_layer());
    let scale = ColourScale::signal(Palette::Survey);
    // 10 px per metre: the ring's top side runs along pixel row 20 from x = 120 to 160.
    let ring = [Outline {
        ring: vec![
            Point::new(12.0, 2.0),
            Point::new(16.0, 2.0),
            Point::new(16.0, 6.0),
            Point::new(12.0, 6.0),
        ],
        label: String::new(),
    }];
    let magenta = |p: &image::Rgba<u8>| {
        let [r, g, b, _] = p.0;
        (r as i32 - 200).abs() < 30 && g < 60 && (b as i32 - 160).abs() < 40
    };
    // (magenta pixels, longest run) on the most magenta of rows 19..=21 between the corners.
    let runs = |image: &image::RgbaImage| {
        (19..=21)
            .map(|y| {
                let (mut n, mut run, mut longest) = (0, 0, 0);
                for x in 123..158 {
                    if magenta(image.get_pixel(x, y)) {
                        n += 1;
                        run += 1;
                        longest = longest.max(run);
                    } else {
                        run = 0;
                    }
                }
                (n, longest)
            })
            .max()
            .unwrap()
    };
    let mut request = HeatmapRequest::new(&floor, &plan, &layer, &scale, "t");
    let bare = heatmap_image(&request).unwrap();
    assert_eq!(runs(&bare).0, 0);
    request.at_risk = &ring;
    let dotted = heatmap_image(&request).unwrap();
    let (n, longest) = runs(&dotted);
    assert!(
        n >= 8 && longest <= 3,
        "at risk: {n} px, runs up to {longest}"
    );
    request.at_risk = &[];
    request.outlines = &ring;
    let dashed = heatmap_image(&request).unwrap();
    let (n, longest) = runs(&dashed);
    assert!(n >= 8 && longest >= 4, "dead: {n} px, runs up to {longest}");
}
