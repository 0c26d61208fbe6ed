//! A grid as a raster file GIS tools open: ESRI ASCII (`.asc`) and GeoTIFF (`.tif`).
//!
//! Both use `gdal_grid`'s cell convention: row 0 is the top (largest y), the extent is the outer
//! edges of the cells, and NaN (no estimate) is written as the nodata value −9999.

use crate::{RenderError, RenderErrorKind};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::io::{Cursor, Seek, Write};
use tiff::encoder::{colortype::Gray32Float, Compression, TiffEncoder};
use tiff::tags::Tag;
use wisp_model::{Grid, GridGeometry};

/// The nodata value both formats declare for NaN cells.
pub const NODATA: f32 = -9999.0;

/// Rows formatted per rayon task: enough work per task that scheduling costs nothing, and few
/// enough that two threads share a 1000-row grid evenly.
const ROWS_PER_TASK: usize = 16;

/// The grid as an ESRI ASCII grid. Square cells use `cellsize`; others the `dx`/`dy` extension
/// GDAL reads.
///
/// Each value is written as Rust's `Display` writes the `f32` (the shortest text that reads back
/// to the same number, never in exponent form); rows are formatted in parallel and joined in
/// order, so the bytes do not depend on the number of threads.
pub fn esri_ascii(grid: &Grid<f32>) -> Vec<u8> {
    let g = grid.geometry();
    let (dx, dy) = (g.dx(), g.dy().abs());
    let yll = g.origin().y + g.dy() * g.rows() as f64;
    let mut head = format!(
        "ncols {}\nnrows {}\nxllcorner {}\nyllcorner {}\n",
        g.cols(),
        g.rows(),
        g.origin().x,
        yll
    );
    if dx == dy {
        let _ = writeln!(head, "cellsize {dx}");
    } else {
        let _ = writeln!(head, "dx {dx}\ndy {dy}");
    }
    let _ = writeln!(head, "NODATA_value {NODATA}");
    let values = grid.values();
    let cols = g.cols();
    let chunks: Vec<Vec<u8>> = values
        .as_slice()
        .map(|all| {
            all.par_chunks(cols * ROWS_PER_TASK)
                .map(|rows| {
                    let mut out = Vec::with_capacity(rows.len() * 10);
                    for row in rows.chunks(cols) {
                        write_row(row.iter().copied(), &mut out);
                    }
                    out
                })
                .collect()
        })
        // A non-contiguous array (never made by `Grid`, but possible through `values_mut`
        // views) is written row by row on one thread.
        .unwrap_or_else(|| {
            let mut out = Vec::new();
            for row in values.rows() {
                write_row(row.iter().copied(), &mut out);
            }
            vec![out]
        });
    let mut out = Vec::with_capacity(head.len() + chunks.iter().map(Vec::len).sum::<usize>());
    out.extend_from_slice(head.as_bytes());
    for c in &chunks {
        out.extend_from_slice(c);
    }
    out
}

/// The GeoKeyDirectory: version 1.1.0 and one key, GTRasterTypeGeoKey (1025) = RasterPixelIsArea
/// (1), so the tie point is the outer corner of the first cell, as in the ESRI ASCII header. No
/// coordinate system is declared: plan metres are a local frame (GeoTIFF 1.1, OGC 19-008r4, §7).
const GEO_KEYS: [u16; 8] = [1, 1, 0, 1, 1025, 0, 1, 1];

/// The grid as a single-band 32-bit float GeoTIFF, uncompressed: ModelPixelScale and
/// ModelTiepoint give GDAL the extent and cell size, GDAL_NODATA the nodata value NaN cells are
/// written as.
pub fn geotiff(grid: &Grid<f32>) -> Result<Vec<u8>, RenderError> {
    let cells = grid.geometry().cols() * grid.geometry().rows();
    let mut bytes = Cursor::new(Vec::with_capacity(cells * 4 + 1024));
    geotiff_into(grid, &mut bytes)?;
    Ok(bytes.into_inner())
}

