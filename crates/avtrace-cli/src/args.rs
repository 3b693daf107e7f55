//! The command line, as clap parses it. Nothing here does I/O.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Trace automated-vehicle requirements to the clauses each market needs; report coverage and gaps.
#[derive(Debug, Parser)]
#[command(name = "avtrace", version, long_about = None, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) catalog: CatalogArgs,
    /// Do not print warnings.
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Colour statuses and diagnostics: on a terminal unless NO_COLOR is set (auto), always
    /// or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, value_name = "WHEN")]
    pub(crate) color: ColorChoice,
    /// Do not cut table lines to the terminal's width (they are never cut in a pipe).
    #[arg(long, global = true)]
    pub(crate) wide: bool,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Where the catalog comes from.
#[derive(Debug, Args)]
pub(crate) struct CatalogArgs {
    /// Use the catalog in DIR instead of the built-in one.
    #[arg(long, value_name = "DIR", global = true)]
    pub(crate) standards: Option<PathBuf>,
    /// Add the instruments, mappings and markets in DIR to the catalog (repeatable).
    #[arg(long = "standards-extra", value_name = "DIR", global = true)]
    pub(crate) standards_extra: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Validate the catalog and, if given, a program; exit 1 on problems.
    Check(CheckArgs),
    /// Obligations and coverage per market.
    Trace(TraceArgs),
    /// Uncovered and partial obligations only, with the reason each applies.
    Gaps(TraceArgs),
    /// List the instruments of the catalog.
    Standards(FormatArgs),
    /// List the markets and their mandates.
    Markets(FormatArgs),
    /// List the feature and vehicle-category words programs and mandates may use.
    Features(FormatArgs),
    /// Show one clause (INSTRUMENT:CLAUSE) or instrument (INSTRUMENT).
    Show(ShowArgs),
    /// The requirement × clause × market traceability matrix (html, xlsx, csv, md, json).
    Matrix(MatrixArgs),
    /// The full coverage report: summary, heatmap, matrix and gaps in one HTML file.
    Report(ReportArgs),
    /// The clause graph (hierarchy, citations, mappings) as Graphviz DOT or JSON.
    Graph(GraphArgs),
    /// What a change to one clause touches: requirements, markets, obligations.
    Impact(ImpactArgs),
    /// What changed between two programs (files) or two catalogs (folders).
    Diff(DiffArgs),
    /// Write requirements, clauses and trace links for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Read requirements written by other tools into a program file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write a commented starter program that passes `avtrace check` (asks nothing).
    Init(InitArgs),
    /// Print the JSON Schema of the program format, for editors and validators.
    Schema,
    /// Write the hand-over package for one market: the authority report, the XLSX matrix,
    /// the ReqIF export, an evidence index, the changes since a baseline and SHA256SUMS.
    Dossier(DossierArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(CompletionsArgs),
    /// Print the manual page (roff), e.g. `avtrace man > avtrace.1`.
    Man,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless NO_COLOR is set or TERM is dumb.
    Auto,
    /// Always, even in a pipe.
    Always,
    /// Never.
    Never,
}

/// Who a report is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum AudienceArg {
    /// The team that keeps the trace: mapping chains with sources, commands, filters.
    Engineer,
    /// A technical service or authority: formal wording, evidence and verification per
    /// obligation, sign-off block; no analyst notes, commands or script.
    Authority,
}

