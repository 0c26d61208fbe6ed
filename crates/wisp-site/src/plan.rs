//! `wisp plan`: where to add access points so every zone meets its profile, with a channel plan,
//! a bill of materials and an APs file `wisp simulate --aps` can walk.

use crate::{pipeline, Error};
use wisp_coverage::ZoneResult;
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

/// The plans of a site's floors.
pub struct SitePlan<'a> {
    /// Each floor, whether its calibration succeeded, and its plan.
    pub floors: Vec<(&'a Floor, bool, Plan)>,
    /// The calibration fitted wall losses.
    pub fit_walls: bool,
    /// What a planner should know (a floor planned with the default model, and why).
    pub notes: Vec<String>,
}

impl SitePlan<'_> {
    /// The plan file's document.
    pub fn document(&self) -> PlanDocument {
        plan_document(&self.floors, self.fit_walls)
    }

    /// The plan file's text.
    pub fn to_json(&self) -> String {
        plan_json(&self.floors, self.fit_walls)
    }
}

/// Calibrates and plans each of `floors` (zones held to `profile` if given, else their own).
pub fn plan_floors<'a>(
    loaded: &'a pipeline::Loaded,
    floors: &[&'a wisp_ingest::SiteFloor],
    profile: Option<&str>,
    opts: &PlanOptions,
    how: &FloorPlanning,
) -> Result<SitePlan<'a>, Error> {
    let mut notes = Vec::new();
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
        let calibrated =
            crate::calibrations::FloorCalibrations::default().get(&f.floor, samples, &cal_opts);
        let cal = calibrated.as_ref();
        if let Err(e) = &cal {
            notes.push(format!(
                "{e}; planning floor '{}' with the default model",
                f.floor.id
            ));
        }
        // The survey's radio map, with the options `wisp check` judges the floor with; method
        // `model` takes the calibration as its trend.
        let (layer_opts, method) =
            pipeline::layer_options(&loaded.site, f, samples, &pipeline::Filters::default());
        // Which method drew the survey's map the plan starts from (for `auto`, the default,
        // what it picked and why), as `wisp check` says it.
        notes.push(format!("floor '{}': survey map by {method}", f.floor.id));
        let g = pipeline::floor_grid(&f.floor)?;
        let inside = |r: usize, c: usize| f.floor.outline.contains(g.centre(r, c));
        let trend = cal
            .as_ref()
            .ok()
            .map(|c| wisp_plan::CalibratedTrend::new(&f.floor, c));
        let trend_ref = trend
            .as_ref()
            .map(|t| t as &dyn wisp_interp::regression::Trend);
        let map = wisp_interp::RadioMap::build(samples, &g, &inside, &layer_opts, trend_ref).ok();
        // Ours as the site's network says (`[network]`, else the manifest APs' SSIDs, else
        // every radio): the planner keeps neighbours' channels, and their coverage, out.
        let ours: Vec<bool> = map
            .as_ref()
            .map_or_else(Vec::new, |m| m.radios.iter().map(|r| r.is_ours).collect());
        let eval = wisp_coverage::EvalOptions::default();
        let survey = map.as_ref().map(|map| wisp_plan::SurveyMap {
            map,
            ours: &ours,
            layers: &layer_opts,
            eval: &eval,
        });
        let input = PlanInput {
            floor: &f.floor,
            calibration: cal.as_ref().ok(),
            survey,
            profile: &resolve,
        };
        let plan = plan_floor(&input, &opts).map_err(Error::input)?;
        plans.push((&f.floor, cal.is_ok(), plan));
    }
    Ok(SitePlan {
        floors: plans,
        fit_walls: how.fit_walls,
        notes,
    })
}

/// Rounds to `decimals` places, as the plan file writes positions.
fn round_to(v: f64, decimals: i32) -> f64 {
    let k = 10f64.powi(decimals);
    (v * k).round() / k
}

fn radio_docs(ap: &PlannedAp) -> Vec<RadioDoc> {
    ap.radios
        .iter()
        .map(|r| RadioDoc {
            band: r.band.name().to_string(),
            channel: r.channel,
            tx_dbm: r.tx_dbm,
        })
        .collect()
}

