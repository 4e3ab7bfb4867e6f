//! Reading portfolios: JSON Lines, CSV and YAML, each into the same raw shape, then one
//! converter that turns a raw record into a [`Loan`] or a precise [`Rejected`] row.
//!
//! INVARIANT: money is never read through a float. JSON numbers keep their exact text
//! (serde_json's `arbitrary_precision`), YAML scalars are read as text, CSV cells are text.
//! INVARIANT: no row is dropped: every record read becomes a loan or a rejected row.

mod arrow;
mod convert;
mod csv;
mod direct;
mod jsonl;
mod stream;
pub(crate) mod yaml;

pub(crate) use stream::Pending;
pub use stream::{RecordStream, StreamError};

use std::borrow::Cow;
use std::io::Read;

pub(crate) use convert::convert;

use crate::diag::Code;
use crate::schema::{FieldType, Schema};
use crate::value::Loan;

/// A portfolio file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    /// One JSON object a line.
    Jsonl,
    /// A header row, then one loan a row; list fields hold a JSON array in their cell.
    Csv,
    /// A list of objects.
    Yaml,
    /// Apache Parquet: one loan a row; list fields as `list<struct>`.
    Parquet,
    /// Apache Arrow IPC (a `.arrow` / Feather 2 file, or a stream).
    Arrow,
}

impl InputFormat {
    /// Its name as the command line and the run manifest spell it.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Jsonl => "jsonl",
            InputFormat::Csv => "csv",
            InputFormat::Yaml => "yaml",
            InputFormat::Parquet => "parquet",
            InputFormat::Arrow => "arrow",
        }
    }

    /// The format a file name's extension implies.
    pub fn from_extension(path: &std::path::Path) -> Option<InputFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "json" => Some(InputFormat::Jsonl),
            "csv" => Some(InputFormat::Csv),
            "yaml" | "yml" => Some(InputFormat::Yaml),
            "parquet" | "pq" => Some(InputFormat::Parquet),
            "arrow" | "arrows" | "feather" | "ipc" => Some(InputFormat::Arrow),
            _ => None,
        }
    }
}

/// A value as the file spelled it, before the schema gives it meaning. Text is borrowed from
/// the record's own text where the format allows (JSON without escapes, CSV cells), so reading
/// a record allocates little beyond its lists.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Raw<'a> {
    Null,
    /// Any scalar, as its exact text (`true`, `125000.50`, `2026-01-31`, `王小明`).
    Scalar(Cow<'a, str>),
    List(Vec<Raw<'a>>),
    Map(Vec<(Cow<'a, str>, Raw<'a>)>),
}

impl Raw<'_> {
    /// The same value, borrowing every text from `self`.
    pub(crate) fn reborrow(&self) -> Raw<'_> {
        match self {
            Raw::Null => Raw::Null,
            Raw::Scalar(text) => Raw::Scalar(Cow::Borrowed(text)),
            Raw::List(items) => Raw::List(items.iter().map(Raw::reborrow).collect()),
            Raw::Map(entries) => Raw::Map(
                entries
                    .iter()
                    .map(|(key, value)| (Cow::Borrowed(key.as_ref()), value.reborrow()))
                    .collect(),
            ),
        }
    }
}

/// One record read from a file, with where it was.
#[derive(Debug)]
pub(crate) struct RawRecord<'a> {
    /// 1-based line of the record's start, when the format tells it.
    pub(crate) line: Option<u64>,
    /// The record, or why it is not one.
    pub(crate) raw: Result<Raw<'a>, String>,
}

/// A row that could not become a loan, and exactly why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// The portfolio file.
    pub file: String,
    /// 1-based position of the record in the file (the n-th loan).
    pub record: u64,
    /// 1-based line where the record starts, when known.
    pub line: Option<u64>,
    /// The loan's key, when it could be read.
    pub loan_id: Option<String>,
    /// The field at fault (`promises[2].due_on`), when there is one.
    pub field: Option<String>,
    /// The offending value as written, when there is one.
    pub value: Option<String>,
    /// The error code.
    pub code: Code,
    /// What is wrong, in plain words (English: rejects files and decision records keep it).
    pub reason: String,
    /// The same, to say in any language.
    pub said: crate::lang::Text,
}

