//! The matrix as an Excel workbook: a Summary sheet with the legend, one sheet per market,
//! a Clauses sheet every clause cell links to, and a Requirements sheet.
//!
//! Cells are written as strings or numbers, never formulas, so requirement text cannot run
//! in a spreadsheet. The bytes are deterministic: the creation date is fixed (zip entries
//! are dated 1980-01-01 by rust_xlsxwriter, and the document says the same), and every list
//! comes from the ordered matrix document, and the formats are registered in a fixed order
//! before the sheets are filled side by side.
//!
//! Sheets are rust_xlsxwriter's constant-memory sheets: each row goes to a temporary file
//! as it is written, strings inline, so a large program's workbook is never held cell by cell
//! (only its finished bytes are). Column widths are measured here, as the text is written,
//! since such a sheet cannot be autofitted afterwards.

use std::borrow::Cow;

use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet, XlsxError,
};

use crate::error::ReportError;
use crate::matrix::{LEGEND, MatrixDoc, build};
use crate::{ReportOptions, TraceView};

/// Excel's limit on the characters of one cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Excel's limit on the hyperlinks of one worksheet; clause cells past it are plain text.
const MAX_LINKS: usize = 65_530;
/// Excel's limit on the length of a sheet name.
const MAX_SHEET_NAME: usize = 31;
/// Widest a column is made, in pixels; longer text wraps.
const MAX_COLUMN_PIXELS: u32 = 420;
/// What the autofilter's button takes in a header cell, in pixels.
const FILTER_BUTTON_PIXELS: u32 = 16;
/// The space Excel leaves around a cell's text, in pixels.
const CELL_PADDING_PIXELS: u32 = 7;
/// A number's width: about eight digits.
const NUMBER_PIXELS: u32 = 8 * 7;

const SUMMARY: &str = "Summary";
const CLAUSES: &str = "Clauses";
const REQUIREMENTS: &str = "Requirements";

/// Text cut to what one cell may hold, with `…` marking the cut.
fn cell_text(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_CELL_CHARS || text.chars().count() <= MAX_CELL_CHARS {
        return Cow::Borrowed(text);
    }
    let mut cut: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
    cut.push('…');
    Cow::Owned(cut)
}

/// The sheet name of market `id`: the id itself unless Excel would refuse it (too long, or
/// equal, ignoring case, to another sheet's name or Excel's reserved `History`).
fn sheet_name(id: &str, taken: &[String]) -> String {
    let clashes =
        |name: &str| name.eq_ignore_ascii_case("history") || taken.iter().any(|t| t.eq_ignore_ascii_case(name));
    let base: String = id.chars().filter(|c| !"[]:*?/\\'".contains(*c)).take(MAX_SHEET_NAME).collect();
    let base = if base.is_empty() { "Market".to_owned() } else { base };
    if !clashes(&base) {
        return base;
    }
    (2..)
        .map(|n| {
            let suffix = format!(" ({n})");
            let keep = MAX_SHEET_NAME - suffix.len();
            format!("{}{suffix}", base.chars().take(keep).collect::<String>())
        })
        .find(|name| !clashes(name))
        .unwrap_or(base)
}

/// The formats of the workbook, made once.
struct Formats {
    header: Format,
    text: Format,
    wrap: Format,
    percent: Format,
    bold: Format,
    status: Vec<(&'static str, Format)>,
    /// Text indented by tree depth (index = depth, the last one for anything deeper).
    indents: Vec<Format>,
}

impl Formats {
    fn new() -> Formats {
        let top = Format::new().set_align(FormatAlign::Top);
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xEA_EE_F2))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Top),
            wrap: top.clone().set_text_wrap(),
            percent: top.clone().set_num_format("0.0%"),
            bold: top.clone().set_bold(),
            status: LEGEND
                .iter()
                .map(|s| (s.key, top.clone().set_font_color(Color::RGB(s.fg)).set_background_color(Color::RGB(s.bg))))
                .collect(),
            indents: (0u8..=8).map(|d| top.clone().set_indent(d)).collect(),
            text: top,
        }
    }

    fn indent(&self, depth: usize) -> &Format {
        &self.indents[depth.min(self.indents.len() - 1)]
    }

    fn status(&self, key: &str) -> &Format {
        self.status.iter().find(|(k, _)| *k == key).map_or(&self.text, |(_, f)| f)
    }
}

