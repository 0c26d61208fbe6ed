use crate::pipeline::{self, FloorAnalysis, FloorOutcome, RunOptions};
use crate::{Error, ExitCode};
use serde_json::json;
use wisp_coverage::{Criterion, Verdict, ZoneResult};
use wisp_model::words::{count, truncate};

/// Every floor's analysis, in manifest order, and the floors that could not be processed.
pub struct SiteCheck {
    pub floors: Vec<(String, FloorAnalysis)>,
    /// Floors that failed (id, error); the others were still judged.
    pub failed: Vec<(String, Error)>,
}

impl SiteCheck {
    pub fn zones(&self) -> impl Iterator<Item = (&str, &ZoneResult)> {
        self.floors
            .iter()
            .flat_map(|(id, a)| a.zones.iter().map(move |z| (id.as_str(), z)))
    }

    /// A failed floor's code (2 bad input, 4 output) if a floor could not be processed; else 1
    /// if any zone fails, else 3 if any lacks data, else 0.
    pub fn exit_code(&self) -> ExitCode {
        if let Some((_, e)) = self.failed.first() {
            e.exit_code()
        } else if self.zones().any(|(_, z)| z.verdict == Verdict::Fail) {
            ExitCode::ZoneFails
        } else if self
            .zones()
            .any(|(_, z)| z.verdict == Verdict::NotEnoughData)
        {
            ExitCode::NotEnoughData
        } else {
            ExitCode::Ok
        }
    }
}

impl SiteCheck {
    /// From a run's outcomes (analyses, usually without their layers).
    pub fn from_outcomes(outcomes: Vec<FloorOutcome<FloorAnalysis>>) -> SiteCheck {
        let mut check = SiteCheck {
            floors: Vec::new(),
            failed: Vec::new(),
        };
        for o in outcomes {
            match o.result {
                Ok(a) => check.floors.push((o.id, a)),
                Err(e) => check.failed.push((o.id, e)),
            }
        }
        check
    }
}

impl SiteCheck {
    /// Where a plan's "before" disagrees with this check (one line per zone), empty when every
    /// zone of the plan has the verdict `wisp check` gives it. The plan's before is the same
    /// judgement on the same layers, so any line here is a bug; `wisp demo` prints the count.
    pub fn plan_disagreements(&self, plan: &crate::plan::PlanDocument) -> Vec<String> {
        let mut out = Vec::new();
        for z in &plan.zones {
            let checked = self
                .zones()
                .find(|(floor, r)| *floor == z.floor && r.zone == z.zone)
                .map(|(_, r)| r.verdict);
            let planned = z.verdict_before.as_ref().map(|v| v.verdict);
            if checked != planned {
                out.push(format!(
                    "{} {}: check says {}, the plan's before says {}",
                    z.floor,
                    z.zone,
                    checked.map_or("nothing", |v| v.name()),
                    planned.map_or("nothing", |v| v.name())
                ));
            }
        }
        out
    }
}

/// Every floor of a loaded site, in parallel, keeping the layers (for drawing afterwards).
pub fn check_site(loaded: &pipeline::Loaded) -> Result<SiteCheck, Error> {
    let opts = RunOptions {
        shard: None,
        filters: Default::default(),
    };
    let outcomes = pipeline::analyse_site_with(
        &loaded.site,
        Some(&loaded.survey),
        &opts,
        &pipeline::NoProgress,
        |_, a| Ok(a),
    );
    Ok(SiteCheck::from_outcomes(outcomes))
}

/// "12 zones: 10 pass, 2 FAIL" for a floor's summary line.
pub fn zone_counts(zones: &[ZoneResult]) -> String {
    let n = |v: Verdict| zones.iter().filter(|z| z.verdict == v).count();
    format!(
        "{}: {} pass, {} fail, {} not enough data",
        count(zones.len(), "zone", "zones"),
        n(Verdict::Pass),
        n(Verdict::Fail),
        n(Verdict::NotEnoughData)
    )
}

fn pct(v: f64) -> String {
    format!("{:.0}%", 100.0 * v)
}

fn dbm(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.0}")
    }
}

