//! `wisp plan`: where to add access points so every zone meets its profile, with a channel plan,
//! a bill of materials and an APs file `wisp simulate --aps` can walk.

use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_plan::PlanOptions;
use wisp_site::pipeline;
use wisp_site::plan::{aps_toml, bom_csv, plan_floors, summary, FloorPlanning};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: crate::args::SiteArgs,
    /// Only this floor (default: every floor).
    #[arg(long)]
    floor: Option<String>,
    /// Hold every zone to this profile instead of its own.
    #[arg(long)]
    profile: Option<String>,
    /// At most this many new APs per floor.
    #[arg(long)]
    max_aps: Option<usize>,
    /// Minimum distance between APs, metres (default 6, an estimate).
    #[arg(long, default_value_t = 6.0)]
    min_distance: f64,
    /// Share of each zone that must meet its primary threshold (default 0.99, Hamina's
    /// auto-planner target).
    #[arg(long, default_value_t = 0.99)]
    primary_share: f64,
    /// Share of each zone that must meet its secondary threshold (default 0.95: Hamina aims at
    /// 0.85; clinical roaming needs a second AP nearly everywhere, an estimate).
    #[arg(long, default_value_t = 0.95)]
    secondary_share: f64,
    /// Design margin, dB: the model's signals (new APs; existing ones where nobody measured) are
    /// lowered by it. Default: --margin-share of the calibration's residual RMSE.
    #[arg(long)]
    margin: Option<f64>,
    /// The design margin as a share of the calibration's residual RMSE (default 0.5, the best
    /// of those tried on the truth harness; see the README, "Planning against the truth").
    #[arg(long, default_value_t = 0.5)]
    margin_share: f64,
    /// What one new AP costs, in weighted m² of zone short of its target (clinical zones weigh
    /// 3, offices and waiting areas 2, the rest 1): an AP that would close less is not added
    /// and what is left is reported as hard to reach (default 4, an estimate).
    #[arg(long, default_value_t = 4.0)]
    ap_cost: f64,
    /// Spacing of candidate mounting points, metres.
    #[arg(long, default_value_t = 1.0)]
    spacing: f64,
    /// A zone (by name) where no AP may be mounted; repeat for more. Imaging, plant,
    /// stairs-lift and outdoor zones, and zones the manifest marks `no_ap = true`, are always
    /// excluded.
    #[arg(long = "no-ap-zone")]
    no_ap_zone: Vec<String>,
    /// Mount new APs only at these points: CSV `x,y` in plan pixels (an optional header row
    /// naming x and y), applied to every floor planned; points outside a floor's outline, in an
    /// excluded zone or too near an existing AP are dropped.
    #[arg(long)]
    allowed_points: Option<PathBuf>,
    /// Fit the wall materials' losses in the calibration (as `wisp calibrate --fit-walls`) and
    /// plan with them.
    #[arg(long)]
    fit_walls: bool,
    /// Suggest a transmit power per new AP: each is lowered in 1 dB steps (to 5 dBm at
    /// least) while every zone meeting its target with the margin still does.
    #[arg(long)]
    suggest_tx_power: bool,
    /// Seed of the local search: the same seed gives the same plan.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where to write the plan (JSON).
    #[arg(long)]
    out: PathBuf,
    /// Also write a bill of materials (CSV: item, quantity, notes).
    #[arg(long)]
    bom: Option<PathBuf>,
    /// Also write the existing and new APs (planned channels) as `[[aps]]` TOML for
    /// `wisp simulate --aps`.
    #[arg(long)]
    aps_out: Option<PathBuf>,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let mut loaded = pipeline::load(&a.input.site, a.input.survey.as_deref())?;
    a.filters.filters().apply(&mut loaded.survey);
    let site = &loaded.site;
    let profiles = pipeline::all_profiles(site);
    if let Some(p) = &a.profile {
        if !profiles.iter().any(|x| &x.name == p) {
            return Err(CliError::input(format!(
                "unknown profile '{p}' (known: {})",
                profiles
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    if !(a.min_distance.is_finite() && a.min_distance >= 0.0) {
        return Err(CliError::input("--min-distance must be a number ≥ 0"));
    }
    if !(a.spacing.is_finite() && a.spacing >= 0.25) {
        return Err(CliError::input("--spacing must be at least 0.25 m"));
    }
    if a.margin.is_some_and(|m| !m.is_finite()) {
        return Err(CliError::input("--margin must be a number"));
    }
    if !(a.margin_share.is_finite() && a.margin_share >= 0.0) {
        return Err(CliError::input("--margin-share must be a number ≥ 0"));
    }
    if !(a.ap_cost.is_finite() && a.ap_cost >= 0.0) {
        return Err(CliError::input("--ap-cost must be a number ≥ 0"));
    }
    for (name, v) in [
        ("--primary-share", a.primary_share),
        ("--secondary-share", a.secondary_share),
    ] {
        if !(0.0..=1.0).contains(&v) {
            return Err(CliError::input(format!("{name} must be from 0 to 1")));
        }
    }
    let floors: Vec<&wisp_ingest::SiteFloor> = match &a.floor {
        Some(id) => vec![pipeline::pick_floor(site, Some(id))?],
        None => site.floors.iter().collect(),
    };
    let mut opts = PlanOptions {
        min_distance_m: a.min_distance,
        max_new_aps: a.max_aps,
        ..Default::default()
    };
    opts.targets.primary_share = a.primary_share;
    opts.targets.secondary_share = a.secondary_share;
    opts.margin_db = a.margin;
    opts.margin_sigma_share = a.margin_share;
    opts.ap_cost_m2 = a.ap_cost;
    opts.candidates.spacing_m = a.spacing;
    opts.candidates.excluded_zones = a.no_ap_zone.clone();
    opts.search.seed = a.seed;
    opts.suggest_tx_power = a.suggest_tx_power;
    let allowed_px = match &a.allowed_points {
        Some(path) => Some(wisp_ingest::points::load_points(path).map_err(CliError::input)?),
        None => None,
    };
    let how = FloorPlanning {
        fit_walls: a.fit_walls,
        allowed_px: allowed_px.as_deref(),
    };
    let planned = plan_floors(&loaded, &floors, a.profile.as_deref(), &opts, &how)?;
    for note in &planned.notes {
        eprintln!("wisp: {note}");
    }
    let plans = &planned.floors;
    super::write_output(&a.out, planned.to_json().as_bytes())?;
    if let Some(path) = &a.bom {
        super::write_output(path, bom_csv(plans)?.as_bytes())?;
    }
    if let Some(path) = &a.aps_out {
        super::write_output(path, aps_toml(plans).as_bytes())?;
    }
    print!("{}", summary(plans));
    println!("wrote {}", a.out.display());
    Ok(ExitCode::Ok)
}
