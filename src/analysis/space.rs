//! The two search spaces and the search itself.
//!
//! A space is a list of components; each component decides some atoms, and offers a list of
//! choices, each a truth value for every atom it decides. A region is one choice per component
//! that matters; the search finds a region where a formula is true, depth first, pruning as soon
//! as the formula is false whatever the undecided components choose.
//!
//! * **Over-approximate** ([`Space::over`]): each field or derived value tested against constants
//!   is one component whose choices are representatives of every interval its constants cut;
//!   every other atom (two fields compared, arithmetic, a count) is a free yes/no. Every real
//!   loan falls in some region, so "no region" proves "no loan".
//! * **Realizable** ([`Space::real`]): fields that appear in the same atom form one component;
//!   its choices come from running the evaluator on candidate values for those fields (built
//!   from the policy's constants), so every region is a real loan — the witness.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::formula::{Atoms, Dim, Formula, Test};
use crate::eval::{Truths, eval_expr};
use crate::program::Program;
use crate::program::ir::{CmpOp, Expr, ExprKind};
use crate::schema::{Field, FieldType};
use crate::source::Span;
use crate::value::Loan;
use crate::value::{Records, Value};

/// One choice of a component: the truth of each of its atoms, and the field values (by slot)
/// that give them in the realizable space.
pub(crate) type Choice = (Vec<bool>, Vec<(usize, Value)>);

/// One component's choices.
#[derive(Debug)]
pub(crate) struct Component {
    pub(crate) atoms: Vec<usize>,
    pub(crate) choices: Vec<Choice>,
}

#[derive(Debug)]
pub(crate) struct Space {
    pub(crate) components: Vec<Component>,
    /// For each atom (by index): its component and its position there.
    owner: Vec<Option<(usize, usize)>>,
}

/// How many regions a search may visit before it gives up (and reports nothing).
const BUDGET: usize = 200_000;
/// How many candidate value combinations one component may try.
const COMBINATIONS: usize = 20_000;

/// A conjunction of tests as the choices it leaves each component it restricts (see
/// [`Space::cube`]); components it does not name are free.
#[derive(Debug)]
pub(crate) struct Cube(Vec<(usize, Vec<bool>)>);

impl Cube {
    /// Whether some region is in both cubes: every component both restrict keeps a choice
    /// both allow (and neither leaves a component without any).
    pub(crate) fn meets(&self, other: &Cube) -> bool {
        let some = |choices: &[bool]| choices.iter().any(|c| *c);
        if !self.0.iter().all(|(_, c)| some(c)) || !other.0.iter().all(|(_, c)| some(c)) {
            return false;
        }
        self.0.iter().all(|(component, mine)| {
            other
                .0
                .binary_search_by_key(component, |(c, _)| *c)
                .ok()
                .and_then(|at| other.0.get(at))
                .is_none_or(|(_, theirs)| mine.iter().zip(theirs).any(|(a, b)| *a && *b))
        })
    }
}

impl Cube {
    /// Whether every region of this cube is in `other`: each component `other` restricts keeps
    /// every choice this cube allows there (an empty cube is within anything).
    pub(crate) fn within(&self, other: &Cube) -> bool {
        if self.0.iter().any(|(_, c)| !c.iter().any(|x| *x)) {
            return true;
        }
        other.0.iter().all(|(component, theirs)| {
            match self
                .0
                .binary_search_by_key(component, |(c, _)| *c)
                .ok()
                .and_then(|at| self.0.get(at))
            {
                Some((_, mine)) => mine.iter().zip(theirs).all(|(m, t)| !*m || *t),
                // This cube leaves the component free: `other` must too.
                None => theirs.iter().all(|t| *t),
            }
        })
    }
}

/// Searching ran out of budget.
#[derive(Debug)]
pub(crate) struct Exhausted;

impl Space {
    pub(crate) fn with(components: Vec<Component>) -> Space {
        let atoms = components
            .iter()
            .flat_map(|c| c.atoms.iter().copied())
            .max()
            .map_or(0, |m| m + 1);
        let mut owner = vec![None; atoms];
        for (c, component) in components.iter().enumerate() {
            for (position, atom) in component.atoms.iter().enumerate() {
                if let Some(slot) = owner.get_mut(*atom) {
                    *slot = Some((c, position));
                }
            }
        }
        Space { components, owner }
    }

