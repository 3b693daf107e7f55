//! The matrix formats on the shipped example program (insta snapshots, reviewed and
//! committed), their determinism, and their escaping of hostile requirement text.

use std::io::Cursor;

use avtrace_catalog::{Sources, add_builtin, load_catalog, load_program};
use avtrace_graph::ClauseGraph;
use avtrace_model::{Catalog, Program};
use avtrace_trace::{MarketTarget, Trace, TraceOptions, trace};
use calamine::{Data, Reader, Xlsx};

use crate::TraceView;

const EXAMPLE: &str = include_str!("../../../examples/l3-highway-pilot/program.toml");
const EXAMPLE_PATH: &str = "examples/l3-highway-pilot/program.toml";

/// A requirement whose text tries every escape each format must handle.
const HOSTILE: &str = r#"
[[requirements]]
id = "XSS-1"
title = "=HYPERLINK(\"http://example.invalid\") | *bold* [link](x) \\ end"
text = "<script>alert(1)</script><img src=x onerror=alert(2)></script><!-- & \n| next line\r\nlast"
status = "draft"
satisfies = ["UN-R155:7.2.2.2"]
verified_by = ["-cmd"]
"#;

struct Fixture {
    catalog: Catalog,
    program: Program,
    trace: Trace,
}

fn fixture(program_text: &str) -> Fixture {
    let mut sources = Sources::new();
    let files = add_builtin(&mut sources);
    let program_file = sources.add(EXAMPLE_PATH, program_text);
    let render = |d: &avtrace_catalog::Diagnostic| avtrace_catalog::render(&sources, d);
    let loaded = load_catalog(&sources, &files);
    let catalog = loaded
        .value
        .unwrap_or_else(|| panic!("catalog invalid:\n{}", loaded.diagnostics.iter().map(render).collect::<String>()));
    let loaded = load_program(&sources, program_file, &catalog);
    let program = loaded
        .value
        .unwrap_or_else(|| panic!("program invalid:\n{}", loaded.diagnostics.iter().map(render).collect::<String>()));
    let graph = ClauseGraph::new(&catalog);
    let targets: Vec<MarketTarget> =
        program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
    let trace = trace(&catalog, &graph, &program, &targets, TraceOptions::default());
    Fixture { catalog, program, trace }
}

impl Fixture {
    fn view(&self) -> TraceView<'_> {
        TraceView { catalog: &self.catalog, program: &self.program, trace: &self.trace, program_path: EXAMPLE_PATH }
    }
}

fn example() -> Fixture {
    fixture(EXAMPLE)
}

fn hostile() -> Fixture {
    fixture(&format!("{EXAMPLE}\n{HOSTILE}"))
}

/// Every sheet of a workbook as text: `## name`, then one line per row, cells separated by
/// ` | `, numbers as Excel stores them.
fn xlsx_text(bytes: &[u8]) -> String {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("the workbook opens");
    let mut out = String::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).expect("the sheet reads");
        out.push_str(&format!("## {name}\n"));
        for row in range.rows() {
            let cells: Vec<String> = row
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    other => format!("{other:?}"),
                })
                .collect();
            out.push_str(&cells.join(" | "));
            out.push('\n');
        }
    }
    out
}

/// A page with its stylesheet, script and data replaced by their sizes, so that the
/// snapshot shows the markup (the data is the JSON snapshot; the assets are files in
/// `templates/`).
fn markup(html: &str) -> String {
    let mut out = html.to_owned();
    for (open, close) in [
        ("<style>", "</style>"),
        ("<script type=\"application/json\" id=\"avtrace-data\">", "</script>"),
        ("<script>", "</script>"),
    ] {
        if let Some(start) = out.find(open).map(|i| i + open.len())
            && let Some(len) = out[start..].find(close)
        {
            out.replace_range(start..start + len, &format!("[{len} bytes]"));
        }
    }
    // The script's hash changes with every edit of the script; the policy around it is
    // what the snapshot is for.
    let csp = "script-src &#39;sha256-";
    if let Some(start) = out.find(csp).map(|i| i + csp.len())
        && let Some(len) = out[start..].find("&#39;")
    {
        out.replace_range(start..start + len, "[hash]");
    }
    out
}

#[test]
fn matrix_json_snapshot() {
    let f = example();
    insta::assert_snapshot!("matrix.json", crate::matrix_json(&f.view()));
}

#[test]
fn matrix_csv_snapshot() {
    let f = example();
    let csv = String::from_utf8(crate::matrix_csv(&f.view()).unwrap()).unwrap();
    insta::assert_snapshot!("matrix.csv", csv);
}

