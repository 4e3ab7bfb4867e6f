//! Values as JSON and as text, in the policy's own words (choice names, not numbers).
//!
//! Money is written as a string holding the exact decimal ("125000.50"), never as a JSON
//! number, so no reader is tempted to parse it into a float.

use serde_json::{Map, Value as Json};

use super::{
    ActionId, BorrowerValueId, DecisionId, DecisionOutcome, Gives, GuardId, HitPolicy, OutcomeId,
    Program, ReadSource, RuleId, Ty, ValueId,
};
use crate::schema::Schema;
use crate::schema::{Field, FieldType};
use crate::value::Value;

/// How to print a value: what its numbers mean.
#[derive(Clone, Copy)]
pub(crate) enum Kind<'p> {
    Field(&'p Field),
    Derived(&'p Ty),
    Decision(DecisionId),
    Plain,
}

pub(crate) fn kind_of(program: &Program, source: ReadSource) -> Kind<'_> {
    match source {
        ReadSource::Field(slot) => program
            .schema
            .fields
            .get(slot.index())
            .map_or(Kind::Plain, Kind::Field),
        ReadSource::Derived(value) => program
            .derived
            .get(value.index())
            .map_or(Kind::Plain, |d| Kind::Derived(&d.ty)),
        ReadSource::Decision(decision) => Kind::Decision(decision),
        ReadSource::Borrower(_) | ReadSource::AsOf => Kind::Plain,
    }
}

/// The name of what was read: a field, a derived value, a decision, or `as_of`.
/// In the policy's own words: `还款意愿` and `评估日` in a policy that writes them so.
pub(crate) fn source_name(program: &Program, source: ReadSource) -> &str {
    match source {
        ReadSource::Field(slot) => program.field_word(slot.index()),
        ReadSource::Derived(value) => program.value_name(value),
        ReadSource::Decision(decision) => program.decision_name(decision),
        ReadSource::Borrower(value) => program.borrower_value_text(value),
        ReadSource::AsOf => program.wording.as_of(),
    }
}

fn enum_name(program: &Program, kind: Kind<'_>, index: u32) -> String {
    let id = match kind {
        Kind::Field(Field {
            ty: FieldType::Enum(id),
            ..
        })
        | Kind::Derived(Ty::Enum(id)) => Some(*id),
        _ => None,
    };
    let Some(id) = id else {
        return index.to_string();
    };
    // The choice's other name when the policy writes that one (`拒绝` for `refuses`).
    let alias = program
        .schema
        .choice_aliases
        .get(id)
        .and_then(|aliases| aliases.get(index as usize))
        .and_then(Option::as_ref)
        .filter(|_| program.wording.choice_alias(id, index as usize));
    alias
        .or_else(|| {
            program
                .schema
                .enums
                .get(id)
                .and_then(|values| values.get(index as usize))
        })
        .cloned()
        .unwrap_or_else(|| index.to_string())
}

/// A value as JSON.
pub(crate) fn to_json(program: &Program, kind: Kind<'_>, value: &Value) -> Json {
    match value {
        Value::Missing | Value::Nothing => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(n) | Value::Days(n) => Json::from(*n),
        Value::Money(m) => Json::String(m.to_string()),
        Value::Date(d) => Json::String(d.format("%Y-%m-%d").to_string()),
        Value::Time(t) => Json::String(time_text(*t)),
        Value::Text(t) => Json::String(t.to_string()),
        Value::Enum(index) => Json::String(enum_name(program, kind, *index)),
        Value::Outcome(index) => match kind {
            Kind::Decision(decision) => Json::String(
                program
                    .outcome_name(decision, OutcomeId::from_raw(*index))
                    .to_owned(),
            ),
            _ => Json::from(*index),
        },
        Value::List(records) => {
            let fields: &[Field] = match kind {
                Kind::Field(Field {
                    ty: FieldType::List(fields),
                    ..
                }) => fields,
                _ => &[],
            };
            Json::Array(
                records
                    .iter()
                    .map(|record| {
                        let mut object = Map::new();
                        for (field, value) in fields.iter().zip(record) {
                            object.insert(
                                field.name.clone(),
                                to_json(program, Kind::Field(field), value),
                            );
                        }
                        Json::Object(object)
                    })
                    .collect(),
            )
        }
    }
}

/// A value as a person reads it.
pub(crate) fn to_text(program: &Program, kind: Kind<'_>, value: &Value) -> String {
    let [yes, no, missing] = program.wording.yes_no_missing();
    if let Value::Money(amount) = value
        && let Some(text) = program.wording.money(*amount)
    {
        return text;
    }
    match value {
        Value::Missing => missing.into(),
        Value::Nothing => "nothing".into(),
        Value::Bool(true) => yes.into(),
        Value::Bool(false) => no.into(),
        Value::Days(n) => program.wording.days(*n),
        Value::Text(t) => format!("{t:?}"),
        Value::List(records) if records.is_empty() => program.wording.empty_list().into(),
        Value::List(_) => to_json(program, kind, value).to_string(),
        other => match to_json(program, kind, other) {
            Json::String(s) => s,
            json => json.to_string(),
        },
    }
}

