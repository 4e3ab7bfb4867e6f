//! The over-approximate space as binary decision diagrams (BDDs), for the proofs.
//!
//! "Rule 900 can never fire" is a question about the 899 rules above it. Searched from scratch
//! for each rule (as `Space::solve` does), it costs the square of the rules and more; 2,000
//! rules took seconds per decision. A BDD holds a set of regions with its common parts shared,
//! so the loans the rules above take are built once, one rule at a time
//! (`taken = taken ∨ rule`), and "does this rule have loans left" is one operation on it.
//!
//! Each component of the space becomes a number in binary: as many variables as it takes to
//! spell the index of a choice. A code past the last choice stands for the last choice, so every
//! code is a region and a negation needs no "valid code" side condition. Every operation has a
//! size limit ([`NODES`]): past it the question is given up ([`Exhausted`]), never answered
//! wrongly, and the caller says so in its findings.

use std::collections::HashMap;

use biodivine_lib_bdd::{Bdd, BddNode, BddPointer, BddVariable, BddVariableSet, op_function};

use super::formula::Formula;
use super::space::{Exhausted, Space};

/// The most nodes one diagram may hold before the question it answers is given up: far above
/// what thousands of rules over the fields of a loan need (a few thousand nodes), and small
/// enough (a few tens of megabytes) that a check never runs away with the machine.
const NODES: usize = 2_000_000;

/// The over-approximate space's atoms as diagrams, and formulas built from them.
pub(crate) struct Symbolic {
    /// The diagram of each atom (by index); `None` for an atom no component decides.
    atoms: Vec<Option<Bdd>>,
    vars: BddVariableSet,
    /// A component has no choice at all, so no region (and no loan) exists.
    empty: bool,
}

impl Symbolic {
    /// The diagrams of `space`'s atoms; `Exhausted` when the space needs more variables than a
    /// diagram can have.
    pub(crate) fn new(space: &Space) -> Result<Symbolic, Exhausted> {
        let widths: Vec<u32> = space
            .components
            .iter()
            .map(|c| bits_for(c.choices.len()))
            .collect();
        let total: u32 = widths.iter().sum();
        let vars = BddVariableSet::new_anonymous(u16::try_from(total).map_err(|_| Exhausted)?);
        let variables = vars.variables();
        let mut atoms: Vec<Option<Bdd>> = Vec::new();
        let mut first = 0usize;
        for (component, width) in space.components.iter().zip(&widths) {
            let width = *width as usize;
            let own = variables.get(first..first + width).unwrap_or(&[]);
            first += width;
            let last = component.choices.len().saturating_sub(1);
            for (position, atom) in component.atoms.iter().enumerate() {
                let holds: Vec<bool> = (0..1usize << width)
                    .map(|code| {
                        component
                            .choices
                            .get(code.min(last))
                            .and_then(|(truth, _)| truth.get(position))
                            .copied()
                            .unwrap_or(false)
                    })
                    .collect();
                let diagram = codes_where(&vars, own, &holds)?;
                if atoms.len() <= *atom {
                    atoms.resize(*atom + 1, None);
                }
                if let Some(slot) = atoms.get_mut(*atom) {
                    *slot = Some(diagram);
                }
            }
        }
        let empty = space.components.iter().any(|c| c.choices.is_empty());
        Ok(Symbolic { atoms, vars, empty })
    }

    /// The regions where nothing holds.
    pub(crate) fn nothing(&self) -> Bdd {
        self.vars.mk_false()
    }

    /// The regions where `formula` holds.
    pub(crate) fn regions(&self, formula: &Formula) -> Result<Bdd, Exhausted> {
        if self.empty {
            return Ok(self.vars.mk_false());
        }
        match formula {
            Formula::True => Ok(self.vars.mk_true()),
            Formula::False => Ok(self.vars.mk_false()),
            // An atom no component decides could go either way: no proof may rest on it.
            Formula::Atom(a) => self.atoms.get(*a).cloned().flatten().ok_or(Exhausted),
            Formula::Not(inner) => Ok(self.regions(inner)?.not()),
            Formula::And(parts) => {
                let mut all = self.vars.mk_true();
                for part in parts {
                    all = both(&all, &self.regions(part)?)?;
                    if all.is_false() {
                        break;
                    }
                }
                Ok(all)
            }
            Formula::Or(parts) => {
                let mut any = self.vars.mk_false();
                for part in parts {
                    any = either(&any, &self.regions(part)?)?;
                    if any.is_true() {
                        break;
                    }
                }
                Ok(any)
            }
        }
    }
}