/// The zone table for people, then the dead zones, then the at-risk regions (apart: they never
/// count in a verdict).
pub fn table(check: &SiteCheck) -> String {
    let mut s = format!(
        "{:<6} {:<28} {:<16} {:>8} {:>9} {:>6} {:>9} {:>8}  {}\n",
        "floor", "zone", "profile", "area m²", "surveyed", "pass", "p5 dBm", "dead m²", "verdict"
    );
    for (floor, z) in check.zones() {
        let primary = z
            .criteria
            .iter()
            .find(|c| c.criterion == Criterion::Primary);
        // Area under any dead zone, every criterion's: positive exactly when the zone fails.
        let dead = z.dead_area_m2;
        s += &format!(
            "{:<6} {:<28} {:<16} {:>8.1} {:>9} {:>6} {:>9} {:>8.1}  {}\n",
            floor,
            truncate(&z.zone, 28),
            z.profile,
            z.area_m2,
            pct(z.surveyed_share),
            pct(z.pass_share),
            primary.map_or("–".into(), |p| dbm(p.p5)),
            dead,
            z.verdict.name()
        );
    }
    for (floor, a) in &check.floors {
        // Which method drew the floor's map, and for `auto` (the default) why: the verdicts
        // depend on it.
        if !a.method.is_empty() {
            s += &format!("map: floor {floor}: {}\n", a.method);
        }
        if a.ranks_approximate {
            s += &format!(
                "note: floor {floor}: {}\n",
                crate::pipeline::APPROXIMATE_RANKS_NOTE
            );
        }
    }
    let dead: Vec<_> = check
        .zones()
        .flat_map(|(f, z)| z.dead_zones.iter().map(move |d| (f, d)))
        .collect();
    if !dead.is_empty() {
        s += &format!("\ndead zones ({}):\n", dead.len());
        for (floor, d) in dead {
            s += &format!(
                "  {floor} {}: {} fails over {:.1} m² at ({:.1}, {:.1}) m, worst {} {}, {} {} short, nearest AP {}\n",
                d.zone,
                d.criterion.name(),
                d.area_m2,
                d.centroid_m.x,
                d.centroid_m.y,
                dbm(d.worst),
                d.criterion.unit(d.worst),
                // NaN when nothing was heard for the criterion at all (no second radio).
                dbm(d.shortfall),
                d.criterion.margin_unit(d.shortfall),
                d.nearest_radio.as_deref().unwrap_or("–")
            );
        }
    }
    let at_risk: Vec<_> = check
        .zones()
        .flat_map(|(f, z)| z.at_risk.iter().map(move |d| (f, d)))
        .collect();
    if !at_risk.is_empty() {
        s += &format!(
            "\nat risk ({}, passing on the map but failing at least 20 % likely; not in verdicts):\n",
            at_risk.len()
        );
        for (floor, d) in at_risk {
            s += &format!(
                "  {floor} {}: {} may fail over {:.1} m² at ({:.1}, {:.1}) m, worst {} {}, up to {:.0} % likely, nearest AP {}\n",
                d.zone,
                d.criterion.name(),
                d.area_m2,
                d.centroid_m.x,
                d.centroid_m.y,
                dbm(d.worst),
                d.criterion.unit(d.worst),
                100.0 * d.fail_probability,
                d.nearest_radio.as_deref().unwrap_or("–")
            );
        }
    }
    let (n, fail, nodata) = (
        check.zones().count(),
        check
            .zones()
            .filter(|z| z.1.verdict == Verdict::Fail)
            .count(),
        check
            .zones()
            .filter(|z| z.1.verdict == Verdict::NotEnoughData)
            .count(),
    );
    s += &format!(
        "\n{}: {} pass, {fail} fail, {nodata} not enough data\n",
        count(n, "zone", "zones"),
        n - fail - nodata
    );
    if !check.failed.is_empty() {
        s += &format!(
            "{} could not be processed:\n",
            count(check.failed.len(), "floor", "floors")
        );
        for (id, e) in &check.failed {
            s += &format!("  {id}: {e}\n");
        }
    }
    s
}

pub fn json_report(loaded: &pipeline::Loaded, check: &SiteCheck) -> serde_json::Value {
    site_check_json(&loaded.site, check)
}

