use crate::{CliError, ExitCode};
use std::path::{Path, PathBuf};
use wisp_coverage::diff::{diff, difference, SurveyDiff};
use wisp_render::{ColourScale, Palette};
use wisp_site::maps::draw;
use wisp_site::pipeline::{self, Loaded};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The earlier survey: a survey JSON (with --site), or a site whose manifest lists its captures.
    before: PathBuf,
    /// The later survey, likewise.
    after: PathBuf,
    /// The site both surveys belong to (needed when BEFORE and AFTER are survey JSON files; else
    /// AFTER's manifest is used).
    #[arg(long)]
    site: Option<PathBuf>,
    /// A cell counts as worse (or better) when its primary signal changed by more than this (dB).
    /// 5 dB: about one shadow-fading σ (shared/reference.md §2), so smaller changes are within
    /// what two walks of the same unchanged floor differ by.
    #[arg(long, default_value_t = 5.0)]
    threshold_db: f64,
    #[arg(long)]
    json: bool,
    /// Write a difference heatmap per floor (after − before) into this folder.
    #[arg(long)]
    heatmap_dir: Option<PathBuf>,
    /// Write a change histogram per floor into this folder as FLOOR-change.svg: the share of
    /// the cells surveyed in both by how much their primary signal changed (after − before),
    /// with ±--threshold-db marked.
    #[arg(long)]
    charts: Option<PathBuf>,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

fn is_survey_json(p: &Path) -> bool {
    p.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

fn load_side(path: &Path, site: Option<&Path>) -> Result<Loaded, CliError> {
    if is_survey_json(path) {
        let site = site.ok_or_else(|| {
            CliError::input(format!(
                "{}: a survey JSON needs --site SITE",
                path.display()
            ))
        })?;
        pipeline::load(site, Some(path))
    } else {
        pipeline::load(path, None)
    }
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    if !a.threshold_db.is_finite() || a.threshold_db < 0.0 {
        return Err(CliError::input(
            "--threshold-db must be a non-negative number",
        ));
    }
    let site_for_after = a
        .site
        .clone()
        .or_else(|| (!is_survey_json(&a.after)).then(|| a.after.clone()));
    let mut before = load_side(&a.before, site_for_after.as_deref())?;
    let mut after = load_side(&a.after, site_for_after.as_deref())?;
    a.filters.filters().apply(&mut before.survey);
    a.filters.filters().apply(&mut after.survey);
    // Both sides are judged on AFTER's site (its zones, walls and profiles).
    let site = &after.site;
    let mut floors: Vec<(String, SurveyDiff)> = Vec::new();
    for sf in &site.floors {
        let id = &sf.floor.id;
        let b = pipeline::analyse(site, sf, pipeline::samples_of(&before.survey, id))?;
        let a_ = pipeline::analyse(site, sf, pipeline::samples_of(&after.survey, id))?;
        let (Some(bl), Some(al)) = (&b.layers, &a_.layers) else {
            return Err(CliError::input(format!(
                "floor '{id}': both surveys need samples on it to compare"
            )));
        };
        let delta = difference(&bl.primary, &bl.surveyed, &al.primary, &al.surveyed);
        let d = diff(&b.zones, &a_.zones, &delta, a.threshold_db);
        if let Some(dir) = &a.heatmap_dir {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::output(format!("{}: {e}", dir.display())))?;
            let scale = ColourScale::difference(Palette::Survey)
                .with_title("Change in primary signal (after − before)");
            let title = format!(
                "{} — {} — change in primary signal",
                site.name, sf.floor.name
            );
            let img = draw(
                sf,
                &delta,
                None,
                &scale,
                &[-a.threshold_db, a.threshold_db],
                &[],
                &[],
                title,
                wisp_render::DEFAULT_OPACITY,
            )?;
            let path = dir.join(format!("diff-{id}.png"));
            super::write_output(&path, &wisp_render::png_bytes(&img)?)?;
            eprintln!("wrote {}", path.display());
        }
        if let Some(dir) = &a.charts {
            let chart = wisp_site::charts::change_chart(&sf.floor.name, &delta, a.threshold_db);
            for path in super::chart::write_charts(dir, id, &[chart])? {
                eprintln!("wrote {}", path.display());
            }
        }
        floors.push((id.clone(), d));
    }
    if a.json {
        let v: Vec<_> = floors
            .iter()
            .map(|(id, d)| serde_json::json!({"floor": id, "diff": d}))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({"site": site.name, "threshold_db": a.threshold_db, "floors": v})
            )
            .unwrap_or_default()
        );
    } else {
        print!("{}", table(&floors, a.threshold_db));
    }
    Ok(ExitCode::Ok)
}

fn signed(v: f64, unit: &str) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:+.1}{unit}")
    }
}

fn table(floors: &[(String, SurveyDiff)], threshold: f64) -> String {
    let mut s = format!(
        "{:<6} {:<28} {:>10} {:>10} {:>10}  {}\n",
        "floor", "zone", "Δ pass", "Δ median", "Δ p5", "verdict before → after"
    );
    for (id, d) in floors {
        for z in &d.zones {
            s += &format!(
                "{:<6} {:<28} {:>10} {:>10} {:>10}  {} → {}\n",
                id,
                z.zone.chars().take(28).collect::<String>(),
                signed(100.0 * z.pass_share, "%"),
                signed(z.median_primary_db, " dB"),
                signed(z.p5_primary_db, " dB"),
                z.verdict_before,
                z.verdict_after
            );
        }
        s += &format!(
            "{id}: {:.1} m² got worse by more than {threshold} dB, {:.1} m² better\n",
            d.worse_area_m2, d.better_area_m2
        );
        for dz in &d.appeared {
            s += &format!(
                "{id}: new dead zone in {} ({}, {:.1} m² at {:.1}, {:.1} m)\n",
                dz.zone,
                dz.criterion.name(),
                dz.area_m2,
                dz.centroid_m.x,
                dz.centroid_m.y
            );
        }
        for dz in &d.disappeared {
            s += &format!(
                "{id}: dead zone gone from {} ({}, {:.1} m²)\n",
                dz.zone,
                dz.criterion.name(),
                dz.area_m2
            );
        }
    }
    s
}
