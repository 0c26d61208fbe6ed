//! The truth harness: simulated hospital floors whose true signal is known on every cell, a
//! surveyor's walk through them, and scores of a radio map against that truth.
//!
//! Shared by `tests/truth.rs` (one small case, held to the targets) and `examples/truth.rs`
//! (the full table: every layout, several seeds, every method). Include it with
//! `#[path = "../benches/support/truth.rs"] mod truth;`.
//!
//! **The truth.** Each layout is a `wisp_model::Floor` built here (walls with door leaves as
//! `wood-door` segments, zones, access points). A case draws a walk with
//! `wisp_radio::simulate_walk` under a seed; the true mean signal of every AP at a point is
//! `wisp_radio::simulate::predict` (log-distance with walls) plus that AP's shadow field
//! (`wisp_radio::shadow_of`, the very field the walk sampled), so the scans scatter around the
//! truth by the per-scan noise only. The true primary signal of a cell is the strongest AP there.
//!
//! **The walk** goes along every corridor and into about half of the rooms, as a surveyor with
//! limited time does: rooms not entered are seen only from their doors.
//!
//! **Scores** (over every 0.5 m cell inside the floor outline, whatever the survey range: the
//! map's belief everywhere is what is scored):
//! - dead-zone IoU: cells the map calls dead (primary below [`THRESHOLD_DBM`]) against cells
//!   truly dead, intersection over union;
//! - found: true dead regions (8-connected) of at least [`MIN_REGION_M2`] of which at least half
//!   the area is called dead, over all such regions;
//! - walk-out RMSE: from `wisp_interp::validate` (whole stretches of the walk left out).
//!
//! **The oracle** ([`oracle_map`]) is the best any map could do from the same scans: the true
//! mean of every radio plus its residuals kriged under the true covariance and noise
//! ([`TrueKriging`]). It and the two hybrids that split `model`'s loss ([`TrueTrend`],
//! [`calibrated_trend_true_kriging`]) are scored exactly as the maps are.

#![allow(dead_code)] // each includer uses part of it

use wisp_model::{
    AccessPoint, ApRadio, Band, Floor, Grid, GridGeometry, Material, PlanCalibration, Point,
    Polygon, Sample, Segment, Wall, Zone, ZoneKind,
};
use wisp_radio::{shadow_of, simulate_walk, SimulationParams};

/// The primary criterion scored: −65 dBm, the primary threshold of `nhs-minimum` and
/// `healthcare-voice` (shared/reference.md §1).
pub const THRESHOLD_DBM: f64 = -65.0;
/// True dead regions at least this large are counted as found or missed: 4 m² (issue 14).
pub const MIN_REGION_M2: f64 = 4.0;
/// Analysis cell, as the pipeline's: 0.5 m.
pub const CELL_M: f64 = 0.5;

/// A floor layout with its access points and the surveyor's route.
#[derive(Debug, Clone)]
pub struct Layout {
    pub name: &'static str,
    /// The floor as a manifest would give it: walls, zones, and the APs the manifest places.
    pub floor: Floor,
    /// Every AP that transmits (the manifest's, then any it does not list).
    pub aps: Vec<AccessPoint>,
    pub walk: Vec<Point>,
}

struct Builder {
    materials: Vec<Material>,
    walls: Vec<Wall>,
    zones: Vec<Zone>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            materials: Material::defaults(),
            walls: Vec::new(),
            zones: Vec::new(),
        }
    }

    fn material(&self, name: &str) -> usize {
        self.materials
            .iter()
            .position(|m| m.name == name)
            .expect("a default material")
    }

    fn wall(&mut self, material: &str, a: (f64, f64), b: (f64, f64)) {
        let material = self.material(material);
        self.walls.push(Wall {
            segment: Segment::new(Point::new(a.0, a.1), Point::new(b.0, b.1)),
            material,
        });
    }

    /// A straight wall from `a` to `b` with a door leaf (`wood-door`) of `width` metres centred
    /// `at` metres from `a`.
    fn wall_with_door(
        &mut self,
        material: &str,
        a: (f64, f64),
        b: (f64, f64),
        at: f64,
        width: f64,
    ) {
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let p = |t: f64| (a.0 + (b.0 - a.0) * t / len, a.1 + (b.1 - a.1) * t / len);
        let (d0, d1) = (at - width / 2.0, at + width / 2.0);
        self.wall(material, a, p(d0));
        self.wall("wood-door", p(d0), p(d1));
        self.wall(material, p(d1), b);
    }

    fn zone(&mut self, name: String, kind: ZoneKind, min: (f64, f64), max: (f64, f64)) {
        let polygon =
            Polygon::rectangle(Point::new(min.0, min.1), Point::new(max.0, max.1)).expect("area");
        self.zones.push(Zone {
            name,
            kind,
            polygon,
            profile: kind.default_profile().to_string(),
            no_ap: false,
        });
    }

    fn floor(self, id: &str, w: f64, h: f64, aps: Vec<AccessPoint>) -> Floor {
        Floor {
            id: id.into(),
            name: id.into(),
            calibration: PlanCalibration::new(0.1).expect("positive"),
            plan_size_px: ((w * 10.0).round() as u32, (h * 10.0).round() as u32),
            outline: Polygon::rectangle(Point::new(0.0, 0.0), Point::new(w, h)).expect("area"),
            materials: self.materials,
            walls: self.walls,
            zones: self.zones,
            aps,
            walk: None,
            survey_range_m: 5.0,
        }
    }
}

