//! The HTML matrix and coverage report: one self-contained file (stylesheet, script and data
//! inline, nothing fetched), so it opens from `file://` and survives being mailed.
//!
//! Safety of untrusted requirement text rests on three things:
//! - askama escapes every value in the `.html` templates; the only unescaped values are of
//!   [`Trusted`], which only this module makes (the stylesheet and script shipped in
//!   `templates/`, and the data JSON with `<`, `>` and `&` escaped as `\u003c` ...);
//! - the script puts data into the page through `textContent` only;
//! - the page's Content-Security-Policy runs no script but ours (by hash) and loads nothing.

use std::fmt;

use askama::Template;
use sha2::{Digest, Sha256};

use crate::error::ReportError;
use crate::matrix::{CountsDoc, LEGEND, MatrixDoc, StatusStyle, build};
use crate::piecewise::{Depth, JsonDocument};
use crate::text::{percent, plural, shell_quote};
use crate::{ReportOptions, TraceView};

/// The stylesheet of every page.
const STYLE: &str = include_str!("../../../templates/report.css");
/// The script of every page.
const SCRIPT: &str = include_str!("../../../templates/report.js");

/// Text inserted into a page unescaped, because it is ours: the stylesheet and script
/// shipped in `templates/`. It never holds data as given (data goes through [`ScriptJson`]).
struct Trusted(String);

impl Trusted {
    /// A stylesheet or script shipped with avtrace.
    fn asset(text: &'static str) -> Trusted {
        Trusted(text.to_owned())
    }
}

impl fmt::Display for Trusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl askama::filters::HtmlSafe for Trusted {}

/// A document as JSON that cannot end its `<script type="application/json">` element or
/// open a comment there: `<`, `>` and `&` (the only characters that can start `</script` or
/// `<!--`) are written as the JSON escapes `\u003c`, `\u003e`, `\u0026`, which `JSON.parse`
/// reads back as the same characters. Written as the page is written (its long lists made on
/// every core), so that a large program's data is never held as one string.
struct ScriptJson<'a, T: JsonDocument + ?Sized>(&'a T);

impl<T: JsonDocument + ?Sized> fmt::Display for ScriptJson<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Buffered, so that the escaper sees large runs rather than serde_json's many small
        // writes; a buffer is only ever passed on whole, so its runs stay whole UTF-8.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, ScriptEscaper(f));
        self.0.write_json(&mut out, Depth::COMPACT).map_err(|_| fmt::Error)?;
        std::io::Write::flush(&mut out).map_err(|_| fmt::Error)
    }
}

impl<T: JsonDocument + ?Sized> askama::filters::HtmlSafe for ScriptJson<'_, T> {}

/// Passes JSON text on with `<`, `>` and `&` written as JSON escapes. Those characters only
/// occur inside JSON strings, where `\u003c` means the same as `<`.
struct ScriptEscaper<'a, 'f>(&'a mut fmt::Formatter<'f>);

impl std::io::Write for ScriptEscaper<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        // serde_json writes whole tokens and string runs cut at ASCII escapes, so every
        // write (and every whole buffer of them) is UTF-8 on its own.
        let text = std::str::from_utf8(bytes).map_err(std::io::Error::other)?;
        let fail = |_| std::io::Error::other("the page could not be written");
        let mut start = 0;
        // The three bytes are ASCII, so every cut is at a character boundary.
        for at in memchr::memchr3_iter(b'<', b'>', b'&', bytes) {
            self.0.write_str(&text[start..at]).map_err(fail)?;
            self.0
                .write_str(match bytes[at] {
                    b'<' => "\\u003c",
                    b'>' => "\\u003e",
                    _ => "\\u0026",
                })
                .map_err(fail)?;
            start = at + 1;
        }
        self.0.write_str(&text[start..]).map_err(fail)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Standard base64 (RFC 4648, with padding), for the script hash of the CSP.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The page's Content-Security-Policy: nothing may load, and the only script that may run
/// is ours, named by its hash; inline styles are allowed for the bar widths.
fn content_security_policy() -> String {
    let hash = base64(&Sha256::digest(SCRIPT.as_bytes()));
    format!(
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'"
    )
}

/// One segment of a market's coverage bar.
struct BarSegment {
    status: &'static str,
    width: String,
}