impl From<AudienceArg> for avtrace_report::Audience {
    fn from(a: AudienceArg) -> Self {
        match a {
            AudienceArg::Engineer => avtrace_report::Audience::Engineer,
            AudienceArg::Authority => avtrace_report::Audience::Authority,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub(crate) struct DossierArgs {
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    /// The folder to write (created; files in it are replaced).
    #[arg(long, short, value_name = "DIR")]
    pub(crate) output: PathBuf,
    /// The program as last handed over: the dossier lists what changed since.
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// The date the documents carry (now, @SECONDS, YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ);
    /// default: $SOURCE_DATE_EPOCH, else the clock.
    #[arg(long, value_name = "TIME")]
    pub(crate) timestamp: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// The program's name.
    #[arg(long, default_value = "My vehicle program")]
    pub(crate) name: String,
    /// A target market and its start of production, as MARKET:YYYY-MM-DD (repeatable);
    /// default EU:2028-01-01.
    #[arg(long, short, value_name = "MARKET:SOP")]
    pub(crate) market: Vec<String>,
    /// A vehicle category (repeatable); default M1.
    #[arg(long, value_name = "CATEGORY")]
    pub(crate) category: Vec<String>,
    /// A feature (repeatable); `avtrace features` lists them.
    #[arg(long, value_name = "FEATURE")]
    pub(crate) feature: Vec<String>,
    /// Write to FILE instead of standard output (atomically; an existing file is kept).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct GraphArgs {
    /// Draw this instrument's clauses and what they cite or map to (repeatable).
    #[arg(long, short, value_name = "ID")]
    pub(crate) instrument: Vec<String>,
    /// Draw the clauses of every instrument this market mandates (repeatable).
    #[arg(long, short, value_name = "ID")]
    pub(crate) market: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub(crate) format: GraphFormat,
    /// Write to FILE instead of standard output (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// The formats of `graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum GraphFormat {
    /// Graphviz DOT (render with `dot -Tsvg`).
    Dot,
    /// JSON: nodes and edges.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ImpactArgs {
    /// The clause that changes (INSTRUMENT:CLAUSE).
    #[arg(long, short, value_name = "REF")]
    pub(crate) clause: String,
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct DiffArgs {
    /// The old program file, or the old catalog folder.
    #[arg(value_name = "OLD")]
    pub(crate) old: PathBuf,
    /// The new program file, or the new catalog folder.
    #[arg(value_name = "NEW")]
    pub(crate) new: PathBuf,
    /// For programs: count mandates up to this level.
    #[arg(long, value_enum, default_value_t = LevelArg::Mandatory)]
    pub(crate) level: LevelArg,
    /// For programs: count recommendations as obligations too.
    #[arg(long)]
    pub(crate) recommendations: bool,
    /// For programs: count only requirements at least this mature.
    #[arg(long, value_enum, default_value_t = MinStatusArg::Draft)]
    pub(crate) min_status: MinStatusArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
    /// For programs: exit 1 when coverage drops in any market or an obligation loses
    /// status (covered to partial, anything to uncovered).
    #[arg(long)]
    pub(crate) fail_on_regression: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ExportCommand {
    /// ReqIF 1.2 (.reqif, or .reqifz zipped) for DOORS, Polarion, Codebeamer, ReqView, StrictDoc.
    Reqif(ExportReqifArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum ImportCommand {
    /// ReqIF (.reqif or .reqifz) from DOORS, Polarion, Codebeamer, ReqView, StrictDoc, ...
    Reqif(ImportReqifArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ExportReqifArgs {
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    /// The file to write: FILE.reqif, or FILE.reqifz for a zipped one (written atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// CREATION-TIME and LAST-CHANGE of the file (an xsd:dateTime such as
    /// 2027-01-15T09:00:00Z, or `now`); default: $SOURCE_DATE_EPOCH if set, else the latest
    /// publication date in the catalog, so that the same input gives the same bytes.
    #[arg(long, value_name = "TIME")]
    pub(crate) timestamp: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ImportReqifArgs {
    /// The ReqIF file (.reqif or .reqifz), or `-` for standard input.
    #[arg(value_name = "IN")]
    pub(crate) input: PathBuf,
    /// The program file to write (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: PathBuf,
    /// Read attribute ATTR (its LONG-NAME) as FIELD: id, title, text, status, satisfies or
    /// verified_by (repeatable); the ProSTEP names (ReqIF.ForeignID, ReqIF.Name, ReqIF.Text)
    /// are the default.
    #[arg(long = "map-attr", value_name = "ATTR=FIELD")]
    pub(crate) map_attr: Vec<String>,
    /// The program's name; default: the file's title.
    #[arg(long, value_name = "NAME")]
    pub(crate) name: Option<String>,
    /// Import relations of type TYPE (its LONG-NAME) as links of kind KIND (repeatable);
    /// default: the type's own name.
    #[arg(long = "map-relation", value_name = "TYPE=KIND")]
    pub(crate) map_relation: Vec<String>,
    /// Prefix requirement ids with the name of their specification (module): `module`
    /// always, `none` never (repeats are renamed `ID~2`), `auto` when the same id occurs in
    /// two modules (DOORS classic numbers objects per module).
    #[arg(long = "id-prefix-from", value_enum, default_value_t = IdPrefixArg::Auto, value_name = "FROM")]
    pub(crate) id_prefix_from: IdPrefixArg,
    /// Format of the loss report (what the file holds that the program does not keep):
    /// a table on stderr, or JSON on stdout.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

/// Where module prefixes of imported ids come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum IdPrefixArg {
    /// Only when ids collide across modules.
    Auto,
    /// Always.
    Module,
    /// Never.
    None,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The program file to validate against the catalog (`-`: standard input).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) program: Option<PathBuf>,
    /// Output format of the diagnostics (sarif: SARIF 2.1.0 for code-review annotations).
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub(crate) format: CheckFormat,
    /// Treat warnings as problems too (exit 1).
    #[arg(long)]
    pub(crate) deny_warnings: bool,
    /// Check these JUnit XML results against the program's evidence too (repeatable).
    #[arg(long, value_name = "FILE")]
    pub(crate) results: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct TraceArgs {
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    /// Exit 1 when any traced market's coverage is below PCT percent.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub(crate) fail_under: Option<f64>,
    /// Output format (sarif, for `gaps`: each gap as a SARIF 2.1.0 result on the program
    /// file's line).
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub(crate) format: CheckFormat,
    /// Write to FILE instead of standard output (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
}

/// The program and markets to trace, as `matrix` and `report` take them.
#[derive(Debug, Args)]
pub(crate) struct SelectArgs {
    /// The program file (`-`: standard input).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) program: PathBuf,
    /// Trace only this market (repeatable); default: every market of the program.
    #[arg(long, short, value_name = "ID")]
    pub(crate) market: Vec<String>,
    /// Start of production to assume for a market the program does not list (YYYY-MM-DD);
    /// default: the program's latest SOP.
    #[arg(long, value_name = "DATE")]
    pub(crate) sop: Option<String>,
    /// Count mandates up to this level (levels nest).
    #[arg(long, value_enum, default_value_t = LevelArg::Mandatory)]
    pub(crate) level: LevelArg,
    /// Count recommendations as obligations too.
    #[arg(long)]
    pub(crate) recommendations: bool,
    /// Count only requirements at least this mature (rejected and obsolete never count).
    #[arg(long, value_enum, default_value_t = MinStatusArg::Draft)]
    pub(crate) min_status: MinStatusArg,
    /// Read test results from this JUnit XML file (repeatable): each test case sets the
    /// result of the evidence whose id (or `junit` name) it answers to.
    #[arg(long, value_name = "FILE")]
    pub(crate) results: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    /// Output format; default: from the extension of --output.
    #[arg(long, value_enum)]
    pub(crate) format: Option<MatrixFormat>,
    /// Write to FILE instead of standard output (atomically); needed for xlsx.
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) document: DocumentArgs,
}

/// Who a document is for and the date it carries.
#[derive(Debug, Args)]
pub(crate) struct DocumentArgs {
    /// Who reads it: engineer (chains, sources, commands) or authority (formal, evidence
    /// and verification per obligation, sign-off block).
    #[arg(long, value_enum, default_value_t = AudienceArg::Engineer)]
    pub(crate) audience: AudienceArg,
    /// The date the document carries (now, @SECONDS, YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ);
    /// default: $SOURCE_DATE_EPOCH, else the clock. The same inputs and timestamp give the
    /// same bytes.
    #[arg(long, value_name = "TIME")]
    pub(crate) timestamp: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub(crate) select: SelectArgs,
    /// Write to FILE (an .html) instead of standard output (atomically).
    #[arg(long, short, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) document: DocumentArgs,
}

/// The formats of `matrix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MatrixFormat {
    /// One self-contained HTML page with filters, for people.
    Html,
    /// An Excel workbook: a summary sheet and one sheet per market.
    Xlsx,
    /// CSV (RFC 4180): one row per requirement, clause and market.
    Csv,
    /// GitHub-flavoured Markdown tables, for pull requests and wikis.
    #[value(alias = "markdown")]
    Md,
    /// JSON: the data of the HTML page.
    Json,
}

impl MatrixFormat {
    /// The format an output file's extension names, if any.
    pub(crate) fn from_path(path: &std::path::Path) -> Option<MatrixFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "html" | "htm" => Some(MatrixFormat::Html),
            "xlsx" => Some(MatrixFormat::Xlsx),
            "csv" => Some(MatrixFormat::Csv),
            "md" | "markdown" => Some(MatrixFormat::Md),
            "json" => Some(MatrixFormat::Json),
            _ => None,
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct FormatArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// A clause reference (UN-R155:7.2.2.2, ISO-26262-6@2018:7.4.3) or an instrument id.
    #[arg(value_name = "REF")]
    pub(crate) reference: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

/// The formats of `check`, `trace` and `gaps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum CheckFormat {
    /// A table for people.
    Table,
    /// JSON for programs.
    Json,
    /// SARIF 2.1.0, for code-scanning and review tools (check and gaps).
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table for people.
    Table,
    /// JSON for programs.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum LevelArg {
    /// Mandatory mandates only.
    Mandatory,
    /// Mandatory and expected (state of the art an authority expects).
    Expected,
    /// Everything, voluntary included.
    Voluntary,
}

impl From<LevelArg> for avtrace_model::Level {
    fn from(level: LevelArg) -> Self {
        match level {
            LevelArg::Mandatory => avtrace_model::Level::Mandatory,
            LevelArg::Expected => avtrace_model::Level::Expected,
            LevelArg::Voluntary => avtrace_model::Level::Voluntary,
        }
    }
}

/// The statuses `--min-status` takes: the live ones, least mature first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum MinStatusArg {
    /// Every live requirement counts.
    Draft,
    /// Proposed, approved and implemented requirements count.
    Proposed,
    /// Approved and implemented requirements count.
    Approved,
    /// Only implemented requirements count.
    Implemented,
}

impl From<MinStatusArg> for avtrace_model::RequirementStatus {
    fn from(status: MinStatusArg) -> Self {
        match status {
            MinStatusArg::Draft => avtrace_model::RequirementStatus::Draft,
            MinStatusArg::Proposed => avtrace_model::RequirementStatus::Proposed,
            MinStatusArg::Approved => avtrace_model::RequirementStatus::Approved,
            MinStatusArg::Implemented => avtrace_model::RequirementStatus::Implemented,
        }
    }
}

fn parse_percent(s: &str) -> Result<f64, String> {
    let value: f64 = s.trim_end_matches('%').parse().map_err(|_| format!("`{s}` is not a number"))?;
    if (0.0..=100.0).contains(&value) { Ok(value) } else { Err(format!("`{s}` is not a percentage between 0 and 100")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn matrix_formats_follow_the_output_extension() {
        use std::path::Path;
        assert_eq!(MatrixFormat::from_path(Path::new("out/m.XLSX")), Some(MatrixFormat::Xlsx));
        assert_eq!(MatrixFormat::from_path(Path::new("m.htm")), Some(MatrixFormat::Html));
        assert_eq!(MatrixFormat::from_path(Path::new("m.md")), Some(MatrixFormat::Md));
        assert_eq!(MatrixFormat::from_path(Path::new("m.txt")), None);
        assert_eq!(MatrixFormat::from_path(Path::new("matrix")), None);
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percent("80"), Ok(80.0));
        assert_eq!(parse_percent("80%"), Ok(80.0));
        assert!(parse_percent("120").is_err());
        assert!(parse_percent("x").is_err());
    }
}
