//! The batch engine: a portfolio streamed through a policy, whatever its size, in bounded memory.
//!
//! Three stages run at once. A reading thread cuts the file into chunks of records
//! ([`RecordStream`]); the worker threads turn each record of a chunk into a loan and do the
//! caller's work on it ([`Record`] → `T`), in parallel, two chunks at a time so that no worker
//! waits at a chunk's end; and the calling thread hands each decided chunk's results to the
//! caller's sink in input order, checking duplicate keys on the way. At most five chunks exist
//! at once (two queued by the reading thread, one it is cutting, two with the workers), so
//! memory does not grow with the book.
//!
//! Every verb that reads a portfolio (`run`, `report`, `diff`, `explain`) is a pair of
//! closures over [`run_batch`]: what to compute per loan, and what to do with it in order.
//! A sink can stop the batch early ([`Flow::Stop`]): `explain` stops at the loan it wants.
//!
//! INVARIANT: every record read reaches the sink exactly once, as decided or rejected, in
//! input order, for any number of threads.

mod grouped;

use rayon::prelude::*;

pub use grouped::{
    BorrowerLoans, BorrowerOrder, ByBorrower, PARTITIONS, loans_of_borrower, run_batch_by_borrower,
};

use crate::input::{
    Pending, RecordStream, Rejected, SeenKeys, StreamError, UnknownFields, duplicate,
};
use crate::schema::{FieldSet, Schema};
use crate::value::Loan;

/// The stack size for every thread that checks or evaluates policies (64 MB): the checker
/// bounds expression depth (ARCHITECTURE.md, Limits), and this leaves room above the bound even
/// in unoptimised builds. Threads only ever touch the pages they use.
pub const STACK_BYTES: usize = 64 << 20;

/// Records read, parsed and decided together: big enough to keep every core busy, small enough
/// that memory stays flat whatever the portfolio's size.
const CHUNK: usize = 8_192;

/// Records of a chunk a worker decides in a row, writing their bytes ([`Record::output`]) into
/// one buffer: 32 pieces to a chunk keep two workers evenly busy, and one buffer a piece
/// (about 34 KB of the reference policy's JSON lines) replaces 256 allocations made on a
/// worker and freed on the sink's thread.
const PIECE: usize = 256;

/// Chunks the workers decide at once (see [`run_batch`]).
const AHEAD: usize = 2;

/// How a batch runs.
#[derive(Clone, Debug, Default)]
pub struct BatchOptions {
    /// Worker threads; `None` for one per core. The results never depend on it.
    pub threads: Option<usize>,
}

/// One record as the workers see it: the loan (or why it is not one), read on demand against
/// any schema, so a caller comparing two policies can read the same record twice.
pub struct Record<'a> {
    pending: &'a Pending,
    file: &'a str,
    number: u64,
    unknown: UnknownFields,
    /// The buffer of the piece the record is decided in ([`Record::output`]).
    output: &'a mut Vec<u8>,
}

impl Record<'_> {
    /// The record's loan and key under `schema`, or the rejection saying why it is not one.
    /// Fields the schema does not declare are remembered for the batch's summary.
    #[expect(
        clippy::result_large_err,
        reason = "a rejection is the rare path and carries everything a person needs to fix the row"
    )]
    pub fn loan(&mut self, schema: &Schema) -> Result<(String, Loan), Rejected> {
        self.loan_keeping(schema, None)
    }

    /// [`Record::loan`] for a caller that reads no field of the loan but those in `kept`
    /// (all when `None`): every field is checked as `loan` checks it, and the row rejected
    /// the same way, but a field not kept may hold [`crate::Value::Missing`] rather than its
    /// value (JSON Lines, CSV, Parquet and Arrow leave such fields unbuilt; YAML builds
    /// them). `run` keeps the fields its policy reads ([`crate::Program::fields_read`]), so it
    /// does not copy a borrower's name it never looks at.
    #[expect(
        clippy::result_large_err,
        reason = "a rejection is the rare path and carries everything a person needs to fix the row"
    )]
    pub fn loan_keeping(
        &mut self,
        schema: &Schema,
        kept: Option<&FieldSet>,
    ) -> Result<(String, Loan), Rejected> {
        self.pending
            .to_loan(schema, kept, self.file, self.number, &mut self.unknown)
    }

    /// The 1-based position of the record in the file.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// Where to write bytes for the sink, such as the record's line of output: what is
    /// appended here reaches the sink with the row ([`BatchRow::Decided`]'s `bytes`), or is
    /// dropped if the row is rejected. The records of a piece of a chunk share one buffer, so
    /// a caller writing text per loan allocates nothing per loan, and the sink reads the
    /// bytes in the order they were written. Append only: bytes already there are other
    /// records'.
    pub fn output(&mut self) -> &mut Vec<u8> {
        self.output
    }
}

