//! The site as ingest validated it: floors in plan metres, their walls, zones and access points.

use crate::{Band, Bssid, Dbm, ModelError, ModelErrorKind, Point, Polygon, Segment};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How plan pixels map to plan metres: a uniform scale, origin at the image's top-left.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlanCalibration {
    metres_per_pixel: f64,
}

impl PlanCalibration {
    pub fn new(metres_per_pixel: f64) -> Result<Self, ModelError> {
        if !metres_per_pixel.is_finite() {
            return Err(ModelErrorKind::NotFinite("metres_per_pixel").into());
        }
        if metres_per_pixel <= 0.0 {
            return Err(ModelErrorKind::DegenerateCalibration.into());
        }
        Ok(PlanCalibration { metres_per_pixel })
    }

    /// From two plan points (pixels) whose real distance apart is `metres`.
    pub fn from_two_points(a: Point, b: Point, metres: f64) -> Result<Self, ModelError> {
        let px = a.distance(b);
        if !px.is_finite() || !metres.is_finite() {
            return Err(ModelErrorKind::NotFinite("calibration").into());
        }
        if px <= 0.0 || metres <= 0.0 {
            return Err(ModelErrorKind::DegenerateCalibration.into());
        }
        PlanCalibration::new(metres / px)
    }

    pub fn metres_per_pixel(&self) -> f64 {
        self.metres_per_pixel
    }
    pub fn to_metres(&self, px: Point) -> Point {
        Point::new(px.x * self.metres_per_pixel, px.y * self.metres_per_pixel)
    }
    pub fn to_pixels(&self, m: Point) -> Point {
        Point::new(m.x / self.metres_per_pixel, m.y / self.metres_per_pixel)
    }
}

/// A wall material: its loss in dB for one crossing, per band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Material {
    pub name: String,
    pub loss_db: BTreeMap<Band, f64>,
}

impl Material {
    fn of(name: &str, g24: f64, g5: f64, g6: f64) -> Material {
        Material {
            name: name.to_string(),
            loss_db: BTreeMap::from([(Band::G2_4, g24), (Band::G5, g5), (Band::G6, g6)]),
        }
    }

    /// The default wall materials, dB per crossing at 2.4 / 5 / 6 GHz (shared/reference.md §2,
    /// after Ekahau's and Hamina's published defaults and ITU-R P.1238). Where the table gives one
    /// figure for every band it is an *estimate*: sites override any of them under `[materials]`.
    /// `lead` (X-ray rooms) has no published figure; it is treated as a lift shaft, ≥ 30 dB.
    pub fn defaults() -> Vec<Material> {
        vec![
            Material::of("plasterboard", 2.0, 3.0, 4.0),
            Material::of("drywall", 2.0, 3.0, 4.0),
            Material::of("glass", 1.0, 2.0, 3.0),
            Material::of("wood-door", 3.0, 4.0, 5.0),
            Material::of("brick", 4.0, 5.0, 7.0),
            Material::of("block", 5.0, 6.0, 7.0),
            Material::of("concrete", 12.0, 15.0, 18.0),
            Material::of("metal", 8.0, 10.0, 12.0),
            Material::of("fire-door", 8.0, 10.0, 12.0),
            Material::of("lift-shaft", 30.0, 30.0, 30.0),
            Material::of("lead", 30.0, 30.0, 30.0),
            Material::of("floor-slab", 15.0, 18.0, 21.0),
        ]
    }

    /// The loss at `band`; a band the table lacks takes the nearest band's figure.
    pub fn loss(&self, band: Band) -> f64 {
        if let Some(v) = self.loss_db.get(&band) {
            return *v;
        }
        let order: &[Band] = match band {
            Band::G2_4 => &[Band::G5, Band::G6],
            Band::G5 => &[Band::G6, Band::G2_4],
            Band::G6 => &[Band::G5, Band::G2_4],
        };
        order
            .iter()
            .find_map(|b| self.loss_db.get(b).copied())
            .unwrap_or(0.0)
    }
}

/// One straight piece of wall, in plan metres, with the index of its material in the floor's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Wall {
    pub segment: Segment,
    pub material: usize,
}

/// What a zone is used for; decides its default requirement profile and whether an AP may go there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ZoneKind {
    Ward,
    Bay,
    SingleRoom,
    Clinic,
    ConsultingRoom,
    TreatmentRoom,
    NursesStation,
    Waiting,
    Office,
    Corridor,
    Imaging,
    Plant,
    StairsLift,
    Outdoor,
}