#[test]
fn matrix_markdown_snapshot() {
    let f = example();
    insta::assert_snapshot!("matrix.md", crate::matrix_markdown(&f.view()));
}

#[test]
fn matrix_xlsx_snapshot() {
    let f = example();
    insta::assert_snapshot!("matrix.xlsx", xlsx_text(&crate::matrix_xlsx(&f.view(), &opts()).unwrap()));
}

#[test]
fn matrix_html_snapshot() {
    let f = example();
    insta::assert_snapshot!("matrix.html", markup(&crate::matrix_html(&f.view(), &opts()).unwrap()));
}

#[test]
fn report_html_snapshot() {
    let f = example();
    insta::assert_snapshot!("report.html", markup(&crate::report_html(&f.view(), &opts()).unwrap()));
}

#[test]
fn every_format_is_deterministic() {
    let a = example();
    let b = example();
    let (a, b) = (a.view(), b.view());
    assert_eq!(crate::matrix_json(&a), crate::matrix_json(&b));
    assert_eq!(crate::matrix_csv(&a).unwrap(), crate::matrix_csv(&b).unwrap());
    assert_eq!(crate::matrix_markdown(&a), crate::matrix_markdown(&b));
    assert_eq!(crate::matrix_xlsx(&a, &opts()).unwrap(), crate::matrix_xlsx(&b, &opts()).unwrap(), "xlsx bytes");
    assert_eq!(crate::matrix_html(&a, &opts()).unwrap(), crate::matrix_html(&b, &opts()).unwrap());
    assert_eq!(crate::report_html(&a, &opts()).unwrap(), crate::report_html(&b, &opts()).unwrap());
}

#[test]
fn the_html_embeds_the_json_document() {
    let f = example();
    let html = crate::report_html(&f.view(), &opts()).unwrap();
    let open = "<script type=\"application/json\" id=\"avtrace-data\">";
    let start = html.find(open).unwrap() + open.len();
    let len = html[start..].find("</script>").unwrap();
    let embedded: serde_json::Value = serde_json::from_str(&html[start..start + len]).unwrap();
    let json: serde_json::Value = serde_json::from_str(&crate::matrix_json(&f.view())).unwrap();
    assert_eq!(embedded, json);
}

/// The matrix document written piece by piece (its long lists on every core) is the bytes
/// serde_json writes for the whole, in both layouts; 3,000 more requirements take the
/// threaded path.
#[test]
fn the_matrix_document_is_written_as_serde_json_writes_it_whole() {
    use crate::piecewise::{Depth, JsonDocument};
    let mut text = EXAMPLE.to_owned();
    for k in 0..3000 {
        text.push_str(&format!(
            "\n[[requirements]]\nid = \"BULK-{k}\"\ntitle = \"Bulk <{k}> & \\\"co\\\"\"\nsatisfies = [\"UN-R155:7.2.2.2\"]\n"
        ));
    }
    let f = fixture(&text);
    let doc = crate::matrix::build(&f.view());
    assert!(doc.requirements.len() > 3000);
    for (top, whole) in
        [(Depth::PRETTY, serde_json::to_string_pretty(&doc)), (Depth::COMPACT, serde_json::to_string(&doc))]
    {
        let mut out = Vec::new();
        doc.write_json(&mut out, top).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), whole.unwrap(), "{top:?}");
    }
}

/// Accepts `limit` bytes, then fails as a full disk does.
struct FullAfter(usize);

impl std::io::Write for FullAfter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.len() > self.0 {
            return Err(std::io::Error::other("no space left on device"));
        }
        self.0 -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A document writer, its error as text.
type Writes<'a> = dyn Fn(&mut dyn std::io::Write) -> Result<(), String> + 'a;