/// One market in the summary table.
struct SummaryRow<'a> {
    market: &'a str,
    name: &'a str,
    sop: &'a str,
    obligations: usize,
    covered: usize,
    via_mapping: usize,
    partial: usize,
    uncovered: usize,
    verified: usize,
    /// The coverage, or `n/a` where nothing is obliged (not "100%": nothing was checked).
    coverage: String,
    /// No obligation applies.
    empty: bool,
    /// Mandated instruments without requirement clauses: beside the coverage, which cannot
    /// count them.
    unmodelled: String,
    bar: Vec<BarSegment>,
    bar_label: String,
}

fn summary_row<'a>(
    market: &'a str,
    name: &'a str,
    sop: &'a str,
    c: &CountsDoc,
    unmodelled: &[String],
) -> SummaryRow<'a> {
    let share = |n: usize| if c.obligations == 0 { 0.0 } else { n as f64 * 100.0 / c.obligations as f64 };
    let bar =
        [("covered", c.covered), ("via-mapping", c.via_mapping), ("partial", c.partial), ("uncovered", c.uncovered)]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(status, n)| BarSegment { status, width: format!("{:.3}%", share(n)) })
            .collect();
    SummaryRow {
        market,
        name,
        sop,
        obligations: c.obligations,
        covered: c.covered,
        via_mapping: c.via_mapping,
        partial: c.partial,
        uncovered: c.uncovered,
        verified: c.verified,
        coverage: coverage_text(c),
        empty: c.obligations == 0,
        unmodelled: unmodelled.join(", "),
        bar,
        bar_label: format!(
            "{market}: {} covered; {} covered, {} via mapping, {} partial, {} uncovered of {} obligations",
            coverage_text(c),
            c.covered,
            c.via_mapping,
            c.partial,
            c.uncovered,
            c.obligations
        ),
    }
}

/// A coverage as every page prints it: `n/a` where nothing is obliged, as the terminal says.
pub(crate) fn coverage_text(c: &CountsDoc) -> String {
    if c.obligations == 0 { "n/a".to_owned() } else { percent(c.coverage) }
}

/// The provenance lines of a page, in the order printed: what made it, from what, when.
pub(crate) fn provenance_lines(doc: &MatrixDoc<'_>, options: &ReportOptions) -> Vec<(&'static str, String)> {
    let p = &options.provenance;
    let or_unknown = |s: &str| if s.is_empty() { "not recorded".to_owned() } else { s.to_owned() };
    vec![
        ("Program", doc.program.to_owned()),
        ("Program revision", doc.revision.map_or_else(|| "not stated in the program file".to_owned(), str::to_owned)),
        ("Program file", doc.program_path.to_owned()),
        ("Generated", or_unknown(&p.generated)),
        ("Generated by", format!("avtrace {}", crate::AVTRACE_VERSION)),
        ("Catalog version", or_unknown(&p.catalog_version)),
        (
            "Catalog fingerprint",
            if p.catalog_fingerprint.is_empty() {
                or_unknown("")
            } else {
                format!("SHA-256 {}", p.catalog_fingerprint)
            },
        ),
    ]
}

/// An instrument in the matrix's instrument filter.
struct InstrumentOption {
    instrument: String,
}

/// What every page shows: header, summary, matrix, and the inline assets and data.
struct Layout<'a> {
    heading: String,
    subtitle: String,
    generator: &'static str,
    footer: String,
    csp: String,
    style: Trusted,
    script: Trusted,
    data: ScriptJson<'a, MatrixDoc<'a>>,
    markets: Vec<SummaryRow<'a>>,
    instruments: Vec<InstrumentOption>,
    legend: &'static [StatusStyle],
    coverage_note: String,
    /// Mandated instruments without requirement clauses, one sentence per market.
    unmodelled_notes: Vec<String>,
    /// What made the page, from what, when.
    provenance: Vec<(&'static str, String)>,
}

