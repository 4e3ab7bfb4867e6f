//! The batch engine for a policy that reads a borrower's loans together: the loans of one
//! borrower are decided as a group, and the results still reach the sink one loan at a time,
//! in input order.
//!
//! The book must hold each borrower's loans next to each other (sorted by borrower, as a
//! warehouse export `ORDER BY borrower_id` gives): then a borrower is complete as soon as the
//! next one starts, and memory stays that of the chunks in flight plus one borrower carried
//! from a chunk into the next. Rejected rows between a borrower's loans do not split it. A
//! borrower met again after another one started means the book is not grouped; that stops
//! the batch with [`BatchError::NotGrouped`], naming both rows, rather than deciding the
//! borrower twice on part of its loans. A loan without a borrower is a borrower of its own.
//!
//! Repeated loan keys are rejected here, before grouping, so a repeated row never counts in
//! its borrower's values.

use rayon::prelude::*;

use super::{BatchCounts, BatchError, BatchOptions, BatchRow, CHUNK, Done, Flow, Ledger};
use crate::input::{Pending, RecordStream, Rejected, SeenKeys, StreamError, UnknownFields};
use crate::schema::Schema;
use crate::value::{Loan, Value};

/// One of a borrower's loans, as `decide` receives it: its key and the loan.
pub type GroupLoan<'a> = (&'a str, &'a Loan);

/// A record once read: the loan and its key, or why it is not one.
struct Read {
    number: u64,
    line: Option<u64>,
    result: Result<(String, Loan), Box<Rejected>>,
    unknown: UnknownFields,
}

/// What the grouping carries from chunk to chunk: keys and borrowers seen, and the rows of
/// the borrower still open at the end of the last chunk.
struct Grouping<'s> {
    schema: &'s Schema,
    file: &'s str,
    slot: usize,
    keys: SeenKeys,
    /// Borrowers whose loans are complete, to catch a book that is not grouped.
    borrowers: SeenKeys,
    /// The borrower still open, and the row of its first loan.
    open: Option<(String, u64)>,
    carried: Vec<Read>,
}

