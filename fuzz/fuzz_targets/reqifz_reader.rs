//! `.reqifz` archives: any bytes through the zip reader (entry names, sizes, compression
//! ratios, the documents inside).
#![no_main]

use avtrace_exchange::ExportNames;
use avtrace_reqif::{Field, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ImportOptions::new().map_attribute(ExportNames::VERIFIED_BY, Field::VerifiedBy);
    let _ = avtrace_reqif::import_reqifz(std::io::Cursor::new(data), "fuzz.reqifz", &options);
});