/// A zone's design figures in the plan file. Whether the design targets are met is written only
/// when the plan has no verdict for the zone (planned on the model alone): where the survey's
/// layers judged it, the verdict is the one answer to "does it meet its target".
fn design_doc(z: &wisp_plan::ZoneStats, judged: bool) -> DesignDoc {
    DesignDoc {
        meets_design_targets: (!judged).then_some(z.meets_design_targets),
        primary_p5_dbm: z.primary_p5_dbm.is_finite().then_some(z.primary_p5_dbm),
        primary_share: z.primary_share,
        secondary_share: z.secondary_share,
    }
}

/// The plan document of `plans` (each floor, whether it was calibrated, its plan): new APs
/// (plan pixels and metres), existing APs' planned channels, each zone's predicted result
/// before and after, and per floor what the model was. `fit_walls` says whether the calibration
/// fitted wall losses, so maps drawn from the plan use the same model.
pub fn plan_document(plans: &[(&Floor, bool, Plan)], fit_walls: bool) -> PlanDocument {
    let mut doc = PlanDocument::default();
    for (floor, calibrated, plan) in plans {
        for ap in &plan.aps {
            let px = floor.calibration.to_pixels(ap.position);
            doc_aps(&mut doc, ap).push(ApDoc {
                floor: floor.id.clone(),
                located: (!ap.new).then_some(ap.located),
                name: ap.name.clone(),
                radios: radio_docs(ap),
                x_m: round_to(ap.position.x, 2),
                x_px: ap.new.then(|| round_to(px.x, 1)),
                y_m: round_to(ap.position.y, 2),
                y_px: ap.new.then(|| round_to(px.y, 1)),
            });
        }
        for z in &plan.zones {
            let judged = z.verdict_before.is_some() && z.verdict_after.is_some();
            doc.zones.push(ZoneDoc {
                area_m2: z.area_m2,
                design_after: design_doc(&z.design_after, judged),
                design_before: design_doc(&z.design_before, judged),
                floor: floor.id.clone(),
                kind: z.kind.to_string(),
                profile: z.profile.clone(),
                unreachable_share: z.unreachable_share,
                zone: z.zone.clone(),
                verdict_before: z.verdict_before.as_ref().map(VerdictDoc::of),
                verdict_after: z.verdict_after.as_ref().map(VerdictDoc::of),
                limits: z.limits.clone(),
            });
        }
        doc.floors.push(FloorDoc {
            calibrated: *calibrated,
            candidates: plan.candidates,
            cochannel_overlap: plan
                .cochannel_overlap
                .iter()
                .map(|(b, v)| (b.name().to_string(), *v))
                .collect(),
            deficit: plan.deficit,
            demand_cells: plan.demand_cells,
            design_band: plan.design_band.name().to_string(),
            exponent: plan.exponent,
            fit_walls,
            floor: floor.id.clone(),
            primary_share: Some(plan.primary_share),
            secondary_share: Some(plan.secondary_share),
            margin_db: Some(plan.margin_db),
            residual_sigma_db: plan.residual_sigma_db,
            survey_anchored: plan.survey_anchored,
            channel_changes: plan.channel_changes.clone(),
        });
    }
    doc
}

fn doc_aps<'d>(doc: &'d mut PlanDocument, ap: &PlannedAp) -> &'d mut Vec<ApDoc> {
    if ap.new {
        &mut doc.new_aps
    } else {
        &mut doc.existing_aps
    }
}

/// The plan file's text (compact JSON), as `wisp plan --out` writes it.
pub fn plan_json(plans: &[(&Floor, bool, Plan)], fit_walls: bool) -> String {
    serde_json::to_string(&plan_document(plans, fit_walls)).unwrap_or_default()
}

