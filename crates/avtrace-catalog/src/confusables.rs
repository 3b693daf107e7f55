//! Ids that look alike but are not the same: `REQ-С1` with a Cyrillic `С` beside `REQ-C1`,
//! `5.1‐2` with U+2010 HYPHEN, a zero-width space, a right-to-left override, fullwidth
//! digits. Each passes the spelling rules and would be a distinct requirement or clause that
//! a reviewer cannot tell from its twin.
//!
//! Two ids collide when their skeletons (Unicode Technical Standard #39, section 4) are
//! equal. Collisions between plain-ASCII ids (`l` and `1`, `O` and `0`) are left alone: they
//! are the everyday spelling of real catalogs (`Annex I`, `Annex 1`), and the threat here
//! is characters a reader cannot see. Invisible characters (Unicode's
//! Default_Ignorable_Code_Point, which holds the bidirectional controls) and ids that mix
//! scripts are warned about even without a twin.

use std::collections::HashMap;

use avtrace_model::{Catalog, Program, Span};
use unicode_security::MixedScript as _;

use crate::diag::{Diagnostic, Sources};

/// Warnings for the catalog's instrument, clause and market ids.
pub fn confusable_catalog_ids(sources: &Sources, catalog: &Catalog) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let instruments = catalog.instruments.iter().map(|i| (i.id.as_str(), i.span));
    check_namespace(sources, "instrument id", instruments, &mut out);
    for instrument in &catalog.instruments {
        let range = instrument.clauses.start as usize..instrument.clauses.end as usize;
        let clauses = catalog.clauses[range].iter().map(|c| (c.id.as_str(), c.span));
        check_namespace(sources, &format!("clause id in {}", instrument.id), clauses, &mut out);
    }
    check_namespace(sources, "market id", catalog.markets.iter().map(|m| (m.id.as_str(), m.span)), &mut out);
    out
}

/// Warnings for the program's requirement and evidence ids.
pub fn confusable_program_ids(sources: &Sources, program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let requirements = program.requirements.iter().map(|r| (r.id(), r.span));
    check_namespace(sources, "requirement id", requirements, &mut out);
    check_namespace(sources, "evidence id", program.evidence.iter().map(|e| (e.id.as_str(), e.span)), &mut out);
    out
}

