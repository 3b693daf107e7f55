//! JSON written piece by piece: an object's fields one at a time, and a long array's items
//! rendered on several threads and written in order, in either of serde_json's layouts
//! (pretty or compact). The bytes are those `serde_json::to_writer_pretty` or `to_writer`
//! writes for the whole document, so a document's text does not depend on how (or on how
//! many threads) it was made.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use serde::Serialize;

/// Where a value is written: how many levels into its document, and in which layout.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Depth {
    level: usize,
    compact: bool,
}

impl Depth {
    /// The top of a document laid out as `serde_json::to_writer_pretty` does: each member
    /// on its own line, two spaces in per level, `": "` after a key.
    pub(crate) const PRETTY: Depth = Depth { level: 0, compact: false };
    /// The top of a document laid out as `serde_json::to_writer` does: no white space.
    pub(crate) const COMPACT: Depth = Depth { level: 0, compact: true };

    /// One level further in.
    pub(crate) fn inner(self) -> Depth {
        Depth { level: self.level + 1, ..self }
    }

    fn outer(self) -> Depth {
        Depth { level: self.level.saturating_sub(1), ..self }
    }

    /// What comes before a member written at this depth: one write of the comma, the line
    /// break and the indent, as a member is often no longer than its separator.
    fn before_member<W: Write + ?Sized>(self, out: &mut W, first: bool) -> io::Result<()> {
        let from = usize::from(first);
        if self.compact {
            return out.write_all(&BREAK[from..1]);
        }
        self.separator(out, from)
    }

    /// In the pretty layout, a line break and this depth's indent.
    fn new_line<W: Write + ?Sized>(self, out: &mut W) -> io::Result<()> {
        if self.compact {
            return Ok(());
        }
        self.separator(out, 1)
    }

    /// `BREAK` from `from` (0 with the comma, 1 without) through this depth's indent.
    fn separator<W: Write + ?Sized>(self, out: &mut W, from: usize) -> io::Result<()> {
        let mut left = self.level * 2;
        let here = left.min(BREAK.len() - 2);
        out.write_all(&BREAK[from..2 + here])?;
        left -= here;
        // Deeper than any avtrace document goes, but laid out all the same.
        while left > 0 {
            let n = left.min(BREAK.len() - 2);
            out.write_all(&BREAK[2..2 + n])?;
            left -= n;
        }
        Ok(())
    }

    fn colon(self) -> &'static [u8] {
        if self.compact { b":" } else { b": " }
    }
}

/// A member separator in the pretty layout: the comma, the line break, then the indent of up
/// to 32 levels.
const BREAK: [u8; 66] = {
    let mut text = [b' '; 66];
    text[0] = b',';
    text[1] = b'\n';
    text
};

/// serde_json's formatters, starting at a given depth: a value rendered on its own comes out
/// as it would inside the whole document.
struct Formatter {
    /// The depth of the members of the innermost array or object open.
    at: Depth,
    has_value: bool,
}

impl Formatter {
    fn open<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.at = self.at.inner();
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.at = self.at.outer();
        if self.has_value {
            self.at.new_line(out)?;
        }
        out.write_all(bracket)
    }
}

// Arrays and objects are laid out alike: each member on its own line, one level in.
impl serde_json::ser::Formatter for Formatter {
    fn begin_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.at.before_member(out, first)
    }

    fn end_array_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.at.before_member(out, first)
    }

    fn begin_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(self.at.colon())
    }

    fn end_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.end_array_value(out)
    }
}

/// Writes `value` as it appears at `depth` in its document (its first line not indented:
/// the caller has placed it).
pub(crate) fn value<W: Write + ?Sized, T: Serialize + ?Sized>(out: &mut W, depth: Depth, value: &T) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Formatter { at: depth, has_value: false });
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// Writes `text` as a JSON string, byte for byte as serde_json writes it. Text with nothing
/// to escape (ids, statuses, clause names, most titles) is copied whole; the rest goes
/// through serde_json's escaping.
pub(crate) fn string<W: Write + ?Sized>(out: &mut W, text: &str) -> io::Result<()> {
    if text.bytes().any(|b| ESCAPED[usize::from(b)]) {
        return value(out, Depth::COMPACT, text);
    }
    out.write_all(b"\"")?;
    out.write_all(text.as_bytes())?;
    out.write_all(b"\"")
}

