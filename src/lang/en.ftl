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
explain-borrower = the borrower's loans read ({ $count }): { $loans }
explain-by-loan = by loan: { $parts }
explain-per-borrower = decided once for the borrower, with loan { $loan } (its explanation lists the rules)
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
report-borrowers = { $borrowers } hold the { $loans } decided
report-borrower-decision = decision { $decision }, made once per borrower: borrowers per outcome
borrowers-count = { $count ->
    [one] { $shown } borrower
   *[other] { $shown } borrowers
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
e203-missing-else = `missing` can only be the `else` of an `if`
e203-missing-else-help = write `if CONDITION then VALUE else missing`; to test for a missing value, write `x is missing`
e203-not-negative = a { $what } cannot be negative
e203-presence = only a field or named value can be tested for presence
e203-presence-help = test a field, as in `collateral_value is present`
e203-add-to = cannot add a { $right } to a { $left }
e203-subtract-from = cannot subtract a { $right } from a { $left }
e203-arithmetic-help = dates move by days (`as_of - 90 days`), two dates give days between them, amounts add to amounts
e203-needs-here = `{ $function }` needs a { $expected } here, not a { $what }
collects-several = `{ $name }` collects several outcomes, so it cannot be compared with one
collects-several-help = read only `first match` decisions in conditions

## Diagnostics: functions (E208)

e208-whole-list = `{ $list }.{ $field }` is a whole list of values
e208-whole-list-help = use it inside `min(...)`, `max(...)` or `sum(...)`, as in `max({ $list }.{ $field })`
e208-fold-example = write `{ $function }(contacts.on)` or `{ $function }(promises.amount where kept)`
e208-fold-takes-field = `{ $function }` takes a list's field, as `list.field`
e208-fold-takes-one = `{ $function }` takes one list's field
e208-fold-cannot = `{ $function }` cannot work on a { $what }
e208-fold-cannot-help = min and max take numbers, amounts, days or dates; sum takes numbers, amounts or days
e215-whole = `{ $path }` stands for all of the borrower's loans and cannot be read by itself
e215-whole-help = count, add up or ask about the loans: `count(borrower.loans where overdue > 30 days)`, `sum(borrower.principal_outstanding)`, `any(borrower.loans where willingness = refuses)`, `count(borrower.contacts where on > as_of - 7 days)`
e215-no-borrower = the schema `{ $schema }` does not say which field identifies a loan's borrower
e215-no-borrower-help = add `, borrowers by FIELD` to the schema's `schema … keyed by …` line, naming the field that is the same for every loan of one borrower (`borrowers by borrower_id`)
e215-one-argument = `{ $function }` over the borrower's loans takes one argument, with an optional `where`
e215-not-a-list = `{ $name }` is not a list field, so `{ $path }` names nothing
e215-count-what = `{ $function }({ $path })` needs loans or records to look at: `borrower.loans` or a list field such as `borrower.contacts`
e215-fold-what = `{ $function }({ $path })` needs a value of each loan, such as `borrower.principal_outstanding`, or of each record, such as `borrower.promises.amount`
e215-inner-borrower = a value over the borrower's loans reads each loan alone, but `{ $name }` reads all of the borrower's loans again
e215-inner-decision = a value over the borrower's loans reads each loan alone, before anything is decided, but it reads the decision `{ $name }`
e215-inner-help = read each loan's own fields and values there; a value over the borrower cannot read another one, or a decision
e215-per-borrower-reads = decision `{ $decision }` is made once per borrower, but rule `{ $rule }` reads `{ $name }`, which each of the borrower's loans has its own of
e215-per-borrower-reads-help = read it over all of the borrower's loans (`max(borrower.{ $name })`, `any(borrower.loans where …)`), or make the decision per loan by removing `per borrower`
e208-fold-missing = `{ $list }.{ $field }` may be missing in some records
e208-fold-missing-help = filter the missing ones out first: `where field is present`
e208-bucket-help = write `bucket("experiment-name", loan_id)`: it gives the loan's bucket, 0 to 99
e208-bucket-arguments = `bucket` takes an experiment name in quotes and the loan's key
e208-bucket-key = `bucket` needs a text key, such as `loan_id`
e208-dates-not-list = `{ $function }` takes dates, not a list with `where`
e208-dates-not-list-help = write `weekday(as_of)`, `add_months(due, 36)` or `latest(a, b)`
e208-arguments = `{ $function }` is given { $count } argument(s)
e208-not-a-list = expected a list field, found a { $what }
e208-not-a-list-help = count, min, max and sum work on list fields such as `promises` or `contacts`
usage-weekday = `weekday(as_of)` gives 1 for Monday to 7 for Sunday
usage-add-months = `add_months(due_date, 36)` gives the same day 36 months later
usage-latest = `latest(a, b, ...)` gives the latest of the dates present
usage-earliest = `earliest(a, b, ...)` gives the earliest of the dates present
e208-count-one-list = `count` takes one list
e208-count-help = write `count(promises where not kept)`

## Diagnostics: declarations and decisions

no-schema = the policy does not say which loan schema it reads
no-schema-help = add `use schema "loan-v1.schema"` at the top, or declare a `schema` block
duplicate-message = `{ $name }` is declared twice
duplicate-again-here = declared again here
duplicate-first-here = first declared here
duplicate-as-of = `as_of` is the evaluation date and cannot be redefined
duplicate-value = this name is already a field, value or decision
duplicate-rule = rule and guard names must be unique in the policy
duplicate-action = each action is declared once
duplicate-kind = a kind cannot share its name with an action or kind
open-kind = kind `{ $kind }` is left open: the policy never says which of its actions it holds
open-kind-label = declared without actions here
open-kind-help = add `kind { $kind }: ACTION, ...` to the policy, or `kind { $kind }: nothing` if it has no such action
deadline-not-date = deadline `{ $name }` is a { $what }, not a date
deadline-not-date-help = a deadline is the date something must be done by; for a number, use `let`
let-cycle = `{ $name }` is defined in terms of itself
let-cycle-help = a value may use other values, but not, through them, itself
too-deep-chain = `{ $name }` ends a chain of more than { $most } values each built on another
too-deep-nesting = `{ $name }` nests { $depth } levels deep once the values it uses are written out; at most { $most }
too-deep-help = compute it from fields more directly, in fewer steps
listed-twice = `{ $name }` is listed twice
no-rules = decision `{ $name }` has no rules
no-rules-help = add `rule NAME when CONDITION then OUTCOME` lines under it
after-otherwise = rule `{ $rule }` can never fire: `{ $otherwise }` before it matches every loan
after-otherwise-never = never reached
after-otherwise-every = this rule matches every loan
after-otherwise-help = move the `otherwise` rule to the end of the decision
condition-not-yes-no = this condition is a { $what }, not a yes/no question
condition-not-yes-no-help = compare it with something, such as `overdue > 30 days` or `willingness = willing`
unused-kind = kind `{ $name }` is never used
unused-defined-here = defined here
unused-kind-help = name it in a guard's `forbid`, or remove it
internal-unchecked = internal error: a derived value was left unchecked
decision-cycle = decisions read each other in a circle: { $circle }
decision-cycle-help = a decision may read decisions that come before it, never one that reads it back
decision-cycle-label = this decision ends up reading itself

## Diagnostics: the shape of a policy (E1xx)

too-long-chain = this statement chains too many `and`, `or`, `+` or `-`
too-long-chain-help = at most { $most }; name parts of it with `let`
too-deep-brackets = this statement nests brackets or `if`s too deeply
too-deep-brackets-help = at most { $most } levels; name parts of the condition with `let`
field-out-of-place = this `field` is not inside a schema
field-out-of-place-help = put `field` lines directly under the `schema ... keyed by ...` line
rule-out-of-place = this `rule` is not inside a decision
rule-out-of-place-help = put `rule` lines directly under the `decision ...` line they belong to
table-out-of-place = this `table` is not inside a decision
row-out-of-place = this table row is not inside a decision
table-out-of-place-help = put `table` directly under the `decision ...` line, and its `|` rows under it
one-table = a decision has one table
one-table-help = put every row in the one table, or split the decision
row-without-table = this table row has no `table` above it
row-without-table-help = write `table` (or `table when CONDITION`) on the line above the heading row
table-heading = a table's heading needs a column for row names, at least one input column, and one for outcomes
table-heading-help = for example `| 格 | 经营状况 | 还款意愿 | 策略 |`
row-cells = this row has { $cells } cells, but the table's heading has { $heading }
row-cells-help = give every row a cell under each heading; write `-` for "any value"
row-name = a row starts with its name
row-name-help = name each row, as a rule is named: `| M1 | ...`
row-outcome = a row ends with what it gives: an action, a value, or `nothing`
expected-statement = expected a statement
expected-statement-label = this is not part of any statement
expected-statement-help = each statement starts on a new line with one of: { $keywords }

## Diagnostics: syntax (E101, E102)

alternatives = { $init } or { $last }
expect-something-else = something else
expect-name = a name
expect-value-or-condition = a value or condition
expect-value = a value
expect-and-or = `and` / `or`
expect-comparison = a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`)
expect-plus-minus = `+` or `-`
expect-not = `not`
expect-is-present = `is present` / `is missing`
expect-in = `in [...]`
expect-quoted = a quoted text
expect-type = a type (`text`, `bool`, `integer`, `money`, `date`, `days`, `one of ...`, `list of {"{"}...{"}"}`)
expect-optional = `optional`
expect-hit-policy = `first match`, `unique match` or `every match`
expect-gives = `gives action` or `gives one of ...`
expect-outcome = an action, a value or `nothing`
expect-then = `then`
expect-when = `when`
expect-otherwise = `otherwise`
expect-else = `else`
expect-forbid = `forbid`
expect-keyed-by = `keyed by`
expect-gives-word = `gives`
expect-of = `of`
expect-schema = `schema`
expect-where = `where`
expect-if = `if`
expect-nothing = `nothing`
expect-true-false = `true` or `false`
expect-action = an action name
expect-record-field = a record field (`name: type`)
expect-list = a list in brackets, such as `[sme, card]`
expect-end = the end of the statement
reserved-word = `{ $word }` is a reserved word and cannot be used as a name
reserved-word-label = reserved
reserved-word-help = choose another name, such as `{ $word }_1`; reserved words: { $reserved }
expected-but-ends = expected { $expected }, but the statement ends here
expected-found = expected { $expected }, found `{ $found }`
syntax-here = here
hint-and = write `and` instead of `&&`
hint-or = write `or` instead of `||`
hint-not = write `not` instead of `!`
hint-quotes = quote texts with double quotes: "like this"
hint-rule-shape = a rule reads `rule NAME when CONDITION then OUTCOME`, or `rule NAME otherwise then OUTCOME`
too-many-nots = too many `not`s or minus signs in a row
too-many-nots-help = two `not`s cancel out: remove them in pairs
one-dot = only one `.` is allowed in a name
one-dot-help = `list.field` picks a field of a list's records, as in `max(contacts.on)`
bad-date = `{ $text }` is not a calendar date
bad-date-help = dates are written YYYY-MM-DD and must exist, such as 2024-02-29 in a leap year
bad-time = `{ $text }` is not a time of day
bad-time-help = times are written HH:MM or HH:MM:SS on the 24-hour clock, from 00:00 to 23:59:59
too-many-days = `{ $number }` days is more than arrears can count
too-many-days-help = day counts go up to 1,000,000 days
too-large = the number `{ $text }` is too large
too-large-help = whole numbers go up to 9,223,372,036,854,775,807 and amounts to 28 digits
internal-reading = internal error while reading the policy: { $what }

## Diagnostics: schemas

schema-no-fields = schema `{ $name }` declares no fields
schema-no-fields-help = add `field NAME: TYPE` lines under the schema
schema-key-unknown = the key `{ $key }` is not a field of the schema
schema-key-text = the key `{ $key }` must be a text field that is always present
schema-key-text-help = declare it as `text`, without `optional`
schema-borrower-unknown = the borrower field `{ $field }` is not a field of the schema
schema-borrower-text = the borrower field `{ $field }` must be a text field
schema-borrower-text-help = declare it as `text` (or `optional text`: a loan without it is a borrower of its own)
field-twice = field name `{ $name }` is declared twice
field-twice-help = every field, and every field's other name, must be unique in the schema
own-alias = `{ $name }` is given as its own other name
own-alias-help = remove the brackets, or put the field's other name in them
nested-list = a list's records cannot hold lists themselves
optional-list = a list cannot be `optional`: a missing list is an empty list
optional-list-help = remove `optional`
include-circle = `{ $path }` includes the policy that includes it
include-circle-help = a module cannot include the policy: remove this `include`
include-unreadable = cannot read `{ $path }`: { $error }
include-unreadable-help = the path is relative to the folder of the file that includes it
include-not-module = `{ $path }` is not a module
include-not-module-help = a policy includes only files that start with `module NAME "what it holds"`
module-other-schema = this module reads the schema `{ $path }`, not the policy's
module-other-schema-help = a module's fields must be the policy's: name the same schema file
module-own-schema = `{ $path }` declares a schema of its own
module-own-schema-help = a module reads the policy's schema: put the schema in its own file and `use` it
schema-unreadable = cannot read the schema file `{ $path }`: { $error }
schema-unreadable-help = the path is relative to the folder of the policy file
schemas-many = the policy names more than one schema
schemas-many-help = a policy reads exactly one loan schema: keep one `use schema` or `schema` block
schema-second = a second schema, `{ $name }`
schema-second-help = one file declares one schema
schema-file-only = a schema file holds only the schema
schema-file-only-help = move rules, decisions and values into the policy file
schema-file-empty = this schema file declares no schema
schema-file-empty-help = start it with `schema NAME keyed by FIELD`

## Diagnostics: what the analysis finds (W4xx)

w402-message = rule `{ $rule }` can never fire: every loan it matches is taken first by { $listed }
w402-label = never fires
w402-takes-label = takes its loans
w402-together = { $rules } and { $last } together
w402-more-together = { $rules } and { $more } more rules together
w402-earlier-rules = earlier rules
w402-help = move it above the rules that take its loans, or remove it
w402-help-example = move it above the rules that take its loans, or remove it; for example this loan meets its condition but `{ $taken }` decides it: { $example }
w402-help-not-minimum = { $help }. (The rules named were chosen one at a time: none of them can be left out, but fewer other rules might also take all its loans.)
w403-message = rule `{ $rule }` can never fire: no loan meets its condition
w403-label = its condition is never true
w403-help = look for thresholds that contradict each other, such as `overdue > 90 days and overdue < 30 days`
w404-message = decision `{ $decision }` decides nothing for some loans: no rule matches them
w404-label = no rule covers some loans
w404-help = loans with { $region } match no rule, for example { $example }; add a rule for them, or `rule NAME otherwise then ...` at the end
w405-message = rules `{ $first }` and `{ $second }` both match some loans, but `unique match` promises one rule per loan
w405-label = matches
w405-label-same = matches the same loans
w405-help = loans with { $region } match both; for example { $example }. Narrow one of the rules, or use `first match` if the order should decide
w406-message = guard `{ $guard }` can never apply: its condition is never true
w406-label = never applies
w406-help = check the condition's values and thresholds, or remove the guard
w407-message = `{ $name }` is never read
w407-help = use it in a rule or guard, or remove it
w408-always-true = `{ $compared }` is always true: `{ $name }` is { $limits }
w408-always-false = `{ $compared }` is always false: `{ $name }` is { $limits }
w408-between = between { $low } and { $high }
w408-at-least = at least { $low }
w408-at-most = at most { $high }
w408-unbounded = unbounded
w408-compared-here = compared here
w408-help = check the threshold: a comparison that cannot go both ways decides nothing
w409-message = the analysis of { $what } stopped at its limits before settling { $named }
w409-label = not fully analysed
w409-help = a finding about these may be missing; the rest of the analysis is complete. Smaller decisions, or rules that test fewer values each, keep every question within the limits
w409-rule = whether rule `{ $rule }` can fire
w409-gap = whether some loans match no rule
w409-overlap = whether rules `{ $first }` and `{ $second }` share loans
w409-guard = whether it can apply
w409-and-more = { $listed } and { $more } more
w409-decision = decision `{ $name }`
w409-guard-named = guard `{ $name }`
region-any = any values
region-holds = `{ $condition }` true
region-fails = `{ $condition }` false
region-yes = { $name } = true
region-no = { $name } = false
region-present = { $name } is present
region-missing = { $name } is missing
witness-example = { $loan } on { $date } (other fields: false, the first choice, empty lists, no optional values); `arrears check --witnesses DIR` writes it whole to DIR/{ $file }, for `arrears explain POLICY DIR/{ $file } --loan { $key } --as-of { $date }`

## `arrears test --mutants`

mutant-rule-removed = rule `{ $name }` removed
mutant-swapped = rules `{ $first }` and `{ $second }` swapped
mutant-nothing = rule `{ $name }` gives `nothing`
mutant-guard-removed = guard `{ $name }` removed
mutant-at = { $quoted }: { $what }
mutant-not-dropped = `not` dropped
mutant-neighbour = `{ $from }` → `{ $to }` in the list
w601-message = no test notices { $change }
w601-label = every test passes with this changed
w601-help-case = the case suggested for it below (to paste under `cases:` in { $file }) catches it: a loan at the boundary, expecting what the policy decides now
w601-help-none = no loan near the test cases' loans tells the two apart; if none can, the change is harmless here
mutants-summary = mutants of { $policy }: { $made } made, { $killed } killed, { $equivalent } equivalent, { $survived } survived; score { $score }
mutants-not-run = mutants of { $policy }: not run: { $error }
mutants-not-run-failing = mutants not run: fix the failing tests first
mutants-cases = cases that catch the surviving changes to { $policy }, to paste under `cases:` in { $file }:
mutants-below = mutation score of { $policy } is { $score }, below the required { $min } %
coverage-below = coverage of { $policy } is { $coverage }, below the required { $min } %

## `arrears explain-code`: what each code means, and its usual fix

code-e101-summary = the text is not a statement of the policy language
code-e101-fix = compare the statement with the examples in README.md; the message says what was expected
code-e102-summary = a `rule` outside any decision, or a `field` outside any schema
code-e102-fix = move the line under the `decision` or `schema` it belongs to
code-e103-summary = a date, number or day count that cannot be what it says (2026-02-30, a number too large)
code-e103-fix = write a real calendar date or a smaller number
code-e104-summary = an expression nested more deeply, or chaining more operators, than arrears accepts
code-e104-fix = split the condition into named `let` values
code-e201-summary = a name that is not a field, derived value, decision, action or value in scope
code-e201-fix = fix the spelling (the message suggests the closest name) or declare it
code-e202-summary = a value that is not one of the choices of the field it is compared with
code-e202-fix = use one of the choices listed in the schema
code-e203-summary = two things of different kinds compared or combined (money with a date, days with a count)
code-e203-fix = compare like with like: money with money, days with days, dates with dates
code-e204-summary = a field or value that may be missing is read without first testing that it is present
code-e204-fix = test it first: `x is present and x > ...`, or `x is missing or ...`
code-e205-summary = a bare number compared with or added to a number of days
code-e205-fix = write the unit: `30 days`
code-e206-summary = a rule gives an action or value its decision does not declare
code-e206-fix = declare the action in `actions`, or use one of the decision's values
code-e207-summary = a condition that is not a yes/no question
code-e207-fix = compare the value with something: `overdue > 30 days`
code-e208-summary = an unknown function, or a function given the wrong arguments
code-e208-fix = use count, min, max, sum or bucket as shown in README.md
code-e209-summary = two things declared with the same name
code-e209-fix = rename one of them; rule names must be unique in the whole policy
code-e210-summary = the policy has no schema, two schemas, or a schema whose key is not a text field
code-e210-fix = add `use schema "file.schema"` or a `schema` block, once
code-e211-summary = the schema file named by `use schema` cannot be read
code-e211-fix = check the path: it is relative to the policy file
code-e212-summary = a guard or kind names an action or kind that is not declared
code-e212-fix = fix the spelling or declare the action
code-e213-summary = an `include` that cannot be followed: the file is missing, is not a `module`, includes itself, or reads another schema
code-e213-fix = check the path (relative to the including file) and that the module's `use schema` names the policy's schema
code-e214-summary = a kind a module declares without actions that the including policy never fills in
code-e214-fix = say which of the policy's actions the kind holds: `kind NAME: ACTION, ...`, or `kind NAME: nothing`
code-e215-summary = a value over a borrower's loans, or a decision made per borrower, that cannot be worked out as written
code-e215-fix = read the borrower's loans through count, sum, min, max, any or all, declare `borrowers by FIELD` in the schema, and let a `per borrower` decision read only what all the borrower's loans share
code-e216-summary = a `capacity` that cannot be applied as written: a limit of 0, an action limited twice, a fallback that is a kind or is limited itself, a group or priority that cannot group or order loans
code-e216-fix = limit each action once, with a limit above 0; group by a field or value of text, a choice, a number, yes/no or a date; order by amounts, numbers, days, dates, times or yes/no; fall back on one action no capacity limits
code-e301-summary = decisions or derived values that depend on each other in a circle
code-e301-fix = break the circle: a decision may read only decisions that do not read it back
code-e302-summary = a decision with no rules, or a reading of a decision that does not give one value
code-e302-fix = give the decision at least one rule; compare only `first match` decisions with a value
code-w401-summary = a rule placed after an `otherwise` rule in a `first match` decision can never fire
code-w401-fix = move the `otherwise` rule to the end, or delete the rules after it
code-w402-summary = in a `first match` decision, every loan a rule matches is taken by earlier rules
code-w402-fix = move the rule above the rules that take its loans, or remove it
code-w403-summary = a rule whose condition no loan can meet
code-w403-fix = look for thresholds that contradict each other
code-w404-summary = a `first match` decision without `otherwise` that no rule decides for some loans
code-w404-fix = add a rule for the loans described, or an `otherwise` rule at the end
code-w405-summary = two rules of a `unique match` decision that both match some loans
code-w405-fix = narrow one of the rules, or use `first match` if their order should decide
code-w406-summary = a guard whose condition no loan can meet
code-w406-fix = check its thresholds, or remove it
code-w407-summary = a derived value or kind that nothing reads
code-w407-fix = use it, or remove it
code-w408-summary = a comparison whose answer never changes, given what the value can be
code-w408-fix = check the threshold against the value's range
code-w409-summary = a question of the analysis (can this rule fire, do two rules share loans, does the decision leave loans undecided) that hit the analysis' limits, so a finding about it may be missing
code-w409-fix = nothing is wrong for certain; to have the question settled, split the decision or give its rules fewer tests each
code-e501-summary = a portfolio row lacks a required field
code-e501-fix = fill in the field, or declare it `optional` in the schema
code-e502-summary = a portfolio row has a value of the wrong kind (text where money is expected, a bad date)
code-e502-fix = correct the value in the portfolio
code-e503-summary = a portfolio row has a value that is not one of the field's choices
code-e503-fix = use one of the choices the schema lists
code-e504-summary = a portfolio row repeats the key (`loan_id`) of an earlier row
code-e504-fix = give every loan its own id; the first row with the id is kept
code-e505-summary = a portfolio row that is not a record at all (broken JSON, a CSV row of the wrong width)
code-e505-fix = repair the row
code-w506-summary = a portfolio has fields the schema does not declare; they are ignored
code-w506-fix = remove them, or declare them in the schema if the policy should read them
code-w601-summary = `arrears test --mutants`: a small change to the policy (a threshold moved by one, `>` for `>=`, a rule removed) that every test still passes, so no test would notice that edit
code-w601-fix = add the suggested case (a loan at the boundary, expecting what the policy decides now) to the policy's tests
code-e901-summary = arrears itself went wrong; this is a bug, not a problem with your policy
code-e901-fix = report it with the policy and the command that showed it
explain-code-what = what
explain-code-fix = fix
explain-code-example = example

## Reading portfolios, and the notes of `run` and `explain`

progress-loans = loans
progress-eta = ETA
portfolio-format-unknown = error: cannot tell the format of `{ $path }` from its extension; pass --input-format jsonl|csv|yaml
portfolio-unreadable = error: cannot read the portfolio `{ $path }`: { $error }
portfolio-unknown-fields = warning[{ $code }]: `{ $name }` has fields the schema does not declare, ignored: { $fields }
run-tally = read { $read } { $read ->
    [one] loan
   *[other] loans
} = decided { $decided } + rejected { $rejected }
rejected-row = rejected[{ $code }] { $place }:{ $what } { $reason }
rejected-what = { " " }{ $list }:
rejected-record = { $file } (loan #{ $record })
rejected-loan = loan `{ $value }`
rejected-field = field `{ $value }`
rejected-value = value `{ $value }`
explain-rejected = loan `{ $loan }` cannot be decided: its row is rejected
explain-not-found = error: no loan `{ $loan }` in `{ $portfolio }`: every row was read and none has this id

## Rejected rows (E5xx)

row-duplicate-key = this loan id was already used by an earlier row; the earlier row is kept
row-undecided = internal error: the loan was read but not decided; please report it
row-not-record = this row is not a record of named fields
row-unreadable-line = this line could not be read
row-field-twice = this field is given twice in the record; keep one
row-no-id = the loan has no id
row-expected-single = expected a single value ({ $kind }), found a list or record
row-required-missing = this field is required but missing
row-required-empty = this field is required but empty
row-expected-bool = expected `true` or `false`
row-expected-integer = expected a whole number
row-expected-time = expected a time of day written HH:MM or HH:MM:SS, such as 21:30
row-expected-choice = expected one of { $choices }
row-expected-choice-hint = expected one of { $choices } (did you mean `{ $hint }`?)
row-expected-list = expected a list
row-not-a-day = `{ $text }` is not a day of the calendar
row-date-alone = expected a calendar date alone, without a time or time zone, such as { $date }
row-date-spelled = expected a date written YYYY-MM-DD, here { $spelled }
row-expected-date = expected a calendar date written YYYY-MM-DD
row-money-places = an amount has at most two decimal places
row-money-separators = expected an amount without thousands separators, such as 1250000.00
row-money-digits = an amount has at most 28 digits
row-expected-money = expected an amount, such as 125000.50
row-expected-array = expected a list, written as a JSON array such as [{ "{" }"on": "2026-01-05", "channel": "phone"{ "}" }]
row-list-not-record = expected a list, found a single record
row-expected-record = expected a record with named fields

## `arrears fmt`

fmt-formatted = formatted { $path }
fmt-not-formatted = not formatted `{ $path }`: { $summary }
fmt-would-reformat = { $count } of { $total } files would be reformatted

## `arrears test`: a case that is itself wrong

case-hint = { " (did you mean `" }{ $name }`?)
case-default-not-record = the default loan `{ $name }` is not a record: { $error }
case-no-default = no default loan named `{ $name }`{ $hint }
case-loan-not-record = `loan` is not a record: { $error }
case-no-as-of = no `as_of`: give one for the case or for the whole file
case-bad-as-of = `as_of: { $date }` is not a date written YYYY-MM-DD
case-unknown-field = the loan has a field `{ $field }` the schema does not declare{ $hint }
case-loan-invalid = the loan is not valid: { $reason }
case-loan-invalid-field = the loan is not valid: field `{ $field }`: { $reason }
case-loan-invalid-value = the loan is not valid: value `{ $value }`: { $reason }
case-loan-invalid-field-value = the loan is not valid: field `{ $field }` value `{ $value }`: { $reason }
case-unknown-name = `{ $name }` is not { $what }{ $hint }
case-list-of-names-at = `{ $what }.{ $key }` must be a list of names
case-list-of-names = `{ $what }` must be a list of names
case-include-exclude = `{ $what }` takes `include` and `exclude`, not `{ $other }`
case-one-outcome = `{ $what }` expects one outcome, such as `{ $example }`
case-an-outcome-of = an outcome of `{ $what }`
case-unreadable = `{ $what }` could not be read
case-a-declared-action = a declared action
case-vetoed-list = `vetoed` is a list: `[phone_reminder]` or `[{ "{" }action: phone_reminder, guard: G1{ "}" }]`
case-vetoed-action = each vetoed entry names its `action`
case-vetoed-names = `vetoed` lists action names
case-fired-list = `fired` is a list of rule and guard names
case-a-rule-or-guard = a rule or guard of the policy
case-cannot-expect = cannot expect `{ $other }`{ $hint }: expectations are { $keys }

## `--help` (the English is the code's own documentation; a test holds the two together)

help-arrears = A declarative policy engine for bank loan collections: check, run and explain collections policies over loan portfolios
help-arrears--error-format = How to print problems found in policies. `check` writes `json` and `github` to standard output (for `| jq` and for GitHub, which reads workflow commands there); every other verb, whose standard output carries its results, writes them to standard error
help-arrears--lang = The language to speak to people in: explanations, reports, test results, impact tables. Without it, the one `LC_ALL`, `LC_MESSAGES` or `LANG` names; failing that, Chinese for a policy written with Chinese names and English otherwise. Machine formats (JSON, JUnit, records) keep their English keys in every language
help-check = Check policies (and schema files) for every error, without running them
help-check--paths = Policy files (`.policy`) or schema files (`.schema`)
help-check--deny = `--deny warnings`: treat warnings (analysis findings among them) as errors
help-check--witnesses = Write the loan that shows each finding (an unreachable rule, a gap, an overlap) into this folder, whole, as the finding's help names it: ready for `arrears explain`
help-run = Decide every loan of a portfolio and write one record per loan
help-run--policy = The policy file
help-run--portfolio = The portfolio: `.jsonl`, `.csv` or `.yaml`
help-run--as-of = The evaluation date, YYYY-MM-DD. Required: arrears never reads the clock
help-run--input-format = The portfolio's format, when its extension does not say
help-run--format = The format of the decision records
help-run--output = Write the records here instead of standard output
help-run--rejects = Write rejected rows here (JSON Lines). Default: beside `--output` as `NAME.rejects.jsonl`, or to standard error when writing to standard output
help-run--borrowers = For a policy that reads a borrower's loans together: how the book holds them. `sorted` streams it once (and stops at a borrower out of place); `unsorted` spills the loans to a temporary folder (`TMPDIR`) and reads the book twice
help-run--threads = Worker threads (default: all cores). The output never depends on it
help-run--trace = Add each loan's trace: every rule tried and every value read
help-run--manifest = Write the run manifest here (policy, schema, portfolio and outputs with their SHA-256, the as-of date and the counts). Default: beside `--output` as `NAME.manifest.json`
help-run--redact = Leave free text (borrower names, addresses: every `text` field but the loan id) out of traces and rejected rows; choices, amounts and dates stay, so traces still explain
help-run--bom = Start CSV output with a byte-order mark, so spreadsheets on Windows read Chinese text as UTF-8
help-run--deadlines = List the coming deadlines (the policy's `deadline` values within `--within` days of `--as-of`, or already past) in this CSV file, soonest first
help-run--within = How many days ahead `--deadlines` looks
help-run--strict = Exit with 1 when any row was rejected
help-run--quiet = No progress bar
help-report = Summarise what the policy would do: loans and principal per action, bucket, class, arm
help-report--borrowers = For a policy that reads a borrower's loans together: how the book holds them. `sorted` streams it once (and stops at a borrower out of place); `unsorted` spills the loans to a temporary folder (`TMPDIR`) and reads the book twice
help-report--policy = The policy file
help-report--portfolio = The portfolio: `.jsonl`, `.csv` or `.yaml`
help-report--as-of = The evaluation date, YYYY-MM-DD. Required: arrears never reads the clock
help-report--input-format = The portfolio's format, when its extension does not say
help-report--format = How to print the report
help-report--html = Also write the report as one self-contained HTML file with charts
help-report--buckets = Upper edges of the overdue buckets after `current`, in days
help-report--overdue = The policy's value counting days overdue
help-report--classification = The decision that classifies loans (for the NPL ratio)
help-report--amount = The money field to total
help-report--currency = The text field holding each loan's currency
help-report--previous = An earlier snapshot of the same loans: adds the roll rates from it to this one (the bucket matrix, cures and roll-forwards per bucket, per action and per experiment arm the policy gave at that date)
help-report--previous-as-of = The date of `--previous`: its loans are decided as of then
help-report--quiet = No progress bar
help-explain = Show, for a person to read, why one loan got its outcome
help-explain--policy = The policy file
help-explain--portfolio = The portfolio: `.jsonl`, `.csv` or `.yaml`
help-explain--as-of = The evaluation date, YYYY-MM-DD. Required: arrears never reads the clock
help-explain--input-format = The portfolio's format, when its extension does not say
help-explain--loan = The loan's id
help-explain--format = Text for people, or JSON
help-fmt = Rewrite policies and schemas in the canonical layout (`--check`: only report)
help-fmt--paths = Files, or folders to search for `.policy` and `.schema` files
help-fmt--check = Change nothing: print a diff of each file that is not formatted, and exit 1 if any
help-diff = Show which loans a policy change moves, and how much money is involved
help-diff--old = The policy before the change
help-diff--new = The policy after the change
help-diff--portfolio = The portfolio to compare them on
help-diff--as-of = The evaluation date, YYYY-MM-DD
help-diff--input-format = The portfolio's format, when its extension does not say
help-diff--format = How to report
help-diff--fail-on-change = Exit with 1 when any loan's outcome changes
help-diff--amount = The money field to total
help-diff--currency = The text field holding each loan's currency (amounts are totalled per currency)
help-diff--limit = How many changed loans the Markdown report lists
help-test = Run policies' own test cases (`*.tests.yaml`) and report coverage
help-test--paths = Test files (`*.tests.yaml`) or folders to search for them
help-test--format = How to report
help-test--min-coverage = Fail when a policy's rule and guard coverage is below this percentage
help-test--mutants = Also run each policy's tests against small changes to it (a threshold moved by one, `>` for `>=`, a rule removed …) and report the changes no test notices, each with a test case that would
help-test--min-score = With `--mutants`: fail when a policy's mutation score is below this percentage
help-explain-code = Say what a diagnostic code (`E201`, `unknown-name`) means and how to fix it; with no code, list them all
help-explain-code--code = The code's id or name
help-usage = { "Usage: " }
help-arguments = Arguments
help-options = Options
help-commands = Commands
help-help = Print help
help-version = Print version
help-lsp = Serve editors: a language server over standard input and output (LSP)
help-serve = Serve the workbench page and the decision API over HTTP: `POST /v1/decide`, `GET /v1/policy`, `GET /healthz`
help-serve--policy = The policy to serve
help-serve--bind = Where to listen. An address other than loopback needs `--token`
help-serve--token = The bearer token every `/v1/` request must carry (`Authorization: Bearer TOKEN`)
help-serve--max-body-mb = The largest request body accepted, in megabytes; a larger one is refused with 413
help-serve--portfolio = The sample book the workbench's dry run, explanations and impact read
help-serve--as-of = The evaluation date the workbench starts with (YYYY-MM-DD)

## The language server (`arrears lsp`): hovers, completions, renames and fixes.
lsp-field = field `{ $name }`
lsp-record-field = field `{ $name }` of each `{ $list }` record
lsp-choice = choice `{ $name }` of `{ $field }`
lsp-value = derived value `{ $name }`
lsp-decision = decision `{ $name }`
lsp-outcome = outcome `{ $name }` of decision `{ $decision }`
lsp-rule = rule `{ $name }`
lsp-guard = guard `{ $name }`
lsp-action = action `{ $name }`
lsp-kind = kind `{ $name }`
lsp-other-name = other name `{ $name }`
lsp-type = type: { $type }
lsp-basis = basis: { $basis }
lsp-in-decision = in `{ $decision }`
lsp-in-kinds = in kinds { $kinds }
lsp-forbidden-by = forbidden by guards { $guards }
lsp-given-by = given by rules { $rules }
lsp-keyword = keyword
lsp-as-of = the evaluation date (`--as-of`)
lsp-rename-data = `{ $name }` is named by the loan data itself (a column or a value in every portfolio), so renaming it in the policy alone would break every book read with it: rename it in the schema and the data together
lsp-rename-invalid = `{ $name }` cannot be a name: a name is letters (Chinese too), digits and `_`, does not start with a digit, and is not a keyword
lsp-rename-nothing = there is no declared name here to rename
lsp-rename-taken = `{ $name }` is already declared: renaming to it would make two things one
lsp-fix-replace = replace with `{ $name }`
lsp-fix-presence = test that `{ $name }` is present first
lsp-fix-declare = declare the action `{ $name }`
lsp-analysis-on-save = this policy is large: its analysis (unreachable rules, gaps, overlaps) runs when it is saved, not as it is opened or typed

# capacity statements (E216)
capacity-zero = a capacity of 0 for `{ $name }` would queue every loan that gets it
capacity-zero-help = give the number of loans a group can take a day, or stop the rules giving `{ $name }`
capacity-twice = `{ $action }` is already limited by the capacity for `{ $other }`
capacity-twice-other = limited here first
capacity-twice-help = an action can be limited by one capacity only: keep one of the two, or limit a kind that holds both
capacity-fallback-kind = the fallback `{ $name }` is a kind, but a queued loan gets one action instead
capacity-fallback-kind-help = name one action after `else`
capacity-fallback-limited = the fallback `{ $name }` is limited by the capacity for `{ $other }`, so a loan queued for one would wait in another queue
capacity-fallback-limited-help = fall back on an action no capacity limits, or write no `else`
capacity-reads-what = `{ $name }` is not a field or value of the loan, so it cannot group or order loans
capacity-reads-what-help = name a field of the loan or a value the policy derives with `let`
capacity-group-type = `{ $name }` is { $what }, which cannot group loans for a capacity
capacity-group-type-help = group by text, a choice, a whole number, yes/no or a date (`per region`)
capacity-priority-type = `{ $name }` is { $what }, which cannot order loans
capacity-priority-type-help = order by an amount, a number, days, a date, a time or yes/no (`priority by principal_outstanding desc`)

# report: capacities
report-capacity = capacity for { $name }: { $limit } a day { $group }, { $order }; { $fallback }
report-capacity-per = per { $group }
report-capacity-book = for the whole book
report-capacity-order = in order of { $order }, ties by key
report-capacity-by-key = in order of key
report-capacity-fallback = loans queued get { $action } instead
report-capacity-no-fallback = loans queued get nothing instead
report-capacity-no-group = (no value)
report-capacity-all = (all loans)
report-capacity-group = group
report-capacity-limit = limit
report-capacity-demand = claimed
report-capacity-taken = taken
report-capacity-queued = queued
report-capacity-instead = given instead
report-capacity-queued-amount = queued amount
report-capacity-unclaimed = no loan claimed it
report-capacity-bar = { $taken } taken, { $queued } queued
report-html-capacities = Capacity and queues

# report: roll rates
roll-title = roll rates from { $date } ({ $before } then, { $after } now)
roll-from-to = from \ to
roll-total = total
roll-new = new
roll-closed = closed
roll-loans = loans
roll-cured = cured
roll-improved = improved
roll-stayed = stayed
roll-rolled-forward = rolled forward
roll-per-bucket = what became of each bucket
roll-per-action = what became of the loans per action given on { $date }
roll-per-arm = what became of the loans per arm of { $name }

# explain: capacities
explain-capacity-rank = capacity for { $capacity }: this loan is number { $rank } of the { $demand } { $group } that claim it, { $order }; { $limit } a day
explain-capacity-group = loans with { $by } { $group }
explain-capacity-no-group = loans without { $by }
explain-capacity-book = loans of the book
explain-capacity-order = in order of { $order }, ties by key
explain-capacity-by-key = in order of key
explain-capacity-taken = within the limit: it keeps its actions
explain-capacity-queued = past the limit: { $actions } queued, place { $place } in the queue; { $instead }
explain-capacity-instead = it gets { $action } instead
explain-capacity-already = it already has { $action }, the fallback
explain-capacity-nothing-instead = nothing instead
explain-capacity-forbidden = the fallback { $action } is forbidden by { $guard }
