//! Indexed-colour (palette) PNG: one byte per pixel instead of three or four, which is what keeps
//! the HTML report's inlined layers small.
//!
//! A picture with at most 256 distinct colours (the plan, a categorical map, a close-up of one)
//! is stored exactly. A continuous heatmap blended over a plan has more; its colours are reduced
//! to 255 by NeuQuant (the `color_quant` crate, Dekker's self-organising map, deterministic for
//! the same pixels) with fully transparent pixels kept exact in a palette entry of their own,
//! so a layer still lets the plan show through exactly where it did.

use crate::{RenderError, RenderErrorKind};
use image::RgbaImage;
use std::collections::HashMap;

/// NeuQuant's sampling factor: 1 learns from every pixel, 30 from one in 30. 10 is the
/// author's "good compromise between speed and quality" (color_quant's documentation).
const SAMPLE_FACTOR: i32 = 10;

/// The picture as an indexed-colour PNG (8 bits per pixel, with a tRNS chunk when any pixel is
/// not opaque). Exact when the picture has at most 256 colours; otherwise the nearest of 255
/// learned colours, with full transparency kept exact.
pub(crate) fn indexed_png(image: &RgbaImage, what: &str) -> Result<Vec<u8>, RenderError> {
    let (w, h) = image.dimensions();
    let (palette, indices) = match exact_palette(image) {
        Some(exact) => exact,
        None => quantised_palette(image),
    };
    let encode_error = |e: png::EncodingError| RenderErrorKind::PngEncode {
        what: what.to_string(),
        message: e.to_string(),
    };
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, w, h);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(
            palette
                .iter()
                .flat_map(|c| [c[0], c[1], c[2]])
                .collect::<Vec<u8>>(),
        );
        if palette.iter().any(|c| c[3] != 255) {
            // Trailing opaque entries may be left out of tRNS.
            let last = palette.iter().rposition(|c| c[3] != 255).unwrap_or(0);
            encoder.set_trns(palette[..=last].iter().map(|c| c[3]).collect::<Vec<u8>>());
        }
        // Palette indices are not a smooth signal: predicting them from neighbours (PNG's
        // filters) rarely helps, and long runs of one index deflate well as they are.
        encoder.set_deflate_compression(png::DeflateCompression::Level(9));
        encoder.set_filter(png::Filter::NoFilter);
        let mut writer = encoder.write_header().map_err(encode_error)?;
        writer.write_image_data(&indices).map_err(encode_error)?;
        writer.finish().map_err(encode_error)?;
    }
    Ok(out)
}

/// Every fully transparent pixel reads as one colour, whatever its RGB.
fn key(p: &image::Rgba<u8>) -> [u8; 4] {
    if p.0[3] == 0 {
        [0, 0, 0, 0]
    } else {
        p.0
    }
}

/// The colours in order of first appearance and each pixel's index, if there are at most 256.
fn exact_palette(image: &RgbaImage) -> Option<(Vec<[u8; 4]>, Vec<u8>)> {
    let mut palette: Vec<[u8; 4]> = Vec::new();
    let mut index: HashMap<[u8; 4], u8> = HashMap::new();
    let mut indices = Vec::with_capacity(image.as_raw().len() / 4);
    for p in image.pixels() {
        let colour = key(p);
        let i = match index.get(&colour) {
            Some(i) => *i,
            None => {
                if palette.len() == 256 {
                    return None;
                }
                let i = palette.len() as u8;
                palette.push(colour);
                index.insert(colour, i);
                i
            }
        };
        indices.push(i);
    }
    Some((palette, indices))
}

/// 255 colours learned from the picture's visible pixels, plus a transparent entry when any
/// pixel is fully transparent.
fn quantised_palette(image: &RgbaImage) -> (Vec<[u8; 4]>, Vec<u8>) {
    let visible: Vec<u8> = image
        .pixels()
        .filter(|p| p.0[3] != 0)
        .flat_map(|p| p.0)
        .collect();
    let has_transparent = visible.len() < image.as_raw().len();
    let learned = if has_transparent { 255 } else { 256 };
    let quant = color_quant::NeuQuant::new(SAMPLE_FACTOR, learned, &visible);
    let mut palette: Vec<[u8; 4]> = Vec::with_capacity(256);
    if has_transparent {
        palette.push([0, 0, 0, 0]);
    }
    let offset = palette.len();
    palette.extend(
        quant
            .color_map_rgba()
            .chunks_exact(4)
            .map(|c| [c[0], c[1], c[2], c[3]]),
    );
    // Many pixels share a colour: look each colour up once.
    let mut seen: HashMap<[u8; 4], u8> = HashMap::new();
    let indices = image
        .pixels()
        .map(|p| {
            if p.0[3] == 0 {
                return 0;
            }
            *seen
                .entry(p.0)
                .or_insert_with(|| (offset + quant.index_of(&p.0)) as u8)
        })
        .collect();
    (palette, indices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(png: &[u8]) -> RgbaImage {
        image::load_from_memory_with_format(png, image::ImageFormat::Png)
            .unwrap()
            .to_rgba8()
    }

    #[test]
    fn few_colours_round_trip_exactly() {
        let picture = RgbaImage::from_fn(70, 40, |x, y| {
            if x < 10 {
                image::Rgba([0, 0, 0, 0])
            } else {
                image::Rgba([
                    (x / 10 * 30) as u8,
                    (y / 5 * 20) as u8,
                    90,
                    if y < 5 { 128 } else { 255 },
                ])
            }
        });
        let png = indexed_png(&picture, "test").unwrap();
        assert_eq!(&png[25..26], &[3], "colour type 3: indexed");
        assert_eq!(decode(&png), picture);
        // The same bytes every time.
        assert_eq!(png, indexed_png(&picture, "test").unwrap());
    }

    #[test]
    fn many_colours_come_close_and_transparency_stays_exact() {
        // A smooth two-way gradient: 65 536 colours.
        let picture = RgbaImage::from_fn(256, 256, |x, y| {
            if x + y < 40 {
                image::Rgba([9, 9, 9, 0])
            } else {
                image::Rgba([x as u8, y as u8, 128, 255])
            }
        });
        let png = indexed_png(&picture, "test").unwrap();
        assert_eq!(&png[25..26], &[3]);
        let back = decode(&png);
        let mut total = 0u64;
        for (p, q) in picture.pixels().zip(back.pixels()) {
            if p.0[3] == 0 {
                assert_eq!(q.0[3], 0, "transparent stays transparent");
                continue;
            }
            assert_eq!(q.0[3], 255);
            let d: u64 = (0..3)
                .map(|k| (p.0[k] as i64 - q.0[k] as i64).unsigned_abs())
                .sum();
            assert!(d <= 3 * 24, "{p:?} became {q:?}");
            total += d;
        }
        let mean = total as f64 / (3.0 * 256.0 * 256.0);
        assert!(mean < 4.0, "mean error {mean:.2} levels");
        assert!(png.len() < 256 * 256 * 3 / 2, "{} bytes", png.len());
    }
}
