//! One test per validation error class: the message, and the line and column it points at.

use crate::{CatalogFile, Sources, load_catalog, load_program, role_of};

const A: &str = r#"id = "A"
title = "Instrument A"
kind = "standard"
edition = "2020"
source = "test"

[[clauses]]
id = "1"
title = "Heading"
kind = "heading"

[[clauses]]
id = "1.1"
title = "Duty"
kind = "requirement"
"#;

const MARKET: &str = r#"id = "XX"
name = "Market X"

[[mandates]]
instrument = "A"
level = "mandatory"
from = "2020-01-01"
categories = ["M"]
features = ["alks"]
legal_basis = "law"
source = "test"
"#;

/// Loads `files` (and `program`, if any) and returns every diagnostic as
/// `path:line:col severity[code] message`.
fn diagnostics(files: &[(&str, &str)], program: Option<&str>) -> Vec<String> {
    let mut sources = Sources::new();
    let catalog_files: Vec<CatalogFile> =
        files.iter().map(|(p, t)| CatalogFile { file: sources.add(*p, *t), role: role_of(p) }).collect();
    let program_file = program.map(|p| sources.add("program.toml", p));
    let loaded = load_catalog(&sources, &catalog_files);
    let mut all = loaded.diagnostics;
    if let (Some(catalog), Some(file)) = (&loaded.value, program_file) {
        all.extend(load_program(&sources, file, catalog).diagnostics);
    }
    all.iter()
        .map(|d| {
            let at = d.span.map(|s| sources.position(s)).unwrap_or_default();
            format!("{at} {}[{}] {}", d.severity, d.code, d.message)
        })
        .collect()
}

fn with_a(extra: &[(&str, &str)]) -> Vec<String> {
    let mut files = vec![("a.toml", A), ("markets/xx.toml", MARKET)];
    files.extend_from_slice(extra);
    diagnostics(&files, None)
}

fn program_diagnostics(program: &str) -> Vec<String> {
    diagnostics(&[("a.toml", A), ("markets/xx.toml", MARKET)], Some(program))
}

#[test]
fn the_valid_fixture_has_no_diagnostics() {
    assert_eq!(with_a(&[]), Vec::<String>::new());
}

#[test]
fn toml_syntax_error() {
    let got = diagnostics(&[("a.toml", "id = \"A\"\ntitle = \n")], None);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with("a.toml:2:9 error[invalid-toml] "), "{got:?}");
}

#[test]
fn unknown_key_is_an_error() {
    let text = A.replace("title = \"Duty\"", "titel = \"Duty\"");
    let got = diagnostics(&[("a.toml", &text)], None);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("a.toml:14:1 error[invalid-toml] unknown key `titel`, expected one of"), "{got:?}");
}

#[test]
fn duplicate_instrument() {
    let got = with_a(&[("b.toml", A)]);
    assert_eq!(got, ["b.toml:1:6 error[duplicate-id] instrument `A` edition `2020` is defined twice"]);
}

#[test]
fn duplicate_clause() {
    let text = format!("{A}\n[[clauses]]\nid = \"1.1\"\ntitle = \"Again\"\nkind = \"requirement\"\n");
    let got = diagnostics(&[("a.toml", &text)], None);
    assert_eq!(got, ["a.toml:18:6 error[duplicate-id] clause `1.1` is defined twice in A"]);
}

#[test]
fn duplicate_market() {
    let got = with_a(&[("markets/yy.toml", MARKET)]);
    assert_eq!(got, ["markets/yy.toml:1:6 error[duplicate-id] market `XX` is defined twice"]);
}

#[test]
fn dangling_reference_in_refs() {
    let text = A.replace("kind = \"requirement\"", "kind = \"requirement\"\nrefs = [\"A:9\", \"Q:1\"]");
    let got = diagnostics(&[("a.toml", &text)], None);
    assert_eq!(
        got,
        [
            "a.toml:16:9 error[dangling-reference] in `refs`: A has no clause `9`",
            "a.toml:16:16 error[dangling-reference] in `refs`: unknown instrument `Q`",
        ]
    );
}

