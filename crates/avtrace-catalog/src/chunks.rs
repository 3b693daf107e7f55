//! Parsing large program files in pieces.
//!
//! The `toml` crate builds a full document tree before deserializing, which for a program
//! of a million requirements costs gigabytes. A program file is a `[program]` table and a
//! long run of `[[requirements]]` (and `[[evidence]]`) tables, so it can be cut at those
//! headers into documents
//! that parse on their own, a batch at a time and on every core, with the same result. The
//! cut is made only where a lexical scan proves the file has no other table headers and no
//! header-looking line inside a multi-line string; anything else is parsed whole.

use std::ops::Range;

use serde::Deserialize;

use crate::raw::{RawEvidence, RawProgram, RawRequirement, Tables};

/// Requirements per batch handed to one parser call.
const BATCH: usize = 2_000;

/// One piece of a program file, parsed, with where it starts in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPiece<'a> {
    #[serde(default)]
    program: Option<RawProgram>,
    #[serde(default)]
    requirements: Vec<RawRequirement<'a>>,
    #[serde(default)]
    evidence: Vec<RawEvidence>,
}

/// How the caller turns the tables of each piece into its own values, on the worker thread
/// that reads them, table by table as they are read.
pub(crate) trait Assemble: Sync {
    /// What a worker thread carries from one piece to the next (a cache).
    type Worker: Default;
    /// Takes one piece's tables.
    type Builder: for<'t> Tables<'t>;
    /// What a piece becomes.
    type Part: Send;
    /// Starts the piece at `range` of the file.
    fn begin(&self, range: Range<usize>, worker: Self::Worker) -> Self::Builder;
    /// The piece's value, and the worker's state back.
    fn finish(&self, builder: Self::Builder) -> (Self::Part, Self::Worker);
}

/// Runs `read` on a builder for the piece at `range`, carrying `worker`'s state through it:
/// what `read` returned, and the piece's value.
pub(crate) fn assemble_with<A: Assemble, R>(
    assemble: &A,
    range: Range<usize>,
    worker: &mut A::Worker,
    read: impl FnOnce(&mut A::Builder) -> R,
) -> (R, A::Part) {
    let mut builder = assemble.begin(range, std::mem::take(worker));
    let read = read(&mut builder);
    let (part, state) = assemble.finish(builder);
    *worker = state;
    (read, part)
}

/// The piece at `range` from the tables the `toml` crate read.
pub(crate) fn assemble_raw<A: Assemble>(
    assemble: &A,
    range: Range<usize>,
    worker: &mut A::Worker,
    requirements: Vec<RawRequirement<'_>>,
    evidence: Vec<RawEvidence>,
) -> A::Part {
    let ((), part) = assemble_with(assemble, range, worker, |builder| {
        requirements.into_iter().for_each(|r| builder.requirement(r));
        evidence.into_iter().for_each(|e| builder.evidence(e));
    });
    part
}

/// A parse error in a piece, with its span already made absolute.
#[derive(Debug)]
pub(crate) struct PieceError {
    pub(crate) message: String,
    pub(crate) span: Range<usize>,
}

/// Where the file may be cut: the start of every top-level table header line, if every
/// header is `[program]` (at most once), `[[requirements]]` or `[[evidence]]`. `None` when the
/// file must be parsed whole.
fn cut_points(text: &str) -> Option<Vec<usize>> {
    let mut cuts = Vec::new();
    let mut programs = 0;
    scan_headers(text, |at, header| {
        match header {
            "[[requirements]]" | "[[evidence]]" => cuts.push(at),
            "[program]" => {
                programs += 1;
                cuts.push(at);
            }
            _ => return Scan::Refuse,
        }
        Scan::Continue
    })?;
    (programs <= 1 && !cuts.is_empty()).then_some(cuts)
}

/// What a header visitor wants next.
enum Scan {
    Continue,
    Stop,
    Refuse,
}

