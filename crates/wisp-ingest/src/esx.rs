//! Ekahau project (`.esx`) import: floors, walls, areas, requirements, access points and survey
//! routes, turned into a wisp site (`site.toml`, plan images, track CSVs).
//!
//! An `.esx` is a zip of JSON files (shared/reference.md §4). Read from it:
//!
//! | entry | becomes |
//! |---|---|
//! | `project.json` (`project.name`) | the site's `name` (else the file's stem) |
//! | `floorPlans.json` (`floorPlans[]`: id, name, width, height, imageId, `metersPerUnit`, crop box) | `[[floors]]`: `metres_per_pixel = metersPerUnit` (scaled if the image's pixels are not the plan's units), the crop box as `outline` |
//! | `image-<imageId>` | the plan image, written as `plan-<floor>.png` / `.jpg` (a blank plan when missing) |
//! | `wallTypes.json` (`properties[]` per band: `attenuationFactor` dB/m × `thickness` m) | `[materials]`, one per wall type, dB rounded to 0.01 |
//! | `wallPoints.json`, `wallSegments.json` | `[[floors.walls]]`, one per segment |
//! | `requirements.json` (`criteria[]`: type, comparison, value) | `[[profiles]]` named `esx-<requirement>` |
//! | `areas.json` (floorPlanId, name, polygon, requirementId) | `[[floors.zones]]`, kind guessed from the name ([`guess_zone_kind`]) |
//! | `accessPoints.json`, `simulatedRadios.json`, `measuredRadios.json`, `accessPointMeasurements.json` | `[[floors.aps]]` |
//! | `survey-<id>.json` (floorPlanId, routeType, routePoints with time in ns and a pixel location) | one track CSV per survey route, `t,x,y` in plan pixels |
//!
//! **Best effort.** The scans themselves live in binary `track-<id>.bin` entries whose layout Ekahau
//! does not publish; wisp does not decode them and counts each as skipped ("Ekahau binary track
//! format not decoded"). The routes are kept as track CSVs, so a capture recorded on the same walk
//! with another tool can be placed on them (`track = ...` in a `[[floors.captures]]` entry).
//! Requirement criteria wisp does not model (data rate, number of APs, ...) are counted as skipped.
//!
//! **Hostile archives.** At most [`ZipLimits::max_entries`] entries; every entry's decompressed
//! size is checked against its declared size first and again while reading, stopping past
//! [`ZipLimits::max_entry_bytes`] per entry and [`ZipLimits::max_total_bytes`] in all, so a zip
//! bomb fails after reading at most that much. An entry name with `..`, an absolute path, a drive
//! letter or a NUL refuses the whole archive. Entry names never become file names: outputs are
//! named from sanitised floor names only.
//!
//! This module reads; it writes nothing. The CLI (`wisp import`) writes what [`EsxImport`] holds.

use crate::manifest::{RawAp, RawFloor, RawManifest, RawProfile, RawRadio, RawWall, RawZone};
use crate::{IngestError, IngestErrorKind, SkipLog};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};
use std::path::Path;
use toml::Spanned;
use wisp_model::{Band, Channel, ZoneKind};

/// Limits on what an archive may make wisp read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries in the archive. A large Ekahau project has a few hundred.
    pub max_entries: usize,
    /// Decompressed bytes of one entry (plan images are the largest: a 16k × 16k PNG is far less).
    pub max_entry_bytes: u64,
    /// Decompressed bytes read from the archive in all.
    pub max_total_bytes: u64,
}

impl Default for ZipLimits {
    /// 10,000 entries, 256 MiB per entry, 1 GiB in all.
    fn default() -> Self {
        ZipLimits {
            max_entries: 10_000,
            max_entry_bytes: 256 << 20,
            max_total_bytes: 1 << 30,
        }
    }
}

/// Largest `.esx` file opened (bytes).
pub const MAX_ESX_BYTES: u64 = 4 << 30;

/// The skip reason for Ekahau's binary scan data.
pub const BINARY_TRACK_SKIP: &str =
    "Ekahau binary track format not decoded (best effort; see docs)";

/// Transmit power assumed for a radio known only from measurements (Ekahau records no power for
/// them): 14 dBm at 2.4 GHz, 17 dBm at 5 and 6 GHz — the figures of the sample site's APs
/// (`samples/site.toml`), typical of enterprise APs after RRM. *Assumption*: edit the site.
pub const MEASURED_TX_DBM: (f64, f64) = (14.0, 17.0);

/// What the import produced. Nothing is written yet.
#[derive(Debug, Clone)]
pub struct EsxImport {
    /// The manifest as written to `site.toml` (loads back with [`crate::load_site`]).
    pub site_toml: String,
    /// Other files to write beside it: (file name, bytes). Names are sanitised, never paths.
    pub files: Vec<(String, Vec<u8>)>,
    /// What was left out, by reason, with the entry it came from.
    pub skipped: SkipLog,
    /// Assumptions made (not skips): said in the summary.
    pub notes: Vec<String>,
    pub counts: ImportCounts,
}

/// How much of each kind was imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportCounts {
    pub floors: usize,
    pub walls: usize,
    pub materials: usize,
    pub zones: usize,
    pub profiles: usize,
    pub aps: usize,
    pub tracks: usize,
}

/// Imports the `.esx` at `path` with the default [`ZipLimits`].
pub fn import_esx(path: &Path) -> Result<EsxImport, IngestError> {
    import_esx_with(path, &ZipLimits::default())
}