/// A single-radio 5 GHz AP (`ap_index` picks its BSSID and channel). 14 dBm: a typical
/// hospital setting, a few dB under the regulatory maximum to keep cells small (*estimate*).
fn ap(name: &str, ap_index: u8, at: (f64, f64)) -> AccessPoint {
    const CHANNELS: [u16; 4] = [36, 44, 52, 60];
    AccessPoint {
        name: name.into(),
        position: Point::new(at.0, at.1),
        radios: vec![ApRadio {
            band: Band::G5,
            channel: CHANNELS[ap_index as usize % CHANNELS.len()],
            tx_dbm: 14.0,
        }],
        ssids: vec!["NHS-Clinical".into()],
        base_bssid: Some(wisp_model::Bssid([0x02, 0x1a, 0x14, 0, ap_index, 0])),
    }
}

/// A ward block, 60 m × 22 m: a corridor (y 9–13) between two rows of ten 6 m side rooms behind
/// block walls, each entered by a door; one south room is an X-ray room with lead walls and a
/// lead-lined door. Three APs in the corridor, one in a four-bed bay, and one the manifest does
/// not list (a department's own AP in a north room, to be located).
pub fn ward_block() -> Layout {
    let (w, h, c0, c1) = (60.0, 22.0, 9.0, 13.0);
    let mut b = Builder::new();
    for (a, z) in [((0.0, 0.0), (w, 0.0)), ((0.0, h), (w, h))] {
        b.wall("brick", a, z);
    }
    b.wall("brick", (0.0, 0.0), (0.0, h));
    b.wall("brick", (w, 0.0), (w, h));
    b.zone("Corridor".into(), ZoneKind::Corridor, (0.0, c0), (w, c1));
    for i in 0..10 {
        let x0 = i as f64 * 6.0;
        // North rooms 4 and 5 are one four-bed bay (no partition between them).
        let bay = i == 5;
        if i > 0 && !bay {
            b.wall("block", (x0, 0.0), (x0, c0));
        }
        if i > 0 {
            b.wall("block", (x0, c1), (x0, h));
        }
        if i != 4 && !bay {
            b.zone(
                format!("Side room N{i}"),
                ZoneKind::SingleRoom,
                (x0, 0.0),
                (x0 + 6.0, c0),
            );
        } else if i == 4 {
            b.zone("Bay N4".into(), ZoneKind::Bay, (x0, 0.0), (x0 + 12.0, c0));
        }
        b.wall_with_door("block", (x0, c0), (x0 + 6.0, c0), 3.0, 1.2);
        let xray = i == 7;
        let (mat, kind, name) = if xray {
            ("lead", ZoneKind::Imaging, format!("X-ray S{i}"))
        } else {
            ("block", ZoneKind::SingleRoom, format!("Side room S{i}"))
        };
        if xray {
            // Lead on every side, the door leaf lead-lined too.
            b.wall("lead", (x0, c1), (x0 + 2.4, c1));
            b.wall("lead", (x0 + 2.4, c1), (x0 + 3.6, c1));
            b.wall("lead", (x0 + 3.6, c1), (x0 + 6.0, c1));
            b.wall("lead", (x0 + 0.05, c1), (x0 + 0.05, h));
            b.wall("lead", (x0 + 5.95, c1), (x0 + 5.95, h));
        } else {
            b.wall_with_door(mat, (x0, c1), (x0 + 6.0, c1), 3.0, 1.2);
        }
        b.zone(name, kind, (x0, c1), (x0 + 6.0, h));
    }
    let listed = vec![
        ap("AP-C1", 0, (9.0, 11.0)),
        ap("AP-C2", 1, (33.0, 11.0)),
        ap("AP-C3", 2, (55.0, 11.0)),
        ap("AP-BAY", 3, (30.0, 4.0)),
    ];
    let mut aps = listed.clone();
    aps.push(ap("AP-DEPT", 4, (45.0, 4.5)));
    // The walk: along the corridor, into the even north rooms and the odd south rooms (not the
    // X-ray room), then back along the corridor.
    let mut walk = vec![Point::new(0.8, 11.0)];
    for i in 0..10 {
        let cx = i as f64 * 6.0 + 3.0;
        walk.push(Point::new(cx, 11.0));
        if i % 2 == 0 {
            walk.extend([
                Point::new(cx, 4.5),
                Point::new(cx - 1.5, 2.0),
                Point::new(cx, 11.0),
            ]);
        } else if i != 7 {
            walk.extend([
                Point::new(cx, 17.5),
                Point::new(cx + 1.5, 20.0),
                Point::new(cx, 11.0),
            ]);
        }
    }
    walk.extend([Point::new(59.2, 11.5), Point::new(0.8, 11.5)]);
    Layout {
        name: "ward-block",
        floor: b.floor("WARD", w, h, listed),
        aps,
        walk,
    }
}

