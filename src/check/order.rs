//! The order in which decisions are evaluated: each after every decision it reads, directly or
//! through derived values. A circle of decisions is an error.

use std::sync::Arc;

use super::DecisionDef;
use crate::diag::{Code, Diagnostic};
use crate::lang::text;
use crate::source::SourceFile;

/// Decisions in file order, except that a decision always comes after those it reads.
/// `reads[d]` lists the decisions decision `d` reads.
pub(super) fn decision_order(
    reads: &[Vec<usize>],
    decisions: &[DecisionDef],
    source: &Arc<SourceFile>,
) -> Result<Vec<usize>, Diagnostic> {
    // Depth-first, visiting decisions in file order, so the order is stable and, where the
    // policy allows, the order the author wrote.
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; decisions.len()];
    let mut order = Vec::with_capacity(decisions.len());
    for start in 0..decisions.len() {
        let mut path: Vec<usize> = Vec::new();
        visit(start, reads, &mut marks, &mut order, &mut path).map_err(|cycle| {
            let names: Vec<String> = cycle
                .iter()
                .filter_map(|d| decisions.get(*d))
                .map(|d| format!("`{}`", d.named.name))
                .collect();
            let first = cycle.first().and_then(|d| decisions.get(*d));
            let mut diagnostic = Diagnostic::error(
                Code::CYCLE,
                text!("decision-cycle", circle = names.join(" → ")),
            )
            .in_file(source)
            .help(text!("decision-cycle-help"));
            if let Some(first) = first {
                diagnostic = diagnostic.label(first.named.span, text!("decision-cycle-label"));
            }
            diagnostic
        })?;
    }
    return Ok(order);

    fn visit(
        node: usize,
        reads: &[Vec<usize>],
        marks: &mut [Mark],
        order: &mut Vec<usize>,
        path: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match marks.get(node) {
            Some(Mark::Done) | None => return Ok(()),
            Some(Mark::Active) => {
                let from = path.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle: Vec<usize> =
                    path.get(from..).map(<[usize]>::to_vec).unwrap_or_default();
                cycle.push(node);
                return Err(cycle);
            }
            Some(Mark::New) => {}
        }
        if let Some(mark) = marks.get_mut(node) {
            *mark = Mark::Active;
        }
        path.push(node);
        for &next in reads.get(node).map(Vec::as_slice).unwrap_or_default() {
            visit(next, reads, marks, order, path)?;
        }
        path.pop();
        if let Some(mark) = marks.get_mut(node) {
            *mark = Mark::Done;
        }
        order.push(node);
        Ok(())
    }
}
