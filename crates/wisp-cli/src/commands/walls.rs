//! `wisp walls`: a floor's walls by material, or (`--detect`) a draft of the walls found in the
//! plan drawing, written as manifest TOML for the user to correct.

use crate::{CliError, ExitCode};
use std::fmt::Write as _;
use std::path::PathBuf;
use wisp_ingest::plan::wall_detect::{
    agreement, detect_floor_walls, DetectedWall, DetectionStats, StrokeKind, WallDetectOptions,
};
use wisp_model::words::count;
use wisp_model::{Band, Floor};
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site (site.toml or its folder).
    site: PathBuf,
    /// The floor (needed when the site has more than one).
    #[arg(long)]
    floor: Option<String>,
    /// Find walls in the plan image (dark, long, straight strokes) and write them to --out.
    #[arg(long, requires = "out")]
    detect: bool,
    /// Where --detect writes the walls found, as `[[floors.walls]]` TOML.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Material given to thin solid walls (partitions).
    #[arg(long, default_value = "plasterboard")]
    material: String,
    /// Material given to solid walls at least --thick-from-m thick (masonry).
    #[arg(long, default_value = "brick")]
    thick_material: String,
    /// Thickness from which a solid wall counts as masonry, metres (0.2: a plasterboard stud
    /// partition is 0.1–0.15 m, a brick or block wall 0.2 m and more).
    #[arg(long, default_value_t = 0.2)]
    thick_from_m: f64,
    /// Material given to double lines (windows, glazed screens).
    #[arg(long, default_value = "glass")]
    glass_material: String,
    /// Darkness limit: pixels of luminance below this (0–255) are ink.
    #[arg(long, default_value_t = WallDetectOptions::DEFAULT_INK_BELOW)]
    ink_below: u8,
    /// Shortest wall kept, metres.
    #[arg(long, default_value_t = WallDetectOptions::DEFAULT_MIN_LENGTH_M)]
    min_length_m: f64,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = pipeline::load_site(&a.site)?;
    let floor = pipeline::pick_floor(&site, a.floor.as_deref())?;
    let Some(out) = a.out.as_ref().filter(|_| a.detect) else {
        print_walls(&floor.floor);
        return Ok(ExitCode::Ok);
    };
    for m in [&a.material, &a.thick_material, &a.glass_material] {
        if !floor.floor.materials.iter().any(|x| &x.name == m) {
            return Err(CliError::input(format!(
                "unknown material '{m}' (known on floor {}: {})",
                floor.floor.id,
                material_names(&floor.floor)
            )));
        }
    }
    if !(a.thick_from_m.is_finite() && a.thick_from_m > 0.0) {
        return Err(CliError::input("--thick-from-m must be a number > 0"));
    }
    if !(a.min_length_m.is_finite() && a.min_length_m > 0.0) {
        return Err(CliError::input("--min-length-m must be a number > 0"));
    }
    let cal = &floor.floor.calibration;
    let mut opts = WallDetectOptions::for_scale(cal.metres_per_pixel());
    opts.ink_below = a.ink_below;
    opts.min_length_px = (a.min_length_m / cal.metres_per_pixel()).round().max(2.0) as u32;
    let (walls, stats) =
        detect_floor_walls(&floor.plan_path, &floor.floor, Some(&opts)).map_err(CliError::from)?;
    let material = |w: &DetectedWall| match w.kind {
        StrokeKind::DoubleLine => &a.glass_material,
        StrokeKind::Solid if w.thickness_px * cal.metres_per_pixel() >= a.thick_from_m => {
            &a.thick_material
        }
        StrokeKind::Solid => &a.material,
    };
    let toml = walls_toml(floor, &walls, &stats, &material, &a);
    super::write_output(out, toml.as_bytes())?;

    let total_m: f64 = walls
        .iter()
        .map(|w| w.length_px() * cal.metres_per_pixel())
        .sum();
    println!(
        "floor {}: {} found, {:.1} m, written to {}",
        floor.floor.id,
        count(walls.len(), "wall", "walls"),
        total_m,
        out.display()
    );
    println!("  {}", not_walls(&stats));
    if !floor.floor.walls.is_empty() {
        let found: Vec<_> = walls.iter().map(|w| w.segment_m(cal)).collect();
        let known: Vec<_> = floor.floor.walls.iter().map(|w| w.segment).collect();
        let agree = agreement(&found, &known, AGREEMENT_TOLERANCE_M, 0.05);
        println!(
            "  against the manifest's {} (within {AGREEMENT_TOLERANCE_M} m): {:.0} % of their \
             length found, {:.0} % of what was found is a manifest wall",
            count(known.len(), "wall", "walls"),
            100.0 * agree.found,
            100.0 * agree.correct
        );
    }
    Ok(ExitCode::Ok)
}