/// A time of day as portfolios write it: `HH:MM`, with `:SS` only when the seconds are not 0.
pub(crate) fn time_text(time: chrono::NaiveTime) -> String {
    use chrono::Timelike;
    if time.second() == 0 {
        time.format("%H:%M").to_string()
    } else {
        time.format("%H:%M:%S").to_string()
    }
}

impl Program {
    /// The name the policy writes for the field in `slot`: its other name (`还款意愿`) when
    /// the policy uses only that one.
    pub(crate) fn field_word(&self, slot: usize) -> &str {
        self.schema.fields.get(slot).map_or("", |field| {
            match (&field.alias, self.wording.field_alias(slot)) {
                (Some(alias), true) => alias.as_str(),
                _ => field.name.as_str(),
            }
        })
    }

    /// The loan schema the policy reads.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Whether the policy is written with Chinese names (`还款意愿 = 拒绝`, `评估日`, `30天`):
    /// its readers are likely to read Chinese.
    pub fn written_in_chinese(&self) -> bool {
        self.wording.chinese()
    }

    /// Values shown as a reader of `lang` writes them (day counts as `143天` in Chinese); the
    /// policy's own names stay as written.
    pub fn speak(&mut self, lang: crate::lang::Lang) {
        self.wording.speak(lang);
    }

    /// The policy's name (`policy NAME`), when it gives one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Every decision, in policy order (the order of [`crate::Evaluation::outcomes`]).
    pub fn decisions(&self) -> impl ExactSizeIterator<Item = DecisionId> + use<> {
        (0..self.decisions.len()).map(DecisionId::new)
    }

    /// The decisions' names, in policy order.
    pub fn decision_names(&self) -> impl Iterator<Item = &str> {
        self.decisions.iter().map(|d| d.named.name.as_str())
    }

    /// The decision named `name`.
    pub fn decision_named(&self, name: &str) -> Option<DecisionId> {
        self.decision_names()
            .position(|n| n == name)
            .map(DecisionId::new)
    }

    /// A decision's name (empty for an id of another program).
    pub fn decision_name(&self, decision: DecisionId) -> &str {
        self.decisions
            .get(decision.index())
            .map_or("", |d| d.named.name.as_str())
    }

    /// How a decision's rules combine.
    pub fn hit_policy(&self, decision: DecisionId) -> Option<HitPolicy> {
        self.decisions.get(decision.index()).map(|d| d.hit)
    }

    /// A rule's name, within its decision.
    pub fn rule_name(&self, decision: DecisionId, rule: RuleId) -> &str {
        self.decisions
            .get(decision.index())
            .and_then(|d| d.rules.get(rule.index()))
            .map_or("", |r| r.named.name.as_str())
    }

    /// The name of what decision `decision` gave: an action's name, or one of its values.
    pub fn outcome_name(&self, decision: DecisionId, outcome: OutcomeId) -> &str {
        let Some(d) = self.decisions.get(decision.index()) else {
            return "";
        };
        match &d.gives {
            Gives::Actions => self.action_name(outcome.action()),
            Gives::Values(values) => values.get(outcome.index()).map_or("", String::as_str),
        }
    }

    /// A decision's outcome in words, the same wherever arrears shows one: the outcome's name;
    /// `nothing` when a rule decided nothing; `no rule matched` when no rule did (a gap); for
    /// an `every match` decision the outcomes joined with ` + `, or `none`.
    pub fn outcome_text(&self, decision: DecisionId, outcome: &DecisionOutcome) -> String {
        self.outcome_text_in(decision, outcome, crate::lang::Lang::En)
    }

    /// An outcome as [`Program::outcome_text`] wrote it (in English, as machine formats keep
    /// it), for a person reading `lang`: `nothing`, `no rule matched` and `none` translated,
    /// the policy's own names as written.
    pub fn outcome_words(text: &str, lang: crate::lang::Lang) -> String {
        use crate::lang::tr;
        match text {
            "nothing" => tr!(lang, "outcome-nothing"),
            "no rule matched" => tr!(lang, "outcome-no-rule"),
            "none" => tr!(lang, "none"),
            other => other.to_owned(),
        }
    }

