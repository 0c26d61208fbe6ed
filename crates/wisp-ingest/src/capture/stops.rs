//! Stop-and-go surveys: many captures, each taken standing at one point.
//!
//! A surveyor who stops at each point and saves one scanner output there gives each file its
//! position in one of two ways: a points CSV (`file,x,y` per row, an optional header naming
//! `file`, `x`, `y`; `#` comments) or `FILE@X,Y` on the command line. Surveys already written
//! (survey JSONs of the same site) merge into one ([`merge_surveys`]), a scan present in two of
//! them kept once. Two captures at the same point and the same time are most likely one file
//! saved twice, or a copy-paste slip in the points file, and are reported
//! ([`same_point_and_time`]); they are not dropped, since the surveyor may have meant it.
//!
//! A site manifest lists many stop-and-go captures in one entry with a glob and a points file
//! ([`glob_with_points`]): every file the glob matches must have its row, and every row its file.

use crate::error::quote;
use crate::IngestError;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use wisp_model::{Point, Sample, Survey, SurveyFloor};

/// One capture file and the point it was taken at (in the units the caller says).
#[derive(Debug, Clone, PartialEq)]
pub struct CapturePoint {
    /// The file as written (relative to the points file's folder when it came from one).
    pub file: String,
    pub at: Point,
    /// Line of the points file (1-based), when it came from one.
    pub line: Option<usize>,
}

/// Parses a points CSV of `file,x,y` rows; errors name the line. A file listed twice is an
/// error naming both lines (one capture cannot be at two points).
pub fn parse_capture_points(text: &str) -> Result<Vec<CapturePoint>, IngestError> {
    let mut out: Vec<CapturePoint> = Vec::new();
    let mut cols = [0, 1, 2];
    let mut first = true;
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (line, rec) in crate::text::small_csv_rows(text, "points")? {
        let field = |i: usize| rec.get(i).unwrap_or("").trim();
        if std::mem::take(&mut first)
            && field(1).parse::<f64>().is_err()
            && field(2).parse::<f64>().is_err()
        {
            let find = |n: &str| rec.iter().position(|f| f.trim().eq_ignore_ascii_case(n));
            let (Some(f), Some(x), Some(y)) = (find("file"), find("x"), find("y")) else {
                return Err(IngestError::syntax(format!(
                    "points header '{}': expected columns file,x,y",
                    quote(&rec.iter().collect::<Vec<_>>().join(","))
                ))
                .line(line));
            };
            cols = [f, x, y];
            continue;
        }
        let [cf, cx, cy] = cols;
        let num = |i: usize, what: &str| crate::text::small_csv_number(&rec, i, what, line);
        let file = field(cf).to_string();
        if file.is_empty() {
            return Err(IngestError::invalid("no file name (expected file,x,y)").line(line));
        }
        if let Some(prev) = seen.insert(file.clone(), line) {
            return Err(IngestError::invalid(format!(
                "'{}' is listed on lines {prev} and {line}: one capture is taken at one point",
                quote(&file)
            ))
            .line(line));
        }
        out.push(CapturePoint {
            file,
            at: Point::new(num(cx, "x")?, num(cy, "y")?),
            line: Some(line),
        });
    }
    Ok(out)
}

/// Reads the points CSV at `path` ([`parse_capture_points`], bounded by
/// [`crate::points::MAX_POINTS_BYTES`]); errors name the file and line. Each row's file is
/// resolved against the points file's folder.
pub fn load_capture_points(path: &Path) -> Result<Vec<(PathBuf, CapturePoint)>, IngestError> {
    let bytes = crate::read_limited(path, crate::points::MAX_POINTS_BYTES)?;
    let text = crate::text::decode(&bytes).map_err(|e| e.at(path))?;
    let rows = parse_capture_points(&text).map_err(|e| e.at(path))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    Ok(rows.into_iter().map(|r| (dir.join(&r.file), r)).collect())
}