/// A rejection's words in English, as rejects files and records keep them.
pub(crate) fn said_in_english(said: &crate::lang::Text) -> String {
    said.in_lang(crate::lang::Lang::En)
}

impl Rejected {
    /// Hides the offending value when it is free text (a name, an address) rather than a
    /// choice, amount or date, as traces are redacted. The loan id is kept.
    pub fn redact(&mut self, schema: &Schema) {
        let Some(path) = self.field.as_deref() else {
            return;
        };
        // `promises[2].note` → the list field, then the record field.
        let (top, inner) = match path.split_once('[') {
            Some((top, rest)) => (top, rest.split_once("].").map(|(_, field)| field)),
            None => (path, None),
        };
        let Some(slot) = schema.slot(top) else {
            return;
        };
        let ty = schema
            .fields
            .get(slot)
            .and_then(|field| match (&field.ty, inner) {
                (FieldType::List(fields), Some(inner)) => {
                    fields.iter().find(|f| f.name == inner).map(|f| &f.ty)
                }
                (ty, _) => Some(ty),
            });
        if slot != schema.key && ty == Some(&FieldType::Text) && self.value.is_some() {
            self.value = Some(crate::value::REDACTED.to_owned());
        }
    }
}

/// One record of a portfolio: a loan, or a rejected row.
#[derive(Debug)]
pub struct Row {
    /// 1-based position in the file.
    pub record: u64,
    /// The loan and its key, or the rejection.
    pub result: Result<(String, Loan), Rejected>,
}

/// Everything read from one portfolio.
#[derive(Debug, Default)]
pub struct Portfolio {
    /// The rows, in file order.
    pub rows: Vec<Row>,
    /// Fields present in the file that the schema does not declare.
    pub unknown_fields: UnknownFields,
}

/// Field names a portfolio has that its schema does not declare: each once, in the order first
/// met. A set answers "seen already?", so a record with 200,000 unknown fields, or a CSV file
/// with as many columns, costs time in proportion to its size.
#[derive(Clone, Debug, Default)]
pub struct UnknownFields {
    names: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl PartialEq for UnknownFields {
    fn eq(&self, other: &UnknownFields) -> bool {
        self.names == other.names
    }
}

impl Eq for UnknownFields {}

impl UnknownFields {
    /// Remembers `name`, unless it was met before.
    pub fn note(&mut self, name: &str) {
        if !self.seen.contains(name) {
            self.seen.insert(name.to_owned());
            self.names.push(name.to_owned());
        }
    }

    /// Adds the names `other` met, after this one's.
    pub fn merge(&mut self, other: UnknownFields) {
        for name in other.names {
            if !self.seen.contains(&name) {
                self.seen.insert(name.clone());
                self.names.push(name);
            }
        }
    }

    /// The names, in the order first met.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// True when every field was declared.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names for a person: `` `a`, `b` ``, or the first `shown` and `… and 199,980 more`,
    /// so a file with two hundred thousand stray columns gets a warning one can read.
    pub fn listed(&self, shown: usize) -> String {
        let mut list = self
            .names
            .iter()
            .take(shown)
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let more = self.names.len().saturating_sub(shown);
        if more > 0 {
            let more = crate::value::grouped(rust_decimal::Decimal::from(more));
            list.push_str(&format!(" … and {more} more"));
        }
        list
    }
}

/// Reads one loan from a JSON object, as a JSON Lines portfolio holds it; for embedders that
/// decide loans one at a time.
#[expect(
    clippy::result_large_err,
    reason = "a rejection is the rare path and carries everything a person needs to fix the row"
)]
pub fn loan_from_json(json: &str, schema: &Schema) -> Result<(String, Loan), Rejected> {
    let at = convert::Origin {
        file: "(json)",
        number: 1,
        line: None,
    };
    jsonl::read_loan(
        json.as_bytes(),
        schema,
        None,
        None,
        &at,
        &mut UnknownFields::default(),
    )
}

