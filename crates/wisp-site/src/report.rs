use crate::maps::{FloorPictures, Metric, Style};
use crate::pipeline::{self, FloorAnalysis, FloorOutcome, APPROXIMATE_RANKS_NOTE};
use crate::plan::{FloorPlan, PlanFile};
use crate::{Error, ExitCode};
use wisp_coverage::{Criterion, Verdict, ZoneResult};
use wisp_ingest::{FileReport, Site, SiteFloor};
use wisp_model::words::count;
use wisp_model::Sample;
use wisp_render::{Paper, Report, ReportFloor, SharedPng, Table};

fn f1(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.0}")
    }
}

/// One floor's part of the report: made while the floor's layers exist (heatmaps drawn and
/// encoded as PNG), then kept without them, so a report over hundreds of floors never holds more
/// than a few floors' layers. A shard bundle stores exactly this.
#[derive(Debug, Clone)]
pub struct FloorPart {
    /// Index of the floor in the manifest (0-based).
    pub index: usize,
    pub id: String,
    pub name: String,
    pub scans: usize,
    /// The interpolation method used (and why).
    pub method: String,
    /// Secondary and tertiary signal are approximate ([`FloorAnalysis::ranks_approximate`]).
    pub ranks_approximate: bool,
    /// The floor plan's scale, for positions in plan pixels beside metres (the check JSON's
    /// `centroid_px`); None only when the floor is not in the manifest.
    pub calibration: Option<wisp_model::PlanCalibration>,
    /// The zones' results; in a report's parts (not a bundle's) without the dead zones'
    /// outlines ([`floor_part_with`]).
    pub zones: Vec<ZoneResult>,
    /// (caption, PNG bytes), shared with the report's floors.
    pub heatmaps: Vec<(String, SharedPng)>,
    /// Close-ups of the dead zones for the PDF: (caption, PNG bytes). Not kept in shard bundles.
    pub dead_zone_maps: Vec<(String, SharedPng)>,
    /// The floor's charts (`crate::charts::report_charts`), drawn on the PDF's chart pages.
    /// Not kept in shard bundles.
    pub charts: Vec<wisp_render::Chart>,
    pub notes: Vec<String>,
    /// The floor's plan page, when the report was given a plan covering it. Not kept in shard
    /// bundles (`--plan` and `--shard` do not go together).
    pub plan: Option<PlanPart>,
    /// Why the floor could not be processed (message, exit code); the other fields are empty.
    pub error: Option<(String, ExitCode)>,
}

/// A floor's plan page: the predicted map (PNG) and the tables.
#[derive(Debug, Clone)]
pub struct PlanPart {
    pub maps: Vec<(String, SharedPng)>,
    pub proposed_aps: Table,
    pub zones: Table,
    pub bill_of_materials: Table,
    pub notes: Vec<String>,
}

impl FloorPart {
    pub fn failed(site: &Site, index: usize, id: &str, e: &Error) -> FloorPart {
        FloorPart {
            index,
            id: id.to_string(),
            name: site
                .floors
                .get(index)
                .map_or_else(|| id.to_string(), |f| f.floor.name.clone()),
            scans: 0,
            method: String::new(),
            ranks_approximate: false,
            calibration: site.floors.get(index).map(|f| f.floor.calibration),
            zones: Vec::new(),
            heatmaps: Vec::new(),
            dead_zone_maps: Vec::new(),
            charts: Vec::new(),
            notes: Vec::new(),
            plan: None,
            error: Some((e.to_string(), e.exit_code())),
        }
    }

    /// The part with its pictures moved into `spool` (see [`wisp_render::PngSpool`]).
    pub fn spooled(mut self, spool: &std::sync::Arc<wisp_render::PngSpool>) -> Result<Self, Error> {
        let spool_all = |pictures: &mut Vec<(String, SharedPng)>| -> Result<(), Error> {
            for (_, png) in pictures.iter_mut() {
                *png = png.spooled(spool)?;
            }
            Ok(())
        };
        spool_all(&mut self.heatmaps)?;
        spool_all(&mut self.dead_zone_maps)?;
        if let Some(plan) = &mut self.plan {
            spool_all(&mut plan.maps)?;
        }
        Ok(self)
    }

