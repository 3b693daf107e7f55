//! `.reqif` documents: any bytes through the streaming importer and, when they import,
//! into a program file that is loaded back, as `avtrace import reqif` does.
#![no_main]

use std::sync::OnceLock;

use avtrace_catalog::Sources;
use avtrace_exchange::{ExportNames, ProgramOptions};
use avtrace_model::Catalog;
use avtrace_reqif::{Field, ImportOptions};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut sources = Sources::new();
        let files = avtrace_catalog::add_builtin(&mut sources);
        avtrace_catalog::load_catalog(&sources, &files).value.expect("the built-in catalog loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions::new().map_attribute(ExportNames::VERIFIED_BY, Field::VerifiedBy);
    let Ok(doc) = avtrace_reqif::import_reader(data, "fuzz.reqif", &options) else { return };
    let program_options = ProgramOptions { fallback_name: "Fuzz".to_owned(), ..ProgramOptions::default() };
    let Ok(outcome) = avtrace_exchange::program_from_reqif(doc, catalog(), &program_options) else { return };
    let text = outcome.program.to_toml(&["fuzz"]);
    let mut sources = Sources::new();
    let file = sources.add("fuzz/imported.toml", text);
    let loaded = avtrace_catalog::load_program(&sources, file, catalog());
    for d in &loaded.diagnostics {
        let _ = avtrace_catalog::render(&sources, d);
    }
});