/// The captures of a manifest's stop-and-go entry: every file in the folder of `pattern`
/// (relative to `dir`) whose name matches the pattern's last part ([`glob_matches`]), in
/// file-name order, each with the position of its row in the points CSV at `points` (rows'
/// files relative to the points file's folder, as for `wisp ingest --points`). A matched file
/// without a row is an error naming it (the caller adds the manifest's line); a row whose file
/// the glob does not match is an error at that row's `file:line`.
pub fn glob_with_points(
    dir: &Path,
    pattern: &str,
    points: &Path,
) -> Result<Vec<(PathBuf, CapturePoint)>, IngestError> {
    let (folder, name_pattern) = match pattern.rsplit_once('/') {
        Some((folder, name)) => (dir.join(folder), name),
        None => (dir.to_path_buf(), pattern),
    };
    if name_pattern.is_empty() || pattern[..pattern.len() - name_pattern.len()].contains(['*', '?'])
    {
        return Err(IngestError::invalid(format!(
            "glob '{}': only the file name may hold * or ? (the folder is written out)",
            quote(pattern)
        )));
    }
    let entries = std::fs::read_dir(&folder).map_err(|e| IngestError::io(&folder, e))?;
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| IngestError::io(&folder, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if glob_matches(name_pattern, &name) && entry.path().is_file() {
            names.push(name);
        }
    }
    // Byte order of the names: the same on every file system and in every locale.
    names.sort();
    let rows = load_capture_points(points)?;
    let mut at: HashMap<PathBuf, CapturePoint> = HashMap::new();
    let matched: Vec<PathBuf> = names.iter().map(|n| folder.join(n)).collect();
    let keys: Vec<PathBuf> = matched.iter().map(|p| normalise(p)).collect();
    for (path, row) in &rows {
        let key = normalise(path);
        if !keys.contains(&key) {
            let why = if path.is_file() {
                "not a file the glob matches"
            } else {
                "no such file"
            };
            return Err(IngestError::invalid(format!(
                "'{}': {why} (glob '{}')",
                quote(&row.file),
                quote(pattern)
            ))
            .at(points)
            .line(row.line.unwrap_or(1)));
        }
        at.insert(key, row.clone());
    }
    if matched.is_empty() {
        return Err(IngestError::invalid(format!(
            "glob '{}' matches no file in {}",
            quote(pattern),
            folder.display()
        )));
    }
    matched
        .into_iter()
        .zip(keys)
        .map(|(path, key)| match at.remove(&key) {
            Some(p) => Ok((path, p)),
            None => Err(IngestError::invalid(format!(
                "{} matches glob '{}' but has no row in {}",
                path.display(),
                quote(pattern),
                points.display()
            ))),
        })
        .collect()
}