/// The streamed matrices are the documents their string forms give, and a destination that
/// fails mid-way fails the write with its own error.
#[test]
fn streamed_matrices_are_whole_or_fail_with_the_destinations_error() {
    let f = example();
    let view = f.view();
    let md = |out: &mut dyn std::io::Write| crate::write_matrix_markdown(&view, out).map_err(|e| e.to_string());
    let csv = |out: &mut dyn std::io::Write| crate::write_matrix_csv(&view, out).map_err(|e| e.to_string());
    let json = |out: &mut dyn std::io::Write| crate::write_matrix_json(&view, out).map_err(|e| e.to_string());
    let whole: [(&str, Vec<u8>); 3] = [
        ("md", crate::matrix_markdown(&view).into_bytes()),
        ("csv", crate::matrix_csv(&view).unwrap()),
        ("json", crate::matrix_json(&view).into_bytes()),
    ];
    let writers: [&Writes<'_>; 3] = [&md, &csv, &json];
    for ((format, expected), write) in whole.iter().zip(writers) {
        let mut out = Vec::new();
        write(&mut out).unwrap();
        assert_eq!(&out, expected, "{format}");
        assert!(expected.len() > 70_000, "{format}: large enough to pass the buffers");
        let err = write(&mut FullAfter(70_000)).err().unwrap_or_default();
        assert!(err.contains("no space left on device"), "{format}: {err}");
    }
}

#[test]
fn hostile_text_stays_text_in_html() {
    let f = hostile();
    for html in [crate::report_html(&f.view(), &opts()).unwrap(), crate::matrix_html(&f.view(), &opts()).unwrap()] {
        // The only script elements are the page's own two, and no markup of the text
        // survives anywhere.
        assert_eq!(html.matches("<script").count(), 2);
        assert_eq!(html.matches("</script>").count(), 2);
        assert!(!html.contains("<img"));
        assert!(!html.contains("<!-- &"));
        assert!(html.contains("\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"));
    }
}

#[test]
fn hostile_text_is_defused_in_csv() {
    let f = hostile();
    let csv = crate::matrix_csv(&f.view()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row = rows.iter().find(|r| &r[5] == "XSS-1").expect("a row for XSS-1");
    assert_eq!(&row[6], "'=HYPERLINK(\"http://example.invalid\") | *bold* [link](x) \\ end");
    assert_eq!(&row[7], "'-cmd");
    assert_eq!(crate::matrix_csv::defuse("@SUM(1)"), "'@SUM(1)");
    assert_eq!(crate::matrix_csv::defuse("\tx"), "'\tx");
    assert_eq!(crate::matrix_csv::defuse("\rx"), "'\rx");
    assert_eq!(crate::matrix_csv::defuse("+1"), "'+1");
    assert_eq!(crate::matrix_csv::defuse("a=b"), "a=b");
}

#[test]
fn hostile_text_keeps_markdown_tables_whole() {
    let f = hostile();
    let md = crate::matrix_markdown(&f.view());
    let line = md.lines().find(|l| l.starts_with("| XSS-1 ")).expect("XSS-1 in the requirements table");
    let header = md.lines().find(|l| l.starts_with("| Id | Title |")).expect("the requirements table's header");
    // As many cells as the header: no pipe in the text ends a cell early.
    let unescaped =
        |line: &str| line.match_indices('|').filter(|(i, _)| *i == 0 || line.as_bytes()[i - 1] != b'\\').count();
    assert_eq!(unescaped(line), unescaped(header), "{line}");
    assert!(line.contains("\\<script>alert(1)\\</script>\\<img src=x onerror=alert(2)>"), "{line}");
    assert!(line.contains("\\& <br>\\| next line<br>last"), "{line}");
    assert!(line.contains("\\*bold\\* \\[link\\](x) \\\\ end"), "{line}");
    assert_eq!(crate::matrix_md::md_cell("a\rb\n\u{7}c"), "a<br>b<br> c");
}

#[test]
fn hostile_text_is_plain_text_in_xlsx() {
    let f = hostile();
    let bytes = crate::matrix_xlsx(&f.view(), &opts()).unwrap();
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let range = workbook.worksheet_range("Requirements").unwrap();
    let row = range.rows().find(|r| r[0] == Data::String("XSS-1".into())).expect("XSS-1 row");
    assert_eq!(row[1], Data::String("=HYPERLINK(\"http://example.invalid\") | *bold* [link](x) \\ end".into()));
    let formulas = workbook.worksheet_formula("Requirements").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no cell is a formula");
}

/// The options every snapshot renders with: a fixed date and catalog, so that the bytes hold.
fn opts() -> crate::ReportOptions {
    crate::ReportOptions {
        audience: crate::Audience::Engineer,
        provenance: crate::Provenance {
            generated: "2027-01-15 09:00 UTC".to_owned(),
            catalog_version: "2026-07-01.0123456789ab".to_owned(),
            catalog_fingerprint: "0123456789abcdef".to_owned(),
        },
    }
}

#[test]
fn authority_report_has_no_analyst_notes_commands_or_script() {
    let f = example();
    let options = crate::ReportOptions { audience: crate::Audience::Authority, ..opts() };
    let html = crate::report_html(&f.view(), &options).unwrap();
    assert!(!html.contains("<script"), "no script");
    assert!(!html.contains("avtrace show") && !html.contains("avtrace gaps") && !html.contains("--program"));
    for field in
        ["Prepared by", "Reviewed by", "Approved by", "Date", "Evidence", "Verification", "2027-01-15 09:00 UTC"]
    {
        assert!(html.contains(field), "{field} missing");
    }
    assert_eq!(html, crate::report_html(&f.view(), &options).unwrap(), "same bytes");
}
