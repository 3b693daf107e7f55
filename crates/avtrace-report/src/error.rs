//! The one way rendering can fail: a library under a renderer (askama, rust_xlsxwriter,
//! csv) refused its input, e.g. a cell longer than a spreadsheet allows.

/// A renderer could not produce its output. Renderers return bytes or write to a writer the
/// caller gives (which the CLI only puts in place once complete), so a failure never leaves
/// half a file.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the {format} output: {source}")]
pub struct ReportError {
    format: &'static str,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl ReportError {
    /// Wraps the error of the library that renders `format`.
    pub(crate) fn new(format: &'static str, source: impl std::error::Error + Send + Sync + 'static) -> ReportError {
        ReportError { format, source: Box::new(source) }
    }

    /// The output format that failed: `html`, `xlsx`, `csv`.
    pub fn format(&self) -> &'static str {
        self.format
    }
}
