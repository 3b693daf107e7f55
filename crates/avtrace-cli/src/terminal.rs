//! What reaches a terminal: control characters from data made visible, lines cut to the
//! terminal's real width (never in a pipe, nor with `--wide`), and colour when asked or
//! when a terminal is there and `NO_COLOR` is not set.
//!
//! A program name, a requirement title or a quoted source line is data: an escape sequence
//! in it could set the clipboard (OSC 52), retitle the window or clear the screen. Every
//! control character except line break and tab is shown as `\x1b`-style text instead.

use std::borrow::Cow;
use std::io::IsTerminal as _;
use std::sync::OnceLock;

use unicode_width::UnicodeWidthChar as _;

use crate::args::ColorChoice;

/// How the run prints to a terminal, set once from the command line.
#[derive(Clone, Copy, Debug)]
struct Settings {
    /// Colour on standard output.
    color_out: bool,
    /// Colour on standard error.
    color_err: bool,
    /// The width to cut standard-output lines to; `None` to keep them whole.
    width: Option<usize>,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// Whether colour is on for a stream that is (or is not) a terminal.
fn colour(choice: ColorChoice, is_terminal: bool, no_color: Option<std::ffi::OsString>, term: Option<String>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            // https://no-color.org: any non-empty value turns colour off.
            is_terminal && no_color.is_none_or(|v| v.is_empty()) && term.as_deref() != Some("dumb")
        }
    }
}

/// Reads the terminal: call once, before anything prints.
pub(crate) fn init(choice: ColorChoice, wide: bool) {
    let out_tty = std::io::stdout().is_terminal();
    let err_tty = std::io::stderr().is_terminal();
    let env = |k: &str| std::env::var_os(k);
    let width = if wide || !out_tty {
        None
    } else {
        terminal_size::terminal_size()
            .map(|(w, _)| usize::from(w.0))
            .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()))
            .filter(|&w| w >= 20)
    };
    let term = std::env::var("TERM").ok();
    let settings = Settings {
        color_out: colour(choice, out_tty, env("NO_COLOR"), term.clone()),
        color_err: colour(choice, err_tty, env("NO_COLOR"), term),
        width,
    };
    let _ = SETTINGS.set(settings);
}

fn settings() -> Settings {
    SETTINGS.get().copied().unwrap_or(Settings { color_out: false, color_err: false, width: None })
}

/// Whether standard output is a terminal (data formats are escaped only there).
pub(crate) fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// `text` with every control character but line break and tab written as visible text:
/// `\x1b` for C0 and DEL, `\u{9b}` for C1.
pub(crate) fn escape_controls(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if !unsafe_char(c) {
            out.push(c);
        } else if (c as u32) < 0x80 {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    Cow::Owned(out)
}

/// `line` cut to `width` display columns, `…` marking a cut.
fn cut(line: &str, width: usize) -> Cow<'_, str> {
    let total: usize = line.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return Cow::Borrowed(line);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in line.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const BLUE: &str = "\x1b[34m";
const BOLD_RED: &str = "\x1b[1;31m";
const BOLD_YELLOW: &str = "\x1b[1;33m";
const RESET: &str = "\x1b[0m";

/// The colour of a word that leads a line: statuses in tables, severities in diagnostics.
fn lead_colour(word: &str) -> Option<&'static str> {
    Some(match word {
        "uncovered" | "failed" => RED,
        "partial" | "claimed" => YELLOW,
        "covered" | "passed" | "ok:" => GREEN,
        "via-mapping" => BLUE,
        "check" => BOLD_RED,
        _ => return None,
    })
}

/// Colours the first word of a line when it is a status or a severity.
fn colour_line(line: &str) -> String {
    for (prefix, colour) in [("error", BOLD_RED), ("warning", BOLD_YELLOW)] {
        if let Some(rest) = line.strip_prefix(prefix)
            && (rest.starts_with('[') || rest.starts_with(':'))
        {
            return format!("{colour}{prefix}{RESET}{rest}");
        }
    }
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    let word = body.split(' ').next().unwrap_or("");
    match lead_colour(word) {
        // "check failed" is the one two-word lead.
        Some(_) if word == "check" && !body.starts_with("check failed") => line.to_owned(),
        Some(colour) => format!("{indent}{colour}{word}{RESET}{}", &body[word.len()..]),
        None => line.to_owned(),
    }
}

/// A table or message for standard output: controls escaped, lines cut to the terminal and
/// coloured as the settings say.
pub(crate) fn for_stdout(text: &str) -> String {
    let s = settings();
    render(text, s.width, s.color_out)
}

/// A diagnostic or message for standard error: controls escaped, coloured as the settings
/// say, never cut (a diagnostic is read whole).
pub(crate) fn for_stderr(text: &str) -> String {
    render(text, None, settings().color_err)
}

fn render(text: &str, width: Option<usize>, colour: bool) -> String {
    let text = escape_controls(text);
    if width.is_none() && !colour {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len() + 64);
    for piece in text.split_inclusive('\n') {
        let (line, end) = piece.strip_suffix('\n').map_or((piece, ""), |l| (l, "\n"));
        let line = match width {
            Some(w) => cut(line, w),
            None => Cow::Borrowed(line),
        };
        if colour {
            out.push_str(&colour_line(&line));
        } else {
            out.push_str(&line);
        }
        out.push_str(end);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_text() {
        let hostile = "name\x1b]52;c;ZXZpbA==\x07\x1b]0;owned\x07\x1b[2J\u{9b}31m\r end\n\tnext";
        let shown = escape_controls(hostile);
        assert!(!shown.chars().any(|c| c.is_control() && c != '\n' && c != '\t'), "{shown}");
        assert_eq!(shown, "name\\x1b]52;c;ZXZpbA==\\x07\\x1b]0;owned\\x07\\x1b[2J\\u{9b}31m\\x0d end\n\tnext");
        assert!(matches!(escape_controls("plain\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_are_cut_by_display_width() {
        assert_eq!(cut("abcdef", 4), "abc…");
        assert_eq!(cut("abc", 4), "abc");
        assert_eq!(cut("汽车整车", 5), "汽车…");
        assert_eq!(render("abcdef\nab\n", Some(4), false), "abc…\nab\n");
        assert_eq!(render("abcdef\n", None, false), "abcdef\n");
    }

    #[test]
    fn colour_follows_the_choice_and_no_color() {
        let set = Some(std::ffi::OsString::from("1"));
        assert!(colour(ColorChoice::Auto, true, None, None));
        assert!(!colour(ColorChoice::Auto, false, None, None));
        assert!(!colour(ColorChoice::Auto, true, set.clone(), None));
        assert!(colour(ColorChoice::Auto, true, Some(std::ffi::OsString::new()), None));
        assert!(!colour(ColorChoice::Auto, true, None, Some("dumb".to_owned())));
        assert!(colour(ColorChoice::Always, false, set, None));
        assert!(!colour(ColorChoice::Never, true, None, None));
    }

    #[test]
    fn statuses_and_severities_are_coloured_and_escapes_in_data_are_not_kept() {
        assert_eq!(colour_line("  uncovered  X:1"), "  \x1b[31muncovered\x1b[0m  X:1");
        assert_eq!(colour_line("error[dangling-reference]: x"), "\x1b[1;31merror\x1b[0m[dangling-reference]: x");
        assert_eq!(colour_line("checked 3"), "checked 3");
        let shown = render("  partial  \x1b[2J", None, true);
        assert!(shown.contains("\\x1b[2J") && shown.starts_with("  \x1b[33mpartial"));
    }
}
