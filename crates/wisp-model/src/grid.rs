//! Regular grids of cells and the values on them.

use crate::{ModelError, ModelErrorKind, Point};
use ndarray::Array2;

/// Where the cells of a regular grid lie, in metres.
///
/// Row 0 is the top row of the picture. In plan metres (y down) that is the smallest y and
/// `dy` is positive; in a GIS grid (y up, as `wisp grid` writes) row 0 is at YMAX and `dy` is
/// negative. Cell (r, c) covers `[x0 + c·dx, x0 + (c+1)·dx]` across and its centre is at
/// `(x0 + (c + ½)·dx, y0 + (r + ½)·dy)`, the convention of `gdal_grid -txe -tye -outsize`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridGeometry {
    x0: f64,
    y0: f64,
    dx: f64,
    dy: f64,
    cols: usize,
    rows: usize,
}

impl GridGeometry {
    /// A grid whose top-left corner is at (`x0`, `y0`) with steps `dx` (> 0) and `dy` (≠ 0).
    pub fn new(
        x0: f64,
        y0: f64,
        dx: f64,
        dy: f64,
        cols: usize,
        rows: usize,
    ) -> Result<Self, ModelError> {
        if ![x0, y0, dx, dy].iter().all(|v| v.is_finite()) {
            return Err(ModelErrorKind::NotFinite("grid origin and cell size").into());
        }
        if cols == 0 || rows == 0 || dx <= 0.0 || dy == 0.0 {
            return Err(ModelErrorKind::EmptyGrid.into());
        }
        Ok(GridGeometry {
            x0,
            y0,
            dx,
            dy,
            cols,
            rows,
        })
    }

    /// A plan grid (y down) of square `cell`-metre cells covering `min`..`max`, starting at `min`.
    /// The last row and column may reach past `max` by less than one cell.
    pub fn covering(min: Point, max: Point, cell: f64) -> Result<Self, ModelError> {
        if cell.is_nan() || cell <= 0.0 {
            return Err(ModelErrorKind::EmptyGrid.into());
        }
        let cols = ((max.x - min.x) / cell).ceil().max(1.0) as usize;
        let rows = ((max.y - min.y) / cell).ceil().max(1.0) as usize;
        GridGeometry::new(min.x, min.y, cell, cell, cols, rows)
    }

    pub fn cols(&self) -> usize {
        self.cols
    }
    pub fn rows(&self) -> usize {
        self.rows
    }
    pub fn len(&self) -> usize {
        self.cols * self.rows
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Cell width in metres.
    pub fn dx(&self) -> f64 {
        self.dx
    }
    /// Signed step from one row to the next, in metres.
    pub fn dy(&self) -> f64 {
        self.dy
    }
    /// Top-left corner of the grid.
    pub fn origin(&self) -> Point {
        Point::new(self.x0, self.y0)
    }
    /// Area of one cell in m².
    pub fn cell_area(&self) -> f64 {
        self.dx * self.dy.abs()
    }

    pub fn centre(&self, row: usize, col: usize) -> Point {
        Point::new(
            self.x0 + (col as f64 + 0.5) * self.dx,
            self.y0 + (row as f64 + 0.5) * self.dy,
        )
    }

    /// The cell containing `p`, if any.
    pub fn cell_at(&self, p: Point) -> Option<(usize, usize)> {
        let c = ((p.x - self.x0) / self.dx).floor();
        let r = ((p.y - self.y0) / self.dy).floor();
        (c >= 0.0 && r >= 0.0 && (c as usize) < self.cols && (r as usize) < self.rows)
            .then_some((r as usize, c as usize))
    }

    /// Fractional (row, col) position of `p`, with cell centres at integer + ½; for resampling.
    pub fn fractional(&self, p: Point) -> (f64, f64) {
        ((p.y - self.y0) / self.dy, (p.x - self.x0) / self.dx)
    }
}

/// Values on a grid: one `T` per cell, rows × cols, row 0 at the top.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid<T> {
    geometry: GridGeometry,
    values: Array2<T>,
}

impl<T: Clone> Grid<T> {
    pub fn filled(geometry: GridGeometry, value: T) -> Self {
        Grid {
            values: Array2::from_elem((geometry.rows, geometry.cols), value),
            geometry,
        }
    }
}

impl<T> Grid<T> {
    /// Wraps row-major `values`; panics if their count is not rows × cols (a programming error).
    pub fn from_vec(geometry: GridGeometry, values: Vec<T>) -> Self {
        let values = Array2::from_shape_vec((geometry.rows, geometry.cols), values)
            .expect("grid values must number rows × cols");
        Grid { geometry, values }
    }

    pub fn from_fn(geometry: GridGeometry, mut f: impl FnMut(usize, usize) -> T) -> Self {
        Grid {
            values: Array2::from_shape_fn((geometry.rows, geometry.cols), |(r, c)| f(r, c)),
            geometry,
        }
    }

    pub fn geometry(&self) -> &GridGeometry {
        &self.geometry
    }
    pub fn values(&self) -> &Array2<T> {
        &self.values
    }
    pub fn values_mut(&mut self) -> &mut Array2<T> {
        &mut self.values
    }
    pub fn get(&self, row: usize, col: usize) -> Option<&T> {
        self.values.get((row, col))
    }

    /// A grid of the same geometry with `f` applied to every value.
    pub fn map<U>(&self, f: impl FnMut(&T) -> U) -> Grid<U> {
        Grid {
            geometry: self.geometry,
            values: self.values.map(f),
        }
    }

    /// Row-major iteration over ((row, col), value).
    pub fn indexed_iter(&self) -> impl Iterator<Item = ((usize, usize), &T)> {
        self.values.indexed_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gis_convention_centres() {
        // gdal_grid -txe 0 10 -tye 0 5 -outsize 10 5: first centre (0.5, 4.5), last (9.5, 0.5).
        let g = GridGeometry::new(0.0, 5.0, 1.0, -1.0, 10, 5).unwrap();
        assert_eq!(g.centre(0, 0), Point::new(0.5, 4.5));
        assert_eq!(g.centre(4, 9), Point::new(9.5, 0.5));
        assert_eq!(g.cell_at(Point::new(9.9, 0.1)), Some((4, 9)));
        assert_eq!(g.cell_at(Point::new(10.1, 0.1)), None);
    }

    #[test]
    fn covering_rounds_up() {
        let g = GridGeometry::covering(Point::new(0.0, 0.0), Point::new(10.2, 5.0), 0.5).unwrap();
        assert_eq!((g.cols(), g.rows()), (21, 10));
        assert_eq!(g.cell_area(), 0.25);
        assert!(GridGeometry::covering(Point::new(0.0, 0.0), Point::new(1.0, 1.0), 0.0).is_err());
    }
}