/// Streams `stream` a borrower at a time: `decide` gets each borrower's loans (those read,
/// in input order) and returns one result per loan, in the same order; `sink` gets every row
/// in input order, as [`super::run_batch`]'s does. `borrower` is the slot of the schema's
/// borrower field.
#[expect(
    clippy::too_many_arguments,
    reason = "run_batch's arguments and the borrower field"
)]
pub fn run_batch_by_borrower<T, E>(
    mut stream: RecordStream,
    file: &str,
    schema: &Schema,
    borrower: usize,
    options: &BatchOptions,
    decide: impl Fn(&[GroupLoan<'_>]) -> Vec<T> + Sync,
    mut sink: impl FnMut(BatchRow<T>) -> Result<Flow, E> + Send,
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
        seen: SeenKeys::default(),
        counts: BatchCounts::default(),
    };
    let mut grouping = Grouping {
        schema,
        file,
        slot: borrower,
        keys: SeenKeys::default(),
        borrowers: SeenKeys::default(),
        open: None,
        carried: Vec::new(),
    };
    let mut undrained: Vec<Done<T>> = Vec::new();
    let mut base: u64 = 0;
    loop {
        let (chunk, bytes_read) = match from_reader.recv() {
            Ok((Ok(chunk), _)) if chunk.is_empty() => break,
            Ok((Ok(chunk), bytes_read)) => (chunk, bytes_read),
            Ok((Err(error), _)) => return Err(BatchError::Read(error)),
            Err(_) => return Err(BatchError::Read(StreamError::ReaderStopped)),
        };
        let first = base;
        base += chunk.len() as u64;
        let earlier = std::mem::take(&mut undrained);
        let (drained, decided) = pool.install(|| {
            rayon::join(
                || ledger.drain_checked(earlier, &mut sink),
                || grouping.chunk(chunk, first, false, &decide),
            )
        });
        match drained.map_err(BatchError::Sink)? {
            Flow::Continue => {}
            Flow::Stop => return Ok(ledger.stopped()),
        }
        undrained = decided.map_err(|e| e.into_batch_error())?;
        progress(bytes_read);
    }
    let last = pool
        .install(|| grouping.chunk(Vec::new(), base, true, &decide))
        .map_err(|e| e.into_batch_error())?;
    for rows in [undrained, last] {
        if ledger
            .drain_checked(rows, &mut sink)
            .map_err(BatchError::Sink)?
            == Flow::Stop
        {
            return Ok(ledger.stopped());
        }
    }
    Ok(ledger.counts)
}

/// A book whose borrowers are not each in one piece.
struct NotGrouped {
    borrower: String,
    row: u64,
}

impl NotGrouped {
    fn into_batch_error<E>(self) -> BatchError<E> {
        BatchError::NotGrouped {
            borrower: self.borrower,
            row: self.row,
        }
    }
}

impl Grouping<'_> {
    /// Reads a chunk, groups its loans (with the borrower carried from the last chunk) and
    /// decides every borrower that is complete; `last` at the end of the book. Returns the
    /// rows up to the open borrower, in input order.
    fn chunk<T: Send>(
        &mut self,
        chunk: Vec<Pending>,
        first: u64,
        last: bool,
        decide: &(impl Fn(&[GroupLoan<'_>]) -> Vec<T> + Sync),
    ) -> Result<Vec<Done<T>>, NotGrouped> {
        let (schema, file) = (self.schema, self.file);
        let read: Vec<Read> = chunk
            .into_par_iter()
            .enumerate()
            .map(|(index, pending)| {
                let number = first + index as u64 + 1;
                let mut unknown = UnknownFields::default();
                let result = pending
                    .to_loan(schema, file, number, &mut unknown)
                    .map_err(Box::new);
                Read {
                    number,
                    line: pending.line(),
                    result,
                    unknown,
                }
            })
            .collect();
        let mut rows = std::mem::take(&mut self.carried);
        let already = rows.len();
        rows.extend(read);
        // Repeated keys are rejected before grouping (rows carried were checked already).
        for row in rows.iter_mut().skip(already) {
            if let Ok((key, _)) = &row.result
                && !self.keys.first(key)
            {
                row.result = Err(Box::new(crate::input::duplicate(
                    self.file,
                    row.number,
                    row.line,
                    key,
                    self.schema,
                )));
            }
        }
        // Cut the rows into borrowers: runs of loans with one borrower id.
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        let mut open = self.open.take();
        for (index, row) in rows.iter().enumerate() {
            let Ok((_, loan)) = &row.result else { continue };
            let id = match loan.fields.get(self.slot) {
                Some(Value::Text(id)) => Some(id.to_string()),
                _ => None,
            };
            let continues = matches!((&open, &id), (Some((o, _)), Some(i)) if o == i);
            if !continues {
                if !current.is_empty() {
                    groups.push(std::mem::take(&mut current));
                }
                if let Some((closed, _)) = open.take() {
                    self.borrowers.first(&closed);
                }
                if let Some(id) = &id
                    && self.borrowers.contains(id)
                {
                    return Err(NotGrouped {
                        borrower: id.clone(),
                        row: row.number,
                    });
                }
                open = id.map(|id| (id, row.number));
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
        let carried = rows.split_off(keep_from);
        self.carried = carried;
        let decided: Vec<Vec<T>> = groups
            .par_iter()
            .map(|members| {
                let loans: Vec<GroupLoan<'_>> = members
                    .iter()
                    .filter_map(|&i| rows.get(i))
                    .filter_map(|row| row.result.as_ref().ok())
                    .map(|(key, loan)| (key.as_str(), loan))
                    .collect();
                decide(&loans)
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
                    // `decide` gave fewer results than loans: a broken caller, not a row's
                    // fault; the loan is still accounted for, as rejected.
                    (Ok((key, _)), None) => Err(Box::new(crate::input::undecided(
                        self.file, row.number, row.line, &key,
                    ))),
                },
                unknown: row.unknown,
            })
            .collect())
    }
}