/// [`geotiff`] written to `out`, the same bytes: handed [`crate::write_atomic_with`]'s writer, the
/// pixels go from the grid to the file without the whole image being built in memory first (a
/// 4 MB buffer's page faults and copy for a 1000 × 1000 grid, issue 16).
pub fn geotiff_into(
    grid: &Grid<f32>,
    out: &mut (impl Write + Seek + ?Sized),
) -> Result<(), RenderError> {
    // A copy only when some cell is NaN (or the rows are not in one row-major run): reading
    // the grid once costs far less than writing 4 bytes a cell to fresh memory.
    let values = grid.values();
    let data: std::borrow::Cow<[f32]> = match values.as_slice() {
        Some(v) if !v.iter().any(|v| v.is_nan()) => v.into(),
        _ => values
            .iter()
            .map(|v| if v.is_nan() { NODATA } else { *v })
            .collect(),
    };
    encode_geotiff(grid.geometry(), out, Some(&data))?;
    Ok(())
}

/// The GeoTIFF of a grid of geometry `g` written to `out`: its header and tags, then `pixels`
/// (row-major, NaN already nodata). Without pixels it stops after the tags and returns the
/// offset the pixels would start at; one body for both, so the layout [`geotiff_while_computed`]
/// relies on is the one [`geotiff_into`] writes.
fn encode_geotiff(
    g: &GridGeometry,
    out: &mut (impl Write + Seek + ?Sized),
    pixels: Option<&[f32]>,
) -> Result<Option<u64>, RenderError> {
    let failed = |e: tiff::TiffError| RenderError::from(RenderErrorKind::TiffEncode(e.to_string()));
    let (width, height) = match (u32::try_from(g.cols()), u32::try_from(g.rows())) {
        (Ok(w), Ok(h)) => (w, h),
        _ => {
            return Err(RenderErrorKind::TiffEncode(format!(
                "{}×{} cells is beyond a TIFF's 2³²−1 per side",
                g.cols(),
                g.rows()
            ))
            .into())
        }
    };
    let mut encoder = TiffEncoder::new(out)
        .map_err(failed)?
        .with_compression(Compression::Uncompressed);
    let mut image = encoder
        .new_image::<Gray32Float>(width, height)
        .map_err(failed)?;
    let tags = image.encoder();
    // Model y grows up; a grid whose rows go down in y (dy < 0) has a positive y scale.
    tags.write_tag(Tag::ModelPixelScaleTag, &[g.dx(), -g.dy(), 0.0][..])
        .map_err(failed)?;
    tags.write_tag(
        Tag::ModelTiepointTag,
        &[0.0, 0.0, 0.0, g.origin().x, g.origin().y, 0.0][..],
    )
    .map_err(failed)?;
    tags.write_tag(Tag::GeoKeyDirectoryTag, &GEO_KEYS[..])
        .map_err(failed)?;
    tags.write_tag(Tag::GdalNodata, NODATA.to_string().as_str())
        .map_err(failed)?;
    match pixels {
        Some(data) => {
            image.write_data(data).map_err(failed)?;
            Ok(None)
        }
        // Writing nothing returns where the next bytes, the first strip, would go.
        None => Ok(Some(tags.write_data(&[][..] as &[u8]).map_err(failed)?)),
    }
}

/// How many bytes of finished bands [`geotiff_while_computed`] lets pile up before it asks for
/// them to be written to disk: 1 MB, the `tiff` crate's strip size (a 1000 × 1000 grid is synced
/// in four parts while it is computed). An estimate, not tuned: fewer, larger syncs leave more
/// for the last one; more, smaller ones cost more journal commits.
const SYNC_EVERY: usize = 1 << 20;

