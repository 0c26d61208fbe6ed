//! Connected regions of grid cells, and their outlines.

use image::{GrayImage, Luma};
use imageproc::contours::{find_contours, BorderType};
use imageproc::region_labelling::{connected_components, Connectivity};
use std::collections::BTreeMap;
use wisp_model::GridGeometry;

/// A connected set of cells (8-connectivity: diagonal neighbours join, as a person reading the
/// map would join them).
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// (row, col), row-major order.
    pub cells: Vec<(usize, usize)>,
    /// The outer border's cells, in order around the region.
    pub outline: Vec<(usize, usize)>,
}

/// Splits `cells` (all within `g`) into connected regions, ordered by their first cell.
pub fn regions(g: &GridGeometry, cells: &[(usize, usize)]) -> Vec<Region> {
    if cells.is_empty() {
        return Vec::new();
    }
    // Work on the bounding box only, with a one-cell margin so borders are found at the edges.
    let r0 = cells.iter().map(|c| c.0).min().unwrap_or(0);
    let c0 = cells.iter().map(|c| c.1).min().unwrap_or(0);
    let r1 = cells.iter().map(|c| c.0).max().unwrap_or(0);
    let c1 = cells.iter().map(|c| c.1).max().unwrap_or(0);
    let (w, h) = ((c1 - c0 + 3) as u32, (r1 - r0 + 3) as u32);
    let _ = g;
    let mut mask = GrayImage::new(w, h);
    for &(r, c) in cells {
        mask.put_pixel((c - c0 + 1) as u32, (r - r0 + 1) as u32, Luma([255]));
    }
    let labels = connected_components(&mask, Connectivity::Eight, Luma([0u8]));
    let mut by_label: BTreeMap<u32, Vec<(usize, usize)>> = BTreeMap::new();
    for &(r, c) in cells {
        let l = labels.get_pixel((c - c0 + 1) as u32, (r - r0 + 1) as u32).0[0];
        by_label.entry(l).or_default().push((r, c));
    }
    let mut out: Vec<Region> = by_label
        .into_values()
        .map(|mut cells| {
            cells.sort_unstable();
            let mut one = GrayImage::new(w, h);
            for &(r, c) in &cells {
                one.put_pixel((c - c0 + 1) as u32, (r - r0 + 1) as u32, Luma([255]));
            }
            let outline = find_contours::<i64>(&one)
                .into_iter()
                .find(|k| k.border_type == BorderType::Outer)
                .map(|k| {
                    k.points
                        .iter()
                        .map(|p| ((p.y - 1) as usize + r0, (p.x - 1) as usize + c0))
                        .collect()
                })
                .unwrap_or_default();
            Region { cells, outline }
        })
        .collect();
    out.sort_by_key(|r| r.cells[0]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_and_joins_diagonals() {
        let g = GridGeometry::new(0.0, 0.0, 1.0, 1.0, 10, 10).unwrap();
        // A 3×3 block, a diagonal neighbour of its corner, and a lone far cell.
        let mut cells: Vec<(usize, usize)> =
            (2..5).flat_map(|r| (2..5).map(move |c| (r, c))).collect();
        cells.push((5, 5));
        cells.push((9, 0));
        let rs = regions(&g, &cells);
        assert_eq!(rs.len(), 2);
        assert_eq!(rs[0].cells.len(), 10);
        assert_eq!(rs[1].cells, vec![(9, 0)]);
        // The outline of the block runs through its 8 border cells, not its centre (3,3).
        assert!(!rs[0].outline.contains(&(3, 3)));
        assert!(rs[0].outline.contains(&(2, 2)) && rs[0].outline.contains(&(5, 5)));
    }
}