/// Imports the `.esx` at `path` under `limits`.
pub fn import_esx_with(path: &Path, limits: &ZipLimits) -> Result<EsxImport, IngestError> {
    let file = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let len = file.metadata().map_err(|e| IngestError::io(path, e))?.len();
    if len > MAX_ESX_BYTES {
        return Err(IngestError::invalid(format!(
            "file is larger than the {MAX_ESX_BYTES}-byte limit"
        ))
        .at(path));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Ekahau project".into());
    let file_name = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    import_reader(std::io::BufReader::new(file), &stem, &file_name, limits).map_err(|e| e.at(path))
}

/// Imports an `.esx` from any seekable reader; `stem` names the site when the project does not,
/// `file_name` is quoted in profiles' sources. Errors carry no path (the caller adds it).
pub fn import_reader<R: Read + Seek>(
    reader: R,
    stem: &str,
    file_name: &str,
    limits: &ZipLimits,
) -> Result<EsxImport, IngestError> {
    let mut ar = Archive::open(reader, *limits)?;
    Importer {
        skipped: SkipLog::default(),
        notes: Vec::new(),
        counts: ImportCounts::default(),
        files: Vec::new(),
    }
    .run(&mut ar, stem, file_name)
}

/// A zip archive read under limits.
struct Archive<R: Read + Seek> {
    zip: zip::ZipArchive<R>,
    limits: ZipLimits,
    total: u64,
}

fn zip_error(e: zip::result::ZipError) -> IngestError {
    IngestError::syntax(format!("not a readable .esx (zip) archive: {e}"))
}

/// Whether a zip entry name could leave the folder it is extracted to.
pub fn unsafe_entry_name(name: &str) -> bool {
    let b = name.as_bytes();
    name.contains('\0')
        || name.starts_with('/')
        || name.starts_with('\\')
        || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
        || name.split(['/', '\\']).any(|c| c == "..")
}

impl<R: Read + Seek> Archive<R> {
    fn open(reader: R, limits: ZipLimits) -> Result<Self, IngestError> {
        let zip = zip::ZipArchive::new(reader).map_err(zip_error)?;
        if zip.len() > limits.max_entries {
            return Err(IngestError::invalid(format!(
                "the archive has {} entries, more than the {} accepted",
                zip.len(),
                limits.max_entries
            )));
        }
        for i in 0..zip.len() {
            let name = match zip.name_for_index(i) {
                Some(Ok(n)) => n.into_owned(),
                _ => {
                    return Err(IngestError::new(IngestErrorKind::UnsafePath(format!(
                        "entry {i}: name is not valid text; refused"
                    ))))
                }
            };
            if unsafe_entry_name(&name) {
                return Err(IngestError::new(IngestErrorKind::UnsafePath(format!(
                    "entry '{}': a name with '..', an absolute path or a drive letter is refused",
                    name.escape_debug()
                ))));
            }
        }
        Ok(Archive {
            zip,
            limits,
            total: 0,
        })
    }

    fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect()
    }

    /// The entry's bytes, `None` if there is no such entry. Sizes are checked against the limits
    /// before (declared size) and while (actual bytes) reading.
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, IngestError> {
        let Some(i) = self.zip.index_for_name(name) else {
            return Ok(None);
        };
        let per_entry = self.limits.max_entry_bytes;
        let left = self.limits.max_total_bytes.saturating_sub(self.total);
        let too_big = |what: &str, limit: u64| {
            IngestError::invalid(format!(
                "entry {name}: decompresses to more than {what} ({limit} bytes); refused (a zip bomb?)"
            ))
        };
        let mut entry = self
            .zip
            .by_index(i)
            .map_err(|e| IngestError::syntax(format!("entry {name}: cannot be read: {e}")))?;
        if entry.size() > per_entry {
            return Err(too_big("the per-entry limit", per_entry));
        }
        if entry.size() > left {
            return Err(too_big(
                "the archive's total limit",
                self.limits.max_total_bytes,
            ));
        }
        let cap = per_entry.min(left);
        let mut buf = Vec::with_capacity(entry.size().min(cap) as usize);
        (&mut entry)
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| IngestError::syntax(format!("entry {name}: cannot be read: {e}")))?;
        if buf.len() as u64 > cap {
            return Err(if cap == per_entry {
                too_big("the per-entry limit", per_entry)
            } else {
                too_big("the archive's total limit", self.limits.max_total_bytes)
            });
        }
        self.total += buf.len() as u64;
        Ok(Some(buf))
    }

    /// The entry parsed as JSON, `None` if absent.
    fn json(&mut self, name: &str) -> Result<Option<Value>, IngestError> {
        let Some(bytes) = self.read(name)? else {
            return Ok(None);
        };
        let text = crate::text::decode(&bytes)
            .map_err(|e| IngestError::syntax(format!("entry {name}: {e}")))?;
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| IngestError::syntax(format!("entry {name}:{}: {e}", e.line())))
    }
}

// ---- loose JSON access: Ekahau's files vary between versions, so fields are looked up, not
// ---- deserialised into fixed structs.

fn list<'a>(v: Option<&'a Value>, key: &str) -> &'a [Value] {
    v.and_then(|v| v.get(key))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

fn num(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64).filter(|x| x.is_finite())
}

/// A position `{x, y}`, possibly wrapped as `{coord: ...}` or `{location: ...}`.
fn coord(v: &Value) -> Option<[f64; 2]> {
    if let (Some(x), Some(y)) = (num(v, "x"), num(v, "y")) {
        return Some([x, y]);
    }
    ["coord", "location", "point"]
        .iter()
        .find_map(|k| v.get(*k).and_then(coord))
}

/// A polygon: an array of positions, or an object holding one under `points`/`area`.
fn polygon_points(v: &Value) -> Option<Vec<[f64; 2]>> {
    match v {
        Value::Array(a) => a.iter().map(coord).collect(),
        Value::Object(_) => ["points", "area", "polygon"]
            .iter()
            .find_map(|k| v.get(*k).and_then(polygon_points)),
        _ => None,
    }
}