    /// A region (a choice for each component that matters) where `formula` is true.
    pub(crate) fn solve(
        &self,
        formula: &Formula,
    ) -> Result<Option<BTreeMap<usize, usize>>, Exhausted> {
        let mut atoms = Vec::new();
        formula.atoms(&mut atoms);
        let mut order: Vec<usize> = Vec::new();
        let mut ordered = vec![false; self.components.len()];
        for atom in &atoms {
            match self.owner.get(*atom).copied().flatten() {
                Some((component, _)) if ordered.get(component) == Some(&false) => {
                    if let Some(slot) = ordered.get_mut(component) {
                        *slot = true;
                    }
                    order.push(component);
                }
                Some(_) => {}
                // An atom no component decides is unknown in every region: no region is certain.
                None => return Ok(None),
            }
        }
        let mut chosen: Vec<Option<usize>> = vec![None; self.components.len()];
        let mut budget = BUDGET;
        let found = self.dfs(formula, &order, 0, &mut chosen, &mut budget)?;
        Ok(found.then(|| {
            chosen
                .iter()
                .enumerate()
                .filter_map(|(c, choice)| choice.map(|x| (c, x)))
                .collect()
        }))
    }

    fn truth(&self, chosen: &[Option<usize>], atom: usize) -> Option<bool> {
        let (component, position) = self.owner.get(atom).copied().flatten()?;
        let choice = chosen.get(component).copied().flatten()?;
        self.components
            .get(component)?
            .choices
            .get(choice)?
            .0
            .get(position)
            .copied()
    }

    fn dfs(
        &self,
        formula: &Formula,
        order: &[usize],
        depth: usize,
        chosen: &mut [Option<usize>],
        budget: &mut usize,
    ) -> Result<bool, Exhausted> {
        *budget = budget.checked_sub(1).ok_or(Exhausted)?;
        match formula.eval(&|atom| self.truth(chosen, atom)) {
            Some(value) => return Ok(value),
            None if depth >= order.len() => return Ok(false),
            None => {}
        }
        let Some(&component) = order.get(depth) else {
            return Ok(false);
        };
        let count = self
            .components
            .get(component)
            .map_or(0, |c| c.choices.len());
        for choice in 0..count {
            if let Some(slot) = chosen.get_mut(component) {
                *slot = Some(choice);
            }
            if self.dfs(formula, order, depth + 1, chosen, budget)? {
                return Ok(true);
            }
        }
        if let Some(slot) = chosen.get_mut(component) {
            *slot = None;
        }
        Ok(false)
    }

    /// `formula` as the choices it leaves each component, when it is a conjunction of atoms
    /// and negated atoms (as most rules are); `None` for any other shape.
    pub(crate) fn cube(&self, formula: &Formula) -> Option<Cube> {
        let literals: Vec<&Formula> = match formula {
            Formula::And(parts) => parts.iter().collect(),
            Formula::True => Vec::new(),
            other => vec![other],
        };
        let mut cube: Vec<(usize, Vec<bool>)> = Vec::new();
        for literal in literals {
            let (atom, holds) = match literal {
                Formula::Atom(a) => (*a, true),
                Formula::Not(inner) => match inner.as_ref() {
                    Formula::Atom(a) => (*a, false),
                    _ => return None,
                },
                _ => return None,
            };
            let (component, position) = self.owner.get(atom).copied().flatten()?;
            let choices = &self.components.get(component)?.choices;
            let allowed = choices
                .iter()
                .map(|(truth, _)| truth.get(position) == Some(&holds));
            match cube.iter_mut().find(|(c, _)| *c == component) {
                Some((_, left)) => left.iter_mut().zip(allowed).for_each(|(l, a)| *l &= a),
                None => cube.push((component, allowed.collect())),
            }
        }
        cube.sort_unstable_by_key(|(c, _)| *c);
        Some(Cube(cube))
    }

    /// The over-approximate space over `atoms`.
    pub(crate) fn over(program: &Program, atoms: &Atoms) -> Space {
        let mut by_dim: BTreeMap<Dim, Vec<usize>> = BTreeMap::new();
        let mut components = Vec::new();
        for (index, atom) in atoms.list.iter().enumerate() {
            match &atom.simple {
                Some((dim, _)) => by_dim.entry(dim.component()).or_default().push(index),
                None => components.push(Component {
                    atoms: vec![index],
                    choices: vec![(vec![true], vec![]), (vec![false], vec![])],
                }),
            }
        }
        for (_, members) in by_dim {
            let tests: Vec<(Dim, &Test)> = members
                .iter()
                .filter_map(|a| atoms.list.get(*a)?.simple.as_ref().map(|(d, t)| (*d, t)))
                .collect();
            // The component's dimensions (a date field and its days since the evaluation
            // date share one), each with its representatives; a choice takes one of each,
            // all missing or all present.
            let mut dims: Vec<Dim> = tests.iter().map(|(d, _)| *d).collect();
            dims.sort();
            dims.dedup();
            let values: Vec<Vec<Value>> = dims
                .iter()
                .map(|dim| {
                    let own: Vec<&Test> = tests
                        .iter()
                        .filter(|(d, _)| d == dim)
                        .map(|(_, t)| *t)
                        .collect();
                    representatives(program, *dim, &own)
                })
                .collect();
            let mut choices: Vec<Choice> = Vec::new();
            for picked in joint(&values) {
                let value_of = |dim: Dim| {
                    dims.iter()
                        .position(|d| *d == dim)
                        .and_then(|at| picked.get(at))
                };
                let signature: Vec<bool> = tests
                    .iter()
                    .map(|(dim, t)| value_of(*dim).is_some_and(|v| test(t, v)))
                    .collect();
                if !choices.iter().any(|(s, _)| *s == signature) {
                    choices.push((signature, Vec::new()));
                }
            }
            components.push(Component {
                atoms: members,
                choices,
            });
        }
        Space::with(components)
    }

