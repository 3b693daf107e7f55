//! Reading files and folders into a [`Sources`] map.

use std::path::{Path, PathBuf};

use avtrace_model::FileIx;

use crate::diag::{Diagnostic, Sources};
use crate::load::{CatalogFile, role_of};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// Files larger than this are refused: spans are 32-bit.
const MAX_FILE_BYTES: u64 = u32::MAX as u64;

/// A file or folder that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused.
    #[error("cannot read {path}: {source}")]
    Io {
        /// What was being read.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{path} is not UTF-8 text (byte {offset} is not valid UTF-8)")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The first bad byte.
        offset: usize,
    },
    /// The file is too large to be a catalog or program.
    #[error("{path} is larger than 4 GiB")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// A catalog folder holds no TOML file.
    #[error("{path} holds no .toml file")]
    EmptyCatalog {
        /// The folder.
        path: PathBuf,
    },
}

/// Adds the built-in catalog to `sources`, its files named `standards/...`.
pub fn add_builtin(sources: &mut Sources) -> Vec<CatalogFile> {
    builtin::BUILTIN
        .iter()
        .map(|(relative, text)| CatalogFile {
            file: sources.add(format!("standards/{relative}"), *text),
            role: role_of(relative),
        })
        .collect()
}

/// How many files the built-in catalog has.
pub fn builtin_file_count() -> usize {
    builtin::BUILTIN.len()
}

/// Reads one file into `sources`.
pub fn add_file(sources: &mut Sources, path: &Path) -> Result<FileIx, ReadError> {
    let io = |source| ReadError::Io { path: path.to_owned(), source };
    let metadata = std::fs::metadata(path).map_err(io)?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { path: path.to_owned() });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let text = String::from_utf8(bytes)
        .map_err(|e| ReadError::NotUtf8 { path: path.to_owned(), offset: e.utf8_error().valid_up_to() })?;
    Ok(sources.add(path.display().to_string(), text))
}

/// Reads every `*.toml` under `dir`, recursively, in sorted path order.
pub fn add_catalog_dir(sources: &mut Sources, dir: &Path) -> Result<Vec<CatalogFile>, ReadError> {
    let mut found = Vec::new();
    collect(dir, dir, &mut found)?;
    if found.is_empty() {
        return Err(ReadError::EmptyCatalog { path: dir.to_owned() });
    }
    found.sort();
    found
        .into_iter()
        .map(|(relative, path)| Ok(CatalogFile { file: add_file(sources, &path)?, role: role_of(&relative) }))
        .collect()
}

fn collect(root: &Path, dir: &Path, found: &mut Vec<(String, PathBuf)>) -> Result<(), ReadError> {
    let io = |source| ReadError::Io { path: dir.to_owned(), source };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.is_dir() {
            collect(root, &path, found)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let relative = path.strip_prefix(root).unwrap_or(&path);
            let relative = relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            found.push((relative, path));
        }
    }
    Ok(())
}

/// A program's files as read: the main file, the files its `include` patterns matched (in
/// pattern order, each pattern's matches sorted by path, none twice), and what went wrong
/// while expanding them.
#[derive(Debug)]
pub struct ProgramInput {
    /// The main file (with the `[program]` table).
    pub main: FileIx,
    /// The included files.
    pub includes: Vec<FileIx>,
    /// Patterns that matched nothing, files that could not be read: each at its pattern.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads a program's main file and every file its `include` patterns match (globs relative
/// to the main file's folder: `requirements/*.toml`, `parts/**/*.toml`).
///
/// Only the main file being unreadable is an `Err`; a bad pattern, a pattern that matches
/// nothing or an unreadable included file is a diagnostic at the pattern, so that every
/// problem is reported at once.
pub fn add_program(sources: &mut Sources, path: &Path) -> Result<ProgramInput, ReadError> {
    let main = add_file(sources, path)?;
    let patterns = crate::program::include_patterns(sources, main);
    let base = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut seen: Vec<PathBuf> = vec![std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())];
    let mut includes = Vec::new();
    let mut diagnostics = Vec::new();
    for pattern in patterns {
        let at = Some(avtrace_model::Span::new(main, pattern.span()));
        let written = pattern.get_ref();
        let full = base.join(written);
        let matches = match glob::glob(&full.to_string_lossy()) {
            Ok(paths) => paths,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    "invalid-include",
                    at,
                    format!("`{written}` is not a valid file pattern: {}", e.msg),
                ));
                continue;
            }
        };
        let mut found: Vec<PathBuf> = Vec::new();
        for entry in matches {
            match entry {
                Ok(p) if p.is_dir() => {}
                Ok(p) => found.push(p),
                Err(e) => diagnostics.push(Diagnostic::error(
                    "unreadable-include",
                    at,
                    format!("cannot read {}: {}", e.path().display(), e.error()),
                )),
            }
        }
        found.sort();
        if found.is_empty() {
            let is_glob = written.contains(['*', '?', '[']);
            diagnostics.push(if is_glob {
                Diagnostic::warning("empty-include", at, format!("`{written}` matches no file"))
            } else {
                Diagnostic::error("unreadable-include", at, format!("included file {} does not exist", full.display()))
            });
        }
        for p in found {
            let canonical = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            if seen.contains(&canonical) {
                continue;
            }
            seen.push(canonical);
            match add_file(sources, &p) {
                Ok(file) => includes.push(file),
                Err(e) => diagnostics.push(Diagnostic::error("unreadable-include", at, e.to_string())),
            }
        }
    }
    Ok(ProgramInput { main, includes, diagnostics })
}
