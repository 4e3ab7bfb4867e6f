//! Static analysis of a checked policy: rules that can never fire, conditions that are never
//! true, decisions that leave loans undecided, `every match` rules that claim the same loans
//! with different outcomes, guards that never apply, values nobody reads. Findings are
//! warnings; each unreachable rule, gap and overlap comes with a witness loan that the engine
//! has evaluated and that shows it.
//!
//! What is complete and what is only sound when reported:
//! * "never true", "unreachable" and "guard never applies" are proved in the over-approximate
//!   space (see `space.rs`): they are never false, whatever the policy says. They are complete
//!   for conditions built from comparisons of one field or derived value with constants, `in`,
//!   presence tests and yes/no values; where a condition compares two values or does arithmetic
//!   the analysis treats that part as a free yes/no and may miss a finding, never invent one.
//! * Gaps and overlaps are reported only with a witness built in the realizable space and
//!   confirmed by evaluating it: never false, but a gap reachable only by values outside the
//!   candidates (built from the policy's constants) goes unreported.

mod formula;
mod range;
mod space;
mod symbolic;
mod unfold;

use std::cell::RefCell;
use std::sync::Arc;

use biodivine_lib_bdd::Bdd;
use chrono::NaiveDate;
use serde_json::{Map, Value as Json};

use formula::{Atoms, Dim, Formula, Test};
use space::{Cube, Exhausted, Space, default_value};
use symbolic::Symbolic;
use unfold::Unfold;

use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::eval::{DecisionOutcome, eval_expr};
use crate::lang::{Text, text};
use crate::program::HitPolicy;
use crate::program::Program;
use crate::program::ir::{CmpOp, Expr, ExprKind};
use crate::source::{SourceFile, Span};
use crate::value::Loan;
use crate::value::Value;

/// The evaluation date witnesses are built for. Policies measure time from `as_of`, so any
/// date serves; this one is fixed so that findings are the same on every machine and day.
pub(crate) fn witness_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap_or_default()
}

/// What the analysis found about a policy.
#[derive(Debug, Default)]
pub struct Findings {
    /// Every finding, as a warning placed in the policy.
    pub diagnostics: Diagnostics,
    /// The loan that shows each finding that has one (an unreachable rule, a gap, an
    /// overlap), whole: the finding's help names its file.
    pub witnesses: Vec<Witness>,
}

/// A loan that shows a finding, with every field the schema requires, in the names the policy
/// uses: `arrears run` and `arrears explain` take it as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Witness {
    /// The file name the finding's help gives it: the code and what the finding is about
    /// (`W404-treatment.jsonl`).
    pub file_name: String,
    /// The loan as one JSON object, without a line break.
    pub record: String,
    /// Its key (`loan_id`), for `arrears explain --loan`.
    pub key: String,
    /// The date it shows the finding on.
    pub as_of: NaiveDate,
}

/// Every finding about `program`, as warnings placed in `source`, with their witness loans.
pub fn analyze(program: &Program, source: &Arc<SourceFile>) -> Findings {
    let as_of = witness_date();
    let mut atoms = Atoms::default();
    // Formulas first, so that every atom exists before the spaces are built.
    let conditions: Vec<Vec<Formula>> = program
        .decisions
        .iter()
        .map(|d| {
            d.rules
                .iter()
                .map(|r| {
                    r.condition
                        .as_ref()
                        .map_or(Formula::True, |c| atoms.condition(program, c))
                })
                .collect()
        })
        .collect();
    let guards: Vec<Formula> = program
        .guards
        .iter()
        .map(|g| atoms.condition(program, &g.condition))
        .collect();
    // Where each atom is first used, to point at it.
    let mut used_at = vec![None; atoms.list.len()];
    let rule_spans = program
        .decisions
        .iter()
        .zip(&conditions)
        .flat_map(|(d, rules)| d.rules.iter().map(|r| r.named.span).zip(rules));
    let guard_spans = program.guards.iter().map(|g| g.named.span).zip(&guards);
    for (span, formula) in rule_spans.chain(guard_spans) {
        let mut in_formula = Vec::new();
        formula.atoms(&mut in_formula);
        for atom in in_formula {
            if let Some(slot @ None) = used_at.get_mut(atom) {
                *slot = Some(span);
            }
        }
    }
    let over = Space::over(program, &atoms);
    let real = Space::real(program, &atoms, as_of);
    let analysis = Analysis {
        program,
        source,
        atoms: &atoms,
        used_at: &used_at,
        over: &over,
        symbolic: Symbolic::new(&over),
        real: &real,
        as_of,
        cuts: RefCell::new(Vec::new()),
        witnesses: RefCell::new(Vec::new()),
    };
    let mut found = Diagnostics::default();
    for (decision, rules) in conditions.iter().enumerate() {
        analysis.decision(decision, rules, &mut found);
    }
    for (index, formula) in guards.iter().enumerate() {
        let never = match &analysis.symbolic {
            Ok(symbolic) => symbolic.regions(formula).map(|r| r.is_false()),
            Err(Exhausted) => Err(Exhausted),
        };
        if never.is_err() {
            analysis.cut(Cut::Guard(index));
        }
        if let (Ok(true), Some(guard)) = (never, program.guards.get(index)) {
            found.push(
                Diagnostic::warning(
                    Code::GUARD_NEVER_APPLIES,
                    text!("w406-message", guard = &guard.named.name),
                )
                .in_file(source)
                .label(guard.named.span, text!("w406-label"))
                .help(text!("w406-help")),
            );
        }
    }
    analysis.unused(&mut found);
    analysis.constant_comparisons(&mut found);
    analysis.cut_short(&mut found);
    Findings {
        diagnostics: found,
        witnesses: analysis.witnesses.take(),
    }
}

