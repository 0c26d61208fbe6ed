//! A hospital floor as dense as a real one hears (issue 16): 2,000 BSSIDs and 2,000 scans, for
//! `examples/dense_floor.rs` and the `dense` criterion bench.
//!
//! The floor is a 100 m × 40 m ward block (a plan PNG at 0.1 m/px): a 3 m corridor along the
//! middle, 4 m side rooms on both sides (single rooms, bays, a clinic, offices), a nurses'
//! station, a lead-lined X-ray room and a stair core with lift-shaft walls, 78 zones in all.
//! It hears 200 dual-band access points broadcasting 5 SSIDs on each radio (400 radios,
//! 2,000 BSSIDs):
//!
//! - 40 of ours on this floor (listed in the manifest with their base BSSID), mounted in the
//!   corridor and in the rooms, none in the east wing's last rooms, so there are dead zones;
//! - 40 on the floor above and 40 below (one slab, 4 m), as `wisp_radio::simulate_walk_in_building`
//!   hears them, broadcasting our SSIDs (the trust's network on the other floors);
//! - 80 neighbours' (shops, the next building), along the outside of the long walls, with their
//!   own SSIDs, heard through the exterior wall and their shop's (modelled as 12 dB less power).
//!
//! The walk is a serpentine over the whole floor, 1.5 m between passes, repeated until it holds
//! 2,000 scans. Deterministic: the same seed gives the same bytes.

use image::{Rgb, RgbImage};
use imageproc::drawing::draw_line_segment_mut;
use std::fmt::Write as _;
use std::path::Path;
use wisp_model::{
    AccessPoint, ApRadio, Band, Bssid, Floor, Material, PlanCalibration, Point, Polygon, Sample,
};
use wisp_radio::simulate::{simulate_walk_in_building, Building, ThroughSlabs};
use wisp_radio::SimulationParams;

pub const WIDTH_M: f64 = 100.0;
pub const DEPTH_M: f64 = 40.0;
const MPP: f64 = 0.1;
/// Corridor between y = 18 and y = 21 m.
const CORRIDOR: (f64, f64) = (18.0, 21.0);
/// The cross wall between the north rooms and their side rooms.
const SIDE_Y: f64 = 11.0;
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
fn rooms_per_side() -> usize {
    (WIDTH_M / ROOM_M).floor() as usize
}

/// Walls as (material, [x0, y0, x1, y1] metres).
fn walls() -> Vec<(&'static str, [f64; 4])> {
    let mut w = vec![
        ("concrete", [0.0, 0.0, 0.0, DEPTH_M]),
        ("concrete", [WIDTH_M, 0.0, WIDTH_M, DEPTH_M]),
        ("brick", [0.0, 0.0, WIDTH_M, 0.0]),
        ("brick", [0.0, DEPTH_M, WIDTH_M, DEPTH_M]),
    ];
    let n = rooms_per_side();
    // Corridor walls with a 1.2 m doorway into every room (wood doors left open: no wall).
    for side in [CORRIDOR.0, CORRIDOR.1] {
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
        w.push((north, [x, 0.0, x, CORRIDOR.0]));
        w.push((south, [x, CORRIDOR.1, x, DEPTH_M]));
    }
    // Side rooms behind the north rooms: a cross wall 9 m from the north wall.
    for r in 0..n {
        let x0 = r as f64 * ROOM_M;
        w.push(("plasterboard", [x0, SIDE_Y, x0 + ROOM_M, SIDE_Y]));
    }
    w
}

/// Zones as (name, kind, [x0, y0, x1, y1] metres).
fn zones() -> Vec<(String, &'static str, [f64; 4])> {
    let n = rooms_per_side();
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
        z.push((format!("N{r:02}"), north_kind, [x0, 0.2, x1, SIDE_Y - 0.2]));
        z.push((
            format!("N{r:02} side"),
            "treatment-room",
            [x0, SIDE_Y + 0.2, x1, CORRIDOR.0 - 0.2],
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
            [x0, CORRIDOR.1 + 0.2, x1, DEPTH_M - 0.2],
        ));
    }
    z.push((
        "Corridor west".into(),
        "corridor",
        [0.2, CORRIDOR.0 + 0.2, 44.0, CORRIDOR.1 - 0.2],
    ));
    z.push((
        "Nurses' station".into(),
        "nurses-station",
        [44.0, CORRIDOR.0 + 0.2, 52.0, CORRIDOR.1 - 0.2],
    ));
    z.push((
        "Corridor east".into(),
        "corridor",
        [52.0, CORRIDOR.0 + 0.2, WIDTH_M - 0.2, CORRIDOR.1 - 0.2],
    ));
    z
}

fn dual_band(
    name: String,
    at: Point,
    i: usize,
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
                channel: [1, 6, 11][i % 3],
                tx_dbm: tx.0,
            },
            ApRadio {
                band: Band::G5,
                channel: [36, 40, 44, 48, 52, 56, 60, 64, 100, 104, 108, 112][i % 12],
                tx_dbm: tx.1,
            },
        ],
        ssids: ssids.iter().map(|s| s.to_string()).collect(),
        base_bssid: Some(Bssid(b)),
    }
}