/// An outpatient clinic, 48 m × 30 m: twelve 4 m consulting rooms north of a corridor (y 10 to
/// 12.5), a waiting area behind glass with four treatment rooms off it, a spine corridor
/// (x 22–25) with four consulting rooms east of it behind plasterboard, and an office block.
pub fn outpatient_clinic() -> Layout {
    let (w, h) = (48.0, 30.0);
    let mut b = Builder::new();
    b.wall("brick", (0.0, 0.0), (w, 0.0));
    b.wall("brick", (0.0, h), (w, h));
    b.wall("brick", (0.0, 0.0), (0.0, h));
    b.wall("brick", (w, 0.0), (w, h));
    b.zone(
        "Corridor".into(),
        ZoneKind::Corridor,
        (0.0, 10.0),
        (w, 12.5),
    );
    for i in 0..12 {
        let x0 = i as f64 * 4.0;
        if i > 0 {
            b.wall("plasterboard", (x0, 0.0), (x0, 10.0));
        }
        b.wall_with_door("block", (x0, 10.0), (x0 + 4.0, 10.0), 2.0, 1.0);
        b.zone(
            format!("Consulting C{i}"),
            ZoneKind::ConsultingRoom,
            (x0, 0.0),
            (x0 + 4.0, 10.0),
        );
    }
    // Waiting area: glass to the corridor, with a wide opening.
    b.wall("glass", (0.0, 12.5), (9.0, 12.5));
    b.wall("glass", (13.0, 12.5), (22.0, 12.5));
    b.zone(
        "Waiting".into(),
        ZoneKind::Waiting,
        (0.0, 12.5),
        (22.0, 22.0),
    );
    for i in 0..4 {
        let x0 = i as f64 * 5.5;
        if i > 0 {
            b.wall("block", (x0, 22.0), (x0, h));
        }
        b.wall_with_door("block", (x0, 22.0), (x0 + 5.5, 22.0), 2.75, 1.2);
        b.zone(
            format!("Treatment T{i}"),
            ZoneKind::TreatmentRoom,
            (x0, 22.0),
            (x0 + 5.5, h),
        );
    }
    b.wall("block", (22.0, 12.5), (22.0, h));
    b.zone("Spine".into(), ZoneKind::Corridor, (22.0, 12.5), (25.0, h));
    for i in 0..4 {
        let y0 = 12.5 + i as f64 * 4.375;
        if i > 0 {
            b.wall("plasterboard", (25.0, y0), (36.0, y0));
        }
        b.wall_with_door("plasterboard", (25.0, y0), (25.0, y0 + 4.375), 2.2, 1.0);
        b.zone(
            format!("Consulting E{i}"),
            ZoneKind::ConsultingRoom,
            (25.0, y0),
            (36.0, y0 + 4.375),
        );
    }
    b.wall("block", (36.0, 12.5), (36.0, h));
    b.wall_with_door("block", (36.0, 12.5), (w, 12.5), 6.0, 1.2);
    b.zone("Offices".into(), ZoneKind::Office, (36.0, 12.5), (w, h));
    let listed = vec![
        ap("AP-CO1", 0, (8.0, 11.25)),
        ap("AP-CO2", 1, (30.0, 11.25)),
        ap("AP-WAIT", 2, (11.0, 17.0)),
        ap("AP-SPINE", 3, (23.5, 26.0)),
    ];
    let mut aps = listed.clone();
    aps.push(ap("AP-OFFICE", 4, (43.0, 24.0)));
    let mut walk = vec![Point::new(0.8, 11.25)];
    for i in 0..12 {
        let cx = i as f64 * 4.0 + 2.0;
        walk.push(Point::new(cx, 11.25));
        if i % 3 == 0 {
            walk.extend([
                Point::new(cx, 5.0),
                Point::new(cx + 1.0, 2.0),
                Point::new(cx, 11.25),
            ]);
        }
    }
    walk.extend([
        Point::new(42.0, 11.25),
        Point::new(42.0, 20.0),
        Point::new(42.0, 11.25),
    ]);
    walk.extend([Point::new(23.5, 11.25), Point::new(23.5, 29.0)]);
    for i in [0, 2] {
        let cy = 12.5 + i as f64 * 4.375 + 2.2;
        walk.extend([
            Point::new(23.5, cy),
            Point::new(31.0, cy),
            Point::new(23.5, cy),
        ]);
    }
    walk.extend([
        Point::new(23.5, 11.25),
        Point::new(11.0, 11.25),
        Point::new(11.0, 18.0),
    ]);
    walk.extend([
        Point::new(3.0, 18.0),
        Point::new(19.0, 18.0),
        Point::new(8.25, 21.0),
    ]);
    walk.extend([
        Point::new(8.25, 26.0),
        Point::new(8.25, 21.0),
        Point::new(19.25, 21.0),
    ]);
    walk.extend([Point::new(19.25, 26.0), Point::new(19.25, 21.0)]);
    Layout {
        name: "outpatient-clinic",
        floor: b.floor("OPD", w, h, listed),
        aps,
        walk,
    }
}

/// Every layout, in table order.
pub fn layouts() -> Vec<Layout> {
    vec![ward_block(), outpatient_clinic()]
}

/// One layout walked under one seed, with its truth on every cell.
#[derive(Debug, Clone)]
pub struct Case {
    pub layout: Layout,
    pub seed: u64,
    pub params: SimulationParams,
    pub samples: Vec<Sample>,
    pub geometry: GridGeometry,
    /// Inside the floor outline.
    pub inside: Grid<bool>,
    /// True primary signal (dBm): the strongest AP's mean signal plus its shadowing.
    pub truth: Grid<f32>,
}

