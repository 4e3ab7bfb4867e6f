//! Reading a policy's test file (`NAME.tests.yaml`).
//!
//! The file names its policy; the policy's schema then guides the reading of every loan in it,
//! exactly as a YAML portfolio is read, so amounts are exact and a misspelt field or choice is
//! reported as precisely as a rejected portfolio row.
//!
//! ```yaml
//! policy: retail.policy          # relative to this file
//! as_of: 2026-11-20              # for every case that does not give its own
//! defaults:                      # named loans; a case starts from one (`base` unless it says)
//!   base: { loan_id: T1, product: consumer, ... }
//! cases:
//!   - name: a deceased borrower's estate is claimed
//!     loan: { deceased: true }   # only the fields that matter
//!     borrower_loans:            # the borrower's other loans, each over the same default,
//!       - { loan_id: T1-B, product: card }  # decided with it (`borrower.loans`)
//!     expect:
//!       treatment: estate_claim  # a first-match decision's outcome (`nothing` or ~ for none)
//!       extras: []               # an every-match decision's outcomes, exactly
//!       actions: { include: [estate_claim], exclude: [onsite_visit] }
//!       vetoed: [{ action: phone_reminder, guard: G2 }]
//!       fired: [T1]              # rules or guards that must have fired
//! ```

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::input::Raw;
use crate::input::yaml::{Record, item_lines_at};
use crate::schema::Field;

/// A test file as written.
#[derive(Debug, Default)]
pub(crate) struct TestFile {
    pub(crate) policy: String,
    pub(crate) as_of: Option<String>,
    pub(crate) defaults: Vec<(String, Result<Raw<'static>, String>)>,
    pub(crate) cases: Vec<CaseSpec>,
}

/// One test case as written.
#[derive(Debug, Default)]
pub(crate) struct CaseSpec {
    pub(crate) name: String,
    pub(crate) line: Option<u64>,
    pub(crate) as_of: Option<String>,
    pub(crate) given: Option<String>,
    pub(crate) loan: Option<Result<Raw<'static>, String>>,
    /// The borrower's other loans (each over the case's default), decided with its loan.
    pub(crate) borrower_loans: Vec<Result<Raw<'static>, String>>,
    pub(crate) expect: Vec<(String, serde_norway::Value)>,
}

/// The `policy:` line, read first to find the schema the rest is read with.
pub(crate) fn policy_of(text: &str) -> Result<String, String> {
    #[derive(serde::Deserialize)]
    struct Header {
        policy: String,
    }
    serde_norway::from_str::<Header>(text)
        .map(|h| h.policy)
        .map_err(|e| e.to_string())
}

/// Reads the whole file, loans guided by `fields`.
pub(crate) fn read(text: &str, fields: &[Field]) -> Result<TestFile, String> {
    let deserializer = serde_norway::Deserializer::from_str(text);
    let mut file = FileSeed { fields }
        .deserialize(deserializer)
        .map_err(|e| e.to_string())?;
    // Cases are listed under a `cases:` line, usually indented by two spaces; when the count
    // matches, each case learns its line, for failure reports.
    let Some(header) = text.lines().position(|line| line.trim_end() == "cases:") else {
        return Ok(file);
    };
    let below: String = text
        .lines()
        .skip(header + 1)
        .map(|line| format!("{line}\n"))
        .collect();
    for indent in [2, 0] {
        let lines = item_lines_at(&below, indent);
        if lines.len() == file.cases.len() {
            for (case, line) in file.cases.iter_mut().zip(lines) {
                case.line = Some(line + header as u64 + 1);
            }
            break;
        }
    }
    Ok(file)
}

struct FileSeed<'s> {
    fields: &'s [Field],
}

impl<'de> DeserializeSeed<'de> for FileSeed<'_> {
    type Value = TestFile;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<TestFile, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FileSeed<'_> {
    type Value = TestFile;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a test file with `policy`, `as_of`, `defaults` and `cases`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TestFile, A::Error> {
        let mut file = TestFile::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "policy" => file.policy = map.next_value()?,
                "as_of" => file.as_of = Some(map.next_value()?),
                "defaults" => {
                    file.defaults = map.next_value_seed(Defaults {
                        fields: self.fields,
                    })?
                }
                "cases" => {
                    file.cases = map.next_value_seed(Cases {
                        fields: self.fields,
                    })?
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{other}`: a test file has `policy`, `as_of`, `defaults` and `cases`"
                    )));
                }
            }
        }
        Ok(file)
    }
}

struct Defaults<'s> {
    fields: &'s [Field],
}

impl<'de> DeserializeSeed<'de> for Defaults<'_> {
    type Value = Vec<(String, Result<Raw<'static>, String>)>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Defaults<'_> {
    type Value = Vec<(String, Result<Raw<'static>, String>)>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("named default loans")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut defaults = Vec::new();
        while let Some(name) = map.next_key::<String>()? {
            defaults.push((
                name,
                map.next_value_seed(Record {
                    fields: self.fields,
                })?,
            ));
        }
        Ok(defaults)
    }
}

struct Cases<'s> {
    fields: &'s [Field],
}

impl<'de> DeserializeSeed<'de> for Cases<'_> {
    type Value = Vec<CaseSpec>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Cases<'_> {
    type Value = Vec<CaseSpec>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of test cases")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut cases = Vec::new();
        while let Some(case) = seq.next_element_seed(Case {
            fields: self.fields,
        })? {
            cases.push(case);
        }
        Ok(cases)
    }
}

struct Case<'s> {
    fields: &'s [Field],
}

impl<'de> DeserializeSeed<'de> for Case<'_> {
    type Value = CaseSpec;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<CaseSpec, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Case<'_> {
    type Value = CaseSpec;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a test case with `name`, `loan` and `expect`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CaseSpec, A::Error> {
        let mut case = CaseSpec::default();
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "name" => case.name = map.next_value()?,
                "as_of" => case.as_of = Some(map.next_value()?),
                "given" => case.given = Some(map.next_value()?),
                "loan" => {
                    case.loan = Some(map.next_value_seed(Record {
                        fields: self.fields,
                    })?)
                }
                "borrower_loans" => {
                    case.borrower_loans = map.next_value_seed(Loans {
                        fields: self.fields,
                    })?
                }
                "expect" => {
                    let mapping: serde_norway::Mapping = map.next_value()?;
                    for (key, value) in mapping {
                        let key = match key {
                            serde_norway::Value::String(s) => s,
                            other => format!("{other:?}"),
                        };
                        case.expect.push((key, value));
                    }
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown key `{other}` in a case: a case has `name`, `as_of`, `given`, `loan`, `borrower_loans` and `expect`"
                    )));
                }
            }
        }
        Ok(case)
    }
}

/// A case's `borrower_loans`: a list of loans, each read as `loan` is.
struct Loans<'s> {
    fields: &'s [Field],
}

impl<'de> DeserializeSeed<'de> for Loans<'_> {
    type Value = Vec<Result<Raw<'static>, String>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Loans<'_> {
    type Value = Vec<Result<Raw<'static>, String>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list of the borrower's other loans")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut loans = Vec::new();
        while let Some(loan) = seq.next_element_seed(Record {
            fields: self.fields,
        })? {
            loans.push(loan);
        }
        Ok(loans)
    }
}