/// The GeoTIFF of the grid `compute` makes, written atomically to `path` (as
/// [`crate::write_atomic_with`], the same bytes as [`geotiff`]) while the grid is computed.
///
/// `compute` gets a sink for each band of finished rows, `sink(first row, the rows' cells)`,
/// callable from any thread in any order, and returns its result, of which `grid_of` is the
/// grid (of `geometry`). Each band is written at its place in the temporary file as it comes, and
/// the calling thread, which would only wait, has the system write them to disk (`sync_data`) as
/// they pile up. When the grid is done only the last bands, the tags and the directory are left to
/// write and sync: `wisp grid`'s tail after the search was the 4 MB write and its fsync (issue 16).
/// The finished file is still synced whole before it is renamed into place. If `compute` fails,
/// nothing is written and its error is returned inside `Ok`.
pub fn geotiff_while_computed<T: Send, E: Send>(
    path: &std::path::Path,
    geometry: &GridGeometry,
    compute: impl FnOnce(&(dyn Fn(usize, &[f32]) + Sync)) -> Result<T, E> + Send,
    grid_of: impl Fn(&T) -> &Grid<f32>,
) -> Result<Result<T, E>, RenderError> {
    #[cfg(not(unix))]
    {
        // No positioned writes: compute, then stream the file as `geotiff_into` does.
        let done = match compute(&|_, _| {}) {
            Ok(t) => t,
            Err(e) => return Ok(Err(e)),
        };
        crate::write_atomic_with(path, |out| geotiff_into(grid_of(&done), out))?;
        return Ok(Ok(done));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        use std::sync::{mpsc, Mutex};
        let failed = |source: std::io::Error| {
            RenderError::from(RenderErrorKind::Write {
                path: path.to_path_buf(),
                source,
            })
        };
        let start = encode_geotiff(geometry, &mut Cursor::new(Vec::new()), None)?
            .expect("no pixels given, so the offset is returned");
        let row_bytes = geometry.cols() as u64 * 4;
        let pixel_bytes = row_bytes * geometry.rows() as u64;
        let mut outcome = None;
        let written = crate::write_atomic_file(path, |file| {
            let write_error: Mutex<Option<std::io::Error>> = Mutex::new(None);
            let (written, arrived) = mpsc::channel::<usize>();
            let (computed, sync_error) = std::thread::scope(|s| {
                let computing = s.spawn(|| {
                    let written = written;
                    let sink = |r0: usize, cells: &[f32]| {
                        let bytes: Vec<u8> = cells
                            .iter()
                            .flat_map(|v| if v.is_nan() { NODATA } else { *v }.to_ne_bytes())
                            .collect();
                        match file.write_all_at(&bytes, start + r0 as u64 * row_bytes) {
                            Ok(()) => {
                                let _ = written.send(bytes.len());
                            }
                            Err(e) => {
                                let mut first =
                                    write_error.lock().unwrap_or_else(|p| p.into_inner());
                                first.get_or_insert(e);
                            }
                        }
                    };
                    compute(&sink)
                });
                // Ends when `computing` is done and its sender dropped.
                let (mut unsynced, mut sync_error) = (0, None);
                for n in arrived {
                    unsynced += n;
                    if unsynced >= SYNC_EVERY && sync_error.is_none() {
                        unsynced = 0;
                        sync_error = file.sync_data().err();
                    }
                }
                let computed = computing
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (computed, sync_error)
            });
            let done = match computed {
                Ok(t) => t,
                Err(e) => {
                    outcome = Some(Err(e));
                    // Abandons the temporary file; the caller gets `compute`'s error instead.
                    return Err(RenderErrorKind::TiffEncode("the grid was not made".into()).into());
                }
            };
            if let Some(e) = write_error.into_inner().unwrap_or_else(|p| p.into_inner()) {
                return Err(failed(e));
            }
            if let Some(e) = sync_error {
                return Err(failed(e));
            }
            let grid = grid_of(&done);
            if grid.geometry() != geometry {
                return Err(RenderErrorKind::TiffEncode(
                    "the grid computed is not of the geometry given".into(),
                )
                .into());
            }
            // The header, tags and directory around the pixels already in place.
            let mut out = SkipPixels {
                inner: std::io::BufWriter::new(file),
                at: 0,
                pixels: start..start + pixel_bytes,
                skipped: 0,
            };
            geotiff_into(grid, &mut out)?;
            out.inner.flush().map_err(failed)?;
            if out.skipped != pixel_bytes {
                return Err(RenderErrorKind::TiffEncode(format!(
                    "the pixels were expected at bytes {}..{} of the file",
                    start,
                    start + pixel_bytes
                ))
                .into());
            }
            outcome = Some(Ok(done));
            Ok(())
        });
        match (written, outcome) {
            // `compute`'s own error, whatever the abandoned write said.
            (_, Some(Err(e))) => Ok(Err(e)),
            (Err(e), _) => Err(e),
            (Ok(()), done) => Ok(done.expect("the write succeeds only once the grid is made")),
        }
    }
}

/// A writer that passes everything through except the bytes of the pixel region, which are
/// already in the file: it seeks over them (and counts them), so the encoder's own writes
/// around them land where they would have.
struct SkipPixels<W> {
    inner: W,
    at: u64,
    pixels: std::ops::Range<u64>,
    skipped: u64,
}

