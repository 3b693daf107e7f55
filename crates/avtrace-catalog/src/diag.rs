//! Diagnostics: data problems found while loading, each pointing at a file, line and
//! column. They are plain data; the CLI decides how to print them.

use std::borrow::Cow;
use std::fmt;

use avtrace_model::{FileIx, Span};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input can be used but is probably not what was meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem in the input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable machine-readable name of the problem class, e.g. `dangling-reference`.
    pub code: &'static str,
    /// What is wrong, in one line, lower case, no trailing period.
    pub message: String,
    /// Where; `None` for problems that belong to no place in a file.
    pub span: Option<Span>,
    /// Further lines: where the other half of a duplicate is, what was expected.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(code: &'static str, span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, code, message: message.into(), span, notes: Vec::new() }
    }

    /// A warning at `span`.
    pub fn warning(code: &'static str, span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, code, message: message.into(), span, notes: Vec::new() }
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// One input file: the path to show and its text.
///
/// The text of a file added with [`Sources::add_deferred`] is read by whoever parses it and
/// kept only if something must point into it; otherwise it is read again from disk the first
/// time [`SourceFile::text`] is asked for (a later diagnostic, a fingerprint), so that a
/// program of many large files never holds all their texts at once.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user would recognise it.
    pub path: String,
    /// The contents, once read. The built-in catalog's texts are borrowed from the binary:
    /// copying its 850 KB on every start would be a tenth of a small command's time.
    text: std::sync::OnceLock<Cow<'static, str>>,
    /// Where to read a deferred file's text from.
    origin: Option<std::path::PathBuf>,
    /// The place that named a deferred file (an `include` pattern), for problems found when
    /// it is read.
    named_at: Option<Span>,
    /// Byte offset of the start of every line, for line:column lookups; made on the first
    /// lookup, since most files never need one and a large program's would cost 8 bytes a
    /// line.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// The contents. A deferred file not yet kept is read now; if it can no longer be read,
    /// its text is empty (its problems were reported when it was first read).
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            Cow::Owned(self.origin.as_deref().and_then(|path| crate::files::read_text(path).ok()).unwrap_or_default())
        })
    }

    /// Where a deferred file is read from; `None` for a file whose text was given.
    pub fn origin(&self) -> Option<&std::path::Path> {
        self.origin.as_deref()
    }

    /// The place that named a deferred file (the `include` pattern that matched it), where a
    /// file that cannot be read after all is reported.
    pub fn named_at(&self) -> Option<Span> {
        self.named_at
    }

    /// Keeps `text` as the contents of a deferred file read elsewhere (no effect once it
    /// has some), so that positions in it are resolved against the very bytes parsed.
    pub(crate) fn keep(&self, text: String) {
        let _ = self.text.set(Cow::Owned(text));
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', self.text().as_bytes()).map(|i| i + 1)).collect()
        })
    }
}

/// Every file read so far, so that spans can be turned into `file:line:column`.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

/// A resolved position: 1-based line and column (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location<'a> {
    /// The file's path.
    pub path: &'a str,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// The text of that line, without its line break.
    pub line_text: &'a str,
    /// How many characters of the line the span covers (at least 1).
    pub width: usize,
}

impl Sources {
    /// An empty set of sources.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its index.
    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileIx {
        self.add_text(path.into(), Cow::Owned(text.into()))
    }

    /// Adds a file whose text lives as long as the program (the built-in catalog's), without
    /// copying it, and returns its index.
    pub fn add_static(&mut self, path: impl Into<String>, text: &'static str) -> FileIx {
        self.add_text(path.into(), Cow::Borrowed(text))
    }

    fn add_text(&mut self, path: String, text: Cow<'static, str>) -> FileIx {
        self.files.push(SourceFile {
            path,
            text: std::sync::OnceLock::from(text),
            origin: None,
            named_at: None,
            line_starts: Default::default(),
        });
        FileIx::new(self.files.len() - 1)
    }

