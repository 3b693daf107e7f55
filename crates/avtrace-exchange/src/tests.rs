//! Export then import gives the program back: ids, titles, texts, statuses, evidence and
//! links, whatever the text holds.

use avtrace_catalog::{CatalogFile, Sources, load_catalog, role_of};
use avtrace_graph::ClauseGraph;
use avtrace_model::{
    Attrs, Catalog, ClauseIx, Date, Evidence, EvidenceKind, EvidenceResult, Link, MarketIx, Program, ProgramMarket,
    ReqIx, Requirement,
};
use avtrace_reqif::{Field, ImportOptions, import_reader, normalize_text};
use avtrace_trace::{MarketTarget, TraceOptions, trace};
use proptest::prelude::*;

use crate::{ExportNames, ProgramOptions, program_from_reqif, reqif_export};

fn catalog() -> Catalog {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/mini-catalog");
    let mut sources = Sources::new();
    let files = avtrace_catalog::add_catalog_dir(&mut sources, &root).expect("fixture catalog is readable");
    let _ = (role_of, CatalogFile::clone);
    load_catalog(&sources, &files).value.expect("fixture catalog is valid")
}

fn export_import(catalog: &Catalog, program: &Program) -> crate::ImportOutcome {
    let graph = ClauseGraph::new(catalog);
    let targets: Vec<MarketTarget> =
        program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
    let computed = trace(catalog, &graph, program, &targets, TraceOptions::default());
    let document = reqif_export(catalog, &graph, program, &computed, "2027-01-01T00:00:00Z");
    let (bytes, _) = document.write_to(Vec::new()).expect("export succeeds");
    let options = ImportOptions::new().map_attribute(ExportNames::VERIFIED_BY, Field::VerifiedBy);
    let doc = import_reader(std::io::Cursor::new(bytes), "roundtrip.reqif", &options).expect("import succeeds");
    let options = ProgramOptions { fallback_name: "fallback".to_owned(), ..ProgramOptions::default() };
    program_from_reqif(doc, catalog, &options).expect("an avtrace export always makes a program")
}

/// The imported program written as TOML and loaded again, as `avtrace import` then any
/// other command would see it.
fn reload(catalog: &Catalog, outcome: &crate::ImportOutcome) -> Program {
    let text = outcome.program.to_toml(&["round trip"]);
    let mut sources = Sources::new();
    let file = sources.add("back.toml", text.clone());
    let loaded = avtrace_catalog::load_program(&sources, file, catalog);
    let errors: Vec<String> = loaded.diagnostics.iter().map(|d| avtrace_catalog::render(&sources, d)).collect();
    loaded.value.unwrap_or_else(|| panic!("the import does not load:\n{}\n{text}", errors.join("\n")))
}

/// Everything a program says about one requirement, by ids rather than indices, as the
/// round trip must keep it (titles are trimmed and texts normalized by ReqIF's XHTML).
fn comparable(catalog: &Catalog, p: &Program) -> Vec<String> {
    let id = |ix: ReqIx| p.requirements[ix.index()].id().to_string();
    let mut rows: Vec<String> = p
        .requirements
        .iter()
        .map(|r| {
            let satisfies: Vec<String> = r.satisfies.iter().map(|&c| catalog.clause_name(c)).collect();
            let links: Vec<(String, String)> = r.links.iter().map(|l| (l.kind.clone(), id(l.to))).collect();
            let attrs: Vec<(&str, &str)> = r.attrs.iter().collect();
            format!(
                "{} title={:?} text={:?} status={} parent={:?} links={links:?} attrs={attrs:?} satisfies={satisfies:?} verified_by={:?} source={:?}",
                r.id(),
                r.title().trim(),
                normalize_text(r.text()),
                r.status.as_str(),
                r.parent.map(id),
                r.verified_by,
                r.source
            )
        })
        .collect();
    rows.sort();
    rows.extend(p.evidence.iter().map(|e| {
        format!(
            "evidence {} {:?} {:?} {:?} {:?} {:?}",
            e.id,
            e.kind,
            e.title,
            e.uri,
            e.junit,
            e.result.map(|r| r.as_str())
        )
    }));
    let markets: Vec<String> = p.markets.iter().map(|m| format!("{} {}", catalog.market(m.market).id, m.sop)).collect();
    rows.push(format!(
        "program {:?} {:?} {:?} {:?} {:?} {markets:?}",
        p.name, p.description, p.revision, p.categories, p.features
    ));
    rows
}