/// How near a found wall must lie to a manifest wall to count as the same: 0.3 m, about the
/// thickness of an external wall, so a centre line drawn anywhere within the band agrees.
const AGREEMENT_TOLERANCE_M: f64 = 0.3;

fn material_names(floor: &Floor) -> String {
    floor
        .materials
        .iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn not_walls(stats: &DetectionStats) -> String {
    format!(
        "not taken as walls: {} thin lines, {} filled areas, {} short strokes, {} irregular \
         strokes (lettering, symbols), {} outside the outline",
        stats.thin_lines, stats.filled_areas, stats.short, stats.irregular, stats.outside
    )
}

/// The manifest TOML for the walls found: a header saying what it is and how to use it, then
/// one `[[floors.walls]]` per wall with its length and thickness in a comment.
fn walls_toml<'a>(
    floor: &wisp_ingest::SiteFloor,
    walls: &[DetectedWall],
    stats: &DetectionStats,
    material: &dyn Fn(&DetectedWall) -> &'a String,
    a: &'a Args,
) -> String {
    let mpp = floor.floor.calibration.metres_per_pixel();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Walls found in {} (floor {}) by `wisp walls --detect`: a DRAFT.",
        floor.plan_path.file_name().map_or_else(
            || floor.plan_path.display().to_string(),
            |n| n.to_string_lossy().into_owned()
        ),
        floor.floor.id
    );
    let _ = writeln!(
        t,
        "# Check each wall against the drawing and correct its material, then paste these\n\
         # entries under the [[floors]] table of floor {} in site.toml. Points are plan pixels.\n\
         # Materials are guesses from how each wall is drawn: solid bands at least {} m thick →\n\
         # {}, thinner solid bands → {}, double lines (windows, glazed screens) → {}.\n\
         # Only horizontal and vertical walls are detected: trace diagonal ones by hand.\n\
         # {}.",
        floor.floor.id,
        a.thick_from_m,
        a.thick_material,
        a.material,
        a.glass_material,
        not_walls(stats)
    );
    for w in walls {
        let kind = match w.kind {
            StrokeKind::Solid => "solid",
            StrokeKind::DoubleLine => "double line",
        };
        let _ = writeln!(
            t,
            "\n[[floors.walls]]  # {:.2} m long, {:.2} m thick, {kind}\nmaterial = \"{}\"\npoints = [[{}, {}], [{}, {}]]",
            w.length_px() * mpp,
            w.thickness_px * mpp,
            material(w),
            w.from_px.0,
            w.from_px.1,
            w.to_px.0,
            w.to_px.1
        );
    }
    t
}

/// The manifest's walls of a floor, by material: how many, how long, and what each crossing
/// costs per band.
fn print_walls(floor: &Floor) {
    println!(
        "floor {}: {} (run with --detect --out FILE to find walls in the plan image)",
        floor.id,
        count(floor.walls.len(), "wall", "walls")
    );
    println!(
        "{:<16} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "material", "walls", "length m", "2.4 GHz", "5 GHz", "6 GHz"
    );
    for (i, m) in floor.materials.iter().enumerate() {
        let of: Vec<_> = floor.walls.iter().filter(|w| w.material == i).collect();
        if of.is_empty() {
            continue;
        }
        let length: f64 = of.iter().map(|w| w.segment.length()).sum();
        let loss = |b: Band| {
            m.loss_db
                .get(&b)
                .map_or("–".to_string(), |d| format!("{d} dB"))
        };
        println!(
            "{:<16} {:>6} {:>9.1} {:>9} {:>9} {:>9}",
            m.name,
            of.len(),
            length,
            loss(Band::G2_4),
            loss(Band::G5),
            loss(Band::G6)
        );
    }
}
