//! The batch engine for a policy that reads a borrower's loans together: each borrower's
//! values are worked out from all of its loans read, its loans are decided with them, and
//! the results reach the sink one loan at a time, in input order.
//!
//! Two ways to find a borrower's loans, both in bounded memory:
//!
//! * **Sorted** ([`BorrowerOrder::Sorted`]): the book holds each borrower's loans next to each
//!   other (a warehouse export `ORDER BY borrower_id`). One pass: a borrower is complete as
//!   soon as the next one starts; memory is the chunks in flight and one borrower carried from
//!   a chunk into the next. Rejected rows between a borrower's loans do not split it. A
//!   borrower met again after another one started stops the batch with
//!   [`BatchError::NotGrouped`], naming it and the row, rather than deciding it twice on part
//!   of its loans.
//! * **Unsorted** ([`BorrowerOrder::Unsorted`]): loans anywhere. Three passes. (1) The book is
//!   read and each loan read is written to one of [`PARTITIONS`] spill files by its borrower's
//!   hash (postcard: the borrower, the row, the key, the loan). (2) One partition at a time is
//!   read back (one over `PARTITION_BYTES` split first by a second hash), grouped by borrower, and each borrower's shared part (its
//!   [`BorrowerContext`]: the values over its loans, and for all but its first loan the
//!   outcomes of the decisions made per borrower) is written per loan, sorted by row. (3) The
//!   book is read again in order and every loan is decided with its own context, merged in
//!   from the partitions by row. Memory is a few thousand loans of one partition, the
//!   contexts of one partition, and the chunks in flight; the disk holds the loans once and their contexts once, in a
//!   temporary folder removed at the end. Sorting the book first would need the same
//!   external sort plus a second one to put the decisions back in input order; reading the
//!   book twice costs one more parse and no sort of the output.
//!
//! A loan without a borrower is a borrower of its own. Repeated loan keys are rejected before
//! grouping, so a repeated row never counts in its borrower's values.

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Write as _};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::{BatchCounts, BatchError, BatchOptions, BatchRow, CHUNK, Done, Flow, Ledger};
use crate::eval::BorrowerContext;
use crate::input::{Pending, RecordStream, Rejected, SeenKeys, StreamError, UnknownFields};
use crate::program::Program;
use crate::value::{Loan, Value};

/// How a book's loans of one borrower are to be found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BorrowerOrder {
    /// Each borrower's loans lie next to each other: one pass, streamed.
    Sorted,
    /// Anywhere in the book: spilled to disk by borrower, and the book read twice.
    #[default]
    Unsorted,
}

/// What a batch by borrower needs besides the book: the policy (whose schema reads the book
/// and names the borrower field), the evaluation date, whether traces are wanted (each loan's
/// part in the borrower's values is then kept), and how the book is ordered.
#[derive(Clone, Copy, Debug)]
pub struct ByBorrower<'p> {
    /// The policy.
    pub program: &'p Program,
    /// The evaluation date.
    pub as_of: NaiveDate,
    /// Keep each loan's part in the borrower's values, for traces.
    pub traced: bool,
    /// How the book is ordered.
    pub order: BorrowerOrder,
}

/// How many spill files an unsorted book is cut into: one is in memory at a time.
pub const PARTITIONS: usize = 256;

/// A record once read: the loan and its key, or why it is not one.
struct Read {
    number: u64,
    line: Option<u64>,
    result: Result<(String, Loan), Box<Rejected>>,
    unknown: UnknownFields,
}

