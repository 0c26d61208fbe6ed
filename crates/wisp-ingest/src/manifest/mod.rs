//! The site manifest, `site.toml`: its raw form as written, and the validated [`Site`].
//!
//! Coordinates in the manifest are plan pixels, as a surveyor clicks them; [`load_site`]
//! converts them once into plan metres. Unknown keys are refused with the file, line and key.
//! Every field is documented in README.md ("Site manifest").

use crate::capture::sightings::Grouping;
use crate::error::line_of;
use crate::georef::{ControlPoint, Georef};
use crate::{capture_name, plan, IngestError, IngestErrorKind};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

mod split;
use wisp_model::{
    AccessPoint, ApGrouping, ApRadio, ApRule, Band, Bssid, Channel, Dbm, Floor, Material,
    MethodChoice, NetworkSource, OurNetwork, PlanCalibration, Point, Polygon, RequirementProfile,
    Segment, Wall, Zone, ZoneKind,
};

/// Default survey range in metres (see `wisp_interp::LayerOptions::survey_range_m`).
pub const DEFAULT_SURVEY_RANGE_M: f64 = 5.0;

/// Readings older than this when their scan was reported are dropped: 3 s (*estimate*). At the
/// 1 m/s of a survey walk a 3 s old reading was taken about 3 m back, half the 6 m over which
/// indoor shadowing decorrelates (3GPP TR 38.901 NLOS, shared/reference.md §2), so it still
/// describes where it is placed; Android's cached results, up to 30 s old, describe somewhere
/// else and move a zone's 5th percentile by several dB.
pub const DEFAULT_MAX_AGE_S: f64 = 3.0;

/// Default floor-to-floor height in metres: 4.0 m, *estimate* — hospital storeys run 3.6–4.5 m
/// floor to floor (deeper than offices' 3.5–4 m, for ceiling-void services); give `height_m`.
pub const DEFAULT_FLOOR_HEIGHT_M: f64 = 4.0;

/// The material of the slabs between floors unless the manifest's `slab` names another: the
/// built-in `floor-slab`, 15 / 18 / 21 dB at 2.4 / 5 / 6 GHz (shared/reference.md §2; ITU-R
/// P.1238 gives 15–16 dB floor penetration for one office floor, COST 231 18.3 dB).
pub const DEFAULT_SLAB_MATERIAL: &str = "floor-slab";

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    pub name: String,
    #[serde(default)]
    pub surveyor: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub materials: BTreeMap<String, Spanned<BTreeMap<String, f64>>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<Spanned<RawProfile>>,
    #[serde(default)]
    pub survey_range_m: Option<Spanned<f64>>,
    /// Interpolation method for every floor: idw (default), natural, kriging, spline, nearest,
    /// model, or auto
    /// (chosen per floor by cross-validation on walk-out folds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpolation: Option<Spanned<String>>,
    /// Material of the slabs between floors (default: the built-in `floor-slab`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slab: Option<Spanned<String>>,
    /// How BSSIDs are grouped into access points: `first-five-octets` (default), `bssid` or
    /// `prefix-N`; an AP's `bssids` list wins over it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ap_grouping: Option<Spanned<String>>,
    /// Readings older than this when their scan was reported are dropped (seconds; default
    /// [`DEFAULT_MAX_AGE_S`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age_s: Option<Spanned<f64>>,
    /// The network being surveyed: coverage counts its SSIDs (and the listed APs) only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Spanned<RawNetwork>>,
    /// Empty when parsed from the site's piece of the text ([`split`]); a manifest without
    /// floors is refused by [`parse_site`].
    #[serde(default)]
    pub floors: Vec<Spanned<RawFloor>>,
}

/// `[network]`: the SSIDs of the network being surveyed.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub ssids: Vec<String>,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    pub name: String,
    pub primary_dbm: f64,
    pub secondary_dbm: Option<f64>,
    pub tertiary_dbm: Option<f64>,
    pub snr_db: Option<f64>,
    pub cochannel_max: Option<u32>,
    pub cochannel_dbm: Option<f64>,
    #[serde(default)]
    pub source: Option<String>,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCalibration {
    pub a: [f64; 2],
    pub b: [f64; 2],
    pub metres: f64,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFloor {
    pub id: String,
    /// Interpolation method for this floor (overrides the site's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpolation: Option<Spanned<String>>,
    pub name: Option<String>,
    pub plan: String,
    pub metres_per_pixel: Option<Spanned<f64>>,
    pub calibration: Option<Spanned<RawCalibration>>,
    pub outline: Option<Spanned<Vec<[f64; 2]>>>,
    pub survey_range_m: Option<Spanned<f64>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub walls: Vec<Spanned<RawWall>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<Spanned<RawZone>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub captures: Vec<Spanned<RawCapture>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aps: Vec<Spanned<RawAp>>,
    /// A walk route (plan pixels) for `wisp simulate`.
    pub walk: Option<Spanned<Vec<[f64; 2]>>>,
    /// Plan points with known latitude and longitude (at least two), for GPS captures and WGS 84
    /// outputs.
    pub georef: Option<Spanned<Vec<RawGeoPoint>>>,
    /// The building the floor belongs to (floors of one building hear each other's APs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub building: Option<String>,
    /// The storey within the building: 0 ground, 1 first, -1 basement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Spanned<i32>>,
    /// Floor-to-floor height in metres.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height_m: Option<Spanned<f64>>,
}

/// A georeference control point: a plan position (pixels) and its WGS 84 latitude/longitude.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawGeoPoint {
    pub at: [f64; 2],
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawWall {
    pub material: String,
    pub points: Vec<[f64; 2]>,
}

#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawZone {
    pub name: String,
    pub kind: String,
    pub polygon: Vec<[f64; 2]>,
    pub profile: Option<String>,
    /// No new AP may go here (the planner's candidates skip it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_ap: bool,
}

/// A capture file of a floor and how its positions are given.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawCapture {
    /// One capture file, relative to the manifest.
    pub file: Option<String>,
    /// Stop-and-go, many files in one entry: the capture files whose names match this pattern
    /// (`*` and `?` in the file name; relative to the manifest), each at its row of `points`.
    pub glob: Option<String>,
    /// With `glob`: a CSV of `file,x,y` rows (as `wisp ingest --points` reads), relative to the
    /// manifest; each row's file relative to the CSV's folder.
    pub points: Option<String>,
    /// Units of the points' x,y: "px" (plan pixels, default, as `at`) or "m" (plan metres).
    pub points_units: Option<String>,
    /// Force a format instead of detecting it.
    pub format: Option<String>,
    /// Units of positions inside the capture (CSV x,y): "m" (plan metres, default) or "px".
    pub units: Option<String>,
    /// Stop-and-go: where the whole file was taken, plan pixels.
    pub at: Option<[f64; 2]>,
    /// Continuous walk: a CSV track `t,x,y` (plan pixels), relative to the manifest.
    pub track: Option<String>,
    /// Units of the track's x,y: "px" (plan pixels, default) or "m" (plan metres).
    pub track_units: Option<String>,
    /// Time window (s) grouping GPS sightings into scans ([`crate::capture::sightings`]); 0 keeps one
    /// scan per sighting.
    pub sighting_window_s: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawAp {
    pub name: String,
    pub at: [f64; 2],
    pub radios: Vec<RawRadio>,
    pub ssids: Option<Vec<String>>,
    pub bssid: Option<String>,
    /// Every BSSID this AP transmits: they count as this AP, whatever the `ap_grouping` rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bssids: Option<Vec<String>>,
    /// Floor id, in an APs file that serves several floors.
    pub floor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRadio {
    pub band: String,
    pub channel: u16,
    pub tx_dbm: f64,
}

/// A capture to ingest, with paths resolved against the manifest.
#[derive(Debug, Clone)]
pub struct CaptureSpec {
    pub path: PathBuf,
    pub format: Option<String>,
    pub units_px: bool,
    /// Stop-and-go: where the whole file was taken, plan metres.
    pub at_m: Option<Point>,
    pub track: Option<PathBuf>,
    /// The track's positions are plan pixels (default) rather than plan metres.
    pub track_units_px: bool,
    /// How the capture's GPS sightings are grouped into scans.
    pub grouping: Grouping,
    /// Readings older than this (their `age_s`) are dropped, counted by reason.
    pub max_age_s: f64,
}

/// A floor with what ingest needs besides the model: its plan image and captures.
#[derive(Debug, Clone)]
pub struct SiteFloor {
    pub floor: Floor,
    pub plan_path: PathBuf,
    pub captures: Vec<CaptureSpec>,
    /// Latitude/longitude ↔ plan metres, when the manifest georeferences the floor.
    pub georef: Option<Georef>,
    /// Where the floor sits in its building, when the manifest gives its `level`.
    pub storey: Option<Storey>,
    /// Interpolation method, or `auto` (default IDW).
    pub interpolation: MethodChoice,
}

/// A floor's place in a building: floors of one building hear each other's access points
/// through the slabs between them. Their plans are assumed aligned: a plan point (in metres) is
/// the same spot of the building on every floor of that building.
#[derive(Debug, Clone, PartialEq)]
pub struct Storey {
    /// The building's name; floors without `building` share one unnamed building ("").
    pub building: String,
    /// 0 ground, 1 first, -1 basement...
    pub level: i32,
    /// Floor-to-floor height in metres (this floor's slab to the next one up).
    pub height_m: f64,
}

/// A validated site.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub surveyor: Option<String>,
    pub manifest_path: PathBuf,
    pub floors: Vec<SiteFloor>,
    /// Custom profiles from the manifest (built-ins live in wisp-coverage).
    pub profiles: Vec<RequirementProfile>,
    /// Material of the slabs between floors ([`DEFAULT_SLAB_MATERIAL`] unless the manifest's
    /// `slab` names another).
    pub slab: Material,
    /// Which BSSIDs are one access point: the manifest's `ap_grouping` rule and the APs' `bssids`.
    pub ap_grouping: ApGrouping,
    /// Which radios are ours: `[network] ssids`, else the SSIDs of the manifest's APs, else all;
    /// the manifest's APs are ours in every case.
    pub network: OurNetwork,
    /// Readings older than this are dropped (seconds; [`DEFAULT_MAX_AGE_S`] unless the manifest
    /// says `max_age_s`).
    pub max_age_s: f64,
}