    /// The floor's zone results as an analysis without layers (what a bundle keeps).
    pub fn analysis(&self) -> FloorAnalysis {
        FloorAnalysis {
            ranks_approximate: self.ranks_approximate,
            ..FloorAnalysis::without_layers(self.zones.clone(), self.method.clone())
        }
    }

    /// A report run's outcome for one floor.
    pub fn of_outcome(site: &Site, o: FloorOutcome<FloorPart>) -> FloorPart {
        match o.result {
            Ok(p) => p,
            Err(e) => FloorPart::failed(site, o.index, &o.id, &e),
        }
    }

    /// A check run's outcome for one floor: zone results, no pictures.
    pub fn of_check(site: &Site, o: &FloorOutcome<FloorAnalysis>) -> FloorPart {
        match &o.result {
            Ok(a) => FloorPart {
                index: o.index,
                id: o.id.clone(),
                name: site.floors[o.index].floor.name.clone(),
                scans: o.scans,
                method: a.method.clone(),
                ranks_approximate: a.ranks_approximate,
                calibration: Some(site.floors[o.index].floor.calibration),
                zones: a.zones.clone(),
                heatmaps: Vec::new(),
                dead_zone_maps: Vec::new(),
                charts: Vec::new(),
                notes: std::iter::once(format!(
                    "{} on this floor.",
                    count(o.scans, "scan", "scans")
                ))
                .chain(
                    a.ranks_approximate
                        .then(|| APPROXIMATE_RANKS_NOTE.to_string()),
                )
                .collect(),
                plan: None,
                error: None,
            },
            Err(e) => FloorPart::failed(site, o.index, &o.id, e),
        }
    }
}

/// Draws a floor's heatmaps and writes its notes, while its layers exist.
pub fn floor_part(
    site: &Site,
    sf: &SiteFloor,
    samples: &[Sample],
    analysis: &FloorAnalysis,
    index: usize,
    plan: Option<&FloorPlan>,
) -> Result<FloorPart, Error> {
    floor_part_with(
        &FloorPictures::new(site, sf, analysis, samples),
        index,
        plan,
        true,
    )
}

/// A floor's zone results as its part keeps them: whole when `outlines` (a shard bundle's
/// results go into `wisp merge`'s check JSON with their outlines), else without the dead
/// zones' and at-risk regions' outlines, which a report needs only while the floor's maps are
/// drawn (issue 16: ~45 KB a floor of the estate example, held for every floor until its pages).
/// The outlines are never copied then, so nothing is allocated to be freed at once.
fn part_zones(zones: &[ZoneResult], outlines: bool) -> Vec<ZoneResult> {
    if outlines {
        return zones.to_vec();
    }
    let without = |regions: &[wisp_coverage::DeadZone]| -> Vec<wisp_coverage::DeadZone> {
        regions
            .iter()
            .map(|d| wisp_coverage::DeadZone {
                zone: d.zone.clone(),
                criterion: d.criterion,
                confidence: d.confidence,
                fail_probability: d.fail_probability,
                area_m2: d.area_m2,
                centroid_m: d.centroid_m,
                worst: d.worst,
                shortfall: d.shortfall,
                nearest_radio: d.nearest_radio.clone(),
                outline_m: Vec::new(),
            })
            .collect()
    };
    zones
        .iter()
        .map(|z| ZoneResult {
            zone: z.zone.clone(),
            kind: z.kind,
            profile: z.profile.clone(),
            area_m2: z.area_m2,
            surveyed_share: z.surveyed_share,
            pass_share: z.pass_share,
            criteria: z.criteria.clone(),
            dead_zones: without(&z.dead_zones),
            dead_area_m2: z.dead_area_m2,
            at_risk: without(&z.at_risk),
            verdict: z.verdict,
        })
        .collect()
}

