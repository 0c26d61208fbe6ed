use crate::pipeline::{self, FloorAnalysis};
use crate::{CliError, ExitCode};
use serde_json::json;
use std::path::PathBuf;
use wisp_coverage::{Criterion, Verdict, ZoneResult};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The site (site.toml or its folder).
    site: PathBuf,
    /// A survey JSON from `wisp ingest`; default: read the manifest's captures.
    #[arg(long)]
    survey: Option<PathBuf>,
    /// Print JSON for scripts instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the zone table as CSV here.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write the dead zones as GeoJSON (plan metres) here.
    #[arg(long)]
    geojson: Option<PathBuf>,
}

/// Every floor's analysis, in manifest order.
pub struct SiteCheck {
    pub floors: Vec<(String, FloorAnalysis)>,
}

impl SiteCheck {
    pub fn zones(&self) -> impl Iterator<Item = (&str, &ZoneResult)> {
        self.floors
            .iter()
            .flat_map(|(id, a)| a.zones.iter().map(move |z| (id.as_str(), z)))
    }

    /// 1 if any zone fails, else 3 if any lacks data, else 0.
    pub fn exit_code(&self) -> ExitCode {
        if self.zones().any(|(_, z)| z.verdict == Verdict::Fail) {
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

pub fn check_site(loaded: &pipeline::Loaded) -> Result<SiteCheck, CliError> {
    let mut floors = Vec::new();
    for f in &loaded.site.floors {
        let a = pipeline::analyse(
            &loaded.site,
            f,
            pipeline::samples_of(&loaded.survey, &f.floor.id),
        )?;
        floors.push((f.floor.id.clone(), a));
    }
    Ok(SiteCheck { floors })
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let loaded = pipeline::load(&a.site, a.survey.as_deref())?;
    if !a.json {
        pipeline::print_reports(&loaded.reports);
    }
    let check = check_site(&loaded)?;
    if let Some(path) = &a.csv {
        super::write_output(path, zone_csv(&check).as_bytes())?;
    }
    if let Some(path) = &a.geojson {
        super::write_output(path, geojson(&check).to_string().as_bytes())?;
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json_report(&loaded, &check)).unwrap_or_default()
        );
    } else {
        print!("{}", table(&check));
    }
    Ok(check.exit_code())
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

/// The zone table for people, then the dead zones.
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
        let dead: f64 = z
            .dead_zones
            .iter()
            .filter(|d| d.criterion == Criterion::Primary)
            .map(|d| d.area_m2)
            .sum();
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
    let dead: Vec<_> = check
        .zones()
        .flat_map(|(f, z)| z.dead_zones.iter().map(move |d| (f, d)))
        .collect();
    if !dead.is_empty() {
        s += &format!("\ndead zones ({}):\n", dead.len());
        for (floor, d) in dead {
            s += &format!(
                "  {floor} {}: {} fails over {:.1} m² at ({:.1}, {:.1}) m, worst {} {}, {:.0} {} short, nearest AP {}\n",
                d.zone,
                d.criterion.name(),
                d.area_m2,
                d.centroid_m.x,
                d.centroid_m.y,
                dbm(d.worst),
                d.criterion.unit(),
                d.shortfall,
                d.criterion.margin_unit(),
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
        "\n{n} zones: {} pass, {fail} fail, {nodata} not enough data\n",
        n - fail - nodata
    );
    s
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).chain(std::iter::once('…')).collect()
    }
}

pub fn json_report(loaded: &pipeline::Loaded, check: &SiteCheck) -> serde_json::Value {
    json!({
        "site": loaded.site.name,
        "floors": check.floors.iter().map(|(id, a)| json!({"id": id, "zones": a.zones})).collect::<Vec<_>>(),
        "exit_code": check.exit_code() as i32,
    })
}

fn zone_csv(check: &SiteCheck) -> String {
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
            z.verdict.name().to_string(),
        ]);
    }
    String::from_utf8_lossy(&w.into_inner().unwrap_or_default()).into_owned()
}

/// Dead zones as GeoJSON polygons in plan metres, one Feature each.
pub fn geojson(check: &SiteCheck) -> serde_json::Value {
    let features: Vec<_> = check
        .zones()
        .flat_map(|(floor, z)| z.dead_zones.iter().map(move |d| (floor, d)))
        .map(|(floor, d)| {
            let mut ring: Vec<[f64; 2]> = d.outline_m.iter().map(|p| [p.x, p.y]).collect();
            if let Some(first) = ring.first().copied() {
                ring.push(first);
            }
            json!({
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"floor": floor, "zone": d.zone, "area_m2": d.area_m2, "criterion": d.criterion.name(), "worst": d.worst},
            })
        })
        .collect();
    json!({"type": "FeatureCollection", "features": features})
}
