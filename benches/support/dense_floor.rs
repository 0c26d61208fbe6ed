//! Hospital floors as dense as real ones hear (issue 16), for `examples/dense_floor.rs`, the
//! estate generator (`estate_site.rs`) and the benches that use them.
//!
//! A floor is a ward block ([`Ward`]; a plan PNG at 0.1 m/px): a 3 m corridor along the
//! middle, 4 m side rooms on both sides (single rooms, bays, a clinic, offices), a nurses'
//! station, a lead-lined X-ray room and a stair core with lift-shaft walls. It hears
//! dual-band access points broadcasting several SSIDs on each radio:
//!
//! - ours on this floor (listed in the manifest with their base BSSID), on a grid of five
//!   rows over the rooms and the corridor, none in the east wing's last rooms, so there are
//!   dead zones;
//! - as many on the floor above and below (one slab, 4 m), as `wisp_radio::simulate_walk_in_building`
//!   hears them, broadcasting our SSIDs (the trust's network on the other floors);
//! - neighbours' (shops, the next building), along the outside of the long walls, with their
//!   own SSIDs, heard through the exterior wall and their shop's (modelled as 12 dB less power).
//!
//! [`DENSE`] is the floor: 100 m × 40 m, 78 zones, 200 APs × 5 SSIDs (400 radios,
//! 2,000 BSSIDs), a serpentine walk over the whole floor, 1.5 m between passes, repeated until
//! it holds 2,000 scans. [`HOSPITAL`] is an estate floor as the issue measured them (~70 × 32 m,
//! ~390 scans, 40–60 zones): 72 m × 32 m, 57 zones, 98 APs × 3 SSIDs (588 BSSIDs), and a
//! surveyor's walk along the corridor into two rooms of three. Deterministic: the same seed
//! gives the same bytes.

use image::{Rgb, RgbImage};
use imageproc::drawing::draw_line_segment_mut;
use std::fmt::Write as _;
use std::path::Path;
use wisp_model::{
    AccessPoint, ApRadio, Band, Bssid, Floor, Material, PlanCalibration, Point, Polygon, Sample,
};
use wisp_radio::simulate::{simulate_walk_in_building, Building, ThroughSlabs};
use wisp_radio::SimulationParams;

/// One ward block's shape and what it hears.
pub struct Ward {
    pub width_m: f64,
    pub depth_m: f64,
    /// Corridor between these y (m).
    pub corridor: (f64, f64),
    /// The cross wall between the north rooms and their side rooms.
    pub side_y: f64,
    /// y of the rows of AP positions (rooms, side rooms, corridor, south rooms).
    pub ap_rows: &'static [f64],
    /// Columns of AP positions, 11 m apart from x = 5 m.
    pub ap_columns: usize,
    /// Transmit power of each AP's 2.4 and 5 GHz radio (dBm; neighbours' are 12 dB less).
    pub tx_dbm: (f64, f64),
    /// The 5 GHz channels APs take in turn (2.4 GHz: 1, 6, 11 in turn).
    pub channels_5: &'static [u16],
    /// The floors above and below start this many places further along the channel plans, so
    /// an AP does not share its channel with the one over it (0: the same plan).
    pub floor_shift: usize,
    /// SSIDs on each radio (the first of [`OUR_SSIDS`], or of a neighbour's list).
    pub ssids: usize,
    /// Neighbours' APs along each long wall, 2.5 m apart.
    pub neighbours_per_side: usize,
    pub walk: Walk,
}

/// How the surveyor walks the floor.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Back and forth over the whole floor, 1.5 m between passes (`wisp_radio::simulate::serpentine`).
    Serpentine,
    /// Along the corridor and into two rooms of three on each side, out and back, repeated.
    Rooms,
}

/// The dense floor: 100 m × 40 m, 2,000 BSSIDs.
pub const DENSE: Ward = Ward {
    width_m: 100.0,
    depth_m: 40.0,
    corridor: (18.0, 21.0),
    side_y: 11.0,
    ap_rows: &[5.5, 14.5, 19.5, 26.0, 34.0],
    ap_columns: 8,
    tx_dbm: (14.0, 17.0),
    channels_5: &[36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112],
    floor_shift: 0,
    ssids: 5,
    neighbours_per_side: 40,
    walk: Walk::Serpentine,
};

