//! Lists of plan points: CSV `x,y` per line (an optional header row naming `x` and `y`, `#`
//! comments), such as the mounting points `wisp plan --allowed-points` may use.

use crate::error::quote;
use crate::IngestError;
use std::path::Path;
use wisp_model::Point;

/// The largest points file read: 16 MiB (a million points; far beyond any floor's ceiling grid).
pub const MAX_POINTS_BYTES: u64 = 16 << 20;

/// Parses a points CSV; errors name the line.
pub fn parse_points(text: &str) -> Result<Vec<Point>, IngestError> {
    let mut out = Vec::new();
    let mut cols: Option<[usize; 2]> = None;
    let mut first = true;
    for (line, rec) in crate::text::small_csv_rows(text, "points")? {
        if std::mem::take(&mut first) && rec.get(0).unwrap_or("").parse::<f64>().is_err() {
            let find = |n: &str| rec.iter().position(|f| f.eq_ignore_ascii_case(n));
            let (Some(x), Some(y)) = (find("x"), find("y")) else {
                return Err(IngestError::syntax(format!(
                    "points header '{}': expected columns x,y",
                    quote(&rec.iter().collect::<Vec<_>>().join(","))
                ))
                .line(line));
            };
            cols = Some([x, y]);
            continue;
        }
        let [cx, cy] = cols.unwrap_or([0, 1]);
        let num = |i: usize, what: &str| crate::text::small_csv_number(&rec, i, what, line);
        out.push(Point::new(num(cx, "x")?, num(cy, "y")?));
    }
    Ok(out)
}

/// Reads a points file (at most [`MAX_POINTS_BYTES`]); errors name the file and line.
pub fn load_points(path: &Path) -> Result<Vec<Point>, IngestError> {
    let bytes = crate::read_limited(path, MAX_POINTS_BYTES)?;
    let text = crate::text::decode(&bytes).map_err(|e| e.at(path))?;
    parse_points(&text).map_err(|e| e.at(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_with_and_without_header() {
        let p = parse_points("# ceiling grid\n10,20\n\n30.5, 40\n").unwrap();
        assert_eq!(p, vec![Point::new(10.0, 20.0), Point::new(30.5, 40.0)]);
        let h = parse_points("label,y,x\nA,2,1\nB,4,3\n").unwrap();
        assert_eq!(h, vec![Point::new(1.0, 2.0), Point::new(3.0, 4.0)]);
        let e = parse_points("x,y\n1,2\n3,nan\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("'nan'"), "{e}");
        let e = parse_points("a,b\n1,2\n").unwrap_err().to_string();
        assert!(e.contains("expected columns x,y"), "{e}");
    }
}