/// Calls `on_header(line start, header text)` for every top-level table header line of
/// `text`, skipping comments and strings (a header-looking line inside a multi-line string
/// is text). `None` when the visitor refuses a header or the file ends inside a string.
///
/// Only a few bytes change the lexical state (`\n`, `#`, quotes, backslashes), so the scan
/// jumps between them with `memchr` instead of looking at every byte: the scan runs over
/// whole large programs, once per load.
fn scan_headers(text: &str, mut on_header: impl FnMut(usize, &str) -> Scan) -> Option<()> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        Normal,
        Basic,
        Literal,
        MultiBasic,
        MultiLiteral,
    }
    let bytes = text.as_bytes();
    let mut state = State::Normal;
    let mut i = 0;
    let mut line_start = true;
    while i < bytes.len() {
        match state {
            State::Normal => {
                if line_start {
                    line_start = false;
                    let indent = bytes[i..].iter().take_while(|c| **c == b' ' || **c == b'\t').count();
                    if bytes.get(i + indent) == Some(&b'[') {
                        let end = memchr::memchr(b'\n', &bytes[i..]).map_or(text.len(), |n| i + n);
                        let header = text[i + indent..end].split('#').next().unwrap_or_default().trim();
                        match on_header(i, header) {
                            Scan::Continue => {}
                            Scan::Stop => return Some(()),
                            Scan::Refuse => return None,
                        }
                        // Nothing else on a header line can open a string.
                        i = end;
                        continue;
                    }
                }
                let Some(n) = memchr_any(&bytes[i..], b"\n#\"'") else { break };
                i += n;
                match bytes[i] {
                    b'\n' => line_start = true,
                    b'#' => {
                        // A comment runs to the end of the line.
                        i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                        continue;
                    }
                    b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                        state = State::MultiBasic;
                        i += 2;
                    }
                    b'"' => state = State::Basic,
                    b'\'' if bytes[i..].starts_with(b"\'\'\'") => {
                        state = State::MultiLiteral;
                        i += 2;
                    }
                    _ => state = State::Literal,
                }
            }
            State::Basic => {
                let Some(n) = memchr::memchr3(b'\\', b'"', b'\n', &bytes[i..]) else { break };
                i += n;
                match bytes[i] {
                    b'\\' => i += 1,
                    b'\n' => {
                        state = State::Normal;
                        line_start = true;
                    }
                    _ => state = State::Normal,
                }
            }
            State::Literal => {
                let Some(n) = memchr::memchr2(b'\'', b'\n', &bytes[i..]) else { break };
                i += n;
                if bytes[i] == b'\n' {
                    line_start = true;
                }
                state = State::Normal;
            }
            State::MultiBasic => {
                let Some(n) = memchr::memchr2(b'\\', b'"', &bytes[i..]) else { break };
                i += n;
                if bytes[i] == b'\\' {
                    i += 1;
                } else if bytes[i..].starts_with(b"\"\"\"") {
                    // Up to two quotes may end the content just before the closing three.
                    let run = bytes[i..].iter().take_while(|&&c| c == b'"').count().min(5);
                    i += run - 1;
                    state = State::Normal;
                }
            }
            State::MultiLiteral => {
                let Some(n) = memchr::memchr(b'\'', &bytes[i..]) else { break };
                i += n;
                if bytes[i..].starts_with(b"\'\'\'") {
                    let run = bytes[i..].iter().take_while(|&&c| c == b'\'').count().min(5);
                    i += run - 1;
                    state = State::Normal;
                }
            }
        }
        i += 1;
    }
    // Ending inside a string is TOML's error to report: parse such a file whole.
    (state == State::Normal).then_some(())
}

/// The position of the first byte of `haystack` that is one of `needles` (four of them).
fn memchr_any(haystack: &[u8], needles: &[u8; 4]) -> Option<usize> {
    let a = memchr::memchr3(needles[0], needles[1], needles[2], haystack);
    let b = memchr::memchr(needles[3], &haystack[..a.unwrap_or(haystack.len())]);
    b.or(a)
}

/// Where the `[program]` table of a program file is, when the file can be cut into pieces:
/// from its header to the next table header.
pub(crate) fn program_range(text: &str) -> Option<Range<usize>> {
    let mut start = None;
    let mut end = text.len();
    scan_headers(text, |at, header| match (start, header) {
        (None, "[program]") => {
            start = Some(at);
            Scan::Continue
        }
        (None, _) => Scan::Continue,
        (Some(_), _) => {
            end = at;
            Scan::Stop
        }
    })?;
    start.map(|s| s..end)
}

