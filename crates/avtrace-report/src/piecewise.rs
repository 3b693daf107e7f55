//! JSON in serde_json's pretty layout, written piece by piece: an object's fields one at a
//! time, and a long array's items rendered on several threads and written in order. The
//! bytes are those `serde_json::to_writer_pretty` writes for the whole document, so a
//! document's text does not depend on how (or on how many threads) it was made.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};

use serde::Serialize;

/// serde_json's `PrettyFormatter` (two spaces per level), starting `depth` levels in: a
/// value rendered on its own comes out as it would inside the whole document.
struct Indented {
    depth: usize,
    has_value: bool,
}

fn indent<W: Write + ?Sized>(out: &mut W, depth: usize) -> io::Result<()> {
    const SPACES: &[u8; 64] = b"                                                                ";
    let mut left = depth * 2;
    while left > 0 {
        let n = left.min(SPACES.len());
        out.write_all(&SPACES[..n])?;
        left -= n;
    }
    Ok(())
}

impl Indented {
    fn open<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            indent(out, self.depth)?;
        }
        out.write_all(bracket)
    }
}

// Arrays and objects are laid out alike: each member on its own line, one level in.
impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        indent(out, self.depth)
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
        self.begin_array_value(out, first)
    }

    fn begin_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.end_array_value(out)
    }
}

/// Writes `value` as it appears `depth` levels into a pretty-printed document (its first
/// line not indented: the caller has placed it).
pub(crate) fn value<W: Write + ?Sized, T: Serialize + ?Sized>(out: &mut W, depth: usize, value: &T) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(out, Indented { depth, has_value: false });
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// An object being written `depth` levels in, one field at a time.
pub(crate) struct Object<'w, W: Write + ?Sized> {
    out: &'w mut W,
    depth: usize,
    empty: bool,
}

impl<'w, W: Write + ?Sized> Object<'w, W> {
    /// Opens the object.
    pub(crate) fn open(out: &'w mut W, depth: usize) -> io::Result<Self> {
        out.write_all(b"{")?;
        Ok(Object { out, depth, empty: true })
    }

    /// Starts the field `key` and returns where its value goes, `depth + 1` levels in.
    pub(crate) fn key(&mut self, key: &str) -> io::Result<&mut W> {
        self.out.write_all(if self.empty { b"\n" } else { b",\n" })?;
        self.empty = false;
        indent(self.out, self.depth + 1)?;
        value(self.out, 0, key)?;
        self.out.write_all(b": ")?;
        Ok(self.out)
    }

    /// Writes the field `key` with its value.
    pub(crate) fn field<T: Serialize + ?Sized>(&mut self, key: &str, field: &T) -> io::Result<()> {
        let depth = self.depth + 1;
        value(self.key(key)?, depth, field)
    }

    /// Closes the object.
    pub(crate) fn close(self) -> io::Result<()> {
        if !self.empty {
            self.out.write_all(b"\n")?;
            indent(self.out, self.depth)?;
        }
        self.out.write_all(b"}")
    }
}

/// Items per piece of a long array: enough that handing a piece between threads costs
/// nothing next to rendering it, few enough that the pieces in flight stay small.
const PIECE: usize = 1024;

/// Writes an array of `len` items, `depth` levels in, item `k` being `item(k)`. An array of
/// many pieces is rendered on up to `threads` threads, a piece at a time, and written in
/// order; at most two pieces per thread are held at once, and their buffers are reused.
pub(crate) fn array<W, T, F>(out: &mut W, depth: usize, len: usize, threads: usize, item: F) -> io::Result<()>
where
    W: Write + ?Sized,
    T: Serialize,
    F: Fn(usize) -> T + Sync,
{
    out.write_all(b"[")?;
    let pieces = len.div_ceil(PIECE);
    if threads <= 1 || pieces <= 2 {
        render(out, depth, 0..len, &item)?;
    } else {
        render_in_parallel(out, depth, len, threads, &item)?;
    }
    if len > 0 {
        out.write_all(b"\n")?;
        indent(out, depth)?;
    }
    out.write_all(b"]")
}

/// Writes an array of `len` items, `depth` levels in, item `k` written by `write_item(out, k)`
/// (`depth + 1` levels in): for items that are themselves written piece by piece.
pub(crate) fn array_with<W, F>(out: &mut W, depth: usize, len: usize, mut write_item: F) -> io::Result<()>
where
    W: Write + ?Sized,
    F: FnMut(&mut W, usize) -> io::Result<()>,
{
    out.write_all(b"[")?;
    for k in 0..len {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        indent(out, depth + 1)?;
        write_item(out, k)?;
    }
    if len > 0 {
        out.write_all(b"\n")?;
        indent(out, depth)?;
    }
    out.write_all(b"]")
}

/// Items `range` of an array `depth` levels in, each with the separator before it.
fn render<W, T, F>(out: &mut W, depth: usize, range: std::ops::Range<usize>, item: &F) -> io::Result<()>
where
    W: Write + ?Sized,
    T: Serialize,
    F: Fn(usize) -> T,
{
    for k in range {
        out.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        indent(out, depth + 1)?;
        value(out, depth + 1, &item(k))?;
    }
    Ok(())
}