/// A question the analysis gave up on at its limits, so a finding about it may be missing.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cut {
    /// Whether rule `.1` of decision `.0` can fire.
    Rule(usize, usize),
    /// Whether some loans match no rule of a decision.
    Gap(usize),
    /// Whether two rules of a `unique match` decision share loans.
    Overlap(usize, usize, usize),
    /// Whether a guard can apply.
    Guard(usize),
}

/// One decision's rule conditions, three ways.
struct Rules<'f> {
    formulas: &'f [Formula],
    /// Each rule's loans as regions of the over-approximate space.
    regions: Vec<Result<Bdd, Exhausted>>,
    /// Each rule as a cube of that space, when it is a conjunction of tests.
    cubes: Vec<Option<Cube>>,
    /// Whether each rule analysed so far can fire (in a first-match decision).
    fires: RefCell<Vec<bool>>,
    /// The two-rule covers found so far, with the loans the two take: in a long rulebook
    /// the same two rules often cover rule after rule.
    pairs: RefCell<Vec<([usize; 2], Bdd)>>,
}

impl Rules<'_> {
    /// Whether rules `a` and `b` may share a loan: they share a region of the over-approximate
    /// space (or that could not be settled, so they may).
    fn may_share(&self, a: usize, b: usize) -> bool {
        let cube = |r: usize| self.cubes.get(r).and_then(Option::as_ref);
        // Most rules are a few tests joined by `and`: comparing the choices they leave each
        // value is much cheaper than an operation on diagrams, and this runs for every pair.
        if let (Some(ca), Some(cb)) = (cube(a), cube(b)) {
            return ca.meets(cb);
        }
        match (self.regions.get(a), self.regions.get(b)) {
            (Some(Ok(ra)), Some(Ok(rb))) => !matches!(symbolic::meet(ra, rb), Ok(false)),
            _ => true,
        }
    }
}

impl Rules<'_> {
    /// The fewest earlier rules found that take every loan of rule `rule` (whose loans are
    /// `own`), in rule order, and whether no smaller set exists. One rule when one holds all
    /// its loans; otherwise a greedy choice among the rules that take some of its loans (each
    /// loan goes to the first rule it meets), then pruned so that none can be left out. Two
    /// rules are then the fewest (no one rule does it); with three or more, fewer might do.
    fn cover(&self, rule: usize, own: &Bdd) -> Result<(Vec<usize>, bool), Exhausted> {
        let fires = self.fires.borrow();
        let region = |j: usize| match self.regions.get(j) {
            Some(Ok(r)) => Ok(r),
            _ => Err(Exhausted),
        };
        // Only a rule that fires takes loans: one that can never fire (itself covered) is not
        // named, even when its condition holds all these loans.
        for j in (0..rule).filter(|j| fires.get(*j) == Some(&true)) {
            let cubes = self
                .cubes
                .get(rule)
                .and_then(Option::as_ref)
                .zip(self.cubes.get(j).and_then(Option::as_ref));
            let holds_all = match cubes {
                Some((mine, theirs)) => mine.within(theirs),
                None => symbolic::without(own, region(j)?)?.is_false(),
            };
            if holds_all {
                return Ok((vec![j], true));
            }
        }
        // No one rule does it, so two that do are the fewest.
        for (pair, both) in self.pairs.borrow().iter() {
            if symbolic::without(own, both)?.is_false() {
                return Ok((pair.to_vec(), true));
            }
        }
        let mut left = own.clone();
        let mut takers = Vec::new();
        for j in 0..rule {
            if left.is_false() {
                break;
            }
            if symbolic::meet(&left, region(j)?)? {
                takers.push(j);
                left = symbolic::without(&left, region(j)?)?;
            }
        }
        let mut left = own.clone();
        let mut chosen: Vec<usize> = Vec::new();
        while !left.is_false() {
            let mut best = None;
            for &j in takers.iter().filter(|j| !chosen.contains(j)) {
                let share = symbolic::both(&left, region(j)?)?.exact_cardinality();
                if best.as_ref().is_none_or(|(_, most)| share > *most) {
                    best = Some((j, share));
                }
            }
            let Some((j, _)) = best else {
                return Err(Exhausted);
            };
            chosen.push(j);
            left = symbolic::without(&left, region(j)?)?;
        }
        let mut index = 0;
        while index < chosen.len() {
            let mut others = own.and_not(own);
            for (k, j) in chosen.iter().enumerate() {
                if k != index {
                    others = symbolic::either(&others, region(*j)?)?;
                }
            }
            if symbolic::without(own, &others)?.is_false() {
                chosen.remove(index);
            } else {
                index += 1;
            }
        }
        chosen.sort_unstable();
        if let [a, b] = chosen[..] {
            let both = symbolic::either(region(a)?, region(b)?)?;
            self.pairs.borrow_mut().push(([a, b], both));
        }
        let minimum = chosen.len() <= 2;
        Ok((chosen, minimum))
    }
}

/// How many of the rules that take an unreachable rule's loans W402 names and points at.
const COVERING_NAMED: usize = 8;

/// How many unanswered questions a W409 names before it counts the rest.
const CUTS_NAMED: usize = 3;

struct Analysis<'a> {
    program: &'a Program,
    source: &'a Arc<SourceFile>,
    atoms: &'a Atoms,
    used_at: &'a [Option<crate::source::Span>],
    over: &'a Space,
    /// The over-approximate space as diagrams, for the proofs; `Exhausted` when it needs more
    /// variables than a diagram can have (then every proof is given up and said so).
    symbolic: Result<Symbolic, Exhausted>,
    real: &'a Space,
    as_of: NaiveDate,
    /// The questions given up on so far, for W409.
    cuts: RefCell<Vec<Cut>>,
    /// The witness loans of the findings so far.
    witnesses: RefCell<Vec<Witness>>,
}

