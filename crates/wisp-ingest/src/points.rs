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

/// Reads a CSV of numeric columns `names`, found by its header row (a table such as `wisp grid`
/// reads: `x,y,value`); one row of `names.len()` numbers per data line. Errors name the file and
/// line; a table without data rows is an error.
pub fn load_columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<f64>>, IngestError> {
    let bytes = crate::read_limited(path, crate::MAX_CAPTURE_BYTES)?;
    let text = crate::text::decode(&bytes).map_err(|e| e.at(path))?;
    parse_columns(&text, names).map_err(|e| e.at(path))
}

/// [`load_columns`] on text already read.
pub fn parse_columns(text: &str, names: &[&str]) -> Result<Vec<Vec<f64>>, IngestError> {
    if let Some(rows) = plain_columns(text, names) {
        return Ok(rows);
    }
    csv_columns(text, names)
}

/// [`parse_columns`] for plain text, without the CSV reader (whose record per line, and the
/// text's two copies, were half of `wisp grid`'s time before its search on 10,000 points):
/// printable ASCII, tabs and line feeds only, no quotes, so a record is a line and a field
/// what lies between commas. The same rules: lines blank or starting with `#` (after
/// trimming) and rows of empty fields skipped, fields trimmed, the first row the header.
/// `None`, leaving the table to [`csv_columns`], for any other text and wherever that one
/// would fail, so every error comes from it, with its line.
fn plain_columns(text: &str, names: &[&str]) -> Option<Vec<Vec<f64>>> {
    let plain = |b: u8| b == b'\n' || b == b'\t' || ((b' '..=b'~').contains(&b) && b != b'"');
    if !text.bytes().all(plain) {
        return None;
    }
    let mut rows = text
        .split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter(|l| !l.split(',').all(|f| f.trim().is_empty()));
    let header: Vec<&str> = rows.next()?.split(',').map(str::trim).collect();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| header.iter().position(|h| h == n))
        .collect::<Option<_>>()?;
    let mut out = Vec::new();
    let mut fields: Vec<&str> = Vec::with_capacity(header.len());
    for line in rows {
        fields.clear();
        fields.extend(line.split(','));
        let row = idx
            .iter()
            .map(|&i| {
                let v = fields.get(i)?.trim().parse::<f64>().ok()?;
                v.is_finite().then_some(v)
            })
            .collect::<Option<Vec<f64>>>()?;
        out.push(row);
    }
    (!out.is_empty()).then_some(out)
}

/// [`parse_columns`] through the CSV reader: any text, errors with their line.
fn csv_columns(text: &str, names: &[&str]) -> Result<Vec<Vec<f64>>, IngestError> {
    let mut rows = crate::text::small_csv_rows(text, "table")?.into_iter();
    let Some((header_line, header)) = rows.next() else {
        return Err(IngestError::syntax(format!(
            "empty table: expected a header row {}",
            names.join(",")
        )));
    };
    let idx: Vec<usize> = names
        .iter()
        .map(|n| {
            header.iter().position(|h| h == *n).ok_or_else(|| {
                IngestError::syntax(format!(
                    "CSV header lacks the column '{n}' (expected {})",
                    names.join(",")
                ))
                .line(header_line)
            })
        })
        .collect::<Result<_, _>>()?;
    let out: Vec<Vec<f64>> = rows
        .map(|(line, rec)| {
            idx.iter()
                .zip(names)
                .map(|(&i, n)| crate::text::small_csv_number(&rec, i, n, line))
                .collect()
        })
        .collect::<Result<_, _>>()?;
    if out.is_empty() {
        return Err(IngestError::syntax("no data rows"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    /// The plain-text path against the CSV reader's, on random tables made of the characters
    /// that matter to either (quotes, carriage returns, tabs, comments, blanks, signs,
    /// exponents, non-numbers, short rows, a non-ASCII space): the same rows wherever the
    /// plain path answers, and it declines (so the reader answers, errors and all) otherwise.
    #[test]
    fn plain_columns_equal_the_csv_reader() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(16);
        let bits = [
            "1", "2.5", "-3", "4e2", "+7", "inf", "nan", "x", "y", "value", " ", "\t", ",", ",",
            "\n", "\n", "\r\n", "\r", "#", "\"", "\u{a0}", ".", "-",
        ];
        let names = ["x", "y", "value"];
        let (mut answered, mut tables) = (0, 0);
        for _ in 0..20_000 {
            let mut t = String::new();
            if rng.random_bool(0.8) {
                let header = ["x,y,value", " value , x,y", "# c\n\nx, y ,value,z", "x,y"];
                t.push_str(header[rng.random_range(0..header.len())]);
                t.push('\n');
            }
            // Rows of numbers, then a few of the characters above anywhere (or none).
            for _ in 0..rng.random_range(0..6) {
                let fields: Vec<&str> = (0..rng.random_range(2..5))
                    .map(|_| bits[rng.random_range(0..5)])
                    .collect();
                t.push_str(&fields.join([",", " , ", ",\t"][rng.random_range(0..3)]));
                t.push_str(["\n", "\n\n", "\n  # note\n", "\n , ,\n"][rng.random_range(0..4)]);
            }
            for _ in 0..rng.random_range(0..3) {
                let at = rng.random_range(0..=t.len());
                if t.is_char_boundary(at) {
                    t.insert_str(at, bits[rng.random_range(0..bits.len())]);
                }
            }
            tables += 1;
            let reader = super::csv_columns(&t, &names).ok();
            if let Some(rows) = super::plain_columns(&t, &names) {
                answered += 1;
                assert_eq!(Some(rows), reader, "{t:?}");
            }
        }
        // Enough of both kinds to mean something.
        assert!(
            answered > tables / 20 && answered < tables,
            "{answered} of {tables}"
        );
    }

    #[test]
    fn columns_by_header_with_lines_in_errors() {
        let t = "# survey points\nvalue, x,y\n-60,1,2\n\n-70,3,4\n";
        let rows = super::parse_columns(t, &["x", "y", "value"]).unwrap();
        assert_eq!(rows, vec![vec![1.0, 2.0, -60.0], vec![3.0, 4.0, -70.0]]);
        let e = super::parse_columns("x,y\n1,2\n", &["x", "y", "value"]).unwrap_err();
        assert_eq!(e.line_number(), Some(1), "{e}");
        assert!(e.to_string().contains("'value'"), "{e}");
        let e = super::parse_columns("x,y,value\n1,2,-60\n1,nan,-60\n", &["x", "y", "value"])
            .unwrap_err();
        assert_eq!(e.to_string(), "line 3: y 'nan' is not a number");
        assert!(super::parse_columns("x,y,value\n", &["x", "y", "value"]).is_err());
    }

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
