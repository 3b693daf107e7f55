//! Loads and validates the built-in catalog (`standards/`, embedded by `avtrace-catalog`)
//! once, at build time, and writes it as a snapshot that every run decodes instead of
//! parsing its TOML. A catalog with errors fails the build, with the loader's diagnostics.
//! It also writes each file's SHA-256, from which reports name the catalog they used, so
//! that no run hashes the 800 KB of text again.

use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo::rerun-if-changed={}", manifest.join("../../standards").display());
    let mut sources = avtrace_catalog::Sources::new();
    let files = avtrace_catalog::add_builtin(&mut sources);
    let loaded = avtrace_catalog::load_catalog(&sources, &files);
    let errors: Vec<String> =
        loaded.diagnostics.iter().filter(|d| d.is_error()).map(|d| avtrace_catalog::render(&sources, d)).collect();
    if !errors.is_empty() {
        panic!("the built-in catalog (standards/) has {} error(s):\n{}", errors.len(), errors.join("\n"));
    }
    // A catalog whose loading warns is loaded from its TOML at run time, so that users see
    // the warnings; the snapshot is left empty.
    let bytes = match loaded.value {
        Some(catalog) if loaded.diagnostics.is_empty() => avtrace_catalog::encode_catalog(&catalog),
        _ => {
            for d in &loaded.diagnostics {
                println!("cargo::warning={}", d.message);
            }
            Vec::new()
        }
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("catalog.bin"), bytes).expect("OUT_DIR is writable");
    let digests: Vec<u8> = files
        .iter()
        .flat_map(|f| {
            use sha2::Digest as _;
            sha2::Sha256::digest(sources.file(f.file).text().as_bytes())
        })
        .collect();
    std::fs::write(out.join("digests.bin"), digests).expect("OUT_DIR is writable");
}
