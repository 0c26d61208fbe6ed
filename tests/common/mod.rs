//! What the integration tests share: running the `wisp` binary and loading the sample site.
// Each test file compiles this module on its own and uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `wisp` binary in `dir` as a user would.
pub fn wisp(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wisp"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("wisp runs")
}

/// The repository root (where `samples/` and `floorplans/` are).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped sample site, validated against the built-in profiles.
pub fn sample_site() -> wisp_ingest::Site {
    let names: Vec<String> = wisp_coverage::profiles::builtin()
        .into_iter()
        .map(|p| p.name)
        .collect();
    wisp_ingest::load_site(&root().join("samples/site.toml"), &names)
        .unwrap_or_else(|e| panic!("samples/site.toml does not validate: {e}"))
}

/// A verdict of the JSON outputs (`wisp_coverage::Verdict` in kebab case) as people read it.
pub fn shown(json_verdict: &serde_json::Value) -> String {
    match json_verdict.as_str().unwrap() {
        "pass" => "pass",
        "fail" => "FAIL",
        "not-enough-data" => "not enough data",
        other => panic!("unknown verdict {other}"),
    }
    .to_string()
}

/// The verdicts written in `text`, in order: `pass`, `FAIL` and `not enough data` as words
/// (the tables' "Pass" heading is capitalised and is not one). A table cell may wrap "not
/// enough data" with other cells' words between its words (pdftotext's layout puts a row's
/// second line after its first): a "not" followed by "enough" before any other verdict is the
/// verdict, and the next "data" its end.
pub fn verdict_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut not, mut data_to_come) = (false, false);
    for w in text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
    {
        match w {
            "pass" | "FAIL" => {
                out.push(w.to_string());
                not = false;
            }
            "not" => not = true,
            "enough" if not => {
                out.push("not enough data".to_string());
                (not, data_to_come) = (false, true);
            }
            "data" if data_to_come => data_to_come = false,
            _ => {}
        }
    }
    out
}

/// The text of `text` from the first `start` (after `after`) up to the next `end`.
pub fn section<'a>(text: &'a str, after: &str, start: &str, end: &str) -> &'a str {
    let from = text.find(after).unwrap_or_else(|| panic!("no '{after}'"));
    let s = from
        + text[from..]
            .find(start)
            .unwrap_or_else(|| panic!("no '{start}'"));
    let e = s + text[s..]
        .find(end)
        .unwrap_or_else(|| panic!("no '{end}' after '{start}'"));
    &text[s + start.len()..e]
}

/// The cells of each row of the HTML table under the heading `heading`, HTML entities of zone
/// names decoded.
pub fn html_rows(html: &str, heading: &str) -> Vec<Vec<String>> {
    let table = section(html, "<body", &format!("<h3>{heading}</h3>"), "</table>");
    table
        .split("<tr")
        .skip(1)
        .filter(|r| r.contains("<td>"))
        .map(|r| {
            r.split("<td>")
                .skip(1)
                .map(|c| {
                    c.split("</td>")
                        .next()
                        .unwrap()
                        .replace("&#39;", "'")
                        .replace("&amp;", "&")
                })
                .collect()
        })
        .collect()
}