#[test]
fn dangling_parent_and_supersedes() {
    let text = A
        .replace("kind = \"requirement\"", "kind = \"requirement\"\nparent = \"7\"")
        .replace("source = \"test\"", "source = \"test\"\nsupersedes = \"A@2011\"");
    let got = diagnostics(&[("a.toml", &text)], None);
    assert_eq!(
        got,
        [
            "a.toml:6:14 error[dangling-reference] `supersedes` names `A@2011`, which is not an edition in the catalog",
            "a.toml:17:10 error[dangling-reference] parent `7` is not another clause of A",
        ]
    );
}

#[test]
fn mapping_endpoints_must_exist() {
    let mapping = "from = \"A\"\nto = \"B\"\nsource = \"s\"\n";
    assert_eq!(
        with_a(&[("mappings/ab.toml", mapping)]),
        ["mappings/ab.toml:2:6 error[dangling-reference] mapping `to`: unknown instrument `B`"]
    );
    let b = A.replace("id = \"A\"", "id = \"B\"");
    let mapping = "from = \"A\"\nto = \"B\"\nsource = \"s\"\n[[map]]\nfrom = \"1.1\"\nto = \"2\"\nrel = \"equal\"\n";
    assert_eq!(
        with_a(&[("b.toml", &b), ("mappings/ab.toml", mapping)]),
        ["mappings/ab.toml:6:6 error[dangling-reference] B has no clause `2`"]
    );
}

#[test]
fn unknown_kind() {
    let text = A.replace("kind = \"heading\"", "kind = \"chapter\"");
    assert_eq!(
        diagnostics(&[("a.toml", &text)], None),
        ["a.toml:10:8 error[unknown-kind] unknown clause kind `chapter`, expected one of: heading, requirement, \
             recommendation, informative, definition"]
    );
}

#[test]
fn unknown_granularity() {
    let text = A.replace("kind = \"requirement\"", "kind = \"requirement\"\ngranularity = \"chaptre\"");
    assert_eq!(
        diagnostics(&[("a.toml", &text)], None),
        ["a.toml:16:15 error[unknown-granularity] unknown granularity `chaptre`, expected one of: paragraph, chapter"]
    );
    // The spelled word loads, and the default is one paragraph.
    let text = A.replace("kind = \"requirement\"", "kind = \"requirement\"\ngranularity = \"chapter\"");
    assert!(diagnostics(&[("a.toml", &text)], None).is_empty());
}

#[test]
fn unknown_relation_and_adoption() {
    let b = A.replace("id = \"A\"", "id = \"B\"");
    let mapping = "from = \"A\"\nto = \"B\"\nadoption = \"SAME\"\nsource = \"s\"\n[[map]]\nfrom = \"1.1\"\nto = \"1.1\"\nrel = \"equals\"\n";
    assert_eq!(
        with_a(&[("b.toml", &b), ("mappings/ab.toml", mapping)]),
        [
            "mappings/ab.toml:3:12 error[unknown-adoption] unknown adoption `SAME`, expected one of: IDT, MOD, NEQ",
            "mappings/ab.toml:8:7 error[unknown-relation] unknown relation `equals`, expected one of: equal, subset, \
             superset, intersects",
        ]
    );
}

#[test]
fn unknown_level_and_confidence() {
    let market = MARKET.replace("level = \"mandatory\"", "level = \"must\"\nconfidence = \"sure\"");
    assert_eq!(
        diagnostics(&[("a.toml", A), ("markets/xx.toml", &market)], None),
        [
            "markets/xx.toml:6:9 error[unknown-level] unknown level `must`, expected one of: mandatory, expected, \
             voluntary",
            "markets/xx.toml:7:14 error[unknown-confidence] unknown confidence `sure`, expected one of: verified, \
             secondary, uncertain",
        ]
    );
}

