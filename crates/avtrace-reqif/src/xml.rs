//! The XML text the export writes: tags indented two spaces per level, values escaped in
//! bulk into one buffer that goes to the caller's writer in 64 KiB pieces.
//!
//! A tag starts a new line unless it directly follows text, so an element holding text stays
//! on one line (`<TITLE>…</TITLE>`). This is the layout quick-xml's indenting writer gives,
//! which the export used before: a file written by either is the same bytes.

use std::io::{self, Write};

/// How much is buffered before it is handed to the caller's writer.
const FLUSH_AT: usize = 1 << 16;

/// The bytes escaped in attribute values: markup, quotes, and the white space that
/// attribute-value normalisation would turn into spaces. Every one is ASCII, so UTF-8
/// sequences pass through whole.
const IN_ATTRIBUTES: [bool; 256] = escaping(b"<>&'\"\r\t\n");
/// The bytes escaped in text: the same but tab and line feed, which text keeps.
const IN_TEXT: [bool; 256] = escaping(b"<>&'\"\r");

const fn escaping(bytes: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        table[bytes[i] as usize] = true;
        i += 1;
    }
    table
}

/// What an escaped byte becomes.
fn replacement(b: u8) -> &'static [u8] {
    match b {
        b'<' => b"&lt;",
        b'>' => b"&gt;",
        b'&' => b"&amp;",
        b'\'' => b"&apos;",
        b'"' => b"&quot;",
        b'\r' => b"&#13;",
        b'\t' => b"&#9;",
        _ => b"&#10;",
    }
}

/// Appends `text` to `out` with the bytes `escaped` marks replaced. Values are mostly
/// plain: eight bytes at a time are checked with one test before any is looked at alone.
fn push_escaped(out: &mut Vec<u8>, text: &str, escaped: &[bool; 256]) {
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    for (start, eight) in (0..).step_by(8).zip(bytes.chunks(8)) {
        if !eight.iter().fold(false, |any, &b| any | escaped[usize::from(b)]) {
            continue;
        }
        for (i, &b) in (start..).zip(eight) {
            if escaped[usize::from(b)] {
                out.extend_from_slice(&bytes[plain_from..i]);
                out.extend_from_slice(replacement(b));
                plain_from = i + 1;
            }
        }
    }
    out.extend_from_slice(&bytes[plain_from..]);
}

/// An indenting XML writer over `W`. Element and attribute names are written as given (the
/// export's are constants); values and text are escaped.
pub(crate) struct XmlOut<W: Write> {
    out: W,
    buf: Vec<u8>,
    depth: usize,
    /// Whether the next tag goes on a new line: not at the start, and not right after text.
    line_break: bool,
    /// Bytes handed to `out` so far.
    written: u64,
}

impl<W: Write> XmlOut<W> {
    pub(crate) fn new(out: W) -> Self {
        XmlOut { out, buf: Vec::with_capacity(FLUSH_AT + 4096), depth: 0, line_break: false, written: 0 }
    }

    /// `<?xml version="1.0" encoding="UTF-8"?>`.
    pub(crate) fn declaration(&mut self) -> io::Result<()> {
        self.tag_start();
        self.buf.extend_from_slice(br#"<?xml version="1.0" encoding="UTF-8"?>"#);
        self.line_break = true;
        self.flush_if_full()
    }

    /// `<name a="v" …>`, one level deeper after it.
    pub(crate) fn start(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        self.open_tag(name, attributes);
        self.buf.push(b'>');
        self.depth += 1;
        self.line_break = true;
        self.flush_if_full()
    }

    /// `<name a="v" …/>`.
    pub(crate) fn empty(&mut self, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
        self.open_tag(name, attributes);
        self.buf.extend_from_slice(b"/>");
        self.line_break = true;
        self.flush_if_full()
    }

    /// `</name>`, one level shallower before it.
    pub(crate) fn end(&mut self, name: &str) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.tag_start();
        self.buf.extend_from_slice(b"</");
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.push(b'>');
        self.line_break = true;
        self.flush_if_full()
    }

    /// `<name>text</name>` on one line, `text` escaped.
    pub(crate) fn leaf(&mut self, name: &str, text: &str) -> io::Result<()> {
        self.start(name, &[])?;
        push_escaped(&mut self.buf, text, &IN_TEXT);
        self.line_break = false;
        self.end(name)
    }