    /// The realizable space over `atoms`, evaluated on `as_of`.
    pub(crate) fn real(program: &Program, atoms: &Atoms, as_of: NaiveDate) -> Space {
        Space::real_with(program, atoms, as_of, true)
    }

    /// [`Space::real`], each atom's truth looked up in a table where it can be (`tables`), or
    /// else evaluated on every combination's loan: the same space either way.
    fn real_with(program: &Program, atoms: &Atoms, as_of: NaiveDate, tables: bool) -> Space {
        let fields_of: Vec<Vec<usize>> = atoms
            .list
            .iter()
            .map(|a| {
                let mut fields = Vec::new();
                read_fields(program, &a.expr, &mut fields, 0);
                fields
            })
            .collect();
        // Union fields that appear in the same atom.
        let mut group: Vec<usize> = (0..program.schema.fields.len()).collect();
        fn root(group: &mut [usize], mut x: usize) -> usize {
            while let Some(&parent) = group.get(x) {
                if parent == x {
                    break;
                }
                x = parent;
            }
            x
        }
        for fields in &fields_of {
            if let Some(&first) = fields.first() {
                for &other in fields.iter().skip(1) {
                    let (a, b) = (root(&mut group, first), root(&mut group, other));
                    if let Some(slot) = group.get_mut(a) {
                        *slot = b;
                    }
                }
            }
        }
        let mut members: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        let mut constant_atoms = Vec::new();
        for (atom, fields) in fields_of.iter().enumerate() {
            match fields.first() {
                Some(&field) => {
                    let r = root(&mut group, field);
                    let entry = members.entry(r).or_default();
                    entry.0.push(atom);
                    for f in fields {
                        if !entry.1.contains(f) {
                            entry.1.push(*f);
                        }
                    }
                }
                None => constant_atoms.push(atom),
            }
        }
        let pools = Pools::new(program, as_of);
        let base = pools.default_loan(program, as_of);
        let mut components = Vec::new();
        for (_, (component_atoms, mut fields)) in members {
            fields.sort_unstable();
            let candidates: Vec<Vec<Value>> = fields
                .iter()
                .map(|f| pools.for_field(program, *f))
                .collect();
            let radices: Vec<usize> = candidates.iter().map(|pool| pool.len().max(1)).collect();
            let total: usize = radices
                .iter()
                .try_fold(1usize, |acc, &n| acc.checked_mul(n))
                .unwrap_or(usize::MAX)
                .min(COMBINATIONS);
            // Each atom's truth as a table over the fields it reads, when those are all it
            // depends on: a component of many fields and atoms tries up to `COMBINATIONS`
            // loans, but an atom reading one or two of its fields has only a few values.
            let exprs: Vec<Option<&Expr>> = component_atoms
                .iter()
                .map(|&atom| atoms.list.get(atom).map(|a| &a.expr))
                .collect();
            let reads: Vec<&[usize]> = component_atoms
                .iter()
                .map(|&atom| fields_of.get(atom).map_or(&[][..], Vec::as_slice))
                .collect();
            let truth = if tables {
                Truth::of(program, &base, as_of, &exprs, &reads, &fields, &candidates)
            } else {
                exprs.iter().map(|expr| Truth::Evaluated(*expr)).collect()
            };
            let evaluated = truth.iter().any(|t| matches!(t, Truth::Evaluated(_)));
            let mut choices: Vec<Choice> = Vec::new();
            let mut seen: std::collections::HashSet<Vec<u64>> = std::collections::HashSet::new();
            let mut bits = vec![0u64; truth.len().div_ceil(64)];
            let mut digits = vec![0; fields.len()];
            for combination in 0..total {
                for (digit, value) in digits.iter_mut().zip(mixed_radix(combination, &radices)) {
                    *digit = value;
                }
                let assignment = || -> Vec<(usize, Value)> {
                    let pools = fields.iter().zip(&candidates).zip(&digits);
                    pools
                        .map(|((field, pool), digit)| {
                            (*field, pool.get(*digit).cloned().unwrap_or(Value::Missing))
                        })
                        .collect()
                };
                let loan = evaluated.then(|| {
                    let mut loan = base.clone();
                    for (field, value) in assignment() {
                        if let Some(slot) = loan.fields.get_mut(field) {
                            *slot = value;
                        }
                    }
                    loan
                });
                let mut evaluator = loan.as_ref().map(|loan| Truths::new(program, loan, as_of));
                // The truths as bits, to look up among those seen without a vector of bools.
                bits.iter_mut().for_each(|word| *word = 0);
                for (at, t) in truth.iter().enumerate() {
                    let true_here = match t {
                        Truth::Tabled { positions, table } => {
                            let index = positions.iter().rev().fold(0, |index, &p| {
                                index * radices.get(p).copied().unwrap_or(1)
                                    + digits.get(p).copied().unwrap_or(0)
                            });
                            table.get(index).copied().unwrap_or(false)
                        }
                        Truth::Evaluated(expr) => match (expr, evaluator.as_mut()) {
                            (Some(expr), Some(evaluator)) => evaluator.truth(expr),
                            _ => false,
                        },
                    };
                    if let Some(word) = bits.get_mut(at / 64) {
                        *word |= u64::from(true_here) << (at % 64);
                    }
                }
                if seen.contains(bits.as_slice()) {
                    continue;
                }
                seen.insert(bits.clone());
                let signature = (0..truth.len())
                    .map(|at| {
                        bits.get(at / 64)
                            .is_some_and(|word| word >> (at % 64) & 1 == 1)
                    })
                    .collect();
                choices.push((signature, assignment()));
            }
            components.push(Component {
                atoms: component_atoms,
                choices,
            });
        }
        for atom in constant_atoms {
            let value = atoms
                .list
                .get(atom)
                .is_some_and(|a| eval_expr(program, &base, as_of, &a.expr) == Value::Bool(true));
            components.push(Component {
                atoms: vec![atom],
                choices: vec![(vec![value], Vec::new())],
            });
        }
        Space::with(components)
    }
}