fn layout<'a>(doc: &'a MatrixDoc<'a>, heading: &str, options: &ReportOptions) -> Result<Layout<'a>, ReportError> {
    let unlinked = doc.requirements.iter().filter(|r| r.clauses.is_empty()).count();
    Ok(Layout {
        heading: format!("{heading}: {}", doc.program),
        subtitle: format!(
            "{}, {}, {} mandates{}; from {}",
            plural(doc.requirements.len(), "requirement"),
            plural(doc.markets.len(), "market"),
            doc.level,
            if doc.recommendations { ", recommendations included" } else { "" },
            doc.program_path
        ),
        generator: concat!("avtrace ", env!("CARGO_PKG_VERSION")),
        footer: format!(
            "Made by avtrace {} from {}. The same data: avtrace matrix --program {} --format json (or csv, xlsx, md).",
            env!("CARGO_PKG_VERSION"),
            doc.program_path,
            shell_quote(doc.program_path)
        ),
        csp: content_security_policy(),
        style: Trusted::asset(STYLE),
        script: Trusted::asset(SCRIPT),
        data: ScriptJson(doc),
        markets: doc.markets.iter().map(|m| summary_row(m.market, m.name, &m.sop, &m.counts, &m.unmodelled)).collect(),
        instruments: doc.instruments.iter().map(|i| InstrumentOption { instrument: i.instrument.clone() }).collect(),
        legend: &LEGEND,
        coverage_note: format!(
            "Coverage = (covered + via mapping) / obligations; partial never counts. Verified: covered through a \
             requirement whose verification passed (all its evidence passed, or everything beneath it did). \
             {unlinked} of {} requirements reach no obligation of these markets.",
            doc.requirements.len()
        ),
        unmodelled_notes: doc.unmodelled_notes(),
        provenance: provenance_lines(doc, options),
    })
}

/// The heatmap's geometry and cells, worked out here so the template only places them.
struct Heatmap {
    width: u32,
    height: u32,
    label_x: u32,
    header_y: u32,
    cell_w: u32,
    cell_h: u32,
    columns: Vec<HeatColumn>,
    rows: Vec<HeatRow>,
    scale: Vec<HeatBin>,
}

struct HeatColumn {
    x: u32,
    label: String,
}

struct HeatRow {
    label: String,
    y: u32,
    text_y: u32,
    cells: Vec<HeatCell>,
}

struct HeatCell {
    x: u32,
    text_x: u32,
    fill: &'static str,
    text: String,
    long: String,
    title: String,
}

struct HeatBin {
    fill: &'static str,
    label: &'static str,
}

/// Colour bins of the heatmap, best first: (lowest coverage in the bin, colour, words).
const HEAT_BINS: [(f64, &str, &str); 6] = [
    (1.0, "#4ac26b", "100%"),
    (0.8, "#aceebb", "80% to 99.9%"),
    (0.6, "#d8f3a2", "60% to 79.9%"),
    (0.4, "#fff1a8", "40% to 59.9%"),
    (0.2, "#ffc58a", "20% to 39.9%"),
    (0.0, "#ff9b9b", "below 20%"),
];
/// The colour of a market that does not oblige an instrument.
const HEAT_NONE: &str = "#f6f8fa";

fn heat_fill(coverage: f64) -> &'static str {
    HEAT_BINS.iter().find(|(min, _, _)| coverage >= *min).map_or(HEAT_BINS[5].1, |(_, fill, _)| fill)
}