fn render_in_parallel<W, T, F>(out: &mut W, depth: usize, len: usize, threads: usize, item: &F) -> io::Result<()>
where
    W: Write + ?Sized,
    T: Serialize,
    F: Fn(usize) -> T + Sync,
{
    let pieces = len.div_ceil(PIECE);
    let next = AtomicUsize::new(0);
    let (done_tx, done_rx) = mpsc::channel::<(usize, io::Result<Vec<u8>>)>();
    let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
    // A worker takes a buffer before it claims a piece, so the piece to be written next is
    // always either claimed by a worker holding a buffer or claimable with a free one: the
    // buffers bound memory without ever stalling the writer.
    for _ in 0..2 * threads {
        let _ = free_tx.send(Vec::new());
    }
    let free_rx = Mutex::new(free_rx);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let (free_rx, next) = (&free_rx, &next);
            scope.spawn(move || {
                loop {
                    let buffer = match free_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    // No buffer comes back once the writer has stopped.
                    let Ok(mut buffer) = buffer else { return };
                    let piece = next.fetch_add(1, Ordering::Relaxed);
                    if piece >= pieces {
                        return;
                    }
                    buffer.clear();
                    let end = ((piece + 1) * PIECE).min(len);
                    let rendered = render(&mut buffer, depth, piece * PIECE..end, item).map(|()| buffer);
                    if done_tx.send((piece, rendered)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let mut waiting = BTreeMap::new();
        let mut expected = 0;
        let written = (|| {
            for (piece, rendered) in &done_rx {
                waiting.insert(piece, rendered?);
                while let Some(buffer) = waiting.remove(&expected) {
                    out.write_all(&buffer)?;
                    expected += 1;
                    let _ = free_tx.send(buffer);
                }
            }
            Ok(())
        })();
        // On an error the workers find no buffer and no one to send to, and stop.
        drop(free_tx);
        drop(done_rx);
        written
    })
}

/// As many threads as pay for rendering a long array: one per core, at most four (the
/// writer is one thread, and past it the page cache's copy is the limit).
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).min(4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pretty(v: &serde_json::Value) -> String {
        serde_json::to_string_pretty(v).unwrap_or_default()
    }

    fn items(len: usize) -> Vec<serde_json::Value> {
        (0..len)
            .map(|k| match k % 4 {
                0 => json!({"id": format!("REQ-{k}"), "tags": [], "nested": {"a": [1, {"b": "x\ny\"z"}], "e": {}}}),
                1 => json!([]),
                2 => json!({}),
                _ => json!(["é", null, 1.5, true, [[]]]),
            })
            .collect()
    }

    #[test]
    fn values_at_any_depth_are_laid_out_as_serde_json_lays_them_out_in_place() {
        let inner = json!({"a": [1, {"b": []}, {}], "c": "d"});
        let mut whole = inner.clone();
        for _ in 0..5 {
            whole = json!({ "k": [whole] });
        }
        let mut out = Vec::new();
        value(&mut out, 10, &inner).unwrap_or_default();
        let text = String::from_utf8(out).unwrap_or_default();
        assert!(pretty(&whole).contains(&text), "{text}");
        assert!(text.contains(&format!("\n{}\"b\": []", " ".repeat(26))), "{text}");
    }

    #[test]
    fn an_object_written_field_by_field_is_the_object_serialised_whole() {
        let list = items(5);
        let mut out = Vec::new();
        let mut object = Object::open(&mut out, 0).unwrap_or_else(|e| panic!("{e}"));
        // In the order serde_json's map (sorted) writes them.
        let place = object.key("also_empty").unwrap_or_else(|e| panic!("{e}"));
        array(place, 1, 0, 4, |k| &list[k]).unwrap_or_default();
        object.field("empty", &Vec::<u8>::new()).unwrap_or_default();
        let place = object.key("list").unwrap_or_else(|e| panic!("{e}"));
        array(place, 1, list.len(), 1, |k| &list[k]).unwrap_or_default();
        object.field("name", "x\"y").unwrap_or_default();
        object.close().unwrap_or_default();
        let expected = pretty(&json!({"name": "x\"y", "list": list, "empty": [], "also_empty": []}));
        assert_eq!(String::from_utf8(out).unwrap_or_default(), expected);

        let mut out = Vec::new();
        Object::open(&mut out, 3).and_then(Object::close).unwrap_or_default();
        assert_eq!(out, b"{}");
    }

    #[test]
    fn a_long_array_is_the_same_bytes_on_any_number_of_threads() {
        for len in [0, 1, PIECE - 1, PIECE, 2 * PIECE + 1, 3 * PIECE, 7 * PIECE + 5] {
            let list = items(len);
            let expected = pretty(&json!({"outer": [{"list": list}]}));
            for threads in [1, 2, 3, 8] {
                let mut out = Vec::new();
                let mut object = Object::open(&mut out, 0).unwrap_or_else(|e| panic!("{e}"));
                let place = object.key("outer").unwrap_or_else(|e| panic!("{e}"));
                place.write_all(b"[\n    ").unwrap_or_default();
                let mut inner = Object::open(&mut *place, 2).unwrap_or_else(|e| panic!("{e}"));
                let list_place = inner.key("list").unwrap_or_else(|e| panic!("{e}"));
                array(list_place, 3, len, threads, |k| &list[k]).unwrap_or_default();
                inner.close().unwrap_or_default();
                place.write_all(b"\n  ]").unwrap_or_default();
                object.close().unwrap_or_default();
                assert_eq!(String::from_utf8(out).unwrap_or_default(), expected, "{len} items on {threads} threads");
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
        let mut out = FailsAfter { limit: 100_000, taken: 0 };
        let err = array(&mut out, 0, list.len(), 3, |k| &list[k]).err();
        assert_eq!(err.map(|e| e.to_string()), Some("disk full".to_string()));
    }
}