/// The pixels of each ASCII byte in Excel's default font (Calibri 11): narrow letters and
/// punctuation 4, wide letters 11, capitals 8, the rest 7. A character beyond ASCII counts
/// 7, on its first byte; a carriage return nothing.
const ASCII_PIXELS: [u8; 128] = {
    let mut table = [7u8; 128];
    let mut c = b'A';
    while c <= b'Z' {
        table[c as usize] = 8;
        c += 1;
    }
    // After the capitals: `I` is narrow, `M` and `W` wide.
    let narrow = b"ijlI.,:;'!| ()[]";
    let mut i = 0;
    while i < narrow.len() {
        table[narrow[i] as usize] = 4;
        i += 1;
    }
    let wide = b"mwMW@";
    let mut i = 0;
    while i < wide.len() {
        table[wide[i] as usize] = 11;
        i += 1;
    }
    // The carriage return of a CRLF line end.
    table[b'\r' as usize] = 0;
    table
};

/// About how many pixels `text` takes in Excel's default font: its widest line, counted up
/// to `cap` (a column is never made wider, so a long text is not measured to its end).
fn text_pixels(text: &str, cap: u32) -> u32 {
    let mut widest = 0;
    for line in text.split('\n') {
        let mut width = 0u32;
        for &b in line.as_bytes() {
            width += match b {
                0..0x80 => u32::from(ASCII_PIXELS[usize::from(b)]),
                // A continuation byte: its character was counted on its first byte.
                0x80..0xC0 => 0,
                _ => 7,
            };
            if width >= cap {
                return cap;
            }
        }
        widest = widest.max(width);
    }
    widest
}

/// Excel's paper size code for A4.
const PAPER_A4: u8 = 9;
/// Excel's limit on the characters of a page header or footer.
const MAX_HEADER_CHARS: usize = 255;

/// Text for a page header or footer: `&` starts a code there, so it is doubled.
fn header_text(text: &str, max: usize) -> String {
    let cut: String = text.chars().filter(|c| !c.is_control()).take(max).collect();
    cut.replace('&', "&&")
}

/// What every printed page of a sheet says: the program (and revision) on the left, the
/// sheet (a market, or what the sheet holds) in the middle, the report's date on the right;
/// the page number in the footer.
struct PageSetup {
    program: String,
    generated: String,
}

impl PageSetup {
    fn apply(&self, sheet: &mut Worksheet, what: &str) -> Result<(), XlsxError> {
        sheet.set_landscape();
        sheet.set_paper_size(PAPER_A4);
        // As wide as one page, as many pages tall as the rows need.
        sheet.set_print_fit_to_pages(1, 0);
        sheet.set_repeat_rows(0, 0)?;
        // Each part gets a third of what Excel allows, codes and all.
        let part = MAX_HEADER_CHARS / 3 - 8;
        sheet.set_header(format!(
            "&L{}&C{}&R{}",
            header_text(&self.program, part),
            header_text(what, part),
            header_text(&self.generated, part)
        ));
        sheet.set_footer("&LMade by avtrace&CPage &P of &N");
        Ok(())
    }
}

/// A sheet being filled: headers first, then rows, then the finishing touches that make
/// it a table (frozen header, autofilter, fitted columns) and a printout (page setup).
struct Sheet<'f> {
    sheet: Worksheet,
    columns: u16,
    /// Per column, the format its first body cell was written with, made the column's
    /// format. A cell written without a format takes its column's, and rust_xlsxwriter
    /// hashes a whole `Format` for every cell written with one: that hashing was a third of
    /// the example's workbook time.
    column_formats: Vec<Option<&'f Format>>,
    /// Per column, the widest text written, in pixels (see [`text_pixels`]).
    widths: Vec<u32>,
}