/// Lower-case ASCII letters, digits and single dashes; at most 40 characters.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `base`, or `base-2`, `base-3`... whichever is not taken yet; records it as taken.
fn unique(base: &str, taken: &mut BTreeSet<String>) -> String {
    let mut name = base.to_string();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}-{n}");
        n += 1;
    }
    taken.insert(name.clone());
    name
}

/// The zone kind an Ekahau area's name suggests, first match in this order: x-ray / imaging /
/// radiology / MRI → imaging; stairs / lift / elevator → stairs-lift; corridor / hallway /
/// passage → corridor; nurse / station → nurses-station; office / admin → office (so "ward
/// manager's office" is an office); bay → bay; ward → ward; single / side room → single-room;
/// consult → consulting-room; treatment / theatre → treatment-room; waiting / reception / lobby →
/// waiting; plant / riser / comms / server → plant;
/// outdoor / car park / garden → outdoor; clinic / outpatient → clinic.
///
/// **Default: `clinic`.** An area of a hospital whose use the name does not tell is held to the
/// clinical (healthcare voice) standard unless the surveyor says otherwise: erring strict shows a
/// gap that may not matter rather than hiding one that does.
pub fn guess_zone_kind(name: &str) -> ZoneKind {
    let n = name.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| n.contains(w));
    if has(&[
        "x-ray",
        "xray",
        "x ray",
        "imaging",
        "radiology",
        "mri",
        "scanner",
    ]) {
        ZoneKind::Imaging
    } else if has(&["stair", "lift", "elevator"]) {
        ZoneKind::StairsLift
    } else if has(&["corridor", "hallway", "passage"]) {
        ZoneKind::Corridor
    } else if has(&["nurse", "station"]) {
        ZoneKind::NursesStation
    } else if has(&["office", "admin"]) {
        ZoneKind::Office
    } else if has(&["bay"]) {
        ZoneKind::Bay
    } else if has(&["ward"]) {
        ZoneKind::Ward
    } else if has(&["single", "side room"]) {
        ZoneKind::SingleRoom
    } else if has(&["consult"]) {
        ZoneKind::ConsultingRoom
    } else if has(&["treatment", "theatre"]) {
        ZoneKind::TreatmentRoom
    } else if has(&["waiting", "reception", "lobby"]) {
        ZoneKind::Waiting
    } else if has(&["plant", "riser", "comms", "server"]) {
        ZoneKind::Plant
    } else if has(&["outdoor", "car park", "garden"]) {
        ZoneKind::Outdoor
    } else {
        ZoneKind::Clinic
    }
}

/// Ekahau band names ("TWO", "FIVE", "SIX", or "2.4", "5", "6").
fn esx_band(s: &str) -> Option<Band> {
    let u = s.trim().to_ascii_uppercase();
    if u.starts_with("TWO") || u.starts_with("2") {
        Some(Band::G2_4)
    } else if u.starts_with("FIVE") || u.starts_with('5') {
        Some(Band::G5)
    } else if u.starts_with("SIX") || u.starts_with('6') {
        Some(Band::G6)
    } else {
        None
    }
}

/// A radio's primary channel and band: the first of `channel` (number or array) or
/// `channelByCenterFrequencyDefinedNarrowChannels`; the band from `band`/`frequencyBand` when
/// given, else inferred from the number ([`Channel::infer`]).
fn radio_channel(v: &Value) -> Option<Channel> {
    let first = |key: &str| match v.get(key)? {
        Value::Array(a) => a.first()?.as_u64(),
        x => x.as_u64(),
    };
    let n = first("channel").or_else(|| first("channelByCenterFrequencyDefinedNarrowChannels"))?;
    let n = u16::try_from(n).ok()?;
    let band = text(v, "band")
        .or_else(|| text(v, "frequencyBand"))
        .and_then(esx_band);
    Channel::infer(n, band, None).ok()
}

/// Per imported floor: how Ekahau's coordinates map to the written plan's pixels.
struct FloorMap {
    esx_id: String,
    id: String,
    /// Image pixels per Ekahau unit, x and y.
    sx: f64,
    sy: f64,
    w: u32,
    h: u32,
    raw: RawFloor,
}

impl FloorMap {
    fn px(&self, p: [f64; 2]) -> [f64; 2] {
        [p[0] * self.sx, p[1] * self.sy]
    }
    fn inside(&self, p: [f64; 2]) -> bool {
        (0.0..=self.w as f64).contains(&p[0]) && (0.0..=self.h as f64).contains(&p[1])
    }
}

struct Importer {
    skipped: SkipLog,
    notes: Vec<String>,
    counts: ImportCounts,
    files: Vec<(String, Vec<u8>)>,
}

fn spanned<T>(v: T) -> Spanned<T> {
    Spanned::new(0..0, v)
}