fn requirement(
    id: &str,
    title: &str,
    text: &str,
    status: &str,
    satisfies: Vec<ClauseIx>,
    evidence: &[&str],
) -> Requirement {
    Requirement {
        strings: avtrace_model::RequirementStrings::new(id, title, text),
        status: avtrace_model::RequirementStatus::parse(status).unwrap_or_default(),
        satisfies: satisfies.into_boxed_slice(),
        verified_by: evidence.iter().map(|e| Box::from(*e)).collect(),
        ..Requirement::default()
    }
}

fn program_of(catalog: &Catalog, requirements: Vec<Requirement>) -> Program {
    Program {
        name: "Round trip".into(),
        markets: vec![ProgramMarket { market: MarketIx(0), sop: "2025-01-01".parse::<Date>().expect("date") }],
        requirements,
        categories: vec!["M1".into()],
        features: vec!["ota-update".into()],
        description: None,
        ..Program::default()
    }
    .tap(|p| assert_eq!(catalog.market(p.markets[0].market).id, "TM"))
}

trait Tap: Sized {
    fn tap(self, f: impl FnOnce(&Self)) -> Self {
        f(&self);
        self
    }
}
impl<T> Tap for T {}

#[test]
fn the_example_kinds_of_content_survive() {
    let catalog = catalog();
    let clause = |r: &str| catalog.clause_by_ref(r).expect("fixture clause");
    let program = program_of(
        &catalog,
        vec![
            requirement(
                "R-1",
                "Title <b>&amp;</b> \"quoted\"",
                "Line one\nline <two> & 'three'",
                "approved",
                vec![clause("TEST-REG:5.1"), clause("TEST-STD:8")],
                &["TC-1", "AUDIT-2"],
            ),
            requirement("R-2", "Unlinked", "", "draft", Vec::new(), &[]),
        ],
    );
    let outcome = export_import(&catalog, &program);
    assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
    assert_eq!(outcome.program.program.name, "Round trip");
    let back = &outcome.program.requirements;
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].id, "R-1");
    assert_eq!(back[0].title, "Title <b>&amp;</b> \"quoted\"");
    assert_eq!(back[0].text, "Line one\nline <two> & 'three'");
    assert_eq!(back[0].status.as_deref(), Some("approved"));
    assert_eq!(back[0].satisfies, ["TEST-REG:5.1", "TEST-STD:8"]);
    assert_eq!(back[0].verified_by, ["TC-1", "AUDIT-2"]);
    assert!(back[1].satisfies.is_empty() && back[1].verified_by.is_empty());
    assert!(outcome.clauses > 0, "clauses travel as spec objects and are set aside again");
}

fn ids() -> impl Strategy<Value = Vec<String>> {
    prop::collection::btree_set("[A-Za-z0-9][A-Za-z0-9._-]{0,10}", 1..8).prop_map(|s| s.into_iter().collect())
}

/// Text with markup characters, quotes, unicode and line breaks (no characters XML forbids).
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("<".to_owned()),
            Just("&".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just("]]>".to_owned()),
            Just("\n".to_owned()),
            Just(" ".to_owned()),
            "[a-zA-Z0-9]{1,6}",
            "[\u{00e0}-\u{00ff}\u{4e00}-\u{4e20}\u{1f600}-\u{1f610}]{1,3}",
        ],
        0..20,
    )
    .prop_map(|parts| parts.concat())
}