/// Streams the book a borrower at a time: `decide` gets each loan with its borrower's
/// context (decide it with [`Program::evaluate_in`] and friends, which fill in the decisions
/// made per borrower), and `sink` every row in input order, as [`super::run_batch`]'s does.
/// `open` opens the book; an unsorted book is opened twice. `progress` is told how far
/// through the work the batch is, in bytes of one reading of the book.
pub fn run_batch_by_borrower<T, E>(
    open: &dyn Fn() -> Result<RecordStream, StreamError>,
    file: &str,
    by: &ByBorrower<'_>,
    options: &BatchOptions,
    decide: impl Fn(u64, &str, &Loan, &mut BorrowerContext) -> T + Sync,
    sink: impl FnMut(BatchRow<'_, T>) -> Result<Flow, E> + Send,
    progress: &dyn Fn(u64),
) -> Result<BatchCounts, BatchError<E>>
where
    T: Send,
    E: Send,
{
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .stack_size(super::STACK_BYTES)
        .build()
        .map_err(|error| BatchError::Threads(error.to_string()))?;
    let Some(slot) = by.program.borrower_field() else {
        // No borrower field: every loan is its own borrower.
        let stream = open().map_err(BatchError::Read)?;
        let schema = by.program.schema();
        return super::run_batch(
            stream,
            file,
            schema,
            options,
            |record| {
                let number = record.number();
                let (key, loan) = record.loan(schema)?;
                let mut context = by.program.borrower_context(&[&loan], by.as_of, by.traced);
                let value = decide(number, &key, &loan, &mut context);
                Ok((key, value))
            },
            sink,
            progress,
        );
    };
    match by.order {
        BorrowerOrder::Sorted => {
            let stream = open().map_err(BatchError::Read)?;
            sorted(
                stream,
                file,
                by,
                slot.index(),
                &pool,
                &decide,
                sink,
                progress,
            )
        }
        BorrowerOrder::Unsorted => {
            unsorted(open, file, by, slot.index(), &pool, &decide, sink, progress)
        }
    }
}

/// The borrower a loan belongs to: its borrower field, or the loan alone (a name no
/// borrower field can hold, as it starts with a NUL).
fn borrower_of(loan: &Loan, key: &str, slot: usize) -> String {
    match loan.fields.get(slot) {
        Some(Value::Text(id)) => id.to_string(),
        _ => format!("\u{0}{key}"),
    }
}

/// Reads a chunk's records into loans on the workers. The records are lent, and the chunk is
/// dropped whole when this returns, as [`super::decide_chunk`] does and for its reason.
fn read_chunk(chunk: Vec<Pending>, first: u64, file: &str, by: &ByBorrower<'_>) -> Vec<Read> {
    let schema = by.program.schema();
    chunk
        .par_iter()
        .enumerate()
        .map(|(index, pending)| {
            let number = first + index as u64 + 1;
            let mut unknown = UnknownFields::default();
            let result = pending
                .to_loan(schema, None, file, number, &mut unknown)
                .map_err(Box::new);
            Read {
                number,
                line: pending.line(),
                result,
                unknown,
            }
        })
        .collect()
}

/// Rejects, in place, the loans of `rows` whose key was seen before.
fn reject_repeats(rows: &mut [Read], keys: &mut SeenKeys, file: &str, by: &ByBorrower<'_>) {
    for row in rows {
        if let Ok((key, _)) = &row.result
            && !keys.first(key)
        {
            row.result = Err(Box::new(crate::input::duplicate(
                file,
                row.number,
                row.line,
                key,
                by.program.schema(),
            )));
        }
    }
}

/// Starts the thread that cuts `stream` into chunks.
fn chunks(
    mut stream: RecordStream,
) -> std::sync::mpsc::Receiver<(Result<Vec<Pending>, StreamError>, u64)> {
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
    from_reader
}

/// The next chunk from the reading thread: `None` at the end of the book.
fn next_chunk(
    from_reader: &std::sync::mpsc::Receiver<(Result<Vec<Pending>, StreamError>, u64)>,
) -> Result<Option<(Vec<Pending>, u64)>, StreamError> {
    match from_reader.recv() {
        Ok((Ok(chunk), _)) if chunk.is_empty() => Ok(None),
        Ok((Ok(chunk), bytes_read)) => Ok(Some((chunk, bytes_read))),
        Ok((Err(error), _)) => Err(error),
        Err(_) => Err(StreamError::ReaderStopped),
    }
}

// ───────────────────────── sorted: one pass ─────────────────────────

/// What the grouping carries from chunk to chunk: keys and borrowers seen, and the rows of
/// the borrower still open at the end of the last chunk.
struct Grouping {
    slot: usize,
    keys: SeenKeys,
    /// Borrowers whose loans are complete, to catch a book that is not grouped.
    borrowers: SeenKeys,
    /// The borrower still open.
    open: Option<String>,
    carried: Vec<Read>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "run_batch_by_borrower's arguments, passed on"
)]
fn sorted<T: Send, E: Send>(
    stream: RecordStream,
    file: &str,
    by: &ByBorrower<'_>,
    slot: usize,
    pool: &rayon::ThreadPool,
    decide: &(impl Fn(u64, &str, &Loan, &mut BorrowerContext) -> T + Sync),
    mut sink: impl FnMut(BatchRow<'_, T>) -> Result<Flow, E> + Send,
    progress: &dyn Fn(u64),
) -> Result<BatchCounts, BatchError<E>> {
    let from_reader = chunks(stream);
    let mut ledger = Ledger {
        schema: by.program.schema(),
        file,
        seen: None,
        counts: BatchCounts::default(),
    };
    let mut grouping = Grouping {
        slot,
        keys: SeenKeys::default(),
        borrowers: SeenKeys::default(),
        open: None,
        carried: Vec::new(),
    };
    let mut undrained: Vec<Done<T>> = Vec::new();
    let mut base: u64 = 0;
    while let Some((chunk, bytes_read)) = next_chunk(&from_reader).map_err(BatchError::Read)? {
        let first = base;
        base += chunk.len() as u64;
        let earlier = std::mem::take(&mut undrained);
        let mut decided = Ok(Vec::new());
        let drained = super::beside(
            pool,
            &mut decided,
            || ledger.drain_rows(earlier, &mut sink),
            || grouping.chunk(chunk, first, false, file, by, decide),
        );
        match drained.map_err(BatchError::Sink)? {
            Flow::Continue => {}
            Flow::Stop => return Ok(ledger.stopped()),
        }
        undrained = decided?;
        progress(bytes_read);
    }
    let last = pool.install(|| grouping.chunk(Vec::new(), base, true, file, by, decide))?;
    for rows in [undrained, last] {
        if ledger
            .drain_rows(rows, &mut sink)
            .map_err(BatchError::Sink)?
            == Flow::Stop
        {
            return Ok(ledger.stopped());
        }
    }
    Ok(ledger.counts)
}

impl Grouping {
    /// Reads a chunk, groups its loans (with the borrower carried from the last chunk) and
    /// decides every borrower that is complete; `last` at the end of the book. Returns the
    /// rows up to the open borrower, in input order.
    fn chunk<T: Send, E>(
        &mut self,
        chunk: Vec<Pending>,
        first: u64,
        last: bool,
        file: &str,
        by: &ByBorrower<'_>,
        decide: &(impl Fn(u64, &str, &Loan, &mut BorrowerContext) -> T + Sync),
    ) -> Result<Vec<Done<T>>, BatchError<E>> {
        let mut read = read_chunk(chunk, first, file, by);
        reject_repeats(&mut read, &mut self.keys, file, by);
        let mut rows = std::mem::take(&mut self.carried);
        rows.extend(read);
        // Cut the rows into borrowers: runs of loans of one borrower.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        let mut open = self.open.take();
        for (index, row) in rows.iter().enumerate() {
            let Ok((key, loan)) = &row.result else {
                continue;
            };
            let id = borrower_of(loan, key, self.slot);
            if open.as_ref() != Some(&id) {
                if !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
                if let Some(closed) = open.take() {
                    self.borrowers.first(&closed);
                }
                if self.borrowers.contains(&id) {
                    return Err(BatchError::NotGrouped {
                        borrower: id,
                        row: row.number,
                    });
                }
                open = Some(id);
            }
            current.push(index);
        }
        // The open borrower may go on in the next chunk: its rows, and those after it, wait.
        let keep_from = if last {
            if !current.is_empty() {
                groups.push(current);
            }
            rows.len()
        } else {
            self.open = open;
            current.first().copied().unwrap_or(rows.len())
        };
        self.carried = rows.split_off(keep_from);
        let decided: Vec<Vec<T>> = groups
            .par_iter()
            .map(|members| {
                let loans: Vec<(u64, &str, &Loan)> = members
                    .iter()
                    .filter_map(|&i| rows.get(i))
                    .filter_map(|row| {
                        let (key, loan) = row.result.as_ref().ok()?;
                        Some((row.number, key.as_str(), loan))
                    })
                    .collect();
                let each: Vec<&Loan> = loans.iter().map(|(_, _, loan)| *loan).collect();
                let mut context = by.program.borrower_context(&each, by.as_of, by.traced);
                loans
                    .iter()
                    .map(|(number, key, loan)| decide(*number, key, loan, &mut context))
                    .collect()
            })
            .collect();
        let mut results: Vec<Option<T>> =
            std::iter::repeat_with(|| None).take(rows.len()).collect();
        for (members, values) in groups.iter().zip(decided) {
            for (&index, value) in members.iter().zip(values) {
                if let Some(slot) = results.get_mut(index) {
                    *slot = Some(value);
                }
            }
        }
        Ok(rows
            .into_iter()
            .zip(results)
            .map(|(row, value)| Done {
                number: row.number,
                line: row.line,
                result: match (row.result, value) {
                    (Ok((key, _)), Some(value)) => Ok((key, value)),
                    (Err(rejected), _) => Err(rejected),
                    // Every loan of a group gets a value above; a loan without one would be a
                    // fault here, and is still accounted for, as rejected.
                    (Ok((key, _)), None) => Err(Box::new(crate::input::undecided(
                        file, row.number, row.line, &key,
                    ))),
                },
                unknown: row.unknown,
                bytes: 0..0,
            })
            .collect())
    }
}

// ───────────────────────── unsorted: spill, group, merge ─────────────────────────

/// One loan as spilled in the first pass. The borrower comes first, so a partition too big to
/// hold can be split by reading only that much of each record.
#[derive(serde::Serialize, serde::Deserialize)]
struct Spilled {
    borrower: String,
    row: u64,
    key: String,
    loan: Loan,
}

/// The most spilled bytes of loans held in memory at once (about 7,000 loans of the reference
/// schema): a partition above it is split by a second hash of the borrower first.
const PARTITION_BYTES: u64 = 4 << 20;

/// One loan's share of its borrower, as the second pass writes it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Shared {
    row: u64,
    context: BorrowerContext,
}