/// Parses `text` in pieces if it can be cut safely, handing what `assemble` made of each
/// piece to `sink` in file order (`worker` is the state of this thread's pieces); returns
/// the `[program]` table (spans relative to its offset) if there is one. `None` means "parse it whole" (shaped in a way the cutter does
/// not prove safe); then `sink` was not called. Every file that can be cut is, small ones
/// too, because a piece is what the fast lane reads; only a large one is spread over up to
/// `max_workers` threads.
pub(crate) fn parse_in_pieces<A: Assemble>(
    text: &str,
    assemble: &A,
    max_workers: usize,
    worker: &mut A::Worker,
    sink: &mut dyn FnMut(A::Part),
) -> Option<Result<Option<(usize, RawProgram)>, PieceError>> {
    // A file read on one thread needs no cutting when the fast lane takes it whole (it
    // declines a `[program]` table and root keys, which then go the long way): the
    // lexical scan for cut points would be a second pass over every byte.
    if max_workers == 1 || text.len() < crate::THREADS_PAY_ABOVE_BYTES {
        let (whole, part) = assemble_with(assemble, 0..text.len(), worker, |b| crate::fast::read(text, b).is_some());
        if whole {
            sink(part);
            return Some(Ok(None));
        }
    }
    let cuts = cut_points(text)?;
    // Root keys before the first header belong to the whole document (a root
    // `requirements = [...]` collides with the `[[requirements]]` tables that follow): only
    // a file that starts with comments and blank lines alone is cut.
    if !only_comments(&text[..cuts[0]]) {
        return None;
    }
    let mut pieces: Vec<Range<usize>> = Vec::new();
    let mut run_start = cuts[0];
    let mut in_run = 0;
    for (k, &cut) in cuts.iter().enumerate() {
        let is_program = text[cut..].trim_start().starts_with("[program]");
        let flush = is_program || in_run == BATCH;
        if flush && cut > run_start {
            pieces.push(run_start..cut);
            run_start = cut;
            in_run = 0;
        }
        if is_program {
            let end = cuts.get(k + 1).copied().unwrap_or(text.len());
            pieces.push(cut..end);
            run_start = end;
        } else {
            in_run += 1;
        }
    }
    if run_start < text.len() {
        pieces.push(run_start..text.len());
    }

    let workers = if text.len() < crate::THREADS_PAY_ABOVE_BYTES { 1 } else { max_workers };
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(workers).min(pieces.len()).max(1);
    type Parsed<T> = Result<(Option<RawProgram>, T), PieceError>;
    // Pieces are handed out in order and their parts delivered in order as they finish, so
    // that a part is moved to its final place while later pieces are still being parsed:
    // the parts and the assembled list never both hold every requirement.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut program = None;
    // Takes the pieces in file order.
    let mut deliver = |range: &Range<usize>, parsed: Parsed<A::Part>| -> Result<(), PieceError> {
        let (piece_program, part) = parsed?;
        if let Some(p) = piece_program {
            if program.is_some() {
                return Err(PieceError {
                    message: "the `program` table is defined twice".to_owned(),
                    span: range.start..range.start + 1,
                });
            }
            program = Some((range.start, p));
        }
        sink(part);
        Ok(())
    };
    if workers == 1 {
        for range in &pieces {
            if let Err(e) = deliver(range, parse_piece(text, range.clone(), assemble, worker)) {
                return Some(Err(e));
            }
        }
        return Some(Ok(program));
    }
    let mut failed: Option<PieceError> = None;
    let mut delivered = 0;
    // At most this many pieces are parsed ahead of the one the assembly waits for: enough to
    // keep every worker busy, and a bound on the parts held when the thread that assembles
    // them gets less of a core than the workers do (on a loaded machine it did, and parts
    // piled up by tens of megabytes).
    let ahead = Ahead::new(4 * workers);
    let complete = std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::channel::<(usize, Parsed<A::Part>)>();
        // Joined by hand below: a worker that panicked is then a missing piece, not a panic
        // of the whole load.
        let mut handles = Vec::with_capacity(workers);
        for _ in 0..workers {
            let (pieces, next, send, ahead) = (&pieces, &next, send.clone(), &ahead);
            handles.push(scope.spawn(move || {
                // A worker that panics lets the others go rather than wait for its piece.
                let _release = ahead.release_on_panic();
                let mut worker = A::Worker::default();
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(range) = pieces.get(k) else { break };
                    if !ahead.wait_for_room(k) {
                        break;
                    }
                    if send.send((k, parse_piece(text, range.clone(), assemble, &mut worker))).is_err() {
                        break;
                    }
                }
            }));
        }
        drop(send);
        let mut waiting: std::collections::BTreeMap<usize, Parsed<A::Part>> = std::collections::BTreeMap::new();
        for (k, parsed) in receive {
            waiting.insert(k, parsed);
            while let Some(parsed) = waiting.remove(&delivered) {
                let range = &pieces[delivered];
                delivered += 1;
                ahead.delivered(delivered);
                if failed.is_none()
                    && let Err(e) = deliver(range, parsed)
                {
                    failed = Some(e);
                }
            }
        }
        for handle in handles {
            let _ = handle.join();
        }
        delivered == pieces.len()
    });
    if let Some(e) = failed {
        return Some(Err(e));
    }
    if !complete {
        // A worker panicked and its piece never came: the caller cannot use a partial
        // result, so say the file is damaged rather than drop requirements silently.
        return Some(Err(PieceError { message: "the file could not be read in pieces".to_owned(), span: 0..0 }));
    }
    Some(Ok(program))
}