/// An estate's hospital floor as issue 16 measured them (~70 × 32 m, ~390 scans, 40–60 zones):
/// 72 m × 32 m, 18 rooms a side, 57 zones; 18 APs of ours (in the rooms and the corridor), 36
/// above and below, 44 neighbours' (98 APs, 196 radios, 588 BSSIDs with 3 SSIDs each).
pub const HOSPITAL: Ward = Ward {
    width_m: 72.0,
    depth_m: 32.0,
    corridor: (14.5, 17.5),
    side_y: 9.0,
    ap_rows: &[4.5, 16.0, 27.5],
    ap_columns: 6,
    // 2.4 GHz 8 dB under 5 GHz, as dense designs turn it down to limit co-channel overlap
    // on its three channels (an estimate of common practice).
    tx_dbm: (9.0, 17.0),
    // The 20 MHz channels from 36 to 140 (DFS 52–64 and 100–144, shared/reference.md §4),
    // staggered
    // between floors as designs do.
    channels_5: &[
        36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112, 116, 120, 124, 128, 132, 136, 140,
    ],
    floor_shift: 7,
    ssids: 3,
    neighbours_per_side: 22,
    walk: Walk::Rooms,
};

/// The plan PNG's scale: 0.1 m a pixel.
const MPP: f64 = 0.1;
/// Side rooms are 4 m wide.
const ROOM_M: f64 = 4.0;
const OUR_SSIDS: [&str; 5] = [
    "NHS-Clinical",
    "NHS-Voice",
    "NHS-Guest",
    "eduroam",
    "NHS-IoT",
];

fn px(m: f64) -> f64 {
    m / MPP
}

/// Number of side rooms along one side of the corridor.
fn rooms_per_side(ward: &Ward) -> usize {
    (ward.width_m / ROOM_M).floor() as usize
}

/// Walls as (material, [x0, y0, x1, y1] metres).
fn walls(ward: &Ward) -> Vec<(&'static str, [f64; 4])> {
    let (width, depth, corridor) = (ward.width_m, ward.depth_m, ward.corridor);
    let mut w = vec![
        ("concrete", [0.0, 0.0, 0.0, depth]),
        ("concrete", [width, 0.0, width, depth]),
        ("brick", [0.0, 0.0, width, 0.0]),
        ("brick", [0.0, depth, width, depth]),
    ];
    let n = rooms_per_side(ward);
    // Corridor walls with a 1.2 m doorway into every room (wood doors left open: no wall).
    for side in [corridor.0, corridor.1] {
        for r in 0..n {
            let x0 = r as f64 * ROOM_M;
            w.push(("plasterboard", [x0, side, x0 + 1.4, side]));
            w.push(("plasterboard", [x0 + 2.6, side, x0 + ROOM_M, side]));
        }
    }
    // Partitions between rooms; every third one is block work, the X-ray room (north room 8)
    // is lead-lined, the stair core (south rooms 8 and 9) has lift-shaft walls.
    for r in 1..n {
        let x = r as f64 * ROOM_M;
        let north = match r {
            8 | 9 => "lead",
            _ if r % 3 == 0 => "block",
            _ => "plasterboard",
        };
        let south = match r {
            9 | 10 => "lift-shaft",
            _ if r % 3 == 0 => "block",
            _ => "plasterboard",
        };
        w.push((north, [x, 0.0, x, corridor.0]));
        w.push((south, [x, corridor.1, x, depth]));
    }
    // Side rooms behind the north rooms: a cross wall 9 m from the north wall.
    for r in 0..n {
        let x0 = r as f64 * ROOM_M;
        w.push(("plasterboard", [x0, ward.side_y, x0 + ROOM_M, ward.side_y]));
    }
    w
}