/// [`floor_part`] drawing its maps through `pictures`, which other outputs of the same floor
/// (the HTML) share; its zone results keep their dead zones' outlines only when `outlines`
/// (see `part_zones`).
pub fn floor_part_with(
    pictures: &FloorPictures<'_>,
    index: usize,
    plan: Option<&FloorPlan>,
    outlines: bool,
) -> Result<FloorPart, Error> {
    let (sf, analysis, samples) = (pictures.floor, pictures.analysis, pictures.samples);
    let mut heatmaps = Vec::new();
    if analysis.layers.is_some() {
        for metric in [Metric::Primary, Metric::Secondary] {
            let img = pictures.get(metric)?;
            heatmaps.push((
                format!("{} — {}", sf.floor.name, metric.title()),
                wisp_render::png_bytes(&img)?.into(),
            ));
        }
    }
    let mut notes = vec![
        format!("{} on this floor.", count(samples.len(), "scan", "scans")),
        format!("Interpolation: {}.", analysis.method),
    ];
    if let Some(l) = &analysis.layers {
        let inside = l.primary.values().iter().filter(|v| !v.is_nan()).count();
        let surveyed = l.surveyed.values().iter().filter(|v| **v).count();
        notes.push(format!(
            "{:.0} % of the floor lies within {} m of a scan; grey areas were not surveyed and are never reported as dead.",
            100.0 * surveyed as f64 / inside.max(1) as f64,
            sf.floor.survey_range_m
        ));
        notes.push(format!(
            "{} heard ({}).",
            count(l.radios.len(), "radio", "radios"),
            {
                let mut aps: Vec<&str> = l.radios.iter().map(|r| r.key.ap.as_str()).collect();
                aps.dedup();
                count(aps.len(), "access point", "access points")
            }
        ));
    }
    if analysis.ranks_approximate {
        notes.push(APPROXIMATE_RANKS_NOTE.to_string());
    }
    let dead_zones = analysis
        .zones
        .iter()
        .map(|z| z.dead_zones.len())
        .sum::<usize>();
    if dead_zones > crate::maps::MAX_CLOSE_UPS_PER_FLOOR {
        notes.push(format!(
            "Close-ups show the {} largest of the floor's {dead_zones} dead zones; the dead-zone table lists every one.",
            crate::maps::MAX_CLOSE_UPS_PER_FLOOR
        ));
    }
    let dead_zone_maps = crate::maps::dead_zone_crops(pictures)?
        .into_iter()
        .map(|(caption, img)| Ok((caption, wisp_render::png_bytes(&img)?.into())))
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(FloorPart {
        index,
        id: sf.floor.id.clone(),
        name: sf.floor.name.clone(),
        scans: samples.len(),
        method: analysis.method.clone(),
        ranks_approximate: analysis.ranks_approximate,
        calibration: Some(sf.floor.calibration),
        zones: part_zones(&analysis.zones, outlines),
        heatmaps,
        dead_zone_maps,
        charts: part_charts(pictures, plan)?,
        notes,
        plan: plan.map(|fp| plan_part(pictures, fp)).transpose()?,
        error: None,
    })
}

/// A floor's charts in the report (PDF and HTML alike): `crate::charts::report_charts` and,
/// with a plan, the calibration its model came from (measured against modelled, residuals,
/// located APs): how far to trust the predicted map.
pub fn part_charts(
    pictures: &FloorPictures<'_>,
    plan: Option<&FloorPlan>,
) -> Result<Vec<wisp_render::Chart>, Error> {
    let (sf, samples) = (pictures.floor, pictures.samples);
    let mut charts = crate::charts::report_charts(sf, pictures.analysis);
    if let Some(cal) = plan
        .map(|fp| pictures.predicted_after(fp))
        .transpose()?
        .and_then(|p| p.calibration.as_ref())
    {
        let evidence = wisp_plan::evidence(&sf.floor, samples, cal);
        charts.extend(
            crate::charts::calibration_charts(&sf.floor.name, &evidence)
                .into_iter()
                .map(|c| c.chart),
        );
    }
    Ok(charts)
}

