//! Arguments several commands share, flattened into each: the site and its survey, which radios
//! to use, paper size.

use std::path::PathBuf;

use wisp_site::pipeline::Filters;

/// The site a command reads, and the survey to read instead of the manifest's captures.
#[derive(Debug, Clone, clap::Args)]
pub struct SiteArgs {
    /// The site (site.toml or its folder).
    pub site: PathBuf,
    /// A survey JSON from `wisp ingest`; default: read the manifest's captures.
    #[arg(long)]
    pub survey: Option<PathBuf>,
}

/// Which radios the layers are built from (all, by default).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FilterArgs {
    /// Only radios broadcasting this SSID (repeatable).
    #[arg(long = "ssid")]
    pub ssids: Vec<String>,
    /// Only radios in this band: 2.4, 5 or 6 (repeatable).
    #[arg(long = "band", value_parser = parse_band)]
    pub bands: Vec<wisp_model::Band>,
    /// Only this BSSID (repeatable; any spelling, compared in lowercase colon form).
    #[arg(long = "bssid", value_parser = parse_bssid)]
    pub bssids: Vec<String>,
}

impl FilterArgs {
    pub fn filters(&self) -> Filters {
        Filters {
            ssids: self.ssids.clone(),
            bands: self.bands.clone(),
            bssids: self.bssids.clone(),
        }
    }
}

fn parse_band(s: &str) -> Result<wisp_model::Band, String> {
    wisp_model::Band::parse(s).map_err(|e| e.to_string())
}

fn parse_bssid(s: &str) -> Result<String, String> {
    s.parse::<wisp_model::Bssid>()
        .map(|b| b.to_string())
        .map_err(|e| e.to_string())
}

/// Paper size of a PDF report.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

impl PaperArg {
    pub fn paper(self) -> wisp_render::Paper {
        match self {
            PaperArg::A4 => wisp_render::Paper::A4,
            PaperArg::Letter => wisp_render::Paper::Letter,
        }
    }
}

/// The report's date: `SOURCE_DATE_EPOCH` when set (reproducible builds), else today (UTC).
pub fn report_date() -> String {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s as f64)
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as f64)
                .unwrap_or(0.0)
        });
    wisp_model::time::format_rfc3339(secs)[..10].to_string()
}
