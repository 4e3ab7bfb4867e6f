//! Differential testing. A deliberately plain interpreter of the policy's syntax tree, which
//! resolves every name by looking it up as it goes, compares choices by their names, and reads
//! each loan straight from its JSON, must agree with `arrears run` (checked, compiled and
//! evaluated over converted loans) on generated policies, the sample's loans and random dates.

use std::collections::BTreeSet;
use std::str::FromStr;

use arrears::SourceFile;
use arrears::syntax::ast::{
    BinOp, DecisionDecl, Expr, ExprKind, HitPolicy, Item, Outcome, PolicyFile,
};
use arrears::{FieldType, Schema};
use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::Value as Json;

use crate::support::{arrears, temp, write};

/// A value as the plain interpreter sees it: choices, actions and texts are their names.
#[derive(Clone, Debug, PartialEq)]
enum V {
    Missing,
    Nothing,
    Bool(bool),
    Int(i64),
    Days(i64),
    Money(Decimal),
    Date(NaiveDate),
    Name(String),
    Records(Vec<Json>),
}

impl V {
    fn order(&self, other: &V) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (V::Bool(a), V::Bool(b)) => Some(a.cmp(b)),
            (V::Int(a), V::Int(b)) | (V::Days(a), V::Days(b)) => Some(a.cmp(b)),
            (V::Money(a), V::Money(b)) => Some(a.cmp(b)),
            (V::Date(a), V::Date(b)) => Some(a.cmp(b)),
            (V::Name(a), V::Name(b)) if a == b => Some(std::cmp::Ordering::Equal),
            (V::Name(_), V::Name(_)) | (V::Nothing, V::Name(_)) | (V::Name(_), V::Nothing) => {
                Some(std::cmp::Ordering::Less) // only (in)equality is asked of names
            }
            (V::Nothing, V::Nothing) => Some(std::cmp::Ordering::Equal),
            _ => None,
        }
    }
}

struct Interpreter<'a> {
    file: &'a PolicyFile,
    schema: &'a Schema,
    loan: &'a Json,
    as_of: NaiveDate,
}

