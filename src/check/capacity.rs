//! `capacity` statements: what they limit, how they group and order loans, and what a loan
//! over the limit gets instead. A capacity does not change what the rules decide, so the
//! analysis of the decisions is untouched; it is applied after them, over the whole book
//! (`crate::capacity`).

use std::collections::BTreeMap;

use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::lang::text;
use crate::program::{ActionId, CapacityDef, ReadSource, Slot, Ty, ValueId, ir};
use crate::syntax::ast;

/// What a capacity reads a name for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Group,
    Priority,
}

impl Checker<'_> {
    /// Checks every `capacity`: each names an action or kind, no action is limited twice, the
    /// groups and priorities are fields or values of a kind that can group or order loans, and
    /// a fallback is one action no capacity limits.
    pub(super) fn capacities(&mut self) -> Vec<CapacityDef> {
        let mut defs: Vec<CapacityDef> = Vec::new();
        // Which capacity already limits each action, and where it is written.
        let mut limited: BTreeMap<u32, (String, crate::source::Span)> = BTreeMap::new();
        let mut fallbacks: Vec<(&ast::Ident, ActionId)> = Vec::new();
        for decl in self.capacity_decls.clone() {
            let target = &decl.target;
            let symbol = self.action_or_kind(&target.name);
            self.symbols.used(symbol, target.span);
            let actions: Vec<u32> = if let Some(&action) = self.action_index.get(&target.name) {
                vec![action]
            } else if let Some((_, actions)) =
                self.kinds.iter().find(|(k, _)| k.name.name == target.name)
            {
                actions.clone()
            } else {
                self.unknown_action_or_kind(target);
                continue;
            };
            if decl.limit == 0 {
                self.report(
                    Diagnostic::error(Code::CAPACITY, text!("capacity-zero", name = &target.name))
                        .at(decl.limit_span)
                        .help(text!("capacity-zero-help", name = &target.name)),
                );
            }
            for &action in &actions {
                let name = self
                    .actions
                    .get(action as usize)
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                if let Some((other, span)) = limited.get(&action) {
                    self.report(
                        Diagnostic::error(
                            Code::CAPACITY,
                            text!("capacity-twice", action = &name, other = other),
                        )
                        .at(target.span)
                        .label(*span, text!("capacity-twice-other"))
                        .help(text!("capacity-twice-help")),
                    );
                } else {
                    limited.insert(action, (target.name.clone(), target.span));
                }
            }
            let group = decl
                .group
                .as_ref()
                .and_then(|g| self.capacity_reading(g, Purpose::Group));
            let mut priority = Vec::new();
            for (name, desc) in &decl.priority {
                if let Some(reading) = self.capacity_reading(name, Purpose::Priority) {
                    priority.push((reading, *desc));
                }
            }
            let fallback = decl.fallback.as_ref().and_then(|f| {
                self.symbols.used(self.action_or_kind(&f.name), f.span);
                match self.action_index.get(&f.name) {
                    Some(&action) => {
                        fallbacks.push((f, ActionId::from_raw(action)));
                        Some(ActionId::from_raw(action))
                    }
                    None if self.kinds.iter().any(|(k, _)| k.name.name == f.name) => {
                        self.report(
                            Diagnostic::error(
                                Code::CAPACITY,
                                text!("capacity-fallback-kind", name = &f.name),
                            )
                            .at(f.span)
                            .help(text!("capacity-fallback-kind-help")),
                        );
                        None
                    }
                    None => {
                        self.unknown_action_or_kind(f);
                        None
                    }
                }
            });
            let mut actions: Vec<ActionId> = actions.into_iter().map(ActionId::from_raw).collect();
            actions.sort_unstable();
            actions.dedup();
            defs.push(CapacityDef {
                named: crate::program::Named {
                    name: target.name.clone(),
                    label: decl.label.as_ref().map(|l| l.value.clone()),
                    span: target.span,
                },
                actions,
                limit: decl.limit,
                group,
                priority,
                fallback,
            });
        }
        // A fallback waits for no one: it may not be limited itself.
        for (name, action) in fallbacks {
            if let Some((other, span)) = limited.get(&action.raw()) {
                self.report(
                    Diagnostic::error(
                        Code::CAPACITY,
                        text!(
                            "capacity-fallback-limited",
                            name = &name.name,
                            other = other
                        ),
                    )
                    .at(name.span)
                    .label(*span, text!("capacity-twice-other"))
                    .help(text!("capacity-fallback-limited-help")),
                );
            }
        }
        defs
    }

    /// A group's or priority's name, resolved as a condition would read it: a field or a
    /// derived value, of a kind that can group (text, a choice, a whole number, yes/no, a
    /// date) or order loans (an amount, a number, days, a date, a time, yes/no).
    fn capacity_reading(&mut self, name: &ast::Ident, purpose: Purpose) -> Option<ReadSource> {
        let expr = ast::Expr {
            kind: ast::ExprKind::Name(name.clone()),
            span: name.span,
        };
        self.reads.clear();
        let typed = self.expr(&expr, None, &[]);
        if typed.ty == Ty::Error {
            return None;
        }
        let source = match typed.expr.kind {
            ir::ExprKind::Field(slot) => ReadSource::Field(Slot::new(slot)),
            ir::ExprKind::Derived(index) => ReadSource::Derived(ValueId::new(index)),
            _ => {
                self.report(
                    Diagnostic::error(
                        Code::CAPACITY,
                        text!("capacity-reads-what", name = &name.name),
                    )
                    .at(name.span)
                    .help(text!("capacity-reads-what-help")),
                );
                return None;
            }
        };
        let fits = match purpose {
            Purpose::Group => matches!(
                typed.ty,
                Ty::Text | Ty::Enum(_) | Ty::Int | Ty::Bool | Ty::Date
            ),
            Purpose::Priority => matches!(
                typed.ty,
                Ty::Money | Ty::Int | Ty::Days | Ty::Date | Ty::Time | Ty::Bool
            ),
        };
        if !fits {
            let what = typed.ty.describe(self.schema, &self.decision_decls);
            let (message, help) = match purpose {
                Purpose::Group => (
                    text!("capacity-group-type", name = &name.name, what = what),
                    text!("capacity-group-type-help"),
                ),
                Purpose::Priority => (
                    text!("capacity-priority-type", name = &name.name, what = what),
                    text!("capacity-priority-type-help"),
                ),
            };
            self.report(
                Diagnostic::error(Code::CAPACITY, message)
                    .at(name.span)
                    .help(help),
            );
            return None;
        }
        Some(source)
    }
}