/// The check JSON of `site` ([`check_json`] with [`with_pixels`] from the manifest's plans).
pub fn site_check_json(site: &wisp_ingest::Site, check: &SiteCheck) -> serde_json::Value {
    let mut v = check_json(&site.name, check);
    with_pixels(&mut v, &|id| site.floor(id).map(|f| f.floor.calibration));
    v
}

/// Adds each dead zone's centroid in plan pixels (`centroid_px`, as a surveyor clicks the plan)
/// beside its `centroid_m`, from the floor's calibration (`calibration(floor id)`).
pub fn with_pixels(
    v: &mut serde_json::Value,
    calibration: &dyn Fn(&str) -> Option<wisp_model::PlanCalibration>,
) {
    let Some(floors) = v["floors"].as_array_mut() else {
        return;
    };
    for f in floors {
        let Some(cal) = f["id"].as_str().and_then(calibration) else {
            continue;
        };
        let Some(zones) = f["zones"].as_array_mut() else {
            continue;
        };
        for z in zones {
            for key in ["dead_zones", "at_risk"] {
                let Some(regions) = z[key].as_array_mut() else {
                    continue;
                };
                for d in regions {
                    let (Some(x), Some(y)) =
                        (d["centroid_m"]["x"].as_f64(), d["centroid_m"]["y"].as_f64())
                    else {
                        continue;
                    };
                    let px = cal.to_pixels(wisp_model::Point::new(x, y));
                    d["centroid_px"] = json!({"x": px.x, "y": px.y});
                }
            }
        }
    }
}

/// The check document (`wisp check --json`, the demo's `check.json`, `wisp merge`'s check JSON):
/// one serde type, for writing and for reading. Written through [`check_json`], whose
/// `serde_json::Value` keeps every object's keys in sorted order.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CheckDocument {
    pub site: String,
    pub floors: Vec<CheckedFloor>,
    /// The exit code `wisp check` gives for this check ([`SiteCheck::exit_code`]).
    pub exit_code: i32,
    /// Floors that could not be processed; absent when every floor was.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed_floors: Vec<FailedFloor>,
}

/// One judged floor of a [`CheckDocument`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct CheckedFloor {
    pub id: String,
    /// The interpolation method used, and why.
    pub interpolation: String,
    /// Secondary and tertiary signal are approximate: the survey has unidentified radios (two
    /// of which may be one AP). Absent from documents written before it existed: false.
    #[serde(default)]
    pub ranks_approximate: bool,
    pub zones: Vec<ZoneResult>,
}

/// A floor of a [`CheckDocument`] that could not be processed, and why.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FailedFloor {
    pub id: String,
    pub error: String,
    pub exit_code: i32,
}

impl CheckDocument {
    pub fn of(site: &str, check: &SiteCheck) -> CheckDocument {
        CheckDocument {
            site: site.to_string(),
            floors: check
                .floors
                .iter()
                .map(|(id, a)| CheckedFloor {
                    id: id.clone(),
                    interpolation: a.method.clone(),
                    ranks_approximate: a.ranks_approximate,
                    zones: a.zones.clone(),
                })
                .collect(),
            exit_code: check.exit_code() as i32,
            failed_floors: check
                .failed
                .iter()
                .map(|(id, e)| FailedFloor {
                    id: id.clone(),
                    error: e.to_string(),
                    exit_code: e.exit_code() as i32,
                })
                .collect(),
        }
    }
}

/// The check as JSON for scripts ([`CheckDocument`]): zones per floor, failed floors with their
/// error, exit code.
pub fn check_json(site: &str, check: &SiteCheck) -> serde_json::Value {
    serde_json::to_value(CheckDocument::of(site, check)).unwrap_or_default()
}

