//! Loans and amounts per currency: the one tally every table of `report` and `diff` is made
//! of, its one JSON shape, and how amounts are written for people. Amounts of different
//! currencies are never added.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::json;

use crate::program::Program;
use crate::schema::FieldType;
pub(crate) use crate::value::grouped;
use crate::value::{Loan, Value};

/// Loans and amount per currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// How many loans.
    pub loans: u64,
    /// Their amounts, per currency.
    pub amounts: BTreeMap<String, Decimal>,
    /// How many of them are in each currency.
    pub counts: BTreeMap<String, u64>,
}

impl Tally {
    /// Counts one more loan of `amount` in `currency`.
    pub fn add(&mut self, currency: &str, amount: Decimal) {
        self.loans += 1;
        *self.amounts.entry(currency.to_owned()).or_default() += amount;
        *self.counts.entry(currency.to_owned()).or_default() += 1;
    }
}

impl Tally {
    /// The JSON shape of every tally in `report` and `diff`: `{"loans": N, "by_currency":
    /// {"CNY": {"loans": N, "amount": "1234.50"}}}`, amounts as exact decimal strings with two
    /// places.
    pub fn json(&self) -> serde_json::Value {
        json!({
            "loans": self.loans,
            "by_currency": self.amounts.iter().map(|(currency, amount)| {
                (currency.clone(), json!({
                    "loans": self.counts.get(currency).copied().unwrap_or(0),
                    "amount": format!("{amount:.2}"),
                }))
            }).collect::<serde_json::Map<String, serde_json::Value>>(),
        })
    }
}

/// How to read the amount and currency of a loan.
#[derive(Debug, Clone, Copy)]
pub struct AmountFields {
    amount: usize,
    currency: Option<usize>,
}

/// Why the amount to total cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AmountError {
    /// The schema has no field of this name.
    NoSuchField(String),
    /// The field is not money.
    NotMoney(String),
}

impl std::fmt::Display for AmountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AmountError::NoSuchField(name) => {
                write!(f, "the schema has no field `{name}` to sum")
            }
            AmountError::NotMoney(name) => write!(f, "`{name}` is not a money field"),
        }
    }
}

impl std::error::Error for AmountError {}

impl AmountFields {
    /// Finds the fields in `program`'s schema; the amount must be money, the currency text
    /// (without a currency field, every amount counts under one unnamed currency).
    pub fn find(
        program: &Program,
        amount: &str,
        currency: &str,
    ) -> Result<AmountFields, AmountError> {
        let schema = program.schema();
        let amount_slot = schema
            .slot(amount)
            .ok_or_else(|| AmountError::NoSuchField(amount.to_owned()))?;
        if schema.fields.get(amount_slot).map(|f| &f.ty) != Some(&FieldType::Money) {
            return Err(AmountError::NotMoney(amount.to_owned()));
        }
        let currency = schema
            .slot(currency)
            .filter(|slot| schema.fields.get(*slot).map(|f| &f.ty) == Some(&FieldType::Text));
        Ok(AmountFields {
            amount: amount_slot,
            currency,
        })
    }

    /// The loan's amount and currency.
    pub(crate) fn read(&self, loan: &Loan) -> (Decimal, String) {
        let amount = match loan.fields.get(self.amount) {
            Some(Value::Money(m)) => *m,
            _ => Decimal::ZERO,
        };
        let currency = match self.currency.and_then(|slot| loan.fields.get(slot)) {
            Some(Value::Text(t)) => t.to_string(),
            _ => String::new(),
        };
        (amount, currency)
    }
}

/// Amounts per currency as a reader of `lang` writes them: `CNY 1,234.00; USD 5.00`, or in
/// Chinese yuan as `1,234.00元` and other currencies after the amount (`5.00 USD`), apart
/// with `；`.
pub(crate) fn amounts_in(tally: &BTreeMap<String, Decimal>, lang: crate::lang::Lang) -> String {
    use crate::lang::Lang;
    if lang == Lang::Zh {
        if tally.is_empty() {
            return "0元".to_owned();
        }
        return tally
            .iter()
            .map(|(currency, amount)| match currency.as_str() {
                "CNY" | "RMB" | "人民币" => format!("{}元", grouped(*amount)),
                "" => grouped(*amount),
                other => format!("{} {other}", grouped(*amount)),
            })
            .collect::<Vec<_>>()
            .join("；");
    }
    if tally.is_empty() {
        return "0".to_owned();
    }
    tally
        .iter()
        .map(|(currency, amount)| {
            if currency.is_empty() {
                grouped(*amount)
            } else {
                format!("{currency} {}", grouped(*amount))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn amounts_are_grouped_by_thousands() {
        let cases = [
            ("0", "0"),
            ("999.99", "999.99"),
            ("1000", "1,000"),
            ("1234567.50", "1,234,567.50"),
            ("-12345.6", "-12,345.6"),
        ];
        for (input, expected) in cases {
            assert_eq!(grouped(input.parse().unwrap()), expected);
        }
    }
}