/// How far the parsing threads may run ahead of the pieces delivered: a worker waits before
/// parsing piece `k` until fewer than `window` pieces lie between the next to be delivered
/// and `k`. The next piece to be delivered never waits, so the pieces always move.
struct Ahead {
    window: usize,
    /// The number of pieces delivered, and whether a worker gave up (then no one waits).
    state: std::sync::Mutex<(usize, bool)>,
    moved: std::sync::Condvar,
}

impl Ahead {
    fn new(window: usize) -> Ahead {
        Ahead { window: window.max(1), state: std::sync::Mutex::new((0, false)), moved: std::sync::Condvar::new() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, bool)> {
        // The state is two numbers written whole: one left by a panicking thread is sound.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Waits until piece `k` may be parsed; `false` once a worker has given up.
    fn wait_for_room(&self, k: usize) -> bool {
        let mut state = self.lock();
        while k >= state.0 + self.window && !state.1 {
            state = self.moved.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        !state.1
    }

    fn delivered(&self, count: usize) {
        self.lock().0 = count;
        self.moved.notify_all();
    }

    /// A guard that, when its worker ends by panicking, lets every waiting worker go.
    fn release_on_panic(&self) -> ReleaseOnPanic<'_> {
        ReleaseOnPanic(self)
    }
}

struct ReleaseOnPanic<'a>(&'a Ahead);

impl Drop for ReleaseOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.lock().1 = true;
            self.0.moved.notify_all();
        }
    }
}

/// Whether `text` holds nothing but blank lines and comments that TOML accepts (no
/// control character but tab, lines ending in LF or CRLF).
fn only_comments(text: &str) -> bool {
    text.split('\n').all(|line| {
        let line = line.strip_suffix('\r').unwrap_or(line).trim_start_matches([' ', '\t']);
        (line.is_empty() || line.starts_with('#')) && !line.chars().any(|c| (c < ' ' && c != '\t') || c == '\u{7f}')
    })
}

/// The piece of `text` at `range`, read by the fast lane, else by the `toml` crate, into
/// the caller's value; its `[program]` table, if it holds one.
fn parse_piece<A: Assemble>(
    text: &str,
    range: Range<usize>,
    assemble: &A,
    worker: &mut A::Worker,
) -> Result<(Option<RawProgram>, A::Part), PieceError> {
    let piece = &text[range.clone()];
    let (fast, part) = assemble_with(assemble, range.clone(), worker, |b| crate::fast::read(piece, b).is_some());
    if fast {
        return Ok((None, part));
    }
    // Declined part-way: what the fast lane handed over is dropped with `part`.
    drop(part);
    let raw = toml::from_str::<RawPiece<'static>>(piece).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        PieceError {
            message: e.message().trim_end_matches('\n').to_owned(),
            span: range.start + span.start..range.start + span.end,
        }
    })?;
    Ok((raw.program, assemble_raw(assemble, range, worker, raw.requirements, raw.evidence)))
}

#[cfg(test)]
mod tests {
    use super::cut_points;
    use proptest::prelude::*;