impl<'f> Sheet<'f> {
    fn new(mut sheet: Worksheet, name: &str, header: &[&str], formats: &Formats) -> Result<Sheet<'f>, XlsxError> {
        sheet.set_name(name)?;
        let mut col: u16 = 0;
        for h in header {
            sheet.write_string_with_format(0, col, *h, &formats.header)?;
            col += 1;
        }
        // A header also holds the autofilter's button.
        let widths = header.iter().map(|h| text_pixels(h, MAX_COLUMN_PIXELS) + FILTER_BUTTON_PIXELS).collect();
        Ok(Sheet { sheet, columns: col, column_formats: vec![None; usize::from(col)], widths })
    }

    fn text(&mut self, row: u32, col: u16, text: &str, format: &'f Format) -> Result<(), XlsxError> {
        self.fit_text(col, text);
        if self.takes_column_format(col, format)? {
            self.sheet.write_string(row, col, cell_text(text))?;
        } else {
            self.sheet.write_string_with_format(row, col, cell_text(text), format)?;
        }
        Ok(())
    }

    /// Whether a body cell of `col` written with `format` may be written without one: the
    /// column's format is that very `Format` (compared by address: the formats live once in
    /// [`Formats`], and a miss only costs the hashing this saves).
    fn takes_column_format(&mut self, col: u16, format: &'f Format) -> Result<bool, XlsxError> {
        let Some(slot) = self.column_formats.get_mut(usize::from(col)) else { return Ok(false) };
        match slot {
            Some(known) => Ok(std::ptr::eq(*known, format)),
            None => {
                self.sheet.set_column_format(col, format)?;
                *slot = Some(format);
                Ok(true)
            }
        }
    }

    /// Widens column `col` to hold `text`, unless it is already as wide as a column gets.
    fn fit_text(&mut self, col: u16, text: &str) {
        if let Some(w) = self.widths.get_mut(usize::from(col))
            && *w < MAX_COLUMN_PIXELS
        {
            *w = (*w).max(text_pixels(text, MAX_COLUMN_PIXELS));
        }
    }

    fn number(&mut self, row: u32, col: u16, value: f64, format: &Format) -> Result<(), XlsxError> {
        if let Some(w) = self.widths.get_mut(usize::from(col)) {
            *w = (*w).max(NUMBER_PIXELS);
        }
        self.sheet.write_number_with_format(row, col, value, format)?;
        Ok(())
    }

    /// Freezes the header row, filters rows 1..=`last_row`, fits the column widths and
    /// sets the sheet up for printing as `what`.
    fn finish(mut self, last_row: u32, page: &PageSetup, what: &str) -> Result<Worksheet, XlsxError> {
        page.apply(&mut self.sheet, what)?;
        self.sheet.set_freeze_panes(1, 0)?;
        if self.columns > 0 {
            self.sheet.autofilter(0, 0, last_row, self.columns - 1)?;
        }
        for (col, &pixels) in (0u16..).zip(&self.widths) {
            if pixels > 0 {
                self.sheet.set_column_width_pixels(col, (pixels + CELL_PADDING_PIXELS).min(MAX_COLUMN_PIXELS))?;
            }
        }
        Ok(self.sheet)
    }
}

