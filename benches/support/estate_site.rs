//! A synthetic hospital estate for the estate benchmark and `examples/estate.rs`: `floors`
//! floors in buildings of five storeys, each 60 m × 24 m (a plan PNG per floor, 600 × 240 px at
//! 0.1 m/px) with a central corridor, twelve rooms behind plasterboard, concrete end walls, six
//! dual-band APs and one long-form CSV capture of `scans` scans made by
//! `wisp_radio::simulate_walk` along a serpentine. Deterministic: floor i uses seed i.

use image::{Rgb, RgbImage};
use imageproc::drawing::draw_line_segment_mut;
use std::fmt::Write as _;
use std::path::Path;
use wisp_model::{AccessPoint, ApRadio, Band, Floor, Material, PlanCalibration, Point, Polygon};
use wisp_radio::{simulate_walk, SimulationParams};

pub const WIDTH_M: f64 = 60.0;
pub const DEPTH_M: f64 = 24.0;
const MPP: f64 = 0.1;
const STOREYS: usize = 5;

fn px(m: f64) -> f64 {
    m / MPP
}

/// Walls as (material, [x0, y0, x1, y1] metres).
fn walls() -> Vec<(&'static str, [f64; 4])> {
    let mut w = vec![
        ("concrete", [0.0, 0.0, 0.0, DEPTH_M]),
        ("concrete", [WIDTH_M, 0.0, WIDTH_M, DEPTH_M]),
        ("brick", [0.0, 0.0, WIDTH_M, 0.0]),
        ("brick", [0.0, DEPTH_M, WIDTH_M, DEPTH_M]),
    ];
    // Corridor walls at y = 10 and y = 14 with 1.2 m doorways into every room.
    for side in [10.0, 14.0] {
        for r in 0..6 {
            let x0 = r as f64 * 10.0;
            w.push(("plasterboard", [x0, side, x0 + 4.4, side]));
            w.push(("plasterboard", [x0 + 5.6, side, x0 + 10.0, side]));
        }
    }
    // Partitions between rooms.
    for r in 1..6 {
        let x = r as f64 * 10.0;
        w.push(("plasterboard", [x, 0.0, x, 10.0]));
        w.push(("plasterboard", [x, 14.0, x, DEPTH_M]));
    }
    w
}

fn zones() -> Vec<(String, &'static str, [f64; 4])> {
    let kinds = [
        "bay",
        "single-room",
        "clinic",
        "office",
        "treatment-room",
        "waiting",
    ];
    let mut z = Vec::new();
    for r in 0..6 {
        let x0 = r as f64 * 10.0;
        z.push((
            format!("North {r}"),
            kinds[r % 6],
            [x0 + 0.5, 0.5, x0 + 9.5, 9.5],
        ));
        z.push((
            format!("South {r}"),
            kinds[(r + 3) % 6],
            [x0 + 0.5, 14.5, x0 + 9.5, 23.5],
        ));
    }
    z.push(("Corridor".into(), "corridor", [0.5, 10.5, 59.5, 13.5]));
    z
}

fn aps() -> Vec<(String, [f64; 2], [u16; 2])> {
    (0..6)
        .map(|i| {
            let x = 5.0 + i as f64 * 10.0;
            let y = if i % 2 == 0 { 5.0 } else { 19.0 };
            (
                format!("AP{i}"),
                [x, y],
                [[1, 6, 11][i % 3], 36 + 4 * i as u16],
            )
        })
        .collect()
}

/// The floor's serpentine walk (`wisp_radio::simulate::serpentine`), `length_m` long.
fn serpentine(length_m: f64) -> Vec<Point> {
    wisp_radio::simulate::serpentine(WIDTH_M, DEPTH_M, length_m)
}