    /// The plain byte-by-byte scan the fast one replaced: the two must agree everywhere.
    fn reference_cut_points(text: &str) -> Option<Vec<usize>> {
        #[derive(Clone, Copy, PartialEq)]
        enum State {
            Normal,
            Comment,
            Basic,
            Literal,
            MultiBasic,
            MultiLiteral,
        }
        let bytes = text.as_bytes();
        let mut state = State::Normal;
        let mut cuts = Vec::new();
        let mut programs = 0;
        let mut line_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'\n' {
                line_start = i + 1;
            }
            match state {
                State::Normal => match b {
                    b'[' if bytes[line_start..i].iter().all(|c| *c == b' ' || *c == b'\t') => {
                        let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                        let header = text[i..end].split('#').next().unwrap_or_default().trim();
                        match header {
                            "[[requirements]]" | "[[evidence]]" => cuts.push(line_start),
                            "[program]" => {
                                programs += 1;
                                cuts.push(line_start);
                            }
                            _ => return None,
                        }
                        // Nothing else on a header line can open a string.
                        i = end;
                        continue;
                    }
                    b'#' => state = State::Comment,
                    b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                        state = State::MultiBasic;
                        i += 2;
                    }
                    b'"' => state = State::Basic,
                    b'\'' if bytes[i..].starts_with(b"\'\'\'") => {
                        state = State::MultiLiteral;
                        i += 2;
                    }
                    b'\'' => state = State::Literal,
                    _ => {}
                },
                State::Comment => {
                    if b == b'\n' {
                        state = State::Normal;
                    }
                }
                State::Basic => match b {
                    b'\\' => i += 1,
                    b'"' | b'\n' => state = State::Normal,
                    _ => {}
                },
                State::Literal => {
                    if b == b'\'' || b == b'\n' {
                        state = State::Normal;
                    }
                }
                State::MultiBasic => match b {
                    b'\\' => i += 1,
                    b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                        // Up to two quotes may end the content just before the closing three.
                        let run = bytes[i..].iter().take_while(|&&c| c == b'"').count().min(5);
                        i += run - 1;
                        state = State::Normal;
                    }
                    _ => {}
                },
                State::MultiLiteral => {
                    if b == b'\'' && bytes[i..].starts_with(b"\'\'\'") {
                        let run = bytes[i..].iter().take_while(|&&c| c == b'\'').count().min(5);
                        i += run - 1;
                        state = State::Normal;
                    }
                }
            }
            i += 1;
        }
        let complete = matches!(state, State::Normal | State::Comment);
        (complete && programs <= 1 && !cuts.is_empty()).then_some(cuts)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn the_fast_scan_agrees_with_the_plain_one(
            parts in prop::collection::vec(
                prop_oneof![
                    Just("\n"), Just("[[requirements]]"), Just("[[evidence]]"), Just("[program]"), Just("[x]"),
                    Just("\"\"\""), Just("'''"), Just("\""), Just("'"), Just("\\"), Just("#"), Just(" "), Just("\t"),
                    Just("a = "), Just("\r\n"), Just("["), Just("]"), Just("é"),
                ],
                0..40,
            )
        ) {
            let text: String = parts.concat();
            prop_assert_eq!(cut_points(&text), reference_cut_points(&text), "{:?}", text);
        }
    }

    #[test]
    fn cuts_at_program_and_requirement_headers() {
        let text =
            "# c\n[program]\nname = \"p\"\n\n[[requirements]]\nid = \"a\"\n  [[requirements]] # two\nid = \"b\"\n";
        let cuts = cut_points(text).unwrap();
        let starts: Vec<&str> = cuts.iter().map(|&c| text[c..].lines().next().unwrap()).collect();
        assert_eq!(starts, ["[program]", "[[requirements]]", "  [[requirements]] # two"]);
    }

    #[test]
    fn a_header_inside_a_multiline_string_is_text() {
        let text = "[[requirements]]\ntext = \"\"\"\n[[requirements]]\nnot a header \\\"\"\" still text\n\"\"\"\"\n[[requirements]]\n";
        assert_eq!(cut_points(text).unwrap().len(), 2);
        let text = "[[requirements]]\ntext = \'\'\'\n[[requirements]]\n\'\'\'\n";
        assert_eq!(cut_points(text).unwrap().len(), 1);
    }

    #[test]
    fn other_headers_and_unterminated_strings_mean_parse_whole() {
        assert!(cut_points("[program]\n[program.extra]\n").is_none());
        assert!(cut_points("[program]\n[program]\n").is_none());
        assert!(cut_points("[[requirements]]\ntext = \"\"\"\nopen\n").is_none());
        assert!(cut_points("[ [requirements] ]\n").is_none());
    }
}