/// Remembers the keys seen so far, to reject a repeated one. Keeps a 64-bit digest per key, not
/// the key. Two different keys share a digest with a chance of about one in 3 × 10^5 in a
/// portfolio of 10 million loans (n² / 2^65).
///
/// Digests go first into a small hash set; when it fills, they are merged into one sorted
/// sequence, searched by bisection. That costs 8 bytes a key: 80 MB for 10 million loans, where
/// one big hash set needs about 150 MB and twice that for a moment each time it grows.
/// A lookup bisects one small bucket of the sequence, found from the digest's top bits.
///
/// The sequence is kept in pages of [`PAGE`] digests, not in one vector: a vector of 80 MB
/// that doubles is copied whole by any allocator that cannot grow it in place (jemalloc,
/// mimalloc), holding the old and the new copy at once. A merge writes its pages into the old
/// ones as soon as they have been read, so it never holds more than a page or two extra, and
/// every page is the same size.
///
/// Books usually come sorted by their key. A key above every key seen so far is new without a
/// lookup: its digest joins a plain list (`rising`), which enters the hash set only when a key
/// comes that is not above them all, or with the hash set at a settling. A sorted book thus
/// never looks a key up at random, which cost about 400 ns a key at a million loans (three
/// cache misses: the hash set, the bucket index, the page). "Above" is kept in two orders at
/// once, since a book may be sorted either way: as text (`L10` before `L9`), or as numbers
/// written without leading zeros, shorter keys first (`L9` before `L10`).
#[derive(Debug, Default)]
pub(crate) struct SeenKeys {
    /// The highest key seen so far in each order; `None` before the first.
    highest: Option<Highest>,
    /// Digests of keys that were the highest when they came, in neither the hash set nor the
    /// pages yet. With the hash set, never more than [`RECENT_KEYS`].
    rising: Vec<u64>,
    recent: std::collections::HashSet<u64, std::hash::BuildHasherDefault<DigestHasher>>,
    /// The settled digests, sorted, [`PAGE`] to a page (the last page may hold fewer).
    pages: Vec<Vec<u64>>,
    /// Where each bucket of the settled digests starts, by the digests' top [`PREFIX_BITS`]
    /// bits; one more entry closes the last bucket. Empty until the first settling.
    starts: Vec<usize>,
}

/// How many digests the hash set holds before they are settled: its table stays at 2^19 slots
/// (about 5 MB). Tests settle every 40 keys, so that pages fill, turn over and end part full.
const RECENT_KEYS: usize = if cfg!(test) { 40 } else { 7 << 16 };

/// Settled digests a page holds: 2^20 (8 MB); 16 in tests, so that a test's keys span pages.
const PAGE_BITS: u32 = if cfg!(test) { 4 } else { 20 };
const PAGE: usize = 1 << PAGE_BITS;

/// The highest key seen so far in each of two orders.
#[derive(Debug)]
struct Highest {
    /// In byte order.
    as_text: String,
    /// Shorter first, then in byte order.
    as_number: String,
}

/// `key` against `highest` with shorter keys first: numbers without leading zeros in their
/// order.
fn by_length(key: &str, highest: &str) -> std::cmp::Ordering {
    key.len().cmp(&highest.len()).then_with(|| key.cmp(highest))
}

/// Where a key stands against the highest keys seen so far.
enum Rank {
    /// Above either (or the first key): never seen. Says above which.
    Above { as_text: bool, as_number: bool },
    /// One of them: seen.
    Highest,
    /// Below both: only a lookup can tell.
    Below,
}

impl SeenKeys {
    /// True when `key` was seen before (without remembering it).
    pub(crate) fn contains(&mut self, key: &str) -> bool {
        match self.rank(key) {
            Rank::Above { .. } => false,
            Rank::Highest => true,
            Rank::Below => {
                self.index_rising();
                let digest = digest(key);
                self.recent.contains(&digest) || self.is_settled(digest)
            }
        }
    }

    /// True the first time `key` is seen.
    pub(crate) fn first(&mut self, key: &str) -> bool {
        match self.rank(key) {
            Rank::Above { as_text, as_number } => {
                self.rising.push(digest(key));
                self.raise(key, as_text, as_number);
            }
            Rank::Highest => return false,
            Rank::Below => {
                self.index_rising();
                let digest = digest(key);
                if self.is_settled(digest) || !self.recent.insert(digest) {
                    return false;
                }
            }
        }
        // One bound for both branches: after `index_rising` the rising list is empty, so
        // this is the recent set's own bound there.
        if self.rising.len() + self.recent.len() >= RECENT_KEYS {
            self.settle();
        }
        true
    }