impl Interpreter<'_> {
    fn decision(&self, name: &str) -> Option<&DecisionDecl> {
        self.file.items.iter().find_map(|item| match item {
            Item::Decision(d) if d.name.name == name => Some(d),
            _ => None,
        })
    }

    /// A field's JSON read by its schema type; `fields` is the loan's or a list record's.
    fn read(&self, json: &Json, ty: &FieldType) -> V {
        match (json, ty) {
            (Json::Null, FieldType::List(_)) => V::Records(Vec::new()),
            (Json::Null, _) => V::Missing,
            (Json::Bool(b), _) => V::Bool(*b),
            (Json::Number(n), FieldType::Money) => {
                V::Money(Decimal::from_str(&n.to_string()).unwrap())
            }
            (Json::Number(n), FieldType::Days) => V::Days(n.as_i64().unwrap()),
            (Json::Number(n), _) => V::Int(n.as_i64().unwrap()),
            (Json::String(s), FieldType::Date) => {
                V::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
            }
            (Json::String(s), _) => V::Name(s.clone()),
            (Json::Array(items), _) => V::Records(items.clone()),
            (Json::Object(_), _) => panic!("a record where a value belongs"),
        }
    }

    fn name(&self, name: &str, item: Option<(&Json, &[arrears::Field])>) -> V {
        if let Some((record, fields)) = item
            && let Some(field) = fields.iter().find(|f| f.name == name)
        {
            return self.read(record.get(name).unwrap_or(&Json::Null), &field.ty);
        }
        if name == "as_of" || name == "评估日" {
            return V::Date(self.as_of);
        }
        for item in &self.file.items {
            if let Item::Let(l) = item
                && l.name.name == name
            {
                return self.value(&l.value, None);
            }
        }
        if let Some(field) = self.schema.fields.iter().find(|f| f.name == name) {
            return self.read(self.loan.get(name).unwrap_or(&Json::Null), &field.ty);
        }
        if let Some(decision) = self.decision(name) {
            return match self.decide(decision).first() {
                Some(Some(outcome)) => V::Name(outcome.clone()),
                _ => V::Nothing,
            };
        }
        V::Name(name.to_owned())
    }

    fn truth(&self, expr: &Expr, item: Option<(&Json, &[arrears::Field])>) -> bool {
        self.value(expr, item) == V::Bool(true)
    }

    fn value(&self, expr: &Expr, item: Option<(&Json, &[arrears::Field])>) -> V {
        match &expr.kind {
            ExprKind::Integer(n) => V::Int(*n),
            ExprKind::Decimal(d) => V::Money(*d),
            ExprKind::Days(n) => V::Days(*n),
            ExprKind::Date(d) => V::Date(*d),
            ExprKind::Text(t) => V::Name(t.clone()),
            ExprKind::Bool(b) => V::Bool(*b),
            ExprKind::Nothing => V::Nothing,
            ExprKind::Missing => V::Missing,
            ExprKind::Time(_) => panic!("times are not generated"),
            ExprKind::Name(ident) => self.name(&ident.name, item),
            ExprKind::Member { .. } => panic!("members only inside min/max/sum"),
            ExprKind::Borrower { .. } => panic!("borrower values are not generated"),
            ExprKind::Not(inner) => V::Bool(!self.truth(inner, item)),
            ExprKind::Neg(inner) => match self.value(inner, item) {
                V::Int(n) => V::Int(-n),
                V::Days(n) => V::Days(-n),
                V::Money(m) => V::Money(-m),
                _ => V::Missing,
            },
            ExprKind::Binary { op, left, right } => match op {
                BinOp::And => V::Bool(self.truth(left, item) && self.truth(right, item)),
                BinOp::Or => V::Bool(self.truth(left, item) || self.truth(right, item)),
                BinOp::Add | BinOp::Sub => {
                    let (a, b) = (self.value(left, item), self.value(right, item));
                    let sub = *op == BinOp::Sub;
                    match (a, b) {
                        (V::Date(a), V::Date(b)) if sub => V::Days((a - b).num_days()),
                        (V::Date(a), V::Days(n)) => {
                            V::Date(a + chrono::Duration::days(if sub { -n } else { n }))
                        }
                        (V::Days(a), V::Days(b)) => V::Days(if sub { a - b } else { a + b }),
                        (V::Int(a), V::Int(b)) => V::Int(if sub { a - b } else { a + b }),
                        (V::Money(a), V::Money(b)) => V::Money(if sub { a - b } else { a + b }),
                        _ => V::Missing,
                    }
                }
                comparison => {
                    let (a, b) = (self.value(left, item), self.value(right, item));
                    let Some(order) = a.order(&b) else {
                        return V::Bool(false);
                    };
                    let equal = order.is_eq() && (a == b || !matches!(a, V::Name(_)));
                    V::Bool(match comparison {
                        BinOp::Eq => equal,
                        BinOp::Ne => !equal,
                        BinOp::Lt => order.is_lt(),
                        BinOp::Le => order.is_le(),
                        BinOp::Gt => order.is_gt(),
                        BinOp::Ge => order.is_ge(),
                        _ => unreachable!(),
                    })
                }
            },
            ExprKind::Is { value, present } => {
                V::Bool((self.value(value, item) != V::Missing) == *present)
            }
            ExprKind::In {
                value,
                list,
                negated,
            } => {
                let value = self.value(value, item);
                let found = list.iter().any(|e| self.value(e, item) == value);
                V::Bool(found != *negated)
            }
            ExprKind::If {
                condition,
                then,
                otherwise,
            } => {
                if self.truth(condition, item) {
                    self.value(then, item)
                } else {
                    self.value(otherwise, item)
                }
            }
            ExprKind::Call {
                function,
                first,
                filter,
                ..
            } => {
                let (list, member) = match &first.kind {
                    ExprKind::Name(list) => (&list.name, None),
                    ExprKind::Member { base, field } => (&base.name, Some(&field.name)),
                    _ => panic!("a list expected"),
                };
                let fields = match &self
                    .schema
                    .fields
                    .iter()
                    .find(|f| &f.name == list)
                    .unwrap()
                    .ty
                {
                    FieldType::List(fields) => fields.as_slice(),
                    _ => panic!("not a list"),
                };
                let V::Records(records) = self.name(list, None) else {
                    panic!("not records")
                };
                let chosen: Vec<&Json> = records
                    .iter()
                    .filter(|r| {
                        filter
                            .as_ref()
                            .is_none_or(|f| self.truth(f, Some((r, fields))))
                    })
                    .collect();
                match function.name.as_str() {
                    "count" => V::Int(chosen.len() as i64),
                    "max" | "min" => {
                        let member = member.unwrap();
                        let values = chosen
                            .iter()
                            .map(|r| self.name(member, Some((r, fields))))
                            .filter(|v| *v != V::Missing);
                        let pick = if function.name == "max" {
                            values.max_by(|a, b| a.order(b).unwrap())
                        } else {
                            values.min_by(|a, b| a.order(b).unwrap())
                        };
                        pick.unwrap_or(V::Missing)
                    }
                    other => panic!("`{other}` is not generated"),
                }
            }
        }
    }

    fn outcome(&self, outcome: &Outcome) -> Option<String> {
        match outcome {
            Outcome::Nothing(_) => None,
            Outcome::Name(name) => Some(name.name.clone()),
            Outcome::If {
                then,
                condition,
                otherwise,
            } => {
                if self.truth(condition, None) {
                    self.outcome(then)
                } else {
                    self.outcome(otherwise)
                }
            }
        }
    }

    /// A decision's outcomes: one at most (first match), or one per matching rule.
    fn decide(&self, decision: &DecisionDecl) -> Vec<Option<String>> {
        let mut outcomes = Vec::new();
        for rule in &decision.rules {
            if rule.condition.as_ref().is_none_or(|c| self.truth(c, None)) {
                let outcome = self.outcome(&rule.outcome);
                if decision.hit == HitPolicy::Collect {
                    outcomes.extend(outcome.map(Some));
                } else {
                    return vec![outcome];
                }
            }
        }
        outcomes
    }

    /// The actions a kind (or an action) stands for.
    fn members(&self, name: &str, into: &mut BTreeSet<String>) {
        let kind = self.file.items.iter().find_map(|item| match item {
            Item::Kind(k) if k.name.name == name => Some(k),
            _ => None,
        });
        match kind {
            Some(kind) => kind
                .members
                .iter()
                .for_each(|m| self.members(&m.name, into)),
            None => {
                into.insert(name.to_owned());
            }
        }
    }

    /// The loan's decision record, as `arrears run` writes it.
    fn record(&self, key: &str) -> Json {
        let mut record = serde_json::Map::new();
        record.insert("loan_id".into(), Json::String(key.to_owned()));
        let mut proposed = Vec::new();
        let decisions: Vec<&DecisionDecl> = self
            .file
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Decision(d) => Some(d),
                _ => None,
            })
            .collect();
        // First-match action decisions first, then every-match ones, each in policy order.
        for pass in [false, true] {
            for decision in &decisions {
                let outcomes = self.decide(decision);
                let is_collect = decision.hit == HitPolicy::Collect;
                if pass == is_collect
                    && matches!(decision.gives, arrears::syntax::ast::Gives::Actions)
                {
                    proposed.extend(outcomes.iter().flatten().cloned());
                }
                if !pass {
                    let value = if is_collect {
                        Json::Array(outcomes.into_iter().flatten().map(Json::String).collect())
                    } else {
                        outcomes
                            .into_iter()
                            .flatten()
                            .next()
                            .map_or(Json::Null, Json::String)
                    };
                    record.insert(decision.name.name.clone(), value);
                }
            }
        }
        let guards: Vec<(String, BTreeSet<String>)> = self
            .file
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Guard(g) if self.truth(&g.condition, None) => {
                    let mut forbidden = BTreeSet::new();
                    g.forbids
                        .iter()
                        .for_each(|f| self.members(&f.name, &mut forbidden));
                    Some((g.name.name.clone(), forbidden))
                }
                _ => None,
            })
            .collect();
        let (mut actions, mut vetoed): (Vec<String>, Vec<Json>) = (Vec::new(), Vec::new());
        for action in proposed {
            let seen = actions.contains(&action)
                || vetoed
                    .iter()
                    .any(|v| v["action"] == Json::String(action.clone()));
            if seen {
                continue;
            }
            match guards
                .iter()
                .find(|(_, forbidden)| forbidden.contains(&action))
            {
                Some((guard, _)) => {
                    vetoed.push(serde_json::json!({"action": action, "guard": guard}))
                }
                None => actions.push(action),
            }
        }
        record.insert("actions".into(), Json::from(actions));
        record.insert("vetoed".into(), Json::Array(vetoed));
        Json::Object(record)
    }
}