/// One record after the parallel stage, as the sink receives it.
#[derive(Debug)]
pub enum BatchRow<'b, T> {
    /// A loan, its key and what the caller computed for it.
    Decided {
        /// 1-based position in the file.
        number: u64,
        /// The loan's key.
        key: String,
        /// The caller's result.
        value: T,
        /// What the caller wrote to [`Record::output`] for this loan (empty when it wrote
        /// nothing, and on the borrower paths, which give no shared buffer).
        bytes: &'b [u8],
    },
    /// A row that is not a loan (or repeats an earlier key), and why.
    Rejected(Rejected),
}

/// What a sink tells the engine after each row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Stop reading: the caller has what it needs.
    Stop,
}

/// What a finished batch read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// Records read (handed to the sink), up to where the batch stopped.
    pub read: u64,
    /// Of those, loans decided.
    pub decided: u64,
    /// Of those, rows rejected.
    pub rejected: u64,
    /// Fields the portfolio has that the schema does not declare.
    pub unknown_fields: UnknownFields,
    /// True when the sink stopped the batch before the end of the file.
    pub stopped: bool,
}

/// Why a batch did not finish.
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchError<E> {
    /// The portfolio itself could not be read.
    Read(StreamError),
    /// The worker threads could not be started.
    Threads(String),
    /// The sink failed (a full disk, say).
    Sink(E),
    /// A policy that reads a borrower's loans together met a borrower again after another
    /// one had started: the book does not hold each borrower's loans next to each other.
    NotGrouped {
        /// The borrower met again.
        borrower: String,
        /// The 1-based row where it appears again.
        row: u64,
    },
    /// The spill files of a book not sorted by borrower could not be written or read back.
    Spill(String),
}

impl<E: std::fmt::Display> std::fmt::Display for BatchError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BatchError::Read(error) => write!(f, "{error}"),
            BatchError::Threads(error) => write!(f, "cannot start worker threads: {error}"),
            BatchError::Sink(error) => write!(f, "{error}"),
            BatchError::Spill(error) => write!(f, "{error}"),
            BatchError::NotGrouped { borrower, row } => write!(
                f,
                "the loans of borrower `{borrower}` are not next to each other: it appears \
                 again at row {row}, after other borrowers' loans; a policy that reads a \
                 borrower's loans together needs the book sorted by borrower, or \
                 `--borrowers unsorted`"
            ),
        }
    }
}

impl<E: std::fmt::Debug + std::fmt::Display> std::error::Error for BatchError<E> {}

