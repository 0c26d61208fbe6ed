//! Pictures kept on disk between a floor's analysis and its page being drawn.
//!
//! A report over hundreds of floors makes each floor's PNGs (heatmaps, dead-zone close-ups,
//! plan maps) while the floor's layers exist, but draws them only when the PDF is made, after
//! every floor. Held in memory they grew the run by about 1.3 MB a floor (a heap profile of
//! session 8). A [`PngSpool`] is one temporary file the PNGs are appended to; a [`SharedPng`]
//! becomes a handle (offset, length) read back when its page is drawn.

use crate::{RenderError, RenderErrorKind};
use std::borrow::Cow;
use std::fmt;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// An encoded PNG: in memory, shared rather than copied (a floor's pictures go into its report
/// part, the PDF's floors and their extras without their bytes being held twice), or stored
/// in a [`PngSpool`] and read back when needed.
#[derive(Clone)]
pub struct SharedPng(Source);

#[derive(Clone)]
enum Source {
    Memory(Arc<[u8]>),
    Spooled {
        spool: Arc<PngSpool>,
        offset: u64,
        len: usize,
    },
}

impl SharedPng {
    /// The PNG's bytes: borrowed when in memory, read from the spool otherwise.
    pub fn bytes(&self) -> Result<Cow<'_, [u8]>, RenderError> {
        match &self.0 {
            Source::Memory(bytes) => Ok(Cow::Borrowed(bytes)),
            Source::Spooled { spool, offset, len } => spool.read(*offset, *len).map(Cow::Owned),
        }
    }

    /// Its length in bytes.
    pub fn len(&self) -> usize {
        match &self.0 {
            Source::Memory(bytes) => bytes.len(),
            Source::Spooled { len, .. } => *len,
        }
    }

    /// Whether it has no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same PNG stored in `spool` (a PNG already spooled stays where it is).
    pub fn spooled(&self, spool: &Arc<PngSpool>) -> Result<SharedPng, RenderError> {
        match &self.0 {
            Source::Memory(bytes) => spool.store(bytes),
            Source::Spooled { .. } => Ok(self.clone()),
        }
    }
}

impl From<Vec<u8>> for SharedPng {
    fn from(bytes: Vec<u8>) -> Self {
        SharedPng(Source::Memory(bytes.into()))
    }
}

impl From<&[u8]> for SharedPng {
    fn from(bytes: &[u8]) -> Self {
        SharedPng(Source::Memory(bytes.into()))
    }
}

impl<const N: usize> From<[u8; N]> for SharedPng {
    fn from(bytes: [u8; N]) -> Self {
        SharedPng(Source::Memory(bytes[..].into()))
    }
}

impl From<Arc<[u8]>> for SharedPng {
    fn from(bytes: Arc<[u8]>) -> Self {
        SharedPng(Source::Memory(bytes))
    }
}

impl fmt::Debug for SharedPng {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::Memory(bytes) => write!(f, "SharedPng({} bytes)", bytes.len()),
            Source::Spooled { offset, len, .. } => {
                write!(f, "SharedPng({len} bytes spooled at {offset})")
            }
        }
    }
}

/// Two PNGs are equal when their bytes are (a spooled one that cannot be read equals nothing).
impl PartialEq for SharedPng {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len()
            && matches!((self.bytes(), other.bytes()), (Ok(a), Ok(b)) if a == b)
    }
}

/// A temporary file PNGs are appended to, shared by the threads that make them. The file has
/// no name (`tempfile::tempfile_in`): the operating system removes it when the last handle
/// closes, after the report or on any error or crash.
#[derive(Debug)]
pub struct PngSpool {
    /// The file and its length so far.
    file: Mutex<(std::fs::File, u64)>,
}

impl PngSpool {
    /// A new, empty spool in `dir` (typically the output's folder, which has room for the
    /// output and so for its pictures).
    pub fn new_in(dir: &Path) -> Result<Arc<PngSpool>, RenderError> {
        let file = tempfile::tempfile_in(dir).map_err(|e| spool_error(dir, e))?;
        Ok(Arc::new(PngSpool {
            file: Mutex::new((file, 0)),
        }))
    }

    /// Appends `png` and returns its handle.
    pub fn store(self: &Arc<Self>, png: &[u8]) -> Result<SharedPng, RenderError> {
        let mut guard = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let (file, end) = &mut *guard;
        let offset = *end;
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.write_all(png))
            .map_err(|e| spool_error(Path::new("the picture spool"), e))?;
        *end += png.len() as u64;
        Ok(SharedPng(Source::Spooled {
            spool: Arc::clone(self),
            offset,
            len: png.len(),
        }))
    }

    fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>, RenderError> {
        let mut guard = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let (file, _) = &mut *guard;
        let mut bytes = vec![0; len];
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_exact(&mut bytes))
            .map_err(|e| spool_error(Path::new("the picture spool"), e))?;
        Ok(bytes)
    }
}

fn spool_error(path: &Path, source: std::io::Error) -> RenderError {
    RenderErrorKind::Write {
        path: path.to_path_buf(),
        source,
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spooled_pngs_read_back_as_stored_and_equal_their_memory_copies() {
        let dir = tempfile::tempdir().unwrap();
        let spool = PngSpool::new_in(dir.path()).unwrap();
        let pictures: Vec<Vec<u8>> = (0..5u8)
            .map(|i| {
                (0..(100 + 37 * i as usize))
                    .map(|k| (k as u8) ^ i)
                    .collect()
            })
            .collect();
        let memory: Vec<SharedPng> = pictures.iter().map(|p| p.clone().into()).collect();
        let spooled: Vec<SharedPng> = memory.iter().map(|p| p.spooled(&spool).unwrap()).collect();
        for ((p, m), s) in pictures.iter().zip(&memory).zip(&spooled) {
            assert_eq!(&*s.bytes().unwrap(), &p[..]);
            assert_eq!(s.len(), p.len());
            assert_eq!(m, s);
            // Spooling a spooled picture does not store it again.
            assert_eq!(
                format!("{:?}", s.spooled(&spool).unwrap()),
                format!("{s:?}")
            );
        }
        assert_ne!(spooled[0], spooled[1]);
        // The spool is a file with no name: the folder stays empty.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