impl<W: Write + Seek> Write for SkipPixels<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let end = self.at + buf.len() as u64;
        if self.at >= self.pixels.start && end <= self.pixels.end {
            self.at = self
                .inner
                .seek(std::io::SeekFrom::Current(buf.len() as i64))?;
            self.skipped += buf.len() as u64;
            Ok(buf.len())
        } else if self.at < self.pixels.end && end > self.pixels.start {
            Err(std::io::Error::other(
                "a write straddles the pixels already in the file",
            ))
        } else {
            let n = self.inner.write(buf)?;
            self.at += n as u64;
            Ok(n)
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<W: Write + Seek> Seek for SkipPixels<W> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.at = self.inner.seek(to)?;
        Ok(self.at)
    }
}

fn write_row(row: impl Iterator<Item = f32>, out: &mut Vec<u8>) {
    use std::io::Write as _;
    for (i, v) in row.enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if v.is_nan() {
            out.extend_from_slice(b"-9999");
        } else if !write_short(v, out) {
            // `Display`: the shortest digits that read back to the same number, never in
            // exponent form. (A ryu fast path disagreed with it on some values; exact text first.)
            let _ = write!(out, "{v}");
        }
    }
    out.push(b'\n');
}

/// Powers of ten up to the most decimals [`write_short`] tries.
const POW10: [f64; 9] = [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

/// Writes `v` as `Display` does (the shortest decimal that reads back to `v`, the nearest such
/// when two are as short, no exponent) without `fmt`, for 0.001 ≤ |v| < 10⁶ when that decimal has
/// at most 8 places; returns false, writing nothing, for anything else or any case it cannot
/// settle exactly, so the caller falls back to `fmt` (formatting was 12 % of `wisp grid`'s
/// time, issue 16).
///
/// For `d` = 0, 1, …: the nearest number with `d` decimals is m / 10^d, m = round(v · 10^d). In
/// that range fewer decimals is fewer significant digits, so the first `d` whose nearest m / 10^d
/// lies strictly inside `v`'s rounding interval (half-way to each neighbouring f32) is
/// `Display`'s digit count, and m its digits. All of it is exact in f64: v has 24 significant
/// bits, 10^d = 2^d · 5^d with 5^8 < 2^19, and the interval's ends have 25 bits, so every
/// product below is below 2^53 and every comparison is exact. Cases left to `fmt`: m exactly
/// half-way (two nearest), m on the interval's edge (whether it reads back depends on rounding
/// ties to even), or m outside while m ± 1 is inside (near a power of two the interval is
/// lopsided, and `Display` may print a farther digit string of the same length).
fn write_short(v: f32, out: &mut Vec<u8>) -> bool {
    let a = f64::from(v.abs());
    if !(1e-3..1e6).contains(&a) {
        return false;
    }
    let bits = v.abs().to_bits();
    let below = f64::from(f32::from_bits(bits - 1));
    let above = f64::from(f32::from_bits(bits + 1));
    let (lo, hi) = ((below + a) / 2.0, (a + above) / 2.0);
    for (d, &p) in POW10.iter().enumerate() {
        let x = a * p;
        let m = x.round();
        if (m - x).abs() == 0.5 {
            return false;
        }
        let (lo, hi) = (lo * p, hi * p);
        if lo < m && m < hi {
            write_fixed(v.is_sign_negative(), m as u64, d, out);
            return true;
        }
        if m == lo
            || m == hi
            || (lo <= m - 1.0 && m - 1.0 <= hi)
            || (lo <= m + 1.0 && m + 1.0 <= hi)
        {
            return false;
        }
    }
    false
}

/// `m / 10^d` with exactly `d` decimals, a leading `0` before the point when m < 10^d.
fn write_fixed(negative: bool, m: u64, d: usize, out: &mut Vec<u8>) {
    if negative {
        out.push(b'-');
    }
    let mut digits = [0u8; 24];
    let mut n = 0;
    let mut rest = m;
    while rest > 0 || n <= d {
        digits[n] = b'0' + (rest % 10) as u8;
        rest /= 10;
        n += 1;
    }
    for i in (0..n).rev() {
        out.push(digits[i]);
        if i == d && d > 0 {
            out.push(b'.');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wisp_model::GridGeometry;

    /// The reference: the writer as it was, through `fmt`.
    fn esri_ascii_fmt(grid: &Grid<f32>) -> String {
        let g = grid.geometry();
        let (dx, dy) = (g.dx(), g.dy().abs());
        let yll = g.origin().y + g.dy() * g.rows() as f64;
        let mut s = format!(
            "ncols {}\nnrows {}\nxllcorner {}\nyllcorner {}\n",
            g.cols(),
            g.rows(),
            g.origin().x,
            yll
        );
        if dx == dy {
            let _ = writeln!(s, "cellsize {dx}");
        } else {
            let _ = writeln!(s, "dx {dx}\ndy {dy}");
        }
        s.push_str("NODATA_value -9999\n");
        for row in grid.values().rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|v| {
                    if v.is_nan() {
                        "-9999".to_string()
                    } else {
                        format!("{v}")
                    }
                })
                .collect();
            s.push_str(&cells.join(" "));
            s.push('\n');
        }
        s
    }

    #[test]
    fn geotiff_decodes_to_the_grid_with_its_georeferencing() {
        use tiff::decoder::{Decoder, DecodingResult};
        use tiff::tags::Tag;
        let g = GridGeometry::new(-3.0, 12.5, 0.5, -0.25, 7, 5).unwrap();
        let mut values: Vec<f32> = (0..35).map(|i| -90.0 + i as f32 * 1.7).collect();
        values[4] = f32::NAN;
        let grid = Grid::from_vec(g, values.clone());
        let bytes = geotiff(&grid).unwrap();
        let mut d = Decoder::new(Cursor::new(bytes)).unwrap();
        assert_eq!(d.dimensions().unwrap(), (7, 5));
        let DecodingResult::F32(got) = d.read_image().unwrap() else {
            panic!("not a 32-bit float image");
        };
        values[4] = NODATA;
        assert_eq!(got, values, "row 0 first, NaN as nodata");
        let scale = d.get_tag_f64_vec(Tag::ModelPixelScaleTag).unwrap();
        assert_eq!(scale, vec![0.5, 0.25, 0.0]);
        let tie = d.get_tag_f64_vec(Tag::ModelTiepointTag).unwrap();
        assert_eq!(tie, vec![0.0, 0.0, 0.0, -3.0, 12.5, 0.0]);
        let keys = d.get_tag_u16_vec(Tag::GeoKeyDirectoryTag).unwrap();
        assert_eq!(keys, GEO_KEYS.to_vec());
        assert_eq!(d.get_tag_ascii_string(Tag::GdalNodata).unwrap(), "-9999");
        // Without a NaN the grid is written as it is, not copied: the same values.
        values[4] = 1.5;
        let bytes = geotiff(&Grid::from_vec(g, values.clone())).unwrap();
        let mut d = Decoder::new(Cursor::new(bytes)).unwrap();
        let DecodingResult::F32(got) = d.read_image().unwrap() else {
            panic!("not a 32-bit float image");
        };
        assert_eq!(got, values, "no NaN");
    }

    /// Streamed through `write_atomic_with` (a buffered file that seeks back to patch the
    /// header) the file holds the same bytes as the in-memory encoding, for a grid of several
    /// strips (the `tiff` crate cuts them at about 1 MB) with and without a NaN.
    #[test]
    fn geotiff_streamed_to_a_file_is_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.tif");
        let g = GridGeometry::new(10.0, 500.0, 2.0, -2.0, 300, 900).unwrap();
        let mut values: Vec<f32> = (0..g.len()).map(|i| (i % 977) as f32 * -0.093).collect();
        for nan in [false, true] {
            if nan {
                values[123_456] = f32::NAN;
            }
            let grid = Grid::from_vec(g, values.clone());
            crate::write_atomic_with(&path, |out| geotiff_into(&grid, out)).unwrap();
            let want = geotiff(&grid).unwrap();
            assert!(want.len() > 1_000_000, "more than one strip");
            assert!(std::fs::read(&path).unwrap() == want, "nan: {nan}");
        }
    }

    /// Written band by band while "computed" (bands handed over from rayon's threads in a
    /// shuffled order, one band holding a NaN), the file is byte for byte [`geotiff`]'s; a
    /// failed computation leaves no file and returns its own error.
    #[test]
    fn geotiff_while_computed_is_the_same_bytes() {
        use rand::seq::SliceRandom;
        use rand::SeedableRng;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.tif");
        let g = GridGeometry::new(-5.0, 300.0, 0.5, -0.5, 410, 700).unwrap();
        let mut values: Vec<f32> = (0..g.len()).map(|i| (i % 1013) as f32 * -0.087).collect();
        values[200_000] = f32::NAN;
        let grid = Grid::from_vec(g, values.clone());
        let mut bands: Vec<usize> = (0..g.rows()).step_by(16).collect();
        bands.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(5));
        let cols = g.cols();
        let made = geotiff_while_computed(
            &path,
            &g,
            |sink| {
                bands.par_iter().for_each(|&r0| {
                    let r1 = (r0 + 16).min(g.rows());
                    sink(r0, &values[r0 * cols..r1 * cols]);
                });
                Ok::<_, String>(Grid::from_vec(g, values.clone()))
            },
            |grid| grid,
        )
        .unwrap()
        .unwrap();
        assert_eq!(made.geometry(), &g);
        let want = geotiff(&grid).unwrap();
        assert!(want.len() > 1_000_000, "more than one strip");
        assert!(std::fs::read(&path).unwrap() == want);

        let failed = dir.path().join("failed.tif");
        let got = geotiff_while_computed(
            &failed,
            &g,
            |sink| {
                sink(0, &values[..16 * cols]);
                Err::<Grid<f32>, _>("no grid")
            },
            |grid| grid,
        )
        .unwrap();
        assert!(matches!(got, Err("no grid")));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "only grid.tif"
        );
    }

    #[test]
    fn short_writer_is_display_or_declines() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let mut written = 0usize;
        let mut check = |v: f32| {
            let mut out = Vec::new();
            if write_short(v, &mut out) {
                assert_eq!(String::from_utf8(out).unwrap(), format!("{v}"), "{v:?}");
                written += 1;
            } else {
                assert!(out.is_empty());
            }
        };
        // Every f32 around dB levels and the range's ends, both signs, neighbours of round
        // decimals and of powers of two (lopsided intervals), then random bit patterns.
        for base in [
            -120.0f32, -85.1, -72.15, -65.0, -30.0, -1.0, -0.1, 0.001, 0.5, 1e6, 999_999.9,
        ] {
            let b = base.to_bits();
            for k in 0..2000u32 {
                check(f32::from_bits(b.wrapping_add(k)));
                check(f32::from_bits(b.wrapping_sub(k)));
            }
        }
        for e in -12..22 {
            let p = 2f32.powi(e);
            let b = p.to_bits();
            for k in 0..50u32 {
                check(f32::from_bits(b + k));
                check(-f32::from_bits(b - k));
            }
        }
        for _ in 0..500_000 {
            check(rng.random_range(-130.0f32..10.0));
            check(f32::from_bits(rng.random::<u32>()));
        }
        for v in [
            0.0f32,
            -0.0,
            1e-7,
            1e6,
            f32::INFINITY,
            f32::NAN,
            f32::MIN_POSITIVE,
        ] {
            check(v);
        }
        // The fast path is taken for nearly every level a grid holds.
        assert!(written > 500_000, "{written}");
    }

    #[test]
    fn same_text_as_fmt() {
        // Awkward values first (integral, negative zero, tiny, huge, subnormal, infinite, NaN),
        // then a spread of bit patterns from a fixed stride through the f32 space.
        let mut values = vec![
            -65.0,
            -0.0,
            0.0,
            1e-7,
            -3.4e38,
            1e16,
            123456790.0,
            f32::MIN_POSITIVE / 3.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            -72.15,
            0.1,
        ];
        let mut bits = 0x0000_1234u32;
        while values.len() < 40 * 37 {
            bits = bits.wrapping_add(0x0029_3a7f);
            values.push(f32::from_bits(bits));
        }
        for (cols, rows, dy) in [(40, 37, -0.5), (37, 40, -0.25)] {
            let g = GridGeometry::new(-3.0, 12.5, 0.5, dy, cols, rows).unwrap();
            let grid = Grid::from_vec(g, values.clone());
            let fast = esri_ascii(&grid);
            let want = esri_ascii_fmt(&grid);
            assert_eq!(String::from_utf8(fast).unwrap(), want);
        }
    }
}