#[test]
fn malformed_dates() {
    let market = MARKET.replace("2020-01-01", "2020-02-30");
    assert_eq!(
        diagnostics(&[("a.toml", A), ("markets/xx.toml", &market)], None),
        ["markets/xx.toml:7:8 error[invalid-date] `2020-02-30` is not a day of the calendar"]
    );
    let market = MARKET.replace("\"2020-01-01\"", "\"July 2022\"");
    assert_eq!(
        diagnostics(&[("a.toml", A), ("markets/xx.toml", &market)], None),
        ["markets/xx.toml:7:8 error[invalid-date] expected a date as YYYY-MM-DD, found `July 2022`"]
    );
    // A TOML date is accepted as well as a string.
    let market = MARKET.replace("\"2020-01-01\"", "2020-01-01");
    assert_eq!(diagnostics(&[("a.toml", A), ("markets/xx.toml", &market)], None), Vec::<String>::new());
}

#[test]
fn reference_cycles() {
    let text = format!(
        "{}\n[[clauses]]\nid = \"2\"\ntitle = \"Other\"\nkind = \"requirement\"\nrefs = [\"A:1.1\"]\n",
        A.replace("kind = \"requirement\"", "kind = \"requirement\"\nrefs = [\"A:2\"]")
    );
    assert_eq!(
        diagnostics(&[("a.toml", &text)], None),
        ["a.toml:16:9 error[reference-cycle] reference cycle: A:1.1 -> A:2 -> A:1.1"]
    );
}

#[test]
fn parent_cycles() {
    let text = format!(
        "{}\n[[clauses]]\nid = \"X\"\ntitle = \"x\"\nkind = \"heading\"\nparent = \"Y\"\n\
         [[clauses]]\nid = \"Y\"\ntitle = \"y\"\nkind = \"heading\"\nparent = \"X\"\n",
        A
    );
    assert_eq!(
        diagnostics(&[("a.toml", &text)], None),
        ["a.toml:21:10 error[parent-cycle] parent cycle: A:X -> A:Y -> A:X"]
    );
}

#[test]
fn invalid_ids_and_empty_sources() {
    let text = A.replace("id = \"A\"", "id = \"a-1\"").replace("source = \"test\"", "source = \" \"");
    assert_eq!(
        diagnostics(&[("a.toml", &text)], None),
        [
            "a.toml:1:6 error[invalid-id] instrument id `a-1` must be upper case letters, digits and hyphens (e.g. UN-R155)",
            "a.toml:5:10 error[empty-value] source must not be empty",
        ]
    );
}

#[test]
fn unknown_instrument_in_a_mandate() {
    let market = MARKET.replace("instrument = \"A\"", "instrument = \"UN-R999\"");
    assert_eq!(
        diagnostics(&[("a.toml", A), ("markets/xx.toml", &market)], None),
        ["markets/xx.toml:5:14 error[dangling-reference] mandate: unknown instrument `UN-R999`"]
    );
}

const PROGRAM: &str = r#"[program]
name = "P"
categories = ["M1"]
features = ["alks"]
markets = [{ id = "XX", sop = "2027-01-01" }]

[[requirements]]
id = "R-1"
title = "One"
satisfies = ["A:1.1"]
"#;

#[test]
fn a_valid_program_has_no_diagnostics() {
    assert_eq!(program_diagnostics(PROGRAM), Vec::<String>::new());
}

#[test]
fn unknown_market_in_a_program() {
    let program = PROGRAM.replace("id = \"XX\"", "id = \"ZZ\"");
    assert_eq!(
        program_diagnostics(&program),
        ["program.toml:5:19 error[unknown-market] unknown market `ZZ`, expected one of: XX"]
    );
}

#[test]
fn malformed_sop() {
    let program = PROGRAM.replace("2027-01-01", "2027-1-1");
    assert_eq!(
        program_diagnostics(&program),
        ["program.toml:5:31 error[invalid-date] expected a date as YYYY-MM-DD, found `2027-1-1`"]
    );
}

#[test]
fn dangling_satisfies_and_duplicate_requirement() {
    let program = format!("{PROGRAM}\n[[requirements]]\nid = \"R-1\"\ntitle = \"Two\"\nsatisfies = [\"A:1.9\"]\n");
    assert_eq!(
        program_diagnostics(&program),
        [
            "program.toml:13:6 error[duplicate-id] requirement `R-1` is defined twice",
            "program.toml:15:14 error[dangling-reference] in `satisfies`: A has no clause `1.9`",
        ]
    );
}