/// The bytes serde_json escapes in a string: control characters, `"` and `\\`.
const ESCAPED: [bool; 256] = {
    let mut escaped = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        escaped[b] = true;
        b += 1;
    }
    escaped[b'"' as usize] = true;
    escaped[b'\\' as usize] = true;
    escaped
};

/// Writes a list of strings at `depth` as serde_json lays out a `Vec<&str>` there.
pub(crate) fn strings<W: Write + ?Sized, S: AsRef<str>>(out: &mut W, depth: Depth, items: &[S]) -> io::Result<()> {
    in_brackets(out, depth, items.len(), |out| {
        let inner = depth.inner();
        for (k, item) in items.iter().enumerate() {
            inner.before_member(out, k == 0)?;
            string(out, item.as_ref())?;
        }
        Ok(())
    })
}

/// A value that writes itself as serde_json would serialise it at a given depth: the items
/// of [`array`], written field by field where that is faster than through `Serialize`.
pub(crate) trait Member {
    /// Writes the value at `depth` (its first line not indented: the caller has placed it).
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> io::Result<()>;
}

/// An object being written at `depth`, one field at a time.
pub(crate) struct Object<'w, W: Write + ?Sized> {
    out: &'w mut W,
    depth: Depth,
    empty: bool,
}

impl<'w, W: Write + ?Sized> Object<'w, W> {
    /// Opens the object.
    pub(crate) fn open(out: &'w mut W, depth: Depth) -> io::Result<Self> {
        out.write_all(b"{")?;
        Ok(Object { out, depth, empty: true })
    }

    /// Starts the field `key` and returns where its value goes, one level in.
    pub(crate) fn key(&mut self, key: &str) -> io::Result<&mut W> {
        self.depth.inner().before_member(self.out, self.empty)?;
        self.empty = false;
        string(self.out, key)?;
        self.out.write_all(self.depth.colon())?;
        Ok(self.out)
    }

    /// Writes the field `key` with a string value.
    pub(crate) fn string(&mut self, key: &str, text: &str) -> io::Result<()> {
        string(self.key(key)?, text)
    }

    /// Writes the field `key` with a string value, or `null`.
    pub(crate) fn optional_string(&mut self, key: &str, text: Option<&str>) -> io::Result<()> {
        match text {
            Some(text) => self.string(key, text),
            None => self.key(key)?.write_all(b"null"),
        }
    }

    /// Writes the field `key` with a string value when there is one, and nothing when there
    /// is none (serde's `skip_serializing_if = "Option::is_none"`).
    pub(crate) fn string_if_some(&mut self, key: &str, text: Option<&str>) -> io::Result<()> {
        match text {
            Some(text) => self.string(key, text),
            None => Ok(()),
        }
    }

    /// Writes the field `key` with a list of [`Member`]s.
    pub(crate) fn members<T: Member>(&mut self, key: &str, items: &[T]) -> io::Result<()> {
        let depth = self.depth.inner();
        let out = self.key(key)?;
        in_brackets(out, depth, items.len(), |out| {
            let inner = depth.inner();
            for (k, item) in items.iter().enumerate() {
                inner.before_member(out, k == 0)?;
                item.write(out, inner)?;
            }
            Ok(())
        })
    }

    /// Writes the field `key` with a list of strings.
    pub(crate) fn strings<S: AsRef<str>>(&mut self, key: &str, items: &[S]) -> io::Result<()> {
        let depth = self.depth.inner();
        strings(self.key(key)?, depth, items)
    }

    /// Writes the field `key` with its value.
    pub(crate) fn field<T: Serialize + ?Sized>(&mut self, key: &str, field: &T) -> io::Result<()> {
        let depth = self.depth.inner();
        value(self.key(key)?, depth, field)
    }

    /// Closes the object.
    pub(crate) fn close(self) -> io::Result<()> {
        if !self.empty {
            self.depth.new_line(self.out)?;
        }
        self.out.write_all(b"}")
    }
}