impl Case {
    pub fn new(layout: &Layout, seed: u64) -> Case {
        let params = SimulationParams {
            seed,
            ..Default::default()
        };
        let floor = &layout.floor;
        let samples = simulate_walk(floor, &layout.aps, &layout.walk, &params);
        let size = floor.size_m();
        let geometry = GridGeometry::covering(Point::new(0.0, 0.0), size, CELL_M).expect("grid");
        let inside = Grid::from_fn(geometry, |r, c| {
            floor.outline.contains(geometry.centre(r, c))
        });
        let shadows: Vec<_> = (0..layout.aps.len())
            .map(|i| shadow_of(&params, i))
            .collect();
        let truth = Grid::from_fn(geometry, |r, c| {
            let p = geometry.centre(r, c);
            true_primary(floor, &layout.aps, &shadows, &params, p) as f32
        });
        Case {
            layout: layout.clone(),
            seed,
            params,
            samples,
            geometry,
            inside,
            truth,
        }
    }

    /// Cells inside the outline truly below the threshold.
    pub fn truly_dead(&self) -> Grid<bool> {
        Grid::from_fn(self.geometry, |r, c| {
            self.inside.values()[(r, c)] && (self.truth.values()[(r, c)] as f64) < THRESHOLD_DBM
        })
    }
}

