//! The byte source under the XML parser: counts lines for diagnostics and bounds how much
//! one parser event may buffer.
//!
//! quick-xml's buffered reader appends an event's bytes to a `Vec` until it finds the end of
//! the event. A hostile file with a gigabyte-long attribute or text run would grow that
//! buffer without end; this wrapper refuses to hand out more bytes once one event exceeds a
//! budget, so memory stays bounded on any input.

use std::io::{self, BufRead, Read};

use crate::error::Location;

/// Marker error payload that tells the parser the budget, not the disk, failed.
#[derive(Debug)]
pub(crate) struct EventTooLarge;

impl std::fmt::Display for EventTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("one XML token exceeds the size limit")
    }
}

impl std::error::Error for EventTooLarge {}

/// How many newline offsets of the current event are remembered for exact error columns.
/// Events spanning more lines than this get the position of their start instead.
const MAX_EVENT_NEWLINES: usize = 4096;

pub(crate) struct Tracked<R> {
    inner: R,
    /// Bytes consumed so far.
    pos: u64,
    /// Number of `\n` consumed so far.
    newlines: u64,
    /// Offset just after the last `\n` consumed.
    line_start: u64,
    /// State at the start of the current event, set by [`Tracked::mark`].
    event_pos: u64,
    event_newlines: u64,
    event_line_start: u64,
    /// Offsets of the newlines consumed since the mark (bounded).
    event_nl: Vec<u64>,
    event_budget: u64,
    pub(crate) budget_exceeded: bool,
}

impl<R: BufRead> Tracked<R> {
    pub(crate) fn new(inner: R, event_budget: u64) -> Self {
        Tracked {
            inner,
            pos: 0,
            newlines: 0,
            line_start: 0,
            event_pos: 0,
            event_newlines: 0,
            event_line_start: 0,
            event_nl: Vec::new(),
            event_budget,
            budget_exceeded: false,
        }
    }

    /// Marks the start of the next event: its budget starts here, and its location is here.
    pub(crate) fn mark(&mut self) {
        self.event_pos = self.pos;
        self.event_newlines = self.newlines;
        self.event_line_start = self.line_start;
        self.event_nl.clear();
    }

    /// Byte offset where the current event starts.
    pub(crate) fn event_start(&self) -> u64 {
        self.event_pos
    }

    /// Where the current event starts (the `<` of a tag, the first byte of a text run).
    pub(crate) fn event_location(&self) -> Location {
        Location { line: self.event_newlines + 1, column: self.event_pos - self.event_line_start + 1 }
    }

    /// Line and column of byte offset `offset`, exact when it lies in the current event.
    pub(crate) fn location_of(&self, offset: u64) -> Location {
        if offset < self.event_pos || offset > self.pos {
            return self.event_location();
        }
        let before = self.event_nl.partition_point(|&nl| nl < offset);
        if before == self.event_nl.len() && self.event_nl.len() == MAX_EVENT_NEWLINES {
            return self.event_location();
        }
        let line_start = if before == 0 { self.event_line_start } else { self.event_nl[before - 1] + 1 };
        Location { line: self.event_newlines + before as u64 + 1, column: offset - line_start + 1 }
    }

    /// Location just after the last byte consumed (for errors at end of file).
    pub(crate) fn current_location(&self) -> Location {
        Location { line: self.newlines + 1, column: self.pos - self.line_start + 1 }
    }
}

impl<R: BufRead> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tracked<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos - self.event_pos > self.event_budget {
            self.budget_exceeded = true;
            return Err(io::Error::other(EventTooLarge));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        // The bytes being consumed are still at the front of the inner buffer: asking for it
        // again does no I/O, and lets us count newlines without copying anything.
        if let Ok(buf) = self.inner.fill_buf() {
            let chunk = &buf[..amt.min(buf.len())];
            for i in memchr::memchr_iter(b'\n', chunk) {
                let offset = self.pos + i as u64;
                self.newlines += 1;
                self.line_start = offset + 1;
                if self.event_nl.len() < MAX_EVENT_NEWLINES {
                    self.event_nl.push(offset);
                }
            }
        }
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_follow_newlines() {
        let data = b"ab\ncd\nef";
        let mut t = Tracked::new(&data[..], 1 << 20);
        t.mark();
        let mut sink = Vec::new();
        t.read_to_end(&mut sink).unwrap();
        assert_eq!(t.location_of(0), Location { line: 1, column: 1 });
        assert_eq!(t.location_of(4), Location { line: 2, column: 2 });
        assert_eq!(t.location_of(6), Location { line: 3, column: 1 });
        assert_eq!(t.current_location(), Location { line: 3, column: 3 });
    }

    #[test]
    fn budget_stops_reading() {
        let data = vec![b'x'; 10_000];
        let mut t = Tracked::new(std::io::BufReader::with_capacity(100, &data[..]), 1000);
        t.mark();
        let mut sink = Vec::new();
        let err = t.read_to_end(&mut sink).unwrap_err();
        assert!(t.budget_exceeded, "{err}");
        assert!(sink.len() < 1200);
    }
}