#[test]
fn unused_categories_and_features_are_warnings() {
    let program = PROGRAM.replace("[\"M1\"]", "[\"M1\", \"T\"]").replace("[\"alks\"]", "[\"alsk\"]");
    assert_eq!(
        program_diagnostics(&program),
        [
            "program.toml:3:21 warning[unused-category] no mandate in the catalog applies to vehicle category `T` (a typo?)",
            "program.toml:4:13 warning[unused-feature] no mandate in the catalog depends on feature `alsk` (a typo?)",
        ]
    );
}

#[test]
fn linking_a_heading_is_a_warning() {
    let program = PROGRAM.replace("[\"A:1.1\"]", "[\"A:1\"]");
    assert_eq!(
        program_diagnostics(&program),
        ["program.toml:10:14 warning[links-heading] A:1 is a heading, which is never an obligation; link the \
             clauses under it"]
    );
}

#[test]
fn a_reference_repeated_is_checked_at_every_place() {
    let mut program = PROGRAM.replace("[\"A:1.1\"]", "[\"A:1\", \"A:1.9\"]");
    for n in 2..=3 {
        program.push_str(&format!(
            "\n[[requirements]]\nid = \"R-{n}\"\ntitle = \"t\"\nsatisfies = [\"A:1.1\", \"A:1\", \"A:1.9\"]\n"
        ));
    }
    let heading = "warning[links-heading] A:1 is a heading, which is never an obligation; link the clauses under it";
    let dangling = "error[dangling-reference] in `satisfies`: A has no clause `1.9`";
    assert_eq!(
        program_diagnostics(&program),
        [
            format!("program.toml:10:14 {heading}"),
            format!("program.toml:10:21 {dangling}"),
            format!("program.toml:15:23 {heading}"),
            format!("program.toml:15:30 {dangling}"),
            format!("program.toml:20:23 {heading}"),
            format!("program.toml:20:30 {dangling}"),
        ]
    );
}

#[test]
fn errors_in_many_files_are_all_reported() {
    let bad_kind = A.replace("kind = \"heading\"", "kind = \"chapter\"").replace("id = \"A\"", "id = \"B\"");
    let bad_syntax = "id = ";
    let market = MARKET.replace("level = \"mandatory\"", "level = \"must\"");
    let got = diagnostics(
        &[("a.toml", A), ("b.toml", &bad_kind), ("c.toml", bad_syntax), ("markets/xx.toml", &market)],
        None,
    );
    assert_eq!(got.len(), 3, "{got:?}");
}

#[test]
fn edition_pins_resolve() {
    let old = A.replace("edition = \"2020\"", "edition = \"2011\"");
    let new = A.replace("source = \"test\"", "source = \"test\"\nsupersedes = \"A@2011\"");
    let text = "id = \"C\"\ntitle = \"C\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"A@2011:1.1\", \"A:1.1\", \"A@1999:1.1\"]\n";
    assert_eq!(
        diagnostics(&[("a.toml", &new), ("a-2011.toml", &old), ("c.toml", text)], None),
        [
            "c.toml:10:32 error[dangling-reference] in `refs`: instrument `A` has no edition `1999` (editions: 2011, 2020)"
        ]
    );
    // Two editions and no supersession: an unpinned reference is ambiguous, reported once
    // at the edition read last, with the references it made ambiguous.
    let text = text.replace(", \"A@1999:1.1\"", "");
    assert_eq!(
        diagnostics(&[("a.toml", A), ("a-2011.toml", &old), ("c.toml", &text)], None),
        ["a-2011.toml:1:6 error[ambiguous-edition] instrument `A` edition `2011` is a second current edition, so 1 \
             reference to `A` without an edition is ambiguous"]
    );
    // Both editions pinned everywhere: no error.
    let pinned = text.replace("\"A:1.1\"", "\"A@2020:1.1\"");
    assert!(diagnostics(&[("a.toml", A), ("a-2011.toml", &old), ("c.toml", &pinned)], None).is_empty());
}