impl Analysis<'_> {
    fn decision(&self, decision: usize, rules: &[Formula], found: &mut Diagnostics) {
        let Some(def) = self.program.decisions.get(decision) else {
            return;
        };
        let rules = Rules {
            formulas: rules,
            regions: rules
                .iter()
                .map(|rule| self.symbolic.as_ref().map_err(|_| Exhausted)?.regions(rule))
                .collect(),
            cubes: rules.iter().map(|rule| self.over.cube(rule)).collect(),
            fires: RefCell::new(Vec::new()),
            pairs: RefCell::new(Vec::new()),
        };
        let regions = &rules.regions;
        if def.hit == HitPolicy::Unique {
            // The policy promises one rule per loan: any two that share a loan break it.
            for (i, a) in rules.formulas.iter().enumerate() {
                for (j, b) in rules.formulas.iter().enumerate().skip(i + 1) {
                    // `otherwise` takes only the loans no other rule matched: it shares none.
                    let otherwise =
                        |r: usize| def.rules.get(r).is_some_and(|r| r.condition.is_none());
                    // Rules that share no region share no loan: no search needed.
                    if otherwise(i) || otherwise(j) || !rules.may_share(i, j) {
                        continue;
                    }
                    self.overlap(decision, i, j, a, b, found);
                }
            }
        }
        match def.hit {
            HitPolicy::First | HitPolicy::Unique => {
                let catch_all = def.rules.iter().position(|r| r.condition.is_none());
                // Rules after an `otherwise` are reported by the checker (W401).
                let last = catch_all.unwrap_or(def.rules.len().saturating_sub(1));
                // The loans the rules above take, one rule at a time.
                let mut taken: Result<Bdd, Exhausted> = self
                    .symbolic
                    .as_ref()
                    .map(Symbolic::nothing)
                    .map_err(|_| Exhausted);
                for index in (0..rules.formulas.len()).take(last + 1) {
                    let fires = self.first_match_rule(decision, index, &rules, &taken, found);
                    rules.fires.borrow_mut().push(fires);
                    taken = match (&taken, regions.get(index)) {
                        (Ok(above), Some(Ok(this))) => symbolic::either(above, this),
                        _ => Err(Exhausted),
                    };
                }
                // When the rules' regions cover the whole over-approximate space, every loan
                // meets some rule: no witness search needed.
                let covered = taken.is_ok_and(|all| all.is_true());
                if catch_all.is_none() && !covered {
                    self.gap(decision, rules.formulas, found);
                }
            }
            // Rules of an `every match` decision are meant to add up; sharing loans is their
            // purpose, so overlaps are not reported there (see ARCHITECTURE.md).
            HitPolicy::Collect => {
                for index in 0..rules.formulas.len() {
                    self.never_true(decision, index, regions, found);
                }
            }
        }
    }

    fn rule_name(&self, decision: usize, rule: usize) -> (&str, crate::source::Span) {
        self.program
            .decisions
            .get(decision)
            .and_then(|d| d.rules.get(rule))
            .map_or(("", crate::source::Span::default()), |r| {
                (r.named.name.as_str(), r.named.span)
            })
    }

    /// Reports rule `rule` when no loan meets its condition; whether it did.
    fn never_true(
        &self,
        decision: usize,
        rule: usize,
        regions: &[Result<Bdd, Exhausted>],
        found: &mut Diagnostics,
    ) -> bool {
        match regions.get(rule) {
            Some(Ok(own)) if own.is_false() => {}
            Some(Ok(_)) => return false,
            _ => {
                self.cut(Cut::Rule(decision, rule));
                return false;
            }
        }
        let (name, span) = self.rule_name(decision, rule);
        found.push(
            Diagnostic::warning(Code::NEVER_TRUE, text!("w403-message", rule = name))
                .in_file(self.source)
                .label(span, text!("w403-label"))
                .help(text!("w403-help")),
        );
        true
    }

    /// Reports rule `rule` of a first-match decision when the rules above (`taken`) take
    /// every loan it matches.
    fn first_match_rule(
        &self,
        decision: usize,
        rule: usize,
        rules: &Rules,
        taken: &Result<Bdd, Exhausted>,
        found: &mut Diagnostics,
    ) -> bool {
        if self.never_true(decision, rule, &rules.regions, found) {
            return false;
        }
        let (Some(own), Some(Ok(own_regions)), Ok(taken)) =
            (rules.formulas.get(rule), rules.regions.get(rule), taken)
        else {
            // Not settled (and said so where it was given up): it may fire.
            return true;
        };
        match symbolic::without(own_regions, taken) {
            Ok(left) if left.is_false() => {}
            Ok(_) => return true,
            Err(Exhausted) => {
                self.cut(Cut::Rule(decision, rule));
                return true;
            }
        }
        // Every loan the rule matches is taken earlier: the rules that share a region with it
        // may take some; the fewest that take them all are named.
        let covering: Vec<usize> = (0..rule).filter(|j| rules.may_share(rule, *j)).collect();
        let (named, minimum) = match rules.cover(rule, own_regions) {
            Ok(cover) => cover,
            // The cover could not be settled: every rule that may take some of its loans.
            Err(Exhausted) => (covering.clone(), false),
        };
        // In a long rulebook a cover can still be long; the first few named (and pointed at)
        // say what to look at, the count says how many more there are.
        let mut names: Vec<String> = named
            .iter()
            .take(COVERING_NAMED)
            .map(|j| format!("`{}`", self.rule_name(decision, *j).0))
            .collect();
        let more = named.len().saturating_sub(COVERING_NAMED);
        let listed = match (names.pop(), names.is_empty(), more) {
            (Some(only), true, _) => Text::Verbatim(only),
            (Some(last), false, 0) => text!("w402-together", rules = names.join(", "), last = last),
            (Some(last), _, more) => {
                names.push(last);
                text!(
                    "w402-more-together",
                    rules = names.join(", "),
                    more = crate::value::grouped(rust_decimal::Decimal::from(more))
                )
            }
            (None, _, _) => text!("w402-earlier-rules"),
        };
        let (name, span) = self.rule_name(decision, rule);
        let mut diagnostic = Diagnostic::warning(
            Code::UNREACHABLE_RULE,
            text!("w402-message", rule = name, listed = listed),
        )
        .in_file(self.source)
        .label(span, text!("w402-label"));
        for j in named.iter().take(COVERING_NAMED) {
            diagnostic =
                diagnostic.label(self.rule_name(decision, *j).1, text!("w402-takes-label"));
        }
        let witness = self.witness(own).filter(|loan| {
            let evaluation = self.program.evaluate(loan, self.as_of);
            matches!(evaluation.outcomes.get(decision), Some(DecisionOutcome::First { rule: Some(j), .. }) if covering.contains(&j.index()))
        });
        let help = match witness {
            Some(loan) => {
                let taken = match self
                    .program
                    .evaluate(&loan, self.as_of)
                    .outcomes
                    .get(decision)
                {
                    Some(DecisionOutcome::First { rule: Some(j), .. }) => {
                        self.rule_name(decision, j.index()).0.to_owned()
                    }
                    _ => String::new(),
                };
                text!(
                    "w402-help-example",
                    taken = taken,
                    example = self.example(Code::UNREACHABLE_RULE, name, &loan)
                )
            }
            None => text!("w402-help"),
        };
        let help = if minimum {
            help
        } else {
            text!("w402-help-not-minimum", help = help)
        };
        found.push(diagnostic.help(help));
        false
    }

    fn gap(&self, decision: usize, rules: &[Formula], found: &mut Diagnostics) {
        let none = Formula::and(rules.iter().map(|r| r.clone().not()).collect());
        let region = match self.real.solve(&none) {
            Ok(Some(region)) => region,
            Ok(None) => return,
            Err(Exhausted) => return self.cut(Cut::Gap(decision)),
        };
        let loan = self.loan_of(&region);
        let evaluation = self.program.evaluate(&loan, self.as_of);
        if !matches!(
            evaluation.outcomes.get(decision),
            Some(DecisionOutcome::First { rule: None, .. })
        ) {
            return;
        }
        let Some(def) = self.program.decisions.get(decision) else {
            return;
        };
        found.push(
            Diagnostic::warning(Code::GAP, text!("w404-message", decision = &def.named.name))
                .in_file(self.source)
                .label(def.named.span, text!("w404-label"))
                .help(text!(
                    "w404-help",
                    region = self.describe_region(&region, &none),
                    example = self.example(Code::GAP, &def.named.name, &loan)
                )),
        );
    }

    fn overlap(
        &self,
        decision: usize,
        i: usize,
        j: usize,
        a: &Formula,
        b: &Formula,
        found: &mut Diagnostics,
    ) {
        let both = Formula::and(vec![a.clone(), b.clone()]);
        let region = match self.real.solve(&both) {
            Ok(Some(region)) => region,
            Ok(None) => return,
            Err(Exhausted) => return self.cut(Cut::Overlap(decision, i, j)),
        };
        let loan = self.loan_of(&region);
        // Confirm with the engine: both conditions hold for the witness.
        let holds = |rule: usize| {
            self.program
                .decisions
                .get(decision)
                .and_then(|d| d.rules.get(rule))
                .is_some_and(|r| match &r.condition {
                    Some(c) => eval_expr(self.program, &loan, self.as_of, c) == Value::Bool(true),
                    None => true,
                })
        };
        if !(holds(i) && holds(j)) {
            return;
        }
        let ((name_i, span_i), (name_j, span_j)) =
            (self.rule_name(decision, i), self.rule_name(decision, j));
        found.push(
            Diagnostic::warning(
                Code::OVERLAP,
                text!("w405-message", first = name_i, second = name_j),
            )
            .in_file(self.source)
            .label(span_i, text!("w405-label"))
            .label(span_j, text!("w405-label-same"))
            .help(text!(
                "w405-help",
                region = self.describe_region(&region, &both),
                example = self.example(Code::OVERLAP, &format!("{name_i}-{name_j}"), &loan)
            )),
        );
    }

    /// Remembers a question given up on, for [`Analysis::cut_short`].
    fn cut(&self, cut: Cut) {
        let mut cuts = self.cuts.borrow_mut();
        if !cuts.contains(&cut) {
            cuts.push(cut);
        }
    }

    /// One W409 per decision or guard with questions given up on: a missing finding there
    /// means "not found", not "not there".
    fn cut_short(&self, found: &mut Diagnostics) {
        let cuts = self.cuts.borrow();
        // Where each question is asked: a decision, or a guard (by index).
        let place = |cut: &Cut| match cut {
            Cut::Rule(d, _) | Cut::Gap(d) | Cut::Overlap(d, _, _) => (true, *d),
            Cut::Guard(g) => (false, *g),
        };
        let mut places: Vec<(bool, usize)> = Vec::new();
        for cut in cuts.iter() {
            if !places.contains(&place(cut)) {
                places.push(place(cut));
            }
        }
        for at in places {
            let questions: Vec<Text> = cuts
                .iter()
                .filter(|cut| place(cut) == at)
                .map(|cut| match cut {
                    Cut::Rule(d, r) => text!("w409-rule", rule = self.rule_name(*d, *r).0),
                    Cut::Gap(_) => text!("w409-gap"),
                    Cut::Overlap(d, i, j) => text!(
                        "w409-overlap",
                        first = self.rule_name(*d, *i).0,
                        second = self.rule_name(*d, *j).0
                    ),
                    Cut::Guard(_) => text!("w409-guard"),
                })
                .collect();
            let listed = Text::Listed(questions.iter().take(CUTS_NAMED).cloned().collect());
            let named = match questions.len().checked_sub(CUTS_NAMED).filter(|n| *n > 0) {
                Some(more) => text!(
                    "w409-and-more",
                    listed = listed,
                    more = crate::value::grouped(rust_decimal::Decimal::from(more))
                ),
                None => listed,
            };
            let (what, span) = match at {
                (true, d) => self.program.decisions.get(d).map(|def| {
                    (
                        text!("w409-decision", name = &def.named.name),
                        def.named.span,
                    )
                }),
                (false, g) => self.program.guards.get(g).map(|guard| {
                    (
                        text!("w409-guard-named", name = &guard.named.name),
                        guard.named.span,
                    )
                }),
            }
            .unwrap_or((Text::Verbatim(String::new()), Span::default()));
            found.push(
                Diagnostic::warning(
                    Code::ANALYSIS_CUT_SHORT,
                    text!("w409-message", what = what, named = named),
                )
                .in_file(self.source)
                .label(span, text!("w409-label"))
                .help(text!("w409-help")),
            );
        }
    }

    /// A loan in a realizable region where `formula` holds.
    fn witness(&self, formula: &Formula) -> Option<Loan> {
        match self.real.solve(formula) {
            Ok(Some(region)) => Some(self.loan_of(&region)),
            _ => None,
        }
    }

    fn loan_of(&self, region: &std::collections::BTreeMap<usize, usize>) -> Loan {
        let schema = &self.program.schema;
        let mut fields: Vec<Value> = schema
            .fields
            .iter()
            .enumerate()
            .map(|(slot, f)| default_value(f, slot == schema.key, self.as_of))
            .collect();
        for (component, choice) in region {
            let Some((_, assignment)) = self
                .real
                .components
                .get(*component)
                .and_then(|c| c.choices.get(*choice))
            else {
                continue;
            };
            for (slot, value) in assignment {
                if let Some(field) = fields.get_mut(*slot) {
                    *field = value.clone();
                }
            }
        }
        Loan::new(fields)
    }

    /// The witness for a finding `code` about `subject`, as the finding's help gives it: the
    /// fields that differ from the defaults, the date, and the file `--witnesses` writes it to
    /// whole (kept in [`Analysis::witnesses`]).
    fn example(&self, code: Code, subject: &str, loan: &Loan) -> Text {
        let schema = &self.program.schema;
        let mut differing = Map::new();
        let mut whole = Map::new();
        for (slot, (field, value)) in schema.fields.iter().zip(&loan.fields).enumerate() {
            let name = self.program.field_word(slot).to_owned();
            let json = self.program.field_json(Some(slot), value);
            if slot == schema.key || *value != default_value(field, slot == schema.key, self.as_of)
            {
                differing.insert(name.clone(), json.clone());
            }
            // A complete loan: every field but the optional ones it lacks.
            if *value != Value::Missing {
                whole.insert(name, json);
            }
        }
        let key = loan
            .fields
            .get(schema.key)
            .map(|k| self.program.field_json(Some(schema.key), k))
            .and_then(|k| k.as_str().map(str::to_owned))
            .unwrap_or_default();
        // A file name from the code and what the finding is about, safe on every system.
        let file_name = format!("{}-{subject}.jsonl", code.id)
            .chars()
            .map(|c| {
                if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                    || c.is_control()
                {
                    '_'
                } else {
                    c
                }
            })
            .collect::<String>();
        let as_of = self.as_of.format("%Y-%m-%d").to_string();
        let said = text!(
            "witness-example",
            loan = Json::Object(differing).to_string(),
            date = &as_of,
            file = &file_name,
            key = &key
        );
        self.witnesses.borrow_mut().push(Witness {
            file_name,
            record: Json::Object(whole).to_string(),
            key,
            as_of: self.as_of,
        });
        said
    }

    /// The region in the policy's own words: each value's range, each other condition's truth.
    fn describe_region(
        &self,
        region: &std::collections::BTreeMap<usize, usize>,
        formula: &Formula,
    ) -> Text {
        let mut atoms = Vec::new();
        formula.atoms(&mut atoms);
        let truth = |atom: usize| -> Option<bool> {
            region.iter().find_map(|(component, choice)| {
                let component = self.real.components.get(*component)?;
                let position = component.atoms.iter().position(|a| *a == atom)?;
                component.choices.get(*choice)?.0.get(position).copied()
            })
        };
        let mut by_dim: Vec<(Dim, Vec<(&Test, bool)>)> = Vec::new();
        let mut others = Vec::new();
        for atom in atoms {
            let (Some(value), Some(info)) = (truth(atom), self.atoms.list.get(atom)) else {
                continue;
            };
            match &info.simple {
                Some((dim, test)) => match by_dim.iter_mut().find(|(d, _)| d == dim) {
                    Some((_, tests)) => tests.push((test, value)),
                    None => by_dim.push((*dim, vec![(test, value)])),
                },
                None => {
                    let condition = self.expr_text(&info.expr);
                    others.push(if value {
                        text!("region-holds", condition = condition)
                    } else {
                        text!("region-fails", condition = condition)
                    })
                }
            }
        }
        let mut parts: Vec<Text> = by_dim
            .iter()
            .flat_map(|(dim, tests)| self.range_text(*dim, tests))
            .collect();
        parts.extend(others);
        if parts.is_empty() {
            text!("region-any")
        } else {
            Text::Listed(parts)
        }
    }

    fn dim_name(&self, dim: Dim) -> String {
        match dim {
            Dim::Field(slot) => self.program.field_word(slot).to_owned(),
            Dim::DaysSince(slot) => format!(
                "{} - {}",
                self.program.wording.as_of(),
                self.program.field_word(slot)
            ),
            Dim::Derived(index) => self
                .program
                .derived
                .get(index)
                .map_or(String::new(), |d| d.named.name.clone()),
        }
    }

    /// A value in the policy's words; `dim` says what it is a value of, when anything.
    fn value_text(&self, dim: Option<Dim>, value: &Value) -> String {
        match (dim, value) {
            (Some(Dim::Field(slot)), Value::Enum(_)) => self
                .program
                .field_json(Some(slot), value)
                .as_str()
                .unwrap_or("")
                .to_owned(),
            (_, Value::Days(n)) => self.program.wording.days(*n),
            (_, Value::Text(t)) => format!("{t:?}"),
            (_, other) => self
                .program
                .field_json(None, other)
                .to_string()
                .trim_matches('"')
                .to_owned(),
        }
    }

    /// `overdue in 31..90 days`, `willingness = hesitant`, `has_guarantor = false`.
    fn range_text(&self, dim: Dim, tests: &[(&Test, bool)]) -> Vec<Text> {
        let name = self.dim_name(dim);
        // A value that passes exactly these tests, from the over-approximate representatives,
        // is enough to print equalities; ranges come from the comparisons.
        let mut low: Option<(Value, bool)> = None; // (bound, inclusive)
        let mut high: Option<(Value, bool)> = None;
        let mut equal: Option<Value> = None;
        let mut not_in: Vec<Value> = Vec::new();
        let mut parts = Parts::default();
        for (test, truth) in tests {
            match (test, truth) {
                (Test::IsTrue, true) => parts.push(text!("region-yes", name = &name)),
                (Test::IsTrue, false) => parts.push(text!("region-no", name = &name)),
                (Test::Present, true) => parts.push(text!("region-present", name = &name)),
                (Test::Present, false) => parts.push(text!("region-missing", name = &name)),
                (Test::In(values), true) => {
                    if let [only] = values.as_slice() {
                        equal = Some(only.clone());
                    } else {
                        parts.push(format!(
                            "{name} in [{}]",
                            values
                                .iter()
                                .map(|v| self.value_text(Some(dim), v))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                    }
                }
                (Test::In(values), false) => not_in.extend(values.iter().cloned()),
                (Test::Cmp(CmpOp::Eq, v), true) => equal = Some(v.clone()),
                (Test::Cmp(CmpOp::Eq, v), false) | (Test::Cmp(CmpOp::Ne, v), true) => {
                    not_in.push(v.clone())
                }
                (Test::Cmp(CmpOp::Ne, v), false) => equal = Some(v.clone()),
                (Test::Cmp(op, v), t) => {
                    // Normalise to "value > v" / "value >= v" / "value < v" / "value <= v" holding.
                    let op = match (op, t) {
                        (CmpOp::Gt, false) => CmpOp::Le,
                        (CmpOp::Ge, false) => CmpOp::Lt,
                        (CmpOp::Lt, false) => CmpOp::Ge,
                        (CmpOp::Le, false) => CmpOp::Gt,
                        (op, _) => *op,
                    };
                    let tighter = |current: &Option<(Value, bool)>,
                                   candidate: &Value,
                                   inclusive: bool,
                                   above: bool| {
                        current
                            .as_ref()
                            .is_none_or(|(bound, inc)| match candidate.compare(bound) {
                                Some(std::cmp::Ordering::Greater) => above,
                                Some(std::cmp::Ordering::Less) => !above,
                                _ => *inc && !inclusive,
                            })
                    };
                    match op {
                        CmpOp::Gt | CmpOp::Ge => {
                            let inclusive = op == CmpOp::Ge;
                            if tighter(&low, v, inclusive, true) {
                                low = Some((v.clone(), inclusive));
                            }
                        }
                        _ => {
                            let inclusive = op == CmpOp::Le;
                            if tighter(&high, v, inclusive, false) {
                                high = Some((v.clone(), inclusive));
                            }
                        }
                    }
                }
            }
        }
        if let Some(value) = equal {
            parts.push(format!("{name} = {}", self.value_text(Some(dim), &value)));
        } else {
            let bound = |(v, inclusive): &(Value, bool), strict: &str, loose: &str| {
                format!(
                    "{} {}",
                    if *inclusive { loose } else { strict },
                    self.value_text(Some(dim), v)
                )
            };
            match (&low, &high) {
                (Some(l), Some(h)) => parts.push(format!(
                    "{name} {} and {}",
                    bound(l, ">", "≥"),
                    bound(h, "<", "≤")
                )),
                (Some(l), None) => parts.push(format!("{name} {}", bound(l, ">", "≥"))),
                (None, Some(h)) => parts.push(format!("{name} {}", bound(h, "<", "≤"))),
                (None, None) => {}
            }
            if !not_in.is_empty() {
                parts.push(format!(
                    "{name} not {}",
                    not_in
                        .iter()
                        .map(|v| self.value_text(Some(dim), v))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
        parts.0
    }

    /// A condition in the policy's words, for the parts of a region that are not one value's range.
    fn expr_text(&self, expr: &Expr) -> String {
        match &expr.kind {
            ExprKind::Field(slot) => self.dim_name(Dim::Field(*slot)),
            ExprKind::Derived(index) => self.dim_name(Dim::Derived(*index)),
            ExprKind::AsOf => "as_of".into(),
            ExprKind::Const(v) => self.value_text(None, v),
            ExprKind::Cmp(op, a, b) => format!(
                "{} {} {}",
                self.expr_text(a),
                op.symbol(),
                self.expr_text(b)
            ),
            ExprKind::Sub(a, b) => format!("{} - {}", self.expr_text(a), self.expr_text(b)),
            ExprKind::Add(a, b) => format!("{} + {}", self.expr_text(a), self.expr_text(b)),
            ExprKind::IsPresent(a) => format!("{} is present", self.expr_text(a)),
            ExprKind::Not(a) => format!("not {}", self.expr_text(a)),
            _ => "a condition".into(),
        }
    }

    /// Comparisons whose answer the value's range settles: `overdue < 0 days` is always false.
    fn constant_comparisons(&self, found: &mut Diagnostics) {
        for (number, atom) in self.atoms.list.iter().enumerate() {
            let Some((Dim::Derived(index), Test::Cmp(op, constant))) = &atom.simple else {
                continue;
            };
            let (Value::Int(c) | Value::Days(c)) = constant else {
                continue;
            };
            let Some(def) = self.program.derived.get(*index) else {
                continue;
            };
            let bounds = range::range(
                self.program,
                &Expr::new(ExprKind::Derived(*index), Span::default()),
                &[],
                0,
            );
            let (some, all) = range::test_over(bounds, *op, *c);
            if some && !all {
                continue;
            }
            let compared = self.expr_text(&atom.expr);
            let limits = match bounds {
                (Some(l), Some(h)) => text!("w408-between", low = l, high = h),
                (Some(l), None) => text!("w408-at-least", low = l),
                (None, Some(h)) => text!("w408-at-most", high = h),
                (None, None) => text!("w408-unbounded"),
            };
            let name = &def.named.name;
            let message = if some {
                text!(
                    "w408-always-true",
                    compared = compared,
                    name = name,
                    limits = limits
                )
            } else {
                text!(
                    "w408-always-false",
                    compared = compared,
                    name = name,
                    limits = limits
                )
            };
            let mut diagnostic =
                Diagnostic::warning(Code::CONSTANT_COMPARISON, message).in_file(self.source);
            if let Some(Some(span)) = self.used_at.get(number) {
                diagnostic = diagnostic.label(*span, text!("w408-compared-here"));
            }
            found.push(
                diagnostic
                    .label(def.named.span, text!("unused-defined-here"))
                    .help(text!("w408-help")),
            );
        }
    }

    /// Derived values nothing reads.
    fn unused(&self, found: &mut Diagnostics) {
        let mut read = vec![false; self.program.derived.len()];
        for d in &self.program.derived {
            mark_derived(&d.expr, &mut read);
        }
        for decision in &self.program.decisions {
            for rule in &decision.rules {
                if let Some(c) = &rule.condition {
                    mark_derived(c, &mut read);
                }
                let mut conditions = Vec::new();
                collect_outcome_conditions(&rule.outcome, &mut conditions);
                for c in conditions {
                    mark_derived(c, &mut read);
                }
            }
        }
        for guard in &self.program.guards {
            mark_derived(&guard.condition, &mut read);
        }
        // A value a capacity groups or orders loans by is read there.
        for &value in &self.program.capacity_values {
            if let Some(used) = read.get_mut(value) {
                *used = true;
            }
        }
        for (def, used) in self.program.derived.iter().zip(read) {
            if !used {
                found.push(
                    Diagnostic::warning(
                        Code::UNUSED,
                        text!("w407-message", name = &def.named.name),
                    )
                    .in_file(self.source)
                    .label(def.named.span, text!("unused-defined-here"))
                    .help(text!("w407-help")),
                );
            }
        }
    }
}

/// The parts of a region's description: words of the catalogue, and comparisons written as
/// the policy writes them.
#[derive(Default)]
struct Parts(Vec<Text>);

impl Parts {
    fn push(&mut self, part: impl Into<Text>) {
        self.0.push(part.into());
    }
}

fn collect_outcome_conditions<'a>(
    outcome: &'a crate::program::ir::Outcome,
    out: &mut Vec<&'a Expr>,
) {
    if let crate::program::ir::Outcome::If(condition, a, b) = outcome {
        out.push(condition);
        collect_outcome_conditions(a, out);
        collect_outcome_conditions(b, out);
    }
}

fn mark_derived(expr: &Expr, read: &mut Vec<bool>) {
    if let ExprKind::Derived(index) = &expr.kind
        && let Some(slot) = read.get_mut(*index)
    {
        *slot = true;
    }
    expr.for_each_child(&mut |child| mark_derived(child, read));
}

/// Rules that can never fire (by decision and rule index) and guards that never apply, as the
/// analysis proves them (W402, W403, W406): no change inside one can change an outcome.
pub(crate) fn dead_parts(
    program: &Program,
    source: &Arc<SourceFile>,
) -> (Vec<(usize, usize)>, Vec<usize>) {
    let findings = analyze(program, source).diagnostics;
    let at = |codes: &[Code], span: Span| {
        findings
            .iter()
            .any(|d| codes.contains(&d.code()) && d.primary_span() == Some(span))
    };
    let rules = program
        .decisions
        .iter()
        .enumerate()
        .flat_map(|(d, decision)| {
            decision
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| {
                    at(&[Code::UNREACHABLE_RULE, Code::NEVER_TRUE], rule.named.span)
                })
                .map(move |(r, _)| (d, r))
        })
        .collect();
    let guards = program
        .guards
        .iter()
        .enumerate()
        .filter(|(_, guard)| at(&[Code::GUARD_NEVER_APPLIES], guard.named.span))
        .map(|(g, _)| g)
        .collect();
    (rules, guards)
}

/// Whether two conditions may hold for one loan: `false` only when the over-approximate space,
/// with derived values written out as their definitions, proves they cannot.
pub(crate) fn may_meet(program: &Program, a: &Expr, b: &Expr) -> bool {
    let mut atoms = Atoms::default();
    let (fa, fb) = (atoms.condition(program, a), atoms.condition(program, b));
    !proved_empty_with(program, &mut atoms, Formula::and(vec![fa, fb]), &[])
}

/// Candidate values for the loan fields in `slots` (a list for each), built from the policy's
/// constants and their neighbours as witness loans are, for the evaluation date `as_of`.
pub(crate) fn candidate_values(
    program: &Program,
    slots: &[usize],
    as_of: NaiveDate,
) -> Vec<Vec<Value>> {
    space::candidates(program, slots, as_of)
}

/// The loan fields `expr` reads, through derived values.
pub(crate) fn fields_read(program: &Program, expr: &Expr) -> Vec<usize> {
    space::fields_read(program, expr)
}

/// Whether rule `rule` of decision `decision`, its condition changed to `changed`, can decide
/// some loan differently: `false` only when the over-approximate space proves that the two
/// conditions never differ on a loan the rule is reached for (in a `first match` decision,
/// every loan where they differ is taken by a rule above).
pub(crate) fn change_visible(
    program: &Program,
    decision: usize,
    rule: usize,
    changed: &Expr,
) -> bool {
    let Some(def) = program.decisions.get(decision) else {
        return true;
    };
    let mut atoms = Atoms::default();
    let mut condition = |c: Option<&Expr>| match c {
        Some(c) => atoms.condition(program, c),
        None => Formula::True,
    };
    let original = condition(def.rules.get(rule).and_then(|r| r.condition.as_ref()));
    let mutated = condition(Some(changed));
    let mut reached = Vec::new();
    if def.hit != HitPolicy::Collect {
        for above in def.rules.iter().take(rule) {
            reached.push(condition(above.condition.as_ref()).not());
        }
    }
    reached.push(differ(original, mutated));
    !proved_empty_with(program, &mut atoms, Formula::and(reached), &[])
}

/// "`a` and `b` give different answers".
fn differ(a: Formula, b: Formula) -> Formula {
    Formula::or(vec![
        Formula::and(vec![a.clone(), b.clone().not()]),
        Formula::and(vec![a.not(), b]),
    ])
}

/// Whether two conditions can differ on some loan: `false` only when proven they cannot.
pub(crate) fn conditions_differ(program: &Program, a: &Expr, b: &Expr) -> bool {
    let mut atoms = Atoms::default();
    let (fa, fb) = (atoms.condition(program, a), atoms.condition(program, b));
    !proved_empty_with(program, &mut atoms, differ(fa, fb), &[])
}

/// Whether derived value `index`, defined as `changed` instead, can change any outcome:
/// `false` only when every rule, rule outcome and guard that reads it, directly or through
/// other values and decisions, is proven to give every loan the same answer either way, and
/// no deadline (an output in its own right) reads it.
pub(crate) fn derived_change_visible(program: &Program, index: usize, changed: &Expr) -> bool {
    let mut mutant = program.clone();
    match mutant.derived.get_mut(index) {
        Some(definition) => definition.expr = changed.clone(),
        None => return true,
    }
    let (open, deciding) = readers(program, index);
    if open
        .iter()
        .zip(&program.derived)
        .any(|(read, definition)| *read && definition.deadline)
    {
        return true;
    }
    // What decides outcomes and reads the value: the conditions of the rules of deciding
    // decisions (and of their outcomes), and of guards.
    let mut observers: Vec<&Expr> = Vec::new();
    for (decision, reads) in program.decisions.iter().zip(&deciding) {
        if *reads {
            for rule in &decision.rules {
                observers.extend(rule.condition.as_ref());
                collect_outcome_conditions(&rule.outcome, &mut observers);
            }
        }
    }
    let original = Unfold::strict(program, open.clone(), deciding.clone());
    let observer_reads = |e: &Expr| original.reads(e);
    observers.extend(
        program
            .guards
            .iter()
            .map(|g| &g.condition)
            .filter(|c| observer_reads(c)),
    );
    let changed = Unfold::strict(&mutant, open.clone(), deciding);
    let mut atoms = Atoms::default();
    let mut differences = Vec::new();
    for observer in observers {
        let (Some(a), Some(b)) = (
            atoms.unfolded(&original, observer),
            atoms.unfolded(&changed, observer),
        ) else {
            return true;
        };
        differences.push(differ(a, b));
    }
    !proved_empty_with(program, &mut atoms, Formula::or(differences), &open)
}

/// The derived values and decisions that read derived value `index`, directly or not (the
/// value itself among them).
fn readers(program: &Program, index: usize) -> (Vec<bool>, Vec<bool>) {
    let mut open = vec![false; program.derived.len()];
    let mut deciding = vec![false; program.decisions.len()];
    if let Some(slot) = open.get_mut(index) {
        *slot = true;
    }
    // Values may read decisions and decisions values: repeat until nothing new is found.
    loop {
        let unfold = Unfold::strict(program, open.clone(), deciding.clone());
        let mut grew = false;
        for (slot, definition) in open.iter_mut().zip(&program.derived) {
            if !*slot && unfold.reads(&definition.expr) {
                *slot = true;
                grew = true;
            }
        }
        for (slot, decision) in deciding.iter_mut().zip(&program.decisions) {
            let mut conditions = Vec::new();
            for rule in &decision.rules {
                conditions.extend(rule.condition.as_ref());
                collect_outcome_conditions(&rule.outcome, &mut conditions);
            }
            if !*slot && conditions.iter().any(|c| unfold.reads(c)) {
                *slot = true;
                grew = true;
            }
        }
        if !grew {
            return (open, deciding);
        }
    }
}

/// How many atoms of derived values [`proved_empty`] ties to their definitions, at most.
const MAX_DEFINITIONS: usize = 4_096;

/// Whether the over-approximate space over `atoms` proves that no loan meets `formula`, each
/// atom that tests a derived value tied to the value's definition (except those `skip` marks):
/// `overdue = 0 days` holds exactly when the definition of `overdue` gives `0 days`, which
/// relates it to the fields it is computed from.
fn proved_empty_with(
    program: &Program,
    atoms: &mut Atoms,
    formula: Formula,
    skip: &[bool],
) -> bool {
    let mut facts = vec![formula];
    // Tying an atom to its definition adds atoms, which may test derived values in turn.
    let mut next = 0;
    while next < atoms.list.len().min(MAX_DEFINITIONS) {
        let tested = atoms.list.get(next).and_then(|a| a.simple.clone());
        if let Some((Dim::Derived(index), test)) = tested
            && skip.get(index) != Some(&true)
            && let Some(definition) = atoms.definition(program, index, &test)
        {
            facts.push(differ(Formula::Atom(next), definition).not());
        }
        next += 1;
    }
    proved_empty(program, atoms, &Formula::and(facts))
}

/// Whether the over-approximate space over `atoms` proves that no loan meets `formula`.
fn proved_empty(program: &Program, atoms: &Atoms, formula: &Formula) -> bool {
    let over = Space::over(program, atoms);
    let Ok(symbolic) = Symbolic::new(&over) else {
        return false;
    };
    symbolic.regions(formula).is_ok_and(|r| r.is_false())
}