/// One condition over the reference schema, `depth` levels of `and`/`or`/`not` deep.
fn condition(depth: u32) -> BoxedStrategy<String> {
    let atom = prop_oneof![
        (
            0i64..400,
            prop_oneof![Just(">"), Just(">="), Just("<"), Just("="), Just("!=")]
        )
            .prop_map(|(n, op)| format!("overdue {op} {n} days")),
        prop_oneof![
            Just("willing"),
            Just("hesitant"),
            Just("refuses"),
            Just("unknown")
        ]
        .prop_map(|w| format!("willingness = {w}")),
        prop_oneof![Just("able"), Just("temporary_hardship"), Just("unknown")]
            .prop_map(|a| format!("ability in [{a}, long_term_inability]")),
        prop_oneof![Just("normal"), Just("ceased"), Just("loss")]
            .prop_map(|s| format!("operating_status != {s}")),
        prop_oneof![Just("card"), Just("sme"), Just("mortgage")]
            .prop_map(|p| format!("product = {p}")),
        Just("has_assets".to_owned()),
        Just("not has_guarantor".to_owned()),
        Just("restructured".to_owned()),
        (1u64..2_000_000).prop_map(|m| format!("principal_outstanding >= {m}.00")),
        Just("collateral_value is present and collateral_value > principal_outstanding".to_owned()),
        Just("collateral_value is missing".to_owned()),
        (0i64..4).prop_map(|n| format!("recent >= {n}")),
        (0i64..3).prop_map(|n| format!("recent = {n}")),
        (0i64..800).prop_map(|n| format!("last is present and as_of - last > {n} days")),
    ];
    if depth == 0 {
        return atom.boxed();
    }
    let inner = condition(depth - 1);
    prop_oneof![
        3 => atom,
        1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
        1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
        1 => inner.prop_map(|a| format!("not ({a})")),
    ]
    .boxed()
}

