//! XHTML → readable plain text, fed one parser event at a time.
//!
//! Rules: paragraphs and headings are separated by a blank line; `div`s, list items, table
//! rows, `br` and other blocks start a new line; list items read `- item` (ordered lists
//! `1. item`, nested lists indented by two spaces); table cells are joined with ` | `; `pre`
//! keeps its whitespace; every other element is inline and only its text is kept. Outside
//! `pre`, runs of XML whitespace become one space, lines are trimmed and at most one blank
//! line separates blocks. [`crate::normalize_text`] is the same canonical form, which is why
//! an exported text reads back identically.

use crate::text::is_xml_space;

/// The elements of the ReqIF XHTML subset (`driver.xsd`): anything else is reported.
pub(crate) fn is_reqif_xhtml_element(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "span"
            | "br"
            | "b"
            | "i"
            | "em"
            | "strong"
            | "sub"
            | "sup"
            | "tt"
            | "a"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "caption"
            | "thead"
            | "tfoot"
            | "tbody"
            | "colgroup"
            | "col"
            | "tr"
            | "th"
            | "td"
            | "pre"
            | "blockquote"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hr"
            | "object"
            | "param"
            | "ins"
            | "del"
            | "address"
            | "abbr"
            | "acronym"
            | "cite"
            | "code"
            | "dfn"
            | "kbd"
            | "q"
            | "samp"
            | "var"
            | "big"
            | "small"
    )
}

#[derive(Clone, Copy)]
enum Block {
    /// New line.
    Line,
    /// Blank line.
    Paragraph,
}

struct List {
    ordered: bool,
    /// Items started so far.
    items: u32,
}

#[derive(Default)]
pub(crate) struct XhtmlText {
    out: String,
    /// Newlines owed before the next content (0, 1 or 2).
    newlines: u8,
    /// A space is owed before the next content.
    space: bool,
    /// Just wrote a list marker: swallow whitespace and block breaks until content.
    after_marker: bool,
    lists: Vec<List>,
    pre: u32,
    /// Depth of open table cells: blocks inside a cell become spaces, not new lines.
    cells: u32,
    /// Cells seen in the current row, one entry per open table.
    row_cells: Vec<u32>,
    /// Open `object` elements: their text is the alternative text of an image or OLE object.
    objects: u32,
    /// Objects seen, with the `data` of the first few, for the image-only warning.
    pub(crate) object_count: u32,
    pub(crate) object_data: Vec<String>,
    /// Some text stands outside every object.
    text_outside_objects: bool,
}

/// How many object `data` references an image-only warning names.
const OBJECTS_NAMED: usize = 3;

impl XhtmlText {
    pub(crate) fn len(&self) -> usize {
        self.out.len()
    }

    fn block(&mut self, kind: Block) {
        if self.cells > 0 {
            self.space = !self.out.is_empty();
            return;
        }
        if self.after_marker {
            return;
        }
        let n = match kind {
            Block::Line => 1,
            Block::Paragraph => 2,
        };
        self.newlines = self.newlines.max(n);
    }

    /// Emits owed breaks before content.
    fn flush(&mut self) {
        if self.out.is_empty() {
            self.newlines = 0;
            self.space = false;
            return;
        }
        if self.newlines > 0 {
            // Trailing spaces never reach `out` outside `pre`; trim those from `pre`.
            while self.out.ends_with([' ', '\t']) {
                self.out.pop();
            }
            for _ in 0..self.newlines.min(2) {
                self.out.push('\n');
            }
            self.newlines = 0;
            self.space = false;
        } else if self.space {
            self.out.push(' ');
            self.space = false;
        }
    }

    /// Whether the value holds objects (images, OLE) and no text of its own: what reads
    /// as its text is only their alternative text, if any.
    pub(crate) fn only_objects(&self) -> bool {
        self.object_count > 0 && !self.text_outside_objects
    }

    /// An `object` starts, with its `data` (the file it shows).
    pub(crate) fn object(&mut self, data: Option<String>) {
        self.object_count += 1;
        if let Some(d) = data
            && self.object_data.len() < OBJECTS_NAMED
            && !self.object_data.contains(&d)
        {
            self.object_data.push(d);
        }
    }

    pub(crate) fn start(&mut self, name: &str) {
        match name {
            "object" => self.objects += 1,
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.block(Block::Paragraph),
            "div" | "blockquote" | "address" | "caption" | "thead" | "tbody" | "tfoot" | "dl" | "dt" | "hr" => {
                self.block(Block::Line)
            }
            "pre" => {
                self.block(Block::Line);
                self.pre += 1;
            }
            "br" => {
                if self.cells > 0 {
                    self.space = !self.out.is_empty();
                } else if !self.out.is_empty() {
                    // Unlike blocks, consecutive breaks add up (to at most one blank line).
                    self.newlines = (self.newlines + 1).min(2);
                }
            }
            "ul" | "ol" => {
                self.block(Block::Line);
                self.lists.push(List { ordered: name == "ol", items: 0 });
            }
            "li" | "dd" => {
                self.after_marker = false;
                if self.cells > 0 {
                    // A list inside a table cell stays on the cell's line.
                    self.space = !self.out.is_empty();
                    return;
                }
                let first_item = self.lists.last().is_none_or(|l| l.items == 0);
                if first_item {
                    self.block(Block::Line);
                } else if !self.out.is_empty() {
                    // Items of one list are never separated by blank lines.
                    self.newlines = 1;
                }
                self.flush();
                if !self.out.is_empty() && !self.out.ends_with('\n') {
                    self.out.push('\n');
                }
                let depth = self.lists.len().saturating_sub(1);
                for _ in 0..depth {
                    self.out.push_str("  ");
                }
                if name == "dd" {
                    self.out.push_str("  ");
                } else {
                    match self.lists.last_mut() {
                        Some(list) => {
                            list.items += 1;
                            if list.ordered {
                                self.out.push_str(&list.items.to_string());
                                self.out.push_str(". ");
                            } else {
                                self.out.push_str("- ");
                            }
                        }
                        None => self.out.push_str("- "),
                    }
                }
                self.after_marker = true;
            }
            "table" => {
                self.block(Block::Line);
                self.row_cells.push(0);
            }
            "tr" => {
                self.block(Block::Line);
                if let Some(n) = self.row_cells.last_mut() {
                    *n = 0;
                }
            }
            "td" | "th" => {
                let first = match self.row_cells.last_mut() {
                    Some(n) => {
                        *n += 1;
                        *n == 1
                    }
                    None => true,
                };
                if !first {
                    self.flush_breaks_only();
                    self.out.push_str(" | ");
                    self.space = false;
                    self.after_marker = true;
                }
                self.cells += 1;
            }
            _ => {}
        }
    }

