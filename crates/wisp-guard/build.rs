//! Stamps the compiler's version into the binary: instruction counts belong to one compiler, so a
//! baseline records the rustc that built it and the guard says so when the two differ.

fn main() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-V")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=WISP_GUARD_RUSTC={version}");
    println!("cargo:rerun-if-env-changed=RUSTC");
}
