//! Fixed-width text for terminal tables: padding and truncation by display width, so that
//! wide characters (CJK titles) keep columns aligned.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `s` cut to at most `width` columns, with `…` marking a cut.
pub(crate) fn fit(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// `s` fitted to `width` columns and padded on the right.
pub(crate) fn left(s: &str, width: usize) -> String {
    let s = fit(s, width);
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
    fn fits_by_display_width() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(left("汽车整车", 5), "汽车…");
        assert_eq!(left("汽车整车", 6), "汽车… ");
        assert_eq!(right("7", 3), "  7");
    }

    #[test]
    fn quotes_for_the_shell() {
        assert_eq!(shell_quote("examples/p.toml"), "examples/p.toml");
        assert_eq!(shell_quote("my program.toml"), "'my program.toml'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
