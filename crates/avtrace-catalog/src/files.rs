//! Reading files and folders into a [`Sources`] map.

use std::path::{Path, PathBuf};

use avtrace_model::FileIx;

use crate::diag::{Diagnostic, Sources};
use crate::load::{CatalogFile, role_of};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// Files larger than this are refused. A catalog or program is text written by people or
/// exported by tools: a generated 1,000,000-requirement program is some 200 MiB. The limit
/// also bounds what is read from standard input or from a file whose size the system
/// reports as 0 (`/proc`), so that no input can take memory without end. A power of two, so
/// that the buffer's doublings end exactly at it.
pub const MAX_FILE_BYTES: u64 = 512 << 20;

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
    #[error(
        "{path}:{line}:{column}: not UTF-8 text: byte 0x{byte:02X} (offset {offset}) is not valid UTF-8; \
         save the file as UTF-8"
    )]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// The line of the first bad byte, from 1.
        line: usize,
        /// Its column in characters, from 1.
        column: usize,
        /// The first bad byte.
        byte: u8,
        /// Its offset from the start of the file.
        offset: usize,
    },
    /// The file is too large to be a catalog or program.
    #[error("{path} is larger than {} MiB, the limit for one input file", MAX_FILE_BYTES >> 20)]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
    /// The path names something other than a regular file: a FIFO would block, a device
    /// would never end, a folder is no text.
    #[error("{path} is {kind}, not a regular file (give a file, or `-` for standard input)")]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is instead, e.g. `a FIFO (named pipe)`.
        kind: &'static str,
    },
    /// A catalog folder reaches one folder twice through symbolic links (a loop, or two
    /// links to the same place); reading on would never end or read files twice.
    #[error("{path} leads to a folder already read as {first} (a symbolic link loop or a second link to it)")]
    FolderTwice {
        /// The link (or folder) reached second.
        path: PathBuf,
        /// Where the same folder was first reached.
        first: PathBuf,
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
            file: sources.add_static(format!("standards/{relative}"), text),
            role: role_of(relative),
        })
        .collect()
}

/// How many files the built-in catalog has.
pub fn builtin_file_count() -> usize {
    builtin::BUILTIN.len()
}

/// What a path that is not a regular file is, in words (`a FIFO (named pipe)`, `a folder`).
pub fn file_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() { "a folder" } else { "not a file" }
}

/// Opens `path` for reading if it is a regular file (symbolic links followed). The type is
/// checked before opening, so that a device is never opened, and again on the open file,
/// which is opened non-blocking so that a FIFO put in its place meanwhile cannot hang the
/// run. The size is the caller's to bound: a streamed ReqIF file may be larger than
/// [`MAX_FILE_BYTES`].
pub fn open_input(path: &Path) -> Result<std::fs::File, ReadError> {
    let io = |source| ReadError::Io { path: path.to_owned(), source };
    let checked = |metadata: std::fs::Metadata| {
        if metadata.is_file() {
            Ok(())
        } else {
            Err(ReadError::NotRegular { path: path.to_owned(), kind: file_kind(metadata.file_type()) })
        }
    };
    checked(std::fs::metadata(path).map_err(io)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Reading a regular file never blocks, so the flag changes nothing for what is read.
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path).map_err(io)?;
    checked(file.metadata().map_err(io)?)?;
    Ok(file)
}

/// Reads at most [`MAX_FILE_BYTES`] from `reader`; more is [`ReadError::TooLarge`].
fn read_limited(path: &Path, mut reader: impl std::io::Read, capacity: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    let io = |source| ReadError::Io { path: path.to_owned(), source };
    let mut bytes = Vec::with_capacity(usize::try_from(capacity.min(MAX_FILE_BYTES)).unwrap_or(0));
    (&mut reader).take(MAX_FILE_BYTES).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 == MAX_FILE_BYTES {
        // One more byte tells a file of exactly the limit from a longer one, without
        // growing the buffer past the limit to hold it.
        let mut probe = [0u8; 1];
        loop {
            match reader.read(&mut probe) {
                Ok(0) => break,
                Ok(_) => return Err(ReadError::TooLarge { path: path.to_owned() }),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io(e)),
            }
        }
    }
    Ok(bytes)
}

