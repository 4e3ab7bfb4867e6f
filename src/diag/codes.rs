//! The table of diagnostic codes. Codes are stable: a code, once shipped, keeps its meaning.
//!
//! `E1xx` syntax, `E2xx` names and types, `E3xx` decision structure, `W4xx` analysis,
//! `E5xx`/`W5xx` portfolio rows, `E9xx` internal errors (a bug in arrears, never the user's).

/// A diagnostic code: a stable id (`E201`) and a kebab-case name (`unknown-name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    /// The id printed with every diagnostic.
    pub id: &'static str,
    /// A short name that says what the code is about.
    pub name: &'static str,
}

/// What one code means and how to fix it.
#[derive(Clone, Copy, Debug)]
pub struct CodeInfo {
    /// The code.
    pub code: Code,
    /// What it reports, in one sentence, in English (the catalogue says it in every language:
    /// [`CodeInfo::summary_in`]).
    pub summary: &'static str,
    /// Lines that draw it. A policy example is read after a prelude that uses the reference
    /// schema and declares `overdue`, the actions `visit`, `letter`, `dispose`,
    /// `phone_reminder` and `estate_claim` and the kind `visits`; `rule` lines are read inside a
    /// decision. A portfolio example (`{...}`) is a row after one whose `loan_id` is `L1`, its
    /// fields laid over that row's (`null` leaves one out). `tests/cli/codes.rs` holds each
    /// example to drawing its own code.
    pub example: &'static str,
}

macro_rules! codes {
    ($($konst:ident = $id:literal $name:literal, $summary:literal, $example:literal;)*) => {
        impl Code {
            $(
                #[doc = $summary]
                pub const $konst: Code = Code { id: $id, name: $name };
            )*
        }
        /// Every code, in id order.
        pub const CODES: &[CodeInfo] = &[
            $(CodeInfo { code: Code::$konst, summary: $summary, example: $example },)*
        ];
    };
}

