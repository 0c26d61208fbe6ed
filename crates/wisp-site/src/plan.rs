//! `wisp plan`: where to add access points so every zone meets its profile, with a channel plan,
//! a bill of materials and an APs file `wisp simulate --aps` can walk.

use crate::{pipeline, Error};
use serde_json::json;
use wisp_model::{Floor, Point, RequirementProfile, Zone};
use wisp_plan::{plan_floor, CalibrationOptions, Plan, PlanInput, PlanOptions, PlannedAp};

/// How [`plan_floors`] calibrates and where it may mount, beyond the planner's options.
#[derive(Debug, Clone, Copy, Default)]
pub struct FloorPlanning<'p> {
    /// Fit the wall materials' losses in the calibration and plan with them.
    pub fit_walls: bool,
    /// New APs only at these plan-pixel points (every floor), if given.
    pub allowed_px: Option<&'p [Point]>,
}

/// Calibrates and plans each of `floors` (zones held to `profile` if given, else their own).
pub fn plan_floors<'a>(
    loaded: &'a pipeline::Loaded,
    floors: &[&'a wisp_ingest::SiteFloor],
    profile: Option<&str>,
    opts: &PlanOptions,
    how: &FloorPlanning,
) -> Result<Vec<(&'a Floor, bool, Plan)>, Error> {
    let profiles = pipeline::all_profiles(&loaded.site);
    let resolve = |z: &Zone| -> Option<RequirementProfile> {
        let name = profile.unwrap_or(&z.profile);
        profiles.iter().find(|p| p.name == name).cloned()
    };
    let mut plans: Vec<(&Floor, bool, Plan)> = Vec::new();
    for f in floors {
        let mut opts = opts.clone();
        opts.candidates.allowed = how.allowed_px.map(|pts| {
            pts.iter()
                .map(|&p| f.floor.calibration.to_metres(p))
                .collect()
        });
        let samples = pipeline::samples_of(&loaded.survey, &f.floor.id);
        let cal_opts = CalibrationOptions {
            grouping: loaded.site.ap_grouping.clone(),
            fit_walls: how.fit_walls,
            ..Default::default()
        };
        let cal = wisp_plan::calibrate(&f.floor, samples, &cal_opts);
        if let Err(e) = &cal {
            eprintln!(
                "wisp: {e}; planning floor '{}' with the default model",
                f.floor.id
            );
        }
        let input = PlanInput {
            floor: &f.floor,
            calibration: cal.as_ref().ok(),
            profile: &resolve,
        };
        let plan = plan_floor(&input, &opts).map_err(Error::input)?;
        plans.push((&f.floor, cal.is_ok(), plan));
    }
    Ok(plans)
}

fn radios_json(ap: &PlannedAp) -> serde_json::Value {
    ap.radios
        .iter()
        .map(|r| json!({"band": r.band.name(), "channel": r.channel, "tx_dbm": r.tx_dbm}))
        .collect()
}

