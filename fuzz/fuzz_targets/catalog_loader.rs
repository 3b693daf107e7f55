//! Catalog files: the first byte chooses what the rest is (instrument, mapping, market or
//! vocabulary file), loaded beside the small test catalog it can refer to. The loader must
//! return diagnostics, never panic, and every diagnostic must render.
#![no_main]

use avtrace_catalog::{CatalogFile, Role, Sources};
use libfuzzer_sys::fuzz_target;

const MINI: [(&str, &str, Role); 5] = [
    (
        "mini/instruments/test-reg.toml",
        include_str!("../../tests/fixtures/mini-catalog/instruments/test-reg.toml"),
        Role::Instrument,
    ),
    (
        "mini/instruments/test-std.toml",
        include_str!("../../tests/fixtures/mini-catalog/instruments/test-std.toml"),
        Role::Instrument,
    ),
    (
        "mini/mappings/test-reg--test-std.toml",
        include_str!("../../tests/fixtures/mini-catalog/mappings/test-reg--test-std.toml"),
        Role::Mapping,
    ),
    ("mini/markets/tm.toml", include_str!("../../tests/fixtures/mini-catalog/markets/tm.toml"), Role::Market),
    ("mini/markets/tn.toml", include_str!("../../tests/fixtures/mini-catalog/markets/tn.toml"), Role::Market),
];

fuzz_target!(|data: &[u8]| {
    let Some((&role, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let role = match role % 4 {
        0 => Role::Instrument,
        1 => Role::Mapping,
        2 => Role::Market,
        _ => Role::Vocabulary,
    };
    let mut sources = Sources::new();
    let mut files: Vec<CatalogFile> =
        MINI.iter().map(|(path, text, role)| CatalogFile { file: sources.add(*path, *text), role: *role }).collect();
    files.push(CatalogFile { file: sources.add("fuzz/file.toml", text), role });
    let loaded = avtrace_catalog::load_catalog(&sources, &files);
    for d in &loaded.diagnostics {
        let _ = avtrace_catalog::render(&sources, d);
    }
    if let Some(catalog) = &loaded.value {
        for d in avtrace_catalog::confusable_catalog_ids(&sources, catalog) {
            let _ = avtrace_catalog::render(&sources, &d);
        }
    }
});