/// Rounds dB to 0.01 (Ekahau's products like 15 × 0.2 carry binary noise).
fn round_db(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Importer {
    fn run<R: Read + Seek>(
        mut self,
        ar: &mut Archive<R>,
        stem: &str,
        file_name: &str,
    ) -> Result<EsxImport, IngestError> {
        let project = ar.json("project.json")?;
        let name = project
            .as_ref()
            .and_then(|p| p.get("project").unwrap_or(p).get("name"))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or(stem)
            .to_string();

        let mut floors = self.floors(ar)?;
        if floors.is_empty() {
            return Err(IngestError::invalid(
                "entry floorPlans.json: no usable floor plan (an Ekahau project needs at least one, with metersPerUnit)",
            ));
        }
        let materials = self.walls(ar, &mut floors)?;
        let (profiles, profile_of) = self.requirements(ar, file_name)?;
        self.areas(ar, &mut floors, &profile_of)?;
        self.aps(ar, &mut floors)?;
        let track_notes = self.surveys(ar, &floors)?;
        for n in ar.names() {
            if n.starts_with("track-") && n.ends_with(".bin") {
                self.skipped.skip(BINARY_TRACK_SKIP, n);
            }
        }

        self.counts.floors = floors.len();
        let plan_sizes: Vec<(String, (u32, u32))> = floors
            .iter()
            .map(|f| (f.raw.plan.clone(), (f.w, f.h)))
            .collect();
        self.counts.materials = materials.len();
        self.counts.profiles = profiles.len();
        let manifest = RawManifest {
            name: name.clone(),
            surveyor: None,
            materials: materials
                .into_iter()
                .map(|(k, v)| (k, spanned(v)))
                .collect(),
            profiles: profiles.into_iter().map(spanned).collect(),
            survey_range_m: None,
            interpolation: None,
            slab: None,
            ap_grouping: None,
            network: None,
            max_age_s: None,
            floors: floors.into_iter().map(|f| spanned(f.raw)).collect(),
        };
        let body = toml::to_string(&manifest)
            .map_err(|e| IngestError::invalid(format!("cannot write the manifest: {e}")))?;
        // The manifest must load as written: check it as `load_site` will.
        let sizes: BTreeMap<String, (u32, u32)> = plan_sizes.into_iter().collect();
        let known: Vec<String> = ZoneKind::ALL
            .iter()
            .map(|k| k.default_profile().to_string())
            .collect();
        crate::manifest::parse_site(&body, Path::new("site.toml"), &known, &move |p: &Path| {
            p.file_name()
                .and_then(|n| sizes.get(n.to_string_lossy().as_ref()).copied())
                .ok_or_else(|| IngestError::invalid("plan image not produced"))
        })
        .map_err(|e| {
            IngestError::invalid(format!(
                "the imported manifest does not validate (please report this): {e}"
            ))
        })?;
        let mut site_toml = format!(
            "# Imported by `wisp import` from {file_name} (Ekahau project \"{}\").\n# Coordinates are plan pixels of the plan images beside this file. See README.md \"Site manifest\".\n\n",
            name.replace(['\n', '\r'], " ")
        );
        site_toml.push_str(&body);
        if !track_notes.is_empty() {
            site_toml.push_str(
                "\n# Survey routes from the project, as track CSVs (t in seconds, x,y in plan pixels).\n# Ekahau's scan data (track-*.bin) is not decoded; to use a route, add a capture recorded on\n# that walk to its floor: [[floors.captures]] file = \"...\", track = \"<track CSV>\"\n",
            );
            for n in &track_notes {
                site_toml.push_str(&format!("#   {n}\n"));
            }
        }
        Ok(EsxImport {
            site_toml,
            files: self.files,
            skipped: self.skipped,
            notes: self.notes,
            counts: self.counts,
        })
    }

    fn floors<R: Read + Seek>(
        &mut self,
        ar: &mut Archive<R>,
    ) -> Result<Vec<FloorMap>, IngestError> {
        const ENTRY: &str = "floorPlans.json";
        let Some(doc) = ar.json(ENTRY)? else {
            return Err(IngestError::invalid(
                "no floorPlans.json in the archive: not an Ekahau project",
            ));
        };
        let mut taken = BTreeSet::new();
        let mut out = Vec::new();
        for (i, fp) in list(Some(&doc), "floorPlans").iter().enumerate() {
            let loc = format!("{ENTRY}#{}", i + 1);
            let Some(esx_id) = text(fp, "id") else {
                self.skipped.skip("floor plan without an id", loc);
                continue;
            };
            let fname = text(fp, "name").unwrap_or("").trim().to_string();
            let Some(mpu) = num(fp, "metersPerUnit").filter(|m| *m > 0.0) else {
                self.skipped
                    .skip("floor plan without a scale (metersPerUnit)", loc);
                continue;
            };
            let (uw, uh) = (num(fp, "width"), num(fp, "height"));
            let image = match text(fp, "imageId") {
                Some(id) => ar.read(&format!("image-{id}"))?,
                None => None,
            };
            let decoded = image.and_then(|bytes| {
                let fmt = image::guess_format(&bytes).ok()?;
                let ext = match fmt {
                    image::ImageFormat::Png => "png",
                    image::ImageFormat::Jpeg => "jpg",
                    _ => return None,
                };
                let (w, h) = image::ImageReader::with_format(std::io::Cursor::new(&bytes), fmt)
                    .into_dimensions()
                    .ok()?;
                Some((bytes, ext, w, h))
            });
            let max = crate::plan::MAX_PLAN_SIDE_PX;
            let (bytes, ext, w, h) = match decoded {
                Some(d) if d.2 > 0 && d.3 > 0 && d.2 <= max && d.3 <= max => d,
                _ => {
                    // No usable image: a blank plan of the floor's size in units.
                    let (Some(uw), Some(uh)) = (uw, uh) else {
                        self.skipped.skip(
                            "floor plan with neither a PNG/JPEG image nor a width and height",
                            loc,
                        );
                        continue;
                    };
                    let (w, h) = (uw.round(), uh.round());
                    if !(1.0..=max as f64).contains(&w) || !(1.0..=max as f64).contains(&h) {
                        self.skipped
                            .skip("floor plan size outside 1..16384 px", loc);
                        continue;
                    }
                    let (w, h) = (w as u32, h as u32);
                    let img = image::GrayImage::from_pixel(w, h, image::Luma([255]));
                    let mut png = Vec::new();
                    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                        .map_err(|e| IngestError::invalid(format!("blank plan: {e}")))?;
                    self.notes.push(format!(
                        "floor '{fname}': no PNG/JPEG plan image in the archive; a blank {w}×{h} plan was written"
                    ));
                    (png, "png", w, h)
                }
            };
            // Ekahau's coordinates are in plan units; the image may have more pixels per unit.
            let sx = uw.filter(|u| *u > 0.0).map_or(1.0, |u| w as f64 / u);
            let sy = uh.filter(|u| *u > 0.0).map_or(1.0, |u| h as f64 / u);
            if (sx - sy).abs() > 0.01 * sx {
                self.notes.push(format!(
                    "floor '{fname}': the image's pixels per plan unit differ across and down ({sx:.3} and {sy:.3}); metres_per_pixel follows the width"
                ));
            }
            let base = match slug(&fname) {
                s if s.is_empty() => format!("floor-{}", i + 1),
                s => s,
            };
            let id = unique(&base, &mut taken);
            let plan = format!("plan-{id}.{ext}");
            self.files.push((plan.clone(), bytes));
            let mut fm = FloorMap {
                esx_id: esx_id.to_string(),
                id: id.clone(),
                sx,
                sy,
                w,
                h,
                raw: RawFloor {
                    id,
                    interpolation: None,
                    name: (!fname.is_empty()).then(|| fname.clone()),
                    plan,
                    metres_per_pixel: Some(spanned(mpu / sx)),
                    calibration: None,
                    outline: None,
                    survey_range_m: None,
                    walls: Vec::new(),
                    zones: Vec::new(),
                    captures: Vec::new(),
                    aps: Vec::new(),
                    walk: None,
                    georef: None,
                    building: None,
                    level: None,
                    height_m: None,
                },
            };
            // The crop box, when it is a real sub-rectangle of the image, is the floor's outline.
            if let (Some(x0), Some(y0), Some(x1), Some(y1)) = (
                num(fp, "cropMinX"),
                num(fp, "cropMinY"),
                num(fp, "cropMaxX"),
                num(fp, "cropMaxY"),
            ) {
                let (a, b) = (fm.px([x0, y0]), fm.px([x1, y1]));
                let full = a == [0.0, 0.0] && b == [w as f64, h as f64];
                if !full && a[0] < b[0] && a[1] < b[1] && fm.inside(a) && fm.inside(b) {
                    fm.raw.outline = Some(spanned(vec![a, [b[0], a[1]], b, [a[0], b[1]]]));
                }
            }
            out.push(fm);
        }
        Ok(out)
    }

    /// Wall types → materials; segments → walls. Returns the `[materials]` table.
    fn walls<R: Read + Seek>(
        &mut self,
        ar: &mut Archive<R>,
        floors: &mut [FloorMap],
    ) -> Result<BTreeMap<String, BTreeMap<String, f64>>, IngestError> {
        let types = ar.json("wallTypes.json")?;
        let mut materials = BTreeMap::new();
        let mut material_of: BTreeMap<String, String> = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for (i, wt) in list(types.as_ref(), "wallTypes").iter().enumerate() {
            let loc = format!("wallTypes.json#{}", i + 1);
            let Some(id) = text(wt, "id") else {
                self.skipped.skip("wall type without an id", loc);
                continue;
            };
            let mut loss = BTreeMap::new();
            for p in list(Some(wt), "properties") {
                let band = text(p, "band").or_else(|| text(p, "frequencyBand"));
                let (Some(band), Some(att), Some(th)) = (
                    band.and_then(esx_band),
                    num(p, "attenuationFactor"),
                    num(p, "thickness"),
                ) else {
                    continue;
                };
                let db = round_db(att * th);
                if !(0.0..=100.0).contains(&db) {
                    self.skipped.skip(
                        "wall type band loss outside 0..100 dB",
                        format!("{loc} ({} GHz: {db} dB)", band.name()),
                    );
                    continue;
                }
                loss.insert(band.name().to_string(), db);
            }
            if loss.is_empty() {
                self.skipped.skip(
                    "wall type without a band's attenuationFactor and thickness",
                    loc,
                );
                continue;
            }
            let base = match slug(text(wt, "name").unwrap_or("")) {
                s if s.is_empty() => format!("wall-type-{}", i + 1),
                s => s,
            };
            let name = unique(&base, &mut taken);
            materials.insert(name.clone(), loss);
            material_of.insert(id.to_string(), name);
        }

        let points_doc = ar.json("wallPoints.json")?;
        let mut points: BTreeMap<&str, (&str, [f64; 2])> = BTreeMap::new();
        for wp in list(points_doc.as_ref(), "wallPoints") {
            let loc = wp.get("location");
            if let (Some(id), Some(fp), Some(c)) = (
                text(wp, "id"),
                loc.and_then(|l| text(l, "floorPlanId")),
                loc.and_then(coord),
            ) {
                points.insert(id, (fp, c));
            }
        }
        let segs = ar.json("wallSegments.json")?;
        for (i, s) in list(segs.as_ref(), "wallSegments").iter().enumerate() {
            let loc = format!("wallSegments.json#{}", i + 1);
            let ends: Vec<&str> = list(Some(s), "wallPoints")
                .iter()
                .filter_map(Value::as_str)
                .collect();
            let (Some(a), Some(b)) = (
                ends.first().and_then(|id| points.get(id)),
                ends.get(1).and_then(|id| points.get(id)),
            ) else {
                self.skipped
                    .skip("wall segment without two known wall points", loc);
                continue;
            };
            let Some(material) = text(s, "wallTypeId").and_then(|t| material_of.get(t)) else {
                self.skipped
                    .skip("wall segment of an unknown or unusable wall type", loc);
                continue;
            };
            let Some(f) = floors.iter_mut().find(|f| f.esx_id == a.0 && a.0 == b.0) else {
                self.skipped
                    .skip("wall segment not on one imported floor plan", loc);
                continue;
            };
            let (pa, pb) = (f.px(a.1), f.px(b.1));
            if !f.inside(pa) || !f.inside(pb) {
                self.skipped
                    .skip("wall segment outside the plan image", loc);
                continue;
            }
            if pa == pb {
                self.skipped.skip("wall segment of zero length", loc);
                continue;
            }
            f.raw.walls.push(spanned(RawWall {
                material: material.clone(),
                points: vec![pa, pb],
            }));
            self.counts.walls += 1;
        }
        Ok(materials)
    }

    /// Requirements → custom profiles; returns them and the profile name per requirement id.
    fn requirements<R: Read + Seek>(
        &mut self,
        ar: &mut Archive<R>,
        file_name: &str,
    ) -> Result<(Vec<RawProfile>, BTreeMap<String, String>), IngestError> {
        let doc = ar.json("requirements.json")?;
        let mut profiles = Vec::new();
        let mut by_id = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for (i, r) in list(doc.as_ref(), "requirements").iter().enumerate() {
            let loc = format!("requirements.json#{}", i + 1);
            let Some(id) = text(r, "id") else {
                self.skipped.skip("requirement without an id", loc);
                continue;
            };
            let rname = text(r, "name").unwrap_or("").trim().to_string();
            let mut p = RawProfile {
                name: String::new(),
                primary_dbm: -120.0,
                secondary_dbm: None,
                tertiary_dbm: None,
                snr_db: None,
                cochannel_max: None,
                cochannel_dbm: None,
                source: Some(format!("Ekahau requirement '{rname}' in {file_name}")),
            };
            let mut has_primary = false;
            for c in list(Some(r), "criteria") {
                let kind = text(c, "type").unwrap_or("?");
                let cmp = text(c, "comparison").unwrap_or("AT_LEAST");
                let Some(v) = num(c, "value") else {
                    self.skipped
                        .skip("requirement criterion without a value", loc.clone());
                    continue;
                };
                let signal = (-120.0..=0.0).contains(&v);
                match (kind, cmp) {
                    ("SIGNAL_STRENGTH", "AT_LEAST") if signal => {
                        // Several (per band): the strictest holds.
                        p.primary_dbm = if has_primary { p.primary_dbm.max(v) } else { v };
                        has_primary = true;
                    }
                    ("SECONDARY_SIGNAL_STRENGTH", "AT_LEAST") if signal => {
                        p.secondary_dbm = Some(p.secondary_dbm.map_or(v, |o| o.max(v)));
                    }
                    ("TERTIARY_SIGNAL_STRENGTH", "AT_LEAST") if signal => {
                        p.tertiary_dbm = Some(p.tertiary_dbm.map_or(v, |o| o.max(v)));
                    }
                    ("SIGNAL_TO_NOISE_RATIO", "AT_LEAST") if (0.0..=100.0).contains(&v) => {
                        p.snr_db = Some(p.snr_db.map_or(v, |o| o.max(v)));
                    }
                    ("CHANNEL_OVERLAP", "AT_MOST") if (0.0..=1000.0).contains(&v) => {
                        let n = v.floor() as u32;
                        p.cochannel_max = Some(p.cochannel_max.map_or(n, |o| o.min(n)));
                    }
                    (
                        "SIGNAL_STRENGTH"
                        | "SECONDARY_SIGNAL_STRENGTH"
                        | "TERTIARY_SIGNAL_STRENGTH"
                        | "SIGNAL_TO_NOISE_RATIO"
                        | "CHANNEL_OVERLAP",
                        _,
                    ) => self.skipped.skip(
                        "requirement criterion with an unsupported comparison or value",
                        format!("{loc} ({kind} {cmp} {v})"),
                    ),
                    _ => self.skipped.skip(
                        format!("requirement criterion not modelled by wisp ({kind})"),
                        loc.clone(),
                    ),
                }
            }
            if !has_primary {
                self.notes.push(format!(
                    "requirement '{rname}' has no signal-strength criterion: its profile's primary_dbm is -120 (no requirement)"
                ));
            }
            let base = match slug(&rname) {
                s if s.is_empty() => format!("esx-requirement-{}", i + 1),
                s => format!("esx-{s}"),
            };
            p.name = unique(&base, &mut taken);
            by_id.insert(id.to_string(), p.name.clone());
            profiles.push(p);
        }
        Ok((profiles, by_id))
    }

    fn areas<R: Read + Seek>(
        &mut self,
        ar: &mut Archive<R>,
        floors: &mut [FloorMap],
        profile_of: &BTreeMap<String, String>,
    ) -> Result<(), IngestError> {
        let doc = ar.json("areas.json")?;
        for (i, a) in list(doc.as_ref(), "areas").iter().enumerate() {
            let loc = format!("areas.json#{}", i + 1);
            let Some(f) =
                text(a, "floorPlanId").and_then(|id| floors.iter_mut().find(|f| f.esx_id == id))
            else {
                self.skipped.skip("area not on an imported floor plan", loc);
                continue;
            };
            let name = match text(a, "name").map(str::trim) {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => format!("Area {}", i + 1),
            };
            let Some(pts) = a
                .get("area")
                .or_else(|| a.get("points"))
                .and_then(polygon_points)
            else {
                self.skipped.skip("area without a polygon", loc);
                continue;
            };
            let pts: Vec<[f64; 2]> = pts.into_iter().map(|p| f.px(p)).collect();
            if pts.iter().any(|p| !f.inside(*p)) {
                self.skipped.skip("area outside the plan image", loc);
                continue;
            }
            let mpp = f
                .raw
                .metres_per_pixel
                .as_ref()
                .map_or(1.0, |m| *m.get_ref());
            let metres = pts
                .iter()
                .map(|p| wisp_model::Point::new(p[0] * mpp, p[1] * mpp))
                .collect();
            if let Err(e) = wisp_model::Polygon::new(metres) {
                self.skipped
                    .skip(format!("area polygon not usable ({e})"), loc);
                continue;
            }
            let profile = match text(a, "requirementId") {
                Some(r) => match profile_of.get(r) {
                    Some(p) => Some(p.clone()),
                    None => {
                        self.skipped.skip(
                            "area's requirement not found (zone keeps its kind's default profile)",
                            loc,
                        );
                        None
                    }
                },
                None => None,
            };
            f.raw.zones.push(spanned(RawZone {
                kind: guess_zone_kind(&name).name().to_string(),
                name,
                polygon: pts,
                profile,
                no_ap: false,
            }));
            self.counts.zones += 1;
        }
        Ok(())
    }

    fn aps<R: Read + Seek>(
        &mut self,
        ar: &mut Archive<R>,
        floors: &mut [FloorMap],
    ) -> Result<(), IngestError> {
        let aps = ar.json("accessPoints.json")?;
        let sim = ar.json("simulatedRadios.json")?;
        let measured = ar.json("measuredRadios.json")?;
        let meas = ar.json("accessPointMeasurements.json")?;
        let measurement: BTreeMap<&str, &Value> = list(meas.as_ref(), "accessPointMeasurements")
            .iter()
            .filter_map(|m| Some((text(m, "id")?, m)))
            .collect();
        let mut assumed_tx = 0;
        // AP names are unique in the site (an AP listing its BSSIDs is known by its name), and a
        // BSSID belongs to one AP: the first that measured it.
        let mut taken_names = BTreeSet::new();
        let mut claimed = BTreeMap::new();
        for (i, ap) in list(aps.as_ref(), "accessPoints").iter().enumerate() {
            let loc = format!("accessPoints.json#{}", i + 1);
            let Some(id) = text(ap, "id") else {
                self.skipped.skip("access point without an id", loc);
                continue;
            };
            let location = ap.get("location");
            let Some(f) = location
                .and_then(|l| text(l, "floorPlanId"))
                .and_then(|fp| floors.iter_mut().find(|f| f.esx_id == fp))
            else {
                self.skipped
                    .skip("access point not placed on an imported floor plan", loc);
                continue;
            };
            let Some(at) = location.and_then(coord).map(|c| f.px(c)) else {
                self.skipped.skip("access point without a position", loc);
                continue;
            };
            if !f.inside(at) {
                self.skipped
                    .skip("access point outside the plan image", loc);
                continue;
            }
            let mut radios: Vec<RawRadio> = Vec::new();
            for r in list(sim.as_ref(), "simulatedRadios") {
                if text(r, "accessPointId") != Some(id)
                    || r.get("enabled").and_then(Value::as_bool) == Some(false)
                {
                    continue;
                }
                let Some(ch) = radio_channel(r) else {
                    self.skipped
                        .skip("simulated radio without a valid channel", loc.clone());
                    continue;
                };
                let tx = ["transmitPower", "txPower", "transmitPowerDbm"]
                    .iter()
                    .find_map(|k| num(r, k));
                let tx = match tx {
                    Some(t) if (-10.0..=36.0).contains(&t) => t,
                    _ => {
                        assumed_tx += 1;
                        if ch.band == Band::G2_4 {
                            MEASURED_TX_DBM.0
                        } else {
                            MEASURED_TX_DBM.1
                        }
                    }
                };
                radios.push(RawRadio {
                    band: ch.band.name().into(),
                    channel: ch.number,
                    tx_dbm: tx,
                });
            }
            // What the survey heard of this AP: BSSIDs, SSIDs, and channels when nothing is simulated.
            let mut macs = BTreeSet::new();
            let mut ssids = BTreeSet::new();
            let mut heard = BTreeSet::new();
            for mr in list(measured.as_ref(), "measuredRadios") {
                if text(mr, "accessPointId") != Some(id) {
                    continue;
                }
                for mid in list(Some(mr), "accessPointMeasurementIds") {
                    let Some(m) = mid.as_str().and_then(|m| measurement.get(m)) else {
                        continue;
                    };
                    if let Some(b) =
                        text(m, "mac").and_then(|s| s.parse::<wisp_model::Bssid>().ok())
                    {
                        if *claimed.entry(b).or_insert(i) == i {
                            macs.insert(b.to_string());
                        } else {
                            self.skipped.skip(
                                "BSSID measured for two access points (kept with the first)",
                                loc.clone(),
                            );
                        }
                    }
                    if let Some(s) = text(m, "ssid").filter(|s| !s.is_empty()) {
                        ssids.insert(s.to_string());
                    }
                    if let Some(ch) = radio_channel(m) {
                        heard.insert(ch);
                    }
                }
            }
            if radios.is_empty() {
                for ch in heard {
                    assumed_tx += 1;
                    radios.push(RawRadio {
                        band: ch.band.name().into(),
                        channel: ch.number,
                        tx_dbm: if ch.band == Band::G2_4 {
                            MEASURED_TX_DBM.0
                        } else {
                            MEASURED_TX_DBM.1
                        },
                    });
                }
            }
            if radios.is_empty() {
                self.skipped
                    .skip("access point with no radio (simulated or measured)", loc);
                continue;
            }
            let name = match text(ap, "name").map(str::trim) {
                Some(n) if !n.is_empty() => n.to_string(),
                _ => format!("AP {}", i + 1),
            };
            let name = unique(&name, &mut taken_names);
            let raw = RawAp {
                name,
                at,
                radios,
                ssids: (!ssids.is_empty()).then(|| ssids.into_iter().collect()),
                // The lowest BSSID heard as the base, and every BSSID Ekahau measured of this AP
                // as its explicit members (they may differ in more than the last octet).
                bssid: macs.iter().next().cloned(),
                bssids: (!macs.is_empty()).then(|| macs.into_iter().collect()),
                floor: None,
            };
            f.raw.aps.push(spanned(raw));
            self.counts.aps += 1;
        }
        if assumed_tx > 0 {
            self.notes.push(format!(
                "{} without a transmit power: assumed {} dBm at 2.4 GHz, {} dBm at 5/6 GHz",
                wisp_model::words::count(assumed_tx, "radio", "radios"),
                MEASURED_TX_DBM.0,
                MEASURED_TX_DBM.1
            ));
        }
        Ok(())
    }

    /// Survey routes → track CSVs. Returns one line per track for the manifest's comment.
    fn surveys<R: Read + Seek>(
        &mut self,
        ar: &mut Archive<R>,
        floors: &[FloorMap],
    ) -> Result<Vec<String>, IngestError> {
        let mut names: Vec<String> = ar
            .names()
            .into_iter()
            .filter(|n| n.starts_with("survey-") && n.ends_with(".json"))
            .collect();
        names.sort();
        let mut notes = Vec::new();
        let mut per_floor: BTreeMap<String, usize> = BTreeMap::new();
        for entry in names {
            let Some(doc) = ar.json(&entry)? else {
                continue;
            };
            let surveys: Vec<&Value> = match doc.get("surveys").and_then(Value::as_array) {
                Some(a) => a.iter().collect(),
                None => vec![&doc],
            };
            for s in surveys {
                let Some(f) =
                    text(s, "floorPlanId").and_then(|id| floors.iter().find(|f| f.esx_id == id))
                else {
                    self.skipped
                        .skip("survey not on an imported floor plan", entry.clone());
                    continue;
                };
                let route = text(s, "routeType").unwrap_or("CONTINUOUS").to_string();
                let mut wps = Vec::new();
                for (k, rp) in list(Some(s), "routePoints").iter().enumerate() {
                    let t = rp
                        .get("time")
                        .or_else(|| rp.get("timestamp"))
                        .and_then(Value::as_f64)
                        .filter(|t| t.is_finite());
                    let c = rp.get("location").and_then(coord).or_else(|| coord(rp));
                    match (t, c) {
                        (Some(t), Some(c)) => {
                            let p = f.px(c);
                            wps.push((t / 1e9, wisp_model::Point::new(p[0], p[1]), k + 1));
                        }
                        _ => self.skipped.skip(
                            "survey route point without a time or a position",
                            format!("{entry}#routePoints[{}]", k + 1),
                        ),
                    }
                }
                let count = wps.len();
                let track = match crate::track::Track::from_waypoints(wps) {
                    Ok(t) => t,
                    Err(e) => {
                        self.skipped.skip(
                            format!("survey route not usable as a track ({e})"),
                            entry.clone(),
                        );
                        continue;
                    }
                };
                let n = per_floor.entry(f.id.clone()).or_default();
                *n += 1;
                let file = format!("track-{}-{}.csv", f.id, n);
                self.files.push((
                    file.clone(),
                    crate::track::track_csv(track.waypoints()).into_bytes(),
                ));
                self.counts.tracks += 1;
                notes.push(format!(
                    "{file}: floor {}, {route} survey, {count} route points",
                    f.id
                ));
            }
        }
        Ok(notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_unique_names() {
        assert_eq!(slug("Level 1 — West Wing"), "level-1-west-wing");
        assert_eq!(slug("  --Ward 7/8--  "), "ward-7-8");
        assert_eq!(slug("Ωμέγα"), "");
        assert_eq!(slug(&"a".repeat(100)).len(), 40);
        let mut taken = BTreeSet::new();
        assert_eq!(unique("l1", &mut taken), "l1");
        assert_eq!(unique("l1", &mut taken), "l1-2");
        assert_eq!(unique("l1", &mut taken), "l1-3");
    }

    #[test]
    fn zone_kinds_from_area_names() {
        for (name, kind) in [
            ("X-Ray Room 2", ZoneKind::Imaging),
            ("MRI suite", ZoneKind::Imaging),
            ("Stairwell B", ZoneKind::StairsLift),
            ("Lift lobby", ZoneKind::StairsLift),
            ("Main corridor", ZoneKind::Corridor),
            ("Nurses' station", ZoneKind::NursesStation),
            ("Bay 4", ZoneKind::Bay),
            ("Ward 7", ZoneKind::Ward),
            ("Side room 3", ZoneKind::SingleRoom),
            ("Consulting 1", ZoneKind::ConsultingRoom),
            ("Treatment room", ZoneKind::TreatmentRoom),
            ("Waiting area", ZoneKind::Waiting),
            ("Ward manager's office", ZoneKind::Office),
            ("Admin office", ZoneKind::Office),
            ("Plant room", ZoneKind::Plant),
            ("Car park", ZoneKind::Outdoor),
            ("Room 2.14", ZoneKind::Clinic),
        ] {
            assert_eq!(guess_zone_kind(name), kind, "{name}");
        }
    }

    #[test]
    fn band_and_channel_names() {
        assert_eq!(esx_band("TWO"), Some(Band::G2_4));
        assert_eq!(esx_band("FIVE"), Some(Band::G5));
        assert_eq!(esx_band("6"), Some(Band::G6));
        assert_eq!(esx_band("SIXTY"), Some(Band::G6));
        assert_eq!(esx_band("sub-GHz"), None);
        let ch = |v: Value| radio_channel(&v).map(|c| (c.band, c.number));
        assert_eq!(
            ch(serde_json::json!({"channel": [36, 40]})),
            Some((Band::G5, 36))
        );
        assert_eq!(
            ch(serde_json::json!({"channel": 11})),
            Some((Band::G2_4, 11))
        );
        assert_eq!(
            ch(serde_json::json!({"channel": [5], "frequencyBand": "SIX"})),
            Some((Band::G6, 5))
        );
        assert_eq!(
            ch(serde_json::json!({"channel": [14], "band": "FIVE"})),
            None
        );
        assert_eq!(ch(serde_json::json!({"name": "x"})), None);
    }
}
