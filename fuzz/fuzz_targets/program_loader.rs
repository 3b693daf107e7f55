//! Program files: any bytes given to the program loader against the built-in catalog. The
//! loader must return diagnostics, never panic, and every diagnostic must render.
#![no_main]

use std::sync::OnceLock;

use avtrace_catalog::Sources;
use avtrace_model::Catalog;
use libfuzzer_sys::fuzz_target;

fn builtin() -> &'static (Sources, Catalog) {
    static BUILTIN: OnceLock<(Sources, Catalog)> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let mut sources = Sources::new();
        let files = avtrace_catalog::add_builtin(&mut sources);
        let catalog = avtrace_catalog::load_catalog(&sources, &files).value.expect("the built-in catalog loads");
        (sources, catalog)
    })
}

fuzz_target!(|data: &[u8]| {
    // Files that are not UTF-8 are refused before the loader sees them.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (base, catalog) = builtin();
    let mut sources = base.clone();
    let file = sources.add("fuzz/program.toml", text);
    let loaded = avtrace_catalog::load_program(&sources, file, catalog);
    for d in &loaded.diagnostics {
        let _ = avtrace_catalog::render(&sources, d);
    }
    if let Some(program) = &loaded.value {
        for d in avtrace_catalog::confusable_program_ids(&sources, program) {
            let _ = avtrace_catalog::render(&sources, &d);
        }
    }
});