/// A spill file failed: the disk, not the book.
fn spill_error<E>(what: &str, error: impl std::fmt::Display) -> BatchError<E> {
    BatchError::Spill(format!("{what}: {error}"))
}

/// Writes one length-prefixed postcard record.
fn put<E>(
    out: &mut impl std::io::Write,
    item: &impl serde::Serialize,
) -> Result<(), BatchError<E>> {
    let bytes = postcard::to_stdvec(item).map_err(|e| spill_error("cannot encode a loan", e))?;
    put_bytes(out, &bytes)
}

/// Writes one record already encoded, after its length.
fn put_bytes<E>(out: &mut impl std::io::Write, bytes: &[u8]) -> Result<(), BatchError<E>> {
    let length =
        u32::try_from(bytes.len()).map_err(|e| spill_error("a loan too large to spill", e))?;
    out.write_all(&length.to_le_bytes())
        .and_then(|()| out.write_all(bytes))
        .map_err(|e| spill_error("cannot write to the spill folder", e))
}

/// Reads the next length-prefixed record's bytes, or `None` at the end.
fn take_bytes<E>(input: &mut impl std::io::Read) -> Result<Option<Vec<u8>>, BatchError<E>> {
    let mut length = [0u8; 4];
    match input.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(spill_error("cannot read the spill folder", e)),
    }
    let mut bytes = vec![0; u32::from_le_bytes(length) as usize];
    input
        .read_exact(&mut bytes)
        .map_err(|e| spill_error("cannot read the spill folder", e))?;
    Ok(Some(bytes))
}