/// An access point of another floor of the same building, as a floor hears it: where it is in
/// this floor's plan metres (plans of one building are aligned), how many slabs lie between,
/// and how far above or below it is.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedAp {
    pub ap: AccessPoint,
    /// Floor id the AP is on.
    pub floor: String,
    /// |level difference|: the number of slabs the signal crosses.
    pub slabs: u32,
    /// Vertical distance in metres.
    pub height_m: f64,
}

impl Site {
    pub fn floor(&self, id: &str) -> Option<&SiteFloor> {
        self.floors.iter().find(|f| f.floor.id == id)
    }

    /// The access points of the other floors of `floor`'s building, with the slabs and height
    /// between. Empty for a floor without a `level`. The height between two levels is the sum of
    /// the floor-to-floor heights of the levels in between (from the lower one up); a level the
    /// manifest does not list takes the lower floor's height.
    pub fn stacked_aps(&self, floor: &SiteFloor) -> Vec<StackedAp> {
        let Some(here) = &floor.storey else {
            return Vec::new();
        };
        let height_of = |level: i32| {
            self.floors
                .iter()
                .filter_map(|f| f.storey.as_ref())
                .find(|s| s.building == here.building && s.level == level)
                .map(|s| s.height_m)
        };
        let mut out = Vec::new();
        for other in &self.floors {
            let Some(there) = &other.storey else {
                continue;
            };
            if there.building != here.building || there.level == here.level {
                continue;
            }
            let (lo, hi) = if there.level < here.level {
                (there, here)
            } else {
                (here, there)
            };
            let height_m: f64 = (lo.level..hi.level)
                .map(|l| height_of(l).unwrap_or(lo.height_m))
                .sum();
            for ap in &other.floor.aps {
                out.push(StackedAp {
                    ap: ap.clone(),
                    floor: other.floor.id.clone(),
                    slabs: hi.level.abs_diff(lo.level),
                    height_m,
                });
            }
        }
        out
    }
    pub fn dir(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }
}

/// `SITE` as the CLI takes it: a `site.toml` or the folder holding one.
pub fn manifest_path(site: &Path) -> PathBuf {
    if site.is_dir() {
        site.join("site.toml")
    } else {
        site.to_path_buf()
    }
}

/// Tells a plan image's size in pixels.
pub type PlanSize = dyn Fn(&Path) -> Result<(u32, u32), IngestError>;

/// A polygon's error in the manifest's terms: crossing edges are named by index with their
/// corners in plan pixels as written (a closed ring's repeated corner not counted).
fn polygon_message(e: &wisp_model::ModelError, px: &[[f64; 2]]) -> String {
    let wisp_model::ModelErrorKind::SelfIntersecting { first, second } = e.kind() else {
        return e.to_string();
    };
    let n = if px.len() > 3 && px.first() == px.last() {
        px.len() - 1
    } else {
        px.len()
    };
    let edge = |i: usize| {
        let (a, b) = (px[i % n], px[(i + 1) % n]);
        format!("{i} [{}, {}]–[{}, {}]", a[0], a[1], b[0], b[1])
    };
    format!(
        "polygon edges {} and {} cross each other",
        edge(*first),
        edge(*second)
    )
}

/// The line of `key = …` in the table that starts at `span` (up to the next `[` header), else
/// the span's first line.
fn key_line(text: &str, span: std::ops::Range<usize>, key: &str) -> usize {
    let start = span.start.min(text.len());
    let mut offset = start;
    for (i, l) in text[start..].split_inclusive('\n').enumerate() {
        let t = l.trim_start();
        if i > 0 && t.starts_with('[') {
            break;
        }
        if t.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
        {
            return line_of(text, offset);
        }
        offset += l.len();
    }
    line_of(text, start)
}

/// Reads and validates a site manifest. `known_profiles` are the built-in profile names a zone may
/// name besides the manifest's own. Plan images are opened only for their size (under limits).
pub fn load_site(site: &Path, known_profiles: &[String]) -> Result<Site, IngestError> {
    let path = manifest_path(site);
    let bytes = crate::read_limited(&path, crate::MAX_MANIFEST_BYTES)?;
    let text = crate::text::decode(&bytes).map_err(|e| e.at(&path))?;
    // Plans, captures and tracks are links into the site folder or plain files, never links
    // leaving it (README "Site manifest").
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let root = dir.clone();
    let site = parse_site(&text, &path, known_profiles, &move |p| {
        crate::check_link_inside(p, &root)?;
        plan::image_size(p)
    })?;
    for c in site.floors.iter().flat_map(|f| &f.captures) {
        crate::check_link_inside(&c.path, &dir)?;
        if let Some(t) = &c.track {
            crate::check_link_inside(t, &dir)?;
        }
    }
    Ok(site)
}

/// Validates manifest text; `plan_size` tells a plan image's size in pixels (a parameter so that
/// tests and the floor-plan drawing tool need no image).
///
/// Each floor's part of the text is parsed and validated alone, and its TOML document dropped
/// before the next floor's is read ([`split`]): a TOML document costs ~30 times its text, so a
/// 200-floor estate's manifest parsed whole held ~200 MB while it loaded (issue 16). Mistakes are
/// reported in manifest order: the site's keys, then floor by floor. When a piece is not TOML
/// that reads as a manifest's, the whole text is parsed at once, as before, so that the syntax
/// error is reported as it always was.
pub fn parse_site(
    text: &str,
    path: &Path,
    known_profiles: &[String],
    plan_size: &PlanSize,
) -> Result<Site, IngestError> {
    if let Some(pieces) = split::split(text) {
        if let Some(site) = parse_pieces(text, &pieces, path, known_profiles, plan_size)? {
            return Ok(site);
        }
    }
    parse_whole(text, path, known_profiles, plan_size)
}

/// [`parse_site`] on the whole document at once.
fn parse_whole(
    text: &str,
    path: &Path,
    known_profiles: &[String],
    plan_size: &PlanSize,
) -> Result<Site, IngestError> {
    let raw: RawManifest = toml_document(text, path)?;
    let same = |offset: usize| offset;
    let mut site = SiteBuilder::new(&raw, text, path, known_profiles, plan_size, &same)?;
    if raw.floors.is_empty() {
        return Err(IngestError::invalid("the manifest has no [[floors]]").at(path));
    }
    for sf in &raw.floors {
        site.add_floor(sf, &same)?;
    }
    site.finish()
}

/// A floor's piece of the manifest ([`split`]): one `[[floors]]` and its tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFloors {
    floors: Vec<Spanned<RawFloor>>,
}

/// [`parse_site`] a piece at a time: the site's keys, then each floor; None when a piece is not
/// TOML that reads as a manifest's.
fn parse_pieces(
    text: &str,
    pieces: &split::Split,
    path: &Path,
    known_profiles: &[String],
    plan_size: &PlanSize,
) -> Result<Option<Site>, IngestError> {
    let head = split::Piece::of(text, &pieces.head);
    let Ok(raw) = toml::from_str::<RawManifest>(&head.text) else {
        return Ok(None);
    };
    if !raw.floors.is_empty() {
        // Floors written otherwise than as `[[floors]]` tables (`floors = [...]`).
        return Ok(None);
    }
    let head_at = |offset: usize| head.at(offset);
    let mut site = SiteBuilder::new(&raw, text, path, known_profiles, plan_size, &head_at)?;
    for ranges in &pieces.floors {
        let piece = split::Piece::of(text, ranges);
        let Ok(floor) = toml::from_str::<RawFloors>(&piece.text) else {
            return Ok(None);
        };
        for sf in &floor.floors {
            site.add_floor(sf, &|offset| piece.at(offset))?;
        }
    }
    site.finish().map(Some)
}

/// A TOML document, or a syntax error at its line.
fn toml_document<T: serde::de::DeserializeOwned>(
    text: &str,
    path: &Path,
) -> Result<T, IngestError> {
    toml::from_str(text).map_err(|e| {
        let mut err = IngestError::syntax(e.message().trim().to_string()).at(path);
        if let Some(span) = e.span() {
            err = err.line(line_of(text, span.start));
        }
        err
    })
}

/// A site being validated: what its own keys say, and its floors so far.
struct SiteBuilder<'a> {
    raw: &'a RawManifest,
    text: &'a str,
    path: &'a Path,
    dir: &'a Path,
    known_profiles: &'a [String],
    plan_size: &'a PlanSize,
    /// Where an offset in the text `raw` was read from is in the manifest.
    head_at: &'a dyn Fn(usize) -> usize,
    materials: Vec<Material>,
    profiles: Vec<RequirementProfile>,
    max_age_s: f64,
    default_range: f64,
    slab: Material,
    ap_grouping: ApGrouping,
    /// AP name → floor, for the APs that list their BSSIDs (their name is their key site-wide).
    listing: BTreeMap<String, String>,
    floors: Vec<SiteFloor>,
}

impl<'a> SiteBuilder<'a> {
    /// The site's own keys (`raw`'s floors are not read), validated.
    fn new(
        raw: &'a RawManifest,
        text: &'a str,
        path: &'a Path,
        known_profiles: &'a [String],
        plan_size: &'a PlanSize,
        head_at: &'a dyn Fn(usize) -> usize,
    ) -> Result<Self, IngestError> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let fail = |span: std::ops::Range<usize>, msg: String| {
            IngestError::invalid(msg)
                .at(path)
                .line(line_of(text, head_at(span.start)))
        };