/// Bill of materials: what an installer orders for the new APs.
pub fn bom_csv(plans: &[(&Floor, bool, Plan)]) -> Result<String, Error> {
    let new: Vec<&PlannedAp> = plans.iter().flat_map(|(_, _, p)| p.new_aps()).collect();
    let changed: Vec<String> = plans
        .iter()
        .flat_map(|(_, _, p)| p.channel_changes.iter().map(change_label))
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

/// One channel change as the bill of materials lists it: `NAME band from→to`.
pub fn change_label(c: &wisp_plan::ChannelChange) -> String {
    format!(
        "{} {} GHz {}→{}",
        c.name.as_deref().unwrap_or(&c.ap),
        c.band.name(),
        c.from,
        c.to
    )
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

/// The plan as text, floor by floor: the model, how many zones pass before and after (the one
/// judge's verdicts, as `wisp check` gives them; the design targets only for a floor planned on
/// the model alone), channel changes, what still fails and why, and the new APs.
pub fn summary(plans: &[(&Floor, bool, Plan)]) -> String {
    use wisp_model::words::count;
    let mut s = String::new();
    for (floor, calibrated, p) in plans {
        s += &format!(
            "floor {}: model n = {:.2} ({}), {}, {}\n",
            floor.id,
            p.exponent,
            if *calibrated {
                "calibrated on the survey"
            } else {
                "default, not calibrated"
            },
            count(p.candidates, "candidate position", "candidate positions"),
            count(p.demand_cells, "demand cell", "demand cells")
        );
        let new_aps = count(p.new_aps().count(), "new access point", "new access points");
        let judged = p
            .zones
            .iter()
            .all(|z| z.verdict_before.is_some() && z.verdict_after.is_some());
        if judged {
            let passing = |verdict: fn(&wisp_plan::ZoneOutcome) -> Option<&ZoneResult>| {
                p.zones
                    .iter()
                    .filter_map(verdict)
                    .filter(|r| r.verdict == wisp_coverage::Verdict::Pass)
                    .count()
            };
            s += &format!(
                "  {new_aps}; zones passing (as `wisp check` judges): {} of {} before, {} after (predicted); margin {:.1} dB\n",
                passing(|z| z.verdict_before.as_ref()),
                p.zones.len(),
                passing(|z| z.verdict_after.as_ref()),
                p.margin_db
            );
        } else {
            let met = |design: fn(&wisp_plan::ZoneOutcome) -> &wisp_plan::ZoneStats| {
                p.zones
                    .iter()
                    .filter(|z| design(z).meets_design_targets)
                    .count()
            };
            s += &format!(
                "  {new_aps}; no survey map to judge the zones by, so no verdicts: zones meeting the design targets (model only): {} of {} before, {} after\n",
                met(|z| &z.design_before),
                p.zones.len(),
                met(|z| &z.design_after)
            );
        }
        for c in &p.channel_changes {
            s += &format!("    channel change: {}\n", change_label(c));
        }
        for z in &p.zones {
            for l in &z.limits {
                s += &format!(
                    "    {} still fails {} ({:.1} m²): {}\n",
                    z.zone,
                    l.criterion.name(),
                    l.area_m2,
                    l.detail
                );
            }
        }
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
        // Without verdicts, the zones the design leaves short; with them, the lines above say
        // which criterion still fails and why.
        if !judged {
            for z in p
                .zones
                .iter()
                .filter(|z| !z.design_after.meets_design_targets)
            {
                s += &format!(
                    "  short of the design targets: {} (primary {:.0}%, secondary {}; {:.0}% out of reach of any allowed position)\n",
                    z.zone,
                    100.0 * z.design_after.primary_share,
                    z.design_after
                        .secondary_share
                        .map_or("–".to_string(), |s| format!("{:.0}%", 100.0 * s)),
                    100.0 * z.unreachable_share
                );
            }
        }
    }
    s
}

/// One radio of a plan file's AP.
/// The plan file (`wisp plan --out`): one type, written by [`plan_json`] and read by
/// [`read_plan_file`]. Fields are in alphabetical order, as JSON maps were written before this
/// type existed, so files stay byte-identical.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct PlanDocument {
    #[serde(default)]
    pub existing_aps: Vec<ApDoc>,
    #[serde(default)]
    pub floors: Vec<FloorDoc>,
    pub new_aps: Vec<ApDoc>,
    #[serde(default)]
    pub zones: Vec<ZoneDoc>,
}

/// A radio of an AP in a plan file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RadioDoc {
    pub band: String,
    pub channel: u16,
    pub tx_dbm: f64,
}