/// Whether `path` asks for standard input.
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The whole contents of `path` (a regular file, or standard input for `-`), within
/// [`MAX_FILE_BYTES`].
pub fn read_input(path: &Path) -> Result<Vec<u8>, ReadError> {
    if is_stdin(path) {
        return read_limited(Path::new("standard input"), std::io::stdin().lock(), 0);
    }
    let file = open_input(path)?;
    let len = file.metadata().map_or(0, |m| m.len());
    if len > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge { path: path.to_owned() });
    }
    read_limited(path, file, len)
}

/// Whether `path` is a regular file within [`MAX_FILE_BYTES`] that can be opened.
fn readable(path: &Path) -> Result<(), ReadError> {
    let file = open_input(path)?;
    match file.metadata() {
        Ok(m) if m.len() > MAX_FILE_BYTES => Err(ReadError::TooLarge { path: path.to_owned() }),
        _ => Ok(()),
    }
}

/// `bytes` as text, or where in `path` the first byte that is not UTF-8 is.
fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The prefix is valid UTF-8 by definition of `valid_up_to`.
        let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |n| n + 1);
        ReadError::NotUtf8 {
            path: path.to_owned(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            byte: bytes[offset],
            offset,
        }
    })
}

/// Reads one file (or standard input, for `-`) as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    utf8(path, read_input(path)?)
}

/// Reads one file (or standard input, for `-`) into `sources`.
pub fn add_file(sources: &mut Sources, path: &Path) -> Result<FileIx, ReadError> {
    let text = read_text(path)?;
    let name = if is_stdin(path) { "<stdin>".to_owned() } else { path.display().to_string() };
    Ok(sources.add(name, text))
}

/// Reads every `*.toml` under `dir`, recursively, in sorted path order. Symbolic links are
/// followed, but no folder is read twice: a link back to a folder being read (a loop) or a
/// second way to one already read is an error naming both paths.
pub fn add_catalog_dir(sources: &mut Sources, dir: &Path) -> Result<Vec<CatalogFile>, ReadError> {
    let mut found = Vec::new();
    let mut seen = Vec::new();
    collect(dir, dir, &mut seen, &mut found)?;
    if found.is_empty() {
        return Err(ReadError::EmptyCatalog { path: dir.to_owned() });
    }
    found.sort();
    found
        .into_iter()
        .map(|(relative, path)| Ok(CatalogFile { file: add_file(sources, &path)?, role: role_of(&relative) }))
        .collect()
}

/// What makes two paths the same folder: device and inode where there are such, else the
/// path with every link resolved.
#[cfg(unix)]
fn folder_identity(path: &Path, metadata: &std::fs::Metadata) -> Result<(u64, u64), ReadError> {
    use std::os::unix::fs::MetadataExt as _;
    let _ = path;
    Ok((metadata.dev(), metadata.ino()))
}

#[cfg(not(unix))]
fn folder_identity(path: &Path, _metadata: &std::fs::Metadata) -> Result<PathBuf, ReadError> {
    std::fs::canonicalize(path).map_err(|source| ReadError::Io { path: path.to_owned(), source })
}

#[cfg(unix)]
type FolderId = (u64, u64);
#[cfg(not(unix))]
type FolderId = PathBuf;

fn collect(
    root: &Path,
    dir: &Path,
    seen: &mut Vec<(FolderId, PathBuf)>,
    found: &mut Vec<(String, PathBuf)>,
) -> Result<(), ReadError> {
    let io = |source| ReadError::Io { path: dir.to_owned(), source };
    let id = folder_identity(dir, &std::fs::metadata(dir).map_err(io)?)?;
    if let Some((_, first)) = seen.iter().find(|(s, _)| *s == id) {
        return Err(ReadError::FolderTwice { path: dir.to_owned(), first: first.clone() });
    }
    seen.push((id, dir.to_owned()));
    let mut entries =
        std::fs::read_dir(dir).map_err(io)?.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>().map_err(io)?;
    // Sorted, so that which of two links to one folder is "first" does not depend on the
    // order the file system lists them in.
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(root, &path, seen, found)?;
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
        let expanded = match expand(&full) {
            Ok(expanded) => expanded,
            Err(e) => {
                diagnostics.push(Diagnostic::error(
                    "invalid-include",
                    at,
                    format!("`{written}` is not a valid file pattern: {}", e.msg),
                ));
                continue;
            }
        };
        let mut found = expanded.files;
        for problem in expanded.unreadable {
            diagnostics.push(Diagnostic::error("unreadable-include", at, problem));
        }
        for twice in expanded.twice {
            diagnostics.push(Diagnostic::warning("include-loop", at, twice));
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
            // Checked here, where the pattern can be named, but read by the loader's workers,
            // which keep a text only while they parse it (see `Sources::add_deferred`).
            match readable(&p) {
                Ok(()) => includes.push(sources.add_deferred(p.display().to_string(), p, at)),
                Err(e) => diagnostics.push(Diagnostic::error("unreadable-include", at, e.to_string())),
            }
        }
    }
    Ok(ProgramInput { main, includes, diagnostics })
}