/// How the realizable space finds an atom's truth for a combination of its component's values.
enum Truth<'p> {
    /// Looked up: `table` holds the truth for every combination of the values of the fields at
    /// `positions` (of the component's fields), the first position varying fastest.
    Tabled {
        positions: Vec<usize>,
        table: Vec<bool>,
    },
    /// Evaluated on each combination's loan (`None`: an atom that cannot be found, false).
    Evaluated(Option<&'p Expr>),
}

/// A table over more combinations than this is not worth building.
const TABLE: usize = 4_096;

impl<'p> Truth<'p> {
    /// How to find the truth of each of `exprs` (reading the fields `reads`, all among
    /// `fields`, whose candidate values are `candidates`; the other fields as in `base`): a
    /// table when the expression depends on those fields alone and the table is small, else
    /// evaluation. Expressions reading the same fields share their loans and evaluators, so a
    /// derived value is computed once for them all.
    fn of(
        program: &Program,
        base: &Loan,
        as_of: NaiveDate,
        exprs: &[Option<&'p Expr>],
        reads: &[&[usize]],
        fields: &[usize],
        candidates: &[Vec<Value>],
    ) -> Vec<Truth<'p>> {
        let mut truth: Vec<Truth<'p>> = exprs.iter().map(|expr| Truth::Evaluated(*expr)).collect();
        // The positions (among `fields`) each tabled expression reads, and the expressions.
        let mut groups: BTreeMap<Vec<usize>, Vec<usize>> = BTreeMap::new();
        for (at, (expr, read)) in exprs.iter().zip(reads).enumerate() {
            let Some(expr) = expr else { continue };
            if !reads_only_fields(program, expr, 0) {
                continue;
            }
            let positions: Option<Vec<usize>> = read
                .iter()
                .map(|field| fields.iter().position(|f| f == field))
                .collect();
            if let Some(positions) = positions {
                groups.entry(positions).or_default().push(at);
            }
        }
        for (positions, members) in groups {
            let pools: Option<Vec<(usize, &Vec<Value>)>> = positions
                .iter()
                .map(|&p| Some((*fields.get(p)?, candidates.get(p)?)))
                .collect();
            let Some(pools) = pools else { continue };
            let size = pools
                .iter()
                .try_fold(1usize, |acc, (_, pool)| acc.checked_mul(pool.len().max(1)))
                .filter(|&size| size <= TABLE);
            let Some(size) = size else { continue };
            let mut tables = vec![Vec::with_capacity(size); members.len()];
            let mut loan = base.clone();
            let radices: Vec<usize> = pools.iter().map(|(_, pool)| pool.len().max(1)).collect();
            for index in 0..size {
                for ((field, pool), digit) in pools.iter().zip(mixed_radix(index, &radices)) {
                    if let Some(slot) = loan.fields.get_mut(*field) {
                        *slot = pool.get(digit).cloned().unwrap_or(Value::Missing);
                    }
                }
                let mut truths = Truths::new(program, &loan, as_of);
                for (&member, table) in members.iter().zip(&mut tables) {
                    if let Some(Some(expr)) = exprs.get(member) {
                        table.push(truths.truth(expr));
                    }
                }
            }
            for (member, table) in members.into_iter().zip(tables) {
                if let Some(slot) = truth.get_mut(member) {
                    *slot = Truth::Tabled {
                        positions: positions.clone(),
                        table,
                    };
                }
            }
        }
        truth
    }
}