codes! {
    SYNTAX = "E101" "syntax-error",
        "the text is not a statement of the policy language",
        "rule T1 when overdue > 30 days than visit      # `than` for `then`";
    STATEMENT_OUT_OF_PLACE = "E102" "statement-out-of-place",
        "a `rule` outside any decision, or a `field` outside any schema",
        "let a = 1\nrule T1 otherwise then visit     # no `decision` above it";
    BAD_LITERAL = "E103" "bad-literal",
        "a date, number or day count that cannot be what it says (2026-02-30, a number too large)",
        "rule T1 when due_date = 2026-02-30 then visit";
    TOO_DEEP = "E104" "too-deeply-nested",
        "an expression nested more deeply, or chaining more operators, than arrears accepts",
        "let x = (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((1)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))";
    UNKNOWN_NAME = "E201" "unknown-name",
        "a name that is not a field, derived value, decision, action or value in scope",
        "rule T1 when principal_outstandng > 0 then visit";
    UNKNOWN_VALUE = "E202" "unknown-value",
        "a value that is not one of the choices of the field it is compared with",
        "rule T1 when willingness = wiling then visit";
    TYPE_MISMATCH = "E203" "type-mismatch",
        "two things of different kinds compared or combined (money with a date, days with a count)",
        "rule T1 when principal_outstanding > as_of then visit";
    MAYBE_MISSING = "E204" "maybe-missing",
        "a field or value that may be missing is read without first testing that it is present",
        "rule T8 when collateral_value >= principal_outstanding then dispose";
    DAYS_NEED_UNIT = "E205" "day-count-needs-unit",
        "a bare number compared with or added to a number of days",
        "rule T1 when overdue > 30 then visit         # write `30 days`";
    UNKNOWN_OUTCOME = "E206" "unknown-outcome",
        "a rule gives an action or value its decision does not declare",
        "rule T1 when deceased then estate_clam";
    NOT_A_CONDITION = "E207" "not-a-condition",
        "a condition that is not a yes/no question",
        "rule T1 when principal_outstanding then visit";
    BAD_CALL = "E208" "bad-call",
        "an unknown function, or a function given the wrong arguments",
        "let n = cnt(promises where not kept)";
    DUPLICATE_NAME = "E209" "duplicate-name",
        "two things declared with the same name",
        "rule T1 when deceased then a\nrule T1 otherwise then b";
    SCHEMA = "E210" "schema-problem",
        "the policy has no schema, two schemas, or a schema whose key is not a text field",
        "use schema \"loan-v1.schema\"\nuse schema \"loan-v1.schema\"                # one schema is enough";
    SCHEMA_FILE = "E211" "schema-file",
        "the schema file named by `use schema` cannot be read",
        "use schema \"loan-v2.schema\"                 # the file is not there";
    UNKNOWN_KIND = "E212" "unknown-action-or-kind",
        "a guard or kind names an action or kind that is not declared",
        "guard G1 when do_not_contact forbid visitz   # the kind is `visits`";
    INCLUDE = "E213" "include",
        "an `include` that cannot be followed: the file is missing, is not a `module`, includes itself, or reads another schema",
        "include \"guardrail.policy\"                 # the file is `guardrails.policy`";
    OPEN_KIND = "E214" "open-kind",
        "a kind a module declares without actions that the including policy never fills in",
        "include \"guardrails.policy\"                # and no `kind contact: ...` in the policy";
    BORROWER = "E215" "borrower-values",
        "a value over a borrower's loans, or a decision made per borrower, that cannot be worked out as written",
        "decision plan per borrower: first match, gives action\n  rule P1 when overdue > 30 days then visit   # which loan's `overdue`?";
    CAPACITY = "E216" "capacity",
        "a `capacity` that cannot be applied as written: a limit of 0, an action limited twice, a fallback that is a kind or is limited itself, a group or priority that cannot group or order loans",
        "capacity visit: 200 per region per day else visit   # the fallback waits in the same queue";
    CYCLE = "E301" "cycle",
        "decisions or derived values that depend on each other in a circle",
        "decision a: first match, gives one of x, y\n  rule A1 when b = x then y\n  rule A2 otherwise then x\ndecision b: first match, gives one of x, y\n  rule B1 when a = y then x\n  rule B2 otherwise then y";
    BAD_DECISION = "E302" "bad-decision",
        "a decision with no rules, or a reading of a decision that does not give one value",
        "decision extras: every match, gives actions   # and no rules under it";
    UNREACHABLE_AFTER_OTHERWISE = "W401" "rule-after-otherwise",
        "a rule placed after an `otherwise` rule in a `first match` decision can never fire",
        "rule T5 otherwise then phone_reminder\nrule T6 when deceased then estate_claim";
    UNREACHABLE_RULE = "W402" "unreachable-rule",
        "in a `first match` decision, every loan a rule matches is taken by earlier rules",
        "rule T4 when overdue > 30 days then visit\nrule T5 when overdue > 60 days then letter   # T4 takes them all";
    NEVER_TRUE = "W403" "never-true",
        "a rule whose condition no loan can meet",
        "rule T9 when overdue > 90 days and overdue < 30 days then visit";
    GAP = "W404" "gap",
        "a `first match` decision without `otherwise` that no rule decides for some loans",
        "decision d: first match, gives action\n  rule A when overdue > 30 days then visit   # and nothing for the rest";
    OVERLAP = "W405" "overlap",
        "two rules of a `unique match` decision that both match some loans",
        "decision d: unique match, gives action\n  rule A when overdue > 30 days then visit\n  rule B when overdue > 60 days then letter";
    GUARD_NEVER_APPLIES = "W406" "guard-never-applies",
        "a guard whose condition no loan can meet",
        "guard G1 when overdue > 90 days and overdue < 30 days forbid visits";
    UNUSED = "W407" "unused",
        "a derived value or kind that nothing reads",
        "let spare = overdue > 5 days    # no rule reads `spare`";
    CONSTANT_COMPARISON = "W408" "constant-comparison",
        "a comparison whose answer never changes, given what the value can be",
        "rule T1 when overdue < 0 days then visit     # overdue is never negative";
    ANALYSIS_CUT_SHORT = "W409" "analysis-cut-short",
        "a question of the analysis (can this rule fire, do two rules share loans, does the decision leave loans undecided) that hit the analysis' limits, so a finding about it may be missing",
        "rule T1 when has_guarantor and has_assets and restructured and bankrupt and in_dispute\n    and public_official and do_not_contact and deceased and product = card\n    and willingness = willing and ability = able and operating_status = normal\n    and matured_on is present and last_payment_on is present and acknowledged_on is present\n    and demand_served_on is present and lawsuit_filed_on is present and guarantee_ends_on is present\n    then visit\nrule T2 when collateral_value is present and collateral_value >= principal_outstanding then dispose\nrule T3 when collateral_value is missing or collateral_value < principal_outstanding then letter   # no loan is left, but proving it means trying every combination of T1's eighteen tests";
    ROW_MISSING_FIELD = "E501" "row-missing-field",
        "a portfolio row lacks a required field",
        "{\"loan_id\": \"L2\", \"principal_outstanding\": null}   # the amount is left out";
    ROW_BAD_VALUE = "E502" "row-bad-value",
        "a portfolio row has a value of the wrong kind (text where money is expected, a bad date)",
        "{\"oldest_unpaid_due_date\": \"31/01/2026\"}";
    ROW_UNKNOWN_CHOICE = "E503" "row-unknown-choice",
        "a portfolio row has a value that is not one of the field's choices",
        "{\"willingness\": \"wiling\"}";
    ROW_DUPLICATE_KEY = "E504" "row-duplicate-key",
        "a portfolio row repeats the key (`loan_id`) of an earlier row",
        "{\"loan_id\": \"L1\"}                            # the row before it is L1 too";
    ROW_MALFORMED = "E505" "row-malformed",
        "a portfolio row that is not a record at all (broken JSON, a CSV row of the wrong width)",
        "{\"loan_id\": \"L5\", \"principal_outstanding\":    # the line stops";
    ROW_UNKNOWN_FIELDS = "W506" "unknown-fields",
        "a portfolio has fields the schema does not declare; they are ignored",
        "{\"loan_id\": \"L9\", \"branch\": \"东城支行\"}            # no `branch` in the schema";
    SURVIVING_MUTANT = "W601" "surviving-mutant",
        "`arrears test --mutants`: a small change to the policy (a threshold moved by one, `>` for `>=`, a rule removed) that every test still passes, so no test would notice that edit",
        "rule T14 when overdue > 30 days then visit   # and no test has a loan 31 days overdue";
    INTERNAL = "E901" "internal-error",
        "arrears itself went wrong; this is a bug, not a problem with your policy",
        "(none: report it)";
}

