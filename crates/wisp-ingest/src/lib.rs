//! Everything that comes in from files: site manifests, plan images and capture files.
//!
//! This crate is the only place that knows about pixels, encodings and file formats. What it
//! hands on is validated and in plan metres: a [`Site`] of [`wisp_model::Floor`]s and a
//! [`wisp_model::Survey`] whose every sample keeps its provenance (`file:line`). Whatever it
//! does not use it counts, by reason, in a [`SkipLog`].
//!
//! One module per subject: [`capture`] (capture formats, detected from content, and what they
//! yield), [`manifest`] (the site manifest and georeferencing), [`esx`] (the Ekahau import),
//! [`plan`] (plan images and the walls found in them), [`placement`] (scans onto the plan, walk
//! tracks, and the checks that refuse a mistaken placement); [`text`] and [`points`] are the
//! text decoding and small CSV tables they share. This file holds only the bounded file reading
//! every subject uses, and the re-exports.
//!
//! It must never write files, print, or exit: the CLI decides what to do with errors and reports.
//! Every read is bounded ([`MAX_CAPTURE_BYTES`], image limits), so hostile input cannot exhaust
//! memory.

pub mod capture;
pub mod crowding;
mod error;
pub mod esx;
pub mod georef;
pub mod manifest;
pub mod placement;
pub mod plan;
pub mod points;
pub mod text;
pub mod track;

pub use capture::{
    capture_name, detect, format_names, parse_capture, parse_capture_file, ParsedCapture, Scan,
    SkipLog, SNIFF_BYTES,
};
pub use error::{file_line, IngestError, IngestErrorKind};
pub use georef::Georef;
pub use manifest::{load_site, CaptureSpec, Site, SiteFloor};
pub use placement::{
    check_track_inside, drop_old_readings, ingest_capture, ingest_floor, place, place_with,
    placement_mistake, skip_reason, time_span, CaptureJob, FileReport, Placement, Referencing,
};
pub use track::Track;

use std::io::Read;
use std::path::Path;

/// Largest manifest or APs file read (bytes): a manifest is hand-written text.
pub const MAX_MANIFEST_BYTES: u64 = 16 << 20;
/// Largest capture file read whole (bytes): the text formats (WiGLE and the long-form CSV
/// stream, but keep the limit). Packet captures stream and `.kismet` logs are read in place,
/// without this limit.
pub const MAX_CAPTURE_BYTES: u64 = 1 << 30;

/// Reads a whole file, refusing one larger than `limit` bytes, and anything that is not a regular
/// file: a folder, a pipe (opening it would wait for a writer) or a device (`/dev/zero` never ends).
pub fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, IngestError> {
    require_file(path)?;
    let f = std::fs::File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut buf = Vec::new();
    read_to_limit(f, &mut buf, limit).map_err(|e| e.at(path))?;
    Ok(buf)
}

/// Appends the rest of `from` to `buf`, refusing to hold more than `limit` bytes in all.
pub(crate) fn read_to_limit(
    from: impl Read,
    buf: &mut Vec<u8>,
    limit: u64,
) -> Result<(), IngestError> {
    let room = (limit + 1).saturating_sub(buf.len() as u64);
    from.take(room)
        .read_to_end(buf)
        .map_err(|e| IngestError::new(IngestErrorKind::Io(e)))?;
    if buf.len() as u64 > limit {
        return Err(IngestError::invalid(format!(
            "file is larger than the {limit}-byte limit"
        )));
    }
    Ok(())
}

/// Refuses a path that is not a regular file (after following links), before anything opens it.
pub fn require_file(path: &Path) -> Result<(), IngestError> {
    let meta = std::fs::metadata(path).map_err(|e| IngestError::io(path, e))?;
    if meta.is_dir() {
        return Err(IngestError::invalid("is a folder, expected a file").at(path));
    }
    if !meta.is_file() {
        return Err(IngestError::invalid(
            "is not a regular file (a pipe, socket or device), expected a file",
        )
        .at(path));
    }
    Ok(())
}

/// Refuses `path` when a symbolic link on its way below `root` (the site folder) leads outside
/// `root`: a plan or capture that is a link to `/etc/passwd` or `../elsewhere.png`. Paths written
/// with `..` in the manifest are the surveyor's own choice and are not links, so they pass; a
/// path that does not exist passes too (reading it reports that).
pub fn check_link_inside(path: &Path, root: &Path) -> Result<(), IngestError> {
    let Ok(rel) = path.strip_prefix(root) else {
        return Ok(());
    };
    let mut at = root.to_path_buf();
    let mut linked = false;
    for c in rel.components() {
        at.push(c);
        if std::fs::symlink_metadata(&at).is_ok_and(|m| m.file_type().is_symlink()) {
            linked = true;
            break;
        }
    }
    if !linked {
        return Ok(());
    }
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let (Ok(target), Ok(root_abs)) = (path.canonicalize(), root.canonicalize()) else {
        // A dangling link: reading it reports the missing target.
        return Ok(());
    };
    if target.starts_with(&root_abs) {
        return Ok(());
    }
    Err(IngestError::new(IngestErrorKind::UnsafePath(format!(
        "is a link leaving the site folder (it leads to {}); copy the file into the site folder",
        target.display()
    )))
    .at(path))
}

#[cfg(test)]
mod tests {
    #[test]
    fn folders_and_devices_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let e = super::read_limited(dir.path(), 100)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a folder, expected a file"), "{e}");
        #[cfg(unix)]
        {
            // /dev/zero never ends; a pipe would block the open.
            let e = super::read_limited(std::path::Path::new("/dev/zero"), 1 << 30)
                .unwrap_err()
                .to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_leaving_the_site_folder_are_refused() {
        use std::os::unix::fs::symlink;
        let top = tempfile::tempdir().unwrap();
        let site = top.path().join("site");
        std::fs::create_dir_all(site.join("sub")).unwrap();
        std::fs::write(top.path().join("outside.png"), b"x").unwrap();
        std::fs::write(site.join("inside.csv"), b"x").unwrap();
        symlink("../outside.png", site.join("plan.png")).unwrap();
        symlink("/etc/passwd", site.join("sub").join("walk.csv")).unwrap();
        symlink("inside.csv", site.join("alias.csv")).unwrap();
        symlink("..", site.join("up")).unwrap();
        for bad in ["plan.png", "sub/walk.csv", "up/outside.png"] {
            let e = super::check_link_inside(&site.join(bad), &site).unwrap_err();
            assert!(
                e.to_string().contains("is a link leaving the site folder"),
                "{bad}: {e}"
            );
        }
        // A link that stays inside, a plain file, a written `..` path and a missing file pass.
        for good in ["alias.csv", "inside.csv", "../outside.png", "missing.csv"] {
            super::check_link_inside(&site.join(good), &site).unwrap();
        }
    }
}