/// The digits of `index` in the mixed radix `radices`, the first varying fastest: which
/// candidate of each field combination number `index` takes.
fn mixed_radix(mut index: usize, radices: &[usize]) -> impl Iterator<Item = usize> + '_ {
    radices.iter().map(move |&n| {
        let digit = index % n.max(1);
        index /= n.max(1);
        digit
    })
}

/// Whether `expr` depends on the loan's fields alone, each of them found by [`read_fields`]:
/// not on a decision's outcome, the borrower's other loans, or an experiment's bucket.
fn reads_only_fields(program: &Program, expr: &Expr, depth: usize) -> bool {
    let alone = match &expr.kind {
        ExprKind::Decision(_) | ExprKind::Borrower(_) | ExprKind::Bucket { .. } => false,
        ExprKind::Derived(index) => {
            depth < 64
                && program
                    .derived
                    .get(*index)
                    .is_some_and(|def| reads_only_fields(program, &def.expr, depth + 1))
        }
        _ => true,
    };
    let mut children = alone;
    expr.for_each_child(&mut |child| children &= reads_only_fields(program, child, depth));
    children
}

/// Candidate values of the fields in `slots`, from `program`'s constants (see [`Pools`], built
/// once for them all).
pub(crate) fn candidates(program: &Program, slots: &[usize], as_of: NaiveDate) -> Vec<Vec<Value>> {
    let pools = Pools::new(program, as_of);
    slots
        .iter()
        .map(|slot| pools.for_field(program, *slot))
        .collect()
}

/// The loan fields `expr` reads, through derived values.
pub(crate) fn fields_read(program: &Program, expr: &Expr) -> Vec<usize> {
    let mut fields = Vec::new();
    read_fields(program, expr, &mut fields, 0);
    fields
}

/// Loan fields an expression reads, through derived values.
fn read_fields(program: &Program, expr: &Expr, out: &mut Vec<usize>, depth: usize) {
    let slot = match &expr.kind {
        ExprKind::Field(slot)
        | ExprKind::Count { list: slot, .. }
        | ExprKind::Fold { list: slot, .. } => Some(*slot),
        _ => None,
    };
    if let Some(slot) = slot
        && !out.contains(&slot)
    {
        out.push(slot);
    }
    if let ExprKind::Derived(index) = &expr.kind
        && depth < 64
        && let Some(def) = program.derived.get(*index)
    {
        read_fields(program, &def.expr, out, depth + 1);
    }
    expr.for_each_child(&mut |child| read_fields(program, child, out, depth));
}

/// Whether `value` passes `test`.
pub(crate) fn test(test: &Test, value: &Value) -> bool {
    match test {
        Test::Present => *value != Value::Missing,
        Test::IsTrue => *value == Value::Bool(true),
        Test::In(values) => values
            .iter()
            .any(|v| v.compare(value).is_some_and(|o| o.is_eq())),
        Test::Cmp(op, constant) => value.compare(constant).is_some_and(|o| match op {
            CmpOp::Eq => o.is_eq(),
            CmpOp::Ne => o.is_ne(),
            CmpOp::Lt => o.is_lt(),
            CmpOp::Le => o.is_le(),
            CmpOp::Gt => o.is_gt(),
            CmpOp::Ge => o.is_ge(),
        }),
    }
}

/// A value just above and just below `value`, of the same kind.
fn neighbours(value: &Value) -> Vec<Value> {
    let cent = Decimal::new(1, 2);
    match value {
        Value::Int(n) => vec![
            Value::Int(n.saturating_sub(1)),
            Value::Int(n.saturating_add(1)),
        ],
        Value::Days(n) => vec![
            Value::Days(n.saturating_sub(1)),
            Value::Days(n.saturating_add(1)),
        ],
        Value::Money(m) => {
            let unit = Decimal::new(1, m.scale().max(2));
            let unit = if unit < cent { unit } else { cent };
            vec![Value::Money(m - unit), Value::Money(m + unit)]
        }
        Value::Date(d) => d
            .pred_opt()
            .into_iter()
            .chain(d.succ_opt())
            .map(Value::Date)
            .collect(),
        Value::Time(t) => {
            let second = chrono::TimeDelta::seconds(1);
            [
                t.overflowing_sub_signed(second),
                t.overflowing_add_signed(second),
            ]
            .into_iter()
            // Only neighbours on the same day: 00:00 has no earlier time of day.
            .filter(|(_, wrapped)| *wrapped == 0)
            .map(|(t, _)| Value::Time(t))
            .collect()
        }
        _ => Vec::new(),
    }
}