/// Zones as (name, kind, [x0, y0, x1, y1] metres).
fn zones(ward: &Ward) -> Vec<(String, &'static str, [f64; 4])> {
    let (width, depth, corridor) = (ward.width_m, ward.depth_m, ward.corridor);
    let n = rooms_per_side(ward);
    let mut z = Vec::new();
    for r in 0..n {
        let x0 = r as f64 * ROOM_M + 0.2;
        let x1 = (r + 1) as f64 * ROOM_M - 0.2;
        let north_kind = match r {
            8 => "imaging",
            _ if r % 4 == 0 => "bay",
            _ if r % 4 == 1 => "single-room",
            _ if r % 4 == 2 => "clinic",
            _ => "office",
        };
        z.push((
            format!("N{r:02}"),
            north_kind,
            [x0, 0.2, x1, ward.side_y - 0.2],
        ));
        z.push((
            format!("N{r:02} side"),
            "treatment-room",
            [x0, ward.side_y + 0.2, x1, corridor.0 - 0.2],
        ));
        let south_kind = match r {
            9 => "stairs-lift",
            _ if r % 3 == 0 => "single-room",
            _ if r % 3 == 1 => "bay",
            _ => "consulting-room",
        };
        z.push((
            format!("S{r:02}"),
            south_kind,
            [x0, corridor.1 + 0.2, x1, depth - 0.2],
        ));
    }
    z.push((
        "Corridor west".into(),
        "corridor",
        [0.2, corridor.0 + 0.2, 44.0, corridor.1 - 0.2],
    ));
    z.push((
        "Nurses' station".into(),
        "nurses-station",
        [44.0, corridor.0 + 0.2, 52.0, corridor.1 - 0.2],
    ));
    z.push((
        "Corridor east".into(),
        "corridor",
        [52.0, corridor.0 + 0.2, width - 0.2, corridor.1 - 0.2],
    ));
    z
}

/// AP `i` of a set, on the ward's channels from `plan` on (its index in the channel plan).
#[allow(clippy::too_many_arguments)]
fn dual_band(
    ward: &Ward,
    name: String,
    at: Point,
    i: usize,
    plan: usize,
    tx: (f64, f64),
    ssids: &[&str],
    base: [u8; 6],
) -> AccessPoint {
    let mut b = base;
    b[4] = b[4].wrapping_add(i as u8);
    b[3] = b[3].wrapping_add((i >> 8) as u8);
    AccessPoint {
        name,
        position: at,
        radios: vec![
            ApRadio {
                band: Band::G2_4,
                channel: [1, 6, 11][plan % 3],
                tx_dbm: tx.0,
            },
            ApRadio {
                band: Band::G5,
                channel: ward.channels_5[plan % ward.channels_5.len()],
                tx_dbm: tx.1,
            },
        ],
        ssids: ssids.iter().map(|s| s.to_string()).collect(),
        base_bssid: Some(Bssid(b)),
    }
}

/// Positions over the floor, the ward's rows × columns 11 m apart from x = 5 m (rooms and
/// corridor), with none in the east wing's last 12 m: the dead zones. `jitter` shifts each row
/// by its distance from the middle row (the other floors' APs are not above ours).
fn grid_positions(ward: &Ward, jitter: f64) -> Vec<Point> {
    let (columns, rows) = (ward.ap_columns, ward.ap_rows.len());
    let middle = (rows - 1) as f64 / 2.0;
    (0..columns * rows)
        .map(|i| {
            let (col, row) = (i % columns, i / columns);
            Point::new(
                5.0 + col as f64 * 11.0 + jitter * (row as f64 - middle),
                ward.ap_rows[row],
            )
        })
        .collect()
}

/// Our APs on this floor.
pub fn our_aps(ward: &Ward) -> Vec<AccessPoint> {
    grid_positions(ward, 0.0)
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            dual_band(
                ward,
                format!("AP{i:02}"),
                p,
                i,
                i,
                ward.tx_dbm,
                &OUR_SSIDS[..ward.ssids],
                [0x02, 0x1a, 0x10, 0, 0, 0],
            )
        })
        .collect()
}