/// The true primary signal at `p`: the strongest AP's model mean plus its shadow fading.
pub fn true_primary(
    floor: &Floor,
    aps: &[AccessPoint],
    shadows: &[wisp_radio::ShadowField],
    params: &SimulationParams,
    p: Point,
) -> f64 {
    aps.iter()
        .zip(shadows)
        .flat_map(|(a, s)| {
            a.radios.iter().filter_map(move |r| {
                wisp_radio::simulate::predict(&params.model, floor, a, r, p).map(|m| m + s.at(p))
            })
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// How well a map's dead cells match the truth's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeadScore {
    pub iou: f64,
    /// True dead regions of at least [`MIN_REGION_M2`], and how many of them were found.
    pub regions: usize,
    pub found: usize,
    /// Share of the floor truly dead.
    pub true_dead_share: f64,
}

impl DeadScore {
    pub fn found_share(&self) -> f64 {
        if self.regions == 0 {
            1.0
        } else {
            self.found as f64 / self.regions as f64
        }
    }
}

/// The connected regions of `truly_dead` (the case's [`Case::truly_dead`]) of at least
/// [`MIN_REGION_M2`]: the regions the score counts as found or not.
fn big_dead_regions(case: &Case, truly_dead: &Grid<bool>) -> Vec<wisp_coverage::regions::Region> {
    let cells: Vec<(usize, usize)> = truly_dead
        .indexed_iter()
        .filter(|(_, &t)| t)
        .map(|(rc, _)| rc)
        .collect();
    let cell_area = case.geometry.cell_area();
    wisp_coverage::regions::regions(&case.geometry, &cells)
        .into_iter()
        .filter(|r| r.cells.len() as f64 * cell_area >= MIN_REGION_M2)
        .collect()
}

/// Scores `called_dead` (cells a map calls dead) against the case's truth.
pub fn score_dead(case: &Case, called_dead: &Grid<bool>) -> DeadScore {
    let truth = case.truly_dead();
    let (mut both, mut either, mut dead, mut inside) = (0usize, 0usize, 0usize, 0usize);
    for ((r, c), &t) in truth.indexed_iter() {
        if !case.inside.values()[(r, c)] {
            continue;
        }
        inside += 1;
        let m = called_dead.values()[(r, c)];
        both += (t && m) as usize;
        either += (t || m) as usize;
        dead += t as usize;
    }
    let big = big_dead_regions(case, &truth);
    let found = big
        .iter()
        .filter(|r| {
            let hit = r
                .cells
                .iter()
                .filter(|&&rc| called_dead.values()[rc])
                .count();
            2 * hit >= r.cells.len()
        })
        .count();
    DeadScore {
        iou: if either == 0 {
            1.0
        } else {
            both as f64 / either as f64
        },
        regions: big.len(),
        found,
        true_dead_share: dead as f64 / inside.max(1) as f64,
    }
}

/// Cells inside the outline whose `primary` is below the threshold (NaN is not dead).
pub fn below_threshold(case: &Case, primary: &Grid<f32>) -> Grid<bool> {
    Grid::from_fn(case.geometry, |r, c| {
        case.inside.values()[(r, c)] && (primary.values()[(r, c)] as f64) < THRESHOLD_DBM
    })
}

/// RMSE (dB) of `primary` against the truth over the cells inside the outline.
pub fn field_rmse(case: &Case, primary: &Grid<f32>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for ((r, c), &t) in case.truth.indexed_iter() {
        let v = primary.values()[(r, c)];
        if case.inside.values()[(r, c)] && v.is_finite() {
            s += ((v - t) as f64).powi(2);
            n += 1;
        }
    }
    (s / n.max(1) as f64).sqrt()
}

/// A map of the case's primary signal as `wisp check` would build it with `method` (walls-aware
/// for IDW, as the pipeline does on a floor with walls; `model` with the floor's calibration as
/// its trend), with its standard deviation where the method gives one.
pub fn map_primary(case: &Case, method: wisp_model::Method) -> (Grid<f32>, Option<Grid<f32>>) {
    let opts = layer_options(case, method);
    let inside = |r: usize, c: usize| case.inside.values()[(r, c)];
    let trend = (method == wisp_model::Method::Model).then(|| {
        use wisp_interp::TrendFit;
        model_fit(case).fit(&case.samples)
    });
    let (layers, surfaces) = wisp_interp::SignalLayers::build_with(
        &case.samples,
        &case.geometry,
        &inside,
        &opts,
        trend.as_deref(),
    )
    .expect("layers");
    let sd = surfaces.map(|s| wisp_interp::serving_std_dev(&layers, &s));
    (layers.primary, sd)
}

/// The calibration `model` is built on: the floor as the manifest gives it (the APs it lists;
/// the others are located from the walk), default options.
pub fn model_fit(case: &Case) -> wisp_plan::CalibrationFit {
    wisp_plan::CalibrationFit {
        floor: case.layout.floor.clone(),
        options: wisp_plan::CalibrationOptions::default(),
        shared: None,
    }
}

/// The layer options the pipeline uses on the case's floor, with `method`.
pub fn layer_options(case: &Case, method: wisp_model::Method) -> wisp_interp::LayerOptions {
    let floor = &case.layout.floor;
    wisp_interp::LayerOptions {
        survey_range_m: floor.survey_range_m,
        walls: Some(wisp_interp::WallAware {
            walls: floor.walls.clone(),
            materials: floor.materials.clone(),
        }),
        method,
        ..Default::default()
    }
}

/// A true dead region of at least [`MIN_REGION_M2`] that a map missed (less than half of it
/// called dead), and why it may have been missed.
#[derive(Debug, Clone, PartialEq)]
pub struct Missed {
    /// The zone holding most of the region ("-" outside every zone).
    pub zone: String,
    pub area_m2: f64,
    /// Share of the region the map called dead.
    pub called_share: f64,
    /// Whether any scan of the walk lies inside that zone.
    pub walked: bool,
    /// Mean of (map − truth) over the region, dB: how optimistic the map is there.
    pub map_error_db: f64,
    /// Share of the region "at risk" (failing with probability ≥ 20 %: the estimate less than
    /// 0.84 σ above the threshold), when the map gives a deviation.
    pub at_risk_share: Option<f64>,
}

/// The true dead regions of at least [`MIN_REGION_M2`] that `primary` (and its deviation
/// `sd`, if any) misses: where they are and what the map believed there.
pub fn missed_regions(case: &Case, primary: &Grid<f32>, sd: Option<&Grid<f32>>) -> Vec<Missed> {
    missed_regions_called(case, primary, sd, &below_threshold(case, primary))
}

/// [`missed_regions`] where the map calls dead the cells of `called_dead` (the oracle's rule,
/// probability of failing over 0.5, rather than its primary under the threshold).
pub fn missed_regions_called(
    case: &Case,
    primary: &Grid<f32>,
    sd: Option<&Grid<f32>>,
    called_dead: &Grid<bool>,
) -> Vec<Missed> {
    let floor = &case.layout.floor;
    big_dead_regions(case, &case.truly_dead())
        .into_iter()
        .filter_map(|r| {
            let n = r.cells.len() as f64;
            let value = |rc: (usize, usize)| primary.values()[rc] as f64;
            let called = r
                .cells
                .iter()
                .filter(|&&rc| called_dead.values()[rc])
                .count();
            if 2 * called >= r.cells.len() {
                return None;
            }
            let mut votes: Vec<(usize, usize)> = Vec::new();
            for &(row, col) in &r.cells {
                let p = case.geometry.centre(row, col);
                if let Some(z) = floor.zones.iter().position(|z| z.polygon.contains(p)) {
                    match votes.iter_mut().find(|v| v.0 == z) {
                        Some(v) => v.1 += 1,
                        None => votes.push((z, 1)),
                    }
                }
            }
            let zone = votes.iter().max_by_key(|v| v.1).map(|v| &floor.zones[v.0]);
            let walked = zone.is_some_and(|z| {
                case.samples
                    .iter()
                    .any(|s| z.polygon.contains(Point::new(s.x_m, s.y_m)))
            });
            let map_error_db = r
                .cells
                .iter()
                .map(|&rc| value(rc) - case.truth.values()[rc] as f64)
                .sum::<f64>()
                / n;
            let at_risk_share = sd.map(|sd| {
                r.cells
                    .iter()
                    .filter(|&&rc| value(rc) - THRESHOLD_DBM <= 0.84 * sd.values()[rc] as f64)
                    .count() as f64
                    / n
            });
            Some(Missed {
                zone: zone.map_or("-".to_string(), |z| z.name.clone()),
                area_m2: n * case.geometry.cell_area(),
                called_share: called as f64 / n,
                walked,
                map_error_db,
                at_risk_share,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The oracle: the best any map could do from the same scans (issue 14's ceiling).
// ---------------------------------------------------------------------------------------------

/// The true covariance of one AP's shadowing at distance `d`: `σ²·exp(−d²/2L²)` with
/// `L = decorrelation / √2` (`wisp_radio::fading`: the field's covariance over seeds), i.e.
/// `σ²·exp(−d²/D²)` with `D` the decorrelation distance.
pub fn shadow_covariance(params: &SimulationParams, d: f64) -> f64 {
    let dd = params.decorrelation_m.max(1e-9);
    params.shadow_sigma_db.powi(2) * (-(d * d) / (dd * dd)).exp()
}

/// Variance of a reading about the true signal: the scan noise² plus the rounding to whole dB
/// (uniform over ±0.5 dB: 1/12 dB²), as `simulate_walk` draws them.
pub fn reading_nugget(params: &SimulationParams) -> f64 {
    params.scan_noise_db.powi(2) + 1.0 / 12.0
}

/// Whether kriging knows the residual's mean (simple kriging: 0) or estimates a constant one
/// from the data (ordinary kriging, the generalised-least-squares mean).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mean {
    Known,
    Unknown,
}

/// Global kriging (every reading in every estimate) under a Gaussian covariance with a nugget:
/// the best linear predictor of the noise-free field when that covariance is the truth's
/// ([`shadow_covariance`], [`reading_nugget`]).
///
/// Written here rather than reused: `wisp_interp`'s kriging fits an exponential semivariogram
/// over local neighbourhoods (its Cholesky is private to it), and `wisp_plan::linalg::solve`
/// eliminates one right-hand side at a time, where the variance at ~5,000 cells needs one
/// factorisation reused. With `K = C + nugget·I = LLᵀ` and `k` the covariances from a place to
/// the readings: estimate `m + kᵀK⁻¹(r − m)`, variance `σ² − |L⁻¹k|²` (plus
/// `(1 − 1ᵀK⁻¹k)² / 1ᵀK⁻¹1` when the mean `m` is estimated).
#[derive(Debug, Clone)]
pub struct TrueKriging {
    points: Vec<Point>,
    /// Lower Cholesky factor of `K`, row-major.
    chol: Vec<f64>,
    /// `L⁻¹(r − m)`.
    w: Vec<f64>,
    /// `L⁻¹1` (ordinary kriging only).
    u: Vec<f64>,
    mean: f64,
    /// `1ᵀK⁻¹1` (ordinary kriging only).
    one_k_one: f64,
    kind: Mean,
    params: SimulationParams,
}

impl TrueKriging {
    /// Kriging of `values` at `points` with the covariance of `params`' shadowing and `nugget`
    /// on the diagonal. `None` when `K` is not positive definite (a repeated point with no
    /// nugget) or when the mean is unknown and there is no reading.
    pub fn new(
        points: &[Point],
        values: &[f64],
        params: &SimulationParams,
        nugget: f64,
        kind: Mean,
    ) -> Option<TrueKriging> {
        let n = points.len();
        let mut chol = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..=i {
                let mut s = shadow_covariance(params, points[i].distance(points[j]));
                if i == j {
                    s += nugget;
                }
                for k in 0..j {
                    s -= chol[i * n + k] * chol[j * n + k];
                }
                if i == j {
                    if s.is_nan() || s <= 1e-12 * params.shadow_sigma_db.powi(2).max(1e-300) {
                        return None;
                    }
                    chol[i * n + i] = s.sqrt();
                } else {
                    chol[i * n + j] = s / chol[j * n + j];
                }
            }
        }
        let mut k = TrueKriging {
            points: points.to_vec(),
            chol,
            w: Vec::new(),
            u: Vec::new(),
            mean: 0.0,
            one_k_one: 0.0,
            kind,
            params: params.clone(),
        };
        if kind == Mean::Unknown {
            if n == 0 {
                return None;
            }
            k.u = k.forward(&vec![1.0; n]);
            let z = k.forward(values);
            k.one_k_one = k.u.iter().map(|u| u * u).sum();
            k.mean = k.u.iter().zip(&z).map(|(u, z)| u * z).sum::<f64>() / k.one_k_one;
        }
        let centred: Vec<f64> = values.iter().map(|v| v - k.mean).collect();
        k.w = k.forward(&centred);
        Some(k)
    }

    /// `L⁻¹b`.
    fn forward(&self, b: &[f64]) -> Vec<f64> {
        let n = self.points.len();
        let mut x = b.to_vec();
        for i in 0..n {
            let row = &self.chol[i * n..i * n + i];
            let s: f64 = row.iter().zip(&x[..i]).map(|(l, x)| l * x).sum();
            x[i] = (x[i] - s) / self.chol[i * n + i];
        }
        x
    }

    /// The estimate of the noise-free field at `p` and its kriging standard deviation.
    pub fn at(&self, p: Point) -> (f64, f64) {
        let k: Vec<f64> = self
            .points
            .iter()
            .map(|q| shadow_covariance(&self.params, p.distance(*q)))
            .collect();
        let v = self.forward(&k);
        let estimate = self.mean + v.iter().zip(&self.w).map(|(v, w)| v * w).sum::<f64>();
        let mut variance =
            self.params.shadow_sigma_db.powi(2) - v.iter().map(|v| v * v).sum::<f64>();
        if self.kind == Mean::Unknown {
            let one_k_k: f64 = v.iter().zip(&self.u).map(|(v, u)| v * u).sum();
            variance += (1.0 - one_k_k).powi(2) / self.one_k_one;
        }
        (estimate, variance.max(0.0).sqrt())
    }
}

/// A map of every transmitting radio's estimate and deviation per cell, with the primary
/// signal and its probability of failing derived from them.
#[derive(Debug, Clone)]
pub struct RadioEstimates {
    /// Per radio: estimate (dBm) and standard deviation (dB) per cell, NaN outside the floor.
    pub value: Vec<Grid<f32>>,
    pub sd: Vec<Grid<f32>>,
}

impl RadioEstimates {
    /// The strongest radio's estimate per cell, as a map's primary layer.
    pub fn primary(&self) -> Grid<f32> {
        let g = *self.value[0].geometry();
        Grid::from_fn(g, |r, c| {
            self.value
                .iter()
                .map(|v| v.values()[(r, c)])
                .fold(f32::NAN, f32::max)
        })
    }

    /// The deviation of the strongest radio's estimate per cell (as `serving_std_dev`).
    pub fn serving_sd(&self) -> Grid<f32> {
        let g = *self.value[0].geometry();
        Grid::from_fn(g, |r, c| {
            let best = (0..self.value.len())
                .filter(|&i| self.value[i].values()[(r, c)].is_finite())
                .max_by(|&a, &b| {
                    self.value[a].values()[(r, c)].total_cmp(&self.value[b].values()[(r, c)])
                });
            best.map_or(f32::NAN, |i| self.sd[i].values()[(r, c)])
        })
    }

    /// Probability per cell that the primary signal is below [`THRESHOLD_DBM`]: that every
    /// radio is, `Π Φ((T − mᵢ)/σᵢ)`. Exact when the radios' errors are independent Gaussians,
    /// as the oracle's are (independent shadow fields per AP, independent scan noise; one radio
    /// per AP on these floors); an approximation for the hybrids.
    pub fn fail_probability(&self) -> Grid<f32> {
        let g = *self.value[0].geometry();
        Grid::from_fn(g, |r, c| {
            self.value
                .iter()
                .zip(&self.sd)
                .map(|(v, s)| {
                    wisp_coverage::fail_probability(
                        v.values()[(r, c)] as f64,
                        s.values()[(r, c)] as f64,
                        THRESHOLD_DBM,
                    )
                })
                .filter(|p| !p.is_nan())
                .product::<f64>() as f32
        })
    }
}

/// Cells inside the outline more likely than not to fail (`fail` over
/// `wisp_coverage::confidence::DEAD_PROBABILITY`, wisp's rule).
pub fn likely_dead(case: &Case, fail: &Grid<f32>) -> Grid<bool> {
    Grid::from_fn(case.geometry, |r, c| {
        case.inside.values()[(r, c)]
            && fail.values()[(r, c)] as f64 > wisp_coverage::confidence::DEAD_PROBABILITY
    })
}

/// Every transmitting radio of the case, as `(ap index, radio index)`.
fn true_radios(case: &Case) -> Vec<(usize, usize)> {
    case.layout
        .aps
        .iter()
        .enumerate()
        .flat_map(|(a, ap)| (0..ap.radios.len()).map(move |r| (a, r)))
        .collect()
}

/// The true mean signal (no shadowing) of radio `radio` of AP `ap` at `p`, dBm.
pub fn true_mean(case: &Case, (ap, radio): (usize, usize), p: Point) -> f64 {
    let a = &case.layout.aps[ap];
    wisp_radio::simulate::predict(
        &case.params.model,
        &case.layout.floor,
        a,
        &a.radios[radio],
        p,
    )
    .unwrap_or(f64::NAN)
}

/// Every reading of radio `(ap, radio)` in the walk (any of its SSIDs), with where it was taken.
fn readings(case: &Case, (ap, radio): (usize, usize)) -> Vec<(Point, f64)> {
    let a = &case.layout.aps[ap];
    let bssids: Vec<wisp_model::Bssid> = (0..a.ssids.len().max(1))
        .map(|s| wisp_radio::simulate::bssid_for(a, ap, radio, s))
        .collect();
    case.samples
        .iter()
        .flat_map(|s| {
            s.observations
                .iter()
                .filter(|o| bssids.contains(&o.bssid))
                .map(move |o| (Point::new(s.x_m, s.y_m), o.rssi_dbm))
        })
        .collect()
}

/// The oracle map: per transmitting radio, the true mean (the simulation's own prediction: true
/// AP positions, the AP the manifest does not list included, true walls, doors and exponent)
/// plus the simple kriging of its residuals (reading − true mean, at every scan that heard it)
/// under the true covariance with the true nugget. Readings under the sensitivity never appear
/// and the oracle ignores that censoring: it loses the evidence that a radio was weak there,
/// which can only make it worse, never better, than an oracle that used it.
pub fn oracle_map(case: &Case) -> RadioEstimates {
    oracle_map_with(case, &case.params, reading_nugget(&case.params))
}

/// [`oracle_map`] with a given covariance (`params`' shadowing) and nugget.
pub fn oracle_map_with(case: &Case, params: &SimulationParams, nugget: f64) -> RadioEstimates {
    let radios = true_radios(case);
    let mut value = Vec::new();
    let mut sd = Vec::new();
    for &radio in &radios {
        let (points, residuals): (Vec<Point>, Vec<f64>) = readings(case, radio)
            .into_iter()
            .map(|(p, v)| (p, v - true_mean(case, radio, p)))
            .unzip();
        let kriging = TrueKriging::new(&points, &residuals, params, nugget, Mean::Known)
            .expect("a positive nugget keeps the system positive definite");
        let cells = estimate_cells(case, |p| {
            let (e, s) = kriging.at(p);
            (true_mean(case, radio, p) + e, s)
        });
        value.push(cells.0);
        sd.push(cells.1);
    }
    RadioEstimates { value, sd }
}

/// `f(centre)` on every cell inside the floor: (value, deviation) grids, NaN outside.
fn estimate_cells(case: &Case, f: impl Fn(Point) -> (f64, f64)) -> (Grid<f32>, Grid<f32>) {
    let mut value = Grid::from_fn(case.geometry, |_, _| f32::NAN);
    let mut sd = value.clone();
    for ((r, c), &inside) in case.inside.indexed_iter() {
        if inside {
            let (v, s) = f(case.geometry.centre(r, c));
            value.values_mut()[(r, c)] = v as f32;
            sd.values_mut()[(r, c)] = s as f32;
        }
    }
    (value, sd)
}

/// The true mean signal as a `model` trend: hybrid (a), the truth's trend with wisp's own
/// residual kriging.
pub struct TrueTrend {
    /// (the radio's key as wisp groups it, ap index, radio index).
    radios: Vec<(wisp_interp::RadioKey, (usize, usize))>,
    case: Case,
}

impl TrueTrend {
    pub fn new(case: &Case) -> TrueTrend {
        let opts = layer_options(case, wisp_model::Method::Model);
        let radios = true_radios(case)
            .into_iter()
            .map(|(a, r)| {
                let ap = &case.layout.aps[a];
                let radio = &ap.radios[r];
                let bssid = wisp_radio::simulate::bssid_for(ap, a, r, 0);
                let key = wisp_interp::RadioKey {
                    ap: opts.grouping.ap_of(&bssid).0,
                    band: radio.band,
                    channel: radio.channel,
                };
                (key, (a, r))
            })
            .collect();
        TrueTrend {
            radios,
            case: case.clone(),
        }
    }
}

impl wisp_interp::Trend for TrueTrend {
    fn at(&self, radio: &wisp_interp::RadioKey, x: f64, y: f64) -> Option<f64> {
        let (_, r) = self.radios.iter().find(|(k, _)| k == radio)?;
        Some(true_mean(&self.case, *r, Point::new(x, y)))
    }
}

/// `model`'s map of the case with `trend` in place of the calibrated one: the primary layer and
/// its deviation (the serving radio's).
pub fn map_primary_with_trend(
    case: &Case,
    trend: &dyn wisp_interp::Trend,
) -> (Grid<f32>, Option<Grid<f32>>) {
    let opts = layer_options(case, wisp_model::Method::Model);
    let inside = |r: usize, c: usize| case.inside.values()[(r, c)];
    let (layers, surfaces) = wisp_interp::SignalLayers::build_with(
        &case.samples,
        &case.geometry,
        &inside,
        &opts,
        Some(trend),
    )
    .expect("layers");
    let sd = surfaces.map(|s| wisp_interp::serving_std_dev(&layers, &s));
    (layers.primary, sd)
}

/// Hybrid (b): `model`'s calibrated trend with each radio's residuals (reading − trend, at the
/// scans that heard it) kriged under the true covariance and nugget, with an unknown mean
/// (ordinary kriging, as wisp kriges its residuals, since a calibrated trend may be off by a
/// constant). Radios whose AP the calibration did not place have no trend; they keep `model`'s
/// own surface (their raw kriging).
pub fn calibrated_trend_true_kriging(case: &Case) -> RadioEstimates {
    use wisp_interp::TrendFit;
    let opts = layer_options(case, wisp_model::Method::Model);
    let trend = model_fit(case).fit(&case.samples);
    let inside = |r: usize, c: usize| case.inside.values()[(r, c)];
    let fields = wisp_interp::radio_fields(&case.samples, &opts).expect("fields");
    let (_, surfaces) = wisp_interp::SignalLayers::build_with(
        &case.samples,
        &case.geometry,
        &inside,
        &opts,
        Some(trend.as_ref()),
    )
    .expect("layers");
    let surfaces = surfaces.expect("model grids every radio");
    let (mut value, mut sd) = (Vec::new(), Vec::new());
    let nugget = reading_nugget(&case.params);
    for (r, radio) in fields.radios.iter().enumerate() {
        let t = |p: Point| trend.at(&radio.key, p.x, p.y);
        let (points, residuals): (Vec<Point>, Vec<f64>) = (0..fields.points.len())
            .filter(|&s| fields.heard[r][s])
            .filter_map(|s| {
                let q = fields.points[s];
                let p = Point::new(q.x, q.y);
                t(p).map(|m| (p, fields.values[r][s] as f64 - m))
            })
            .unzip();
        let kriging = TrueKriging::new(&points, &residuals, &case.params, nugget, Mean::Unknown);
        match kriging {
            Some(k) => {
                let (v, s) = estimate_cells(case, |p| {
                    let (e, s) = k.at(p);
                    (t(p).unwrap_or(f64::NAN) + e, s)
                });
                value.push(v);
                sd.push(s);
            }
            None => {
                let s = &surfaces[r];
                value.push(s.value.clone());
                sd.push(
                    s.std_dev
                        .clone()
                        .unwrap_or_else(|| Grid::from_fn(case.geometry, |_, _| f32::NAN)),
                );
            }
        }
    }
    RadioEstimates { value, sd }
}
