//! The only way this crate puts bytes on disk.

use crate::{RenderError, RenderErrorKind};
use std::io::{Seek, Write};
use std::path::Path;

/// A writer that can also seek: what [`write_atomic_with`] hands its closure, so a format whose
/// header points forward (a TIFF's first directory, written after the pixels) can be streamed to
/// the file rather than built in memory first.
pub trait WriteSeek: Write + Seek {}

impl<T: Write + Seek + ?Sized> WriteSeek for T {}

/// Writes `bytes` to `path` so that a reader, or a run cut short, sees the old file or the new
/// one, never a torn mixture.
///
/// The bytes go to a temporary file in the same directory (a rename is only atomic within one
/// file system), which is flushed to disk and then renamed over `path`; the directory is synced
/// afterwards so the rename itself survives a power cut. On failure the temporary file is
/// removed and `path` is untouched. New files get the permissions `std::fs::write` would give
/// (0666 less the umask), not the owner-only mode of a temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), RenderError> {
    write_atomic_with(path, |out| {
        out.write_all(bytes).map_err(|source| {
            RenderErrorKind::Write {
                path: path.to_path_buf(),
                source,
            }
            .into()
        })
    })
}

/// [`write_atomic`] of what `write` writes, streamed to the temporary file (buffered) rather
/// than held whole in memory; if `write` fails, the temporary file is removed and `path` is
/// untouched. The writer seeks within the temporary file (a seek flushes the buffer first).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn WriteSeek) -> Result<(), RenderError>,
) -> Result<(), RenderError> {
    write_atomic_file(path, |file| {
        let mut buffered = std::io::BufWriter::new(file);
        write(&mut buffered)?;
        buffered.flush().map_err(|source| {
            RenderErrorKind::Write {
                path: path.to_path_buf(),
                source,
            }
            .into()
        })
    })
}

/// [`write_atomic_with`] handing `write` the temporary file itself, for a writer that places
/// parts at their offsets from several threads (`wisp grid`'s GeoTIFF, written as its bands are
/// computed); the file is synced and renamed into place after `write` returns, as always.
pub fn write_atomic_file(
    path: &Path,
    write: impl FnOnce(&std::fs::File) -> Result<(), RenderError>,
) -> Result<(), RenderError> {
    let Some(file_name) = path.file_name() else {
        return Err(RenderErrorKind::NotAFile {
            path: path.to_path_buf(),
        }
        .into());
    };
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let failed = |source: std::io::Error| {
        RenderError::from(RenderErrorKind::Write {
            path: path.to_path_buf(),
            source,
        })
    };

    let mut builder = tempfile::Builder::new();
    // A dot prefix keeps the half-written file out of directory listings and globs.
    let prefix = format!(".{}.", file_name.to_string_lossy());
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir).map_err(failed)?;
    write(temp.as_file())?;
    temp.as_file().sync_all().map_err(failed)?;
    temp.persist(path).map_err(|e| failed(e.error))?;
    #[cfg(unix)]
    {
        // Best effort: some file systems refuse to sync a directory, and the data is already safe.
        if let Ok(dir_handle) = std::fs::File::open(dir) {
            let _ = dir_handle.sync_all();
        }
    }
    Ok(())
}