/// The regions in both `a` and `b`.
pub(crate) fn both(a: &Bdd, b: &Bdd) -> Result<Bdd, Exhausted> {
    Bdd::binary_op_with_limit(NODES, a, b, op_function::and).ok_or(Exhausted)
}

/// The regions in `a` or `b`.
pub(crate) fn either(a: &Bdd, b: &Bdd) -> Result<Bdd, Exhausted> {
    Bdd::binary_op_with_limit(NODES, a, b, op_function::or).ok_or(Exhausted)
}

/// The regions in `a` but not in `b`.
pub(crate) fn without(a: &Bdd, b: &Bdd) -> Result<Bdd, Exhausted> {
    Bdd::binary_op_with_limit(NODES, a, b, op_function::and_not).ok_or(Exhausted)
}

/// Whether `a` and `b` share a region, without building the regions they share.
pub(crate) fn meet(a: &Bdd, b: &Bdd) -> Result<bool, Exhausted> {
    Bdd::check_binary_op(NODES, a, b, op_function::and)
        .map(|(nonempty, _)| nonempty)
        .ok_or(Exhausted)
}

/// The diagram of the codes of one component where `holds` (indexed by code) is true; `own`
/// are the component's variables, most significant bit first.
///
/// Built directly, bottom up, as a reduced ordered diagram: `mk_dnf` over one clause per code
/// gives the same diagram but took half of a 2,000-rule check.
fn codes_where(
    vars: &BddVariableSet,
    own: &[BddVariable],
    holds: &[bool],
) -> Result<Bdd, Exhausted> {
    if holds.iter().all(|h| *h) {
        return Ok(vars.mk_true());
    }
    if !holds.iter().any(|h| *h) {
        return Ok(vars.mk_false());
    }
    let mut nodes = vec![
        BddNode::mk_zero(vars.num_vars()),
        BddNode::mk_one(vars.num_vars()),
    ];
    let mut unique: HashMap<(BddVariable, BddPointer, BddPointer), BddPointer> = HashMap::new();
    let root = build(own, holds, &mut nodes, &mut unique);
    // A diagram lists each node after its children and the root last. `build` makes each node
    // after its children, and every node it makes is part of the result, below the root; a
    // diagram laid out otherwise would be a bug here, refused rather than misread.
    if root.to_index() + 1 != nodes.len() {
        return Err(Exhausted);
    }
    Bdd::from_nodes(&nodes).map_err(|_| Exhausted)
}

/// The node for `holds` over the variables `own` (the first splits it in halves).
fn build(
    own: &[BddVariable],
    holds: &[bool],
    nodes: &mut Vec<BddNode>,
    unique: &mut HashMap<(BddVariable, BddPointer, BddPointer), BddPointer>,
) -> BddPointer {
    let (Some((var, rest)), false) = (own.split_first(), holds.len() < 2) else {
        return if holds.first() == Some(&true) {
            BddPointer::one()
        } else {
            BddPointer::zero()
        };
    };
    let (low_half, high_half) = holds.split_at(holds.len() / 2);
    let low = build(rest, low_half, nodes, unique);
    let high = build(rest, high_half, nodes, unique);
    if low == high {
        return low;
    }
    *unique.entry((*var, low, high)).or_insert_with(|| {
        nodes.push(BddNode::mk_node(*var, low, high));
        BddPointer::from_index(nodes.len() - 1)
    })
}