/// Every way of taking one value from each list where the values are all missing or all
/// present (one list: each of its values).
fn joint(lists: &[Vec<Value>]) -> Vec<Vec<&Value>> {
    let mut out: Vec<Vec<&Value>> = vec![Vec::new()];
    for list in lists {
        out = out
            .iter()
            .flat_map(|so_far| {
                list.iter().filter_map(move |value| {
                    let missing = *value == Value::Missing;
                    let agrees = so_far
                        .first()
                        .is_none_or(|f| (**f == Value::Missing) == missing);
                    agrees.then(|| {
                        let mut next = so_far.clone();
                        next.push(value);
                        next
                    })
                })
            })
            .collect();
    }
    out
}

/// One value from every interval the constants of `tests` cut the value's range into, and
/// "missing" whenever the value may be missing.
fn representatives(program: &Program, dim: Dim, tests: &[&Test]) -> Vec<Value> {
    use crate::program::Ty;
    let (ty, optional) = match dim {
        Dim::Field(slot) => match program.schema.fields.get(slot) {
            Some(field) => (crate::program::Ty::of_field(field, slot), field.optional),
            None => (Ty::Error, true),
        },
        Dim::Derived(index) => program
            .derived
            .get(index)
            .map_or((Ty::Error, true), |d| (d.ty.clone(), d.optional)),
        Dim::DaysSince(slot) => (
            Ty::Days,
            program.schema.fields.get(slot).is_none_or(|f| f.optional),
        ),
    };
    let mut values = Vec::new();
    let add = |v: Value, values: &mut Vec<Value>| {
        if !values.contains(&v) {
            values.push(v);
        }
    };
    if optional {
        add(Value::Missing, &mut values);
    }
    for test in tests {
        let constants: Vec<&Value> = match test {
            Test::Cmp(_, v) => vec![v],
            Test::In(vs) => vs.iter().collect(),
            Test::Present | Test::IsTrue => Vec::new(),
        };
        for constant in constants {
            add(constant.clone(), &mut values);
            for n in neighbours(constant) {
                add(n, &mut values);
            }
        }
    }
    // Values no constant names still exist: an arbitrary one of the type, a choice not listed.
    match ty {
        Ty::Bool => {
            add(Value::Bool(true), &mut values);
            add(Value::Bool(false), &mut values);
        }
        Ty::Enum(id) => {
            for index in 0..program.schema.enums.get(id).map_or(0, Vec::len) {
                add(Value::Enum(index as u32), &mut values);
            }
        }
        Ty::Int => add(Value::Int(0), &mut values),
        Ty::Days => add(Value::Days(0), &mut values),
        Ty::Money => add(Value::Money(Decimal::ZERO), &mut values),
        Ty::Date => {
            if let Some(date) = NaiveDate::from_ymd_opt(2000, 1, 1) {
                add(Value::Date(date), &mut values);
            }
        }
        Ty::Text => add(Value::Text("\u{0}something else".into()), &mut values),
        Ty::Time => add(Value::Time(chrono::NaiveTime::MIN), &mut values),
        // Not a value the analysis knows: anything at all, so every test may go either way.
        _ => {
            add(Value::Missing, &mut values);
            add(Value::Bool(true), &mut values);
            add(Value::Bool(false), &mut values);
        }
    }
    // A derived value cannot leave its range: representatives outside it are no real loan.
    if let Dim::Derived(index) = dim {
        let (low, high) = super::range::range(
            program,
            &Expr::new(ExprKind::Derived(index), Span::default()),
            &[],
            0,
        );
        values.retain(|v| match v {
            Value::Int(n) | Value::Days(n) => {
                low.is_none_or(|l| *n >= l) && high.is_none_or(|h| *n <= h)
            }
            _ => true,
        });
        // Keep an in-range value for each side of the bounds that exist.
        for bound in [low, high].into_iter().flatten() {
            let v = match ty {
                Ty::Days => Value::Days(bound),
                _ => Value::Int(bound),
            };
            add(v, &mut values);
        }
    }
    values
}

/// Candidate values for each field of a witness loan, built from the policy's constants.
struct Pools {
    dates: Vec<Value>,
    times: Vec<Value>,
    money: Vec<Value>,
    integers: Vec<Value>,
    texts: Vec<Value>,
    list_sizes: Vec<usize>,
}

