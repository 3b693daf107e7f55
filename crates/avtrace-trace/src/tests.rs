//! Trace semantics, one rule per test, on small catalogs written out in full.

use avtrace_catalog::{CatalogFile, Role, Sources, load_catalog, load_program};
use avtrace_graph::ClauseGraph;
use avtrace_model::{Catalog, Level, Program};
use proptest::prelude::*;

use crate::{MarketTarget, Status, Trace, TraceOptions, trace};

/// A catalog and program loaded from `(path, text)` pairs, as the CLI would.
struct Fixture {
    catalog: Catalog,
    program: Program,
}

fn role(path: &str) -> Role {
    avtrace_catalog::role_of(path)
}

fn load(files: &[(&str, &str)], program: &str) -> Fixture {
    let mut sources = Sources::new();
    let files: Vec<CatalogFile> =
        files.iter().map(|(p, t)| CatalogFile { file: sources.add(*p, *t), role: role(p) }).collect();
    let program_file = sources.add("program.toml", program);
    let render = |d: &avtrace_catalog::Diagnostic| avtrace_catalog::render(&sources, d);
    let loaded = load_catalog(&sources, &files);
    let catalog = loaded
        .value
        .unwrap_or_else(|| panic!("catalog invalid:\n{}", loaded.diagnostics.iter().map(render).collect::<String>()));
    let loaded = load_program(&sources, program_file, &catalog);
    let program = loaded
        .value
        .unwrap_or_else(|| panic!("program invalid:\n{}", loaded.diagnostics.iter().map(render).collect::<String>()));
    Fixture { catalog, program }
}

impl Fixture {
    fn trace_with(&self, options: TraceOptions) -> Trace {
        let graph = ClauseGraph::new(&self.catalog);
        let targets: Vec<MarketTarget> =
            self.program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
        trace(&self.catalog, &graph, &self.program, &targets, options)
    }

    fn trace(&self) -> Trace {
        self.trace_with(TraceOptions { related_hints: crate::RELATED_HINTS, ..TraceOptions::default() })
    }

    /// `(clause, status, chain as "A -rel-> B ...")` of every obligation of the first market.
    fn statuses(&self) -> Vec<(String, Status, String)> {
        let trace = self.trace();
        let market = &trace.markets[0];
        market
            .obligations
            .iter()
            .map(|o| {
                let c = trace.coverage(o.clause).expect("every obligation has a coverage");
                let chain = c.chain.as_ref().map_or(String::new(), |chain| {
                    let mut s = self.catalog.clause_name(chain.start());
                    for step in &chain.steps {
                        s.push_str(&format!(" -{}-> {}", step.rel, self.catalog.clause_name(step.to)));
                    }
                    s
                });
                (self.catalog.clause_name(o.clause), c.status, chain)
            })
            .collect()
    }

    fn status_of(&self, clause: &str) -> (Status, String) {
        self.statuses()
            .into_iter()
            .find(|(c, _, _)| c == clause)
            .map(|(_, s, chain)| (s, chain))
            .unwrap_or_else(|| panic!("{clause} is not an obligation"))
    }
}

fn instrument(id: &str, clauses: &[(&str, &str)]) -> String {
    let mut s = format!("id = \"{id}\"\ntitle = \"{id}\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"test\"\n");
    for (clause, kind) in clauses {
        s.push_str(&format!("[[clauses]]\nid = \"{clause}\"\ntitle = \"t\"\nkind = \"{kind}\"\n"));
    }
    s
}

fn market(id: &str, mandated: &[&str]) -> String {
    let mut s = format!("id = \"{id}\"\nname = \"{id}\"\n");
    for m in mandated {
        s.push_str(&format!(
            "[[mandates]]\ninstrument = \"{m}\"\nlevel = \"mandatory\"\nfrom = \"2020-01-01\"\n\
             categories = [\"M\"]\nlegal_basis = \"law\"\nsource = \"test\"\n"
        ));
    }
    s
}

fn program(reqs: &[(&str, &[&str])]) -> String {
    let mut s = String::from(
        "[program]\nname = \"p\"\ncategories = [\"M1\"]\nmarkets = [{ id = \"XX\", sop = \"2027-01-01\" }]\n",
    );
    for (id, sat) in reqs {
        let sat: Vec<String> = sat.iter().map(|c| format!("\"{c}\"")).collect();
        s.push_str(&format!(
            "[[requirements]]\nid = \"{id}\"\ntitle = \"t\"\nsatisfies = [{}]\nverified_by = [\"T-{id}\"]\n",
            sat.join(", ")
        ));
    }
    // Every requirement's evidence passed, so "verified" counts follow coverage.
    for (id, _) in reqs {
        s.push_str(&format!("[[evidence]]\nid = \"T-{id}\"\nresult = \"passed\"\n"));
    }
    s
}

fn mapping(from: &str, to: &str, adoption: Option<&str>, entries: &[(&str, &str, &str)]) -> String {
    let mut s = format!("from = \"{from}\"\nto = \"{to}\"\nsource = \"test\"\n");
    if let Some(a) = adoption {
        s.push_str(&format!("adoption = \"{a}\"\n"));
    }
    for (f, t, rel) in entries {
        s.push_str(&format!("[[map]]\nfrom = \"{f}\"\nto = \"{t}\"\nrel = \"{rel}\"\n"));
    }
    s
}

/// Market XX mandates A; the program satisfies clauses of B; one mapping file relates them.
fn two_instruments(map: &str, reqs: &[(&str, &[&str])]) -> Fixture {
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let b = instrument("B", &[("1", "requirement"), ("2", "requirement")]);
    load(
        &[("a.toml", &a), ("b.toml", &b), ("mappings/m.toml", map), ("markets/xx.toml", &market("XX", &["A"]))],
        &program(reqs),
    )
}

