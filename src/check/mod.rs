//! Every static judgement about a policy: names resolve, types agree, optional values are
//! tested before they are read, decisions can be ordered. All problems are collected in one
//! pass; the result is a [`Program`] whose expressions are resolved and typed ([`ir`]).

mod borrower;
mod capacity;
mod expr;
mod order;
mod types;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::lang::text;
use crate::program::{
    ActionId, DecisionDef, DerivedDef, Gives, GuardDef, HitPolicy, Named, OutcomeId, Program,
    RuleDef, Ty, ir,
};
use crate::schema::Schema;
use crate::source::{SourceFile, Span};
use crate::symbols::{Declaration, Symbol, Symbols};
use crate::syntax::ast::{self, Item};

/// The name and label of a declaration, and where it is.
fn named(name: &ast::Ident, label: Option<&ast::Text>) -> Named {
    Named {
        name: name.name.clone(),
        label: label.map(|l| l.value.clone()),
        span: name.span,
    }
}

/// The program's hit policy for the syntax's.
fn hit_policy(hit: ast::HitPolicy) -> HitPolicy {
    match hit {
        ast::HitPolicy::First => HitPolicy::First,
        ast::HitPolicy::Unique => HitPolicy::Unique,
        ast::HitPolicy::Collect => HitPolicy::Collect,
    }
}

/// What checking a policy gives: the checked policy when it has no errors, every diagnostic
/// (errors and warnings) either way, and every name the checker resolved.
pub(crate) struct Checked {
    pub(crate) program: Option<Program>,
    pub(crate) diagnostics: Diagnostics,
    pub(crate) symbols: Symbols,
}

/// Checks a parsed policy against its schema. `is_module` says whether the file checked is
/// itself a module (its own first statement is `module`), rather than a policy whose included
/// modules' statements follow its own.
pub(crate) fn check(
    policy: &ast::PolicyFile,
    source: &Arc<SourceFile>,
    schema: Option<Schema>,
    is_module: bool,
) -> Checked {
    let (program, diagnostics, symbols) = check_parts(policy, source, schema, is_module);
    Checked {
        program,
        diagnostics,
        symbols,
    }
}

fn check_parts(
    policy: &ast::PolicyFile,
    source: &Arc<SourceFile>,
    schema: Option<Schema>,
    is_module: bool,
) -> (Option<Program>, Diagnostics, Symbols) {
    let mut diagnostics = Diagnostics::default();
    let Some(schema) = schema else {
        diagnostics.push(
            Diagnostic::error(Code::SCHEMA, text!("no-schema"))
                .in_file(source)
                .at(Span::new(0, 0).in_file(source.id()))
                .help(text!("no-schema-help")),
        );
        return (None, diagnostics, Symbols::default());
    };
    let mut checker = Checker::new(policy, source, &schema, is_module);
    checker.record_declarations();
    checker.declarations();
    checker.derived_values();
    let decisions = checker.decisions();
    let guards = checker.guards();
    let capacities = checker.capacities();
    let order = order::decision_order(&checker.decision_reads, &decisions, source);
    let mut diagnostics = std::mem::take(&mut checker.diagnostics);
    let derived = checker.finished_derived();
    let borrower_values = std::mem::take(&mut checker.borrower_values);
    if let Some(derived) = &derived {
        borrower::check_borrower_reads(
            &borrower_values,
            derived,
            &decisions,
            &schema,
            source,
            &mut diagnostics,
        );
    }
    let mut symbols = std::mem::take(&mut checker.symbols);
    symbols.finish();
    let actions = checker.actions;
    let name = checker.policy_name;
    let order = match order {
        Ok(order) => Some(order),
        Err(cycle) => {
            diagnostics.push(cycle);
            None
        }
    };
    diagnostics.sort();
    if diagnostics.has_errors() {
        return (None, diagnostics, symbols);
    }
    let (Some(derived), Some(order)) = (derived, order) else {
        diagnostics
            .push(Diagnostic::error(Code::INTERNAL, text!("internal-unchecked")).in_file(source));
        return (None, diagnostics, symbols);
    };
    let mut program = Program::new(
        name,
        schema,
        derived,
        actions,
        decisions,
        guards,
        order,
        borrower_values,
    );
    program.set_capacities(capacities);
    program.wording = crate::program::Wording::of(&program.schema, source.text());
    program.source = Some(Arc::clone(source));
    (Some(program), diagnostics, symbols)
}