impl Pools {
    fn new(program: &Program, as_of: NaiveDate) -> Pools {
        let mut constants = Vec::new();
        let mut collect = |e: &Expr| collect_constants(e, &mut constants);
        for d in &program.derived {
            collect(&d.expr);
        }
        for decision in &program.decisions {
            for rule in &decision.rules {
                if let Some(c) = &rule.condition {
                    collect(c);
                }
            }
        }
        for guard in &program.guards {
            collect(&guard.condition);
        }
        let mut day_offsets: Vec<i64> = vec![0, 1, -1];
        let mut dates = Vec::new();
        let mut money = vec![Value::Money(Decimal::new(100_000, 2))];
        let mut integers = vec![Value::Int(0), Value::Int(1)];
        let mut texts = Vec::new();
        let mut times = vec![Value::Time(chrono::NaiveTime::MIN)];
        let mut sizes: Vec<usize> = vec![0, 1, 2];
        for constant in &constants {
            match constant {
                Value::Days(n) => day_offsets.extend([*n - 1, *n, *n + 1, -*n]),
                Value::Date(d) => {
                    dates.extend(std::iter::once(Value::Date(*d)).chain(neighbours(constant)))
                }
                Value::Money(_) => {
                    money.extend(std::iter::once(constant.clone()).chain(neighbours(constant)))
                }
                Value::Int(n) => {
                    integers.extend([Value::Int(*n - 1), Value::Int(*n), Value::Int(*n + 1)]);
                    for size in [*n - 1, *n, *n + 1] {
                        if let Ok(size) = usize::try_from(size)
                            && size <= 40
                        {
                            sizes.push(size);
                        }
                    }
                }
                Value::Text(_) => texts.push(constant.clone()),
                Value::Time(_) => {
                    times.extend(std::iter::once(constant.clone()).chain(neighbours(constant)))
                }
                _ => {}
            }
        }
        day_offsets.sort_unstable();
        day_offsets.dedup();
        for offset in day_offsets {
            let date = if offset >= 0 {
                as_of.checked_sub_days(Days::new(offset.unsigned_abs()))
            } else {
                as_of.checked_add_days(Days::new(offset.unsigned_abs()))
            };
            if let Some(date) = date {
                dates.push(Value::Date(date));
            }
        }
        for pool in [
            &mut dates,
            &mut money,
            &mut integers,
            &mut texts,
            &mut times,
        ] {
            let mut unique = Vec::new();
            for v in pool.drain(..) {
                if !unique.contains(&v) {
                    unique.push(v);
                }
            }
            *pool = unique;
        }
        sizes.sort_unstable();
        sizes.dedup();
        Pools {
            dates,
            times,
            money,
            integers,
            texts,
            list_sizes: sizes,
        }
    }

    fn scalar(&self, field: &Field, key: bool, enums: &[Vec<String>]) -> Vec<Value> {
        let mut values = match &field.ty {
            FieldType::Bool => vec![Value::Bool(false), Value::Bool(true)],
            FieldType::Enum(id) => (0..enums.get(*id).map_or(0, Vec::len))
                .map(|i| Value::Enum(i as u32))
                .collect(),
            FieldType::Date => self.dates.clone(),
            FieldType::Time => self.times.clone(),
            FieldType::Money => self.money.clone(),
            FieldType::Integer => self.integers.clone(),
            FieldType::Days => self
                .integers
                .iter()
                .map(|v| {
                    if let Value::Int(n) = v {
                        Value::Days(*n)
                    } else {
                        v.clone()
                    }
                })
                .collect(),
            // Keys vary, so that experiment buckets fall on both sides of any threshold.
            FieldType::Text if key => (1..=40)
                .map(|i| Value::Text(format!("W-{i}").into()))
                .collect(),
            FieldType::Text => std::iter::once(Value::Text("W".into()))
                .chain(self.texts.iter().cloned())
                .collect(),
            FieldType::List(_) => Vec::new(),
        };
        if field.optional {
            values.insert(0, Value::Missing);
        }
        values
    }

    fn for_field(&self, program: &Program, slot: usize) -> Vec<Value> {
        let Some(field) = program.schema.fields.get(slot) else {
            return Vec::new();
        };
        let FieldType::List(record) = &field.ty else {
            return self.scalar(field, slot == program.schema.key, &program.schema.enums);
        };
        // Lists of one record repeated: enough for counts, minimums and maximums over a filter.
        let pools: Vec<Vec<Value>> = record
            .iter()
            .map(|f| {
                let pool = self.scalar(f, false, &program.schema.enums);
                if matches!(f.ty, FieldType::Money) {
                    pool.into_iter().take(2).collect()
                } else {
                    pool
                }
            })
            .collect();
        let radices: Vec<usize> = pools.iter().map(Vec::len).collect();
        let templates: usize = radices.iter().map(|n| n.max(&1)).product();
        let mut lists = vec![Value::List(Arc::new(Records::with_capacity(
            pools.len(),
            0,
        )))];
        for template in 0..templates.min(2_000) {
            let row: Vec<Value> = pools
                .iter()
                .zip(mixed_radix(template, &radices))
                .map(|(pool, digit)| pool.get(digit).cloned().unwrap_or(Value::Missing))
                .collect();
            for &size in self.list_sizes.iter().filter(|s| **s > 0) {
                lists.push(Value::List(Arc::new(Records::repeat(&row, size))));
            }
        }
        lists
    }