    /// [`Program::outcome_text`] for a person reading `lang`: the policy's own names stay as
    /// written, the words around them (`nothing`, `no rule matched`) are translated.
    pub fn outcome_text_in(
        &self,
        decision: DecisionId,
        outcome: &DecisionOutcome,
        lang: crate::lang::Lang,
    ) -> String {
        use crate::lang::tr;
        match outcome {
            DecisionOutcome::First { rule: None, .. } => tr!(lang, "outcome-no-rule"),
            DecisionOutcome::First { value: None, .. } => tr!(lang, "outcome-nothing"),
            DecisionOutcome::First { value: Some(v), .. } => {
                self.outcome_name(decision, *v).to_owned()
            }
            DecisionOutcome::Collect { hits } if hits.is_empty() => tr!(lang, "none"),
            DecisionOutcome::Collect { hits } => hits
                .iter()
                .map(|(_, v)| self.outcome_name(decision, *v))
                .collect::<Vec<_>>()
                .join(" + "),
        }
    }

    /// Every action, in the order the policy declares them.
    pub fn actions(&self) -> impl ExactSizeIterator<Item = ActionId> + use<> {
        (0..self.actions.len()).map(ActionId::new)
    }

    /// An action's name.
    pub fn action_name(&self, action: ActionId) -> &str {
        self.actions
            .get(action.index())
            .map_or("", |a| a.name.as_str())
    }

    /// A guard's name.
    pub fn guard_name(&self, guard: GuardId) -> &str {
        self.guards
            .get(guard.index())
            .map_or("", |g| g.named.name.as_str())
    }

    /// A value over the borrower's loans, as the policy writes it:
    /// `count(borrower.loans where overdue > 30 days)`.
    pub fn borrower_value_text(&self, value: BorrowerValueId) -> &str {
        self.borrower_values
            .get(value.index())
            .and_then(|v| self.words(v.span))
            .unwrap_or("borrower")
    }

    /// A derived value's name.
    pub fn value_name(&self, value: ValueId) -> &str {
        self.derived
            .get(value.index())
            .map_or("", |d| d.named.name.as_str())
    }

    /// The derived value named `name`.
    pub fn value_named(&self, name: &str) -> Option<ValueId> {
        self.derived
            .iter()
            .position(|d| d.named.name == name)
            .map(ValueId::new)
    }

    /// The names of everything a decision can give: the policy's actions, or its values.
    pub fn outcome_names(&self, decision: DecisionId) -> Vec<&str> {
        match self.decisions.get(decision.index()).map(|d| &d.gives) {
            Some(Gives::Actions) => self.actions.iter().map(|a| a.name.as_str()).collect(),
            Some(Gives::Values(values)) => values.iter().map(String::as_str).collect(),
            None => Vec::new(),
        }
    }

    /// A decision's label, when the policy gives one.
    pub fn decision_label(&self, decision: DecisionId) -> Option<&str> {
        self.decisions
            .get(decision.index())
            .and_then(|d| d.named.label.as_deref())
    }

    /// A decision's rules, in order.
    pub fn rules(&self, decision: DecisionId) -> impl ExactSizeIterator<Item = RuleId> + use<> {
        let count = self
            .decisions
            .get(decision.index())
            .map_or(0, |d| d.rules.len());
        (0..count).map(RuleId::new)
    }

    /// A rule's label, when the policy gives one.
    pub fn rule_label(&self, decision: DecisionId, rule: RuleId) -> Option<&str> {
        self.decisions
            .get(decision.index())
            .and_then(|d| d.rules.get(rule.index()))
            .and_then(|r| r.named.label.as_deref())
    }

    /// Every guard, in policy order.
    pub fn guards(&self) -> impl ExactSizeIterator<Item = GuardId> + use<> {
        (0..self.guards.len()).map(GuardId::new)
    }

    /// A guard's reason (its label), when the policy gives one.
    pub fn guard_reason(&self, guard: GuardId) -> Option<&str> {
        self.guards
            .get(guard.index())
            .and_then(|g| g.named.label.as_deref())
    }

    /// The rule or regulation a guard implements (`per "..."`), when it names one.
    pub fn guard_basis(&self, guard: GuardId) -> Option<&str> {
        self.guards
            .get(guard.index())
            .and_then(|g| g.basis.as_deref())
    }

    /// The actions a guard forbids when it applies, its kinds written out.
    pub fn guard_forbids(&self, guard: GuardId) -> &[ActionId] {
        self.guards
            .get(guard.index())
            .map_or(&[], |g| g.forbids.as_slice())
    }

    /// Every derived value, in policy order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = ValueId> + use<> {
        (0..self.derived.len()).map(ValueId::new)
    }

    /// A derived value's value in words, as its type says (a choice's name, `3 days`).
    pub fn value_text(&self, value: ValueId, of: &Value) -> String {
        to_text(self, self.value_kind(value), of)
    }

    /// A derived value's value as JSON, as its type says.
    pub fn value_json(&self, value: ValueId, of: &Value) -> Json {
        to_json(self, self.value_kind(value), of)
    }

    fn value_kind(&self, value: ValueId) -> Kind<'_> {
        self.derived
            .get(value.index())
            .map_or(Kind::Plain, |d| Kind::Derived(&d.ty))
    }
}