/// An extra folder's new edition of an id that files it did not write refer to without an
/// edition: one error at the new edition, naming the references, not one at each of them.
#[test]
fn a_second_current_edition_is_one_error_at_its_own_file() {
    let referring = |n: usize| {
        format!(
            "id = \"C{n}\"\ntitle = \"C\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n[[clauses]]\n\
             id = \"1\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"A:1.1\"]\n"
        )
    };
    let texts: Vec<String> = (0..55).map(referring).collect();
    let mut files: Vec<(String, &str)> = vec![("base/a.toml".to_owned(), A)];
    files.extend(texts.iter().enumerate().map(|(n, t)| (format!("base/c{n:02}.toml"), t.as_str())));
    let extra = A.replace("edition = \"2020\"", "edition = \"2030\"");
    files.push(("extra/a.toml".to_owned(), &extra));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let mut sources = Sources::new();
    let catalog_files: Vec<CatalogFile> =
        files.iter().map(|(p, t)| CatalogFile { file: sources.add(*p, *t), role: role_of(p) }).collect();
    let loaded = load_catalog(&sources, &catalog_files);
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    let d = &loaded.diagnostics[0];
    assert_eq!(sources.position(d.span.expect("a place")), "extra/a.toml:1:6");
    assert!(d.message.contains("so 55 references to `A` without an edition are ambiguous"), "{}", d.message);
    assert_eq!(d.notes[0], "edition `2020` is at base/a.toml:1:6");
    assert!(d.notes[1].starts_with("ambiguous at base/c00.toml:10:9, ") && d.notes[1].ends_with("and 52 more"));
}

const MAPPING: &str = r#"from = "A"
to = "B"
source = "test"

[[map]]
from = "1.1"
to = "1.1"
rel = "equal"
"#;

/// The same clause pair in two mapping files: `equal`, `subset` and `superset` contradict
/// each other wherever they are; the same relation twice is a warning; a containment or
/// `equal` sharpening an `intersects` (a company's crosswalk over the built-in catalog) is
/// not an error.
#[test]
fn one_clause_pair_mapped_two_ways_in_two_files_is_an_error() {
    let b = A.replace("id = \"A\"", "id = \"B\"");
    let reverse = MAPPING.replace("from = \"A\"\nto = \"B\"", "from = \"B\"\nto = \"A\"");
    let run = |second: &str| {
        diagnostics(&[("a.toml", A), ("b.toml", &b), ("mappings/1.toml", MAPPING), ("mappings/2.toml", second)], None)
    };
    assert_eq!(
        run(&MAPPING.replace("equal", "subset")),
        ["mappings/2.toml:6:8 error[conflicting-mapping] A:1.1 is mapped `subset` to B:1.1 here, but `equal` at \
             mappings/1.toml:6:8"]
    );
    // Read from the other end, `superset` is the converse of `subset`: still a contradiction
    // of `equal`, and the same statement as a `subset` the other way round.
    assert_eq!(
        run(&reverse.replace("equal", "superset")),
        ["mappings/2.toml:6:8 error[conflicting-mapping] B:1.1 is mapped `superset` to A:1.1 here, but `equal` at \
             mappings/1.toml:6:8"]
    );
    assert_eq!(
        run(&reverse),
        ["mappings/2.toml:6:8 warning[duplicate-mapping] B:1.1 is already mapped `equal` to A:1.1 at \
             mappings/1.toml:6:8"]
    );
    assert!(run(&MAPPING.replace("equal", "intersects")).is_empty());
}

/// A program that targets no market is said with the place of its `[program]` table, since
/// every command that traces refuses it.
#[test]
fn a_program_without_markets_is_said_at_its_program_table() {
    let text =
        format!("# header\n\n{}", PROGRAM.replace("markets = [{ id = \"XX\", sop = \"2027-01-01\" }]", "markets = []"));
    assert_eq!(
        program_diagnostics(&text),
        ["program.toml:3:1 warning[no-market] the program targets no market: trace, gaps and reports need one"]
    );
}

/// A program big enough to be parsed in pieces, with a mistake near the end.
fn big_program(requirements: usize, bad_at: usize) -> String {
    let mut text = PROGRAM.to_owned();
    for n in 0..requirements {
        let target = if n == bad_at { "A:9.9" } else { "A:1.1" };
        text.push_str(&format!(
            "\n[[requirements]]\nid = \"BIG-{n}\"\ntitle = \"Requirement {n}\"\ntext = \"\"\"\nline one\n[[requirements]]\n\"\"\"\nsatisfies = [\"{target}\"]\n"
        ));
    }
    text
}