impl ZoneKind {
    pub const ALL: [ZoneKind; 14] = [
        ZoneKind::Ward,
        ZoneKind::Bay,
        ZoneKind::SingleRoom,
        ZoneKind::Clinic,
        ZoneKind::ConsultingRoom,
        ZoneKind::TreatmentRoom,
        ZoneKind::NursesStation,
        ZoneKind::Waiting,
        ZoneKind::Office,
        ZoneKind::Corridor,
        ZoneKind::Imaging,
        ZoneKind::Plant,
        ZoneKind::StairsLift,
        ZoneKind::Outdoor,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ZoneKind::Ward => "ward",
            ZoneKind::Bay => "bay",
            ZoneKind::SingleRoom => "single-room",
            ZoneKind::Clinic => "clinic",
            ZoneKind::ConsultingRoom => "consulting-room",
            ZoneKind::TreatmentRoom => "treatment-room",
            ZoneKind::NursesStation => "nurses-station",
            ZoneKind::Waiting => "waiting",
            ZoneKind::Office => "office",
            ZoneKind::Corridor => "corridor",
            ZoneKind::Imaging => "imaging",
            ZoneKind::Plant => "plant",
            ZoneKind::StairsLift => "stairs-lift",
            ZoneKind::Outdoor => "outdoor",
        }
    }

    pub fn parse(s: &str) -> Result<ZoneKind, ModelError> {
        ZoneKind::ALL
            .iter()
            .copied()
            .find(|k| k.name() == s)
            .ok_or_else(|| {
                ModelErrorKind::ZoneKind {
                    name: s.to_string(),
                    expected: ZoneKind::ALL.map(ZoneKind::name).join(", "),
                }
                .into()
            })
    }

    /// Whether clinical staff rely on voice and records here.
    pub fn is_clinical(self) -> bool {
        matches!(
            self,
            ZoneKind::Ward
                | ZoneKind::Bay
                | ZoneKind::SingleRoom
                | ZoneKind::Clinic
                | ZoneKind::ConsultingRoom
                | ZoneKind::TreatmentRoom
                | ZoneKind::NursesStation
        )
    }

    /// The profile a zone of this kind is held to unless it names another: clinical areas the
    /// healthcare voice profile, waiting areas and offices the NHS minimum, circulation and plant
    /// basic connectivity, outdoors nothing beyond basic (shared/reference.md §1).
    pub fn default_profile(self) -> &'static str {
        if self.is_clinical() {
            "healthcare-voice"
        } else {
            match self {
                ZoneKind::Waiting | ZoneKind::Office | ZoneKind::Imaging => "nhs-minimum",
                _ => "basic",
            }
        }
    }
}

impl std::fmt::Display for ZoneKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A zone kind is written and read by its [`ZoneKind::name`], as manifests spell it.
impl Serialize for ZoneKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for ZoneKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ZoneKind, D::Error> {
        let name = String::deserialize(d)?;
        ZoneKind::parse(&name).map_err(serde::de::Error::custom)
    }
}

/// A named area of a floor held to a requirement profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    pub name: String,
    pub kind: ZoneKind,
    pub polygon: Polygon,
    /// Name of the requirement profile (built in or from the manifest).
    pub profile: String,
    /// No access point may be mounted here (manifest `no_ap = true`), whatever the kind.
    pub no_ap: bool,
}

/// One radio of an access point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApRadio {
    pub band: Band,
    pub channel: u16,
    pub tx_dbm: f64,
}

/// A known or planned access point.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessPoint {
    pub name: String,
    pub position: Point,
    pub radios: Vec<ApRadio>,
    /// SSIDs it broadcasts on every radio (one BSSID each).
    pub ssids: Vec<String>,
    /// The BSSID of its first SSID on its first radio; the others count up from it in the last
    /// octet, as vendors assign them. `None` where the manifest does not say.
    pub base_bssid: Option<Bssid>,
}

/// One floor of a site, everything in plan metres.
#[derive(Debug, Clone, PartialEq)]
pub struct Floor {
    pub id: String,
    pub name: String,
    pub calibration: PlanCalibration,
    /// Plan image size in pixels.
    pub plan_size_px: (u32, u32),
    pub outline: Polygon,
    pub materials: Vec<Material>,
    pub walls: Vec<Wall>,
    pub zones: Vec<Zone>,
    pub aps: Vec<AccessPoint>,
    /// A walk route through the floor for simulation, if the manifest gives one.
    pub walk: Option<Vec<Point>>,
    /// How far from the nearest sample a cell still counts as surveyed, in metres.
    pub survey_range_m: f64,
}

impl Floor {
    /// Plan size in metres.
    pub fn size_m(&self) -> Point {
        self.calibration.to_metres(Point::new(
            self.plan_size_px.0 as f64,
            self.plan_size_px.1 as f64,
        ))
    }
}

/// What "covered" means for a zone: thresholds a cell must meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementProfile {
    pub name: String,
    /// Strongest radio at least this strong.
    pub primary_dbm: Dbm,
    /// Second-strongest radio from another access point at least this strong.
    pub secondary_dbm: Option<Dbm>,
    /// Third-strongest radio from a third access point at least this strong.
    pub tertiary_dbm: Option<Dbm>,
    /// Signal-to-noise ratio of the strongest radio, in dB.
    pub snr_db: Option<f64>,
    /// At most this many other radios on the serving channel at or above `cochannel_dbm`.
    pub cochannel_max: Option<u32>,
    pub cochannel_dbm: Dbm,
    /// Where the profile was taken from.
    pub source: String,
}