/// 40 positions over the floor, 5 rows of 8 (rooms and corridor), with none in the east
/// wing's last 12 m: the dead zones.
fn grid_positions(jitter: f64) -> Vec<Point> {
    let ys = [5.5, 14.5, 19.5, 26.0, 34.0];
    (0..40)
        .map(|i| {
            let (col, row) = (i % 8, i / 8);
            Point::new(
                5.0 + col as f64 * 11.0 + jitter * (row as f64 - 2.0),
                ys[row],
            )
        })
        .collect()
}

/// Our APs on this floor.
pub fn our_aps() -> Vec<AccessPoint> {
    grid_positions(0.0)
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            dual_band(
                format!("AP{i:02}"),
                p,
                i,
                (14.0, 17.0),
                &OUR_SSIDS,
                [0x02, 0x1a, 0x10, 0, 0, 0],
            )
        })
        .collect()
}

/// The floor above's and below's APs (one slab each), and the neighbours'.
fn other_aps() -> Vec<ThroughSlabs> {
    let mut others = Vec::new();
    for (k, jitter) in [(1u8, 1.3), (2, -1.1)] {
        for (i, p) in grid_positions(jitter).into_iter().enumerate() {
            let ap = dual_band(
                format!("L{k}-AP{i:02}"),
                Point::new(p.x + 2.0 * k as f64, p.y),
                i,
                (14.0, 17.0),
                &OUR_SSIDS,
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
    for i in 0..80 {
        // Along the outside of the north and south walls, 3 m out, 2.5 m apart.
        let (x, y) = if i < 40 {
            (1.25 + i as f64 * 2.5, -3.0)
        } else {
            (1.25 + (i - 40) as f64 * 2.5, DEPTH_M + 3.0)
        };
        let ap = dual_band(
            format!("N-AP{i:02}"),
            Point::new(x, y),
            i,
            (14.0 - 12.0, 17.0 - 12.0),
            &neighbour_ssids[i % 4],
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

fn model_floor() -> Floor {
    let materials = Material::defaults();
    let m = |n: &str| materials.iter().position(|x| x.name == n).unwrap_or(0);
    Floor {
        id: "L1".into(),
        name: "L1".into(),
        calibration: PlanCalibration::new(MPP).expect("scale"),
        plan_size_px: (px(WIDTH_M) as u32, px(DEPTH_M) as u32),
        outline: Polygon::rectangle(Point::new(0.0, 0.0), Point::new(WIDTH_M, DEPTH_M))
            .expect("outline"),
        walls: walls()
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

/// The floor's serpentine walk (`wisp_radio::simulate::serpentine`), `length_m` long.
fn serpentine(length_m: f64) -> Vec<Point> {
    wisp_radio::simulate::serpentine(WIDTH_M, DEPTH_M, length_m)
}

/// The floor's `scans` scans, simulated with `seed`.
pub fn survey(scans: usize, seed: u64) -> Vec<Sample> {
    let floor = model_floor();
    let slab = Material::defaults()
        .into_iter()
        .find(|m| m.name == "floor-slab")
        .expect("floor-slab is a default material");
    let others = other_aps();
    let params = SimulationParams {
        // Exponent 3.5: the top of the 3.0–3.5 range through wards and offices
        // (shared/reference.md §2). With it a scan hears ~580 of the floor's 2,000 BSSIDs, of
        // the order of a real walk (the real mall floor's scans hear ~400 of its ~1,550).
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
        &our_aps(),
        Building {
            others: &others,
            slab: &slab,
        },
        &serpentine(2.6 * scans as f64),
        &params,
    );
    samples.truncate(scans);
    samples
}

fn plan_png() -> Vec<u8> {
    let (w, h) = (px(WIDTH_M) as u32, px(DEPTH_M) as u32);
    let mut img = RgbImage::from_pixel(w, h, Rgb([255; 3]));
    for (_, s) in walls() {
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

/// Writes the floor into `dir` (site.toml, plan.png, walk.csv); returns the survey written.
pub fn generate(dir: &Path, scans: usize, seed: u64) -> std::io::Result<Vec<Sample>> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("plan.png"), plan_png())?;
    let samples = survey(scans, seed);
    std::fs::write(
        dir.join("walk.csv"),
        wisp_ingest::capture::native::long_csv(&samples),
    )?;
    let pt = |m: f64, n: f64| format!("[{}, {}]", px(m), px(n));
    let mut toml = String::from(
        "name = \"Dense ward block\"\nsurveyor = \"wisp bench\"\n\n[network]\nssids = [\"NHS-Clinical\", \"NHS-Voice\"]\n\n\
         [[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.1\n",
    );
    for (mat, s) in walls() {
        let _ = write!(
            toml,
            "[[floors.walls]]\nmaterial = \"{mat}\"\npoints = [{}, {}]\n",
            pt(s[0], s[1]),
            pt(s[2], s[3])
        );
    }
    for (name, kind, r) in zones() {
        let _ = write!(
            toml,
            "[[floors.zones]]\nname = \"{name}\"\nkind = \"{kind}\"\npolygon = [{}, {}, {}, {}]\n",
            pt(r[0], r[1]),
            pt(r[2], r[1]),
            pt(r[2], r[3]),
            pt(r[0], r[3])
        );
    }
    toml.push_str("[[floors.captures]]\nfile = \"walk.csv\"\n");
    for ap in our_aps() {
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
    std::fs::write(dir.join("site.toml"), toml)?;
    Ok(samples)
}