#[test]
fn large_programs_are_parsed_in_pieces_with_exact_positions() {
    let text = big_program(20_000, 19_990);
    assert!(text.len() > 1 << 20, "large enough to be cut");
    let got = program_diagnostics(&text);
    let line = text[..text.find("\"A:9.9\"").unwrap()].lines().count();
    assert_eq!(
        got,
        [format!("program.toml:{line}:14 error[dangling-reference] in `satisfies`: A has no clause `9.9`")]
    );

    let mut sources = Sources::new();
    let files = [
        CatalogFile { file: sources.add("a.toml", A), role: role_of("a.toml") },
        CatalogFile { file: sources.add("markets/xx.toml", MARKET), role: role_of("markets/xx.toml") },
    ];
    let catalog = load_catalog(&sources, &files).value.unwrap();
    let good = big_program(20_000, usize::MAX);
    let file = sources.add("program.toml", good.as_str());
    let program = load_program(&sources, file, &catalog).value.unwrap();
    assert_eq!(program.requirements.len(), 20_001);
    assert_eq!(program.requirements[20_000].id(), "BIG-19999");
    assert_eq!(program.requirements[5].text(), "line one\n[[requirements]]\n");
    let at = sources.position(program.requirements[20_000].span);
    let line = good[..good.find("\"BIG-19999\"").unwrap()].lines().count();
    assert_eq!(at, format!("program.toml:{line}:6"));
}

/// Root keys before the first header belong to the whole document: a large file is read
/// exactly as a small one, never cut so that they are parsed on their own.
#[test]
fn root_keys_before_the_tables_read_the_same_in_large_and_small_files() {
    let root = "requirements = [{ id = \"ROOT\", title = \"r\" }]\n";
    let small = format!("{root}{}", big_program(2, usize::MAX));
    let large = format!("{root}{}", big_program(20_000, usize::MAX));
    assert!(large.len() > 1 << 20, "large enough to be cut");
    let (small, large) = (program_diagnostics(&small), program_diagnostics(&large));
    assert_eq!(small.len(), 1, "{small:?}");
    assert!(small[0].contains("error[invalid-toml]"), "{small:?}");
    assert_eq!(small, large);
}

#[test]
fn a_syntax_error_in_a_piece_points_into_the_whole_file() {
    let mut text = big_program(20_000, usize::MAX);
    let at = text.find("id = \"BIG-15000\"").unwrap();
    text.insert_str(at, "oops = \n");
    let line = text[..at].lines().count() + 1;
    let got = program_diagnostics(&text);
    assert_eq!(got.len(), 1);
    assert!(got[0].starts_with(&format!("program.toml:{line}:")), "{got:?}");
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Loads mutated copies of valid files: whatever the bytes, the loader reports
    /// diagnostics whose places resolve, and never panics.
    fn load_all(instrument: &str, market: &str, program: &str) {
        let mut sources = Sources::new();
        let files = [
            CatalogFile { file: sources.add("a.toml", instrument), role: role_of("a.toml") },
            CatalogFile { file: sources.add("markets/xx.toml", market), role: role_of("markets/xx.toml") },
        ];
        let program_file = sources.add("program.toml", program);
        let loaded = load_catalog(&sources, &files);
        let mut all = loaded.diagnostics;
        if let Some(catalog) = &loaded.value {
            all.extend(load_program(&sources, program_file, catalog).diagnostics);
        }
        for d in &all {
            let rendered = crate::render(&sources, d);
            assert!(rendered.contains(d.code));
        }
    }

    fn mutate(text: &str, edits: &[(usize, u8)], cut: usize) -> String {
        let mut bytes = text.as_bytes().to_vec();
        for &(at, byte) in edits {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = byte;
            }
        }
        bytes.truncate(bytes.len().saturating_sub(cut % 8));
        String::from_utf8_lossy(&bytes).into_owned()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn mutated_inputs_never_panic(
            edits in prop::collection::vec((any::<usize>(), prop::sample::select(b"\"'[]{}=,.:@#\n\\ aZ09-".to_vec())), 0..6),
            target in 0usize..3,
            cut in any::<usize>(),
        ) {
            let (mut a, mut m, mut p) = (A.to_owned(), MARKET.to_owned(), PROGRAM.to_owned());
            match target {
                0 => a = mutate(A, &edits, cut),
                1 => m = mutate(MARKET, &edits, cut),
                _ => p = mutate(PROGRAM, &edits, cut),
            }
            load_all(&a, &m, &p);
        }

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            load_all(&text, &text, &text);
        }
    }
}

