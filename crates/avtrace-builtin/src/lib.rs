//! The built-in catalog, ready to use: read and validated from `standards/` when avtrace is
//! built (a catalog with errors fails the build), decoded at run time without parsing TOML.
//!
//! The files stay embedded (by `avtrace-catalog`) so that diagnostics and `show` can still
//! quote them: [`builtin_catalog`] adds them to the caller's sources, and the decoded
//! catalog's spans point into them.

use avtrace_catalog::{CatalogFile, Sources};
use avtrace_model::Catalog;

static SNAPSHOT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/catalog.bin"));
static DIGESTS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/digests.bin"));

/// The SHA-256 of each built-in file's text, computed when avtrace was built, in the order
/// [`builtin_catalog`] returns the files.
pub fn builtin_digests() -> Vec<[u8; 32]> {
    DIGESTS.chunks_exact(32).map(|d| std::array::from_fn(|i| d[i])).collect()
}

/// Adds the built-in catalog's files to `sources` and returns them, with the catalog
/// decoded from the build's snapshot. The catalog is `None` when the build kept no snapshot
/// (its loading warned, and the warnings are the user's to see): load the files then.
pub fn builtin_catalog(sources: &mut Sources) -> (Vec<CatalogFile>, Option<Catalog>) {
    let files = avtrace_catalog::add_builtin(sources);
    let offset = files.first().map_or(0, |f| f.file.0);
    let catalog = if SNAPSHOT.is_empty() { None } else { avtrace_catalog::decode_catalog(SNAPSHOT, offset).ok() };
    (files, catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_snapshot_is_the_catalog_the_loader_reads_with_spans_into_the_files() {
        let mut sources = Sources::new();
        // Files already in the sources move the built-in ones; spans must follow.
        sources.add("program.toml", "[program]\n");
        let (files, catalog) = builtin_catalog(&mut sources);
        let catalog = catalog.expect("the build kept a snapshot");
        let loaded = avtrace_catalog::load_catalog(&sources, &files).value.expect("loads");
        assert_eq!(format!("{:?}", catalog.clauses), format!("{:?}", loaded.clauses));
        assert_eq!(format!("{:?}", catalog.markets), format!("{:?}", loaded.markets));
        let mandate = &catalog.markets[0].mandates[0];
        assert!(sources.position(mandate.span).starts_with("standards/markets/"), "{}", sources.position(mandate.span));
    }

    #[test]
    fn the_digests_are_the_files_digests() {
        use sha2::Digest as _;
        let mut sources = Sources::new();
        let (files, _) = builtin_catalog(&mut sources);
        let digests = builtin_digests();
        assert!(files.len() > 100 && digests.len() == files.len(), "{} digests, {} files", digests.len(), files.len());
        for (f, digest) in files.iter().zip(&digests) {
            let text = sources.file(f.file).text();
            assert_eq!(digest[..], sha2::Sha256::digest(text.as_bytes())[..], "{}", sources.file(f.file).path);
        }
    }
}
