//! Cutting a square window out of a picture, for the close-up maps of dead zones.

use image::RgbaImage;

/// A square window of `2 × half_size_px` pixels a side centred on `centre_px` (picture pixels,
/// x right, y down), moved as little as needed to lie inside the picture.
///
/// The window is shifted, not shrunk, when it would cross an edge, so close-ups of a zone near
/// a wall come out the same size as the others; only a picture narrower or shorter than the
/// window limits it, to the picture's own width or height. A centre that is NaN or infinite
/// reads as the picture's centre. An empty picture or a zero half-size gives an empty picture.
pub fn crop(image: &RgbaImage, centre_px: (f64, f64), half_size_px: u32) -> RgbaImage {
    let (left, top, crop_w, crop_h) = crop_window(image.dimensions(), centre_px, half_size_px);
    if crop_w == 0 || crop_h == 0 {
        return RgbaImage::new(0, 0);
    }
    image::imageops::crop_imm(image, left, top, crop_w, crop_h).to_image()
}

/// The window [`crop`] cuts from a picture of `size`, as (left, top, width, height) in
/// pixels; zero width or height when it cuts nothing. The HTML report draws close-ups from
/// its layers through this window instead of storing them again.
pub fn crop_window(
    size: (u32, u32),
    centre_px: (f64, f64),
    half_size_px: u32,
) -> (u32, u32, u32, u32) {
    let (w, h) = size;
    let side = half_size_px.saturating_mul(2);
    let (crop_w, crop_h) = (side.min(w), side.min(h));
    if crop_w == 0 || crop_h == 0 {
        return (0, 0, 0, 0);
    }
    let left = window_start(centre_px.0, w, crop_w, half_size_px);
    let top = window_start(centre_px.1, h, crop_h, half_size_px);
    (left, top, crop_w, crop_h)
}

/// First pixel of a window `window` long whose middle is as close to `centre` as the picture's
/// `extent` allows.
fn window_start(centre: f64, extent: u32, window: u32, half: u32) -> u32 {
    let centre = if centre.is_finite() {
        centre
    } else {
        extent as f64 / 2.0
    };
    let wanted = (centre - half as f64).round();
    let last = (extent - window) as f64;
    wanted.clamp(0.0, last) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    /// Each pixel holds its own coordinates, so a crop says where it came from.
    fn numbered(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| Rgba([x as u8, y as u8, 0, 255]))
    }

    #[test]
    fn centred_window_inside() {
        let c = crop(&numbered(100, 80), (50.0, 40.0), 10);
        assert_eq!(c.dimensions(), (20, 20));
        // Pixels 40..60 across and 30..50 down.
        assert_eq!(c.get_pixel(0, 0).0, [40, 30, 0, 255]);
        assert_eq!(c.get_pixel(19, 19).0, [59, 49, 0, 255]);
    }

    #[test]
    fn shifted_at_the_edges_and_limited_by_small_pictures() {
        let image = numbered(100, 80);
        let c = crop(&image, (2.0, 79.0), 10);
        assert_eq!(c.dimensions(), (20, 20));
        assert_eq!(c.get_pixel(0, 0).0, [0, 60, 0, 255]);
        // Far outside: still the nearest window, never a panic.
        let c = crop(&image, (-1e300, 1e300), 10);
        assert_eq!(c.get_pixel(0, 0).0, [0, 60, 0, 255]);
        // Wider than the picture: the whole width, the window's height.
        let c = crop(&image, (50.0, 40.0), 60);
        assert_eq!(c.dimensions(), (100, 80));
        assert_eq!(c.get_pixel(0, 0).0, [0, 0, 0, 255]);
        // NaN centre: the picture's centre.
        let c = crop(&image, (f64::NAN, f64::INFINITY), 5);
        assert_eq!(c.get_pixel(0, 0).0, [45, 35, 0, 255]);
        assert_eq!(crop(&image, (10.0, 10.0), 0).dimensions(), (0, 0));
        assert_eq!(
            crop(&RgbaImage::new(0, 0), (0.0, 0.0), 4).dimensions(),
            (0, 0)
        );
        // Half-sizes near u32::MAX do not overflow.
        assert_eq!(crop(&image, (0.0, 0.0), u32::MAX).dimensions(), (100, 80));
    }
}