#[test]
fn an_unknown_status_is_an_error_listing_the_allowed_words() {
    let program = PROGRAM.replace("title = \"One\"", "title = \"One\"\nstatus = \"banana\"");
    assert_eq!(
        program_diagnostics(&program),
        ["program.toml:10:10 error[unknown-status] unknown requirement status `banana`, expected one of: draft, \
          proposed, approved, implemented, rejected, obsolete"]
    );
    // A near miss is named.
    let program = PROGRAM.replace("title = \"One\"", "title = \"One\"\nstatus = \"aproved\"");
    let mut sources = Sources::new();
    let files: Vec<CatalogFile> = [("a.toml", A), ("markets/xx.toml", MARKET)]
        .iter()
        .map(|(p, t)| CatalogFile { file: sources.add(*p, *t), role: role_of(p) })
        .collect();
    let file = sources.add("program.toml", program);
    let catalog = load_catalog(&sources, &files).value.expect("valid catalog");
    let loaded = load_program(&sources, file, &catalog);
    assert!(loaded.value.is_none());
    assert!(loaded.diagnostics[0].notes.iter().any(|n| n == "did you mean `approved`?"), "{:?}", loaded.diagnostics);
}

const VOCABULARY: &str = r#"[[features]]
id = "alks"
meaning = "Automated lane keeping"
implies = ["ads"]
source = "test"

[[features]]
id = "ads"
meaning = "Automated driving system"
source = "test"

[[categories]]
id = "M"
meaning = "Passenger vehicles"
source = "test"

[[categories]]
id = "M1"
meaning = "Cars"
source = "test"
"#;

fn with_vocabulary(program: &str, market: &str) -> Vec<String> {
    diagnostics(&[("a.toml", A), ("markets/xx.toml", market), ("vocabulary/words.toml", VOCABULARY)], Some(program))
}

#[test]
fn words_outside_a_declared_vocabulary_are_errors_naming_the_closest() {
    assert_eq!(with_vocabulary(PROGRAM, MARKET), Vec::<String>::new());
    let program = PROGRAM.replace("[\"M1\"]", "[\"M7\"]").replace("[\"alks\"]", "[\"alsk\"]");
    assert_eq!(
        with_vocabulary(&program, MARKET),
        [
            "program.toml:3:15 error[unknown-category] the program names category `M7`, which the catalog does not declare",
            "program.toml:4:13 error[unknown-feature] the program names feature `alsk`, which the catalog does not declare",
        ]
    );
    let mut sources = Sources::new();
    let files: Vec<CatalogFile> = [("a.toml", A), ("markets/xx.toml", MARKET), ("vocabulary/words.toml", VOCABULARY)]
        .iter()
        .map(|(p, t)| CatalogFile { file: sources.add(*p, *t), role: role_of(p) })
        .collect();
    let file = sources.add("program.toml", program.as_str());
    let catalog = load_catalog(&sources, &files).value.expect("valid catalog");
    let loaded = load_program(&sources, file, &catalog);
    assert_eq!(loaded.diagnostics[1].notes[0], "did you mean `alks`?");
    assert_eq!(catalog.vocabulary.feature_closure(&["alks".to_owned()]), ["ads", "alks"]);
}

#[test]
fn a_mandate_and_implies_must_use_declared_words() {
    let market = MARKET.replace("[\"alks\"]", "[\"lane-keeping\"]");
    assert_eq!(
        with_vocabulary(PROGRAM, &market),
        ["markets/xx.toml:9:13 error[unknown-feature] the mandate names feature `lane-keeping`, which the catalog \
          does not declare"]
    );
    let vocabulary = VOCABULARY.replace("implies = [\"ads\"]", "implies = [\"adss\"]");
    assert_eq!(
        diagnostics(&[("a.toml", A), ("markets/xx.toml", MARKET), ("vocabulary/words.toml", &vocabulary)], None),
        ["vocabulary/words.toml:4:12 error[unknown-feature] `implies` names feature `adss`, which is not declared"]
    );
}