/// A document that writes itself as JSON, as serde_json would serialise it whole at `top`,
/// its long lists made piece by piece.
pub(crate) trait JsonDocument {
    /// Writes the document at `top` (the layout and the depth it starts at).
    fn write_json(&self, out: &mut dyn Write, top: Depth) -> io::Result<()>;
}

/// The text `write` writes: a document rendered in memory, where writing fails only if
/// serialising does, which avtrace's documents never do.
pub(crate) fn written(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
impl Member for &serde_json::Value {
    fn write<W: Write + ?Sized>(&self, out: &mut W, depth: Depth) -> io::Result<()> {
        value(out, depth, self)
    }
}

#[cfg(test)]
impl JsonDocument for serde_json::Value {
    fn write_json(&self, out: &mut dyn Write, top: Depth) -> io::Result<()> {
        value(out, top, self)
    }
}

/// Items per piece of a long array: enough that handing a piece between threads costs
/// nothing next to rendering it, few enough that the pieces in flight stay small.
const PIECE: usize = 1024;

/// Writes an array of `len` items at `depth`, item `k` being `item(k)`. An array of many
/// pieces is rendered on up to `threads` threads, a piece at a time, and written in order;
/// at most two pieces per thread are held at once, and their buffers are reused.
pub(crate) fn array<W, T, F>(out: &mut W, depth: Depth, len: usize, threads: usize, item: F) -> io::Result<()>
where
    W: Write + ?Sized,
    T: Member,
    F: Fn(usize) -> T + Sync,
{
    array_of_weight(out, depth, len, 1, threads, item)
}

/// [`array`] for items that each weigh about `weight` short strings (a clause listing the
/// hundreds of requirements that cover it): the pieces then hold fewer items, so that a
/// list of a few thousand heavy items is spread over the threads too.
pub(crate) fn array_of_weight<W, T, F>(
    out: &mut W,
    depth: Depth,
    len: usize,
    weight: usize,
    threads: usize,
    item: F,
) -> io::Result<()>
where
    W: Write + ?Sized,
    T: Member,
    F: Fn(usize) -> T + Sync,
{
    let piece = (PIECE / weight.max(1)).max(1);
    in_brackets(out, depth, len, |out| {
        if threads <= 1 || len.div_ceil(piece) <= 2 {
            render(out, depth, 0..len, &item)
        } else {
            render_in_parallel(out, depth, len, piece, threads, &item)
        }
    })
}

/// Writes an array of `len` items at `depth`, item `k` written by `write_item(out, k)` (one
/// level in): for items that are themselves written piece by piece.
pub(crate) fn array_with<W, F>(out: &mut W, depth: Depth, len: usize, mut write_item: F) -> io::Result<()>
where
    W: Write + ?Sized,
    F: FnMut(&mut W, usize) -> io::Result<()>,
{
    in_brackets(out, depth, len, |out| {
        for k in 0..len {
            depth.inner().before_member(out, k == 0)?;
            write_item(out, k)?;
        }
        Ok(())
    })
}

/// An array of `len` members at `depth`, the members (each with the separator before it)
/// written by `members`.
fn in_brackets<W: Write + ?Sized>(
    out: &mut W,
    depth: Depth,
    len: usize,
    members: impl FnOnce(&mut W) -> io::Result<()>,
) -> io::Result<()> {
    out.write_all(b"[")?;
    members(out)?;
    if len > 0 {
        depth.new_line(out)?;
    }
    out.write_all(b"]")
}

/// Items `range` of an array at `depth`, each with the separator before it.
fn render<W, T, F>(out: &mut W, depth: Depth, range: std::ops::Range<usize>, item: &F) -> io::Result<()>
where
    W: Write + ?Sized,
    T: Member,
    F: Fn(usize) -> T,
{
    let inner = depth.inner();
    for k in range {
        inner.before_member(out, k == 0)?;
        item(k).write(out, inner)?;
    }
    Ok(())
}

/// Renders the pieces of an array on `threads` threads, the caller's one of them, and writes
/// them in order. The caller's thread writes each piece as soon as it and every piece before
/// it are complete, and renders pieces itself in between: no thread sleeps and wakes for
/// each piece (on a 2-core machine a separate writer made three threads for two cores, and a
/// context switch or two per piece), and the destination, which need not be `Send`, is only
/// ever written by the caller.
fn render_in_parallel<W, T, F>(
    out: &mut W,
    depth: Depth,
    len: usize,
    piece_len: usize,
    threads: usize,
    item: &F,
) -> io::Result<()>
where
    W: Write + ?Sized,
    T: Member,
    F: Fn(usize) -> T + Sync,
{
    let pieces = len.div_ceil(piece_len);
    let next = AtomicUsize::new(0);
    let claim = || {
        let piece = next.fetch_add(1, Ordering::Relaxed);
        (piece < pieces).then_some(piece)
    };
    let render_piece = |piece: usize, mut buffer: Vec<u8>| {
        buffer.clear();
        let end = ((piece + 1) * piece_len).min(len);
        render(&mut buffer, depth, piece * piece_len..end, item).map(|()| buffer)
    };
    let helpers = threads.saturating_sub(1).max(1);
    let (done_tx, done_rx) = mpsc::channel::<(usize, Rendered)>();
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    // A helper takes a buffer before it claims a piece, so every claimed piece is either
    // held by the caller or being rendered by a helper that will send it: the caller never
    // waits for a piece no one is making. The buffers bound the helpers' memory; the caller
    // holds at most `held_max` finished pieces.
    for _ in 0..2 * helpers {
        let _ = free_tx.send(Vec::new());
    }
    let held_max = 2 * threads;
    let free_rx = Mutex::new(free_rx);
    std::thread::scope(|scope| {
        for _ in 0..helpers {
            let done_tx = done_tx.clone();
            let (free_rx, claim, render_piece) = (&free_rx, &claim, &render_piece);
            scope.spawn(move || {
                loop {
                    let buffer = match free_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    // No buffer comes back once the caller has stopped.
                    let Ok(buffer) = buffer else { return };
                    let Some(piece) = claim() else { return };
                    // A panic goes to the caller, which waits for this very piece.
                    let rendered =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render_piece(piece, buffer)));
                    if done_tx.send((piece, rendered)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        // Finished pieces not yet written, each with whether a helper made it (its buffer
        // goes back to the helpers) or the caller (back to `spare`).
        let mut held: BTreeMap<usize, (Vec<u8>, bool)> = BTreeMap::new();
        let mut spare: Vec<Vec<u8>> = Vec::new();
        let mut expected = 0;
        let written = (|| {
            while expected < pieces {
                while let Ok((piece, rendered)) = done_rx.try_recv() {
                    held.insert(piece, (from_helper(rendered)?, true));
                }
                if let Some((buffer, from_helper)) = held.remove(&expected) {
                    out.write_all(&buffer)?;
                    expected += 1;
                    if from_helper {
                        let _ = free_tx.send(buffer);
                    } else {
                        spare.push(buffer);
                    }
                    continue;
                }
                // The next piece is not done: render one meanwhile (that very piece, if no
                // helper has claimed it yet).
                if held.len() < held_max
                    && let Some(piece) = claim()
                {
                    let rendered = render_piece(piece, spare.pop().unwrap_or_default())?;
                    held.insert(piece, (rendered, false));
                    continue;
                }
                match done_rx.recv() {
                    Ok((piece, rendered)) => {
                        held.insert(piece, (from_helper(rendered)?, true));
                    }
                    // Every helper has stopped without it: only after an error, returned above.
                    Err(_) => return Err(io::Error::other("a piece of the array was not rendered")),
                }
            }
            Ok(())
        })();
        // On an error the helpers find no buffer and no one to send to, and stop; on a panic
        // too, as both ends are dropped with this closure.
        drop(free_tx);
        drop(done_rx);
        written
    })
}

/// A piece as a helper thread rendered it, or the panic that stopped it.
type Rendered = std::thread::Result<io::Result<Vec<u8>>>;

/// The rendered piece; a helper's panic goes on in the caller's thread, as it would have
/// without the helper (the other helpers then find no buffer and stop, rather than the
/// caller waiting for a piece that never comes).
fn from_helper(rendered: Rendered) -> io::Result<Vec<u8>> {
    rendered.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// As many threads as pay for rendering a long array: one per core, the caller's among
/// them, at most four (the caller also writes every piece, and past four the page cache's
/// copy is the limit).
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy as _;
    use serde_json::json;

    /// `v` as serde_json writes it whole, in the layout of `depth`.
    fn whole(v: &serde_json::Value, depth: Depth) -> String {
        let text = if depth.compact { serde_json::to_string(v) } else { serde_json::to_string_pretty(v) };
        text.unwrap_or_default()
    }

    fn at(level: usize, compact: bool) -> Depth {
        Depth { level, compact }
    }

    fn text(out: Vec<u8>) -> String {
        String::from_utf8(out).unwrap_or_default()
    }

    fn items(len: usize) -> Vec<serde_json::Value> {
        (0..len)
            .map(|k| match k % 4 {
                0 => json!({"id": format!("REQ-{k}"), "tags": [], "nested": {"a": [1, {"b": "x\ny\"z<>&"}], "e": {}}}),
                1 => json!([]),
                2 => json!({}),
                _ => json!(["é", null, 1.5, true, [[]]]),
            })
            .collect()
    }

    proptest::proptest! {
        /// Any text, with the bytes serde_json escapes (quotes, backslashes, every control
        /// character) mixed into arbitrary characters, is written as serde_json writes it.
        #[test]
        fn strings_are_written_as_serde_json_writes_them(
            chars in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::arbitrary::any::<char>(),
                    (0u8..0x20).prop_map(char::from),
                    proptest::sample::select(vec!['"', '\\', '/', '\u{7f}', 'é', '<']),
                ],
                0..40,
            )
        ) {
            let text: String = chars.into_iter().collect();
            let mut out = Vec::new();
            string(&mut out, &text).unwrap_or_else(|e| panic!("{e}"));
            proptest::prop_assert_eq!(String::from_utf8_lossy(&out), serde_json::to_string(&text).unwrap_or_default());
        }
    }

    /// Lists of strings, empty and not, at any depth and in both layouts.
    #[test]
    fn string_lists_are_laid_out_as_serde_json_lays_them_out() {
        for items in [vec![], vec!["a"], vec!["REQ-1", "x\"y", "line\nbreak", ""]] {
            for compact in [false, true] {
                for level in [0, 1, 5, 40] {
                    let mut out = Vec::new();
                    strings(&mut out, at(level, compact), &items).unwrap_or_default();
                    // serde_json's text for the list at the top, moved `level` levels in.
                    let whole =
                        if compact { serde_json::to_string(&items) } else { serde_json::to_string_pretty(&items) };
                    let expected = whole.unwrap_or_default().replace('\n', &format!("\n{}", "  ".repeat(level)));
                    assert_eq!(text(out), expected, "{items:?} at {level}, compact {compact}");
                }
            }
        }
    }

    #[test]
    fn values_at_any_depth_are_laid_out_as_serde_json_lays_them_out_in_place() {
        let inner = json!({"a": [1, {"b": []}, {}], "c": "d"});
        let mut nested = inner.clone();
        for _ in 0..5 {
            nested = json!({ "k": [nested] });
        }
        for compact in [false, true] {
            let mut out = Vec::new();
            value(&mut out, at(10, compact), &inner).unwrap_or_default();
            let part = text(out);
            assert!(whole(&nested, at(0, compact)).contains(&part), "{part}");
            if !compact {
                assert!(part.contains(&format!("\n{}\"b\": []", " ".repeat(26))), "{part}");
            }
        }
    }

    #[test]
    fn an_object_written_field_by_field_is_the_object_serialised_whole() {
        let list = items(5);
        for top in [Depth::PRETTY, Depth::COMPACT] {
            let mut out = Vec::new();
            let mut object = Object::open(&mut out, top).unwrap_or_else(|e| panic!("{e}"));
            // In the order serde_json's map (sorted) writes them.
            let place = object.key("also_empty").unwrap_or_else(|e| panic!("{e}"));
            array(place, top.inner(), 0, 4, |k| &list[k]).unwrap_or_default();
            object.field("empty", &Vec::<u8>::new()).unwrap_or_default();
            let place = object.key("list").unwrap_or_else(|e| panic!("{e}"));
            array(place, top.inner(), list.len(), 1, |k| &list[k]).unwrap_or_default();
            object.field("name", "x\"y").unwrap_or_default();
            object.close().unwrap_or_default();
            let expected = whole(&json!({"name": "x\"y", "list": list, "empty": [], "also_empty": []}), top);
            assert_eq!(text(out), expected);

            let mut out = Vec::new();
            Object::open(&mut out, at(3, top.compact)).and_then(Object::close).unwrap_or_default();
            assert_eq!(out, b"{}");
        }
    }

    #[test]
    fn a_long_array_is_the_same_bytes_on_any_number_of_threads_in_any_pieces() {
        for len in [0, 1, PIECE - 1, PIECE, 2 * PIECE + 1, 3 * PIECE, 7 * PIECE + 5] {
            let list = items(len);
            for top in [Depth::PRETTY, Depth::COMPACT] {
                let expected = whole(&json!({"outer": [{"list": list}, {}]}), top);
                for (threads, weight) in [(1, 1), (2, 1), (3, 1), (8, 1), (2, 7), (3, PIECE), (2, 5 * PIECE)] {
                    let mut out = Vec::new();
                    let mut object = Object::open(&mut out, top).unwrap_or_else(|e| panic!("{e}"));
                    let outer = top.inner();
                    let place = object.key("outer").unwrap_or_else(|e| panic!("{e}"));
                    array_with(place, outer, 2, |place, k| {
                        let mut inner = Object::open(place, outer.inner())?;
                        if k == 0 {
                            let list_place = inner.key("list")?;
                            array_of_weight(list_place, outer.inner().inner(), len, weight, threads, |k| &list[k])?;
                        }
                        inner.close()
                    })
                    .unwrap_or_default();
                    object.close().unwrap_or_default();
                    assert_eq!(text(out), expected, "{len} items of weight {weight} on {threads} threads, {top:?}");
                }
            }
        }
    }

    /// Where a rendering bug strikes once: the first item rendered on a helper thread, or
    /// on the caller's.
    struct Trigger {
        caller: std::thread::ThreadId,
        on_caller: bool,
        fired: std::sync::atomic::AtomicBool,
    }

    /// Writes as a string, but panics as the trigger says.
    struct Triggered<'a>(&'a Trigger);

    impl Member for Triggered<'_> {
        fn write<W: Write + ?Sized>(&self, out: &mut W, _depth: Depth) -> io::Result<()> {
            let here = std::thread::current().id() == self.0.caller;
            if here == self.0.on_caller && !self.0.fired.swap(true, Ordering::Relaxed) {
                panic!("an item that cannot be rendered");
            }
            string(out, "x")
        }
    }

    #[test]
    fn a_panic_on_any_thread_goes_on_in_the_caller_instead_of_hanging_it() {
        // With two helpers or more, a helper's panic leaves the others blocked for buffers
        // the caller would free by writing the piece that never comes; the caller's own
        // panic leaves every helper blocked for a buffer.
        for on_caller in [false, true] {
            for threads in [2, 3, 8] {
                let (tx, rx) = mpsc::channel();
                std::thread::spawn(move || {
                    let caller = std::thread::current().id();
                    let trigger = Trigger { caller, on_caller, fired: false.into() };
                    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        array(&mut Vec::new(), Depth::PRETTY, 200 * PIECE, threads, |_| Triggered(&trigger))
                    }));
                    let _ = tx.send((caught.is_err(), trigger.fired.into_inner()));
                });
                let outcome = rx.recv_timeout(std::time::Duration::from_secs(60));
                let place = if on_caller { "the caller" } else { "a helper" };
                assert_eq!(outcome, Ok((true, true)), "{threads} threads: panicked, on {place}");
            }
        }
    }

    /// Accepts `limit` bytes, then fails.
    struct FailsAfter {
        limit: usize,
        taken: usize,
    }

    impl Write for FailsAfter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.taken + buf.len() > self.limit {
                return Err(io::Error::other("disk full"));
            }
            self.taken += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_destination_stops_the_workers_and_reports_its_error() {
        let list = items(20 * PIECE);
        for threads in [2, 3, 8] {
            let mut out = FailsAfter { limit: 100_000, taken: 0 };
            let err = array(&mut out, Depth::PRETTY, list.len(), threads, |k| &list[k]).err();
            assert_eq!(err.map(|e| e.to_string()), Some("disk full".to_string()), "{threads} threads");
        }
    }
}
