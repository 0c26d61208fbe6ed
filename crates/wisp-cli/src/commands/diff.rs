//! `wisp diff`: two surveys of one site compared ([`wisp_site::diff`]).

use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_render::{ColourScale, Palette};
use wisp_site::diff::{check_threshold, compare, judging_site, load_side, table, DiffDocument};
use wisp_site::maps::draw;

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

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    check_threshold(a.threshold_db)?;
    let site_for_after = judging_site(&a.after, a.site.as_deref());
    let mut before = load_side(&a.before, site_for_after.as_deref())?;
    let mut after = load_side(&a.after, site_for_after.as_deref())?;
    a.filters.filters().apply(&mut before.survey);
    a.filters.filters().apply(&mut after.survey);
    let floors = compare(&before, &after, a.threshold_db)?;
    let site = &after.site;
    for (sf, change) in site.floors.iter().zip(&floors) {
        let id = &change.id;
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
                &change.delta,
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
            let chart =
                wisp_site::charts::change_chart(&sf.floor.name, &change.delta, a.threshold_db);
            for path in super::chart::write_charts(dir, id, &[chart])? {
                eprintln!("wrote {}", path.display());
            }
        }
    }
    if a.json {
        let doc = DiffDocument::of(&site.name, a.threshold_db, &floors);
        println!(
            "{}",
            serde_json::to_string_pretty(&doc.to_json()).unwrap_or_default()
        );
    } else {
        print!("{}", table(&floors, a.threshold_db));
    }
    Ok(ExitCode::Ok)
}
