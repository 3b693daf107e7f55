//! Diagnostics: data problems found while loading, each pointing at a file, line and
//! column. They are plain data; the CLI decides how to print them.

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
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The path as the user would recognise it.
    pub path: String,
    /// The contents.
    pub text: String,
    /// Byte offset of the start of every line, for line:column lookups; made on the first
    /// lookup, since most files never need one and a large program's would cost 8 bytes a
    /// line.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1)).collect()
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
        self.files.push(SourceFile { path: path.into(), text: text.into(), line_starts: Default::default() });
        FileIx::new(self.files.len() - 1)
    }

    /// The file at `ix`.
    pub fn file(&self, ix: FileIx) -> &SourceFile {
        &self.files[ix.index()]
    }

    /// Where a span starts, as path, line and column.
    pub fn locate(&self, span: Span) -> Location<'_> {
        let file = self.file(span.file());
        let start = floor_char_boundary(&file.text, span.start as usize);
        let line_starts = file.line_starts();
        let line = line_starts.partition_point(|&s| s <= start).max(1);
        let line_start = line_starts[line - 1];
        let line_end = file.text[line_start..].find('\n').map_or(file.text.len(), |n| line_start + n);
        let line_text = file.text[line_start..line_end].trim_end_matches('\r');
        let column = file.text[line_start..start].chars().count() + 1;
        let end = floor_char_boundary(&file.text, (span.end as usize).clamp(start, line_end));
        let width = file.text[start..end].chars().count().max(1);
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
        let text = &sources.file(file).text;
        let at = text.find("\"bad\"").unwrap();
        let loc = sources.locate(Span::new(file, at..at + 5));
        assert_eq!((loc.line, loc.column, loc.width), (3, 8, 5));
        let at = text.find("# x").unwrap();
        let loc = sources.locate(Span::new(file, at..at + 1));
        assert_eq!((loc.line, loc.column), (2, 19));
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