/// What an include pattern matched.
struct Expanded {
    /// Matching files (not folders), in walk order.
    files: Vec<PathBuf>,
    /// Folders that could not be read, as messages.
    unreadable: Vec<String>,
    /// Folders reached a second time through a symbolic link (and not read again).
    twice: Vec<String>,
}

/// The files `pattern` matches. The walk starts at the pattern's longest literal folder and
/// goes no deeper than its components unless it holds `**`; symbolic links are followed, but
/// no folder is entered twice, so a link back to a parent cannot make the walk endless (the
/// `glob` crate's own walk follows such a loop until the path is too long, and two such
/// links multiply the paths at every level).
fn expand(pattern: &Path) -> Result<Expanded, glob::PatternError> {
    let text = pattern.to_string_lossy();
    let compiled = glob::Pattern::new(&text)?;
    let mut expanded = Expanded { files: Vec::new(), unreadable: Vec::new(), twice: Vec::new() };
    let is_glob = |c: &std::path::Component<'_>| c.as_os_str().to_string_lossy().contains(['*', '?', '[']);
    let components: Vec<std::path::Component<'_>> = pattern.components().collect();
    let literal = components.iter().take_while(|c| !is_glob(c)).count();
    if literal == components.len() {
        if pattern.exists() {
            expanded.files.push(pattern.to_owned());
        }
        return Ok(expanded);
    }
    let root: PathBuf = components[..literal].iter().collect();
    let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
    let rest = &components[literal..];
    let depth = if rest.iter().any(|c| c.as_os_str() == "**") { usize::MAX } else { rest.len() };
    // `*` stays within one path component, as in `glob::glob`.
    let options = glob::MatchOptions { require_literal_separator: true, ..glob::MatchOptions::new() };
    let mut walk = Walk { pattern: &compiled, options, seen: Vec::new(), out: &mut expanded };
    walk.folder(&root, depth);
    Ok(expanded)
}

struct Walk<'a> {
    pattern: &'a glob::Pattern,
    options: glob::MatchOptions,
    seen: Vec<(FolderId, PathBuf)>,
    out: &'a mut Expanded,
}

impl Walk<'_> {
    fn folder(&mut self, dir: &Path, depth: usize) {
        let Ok(metadata) = std::fs::metadata(dir) else { return };
        let Ok(id) = folder_identity(dir, &metadata) else { return };
        if let Some((_, first)) = self.seen.iter().find(|(s, _)| *s == id) {
            self.out.twice.push(format!(
                "{} leads to a folder already read as {} (a symbolic link loop or a second link to it); \
                 its files are read once",
                dir.display(),
                first.display()
            ));
            return;
        }
        self.seen.push((id, dir.to_owned()));
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries.map(|e| e.map(|e| e.path())).collect::<Result<Vec<_>, _>>(),
            Err(e) => Err(e),
        };
        let mut entries = match entries {
            Ok(entries) => entries,
            Err(e) => {
                self.out.unreadable.push(format!("cannot read {}: {e}", dir.display()));
                return;
            }
        };
        entries.sort();
        for path in entries {
            // Paths are built from the pattern's root, so `./x` stays `./x` when the pattern
            // had it.
            if path.is_dir() {
                if depth > 1 {
                    self.folder(&path, depth - 1);
                }
            } else if self.pattern.matches_path_with(&path, self.options) {
                self.out.files.push(path);
            }
        }
    }
}