fn heatmap(doc: &MatrixDoc<'_>) -> Heatmap {
    const CELL_W: u32 = 64;
    const CELL_H: u32 = 22;
    const HEADER_H: u32 = 26;
    const PAD: u32 = 8;
    let longest = doc.instruments.iter().map(|i| i.instrument.chars().count()).max().unwrap_or(0);
    let label_w = u32::try_from(longest).unwrap_or(60).min(60) * 8 + 2 * PAD;
    let columns: Vec<HeatColumn> = (0u32..)
        .zip(&doc.markets)
        .map(|(i, m)| HeatColumn { x: label_w + i * CELL_W + CELL_W / 2, label: m.market.to_owned() })
        .collect();
    let rows = (0u32..)
        .zip(&doc.instruments)
        .map(|(r, inst)| {
            let y = HEADER_H + r * CELL_H;
            let cells = (0u32..)
                .zip(&doc.markets)
                .map(|(c, m)| {
                    let x = label_w + c * CELL_W;
                    let counts = m.instruments.iter().find(|i| i.instrument == inst.instrument).map(|i| &i.counts);
                    let (fill, text, long, title) = match counts {
                        Some(k) if k.obligations > 0 => (
                            heat_fill(k.coverage),
                            percent(k.coverage),
                            format!("{}/{} ({})", k.covered + k.via_mapping, k.obligations, percent(k.coverage)),
                            format!(
                                "{} in {}: {} covered, {} via mapping, {} partial, {} uncovered of {} ({})",
                                inst.instrument,
                                m.market,
                                k.covered,
                                k.via_mapping,
                                k.partial,
                                k.uncovered,
                                k.obligations,
                                percent(k.coverage)
                            ),
                        ),
                        _ => (
                            HEAT_NONE,
                            String::new(),
                            "—".to_owned(),
                            format!("{} is not an obligation in {}", inst.instrument, m.market),
                        ),
                    };
                    HeatCell { x, text_x: x + CELL_W / 2, fill, text, long, title }
                })
                .collect();
            HeatRow { label: inst.instrument.clone(), y, text_y: y + CELL_H / 2 + 4, cells }
        })
        .collect();
    let n_markets = u32::try_from(doc.markets.len()).unwrap_or(0);
    let n_rows = u32::try_from(doc.instruments.len()).unwrap_or(0);
    Heatmap {
        width: label_w + n_markets * CELL_W + PAD,
        height: HEADER_H + n_rows * CELL_H + PAD,
        label_x: PAD,
        header_y: HEADER_H - 8,
        cell_w: CELL_W,
        cell_h: CELL_H,
        columns,
        rows,
        scale: HEAT_BINS
            .iter()
            .map(|(_, fill, label)| HeatBin { fill, label })
            .chain(std::iter::once(HeatBin { fill: HEAT_NONE, label: "not obliged" }))
            .collect(),
    }
}

/// The longest gap list shown open when the page loads.
const OPEN_GAPS_MAX: usize = 200;

/// One market's gaps.
struct GapMarket<'a> {
    market: &'a str,
    name: &'a str,
    uncovered: usize,
    partial: usize,
    obligations: usize,
    coverage: String,
    command: String,
    open: bool,
    rows: Vec<GapRow<'a>>,
}

/// One gap: an uncovered or partial obligation.
struct GapRow<'a> {
    status: &'static str,
    label: &'static str,
    clause: &'a str,
    title: &'a str,
    because: String,
    /// For a partial gap: the requirements and the chain that reach it, to review.
    chain: String,
    /// Each step of that chain with its basis and source.
    sources: Vec<String>,
    command: String,
}

fn gaps<'a>(doc: &'a MatrixDoc<'a>) -> Vec<GapMarket<'a>> {
    let mut order: Vec<usize> = (0..doc.markets.len()).collect();
    // Worst first: most uncovered, then most partial; ties keep the traced order.
    order.sort_by_key(|&i| {
        let c = &doc.markets[i].counts;
        (std::cmp::Reverse(c.uncovered), std::cmp::Reverse(c.partial), i)
    });
    let program = shell_quote(doc.program_path);
    order
        .into_iter()
        .enumerate()
        .map(|(rank, i)| {
            let m = &doc.markets[i];
            let rows = m
                .gap_rows
                .iter()
                .filter_map(|&r| doc.clauses.get(r))
                .map(|c| {
                    let label = LEGEND.iter().find(|s| s.key == c.status).map_or(c.status, |s| s.label);
                    let chain = if c.via.is_empty() {
                        String::new()
                    } else {
                        format!("{} satisfies {}", c.requirements.join(", "), c.chain_text())
                    };
                    let sources = c
                        .via
                        .iter()
                        .map(|s| format!("{} {} {}: {}, source: {}", s.from, s.rel, s.to, s.basis, s.source))
                        .collect();
                    GapRow {
                        status: c.status,
                        label,
                        clause: &c.clause,
                        title: c.title,
                        because: c.in_market(m.market).map(|o| o.because.join("; ")).unwrap_or_default(),
                        chain,
                        sources,
                        command: format!("avtrace show {}", shell_quote(&c.clause)),
                    }
                })
                .collect();
            GapMarket {
                market: m.market,
                name: m.name,
                uncovered: m.counts.uncovered,
                partial: m.counts.partial,
                obligations: m.counts.obligations,
                coverage: coverage_text(&m.counts),
                command: format!("avtrace gaps --program {program} --market {}", m.market),
                // The worst market opens at once when its list is short; a long one opens
                // on request, as laying out thousands of rows would slow the page's load.
                open: rank == 0 && m.gap_rows.len() <= OPEN_GAPS_MAX,
                rows,
            }
        })
        .collect()
}