/// A policy with a first-match action decision, an every-match one, a first-match value
/// decision that reads the first, and a guard over a kind.
fn policy() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((condition(2), 0usize..4), 1..6),
        any::<bool>(),
        prop::collection::vec((condition(1), 0usize..4), 1..4),
        condition(1),
        condition(1),
        0i64..400,
    )
        .prop_map(|(first, otherwise, every, value_rule, guard, window)| {
            let actions = ["call", "letter", "visit", "sue"];
            let mut text = String::from(
                "policy gen \"generated\"\nuse schema \"loan-v1.schema\"\n\
                 let overdue \"days overdue\" =\n  if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of\n  then as_of - oldest_unpaid_due_date\n  else 0 days\n",
            );
            text.push_str(&format!(
                "let recent \"recent contacts\" = count(contacts where on > as_of - {window} days and on <= as_of)\n\
                 let last \"last contact\" = max(contacts.on)\n\
                 actions call \"c\", letter \"l\", visit \"v\", sue \"s\"\n\
                 kind remote \"remote\": call, letter\n\
                 decision treatment \"t\": first match, gives action\n"
            ));
            for (i, (condition, action)) in first.iter().enumerate() {
                text.push_str(&format!("  rule T{i} \"t\" when {condition} then {}\n", actions[*action]));
            }
            if otherwise {
                text.push_str("  rule T9 \"t\" otherwise then nothing\n");
            }
            text.push_str("decision extras \"e\": every match, gives actions\n");
            for (i, (condition, action)) in every.iter().enumerate() {
                text.push_str(&format!("  rule E{i} \"e\" when {condition} then {}\n", actions[*action]));
            }
            text.push_str(&format!(
                "decision tier \"r\": first match, gives one of low, high\n\
                 \x20 rule R1 \"r\" when treatment = sue or ({value_rule}) then high\n\
                 \x20 rule R2 \"r\" otherwise then low\n\
                 guard G1 \"g\" when {guard} forbid remote\n"
            ));
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn the_engine_agrees_with_a_plain_interpreter_of_the_syntax_tree(
        text in policy(),
        day in 0i64..1095,
    ) {
        let dir = temp();
        crate::support::copy_shipped(dir.path(), &["loan-v1.schema"]);
        let path = write(dir.path(), "gen.policy", &text);
        let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(day);
        let as_of_text = as_of.format("%Y-%m-%d").to_string();
        let sample: Vec<Json> = crate::support::sample_loans().into_iter().take(300).collect();
        let portfolio = write(
            dir.path(),
            "p.jsonl",
            &sample.iter().map(|l| format!("{l}\n")).collect::<String>(),
        );
        let outcome = arrears(&["run", &path, &portfolio, "--as-of", &as_of_text, "--quiet"]);
        prop_assert_eq!(outcome.code, 0, "{}\n{}", text, outcome.stderr);

        let (file, _) = arrears::syntax::parse(&SourceFile::new("gen.policy", text.clone()));
        let loaded = arrears::load_policy(std::path::Path::new(&path)).unwrap();
        let schema = loaded.program.schema();
        let records: Vec<Json> =
            outcome.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        prop_assert_eq!(records.len(), sample.len());
        for (loan, engine) in sample.iter().zip(&records) {
            let plain = Interpreter { file: &file, schema, loan, as_of };
            let expected = plain.record(loan["loan_id"].as_str().unwrap());
            prop_assert_eq!(engine, &expected, "policy:\n{}\nloan: {}", text, loan);
        }
    }
}