/// The plan page of a floor: the model's map with the proposed APs, and the tables.
fn plan_part(pictures: &FloorPictures<'_>, fp: &FloorPlan) -> Result<PlanPart, Error> {
    let (site, sf, analysis) = (pictures.site, pictures.floor, pictures.analysis);
    let predicted = pictures.predicted_after(fp)?;
    let map = crate::maps::draw_predicted(
        site,
        sf,
        predicted,
        &fp.new_aps,
        Style::of(Metric::PredictedAfter),
        Some(analysis.plan_image(sf)?),
        wisp_render::heatmap_png,
    )?;
    let new: Vec<&wisp_plan::PlannedAp> = fp.new_aps.iter().collect();
    let mut bill_of_materials = Table::new(
        ["Item", "Quantity", "Notes"].map(String::from).to_vec(),
        vec![],
    );
    bill_of_materials.rows = crate::plan::bom_rows(&new, &fp.changed)
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    let notes = vec![
        format!(
            "{} proposed. The map is the radio model's prediction on 5 GHz, the band coverage is designed on (path-loss exponent n = {:.2}, {}), with the existing access points and the proposed ones (triangles); it is a prediction, not a measurement: survey again once they are installed.",
            wisp_model::words::count(fp.new_aps.len(), "new access point", "new access points"),
            predicted.prediction.exponent,
            if predicted.calibrated {
                "fitted to this survey"
            } else {
                "the default: the survey could not calibrate it"
            }
        ),
        "Zones before and after: the verdict is the one `wisp check` gives (every criterion of the zone's profile, co-channel and SNR included) on the survey, then on the predicted-after layers (the survey with the proposed access points added and the planned channels); the shares at the primary (and secondary) threshold and the 5th percentile of the primary signal are the design figures `wisp plan` searched on (primary and secondary only, the model less a design margin where unsurveyed), not a verdict; \"out of reach\" is the share of the zone no allowed mounting position can cover.".into(),
    ];
    Ok(PlanPart {
        maps: vec![(
            format!("{} — {}", sf.floor.name, Metric::PredictedAfter.title()),
            map.into(),
        )],
        proposed_aps: proposed_ap_table(&fp.new_aps),
        zones: plan_zone_table(&fp.zones),
        bill_of_materials,
        notes,
    })
}