#[cfg(test)]
mod window_tests {
    use std::ops::Range;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::{Assemble, BATCH, parse_in_pieces};
    use crate::raw::{RawEvidence, RawRequirement, Tables};

    /// Counts tables; remembers which piece (by its start) it began, and can be told to
    /// panic on one.
    struct Counting {
        starts: Vec<usize>,
        delivered: AtomicUsize,
        furthest_ahead: AtomicUsize,
        panic_at: Option<usize>,
    }

    struct Count(usize);

    impl Tables<'_> for Count {
        fn requirement(&mut self, _: RawRequirement<'_>) {
            self.0 += 1;
        }
        fn evidence(&mut self, _: RawEvidence) {}
    }

    impl Assemble for Counting {
        type Worker = ();
        type Builder = Count;
        type Part = usize;

        fn begin(&self, range: Range<usize>, (): ()) -> Count {
            let k = self.starts.iter().position(|&s| s == range.start).expect("a piece's start");
            assert_ne!(Some(k), self.panic_at, "a worker fails on this piece");
            let ahead = k.saturating_sub(self.delivered.load(Ordering::SeqCst));
            self.furthest_ahead.fetch_max(ahead, Ordering::SeqCst);
            Count(0)
        }

        fn finish(&self, builder: Count) -> (usize, ()) {
            (builder.0, ())
        }
    }

    /// A file of `pieces` full pieces, and where each starts.
    fn file(pieces: usize) -> (String, Vec<usize>) {
        let mut text = String::new();
        let mut starts = Vec::new();
        for n in 0..pieces * BATCH {
            if n % BATCH == 0 {
                starts.push(text.len());
            }
            text.push_str(&format!("[[requirements]]\nid = \"R-{n}\"\ntitle = \"t\"\n"));
        }
        (text, starts)
    }

    /// However slowly the parts are taken, the workers stay within their window of the
    /// piece delivered last, and every table arrives once, in order.
    #[test]
    fn workers_run_no_further_ahead_than_their_window() {
        let (text, starts) = file(40);
        let counting =
            Counting { starts, delivered: AtomicUsize::new(0), furthest_ahead: AtomicUsize::new(0), panic_at: None };
        let mut parts = Vec::new();
        let result = parse_in_pieces(&text, &counting, usize::MAX, &mut (), &mut |part| {
            // The first parts are taken slowly: time for the workers to run far ahead.
            if parts.len() < 4 {
                std::thread::sleep(std::time::Duration::from_millis(150));
            }
            parts.push(part);
            counting.delivered.fetch_add(1, Ordering::SeqCst);
        });
        assert!(matches!(result, Some(Ok(None))), "{result:?}");
        assert_eq!(parts, vec![BATCH; 40]);
        let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(40);
        if workers > 1 {
            // The window, plus the one the assembly counts after it is let go.
            assert!(counting.furthest_ahead.load(Ordering::SeqCst) <= 4 * workers + 1);
        }
    }

    /// A worker that panics is a damaged file, said so; the workers waiting for room are let
    /// go rather than left waiting for a piece that never comes.
    #[test]
    fn a_worker_that_panics_stops_the_others_and_the_file_is_an_error() {
        let (text, starts) = file(40);
        let counting =
            Counting { starts, delivered: AtomicUsize::new(0), furthest_ahead: AtomicUsize::new(0), panic_at: Some(3) };
        if std::thread::available_parallelism().map_or(1, |n| n.get()) == 1 {
            return; // one thread parses in line, where a panic is the caller's
        }
        let result = parse_in_pieces(&text, &counting, usize::MAX, &mut (), &mut |_| {
            counting.delivered.fetch_add(1, Ordering::SeqCst);
        });
        let Some(Err(e)) = result else { panic!("expected an error, got {result:?}") };
        assert!(e.message.contains("could not be read in pieces"), "{}", e.message);
    }
}