/// The state of one `let` while checking: derived values may refer to each other in any order.
#[derive(Clone, Debug)]
enum LetState {
    Unchecked,
    InProgress,
    Done {
        expr: ir::Expr,
        ty: Ty,
        optional: bool,
        /// How deep its expression nests with every derived value it uses written out in place:
        /// the depth the evaluator and the analysis recurse to.
        depth: usize,
    },
}

pub(crate) struct Checker<'a> {
    source: &'a Arc<SourceFile>,
    schema: &'a Schema,
    policy_name: Option<String>,
    /// The file checked is a `module`, not a policy: its open kinds may stay open.
    is_module: bool,
    lets: Vec<&'a ast::LetDecl>,
    let_states: Vec<LetState>,
    /// For each `let`, the decisions it reads, directly or through other `let`s.
    lets_reading_decisions: Vec<Vec<usize>>,
    decision_decls: Vec<&'a ast::DecisionDecl>,
    /// For each decision, the decisions its rules read (directly or through `let`s).
    decision_reads: Vec<Vec<usize>>,
    actions: Vec<Named>,
    action_index: BTreeMap<String, u32>,
    kinds: Vec<(&'a ast::KindDecl, Vec<u32>)>,
    all_kinds: Vec<&'a ast::KindDecl>,
    guard_decls: Vec<&'a ast::GuardDecl>,
    capacity_decls: Vec<&'a ast::CapacityDecl>,
    diagnostics: Diagnostics,
    /// The decisions read by the expression being checked.
    reads: Vec<usize>,
    /// The record fields in scope inside `count(list where ...)` and friends.
    item_scope: Option<&'a [crate::schema::Field]>,
    /// The list field whose records are in scope.
    item_list: Option<&'a str>,
    /// Every name resolved so far, and every declaration.
    symbols: Symbols,
    /// The expression being checked is an `if`'s `then` or `else` that is the word `missing`:
    /// there it is the missing value even when a field is called `missing`.
    branch_is_missing: bool,
    /// How many `let`s are being checked inside one another right now.
    let_depth: usize,
    /// The values over all of a borrower's loans met so far, each once.
    borrower_values: Vec<crate::program::ir::BorrowerValue>,
}

/// How deeply derived values may be checked inside one another (`let c = b + 1` checks `b`
/// first, which checks `a` ...): checking follows such chains recursively.
const MAX_LET_DEPTH: usize = 64;

/// How deep a derived value may nest with the values it uses written out in place: evaluating
/// it, and analysing the rules that read it, recurse that deep.
const MAX_INLINED_DEPTH: usize = 1_000;

