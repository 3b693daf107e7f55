//! Text for terminal tables: padding by display width, so that wide characters (CJK
//! titles) keep columns aligned. Nothing is cut here: the text is whole in a pipe or a
//! file, and the command line cuts lines to a terminal's real width when it prints to one.

use unicode_width::UnicodeWidthStr;

/// The display width of the widest of `cells`, at least `min`: a column as wide as its data.
pub(crate) fn column_width<'a>(cells: impl IntoIterator<Item = &'a str>, min: usize) -> usize {
    cells.into_iter().map(UnicodeWidthStr::width).fold(min, usize::max)
}

/// `s` padded on the right to `width` columns (a longer `s` is kept whole).
pub(crate) fn left(s: &str, width: usize) -> String {
    let pad = width.saturating_sub(s.width());
    format!("{s}{}", " ".repeat(pad))
}

/// `s` padded on the left to `width` columns.
pub(crate) fn right(s: &str, width: usize) -> String {
    let pad = width.saturating_sub(s.width());
    format!("{}{s}", " ".repeat(pad))
}

/// A percentage with one decimal: `76.7%`.
pub(crate) fn percent(ratio: f64) -> String {
    format!("{:.1}%", ratio * 100.0)
}

/// A count and a noun, the noun in the plural unless the count is one: `1 market`,
/// `6 markets`.
pub(crate) fn plural(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// Quotes a command-line argument for a POSIX shell when it needs it.
pub(crate) fn shell_quote(arg: &str) -> String {
    if !arg.is_empty() && arg.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:@=+,".contains(c)) {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_by_display_width_and_never_cuts() {
        assert_eq!(left("汽车", 5), "汽车 ");
        assert_eq!(left("汽车整车", 6), "汽车整车");
        assert_eq!(right("7", 3), "  7");
        assert_eq!(column_width(["ab", "汽车整车"], 3), 8);
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("examples/p.toml"), "examples/p.toml");
        assert_eq!(shell_quote("my program.toml"), "'my program.toml'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
