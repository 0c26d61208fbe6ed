use crate::progress::{print_reports, Bars};
use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_site::check::{
    geojson, geojson_wgs84, site_check_json, table, zone_counts, zone_csv, SiteCheck,
};
use wisp_site::pipeline::{self, RunOptions, Shard};
use wisp_site::report::{FloorPart, SiteFacts};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: crate::args::SiteArgs,
    /// Print JSON for scripts instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write the zone table as CSV here.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// Also write the dead zones as GeoJSON (plan metres) here.
    #[arg(long)]
    geojson: Option<PathBuf>,
    /// GeoJSON in WGS84 longitude/latitude instead of plan metres (needs each floor's `georef`).
    #[arg(long, requires = "geojson")]
    wgs84: bool,
    /// Only the floors of shard I of N: those whose manifest index (from 0) mod N is I − 1.
    #[arg(long, value_name = "I/N")]
    shard: Option<Shard>,
    /// With --shard: write the shard's bundle (zone results per floor) to this folder, for
    /// `wisp merge`.
    #[arg(long, requires = "shard", value_name = "DIR")]
    out: Option<PathBuf>,
    /// No progress bars or per-floor summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    filters: crate::args::FilterArgs,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let site = pipeline::load_site(&a.input.site)?;
    let survey = match &a.input.survey {
        Some(p) => Some(pipeline::read_survey(&site, p)?),
        None => None,
    };
    let opts = RunOptions {
        shard: a.shard,
        filters: a.filters.filters(),
    };
    crate::progress::note_if_every_ssid_counts(&site, a.quiet);
    let bars = Bars::new(a.quiet);
    let outcomes =
        pipeline::analyse_site_with(&site, survey.as_ref(), &opts, &bars, |_, mut an| {
            an.layers = None; // only the zone results are kept
            Ok(an)
        });
    if !a.json && !a.quiet {
        for o in &outcomes {
            print_reports(&o.reports);
        }
    }
    bars.print_floor_summary(&outcomes, a.quiet, |an| zone_counts(&an.zones));
    if let (Some(dir), Some(shard)) = (&a.out, a.shard) {
        let parts: Vec<_> = outcomes
            .iter()
            .map(|o| FloorPart::of_check(&site, o))
            .collect();
        let facts = SiteFacts::of(&site, &outcomes);
        wisp_site::bundle::write_bundle(dir, &facts, &parts, shard)?;
        if !a.quiet {
            eprintln!("wrote shard {shard} bundle {}", dir.display());
        }
    }
    let check = SiteCheck::from_outcomes(outcomes);
    if let Some(path) = &a.csv {
        super::write_output(path, zone_csv(&check).as_bytes())?;
    }
    if let Some(path) = &a.geojson {
        let doc = if a.wgs84 {
            geojson_wgs84(&site, &check)?
        } else {
            geojson(&check)
        };
        super::write_output(path, doc.to_string().as_bytes())?;
    }
    if a.json {
        let v = site_check_json(&site, &check);
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", table(&check));
    }
    Ok(check.exit_code())
}