    /// Markup or text the caller has already escaped, written as it is; the next tag
    /// continues its line.
    pub(crate) fn escaped_text(&mut self, text: &str) -> io::Result<()> {
        self.buf.extend_from_slice(text.as_bytes());
        self.line_break = false;
        self.flush_if_full()
    }

    /// Bytes outside the element structure (the final line end), written as they are.
    pub(crate) fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(bytes);
        self.flush_if_full()
    }

    /// Hands everything buffered to the caller's writer and returns it, with the number of
    /// bytes written to it in all.
    pub(crate) fn finish(mut self) -> io::Result<(W, u64)> {
        self.flush_buffer()?;
        Ok((self.out, self.written))
    }

    fn open_tag(&mut self, name: &str, attributes: &[(&str, &str)]) {
        self.tag_start();
        self.buf.push(b'<');
        self.buf.extend_from_slice(name.as_bytes());
        for (key, value) in attributes {
            self.buf.push(b' ');
            self.buf.extend_from_slice(key.as_bytes());
            self.buf.extend_from_slice(b"=\"");
            push_escaped(&mut self.buf, value, &IN_ATTRIBUTES);
            self.buf.push(b'"');
        }
    }

    /// The line break and indentation a tag starts with, where it needs them.
    fn tag_start(&mut self) {
        if self.line_break {
            self.buf.push(b'\n');
            let width = 2 * self.depth;
            self.buf.resize(self.buf.len() + width, b' ');
        }
    }

    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= FLUSH_AT { self.flush_buffer() } else { Ok(()) }
    }

    fn flush_buffer(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(f: impl FnOnce(&mut XmlOut<Vec<u8>>) -> io::Result<()>) -> String {
        let mut x = XmlOut::new(Vec::new());
        f(&mut x).expect("writing to memory");
        let (bytes, n) = x.finish().expect("writing to memory");
        assert_eq!(n, bytes.len() as u64);
        String::from_utf8(bytes).expect("UTF-8 in, UTF-8 out")
    }

    #[test]
    fn tags_are_indented_and_text_stays_on_its_line() {
        let s = written(|x| {
            x.declaration()?;
            x.start("A", &[("k", "v")])?;
            x.leaf("B", "t")?;
            x.empty("C", &[])?;
            x.start("D", &[])?;
            x.escaped_text("<p>&amp;</p>")?;
            x.end("D")?;
            x.end("A")?;
            x.raw(b"\n")
        });
        assert_eq!(
            s,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<A k=\"v\">\n  <B>t</B>\n  <C/>\n  <D><p>&amp;</p></D>\n</A>\n"
        );
    }

    #[test]
    fn attribute_values_escape_what_normalisation_would_change() {
        let s = written(|x| x.empty("E", &[("v", "<a>&'\"\r\t\nb é")]));
        assert_eq!(s, "<E v=\"&lt;a&gt;&amp;&apos;&quot;&#13;&#9;&#10;b é\"/>");
        let s = written(|x| x.leaf("T", "<a>&'\"\r\t\nb é"));
        assert_eq!(s, "<T>&lt;a&gt;&amp;&apos;&quot;&#13;\t\nb é</T>");
    }

    proptest::proptest! {
        /// The escaping is quick-xml's, which wrote these files before: text as its
        /// `escape`, attribute values as its attribute constructor.
        #[test]
        fn escapes_as_quick_xml_did(text in "(?s)[a-z<>&'\"\r\t\n é€𝄞]{0,40}") {
            let mut ours = Vec::new();
            push_escaped(&mut ours, &text, &IN_TEXT);
            let theirs = quick_xml::escape::escape(text.as_str());
            proptest::prop_assert_eq!(ours.as_slice(), theirs.as_bytes());
            let mut ours = Vec::new();
            push_escaped(&mut ours, &text, &IN_ATTRIBUTES);
            let theirs = quick_xml::events::attributes::Attribute::from(("k", text.as_str()));
            proptest::prop_assert_eq!(ours.as_slice(), theirs.value.as_bytes());
        }
    }

    #[test]
    fn large_documents_reach_the_writer_whole() {
        let text = "x&y".repeat(10_000);
        let s = written(|x| {
            x.start("R", &[])?;
            for _ in 0..10 {
                x.leaf("L", &text)?;
            }
            x.end("R")
        });
        assert_eq!(s.matches("x&amp;y").count(), 100_000);
        assert!(s.ends_with("</L>\n</R>"));
    }
}