    /// Before a cell separator: emit owed newlines (never a trailing space).
    fn flush_breaks_only(&mut self) {
        self.space = false;
        if self.newlines > 0 {
            self.flush();
        }
    }

    pub(crate) fn end(&mut self, name: &str) {
        match name {
            "p" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => self.block(Block::Paragraph),
            "div" | "blockquote" | "address" | "caption" | "thead" | "tbody" | "tfoot" | "dl" | "dt" | "dd" | "li"
            | "hr" | "tr" => {
                self.after_marker = false;
                self.block(Block::Line)
            }
            "pre" => {
                self.pre = self.pre.saturating_sub(1);
                self.block(Block::Line);
            }
            "ul" | "ol" => {
                self.lists.pop();
                self.after_marker = false;
                self.block(Block::Line);
            }
            "table" => {
                self.row_cells.pop();
                self.block(Block::Line);
            }
            "td" | "th" => {
                self.cells = self.cells.saturating_sub(1);
                self.after_marker = false;
            }
            "object" => self.objects = self.objects.saturating_sub(1),
            _ => {}
        }
    }

    pub(crate) fn text(&mut self, text: &str) {
        if self.objects == 0 && !self.text_outside_objects && !text.trim_matches(is_xml_space).is_empty() {
            self.text_outside_objects = true;
        }
        if self.pre > 0 && self.cells == 0 {
            for (i, line) in text.split('\n').enumerate() {
                if i > 0 {
                    if !self.out.is_empty() {
                        self.newlines = (self.newlines + 1).min(2);
                    }
                    self.after_marker = false;
                }
                if !line.is_empty() {
                    self.flush();
                    self.out.push_str(line);
                    self.after_marker = false;
                }
            }
            return;
        }
        for (i, word) in text.split(is_xml_space).enumerate() {
            if i > 0 && !self.after_marker && !self.out.is_empty() && !self.out.ends_with('\n') {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            self.flush();
            self.out.push_str(word);
            self.after_marker = false;
        }
    }

    pub(crate) fn finish(mut self) -> String {
        // XML whitespace only: a trailing U+2029 or no-break space is text, as it is to
        // `normalize_text`.
        let trimmed = self.out.trim_end_matches(crate::text::is_xml_space).len();
        self.out.truncate(trimmed);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::XhtmlText;

    /// A tiny driver: `<x>` starts, `</x>` ends, `<x/>` is both, the rest is text.
    fn render(markup: &str) -> String {
        let mut t = XhtmlText::default();
        let mut rest = markup;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('<') {
                let close = after.find('>').unwrap();
                let tag = &after[..close];
                if let Some(name) = tag.strip_prefix('/') {
                    t.end(name);
                } else if let Some(name) = tag.strip_suffix('/') {
                    t.start(name);
                    t.end(name);
                } else {
                    t.start(tag);
                }
                rest = &after[close + 1..];
            } else {
                let next = rest.find('<').unwrap_or(rest.len());
                t.text(&rest[..next]);
                rest = &rest[next..];
            }
        }
        t.finish()
    }

    #[test]
    fn only_xml_whitespace_is_trimmed_at_the_end() {
        assert_eq!(render("<div><p>a\u{2029}</p></div>"), "a\u{2029}");
        assert_eq!(render("<div><p>a\u{a0}</p>\n</div>"), "a\u{a0}");
        assert_eq!(crate::normalize_text("a\u{2029}"), "a\u{2029}");
    }

    #[test]
    fn paragraphs_and_breaks() {
        assert_eq!(render("<div><p>a<br/>b</p><p>c</p></div>"), "a\nb\n\nc");
        assert_eq!(render("<div>\n  <p>  a   b </p>\n</div>"), "a b");
        assert_eq!(render("<div>a<br/><br/><br/>b</div>"), "a\n\nb");
        assert_eq!(render("<p>x <b>bold</b>, <i>it</i></p>"), "x bold, it");
    }

    #[test]
    fn lists() {
        assert_eq!(render("<div>Intro<ul><li>one</li><li> two </li></ul>after</div>"), "Intro\n- one\n- two\nafter");
        assert_eq!(
            render("<ol><li><p>first</p></li><li>second<ol><li>inner</li></ol></li></ol>"),
            "1. first\n2. second\n  1. inner"
        );
    }

    #[test]
    fn tables() {
        assert_eq!(
            render(
                "<div>T<table><tr><th>h1</th><th>h2</th></tr><tr><td><p>a</p></td><td>b<br/>c</td></tr></table></div>"
            ),
            "T\nh1 | h2\na | b c"
        );
    }

    #[test]
    fn pre_keeps_spaces() {
        assert_eq!(render("<div>x<pre>  a  b\n c</pre>y</div>"), "x\n  a  b\n c\ny");
    }
}
