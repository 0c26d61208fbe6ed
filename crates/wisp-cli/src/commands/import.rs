//! `wisp import project.esx --out DIR`: an Ekahau project as a wisp site folder.

use crate::{CliError, ExitCode};
use std::path::PathBuf;
use wisp_ingest::esx;
use wisp_model::words::count;
use wisp_site::pipeline;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The Ekahau project (.esx).
    esx: PathBuf,
    /// Folder to write the site into (site.toml, plan images, track CSVs); created if needed.
    #[arg(long)]
    out: PathBuf,
    /// Overwrite a site.toml already in the folder.
    #[arg(long)]
    force: bool,
}

pub fn run(a: Args) -> Result<ExitCode, CliError> {
    let imp = esx::import_esx(&a.esx)?;
    let manifest = a.out.join("site.toml");
    if manifest.exists() && !a.force {
        return Err(CliError::input(format!(
            "{} exists; use --force to overwrite it",
            manifest.display()
        )));
    }
    std::fs::create_dir_all(&a.out)
        .map_err(|e| CliError::output(format!("{}: cannot create: {e}", a.out.display())))?;
    // The images and tracks first, the manifest last: a site.toml never names a missing file.
    for (name, bytes) in &imp.files {
        let path = a.out.join(name);
        super::write_output(&path, bytes)?;
        println!("wrote {}", path.display());
    }
    super::write_output(&manifest, imp.site_toml.as_bytes())?;
    let c = &imp.counts;
    println!(
        "wrote {}: {}, {}, {}, {}, {}, {}, {}",
        manifest.display(),
        count(c.floors, "floor", "floors"),
        count(c.walls, "wall segment", "wall segments"),
        count(c.materials, "material", "materials"),
        count(c.zones, "zone", "zones"),
        count(c.profiles, "profile", "profiles"),
        count(c.aps, "access point", "access points"),
        count(c.tracks, "track", "tracks")
    );
    for n in &imp.notes {
        eprintln!("note: {n}");
    }
    if !imp.skipped.is_empty() {
        eprintln!("skipped {}:", count(imp.skipped.total(), "item", "items"));
        for (reason, n, locs) in imp.skipped.iter() {
            eprintln!("    {n} × {reason} (first at {})", locs.join(", "));
        }
    }
    if imp
        .skipped
        .iter()
        .any(|(r, _, _)| r == esx::BINARY_TRACK_SKIP)
    {
        eprintln!(
            "note: the project's measurements are in Ekahau's binary track files, which wisp does not decode (best effort); the survey routes were kept as track CSVs (see the end of site.toml)"
        );
    }
    // What was written must load as any site does.
    pipeline::load_site(&manifest)?;
    Ok(ExitCode::Ok)
}