/// `avtrace matrix --format html`.
#[derive(Template)]
#[template(path = "matrix.html")]
struct MatrixPage<'a> {
    layout: Layout<'a>,
}

/// `avtrace report`.
#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    layout: Layout<'a>,
    heatmap: Heatmap,
    gaps: Vec<GapMarket<'a>>,
}

/// The `matrix --format html` page: the summary per market and the interactive matrix
/// (for an authority, the static obligation tables of [`report_html`]).
pub fn matrix_html(view: &TraceView<'_>, options: &ReportOptions) -> Result<String, ReportError> {
    page_string(|out| write_matrix_html(view, options, out))
}

/// [`matrix_html`], written to `out` as it is made: a large program's page is never held
/// whole.
pub fn write_matrix_html(
    view: &TraceView<'_>,
    options: &ReportOptions,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    write_page(view, options, out, |doc, options| {
        Ok(Box::new(MatrixPage { layout: layout(doc, "Traceability matrix", options)? }))
    })
}

/// The `report` page. For engineers: the summary per market with coverage bars, the market
/// × instrument heatmap, the interactive matrix and the gaps of every market, worst first.
/// For an authority: formal wording, every obligation with its requirements, evidence and
/// verification state in static tables (no script), and a sign-off block.
pub fn report_html(view: &TraceView<'_>, options: &ReportOptions) -> Result<String, ReportError> {
    page_string(|out| write_report_html(view, options, out))
}

/// [`report_html`], written to `out` as it is made.
pub fn write_report_html(
    view: &TraceView<'_>,
    options: &ReportOptions,
    out: &mut dyn std::io::Write,
) -> Result<(), ReportError> {
    write_page(view, options, out, |doc, options| {
        Ok(Box::new(ReportPage {
            layout: layout(doc, "Coverage report", options)?,
            heatmap: heatmap(doc),
            gaps: gaps(doc),
        }))
    })
}

/// A page made for engineers by `page`, or the authority's static report, written through a
/// buffer (askama's many small writes are not system calls).
fn write_page<'a>(
    view: &TraceView<'a>,
    options: &ReportOptions,
    out: &mut dyn std::io::Write,
    page: impl for<'d> FnOnce(&'d MatrixDoc<'a>, &ReportOptions) -> Result<Box<dyn askama::DynTemplate + 'd>, ReportError>,
) -> Result<(), ReportError> {
    let fail = |e| ReportError::new("html", e);
    if options.audience == crate::Audience::Authority {
        return out.write_all(crate::authority::authority_html(view, options)?.as_bytes()).map_err(fail);
    }
    let doc = build(view);
    let page = page(&doc, options)?;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    page.dyn_write_into(&mut buffered).and_then(|()| std::io::Write::flush(&mut buffered)).map_err(fail)
}

/// What a page writer wrote, as a string.
fn page_string(write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), ReportError>) -> Result<String, ReportError> {
    let mut out = Vec::new();
    write(&mut out)?;
    String::from_utf8(out).map_err(|e| ReportError::new("html", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_its_element() {
        let value = serde_json::json!({ "text": "</script><!-- <script>alert(1)</script> & more" });
        let json = ScriptJson(&value).to_string();
        assert!(!json.contains('<') && !json.contains('>') && !json.contains('&'), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn base64_matches_rfc_4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn assets_cannot_end_their_elements_or_hold_template_syntax() {
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        assert!(!SCRIPT.contains("<!--"));
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        // The script never parses data as HTML.
        assert!(
            !SCRIPT.contains("innerHTML") && !SCRIPT.contains("outerHTML") && !SCRIPT.contains("insertAdjacentHTML")
        );
        assert!(!SCRIPT.contains("document.write") && !SCRIPT.contains("eval("));
    }

    #[test]
    fn heat_bins_cover_every_ratio() {
        assert_eq!(heat_fill(1.0), "#4ac26b");
        assert_eq!(heat_fill(0.85), "#aceebb");
        assert_eq!(heat_fill(0.0), "#ff9b9b");
        assert_eq!(heat_fill(f64::NAN), "#ff9b9b");
    }
}