/// Streams `stream` (named `file` in rejections) through `decide` on the worker threads and
/// hands every row, in input order, to `sink`. `decide` reads the record's loan (usually with
/// [`Record::loan`]) and returns its key and result, or the rejection (boxed: rejections are
/// rare, and a chunk's results stay small). A key seen before
/// becomes a rejected row here, so the earlier row wins whatever the number of threads.
/// `progress` is told how many bytes of the file have been read after each chunk.
pub fn run_batch<T, E>(
    mut stream: RecordStream,
    file: &str,
    schema: &Schema,
    options: &BatchOptions,
    decide: impl Fn(&mut Record<'_>) -> Result<(String, T), Box<Rejected>> + Sync,
    mut sink: impl FnMut(BatchRow<'_, T>) -> Result<Flow, E> + Send,
    progress: &dyn Fn(u64),
) -> Result<BatchCounts, BatchError<E>>
where
    T: Send,
    E: Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .stack_size(STACK_BYTES)
        .build()
        .map_err(|error| BatchError::Threads(error.to_string()))?;
    // The file is cut into chunks on a thread of its own, so the workers never wait for the
    // next chunk; two chunks in the channel keep memory flat. Dropping the receiver (an early
    // stop, an error) ends the thread at its next send.
    let (chunks, from_reader) = std::sync::mpsc::sync_channel(2);
    std::thread::spawn(move || {
        loop {
            let next = stream.next_chunk(CHUNK);
            let done = !matches!(&next, Ok(chunk) if !chunk.is_empty());
            if chunks.send((next, stream.bytes_read())).is_err() || done {
                return;
            }
        }
    });
    let mut ledger = Ledger {
        schema,
        file,
        seen: Some(SeenKeys::default()),
        counts: BatchCounts::default(),
    };
    // Chunks are decided without waiting for each other: up to `AHEAD` are with the workers
    // at once, so a worker done with its share of one chunk starts on the next while the
    // other finishes the first's last piece, and the calling thread hands each chunk to the
    // sink, in order, as soon as it is decided. Waiting for every chunk before starting the
    // next left a worker idle at each chunk's end.
    let (decided, from_workers) = std::sync::mpsc::channel::<(u64, Vec<Piece<T>>)>();
    pool.in_place_scope(|scope| {
        // Decided chunks waiting for an earlier one, by their sequence number.
        let mut waiting: std::collections::BTreeMap<u64, Vec<Piece<T>>> = Default::default();
        // Each chunk with the workers: its sequence number and how far into the file it ends.
        let mut with_workers: std::collections::VecDeque<(u64, u64)> = Default::default();
        let (mut sequence, mut base, mut reading) = (0u64, 0u64, true);
        loop {
            while reading && with_workers.len() < AHEAD {
                let (chunk, bytes_read) = match from_reader.recv() {
                    Ok((Ok(chunk), _)) if chunk.is_empty() => {
                        reading = false;
                        break;
                    }
                    Ok((Ok(chunk), bytes_read)) => (chunk, bytes_read),
                    Ok((Err(error), _)) => return Err(BatchError::Read(error)),
                    Err(_) => return Err(BatchError::Read(StreamError::ReaderStopped)),
                };
                let (first, this) = (base, sequence);
                base += chunk.len() as u64;
                sequence += 1;
                with_workers.push_back((this, bytes_read));
                let (decided, decide) = (decided.clone(), &decide);
                scope.spawn(move |_| {
                    // Never refused: the receiver outlives the scope, which waits for this.
                    let _ = decided.send((this, decide_chunk(chunk, first, file, decide)));
                });
            }
            let Some((next, bytes_read)) = with_workers.pop_front() else {
                return Ok(ledger.counts.clone());
            };
            let pieces = loop {
                if let Some(pieces) = waiting.remove(&next) {
                    break pieces;
                }
                match from_workers.recv() {
                    Ok((number, pieces)) => waiting.insert(number, pieces),
                    // Never: this thread holds a sender until the scope ends.
                    Err(_) => return Err(BatchError::Read(StreamError::ReaderStopped)),
                };
            };
            match ledger.drain(pieces, &mut sink).map_err(BatchError::Sink)? {
                Flow::Continue => progress(bytes_read),
                Flow::Stop => return Ok(ledger.stopped()),
            }
        }
    })
}

/// Runs `here` (handing the previous chunk to the sink) on the calling thread while `pool`'s
/// workers run `there` (deciding this chunk), and waits for both; `there`'s result goes to
/// `into`. The sink works beside the workers, not on one of them: run on a worker (as
/// `rayon::join` inside the pool ran it), it kept a lone worker from deciding while it wrote.
pub(crate) fn beside<A, B: Send>(
    pool: &rayon::ThreadPool,
    into: &mut B,
    here: impl FnOnce() -> A,
    there: impl FnOnce() -> B + Send,
) -> A {
    pool.in_place_scope(|scope| {
        scope.spawn(|_| *into = there());
        here()
    })
}

/// One record after the parallel stage.
struct Done<T> {
    number: u64,
    line: Option<u64>,
    result: Result<(String, T), Box<Rejected>>,
    unknown: UnknownFields,
    /// Where the record's bytes ([`Record::output`]) are in its piece's buffer.
    bytes: std::ops::Range<usize>,
}

/// Records decided in a row by one worker, in input order, and the bytes they wrote.
struct Piece<T> {
    rows: Vec<Done<T>>,
    bytes: Vec<u8>,
}

/// Reads and decides one chunk on the worker threads, a piece of [`PIECE`] records at a time.
/// `collect` on an indexed parallel iterator keeps input order.
///
/// The records are lent to the workers, and the chunk is dropped whole, on one thread, when
/// this returns. Rows of a chunk share their block of text through one reference count:
/// dropping each row on the worker that read it made two workers take turns at the count's
/// cache line for every row (`drop_in_place::<Pending>` grew from 0.5 % of a one-worker run's
/// samples to 1.4 % of a two-worker run's).
fn decide_chunk<T: Send>(
    chunk: Vec<Pending>,
    first: u64,
    file: &str,
    decide: &(impl Fn(&mut Record<'_>) -> Result<(String, T), Box<Rejected>> + Sync),
) -> Vec<Piece<T>> {
    chunk
        .par_chunks(PIECE)
        .enumerate()
        .map(|(index, records)| decide_piece(records, first + (index * PIECE) as u64, file, decide))
        .collect()
}

/// Reads and decides `records`, the first of which is record `first + 1`, into one piece.
fn decide_piece<T>(
    records: &[Pending],
    first: u64,
    file: &str,
    decide: &impl Fn(&mut Record<'_>) -> Result<(String, T), Box<Rejected>>,
) -> Piece<T> {
    let mut bytes = Vec::new();
    let mut rows = Vec::with_capacity(records.len());
    for (pending, number) in records.iter().zip(first + 1..) {
        let start = bytes.len();
        let mut record = Record {
            pending,
            file,
            number,
            unknown: UnknownFields::default(),
            output: &mut bytes,
        };
        let result = decide(&mut record);
        rows.push(Done {
            number,
            line: pending.line(),
            result,
            unknown: record.unknown,
            // A rejected row's bytes stay in the buffer, handed to no one.
            bytes: start..bytes.len(),
        });
        if rows.len() == 1 {
            // Room for the piece at the first record's size and a quarter more: the
            // buffer grows once, where doubling from nothing copied it a dozen times.
            bytes.reserve(bytes.len() * records.len() / 4 * 5);
        }
    }
    Piece { rows, bytes }
}

/// Like [`run_batch`], on the calling thread alone: no worker threads and no reading thread.
/// For a small book (a server's request of a hundred loans), where starting threads would cost
/// more than deciding; rows, rejections and counts are exactly [`run_batch`]'s.
pub fn run_batch_here<T, E>(
    mut stream: RecordStream,
    file: &str,
    schema: &Schema,
    decide: impl Fn(&mut Record<'_>) -> Result<(String, T), Box<Rejected>>,
    mut sink: impl FnMut(BatchRow<'_, T>) -> Result<Flow, E>,
) -> Result<BatchCounts, BatchError<E>> {
    let mut ledger = Ledger {
        schema,
        file,
        seen: Some(SeenKeys::default()),
        counts: BatchCounts::default(),
    };
    let mut base: u64 = 0;
    loop {
        let chunk = stream.next_chunk(CHUNK).map_err(BatchError::Read)?;
        if chunk.is_empty() {
            return Ok(ledger.counts);
        }
        let first = base;
        base += chunk.len() as u64;
        let decided = vec![decide_piece(&chunk, first, file, &decide)];
        if ledger.drain(decided, &mut sink).map_err(BatchError::Sink)? == Flow::Stop {
            return Ok(ledger.stopped());
        }
    }
}

/// The in-order side of a batch: the keys seen so far and the counts.
struct Ledger<'a> {
    schema: &'a Schema,
    file: &'a str,
    /// The keys seen so far; `None` when the rows' keys were checked before they got here
    /// (the grouping by borrower checks them before a loan counts in its borrower's values).
    seen: Option<SeenKeys>,
    counts: BatchCounts,
}

impl Ledger<'_> {
    fn drain<T, E>(
        &mut self,
        pieces: Vec<Piece<T>>,
        sink: &mut impl FnMut(BatchRow<'_, T>) -> Result<Flow, E>,
    ) -> Result<Flow, E> {
        for piece in pieces {
            if self.drain_piece(piece, sink)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// [`Ledger::drain`] for rows that wrote no bytes: the borrower paths decide without a
    /// [`Record`], so their rows come as one piece with an empty buffer.
    fn drain_rows<T, E>(
        &mut self,
        rows: Vec<Done<T>>,
        sink: &mut impl FnMut(BatchRow<'_, T>) -> Result<Flow, E>,
    ) -> Result<Flow, E> {
        let piece = Piece {
            rows,
            bytes: Vec::new(),
        };
        self.drain_piece(piece, sink)
    }

    fn drain_piece<T, E>(
        &mut self,
        piece: Piece<T>,
        sink: &mut impl FnMut(BatchRow<'_, T>) -> Result<Flow, E>,
    ) -> Result<Flow, E> {
        for row in piece.rows {
            self.counts.unknown_fields.merge(row.unknown);
            self.counts.read += 1;
            let row = match row.result {
                Ok((key, value)) if self.seen.as_mut().is_none_or(|seen| seen.first(&key)) => {
                    self.counts.decided += 1;
                    BatchRow::Decided {
                        number: row.number,
                        key,
                        value,
                        bytes: piece.bytes.get(row.bytes).unwrap_or_default(),
                    }
                }
                Ok((key, _)) => {
                    self.counts.rejected += 1;
                    BatchRow::Rejected(duplicate(
                        self.file,
                        row.number,
                        row.line,
                        &key,
                        self.schema,
                    ))
                }
                Err(rejected) => {
                    self.counts.rejected += 1;
                    BatchRow::Rejected(*rejected)
                }
            };
            if sink(row)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    fn stopped(self) -> BatchCounts {
        BatchCounts {
            stopped: true,
            ..self.counts
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::NaiveDate;

    use super::*;
    use crate::input::InputFormat;
    use crate::load::shipped as load;
    use crate::program::Program;

    /// With one worker, the sink's work and the worker's run at once, the sink's on the
    /// calling thread: here the sink waits for word from the worker, which a sink run before
    /// the deciding on the lone worker (as `rayon::join` inside the pool ran it) never gets.
    #[test]
    fn the_sink_works_on_the_calling_thread_while_a_lone_worker_decides() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let caller = std::thread::current().id();
        let (word, heard) = std::sync::mpsc::channel();
        let mut worker = None;
        let sink = beside(
            &pool,
            &mut worker,
            move || {
                let heard = heard.recv_timeout(std::time::Duration::from_secs(10));
                (std::thread::current().id(), heard)
            },
            move || {
                word.send("decided").unwrap();
                Some(std::thread::current().id())
            },
        );
        assert_eq!(sink, (caller, Ok("decided")));
        assert_ne!(worker, Some(caller));
        assert!(worker.is_some());
    }

    /// What a record writes to its output reaches the sink with that record's row, across
    /// pieces, chunks and threads; a row rejected by the caller or as a repeated key brings
    /// none of it. Each decided row writes its own number and key, so bytes handed with the
    /// wrong row, or cut at the wrong place, show.
    #[test]
    fn the_bytes_a_record_writes_reach_the_sink_with_its_row() {
        let program = load("retail.policy");
        let schema = program.schema();
        let sample = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portfolios/retail-sample.jsonl"),
        )
        .unwrap();
        // Three pieces and a half, a line that is not a loan, and a repeated key.
        let mut lines: Vec<&str> = sample.lines().take(PIECE * 3 + PIECE / 2).collect();
        lines[PIECE + 7] = "not a loan";
        lines[2 * PIECE + 1] = lines[3];
        let text = lines.join("\n") + "\n";
        let decide = |record: &mut Record<'_>| {
            let number = record.number();
            let (key, loan) = record.loan(schema)?;
            let written = format!("{number} {key}\n");
            record.output().extend_from_slice(written.as_bytes());
            // A row the caller rejects after writing: its bytes must not reach the sink.
            if number.is_multiple_of(100) {
                return Err(Box::new(crate::input::undecided(
                    "book", number, None, &key,
                )));
            }
            Ok((key, loan.fields.len()))
        };
        let mut expected = Vec::new();
        let mut rejected = 0;
        for (number, line) in (1u64..).zip(&lines) {
            let key = line.get(12..18).unwrap_or_default();
            if number.is_multiple_of(100)
                || number == PIECE as u64 + 8
                || number == 2 * PIECE as u64 + 2
            {
                rejected += 1;
            } else {
                expected.push(format!("{number} {key}\n"));
            }
        }
        let open = || {
            RecordStream::open(
                Box::new(std::io::Cursor::new(text.clone())),
                InputFormat::Jsonl,
                schema,
            )
            .unwrap()
        };
        fn collect(
            rows: &mut Vec<String>,
        ) -> impl FnMut(BatchRow<'_, usize>) -> Result<Flow, ()> + Send + '_ {
            move |row| {
                if let BatchRow::Decided {
                    number, key, bytes, ..
                } = row
                {
                    let bytes = String::from_utf8(bytes.to_vec()).unwrap();
                    assert!(bytes.starts_with(&format!("{number} {key}")), "{bytes}");
                    rows.push(bytes);
                }
                Ok(Flow::Continue)
            }
        }
        let mut here = Vec::new();
        let counts = run_batch_here(open(), "book", schema, decide, collect(&mut here)).unwrap();
        assert_eq!(counts.rejected, rejected);
        assert_eq!(here, expected);
        for threads in [1, 2, 3] {
            let mut pooled = Vec::new();
            let options = BatchOptions {
                threads: Some(threads),
            };
            let counts = run_batch(
                open(),
                "book",
                schema,
                &options,
                decide,
                collect(&mut pooled),
                &|_| {},
            )
            .unwrap();
            assert_eq!(counts.rejected, rejected);
            assert_eq!(pooled, expected, "{threads} threads");
        }
    }

    /// Each row of `text` read whole and read keeping `kept`, side by side.
    fn both_ways(
        text: &str,
        format: InputFormat,
        program: &Program,
        kept: &FieldSet,
    ) -> Vec<(ReadLoan, ReadLoan)> {
        let schema = program.schema();
        let stream = RecordStream::open(
            Box::new(std::io::Cursor::new(text.to_owned())),
            format,
            schema,
        )
        .unwrap();
        let mut rows = Vec::new();
        let decide = |record: &mut Record<'_>| {
            let whole = record.loan(schema);
            let keeping = record.loan_keeping(schema, Some(kept));
            // Keyed by position: the ledger's check of repeated keys is not under test.
            Ok((record.number().to_string(), (whole, keeping)))
        };
        run_batch_here(stream, "book", schema, decide, |row| {
            if let BatchRow::Decided { value, .. } = row {
                rows.push(value);
            }
            Ok::<_, ()>(Flow::Continue)
        })
        .unwrap();
        rows
    }

    type ReadLoan = Result<(String, Loan), Rejected>;

    /// A run builds only the fields its policy reads (`Program::fields_read`): every shipped
    /// policy that does not read borrowers decides every loan of the sample book, in JSON
    /// Lines and in CSV and on dates across the book's, exactly as from the loan read whole,
    /// trace and all. And the fields left out are left out: the test would not pass by
    /// keeping everything.
    #[test]
    fn a_loan_keeping_only_the_fields_read_is_decided_as_the_whole_loan() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portfolios");
        let mut tried = 0;
        for name in [
            "retail.policy",
            "limitation.policy",
            "guardrails.policy",
            "小微企业催收.policy",
        ] {
            let program = load(name);
            // A policy that reads borrowers reads its loans as a borrower's too: all is kept.
            let Some(kept) = program.fields_read() else {
                assert!(program.reads_borrowers(), "{name} keeps every field");
                continue;
            };
            tried += 1;
            let unread = (0..program.schema().fields.len())
                .filter(|slot| !kept.contains(*slot))
                .count();
            assert!(unread > 0, "{name} reads every field");
            for (file, format) in [
                ("retail-sample.jsonl", InputFormat::Jsonl),
                ("retail-sample.csv", InputFormat::Csv),
            ] {
                let text = std::fs::read_to_string(root.join(file)).unwrap();
                let rows = both_ways(&text, format, &program, &kept);
                assert!(rows.len() > 100);
                for (whole, keeping) in rows {
                    let ((key, whole), (same_key, keeping)) = (whole.unwrap(), keeping.unwrap());
                    assert_eq!(key, same_key);
                    assert_ne!(whole, keeping, "{name}, {key}: nothing was left out");
                    for as_of in ["2026-11-20", "2025-02-28", "2028-12-31"] {
                        let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
                        assert_eq!(
                            program.decider(as_of).evaluate(&keeping),
                            program.evaluate(&whole, as_of),
                            "{name}, {file}, {key}, {as_of}"
                        );
                        assert_eq!(
                            program.evaluate_traced(&keeping, as_of),
                            program.evaluate_traced(&whole, as_of),
                            "{name}, {file}, {key}, {as_of}"
                        );
                    }
                }
            }
        }
        assert!(tried > 0);
    }

    /// A field the policy does not read is still checked: a bad value there rejects the row
    /// with the same code, field, value and place as when the loan is read whole.
    #[test]
    fn a_bad_value_in_a_field_left_unbuilt_rejects_the_row_all_the_same() {
        let program = load("retail.policy");
        let kept = program.fields_read().unwrap();
        let sample = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portfolios/retail-sample.jsonl"),
        )
        .unwrap();
        let line: serde_json::Value = serde_json::from_str(sample.lines().next().unwrap()).unwrap();
        let broken = [
            ("borrower", serde_json::json!("   ")),
            ("last_payment_on", serde_json::json!("2026-02-30")),
            ("next_contact_at", serde_json::json!("25:00")),
            ("rest_days", serde_json::json!([{"weekday": "Monday"}])),
            (
                "rest_days",
                serde_json::json!([{"weekday": 6}, {"weekday": 6.5}]),
            ),
            (
                "emergency_contacts",
                serde_json::json!([{"relation": null}]),
            ),
            (
                "emergency_contacts",
                serde_json::json!([{"relation": "子女"}, 5]),
            ),
        ];
        for (field, value) in broken {
            assert!(!kept.contains(program.schema().slot(field).unwrap()));
            let mut loan = line.clone();
            loan[field] = value.clone();
            let text = format!("{loan}\n");
            let rows = both_ways(&text, InputFormat::Jsonl, &program, &kept);
            let [(whole, keeping)] = rows.as_slice() else {
                panic!("one row: {rows:?}")
            };
            let rejected = whole.as_ref().unwrap_err();
            assert!(
                rejected
                    .field
                    .as_deref()
                    .is_some_and(|f| f.starts_with(field)),
                "{field} = {value}: {rejected:?}"
            );
            assert_eq!(keeping, whole, "{field} = {value}");
        }
    }

    /// A book of `rows` lines, each read by a `decide` that takes its number for its key.
    fn numbered(rows: usize, fail_after: Option<usize>) -> RecordStream {
        /// The lines, then an error where `fail_after` lines have been read.
        struct Lines {
            left: usize,
            fail_after: Option<usize>,
        }
        impl std::io::Read for Lines {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.fail_after == Some(0) {
                    return Err(std::io::Error::other("the disk went away"));
                }
                let n = (buf.len() / 3)
                    .min(self.left)
                    .min(self.fail_after.unwrap_or(usize::MAX));
                for line in buf.chunks_mut(3).take(n) {
                    line.copy_from_slice(b"{}\n");
                }
                self.left -= n;
                self.fail_after = self.fail_after.map(|f| f - n);
                Ok(n * 3)
            }
        }
        let schema = load("retail.policy").schema().clone();
        RecordStream::open(
            Box::new(Lines {
                left: rows,
                fail_after,
            }),
            InputFormat::Jsonl,
            &schema,
        )
        .unwrap()
    }

    /// Runs `numbered(rows, fail_after)` on `threads` workers; the sink answers each row
    /// number with `answer`. Returns the numbers the sink saw and how the batch ended.
    fn through(
        rows: usize,
        fail_after: Option<usize>,
        threads: usize,
        answer: impl Fn(u64) -> Result<Flow, &'static str> + Sync,
    ) -> (Vec<u64>, Result<BatchCounts, BatchError<&'static str>>) {
        let schema = load("retail.policy").schema().clone();
        let mut seen = Vec::new();
        let options = BatchOptions {
            threads: Some(threads),
        };
        let ended = run_batch(
            numbered(rows, fail_after),
            "book",
            &schema,
            &options,
            |record| Ok((record.number().to_string(), record.number())),
            |row| match row {
                BatchRow::Decided { value, .. } => {
                    seen.push(value);
                    answer(value)
                }
                BatchRow::Rejected(rejected) => panic!("{rejected:?}"),
            },
            &|_| {},
        );
        (seen, ended)
    }

    /// Chunks are decided ahead of the sink, several at once: every row still reaches the
    /// sink once, in order, and a sink that stops or fails in a later chunk ends the batch
    /// there, with the chunks already handed to the workers dropped, on any number of
    /// workers.
    #[test]
    fn rows_of_many_chunks_reach_the_sink_in_order_and_the_batch_ends_where_the_sink_says() {
        let rows = CHUNK * (AHEAD + 3) + 100;
        let stop = (CHUNK * 2 + 5) as u64;
        for threads in [1, 2, 3] {
            let (seen, ended) = through(rows, None, threads, |_| Ok(Flow::Continue));
            assert!(
                seen.iter().copied().eq(1..=rows as u64),
                "{threads} threads"
            );
            let counts = ended.unwrap();
            assert_eq!((counts.read, counts.stopped), (rows as u64, false));

            let (seen, ended) = through(rows, None, threads, |n| {
                Ok(if n == stop {
                    Flow::Stop
                } else {
                    Flow::Continue
                })
            });
            assert!(seen.iter().copied().eq(1..=stop), "{threads} threads");
            let counts = ended.unwrap();
            assert_eq!((counts.read, counts.stopped), (stop, true));

            let (seen, ended) = through(rows, None, threads, |n| {
                if n == stop {
                    Err("disk full")
                } else {
                    Ok(Flow::Continue)
                }
            });
            assert!(seen.iter().copied().eq(1..=stop), "{threads} threads");
            assert!(matches!(ended, Err(BatchError::Sink("disk full"))));
        }
    }

    /// A book that cannot be read to its end is the batch's error, after the rows before the
    /// failing chunk reached the sink in order.
    #[test]
    fn a_book_that_fails_part_way_ends_the_batch_with_the_error() {
        let rows = CHUNK * (AHEAD + 3);
        for threads in [1, 2, 3] {
            let (seen, ended) =
                through(rows, Some(CHUNK * 3 + 17), threads, |_| Ok(Flow::Continue));
            assert!(
                matches!(ended, Err(BatchError::Read(_))),
                "{threads} threads"
            );
            assert!(seen.iter().copied().eq(1..=seen.len() as u64));
            assert!(seen.len() <= CHUNK * 3 + 17, "{}", seen.len());
        }
    }
}
