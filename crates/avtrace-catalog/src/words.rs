//! Parser messages in a user's words: the `toml` crate's serde errors name our internal
//! types (`expected struct RawProgramMarket`); these say what to write instead.

/// What each internal type is, as a user writes it.
const TYPES: &[(&str, &str)] = &[
    ("RawProgramMarket", "a market table like `{ id = \"EU\", sop = \"2027-03-01\" }`"),
    ("RawProgramFile", "a program file (a `[program]` table, then `[[requirements]]` tables)"),
    ("RawProgram", "the `[program]` table (`name`, `markets`, ...)"),
    ("RawRequirement", "a `[[requirements]]` table (`id`, `title`, `satisfies`, ...)"),
    ("RawLink", "a link table like `{ kind = \"depends-on\", to = \"SW-002\" }`"),
    ("RawEvidence", "an `[[evidence]]` table (`id`, `kind`, `title`, `result`, ...)"),
    ("RawIncludedFile", "an included file of `[[requirements]]` and `[[evidence]]` tables"),
    ("RawInstrument", "an instrument file (`id`, `title`, `kind`, `edition`, `source`, `[[clauses]]`)"),
    ("RawClause", "a `[[clauses]]` table (`id`, `title`, `kind`, ...)"),
    ("RawMapping", "a mapping file (`from`, `to`, `source`, `[[map]]`)"),
    ("RawMapEntry", "a `[[map]]` table (`from`, `to`, `rel`)"),
    ("RawMarket", "a market file (`id`, `name`, `[[mandates]]`)"),
    ("RawMandate", "a `[[mandates]]` table (`instrument`, `level`, `from`, `legal_basis`, `source`)"),
    ("RawRecognition", "a `[[recognitions]]` table"),
    ("RawVocabulary", "a vocabulary file (`[[features]]`, `[[categories]]`)"),
    ("RawTerm", "a `[[features]]` or `[[categories]]` table (`id`, `meaning`, `source`)"),
];

/// Rewrites a parser message so that it names no Rust type: `expected struct X` becomes
/// what X looks like in a file, `a sequence` an array, `a map` a table.
pub(crate) fn reword(message: &str) -> String {
    let mut out = message.trim_end_matches('\n').to_owned();
    for (name, words) in TYPES {
        for prefix in ["struct ", "a struct "] {
            out = out.replace(&format!("{prefix}{name}"), words);
        }
        out = out.replace(name, words);
    }
    out = out
        .replace("expected a sequence", "expected an array like `[\"A\", \"B\"]`")
        .replace("invalid type: sequence", "found an array")
        .replace("invalid type: map", "found a table")
        .replace("invalid type: string", "found a string")
        .replace("invalid type: integer", "found a number")
        .replace("invalid type: boolean", "found a boolean")
        .replace("expected a map", "expected a table")
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key");
    out
}

#[cfg(test)]
mod tests {
    use super::reword;

    #[test]
    fn no_message_names_an_internal_type() {
        let m = reword("invalid type: string \"EU\", expected struct RawProgramMarket\n");
        assert_eq!(m, "found a string \"EU\", expected a market table like `{ id = \"EU\", sop = \"2027-03-01\" }`");
        assert!(!reword("missing field `title` in RawRequirement").contains("Raw"));
    }
}