        let mut ap_grouping = ApGrouping::default();
        if let Some(r) = &raw.ap_grouping {
            ap_grouping.rule =
                ApRule::parse(r.get_ref()).map_err(|e| fail(r.span(), e.to_string()))?;
        }

        let mut materials = Material::defaults();
        for (name, spanned) in &raw.materials {
            let span = spanned.span();
            let mut loss_db = BTreeMap::new();
            for (band, db) in spanned.get_ref() {
                let band = Band::parse(band)
                    .map_err(|e| fail(span.clone(), format!("material '{name}': {e}")))?;
                if !db.is_finite() || *db < 0.0 || *db > 100.0 {
                    return Err(fail(
                        span.clone(),
                        format!("material '{name}': loss {db} dB is outside 0..100"),
                    ));
                }
                loss_db.insert(band, *db);
            }
            if loss_db.is_empty() {
                return Err(fail(
                    span,
                    format!("material '{name}' gives no band's loss"),
                ));
            }
            match materials.iter_mut().find(|m| &m.name == name) {
                Some(m) => m.loss_db.extend(loss_db),
                None => materials.push(Material {
                    name: name.clone(),
                    loss_db,
                }),
            }
        }

        let mut profiles = Vec::new();
        for p in &raw.profiles {
            let r = p.get_ref();
            let nums = [
                Some(r.primary_dbm),
                r.secondary_dbm,
                r.tertiary_dbm,
                r.cochannel_dbm,
            ];
            if nums
                .iter()
                .flatten()
                .any(|v| !v.is_finite() || *v > 0.0 || *v < -120.0)
            {
                return Err(fail(
                    p.span(),
                    format!(
                        "profile '{}': signal thresholds must be dBm in -120..0",
                        r.name
                    ),
                ));
            }
            profiles.push(RequirementProfile {
                name: r.name.clone(),
                primary_dbm: Dbm(r.primary_dbm),
                secondary_dbm: r.secondary_dbm.map(Dbm),
                tertiary_dbm: r.tertiary_dbm.map(Dbm),
                snr_db: r.snr_db,
                cochannel_max: r.cochannel_max,
                cochannel_dbm: Dbm(r.cochannel_dbm.unwrap_or(-85.0)),
                source: r
                    .source
                    .clone()
                    .unwrap_or_else(|| format!("{}", path.display())),
            });
        }
        let max_age_s = match &raw.max_age_s {
            Some(a) if a.get_ref().is_finite() && *a.get_ref() > 0.0 => *a.get_ref(),
            Some(a) => {
                return Err(fail(
                    a.span(),
                    format!(
                        "max_age_s must be a positive number of seconds, not {}",
                        a.get_ref()
                    ),
                ))
            }
            None => DEFAULT_MAX_AGE_S,
        };
        let default_range = match &raw.survey_range_m {
            Some(r) => positive(r, "survey_range_m").map_err(|m| fail(r.span(), m))?,
            None => DEFAULT_SURVEY_RANGE_M,
        };