pub fn zone_csv(check: &SiteCheck) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "floor",
        "zone",
        "kind",
        "profile",
        "area_m2",
        "surveyed_share",
        "pass_share",
        "primary_p5_dbm",
        "primary_worst_dbm",
        "dead_zones",
        "dead_area_m2",
        "at_risk_regions",
        "at_risk_area_m2",
        "verdict",
    ]);
    for (floor, z) in check.zones() {
        let p = z
            .criteria
            .iter()
            .find(|c| c.criterion == Criterion::Primary);
        let _ = w.write_record([
            floor.to_string(),
            z.zone.clone(),
            z.kind.to_string(),
            z.profile.clone(),
            format!("{:.2}", z.area_m2),
            format!("{:.4}", z.surveyed_share),
            format!("{:.4}", z.pass_share),
            p.map_or(String::new(), |p| dbm(p.p5)),
            p.map_or(String::new(), |p| dbm(p.worst)),
            z.dead_zones.len().to_string(),
            format!("{:.2}", z.dead_area_m2),
            z.at_risk.len().to_string(),
            // Folded from +0: an empty f64 sum is −0, which would print as "-0.00".
            format!("{:.2}", z.at_risk.iter().fold(0.0, |a, d| a + d.area_m2)),
            z.verdict.name().to_string(),
        ]);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// Dead zones and at-risk regions as GeoJSON polygons in plan metres, one Feature each, told
/// apart by the property `"confidence"`: `"dead"` or `"at-risk"`.
pub fn geojson(check: &SiteCheck) -> serde_json::Value {
    features(check, &|_, p| [p.x, p.y])
}

/// Dead zones as GeoJSON in WGS84 ([longitude, latitude], RFC 7946), through each floor's
/// `georef`; an error names the first floor with dead zones and no georef.
pub fn geojson_wgs84(
    site: &wisp_ingest::Site,
    check: &SiteCheck,
) -> Result<serde_json::Value, Error> {
    for (floor, z) in check.zones() {
        if !(z.dead_zones.is_empty() && z.at_risk.is_empty())
            && site.floor(floor).is_none_or(|f| f.georef.is_none())
        {
            return Err(Error::input(format!(
                "{}: floor '{floor}' has no georef, so --wgs84 cannot place its dead zones (add georef = [{{ at = [x, y], lat = .., lon = .. }}, ...])",
                site.manifest_path.display()
            )));
        }
    }
    Ok(features(
        check,
        &|floor, p| match site.floor(floor).and_then(|f| f.georef.as_ref()) {
            Some(g) => {
                let (lat, lon) = g.to_wgs84(p);
                [lon, lat]
            }
            None => [p.x, p.y],
        },
    ))
}

fn features(
    check: &SiteCheck,
    coords: &dyn Fn(&str, wisp_model::Point) -> [f64; 2],
) -> serde_json::Value {
    let features: Vec<_> = check
        .zones()
        .flat_map(|(floor, z)| {
            z.dead_zones
                .iter()
                .chain(&z.at_risk)
                .map(move |d| (floor, d))
        })
        .map(|(floor, d)| {
            let mut ring: Vec<[f64; 2]> = d.outline_m.iter().map(|p| coords(floor, *p)).collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            json!({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"floor": floor, "zone": d.zone, "area_m2": d.area_m2, "criterion": d.criterion.name(), "worst": d.worst, "confidence": d.confidence.name(), "fail_probability": d.fail_probability},
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_coverage::{Confidence, CriterionResult, DeadZone};
    use wisp_model::Point;

    fn region(zone: &str, confidence: Confidence, x: f64, p: f64) -> DeadZone {
        DeadZone {
            zone: zone.into(),
            criterion: Criterion::Primary,
            confidence,
            fail_probability: p,
            area_m2: 2.5,
            centroid_m: Point::new(x + 0.5, 0.5),
            worst: -63.0,
            shortfall: -2.0,
            nearest_radio: Some("AP-1".into()),
            outline_m: vec![
                Point::new(x, 0.0),
                Point::new(x + 1.0, 0.0),
                Point::new(x + 1.0, 1.0),
            ],
        }
    }

    /// One floor: a failing bay with a dead zone, and a passing bay with an at-risk region.
    fn check() -> SiteCheck {
        let zone = |name: &str, dead: Vec<DeadZone>, at_risk: Vec<DeadZone>| ZoneResult {
            zone: name.into(),
            kind: wisp_model::ZoneKind::Bay,
            profile: "nhs-minimum".into(),
            area_m2: 20.0,
            surveyed_share: 1.0,
            pass_share: 0.9,
            criteria: vec![CriterionResult {
                criterion: Criterion::Primary,
                threshold: -65.0,
                pass_share: 0.9,
                worst: -70.0,
                p5: -68.0,
                median: -55.0,
            }],
            dead_area_m2: dead.iter().fold(0.0, |a, d| a + d.area_m2),
            verdict: if dead.is_empty() {
                Verdict::Pass
            } else {
                Verdict::Fail
            },
            dead_zones: dead,
            at_risk,
        };
        let zones = vec![
            zone(
                "Bay A",
                vec![region("Bay A", Confidence::Dead, 0.0, 0.9)],
                vec![],
            ),
            zone(
                "Bay B",
                vec![],
                vec![region("Bay B", Confidence::AtRisk, 5.0, 0.3)],
            ),
        ];
        SiteCheck {
            floors: vec![(
                "G".into(),
                FloorAnalysis::without_layers(zones, "model".into()),
            )],
            failed: vec![],
        }
    }

    #[test]
    fn at_risk_regions_are_reported_apart_and_never_fail_a_zone() {
        let c = check();
        assert_eq!(c.exit_code(), ExitCode::ZoneFails);
        let t = table(&c);
        // The floor's map names its method.
        assert!(t.contains("map: floor G: model\n"), "{t}");
        assert!(
            t.contains("dead zones (1):\n  G Bay A: primary fails"),
            "{t}"
        );
        assert!(t.contains("at risk (1, "), "{t}");
        assert!(
            t.contains("G Bay B: primary may fail over 2.5 m² at (5.5, 0.5) m, worst -63 dBm, up to 30 % likely"),
            "{t}"
        );
        assert!(t.contains("2 zones: 1 pass, 1 fail"), "{t}");

        let csv = zone_csv(&c);
        let rows: Vec<&str> = csv.lines().collect();
        assert!(
            rows[0].ends_with("dead_zones,dead_area_m2,at_risk_regions,at_risk_area_m2,verdict")
        );
        assert!(rows[1].ends_with(",1,2.50,0,0.00,FAIL"), "{}", rows[1]);
        assert!(rows[2].ends_with(",0,0.00,1,2.50,pass"), "{}", rows[2]);

        let j = check_json("S", &c);
        let zones = &j["floors"][0]["zones"];
        assert_eq!(zones[0]["dead_zones"][0]["confidence"], "dead");
        assert_eq!(zones[1]["at_risk"][0]["confidence"], "at-risk");
        assert_eq!(zones[1]["verdict"], "pass");

        let g = geojson(&c);
        let props: Vec<(&str, &str)> = g["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["properties"]["zone"].as_str().unwrap(),
                    f["properties"]["confidence"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(props, vec![("Bay A", "dead"), ("Bay B", "at-risk")]);
    }

    #[test]
    fn the_check_document_reads_back_what_it_wrote() {
        let mut c = check();
        c.floors[0].1.ranks_approximate = true;
        c.failed
            .push(("B1".into(), Error::input("plan 'b1.png': no such file")));
        let text = serde_json::to_string_pretty(&check_json("S", &c)).unwrap();
        let back: CheckDocument = serde_json::from_str(&text).unwrap();
        assert_eq!(back.site, "S");
        assert_eq!(back.exit_code, c.exit_code() as i32);
        assert_eq!(back.exit_code, 2);
        assert!(back.floors[0].ranks_approximate);
        assert_eq!(back.floors[0].interpolation, "model");
        assert_eq!(back.floors[0].zones, c.floors[0].1.zones);
        assert_eq!(back.failed_floors.len(), 1);
        assert_eq!(back.failed_floors[0].id, "B1");
        assert!(back.failed_floors[0].error.contains("b1.png"));
        // Written again, the same bytes: the type is the whole format.
        let again = serde_json::to_string_pretty(&serde_json::to_value(&back).unwrap()).unwrap();
        assert_eq!(again, text);
        // Keys sorted, as `wisp check --json` has always written them.
        let top: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("  \""))
            .map(|l| l.trim().split('"').nth(1).unwrap())
            .collect();
        assert_eq!(top, ["exit_code", "failed_floors", "floors", "site"]);
    }
}