#[test]
fn mandates_on_instruments_without_requirement_clauses_are_warned_about() {
    let empty = "id = \"E\"\ntitle = \"E\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n";
    let market = format!(
        "{MARKET}\n[[mandates]]\ninstrument = \"E\"\nlevel = \"mandatory\"\nfrom = \"2020-01-01\"\n\
         legal_basis = \"law\"\nsource = \"test\"\n"
    );
    let mut sources = Sources::new();
    let files: Vec<CatalogFile> = [("a.toml", A), ("e.toml", empty), ("markets/xx.toml", market.as_str())]
        .iter()
        .map(|(p, t)| CatalogFile { file: sources.add(*p, *t), role: role_of(p) })
        .collect();
    let catalog = load_catalog(&sources, &files).value.expect("valid catalog");
    let warnings: Vec<String> = crate::unmodelled_mandates(&catalog, None)
        .iter()
        .map(|d| {
            format!(
                "{} {}[{}] {}",
                d.span.map(|s| sources.position(s)).unwrap_or_default(),
                d.severity,
                d.code,
                d.message
            )
        })
        .collect();
    assert_eq!(
        warnings,
        [
            "markets/xx.toml:14:14 warning[unmodelled-mandate] XX mandates E, which has no requirement clauses in the catalog"
        ]
    );
}

#[test]
fn a_mandate_names_parts_its_instrument_has_once_each() {
    let market =
        |parts: &str| MARKET.replace("features = [\"alks\"]\n", &format!("features = [\"alks\"]\nclauses = {parts}\n"));
    let vocabulary = (
        "vocabulary/words.toml",
        "[[features]]\nid = \"alks\"\nmeaning = \"m\"\nsource = \"s\"\n[[categories]]\nid = \"M\"\nmeaning = \"m\"\nsource = \"s\"\n",
    );
    let load = |parts: &str| {
        let m = market(parts);
        diagnostics(&[("a.toml", A), ("markets/xx.toml", &m), vocabulary], None)
    };
    assert_eq!(load("[\"1\"]"), Vec::<String>::new());
    assert_eq!(load("[\"1.1\", \"1\"]"), Vec::<String>::new());
    assert_eq!(
        load("[\"1\", \"9.9\"]"),
        ["markets/xx.toml:10:17 error[dangling-reference] mandate: A has no clause 9.9"]
    );
    assert_eq!(load("[\"1\", \"1\"]"), ["markets/xx.toml:10:17 error[duplicate-id] `clauses` names 1 twice"]);
    assert_eq!(
        load("[]"),
        ["markets/xx.toml:10:11 error[empty-value] `clauses` is empty: name the parts of the instrument the mandate \
          imposes, or leave `clauses` out for all of it"]
    );
}

/// `docs/program.schema.json` names exactly the keys the loader accepts, table by table.
#[test]
fn the_schema_lists_the_keys_the_loader_accepts() {
    let schema: serde_json::Value = serde_json::from_str(crate::PROGRAM_SCHEMA).expect("the schema is JSON");
    let keys_of = |v: &serde_json::Value| -> Vec<String> {
        v["properties"].as_object().expect("properties").keys().cloned().collect()
    };
    for (table, keys) in crate::raw::PROGRAM_KEYS {
        let node = if *table == "file" { &schema } else { &schema["$defs"][*table] };
        let mut want: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        let mut got = keys_of(node);
        want.sort();
        got.sort();
        assert_eq!(got, want, "table `{table}`");
        assert_eq!(node["additionalProperties"], false, "table `{table}` refuses unknown keys, as the loader does");
    }
    // And the loader refuses what the schema does not list: a key outside each list.
    let program = format!("{PROGRAM}\n[[evidence]]\nid = \"E\"\nbogus = 1\n");
    assert!(program_diagnostics(&program).iter().any(|d| d.contains("unknown key `bogus`")));
}