/// The floor above's and below's APs (one slab each), and the neighbours'.
fn other_aps(ward: &Ward) -> Vec<ThroughSlabs> {
    let mut others = Vec::new();
    for (k, jitter) in [(1u8, 1.3), (2, -1.1)] {
        for (i, p) in grid_positions(ward, jitter).into_iter().enumerate() {
            let ap = dual_band(
                ward,
                format!("L{k}-AP{i:02}"),
                Point::new(p.x + 2.0 * k as f64, p.y),
                i,
                i + k as usize * ward.floor_shift,
                ward.tx_dbm,
                &OUR_SSIDS[..ward.ssids],
                [0x02, 0x1a, 0x10 + k, 0, 0, 0],
            );
            others.push(ThroughSlabs {
                ap,
                slabs: 1,
                height_m: 4.0,
            });
        }
    }
    let neighbour_ssids: [[&str; 5]; 4] = [
        [
            "Cafe-Free",
            "Cafe-Staff",
            "Cafe-Till",
            "Cafe-Guest",
            "Cafe-IoT",
        ],
        ["Uni-Lab", "Uni-Guest", "Uni-Staff", "Uni-IoT", "Uni-Voice"],
        [
            "Pharmacy",
            "Pharm-POS",
            "Pharm-Guest",
            "Pharm-IoT",
            "Pharm-Staff",
        ],
        ["Retail-1", "Retail-2", "Retail-3", "Retail-4", "Retail-5"],
    ];
    let per_side = ward.neighbours_per_side;
    let spacing = ward.width_m / per_side as f64;
    for i in 0..2 * per_side {
        // Along the outside of the north and south walls, 3 m out, evenly spaced.
        let (x, y) = if i < per_side {
            ((i as f64 + 0.5) * spacing, -3.0)
        } else {
            (((i - per_side) as f64 + 0.5) * spacing, ward.depth_m + 3.0)
        };
        let ap = dual_band(
            ward,
            format!("N-AP{i:02}"),
            Point::new(x, y),
            i,
            i,
            (ward.tx_dbm.0 - 12.0, ward.tx_dbm.1 - 12.0),
            &neighbour_ssids[i % 4][..ward.ssids],
            [0x0a, 0x2b, 0x30 + (i % 4) as u8, 0, 0, 0],
        );
        others.push(ThroughSlabs {
            ap,
            slabs: 0,
            height_m: 0.0,
        });
    }
    others
}

fn model_floor(ward: &Ward) -> Floor {
    let materials = Material::defaults();
    let m = |n: &str| materials.iter().position(|x| x.name == n).unwrap_or(0);
    Floor {
        id: "L1".into(),
        name: "L1".into(),
        calibration: PlanCalibration::new(MPP).expect("scale"),
        plan_size_px: (px(ward.width_m) as u32, px(ward.depth_m) as u32),
        outline: Polygon::rectangle(Point::new(0.0, 0.0), Point::new(ward.width_m, ward.depth_m))
            .expect("outline"),
        walls: walls(ward)
            .iter()
            .map(|(mat, s)| wisp_model::Wall {
                segment: wisp_model::Segment::new(Point::new(s[0], s[1]), Point::new(s[2], s[3])),
                material: m(mat),
            })
            .collect(),
        materials,
        zones: vec![],
        aps: vec![],
        walk: None,
        survey_range_m: 5.0,
    }
}

/// The surveyor's path over the floor, at least `length_m` long.
fn walk(ward: &Ward, length_m: f64) -> Vec<Point> {
    match ward.walk {
        Walk::Serpentine => wisp_radio::simulate::serpentine(ward.width_m, ward.depth_m, length_m),
        Walk::Rooms => rooms_walk(ward, length_m),
    }
}

/// Along the corridor's middle, turning into two rooms of three on the way east (north side)
/// and on the way back (south side), to 1.5 m short of each room's far wall, as a surveyor
/// walks a ward; repeated until the path is `length_m` long.
fn rooms_walk(ward: &Ward, length_m: f64) -> Vec<Point> {
    let mid = (ward.corridor.0 + ward.corridor.1) / 2.0;
    let n = rooms_per_side(ward);
    let mut lap = vec![Point::new(1.0, mid)];
    for r in (0..n).filter(|r| r % 3 != 2) {
        let door = r as f64 * ROOM_M + 2.0;
        lap.extend([
            Point::new(door, mid),
            Point::new(door, 1.5),
            Point::new(door, mid),
        ]);
    }
    lap.push(Point::new(ward.width_m - 1.0, mid));
    for r in (0..n).rev().filter(|r| r % 3 != 1) {
        let door = r as f64 * ROOM_M + 2.0;
        lap.extend([
            Point::new(door, mid),
            Point::new(door, ward.depth_m - 1.5),
            Point::new(door, mid),
        ]);
    }
    lap.push(Point::new(1.0, mid));
    let one: f64 = lap.windows(2).map(|w| w[0].distance(w[1])).sum();
    let mut path = lap.clone();
    let mut total = one;
    while total < length_m {
        path.extend(lap.iter().skip(1).copied());
        total += one;
    }
    path
}

