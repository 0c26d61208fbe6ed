//! `wisp merge`: shard bundles (from `wisp report --shard` or `wisp check --shard`) back into one
//! report, one check JSON and check's exit code.
//!
//! A bundle is a folder: `bundle.json` (site, shard, per floor its zone results with dead zones,
//! notes and the names of its files, or why it failed) beside each floor's heatmap PNGs and zone
//! table CSV. `bundle.json` is written last, so a folder holding one is complete.

use crate::check::SiteCheck;
use crate::pipeline::Shard;
use crate::report::{FloorPart, SiteFacts};
use crate::{Error, ExitCode};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use wisp_coverage::ZoneResult;

/// The bundle file's name inside a bundle folder.
pub const BUNDLE_FILE: &str = "bundle.json";
const FORMAT: &str = "wisp-shard";
const VERSION: u32 = 1;
/// Largest bundle.json read (bytes).
const MAX_BUNDLE_BYTES: u64 = 256 << 20;
/// Largest heatmap PNG read from a bundle (bytes).
const MAX_PNG_BYTES: u64 = 64 << 20;

#[derive(Debug, Serialize, Deserialize)]
struct Bundle {
    format: String,
    version: u32,
    site: String,
    surveyor: Option<String>,
    shard: String,
    floors_total: usize,
    profiles: Vec<(String, String)>,
    sources: Vec<String>,
    floors: Vec<BundleFloor>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BundleFloor {
    index: usize,
    id: String,
    name: String,
    scans: usize,
    /// The interpolation method used (and why).
    #[serde(default)]
    method: String,
    /// Secondary and tertiary signal are approximate (unidentified radios in the survey). Absent
    /// from bundles written before it existed: false.
    #[serde(default)]
    ranks_approximate: bool,
    /// The plan's scale (for the merged check JSON's `centroid_px`). Absent from bundles written
    /// before it existed: then no pixel positions.
    #[serde(default)]
    calibration: Option<wisp_model::PlanCalibration>,
    /// Each zone's result, through `ZoneResult`'s own serde (NaN as `null`).
    zones: Vec<ZoneResult>,
    notes: Vec<String>,
    heatmaps: Vec<BundleImage>,
    /// The zone table as CSV (file name inside the bundle).
    table: Option<String>,
    error: Option<BundleError>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BundleImage {
    caption: String,
    file: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct BundleError {
    message: String,
    exit_code: i32,
}

fn code_of(code: i32) -> ExitCode {
    if code == ExitCode::OutputFailed as i32 {
        ExitCode::OutputFailed
    } else {
        ExitCode::BadInput
    }
}

fn error_of(message: &str, code: ExitCode) -> Error {
    match code {
        ExitCode::OutputFailed => Error::output(message),
        _ => Error::input(message),
    }
}

/// Writes a shard's bundle into the folder `dir` (created if needed): each floor's heatmap PNGs
/// and zone table CSV, then `bundle.json`.
pub fn write_bundle(
    dir: &Path,
    facts: &SiteFacts,
    parts: &[FloorPart],
    shard: Shard,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::output(format!("{}: cannot create folder: {e}", dir.display())))?;
    let mut floors = Vec::new();
    for p in parts {
        let mut heatmaps = Vec::new();
        for (k, (caption, png)) in p.heatmaps.iter().enumerate() {
            let file = format!("floor-{:04}-{}.png", p.index, k + 1);
            crate::write_output(&dir.join(&file), &png.bytes()?)?;
            heatmaps.push(BundleImage {
                caption: caption.clone(),
                file,
            });
        }
        let table = if p.error.is_none() {
            let file = format!("floor-{:04}-zones.csv", p.index);
            let one = SiteCheck {
                floors: vec![(p.id.clone(), p.analysis())],
                failed: Vec::new(),
            };
            crate::write_output(&dir.join(&file), crate::check::zone_csv(&one).as_bytes())?;
            Some(file)
        } else {
            None
        };
        floors.push(BundleFloor {
            index: p.index,
            id: p.id.clone(),
            name: p.name.clone(),
            scans: p.scans,
            method: p.method.clone(),
            ranks_approximate: p.ranks_approximate,
            calibration: p.calibration,
            zones: p.zones.clone(),
            notes: p.notes.clone(),
            heatmaps,
            table,
            error: p.error.as_ref().map(|(message, code)| BundleError {
                message: message.clone(),
                exit_code: *code as i32,
            }),
        });
    }
    let bundle = Bundle {
        format: FORMAT.into(),
        version: VERSION,
        site: facts.name.clone(),
        surveyor: facts.surveyor.clone(),
        shard: shard.to_string(),
        floors_total: facts.floors_total,
        profiles: facts.profiles.clone(),
        sources: facts.sources.clone(),
        floors,
    };
    let json = serde_json::to_string_pretty(&bundle)
        .map_err(|e| Error::output(format!("{}: {e}", dir.display())))?;
    crate::write_output(&dir.join(BUNDLE_FILE), json.as_bytes())
}

/// A plain file name inside the bundle folder: no separators, no `..`.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\', '\0'])
        && !name.contains(':')
}

/// Reads a bundle (its folder, or its bundle.json).
fn read_bundle(path: &Path) -> Result<(Bundle, Vec<FloorPart>), Error> {
    let (dir, file) = if path.is_dir() {
        (path.to_path_buf(), path.join(BUNDLE_FILE))
    } else {
        (
            path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            path.to_path_buf(),
        )
    };
    let bytes = wisp_ingest::read_limited(&file, MAX_BUNDLE_BYTES)?;
    let mut bundle: Bundle = serde_json::from_slice(&bytes).map_err(|e| {
        wisp_ingest::IngestError::syntax(format!("not a wisp shard bundle: {e}"))
            .at(&file)
            .line(e.line())
    })?;
    let bad = |m: String| Error::input(format!("{}: {m}", file.display()));
    if bundle.format != FORMAT || bundle.version != VERSION {
        return Err(bad(format!(
            "format '{}' version {}: expected '{FORMAT}' version {VERSION}",
            bundle.format, bundle.version
        )));
    }
    bundle.shard.parse::<Shard>().map_err(bad)?;
    let mut parts = Vec::new();
    for f in std::mem::take(&mut bundle.floors) {
        if f.index >= bundle.floors_total {
            return Err(bad(format!(
                "floor '{}' has index {} but the site has {} floors",
                f.id, f.index, bundle.floors_total
            )));
        }
        let mut heatmaps = Vec::new();
        for h in &f.heatmaps {
            if !safe_name(&h.file) {
                return Err(bad(format!("unsafe file name '{}'", h.file)));
            }
            let png = wisp_ingest::read_limited(&dir.join(&h.file), MAX_PNG_BYTES)?;
            heatmaps.push((h.caption.clone(), png.into()));
        }
        let zones = f
            .zones
            .into_iter()
            .map(ZoneResult::dead_area_or_sum)
            .collect();
        parts.push(FloorPart {
            index: f.index,
            id: f.id,
            name: f.name,
            scans: f.scans,
            method: f.method,
            ranks_approximate: f.ranks_approximate,
            calibration: f.calibration,
            zones,
            heatmaps,
            dead_zone_maps: Vec::new(),
            charts: Vec::new(),
            notes: f.notes,
            plan: None,
            error: f.error.map(|e| (e.message, code_of(e.exit_code))),
        });
    }
    Ok((bundle, parts))
}

/// Shard bundles of one site combined: the site's facts, every floor's part in manifest order,
/// and the check they make.
pub struct Merged {
    pub facts: SiteFacts,
    pub parts: Vec<FloorPart>,
    pub check: SiteCheck,
}

impl Merged {
    /// The check JSON of the merged site, with plan-pixel positions as `wisp check --json`
    /// gives them on the whole site.
    pub fn check_json(&self) -> serde_json::Value {
        let mut v = crate::check::check_json(&self.facts.name, &self.check);
        crate::check::with_pixels(&mut v, &|id| {
            self.parts
                .iter()
                .find(|p| p.id == id)
                .and_then(|p| p.calibration)
        });
        v
    }
}

/// Reads the bundles (any order) and combines them. Refuses bundles of different sites, a floor
/// given twice, and floors in no bundle (naming the missing shards).
pub fn merge_bundles(bundles: &[PathBuf]) -> Result<Merged, Error> {
    let mut first: Option<(PathBuf, Bundle)> = None;
    let mut by_index: BTreeMap<usize, (FloorPart, PathBuf)> = BTreeMap::new();
    let mut shards_seen = Vec::new();
    let mut sources = Vec::new();
    let mut profiles: Vec<(String, String)> = Vec::new();
    for path in bundles {
        let (bundle, parts) = read_bundle(path)?;
        if let Some((p0, b0)) = &first {
            if b0.site != bundle.site || b0.floors_total != bundle.floors_total {
                return Err(Error::input(format!(
                    "{} is of site '{}' ({} floors) but {} is of '{}' ({} floors)",
                    path.display(),
                    bundle.site,
                    bundle.floors_total,
                    p0.display(),
                    b0.site,
                    b0.floors_total
                )));
            }
        }
        shards_seen.push(bundle.shard.clone());
        // Every bundle opens with the site's network line: keep each line once.
        for line in &bundle.sources {
            if !sources.contains(line) {
                sources.push(line.clone());
            }
        }
        for p in &bundle.profiles {
            if !profiles.iter().any(|q| q.0 == p.0) {
                profiles.push(p.clone());
            }
        }
        for part in parts {
            if let Some((_, other)) = by_index.get(&part.index) {
                return Err(Error::input(format!(
                    "floor '{}' is in both {} and {}: give each shard's bundle once",
                    part.id,
                    other.display(),
                    path.display()
                )));
            }
            by_index.insert(part.index, (part, path.clone()));
        }
        if first.is_none() {
            first = Some((path.clone(), bundle));
        }
    }
    let Some((_, b0)) = first else {
        return Err(Error::input("no bundles given"));
    };
    let missing: Vec<usize> = (0..b0.floors_total)
        .filter(|i| !by_index.contains_key(i))
        .collect();
    if !missing.is_empty() {
        let mut need: Vec<String> = Vec::new();
        for s in &shards_seen {
            if let Ok(s) = s.parse::<Shard>() {
                for i in &missing {
                    let want = Shard {
                        index: i % s.count + 1,
                        count: s.count,
                    }
                    .to_string();
                    if !need.contains(&want) {
                        need.push(want);
                    }
                }
            }
        }
        return Err(Error::input(format!(
            "{} of the site's {} floors are in no bundle (floor indexes {}); missing shard(s): {}",
            missing.len(),
            b0.floors_total,
            missing
                .iter()
                .take(10)
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            need.join(", ")
        )));
    }
    let parts: Vec<FloorPart> = by_index.into_values().map(|(p, _)| p).collect();
    let facts = SiteFacts {
        name: b0.site.clone(),
        surveyor: b0.surveyor.clone(),
        floors_total: b0.floors_total,
        profiles,
        sources,
        proposed_aps: None,
    };
    let mut check = SiteCheck {
        floors: Vec::new(),
        failed: Vec::new(),
    };
    for p in &parts {
        match &p.error {
            None => check.floors.push((p.id.clone(), p.analysis())),
            Some((m, code)) => check.failed.push((p.id.clone(), error_of(m, *code))),
        }
    }
    Ok(Merged {
        facts,
        parts,
        check,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::check_json;
    use wisp_coverage::{Confidence, Criterion, CriterionResult, DeadZone, Verdict};
    use wisp_model::Point;

    #[test]
    fn zone_results_survive_the_bundle_with_their_nans() {
        let z = ZoneResult {
            zone: "Bay A".into(),
            kind: wisp_model::ZoneKind::Bay,
            profile: "healthcare-voice".into(),
            area_m2: 42.5,
            surveyed_share: 0.9,
            pass_share: f64::NAN,
            criteria: vec![CriterionResult {
                criterion: Criterion::CoChannel,
                threshold: 1.0,
                pass_share: 0.5,
                worst: f64::NAN,
                p5: 3.0,
                median: 2.0,
            }],
            dead_zones: vec![DeadZone {
                zone: "Bay A".into(),
                criterion: Criterion::Primary,
                confidence: Confidence::Dead,
                fail_probability: 0.75,
                area_m2: 3.25,
                centroid_m: Point::new(1.5, 2.5),
                worst: -80.0,
                shortfall: 15.0,
                nearest_radio: Some("AP-1".into()),
                outline_m: vec![Point::new(1.0, 2.0), Point::new(2.0, 3.0)],
            }],
            dead_area_m2: 3.25,
            at_risk: vec![DeadZone {
                zone: "Bay A".into(),
                criterion: Criterion::Snr,
                confidence: Confidence::AtRisk,
                fail_probability: 0.3,
                area_m2: 1.25,
                centroid_m: Point::new(4.5, 2.5),
                worst: 26.0,
                shortfall: -1.0,
                nearest_radio: None,
                outline_m: vec![Point::new(4.0, 2.0), Point::new(5.0, 3.0)],
            }],
            verdict: Verdict::NotEnoughData,
        };
        let json = serde_json::to_string(&z).unwrap();
        let r: ZoneResult = serde_json::from_str(&json).unwrap();
        assert!(r.pass_share.is_nan() && r.criteria[0].worst.is_nan());
        let same = |a: &ZoneResult, b: &ZoneResult| {
            format!("{:?}", a).replace("NaN", "n") == format!("{:?}", b).replace("NaN", "n")
        };
        assert!(same(&r, &z), "{r:?}");
        let bad = json.replace("\"not-enough-data\"", "\"maybe\"");
        let e = serde_json::from_str::<ZoneResult>(&bad).unwrap_err();
        assert!(e.to_string().contains("maybe"), "{e}");
        let bad = json.replace("\"bay\"", "\"lobby\"");
        let e = serde_json::from_str::<ZoneResult>(&bad).unwrap_err();
        assert!(e.to_string().contains("lobby"), "{e}");
        // A zone written before dead_area_m2, at_risk and confidence existed.
        let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
        let o = old.as_object_mut().unwrap();
        o.remove("dead_area_m2");
        o.remove("at_risk");
        old["dead_zones"][0]
            .as_object_mut()
            .unwrap()
            .remove("confidence");
        old["dead_zones"][0]
            .as_object_mut()
            .unwrap()
            .remove("fail_probability");
        let r = serde_json::from_value::<ZoneResult>(old)
            .unwrap()
            .dead_area_or_sum();
        assert_eq!(r.dead_area_m2, 3.25);
        assert!(r.at_risk.is_empty());
        assert_eq!(r.dead_zones[0].confidence, Confidence::Dead);
        assert_eq!(r.dead_zones[0].fail_probability, 1.0);
    }

    /// A three-storey building, 20 m × 10 m floors (400 × 200 px at 0.05 m/px), an AP on the
    /// ground and top floors only; each floor's walk simulated with the others' APs through the
    /// slabs.
    fn estate(dir: &Path) -> wisp_ingest::Site {
        let mut toml = String::from("name = \"Tiny estate\"\n");
        for (id, level) in [("G", 0), ("L1", 1), ("L2", 2)] {
            toml += &format!(
                "[[floors]]\nid = \"{id}\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.05\n\
                 building = \"Ward Block\"\nlevel = {level}\nheight_m = 3.6\n\
                 walk = [[10, 100], [390, 100]]\n\
                 [[floors.walls]]\nmaterial = \"concrete\"\npoints = [[240, 0], [240, 200]]\n\
                 [[floors.zones]]\nname = \"West\"\nkind = \"bay\"\n\
                 polygon = [[20, 20], [160, 20], [160, 180], [20, 180]]\n\
                 [[floors.zones]]\nname = \"East\"\nkind = \"bay\"\n\
                 polygon = [[300, 20], [390, 20], [390, 180], [300, 180]]\n\
                 [[floors.captures]]\nfile = \"walk-{id}.csv\"\n"
            );
            if id != "L1" {
                toml += &format!(
                    "[[floors.aps]]\nname = \"AP-{id}\"\nat = [60, 100]\n\
                     radios = [{{ band = \"5\", channel = 36, tx_dbm = 17.0 }}]\n"
                );
            }
        }
        std::fs::write(dir.join("site.toml"), toml).unwrap();
        image::RgbaImage::from_pixel(400, 200, image::Rgba([255, 255, 255, 255]))
            .save(dir.join("plan.png"))
            .unwrap();
        let site = crate::pipeline::load_site(dir).unwrap();
        for (i, sf) in site.floors.iter().enumerate() {
            let others = crate::pipeline::through_slabs(&site, sf);
            assert_eq!(others.len(), if sf.floor.id == "L1" { 2 } else { 1 });
            let b = wisp_radio::simulate::Building {
                others: &others,
                slab: &site.slab,
            };
            let f = &sf.floor;
            let params = wisp_radio::SimulationParams {
                seed: i as u64 + 1,
                ..Default::default()
            };
            let walk = f.walk.clone().unwrap();
            let s = wisp_radio::simulate::simulate_walk_in_building(f, &f.aps, b, &walk, &params);
            let csv = wisp_ingest::capture::native::long_csv(&s);
            std::fs::write(dir.join(format!("walk-{}.csv", f.id)), csv).unwrap();
        }
        site
    }

    #[test]
    fn shards_merge_into_what_one_run_gives() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let site = estate(dir);
        let quiet = crate::pipeline::RunOptions {
            shard: None,
            filters: Default::default(),
        };
        let none = &crate::pipeline::NoProgress;
        let whole = crate::pipeline::analyse_site_with(&site, None, &quiet, none, |_, mut a| {
            a.layers = None;
            Ok(a)
        });
        assert!(whole.iter().all(|o| o.result.is_ok()));
        // L1 has no AP of its own: all it hears comes through the slabs.
        assert!(whole[1].scans > 0);
        let whole = SiteCheck::from_outcomes(whole);
        let expected = check_json(&site.name, &whole);

        let mut bundles = Vec::new();
        for i in 1..=2 {
            let shard = Shard { index: i, count: 2 };
            let opts = crate::pipeline::RunOptions {
                shard: Some(shard),
                filters: Default::default(),
            };
            let outcomes =
                crate::pipeline::analyse_site_with(&site, None, &opts, none, |job, a| {
                    crate::report::floor_part(job.site, job.floor, job.samples, &a, job.index, None)
                });
            let wanted: Vec<usize> = (0..3).filter(|f| f % 2 == i - 1).collect();
            assert_eq!(outcomes.iter().map(|o| o.index).collect::<Vec<_>>(), wanted);
            let facts = SiteFacts::of(&site, &outcomes);
            let parts: Vec<FloorPart> = outcomes
                .into_iter()
                .map(|o| FloorPart::of_outcome(&site, o))
                .collect();
            assert!(parts.iter().all(|p| p.heatmaps.len() == 2));
            let out = dir.join(format!("shard-{i}"));
            write_bundle(&out, &facts, &parts, shard).unwrap();
            bundles.push(out);
        }
        let merged = |bundles: Vec<PathBuf>| merge_bundles(&bundles);
        // In any order.
        let m = merged(vec![bundles[1].clone(), bundles[0].clone()]).unwrap();
        assert_eq!(m.check.exit_code(), whole.exit_code());
        // Through JSON text, as a script reads it.
        let got: serde_json::Value =
            serde_json::from_str(&check_json(&m.facts.name, &m.check).to_string()).unwrap();
        assert_eq!(got, expected);
        let report =
            crate::report::assemble(&m.facts, &m.parts, wisp_render::Paper::A4, "2026-01-01")
                .unwrap();
        assert!(wisp_render::report_pdf(&report)
            .unwrap()
            .starts_with(b"%PDF"));

        let e = merged(vec![bundles[0].clone()]).err().unwrap().to_string();
        assert!(e.contains("missing shard(s): 2/2"), "{e}");
        let e = merged(vec![bundles[0].clone(), bundles[0].clone()])
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("in both"), "{e}");

        // A floor whose capture is missing fails alone, and its code is the check's.
        std::fs::remove_file(dir.join("walk-L2.csv")).unwrap();
        let outcomes = crate::pipeline::analyse_site_with(&site, None, &quiet, none, |_, a| Ok(a));
        assert_eq!(
            outcomes
                .iter()
                .map(|o| o.result.is_ok())
                .collect::<Vec<_>>(),
            [true, true, false]
        );
        assert_eq!(
            crate::pipeline::failure_code(&outcomes),
            Some(ExitCode::BadInput)
        );
        let check = SiteCheck::from_outcomes(outcomes);
        assert_eq!(check.exit_code(), ExitCode::BadInput);
        assert!(check_json(&site.name, &check)["failed_floors"][0]["error"]
            .as_str()
            .unwrap()
            .contains("walk-L2.csv"));
    }

    #[test]
    fn bundle_file_names_stay_inside_the_bundle() {
        assert!(safe_name("floor-0001-1.png"));
        for bad in ["", "..", "../x.png", "/etc/passwd", "a\\b", "c:x"] {
            assert!(!safe_name(bad), "{bad}");
        }
    }
}
