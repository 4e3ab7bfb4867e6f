# The English catalogue: every sentence arrears shows a person, by message id.
# `zh.ftl` has the same messages with the same parameters; `cargo test` holds them together.
# Leading and trailing spaces of a value are dropped by Fluent: where they matter, they are
# written as a quoted literal, { " " }.

## Lists and counts

list-separator = { ", " }
none = none
loans = { $count ->
    [one] { $count } loan
   *[other] { $count } loans
}

## What a test needs (`explain`, test failures)

needs-one-of = one of { $items }{ $rest }
needs-none-of = none of { $items }{ $rest }
needs-in-all = { " … (" }{ $total } in all)
needs-present = present
needs-missing = missing
needs-true = true
needs-false = false

## `arrears explain`

explain-header = loan { $key }, evaluated on { $date } by { $policy }
explain-policy = policy
explain-derived = derived values
explain-from = from { $reads }
explain-reads-nothing = (reads nothing)
explain-decision = decision { $name } ({ $hit }) → { $outcome }
hit-first = first match
hit-unique = unique match
hit-every = every match
explain-matched = matched → { $outcome }
explain-matched-nothing = matched → nothing
explain-not-matched = no
explain-otherwise = otherwise: no other rule matched
explain-otherwise-reads = otherwise: no other rule matched; { $reads }
explain-test = { $mark } { $had }, needs { $needs }
explain-test-unnamed = { $mark } { $test }: { $value }, needs { $needs }
explain-is-missing = { $name } is missing
explain-item = { $name }{ $label }: { $verdict }
explain-guards = guards
explain-applies = applies
explain-does-not-apply = does not apply
explain-per = per { $basis }
explain-actions = actions: { $list }
explain-vetoed = vetoed:  { $list }
explain-vetoed-by = { $action } (by { $guard }{ $why })
explain-vetoed-why = { ": " }{ $reason }

## A decision's outcome

outcome-no-rule = no rule matched
outcome-nothing = nothing
