//! Floor-plan images, always decoded under [`image::Limits`].

pub mod wall_detect;

use crate::{IngestError, IngestErrorKind};
use image::{ImageFormat, ImageReader, Limits, RgbaImage};
use std::io::BufReader;
use std::io::Read;
use std::path::Path;

/// Largest plan side accepted, in pixels. 16,384 px at a typical 2 cm/px is 327 m: more than any
/// hospital floor, and a bound on memory (16k × 16k × 4 bytes = 1 GiB).
pub const MAX_PLAN_SIDE_PX: u32 = 16_384;
/// Memory the decoder may allocate for one plan (bytes).
pub const MAX_PLAN_ALLOC: u64 = 1 << 30;

fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_image_width = Some(MAX_PLAN_SIDE_PX);
    l.max_image_height = Some(MAX_PLAN_SIDE_PX);
    l.max_alloc = Some(MAX_PLAN_ALLOC);
    l
}

fn reader(path: &Path) -> Result<ImageReader<BufReader<std::fs::File>>, IngestError> {
    // Judge the format by content, never by the file name: a text file called plan.png is not a PNG.
    crate::require_file(path)?;
    let mut head = [0u8; 16];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| IngestError::io(path, e))?;
    let format = image::guess_format(&head[..n])
        .ok()
        .filter(|f| matches!(f, ImageFormat::Png | ImageFormat::Jpeg))
        .ok_or_else(|| {
            IngestError::new(IngestErrorKind::Image("not a PNG or JPEG image".into())).at(path)
        })?;
    let mut r = ImageReader::open(path).map_err(|e| IngestError::io(path, e))?;
    r.set_format(format);
    r.limits(limits());
    Ok(r)
}

fn image_error(path: &Path, e: image::ImageError) -> IngestError {
    IngestError::new(IngestErrorKind::Image(e.to_string())).at(path)
}

/// The plan's size in pixels, read from its header, refused above the limits.
pub fn image_size(path: &Path) -> Result<(u32, u32), IngestError> {
    let (w, h) = match reader(path)?.into_dimensions() {
        Ok(d) => d,
        // The decoder says only "Image size exceeds limit": say what the header claims.
        Err(image::ImageError::Limits(_)) => {
            let msg = match png_header_size(path) {
                Some((w, h)) if w <= MAX_PLAN_SIDE_PX && h <= MAX_PLAN_SIDE_PX => {
                    format!("{w}×{h} px needs more than the {MAX_PLAN_ALLOC}-byte decoding limit")
                }
                Some((w, h)) => {
                    format!("{w}×{h} px is outside the accepted 1..{MAX_PLAN_SIDE_PX} px per side")
                }
                None => format!("larger than the accepted {MAX_PLAN_SIDE_PX} px per side"),
            };
            return Err(IngestError::new(IngestErrorKind::Image(msg)).at(path));
        }
        Err(e) => return Err(image_error(path, e)),
    };
    if w == 0 || h == 0 || w > MAX_PLAN_SIDE_PX || h > MAX_PLAN_SIDE_PX {
        return Err(IngestError::new(IngestErrorKind::Image(format!(
            "{w}×{h} px is outside the accepted 1..{MAX_PLAN_SIDE_PX} px per side"
        )))
        .at(path));
    }
    Ok((w, h))
}

/// Width and height from a PNG's IHDR (the first chunk, bytes 16..24), without decoding.
fn png_header_size(path: &Path) -> Option<(u32, u32)> {
    let mut head = [0u8; 24];
    std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
    if &head[..8] != b"\x89PNG\r\n\x1a\n" || &head[12..16] != b"IHDR" {
        return None;
    }
    let be = |i: usize| u32::from_be_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
    Some((be(16), be(20)))
}

/// Decodes the plan image.
pub fn load_plan(path: &Path) -> Result<RgbaImage, IngestError> {
    Ok(reader(path)?
        .decode()
        .map_err(|e| image_error(path, e))?
        .to_rgba8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_non_images_and_huge_headers() {
        let dir = tempfile::tempdir().unwrap();
        let txt = dir.path().join("plan.png");
        std::fs::write(&txt, "this is not a picture").unwrap();
        let e = image_size(&txt).unwrap_err().to_string();
        assert!(e.contains("plan.png") && e.contains("not a PNG"), "{e}");

        // A PNG header claiming 100,000 × 100,000 pixels, with no data behind it.
        let mut png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        png.extend(100_000u32.to_be_bytes());
        png.extend(100_000u32.to_be_bytes());
        png.extend([8, 6, 0, 0, 0]);
        let crc = crc32(&png[12..]);
        png.extend(crc.to_be_bytes());
        let huge = dir.path().join("huge.png");
        std::fs::write(&huge, &png).unwrap();
        let e = image_size(&huge).unwrap_err().to_string();
        assert!(
            e.contains("100000×100000 px is outside the accepted 1..16384 px per side"),
            "{e}"
        );
        assert!(load_plan(&huge).is_err());

        // A folder where the plan should be.
        let e = image_size(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a folder, expected a file"), "{e}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
}