    fn rank(&self, key: &str) -> Rank {
        use std::cmp::Ordering::{Equal, Greater};
        let Some(highest) = &self.highest else {
            return Rank::Above {
                as_text: true,
                as_number: true,
            };
        };
        let (as_text, as_number) = (
            key.cmp(&highest.as_text),
            by_length(key, &highest.as_number),
        );
        if as_text == Equal || as_number == Equal {
            Rank::Highest
        } else if as_text == Greater || as_number == Greater {
            Rank::Above {
                as_text: as_text == Greater,
                as_number: as_number == Greater,
            }
        } else {
            Rank::Below
        }
    }

    /// Makes `key` the highest in each order it is above, as [`Self::rank`] found.
    fn raise(&mut self, key: &str, as_text: bool, as_number: bool) {
        let Some(highest) = &mut self.highest else {
            self.highest = Some(Highest {
                as_text: key.to_owned(),
                as_number: key.to_owned(),
            });
            return;
        };
        for (above, place) in [
            (as_text, &mut highest.as_text),
            (as_number, &mut highest.as_number),
        ] {
            if above {
                place.clear();
                place.push_str(key);
            }
        }
    }

    /// Puts the rising keys' digests where a lookup finds them: into the hash set while it has
    /// room, else into the pages with it.
    fn index_rising(&mut self) {
        if self.rising.is_empty() {
            return;
        }
        if self.recent.len() + self.rising.len() < RECENT_KEYS {
            self.recent.extend(self.rising.drain(..));
        } else {
            self.settle();
        }
    }

    /// The settled digest at `index` of the sorted sequence.
    fn settled_at(&self, index: usize) -> Option<u64> {
        self.pages
            .get(index >> PAGE_BITS)?
            .get(index & (PAGE - 1))
            .copied()
    }

    /// Whether `digest` is among the settled ones: bisection within its prefix's bucket,
    /// a few dozen digests on one or two cache lines, where bisecting the whole sequence would
    /// miss the cache at most steps.
    fn is_settled(&self, digest: u64) -> bool {
        let bucket = (digest >> (64 - PREFIX_BITS)) as usize;
        let (Some(&start), Some(&end)) = (self.starts.get(bucket), self.starts.get(bucket + 1))
        else {
            return false;
        };
        let (mut low, mut high) = (start, end);
        while low < high {
            let middle = low + (high - low) / 2;
            match self.settled_at(middle) {
                Some(found) if found < digest => low = middle + 1,
                Some(found) if found == digest => return true,
                Some(_) => high = middle,
                None => return false,
            }
        }
        false
    }

    /// Merges the hash set's and the rising keys' digests into the settled ones, page by page,
    /// and indexes the buckets on the way. Each old page, once read, becomes a new one: a
    /// settling allocates a page or two at most, however many it writes.
    fn settle(&mut self) {
        let mut fresh: Vec<u64> = self.recent.drain().chain(self.rising.drain(..)).collect();
        fresh.sort_unstable();
        let mut fresh = fresh.into_iter().peekable();
        let mut merged = Merged {
            pages: Vec::new(),
            page: Vec::with_capacity(PAGE),
            spare: Vec::new(),
            starts: std::mem::take(&mut self.starts),
            count: 0,
        };
        merged.starts.clear();
        for mut old in std::mem::take(&mut self.pages) {
            for &digest in &old {
                while let Some(earlier) = fresh.next_if(|f| *f < digest) {
                    merged.push(earlier);
                }
                merged.push(digest);
            }
            old.clear();
            merged.spare.push(old);
        }
        for digest in fresh {
            merged.push(digest);
        }
        if !merged.page.is_empty() {
            merged.pages.push(merged.page);
        }
        while merged.starts.len() <= 1 << PREFIX_BITS {
            merged.starts.push(merged.count);
        }
        self.pages = merged.pages;
        self.starts = merged.starts;
    }
}

/// The settled digests being written by [`SeenKeys::settle`], in order.
struct Merged {
    pages: Vec<Vec<u64>>,
    /// The page being filled.
    page: Vec<u64>,
    /// Old pages already read, emptied, for the next pages.
    spare: Vec<Vec<u64>>,
    starts: Vec<usize>,
    count: usize,
}