    /// Adds a file whose text is read later, by its parser (see [`SourceFile`]), named at
    /// `named_at` (an `include` pattern).
    pub fn add_deferred(
        &mut self,
        path: impl Into<String>,
        origin: std::path::PathBuf,
        named_at: Option<Span>,
    ) -> FileIx {
        self.files.push(SourceFile {
            path: path.into(),
            text: std::sync::OnceLock::new(),
            origin: Some(origin),
            named_at,
            line_starts: Default::default(),
        });
        FileIx::new(self.files.len() - 1)
    }

    /// The file at `ix`.
    pub fn file(&self, ix: FileIx) -> &SourceFile {
        &self.files[ix.index()]
    }

    /// Where a span starts, as path, line and column.
    pub fn locate(&self, span: Span) -> Location<'_> {
        let file = self.file(span.file());
        let text = file.text();
        let start = floor_char_boundary(text, span.start as usize);
        let line_starts = file.line_starts();
        let line = line_starts.partition_point(|&s| s <= start).max(1);
        let line_start = line_starts[line - 1];
        let line_end = text[line_start..].find('\n').map_or(text.len(), |n| line_start + n);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let column = text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(text, (span.end as usize).clamp(start, line_end));
        let width = text[start..end].chars().count().max(1);
        Location { path: &file.path, line, column, line_text, width }
    }

    /// `path:line:column` of a span.
    pub fn position(&self, span: Span) -> String {
        let loc = self.locate(span);
        format!("{}:{}:{}", loc.path, loc.line, loc.column)
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Renders diagnostics the way compilers do: the message, then `--> file:line:col`, the
/// line and a caret under the span.
pub fn render(sources: &Sources, diagnostic: &Diagnostic) -> String {
    use fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{}[{}]: {}", diagnostic.severity, diagnostic.code, diagnostic.message);
    if let Some(span) = diagnostic.span {
        let loc = sources.locate(span);
        let gutter = loc.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}--> {}:{}:{}", loc.path, loc.line, loc.column);
        let _ = writeln!(out, "{pad} |");
        let _ = writeln!(out, "{} | {}", loc.line, loc.line_text.replace('\t', " "));
        let caret_pad = " ".repeat(loc.column - 1);
        let _ = writeln!(out, "{pad} | {caret_pad}{}", "^".repeat(loc.width));
    }
    for note in &diagnostic.notes {
        let _ = writeln!(out, "  = note: {note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_character_columns() {
        let mut sources = Sources::new();
        let file = sources.add("a.toml", "id = \"X\"\ntitle = \"Ünïcode\" # x\nkind = \"bad\"\n");
        let text = sources.file(file).text();
        let at = text.find("\"bad\"").unwrap();
        let loc = sources.locate(Span::new(file, at..at + 5));
        assert_eq!((loc.line, loc.column, loc.width), (3, 8, 5));
        let at = text.find("# x").unwrap();
        let loc = sources.locate(Span::new(file, at..at + 1));
        assert_eq!((loc.line, loc.column), (2, 19));
    }

    #[test]
    fn a_deferred_file_is_read_when_a_position_is_asked_for_and_a_kept_text_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("part.toml");
        std::fs::write(&path, "[[requirements]]\nid = \"A\"\n").unwrap();
        let mut sources = Sources::new();
        let read_later = sources.add_deferred("part.toml", path.clone(), None);
        let kept = sources.add_deferred("part.toml", path.clone(), None);
        sources.file(kept).keep("\n\n[[requirements]]\nid = \"A\"\n".to_owned());
        // The file changes on disk after it was parsed: the kept text is what spans point into.
        std::fs::write(&path, "[[requirements]]\n\nid = \"A\"\n").unwrap();
        assert_eq!(sources.position(Span::new(read_later, 18..20)), "part.toml:3:1");
        assert_eq!(sources.position(Span::new(kept, 19..21)), "part.toml:4:1");
        assert_eq!(sources.file(kept).origin(), Some(path.as_path()));
    }

    #[test]
    fn renders_with_caret() {
        let mut sources = Sources::new();
        let file = sources.add("m.toml", "level = \"must\"\n");
        let d = Diagnostic::error("unknown-level", Some(Span::new(file, 8..14)), "unknown level `must`");
        assert_eq!(
            render(&sources, &d),
            "error[unknown-level]: unknown level `must`\n --> m.toml:1:9\n  |\n1 | level = \"must\"\n  |         ^^^^^^\n"
        );
    }
}