#[test]
fn direct_link_covers() {
    let f = two_instruments(&mapping("A", "B", None, &[]), &[("R1", &["A:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Covered, String::new()));
    assert_eq!(f.status_of("A:2").0, Status::Uncovered);
    let t = f.trace();
    let c = t.markets[0].counts;
    assert_eq!((c.obligations, c.covered, c.uncovered, c.verified), (2, 1, 1, 1));
    assert!((c.coverage() - 0.5).abs() < 1e-9);
}

#[test]
fn clauses_by_requirement_lists_what_each_requirement_carries() {
    let map = mapping("A", "B", None, &[("2", "2", "equal")]);
    let f = two_instruments(&map, &[("R1", &["A:1"]), ("R2", &["B:2"]), ("R3", &["B:1"])]);
    let t = f.trace();
    let names = |list: &Vec<avtrace_model::ClauseIx>| -> Vec<String> {
        list.iter().map(|&c| f.catalog.clause_name(c)).collect()
    };
    let by_req: Vec<Vec<String>> = t.clauses_by_requirement(f.program.requirements.len()).iter().map(names).collect();
    // R1 covers A:1 directly, R2 reaches A:2 through the mapping, R3 satisfies a clause
    // that no market obliges.
    assert_eq!(by_req, vec![vec!["A:1".to_owned()], vec!["A:2".to_owned()], vec![]]);
    // A shorter program than the trace was computed for is not an error.
    assert_eq!(t.clauses_by_requirement(1).len(), 1);
}

#[test]
fn equal_carries_coverage_in_both_directions() {
    let f = two_instruments(&mapping("A", "B", None, &[("1", "1", "equal")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
    let f = two_instruments(&mapping("B", "A", None, &[("1", "1", "equal")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
}

#[test]
fn superset_of_the_obligation_carries_coverage() {
    // B:1 superset A:1: satisfying B:1 satisfies A:1.
    let f = two_instruments(&mapping("B", "A", None, &[("1", "1", "superset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -superset-> A:1".into()));
    // Written from the other end: A:1 subset B:1 is the same statement.
    let f = two_instruments(&mapping("A", "B", None, &[("1", "1", "subset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -superset-> A:1".into()));
}

#[test]
fn subset_and_intersects_are_partial() {
    // B:1 subset A:1: satisfying B:1 covers only part of A:1.
    let f = two_instruments(&mapping("B", "A", None, &[("1", "1", "subset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:1 -subset-> A:1".into()));
    let f = two_instruments(&mapping("A", "B", None, &[("1", "1", "intersects")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:1 -intersects-> A:1".into()));
    let t = f.trace();
    assert_eq!(t.markets[0].counts.partial, 1);
    assert_eq!(t.markets[0].counts.coverage(), 0.0, "partial never counts as covered");
}

#[test]
fn adoptions_apply_clause_by_clause() {
    let f = two_instruments(&mapping("A", "B", Some("IDT"), &[]), &[("R1", &["B:1", "B:2"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
    assert_eq!(f.status_of("A:2"), (Status::ViaMapping, "B:2 -equal-> A:2".into()));
    let f = two_instruments(&mapping("A", "B", Some("MOD"), &[]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:1 -intersects-> A:1".into()));
    let f = two_instruments(&mapping("A", "B", Some("NEQ"), &[]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
}

#[test]
fn clause_level_entries_override_the_adoption() {
    // MOD would make A:1 partial; the entry says the two first clauses are equal.
    let f = two_instruments(&mapping("A", "B", Some("MOD"), &[("1", "1", "equal")]), &[("R1", &["B:1", "B:2"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
    assert_eq!(f.status_of("A:2").0, Status::Partial);
    // An entry naming A:1 with another clause removes the adoption pair A:1 / B:1.
    let f = two_instruments(&mapping("A", "B", Some("IDT"), &[("1", "2", "subset")]), &[("R1", &["B:1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
}

fn chain_fixture(rels: &[&str], reqs: &[(&str, &[&str])]) -> Fixture {
    // A:1 - B:1 - C:1 - D:1, each link with the given relation read from left to right.
    let ids = ["A", "B", "C", "D"];
    let mut files: Vec<(String, String)> =
        ids.iter().map(|id| (format!("{id}.toml"), instrument(id, &[("1", "requirement")]))).collect();
    for (i, rel) in rels.iter().enumerate() {
        files.push((format!("mappings/{i}.toml"), mapping(ids[i], ids[i + 1], None, &[("1", "1", rel)])));
    }
    files.push(("markets/xx.toml".into(), market("XX", &["A"])));
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    load(&borrowed, &program(reqs))
}

#[test]
fn chains_compose() {
    // D ⊇ C = B ⊇ A: satisfying D satisfies A.
    let f = chain_fixture(&["subset", "equal", "subset"], &[("R1", &["D:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "D:1 -superset-> C:1 -equal-> B:1 -superset-> A:1".into()));
    // D = C ⊆ B ⊇ A: a subset then a superset says nothing about D and A.
    let f = chain_fixture(&["subset", "superset", "equal"], &[("R1", &["D:1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
    // D = C ∩ B = A: one overlap between equals stays an overlap.
    let f = chain_fixture(&["equal", "intersects", "equal"], &[("R1", &["D:1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "D:1 -equal-> C:1 -intersects-> B:1 -equal-> A:1".into()));
}

/// Every cell of DESIGN.md's composition table, as a two-step chain C:1 → B:1 → A:1 from a
/// satisfied C:1 to the obligation A:1.
#[test]
fn every_cell_of_the_composition_table_gives_its_status() {
    use avtrace_model::Relation::{self, Equal as E, Intersects as I, Subset as Sb, Superset as Sp};
    let cell = |first: Relation, second: Relation| -> Option<Relation> {
        match (first, second) {
            (E, r) => Some(r),
            (Sp, E | Sp) => Some(Sp),
            (Sp, Sb | I) => Some(I),
            (Sb, E | Sb) => Some(Sb),
            (I, E | Sb) => Some(I),
            (Sb | I, Sp | I) => None,
        }
    };
    for first in [E, Sp, Sb, I] {
        for second in [E, Sp, Sb, I] {
            // r(C,B) = first and r(B,A) = second; the files state A→B and B→C.
            let f = chain_fixture(&[second.converse().as_str(), first.converse().as_str()], &[("R1", &["C:1"])]);
            let want = match cell(first, second) {
                Some(E | Sp) => Status::ViaMapping,
                Some(Sb | I) => Status::Partial,
                None => Status::Uncovered,
            };
            let (status, chain) = f.status_of("A:1");
            assert_eq!(status, want, "{first} ∘ {second}: {chain}");
            let trace = f.trace();
            let a1 = f.catalog.clause_by_ref("A:1").expect("A:1");
            let coverage = trace.coverage(a1).expect("A:1 is an obligation");
            match &coverage.chain {
                Some(chain) => assert_eq!(chain.relation, cell(first, second), "{first} ∘ {second}"),
                // A chain that composes to nothing is only a hint.
                None => {
                    assert_eq!(coverage.related.len(), 1, "{first} ∘ {second}");
                    assert_eq!(coverage.related[0].chain.relation, None);
                    assert!(coverage.requirements.is_empty());
                }
            }
        }
    }
}

#[test]
fn a_round_trip_of_two_overlaps_through_another_instrument_proves_nothing() {
    // A:2 ∩ B:1 and B:1 ∩ A:1: satisfying A:2 says nothing about A:1 (the R155 7.3.4 →
    // GB 44495 8 → R155 5.1.1(a) case).
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let map = mapping("A", "B", None, &[("2", "1", "intersects"), ("1", "1", "intersects")]);
    let files = [
        ("a.toml", a.as_str()),
        ("b.toml", b.as_str()),
        ("mappings/ab.toml", &map),
        ("markets/xx.toml", &market("XX", &["A"])),
    ];
    let f = load(&files, &program(&[("R1", &["A:2"])]));
    assert_eq!(f.status_of("A:1"), (Status::Uncovered, String::new()));
    let trace = f.trace();
    let a1 = f.catalog.clause_by_ref("A:1").expect("A:1");
    let hints = &trace.coverage(a1).expect("obligation").related;
    assert_eq!(hints.len(), 1);
    let steps: Vec<String> = hints[0]
        .chain
        .steps
        .iter()
        .map(|s| format!("{} {} {}", f.catalog.clause_name(s.from), s.rel, f.catalog.clause_name(s.to)))
        .collect();
    assert_eq!(steps, ["A:2 intersects B:1", "B:1 intersects A:1"]);
    assert_eq!(trace.markets[0].counts.partial, 0);
}

#[test]
fn adoptions_compose_clause_by_clause() {
    // A IDT B, B MOD C: C:1 → B:1 is intersects, B:1 → A:1 equal: partial.
    let a = instrument("A", &[("1", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let c = instrument("C", &[("1", "requirement")]);
    let ab = mapping("A", "B", Some("IDT"), &[]);
    let bc = mapping("B", "C", Some("MOD"), &[]);
    let cd = mapping("C", "D", Some("MOD"), &[]);
    let d = instrument("D", &[("1", "requirement")]);
    let mk = |mandated: &str, sat: &str| {
        let files = [
            ("a.toml", a.as_str()),
            ("b.toml", b.as_str()),
            ("c.toml", c.as_str()),
            ("d.toml", d.as_str()),
            ("mappings/ab.toml", ab.as_str()),
            ("mappings/bc.toml", bc.as_str()),
            ("mappings/cd.toml", cd.as_str()),
            ("markets/xx.toml", &market("XX", &[mandated])),
        ];
        load(&files, &program(&[("R1", &[sat])]))
    };
    assert_eq!(mk("A", "B:1").status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> A:1".into()));
    assert_eq!(mk("A", "C:1").status_of("A:1"), (Status::Partial, "C:1 -intersects-> B:1 -equal-> A:1".into()));
    // Two MOD adoptions in a row: two overlaps, nothing.
    assert_eq!(mk("B", "D:1").status_of("B:1").0, Status::Uncovered);
}

#[test]
fn dead_and_immature_requirements_satisfy_nothing() {
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement"), ("3", "requirement")]);
    let files = [("a.toml", a.as_str()), ("markets/xx.toml", &market("XX", &["A"]))];
    let text = "[program]\nname = \"p\"\ncategories = [\"M1\"]\nmarkets = [{ id = \"XX\", sop = \"2027-01-01\" }]\n\
        [[requirements]]\nid = \"R1\"\ntitle = \"t\"\nstatus = \"rejected\"\nsatisfies = [\"A:1\"]\n\
        [[requirements]]\nid = \"R2\"\ntitle = \"t\"\nstatus = \"obsolete\"\nsatisfies = [\"A:2\"]\n\
        [[requirements]]\nid = \"R3\"\ntitle = \"t\"\nsatisfies = [\"A:3\"]\n";
    let f = load(&files, text);
    let counts = f.trace().markets[0].counts;
    assert_eq!((counts.covered, counts.uncovered), (1, 2), "only the draft R3 counts");
    let approved = TraceOptions { min_status: avtrace_model::RequirementStatus::Approved, ..TraceOptions::default() };
    assert_eq!(f.trace_with(approved).markets[0].counts.covered, 0, "a draft does not count at --min-status approved");
}

#[test]
fn a_mandate_on_an_instrument_without_clauses_is_listed_as_unmodelled() {
    let a = instrument("A", &[("1", "requirement")]);
    let empty = instrument("E", &[]);
    let headings = instrument("H", &[("1", "heading"), ("2", "informative")]);
    let files = [
        ("a.toml", a.as_str()),
        ("e.toml", empty.as_str()),
        ("h.toml", headings.as_str()),
        ("markets/xx.toml", &market("XX", &["A", "E", "H"])),
    ];
    let f = load(&files, &program(&[("R1", &["A:1"])]));
    let trace = f.trace();
    let mt = &trace.markets[0];
    let names: Vec<String> = mt
        .unmodelled
        .iter()
        .map(|&m| f.catalog.instrument_name(f.catalog.market(mt.market).mandates[m].instrument))
        .collect();
    assert_eq!(names, ["E", "H"]);
    assert_eq!(mt.counts.obligations, 1);
}

/// Market XX mandates only the parts `parts` of A (a heading 1 over 1.1 and 1.2, and 2, 3)
/// for M, and all of A for N.
fn parts_fixture(parts: &str, program_categories: &str, reqs: &[(&str, &[&str])]) -> Fixture {
    let a = "id = \"A\"\ntitle = \"A\"\nkind = \"regulation\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n\
        [[clauses]]\nid = \"1.1\"\ntitle = \"t\"\nkind = \"requirement\"\n\
        [[clauses]]\nid = \"1.2\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"A:3\"]\n\
        [[clauses]]\nid = \"2\"\ntitle = \"t\"\nkind = \"requirement\"\n\
        [[clauses]]\nid = \"3\"\ntitle = \"t\"\nkind = \"requirement\"\n\
        [[clauses]]\nid = \"4\"\ntitle = \"t\"\nkind = \"informative\"\n";
    let m = format!(
        "id = \"XX\"\nname = \"X\"\n\
         [[mandates]]\ninstrument = \"A\"\nlevel = \"mandatory\"\nfrom = \"2020-01-01\"\ncategories = [\"M\"]\n\
         clauses = [{parts}]\nlegal_basis = \"l\"\nsource = \"s\"\n\
         [[mandates]]\ninstrument = \"A\"\nlevel = \"mandatory\"\nfrom = \"2020-01-01\"\ncategories = [\"N\"]\n\
         legal_basis = \"l\"\nsource = \"s\"\n"
    );
    let p = program(reqs).replace("categories = [\"M1\"]", &format!("categories = [{program_categories}]"));
    load(&[("a.toml", a), ("markets/xx.toml", &m)], &p)
}

#[test]
fn a_mandate_on_parts_of_an_instrument_obliges_only_them_and_what_they_cite() {
    let obligations = |f: &Fixture| -> Vec<String> { f.statuses().into_iter().map(|(c, _, _)| c).collect() };
    // A heading brings the clauses beneath it; 1.2 cites 3, which joins by reference.
    let f = parts_fixture("\"1\"", "\"M1\"", &[("R1", &["A:1.1"])]);
    assert_eq!(obligations(&f), ["A:1.1", "A:1.2", "A:3"]);
    let t = f.trace();
    assert_eq!(format!("{:?}", t.markets[0].obligations[2].because), "[CitedBy(ClauseIx(2))]");
    assert!(t.markets[0].unmodelled.is_empty());
    // A leaf brings itself alone.
    let f = parts_fixture("\"2\"", "\"M1\"", &[]);
    assert_eq!(obligations(&f), ["A:2"]);
    // The mandate for N imposes the whole instrument.
    let f = parts_fixture("\"2\"", "\"N1\"", &[]);
    assert_eq!(obligations(&f), ["A:1.1", "A:1.2", "A:2", "A:3"]);
    // Parts that hold no obligation leave the mandate unmodelled, though A is modelled.
    let f = parts_fixture("\"4\"", "\"M1\"", &[]);
    let t = f.trace();
    assert_eq!(t.markets[0].unmodelled, [0]);
    assert_eq!(t.markets[0].counts.obligations, 0);
    // A requirement on a clause outside the parts reaches nothing, and `check` says why: no
    // mandate that applies imposes it, and the one that imposes it is for N only.
    let f = parts_fixture("\"2\"", "\"M1\"", &[("R1", &["A:1.1"])]);
    let graph = ClauseGraph::new(&f.catalog);
    let targets: Vec<MarketTarget> =
        f.program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
    let unreached = crate::unreached_requirements(&f.catalog, &graph, &f.program, &targets, TraceOptions::default());
    assert_eq!(unreached.len(), 1);
    match &unreached[0].clauses[0].1 {
        crate::ClauseReason::Excluded(why) => {
            assert_eq!(why.len(), 1);
            assert_eq!(why[0].1, 1, "only the N mandate imposes A:1.1");
        }
        other => panic!("expected an exclusion, got {other:?}"),
    }
}

#[test]
fn the_best_status_wins_then_the_shortest_chain() {
    // A:1 intersects B:1 (short, partial) and A:1 = C:1 = D:1 ... via a longer full chain.
    let a = instrument("A", &[("1", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let c = instrument("C", &[("1", "requirement")]);
    let d = instrument("D", &[("1", "requirement")]);
    let files = [
        ("a.toml", a.as_str()),
        ("b.toml", b.as_str()),
        ("c.toml", c.as_str()),
        ("d.toml", d.as_str()),
        ("mappings/ab.toml", &mapping("A", "B", None, &[("1", "1", "intersects")])),
        ("mappings/ac.toml", &mapping("A", "C", None, &[("1", "1", "equal")])),
        ("mappings/cd.toml", &mapping("C", "D", None, &[("1", "1", "equal")])),
        ("mappings/db.toml", &mapping("D", "B", None, &[("1", "1", "equal")])),
        ("markets/xx.toml", &market("XX", &["A"])),
    ];
    let f = load(&files, &program(&[("R1", &["B:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "B:1 -equal-> D:1 -equal-> C:1 -equal-> A:1".into()));
    // With D satisfied too, the shorter full chain through D wins.
    let f = load(&files, &program(&[("R1", &["B:1"]), ("R2", &["D:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "D:1 -equal-> C:1 -equal-> A:1".into()));
    // Equally short full chains: the satisfied clause with the smallest id wins.
    let f = load(&files, &program(&[("R1", &["D:1"]), ("R2", &["C:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "C:1 -equal-> A:1".into()));
}

#[test]
fn mapping_cycles_terminate() {
    // A = B = C = A with nothing satisfied: the search ends and finds nothing.
    let a = instrument("A", &[("1", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let c = instrument("C", &[("1", "requirement")]);
    let files = [
        ("a.toml", a.as_str()),
        ("b.toml", b.as_str()),
        ("c.toml", c.as_str()),
        ("mappings/ab.toml", &mapping("A", "B", None, &[("1", "1", "equal")])),
        ("mappings/bc.toml", &mapping("B", "C", None, &[("1", "1", "equal")])),
        ("mappings/ca.toml", &mapping("C", "A", None, &[("1", "1", "equal")])),
        ("markets/xx.toml", &market("XX", &["A"])),
    ];
    let f = load(&files, &program(&[]));
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
    let f = load(&files, &program(&[("R", &["C:1"])]));
    assert_eq!(f.status_of("A:1"), (Status::ViaMapping, "C:1 -equal-> A:1".into()));
}

#[test]
fn only_obligation_kinds_oblige_and_references_close() {
    let a = "id = \"A\"\ntitle = \"A\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"heading\"\n\
        [[clauses]]\nid = \"1.1\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"B:2\"]\n\
        [[clauses]]\nid = \"1.2\"\ntitle = \"t\"\nkind = \"recommendation\"\n\
        [[clauses]]\nid = \"1.3\"\ntitle = \"t\"\nkind = \"informative\"\nrefs = [\"B:1\"]\n\
        [[clauses]]\nid = \"1.4\"\ntitle = \"t\"\nkind = \"definition\"\n";
    let b = "id = \"B\"\ntitle = \"B\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"requirement\"\n\
        [[clauses]]\nid = \"2\"\ntitle = \"t\"\nkind = \"heading\"\n\
        [[clauses]]\nid = \"2.1\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"B:3\"]\n\
        [[clauses]]\nid = \"2.2\"\ntitle = \"t\"\nkind = \"informative\"\n\
        [[clauses]]\nid = \"3\"\ntitle = \"t\"\nkind = \"requirement\"\n";
    let files = [("a.toml", a), ("b.toml", b), ("markets/xx.toml", &market("XX", &["A"]))];
    let f = load(&files, &program(&[]));
    let names: Vec<String> = f.statuses().into_iter().map(|(c, _, _)| c).collect();
    // 1.1 by mandate; B:2.1 through the cited heading B:2, B:3 transitively; informative
    // A:1.3 obliges nothing, so B:1 stays out.
    assert_eq!(names, ["A:1.1", "B:2.1", "B:3"]);
    let t = f.trace();
    let why: Vec<String> = t.markets[0].obligations.iter().map(|o| format!("{:?}", o.because)).collect();
    assert_eq!(why[0], "[Mandate(0)]");
    assert!(why[1].starts_with("[CitedBy("), "{}", why[1]);
    let with_recs = f.trace_with(TraceOptions { include_recommendations: true, ..TraceOptions::default() });
    assert_eq!(with_recs.markets[0].counts.obligations, 4);
}

fn dated_fixture(mandate: &str, program_header: &str) -> Fixture {
    let a = instrument("A", &[("1", "requirement")]);
    let m = format!(
        "id = \"XX\"\nname = \"X\"\n[[mandates]]\ninstrument = \"A\"\nlegal_basis = \"l\"\nsource = \"s\"\n{mandate}"
    );
    let p = format!("[program]\nname = \"p\"\n{program_header}\n");
    load(&[("a.toml", &a), ("markets/xx.toml", &m)], &p)
}

#[test]
fn mandates_apply_by_date_category_feature_and_level() {
    let applies = |mandate: &str, header: &str, level: Level| {
        let f = dated_fixture(mandate, header);
        f.trace_with(TraceOptions { level, ..TraceOptions::default() }).markets[0].counts.obligations == 1
    };
    let sop = "markets = [{ id = \"XX\", sop = \"2026-06-01\" }]";
    let m1 = format!("categories = [\"M1\"]\n{sop}");
    let base = "level = \"mandatory\"\ncategories = [\"M\"]\n";
    assert!(applies(&format!("{base}from = \"2026-06-01\""), &m1, Level::Mandatory), "on the SOP day");
    assert!(!applies(&format!("{base}from = \"2026-06-02\""), &m1, Level::Mandatory), "after SOP");
    assert!(
        !applies(
            "level = \"mandatory\"\ncategories = [\"M1\"]\nfrom = \"2020-01-01\"",
            &format!("categories = [\"M\"]\n{sop}"),
            Level::Mandatory
        ),
        "M1 does not match M"
    );
    assert!(!applies(
        &format!("{base}from = \"2020-01-01\""),
        &format!("categories = [\"N1\"]\n{sop}"),
        Level::Mandatory
    ));
    let featured = format!("{base}from = \"2020-01-01\"\nfeatures = [\"alks\", \"ota-update\"]");
    assert!(!applies(&featured, &format!("categories = [\"M1\"]\nfeatures = [\"alks\"]\n{sop}"), Level::Mandatory));
    assert!(applies(
        &featured,
        &format!("categories = [\"M1\"]\nfeatures = [\"ota-update\", \"alks\", \"x\"]\n{sop}"),
        Level::Mandatory
    ));
    let expected = "level = \"expected\"\nfrom = \"2020-01-01\"";
    assert!(!applies(expected, &m1, Level::Mandatory));
    assert!(applies(expected, &m1, Level::Expected));
    assert!(applies(expected, &m1, Level::Voluntary));
}

// ---- properties ----

/// A random world: instruments of a few clauses, mappings between them, one market per
/// seed mandating some, and requirements linking clauses.
#[derive(Debug, Clone)]
struct World {
    clauses_per_instrument: usize,
    instruments: usize,
    maps: Vec<(usize, usize, usize, usize, usize)>,
    adoptions: Vec<(usize, usize, usize)>,
    mandated: Vec<Vec<usize>>,
    links: Vec<(usize, usize)>,
}

/// What one mapping file says: an adoption degree and clause-level entries.
type PairStatements<'a> = (Option<&'a str>, Vec<(String, String, &'a str)>);

const RELS: [&str; 4] = ["equal", "subset", "superset", "intersects"];
const DEGREES: [&str; 3] = ["IDT", "MOD", "NEQ"];

fn world() -> impl Strategy<Value = World> {
    (2usize..5, 2usize..6).prop_flat_map(|(cpi, n)| {
        (
            Just(cpi),
            Just(n),
            prop::collection::vec((0..n, 0..cpi, 0..n, 0..cpi, 0..4usize), 0..12),
            prop::collection::vec((0..n, 0..n, 0..3usize), 0..3),
            prop::collection::vec(prop::collection::vec(0..n, 0..3), 1..4),
            prop::collection::vec((0..n, 0..cpi), 0..10),
        )
            .prop_map(|(clauses_per_instrument, instruments, maps, adoptions, mandated, links)| World {
                clauses_per_instrument,
                instruments,
                maps,
                adoptions,
                mandated,
                links,
            })
    })
}

impl World {
    fn files(&self) -> Vec<(String, String)> {
        let name = |i: usize| format!("I{i}");
        let mut files = Vec::new();
        for i in 0..self.instruments {
            let clauses: Vec<(String, &str)> = (0..self.clauses_per_instrument)
                .map(|c| (format!("{}", c + 1), if c == 0 { "heading" } else { "requirement" }))
                .collect();
            let borrowed: Vec<(&str, &str)> = clauses.iter().map(|(a, b)| (a.as_str(), *b)).collect();
            files.push((format!("i{i}.toml"), instrument(&name(i), &borrowed)));
        }
        // One mapping file per unordered pair, holding every statement about the pair.
        let mut pairs: std::collections::BTreeMap<(usize, usize), PairStatements<'_>> = Default::default();
        for &(a, ca, b, cb, rel) in &self.maps {
            if a == b {
                continue;
            }
            let (key, from, to, rel) = if a < b {
                ((a, b), ca, cb, RELS[rel])
            } else {
                (
                    (b, a),
                    cb,
                    ca,
                    avtrace_model::Relation::parse(RELS[rel]).map(|r| r.converse().as_str()).unwrap_or("equal"),
                )
            };
            let entry = pairs.entry(key).or_default();
            if !entry.1.iter().any(|(f, t, _)| *f == (from + 1).to_string() && *t == (to + 1).to_string()) {
                entry.1.push(((from + 1).to_string(), (to + 1).to_string(), rel));
            }
        }
        for &(a, b, degree) in &self.adoptions {
            if a != b {
                pairs.entry((a.min(b), a.max(b))).or_default().0 = Some(DEGREES[degree]);
            }
        }
        for ((a, b), (adoption, entries)) in pairs {
            let borrowed: Vec<(&str, &str, &str)> =
                entries.iter().map(|(f, t, r)| (f.as_str(), t.as_str(), *r)).collect();
            files.push((format!("mappings/{a}-{b}.toml"), mapping(&name(a), &name(b), adoption, &borrowed)));
        }
        let mut market_file = String::from("id = \"XX\"\nname = \"X\"\n");
        for (k, mandated) in self.mandated.iter().enumerate() {
            for &i in mandated {
                market_file.push_str(&format!(
                    "[[mandates]]\ninstrument = \"{}\"\nlevel = \"{}\"\nfrom = \"2020-01-0{}\"\nlegal_basis = \"l\"\nsource = \"s\"\n",
                    name(i),
                    ["mandatory", "expected", "voluntary"][k % 3],
                    k + 1
                ));
            }
        }
        files.push(("markets/xx.toml".into(), market_file));
        files
    }

    fn program(&self, links: &[(usize, usize)]) -> String {
        let reqs: Vec<(String, Vec<String>)> =
            links.iter().enumerate().map(|(n, &(i, c))| (format!("R{n}"), vec![format!("I{i}:{}", c + 1)])).collect();
        let mut s = String::from("[program]\nname = \"p\"\nmarkets = [{ id = \"XX\", sop = \"2027-01-01\" }]\n");
        for (id, sat) in reqs {
            let sat: Vec<String> = sat.iter().map(|c| format!("\"{c}\"")).collect();
            s.push_str(&format!("[[requirements]]\nid = \"{id}\"\ntitle = \"t\"\nsatisfies = [{}]\n", sat.join(", ")));
        }
        s
    }

    fn fixture(&self, files: &[(String, String)], links: &[(usize, usize)]) -> Fixture {
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        load(&borrowed, &self.program(links))
    }
}

fn all_levels(f: &Fixture) -> Vec<Trace> {
    [Level::Mandatory, Level::Expected, Level::Voluntary]
        .into_iter()
        .map(|level| f.trace_with(TraceOptions { level, ..TraceOptions::default() }))
        .collect()
}

/// The trace as names, so that traces of differently ordered inputs can be compared.
fn canonical(f: &Fixture, t: &Trace) -> Vec<String> {
    t.markets
        .iter()
        .flat_map(|m| &m.obligations)
        .map(|o| {
            let c = t.coverage(o.clause).expect("coverage");
            let reqs: Vec<&str> = c.requirements.iter().map(|r| f.program.requirements[r.index()].id()).collect();
            let chain: Vec<String> = c
                .chain
                .iter()
                .flat_map(|ch| &ch.steps)
                .map(|s| format!("{}-{}->{}", f.catalog.clause_name(s.from), s.rel, f.catalog.clause_name(s.to)))
                .collect();
            format!("{} {} {:?} {:?} {}", f.catalog.clause_name(o.clause), c.status, reqs, chain, o.because.len())
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_link_never_lowers_coverage(w in world(), extra in (0usize..5, 0usize..4)) {
        let files = w.files();
        let before = w.fixture(&files, &w.links);
        let mut links = w.links.clone();
        links.push((extra.0 % w.instruments, extra.1 % w.clauses_per_instrument));
        let after = w.fixture(&files, &links);
        for (b, a) in all_levels(&before).iter().zip(all_levels(&after).iter()) {
            for (mb, ma) in b.markets.iter().zip(&a.markets) {
                prop_assert_eq!(mb.counts.obligations, ma.counts.obligations);
                prop_assert!(ma.counts.linked() >= mb.counts.linked());
                prop_assert!(ma.counts.linked() + ma.counts.partial >= mb.counts.linked() + mb.counts.partial);
                prop_assert!(ma.counts.coverage() >= mb.counts.coverage());
            }
        }
    }

    #[test]
    fn obligation_clauses_are_the_traced_obligations(w in world()) {
        let f = w.fixture(&w.files(), &w.links);
        let graph = ClauseGraph::new(&f.catalog);
        let targets: Vec<MarketTarget> =
            f.program.markets.iter().map(|m| MarketTarget { market: m.market, sop: m.sop }).collect();
        for level in [Level::Mandatory, Level::Expected, Level::Voluntary] {
            let options = TraceOptions { level, ..TraceOptions::default() };
            let traced: Vec<_> = trace(&f.catalog, &graph, &f.program, &targets, options).covered_clauses().map(|(c, _)| c).collect();
            prop_assert_eq!(crate::obligation_clauses(&f.catalog, &graph, &f.program, &targets, options), traced);
        }
    }

    #[test]
    fn removing_a_mandate_never_adds_obligations(w in world(), which in 0usize..8) {
        let before = w.fixture(&w.files(), &w.links);
        let mut fewer = w.clone();
        let total: usize = fewer.mandated.iter().map(Vec::len).sum();
        if total > 0 {
            let mut k = which % total;
            for group in &mut fewer.mandated {
                if k < group.len() {
                    group.remove(k);
                    break;
                }
                k -= group.len();
            }
        }
        let after = fewer.fixture(&fewer.files(), &fewer.links);
        for (b, a) in all_levels(&before).iter().zip(all_levels(&after).iter()) {
            let set = |f: &Fixture, t: &Trace| -> std::collections::BTreeSet<String> {
                t.markets[0].obligations.iter().map(|o| f.catalog.clause_name(o.clause)).collect()
            };
            prop_assert!(set(&after, a).is_subset(&set(&before, b)));
        }
    }

    #[test]
    fn order_of_files_and_entries_does_not_matter(w in world(), seed in any::<u64>()) {
        let files = w.files();
        let straight = w.fixture(&files, &w.links);
        // Reverse the file order, the clause entries inside each file, and the requirements.
        let mut shuffled: Vec<(String, String)> = files.iter().rev().cloned().map(|(p, t)| (p, reverse_entries(&t))).collect();
        let len = shuffled.len().max(1) as u64;
        shuffled.rotate_left((seed % len) as usize);
        let reversed_links: Vec<(usize, usize)> = w.links.iter().rev().copied().collect();
        let mut other = w.fixture(&shuffled, &reversed_links);
        // Requirement ids follow position; rename so that the same link keeps the same id.
        let n = other.program.requirements.len();
        for (k, r) in other.program.requirements.iter_mut().enumerate() {
            r.strings = avtrace_model::RequirementStrings::new(&format!("R{}", n - 1 - k), r.title(), r.text());
        }
        for (a, b) in all_levels(&straight).iter().zip(all_levels(&other).iter()) {
            prop_assert_eq!(canonical(&straight, a), canonical(&other, b));
        }
    }
}

/// Reverses the order of the `[[...]]` tables of a TOML file, keeping its header first.
fn reverse_entries(text: &str) -> String {
    let mut parts: Vec<&str> = text.split("[[").collect();
    let head = parts.remove(0);
    parts.reverse();
    let mut out = head.to_owned();
    for p in parts {
        out.push_str("[[");
        out.push_str(p);
        if !out.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[test]
fn a_heading_in_a_mapping_stands_for_the_clauses_beneath_it() {
    // B:2 is a heading over B:2.1 and B:2.2. "A:1 equal B:2" makes A:1 a superset of each
    // clause under B:2 (and each of them a subset of A:1); nothing more can be derived.
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let b = instrument("B", &[("2", "heading"), ("2.1", "requirement"), ("2.2", "requirement")]);
    let files = |map: &str, mandated: &str| {
        vec![
            ("a.toml".to_owned(), a.clone()),
            ("b.toml".to_owned(), b.clone()),
            ("mappings/ab.toml".to_owned(), map.to_owned()),
            ("markets/xx.toml".to_owned(), market("XX", &[mandated])),
        ]
    };
    let fixture = |files: Vec<(String, String)>, reqs: &[(&str, &[&str])]| {
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        load(&borrowed, &program(reqs))
    };
    let equal = mapping("A", "B", None, &[("1", "2", "equal")]);
    let f = fixture(files(&equal, "B"), &[("R1", &["A:1"])]);
    assert_eq!(f.status_of("B:2.1"), (Status::ViaMapping, "A:1 -superset-> B:2.1".into()));
    assert_eq!(f.status_of("B:2.2"), (Status::ViaMapping, "A:1 -superset-> B:2.2".into()));
    // Satisfying one clause under the heading only partly satisfies A:1.
    let f = fixture(files(&equal, "A"), &[("R1", &["B:2.1"])]);
    assert_eq!(f.status_of("A:1"), (Status::Partial, "B:2.1 -subset-> A:1".into()));
    // An overlap with the heading says nothing about any one clause beneath it.
    let intersects = mapping("A", "B", None, &[("2", "2", "intersects")]);
    let f = fixture(files(&intersects, "A"), &[("R1", &["B:2.2"])]);
    assert_eq!(f.status_of("A:2"), (Status::Uncovered, String::new()));
    // The hint shows the way: B:2.2 lies in B:2, which overlaps A:2.
    let trace = f.trace();
    let a2 = f.catalog.clause_by_ref("A:2").expect("A:2");
    let hint = &trace.coverage(a2).expect("obligation").related[0].chain;
    let steps: Vec<(String, &str)> = hint.steps.iter().map(|s| (f.catalog.clause_name(s.to), s.rel.as_str())).collect();
    assert_eq!(steps, [("B:2".to_owned(), "subset"), ("A:2".to_owned(), "intersects")]);
    // "A:1 subset B:2": a clause under B:2 is a subset of B:2, and B:2 a superset of A:1.
    let subset = mapping("A", "B", None, &[("1", "2", "subset")]);
    let f = fixture(files(&subset, "A"), &[("R1", &["B:2.1"])]);
    assert_eq!(f.status_of("A:1").0, Status::Uncovered);
    // Satisfying the heading's clauses does cover what the heading is a superset of only
    // when the statement is about the heading itself.
    let superset = mapping("A", "B", None, &[("1", "2", "subset")]);
    let f = fixture(files(&superset, "B"), &[("R1", &["A:1"])]);
    assert_eq!(f.status_of("B:2.1").0, Status::Uncovered, "A:1 ⊆ B:2 says nothing of B:2.1");
}

#[test]
fn impact_finds_links_chains_and_citations() {
    // A:1 equal B:1, A:2 cites B:2; R1 satisfies B:1; XX mandates A.
    let a = "id = \"A\"\ntitle = \"A\"\nkind = \"standard\"\nedition = \"1\"\nsource = \"s\"\n\
        [[clauses]]\nid = \"1\"\ntitle = \"t\"\nkind = \"requirement\"\n\
        [[clauses]]\nid = \"2\"\ntitle = \"t\"\nkind = \"requirement\"\nrefs = [\"B:2\"]\n";
    let b = instrument("B", &[("1", "requirement"), ("2", "requirement")]);
    let files = [
        ("a.toml", a),
        ("b.toml", b.as_str()),
        ("mappings/ab.toml", &mapping("A", "B", None, &[("1", "1", "equal")])),
        ("markets/xx.toml", &market("XX", &["A"])),
    ];
    let f = load(&files, &program(&[("R1", &["B:1"]), ("R2", &["A:2"])]));
    let t = f.trace();
    let b1 = f.catalog.clause_by_ref("B:1").unwrap();
    let found = crate::impact(&t, &f.program, b1);
    let reqs = |list: &[avtrace_model::ReqIx]| {
        list.iter().map(|r| f.program.requirements[r.index()].id().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(reqs(&found.satisfied_by), ["R1"]);
    assert!(found.obliged_in.is_empty(), "B is not mandated");
    assert_eq!(found.carried.len(), 1);
    assert_eq!(f.catalog.clause_name(found.carried[0].1), "A:1");
    assert_eq!(found.carried[0].2, Status::ViaMapping);
    let a2 = f.catalog.clause_by_ref("A:2").unwrap();
    let found = crate::impact(&t, &f.program, a2);
    assert_eq!(reqs(&found.satisfied_by), ["R2"]);
    assert_eq!(found.obliged_in.len(), 1);
    assert_eq!(found.brings_in.iter().map(|(_, c)| f.catalog.clause_name(*c)).collect::<Vec<_>>(), ["B:2"]);
    assert_eq!(reqs(&found.requirements), ["R2"]);
}

#[test]
fn program_diffs_name_what_changed() {
    let a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let files = [("a.toml", a.as_str()), ("markets/xx.toml", &market("XX", &["A"]))];
    let before = load(&files, &program(&[("R1", &["A:1"]), ("R2", &["A:2"]), ("R3", &[])]));
    let after = load(&files, &program(&[("R1", &["A:2"]), ("R3", &[]), ("R4", &["A:1"])]));
    let (tb, ta) = (before.trace(), after.trace());
    let diff = crate::diff_programs(&before.catalog, (&before.program, &tb), (&after.program, &ta));
    assert_eq!(diff.added, ["R4"]);
    assert_eq!(diff.removed, ["R2"]);
    assert_eq!(diff.changed.len(), 1);
    assert_eq!(diff.changed[0].id, "R1");
    assert_eq!(diff.changed[0].linked, ["A:2"]);
    assert_eq!(diff.changed[0].unlinked, ["A:1"]);
    assert!(diff.markets[0].statuses.is_empty(), "both clauses stay covered, by other requirements");
    let same = crate::diff_programs(&before.catalog, (&before.program, &tb), (&before.program, &tb));
    assert!(same.is_empty());
    let fewer = load(&files, &program(&[("R1", &["A:1"])]));
    let tf = fewer.trace();
    let diff = crate::diff_programs(&before.catalog, (&before.program, &tb), (&fewer.program, &tf));
    assert_eq!(diff.markets[0].statuses, [("A:2".to_owned(), Some(Status::Covered), Some(Status::Uncovered))]);
    assert_eq!((diff.markets[0].coverage_before, diff.markets[0].coverage_after), (Some(1.0), Some(0.5)));
}

#[test]
fn catalog_diffs_name_what_changed() {
    let old_a = instrument("A", &[("1", "requirement"), ("2", "requirement")]);
    let new_a = instrument("A", &[("1", "recommendation"), ("3", "requirement")]);
    let b = instrument("B", &[("1", "requirement")]);
    let old = load(
        &[("a.toml", old_a.as_str()), ("b.toml", b.as_str()), ("markets/xx.toml", &market("XX", &["A"]))],
        &program(&[]),
    );
    let c = instrument("C", &[("1", "requirement")]);
    let new = load(
        &[
            ("a.toml", new_a.as_str()),
            ("c.toml", c.as_str()),
            ("mappings/ac.toml", &mapping("A", "C", None, &[("1", "1", "equal")])),
            ("markets/xx.toml", &market("XX", &["A", "C"])),
        ],
        &program(&[]),
    );
    let diff = crate::diff_catalogs(&old.catalog, &new.catalog);
    assert_eq!(diff.instruments_removed, ["B"]);
    assert_eq!(diff.instruments_added, ["C"]);
    assert_eq!(diff.clauses_added, ["A:3"], "clauses of added instruments are counted with them");
    assert_eq!(diff.clauses_removed, ["A:2"]);
    assert_eq!(diff.clauses_changed, [("A:1".to_owned(), vec!["kind"])]);
    assert_eq!(diff.mappings_added, ["A:1 equal C:1"]);
    assert_eq!(diff.mandates_added, ["XX: C mandatory from 2020-01-01 for M"]);
    assert!(diff.mandates_removed.is_empty());
    assert!(crate::diff_catalogs(&old.catalog, &old.catalog).is_empty());
}

/// A small mapping world for checking the chain search against brute force: three
/// instruments of three requirement clauses, clause-level mappings between them, and a
/// program satisfying some clauses.
#[derive(Clone, Debug)]
struct MapWorld {
    /// `(from clause, to clause, relation)` with clauses numbered 0..9 (instrument = n / 3).
    entries: Vec<(usize, usize, avtrace_model::Relation)>,
    satisfied: Vec<usize>,
}

const MAP_IDS: [&str; 3] = ["X", "Y", "Z"];

fn map_clause(n: usize) -> String {
    format!("{}:{}", MAP_IDS[n / 3], n % 3 + 1)
}

fn map_world() -> impl Strategy<Value = MapWorld> {
    let rel = prop_oneof![
        Just(avtrace_model::Relation::Equal),
        Just(avtrace_model::Relation::Subset),
        Just(avtrace_model::Relation::Superset),
        Just(avtrace_model::Relation::Intersects),
    ];
    (prop::collection::vec((0usize..9, 0usize..9, rel), 0..14), prop::collection::vec(0usize..9, 0..3)).prop_map(
        |(raw, satisfied)| {
            // One statement per unordered pair of clauses in different instruments.
            let mut entries: Vec<(usize, usize, avtrace_model::Relation)> = Vec::new();
            for (a, b, r) in raw {
                let (a, b, r) = if a / 3 < b / 3 { (a, b, r) } else { (b, a, r.converse()) };
                if a / 3 != b / 3 && !entries.iter().any(|(x, y, _)| (*x, *y) == (a, b)) {
                    entries.push((a, b, r));
                }
            }
            MapWorld { entries, satisfied }
        },
    )
}

impl MapWorld {
    fn fixture(&self) -> Fixture {
        let mut files: Vec<(String, String)> = MAP_IDS
            .iter()
            .map(|id| {
                (
                    format!("{id}.toml"),
                    instrument(id, &[("1", "requirement"), ("2", "requirement"), ("3", "requirement")]),
                )
            })
            .collect();
        for (i, from) in MAP_IDS.iter().enumerate() {
            for to in &MAP_IDS[i + 1..] {
                let own: Vec<(String, String, &str)> = self
                    .entries
                    .iter()
                    .filter(|(a, b, _)| MAP_IDS[a / 3] == *from && MAP_IDS[b / 3] == *to)
                    .map(|(a, b, r)| ((a % 3 + 1).to_string(), (b % 3 + 1).to_string(), r.as_str()))
                    .collect();
                let borrowed: Vec<(&str, &str, &str)> =
                    own.iter().map(|(a, b, r)| (a.as_str(), b.as_str(), *r)).collect();
                files.push((format!("mappings/{from}-{to}.toml"), mapping(from, to, None, &borrowed)));
            }
        }
        files.push(("markets/xx.toml".into(), market("XX", &MAP_IDS)));
        let sat: Vec<String> = self.satisfied.iter().map(|&c| map_clause(c)).collect();
        let sat: Vec<&str> = sat.iter().map(String::as_str).collect();
        let borrowed: Vec<(&str, &str)> = files.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        load(&borrowed, &program(&[("R1", &sat)]))
    }

    /// By brute force over every simple path: the best status of `target` and the length of
    /// the shortest chain that gives it.
    fn oracle(&self, target: usize) -> (Status, usize) {
        if self.satisfied.contains(&target) {
            return (Status::Covered, 0);
        }
        // links[x] = (y, r(x, y)).
        let mut links: Vec<Vec<(usize, avtrace_model::Relation)>> = vec![Vec::new(); 9];
        for &(a, b, r) in &self.entries {
            links[a].push((b, r));
            links[b].push((a, r.converse()));
        }
        let mut best: Option<(Status, usize)> = None;
        // Depth-first from each satisfied clause, composing as it goes.
        let mut stack: Vec<(usize, avtrace_model::Relation, Vec<usize>)> =
            self.satisfied.iter().map(|&s| (s, avtrace_model::Relation::Equal, vec![s])).collect();
        while let Some((at, rel, path)) = stack.pop() {
            for &(next, step) in &links[at] {
                if path.contains(&next) {
                    continue;
                }
                let Some(composed) = rel.compose(step) else { continue };
                if next == target {
                    let status = if composed.carries_coverage() { Status::ViaMapping } else { Status::Partial };
                    let length = path.len();
                    if best.is_none_or(|b| (status, length) < b) {
                        best = Some((status, length));
                    }
                    continue;
                }
                let mut longer = path.clone();
                longer.push(next);
                stack.push((next, composed, longer));
            }
        }
        best.unwrap_or((Status::Uncovered, 0))
    }
}

fn statuses_and_chains(f: &Fixture) -> Vec<(String, Status, String)> {
    f.statuses()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// The engine's status and chain length agree with brute force over every simple path,
    /// and every reported chain composes to what its status says, starts at a satisfied
    /// clause and never loops.
    #[test]
    fn chain_search_agrees_with_brute_force(w in map_world()) {
        let f = w.fixture();
        let trace = f.trace();
        for target in 0..9 {
            let clause = f.catalog.clause_by_ref(&map_clause(target)).expect("clause exists");
            let coverage = trace.coverage(clause).expect("every clause is an obligation");
            let (status, length) = w.oracle(target);
            prop_assert_eq!(coverage.status, status, "{}", map_clause(target));
            if let Some(chain) = &coverage.chain {
                prop_assert_eq!(chain.steps.len(), length, "{}", map_clause(target));
                let composed = crate::Chain::compose(&chain.steps);
                prop_assert_eq!(composed, chain.relation);
                prop_assert_eq!(composed.is_some_and(|r| r.carries_coverage()), status == Status::ViaMapping);
                prop_assert!(w.satisfied.iter().any(|&s| map_clause(s) == f.catalog.clause_name(chain.start())));
                let mut seen: Vec<_> = chain.steps.iter().map(|s| s.from).collect();
                seen.push(clause);
                let n = seen.len();
                seen.sort_unstable();
                seen.dedup();
                prop_assert_eq!(seen.len(), n, "a chain never loops");
                for pair in chain.steps.windows(2) {
                    prop_assert_eq!(pair[0].to, pair[1].from);
                }
            }
            for hint in &coverage.related {
                prop_assert_eq!(status, Status::Uncovered);
                prop_assert_eq!(crate::Chain::compose(&hint.chain.steps), None);
            }
        }
    }

    /// A mapping that can only compose to nothing (an overlap between two unsatisfied
    /// clauses that nothing reaches by equal or superset) never changes any status or chain.
    #[test]
    fn a_mapping_that_composes_to_nothing_changes_no_status(w in map_world(), a in 0usize..9, b in 0usize..9) {
        let (a, b) = if a / 3 < b / 3 { (a, b) } else { (b, a) };
        let reached_fully = |x: usize| {
            w.entries.iter().any(|&(p, q, r)| (q == x && r.carries_coverage()) || (p == x && r.converse().carries_coverage()))
        };
        let exists = w.entries.iter().any(|&(p, q, _)| (p, q) == (a, b));
        prop_assume!(a / 3 != b / 3 && !exists);
        prop_assume!(!w.satisfied.contains(&a) && !w.satisfied.contains(&b));
        prop_assume!(!reached_fully(a) && !reached_fully(b));
        let mut more = w.clone();
        more.entries.push((a, b, avtrace_model::Relation::Intersects));
        prop_assert_eq!(statuses_and_chains(&w.fixture()), statuses_and_chains(&more.fixture()));
    }
}

#[test]
fn verification_follows_evidence_and_the_tree() {
    use avtrace_model::Verification::{Claimed, Failed, None as Nothing, Passed};
    let a = instrument("A", &[("1", "requirement")]);
    let files = [("a.toml", a.as_str()), ("markets/xx.toml", &market("XX", &["A"]))];
    let text = "[program]\nname = \"p\"\ncategories = [\"M1\"]\nmarkets = [{ id = \"XX\", sop = \"2027-01-01\" }]\n\
        [[requirements]]\nid = \"P\"\ntitle = \"t\"\nsatisfies = [\"A:1\"]\n\
        [[requirements]]\nid = \"C1\"\ntitle = \"t\"\nparent = \"P\"\nverified_by = [\"E1\", \"E2\"]\n\
        [[requirements]]\nid = \"C2\"\ntitle = \"t\"\nparent = \"P\"\nverified_by = [\"E3\"]\n\
        [[requirements]]\nid = \"C3\"\ntitle = \"t\"\nparent = \"P\"\nstatus = \"rejected\"\nverified_by = [\"E4\"]\n\
        [[requirements]]\nid = \"G\"\ntitle = \"t\"\nparent = \"C2\"\n\
        [[requirements]]\nid = \"L\"\ntitle = \"t\"\n\
        [[evidence]]\nid = \"E1\"\nresult = \"passed\"\n\
        [[evidence]]\nid = \"E2\"\nresult = \"passed\"\n\
        [[evidence]]\nid = \"E3\"\nresult = \"not-run\"\n\
        [[evidence]]\nid = \"E4\"\nresult = \"failed\"\n";
    let f = load(&files, text);
    // C1 all passed; C2 not run (claimed: it names evidence, so G beneath does not count);
    // C3 failed but rejected, so P takes the worst of C1 and C2 only; L names nothing.
    assert_eq!(crate::verification(&f.program), [Claimed, Passed, Claimed, Failed, Nothing, Nothing]);
    let trace = f.trace();
    assert_eq!(trace.verification[0], Claimed);
    assert_eq!(trace.markets[0].counts.verified, 0, "A:1 rests on P, which is only claimed");
}

/// The requirement records read in stretches on several threads give what one thread
/// gives: the same satisfiers in id order, the same verification states, whether the
/// program is written in id order or not, with requirements that count and that do not,
/// parents, and passed, failed and unknown evidence.
#[test]
fn satisfiers_read_in_stretches_are_those_read_on_one_thread() {
    let clauses: Vec<(String, &str)> = (1..=7).map(|c| (c.to_string(), "requirement")).collect();
    let clause_refs: Vec<(&str, &str)> = clauses.iter().map(|(c, k)| (c.as_str(), *k)).collect();
    let catalog = instrument("A", &clause_refs);
    // Written in id order; shuffled; and in two runs each in order, the later ids first
    // (in order within each stretch of two threads, out of order where they meet).
    let orders: [Vec<usize>; 3] =
        [(0..300).collect(), (0..300).map(|k| (k * 7919) % 300).collect(), (150..300).chain(0..150).collect()];
    for (which, order) in orders.iter().enumerate() {
        let mut text = String::from(
            "[program]\nname = \"p\"\ncategories = [\"M1\"]\nmarkets = [{ id = \"XX\", sop = \"2027-01-01\" }]\n",
        );
        for &k in order {
            let status = ["approved", "draft", "rejected", "obsolete"][k % 4];
            let parent = if k % 5 == 3 { format!("parent = \"R-{}\"\n", k - 3) } else { String::new() };
            let verified = if k % 3 == 0 { String::new() } else { format!("verified_by = [\"T-{}\"]\n", k % 6) };
            text.push_str(&format!(
                "[[requirements]]\nid = \"R-{k}\"\ntitle = \"t\"\nstatus = \"{status}\"\n{parent}{verified}\
                 satisfies = [\"A:{}\", \"A:{}\"]\n",
                1 + k % 7,
                1 + (k * 3) % 7
            ));
        }
        for (t, result) in ["passed", "failed", "passed", "passed", "failed", "passed"].iter().enumerate() {
            text.push_str(&format!("[[evidence]]\nid = \"T-{t}\"\nresult = \"{result}\"\n"));
        }
        let f = load(&[("instruments/a.toml", &catalog), ("markets/xx.toml", &market("XX", &["A"]))], &text);
        let min = avtrace_model::RequirementStatus::Draft;
        let mut alone_states = Vec::new();
        let alone = crate::engine::Satisfiers::on_threads(&f.catalog, &f.program, min, &mut alone_states, 1);
        for threads in [2, 3, 7, 400] {
            let mut states = Vec::new();
            let got = crate::engine::Satisfiers::on_threads(&f.catalog, &f.program, min, &mut states, threads);
            assert_eq!(got, alone, "{threads} threads, order {which}");
            assert_eq!(states, alone_states, "{threads} threads, order {which}");
        }
    }
}