/// How many binary digits spell an index below `choices`.
fn bits_for(choices: usize) -> u32 {
    choices
        .saturating_sub(1)
        .checked_ilog2()
        .map_or(0, |log| log + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::space::Component;

    fn space(choices: &[Vec<Vec<bool>>]) -> Space {
        let mut next = 0;
        let components = choices
            .iter()
            .map(|truths| {
                let atoms: Vec<usize> = (0..truths.first().map_or(0, Vec::len))
                    .map(|_| {
                        next += 1;
                        next - 1
                    })
                    .collect();
                Component {
                    atoms,
                    choices: truths.iter().map(|t| (t.clone(), Vec::new())).collect(),
                }
            })
            .collect();
        Space::with(components)
    }

    #[test]
    fn bits_spell_every_index() {
        assert_eq!(
            [0, 1, 2, 3, 4, 5, 8, 9].map(bits_for),
            [0, 0, 1, 2, 2, 3, 3, 4]
        );
    }

    #[test]
    fn codes_past_the_last_choice_repeat_it() {
        // Three choices of one component (two bits, four codes): atom 0 holds only in the
        // last choice, atom 1 in none. Code 3 is the last choice again, so `not atom 0` must
        // still leave the first two choices and `atom 0 and not atom 0` none.
        let s = space(&[vec![
            vec![false, false],
            vec![false, false],
            vec![true, false],
        ]]);
        let symbolic = Symbolic::new(&s).unwrap();
        let holds = |f: Formula| symbolic.regions(&f).map(|b| !b.is_false()).ok();
        assert_eq!(holds(Formula::Atom(0)), Some(true));
        assert_eq!(holds(Formula::Atom(1)), Some(false));
        assert_eq!(holds(Formula::Atom(1).not()), Some(true));
        assert_eq!(
            holds(Formula::and(vec![Formula::Atom(0), Formula::Atom(0).not()])),
            Some(false)
        );
        assert_eq!(
            holds(Formula::Atom(7)),
            None,
            "an atom no component decides"
        );
    }

    #[test]
    fn agrees_with_the_search_on_every_formula_over_two_components() {
        // Component A: atoms 0, 1 over three choices; component B: atom 2, a free yes/no.
        let s = space(&[
            vec![vec![true, false], vec![false, true], vec![true, true]],
            vec![vec![true], vec![false]],
        ]);
        let symbolic = Symbolic::new(&s).unwrap();
        let literals: Vec<Formula> = (0..3)
            .flat_map(|a| [Formula::Atom(a), Formula::Atom(a).not()])
            .collect();
        for a in &literals {
            for b in &literals {
                for c in &literals {
                    let f = Formula::or(vec![
                        Formula::and(vec![a.clone(), b.clone()]),
                        Formula::and(vec![b.clone().not(), c.clone()]),
                    ]);
                    let searched = s.solve(&f).map(|r| r.is_some()).ok();
                    let diagram = symbolic.regions(&f).map(|d| !d.is_false()).ok();
                    assert_eq!(searched, diagram, "{f:?}");
                }
            }
        }
    }

    #[test]
    fn cubes_meet_exactly_when_the_search_finds_a_region_in_both() {
        let s = space(&[
            vec![vec![true, false], vec![false, true], vec![true, true]],
            vec![vec![true], vec![false]],
        ]);
        let literals: Vec<Formula> = (0..3)
            .flat_map(|a| [Formula::Atom(a), Formula::Atom(a).not()])
            .collect();
        let conjunctions: Vec<Formula> = literals
            .iter()
            .flat_map(|a| {
                literals
                    .iter()
                    .map(move |b| Formula::and(vec![a.clone(), b.clone()]))
            })
            .chain([Formula::True])
            .collect();
        for a in &conjunctions {
            for b in &conjunctions {
                let (ca, cb) = (s.cube(a).unwrap(), s.cube(b).unwrap());
                let searched = s.solve(&Formula::and(vec![a.clone(), b.clone()])).unwrap();
                assert_eq!(ca.meets(&cb), searched.is_some(), "{a:?} and {b:?}");
            }
        }
        assert!(
            s.cube(&Formula::or(literals)).is_none(),
            "not a conjunction"
        );
    }
}