/// The floor's `scans` scans, simulated with `seed`.
pub fn survey(ward: &Ward, scans: usize, seed: u64) -> Vec<Sample> {
    let floor = model_floor(ward);
    let slab = Material::defaults()
        .into_iter()
        .find(|m| m.name == "floor-slab")
        .expect("floor-slab is a default material");
    let others = other_aps(ward);
    let params = SimulationParams {
        // Exponent 3.5: the top of the 3.0–3.5 range through wards and offices
        // (shared/reference.md §2). With it a scan hears ~580 of the dense floor's 2,000
        // BSSIDs, of the order of a real walk (the real mall floor's scans hear ~400 of its
        // ~1,550).
        model: wisp_radio::PathLoss {
            exponent: 3.5,
            ..Default::default()
        },
        seed,
        ..Default::default()
    };
    // Mean scan interval 2.5 s at 1 m/s: 2.6 m of walk per scan is enough.
    let mut samples = simulate_walk_in_building(
        &floor,
        &our_aps(ward),
        Building {
            others: &others,
            slab: &slab,
        },
        &walk(ward, 2.6 * scans as f64),
        &params,
    );
    samples.truncate(scans);
    samples
}

pub fn plan_png(ward: &Ward) -> Vec<u8> {
    let (w, h) = (px(ward.width_m) as u32, px(ward.depth_m) as u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb([255; 3]));
    for (_, s) in walls(ward) {
        let clamp = |v: f64, max: u32| px(v).min(max as f64 - 1.0) as f32;
        draw_line_segment_mut(
            &mut img,
            (clamp(s[0], w), clamp(s[1], h)),
            (clamp(s[2], w), clamp(s[3], h)),
            Rgb([30, 30, 30]),
        );
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    png
}

/// The manifest's `[[floors]]` table of one ward floor after its first lines (`id`, `plan`,
/// scale and whatever else the caller writes): walls, zones, the capture `capture` and our APs.
pub fn floor_toml(ward: &Ward, toml: &mut String, capture: &str) {
    let pt = |m: f64, n: f64| format!("[{}, {}]", px(m), px(n));
    for (mat, s) in walls(ward) {
        let _ = write!(
            toml,
            "[[floors.walls]]\nmaterial = \"{mat}\"\npoints = [{}, {}]\n",
            pt(s[0], s[1]),
            pt(s[2], s[3])
        );
    }
    for (name, kind, r) in zones(ward) {
        let _ = write!(
            toml,
            "[[floors.zones]]\nname = \"{name}\"\nkind = \"{kind}\"\npolygon = [{}, {}, {}, {}]\n",
            pt(r[0], r[1]),
            pt(r[2], r[1]),
            pt(r[2], r[3]),
            pt(r[0], r[3])
        );
    }
    let _ = writeln!(toml, "[[floors.captures]]\nfile = \"{capture}\"");
    for ap in our_aps(ward) {
        let _ = write!(
            toml,
            "[[floors.aps]]\nname = \"{}\"\nat = {}\nradios = [{{ band = \"2.4\", channel = {}, tx_dbm = {:.1} }}, {{ band = \"5\", channel = {}, tx_dbm = {:.1} }}]\nssids = [{}]\nbssid = \"{}\"\n",
            ap.name,
            pt(ap.position.x, ap.position.y),
            ap.radios[0].channel,
            ap.radios[0].tx_dbm,
            ap.radios[1].channel,
            ap.radios[1].tx_dbm,
            ap.ssids.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", "),
            ap.base_bssid.expect("base BSSID"),
        );
    }
}

/// Writes the dense floor into `dir` (site.toml, plan.png, walk.csv); returns the survey
/// written.
pub fn generate(dir: &Path, scans: usize, seed: u64) -> std::io::Result<Vec<Sample>> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("plan.png"), plan_png(&DENSE))?;
    let samples = survey(&DENSE, scans, seed);
    std::fs::write(
        dir.join("walk.csv"),
        wisp_ingest::capture::native::long_csv(&samples),
    )?;
    // `interpolation = "idw"` pinned: issue 16's speed figures for this floor are IDW's. The
    // default, `auto`, picks `model` here, whose regression kriging of 400 radios is ~15 s of
    // CPU on its own (README "The default is auto").
    let mut toml = String::from(
        "name = \"Dense ward block\"\nsurveyor = \"wisp bench\"\n\n[network]\nssids = [\"NHS-Clinical\", \"NHS-Voice\"]\n\n\
         [[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.1\n\
         interpolation = \"idw\"\n",
    );
    floor_toml(&DENSE, &mut toml, "walk.csv");
    std::fs::write(dir.join("site.toml"), toml)?;
    Ok(samples)
}
