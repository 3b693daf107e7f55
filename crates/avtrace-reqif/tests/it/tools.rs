//! Finding the external validators: `xmllint` and the Python venv with `reqif` and
//! `xmlschema`. When one is missing, a test fails under CI (env `CI` set) with the command
//! that installs it, and otherwise prints a skip notice and returns `None`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The ReqIF reference files (OMG schema, real exports, hand-made negatives, validation
/// scripts), kept in the repository under `tests/reqif/` so the tests run anywhere.
pub fn shared_reqif() -> PathBuf {
    workspace_root().join("tests/reqif")
}

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn missing(what: &str, install: &str) -> Option<PathBuf> {
    if std::env::var_os("CI").is_some() {
        panic!("{what} is missing; install it with: {install}");
    }
    eprintln!("SKIPPED: {what} is missing (install it with: {install})");
    None
}

/// `xmllint`, from PATH.
pub fn xmllint() -> Option<PathBuf> {
    let found = Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success());
    if found { Some(PathBuf::from("xmllint")) } else { missing("xmllint", "apt-get install -y libxml2-utils") }
}

/// The Python of `.venv-test` at the workspace root, when it can import `reqif` and `xmlschema`.
pub fn venv_python() -> Option<PathBuf> {
    let python = workspace_root().join(".venv-test/bin/python");
    let ok = Command::new(&python).args(["-c", "import reqif, xmlschema"]).output().is_ok_and(|o| o.status.success());
    if ok {
        Some(python)
    } else {
        missing(
            "the Python venv .venv-test with the reqif and xmlschema packages",
            "python3 -m venv .venv-test && .venv-test/bin/pip install reqif xmlschema (at the workspace root)",
        )
    }
}

/// The shared folder itself: without it the sample tests cannot run at all.
pub fn require_shared() -> PathBuf {
    let dir = shared_reqif();
    assert!(dir.join("samples").is_dir(), "the ReqIF reference files are missing at {}", dir.display());
    dir
}