impl Merged {
    fn push(&mut self, digest: u64) {
        let bucket = (digest >> (64 - PREFIX_BITS)) as usize;
        while self.starts.len() <= bucket {
            self.starts.push(self.count);
        }
        self.page.push(digest);
        self.count += 1;
        if self.page.len() == PAGE {
            let next = self.spare.pop().unwrap_or_else(|| Vec::with_capacity(PAGE));
            self.pages.push(std::mem::replace(&mut self.page, next));
        }
    }
}

/// Hashes a digest to itself: a digest is already a hash of the key, evenly spread, so hashing
/// it again (SipHash, the set's default) would only cost time on the writing thread.
#[derive(Debug, Default)]
struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, digest: u64) {
        self.0 = digest;
    }

    /// Only `u64`s are hashed with it; anything else is folded in, so it stays a hash.
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
}

/// A key's 64-bit digest. `DefaultHasher::new()` has fixed keys: the same digest on every run
/// and machine.
fn digest(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// Settled digests are indexed by their top bits: 2^18 buckets (2 MB of index), a few dozen
/// digests each at 10 million loans; 64 in tests, which settle often.
const PREFIX_BITS: u32 = if cfg!(test) { 6 } else { 18 };

/// The rejection of a row whose key an earlier row already used.
pub(crate) fn duplicate(
    file: &str,
    record: u64,
    line: Option<u64>,
    key: &str,
    schema: &Schema,
) -> Rejected {
    Rejected {
        file: file.to_owned(),
        record,
        line,
        loan_id: Some(key.to_owned()),
        field: schema.fields.get(schema.key).map(|f| f.name.clone()),
        value: Some(key.to_owned()),
        code: Code::ROW_DUPLICATE_KEY,
        reason: said_in_english(&crate::lang::text!("row-duplicate-key")),
        said: crate::lang::text!("row-duplicate-key"),
    }
}

/// The row of a loan its caller's work gave no result for (a broken front end, never a row's
/// fault): accounted for as rejected, with the internal-error code, rather than lost.
pub(crate) fn undecided(file: &str, record: u64, line: Option<u64>, key: &str) -> Rejected {
    Rejected {
        file: file.to_owned(),
        record,
        line,
        loan_id: Some(key.to_owned()),
        field: None,
        value: None,
        code: Code::INTERNAL,
        reason: said_in_english(&crate::lang::text!("row-undecided")),
        said: crate::lang::text!("row-undecided"),
    }
}

/// Reads a whole portfolio from `reader` into memory (for `explain`, `diff`, `report` and tests;
/// `run` streams instead). `file` names it in rejections. Fails only when the file as a whole
/// cannot be read (an I/O error, a YAML document that is not a list).
pub fn read_portfolio(
    reader: impl Read + Send + 'static,
    file: &str,
    format: InputFormat,
    schema: &Schema,
) -> Result<Portfolio, StreamError> {
    let mut stream = RecordStream::open(Box::new(reader), format, schema)?;
    let mut portfolio = Portfolio::default();
    let mut seen = SeenKeys::default();
    loop {
        let chunk = stream.next_chunk(1 << 14)?;
        if chunk.is_empty() {
            return Ok(portfolio);
        }
        for pending in chunk {
            let number = portfolio.rows.len() as u64 + 1;
            let line = pending.line();
            let result =
                match pending.to_loan(schema, None, file, number, &mut portfolio.unknown_fields) {
                    Ok((key, _)) if !seen.first(&key) => {
                        Err(duplicate(file, number, line, &key, schema))
                    }
                    other => other,
                };
            portfolio.rows.push(Row {
                record: number,
                result,
            });
        }
    }
}

/// What the readers' tests share: the retail schema and the files of the corpus.
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::LazyLock;

    use crate::schema::Schema;

    /// The schema of the shipped retail policy.
    pub(crate) static RETAIL: LazyLock<Schema> = LazyLock::new(|| {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/retail.policy");
        crate::load::load_policy(&path).unwrap().program.schema
    });

    /// Every other field of [`RETAIL`]: what a run whose policy reads those would keep.
    pub(crate) static EVERY_OTHER_FIELD: LazyLock<crate::schema::FieldSet> = LazyLock::new(|| {
        let mut kept = crate::schema::FieldSet::none(RETAIL.fields.len());
        (0..RETAIL.fields.len())
            .step_by(2)
            .for_each(|slot| kept.insert(slot));
        kept
    });

    /// `bytes` with each edit made in turn: at `place` (wrapped to the length), `cut` bytes
    /// (fewer at the end) replaced by piece number `piece` of `pieces`. The differential tests'
    /// way of making near-valid input from shipped input.
    pub(crate) fn splice(bytes: &mut Vec<u8>, edits: &[(usize, usize, usize)], pieces: &[&str]) {
        for &(place, piece, cut) in edits {
            let at = place % (bytes.len() + 1);
            let end = (at + cut).min(bytes.len());
            let piece = pieces.get(piece).copied().unwrap_or_default();
            bytes.splice(at..end, piece.bytes());
        }
    }

    /// The bytes of every shipped book and hostile-input file ending in `.extension`, in name
    /// order.
    pub(crate) fn corpus(extension: &str) -> Vec<Vec<u8>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["examples/portfolios", "tests/inputs"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == extension))
                .collect();
            paths.sort();
            files.extend(paths.iter().map(|path| std::fs::read(path).unwrap()));
        }
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retail_schema() -> Schema {
        testing::RETAIL.clone()
    }

    /// Reads `bytes` as a whole portfolio of `format` against the retail schema.
    fn read(bytes: impl AsRef<[u8]>, format: InputFormat) -> Portfolio {
        let bytes = bytes.as_ref().to_vec();
        read_portfolio(std::io::Cursor::new(bytes), "p", format, &retail_schema()).unwrap()
    }

    /// A bundled sample portfolio's text (`retail-sample.jsonl`, `retail-sample.csv`).
    fn sample(name: &str) -> String {
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("examples/portfolios")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn a_line_that_is_not_utf8_is_one_rejected_row_and_crlf_and_blank_lines_are_read() {
        let sample = sample("retail-sample.jsonl");
        let first = sample.lines().next().unwrap();
        let good =
            |id: &str| first.replacen(r#""loan_id":"L00001""#, &format!(r#""loan_id":"{id}""#), 1);
        let mut bytes = Vec::new();
        bytes.extend_from_slice(good("A").as_bytes());
        bytes.extend_from_slice(b"\r\n\r\n   \n");
        bytes.extend_from_slice(br#"{"loan_id":"B","borrower":""#);
        bytes.extend_from_slice(&[0xff, 0xfe]);
        bytes.extend_from_slice(b"\"}\n");
        bytes.extend_from_slice(good("C").as_bytes());
        let portfolio = read(bytes, InputFormat::Jsonl);
        let lines: Vec<(Option<u64>, bool)> = portfolio
            .rows
            .iter()
            .map(|row| match &row.result {
                Ok(_) => (None, true),
                Err(rejected) => (rejected.line, false),
            })
            .collect();
        assert_eq!(lines, [(None, true), (Some(4), false), (None, true)]);
        let Err(rejected) = &portfolio.rows[1].result else {
            unreachable!()
        };
        assert!(rejected.reason.contains("not valid UTF-8"), "{rejected:?}");
    }

    #[test]
    fn the_first_wrong_field_in_schema_order_is_named_whatever_the_file_order() {
        let schema = retail_schema();
        let lines = concat!(
            r#"{"loan_id":"A","principal_outstanding":"x","willingness":"maybe"}"#,
            "\n",
            r#"{"willingness":"maybe","principal_outstanding":"x","loan_id":"B"}"#,
            "\n",
        );
        let portfolio = read(lines, InputFormat::Jsonl);
        let named: Vec<(Option<String>, Option<String>)> = portfolio
            .rows
            .iter()
            .map(|row| match &row.result {
                Ok(_) => (None, None),
                Err(rejected) => (rejected.loan_id.clone(), rejected.field.clone()),
            })
            .collect();
        let first_bad = schema
            .fields
            .iter()
            .find(|f| {
                matches!(
                    f.name.as_str(),
                    "borrower" | "principal_outstanding" | "willingness"
                )
            })
            .map(|f| f.name.clone());
        assert_eq!(
            named,
            [
                (Some("A".into()), first_bad.clone()),
                (Some("B".into()), first_bad)
            ]
        );
    }

    /// A field given twice rejects the row, unless a field earlier in the schema is wrong
    /// too (that one is named); the loan's key is the first one given, even when it is the
    /// field given twice.
    #[test]
    fn a_field_given_twice_is_named_unless_an_earlier_field_is_wrong() {
        let sample = sample("retail-sample.jsonl");
        let first = sample.lines().next().unwrap();
        let willing = r#""willingness":"willing""#;
        let twice = r#""willingness":"willing","willingness":"refuses""#;
        let lines = [
            first.replacen(willing, twice, 1),
            first.replacen(willing, twice, 1).replacen(
                r#""principal_outstanding":96011.58"#,
                r#""principal_outstanding":"x""#,
                1,
            ),
            first.replacen(willing, twice, 1).replacen(
                r#""next_contact_at":"20:49""#,
                r#""next_contact_at":"25:99""#,
                1,
            ),
            first.replacen(r#""loan_id":"L00001""#, r#""loan_id":"A","loan_id":"B""#, 1),
        ];
        let portfolio = read(lines.join("\n"), InputFormat::Jsonl);
        let named: Vec<(Option<String>, Option<String>, Code)> = portfolio
            .rows
            .iter()
            .map(|row| {
                let rejected = row.result.as_ref().err().unwrap();
                (
                    rejected.loan_id.clone(),
                    rejected.field.clone(),
                    rejected.code,
                )
            })
            .collect();
        let id = |id: &str| Some(id.to_owned());
        let field = |name: &str| Some(name.to_owned());
        assert_eq!(
            named,
            [
                (id("L00001"), field("willingness"), Code::ROW_MALFORMED),
                (
                    id("L00001"),
                    field("principal_outstanding"),
                    Code::ROW_BAD_VALUE
                ),
                (id("L00001"), field("willingness"), Code::ROW_MALFORMED),
                (id("A"), field("loan_id"), Code::ROW_MALFORMED),
            ]
        );
    }

    #[test]
    fn a_book_whose_keys_come_in_an_order_of_its_own_reads_as_the_same_loans() {
        let schema = &*testing::RETAIL;
        let sample = sample("retail-sample.jsonl");
        let mut book = String::new();
        for line in sample.lines() {
            let object: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(line).unwrap();
            let reversed = serde_json::Value::Object(object.into_iter().rev().collect());
            let reversed = reversed.to_string();
            assert_ne!(line, reversed);
            assert_eq!(
                loan_from_json(&reversed, schema).unwrap(),
                loan_from_json(line, schema).unwrap()
            );
            book.push_str(&reversed);
            book.push('\n');
        }
        // Read as a book, the lines of a block are read in the order learnt from one of them.
        let read = |text: String| {
            let portfolio = read_portfolio(
                std::io::Cursor::new(text),
                "p.jsonl",
                InputFormat::Jsonl,
                schema,
            )
            .unwrap();
            let rows: Vec<_> = portfolio
                .rows
                .into_iter()
                .map(|row| row.result.unwrap())
                .collect();
            rows
        };
        let sample_len = sample.lines().count();
        let (reversed, shipped) = (read(book), read(sample));
        assert_eq!(reversed.len(), sample_len);
        assert_eq!(reversed, shipped);
    }

    #[test]
    fn seen_keys_remember_every_key_across_settling() {
        let mut seen = SeenKeys::default();
        let count = RECENT_KEYS * 2 + 10;
        for n in 0..count {
            assert!(seen.first(&format!("L{n}")), "L{n} is new");
        }
        assert!(seen.pages.len() > 2, "the settled keys fill pages");
        for n in (0..count).step_by(997) {
            assert!(!seen.first(&format!("L{n}")), "L{n} was seen");
        }
        assert!(seen.first("another"));
    }

    proptest::proptest! {
        /// Whatever the order and the repeats, `first` and `contains` answer as a set of the
        /// keys themselves does, across settlings and pages.
        #[test]
        fn seen_keys_answer_as_a_set_of_keys_does(
            keys in proptest::collection::vec((0u16..400, proptest::bool::ANY), 0..600),
        ) {
            let mut seen = SeenKeys::default();
            let mut model = std::collections::HashSet::new();
            for (number, ask_only) in keys {
                let key = format!("{number:03}");
                if ask_only {
                    proptest::prop_assert_eq!(seen.contains(&key), model.contains(&key), "contains {}", key);
                } else {
                    proptest::prop_assert_eq!(seen.first(&key), model.insert(key.clone()), "first {}", key);
                }
            }
            let settled = seen.pages.iter().map(Vec::len).sum::<usize>();
            proptest::prop_assert_eq!(settled + seen.recent.len() + seen.rising.len(), model.len());
            let flat: Vec<u64> = seen.pages.iter().flatten().copied().collect();
            proptest::prop_assert!(flat.windows(2).all(|pair| pair[0] < pair[1]), "sorted");
            proptest::prop_assert!(seen.pages.iter().rev().skip(1).all(|page| page.len() == PAGE));
        }
    }

    proptest::proptest! {
        /// A sorted book with a few keys out of place and a few repeats: long runs of rising
        /// keys, each run broken by a key below them, answer as a set of the keys does.
        #[test]
        fn seen_keys_of_a_nearly_sorted_book_answer_as_a_set_does(
            numbers in proptest::collection::vec(0u16..1000, 0..400),
            as_text in proptest::bool::ANY,
            strays in proptest::collection::vec((0usize..400, 0u16..1000, proptest::bool::ANY), 0..12),
        ) {
            // Keys without leading zeros, sorted as numbers or as text.
            let mut sorted: Vec<String> = numbers.iter().map(|n| format!("L{n}")).collect();
            if as_text {
                sorted.sort_unstable();
            } else {
                sorted.sort_unstable_by_key(|key| (key.len(), key.clone()));
            }
            let mut keys: Vec<(String, bool)> = sorted.into_iter().map(|n| (n, false)).collect();
            for (at, number, ask_only) in strays {
                keys.insert(at.min(keys.len()), (format!("L{number}"), ask_only));
            }
            let mut seen = SeenKeys::default();
            let mut model = std::collections::HashSet::new();
            for (key, ask_only) in keys {
                if ask_only {
                    proptest::prop_assert_eq!(seen.contains(&key), model.contains(&key), "contains {}", key);
                } else {
                    proptest::prop_assert_eq!(seen.first(&key), model.insert(key.clone()), "first {}", key);
                }
                // Rising keys are bounded with the hash set: both settle when they fill it.
                proptest::prop_assert!(seen.rising.len() + seen.recent.len() < RECENT_KEYS);
            }
            for number in 0u16..1000 {
                let key = format!("L{number}");
                proptest::prop_assert_eq!(seen.contains(&key), model.contains(&key), "at the end, {}", key);
            }
        }
    }

    #[test]
    fn a_csv_cell_that_is_not_utf8_is_one_rejected_row() {
        let sample = sample("retail-sample.csv");
        let mut lines = sample.lines();
        let (header, first, second) = (
            lines.next().unwrap(),
            lines.next().unwrap(),
            lines.next().unwrap(),
        );
        let mut bytes = format!("{header}\n").into_bytes();
        bytes.extend_from_slice(first.replacen("L00001", "L\u{0}", 1).as_bytes());
        bytes.extend_from_slice(b"\n");
        let bad = first.replacen("L00001", "LBAD", 1).into_bytes();
        let bad: Vec<u8> = bad
            .iter()
            .flat_map(|b| if *b == b'B' { vec![0xff] } else { vec![*b] })
            .collect();
        bytes.extend_from_slice(&bad);
        bytes.extend_from_slice(b"\n");
        bytes.extend_from_slice(second.as_bytes());
        let portfolio = read(bytes, InputFormat::Csv);
        assert_eq!(portfolio.rows.len(), 3);
        assert!(portfolio.rows[0].result.is_ok() && portfolio.rows[2].result.is_ok());
        let Err(rejected) = &portfolio.rows[1].result else {
            panic!("the row with a bad cell was read")
        };
        assert!(
            rejected
                .reason
                .contains("`loan_id` cell is not valid UTF-8"),
            "{rejected:?}"
        );
        assert_eq!(rejected.line, Some(3));
    }
}