/// One generated requirement: title, text, status, satisfied clause numbers, evidence
/// picks, parent pick, links (kind pick, target pick), attributes (key pick, value).
type GenRequirement =
    (String, String, &'static str, Vec<usize>, Vec<usize>, Option<usize>, Vec<(usize, usize)>, Vec<(usize, String)>);

fn generated_requirement() -> impl Strategy<Value = GenRequirement> {
    (
        text(),
        text(),
        prop_oneof![
            Just("draft"),
            Just("proposed"),
            Just("approved"),
            Just("implemented"),
            Just("rejected"),
            Just("obsolete")
        ],
        prop::collection::vec(0usize..10, 0..4),
        prop::collection::vec(0usize..6, 0..3),
        prop::option::of(0usize..64),
        prop::collection::vec((0usize..4, 0usize..64), 0..3),
        prop::collection::vec((0usize..5, "[a-zA-Z0-9 ]{0,8}"), 0..4),
    )
}

/// Link kinds: plain words, one with spaces, and one that collides with avtrace's own
/// relation types.
const KINDS: [&str; 4] = ["depends-on", "refines", "conflicts with", "avtrace.Satisfies"];
/// Attribute keys: plain, with a space, and ones that collide with ReqIF or avtrace names.
const KEYS: [&str; 5] = ["asil", "owner", "Object Type", "ReqIF.Name", "avtrace.Source"];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn tool_status_words_map_to_live_or_dead_statuses(word in "[A-Za-z _-]{0,12}") {
        // Whatever a tool writes maps to a word of the vocabulary or to nothing (reported).
        if let Some(status) = crate::status_of(&word) {
            prop_assert!(avtrace_model::RequirementStatus::WORDS.contains(&status.as_str()));
        }
    }

    /// The whole program survives export, import, writing and loading: tree, typed links,
    /// attributes, evidence records and context, not only what `avtrace diff` compares.
    #[test]
    fn random_programs_survive_export_and_import(
        ids in ids(),
        generated in prop::collection::vec(generated_requirement(), 8),
        evidence_count in 0usize..4,
        revision in prop::option::of("[A-Z]\\.[0-9]"),
        description in prop::option::of(text()),
        sources in prop::collection::vec(prop::option::of("[A-Za-z /]{1,12}"), 8),
    ) {
        let catalog = catalog();
        let n = ids.len();
        let evidence: Vec<Evidence> = (0..evidence_count)
            .map(|i| Evidence {
                id: format!("EV-{i}"),
                kind: [EvidenceKind::Test, EvidenceKind::Analysis, EvidenceKind::Review][i % 3],
                title: if i == 0 { String::new() } else { format!("Evidence <{i}> & co") },
                uri: (i % 2 == 1).then(|| format!("tests/t{i}.py")),
                junit: (i == 2).then(|| "suite.case".to_owned()),
                result: [None, Some(EvidenceResult::Passed), Some(EvidenceResult::Failed)][i % 3],
                span: avtrace_model::Span::default(),
            })
            .collect();
        let requirements: Vec<Requirement> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| {
                let (title, text, status, clauses, picks, parent, links, attrs) = &generated[i];
                let mut sat: Vec<ClauseIx> = Vec::new();
                for &c in clauses {
                    let c = ClauseIx::new(c % catalog.clauses.len());
                    if !sat.contains(&c) {
                        sat.push(c);
                    }
                }
                let mut ev: Vec<String> = Vec::new();
                for &e in picks {
                    if evidence_count > 0 {
                        let id = format!("EV-{}", e % evidence_count);
                        if !ev.contains(&id) {
                            ev.push(id);
                        }
                    }
                }
                let mut r = requirement(id, &title.replace('\n', " "), text, status, sat, &[]);
                r.verified_by = ev.into_iter().map(String::into_boxed_str).collect();
                // A parent earlier in the list: a forest, never a cycle.
                r.parent = parent.filter(|_| i > 0).map(|p| ReqIx::new(p % i));
                let mut seen = Vec::new();
                for &(k, to) in links {
                    let link = Link { kind: KINDS[k].to_owned(), to: ReqIx::new(to % n) };
                    // A link to itself is not a program (the loader refuses it).
                    if to % n != i && !seen.contains(&link) {
                        seen.push(link);
                    }
                }
                r.links = seen.into_boxed_slice();
                let pairs: std::collections::BTreeMap<&str, &str> =
                    attrs.iter().map(|(k, v)| (KEYS[*k], v.as_str())).collect();
                r.attrs = Attrs::from_pairs(pairs.iter().map(|(k, v)| (*k, *v)));
                r.source = sources[i].clone().map(String::into_boxed_str);
                r
            })
            .collect();
        let mut program = program_of(&catalog, requirements);
        program.evidence = evidence;
        program.revision = revision;
        program.description = description.filter(|d| !d.is_empty());
        let outcome = export_import(&catalog, &program);
        prop_assert!(outcome.warnings.is_empty(), "{:?}", outcome.warnings);
        let back = reload(&catalog, &outcome);
        prop_assert_eq!(comparable(&catalog, &back), comparable(&catalog, &program));
    }
}