fn row_number(i: usize) -> Result<u32, XlsxError> {
    u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn summary_sheet(
    sheet: Worksheet,
    doc: &MatrixDoc<'_>,
    f: &Formats,
    page: &PageSetup,
    options: &ReportOptions,
) -> Result<Worksheet, XlsxError> {
    let header = [
        "Market",
        "Name",
        "SOP",
        "Obligations",
        "Covered",
        "Via mapping",
        "Partial",
        "Uncovered",
        "Verified",
        "Unverified",
        "Coverage",
    ];
    let mut s = Sheet::new(sheet, SUMMARY, &header, f)?;
    let mut row: u32 = 0;
    for m in &doc.markets {
        row += 1;
        let c = &m.counts;
        s.text(row, 0, m.market, &f.text)?;
        s.text(row, 1, m.name, &f.text)?;
        s.text(row, 2, &m.sop, &f.text)?;
        let counts = [c.obligations, c.covered, c.via_mapping, c.partial, c.uncovered, c.verified, c.unverified];
        for (col, n) in (3u16..).zip(counts) {
            s.number(row, col, n as f64, &f.text)?;
        }
        if c.obligations == 0 {
            // Nothing obliged is not "100% covered".
            s.text(row, 10, "n/a", &f.text)?;
        } else {
            s.number(row, 10, c.coverage, &f.percent)?;
        }
    }
    let table_end = row;
    // Below the table: the legend and what was traced, outside the filter range.
    row += 2;
    s.text(row, 0, "Status", &f.bold)?;
    s.text(row, 1, "Meaning", &f.bold)?;
    for style in &LEGEND {
        row += 1;
        s.text(row, 0, style.label, f.status(style.key))?;
        s.text(row, 1, style.meaning, &f.text)?;
    }
    row += 2;
    let level =
        format!("{} mandates{}", doc.level, if doc.recommendations { ", recommendations included" } else { "" });
    let provenance = crate::html::provenance_lines(doc, options);
    let facts = provenance.into_iter().chain([
        ("Traced", level),
        ("Requirements", doc.requirements.len().to_string()),
        ("Coverage", "(covered + via mapping) / obligations; partial never counts".to_owned()),
        ("Counting", format!("requirements from status {} on; rejected and obsolete never count", doc.min_status)),
    ]);
    let notes = doc.unmodelled_notes();
    let facts = facts.chain(notes.into_iter().map(|n| ("Not counted", n)));
    for (name, value) in facts {
        s.text(row, 0, name, &f.bold)?;
        s.text(row, 1, &value, &f.text)?;
        row += 1;
    }
    s.finish(table_end, page, "Summary")
}

fn market_sheet(
    sheet: Worksheet,
    doc: &MatrixDoc<'_>,
    market: &str,
    name: &str,
    f: &Formats,
    page: &PageSetup,
) -> Result<Worksheet, XlsxError> {
    let header =
        ["Clause", "Instrument", "Title", "Status", "Requirements", "Verified", "Why it applies", "Via", "Via sources"];
    let mut s = Sheet::new(sheet, name, &header, f)?;
    let by_id = doc.requirements_by_id();
    let mut row: u32 = 0;
    for (i, c) in doc.clauses.iter().enumerate() {
        let Some(obliged) = c.in_market(market) else { continue };
        row += 1;
        if (row as usize) <= MAX_LINKS {
            // The clause's row in the Clauses sheet: header on row 1, clause i on row i + 2.
            let link = Url::new(format!("internal:{CLAUSES}!A{}", i + 2)).set_text(cell_text(&c.clause));
            s.fit_text(0, &c.clause);
            s.sheet.write_url(row, 0, link)?;
        } else {
            s.text(row, 0, &c.clause, &f.text)?;
        }
        s.text(row, 1, &c.instrument, &f.text)?;
        s.text(row, 2, c.title, &f.wrap)?;
        s.text(row, 3, c.status, f.status(c.status))?;
        s.text(row, 4, &crate::matrix_md::requirements_text(&by_id, c), &f.wrap)?;
        s.text(row, 5, if c.verified { "yes" } else { "no" }, &f.text)?;
        s.text(row, 6, &obliged.because.join("; "), &f.wrap)?;
        s.text(row, 7, &c.chain_text(), &f.wrap)?;
        s.text(row, 8, &c.chain_sources(), &f.wrap)?;
    }
    s.finish(row, page, &format!("Market {market}"))
}

fn clauses_sheet(sheet: Worksheet, doc: &MatrixDoc<'_>, f: &Formats, page: &PageSetup) -> Result<Worksheet, XlsxError> {
    let header = [
        "Clause",
        "Instrument",
        "Title",
        "Kind",
        "Status",
        "Requirements",
        "Verified",
        "Markets",
        "Via",
        "Via sources",
    ];
    let mut s = Sheet::new(sheet, CLAUSES, &header, f)?;
    let by_id = doc.requirements_by_id();
    let mut row: u32 = 0;
    for (i, c) in doc.clauses.iter().enumerate() {
        row = row_number(i + 1)?;
        s.text(row, 0, &c.clause, &f.text)?;
        s.text(row, 1, &c.instrument, &f.text)?;
        s.text(row, 2, c.title, &f.wrap)?;
        s.text(row, 3, c.kind, &f.text)?;
        s.text(row, 4, c.status, f.status(c.status))?;
        s.text(row, 5, &crate::matrix_md::requirements_text(&by_id, c), &f.wrap)?;
        s.text(row, 6, if c.verified { "yes" } else { "no" }, &f.text)?;
        s.text(row, 7, &c.markets.iter().map(|m| m.market).collect::<Vec<_>>().join(", "), &f.text)?;
        s.text(row, 8, &c.chain_text(), &f.wrap)?;
        s.text(row, 9, &c.chain_sources(), &f.wrap)?;
    }
    s.finish(row, page, &format!("Clauses, markets {}", markets_list(doc)))
}

/// The traced markets, comma-separated, for page headers.
fn markets_list(doc: &MatrixDoc<'_>) -> String {
    doc.markets.iter().map(|m| m.market).collect::<Vec<_>>().join(", ")
}

fn requirements_sheet(
    sheet: Worksheet,
    doc: &MatrixDoc<'_>,
    f: &Formats,
    page: &PageSetup,
) -> Result<Worksheet, XlsxError> {
    let mut header: Vec<String> =
        ["Id", "Title", "Status", "Parent", "Verification", "Verified by"].iter().map(|h| (*h).to_owned()).collect();
    let first_attr = header.len();
    header.extend(doc.attribute_keys.iter().map(|k| (*k).to_owned()));
    header.extend(["Obligations".to_owned(), "Text".to_owned()]);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut s = Sheet::new(sheet, REQUIREMENTS, &header, f)?;
    let mut row: u32 = 0;
    let col = |i: usize| u16::try_from(i).unwrap_or(u16::MAX);
    for (i, r) in doc.requirements.iter().enumerate() {
        row = row_number(i + 1)?;
        // The tree shows as the id's indent: a requirement sits under the one it refines.
        s.text(row, 0, r.id, f.indent(r.depth))?;
        s.text(row, 1, r.title, &f.wrap)?;
        s.text(row, 2, r.status, &f.text)?;
        s.text(row, 3, r.parent.unwrap_or(""), &f.text)?;
        s.text(row, 4, r.verification, &f.text)?;
        s.text(row, 5, &r.verified_by.join(", "), &f.wrap)?;
        for (k, key) in doc.attribute_keys.iter().enumerate() {
            s.text(row, col(first_attr + k), r.attrs.get(key).unwrap_or(""), &f.text)?;
        }
        let after = first_attr + doc.attribute_keys.len();
        s.text(row, col(after), &r.clauses.join(", "), &f.wrap)?;
        s.text(row, col(after + 1), r.text, &f.wrap)?;
    }
    s.finish(row, page, &format!("Requirements, markets {}", markets_list(doc)))
}

fn workbook(doc: &MatrixDoc<'_>, options: &ReportOptions) -> Result<Vec<u8>, XlsxError> {
    let formats = Formats::new();
    let page = PageSetup {
        program: match doc.revision {
            Some(r) => format!("{} (revision {r})", doc.program),
            None => doc.program.to_owned(),
        },
        generated: options.provenance.generated.clone(),
    };
    let mut workbook = Workbook::new();
    // A fixed creation date: the same input must give the same bytes. It is the date the
    // zip entries carry too.
    let created = ExcelDateTime::from_ymd(1980, 1, 1)?;
    workbook.set_properties(
        &DocProperties::new()
            .set_title(format!("Traceability matrix: {}", doc.program))
            .set_author("avtrace")
            .set_creation_datetime(&created),
    );
    let mut taken: Vec<String> = vec![SUMMARY.to_owned(), CLAUSES.to_owned(), REQUIREMENTS.to_owned()];
    let mut jobs = vec![SheetJob::Summary];
    for m in &doc.markets {
        let name = sheet_name(m.market, &taken);
        jobs.push(SheetJob::Market(m.market, name.clone()));
        taken.push(name);
    }
    jobs.extend([SheetJob::Clauses, SheetJob::Requirements]);
    register_formats(&mut workbook, &formats)?;
    let mut work = Vec::with_capacity(jobs.len());
    for job in jobs {
        work.push((job, workbook.new_worksheet_with_constant_memory()?));
    }
    let build = |(job, sheet): (SheetJob<'_>, Worksheet)| match job {
        SheetJob::Summary => summary_sheet(sheet, doc, &formats, &page, options),
        SheetJob::Market(market, name) => market_sheet(sheet, doc, market, &name, &formats, &page),
        SheetJob::Clauses => clauses_sheet(sheet, doc, &formats, &page),
        SheetJob::Requirements => requirements_sheet(sheet, doc, &formats, &page),
    };
    for sheet in in_parallel(work, build) {
        workbook.push_worksheet(sheet?);
    }
    // The fastest deflate level: the example's workbook is written 5 ms sooner (of 31) and
    // grows from 92 to 140 KB, which no one waits on.
    workbook.set_zip_compression_level(1);
    workbook.save_to_buffer()
}

/// A format takes its index in the workbook when a sheet first uses it. The sheets are
/// filled on several threads, so every format is used here first, once and in a fixed
/// order, on a sheet that is then dropped: the same input gives the same bytes.
fn register_formats(workbook: &mut Workbook, f: &Formats) -> Result<(), XlsxError> {
    let mut sheet = workbook.new_worksheet_with_constant_memory()?;
    // A link's own format (blue, underlined).
    sheet.write_url(0, 0, Url::new(format!("internal:{SUMMARY}!A1")))?;
    let plain = [&f.header, &f.text, &f.wrap, &f.percent, &f.bold];
    let all = plain.into_iter().chain(f.status.iter().map(|(_, format)| format)).chain(&f.indents);
    for (col, format) in (1u16..).zip(all) {
        sheet.write_blank(0, col, format)?;
    }
    Ok(())
}

/// A sheet of the workbook, in the order the sheets appear.
enum SheetJob<'a> {
    Summary,
    Market(&'a str, String),
    Clauses,
    Requirements,
}

/// `work` applied to every item, on up to one thread per core, the results in item order.
/// The sheets are filled independently (strings are inline, and every format has its index
/// before any sheet is filled: [`register_formats`]), so the bytes do not depend on which
/// thread filled which.
fn in_parallel<T: Send, R: Send>(items: Vec<T>, work: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(items.len());
    if threads <= 1 {
        return items.into_iter().map(work).collect();
    }
    let next = std::sync::Mutex::new(items.into_iter().enumerate());
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let worker = || {
            let mut mine = Vec::new();
            loop {
                let item = next.lock().map_or(None, |mut items| items.next());
                let Some((k, item)) = item else { return mine };
                mine.push((k, work(item)));
            }
        };
        let helpers: Vec<_> = (1..threads).map(|_| scope.spawn(worker)).collect();
        let mut all = worker();
        for helper in helpers {
            all.extend(helper.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        all
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The `matrix --format xlsx` workbook, set up to print: A4 landscape, one page wide, the
/// header row on every page, and the program, sheet, date and page number in the page
/// header and footer.
pub fn matrix_xlsx(view: &TraceView<'_>, options: &ReportOptions) -> Result<Vec<u8>, ReportError> {
    workbook(&build(view), options).map_err(|e| match e {
        // The sheets go through temporary files: say where, and how to choose another place.
        XlsxError::TempFileError(dir, error) => ReportError::new(
            "xlsx",
            std::io::Error::new(
                error.kind(),
                format!(
                    "cannot create a temporary file in {} for the sheets ({error}); set TMPDIR to a writable folder",
                    dir.display()
                ),
            ),
        ),
        e => ReportError::new("xlsx", e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_avoid_what_excel_refuses() {
        let taken = vec!["Summary".to_owned(), "Clauses".to_owned()];
        assert_eq!(sheet_name("EU", &taken), "EU");
        assert_eq!(sheet_name("SUMMARY", &taken), "SUMMARY (2)");
        assert_eq!(sheet_name("HISTORY", &taken), "HISTORY (2)");
        let long = "A".repeat(40);
        assert_eq!(sheet_name(&long, &taken).len(), 31);
        let taken = vec![long.chars().take(31).collect::<String>()];
        assert_eq!(sheet_name(&long, &taken), format!("{} (2)", "A".repeat(27)));
    }

    #[test]
    fn text_is_measured_by_its_widest_line_up_to_the_cap() {
        assert_eq!(text_pixels("", 420), 0);
        assert_eq!(text_pixels("iM", 420), 4 + 11);
        assert_eq!(text_pixels("IAW", 420), 4 + 8 + 11);
        assert_eq!(text_pixels("ab\nABCD\nx", 420), 4 * 8);
        // One character beyond ASCII counts once, whatever its length in bytes.
        assert_eq!(text_pixels("é€𝄞", 420), 3 * 7);
        assert_eq!(text_pixels(&"m".repeat(1000), 420), 420);
    }

    #[test]
    fn long_text_is_cut_to_a_cell() {
        let long = "é".repeat(MAX_CELL_CHARS + 5);
        let cut = cell_text(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with('…'));
        assert_eq!(cell_text("short"), "short");
    }
}