/// An AP of a plan file: `new_aps[]` (with plan pixels) or `existing_aps[]` (with `located`).
/// Pixel positions are for people; metres are what the model uses.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ApDoc {
    pub floor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub located: Option<bool>,
    pub name: String,
    pub radios: Vec<RadioDoc>,
    pub x_m: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x_px: Option<f64>,
    pub y_m: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y_px: Option<f64>,
}

/// A zone's design figures in a plan file: its coverage as the planner's search saw it (primary
/// and secondary only; measured where surveyed, the model less the margin elsewhere). Not a
/// verdict: [`ZoneDoc::verdict_before`] and [`ZoneDoc::verdict_after`] are. (No value is
/// written as null.)
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct DesignDoc {
    /// Whether the zone meets the planner's design targets (the floor's `primary_share` and
    /// `secondary_share`), written only when the plan has no verdict for the zone. (Read from
    /// `meets_target` in plan files written before issue 13.)
    #[serde(
        default,
        alias = "meets_target",
        skip_serializing_if = "Option::is_none"
    )]
    pub meets_design_targets: Option<bool>,
    pub primary_p5_dbm: Option<f64>,
    pub primary_share: f64,
    pub secondary_share: Option<f64>,
}

/// A zone of a plan file, before and after the plan.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ZoneDoc {
    #[serde(default)]
    pub area_m2: f64,
    /// The design figures with the new APs (`after` in plan files written before issue 13).
    #[serde(alias = "after")]
    pub design_after: DesignDoc,
    /// …and with the existing APs only (`before` in older files).
    #[serde(alias = "before")]
    pub design_before: DesignDoc,
    pub floor: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub profile: String,
    pub unreachable_share: f64,
    pub zone: String,
    /// `wisp_coverage`'s verdict on the survey's layers (what `wisp check` prints) and on the
    /// predicted-after layers: the one judge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict_before: Option<VerdictDoc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict_after: Option<VerdictDoc>,
    /// The criteria still failing after the plan that adding APs cannot fix, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub limits: Vec<wisp_plan::Limit>,
}

/// A zone's verdict in a plan file, from `wisp_coverage`: the figures `wisp check` prints for it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VerdictDoc {
    pub verdict: wisp_coverage::Verdict,
    pub pass_share: f64,
    pub surveyed_share: f64,
    /// Area under at least one dead zone, whatever its criterion, m²: check's `dead_area_m2`
    /// (dead zones of two criteria may overlap, so this is not their sum). Positive exactly
    /// when the verdict is a fail.
    #[serde(alias = "dead_zone_m2")]
    pub dead_area_m2: f64,
}

impl VerdictDoc {
    fn of(r: &wisp_coverage::ZoneResult) -> VerdictDoc {
        VerdictDoc {
            verdict: r.verdict,
            pass_share: r.pass_share,
            surveyed_share: r.surveyed_share,
            dead_area_m2: r.dead_area_m2,
        }
    }
}

/// What the planner knew of one floor: the model it planned with and how the search went.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FloorDoc {
    pub calibrated: bool,
    pub candidates: usize,
    pub cochannel_overlap: std::collections::BTreeMap<String, f64>,
    pub deficit: f64,
    pub demand_cells: usize,
    pub design_band: String,
    pub exponent: f64,
    /// The calibration fitted wall losses (`--fit-walls`): maps drawn from the plan do too.
    #[serde(default)]
    pub fit_walls: bool,
    pub floor: String,
    /// The targets and the design margin the plan was made with, and the calibration's
    /// residual RMSE the margin is a share of.
    #[serde(default)]
    pub primary_share: Option<f64>,
    #[serde(default)]
    pub secondary_share: Option<f64>,
    #[serde(default)]
    pub margin_db: Option<f64>,
    #[serde(default)]
    pub residual_sigma_db: Option<f64>,
    /// Existing coverage came from the survey's map (else the model alone).
    #[serde(default)]
    pub survey_anchored: bool,
    /// Our existing radios re-channelled (neighbours' never are).
    #[serde(default)]
    pub channel_changes: Vec<wisp_plan::ChannelChange>,
}