#[test]
fn tool_status_words_keep_their_meaning() {
    use avtrace_model::RequirementStatus as S;
    for (word, want) in [
        ("Draft", Some(S::Draft)),
        ("In Review", Some(S::Proposed)),
        ("Accepted", Some(S::Approved)),
        ("released", Some(S::Approved)),
        ("Implemented", Some(S::Implemented)),
        ("Rejected", Some(S::Rejected)),
        ("Deprecated", Some(S::Obsolete)),
        ("banana", None),
    ] {
        assert_eq!(crate::status_of(word), want, "{word}");
    }
}

/// Modules of a foreign file: name, then objects `(foreign id, chapter name, text)`.
type Modules<'a> = &'a [(&'a str, &'a [(&'a str, &'a str, &'a str)])];
/// A relation of a foreign file: type, then `(module, object)` of source and target.
type Relation<'a> = (&'a str, (usize, usize), (usize, usize));

/// A ReqIF file as another tool writes it: `specs` are modules of `(foreign id, chapter
/// name, text)` objects of type `object_type`, relations `(type, from, to)` by position
/// `(module, object)`.
fn foreign_file(
    tool: &str,
    object_type: &str,
    specs: Modules<'_>,
    relations: &[Relation<'_>],
) -> avtrace_reqif::ImportedDocument {
    use avtrace_reqif::{
        AttributeDef, AttributeKind, AttributeValue, ExportDocument, Header, HierarchyEntry, Schema, SpecObject,
        SpecRelation, Specification, TypeDef, names,
    };
    let key = |s: usize, o: usize| format!("{s}/{o}");
    let mut objects = Vec::new();
    for (s, (_, objs)) in specs.iter().enumerate() {
        for (o, (id, chapter, text)) in objs.iter().enumerate() {
            let mut values = vec![AttributeValue::text(names::TEXT, *text)];
            if !id.is_empty() {
                values.push(AttributeValue::text(names::FOREIGN_ID, *id));
            }
            if !chapter.is_empty() {
                values.push(AttributeValue::text(names::CHAPTER_NAME, *chapter));
            }
            values.push(AttributeValue::text("Object Number", format!("{s}.{o}")));
            objects.push(SpecObject { key: key(s, o), object_type: object_type.to_owned(), long_name: None, values });
        }
    }
    let mut relation_types: Vec<&str> = relations.iter().map(|r| r.0).collect();
    relation_types.sort_unstable();
    relation_types.dedup();
    let document = ExportDocument {
        header: Header::new("Foreign", tool, "2026-01-01T00:00:00Z"),
        schema: Schema {
            enumerations: Vec::new(),
            object_types: vec![TypeDef::new(
                object_type,
                vec![
                    AttributeDef::new(names::FOREIGN_ID, AttributeKind::String),
                    AttributeDef::new(names::CHAPTER_NAME, AttributeKind::String),
                    AttributeDef::new(names::TEXT, AttributeKind::Xhtml),
                    AttributeDef::new("Object Number", AttributeKind::String),
                ],
            )],
            relation_types: relation_types.iter().map(|t| TypeDef::new(*t, Vec::new())).collect(),
            specification_types: vec![TypeDef::new("Module", Vec::new())],
        },
        objects: objects.into_iter(),
        relations: relations
            .iter()
            .map(|(t, (fs, fo), (ts, to))| SpecRelation::new(*t, key(*fs, *fo), key(*ts, *to)))
            .collect::<Vec<_>>()
            .into_iter(),
        specifications: specs
            .iter()
            .enumerate()
            .map(|(s, (name, objs))| Specification {
                key: format!("spec/{s}"),
                name: (*name).to_owned(),
                specification_type: "Module".to_owned(),
                values: Vec::new(),
                hierarchy: (0..objs.len()).map(|o| HierarchyEntry::new(usize::from(o > 0), key(s, o))).collect(),
            })
            .collect(),
    };
    let (bytes, _) = document.write_to(Vec::new()).expect("export succeeds");
    // Like DOORS, write spec objects without a LONG-NAME (the writer always gives one).
    let mut text = String::from_utf8(bytes).expect("UTF-8");
    for (s, (_, objs)) in specs.iter().enumerate() {
        for o in 0..objs.len() {
            text = text.replace(&format!(" LONG-NAME=\"{}\"", key(s, o)), "");
        }
    }
    import_reader(text.as_bytes(), "foreign.reqif", &ImportOptions::new()).expect("import succeeds")
}

fn import_foreign(doc: avtrace_reqif::ImportedDocument, options: ProgramOptions) -> crate::ImportOutcome {
    program_from_reqif(doc, &catalog(), &options).expect("a program")
}

#[test]
fn doors_module_numbers_get_their_module_when_they_collide() {
    let specs: Modules<'_> = &[
        ("System Requirements", &[("1", "Braking", ""), ("2", "", "The vehicle shall brake. Always.")]),
        ("Software Requirements", &[("1", "", "The software shall brake"), ("2", "", "Second")]),
    ];
    let relations = [("refines", (1, 0), (0, 1)), ("Satisfies", (1, 1), (0, 1))];
    let file = || foreign_file("IBM Rational DOORS", "DOORS Object", specs, &relations);
    let auto = import_foreign(file(), ProgramOptions::default());
    let ids: Vec<&str> = auto.program.requirements.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["System-Requirements-2", "Software-Requirements-1", "Software-Requirements-2"]);
    assert!(auto.warnings.iter().any(|w| w.contains("prefixed with its module")), "{:?}", auto.warnings);
    // The DOORS heading (chapter name, no text) is structure; the text object under it has
    // it as its parent's place, and a title from its first sentence.
    assert_eq!(auto.headings, 1);
    let sys2 = &auto.program.requirements[0];
    assert_eq!(sys2.title, "The vehicle shall brake");
    assert_eq!(sys2.source.as_deref(), Some("System Requirements / Braking"));
    assert_eq!(auto.titles_from_text, 3);
    // Requirement relations are links of their type's name; `--map-relation` renames.
    let sw1 = &auto.program.requirements[1];
    assert_eq!(sw1.links, [avtrace_catalog::LinkEntry { kind: "refines".into(), to: "System-Requirements-2".into() }]);
    assert_eq!(auto.program.requirements[2].parent.as_deref(), Some("Software-Requirements-1"));
    let mapped = import_foreign(
        file(),
        ProgramOptions {
            relation_kinds: vec![("satisfies".into(), "derives-from".into())],
            ..ProgramOptions::default()
        },
    );
    assert_eq!(mapped.program.requirements[2].links[0].kind, "derives-from");
    // Never: repeats are renamed; always: every id has its module.
    let none = import_foreign(file(), ProgramOptions { id_prefix: crate::IdPrefix::None, ..ProgramOptions::default() });
    let ids: Vec<&str> = none.program.requirements.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["2", "1", "2~2"]);
    let single: Modules<'_> = &[("Mod", &[("7", "", "Text")])];
    let module = import_foreign(
        foreign_file("IBM Rational DOORS", "DOORS Object", single, &[]),
        ProgramOptions { id_prefix: crate::IdPrefix::Module, ..ProgramOptions::default() },
    );
    assert_eq!(module.program.requirements[0].id, "Mod-7");
}

#[test]
fn simulink_chapter_names_are_summaries_and_heading_types_are_structure() {
    let specs: Modules<'_> =
        &[("Set", &[("", "Engage", "The function shall engage."), ("", "Disengage", "The function shall stop.")])];
    // The same objects from another tool would be headings (a chapter name, no foreign id).
    let other = import_foreign(foreign_file("Some tool", "Functional", specs, &[]), ProgramOptions::default());
    assert_eq!((other.program.requirements.len(), other.headings), (0, 2));
    let simulink = import_foreign(
        foreign_file("MATLAB Simulink Requirements", "Functional", specs, &[]),
        ProgramOptions::default(),
    );
    assert_eq!((simulink.program.requirements.len(), simulink.headings), (2, 0));
    assert_eq!(simulink.program.requirements[0].title, "Engage");
    // A type named as a requirement is one; a type named as a heading is structure.
    let req = import_foreign(foreign_file("Some tool", "System Requirement", specs, &[]), ProgramOptions::default());
    assert_eq!(req.program.requirements.len(), 2);
    let head: Modules<'_> = &[("Doc", &[("H-1", "", "Introduction"), ("R-1", "", "Text.")])];
    let pror = import_foreign(foreign_file("ProR", "Headline", head, &[]), ProgramOptions::default());
    assert_eq!((pror.program.requirements.len(), pror.headings), (0, 2));
}
