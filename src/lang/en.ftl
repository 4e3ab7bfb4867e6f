# The English catalogue: every sentence arrears shows a person, by message id.
# `zh.ftl` has the same messages with the same parameters; `cargo test` holds them together.
# Leading and trailing spaces of a value are dropped by Fluent: where they matter, they are
# written as a quoted literal, { " " }.

## Lists and counts

list-separator = { ", " }
none = none
loans = { $count ->
    [one] { $shown } loan
   *[other] { $shown } loans
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

## Overdue buckets (the labels stay English in JSON and CSV)

bucket-current = current
bucket-named = { $name } ({ $range })
bucket-named-over = { $name } (over { $days })
bucket-days = { $range } days
bucket-over = over { $days }

## `arrears report`

list-separator-strong = { "; " }
loans-unit = { $count ->
    [one] loan
   *[other] loans
}
report-title = dry run of { $policy } on { $portfolio } as of { $date }
report-reconciliation = { $read } read = { $decided } decided + { $rejected } rejected; principal { $principal } { $verdict }
report-reconciled = reconciled in every table
report-not-reconciled = DOES NOT RECONCILE: please report this
report-share = { $percent } % of principal
report-share-of = { $percent } % of { $currency } principal
report-overdue = overdue: { $loans }, { $principal } ({ $share })
report-non-performing = non-performing: { $loans }, { $principal } (NPL ratio { $share })
report-per-action-long = loans per action (a loan with several actions counts under each)
report-per-primary-action-long = loans per primary action (the first action; each loan once)
report-per-decision-long = loans per { $decision }
report-per-bucket-long = loans per overdue bucket
report-bucket-action = overdue bucket × primary action
report-row = { $key }: { $cells }
report-vetoed-by = vetoed by { $guard }
report-vetoed-none = vetoed: none
report-experiment = experiment { $name }
report-arm = { $name } = { $arm }: { $loans }, { $principal }
report-rejected = rejected rows
report-example = e.g. { $reason }
report-no-action = (no action)
report-column-loans = loans
report-column-amount = amount
report-heat-map-label = overdue bucket by action
report-arms-chart = { $name }: share of each arm's loans per primary action
report-arms-label = arms of { $name }
report-html-title = arrears dry run
report-html-heading = Dry run of { $policy }
report-html-subheading = { $portfolio } as of { $date }
report-html-overdue = Overdue: { $loans } loans ({ $share }).
report-html-npl = { " NPL ratio: " }{ $share }.
report-html-action-mix = Action mix
report-per-primary-action-chart = loans per primary action
report-html-bucket-action = Overdue bucket × primary action
report-html-experiments = Experiments
report-html-tables = Tables
report-per-primary-action = per primary action
report-per-action = per action (a loan with several counts under each)
report-per-bucket = per overdue bucket
report-per-decision = per { $decision }
report-rejected-per-code = rejected rows per code

## `arrears diff`

diff-title = impact of { $new } (was { $old }) on { $portfolio } as of { $date }
diff-changed = { $changed } of { $compared } loans change outcome, involving { $changed_amount } of { $compared_amount }
diff-loan = { $loan }  ({ $amount })
diff-decision = { $decision }: { $before } → { $after }
diff-actions = actions: { $list }
diff-transitions = transitions of { $name }
diff-actions-matrix = actions
diff-transition = { $before } → { $after }: { $loans } loans, { $amount }
diff-totals = read { $read } = compared { $compared } + rejected { $rejected }; of those compared, { $unchanged } unchanged and { $changed } changed
diff-md-title = ### Policy impact: `{ $new }`
diff-md-summary = Compared with `{ $old }` on `{ $portfolio }` as of { $date }: **{ $changed } of { $compared } loans change outcome**, involving { $changed_amount } of { $compared_amount }.
diff-md-matrix-header = | before | after | loans | amount |
diff-md-changed-loans = Changed loans
diff-md-loans-header = | loan | amount | changes | actions |
diff-md-more = … and { $count } more (`--format json` lists them all).

## `arrears test`

test-file = { $file } (policy { $policy })
test-file-error = error: { $error }
test-ok = ok
test-fail = FAIL
test-invalid = INVALID
test-expected = expected
test-actual = actual
test-why = why:
test-coverage = coverage of { $policy }: { $covered } of { $total } rules and guards ({ $percent })
test-never-fired = never fired (or, for guards, never vetoed): { $list }
test-totals = { $passed } passed, { $failed } failed, { $invalid } invalid

## Diagnostics: the frame around every message

diag-help = help: { $help }
diag-github-help = help: { $help }
diag-summary = { $errors ->
    [one] { $errors } error
   *[other] { $errors } errors
}, { $warnings ->
    [one] { $warnings } warning
   *[other] { $warnings } warnings
}

## `arrears check`

check-clean = checked { $files } { $files ->
    [one] file
   *[other] files
}: no problems
check-summary = checked { $files } { $files ->
    [one] file
   *[other] files
}: { $summary }
check-witnesses = wrote { $count } witness { $count ->
    [one] loan
   *[other] loans
} to `{ $dir }`

## Diagnostics: names and values (E2xx)

did-you-mean = did you mean `{ $name }`?
e201-message = unknown name `{ $name }`
e201-label = not a field, value or decision
e201-is-a-choice = `{ $name }` is a choice of a field: compare the field with it, as in `field = { $name }`
e201-declare-it = declare it with `let`, or add the field to the schema
e202-not-a-choice = `{ $name }` is not one of the choices
e202-choices-are = the choices are: { $choices }
e202-not-an-outcome = `{ $name }` is not an outcome of `{ $decision }`
e202-outcomes-are = `{ $decision }` gives one of: { $outcomes }
e204-message = `{ $name }` may be missing, and is read here without a test
e204-read-here = read here
e204-help = test it first: `{ $name } is present and ...`, or `{ $name } is missing or ...`
e204-unnamed-message = this value may be missing (the latest of an empty list, say), and is read here without a test
e204-may-be-missing = may be missing
e204-unnamed-help = name it with `let`, then test it with `is present` before comparing it
e201-records-have = its records have: { $fields }
e201-no-record-field = the records of `{ $list }` have no field `{ $field }`
e208-functions-are = the functions are { $functions }
e208-unknown-function = unknown function `{ $name }`
e212-message = `{ $name }` is not a declared action or kind
e212-help = declare it in an `actions` line or as a `kind`
e206-not-an-action = `{ $name }` is not a declared action
e206-not-a-value = `{ $name }` is not one of the values of `{ $decision }`
e206-declare = declare it: `actions { $name }`
e206-values-are = the values are: { $values }

## Diagnostics: types (E203, E205, E207)

type-value = value
type-yes-no = yes/no
type-whole-number = whole number
type-money = money amount
type-days = number of days
type-date = date
type-time = time of day
type-text = text
type-choice-of = choice ({ $choices })
type-choice = choice
type-list-of = list (`{ $field }`)
type-list = list
type-outcome-of = outcome of `{ $decision }`
type-outcome = decision outcome
type-nothing = `nothing`
e203-not-ordered = `{ $op }` orders numbers, amounts, days and dates, not a { $what }
e203-not-ordered-help = use `=` or `!=`, or `in [...]` for several choices
e203-list = a list cannot be compared
e203-list-help = count its records instead: `count(list where ...) > 0`
e203-cannot-add = cannot add a { $left } with a { $right }
e203-cannot-subtract = cannot subtract a { $left } with a { $right }
e203-cannot-compare = cannot compare a { $left } with a { $right }
e203-this-is = this is a { $what }
e203-help-days-unit = a number of days is written with its unit: `as_of - 30 days`
e203-help-counts-days = counts and days are different things; compare days with days (`30 days`)
e203-help-money-dates = compare amounts with amounts and dates with dates
e203-help-like-with-like = compare like with like: amounts with amounts, days with days, dates with dates
e205-message = `{ $number }` needs a unit here: it is compared with a number of days
e205-help = write `{ $number } days`
e207-message = expected a yes/no condition, found a { $what }
e207-help = compare it with something, such as `overdue > 30 days`