/// Whether `name` matches `pattern`: `*` stands for any run of characters (none included), `?`
/// for one character, anything else for itself. The classic two-pointer match: linear in
/// practice, never exponential.
pub fn glob_matches(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut i, mut j) = (0, 0);
    // After the last `*`: where in the pattern, and the name position it was tried at.
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || (p[i] != '*' && p[i] == n[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            // Let the last `*` swallow one more character.
            star = Some((si, sj + 1));
            i = si + 1;
            j = sj + 1;
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// `path` with `.` dropped and `..` applied to the part before it, without asking the file
/// system: two spellings of one file compare equal.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if out.file_name().is_some() => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Reads `FILE@X,Y` (the last `@` splits, so a file name may hold one); `None` when the
/// argument has no `@` followed by two numbers, i.e. it is a plain file name.
pub fn parse_at_argument(arg: &str) -> Option<CapturePoint> {
    let (file, xy) = arg.rsplit_once('@')?;
    let (x, y) = xy.split_once(',')?;
    let num = |s: &str| s.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    if file.is_empty() {
        return None;
    }
    Some(CapturePoint {
        file: file.to_string(),
        at: Point::new(num(x)?, num(y)?),
        line: None,
    })
}

/// Pairs of sources (first scan's `source` of each) whose scans were taken at the same point
/// and the same time but come from different files: (`file:line` of one, of the other). A
/// file is a source's part before its last `:` or `#`.
pub fn same_point_and_time(samples: &[Sample]) -> Vec<(String, String)> {
    let file_of = |s: &str| {
        s.rfind([':', '#'])
            .map_or(s.to_string(), |i| s[..i].to_string())
    };
    // (x bits, y bits, t) → first sample's source.
    let mut first: BTreeMap<(u64, u64, String), &str> = BTreeMap::new();
    let mut out = Vec::new();
    for s in samples {
        let Some(t) = &s.t else { continue };
        let key = (s.x_m.to_bits(), s.y_m.to_bits(), t.clone());
        match first.get(&key) {
            Some(prev) if file_of(prev) != file_of(&s.source) => {
                let pair = (prev.to_string(), s.source.clone());
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
            Some(_) => {}
            None => {
                first.insert(key, &s.source);
            }
        }
    }
    out
}

/// What [`merge_surveys`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeReport {
    /// Scans found in more than one survey (same floor, place, time, source and readings),
    /// kept once: how many were dropped, with the sources of the first few.
    pub duplicates: usize,
    pub duplicate_sources: Vec<String>,
}

/// Merges surveys of one site into one: floors in order of first appearance, each floor's
/// samples in input order. A sample equal in every field to one already kept (the same scan
/// ingested into two of the files) is kept once and counted.
pub fn merge_surveys(surveys: Vec<Survey>) -> (Survey, MergeReport) {
    let mut floors: Vec<SurveyFloor> = Vec::new();
    let mut report = MergeReport::default();
    for survey in surveys {
        for floor in survey.floors {
            let at = match floors.iter().position(|f| f.id == floor.id) {
                Some(i) => i,
                None => {
                    floors.push(SurveyFloor {
                        id: floor.id.clone(),
                        samples: Vec::new(),
                    });
                    floors.len() - 1
                }
            };
            for s in floor.samples {
                if floors[at].samples.contains(&s) {
                    report.duplicates += 1;
                    if report.duplicate_sources.len() < 5 {
                        report.duplicate_sources.push(s.source.clone());
                    }
                } else {
                    floors[at].samples.push(s);
                }
            }
        }
    }
    (Survey::new(floors), report)
}

#[cfg(test)]
mod tests {
    #[test]
    fn glob_matching_by_hand() {
        use super::glob_matches as m;
        assert!(m("*.txt", "p1.txt") && m("*.txt", ".txt") && m("p?.txt", "p1.txt"));
        assert!(m("*", "") && m("a*b*c", "axxbyyc") && m("a*b", "abab") && m("*é", "café"));
        assert!(!m("p?.txt", "p10.txt") && !m("*.txt", "p1.txt.bak") && !m("a*b", "aba"));
        assert!(!m("", "x") && !m("?", "") && !m("p1.TXT", "p1.txt"));
        // Many stars against a long name that fails only at its end (the case that makes a
        // naive backtracking matcher exponential).
        let pattern = format!("{}b", "*a".repeat(20));
        assert!(!m(&pattern, &"a".repeat(5_000)));
        assert!(m(&pattern, &format!("{}b", "a".repeat(5_000))));
    }

    use super::*;
    use wisp_model::{Channel, Observation};

    #[test]
    fn points_files_with_and_without_header() {
        let p =
            parse_capture_points("# stops\nscan-01.txt,10,20\nscan 02.txt, 30.5 ,40\n").unwrap();
        assert_eq!(
            p,
            vec![
                CapturePoint {
                    file: "scan-01.txt".into(),
                    at: Point::new(10.0, 20.0),
                    line: Some(2)
                },
                CapturePoint {
                    file: "scan 02.txt".into(),
                    at: Point::new(30.5, 40.0),
                    line: Some(3)
                },
            ]
        );
        let h = parse_capture_points("x,y,file\n1,2,a.txt\n").unwrap();
        assert_eq!(
            (h[0].file.as_str(), h[0].at),
            ("a.txt", Point::new(1.0, 2.0))
        );
        let e = parse_capture_points("a.txt,1,2\nb.txt,3,x\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2") && e.contains("y 'x' is not a number"),
            "{e}"
        );
        let e = parse_capture_points("a.txt,1,2\nb.txt,3,4\na.txt,5,6\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("lines 1 and 3"), "{e}");
        let e = parse_capture_points("name,east,north\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected columns file,x,y"), "{e}");
    }

    #[test]
    fn at_arguments() {
        let p = parse_at_argument("ward7@bed3.txt@12.5,-3").unwrap();
        assert_eq!(
            (p.file.as_str(), p.at),
            ("ward7@bed3.txt", Point::new(12.5, -3.0))
        );
        assert_eq!(parse_at_argument("plain.txt"), None);
        assert_eq!(parse_at_argument("a@b.txt"), None);
        assert_eq!(parse_at_argument("a.txt@1,nan"), None);
        assert_eq!(parse_at_argument("@1,2"), None);
    }

    fn sample(x: f64, t: Option<&str>, source: &str, rssi: f64) -> Sample {
        let o = Observation::new(
            "aa:bb:cc:dd:ee:01".parse().unwrap(),
            None,
            Channel::from_freq(5180).unwrap(),
            rssi,
            None,
        )
        .unwrap();
        Sample {
            x_m: x,
            y_m: 0.0,
            t: t.map(str::to_string),
            source: source.into(),
            observations: vec![o],
            stale: Vec::new(),
        }
    }

    #[test]
    fn same_point_and_time_across_files_only() {
        let t = Some("2026-11-02T10:04:05.000Z");
        let s = vec![
            sample(1.0, t, "a.txt:1", -60.0),
            sample(1.0, t, "a.txt:9", -61.0), // same file: one capture's two runs
            sample(1.0, t, "b.txt:1", -62.0), // another file, same point and time
            sample(2.0, t, "c.txt:1", -60.0), // another point
            sample(1.0, None, "d.txt:1", -60.0), // no time
        ];
        assert_eq!(
            same_point_and_time(&s),
            vec![("a.txt:1".to_string(), "b.txt:1".to_string())]
        );
    }

    #[test]
    fn merging_keeps_every_scan_once() {
        let t = Some("2026-11-02T10:04:05.000Z");
        let a = Survey::new(vec![SurveyFloor {
            id: "L1".into(),
            samples: vec![
                sample(1.0, t, "a.txt:1", -60.0),
                sample(2.0, t, "b.txt:1", -70.0),
            ],
        }]);
        let b = Survey::new(vec![
            SurveyFloor {
                id: "L2".into(),
                samples: vec![sample(1.0, t, "c.txt:1", -65.0)],
            },
            SurveyFloor {
                id: "L1".into(),
                samples: vec![
                    sample(2.0, t, "b.txt:1", -70.0), // in both: kept once
                    sample(2.0, t, "b.txt:1", -71.0), // differs in a reading: another scan
                ],
            },
        ]);
        let (m, r) = merge_surveys(vec![a, b]);
        let shape: Vec<(&str, Vec<f64>)> = m
            .floors
            .iter()
            .map(|f| {
                (
                    f.id.as_str(),
                    f.samples
                        .iter()
                        .map(|s| s.observations[0].rssi_dbm)
                        .collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![("L1", vec![-60.0, -70.0, -71.0]), ("L2", vec![-65.0])]
        );
        assert_eq!(
            r,
            MergeReport {
                duplicates: 1,
                duplicate_sources: vec!["b.txt:1".into()]
            }
        );
    }
}