    fn default_loan(&self, program: &Program, as_of: NaiveDate) -> Loan {
        let fields = program
            .schema
            .fields
            .iter()
            .enumerate()
            .map(|(slot, field)| default_value(field, slot == program.schema.key, as_of))
            .collect();
        Loan::new(fields)
    }
}

/// The value a witness loan has in a field that does not matter to the finding.
pub(crate) fn default_value(field: &Field, key: bool, as_of: NaiveDate) -> Value {
    if field.optional {
        return Value::Missing;
    }
    match &field.ty {
        FieldType::Text if key => Value::Text("W-1".into()),
        FieldType::Text => Value::Text("W".into()),
        FieldType::Bool => Value::Bool(false),
        FieldType::Integer => Value::Int(0),
        FieldType::Days => Value::Days(0),
        FieldType::Money => Value::Money(Decimal::new(100_000, 2)),
        FieldType::Date => Value::Date(as_of),
        FieldType::Time => Value::Time(chrono::NaiveTime::MIN),
        FieldType::Enum(_) => Value::Enum(0),
        FieldType::List(fields) => Value::List(Arc::new(Records::with_capacity(fields.len(), 0))),
    }
}

fn collect_constants(expr: &Expr, out: &mut Vec<Value>) {
    if let ExprKind::Const(v) = &expr.kind
        && !out.contains(v)
    {
        out.push(v.clone());
    }
    expr.for_each_child(&mut |child| collect_constants(child, out));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The atoms of every rule's and guard's condition, as the analysis collects them.
    fn atoms_of(program: &Program) -> Atoms {
        let mut atoms = Atoms::default();
        for decision in &program.decisions {
            for condition in decision.rules.iter().filter_map(|r| r.condition.as_ref()) {
                atoms.condition(program, condition);
            }
        }
        for guard in &program.guards {
            atoms.condition(program, &guard.condition);
        }
        atoms
    }

    #[test]
    fn truth_tables_give_the_space_that_evaluating_every_combination_gives() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let (mut policies, mut shared) = (0, 0);
        for dir in ["policies", "tests/analysis", "tests/golden/check"] {
            let mut paths: Vec<_> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .filter(|path| path.extension().is_some_and(|e| e == "policy"))
                .collect();
            paths.sort();
            for path in paths {
                let Ok(loaded) = crate::load::load_policy(&path) else {
                    continue;
                };
                let program = &loaded.program;
                let atoms = atoms_of(program);
                let tabled = Space::real_with(program, &atoms, as_of, true);
                let evaluated = Space::real_with(program, &atoms, as_of, false);
                assert_eq!(
                    format!("{:?}", tabled.components),
                    format!("{:?}", evaluated.components),
                    "{}",
                    path.display()
                );
                policies += 1;
                // Components where atoms read different fields are where tables pay.
                shared += tabled
                    .components
                    .iter()
                    .filter(|c| {
                        c.choices
                            .first()
                            .is_some_and(|(_, values)| values.len() > 1)
                    })
                    .count();
            }
        }
        assert!(
            policies >= 8 && shared >= 2,
            "{policies} policies, {shared} components"
        );
    }

    #[test]
    fn truth_tables_give_the_evaluated_space_in_any_field_order_and_leave_borrower_values_evaluated()
     {
        let text = "use schema \"loan-v1.schema\"

let overdue = if oldest_unpaid_due_date is present and oldest_unpaid_due_date < as_of then as_of - oldest_unpaid_due_date else 0 days

actions a0, a1, a2

decision d0: first match, gives action
  rule R0 when collateral_value is present and collateral_value >= principal_outstanding and overdue > 90 days then a0
  rule R1 when principal_outstanding >= 500000.00 and product in [mortgage] and overdue <= 30 days then a1
  rule R2 when collateral_value is present and principal_outstanding <= collateral_value and willingness in [refuses] then a2
  rule R3 when overdue >= 180 days and principal_outstanding < 100000.00 and collateral_value is present then a1
  rule R4 when collateral_value is present and collateral_value < 20000.00 and product in [card, consumer] then a0
  rule R5 when collateral_value is present and principal_outstanding + 10000.00 > collateral_value then a2
  rule R6 when collateral_value is present and sum(borrower.principal_outstanding) > collateral_value then a1
";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies/tables.policy");
        let loaded = crate::load::load_policy_text(&path, text.to_owned()).unwrap();
        let program = &loaded.program;
        let atoms = atoms_of(program);
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let tabled = Space::real_with(program, &atoms, as_of, true);
        let evaluated = Space::real_with(program, &atoms, as_of, false);
        assert_eq!(
            format!("{:?}", tabled.components),
            format!("{:?}", evaluated.components)
        );
        let widest = tabled.components.iter().map(|c| c.atoms.len()).max();
        assert!(
            widest >= Some(5),
            "the amounts' component has {widest:?} atoms"
        );
    }
}