        let slab = match &raw.slab {
            Some(name) => materials
                .iter()
                .find(|m| &m.name == name.get_ref())
                .cloned()
                .ok_or_else(|| {
                    fail(
                        name.span(),
                        format!(
                            "slab material '{}' is not defined (known: {}; add it under [materials])",
                            name.get_ref(),
                            materials
                                .iter()
                                .map(|m| m.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?,
            None => materials
                .iter()
                .find(|m| m.name == DEFAULT_SLAB_MATERIAL)
                .cloned()
                .unwrap_or_else(|| Material {
                    name: DEFAULT_SLAB_MATERIAL.into(),
                    loss_db: BTreeMap::from([(Band::G2_4, 15.0), (Band::G5, 18.0), (Band::G6, 21.0)]),
                }),
        };

        Ok(SiteBuilder {
            raw,
            text,
            path,
            dir,
            known_profiles,
            plan_size,
            head_at,
            materials,
            profiles,
            max_age_s,
            default_range,
            slab,
            ap_grouping,
            listing: BTreeMap::new(),
            floors: Vec::new(),
        })
    }

    /// Validates floor `sf`, read from a text whose offsets `at` maps to the manifest's.
    fn add_floor(
        &mut self,
        sf: &Spanned<RawFloor>,
        at: &dyn Fn(usize) -> usize,
    ) -> Result<(), IngestError> {
        let (text, path, dir, plan_size) = (self.text, self.path, self.dir, self.plan_size);
        let (max_age_s, default_range) = (self.max_age_s, self.default_range);
        let (materials, floors) = (&self.materials, &self.floors);
        let (ap_grouping, listing) = (&mut self.ap_grouping, &mut self.listing);
        let (profiles, known_profiles) = (&self.profiles, self.known_profiles);
        let profile_known =
            |n: &str| known_profiles.iter().any(|k| k == n) || profiles.iter().any(|p| p.name == n);
        let fail = |span: std::ops::Range<usize>, msg: String| {
            IngestError::invalid(msg)
                .at(path)
                .line(line_of(text, at(span.start)))
        };

        let f = sf.get_ref();
        let fspan = sf.span();
        if floors.iter().any(|o| o.floor.id == f.id) {
            return Err(fail(fspan, format!("floor id '{}' is used twice", f.id)));
        }
        if f.id.trim().is_empty() {
            return Err(fail(fspan, "floor id is empty".into()));
        }
        let calibration = match (&f.metres_per_pixel, &f.calibration) {
            (Some(m), None) => PlanCalibration::new(*m.get_ref())
                .map_err(|e| fail(m.span(), format!("floor '{}': metres_per_pixel: {e}", f.id)))?,
            (None, Some(c)) => {
                let r = c.get_ref();
                PlanCalibration::from_two_points(pt(r.a), pt(r.b), r.metres)
                    .map_err(|e| fail(c.span(), format!("floor '{}': calibration: {e}", f.id)))?
            }
            (Some(m), Some(_)) => {
                return Err(fail(
                    m.span(),
                    format!(
                        "floor '{}': give metres_per_pixel or calibration, not both",
                        f.id
                    ),
                ))
            }
            (None, None) => {
                return Err(fail(
                    fspan,
                    format!(
                        "floor '{}' needs metres_per_pixel or calibration = {{ a, b, metres }}",
                        f.id
                    ),
                ))
            }
        };
        let plan_path = dir.join(&f.plan);
        // The error is the manifest's, at the `plan` line: `site.toml:4: plan 'floor.PNG': no
        // such file`, not line 4 of the image.
        let plan_size_px = plan_size(&plan_path).map_err(|e| {
            let what = match e.kind() {
                IngestErrorKind::Io(io) if io.kind() == std::io::ErrorKind::NotFound => {
                    "no such file".to_string()
                }
                _ => e.message(),
            };
            let line = key_line(text, at(fspan.start)..at(fspan.end), "plan");
            IngestError::new(IngestErrorKind::Invalid(format!(
                "plan '{}': {what}",
                crate::error::quote(&f.plan)
            )))
            .at(path)
            .line(line)
        })?;
        check_scale(&f.id, plan_size_px, calibration.metres_per_pixel())
            .map_err(|m| fail(scale_span(f).unwrap_or(fspan.clone()), m))?;
        let to_m = |p: [f64; 2]| calibration.to_metres(pt(p));
        let in_plan = |p: [f64; 2]| {
            p[0].is_finite()
                && p[1].is_finite()
                && (0.0..=plan_size_px.0 as f64).contains(&p[0])
                && (0.0..=plan_size_px.1 as f64).contains(&p[1])
        };
        let check_points = |pts: &[[f64; 2]],
                            what: &str,
                            span: std::ops::Range<usize>|
         -> Result<(), IngestError> {
            if let Some(p) = pts.iter().find(|p| !in_plan(**p)) {
                return Err(fail(
                    span,
                    format!(
                        "floor '{}': {what}: point [{}, {}] is outside the {}×{} px plan",
                        f.id, p[0], p[1], plan_size_px.0, plan_size_px.1
                    ),
                ));
            }
            Ok(())
        };
        let outline = match &f.outline {
            Some(o) => {
                check_points(o.get_ref(), "outline", o.span())?;
                Polygon::new(o.get_ref().iter().map(|&p| to_m(p)).collect()).map_err(|e| {
                    let e = polygon_message(&e, o.get_ref());
                    fail(o.span(), format!("floor '{}': outline: {e}", f.id))
                })?
            }
            None => Polygon::rectangle(
                Point::new(0.0, 0.0),
                to_m([plan_size_px.0 as f64, plan_size_px.1 as f64]),
            )
            .map_err(|e| fail(fspan.clone(), format!("floor '{}': plan image: {e}", f.id)))?,
        };
        // Inside the outline, or on it (within 1 cm: the even-odd test may put a point on an
        // edge either side); a stop-and-go point elsewhere was not taken on this floor.
        let off_outline = |p: Point| {
            let c = outline.corners();
            !outline.contains(p)
                && (0..c.len())
                    .all(|i| Segment::new(c[i], c[(i + 1) % c.len()]).distance_to(p) > 0.01)
        };
        let mut walls = Vec::new();
        for w in &f.walls {
            let r = w.get_ref();
            let material = materials
                .iter()
                .position(|m| m.name == r.material)
                .ok_or_else(|| {
                    fail(
                        w.span(),
                        format!(
                            "wall material '{}' is not defined (known: {}; add it under [materials])",
                            r.material,
                            materials.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })?;
            if r.points.len() < 2 {
                return Err(fail(w.span(), "a wall needs at least two points".into()));
            }
            check_points(&r.points, "wall", w.span())?;
            for pair in r.points.windows(2) {
                let seg = Segment::new(to_m(pair[0]), to_m(pair[1]));
                if seg.length() <= 0.0 {
                    return Err(fail(
                        w.span(),
                        format!(
                            "wall has a zero-length segment at [{}, {}]",
                            pair[0][0], pair[0][1]
                        ),
                    ));
                }
                walls.push(Wall {
                    segment: seg,
                    material,
                });
            }
        }
        let mut zones = Vec::new();
        for z in &f.zones {
            let r = z.get_ref();
            let kind = ZoneKind::parse(&r.kind)
                .map_err(|e| fail(z.span(), format!("zone '{}': {e}", r.name)))?;
            check_points(&r.polygon, &format!("zone '{}'", r.name), z.span())?;
            let polygon =
                Polygon::new(r.polygon.iter().map(|&p| to_m(p)).collect()).map_err(|e| {
                    let e = polygon_message(&e, &r.polygon);
                    fail(z.span(), format!("zone '{}': {e}", r.name))
                })?;
            let profile = r
                .profile
                .clone()
                .unwrap_or_else(|| kind.default_profile().to_string());
            if !profile_known(&profile) {
                return Err(fail(z.span(), format!("zone '{}': profile '{profile}' is not built in nor defined under [[profiles]]", r.name)));
            }
            zones.push(Zone {
                name: r.name.clone(),
                kind,
                polygon,
                profile,
                no_ap: r.no_ap,
            });
        }
        let mut aps = Vec::new();
        for a in &f.aps {
            check_points(
                &[a.get_ref().at],
                &format!("access point '{}'", a.get_ref().name),
                a.span(),
            )?;
            aps.push(resolve_ap(a.get_ref(), &calibration).map_err(|m| fail(a.span(), m))?);
            let name = &a.get_ref().name;
            for b in a.get_ref().bssids.iter().flatten() {
                let bssid: Bssid = b
                    .parse()
                    .map_err(|e| fail(a.span(), format!("access point '{name}': bssids: {e}")))?;
                if let Some(other) = ap_grouping.assigned.get(&bssid).filter(|o| *o != name) {
                    return Err(fail(
                        a.span(),
                        format!("BSSID {bssid} is listed by access points '{other}' and '{name}'"),
                    ));
                }
                ap_grouping.assigned.insert(bssid, name.clone());
            }
            if a.get_ref().bssids.as_ref().is_some_and(|b| !b.is_empty()) {
                if let Some(floor) = listing.insert(name.clone(), f.id.clone()) {
                    return Err(fail(
                        a.span(),
                        format!(
                            "access point name '{name}' lists bssids twice (floors '{floor}' and \
                             '{}'): an AP that lists its BSSIDs is known by its name, which must be \
                             unique in the site",
                            f.id
                        ),
                    ));
                }
            }
        }
        let walk = match &f.walk {
            Some(w) => {
                check_points(w.get_ref(), "walk", w.span())?;
                if w.get_ref().len() < 2 {
                    return Err(fail(w.span(), "walk needs at least two points".into()));
                }
                Some(w.get_ref().iter().map(|&p| to_m(p)).collect())
            }
            None => None,
        };
        let mut captures = Vec::new();
        for c in &f.captures {
            let r = c.get_ref();
            let units_px = match r.units.as_deref() {
                None | Some("m") => false,
                Some("px") => true,
                Some(u) => {
                    return Err(fail(
                        c.span(),
                        format!("capture units '{u}': expected \"m\" or \"px\""),
                    ))
                }
            };
            if let Some(at) = r.at {
                check_points(&[at], "capture position", c.span())?;
            }
            let track_units_px = match r.track_units.as_deref() {
                None | Some("px") => true,
                Some("m") => false,
                Some(u) => {
                    return Err(fail(
                        c.span(),
                        format!("track_units '{u}': expected \"px\" or \"m\""),
                    ))
                }
            };
            if r.track_units.is_some() && r.track.is_none() {
                return Err(fail(
                    c.span(),
                    "track_units is given but there is no track".into(),
                ));
            }
            let grouping = match r.sighting_window_s {
                Some(w) => Grouping::with_window(w)
                    .map_err(|m| fail(c.span(), format!("sighting_window_s: {m}")))?,
                None => Grouping::default(),
            };
            let spec = |path: PathBuf, at_m: Option<Point>| CaptureSpec {
                path,
                format: r.format.clone(),
                units_px,
                at_m,
                track: r.track.as_ref().map(|t| dir.join(t)),
                track_units_px,
                grouping,
                max_age_s,
            };
            match (&r.file, &r.glob, &r.points) {
                (Some(file), None, None) => {
                    if r.points_units.is_some() {
                        return Err(fail(
                            c.span(),
                            "points_units is given but there is no points file".into(),
                        ));
                    }
                    let at_m = r.at.map(to_m);
                    // A stop-and-go point off the floor's outline was not taken on this floor.
                    if let (Some(px), Some(m)) = (r.at, at_m) {
                        if off_outline(m) {
                            return Err(fail(
                                c.span(),
                                format!(
                                    "floor '{}': capture '{file}': at [{}, {}] px ({:.1}, {:.1}) m is outside the floor's outline; check the point (plan pixels)",
                                    f.id, px[0], px[1], m.x, m.y
                                ),
                            ));
                        }
                    }
                    captures.push(spec(dir.join(file), at_m));
                }
                (None, Some(glob), Some(points)) => {
                    if r.at.is_some() || r.track.is_some() {
                        return Err(fail(
                            c.span(),
                            "a glob entry's files are placed by its points file: give no `at` or `track`".into(),
                        ));
                    }
                    let points_px = match r.points_units.as_deref() {
                        None | Some("px") => true,
                        Some("m") => false,
                        Some(u) => {
                            return Err(fail(
                                c.span(),
                                format!("points_units '{u}': expected \"px\" or \"m\""),
                            ))
                        }
                    };
                    let points = dir.join(points);
                    let line = line_of(text, at(c.span().start));
                    crate::check_link_inside(&points, dir)?;
                    let found = crate::capture::stops::glob_with_points(dir, glob, &points)
                        .map_err(|e| e.at(path).line(line))?;
                    let mut points_m = Vec::with_capacity(found.len());
                    for (file, row) in found {
                        let at = row.at;
                        let at_px = if points_px {
                            at
                        } else {
                            calibration.to_pixels(at)
                        };
                        check_points(
                            &[[at_px.x, at_px.y]],
                            &format!("{}'s point", capture_name(&file)),
                            c.span(),
                        )?;
                        let at_m = if points_px {
                            calibration.to_metres(at)
                        } else {
                            at
                        };
                        // Off the outline, though on the plan: most likely the points' units
                        // are not the ones `points_units` says (metres read as pixels land
                        // near the plan's corner, outside the building).
                        if off_outline(at_m) {
                            let fix = if points_px {
                                "if the points are in metres, set points_units = \"m\""
                            } else {
                                "if the points are in plan pixels, set points_units = \"px\""
                            };
                            return Err(IngestError::invalid(format!(
                                "floor '{}': {}'s point ({}, {}) {} ({:.1}, {:.1}) m is outside the floor's outline; {fix}",
                                f.id,
                                capture_name(&file),
                                at.x,
                                at.y,
                                if points_px { "px" } else { "m" },
                                at_m.x,
                                at_m.y
                            ))
                            .at(&points)
                            .line(row.line.unwrap_or(1)));
                        }
                        points_m.push(at_m);
                        captures.push(spec(file, Some(at_m)));
                    }
                    // Each point on the floor, yet every one in the plan's corner: metres read
                    // as pixels that still land inside the outline (or a plan without one).
                    let plan_m = calibration
                        .to_metres(Point::new(plan_size_px.0 as f64, plan_size_px.1 as f64));
                    if let Some(why) = crate::crowding::crowding_mistake(
                        &points_m,
                        plan_m,
                        "stop-and-go points",
                        false,
                        ("points_units = \"{}\"", points_px),
                    ) {
                        return Err(
                            IngestError::invalid(format!("floor '{}': {why}", f.id)).at(&points)
                        );
                    }
                }
                (Some(_), Some(_), _) => {
                    return Err(fail(
                        c.span(),
                        "a capture gives `file` or `glob`, not both".into(),
                    ))
                }
                (None, Some(_), None) => {
                    return Err(fail(
                        c.span(),
                        "a `glob` needs `points`: a CSV of file,x,y rows placing each file".into(),
                    ))
                }
                (_, None, Some(_)) => {
                    return Err(fail(
                        c.span(),
                        "`points` goes with a `glob` of capture files".into(),
                    ))
                }
                (None, None, None) => {
                    return Err(fail(
                        c.span(),
                        "a capture needs `file`, or `glob` with `points`".into(),
                    ))
                }
            }
        }
        let georef = match &f.georef {
            Some(g) => {
                let pts = g.get_ref();
                check_points(
                    &pts.iter().map(|p| p.at).collect::<Vec<_>>(),
                    "georef",
                    g.span(),
                )?;
                let control: Vec<ControlPoint> = pts
                    .iter()
                    .map(|p| ControlPoint {
                        at_m: to_m(p.at),
                        lat: p.lat,
                        lon: p.lon,
                    })
                    .collect();
                Some(
                    Georef::fit(&control)
                        .map_err(|m| fail(g.span(), format!("floor '{}': {m}", f.id)))?,
                )
            }
            None => None,
        };
        let survey_range_m = match &f.survey_range_m {
            Some(r) => positive(r, "survey_range_m").map_err(|m| fail(r.span(), m))?,
            None => default_range,
        };
        let storey = match &f.level {
            Some(level) => {
                let height_m = match &f.height_m {
                    Some(h) => positive(h, "height_m")
                        .and_then(|h| {
                            if h <= 100.0 {
                                Ok(h)
                            } else {
                                Err(format!("height_m {h} m is not a floor-to-floor height"))
                            }
                        })
                        .map_err(|m| fail(h.span(), format!("floor '{}': {m}", f.id)))?,
                    None => DEFAULT_FLOOR_HEIGHT_M,
                };
                let building = f.building.clone().unwrap_or_default();
                if let Some(o) = floors.iter().find(|o| {
                    o.storey
                        .as_ref()
                        .is_some_and(|s| s.building == building && s.level == *level.get_ref())
                }) {
                    return Err(fail(
                        level.span(),
                        format!(
                            "floors '{}' and '{}' are both level {} of building '{building}'",
                            o.floor.id,
                            f.id,
                            level.get_ref()
                        ),
                    ));
                }
                Some(Storey {
                    building,
                    level: *level.get_ref(),
                    height_m,
                })
            }
            None => {
                if f.building.is_some() || f.height_m.is_some() {
                    return Err(fail(
                        fspan,
                        format!(
                            "floor '{}': building and height_m need a level (0 ground, 1 first...)",
                            f.id
                        ),
                    ));
                }
                None
            }
        };
        let head_at = self.head_at;
        let interpolation = match (f.interpolation.as_ref(), self.raw.interpolation.as_ref()) {
            (Some(m), _) => m
                .get_ref()
                .parse::<MethodChoice>()
                .map_err(|e| fail(m.span(), format!("interpolation: {e}")))?,
            (None, Some(m)) => m.get_ref().parse::<MethodChoice>().map_err(|e| {
                IngestError::invalid(format!("interpolation: {e}"))
                    .at(path)
                    .line(line_of(text, head_at(m.span().start)))
            })?,
            (None, None) => MethodChoice::default(),
        };
        self.floors.push(SiteFloor {
            floor: Floor {
                id: f.id.clone(),
                name: f.name.clone().unwrap_or_else(|| f.id.clone()),
                calibration,
                plan_size_px,
                outline,
                materials: materials.clone(),
                walls,
                zones,
                aps,
                walk,
                survey_range_m,
            },
            plan_path,
            captures,
            georef,
            storey,
            interpolation,
        });
        Ok(())
    }

    /// The site, once every floor is in.
    fn finish(self) -> Result<Site, IngestError> {
        let (text, path, head_at) = (self.text, self.path, self.head_at);
        let fail = |span: std::ops::Range<usize>, msg: String| {
            IngestError::invalid(msg)
                .at(path)
                .line(line_of(text, head_at(span.start)))
        };
        let network = our_network(self.raw, &self.floors, &self.ap_grouping, &fail)?;
        Ok(Site {
            network,
            max_age_s: self.max_age_s,
            name: self.raw.name.clone(),
            surveyor: self.raw.surveyor.clone(),
            manifest_path: path.to_path_buf(),
            floors: self.floors,
            profiles: self.profiles,
            slab: self.slab,
            ap_grouping: self.ap_grouping,
        })
    }
}

/// Our network (README "Our network"): `[network] ssids` when given, else the SSIDs the
/// manifest's access points broadcast, else everything; the manifest's APs are ours in any case.
fn our_network(
    raw: &RawManifest,
    floors: &[SiteFloor],
    grouping: &ApGrouping,
    fail: &dyn Fn(std::ops::Range<usize>, String) -> IngestError,
) -> Result<OurNetwork, IngestError> {
    let aps: Vec<&AccessPoint> = floors.iter().flat_map(|f| &f.floor.aps).collect();
    let ap_ids = aps
        .iter()
        .filter_map(|a| grouping.ap_named(&a.name, a.base_bssid))
        .collect::<Vec<_>>();
    if let Some(n) = &raw.network {
        let ssids = &n.get_ref().ssids;
        if ssids.is_empty() {
            return Err(fail(
                n.span(),
                "[network] ssids is empty: list the SSIDs of the network being surveyed, e.g. ssids = [\"NHS-Clinical\"]".into(),
            ));
        }
        if let Some(bad) = ssids.iter().find(|s| s.is_empty() || s.len() > 32) {
            return Err(fail(
                n.span(),
                format!("[network] ssids: '{bad}' is not an SSID (1 to 32 bytes)"),
            ));
        }
        return Ok(OurNetwork::new(
            NetworkSource::Manifest,
            ssids.iter().cloned(),
            ap_ids,
        ));
    }
    if aps.is_empty() {
        return Ok(OurNetwork::everything());
    }
    Ok(OurNetwork::new(
        NetworkSource::ManifestAps,
        aps.iter().flat_map(|a| a.ssids.iter().cloned()),
        ap_ids,
    ))
}

/// The widest a floor plan may plausibly be, in metres: 1 km. The largest hospital blocks are a
/// few hundred metres long, so a plan wider than this has its scale wrong (often ×10 or ×100).
pub const MAX_PLAN_WIDTH_M: f64 = 1000.0;
/// The narrowest a whole floor plan may plausibly be, in metres: 2 m, less than one room.
pub const MIN_PLAN_WIDTH_M: f64 = 2.0;

/// Refuses a scale that makes the plan implausibly large or small, naming the likely fix.
fn check_scale(floor: &str, (w, h): (u32, u32), mpp: f64) -> Result<(), String> {
    let (wm, hm) = (w as f64 * mpp, h as f64 * mpp);
    let widest = wm.max(hm);
    let fix = |want: f64| {
        format!(
            "check metres_per_pixel or the calibration distance (for a plan {want:.0} m across, metres_per_pixel ≈ {:.4})",
            want / w.max(h).max(1) as f64
        )
    };
    if widest > MAX_PLAN_WIDTH_M {
        return Err(format!(
            "floor '{floor}': the {w}×{h} px plan at {mpp} m/px is {wm:.0} m × {hm:.0} m, wider than {MAX_PLAN_WIDTH_M:.0} m: the scale is implausible; {}",
            fix(100.0)
        ));
    }
    if widest < MIN_PLAN_WIDTH_M {
        return Err(format!(
            "floor '{floor}': the {w}×{h} px plan at {mpp} m/px is {wm:.2} m × {hm:.2} m, narrower than {MIN_PLAN_WIDTH_M:.0} m: the scale is implausible (pixels per metre given as metres per pixel?); {}",
            fix(100.0)
        ));
    }
    Ok(())
}

/// Where a floor's scale is written: `metres_per_pixel` or `calibration`.
fn scale_span(f: &RawFloor) -> Option<std::ops::Range<usize>> {
    f.metres_per_pixel
        .as_ref()
        .map(|m| m.span())
        .or_else(|| f.calibration.as_ref().map(|c| c.span()))
}

fn pt(p: [f64; 2]) -> Point {
    Point::new(p[0], p[1])
}

fn positive(v: &Spanned<f64>, what: &str) -> Result<f64, String> {
    let x = *v.get_ref();
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(format!(
            "{what} must be a positive number of metres, not {x}"
        ))
    }
}

/// An access point entry (manifest or APs file) in plan pixels → model, in metres.
pub fn resolve_ap(r: &RawAp, calibration: &PlanCalibration) -> Result<AccessPoint, String> {
    // The manifest checks positions against the plan; an APs file comes here unchecked.
    if !r.at.iter().all(|v| v.is_finite()) {
        return Err(format!(
            "access point '{}': position [{}, {}] is not a finite number",
            r.name, r.at[0], r.at[1]
        ));
    }
    let mut radios = Vec::new();
    for radio in &r.radios {
        let band =
            Band::parse(&radio.band).map_err(|e| format!("access point '{}': {e}", r.name))?;
        Channel::new(band, radio.channel).map_err(|e| format!("access point '{}': {e}", r.name))?;
        if !radio.tx_dbm.is_finite() || !(-10.0..=36.0).contains(&radio.tx_dbm) {
            return Err(format!(
                "access point '{}': tx_dbm {} is outside -10..36 dBm",
                r.name, radio.tx_dbm
            ));
        }
        radios.push(ApRadio {
            band,
            channel: radio.channel,
            tx_dbm: radio.tx_dbm,
        });
    }
    if radios.is_empty() {
        return Err(format!("access point '{}' has no radios", r.name));
    }
    let base_bssid = match &r.bssid {
        Some(b) => Some(
            b.parse::<Bssid>()
                .map_err(|e| format!("access point '{}': {e}", r.name))?,
        ),
        None => None,
    };
    Ok(AccessPoint {
        name: r.name.clone(),
        position: calibration.to_metres(pt(r.at)),
        radios,
        ssids: r
            .ssids
            .clone()
            .unwrap_or_else(|| vec!["NHS-Clinical".to_string()]),
        base_bssid,
    })
}

/// The APs file `wisp simulate --aps` reads: `[[aps]]` entries in TOML, or `{"aps": [...]}` JSON.
#[derive(Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApsFile {
    pub aps: Vec<RawAp>,
}

/// Reads an APs file (TOML or JSON by content).
pub fn load_aps(path: &Path) -> Result<Vec<RawAp>, IngestError> {
    let bytes = crate::read_limited(path, crate::MAX_MANIFEST_BYTES)?;
    let text = crate::text::decode(&bytes).map_err(|e| e.at(path))?;
    let file: ApsFile = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text)
            .map_err(|e| IngestError::syntax(e.to_string()).at(path).line(e.line()))?
    } else {
        toml_document(&text, path)?
    };
    Ok(file.aps)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"
name = "Test"
[materials]
lead = { "2.4" = 31.0 }
[[floors]]
id = "L1"
plan = "plan.png"
metres_per_pixel = 0.05
outline = [[0, 0], [200, 0], [200, 100], [0, 100]]
[[floors.walls]]
material = "lead"
points = [[100, 0], [100, 100]]
[[floors.zones]]
name = "Bay A"
kind = "bay"
polygon = [[0, 0], [100, 0], [100, 100], [0, 100]]
[[floors.aps]]
name = "AP1"
at = [50, 50]
radios = [{ band = "5", channel = 36, tx_dbm = 17.0 }]
"#;

    fn parse(text: &str) -> Result<Site, IngestError> {
        parse_site(
            text,
            Path::new("site.toml"),
            &["healthcare-voice".into()],
            &|_| Ok((400, 200)),
        )
    }

    /// Three floors with the site's tables between and after them, a floor's table after one of
    /// the site's, and the site's own interpolation.
    const THREE: &str = r#"
name = "Three"
interpolation = "idw"
[materials]
lead = { "2.4" = 31.0 }
[[floors]]
id = "L1"
plan = "plan.png"
metres_per_pixel = 0.05
level = 0
[[floors.walls]]
material = "lead"
points = [
  [100, 0],
  [100, 100],
]
[[floors.zones]]
name = "Bay A"
kind = "bay"
polygon = [[0, 0], [100, 0], [100, 100], [0, 100]]
[[profiles]]
name = "strict"
primary_dbm = -60.0
[[floors]]
id = "L2"
plan = "plan.png"
metres_per_pixel = 0.05
level = 1
interpolation = "nearest"
[[floors.zones]]
name = "Bay B"
kind = "bay"
profile = "strict"
polygon = [[0, 0], [100, 0], [100, 100], [0, 100]]
[network]
ssids = ["NHS-Clinical"]
[[floors.aps]]
name = "AP2"
at = [50, 50]
radios = [{ band = "5", channel = 36, tx_dbm = 17.0 }]
[[floors]]
id = "L3"
plan = "plan.png"
metres_per_pixel = 0.05
level = 2
[[floors.walls]]
material = "lead"
points = [[100, 0], [100, 100]]
[[floors.aps]]
name = "AP3"
at = [50, 50]
radios = [{ band = "5", channel = 36, tx_dbm = 17.0 }]
"#;

    fn parse_by(
        how: fn(&str, &Path, &[String], &PlanSize) -> Result<Site, IngestError>,
        text: &str,
    ) -> Result<Site, IngestError> {
        how(
            text,
            Path::new("site.toml"),
            &["healthcare-voice".into()],
            &|_| Ok((400, 200)),
        )
    }

    /// `parse_site` (a floor at a time) and the whole document at once read the same site, or
    /// fail with the same message at the same line.
    fn same_both_ways(text: &str) -> Result<Site, IngestError> {
        let pieces = parse_by(parse_site, text);
        let whole = parse_by(parse_whole, text);
        match (&pieces, &whole) {
            (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}")),
            (Err(a), Err(b)) => assert_eq!(
                (a.to_string(), a.line_number()),
                (b.to_string(), b.line_number())
            ),
            _ => panic!("pieces {pieces:?}, whole {whole:?}"),
        }
        pieces
    }

    #[test]
    fn a_floor_at_a_time_reads_the_site_the_whole_document_does() {
        let pieces = split::split(THREE).unwrap();
        assert_eq!(pieces.floors.len(), 3);
        // Read a piece at a time, not by falling back to the whole document.
        let known = ["healthcare-voice".to_string()];
        let by_pieces = parse_pieces(THREE, &pieces, Path::new("site.toml"), &known, &|_| {
            Ok((400, 200))
        });
        assert!(by_pieces.unwrap().is_some());
        let site = same_both_ways(THREE).unwrap();
        let ids: Vec<&str> = site.floors.iter().map(|f| f.floor.id.as_str()).collect();
        assert_eq!(ids, ["L1", "L2", "L3"]);
        // The floor's table after `[network]` is the second floor's.
        assert_eq!(site.floors[1].floor.aps[0].name, "AP2");
        assert_eq!(site.floors[1].floor.zones[0].profile, "strict");
        assert_eq!(site.network.source, NetworkSource::Manifest);
        // Every manifest the repository holds, the hostile ones included, reads the same both
        // ways (UTF-16 ones once decoded).
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut read = 0;
        for dir in [
            "samples",
            "samples/renal-unit",
            "tests/hostile",
            "fuzz/corpus/manifest",
        ] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "toml") {
                    if let Ok(text) = crate::text::decode(&std::fs::read(&path).unwrap()) {
                        let _ = same_both_ways(&text);
                        read += 1;
                    }
                }
            }
        }
        assert!(read >= 20, "{read} manifests");
    }

    #[test]
    fn a_mistake_on_the_last_floor_is_reported_at_its_line_either_way() {
        // (what is replaced, by what; the text the error's line holds)
        let cases: [(&str, &str, &str); 8] = [
            // TOML the last floor's piece cannot read: the whole document reports it.
            ("id = \"L3\"", "id = \"L3\"\ncolour = \"red\"", "colour"),
            ("level = 2", "level = \"two\"", "level = \"two\""),
            (
                "points = [[100, 0], [100, 100]]",
                "points = [[100, 0], [100, 100]",
                "[[floors.aps]]\nname = \"AP3\"",
            ),
            // Mistakes the manifest's checks find, with lines mapped back from the pieces.
            (
                "material = \"lead\"\npoints = [[100, 0]",
                "material = \"gold\"\npoints = [[100, 0]",
                "[[floors.walls]]\nmaterial = \"gold\"",
            ),
            (
                "name = \"AP3\"\nat = [50, 50]",
                "name = \"AP3\"\nat = [500, 50]",
                "[[floors.aps]]\nname = \"AP3\"",
            ),
            (
                "id = \"L3\"",
                "id = \"L1\"",
                "[[floors]]\nid = \"L1\"\nplan = \"plan.png\"\nmetres_per_pixel = 0.05\nlevel = 2",
            ),
            // The site's keys, read from their own piece.
            (
                "interpolation = \"idw\"",
                "interpolation = \"magic\"",
                "interpolation = \"magic\"",
            ),
            ("ssids = [\"NHS-Clinical\"]", "ssids = []", "[network]"),
        ];
        for (from, to, at) in cases {
            let last = THREE.rfind(from).unwrap();
            let text = format!("{}{to}{}", &THREE[..last], &THREE[last + from.len()..]);
            let e = same_both_ways(&text).unwrap_err();
            let want = crate::error::line_of(&text, text.rfind(at).unwrap());
            assert_eq!(e.line_number(), Some(want), "{to}: {e}");
        }
    }

    #[test]
    fn converts_pixels_to_metres_once() {
        let s = parse(OK).unwrap();
        let f = &s.floors[0].floor;
        assert_eq!(f.outline.area(), 10.0 * 5.0);
        assert_eq!(f.walls[0].segment.a, Point::new(5.0, 0.0));
        assert_eq!(f.zones[0].profile, "healthcare-voice");
        assert!(!f.zones[0].no_ap);
        assert_eq!(f.aps[0].position, Point::new(2.5, 2.5));
        let lead = &f.materials[f.walls[0].material];
        assert_eq!((lead.loss(Band::G2_4), lead.loss(Band::G5)), (31.0, 30.0));
    }

    #[test]
    fn a_zone_can_forbid_access_points() {
        let marked = OK.replace("kind = \"bay\"", "kind = \"bay\"\nno_ap = true");
        assert!(parse(&marked).unwrap().floors[0].floor.zones[0].no_ap);
        let bad = OK.replace("kind = \"bay\"", "kind = \"bay\"\nno_ap = \"yes\"");
        assert!(parse(&bad).is_err());
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let bad = OK.replace("kind = \"bay\"", "kind = \"bay\"\ncolour = \"red\"");
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.starts_with("site.toml:16:"), "{e}");
        assert!(e.contains("colour"), "{e}");

        let bad = OK.replace(
            "metres_per_pixel = 0.05",
            "calibration = { a = [10, 10], b = [10, 10], metres = 5.0 }",
        );
        let e = parse(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with("site.toml:8:") && e.contains("zero length"),
            "{e}"
        );

        let bad = OK.replace(
            "[[0, 0], [100, 0], [100, 100], [0, 100]]",
            "[[0, 0], [100, 0], [200, 0]]",
        );
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.contains("Bay A") && e.contains("no area"), "{e}");

        let bad = OK.replace("[[100, 0], [100, 100]]", "[[100, 0], [100, 900]]");
        assert!(parse(&bad)
            .unwrap_err()
            .to_string()
            .contains("outside the 400×200 px plan"));

        let bad = OK.replace("id = \"L1\"", "id = \"L1\"\nid = \"L2\"");
        assert!(parse(&bad).unwrap_err().line_number().is_some());

        let bad =
            format!("{OK}\n[[floors]]\nid = \"L1\"\nplan = \"p.png\"\nmetres_per_pixel = 0.1\n");
        assert!(parse(&bad).unwrap_err().to_string().contains("used twice"));

        let bad = OK.replace(
            "radios = [{ band = \"5\", channel = 36",
            "radios = [{ band = \"5\", channel = 14",
        );
        assert!(parse(&bad).unwrap_err().to_string().contains("channel 14"));
    }

    #[test]
    fn our_network_from_network_ssids_else_the_aps_else_everything() {
        use wisp_model::{ApId, NetworkSource};
        // No [network]: the APs' SSIDs (the default NHS-Clinical); AP1 names no BSSID, so it
        // cannot be matched by identity.
        let s = parse(OK).unwrap();
        assert_eq!(s.network.source, NetworkSource::ManifestAps);
        assert_eq!(s.network.ssids, vec!["NHS-Clinical"]);
        assert!(s.network.aps.is_empty());
        // [network] ssids, and an AP with a base BSSID: ours by SSID or by that AP.
        let named = OK
            .replace(
                "name = \"Test\"",
                "name = \"Test\"\n[network]\nssids = [\"NHS-Voice\", \"NHS-Clinical\"]",
            )
            .replace(
                "name = \"AP1\"",
                "name = \"AP1\"\nbssid = \"02:1a:11:00:01:00\"",
            );
        let s = parse(&named).unwrap();
        assert_eq!(s.network.source, NetworkSource::Manifest);
        assert_eq!(s.network.ssids, vec!["NHS-Clinical", "NHS-Voice"]);
        assert_eq!(s.network.aps, vec![ApId("02:1a:11:00:01".into())]);
        // Neither: everything counts.
        let bare = OK.split("[[floors.aps]]").next().unwrap();
        let s = parse(bare).unwrap();
        assert!(s.network.counts_everything());
        // An empty list or an unknown key is refused with its line.
        let empty = OK.replace("name = \"Test\"", "name = \"Test\"\n[network]\nssids = []");
        let e = parse(&empty).unwrap_err().to_string();
        assert!(
            e.starts_with("site.toml:3:") && e.contains("ssids is empty"),
            "{e}"
        );
        let typo = OK.replace(
            "name = \"Test\"",
            "name = \"Test\"\n[network]\nssid = [\"A\"]",
        );
        let e = parse(&typo).unwrap_err().to_string();
        assert!(e.contains("ssid"), "{e}");
    }

    #[test]
    fn implausible_scales_are_refused_with_the_line_and_a_fix() {
        // The 400 × 200 px test plan: 0.05 m/px is 20 m × 10 m. At 2.6 m/px it is 1,040 m wide;
        // at 0.004 m/px 1.6 m.
        let at = |mpp: &str| {
            OK.replace(
                "metres_per_pixel = 0.05",
                &format!("metres_per_pixel = {mpp}"),
            )
        };
        let e = parse(&at("2.6")).unwrap_err().to_string();
        assert!(e.starts_with("site.toml:8:"), "{e}");
        assert!(e.contains("1040 m × 520 m, wider than 1000 m"), "{e}");
        assert!(e.contains("metres_per_pixel ≈ 0.2500"), "{e}");
        let e = parse(&at("0.004")).unwrap_err().to_string();
        assert!(e.contains("1.60 m × 0.80 m, narrower than 2 m"), "{e}");
        // Just inside both limits.
        assert!(parse(&at("2.5")).is_ok());
        assert!(parse(&at("0.005")).is_ok());
    }

    #[test]
    fn ap_grouping_and_bssid_lists() {
        use wisp_model::ApRule;
        // Default: first five octets, nothing assigned.
        let s = parse(OK).unwrap();
        assert_eq!(s.ap_grouping, ApGrouping::default());
        let with = |site: &str, ap: &str| {
            OK.replace("name = \"Test\"", &format!("name = \"Test\"\n{site}"))
                .replace(
                    "radios = [{ band = \"5\", channel = 36, tx_dbm = 17.0 }]",
                    &format!("radios = [{{ band = \"5\", channel = 36, tx_dbm = 17.0 }}]\n{ap}"),
                )
        };
        let s = parse(&with(
            "ap_grouping = \"prefix-44\"",
            "bssids = [\"02:1A:11:00:01:00\", \"02-1a-11-00-01-31\"]",
        ))
        .unwrap();
        assert_eq!(s.ap_grouping.rule, ApRule::Prefix(44));
        let b = |t: &str| t.parse::<Bssid>().unwrap();
        assert_eq!(
            s.ap_grouping.assigned,
            BTreeMap::from([
                (b("02:1a:11:00:01:00"), "AP1".to_string()),
                (b("02:1a:11:00:01:31"), "AP1".to_string()),
            ])
        );
        // Errors, with the line: the rule is on line 3 (after the name); the AP's [[floors.aps]]
        // header is line 18 once that line is in, its added key line 22.
        for (site, ap, line, want) in [
            (
                "ap_grouping = \"octets\"",
                "",
                3,
                "'octets' is not an AP grouping rule",
            ),
            ("ap_grouping = \"prefix-49\"", "", 3, "prefix-N"),
            (
                "",
                "bssids = [\"02:1a:11:00:01\"]",
                18,
                "access point 'AP1': bssids: '02:1a:11:00:01' is not a BSSID",
            ),
            ("", "bssid_list = []", 22, "unknown field `bssid_list`"),
        ] {
            let e = parse(&with(site, ap)).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(want), "{msg}");
            assert_eq!(e.line_number(), Some(line), "{msg}");
        }
        // One BSSID listed by two APs; one name listing BSSIDs on two floors.
        let second_ap = "[[floors.aps]]\nname = \"AP2\"\nat = [60, 60]\n\
            radios = [{ band = \"5\", channel = 40, tx_dbm = 17.0 }]\nbssids = [\"02:1a:11:00:01:31\"]\n";
        let two = format!(
            "{}{second_ap}",
            with("", "bssids = [\"02:1a:11:00:01:31\"]")
        );
        let e = parse(&two).unwrap_err();
        assert!(
            e.to_string()
                .contains("BSSID 02:1a:11:00:01:31 is listed by access points 'AP1' and 'AP2'"),
            "{e}"
        );
        // The second AP's header, after the first AP's six lines.
        assert_eq!(e.line_number(), Some(23));
        let other_floor = format!(
            "{}[[floors]]\nid = \"L2\"\nplan = \"p.png\"\nmetres_per_pixel = 0.1\n\
             [[floors.aps]]\nname = \"AP1\"\nat = [5, 5]\nradios = [{{ band = \"5\", channel = 40, tx_dbm = 17.0 }}]\nbssids = [\"02:1a:11:00:09:00\"]\n",
            with("", "bssids = [\"02:1a:11:00:01:31\"]")
        );
        let e = parse(&other_floor).unwrap_err().to_string();
        assert!(
            e.contains("access point name 'AP1' lists bssids twice (floors 'L1' and 'L2')"),
            "{e}"
        );
    }

    #[test]
    fn floors_of_a_building_hear_each_other_through_the_slabs() {
        let floor = |id: &str, extra: &str, x: u32| {
            format!(
                "[[floors]]\nid = \"{id}\"\nplan = \"p.png\"\nmetres_per_pixel = 0.1\n{extra}\n\
                 [[floors.aps]]\nname = \"AP-{id}\"\nat = [{x}, 10]\n\
                 radios = [{{ band = \"5\", channel = 36, tx_dbm = 17.0 }}]\n"
            )
        };
        let text = format!(
            "name = \"Estate\"\n{}{}{}{}{}",
            floor(
                "G",
                "building = \"Ward Block\"\nlevel = 0\nheight_m = 4.5",
                10
            ),
            floor(
                "L1",
                "building = \"Ward Block\"\nlevel = 1\nheight_m = 3.6",
                20
            ),
            floor("L3", "building = \"Ward Block\"\nlevel = 3", 30),
            floor("X1", "building = \"Outpatients\"\nlevel = 1", 40),
            floor("loose", "", 50),
        );
        let s = parse(&text).unwrap();
        assert_eq!(s.slab.name, "floor-slab");
        assert_eq!(s.slab.loss(Band::G5), 18.0);
        let st = s.floors[1].storey.as_ref().unwrap();
        assert_eq!(
            (st.building.as_str(), st.level, st.height_m),
            ("Ward Block", 1, 3.6)
        );
        assert_eq!(s.floors[2].storey.as_ref().unwrap().height_m, 4.0);
        assert!(s.floors[4].storey.is_none());
        assert!(s.stacked_aps(&s.floors[4]).is_empty());
        // From L1: G one slab down (G's 4.5 m), L3 two up (L1's 3.6 m, then L2 absent: L1's 3.6).
        let heard = s.stacked_aps(&s.floors[1]);
        let got: Vec<_> = heard
            .iter()
            .map(|a| (a.floor.as_str(), a.ap.name.as_str(), a.slabs, a.height_m))
            .collect();
        assert_eq!(got, [("G", "AP-G", 1, 4.5), ("L3", "AP-L3", 2, 7.2)]);
        // Plans of one building are aligned: the AP keeps its plan position.
        assert_eq!(heard[0].ap.position, Point::new(1.0, 1.0));
        // The other building is not heard.
        assert!(s.stacked_aps(&s.floors[3]).is_empty());

        let custom = text.replace(
            "name = \"Estate\"\n",
            "name = \"Estate\"\nslab = \"thick\"\n[materials]\nthick = { \"5\" = 25.0 }\n",
        );
        assert_eq!(parse(&custom).unwrap().slab.loss(Band::G5), 25.0);
        let bad = text.replace(
            "name = \"Estate\"\n",
            "name = \"Estate\"\nslab = \"jelly\"\n",
        );
        let e = parse(&bad).unwrap_err().to_string();
        assert!(
            e.starts_with("site.toml:2:") && e.contains("'jelly'"),
            "{e}"
        );
        let bad = text.replace("level = 3", "level = 1");
        let e = parse(&bad).unwrap_err().to_string();
        assert!(
            e.contains("both level 1") && e.contains("site.toml:"),
            "{e}"
        );
        let bad = text.replace("height_m = 3.6", "height_m = -3.6");
        assert!(parse(&bad).unwrap_err().to_string().contains("height_m"));
        let bad = text.replace(
            "building = \"Outpatients\"\nlevel = 1",
            "building = \"Outpatients\"",
        );
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.contains("need a level"), "{e}");
    }

    #[test]
    fn interpolation_defaults_to_auto_and_is_checked() {
        assert_eq!(
            parse(OK).unwrap().floors[0].interpolation,
            MethodChoice::Auto
        );
        let pinned = OK.replace(
            "name = \"Test\"",
            "name = \"Test\"\ninterpolation = \"idw\"",
        );
        assert_eq!(
            parse(&pinned).unwrap().floors[0].interpolation,
            MethodChoice::Fixed(wisp_model::Method::Idw)
        );
        let site_wide = OK.replace(
            "name = \"Test\"",
            "name = \"Test\"\ninterpolation = \"auto\"",
        );
        assert_eq!(
            parse(&site_wide).unwrap().floors[0].interpolation,
            MethodChoice::Auto
        );
        let per_floor =
            site_wide.replace("id = \"L1\"", "id = \"L1\"\ninterpolation = \"kriging\"");
        assert_eq!(
            parse(&per_floor).unwrap().floors[0].interpolation,
            MethodChoice::Fixed(wisp_model::Method::Kriging)
        );
        let bad = OK.replace("id = \"L1\"", "id = \"L1\"\ninterpolation = \"bicubic\"");
        let e = parse(&bad).unwrap_err().to_string();
        assert!(e.contains("'bicubic'") && e.contains("site.toml:"), "{e}");
    }

    #[test]
    fn sighting_window_is_a_capture_key_and_is_checked() {
        let with = |extra: &str| format!("{OK}[[floors.captures]]\nfile = \"w.csv\"\n{extra}");
        // OK has 20 lines (a leading blank one included): the table opens on line 21, its
        // extra key is on line 23.
        assert_eq!(OK.lines().count(), 20);
        let s = parse(&with("")).unwrap();
        assert_eq!(s.floors[0].captures[0].grouping, Grouping::default());
        let s = parse(&with("sighting_window_s = 4.5\n")).unwrap();
        assert_eq!(s.floors[0].captures[0].grouping.window_s, 4.5);
        assert_eq!(s.floors[0].captures[0].grouping.radius_m, 3.0);
        for bad in ["sighting_window_s = 90.0", "sighting_window_s = -1.0"] {
            let e = parse(&with(bad)).unwrap_err().to_string();
            assert!(e.starts_with("site.toml:21:"), "{e}");
            assert!(
                e.contains("sighting_window_s") && e.contains("0 (no grouping) to 60"),
                "{e}"
            );
        }
        // A misspelt key is refused with its line, as every unknown key.
        let e = parse(&with("sighting_window = 4.0"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("site.toml:23:") && e.contains("sighting_window"),
            "{e}"
        );
    }

    #[test]
    fn unknown_profile_is_refused() {
        let bad = OK.replace("kind = \"bay\"", "kind = \"bay\"\nprofile = \"gold\"");
        assert!(parse(&bad).unwrap_err().to_string().contains("'gold'"));
    }

    /// A site folder with `walk/` holding the given files, `points.csv` with the given text,
    /// and the manifest `OK` plus one glob entry; parsed as `load_site` would (plan 400×200 px).
    fn glob_site(files: &[&str], points: &str, entry: &str) -> Result<Site, IngestError> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("walk")).unwrap();
        for f in files {
            std::fs::write(dir.path().join("walk").join(f), "x").unwrap();
        }
        std::fs::write(dir.path().join("points.csv"), points).unwrap();
        let text = format!("{OK}[[floors.captures]]\n{entry}");
        parse_site(
            &text,
            &dir.path().join("site.toml"),
            &["healthcare-voice".into()],
            &|_| Ok((400, 200)),
        )
    }

    const GLOB: &str = "glob = \"walk/p*.txt\"\npoints = \"points.csv\"\n";

    #[test]
    fn stop_points_all_in_one_corner_are_refused_as_metres_read_as_pixels() {
        // Metres (up to 1.5 m × 0.8 m) read as pixels: (0.075, 0.04) m at most, inside the
        // top-left tenth (2 m × 1 m) of the 20 m × 10 m plan, and inside its outline.
        let points = "walk/p1.txt,1,1\nwalk/p2.txt,1.5,0.8\nwalk/p3.txt,0.5,0.5\n";
        let e = glob_site(&["p1.txt", "p2.txt", "p3.txt"], points, GLOB)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("points.csv: floor 'L1': every one of the 3 stop-and-go points lies within the plan's top-left tenth (2.0 m × 1.0 m of a 20.0 m × 10.0 m plan): the positions look like metres read as pixels; if the positions are metres, set points_units = \"m\""),
            "{e}"
        );
        // Points that reach beyond the corner, in pixels or in metres, pass.
        let spread = "walk/p1.txt,2,1.5\nwalk/p2.txt,5,3\nwalk/p3.txt,7.5,2.25\n";
        let m = format!("{GLOB}points_units = \"m\"\n");
        glob_site(&["p1.txt", "p2.txt", "p3.txt"], spread, &m).unwrap();
        let px = "walk/p1.txt,40,30\nwalk/p2.txt,100,60\nwalk/p3.txt,150,45\n";
        glob_site(&["p1.txt", "p2.txt", "p3.txt"], px, GLOB).unwrap();
        // Two points say nothing about a spread.
        let two = "walk/p1.txt,1,1\nwalk/p2.txt,1.5,0.8\n";
        glob_site(&["p1.txt", "p2.txt"], two, GLOB).unwrap();
    }

    #[test]
    fn a_glob_with_a_points_file_lists_every_stop_in_name_order() {
        // Rows in any order, files relative to the points file; plan pixels by default
        // (0.05 m/px: [40, 20] px is (2, 1) m). p10 sorts between p1 and p2 (byte order).
        let points = "file,x,y\nwalk/p2.txt,100,60\n./walk/p1.txt,40,20\nwalk/p10.txt,0,0\n";
        let s = glob_site(&["p1.txt", "p2.txt", "p10.txt", "notes.md"], points, GLOB).unwrap();
        let caps = &s.floors[0].captures;
        let names: Vec<String> = caps.iter().map(|c| capture_name(&c.path)).collect();
        assert_eq!(names, ["p1.txt", "p10.txt", "p2.txt"]);
        let at: Vec<Point> = caps.iter().map(|c| c.at_m.unwrap()).collect();
        assert_eq!(
            at,
            [
                Point::new(2.0, 1.0),
                Point::new(0.0, 0.0),
                Point::new(5.0, 3.0)
            ]
        );
        // In metres, the points are taken as they are.
        let m = format!("{GLOB}points_units = \"m\"\n");
        let s = glob_site(&["p1.txt"], "walk/p1.txt,7.5,2.25\n", &m).unwrap();
        assert_eq!(s.floors[0].captures[0].at_m, Some(Point::new(7.5, 2.25)));
    }

    #[test]
    fn a_glob_file_without_a_row_or_a_row_without_a_file_is_refused_with_its_line() {
        // The manifest's entry starts on line 21 (OK is 20 lines).
        let e = glob_site(&["p1.txt", "p2.txt"], "walk/p1.txt,1,1\n", GLOB)
            .unwrap_err()
            .to_string();
        assert!(e.contains("site.toml:21:"), "{e}");
        assert!(
            e.contains("p2.txt matches glob 'walk/p*.txt' but has no row in"),
            "{e}"
        );
        let e = glob_site(
            &["p1.txt"],
            "file,x,y\nwalk/p1.txt,1,1\nwalk/p9.txt,2,2\n",
            GLOB,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("points.csv:3: 'walk/p9.txt': no such file"),
            "{e}"
        );
        // A file that exists but is not one the glob takes.
        let e = glob_site(
            &["p1.txt", "q1.txt"],
            "walk/p1.txt,1,1\nwalk/q1.txt,2,2\n",
            GLOB,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("points.csv:2: 'walk/q1.txt': not a file the glob matches"),
            "{e}"
        );
        let e = glob_site(&[], "", GLOB).unwrap_err().to_string();
        assert!(
            e.contains("site.toml:21:") && e.contains("matches no file"),
            "{e}"
        );
        // A point off the plan (400×200 px) is refused as `at` is.
        let e = glob_site(&["p1.txt"], "walk/p1.txt,500,1\n", GLOB)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("p1.txt's point: point [500, 1] is outside"),
            "{e}"
        );
        // On the plan but off the outline (200×100 px): refused at the points file's line,
        // with the units fix; a point on the outline's edge is on the floor.
        let e = glob_site(&["p1.txt"], "file,x,y\nwalk/p1.txt,300,150\n", GLOB)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("points.csv:2: floor 'L1': p1.txt's point (300, 150) px (15.0, 7.5) m is outside the floor's outline; if the points are in metres, set points_units = \"m\""),
            "{e}"
        );
        let m = format!("{GLOB}points_units = \"m\"\n");
        let e = glob_site(&["p1.txt"], "walk/p1.txt,15,7.5\n", &m)
            .unwrap_err()
            .to_string();
        assert!(e.contains("set points_units = \"px\""), "{e}");
        assert!(glob_site(&["p1.txt"], "walk/p1.txt,200,50\n", GLOB).is_ok());
        // A file's own `at` off the outline too, at the entry's line.
        let e = glob_site(&["p1.txt"], "", "file = \"walk/p1.txt\"\nat = [300, 150]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("site.toml:21: floor 'L1': capture 'walk/p1.txt': at [300, 150] px (15.0, 7.5) m is outside the floor's outline"),
            "{e}"
        );
    }

    #[test]
    fn a_glob_entry_is_written_whole() {
        for (entry, says) in [
            ("glob = \"walk/*.txt\"\n", "a `glob` needs `points`"),
            (
                "file = \"w.csv\"\npoints = \"points.csv\"\n",
                "`points` goes with a `glob`",
            ),
            (
                "file = \"w.csv\"\nglob = \"walk/*.txt\"\npoints = \"points.csv\"\n",
                "`file` or `glob`, not both",
            ),
            (
                "format = \"iw\"\n",
                "a capture needs `file`, or `glob` with `points`",
            ),
            (
                "glob = \"walk/*.txt\"\npoints = \"points.csv\"\nat = [1, 1]\n",
                "give no `at` or `track`",
            ),
            (
                "glob = \"walk/*.txt\"\npoints = \"points.csv\"\npoints_units = \"ft\"\n",
                "points_units 'ft'",
            ),
            (
                "glob = \"*/p1.txt\"\npoints = \"points.csv\"\n",
                "only the file name may hold",
            ),
        ] {
            let e = glob_site(&["p1.txt"], "walk/p1.txt,1,1\n", entry)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("site.toml:21:") && e.contains(says),
                "{entry}: {e}"
            );
        }
    }
}