/// Reads the next length-prefixed postcard record, or `None` at the end.
fn take<T: serde::de::DeserializeOwned, E>(
    input: &mut impl std::io::Read,
    buffer: &mut Vec<u8>,
) -> Result<Option<T>, BatchError<E>> {
    let mut length = [0u8; 4];
    match input.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(spill_error("cannot read the spill folder", e)),
    }
    buffer.resize(u32::from_le_bytes(length) as usize, 0);
    input
        .read_exact(buffer)
        .map_err(|e| spill_error("cannot read the spill folder", e))?;
    postcard::from_bytes(buffer)
        .map(Some)
        .map_err(|e| spill_error("a spill file is damaged", e))
}

/// The partition of `borrower`.
fn partition_of(borrower: &str) -> usize {
    use std::hash::{Hash, Hasher};
    // Fixed keys: the same partition on every run and machine.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    borrower.hash(&mut hasher);
    (hasher.finish() % PARTITIONS as u64) as usize
}

#[expect(
    clippy::too_many_arguments,
    reason = "run_batch_by_borrower's arguments, passed on"
)]
fn unsorted<T: Send, E: Send>(
    open: &dyn Fn() -> Result<RecordStream, StreamError>,
    file: &str,
    by: &ByBorrower<'_>,
    slot: usize,
    pool: &rayon::ThreadPool,
    decide: &(impl Fn(u64, &str, &Loan, &mut BorrowerContext) -> T + Sync),
    sink: impl FnMut(BatchRow<'_, T>) -> Result<Flow, E> + Send,
    progress: &dyn Fn(u64),
) -> Result<BatchCounts, BatchError<E>> {
    let folder = tempfile::Builder::new()
        .prefix(".arrears-borrowers-")
        .tempdir()
        .map_err(|e| spill_error("cannot make a spill folder", e))?;
    let path = |kind: &str, index: usize| folder.path().join(format!("{kind}-{index:03}"));
    // Pass 1: every loan read, to the partition of its borrower.
    let stream = open().map_err(BatchError::Read)?;
    let from_reader = chunks(stream);
    let mut partitions = Vec::with_capacity(PARTITIONS);
    for index in 0..PARTITIONS {
        let out = File::create(path("loans", index))
            .map_err(|e| spill_error("cannot make a spill file", e))?;
        partitions.push(BufWriter::with_capacity(32 << 10, out));
    }
    let mut keys = SeenKeys::default();
    let mut base: u64 = 0;
    let mut total: u64 = 0;
    while let Some((chunk, bytes_read)) = next_chunk(&from_reader).map_err(BatchError::Read)? {
        let first = base;
        base += chunk.len() as u64;
        total = bytes_read;
        let mut read = pool.install(|| read_chunk(chunk, first, file, by));
        reject_repeats(&mut read, &mut keys, file, by);
        // Encoded on the workers; only the writing is in order here.
        let encoded: Vec<(usize, Result<Vec<u8>, postcard::Error>)> = pool.install(|| {
            read.into_par_iter()
                .filter_map(|row| {
                    let (key, loan) = row.result.ok()?;
                    let borrower = borrower_of(&loan, &key, slot);
                    let partition = partition_of(&borrower);
                    let spilled = Spilled {
                        row: row.number,
                        key,
                        borrower,
                        loan,
                    };
                    Some((partition, postcard::to_stdvec(&spilled)))
                })
                .collect()
        });
        for (partition, bytes) in encoded {
            let bytes = bytes.map_err(|e| spill_error("cannot encode a loan", e))?;
            if let Some(out) = partitions.get_mut(partition) {
                put_bytes(out, &bytes)?;
            }
        }
        progress(bytes_read / 2);
    }
    for mut out in partitions {
        out.flush()
            .map_err(|e| spill_error("cannot write to the spill folder", e))?;
    }
    drop(keys);
    // Pass 2: a partition at a time, each borrower's context, per loan, sorted by row.
    for index in 0..PARTITIONS {
        let shared = pool.install(|| {
            share_partition(&path("loans", index), folder.path(), by, PARTITION_BYTES)
        })?;
        let mut out = BufWriter::new(
            File::create(path("shared", index))
                .map_err(|e| spill_error("cannot make a spill file", e))?,
        );
        for item in &shared {
            put(&mut out, item)?;
        }
        out.flush()
            .map_err(|e| spill_error("cannot write to the spill folder", e))?;
        let _ = std::fs::remove_file(path("loans", index));
    }
    // Pass 3: the book again, in order; each loan decided with its context. The rows that
    // pass 1 read as loans are exactly those with a context, in row order: a loan without
    // one repeats an earlier key, and is rejected here as pass 1 rejected it, so no second
    // set of keys is kept.
    let mut merge = Merge::open((0..PARTITIONS).map(|index| path("shared", index)))?;
    let from_reader = chunks(open().map_err(BatchError::Read)?);
    let mut ledger = Ledger {
        schema: by.program.schema(),
        file,
        seen: None,
        counts: BatchCounts::default(),
    };
    let mut sink = sink;
    let mut undrained: Vec<Done<T>> = Vec::new();
    let mut base: u64 = 0;
    while let Some((chunk, bytes_read)) = next_chunk(&from_reader).map_err(BatchError::Read)? {
        let first = base;
        base += chunk.len() as u64;
        let earlier = std::mem::take(&mut undrained);
        let mut decided = Ok(Vec::new());
        let drained = super::beside(
            pool,
            &mut decided,
            || ledger.drain_rows(earlier, &mut sink),
            || decide_with_contexts(chunk, first, file, by, &mut merge, decide),
        );
        match drained.map_err(BatchError::Sink)? {
            Flow::Continue => {}
            Flow::Stop => return Ok(ledger.stopped()),
        }
        undrained = decided?;
        progress(total / 2 + bytes_read / 2);
    }
    if ledger
        .drain_rows(undrained, &mut sink)
        .map_err(BatchError::Sink)?
        == Flow::Stop
    {
        return Ok(ledger.stopped());
    }
    Ok(ledger.counts)
}

/// Reads a chunk of pass 3, gives each loan its context from the merge (in row order) and
/// decides them on the workers.
fn decide_with_contexts<T: Send, E>(
    chunk: Vec<Pending>,
    first: u64,
    file: &str,
    by: &ByBorrower<'_>,
    merge: &mut Merge,
    decide: &(impl Fn(u64, &str, &Loan, &mut BorrowerContext) -> T + Sync),
) -> Result<Vec<Done<T>>, BatchError<E>> {
    let read = read_chunk(chunk, first, file, by);
    let mut rows: Vec<(Read, Option<BorrowerContext>)> = Vec::with_capacity(read.len());
    for mut row in read {
        let mut context = None;
        if let Ok((key, _)) = &row.result {
            match merge.next_for(row.number)? {
                Some(shared) => context = Some(shared),
                None => {
                    row.result = Err(Box::new(crate::input::duplicate(
                        file,
                        row.number,
                        row.line,
                        key,
                        by.program.schema(),
                    )));
                }
            }
        }
        rows.push((row, context));
    }
    Ok(rows
        .into_par_iter()
        .map(|(row, context)| Done {
            number: row.number,
            line: row.line,
            result: row.result.map(|(key, loan)| {
                let mut context = context
                    .unwrap_or_else(|| by.program.borrower_context(&[&loan], by.as_of, by.traced));
                let value = decide(row.number, &key, &loan, &mut context);
                (key, value)
            }),
            unknown: row.unknown,
            bytes: 0..0,
        })
        .collect())
}

/// Groups one partition's loans by borrower and works out each loan's context.
fn share_partition<E>(
    path: &std::path::Path,
    folder: &std::path::Path,
    by: &ByBorrower<'_>,
    budget: u64,
) -> Result<Vec<Shared>, BatchError<E>> {
    let size = std::fs::metadata(path)
        .map_err(|e| spill_error("cannot read the spill folder", e))?
        .len();
    if size <= budget {
        return share_loans(path, by);
    }
    // Too big to hold: split by a second hash of the borrower, each part shared in turn; only
    // the contexts (a few values a loan) are held for the whole partition.
    let parts = usize::try_from(size.div_ceil(budget.max(1))).unwrap_or(usize::MAX);
    let part_path = |part: usize| folder.join(format!("part-{part:04}"));
    let mut outs = Vec::with_capacity(parts);
    for part in 0..parts {
        let out = File::create(part_path(part))
            .map_err(|e| spill_error("cannot make a spill file", e))?;
        outs.push(BufWriter::with_capacity(32 << 10, out));
    }
    let mut input = BufReader::new(
        File::open(path).map_err(|e| spill_error("cannot read the spill folder", e))?,
    );
    while let Some(bytes) = take_bytes(&mut input)? {
        let (borrower, _) = postcard::take_from_bytes::<&str>(&bytes)
            .map_err(|e| spill_error("a spill file is damaged", e))?;
        let part = second_hash(borrower) % parts;
        if let Some(out) = outs.get_mut(part) {
            put_bytes(out, &bytes)?;
        }
    }
    for mut out in outs {
        out.flush()
            .map_err(|e| spill_error("cannot write to the spill folder", e))?;
    }
    let mut shared = Vec::new();
    for part in 0..parts {
        shared.extend(share_loans(&part_path(part), by)?);
        let _ = std::fs::remove_file(part_path(part));
    }
    shared.sort_by_key(|s| s.row);
    Ok(shared)
}

/// A hash of the borrower independent of [`partition_of`]'s.
fn second_hash(borrower: &str) -> usize {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    "split".hash(&mut hasher);
    borrower.hash(&mut hasher);
    (hasher.finish() >> 8) as usize
}

/// Groups the loans of one spill file by borrower and works out each loan's context, sorted
/// by row.
fn share_loans<E>(
    path: &std::path::Path,
    by: &ByBorrower<'_>,
) -> Result<Vec<Shared>, BatchError<E>> {
    let mut input = BufReader::new(
        File::open(path).map_err(|e| spill_error("cannot read the spill folder", e))?,
    );
    let mut buffer = Vec::new();
    let mut loans: Vec<Spilled> = Vec::new();
    while let Some(spilled) = take(&mut input, &mut buffer)? {
        loans.push(spilled);
    }
    // By borrower, and within one in input order.
    loans.sort_by(|a, b| a.borrower.cmp(&b.borrower).then(a.row.cmp(&b.row)));
    let groups: Vec<&[Spilled]> = loans.chunk_by(|a, b| a.borrower == b.borrower).collect();
    let mut shared: Vec<Shared> = groups
        .par_iter()
        .flat_map_iter(|group| {
            let each: Vec<&Loan> = group.iter().map(|s| &s.loan).collect();
            let fresh = by.program.borrower_context(&each, by.as_of, by.traced);
            // The first loan decides the decisions made per borrower; the others copy them.
            let mut after = fresh.clone();
            if let Some(leader) = group.first() {
                by.program.evaluate_in(&leader.loan, &mut after, by.as_of);
            }
            group
                .iter()
                .enumerate()
                .map(|(position, s)| Shared {
                    row: s.row,
                    context: if position == 0 {
                        fresh.clone()
                    } else {
                        after.clone()
                    },
                })
                .collect::<Vec<_>>()
        })
        .collect();
    shared.sort_by_key(|s| s.row);
    Ok(shared)
}

/// The partitions' contexts, merged by row.
struct Merge {
    readers: Vec<BufReader<File>>,
    heads: BinaryHeap<std::cmp::Reverse<(u64, usize)>>,
    pending: Vec<Option<Shared>>,
    buffer: Vec<u8>,
}

impl Merge {
    fn open<E>(paths: impl Iterator<Item = std::path::PathBuf>) -> Result<Merge, BatchError<E>> {
        let mut merge = Merge {
            readers: Vec::new(),
            heads: BinaryHeap::new(),
            pending: Vec::new(),
            buffer: Vec::new(),
        };
        for path in paths {
            let file =
                File::open(path).map_err(|e| spill_error("cannot read the spill folder", e))?;
            merge.readers.push(BufReader::with_capacity(32 << 10, file));
            merge.pending.push(None);
            let index = merge.readers.len() - 1;
            merge.refill(index)?;
        }
        Ok(merge)
    }

    fn refill<E>(&mut self, index: usize) -> Result<(), BatchError<E>> {
        let Some(reader) = self.readers.get_mut(index) else {
            return Ok(());
        };
        let next: Option<Shared> = take(reader, &mut self.buffer)?;
        if let Some(shared) = &next {
            self.heads.push(std::cmp::Reverse((shared.row, index)));
        }
        if let Some(slot) = self.pending.get_mut(index) {
            *slot = next;
        }
        Ok(())
    }

    /// The context of row `number`, when the merge's next one is for it (rows come in
    /// order, so a row without one is one the first pass did not read as a new loan).
    fn next_for<E>(&mut self, number: u64) -> Result<Option<BorrowerContext>, BatchError<E>> {
        match self.heads.peek() {
            Some(std::cmp::Reverse((row, _))) if *row == number => {
                Ok(self.next()?.map(|shared| shared.context))
            }
            _ => Ok(None),
        }
    }

    fn next<E>(&mut self) -> Result<Option<Shared>, BatchError<E>> {
        let Some(std::cmp::Reverse((_, index))) = self.heads.pop() else {
            return Ok(None);
        };
        let shared = self.pending.get_mut(index).and_then(Option::take);
        self.refill(index)?;
        Ok(shared)
    }
}

/// What [`loans_of_borrower`] found for a loan key.
#[derive(Debug)]
pub enum BorrowerLoans {
    /// The loan's borrower's loans that were read, in input order, and where the loan is
    /// among them.
    Found {
        /// Each loan with its key.
        loans: Vec<(String, Loan)>,
        /// The position of the loan asked for.
        position: usize,
    },
    /// The loan's row is rejected.
    Rejected(Box<Rejected>),
    /// No row has that key.
    Missing,
}

/// The loans of the borrower of loan `wanted`, for explaining one loan of a policy that reads
/// borrowers: one pass finds the loan and its borrower (and stops there), a second gathers
/// the borrower's loans (only those are kept). `open` opens the book; `program` reads it.
pub fn loans_of_borrower(
    open: &dyn Fn() -> Result<RecordStream, StreamError>,
    file: &str,
    program: &Program,
    wanted: &str,
) -> Result<BorrowerLoans, BatchError<std::convert::Infallible>> {
    let schema = program.schema();
    let slot = program.borrower_field().map(|slot| slot.index());
    let borrower_of = |loan: &Loan, key: &str| match slot {
        Some(slot) => borrower_of(loan, key, slot),
        None => format!("\u{0}{key}"),
    };
    // Pass 1: whose loan it is.
    let mut found: Option<Result<String, Box<Rejected>>> = None;
    super::run_batch(
        open().map_err(BatchError::Read)?,
        file,
        schema,
        &BatchOptions::default(),
        |record| {
            let (key, loan) = record.loan(schema)?;
            let borrower = (key == wanted).then(|| borrower_of(&loan, &key));
            Ok((key, borrower))
        },
        |row| {
            match row {
                BatchRow::Decided {
                    value: Some(borrower),
                    ..
                } => found = Some(Ok(borrower)),
                BatchRow::Rejected(rejected) if rejected.loan_id.as_deref() == Some(wanted) => {
                    found = Some(Err(Box::new(rejected)));
                }
                _ => return Ok(Flow::Continue),
            }
            Ok(Flow::Stop)
        },
        &|_| {},
    )?;
    let borrower = match found {
        None => return Ok(BorrowerLoans::Missing),
        Some(Err(rejected)) => return Ok(BorrowerLoans::Rejected(rejected)),
        Some(Ok(borrower)) => borrower,
    };
    // Pass 2: every loan of that borrower, in input order (repeated keys rejected as ever).
    let mut loans: Vec<(String, Loan)> = Vec::new();
    super::run_batch(
        open().map_err(BatchError::Read)?,
        file,
        schema,
        &BatchOptions::default(),
        |record| {
            let (key, loan) = record.loan(schema)?;
            let mine = borrower_of(&loan, &key) == borrower;
            Ok((key, mine.then_some(loan)))
        },
        |row| {
            if let BatchRow::Decided {
                key,
                value: Some(loan),
                ..
            } = row
            {
                loans.push((key, loan));
            }
            Ok(Flow::Continue)
        },
        &|_| {},
    )?;
    Ok(match loans.iter().position(|(key, _)| key == wanted) {
        Some(position) => BorrowerLoans::Found { loans, position },
        None => BorrowerLoans::Missing,
    })
}

impl Program {
    /// Decides loan `position` of a borrower's `loans` (in input order) and records why, as
    /// a batch by borrower decides it: the first loan decides what is decided per borrower.
    pub fn evaluate_traced_among(
        &self,
        loans: &[(String, Loan)],
        position: usize,
        as_of: NaiveDate,
    ) -> Option<(crate::program::Evaluation, crate::eval::Trace)> {
        let each: Vec<&Loan> = loans.iter().map(|(_, loan)| loan).collect();
        let mut context = self.borrower_context(&each, as_of, true);
        if position > 0
            && let Some((_, first)) = loans.first()
        {
            self.evaluate_in(first, &mut context, as_of);
        }
        let (_, loan) = loans.get(position)?;
        Some(self.evaluate_traced_in(loan, &mut context, as_of))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A partition split because it is too big to hold gives every loan the context it gets
    /// when held whole.
    #[test]
    fn a_split_partition_shares_as_a_whole_one() {
        let schema = "schema s keyed by id, borrowers by who\n  field id: text\n  field who: optional text\n  field owed: money\n";
        let policy = "policy p\nlet total = sum(borrower.owed)\nlet loans = count(borrower.loans)\nactions call, visit\ndecision plan per borrower: first match, gives action\n  rule P1 when total > 100 and loans >= 2 then visit\n  rule P2 otherwise then call\n";
        let loaded = crate::load::load_policy_text(
            std::path::Path::new("p.policy"),
            format!("{schema}{policy}"),
        )
        .unwrap();
        let program = &loaded.program;
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("loans");
        let mut out = BufWriter::new(File::create(&path).unwrap());
        for row in 1..=400u64 {
            let who = if row % 7 == 0 {
                String::new()
            } else {
                format!("B{}", row % 37)
            };
            let json = if who.is_empty() {
                format!(r#"{{"id":"L{row}","owed":"{row}.50"}}"#)
            } else {
                format!(r#"{{"id":"L{row}","who":"{who}","owed":"{row}.50"}}"#)
            };
            let (key, loan) = crate::input::loan_from_json(&json, program.schema()).unwrap();
            let borrower = borrower_of(&loan, &key, 1);
            put::<()>(
                &mut out,
                &Spilled {
                    borrower,
                    row,
                    key,
                    loan,
                },
            )
            .unwrap();
        }
        out.flush().unwrap();
        let by = ByBorrower {
            program,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            traced: true,
            order: BorrowerOrder::Unsorted,
        };
        let whole = share_partition::<()>(&path, folder.path(), &by, u64::MAX).unwrap();
        let split = share_partition::<()>(&path, folder.path(), &by, 1_000).unwrap();
        assert_eq!(whole.len(), 400);
        let encode = |shared: &[Shared]| -> Vec<Vec<u8>> {
            shared
                .iter()
                .map(|s| postcard::to_stdvec(s).unwrap())
                .collect()
        };
        assert_eq!(encode(&whole), encode(&split));
        // Only the split's parts were written beside the partition, and they are gone.
        let left: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
        assert_eq!(left.len(), 1);
    }
}