/// The plan document: new APs (plan pixels and metres), existing APs' planned channels, and
/// each zone's predicted result before and after.
pub fn plan_json(plans: &[(&Floor, bool, Plan)]) -> serde_json::Value {
    let mut new_aps = Vec::new();
    let mut existing = Vec::new();
    let mut zones = Vec::new();
    let mut floors = Vec::new();
    for (floor, calibrated, plan) in plans {
        for ap in &plan.aps {
            let px = floor.calibration.to_pixels(ap.position);
            if ap.new {
                new_aps.push(json!({
                    "name": ap.name,
                    "floor": floor.id,
                    "x_px": (px.x * 10.0).round() / 10.0,
                    "y_px": (px.y * 10.0).round() / 10.0,
                    "x_m": (ap.position.x * 100.0).round() / 100.0,
                    "y_m": (ap.position.y * 100.0).round() / 100.0,
                    "radios": radios_json(ap),
                }));
            } else {
                existing.push(json!({
                    "name": ap.name,
                    "floor": floor.id,
                    "located": ap.located,
                    "x_m": (ap.position.x * 100.0).round() / 100.0,
                    "y_m": (ap.position.y * 100.0).round() / 100.0,
                    "radios": radios_json(ap),
                }));
            }
        }
        for z in &plan.zones {
            zones.push(json!({
                "floor": floor.id,
                "zone": z.zone,
                "kind": z.kind,
                "profile": z.profile,
                "area_m2": z.area_m2,
                "before": z.before,
                "after": z.after,
                "unreachable_share": z.unreachable_share,
            }));
        }
        floors.push(json!({
            "floor": floor.id,
            "exponent": plan.exponent,
            "calibrated": calibrated,
            "design_band": plan.design_band.name(),
            "candidates": plan.candidates,
            "demand_cells": plan.demand_cells,
            "deficit": plan.deficit,
            "cochannel_overlap": plan.cochannel_overlap.iter().map(|(b, v)| (b.name().to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        }));
    }
    json!({"floors": floors, "new_aps": new_aps, "existing_aps": existing, "zones": zones})
}

/// Bill of materials: what an installer orders for the new APs.
pub fn bom_csv(plans: &[(&Floor, bool, Plan)]) -> Result<String, Error> {
    let new: Vec<&PlannedAp> = plans.iter().flat_map(|(_, _, p)| p.new_aps()).collect();
    let changed: Vec<String> = plans
        .iter()
        .flat_map(|(f, _, p)| {
            p.aps
                .iter()
                .filter(|a| !a.new && !a.located)
                .filter_map(move |a| {
                    let old = f.aps.iter().find(|o| o.name == a.name)?;
                    (old.radios != a.radios).then(|| a.name.clone())
                })
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["item", "quantity", "notes"])
        .map_err(Error::output)?;
    for r in bom_rows(&new, &changed) {
        w.write_record(&r).map_err(Error::output)?;
    }
    let bytes = w.into_inner().map_err(|e| Error::output(e.to_string()))?;
    String::from_utf8(bytes).map_err(Error::output)
}

/// The bill of materials, one row per item (item, quantity, notes): for the `new` APs, and the
/// existing APs (by name) whose channels the plan changes. `wisp plan --bom` and the report's
/// plan page both list these rows.
pub fn bom_rows(new: &[&PlannedAp], changed: &[String]) -> Vec<[String; 3]> {
    let names = new
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let bands: Vec<&str> = new
        .first()
        .map(|a| a.radios.iter().map(|r| r.band.name()).collect())
        .unwrap_or_default();
    let n = new.len().to_string();
    vec![
        [
            format!("Access point, ceiling mount ({} GHz)", bands.join(" + ")),
            n.clone(),
            format!("new: {names}"),
        ],
        [
            "Ceiling mounting kit".into(),
            n.clone(),
            "one per new access point".into(),
        ],
        [
            "Structured cabling run (Cat6A) and patch lead".into(),
            n.clone(),
            "one per new access point, from the nearest comms room".into(),
        ],
        [
            "PoE+ switch port (IEEE 802.3at)".into(),
            n.clone(),
            "one per new access point".into(),
        ],
        [
            "Channel change on an existing access point".into(),
            changed.len().to_string(),
            changed.join(" "),
        ],
    ]
}

/// A TOML basic string (JSON's escapes are a subset of TOML's).
fn toml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// Existing and new APs as `[[aps]]` in plan pixels, with the planned channels.
pub fn aps_toml(plans: &[(&Floor, bool, Plan)]) -> String {
    let mut s = String::from(
        "# Access points planned by `wisp plan`: the existing ones (channels as planned) and the new\n\
         # ones, in plan pixels. Walk the design with `wisp simulate SITE --aps THIS_FILE`.\n",
    );
    for (floor, _, plan) in plans {
        for ap in &plan.aps {
            let px = floor.calibration.to_pixels(ap.position);
            let radios: Vec<String> = ap
                .radios
                .iter()
                .map(|r| {
                    format!(
                        "{{ band = {}, channel = {}, tx_dbm = {:.1} }}",
                        toml_str(r.band.name()),
                        r.channel,
                        r.tx_dbm.clamp(-10.0, 36.0)
                    )
                })
                .collect();
            let ssids: Vec<String> = ap.ssids.iter().map(|x| toml_str(x)).collect();
            s += &format!(
                "\n[[aps]]\nname = {}\nfloor = {}\nat = [{:.1}, {:.1}]\nradios = [{}]\nssids = [{}]\n",
                toml_str(&ap.name),
                toml_str(&floor.id),
                px.x,
                px.y,
                radios.join(", "),
                ssids.join(", ")
            );
            if let Some(b) = ap.base_bssid {
                s += &format!("bssid = {}\n", toml_str(&b.to_string()));
            }
        }
    }
    s
}

pub fn summary(plans: &[(&Floor, bool, Plan)]) -> String {
    let mut s = String::new();
    for (floor, calibrated, p) in plans {
        let met = |after: bool| {
            p.zones
                .iter()
                .filter(|z| {
                    if after {
                        z.after.meets_target
                    } else {
                        z.before.meets_target
                    }
                })
                .count()
        };
        s += &format!(
            "floor {}: model n = {:.2} ({}), {} candidate positions, {} demand cells\n",
            floor.id,
            p.exponent,
            if *calibrated {
                "calibrated on the survey"
            } else {
                "default, not calibrated"
            },
            p.candidates,
            p.demand_cells
        );
        s += &format!(
            "  {} new access point(s); zones meeting the design target: {} of {} before, {} after\n",
            p.new_aps().count(),
            met(false),
            p.zones.len(),
            met(true)
        );
        for ap in p.new_aps() {
            let ch: Vec<String> = ap
                .radios
                .iter()
                .map(|r| format!("{} GHz ch {}", r.band.name(), r.channel))
                .collect();
            s += &format!(
                "    {} at ({:.1}, {:.1}) m: {}\n",
                ap.name,
                ap.position.x,
                ap.position.y,
                ch.join(", ")
            );
        }
        for z in p.zones.iter().filter(|z| !z.after.meets_target) {
            s += &format!(
                "  still short: {} (primary {:.0}%, secondary {}; {:.0}% out of reach of any allowed position)\n",
                z.zone,
                100.0 * z.after.primary_share,
                z.after.secondary_share.map_or("–".to_string(), |s| format!("{:.0}%", 100.0 * s)),
                100.0 * z.unreachable_share
            );
        }
    }
    s
}

/// One radio of a plan file's AP.
#[derive(Debug, Clone, serde::Deserialize)]
struct RadioDoc {
    band: String,
    channel: u16,
    tx_dbm: f64,
}

/// An AP of a plan file: `new_aps[]` or `existing_aps[]` (pixel positions are ignored: metres
/// are what the model uses).
#[derive(Debug, Clone, serde::Deserialize)]
struct ApDoc {
    name: String,
    floor: String,
    x_m: f64,
    y_m: f64,
    radios: Vec<RadioDoc>,
    #[serde(default)]
    located: bool,
}

/// A zone's predicted result in a plan file, as [`wisp_plan::ZoneStats`] serialises it (NaN
/// written as null).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ZoneStatsDoc {
    pub primary_share: f64,
    pub secondary_share: Option<f64>,
    pub primary_p5_dbm: Option<f64>,
    pub meets_target: bool,
}

/// A zone of a plan file, before and after the plan.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ZoneDoc {
    floor: String,
    pub zone: String,
    pub before: ZoneStatsDoc,
    pub after: ZoneStatsDoc,
    pub unreachable_share: f64,
}

#[derive(Debug, Clone, serde::Deserialize)]
struct PlanDoc {
    new_aps: Vec<ApDoc>,
    #[serde(default)]
    existing_aps: Vec<ApDoc>,
    #[serde(default)]
    zones: Vec<ZoneDoc>,
}

/// What a plan file (`wisp plan --out`) says about one floor.
#[derive(Debug, Clone, Default)]
pub struct FloorPlan {
    /// The proposed APs, as the planner made them (`new`, positions in plan metres).
    pub new_aps: Vec<PlannedAp>,
    /// Existing APs (by name) whose planned radios differ from the manifest's.
    pub changed: Vec<String>,
    pub zones: Vec<ZoneDoc>,
}

/// A plan file read back and checked against the site: per floor id, what the plan says.
#[derive(Debug, Clone, Default)]
pub struct PlanFile {
    pub floors: std::collections::BTreeMap<String, FloorPlan>,
}

impl PlanFile {
    /// The plan of floor `id` (empty when the plan says nothing about it).
    pub fn floor(&self, id: &str) -> Option<&FloorPlan> {
        self.floors.get(id)
    }

    /// Every proposed AP, all floors.
    pub fn new_ap_count(&self) -> usize {
        self.floors.values().map(|f| f.new_aps.len()).sum()
    }
}

fn radios_of(
    path: &std::path::Path,
    what: &str,
    radios: &[RadioDoc],
) -> Result<Vec<wisp_model::ApRadio>, Error> {
    radios
        .iter()
        .map(|r| {
            let band = wisp_model::Band::parse(&r.band)
                .map_err(|e| Error::input(format!("{}: {what}: {e}", path.display())))?;
            wisp_model::Channel::new(band, r.channel)
                .map_err(|e| Error::input(format!("{}: {what}: {e}", path.display())))?;
            if !r.tx_dbm.is_finite() {
                return Err(Error::input(format!(
                    "{}: {what}: tx_dbm must be a number",
                    path.display()
                )));
            }
            Ok(wisp_model::ApRadio {
                band,
                channel: r.channel,
                tx_dbm: r.tx_dbm,
            })
        })
        .collect()
}

/// Reads a plan file written by `wisp plan --out` and checks it against the site: every floor
/// it names is in the manifest, every new AP lies on its floor's plan, every existing AP is one
/// of the floor's (or located by calibration), every zone is one of the floor's. Anything else
/// is an input error (exit 2) naming the file and the entry.
pub fn read_plan_file(site: &wisp_ingest::Site, path: &std::path::Path) -> Result<PlanFile, Error> {
    let bytes = wisp_ingest::read_limited(path, wisp_ingest::MAX_CAPTURE_BYTES)?;
    let text = wisp_ingest::text::decode(&bytes).map_err(|e| e.at(path))?;
    let doc: PlanDoc = serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "{}:{}: not a plan from `wisp plan --out`: {e}",
            path.display(),
            e.line()
        ))
    })?;
    let floor_of = |what: &str, id: &str| -> Result<&wisp_model::Floor, Error> {
        site.floor(id).map(|f| &f.floor).ok_or_else(|| {
            Error::input(format!(
                "{}: {what}: floor '{id}' is not in the site manifest {} (floors: {})",
                path.display(),
                site.manifest_path.display(),
                pipeline::floor_ids(site)
            ))
        })
    };
    let mut out = PlanFile::default();
    for (i, ap) in doc.new_aps.iter().enumerate() {
        let what = format!("new_aps[{i}] '{}'", ap.name);
        let floor = floor_of(&what, &ap.floor)?;
        let at = wisp_model::Point::new(ap.x_m, ap.y_m);
        let size = floor.size_m();
        if !(at.x.is_finite() && at.y.is_finite())
            || at.x < 0.0
            || at.y < 0.0
            || at.x > size.x
            || at.y > size.y
        {
            return Err(Error::input(format!(
                "{}: {what}: position ({}, {}) m is not on floor '{}' (0…{:.1} × 0…{:.1} m)",
                path.display(),
                ap.x_m,
                ap.y_m,
                floor.id,
                size.x,
                size.y
            )));
        }
        let radios = radios_of(path, &what, &ap.radios)?;
        let plan = out.floors.entry(floor.id.clone()).or_default();
        plan.new_aps.push(PlannedAp {
            name: ap.name.clone(),
            position: at,
            radios,
            ssids: Vec::new(),
            base_bssid: Some(wisp_plan::planner::new_bssid(plan.new_aps.len() + 1)),
            new: true,
            located: false,
        });
    }
    for (i, ap) in doc.existing_aps.iter().enumerate() {
        let what = format!("existing_aps[{i}] '{}'", ap.name);
        let floor = floor_of(&what, &ap.floor)?;
        let radios = radios_of(path, &what, &ap.radios)?;
        let plan = out.floors.entry(floor.id.clone()).or_default();
        if ap.located {
            continue;
        }
        let Some(known) = floor.aps.iter().find(|a| a.name == ap.name) else {
            return Err(Error::input(format!(
                "{}: {what}: floor '{}' has no access point '{}' in the manifest",
                path.display(),
                floor.id,
                ap.name
            )));
        };
        if known.radios != radios {
            plan.changed.push(ap.name.clone());
        }
    }
    for (i, z) in doc.zones.iter().enumerate() {
        let what = format!("zones[{i}] '{}'", z.zone);
        let floor = floor_of(&what, &z.floor)?;
        if !floor.zones.iter().any(|x| x.name == z.zone) {
            return Err(Error::input(format!(
                "{}: {what}: floor '{}' has no zone '{}'",
                path.display(),
                floor.id,
                z.zone
            )));
        }
        out.floors
            .entry(floor.id.clone())
            .or_default()
            .zones
            .push(z.clone());
    }
    Ok(out)
}
