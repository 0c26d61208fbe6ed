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