/// What a plan file (`wisp plan --out`) says about one floor.
#[derive(Debug, Clone, Default)]
pub struct FloorPlan {
    /// The proposed APs, as the planner made them (`new`, positions in plan metres).
    pub new_aps: Vec<PlannedAp>,
    /// Our existing radios the plan re-channels ([`change_label`]s).
    pub changed: Vec<String>,
    pub zones: Vec<ZoneDoc>,
    /// The calibration fitted wall losses when the plan was made.
    pub fit_walls: bool,
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
    let doc: PlanDocument = serde_json::from_str(&text).map_err(|e| {
        wisp_ingest::IngestError::syntax(format!("not a plan from `wisp plan --out`: {e}"))
            .at(path)
            .line(e.line())
    })?;
    PlanFile::of_document(site, &doc, path)
}

impl PlanFile {
    /// A plan document checked against the site, as [`read_plan_file`] does; `path` names the
    /// document in messages.
    pub fn of_document(
        site: &wisp_ingest::Site,
        doc: &PlanDocument,
        path: &std::path::Path,
    ) -> Result<PlanFile, Error> {
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
            // Bands, channels and powers must be sound; channel changes come from `floors[]`.
            radios_of(path, &what, &ap.radios)?;
            out.floors.entry(floor.id.clone()).or_default();
            if ap.located == Some(true) {
                continue;
            }
            if !floor.aps.iter().any(|a| a.name == ap.name) {
                return Err(Error::input(format!(
                    "{}: {what}: floor '{}' has no access point '{}' in the manifest",
                    path.display(),
                    floor.id,
                    ap.name
                )));
            }
        }
        for f in &doc.floors {
            let floor = floor_of("floors[]", &f.floor)?;
            let plan = out.floors.entry(floor.id.clone()).or_default();
            plan.fit_walls = f.fit_walls;
            plan.changed = f.channel_changes.iter().map(change_label).collect();
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
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zone as plan files before issue 13 wrote it: `before`/`after` with `meets_target`, and
    /// the verdict's dead area as `dead_zone_m2`.
    const OLD_ZONE: &str = r#"{"after": {"meets_target": true, "primary_p5_dbm": -60.0,
        "primary_share": 1.0, "secondary_share": 0.97}, "area_m2": 30.0,
        "before": {"meets_target": true, "primary_p5_dbm": -62.0, "primary_share": 1.0,
        "secondary_share": 0.96}, "floor": "L1", "kind": "corridor", "profile": "basic",
        "unreachable_share": 0.0, "zone": "Corridor",
        "verdict_before": {"verdict": "fail", "pass_share": 0.8, "surveyed_share": 1.0,
        "dead_zone_m2": 6.5}}"#;

    #[test]
    fn older_plan_files_read_with_todays_names() {
        let z: ZoneDoc = serde_json::from_str(OLD_ZONE).unwrap();
        assert_eq!(z.design_before.meets_design_targets, Some(true));
        assert_eq!(z.design_after.primary_p5_dbm, Some(-60.0));
        let v = z.verdict_before.as_ref().unwrap();
        assert_eq!(v.verdict, wisp_coverage::Verdict::Fail);
        assert_eq!(v.dead_area_m2, 6.5);
        // Written again, only today's names appear; a zone with verdicts says nothing of
        // "meeting" anything unless its document does.
        let text = serde_json::to_string(&z).unwrap();
        for old in ["\"before\"", "\"after\"", "meets_target", "dead_zone_m2"] {
            assert!(!text.contains(old), "{old} in {text}");
        }
    }

    #[test]
    fn a_judged_zone_carries_no_design_target_flag() {
        let stats = wisp_plan::ZoneStats {
            primary_share: 1.0,
            secondary_share: Some(1.0),
            primary_p5_dbm: -55.0,
            meets_design_targets: true,
        };
        assert_eq!(design_doc(&stats, true).meets_design_targets, None);
        assert_eq!(design_doc(&stats, false).meets_design_targets, Some(true));
        let text = serde_json::to_string(&design_doc(&stats, true)).unwrap();
        assert!(!text.contains("meets"), "{text}");
    }
}