impl CodeInfo {
    /// What the code reports, in `lang`.
    pub fn summary_in(&self, lang: crate::lang::Lang) -> String {
        lang.text(&self.message("summary"), &[])
    }

    /// The usual fix, in `lang`.
    pub fn fix_in(&self, lang: crate::lang::Lang) -> String {
        lang.text(&self.message("fix"), &[])
    }

    /// The catalogue's id of this code's `part` (`code-e201-summary`).
    pub(crate) fn message(&self, part: &str) -> String {
        format!("code-{}-{part}", self.code.id.to_ascii_lowercase())
    }
}

/// The code with this id (`E201`) or name (`unknown-name`).
pub fn lookup(id_or_name: &str) -> Option<&'static CodeInfo> {
    CODES
        .iter()
        .find(|info| info.code.id.eq_ignore_ascii_case(id_or_name) || info.code.name == id_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    /// Every code's page is in the catalogue, in every language, and its English summary is the
    /// one its constant documents.
    #[test]
    fn every_code_is_explained_in_every_language() {
        for info in CODES {
            for lang in Lang::ALL {
                for part in ["summary", "fix"] {
                    let id = info.message(part);
                    assert_ne!(
                        lang.text(&id, &[]),
                        id,
                        "{id} is not in the {lang:?} catalogue"
                    );
                }
            }
            assert_eq!(info.summary_in(Lang::En), info.summary, "{}", info.code.id);
        }
    }

    #[test]
    fn ids_and_names_are_unique() {
        for (i, a) in CODES.iter().enumerate() {
            for b in CODES.iter().skip(i + 1) {
                assert_ne!(a.code.id, b.code.id);
                assert_ne!(a.code.name, b.code.name);
            }
        }
        assert_eq!(lookup("e201").map(|i| i.code.name), Some("unknown-name"));
        for info in CODES {
            assert!(
                !info.summary.is_empty() && !info.example.is_empty(),
                "{}",
                info.code.id
            );
        }
    }
}
