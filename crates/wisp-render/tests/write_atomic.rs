use std::path::Path;
use wisp_render::{write_atomic, RenderErrorKind};

#[test]
fn replaces_an_existing_file_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("map.png");
    std::fs::write(&target, b"old contents, longer than the new").unwrap();
    write_atomic(&target, b"new").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"new");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("map.png")]);
}

#[test]
fn creates_a_new_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.pdf");
    write_atomic(&target, b"%PDF-").unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b"%PDF-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_ne!(mode & 0o600, 0, "owner can read and write");
    }
}

#[test]
fn missing_directory_is_an_error_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no-such-dir").join("map.png");
    let err = write_atomic(&target, b"x").unwrap_err();
    assert!(matches!(err.kind(), RenderErrorKind::Write { .. }));
    assert!(
        err.to_string().contains(&target.display().to_string()),
        "{err}"
    );
    assert!(!target.exists());
}

#[test]
fn a_path_without_a_file_name_is_refused() {
    let err = write_atomic(Path::new(""), b"x").unwrap_err();
    assert!(matches!(err.kind(), RenderErrorKind::NotAFile { .. }));
    let err = write_atomic(Path::new("/"), b"x").unwrap_err();
    assert!(matches!(err.kind(), RenderErrorKind::NotAFile { .. }));
}