/// Checks one set of ids that must be told apart.
fn check_namespace<'a>(
    sources: &Sources,
    what: &str,
    ids: impl Iterator<Item = (&'a str, Span)> + Clone,
    out: &mut Vec<Diagnostic>,
) {
    // Only ids with a character outside ASCII can be confused (see the module's
    // documentation), so a large ASCII program costs one scan, and no list of its ids.
    if ids.clone().all(|(id, _)| id.is_ascii()) {
        return;
    }
    // Skeleton -> the first id seen with it.
    let mut firsts: HashMap<String, (&'a str, Span)> = HashMap::new();
    let mut ascii: Vec<(&'a str, Span)> = Vec::new();
    let mut unusual: Vec<(&'a str, Span)> = Vec::new();
    for (id, span) in ids {
        if id.is_ascii() { ascii.push((id, span)) } else { unusual.push((id, span)) }
    }
    if unusual.is_empty() {
        return;
    }
    let first_unusual = ascii.len();
    let mut twinned = vec![false; unusual.len()];
    for (i, (id, span)) in ascii.into_iter().chain(unusual.iter().copied()).enumerate() {
        let skeleton: String = unicode_security::skeleton(id).collect();
        match firsts.get(&skeleton) {
            Some(&(first, first_span)) if first != id => {
                // Both are outside ASCII here, or only this one is: point at this one.
                if let Some(t) = i.checked_sub(first_unusual) {
                    twinned[t] = true;
                }
                out.push(
                    Diagnostic::warning(
                        "confusable-id",
                        Some(span),
                        format!(
                            "{what} `{}` looks like `{}` but is a different id: {}",
                            escaped(id),
                            escaped(first),
                            non_ascii(id)
                        ),
                    )
                    .with_note(format!(
                        "`{}` is at {}",
                        escaped(first),
                        sources.position(first_span)
                    )),
                );
            }
            Some(_) => {}
            None => {
                firsts.insert(skeleton, (id, span));
            }
        }
    }
    for ((id, span), twinned) in unusual.into_iter().zip(twinned) {
        if let Some(warning) = invisible(what, id, span) {
            out.push(warning);
        } else if !twinned && !id.is_single_script() {
            out.push(Diagnostic::warning(
                "confusable-id",
                Some(span),
                format!("{what} `{}` mixes scripts: {}", escaped(id), non_ascii(id)),
            ));
        }
    }
}

/// A warning for an id holding a character that is not seen (zero-width, bidirectional
/// control, variation selector, ...).
fn invisible(what: &str, id: &str, span: Span) -> Option<Diagnostic> {
    let hidden: Vec<String> = id.chars().filter(|&c| is_invisible(c)).map(|c| format!("U+{:04X}", c as u32)).collect();
    if hidden.is_empty() {
        return None;
    }
    let bidi = id.chars().any(is_bidi_control);
    Some(Diagnostic::warning(
        "invisible-character",
        Some(span),
        format!(
            "{what} `{}` holds {} ({}), which {}",
            escaped(id),
            if hidden.len() == 1 { "an invisible character" } else { "invisible characters" },
            hidden.join(", "),
            if bidi { "reorders how text around it is shown" } else { "no reader can see" }
        ),
    ))
}

/// Default_Ignorable_Code_Point (what the skeleton drops, as its table is private to the
/// crate), or a space other than the ASCII one.
fn is_invisible(c: char) -> bool {
    let mut buf = [0u8; 4];
    unicode_security::skeleton(c.encode_utf8(&mut buf)).next().is_none() || (c.is_whitespace() && c != ' ')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// `id` with every character outside printable ASCII written `\u{...}`, so that a message
/// shows what is there rather than letting a terminal or editor reorder or hide it.
fn escaped(id: &str) -> String {
    id.chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c.to_string() } else { format!("\\u{{{:X}}}", c as u32) })
        .collect()
}

/// The characters of `id` outside ASCII, as `` `С` U+0421 ``.
fn non_ascii(id: &str) -> String {
    let mut seen: Vec<char> = id.chars().filter(|c| !c.is_ascii()).collect();
    seen.dedup();
    seen.iter()
        .map(|&c| if is_invisible(c) { format!("U+{:04X}", c as u32) } else { format!("`{c}` U+{:04X}", c as u32) })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(ids: &[&str]) -> Vec<String> {
        let mut sources = Sources::new();
        let file = sources.add("p.toml", ids.join("\n"));
        let mut at = 0;
        let spans: Vec<(&str, Span)> = ids
            .iter()
            .map(|id| {
                let span = Span::new(file, at..at + id.len());
                at += id.len() + 1;
                (*id, span)
            })
            .collect();
        let mut out = Vec::new();
        check_namespace(&sources, "requirement id", spans.into_iter(), &mut out);
        out.iter().map(|d| format!("{}: {}", sources.position(d.span.expect("span")), d.message)).collect()
    }

    #[test]
    fn cyrillic_twin_is_named_at_the_cyrillic_one() {
        let found = warnings(&["REQ-C1", "REQ-\u{421}1"]);
        assert_eq!(
            found,
            ["p.toml:2:1: requirement id `REQ-\\u{421}1` looks like `REQ-C1` but is a different id: `\u{421}` U+0421"]
        );
    }

    #[test]
    fn unicode_hyphen_and_fullwidth_digits_collide() {
        let found = warnings(&["REQ-1", "REQ\u{2010}1"]);
        assert!(found.iter().any(|w| w.contains("looks like `REQ-1`")), "{found:?}");
        let found = warnings(&["REQ-12", "REQ-\u{FF11}\u{FF12}"]);
        assert!(found.iter().any(|w| w.contains("looks like `REQ-12`")), "{found:?}");
    }

    #[test]
    fn invisible_and_bidi_characters_are_named_even_alone() {
        let found = warnings(&["REQ-\u{200B}1"]);
        assert_eq!(
            found,
            [
                "p.toml:1:1: requirement id `REQ-\\u{200B}1` holds an invisible character (U+200B), which no reader can see"
            ]
        );
        let found = warnings(&["REQ-\u{202E}1-QER"]);
        assert!(found[0].contains("U+202E") && found[0].contains("reorders"), "{found:?}");
    }

    #[test]
    fn ascii_lookalikes_and_single_script_ids_pass() {
        assert!(warnings(&["Annex I", "Annex 1", "REQ-O", "REQ-0"]).is_empty());
        assert!(warnings(&["ТРЕБ-1", "要件-1", "REQ-1"]).is_empty());
    }
}