fn model_floor() -> Floor {
    let materials = Material::defaults();
    let m = |n: &str| materials.iter().position(|x| x.name == n).unwrap_or(0);
    Floor {
        id: "F".into(),
        name: "F".into(),
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

fn model_aps() -> Vec<AccessPoint> {
    aps()
        .into_iter()
        .map(|(name, at, ch)| AccessPoint {
            name,
            position: Point::new(at[0], at[1]),
            radios: vec![
                ApRadio {
                    band: Band::G2_4,
                    channel: ch[0],
                    tx_dbm: 14.0,
                },
                ApRadio {
                    band: Band::G5,
                    channel: ch[1],
                    tx_dbm: 17.0,
                },
            ],
            ssids: vec!["NHS-Clinical".into()],
            base_bssid: None,
        })
        .collect()
}

fn plan_png() -> Vec<u8> {
    let mut img = RgbImage::from_pixel(px(WIDTH_M) as u32, px(DEPTH_M) as u32, Rgb([255; 3]));
    for (_, s) in walls() {
        let (a, b) = (
            (
                px(s[0]).min(px(WIDTH_M) - 1.0) as f32,
                px(s[1]).min(px(DEPTH_M) - 1.0) as f32,
            ),
            (
                px(s[2]).min(px(WIDTH_M) - 1.0) as f32,
                px(s[3]).min(px(DEPTH_M) - 1.0) as f32,
            ),
        );
        draw_line_segment_mut(&mut img, a, b, Rgb([30, 30, 30]));
    }
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    png
}

/// Writes the estate into `dir` (site.toml, plans/, captures/); returns the bytes of captures.
pub fn generate(dir: &Path, floors: usize, scans: usize) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir.join("plans"))?;
    std::fs::create_dir_all(dir.join("captures"))?;
    let plan = plan_png();
    let floor = model_floor();
    let model_aps = model_aps();
    let pt = |m: f64, n: f64| format!("[{}, {}]", px(m), px(n));
    let mut toml = String::from("name = \"Synthetic estate\"\nsurveyor = \"wisp bench\"\n");
    let mut bytes = 0;
    for i in 0..floors {
        let (building, level) = (i / STOREYS, i % STOREYS);
        std::fs::write(dir.join(format!("plans/floor-{i:03}.png")), &plan)?;
        let params = SimulationParams {
            seed: i as u64,
            ..Default::default()
        };
        // Mean scan interval 2.5 s at 1 m/s: 2.6 m of walk per scan is enough.
        let mut samples =
            simulate_walk(&floor, &model_aps, &serpentine(2.6 * scans as f64), &params);
        samples.truncate(scans);
        let csv = wisp_ingest::capture::native::long_csv(&samples);
        bytes += csv.len() as u64;
        std::fs::write(dir.join(format!("captures/floor-{i:03}.csv")), csv)?;
        let _ = write!(
            toml,
            "\n[[floors]]\nid = \"B{building}-L{level}\"\nplan = \"plans/floor-{i:03}.png\"\n\
             metres_per_pixel = {MPP}\nbuilding = \"Block {building}\"\nlevel = {level}\n\
             height_m = 4.0\n"
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
        let _ = write!(
            toml,
            "[[floors.captures]]\nfile = \"captures/floor-{i:03}.csv\"\n"
        );
        for (name, at, ch) in aps() {
            let _ = write!(
                toml,
                "[[floors.aps]]\nname = \"{name}\"\nat = {}\nradios = [{{ band = \"2.4\", channel = {}, tx_dbm = 14.0 }}, {{ band = \"5\", channel = {}, tx_dbm = 17.0 }}]\n",
                pt(at[0], at[1]),
                ch[0],
                ch[1]
            );
        }
    }
    std::fs::write(dir.join("site.toml"), toml)?;
    Ok(bytes)
}

/// Writes an estate of `floors` floors into a temporary folder and returns it with the site
/// manifest's path.
#[allow(dead_code)] // the benches use it; the estate example writes into a folder of its choosing
pub fn estate_dir(floors: usize, scans: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temporary folder");
    generate(dir.path(), floors, scans).expect("estate written");
    let manifest = dir.path().join("site.toml");
    (dir, manifest)
}

/// `wisp report SITE` through the library, as the command runs it: every floor analysed in
/// parallel into its report part, the report laid out and the PDF made. Returns the PDF.
pub fn report_pdf(manifest: &std::path::Path) -> Vec<u8> {
    use wisp_site::pipeline::{load_site, NoProgress, RunOptions};
    use wisp_site::scene::{report_floors, site_report, ReportRequest};
    let site = load_site(manifest).expect("site loads");
    let request = ReportRequest {
        plan: None,
        html: false,
        paper: wisp_render::Paper::A4,
        date: "2026-01-01",
    };
    let outcomes = report_floors(&site, None, &RunOptions::default(), &NoProgress, &request);
    assert!(
        outcomes.iter().all(|o| o.result.is_ok()),
        "every floor reported"
    );
    site_report(&site, outcomes, &request)
        .expect("report laid out")
        .pdf()
        .expect("PDF made")
}