impl<'a> Checker<'a> {
    fn new(
        policy: &'a ast::PolicyFile,
        source: &'a Arc<SourceFile>,
        schema: &'a Schema,
        is_module: bool,
    ) -> Checker<'a> {
        let mut checker = Checker {
            source,
            schema,
            policy_name: None,
            is_module,
            lets: Vec::new(),
            let_states: Vec::new(),
            lets_reading_decisions: Vec::new(),
            decision_decls: Vec::new(),
            decision_reads: Vec::new(),
            actions: Vec::new(),
            action_index: BTreeMap::new(),
            kinds: Vec::new(),
            all_kinds: Vec::new(),
            guard_decls: Vec::new(),
            capacity_decls: Vec::new(),
            diagnostics: Diagnostics::default(),
            reads: Vec::new(),
            item_scope: None,
            item_list: None,
            borrower_values: Vec::new(),
            symbols: Symbols::default(),
            branch_is_missing: false,
            let_depth: 0,
        };
        for item in &policy.items {
            match item {
                Item::Policy { name, .. } => checker.policy_name = Some(name.name.clone()),
                // An included module's name is not the policy's, even when the policy has no
                // `policy` line of its own.
                Item::Module { name, .. } => {
                    if checker.is_module && checker.policy_name.is_none() {
                        checker.policy_name = Some(name.name.clone());
                    }
                }
                Item::Include { .. } => {}
                Item::Let(decl) => checker.lets.push(decl),
                Item::Decision(decl) => checker.decision_decls.push(decl),
                Item::Guard(decl) => checker.guard_decls.push(decl),
                Item::Capacity(decl) => checker.capacity_decls.push(decl),
                Item::Kind(decl) => {
                    checker.kinds.push((decl, Vec::new()));
                    checker.all_kinds.push(decl);
                }
                Item::Actions(decls) => {
                    for decl in decls {
                        checker.actions.push(named(&decl.name, decl.label.as_ref()));
                    }
                }
                Item::UseSchema { .. } | Item::Schema(_) => {}
            }
        }
        checker.let_states = vec![LetState::Unchecked; checker.lets.len()];
        checker.lets_reading_decisions = vec![Vec::new(); checker.lets.len()];
        checker.decision_reads = vec![Vec::new(); checker.decision_decls.len()];
        checker
    }

    /// Records every declaration of the policy and its modules, and the names kinds list, for
    /// the editor's index.
    fn record_declarations(&mut self) {
        let mut symbols = Symbols::default();
        for decl in &self.lets {
            symbols.declared(
                Declaration::new(
                    Symbol::Value(decl.name.name.clone()),
                    decl.name.span,
                    decl.name.span.to(decl.value.span),
                )
                .label(decl.label.as_ref()),
            );
        }
        for decl in &self.decision_decls {
            let decision = Symbol::Decision(decl.name.name.clone());
            symbols.declared(
                Declaration::new(decision.clone(), decl.name.span, decl.span)
                    .label(decl.label.as_ref()),
            );
            if let ast::Gives::Values(values) = &decl.gives {
                for value in values {
                    let outcome = Symbol::Outcome {
                        decision: decl.name.name.clone(),
                        outcome: value.name.clone(),
                    };
                    symbols.declared(
                        Declaration::new(outcome, value.span, value.span)
                            .container(decision.clone()),
                    );
                }
            }
            for rule in &decl.rules {
                symbols.declared(
                    Declaration::new(
                        Symbol::Rule(rule.name.name.clone()),
                        rule.name.span,
                        rule.span,
                    )
                    .label(rule.label.as_ref())
                    .container(decision.clone()),
                );
            }
        }
        for decl in &self.guard_decls {
            let mut declaration = Declaration::new(
                Symbol::Guard(decl.name.name.clone()),
                decl.name.span,
                decl.span,
            )
            .label(decl.label.as_ref());
            declaration.basis = decl.basis.as_ref().map(|b| b.value.clone());
            symbols.declared(declaration);
        }
        for action in &self.actions {
            let mut declaration = Declaration::new(
                Symbol::Action(action.name.clone()),
                action.span,
                action.span,
            );
            declaration.label = action.label.clone();
            symbols.declared(declaration);
        }
        for decl in &self.all_kinds {
            let whole = decl
                .members
                .last()
                .map_or(decl.name.span, |last| decl.name.span.to(last.span));
            symbols.declared(
                Declaration::new(Symbol::Kind(decl.name.name.clone()), decl.name.span, whole)
                    .label(decl.label.as_ref()),
            );
            for member in &decl.members {
                symbols.used(self.action_or_kind(&member.name), member.span);
            }
        }
        self.symbols = symbols;
    }

    /// What a name listed where actions and kinds may be (`forbid`, a kind's members) stands
    /// for: an action when one is declared by that name, otherwise a kind.
    fn action_or_kind(&self, name: &str) -> Symbol {
        if self.actions.iter().any(|a| a.name == name) {
            Symbol::Action(name.to_owned())
        } else {
            Symbol::Kind(name.to_owned())
        }
    }

    /// The field (`field`, or `list.field` for a record's) whose choices enumeration `id` holds.
    pub(crate) fn enum_owner(&self, id: usize) -> String {
        for field in &self.schema.fields {
            match &field.ty {
                crate::schema::FieldType::Enum(e) if *e == id => return field.name.clone(),
                crate::schema::FieldType::List(records) => {
                    for record in records {
                        if record.ty == crate::schema::FieldType::Enum(id) {
                            return format!("{}.{}", field.name, record.name);
                        }
                    }
                }
                _ => {}
            }
        }
        String::new()
    }

    /// Records a problem in the policy file.
    pub(crate) fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic.in_file(self.source));
    }

    /// Names declared twice, actions, kinds.
    fn declarations(&mut self) {
        // One namespace for values a condition can read, one for actions and kinds, one for
        // rules and guards (names that traces and reports print).
        let mut values: BTreeMap<&str, Span> = BTreeMap::new();
        for field in &self.schema.fields {
            values.insert(&field.name, field.span);
        }
        let mut duplicates = Vec::new();
        let names = self
            .lets
            .iter()
            .map(|l| &l.name)
            .chain(self.decision_decls.iter().map(|d| &d.name));
        for name in names {
            if name.name == "as_of" {
                duplicates.push((name.clone(), None, text!("duplicate-as-of")));
            } else if let Some(first) = values.get(name.name.as_str()) {
                let first = if self.schema.source.name() == self.source.name() {
                    Some(*first)
                } else {
                    None
                };
                duplicates.push((name.clone(), first, text!("duplicate-value")));
            } else {
                values.insert(&name.name, name.span);
            }
        }
        let mut labels: BTreeMap<&str, Span> = BTreeMap::new();
        let rule_names = self
            .decision_decls
            .iter()
            .flat_map(|d| d.rules.iter().map(|r| &r.name))
            .chain(self.guard_decls.iter().map(|g| &g.name));
        for name in rule_names {
            if let Some(first) = labels.get(name.name.as_str()) {
                duplicates.push((name.clone(), Some(*first), text!("duplicate-rule")));
            } else {
                labels.insert(&name.name, name.span);
            }
        }
        let mut action_spans: BTreeMap<String, Span> = BTreeMap::new();
        let mut unique_actions = Vec::new();
        for action in std::mem::take(&mut self.actions) {
            if let Some(first) = action_spans.get(&action.name) {
                let ident = ast::Ident {
                    name: action.name.clone(),
                    span: action.span,
                };
                duplicates.push((ident, Some(*first), text!("duplicate-action")));
            } else {
                action_spans.insert(action.name.clone(), action.span);
                unique_actions.push(action);
            }
        }
        self.fill_open_kinds();
        for (decl, _) in &self.kinds {
            if let Some(first) = action_spans.get(&decl.name.name) {
                duplicates.push((decl.name.clone(), Some(*first), text!("duplicate-kind")));
            } else {
                action_spans.insert(decl.name.name.clone(), decl.name.span);
            }
        }
        for (ident, first, why) in duplicates {
            let mut diagnostic = Diagnostic::error(
                Code::DUPLICATE_NAME,
                text!("duplicate-message", name = &ident.name),
            )
            .label(ident.span, text!("duplicate-again-here"))
            .help(why);
            if let Some(first) = first {
                diagnostic = diagnostic.label(first, text!("duplicate-first-here"));
            }
            self.report(diagnostic);
        }
        self.actions = unique_actions;
        self.action_index = self
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i as u32))
            .collect();
        // Expand kinds into the actions they hold, following kinds of kinds.
        for index in 0..self.kinds.len() {
            let mut actions = Vec::new();
            let mut seen = Vec::new();
            self.expand_kind(index, &mut actions, &mut seen);
            actions.sort_unstable();
            actions.dedup();
            if let Some(kind) = self.kinds.get_mut(index) {
                kind.1 = actions;
            }
        }
    }

    /// An open kind (declared without members, usually in a module) is filled by the one kind
    /// of the same name that lists members; the open declaration then steps aside. A policy
    /// that leaves a kind open is refused: a guard forbidding it would silently forbid nothing.
    fn fill_open_kinds(&mut self) {
        let mut kept = Vec::new();
        let mut unfilled = Vec::new();
        for (decl, actions) in std::mem::take(&mut self.kinds) {
            if !decl.open {
                kept.push((decl, actions));
                continue;
            }
            let filled = self
                .kinds_all()
                .any(|other| !other.open && other.name.name == decl.name.name);
            if !filled && !self.is_module {
                unfilled.push(decl);
            }
            let already_open = kept
                .iter()
                .any(|(k, _): &(&ast::KindDecl, _)| k.open && k.name.name == decl.name.name);
            if !filled && !already_open {
                kept.push((decl, actions));
            }
        }
        self.kinds = kept;
        for decl in unfilled {
            self.report(
                Diagnostic::error(Code::OPEN_KIND, text!("open-kind", kind = &decl.name.name))
                    .label(decl.name.span, text!("open-kind-label"))
                    .help(text!("open-kind-help", kind = &decl.name.name)),
            );
        }
    }

    /// Every kind declaration in the policy and the modules it includes.
    fn kinds_all(&self) -> impl Iterator<Item = &'a ast::KindDecl> + '_ {
        self.all_kinds.iter().copied()
    }

    fn expand_kind(&mut self, index: usize, actions: &mut Vec<u32>, seen: &mut Vec<usize>) {
        if seen.contains(&index) {
            return;
        }
        seen.push(index);
        let Some((decl, _)) = self.kinds.get(index) else {
            return;
        };
        let decl: &ast::KindDecl = decl;
        for member in &decl.members {
            if let Some(&action) = self.action_index.get(&member.name) {
                actions.push(action);
            } else if let Some(kind) = self
                .kinds
                .iter()
                .position(|(k, _)| k.name.name == member.name)
            {
                self.expand_kind(kind, actions, seen);
            } else {
                // Reported once, for the first kind that names it, when kinds are expanded at top level.
                if seen.len() == 1 {
                    self.unknown_action_or_kind(member);
                }
            }
        }
    }

    fn unknown_action_or_kind(&mut self, name: &ast::Ident) {
        let candidates: Vec<String> = self
            .actions
            .iter()
            .map(|a| a.name.clone())
            .chain(self.kinds.iter().map(|(k, _)| k.name.name.clone()))
            .collect();
        let suggestion = did_you_mean(&name.name, candidates.iter().map(String::as_str));
        let help = match suggestion {
            Some(s) => text!("did-you-mean", name = s),
            None => text!("e212-help"),
        };
        self.report(
            Diagnostic::error(Code::UNKNOWN_KIND, text!("e212-message", name = &name.name))
                .at(name.span)
                .help(help),
        );
    }

    fn derived_values(&mut self) {
        for index in 0..self.lets.len() {
            let ty = self.ensure_let(index);
            let Some(decl) = self.lets.get(index).copied() else {
                continue;
            };
            if decl.deadline
                && let Some((ty, _)) = ty
                && !matches!(ty, Ty::Date | Ty::Error)
            {
                let what = self.describe(&ty);
                self.report(
                    Diagnostic::error(
                        Code::TYPE_MISMATCH,
                        text!("deadline-not-date", name = &decl.name.name, what = what),
                    )
                    .at(decl.value.span)
                    .help(text!("deadline-not-date-help")),
                );
            }
        }
    }

    /// Checks `let` number `index` if it has not been checked yet; returns its type.
    pub(crate) fn ensure_let(&mut self, index: usize) -> Option<(Ty, bool)> {
        match self.let_states.get(index)? {
            LetState::Done { ty, optional, .. } => return Some((ty.clone(), *optional)),
            LetState::InProgress => {
                let decl = *self.lets.get(index)?;
                self.report(
                    Diagnostic::error(Code::CYCLE, text!("let-cycle", name = &decl.name.name))
                        .at(decl.name.span)
                        .help(text!("let-cycle-help")),
                );
                return Some((Ty::Error, false));
            }
            LetState::Unchecked => {}
        }
        let decl = *self.lets.get(index)?;
        if self.let_depth >= MAX_LET_DEPTH {
            self.report(
                Diagnostic::error(
                    Code::TOO_DEEP,
                    text!(
                        "too-deep-chain",
                        name = &decl.name.name,
                        most = MAX_LET_DEPTH
                    ),
                )
                .at(decl.name.span)
                .help(text!("too-deep-help")),
            );
            // Settled as an error, so that the values built on it are not reported again.
            if let Some(state) = self.let_states.get_mut(index) {
                *state = LetState::Done {
                    expr: ir::ExprKind::Const(crate::value::Value::Missing).into(),
                    ty: Ty::Error,
                    optional: false,
                    depth: 1,
                };
            }
            return Some((Ty::Error, false));
        }
        if let Some(state) = self.let_states.get_mut(index) {
            *state = LetState::InProgress;
        }
        // A `let` is checked in a scope of its own: no record fields, its own decision reads.
        let outer_reads = std::mem::take(&mut self.reads);
        let outer_scope = self.item_scope.take();
        let outer_list = self.item_list.take();
        self.let_depth += 1;
        let typed = self.expr(&decl.value, None, &[]);
        self.let_depth -= 1;
        self.item_scope = outer_scope;
        self.item_list = outer_list;
        let reads = std::mem::replace(&mut self.reads, outer_reads);
        if let Some(slot) = self.lets_reading_decisions.get_mut(index) {
            *slot = reads;
        }
        let depth = self.inlined_depth(&typed.expr);
        let mut ty = typed.ty;
        if depth > MAX_INLINED_DEPTH {
            self.report(
                Diagnostic::error(
                    Code::TOO_DEEP,
                    text!(
                        "too-deep-nesting",
                        name = &decl.name.name,
                        depth = depth,
                        most = MAX_INLINED_DEPTH
                    ),
                )
                .at(decl.name.span)
                .help(text!("too-deep-help")),
            );
            ty = Ty::Error;
        }
        if ty != Ty::Error {
            let described = self.describe(&ty);
            self.symbols
                .set_type(&Symbol::Value(decl.name.name.clone()), described);
        }
        if let Some(state) = self.let_states.get_mut(index) {
            *state = LetState::Done {
                expr: typed.expr,
                ty: ty.clone(),
                optional: typed.optional,
                depth,
            };
        }
        Some((ty, typed.optional))
    }

    /// How deep `expr` nests with the derived values it uses written out in place (those
    /// already checked; one being checked counts as one level).
    fn inlined_depth(&self, expr: &ir::Expr) -> usize {
        let own = match &expr.kind {
            ir::ExprKind::Derived(index) => match self.let_states.get(*index) {
                Some(LetState::Done { depth, .. }) => *depth,
                _ => 0,
            },
            _ => 0,
        };
        let mut deepest = 0;
        expr.for_each_child(&mut |child| deepest = deepest.max(self.inlined_depth(child)));
        1 + own.max(deepest)
    }

    fn finished_derived(&self) -> Option<Vec<DerivedDef>> {
        self.lets
            .iter()
            .zip(&self.let_states)
            .map(|(decl, state)| match state {
                LetState::Done {
                    expr, ty, optional, ..
                } => Some(DerivedDef {
                    named: named(&decl.name, decl.label.as_ref()),
                    expr: expr.clone(),
                    ty: ty.clone(),
                    optional: *optional,
                    deadline: decl.deadline,
                }),
                _ => None,
            })
            .collect()
    }

    fn decisions(&mut self) -> Vec<DecisionDef> {
        let mut decisions = Vec::new();
        for index in 0..self.decision_decls.len() {
            let Some(decl) = self.decision_decls.get(index).copied() else {
                continue;
            };
            let gives = match &decl.gives {
                ast::Gives::Actions => Gives::Actions,
                ast::Gives::Values(values) => {
                    let mut names: Vec<String> = Vec::new();
                    for value in values {
                        if names.contains(&value.name) {
                            self.report(
                                Diagnostic::error(
                                    Code::DUPLICATE_NAME,
                                    text!("listed-twice", name = &value.name),
                                )
                                .at(value.span),
                            );
                        } else {
                            names.push(value.name.clone());
                        }
                    }
                    Gives::Values(names)
                }
            };
            if decl.rules.is_empty() {
                self.report(
                    Diagnostic::error(
                        Code::BAD_DECISION,
                        text!("no-rules", name = &decl.name.name),
                    )
                    .at(decl.name.span)
                    .help(text!("no-rules-help")),
                );
            }
            let mut rules = Vec::new();
            let mut otherwise_seen: Option<&ast::RuleDecl> = None;
            self.reads.clear();
            for rule in &decl.rules {
                if let (Some(catch_all), true) = (otherwise_seen, decl.hit.one_rule_decides()) {
                    self.report(
                        Diagnostic::warning(
                            Code::UNREACHABLE_AFTER_OTHERWISE,
                            text!(
                                "after-otherwise",
                                rule = &rule.name.name,
                                otherwise = &catch_all.name.name
                            ),
                        )
                        .label(rule.name.span, text!("after-otherwise-never"))
                        .label(catch_all.name.span, text!("after-otherwise-every"))
                        .help(text!("after-otherwise-help")),
                    );
                }
                let condition = rule.condition.as_ref().map(|c| self.condition(c));
                if rule.condition.is_none() {
                    otherwise_seen = otherwise_seen.or(Some(rule));
                }
                let outcome = self.outcome(&rule.outcome, &gives, decl);
                rules.push(RuleDef {
                    named: named(&rule.name, rule.label.as_ref()),
                    condition,
                    outcome,
                });
            }
            let mut reads = std::mem::take(&mut self.reads);
            reads.sort_unstable();
            reads.dedup();
            if let Some(slot) = self.decision_reads.get_mut(index) {
                *slot = reads;
            }
            decisions.push(DecisionDef {
                named: named(&decl.name, decl.label.as_ref()),
                hit: hit_policy(decl.hit),
                per_borrower: decl.per_borrower,
                gives,
                rules,
            });
        }
        decisions
    }

    /// Checks a rule or guard condition: it must be a yes/no that is always present.
    fn condition(&mut self, condition: &ast::Expr) -> ir::Expr {
        let typed = self.expr(condition, None, &[]);
        if typed.ty != Ty::Bool && typed.ty != Ty::Error {
            let what = typed.ty.describe(self.schema, &self.decision_decls);
            self.report(
                Diagnostic::error(
                    Code::NOT_A_CONDITION,
                    text!("condition-not-yes-no", what = what),
                )
                .at(condition.span)
                .help(text!("condition-not-yes-no-help")),
            );
        } else {
            self.require_present(&typed, condition.span);
        }
        typed.expr
    }

    fn outcome(
        &mut self,
        outcome: &ast::Outcome,
        gives: &Gives,
        decl: &ast::DecisionDecl,
    ) -> ir::Outcome {
        match outcome {
            ast::Outcome::Nothing(_) => ir::Outcome::Nothing,
            ast::Outcome::Name(name) => {
                let found = match gives {
                    Gives::Actions => self.action_index.get(&name.name).copied(),
                    Gives::Values(values) => values
                        .iter()
                        .position(|v| *v == name.name)
                        .map(|i| i as u32),
                };
                match found {
                    Some(value) => {
                        let symbol = match gives {
                            Gives::Actions => Symbol::Action(name.name.clone()),
                            Gives::Values(_) => Symbol::Outcome {
                                decision: decl.name.name.clone(),
                                outcome: name.name.clone(),
                            },
                        };
                        self.symbols.used(symbol, name.span);
                        ir::Outcome::Value(OutcomeId::from_raw(value))
                    }
                    None => {
                        let (candidates, message) = match gives {
                            Gives::Actions => (
                                self.actions
                                    .iter()
                                    .map(|a| a.name.clone())
                                    .collect::<Vec<_>>(),
                                text!("e206-not-an-action", name = &name.name),
                            ),
                            Gives::Values(values) => (
                                values.clone(),
                                text!(
                                    "e206-not-a-value",
                                    name = &name.name,
                                    decision = &decl.name.name
                                ),
                            ),
                        };
                        let help =
                            match did_you_mean(&name.name, candidates.iter().map(String::as_str)) {
                                Some(s) => text!("did-you-mean", name = s),
                                None => match gives {
                                    Gives::Actions => {
                                        text!("e206-declare", name = &name.name)
                                    }
                                    Gives::Values(values) => {
                                        text!("e206-values-are", values = values.join(", "))
                                    }
                                },
                            };
                        self.report(
                            Diagnostic::error(Code::UNKNOWN_OUTCOME, message)
                                .at(name.span)
                                .help(help),
                        );
                        ir::Outcome::Nothing
                    }
                }
            }
            ast::Outcome::If {
                then,
                condition,
                otherwise,
            } => {
                let condition = self.condition(condition);
                ir::Outcome::If(
                    condition,
                    Box::new(self.outcome(then, gives, decl)),
                    Box::new(self.outcome(otherwise, gives, decl)),
                )
            }
        }
    }

    fn guards(&mut self) -> Vec<GuardDef> {
        let mut guards = Vec::new();
        for index in 0..self.guard_decls.len() {
            let Some(decl) = self.guard_decls.get(index).copied() else {
                continue;
            };
            self.reads.clear();
            let condition = self.condition(&decl.condition);
            let mut forbids = Vec::new();
            for name in &decl.forbids {
                let symbol = self.action_or_kind(&name.name);
                self.symbols.used(symbol, name.span);
                if let Some(&action) = self.action_index.get(&name.name) {
                    forbids.push(action);
                } else if let Some((_, actions)) =
                    self.kinds.iter().find(|(k, _)| k.name.name == name.name)
                {
                    forbids.extend(actions.iter().copied());
                } else {
                    self.unknown_action_or_kind(name);
                }
            }
            forbids.sort_unstable();
            forbids.dedup();
            guards.push(GuardDef {
                named: named(&decl.name, decl.label.as_ref()),
                basis: decl.basis.as_ref().map(|b| b.value.clone()),
                condition,
                forbids: forbids.into_iter().map(ActionId::from_raw).collect(),
            });
        }
        // A kind no guard and no other kind names does nothing.
        for (kind, _) in &self.kinds {
            let named = |name: &ast::Ident| name.name == kind.name.name;
            let used = self.guard_decls.iter().any(|g| g.forbids.iter().any(named))
                || self
                    .kinds
                    .iter()
                    .any(|(other, _)| other.members.iter().any(named));
            if !used {
                self.diagnostics.push(
                    Diagnostic::warning(Code::UNUSED, text!("unused-kind", name = &kind.name.name))
                        .in_file(self.source)
                        .label(kind.name.span, text!("unused-defined-here"))
                        .help(text!("unused-kind-help")),
                );
            }
        }
        guards
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::load::{LoadError, load_policy_text};

    /// The codes `check` reports for a rule whose condition is `condition`, over a small schema.
    fn codes(condition: &str) -> Vec<&'static str> {
        let text = format!(
            "schema s keyed by id\n  field id: text\n  field due: optional date\n  field amount: money\n  \
             field cover: optional money\n  field n: integer\n  field sort: one of a, b, c\n  \
             field items: list of {{ on: date, paid: optional money }}\n\
             let last = max(items.on)\n\
             actions act\n\
             decision d: first match, gives action\n  rule R1 when {condition} then act\n"
        );
        match load_policy_text(Path::new("t.policy"), text) {
            Ok(_) => Vec::new(),
            Err(LoadError::Invalid(diagnostics)) => {
                diagnostics.iter().map(|d| d.code().id).collect()
            }
            Err(LoadError::Unreadable { .. }) => vec!["unreadable"],
        }
    }

    #[test]
    fn presence_is_proved_by_the_condition_around_a_read() {
        let cases: &[(&str, &[&str])] = &[
            ("cover >= amount", &["E204"]),
            ("cover is present and cover >= amount", &[]),
            ("cover is missing or cover >= amount", &[]),
            ("not (cover is missing) and cover >= amount", &[]),
            ("cover is present or cover >= amount", &["E204"]),
            ("cover >= amount and cover is present", &["E204"]),
            ("(if cover is present then cover else 0.00) > amount", &[]),
            ("(if cover is missing then 0.00 else cover) > amount", &[]),
            ("due is present and as_of - due > 30 days", &[]),
            ("last is missing or as_of - last > 730 days", &[]),
            ("as_of - last > 730 days", &["E204"]),
            ("count(items where paid > 0.00) > 0", &["E204"]),
            (
                "count(items where paid is present and paid > 0.00) > 0",
                &[],
            ),
        ];
        for (condition, expected) in cases {
            assert_eq!(codes(condition), *expected, "{condition}");
        }
    }

    #[test]
    fn kinds_must_agree() {
        let cases: &[(&str, &[&str])] = &[
            ("amount > 1000", &[]),
            ("1000 < amount", &[]),
            ("amount > 1000.50", &[]),
            ("amount > n", &["E203"]),
            ("amount > as_of", &["E203"]),
            ("n > 3", &[]),
            ("due is present and as_of - due > 30", &["E205"]),
            ("due is present and due < as_of - 30", &["E205"]),
            ("due is present and due < 2026-01-01", &[]),
            ("sort = b", &[]),
            ("b = sort", &[]),
            ("sort in [a, c]", &[]),
            ("sort = x", &["E202"]),
            ("sort < b", &["E203"]),
            ("amount", &["E207"]),
            ("amont > 1", &["E201"]),
            ("count(items) > 2 and bucket(\"x\", id) < 10", &[]),
            ("bucket(\"x\", n) < 10", &["E208"]),
            ("sum(items.on) > 0", &["E208"]),
            ("d = act", &["E301"]),
        ];
        for (condition, expected) in cases {
            assert_eq!(codes(condition), *expected, "{condition}");
        }
    }
}
