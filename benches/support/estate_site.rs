//! A synthetic hospital estate for the estate benchmark and `examples/estate.rs`: `floors`
//! floors in buildings of five storeys, each the ward block [`dense_floor::HOSPITAL`] (72 m ×
//! 32 m, 57 zones, side rooms behind the rooms, a lead-lined X-ray room, a stair core, no AP of
//! ours in the east wing's last rooms; it hears 588 BSSIDs: ours, the floors above and below,
//! and neighbours'), with one long-form CSV capture of `scans` scans of a surveyor's walk along
//! the corridor and into two rooms of three (`wisp_radio::simulate_walk_in_building`).
//! Deterministic: floor i uses seed i.

#[path = "dense_floor.rs"]
#[allow(dead_code)] // the estate uses the hospital floor, not the dense one
mod dense_floor;

use dense_floor::HOSPITAL;
use std::fmt::Write as _;
use std::path::Path;

const STOREYS: usize = 5;

/// Writes the estate into `dir` (site.toml, plans/, captures/); returns the bytes of captures.
pub fn generate(dir: &Path, floors: usize, scans: usize) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir.join("plans"))?;
    std::fs::create_dir_all(dir.join("captures"))?;
    let plan = dense_floor::plan_png(&HOSPITAL);
    let mut toml = String::from(
        "name = \"Synthetic estate\"\nsurveyor = \"wisp bench\"\n\n[network]\nssids = [\"NHS-Clinical\", \"NHS-Voice\"]\n",
    );
    let mut bytes = 0;
    for i in 0..floors {
        let (building, level) = (i / STOREYS, i % STOREYS);
        std::fs::write(dir.join(format!("plans/floor-{i:03}.png")), &plan)?;
        let samples = dense_floor::survey(&HOSPITAL, scans, i as u64);
        let csv = wisp_ingest::capture::native::long_csv(&samples);
        bytes += csv.len() as u64;
        std::fs::write(dir.join(format!("captures/floor-{i:03}.csv")), csv)?;
        // IDW pinned, as on the dense floor (`dense_floor::generate`): the estate's figures
        // are IDW's, not the default `auto`'s.
        let _ = write!(
            toml,
            "\n[[floors]]\nid = \"B{building}-L{level}\"\nplan = \"plans/floor-{i:03}.png\"\n\
             metres_per_pixel = 0.1\nbuilding = \"Block {building}\"\nlevel = {level}\n\
             height_m = 4.0\ninterpolation = \"idw\"\n"
        );
        dense_floor::floor_toml(&HOSPITAL, &mut toml, &format!("captures/floor-{i:03}.csv"));
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
/// parallel into its report part (pictures spooled to a temporary file beside the manifest),
/// the report laid out. Returns the laid-out report.
pub fn site_report(manifest: &std::path::Path) -> wisp_site::scene::SiteReport {
    use wisp_site::pipeline::{load_site, NoProgress, RunOptions};
    use wisp_site::scene::{report_floors, ReportRequest};
    let site = load_site(manifest).expect("site loads");
    // As the command does: the pictures wait for the PDF in a temporary file beside it.
    let spool = wisp_render::PngSpool::new_in(manifest.parent().expect("site folder"))
        .expect("picture spool");
    let request = ReportRequest {
        plan: None,
        html: false,
        paper: wisp_render::Paper::A4,
        date: "2026-01-01",
        spool: Some(&spool),
        bundle: false,
    };
    let outcomes = report_floors(&site, None, &RunOptions::default(), &NoProgress, &request);
    assert!(
        outcomes.iter().all(|o| o.result.is_ok()),
        "every floor reported"
    );
    wisp_site::scene::site_report(&site, outcomes, &request).expect("report laid out")
}

/// [`site_report`]'s PDF, in memory.
#[allow(dead_code)] // the benches use it; the estate example writes the PDF to disk
pub fn report_pdf(manifest: &std::path::Path) -> Vec<u8> {
    site_report(manifest).pdf().expect("PDF made")
}