/// The proposed APs: name, position in plan metres, and each radio's band, channel and power.
pub fn proposed_ap_table(aps: &[wisp_plan::PlannedAp]) -> Table {
    let mut t = Table::new(
        [
            "Access point",
            "Position (m)",
            "Radios (band, channel, tx power)",
        ]
        .map(String::from)
        .to_vec(),
        vec![],
    );
    for ap in aps {
        t.rows.push(vec![
            ap.name.clone(),
            format!("{:.1}, {:.1}", ap.position.x, ap.position.y),
            ap.radios
                .iter()
                .map(|r| {
                    format!(
                        "{} GHz ch {}, {:.0} dBm",
                        r.band.name(),
                        r.channel,
                        r.tx_dbm
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    t
}

/// Each zone before and after the plan: the verdict (`wisp_coverage`'s, the one judge, where the
/// plan has it) and the design figures; zones failing afterwards are highlighted.
pub fn plan_zone_table(zones: &[crate::plan::ZoneDoc]) -> Table {
    let mut t = Table::new(
        [
            "Zone",
            "Primary ok (design)",
            "Secondary ok (design)",
            "Primary p5 (design, dBm)",
            "Verdict",
            "Out of reach",
        ]
        .map(String::from)
        .to_vec(),
        vec![],
    );
    let share = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{:.0}%", 100.0 * v));
    let dbm = |v: Option<f64>| f1(v.unwrap_or(f64::NAN));
    let yes = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "–",
    };
    for z in zones {
        let (b, a) = (&z.design_before, &z.design_after);
        // The verdict is wisp_coverage's (the one judge) where the plan has it; a plan made on
        // the model alone has only the design targets, and says so.
        let (verdict, fails_after) = match (&z.verdict_before, &z.verdict_after) {
            (Some(vb), Some(va)) => (
                format!("{} → {}", vb.verdict.name(), va.verdict.name()),
                va.verdict == wisp_coverage::Verdict::Fail,
            ),
            _ => (
                format!(
                    "no verdict; design targets met {} → {}",
                    yes(b.meets_design_targets),
                    yes(a.meets_design_targets)
                ),
                a.meets_design_targets == Some(false),
            ),
        };
        t.rows.push(vec![
            z.zone.clone(),
            format!(
                "{} → {}",
                share(Some(b.primary_share)),
                share(Some(a.primary_share))
            ),
            format!(
                "{} → {}",
                share(b.secondary_share),
                share(a.secondary_share)
            ),
            format!("{} → {}", dbm(b.primary_p5_dbm), dbm(a.primary_p5_dbm)),
            verdict,
            share(Some(z.unreachable_share)),
        ]);
        t.highlight_rows.push(fails_after);
    }
    t
}

/// What the report says about the site besides its floors.
#[derive(Debug, Clone)]
pub struct SiteFacts {
    pub name: String,
    pub surveyor: Option<String>,
    /// Floors in the manifest (all shards).
    pub floors_total: usize,
    /// Every profile a zone may use: (name, description with its source).
    pub profiles: Vec<(String, String)>,
    /// One line per capture file read (empty when the survey came from a survey JSON).
    pub sources: Vec<String>,
    /// New access points the report's plan proposes (all floors); `None` without a plan.
    pub proposed_aps: Option<usize>,
}

impl SiteFacts {
    pub fn of<T>(site: &Site, outcomes: &[FloorOutcome<T>]) -> SiteFacts {
        let reports: Vec<&FileReport> = outcomes.iter().flat_map(|o| &o.reports).collect();
        SiteFacts::with_reports(site, &reports)
    }

    pub(crate) fn with_reports(site: &Site, reports: &[&FileReport]) -> SiteFacts {
        SiteFacts {
            name: site.name.clone(),
            surveyor: site.surveyor.clone(),
            floors_total: site.floors.len(),
            profiles: pipeline::all_profiles(site)
                .iter()
                .map(|p| {
                    (
                        p.name.clone(),
                        format!(
                            "{}: primary ≥ {} dBm{}{}{} — {}",
                            p.name,
                            p.primary_dbm.0,
                            p.secondary_dbm
                                .map_or(String::new(), |d| format!(", secondary ≥ {} dBm", d.0)),
                            p.snr_db
                                .map_or(String::new(), |d| format!(", SNR ≥ {d} dB")),
                            p.cochannel_max.map_or(String::new(), |m| format!(
                                ", ≤ {} at ≥ {} dBm",
                                count(m as usize, "co-channel radio", "co-channel radios"),
                                p.cochannel_dbm.0
                            )),
                            p.source
                        ),
                    )
                })
                .collect(),
            // How "ours" was decided first: coverage counts our network only.
            sources: std::iter::once(format!("{}.", site.network.describe()))
                .chain(reports.iter().map(|r| format!("{}.", r.summary())))
                .collect(),
            proposed_aps: None,
        }
    }

    /// The same facts, with the plan's count of proposed APs.
    pub fn with_plan(mut self, plan: Option<&PlanFile>) -> SiteFacts {
        self.proposed_aps = plan.map(PlanFile::new_ap_count);
        self
    }
}

fn zone_table(zones: &[ZoneResult]) -> Table {
    let mut zone_table = Table::new(
        [
            "Zone",
            "Profile",
            "Area m²",
            "Surveyed",
            "Pass",
            "Primary p5",
            "Dead m²",
            "Verdict",
        ]
        .map(String::from)
        .to_vec(),
        vec![],
    );
    for z in zones {
        let p = z
            .criteria
            .iter()
            .find(|c| c.criterion == Criterion::Primary);
        zone_table.rows.push(vec![
            z.zone.clone(),
            z.profile.clone(),
            format!("{:.1}", z.area_m2),
            format!("{:.0}%", 100.0 * z.surveyed_share),
            format!("{:.0}%", 100.0 * z.pass_share),
            // The worst value is in the dead-zone table, per dead zone: here it would squeeze
            // the zone names into two lines.
            p.map_or("–".into(), |p| format!("{} dBm", f1(p.p5))),
            format!("{:.1}", z.dead_area_m2),
            z.verdict.name().to_string(),
        ]);
        zone_table.highlight_rows.push(z.verdict == Verdict::Fail);
    }
    zone_table
}

fn dead_zone_table(zones: &[ZoneResult]) -> Table {
    let mut dead_zones = Table::new(
        [
            "Zone",
            "Criterion",
            "Area m²",
            "Centre (m)",
            "Worst",
            "Short by",
            "Nearest AP",
        ]
        .map(String::from)
        .to_vec(),
        vec![],
    );
    for d in zones.iter().flat_map(|z| &z.dead_zones) {
        dead_zones.rows.push(vec![
            d.zone.clone(),
            d.criterion.name().to_string(),
            format!("{:.1}", d.area_m2),
            format!("{:.1}, {:.1}", d.centroid_m.x, d.centroid_m.y),
            format!("{} {}", f1(d.worst), d.criterion.unit(d.worst)),
            format!(
                "{:.0} {}",
                d.shortfall,
                d.criterion.margin_unit(d.shortfall)
            ),
            d.nearest_radio.clone().unwrap_or_else(|| "–".into()),
        ]);
    }
    dead_zones
}

/// The floor's at-risk regions in one sentence (None: there are none): they pass on the map but
/// fail at least 20 % likely, so they are listed apart from the dead zones and never in a verdict.
fn at_risk_note(zones: &[ZoneResult]) -> Option<String> {
    let at_risk: Vec<_> = zones.iter().flat_map(|z| &z.at_risk).collect();
    if at_risk.is_empty() {
        return None;
    }
    let each: Vec<String> = at_risk
        .iter()
        .map(|d| {
            format!(
                "{} ({}, {:.1} m², up to {:.0} %)",
                d.zone,
                d.criterion.name(),
                d.area_m2,
                100.0 * d.fail_probability
            )
        })
        .collect();
    Some(format!(
        "At risk, not counted in any verdict (passing on the map, but failing at least 20 % likely given its standard deviation; outlined dotted on the maps): {}.",
        each.join("; ")
    ))
}

/// The PDF's per-floor extras (dead-zone close-ups, plan page, charts), in the parts' order.
/// Takes the parts by value and moves their contents, so a report over hundreds of floors does
/// not hold every floor's chart data twice while its PDF is drawn (issue 16: the charts'
/// copies were the largest thing that grew with the floors, ~84 KB a floor measured by massif).
pub fn extras(parts: Vec<FloorPart>) -> Vec<wisp_render::FloorExtras> {
    parts
        .into_iter()
        .map(|p| {
            let (proposed_aps, plan_notes, plan_zones, bill_of_materials, plan_map_pngs) =
                match p.plan {
                    Some(q) => (
                        q.proposed_aps,
                        q.notes,
                        q.zones,
                        q.bill_of_materials,
                        q.maps,
                    ),
                    None => Default::default(),
                };
            wisp_render::FloorExtras {
                dead_zone_maps: p.dead_zone_maps,
                proposed_aps,
                plan_notes,
                plan_zones,
                bill_of_materials,
                plan_map_pngs,
                charts: p.charts,
            }
        })
        .collect()
}

/// Lays the floors' parts (in order) and the site's facts out as a report.
/// `date` is the report's date as printed (`YYYY-MM-DD`): the front end reads the clock, the
/// library never does.
pub fn assemble(
    facts: &SiteFacts,
    parts: &[FloorPart],
    paper: Paper,
    date: &str,
) -> Result<Report, Error> {
    let mut floors = Vec::new();
    for part in parts {
        let mut notes = part.notes.clone();
        if let Some((message, _)) = &part.error {
            notes.push(format!("This floor could not be processed: {message}"));
        }
        if let Some(note) = at_risk_note(&part.zones) {
            notes.push(note);
        }
        // Heatmaps stay PNG until the PDF embeds them, one at a time: memory does not grow with
        // the number of floors times the plan size.
        floors.push(ReportFloor {
            name: part.name.clone(),
            heatmaps: Vec::new(),
            heatmap_pngs: part.heatmaps.clone(),
            zone_table: zone_table(&part.zones),
            dead_zones: dead_zone_table(&part.zones),
            notes,
        });
    }
    let zones: Vec<&ZoneResult> = parts.iter().flat_map(|p| &p.zones).collect();
    let count = |v: Verdict| zones.iter().filter(|z| z.verdict == v).count();
    // Counted as the dead-zone tables list them: every criterion's.
    let dead: Vec<_> = zones.iter().flat_map(|z| &z.dead_zones).collect();
    let mut by_criterion: Vec<(Criterion, usize)> = Vec::new();
    for d in &dead {
        match by_criterion.iter_mut().find(|(c, _)| *c == d.criterion) {
            Some((_, n)) => *n += 1,
            None => by_criterion.push((d.criterion, 1)),
        }
    }
    by_criterion.sort();
    let mut profiles: Vec<&str> = zones.iter().map(|z| z.profile.as_str()).collect();
    profiles.sort();
    profiles.dedup();
    let failed: Vec<&FloorPart> = parts.iter().filter(|p| p.error.is_some()).collect();
    let mut summary = vec![
        ("Floors".to_string(), parts.len().to_string()),
        ("Zones".to_string(), zones.len().to_string()),
        (
            "Zones passing".to_string(),
            count(Verdict::Pass).to_string(),
        ),
        (
            "Zones failing".to_string(),
            count(Verdict::Fail).to_string(),
        ),
        (
            "Zones with not enough data".to_string(),
            count(Verdict::NotEnoughData).to_string(),
        ),
        (
            "Dead zones".to_string(),
            if dead.is_empty() {
                "0".to_string()
            } else {
                format!(
                    "{} ({})",
                    dead.len(),
                    by_criterion
                        .iter()
                        .map(|(c, n)| format!("{} {n}", c.name()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        ),
        (
            "Dead-zone area".to_string(),
            // Each zone's area under any dead zone (criteria overlap), as the zone table shows.
            format!(
                "{:.1} m²",
                zones.iter().map(|z| z.dead_area_m2).sum::<f64>()
            ),
        ),
        (
            "Scans".to_string(),
            parts.iter().map(|p| p.scans).sum::<usize>().to_string(),
        ),
        (
            "Access points proposed".to_string(),
            facts.proposed_aps.map_or_else(
                || "none (run wisp plan, then wisp report --plan)".to_string(),
                |n| n.to_string(),
            ),
        ),
    ];
    if !failed.is_empty() {
        summary.insert(
            1,
            (
                "Floors not processed".to_string(),
                failed
                    .iter()
                    .map(|p| p.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        );
    }
    let mut sources = facts.sources.clone();
    if sources.is_empty() {
        sources.push("Survey read from a wisp survey JSON.".into());
    }
    let appendix = vec![
        (
            "Method".to_string(),
            vec![
                format!("Signal was interpolated per radio on a {} m grid, on each floor by the method with the lowest error on walk-out cross-validation of the floor's own walk (`auto`: inverse-distance weighting, natural neighbour, kriging, thin-plate spline, nearest sample, and regression kriging on the calibrated propagation model), unless the manifest's `interpolation` names one (each floor's notes say which was used and why).", pipeline::ANALYSIS_CELL_M),
                "A scan that heard other radios but not a given one counts as −95 dBm for that radio, so coverage does not spread from where it was heard into where it was not.".into(),
                "Secondary and tertiary signal come from different access points than the primary: another band or SSID of the same AP is no backup when that AP fails.".into(),
                "A zone passes when every criterion of its profile holds on at least 95 % of its surveyed area and it has no dead zone; dead zones are connected failing regions of at least 1 m², or any failing region of a criterion that misses its 95 %. A zone with a dead zone in its surveyed part fails however little of it was surveyed; \"not enough data\" (under half surveyed) is only for zones where nothing surveyed fails.".into(),
                "Coverage (primary, secondary, tertiary, SNR, radio count, serving AP) counts our network's radios only; co-channel interference counts every radio heard on the serving channel, ours or a neighbour's (see Data for how our network was decided).".into(),
            ],
        ),
        (
            "Requirement profiles".to_string(),
            facts
                .profiles
                .iter()
                .filter(|(name, _)| profiles.contains(&name.as_str()))
                .map(|(_, line)| line.clone())
                .collect(),
        ),
        ("Data".to_string(), sources),
    ];
    Ok(Report {
        title: "Wi-Fi survey report".into(),
        site: facts.name.clone(),
        date: date.to_string(),
        surveyor: facts.surveyor.clone(),
        profile: profiles.join(", "),
        summary,
        floors,
        appendix,
        paper,
    })
}
