//! The DejaVu Sans faces, text measurement and line wrapping, shared by the raster and PDF paths.

use crate::{RenderError, RenderErrorKind};
use ab_glyph::{Font, FontRef};

/// DejaVu Sans regular and bold, parsed from the bytes the `dejavu` crate embeds, so rendering
/// never depends on fonts installed on the machine.
pub(crate) struct Faces {
    pub regular: FontRef<'static>,
    pub bold: FontRef<'static>,
}

impl Faces {
    pub fn load() -> Result<Faces, RenderError> {
        let regular = FontRef::try_from_slice(dejavu::sans::regular())
            .map_err(|_| RenderError::from(RenderErrorKind::Font("DejaVu Sans")))?;
        let bold = FontRef::try_from_slice(dejavu::sans::bold())
            .map_err(|_| RenderError::from(RenderErrorKind::Font("DejaVu Sans Bold")))?;
        Ok(Faces { regular, bold })
    }
}

/// Advance width of `text` set at `em_size` (the font size: pt in a PDF), with pair kerning.
pub(crate) fn text_width(font: &FontRef<'_>, em_size: f32, text: &str) -> f32 {
    let units_per_em = font.units_per_em().filter(|u| *u > 0.0).unwrap_or(1000.0);
    let mut width = 0.0;
    let mut previous = None;
    for c in text.chars() {
        let glyph = font.glyph_id(c);
        if let Some(p) = previous {
            width += font.kern_unscaled(p, glyph);
        }
        width += font.h_advance_unscaled(glyph);
        previous = Some(glyph);
    }
    width * em_size / units_per_em
}

/// The em size of text drawn at ab_glyph / imageproc scale `px` (which is the height from
/// descender to ascender, not the em), so [`text_width`] measures what imageproc draws.
pub(crate) fn em_of_px(font: &FontRef<'_>, px: f32) -> f32 {
    let units_per_em = font.units_per_em().filter(|u| *u > 0.0).unwrap_or(1000.0);
    let height = font.ascent_unscaled() - font.descent_unscaled();
    if height > 0.0 {
        px * units_per_em / height
    } else {
        px
    }
}

/// `text` on one line no wider than `max_width`: whole if it fits, else cut at a character
/// boundary with "…" appended (just "…" when not even one character fits).
pub(crate) fn shorten(font: &FontRef<'_>, em_size: f32, max_width: f32, text: &str) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let clean = clean.trim();
    if text_width(font, em_size, clean) <= max_width {
        return clean.to_string();
    }
    let chars: Vec<char> = clean.chars().collect();
    // The longest prefix that fits with the ellipsis, found by bisection (width grows with
    // length).
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if text_width(font, em_size, &candidate) <= max_width {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    chars[..lo]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…"
}

/// Breaks `text` into lines no wider than `max_width` at `em_size`, at spaces where it can and
/// inside a word only when the word alone is too wide. Explicit newlines start new lines;
/// other control characters become spaces. Empty text gives no lines.
pub fn wrap_text(font: &FontRef<'_>, em_size: f32, max_width: f32, text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let clean: String = paragraph
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut line = String::new();
        for word in clean.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if text_width(font, em_size, &candidate) <= max_width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the whole line is cut wherever it must be.
            for c in word.chars() {
                line.push(c);
                if text_width(font, em_size, &line) > max_width && line.chars().count() > 1 {
                    line.pop();
                    lines.push(std::mem::take(&mut line));
                    line.push(c);
                }
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        let faces = Faces::load().unwrap();
        let f = &faces.regular;
        let width = text_width(f, 10.0, "alpha beta").max(text_width(f, 10.0, "gamma delta"));
        let lines = wrap_text(f, 10.0, width + 0.1, "alpha beta gamma delta");
        assert_eq!(lines, vec!["alpha beta", "gamma delta"]);
        for line in wrap_text(f, 10.0, 20.0, "Supercalifragilistic") {
            assert!(text_width(f, 10.0, &line) <= 20.0 || line.chars().count() == 1);
        }
        assert!(wrap_text(f, 10.0, 100.0, "").is_empty());
        assert_eq!(wrap_text(f, 10.0, 100.0, "a\nb\tc"), vec!["a", "b c"]);
        // Nothing fits: still one character per line, never an endless loop.
        assert_eq!(wrap_text(f, 10.0, 0.0, "ab").len(), 2);
    }

    #[test]
    fn shortening_keeps_what_fits_and_marks_the_cut() {
        let faces = Faces::load().unwrap();
        let f = &faces.regular;
        let name = "Acute Medical Unit - Side Room 14 (isolation, negative pressure)";
        assert_eq!(shorten(f, 10.0, 1000.0, name), name);
        let width = text_width(f, 10.0, "Acute Medical…");
        let short = shorten(f, 10.0, width, name);
        assert_eq!(short, "Acute Medical…");
        // One character more would not have fitted.
        assert!(text_width(f, 10.0, "Acute Medical U…") > width);
        assert_eq!(shorten(f, 10.0, 0.0, name), "…");
    }
}
