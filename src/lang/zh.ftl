# 中文消息目录：与 `en.ftl` 的消息一一对应，参数相同；`cargo test` 检查二者一致。
# 术语以 `GLOSSARY.md` 为准，一个概念只用一个词。
# Fluent 会去掉值首尾的空格；需要保留时写成带引号的字面量 { " " }。

## 列表与计数

list-separator = 、
none = 无
loans = { $count ->
   *[other] { $shown } 笔
}

## 条件的要求（`explain`、测试失败）

needs-one-of = 属于 { $items }{ $rest }
needs-none-of = 不属于 { $items }{ $rest }
needs-in-all = { " …（共 " }{ $total } 项）
needs-present = 有值
needs-missing = 缺失
needs-true = 是
needs-false = 否

## `arrears explain`

explain-header = 贷款 { $key }，评估日 { $date }，适用政策 { $policy }
explain-policy = 政策
explain-borrower = 该借款人已读取的贷款（{ $count } 笔）：{ $loans }
explain-by-loan = 逐笔：{ $parts }
explain-per-borrower = 按借款人一户一次决策，随贷款 { $loan } 作出（其说明列出各条规则）
explain-derived = 派生值
explain-from = 依据 { $reads }
explain-reads-nothing = （未读取任何字段）
explain-decision = 决策 { $name }（{ $hit }）→ { $outcome }
hit-first = 首条命中
hit-unique = 唯一命中
hit-every = 全部命中
explain-matched = 命中 → { $outcome }
explain-matched-nothing = 命中 → 不采取措施
explain-not-matched = 未命中
explain-otherwise = 其他情形：其余规则均未命中
explain-otherwise-reads = 其他情形：其余规则均未命中；{ $reads }
explain-test = { $mark } { $had }，要求 { $needs }
explain-test-unnamed = { $mark } { $test }：{ $value }，要求 { $needs }
explain-is-missing = { $name } 缺失
explain-item = { $name }{ $label }：{ $verdict }
explain-guards = 守则
explain-applies = 适用
explain-does-not-apply = 不适用
explain-per = 依据 { $basis }
explain-actions = 措施：{ $list }
explain-vetoed = 被否决：{ $list }
explain-vetoed-by = { $action }（由 { $guard } 否决{ $why }）
explain-vetoed-why = ：{ $reason }

## 决策结果

outcome-no-rule = 无规则命中
outcome-nothing = 不采取措施

## 逾期段（JSON 与 CSV 中仍用英文标签）

bucket-current = 未逾期
bucket-named = { $name }（{ $range }天）
bucket-named-over = { $name }（{ $days }天以上）
bucket-days = { $range }天
bucket-over = { $days }天以上

## `arrears report`

list-separator-strong = ；
loans-unit = { $count ->
   *[other] 笔
}
report-borrowers = 已决策的 { $loans } 属于 { $borrowers }
report-borrower-decision = 决策 { $decision }（按借款人一户一次）：各结果的借款人数
borrowers-count = { $count ->
   *[other] { $shown } 户借款人
}
report-title = 试运行：政策 { $policy }，贷款数据 { $portfolio }，评估日 { $date }
report-reconciliation = 读取 { $read } 笔 = 已决策 { $decided } 笔 + 拒收 { $rejected } 笔；本金 { $principal }，{ $verdict }
report-reconciled = 各表均已勾稽一致
report-not-reconciled = 勾稽不一致：请报告此问题
report-share = 本金的 { $percent }%
report-share-of = { $currency }本金的 { $percent }%
report-overdue = 逾期：{ $loans }，{ $principal }（{ $share }）
report-non-performing = 不良：{ $loans }，{ $principal }（不良率：{ $share }）
report-per-action-long = 按措施统计（一笔贷款有多项措施时分别计入）
report-per-primary-action-long = 按主要措施统计（取第一项措施，每笔贷款只计一次）
report-per-decision-long = 按 { $decision } 统计
report-per-bucket-long = 按逾期段统计
report-bucket-action = 逾期段 × 主要措施
report-row = { $key }：{ $cells }
report-vetoed-by = 被 { $guard } 否决
report-vetoed-none = 被否决：无
report-experiment = 实验 { $name }
report-arm = { $name } = { $arm }：{ $loans }，{ $principal }
report-rejected = 拒收的行
report-example = 例：{ $reason }
report-no-action = （无措施）
report-column-loans = 笔数
report-column-amount = 金额
report-heat-map-label = 逾期段与措施交叉分布
report-arms-chart = { $name }：各组贷款按主要措施的占比
report-arms-label = 实验 { $name } 的各组
report-html-title = arrears 试运行报告
report-html-heading = 试运行：{ $policy }
report-html-subheading = 贷款数据 { $portfolio }，评估日 { $date }
report-html-overdue = 逾期：{ $loans } 笔（{ $share }）。
report-html-npl = 不良率：{ $share }。
report-html-action-mix = 措施分布
report-per-primary-action-chart = 按主要措施统计的贷款笔数
report-html-bucket-action = 逾期段 × 主要措施
report-html-experiments = 实验
report-html-tables = 明细表
report-per-primary-action = 按主要措施
report-per-action = 按措施（一笔贷款有多项措施时分别计入）
report-per-bucket = 按逾期段
report-per-decision = 按 { $decision }
report-rejected-per-code = 按错误代码统计的拒收行

## `arrears diff`

diff-title = 政策变更影响：{ $new }（原为 { $old }），贷款数据 { $portfolio }，评估日 { $date }
diff-changed = { $compared } 笔中有 { $changed } 笔结果改变，涉及 { $changed_amount }（共 { $compared_amount }）
diff-loan = { $loan }（{ $amount }）
diff-decision = { $decision }：{ $before } → { $after }
diff-actions = 措施：{ $list }
diff-transitions = { $name } 的变化
diff-actions-matrix = 措施
diff-transition = { $before } → { $after }：{ $loans } 笔，{ $amount }
diff-totals = 读取 { $read } 笔 = 比较 { $compared } 笔 + 拒收 { $rejected } 笔；比较的贷款中 { $unchanged } 笔不变，{ $changed } 笔改变
diff-md-title = ### 政策变更影响：`{ $new }`
diff-md-summary = 与 `{ $old }` 相比，贷款数据 `{ $portfolio }`，评估日 { $date }：**{ $compared } 笔中有 { $changed } 笔结果改变**，涉及 { $changed_amount }（共 { $compared_amount }）。
diff-md-matrix-header = | 变更前 | 变更后 | 笔数 | 金额 |
diff-md-changed-loans = 结果改变的贷款
diff-md-loans-header = | 贷款 | 金额 | 变化 | 措施 |
diff-md-more = … 另有 { $count } 笔（`--format json` 列出全部）。

## `arrears test`

test-file = { $file }（政策 { $policy }）
test-file-error = 错误：{ $error }
test-ok = 通过
test-fail = 失败
test-invalid = 无效
test-expected = 预期
test-actual = 实际
test-why = 原因：
test-coverage = { $policy } 的覆盖率：{ $total } 条规则和守则中覆盖 { $covered } 条（{ $percent }）
test-never-fired = 从未命中的规则（守则为从未否决）：{ $list }
test-totals = 通过 { $passed }，失败 { $failed }，无效 { $invalid }

## 诊断信息：每条消息的外框

diag-help = 帮助：{ $help }
diag-github-help = 帮助：{ $help }
diag-summary = { $errors } 个错误，{ $warnings } 个警告

## `arrears check`

check-clean = 已检查 { $files } 个文件：没有问题
check-summary = 已检查 { $files } 个文件：{ $summary }
check-witnesses = 已将 { $count } 笔见证贷款写入 `{ $dir }`

## 诊断信息：名称与取值（E2xx）

did-you-mean = 是否想写 `{ $name }`？
e201-message = 未知名称 `{ $name }`
e201-label = 不是字段、派生值或决策
e201-is-a-choice = `{ $name }` 是某个字段的选项：应将字段与它比较，例如 `字段 = { $name }`
e201-declare-it = 请用 `let` 定义它，或在数据结构（schema）中增加该字段
e202-not-a-choice = `{ $name }` 不是可选值之一
e202-choices-are = 可选值为：{ $choices }
e202-not-an-outcome = `{ $name }` 不是决策 `{ $decision }` 的结果
e202-outcomes-are = 决策 `{ $decision }` 的结果为以下之一：{ $outcomes }
e204-message = `{ $name }` 可能缺失，此处读取前未作检查
e204-read-here = 在此读取
e204-help = 请先检查：`{ $name } is present and ...`，或 `{ $name } is missing or ...`
e204-unnamed-message = 此值可能缺失（例如空列表的最近日期），此处读取前未作检查
e204-may-be-missing = 可能缺失
e204-unnamed-help = 请先用 `let` 为它命名，再在比较前用 `is present` 检查
e201-records-have = 其记录的字段为：{ $fields }
e201-no-record-field = `{ $list }` 的记录没有字段 `{ $field }`
e208-functions-are = 可用的函数为 { $functions }
e208-unknown-function = 未知函数 `{ $name }`
e212-message = `{ $name }` 不是已声明的措施或措施类别
e212-help = 请在 `actions` 行中声明它，或声明为 `kind`
e206-not-an-action = `{ $name }` 不是已声明的措施
e206-not-a-value = `{ $name }` 不是决策 `{ $decision }` 的取值之一
e206-declare = 请先声明：`actions { $name }`
e206-values-are = 可用的取值为：{ $values }

## 诊断信息：类型（E203、E205、E207）

type-value = 值
type-yes-no = 是/否值
type-whole-number = 整数
type-money = 金额
type-days = 天数
type-date = 日期
type-time = 时刻
type-text = 文本
type-choice-of = 选项（{ $choices }）
type-choice = 选项
type-list-of = 列表（`{ $field }`）
type-list = 列表
type-outcome-of = 决策 `{ $decision }` 的结果
type-outcome = 决策结果
type-nothing = `nothing`（不采取措施）
e203-not-ordered = `{ $op }` 只能比较数字、金额、天数和日期的大小，不能用于{ $what }
e203-not-ordered-help = 请用 `=` 或 `!=`；多个选项用 `in [...]`
e203-list = 列表不能直接比较
e203-list-help = 请改为统计记录条数：`count(list where ...) > 0`
e203-cannot-add = 不能将{ $left }与{ $right }相加
e203-cannot-subtract = 不能从{ $left }中减去{ $right }
e203-cannot-compare = 不能将{ $left }与{ $right }比较
e203-this-is = 这是{ $what }
e203-help-days-unit = 天数须带单位：`评估日 - 30天`
e203-help-counts-days = 次数与天数不是一回事；天数请与天数比较（`30天`）
e203-help-money-dates = 金额与金额比较，日期与日期比较
e203-help-like-with-like = 同类才能比较：金额对金额，天数对天数，日期对日期
e205-message = `{ $number }` 在此需要单位：它在与天数比较
e205-help = 请写成 `{ $number }天`
e207-message = 此处需要一个是/否条件，实际是{ $what }
e207-help = 请与某个值比较，例如 `逾期天数 > 30天`
e203-missing-else = `missing` 只能用作 `if` 的 `else` 分支
e203-missing-else-help = 请写成 `if 条件 then 值 else missing`；要检查值是否缺失，请写 `x is missing`
e203-not-negative = { $what }不能取负
e203-presence = 只有字段或已命名的值才能检查是否有值
e203-presence-help = 请检查字段，例如 `抵押物价值 is present`
e203-add-to = 不能把{ $right }加到{ $left }上
e203-subtract-from = 不能从{ $left }中减去{ $right }
e203-arithmetic-help = 日期按天数加减（`评估日 - 90天`），两个日期相减得天数，金额与金额相加
e203-needs-here = `{ $function }` 此处需要{ $expected }，而不是{ $what }
collects-several = `{ $name }` 会汇集多个结果，不能与单个结果比较
collects-several-help = 条件中只能读取 `first match`（首条命中）的决策

## 诊断信息：函数（E208）

e208-whole-list = `{ $list }.{ $field }` 是一整列值
e208-whole-list-help = 请放在 `min(...)`、`max(...)` 或 `sum(...)` 中使用，例如 `max({ $list }.{ $field })`
e208-fold-example = 请写成 `{ $function }(联系记录.联系日期)` 或 `{ $function }(还款承诺.承诺金额 where 已兑现)`
e208-fold-takes-field = `{ $function }` 的参数是列表的字段，写作 `列表.字段`
e208-fold-takes-one = `{ $function }` 只接受一个列表字段
e208-fold-cannot = `{ $function }` 不能作用于{ $what }
e208-fold-cannot-help = min 和 max 接受数字、金额、天数或日期；sum 接受数字、金额或天数
e215-whole = `{ $path }` 代表该借款人名下的全部贷款，不能单独读取
e215-whole-help = 请对这些贷款计数、求和或判断：`count(借款人.贷款 where 逾期天数 > 30天)`、`sum(借款人.本金余额)`、`any(借款人.贷款 where 还款意愿 = 拒绝)`、`count(借款人.联系记录 where 联系日期 > 评估日 - 7天)`
e215-no-borrower = 数据结构 `{ $schema }` 没有说明哪个字段标识贷款的借款人
e215-no-borrower-help = 在数据结构的 `schema … keyed by …` 一行末尾加上 `, borrowers by 字段`，指明同一借款人名下每笔贷款都相同的字段（如 `borrowers by borrower_id`）
e215-one-argument = 对借款人名下贷款的 `{ $function }` 只接受一个参数，可带 `where`
e215-not-a-list = `{ $name }` 不是列表字段，`{ $path }` 无所指
e215-count-what = `{ $function }({ $path })` 需要可逐一查看的贷款或记录：`借款人.贷款`，或列表字段如 `借款人.联系记录`
e215-fold-what = `{ $function }({ $path })` 需要每笔贷款的一个值，如 `借款人.本金余额`，或每条记录的一个值，如 `借款人.还款承诺.承诺金额`
e215-inner-borrower = 借款人名下贷款的汇总值逐笔读取每笔贷款，但 `{ $name }` 又读取了该借款人的全部贷款
e215-inner-decision = 借款人名下贷款的汇总值逐笔读取每笔贷款，在任何决策之前计算，但它读取了决策 `{ $name }`
e215-inner-help = 其中只能读取每笔贷款自己的字段和数值；汇总值不能读取另一个汇总值或决策
e215-per-borrower-reads = 决策 `{ $decision }` 按借款人一户一次作出，但规则 `{ $rule }` 读取了 `{ $name }`，而该借款人的每笔贷款各有其值
e215-per-borrower-reads-help = 请对借款人的全部贷款读取（`max(借款人.{ $name })`、`any(借款人.贷款 where …)`），或去掉 `per borrower`，按贷款逐笔决策
e208-fold-missing = `{ $list }.{ $field }` 在部分记录中可能缺失
e208-fold-missing-help = 请先排除缺失的记录：`where 字段 is present`
e208-bucket-help = 请写成 `bucket("实验名称", 贷款编号)`：得到该贷款的分组号，0 至 99
e208-bucket-arguments = `bucket` 的参数是带引号的实验名称和贷款的编号
e208-bucket-key = `bucket` 需要文本编号，例如 `贷款编号`
e208-dates-not-list = `{ $function }` 的参数是日期，不能是带 `where` 的列表
e208-dates-not-list-help = 请写成 `weekday(评估日)`、`add_months(到期日, 36)` 或 `latest(a, b)`
e208-arguments = `{ $function }` 收到了 { $count } 个参数
e208-not-a-list = 此处需要列表字段，实际是{ $what }
e208-not-a-list-help = count、min、max 和 sum 作用于列表字段，例如 `还款承诺` 或 `联系记录`
usage-weekday = `weekday(评估日)` 返回星期几：1 为星期一，7 为星期日
usage-add-months = `add_months(到期日, 36)` 返回 36 个月后的同一天
usage-latest = `latest(a, b, ...)` 返回有值日期中最晚的一个
usage-earliest = `earliest(a, b, ...)` 返回有值日期中最早的一个
e208-count-one-list = `count` 只接受一个列表
e208-count-help = 请写成 `count(还款承诺 where not 已兑现)`

## 诊断信息：声明与决策

no-schema = 政策没有说明它读取哪个贷款数据结构（schema）
no-schema-help = 请在开头加上 `use schema "loan-v1.schema"`，或声明一个 `schema` 块
duplicate-message = `{ $name }` 被重复声明
duplicate-again-here = 在此再次声明
duplicate-first-here = 首次声明于此
duplicate-as-of = `as_of`（评估日）是保留名称，不能重新定义
duplicate-value = 该名称已是字段、派生值或决策
duplicate-rule = 规则与守则的名称在政策中必须唯一
duplicate-action = 每项措施只声明一次
duplicate-kind = 措施类别不能与措施或其他类别同名
open-kind = 措施类别 `{ $kind }` 未加定义：政策没有说明它包含哪些措施
open-kind-label = 在此声明时未列出措施
open-kind-help = 请在政策中加上 `kind { $kind }: 措施, ...`；若没有此类措施，写 `kind { $kind }: nothing`
deadline-not-date = 期限 `{ $name }` 是{ $what }，不是日期
deadline-not-date-help = 期限是某事必须完成的日期；若要数字，请用 `let`
let-cycle = `{ $name }` 的定义引用了它自己
let-cycle-help = 派生值可以引用其他派生值，但不能经由它们引用自己
too-deep-chain = `{ $name }` 所在的派生值链超过 { $most } 层，每层都建立在上一层之上
too-deep-nesting = `{ $name }` 展开所引用的派生值后嵌套 { $depth } 层；最多 { $most } 层
too-deep-help = 请更直接地由字段计算，减少层级
listed-twice = `{ $name }` 被重复列出
no-rules = 决策 `{ $name }` 没有规则
no-rules-help = 请在其下添加 `rule 名称 when 条件 then 结果` 行
after-otherwise = 规则 `{ $rule }` 永远不会命中：它之前的 `{ $otherwise }` 匹配所有贷款
after-otherwise-never = 永远不会执行到
after-otherwise-every = 此规则匹配所有贷款
after-otherwise-help = 请把 `otherwise` 规则移到决策的最后
condition-not-yes-no = 此条件是{ $what }，不是是/否判断
condition-not-yes-no-help = 请与某个值比较，例如 `逾期天数 > 30天` 或 `还款意愿 = 愿意`
unused-kind = 措施类别 `{ $name }` 从未被使用
unused-defined-here = 定义于此
unused-kind-help = 请在守则的 `forbid` 中引用它，或删除它
internal-unchecked = 内部错误：有派生值未经检查
decision-cycle = 决策之间循环引用：{ $circle }
decision-cycle-help = 决策只能读取排在它之前的决策，不能读取反过来读取它的决策
decision-cycle-label = 此决策最终读取了它自己

## 诊断信息：政策的结构（E1xx）

too-long-chain = 此语句串联的 `and`、`or`、`+` 或 `-` 过多
too-long-chain-help = 最多 { $most } 个；请用 `let` 为其中的部分命名
too-deep-brackets = 此语句的括号或 `if` 嵌套过深
too-deep-brackets-help = 最多 { $most } 层；请用 `let` 为条件的部分命名
field-out-of-place = 此 `field` 不在数据结构（schema）之内
field-out-of-place-help = 请把 `field` 行直接放在 `schema ... keyed by ...` 行之下
rule-out-of-place = 此 `rule` 不在任何决策之内
rule-out-of-place-help = 请把 `rule` 行直接放在所属的 `decision ...` 行之下
table-out-of-place = 此 `table` 不在任何决策之内
row-out-of-place = 此表格行不在任何决策之内
table-out-of-place-help = 请把 `table` 直接放在 `decision ...` 行之下，`|` 行放在 `table` 之下
one-table = 一个决策只能有一张表
one-table-help = 请把所有行放在同一张表中，或拆分该决策
row-without-table = 此表格行上方没有 `table`
row-without-table-help = 请在表头行之上写 `table`（或 `table when 条件`）
table-heading = 表头需要一列行名、至少一列输入和一列结果
table-heading-help = 例如 `| 格 | 经营状况 | 还款意愿 | 策略 |`
row-cells = 此行有 { $cells } 个单元格，但表头有 { $heading } 列
row-cells-help = 每行在每个表头下都要有一个单元格；“任意值”写 `-`
row-name = 每行以行名开头
row-name-help = 像规则一样为每行命名：`| M1 | ...`
row-outcome = 每行以它给出的结果结尾：措施、取值或 `nothing`
expected-statement = 此处应是一条语句
expected-statement-label = 这不属于任何语句
expected-statement-help = 每条语句另起一行，以下列关键字之一开头：{ $keywords }

## 诊断信息：语法（E101、E102）

alternatives = { $init } 或 { $last }
expect-something-else = 其他内容
expect-name = 名称
expect-value-or-condition = 值或条件
expect-value = 值
expect-and-or = `and` / `or`
expect-comparison = 比较符（`=`、`!=`、`<`、`<=`、`>`、`>=`）
expect-plus-minus = `+` 或 `-`
expect-not = `not`
expect-is-present = `is present` / `is missing`
expect-in = `in [...]`
expect-quoted = 带引号的文本
expect-type = 类型（`text`、`bool`、`integer`、`money`、`date`、`days`、`one of ...`、`list of {"{"}...{"}"}`）
expect-optional = `optional`
expect-hit-policy = `first match`、`unique match` 或 `every match`
expect-gives = `gives action` 或 `gives one of ...`
expect-outcome = 措施、取值或 `nothing`
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
expect-true-false = `true` 或 `false`
expect-action = 措施名称
expect-record-field = 记录字段（`名称: 类型`）
expect-list = 方括号中的列表，例如 `[sme, card]`
expect-end = 语句结尾
reserved-word = `{ $word }` 是保留字，不能用作名称
reserved-word-label = 保留字
reserved-word-help = 请换一个名称，例如 `{ $word }_1`；保留字有：{ $reserved }
expected-but-ends = 此处应是 { $expected }，但语句已结束
expected-found = 此处应是 { $expected }，实际是 `{ $found }`
syntax-here = 此处
hint-and = 请写 `and`，而不是 `&&`
hint-or = 请写 `or`，而不是 `||`
hint-not = 请写 `not`，而不是 `!`
hint-quotes = 文本请用英文双引号括起："像这样"
hint-rule-shape = 规则写作 `rule 名称 when 条件 then 结果`，或 `rule 名称 otherwise then 结果`
too-many-nots = 连续的 `not` 或负号过多
too-many-nots-help = 两个 `not` 相互抵消：请成对删除
one-dot = 名称中只能有一个 `.`
one-dot-help = `列表.字段` 取列表中各记录的字段，例如 `max(联系记录.联系日期)`
bad-date = `{ $text }` 不是有效的日历日期
bad-date-help = 日期写作 YYYY-MM-DD，且必须真实存在，例如闰年的 2024-02-29
bad-time = `{ $text }` 不是有效的时刻
bad-time-help = 时刻按 24 小时制写作 HH:MM 或 HH:MM:SS，从 00:00 到 23:59:59
too-many-days = `{ $number }` 天超出了可计数的范围
too-many-days-help = 天数最多为 1,000,000 天
too-large = 数字 `{ $text }` 过大
too-large-help = 整数最大为 9,223,372,036,854,775,807，金额最多 28 位数字
internal-reading = 读取政策时发生内部错误：{ $what }

## 诊断信息：数据结构（schema）

schema-no-fields = 数据结构 `{ $name }` 没有声明任何字段
schema-no-fields-help = 请在其下添加 `field 名称: 类型` 行
schema-key-unknown = 主键 `{ $key }` 不是该数据结构的字段
schema-key-text = 主键 `{ $key }` 必须是始终有值的文本字段
schema-key-text-help = 请声明为 `text`，且不加 `optional`
schema-borrower-unknown = 借款人字段 `{ $field }` 不是该数据结构的字段
schema-borrower-text = 借款人字段 `{ $field }` 必须是文本字段
schema-borrower-text-help = 请声明为 `text`（或 `optional text`：没有该字段的贷款自成一户）
field-twice = 字段名 `{ $name }` 被重复声明
field-twice-help = 每个字段及其别名在数据结构中都必须唯一
own-alias = `{ $name }` 的别名与其本名相同
own-alias-help = 请去掉括号，或在括号中写该字段的另一个名称
nested-list = 列表的记录中不能再包含列表
optional-list = 列表不能声明为 `optional`：缺失的列表即空列表
optional-list-help = 请去掉 `optional`
include-circle = `{ $path }` 又引用了引用它的政策
include-circle-help = 模块不能引用政策本身：请删除这条 `include`
include-unreadable = 无法读取 `{ $path }`：{ $error }
include-unreadable-help = 路径相对于引用它的文件所在的文件夹
include-not-module = `{ $path }` 不是模块
include-not-module-help = 政策只能引用以 `module 名称 "说明"` 开头的文件
module-other-schema = 此模块读取的数据结构是 `{ $path }`，与政策的不同
module-other-schema-help = 模块的字段必须与政策一致：请引用同一个数据结构文件
module-own-schema = `{ $path }` 声明了自己的数据结构
module-own-schema-help = 模块沿用政策的数据结构：请把数据结构放在单独的文件中并用 `use` 引用
schema-unreadable = 无法读取数据结构文件 `{ $path }`：{ $error }
schema-unreadable-help = 路径相对于政策文件所在的文件夹
schemas-many = 政策指定了不止一个数据结构
schemas-many-help = 一个政策只读取一个贷款数据结构：请只保留一个 `use schema` 或 `schema` 块
schema-second = 第二个数据结构 `{ $name }`
schema-second-help = 一个文件只能声明一个数据结构
schema-file-only = 数据结构文件中只能有数据结构
schema-file-only-help = 请把规则、决策和派生值移到政策文件中
schema-file-empty = 此数据结构文件没有声明数据结构
schema-file-empty-help = 请以 `schema 名称 keyed by 字段` 开头

## 诊断信息：静态分析的发现（W4xx）

w402-message = 规则 `{ $rule }` 永远不会命中：它匹配的每笔贷款都先被 { $listed } 处理
w402-label = 永远不会命中
w402-takes-label = 先处理了它的贷款
w402-together = { $rules } 与 { $last } 合起来
w402-more-together = { $rules } 及另外 { $more } 条规则合起来
w402-earlier-rules = 之前的规则
w402-help = 请把它移到先处理其贷款的规则之前，或删除它
w402-help-example = 请把它移到先处理其贷款的规则之前，或删除它；例如下面这笔贷款满足它的条件，却由 `{ $taken }` 决定：{ $example }
w402-help-not-minimum = { $help }。（所列规则是逐条挑选的：缺一不可，但可能有更少的其他规则也能处理它的全部贷款。）
w403-message = 规则 `{ $rule }` 永远不会命中：没有贷款满足它的条件
w403-label = 条件永远不成立
w403-help = 请检查相互矛盾的阈值，例如 `逾期天数 > 90天 and 逾期天数 < 30天`
w404-message = 决策 `{ $decision }` 对部分贷款不作决定：没有规则匹配它们
w404-label = 有贷款不被任何规则覆盖
w404-help = 满足 { $region } 的贷款没有规则匹配，例如 { $example }；请为它们增加规则，或在最后加上 `rule 名称 otherwise then ...`
w405-message = 规则 `{ $first }` 与 `{ $second }` 同时匹配部分贷款，但 `unique match` 要求每笔贷款只匹配一条规则
w405-label = 匹配
w405-label-same = 匹配相同的贷款
w405-help = 满足 { $region } 的贷款同时匹配二者；例如 { $example }。请收窄其中一条规则；若应由先后顺序决定，请改用 `first match`
w406-message = 守则 `{ $guard }` 永远不会适用：它的条件永远不成立
w406-label = 永远不适用
w406-help = 请检查条件中的取值与阈值，或删除该守则
w407-message = `{ $name }` 从未被读取
w407-help = 请在规则或守则中使用它，或删除它
w408-always-true = `{ $compared }` 恒为真：`{ $name }` { $limits }
w408-always-false = `{ $compared }` 恒为假：`{ $name }` { $limits }
w408-between = 介于 { $low } 与 { $high } 之间
w408-at-least = 至少为 { $low }
w408-at-most = 至多为 { $high }
w408-unbounded = 没有界限
w408-compared-here = 在此比较
w408-help = 请检查阈值：不可能两种结果都出现的比较不起任何作用
w409-message = 对{ $what }的分析在达到上限时停止，尚未确定：{ $named }
w409-label = 未完整分析
w409-help = 关于这些可能有发现被遗漏；其余分析是完整的。决策更小，或每条规则检查的值更少，可使每个问题都在上限之内
w409-rule = 规则 `{ $rule }` 能否命中
w409-gap = 是否有贷款不被任何规则匹配
w409-overlap = 规则 `{ $first }` 与 `{ $second }` 是否有共同的贷款
w409-guard = 它能否适用
w409-and-more = { $listed }，另有 { $more } 项
w409-decision = 决策 `{ $name }`
w409-guard-named = 守则 `{ $name }`
region-any = 任意取值
region-holds = `{ $condition }` 成立
region-fails = `{ $condition }` 不成立
region-yes = { $name } = 是
region-no = { $name } = 否
region-present = { $name } 有值
region-missing = { $name } 缺失
witness-example = { $loan }，评估日 { $date }（其余字段：否、第一个选项、空列表、可选字段均缺失）；`arrears check --witnesses 目录` 会把它完整写入 目录/{ $file }，供 `arrears explain 政策 目录/{ $file } --loan { $key } --as-of { $date }` 使用

## `arrears test --mutants`（变异测试）

mutant-rule-removed = 删除规则 `{ $name }`
mutant-swapped = 交换规则 `{ $first }` 与 `{ $second }` 的顺序
mutant-nothing = 规则 `{ $name }` 改为 `nothing`
mutant-guard-removed = 删除守则 `{ $name }`
mutant-at = { $quoted }：{ $what }
mutant-not-dropped = 去掉 `not`
mutant-neighbour = 列表中 `{ $from }` → `{ $to }`
w601-message = 没有测试能发现这一改动：{ $change }
w601-label = 改动后所有测试仍然通过
w601-help-case = 下面为它建议的测试用例（粘贴到 { $file } 的 `cases:` 下）能发现它：一笔处于边界上的贷款，预期为政策目前的决定
w601-help-none = 测试用例附近的贷款都无法区分二者；若确实没有贷款能区分，此改动在这里无害
mutants-summary = { $policy } 的变异：共 { $made } 个，发现 { $killed } 个，等价 { $equivalent } 个，未被发现 { $survived } 个；得分 { $score }
mutants-not-run = { $policy } 的变异：未运行：{ $error }
mutants-not-run-failing = 未运行变异测试：请先修复失败的测试
mutants-cases = 能发现 { $policy } 中未被发现的改动的测试用例，请粘贴到 { $file } 的 `cases:` 下：
mutants-below = { $policy } 的变异得分为 { $score }，低于要求的 { $min } %
coverage-below = { $policy } 的覆盖率为 { $coverage }，低于要求的 { $min } %

## `arrears explain-code`：每个代码的含义与通常的改法

code-e101-summary = 文本不是政策语言的语句
code-e101-fix = 对照 README.md 中的示例检查该语句；消息中说明了应是什么
code-e102-summary = `rule` 不在任何决策之内，或 `field` 不在任何数据结构之内
code-e102-fix = 把该行移到它所属的 `decision` 或 `schema` 之下
code-e103-summary = 日期、数字或天数不可能是所写的值（2026-02-30、过大的数字）
code-e103-fix = 写一个真实存在的日期或更小的数字
code-e104-summary = 表达式嵌套过深，或串联的运算符过多，超出 arrears 的上限
code-e104-fix = 把条件拆分为用 `let` 命名的派生值
code-e201-summary = 名称不是当前可用的字段、派生值、决策、措施或取值
code-e201-fix = 改正拼写（消息会提示最接近的名称），或先声明它
code-e202-summary = 取值不是所比较字段的可选值之一
code-e202-fix = 使用数据结构中列出的可选值
code-e203-summary = 比较或组合了不同种类的值（金额与日期、天数与次数）
code-e203-fix = 同类才能比较：金额对金额，天数对天数，日期对日期
code-e204-summary = 读取可能缺失的字段或值之前，没有先检查它是否有值
code-e204-fix = 请先检查：`x is present and x > ...`，或 `x is missing or ...`
code-e205-summary = 不带单位的数字与天数比较或相加
code-e205-fix = 写上单位：`30天`
code-e206-summary = 规则给出的措施或取值不是其决策所声明的
code-e206-fix = 在 `actions` 中声明该措施，或使用决策声明的取值
code-e207-summary = 条件不是是/否判断
code-e207-fix = 把值与某个值比较：`逾期天数 > 30天`
code-e208-summary = 未知的函数，或函数的参数不对
code-e208-fix = 按 README.md 所示使用 count、min、max、sum 或 bucket
code-e209-summary = 两处声明使用了同一个名称
code-e209-fix = 改名其中之一；规则名称在整个政策中必须唯一
code-e210-summary = 政策没有数据结构、有两个数据结构，或数据结构的主键不是文本字段
code-e210-fix = 加上一次 `use schema "文件.schema"` 或一个 `schema` 块
code-e211-summary = `use schema` 指定的数据结构文件无法读取
code-e211-fix = 检查路径：它相对于政策文件
code-e212-summary = 守则或措施类别引用了未声明的措施或类别
code-e212-fix = 改正拼写，或声明该措施
code-e213-summary = 无法跟随的 `include`：文件不存在、不是 `module`、引用了自身，或读取了另一个数据结构
code-e213-fix = 检查路径（相对于引用它的文件），并确认模块的 `use schema` 指向政策的数据结构
code-e214-summary = 模块声明时未列出措施、而引用它的政策也从未补全的措施类别
code-e214-fix = 说明该类别包含政策中的哪些措施：`kind 名称: 措施, ...`，或 `kind 名称: nothing`
code-e215-summary = 借款人名下贷款的汇总值，或按借款人作出的决策，无法按所写内容计算
code-e215-fix = 通过 count、sum、min、max、any 或 all 读取借款人名下的贷款，在数据结构中声明 `borrowers by 字段`，并让 `per borrower` 决策只读取借款人全部贷款共有的内容
code-e216-summary = 无法按所写内容执行的 `capacity`：容量为 0、一项措施受两个容量限制、替代措施是措施类别或本身受容量限制、分组或排序所用的值无法分组或排序
code-e216-fix = 每项措施只设一个容量，且大于 0；按文本、选项、整数、是/否或日期的字段或数值分组；按金额、数字、天数、日期、时间或是/否排序；替代措施须是不受任何容量限制的一项措施
code-e301-summary = 决策或派生值之间循环依赖
code-e301-fix = 打破循环：决策只能读取不会反过来读取它的决策
code-e302-summary = 没有规则的决策，或读取了不只给出一个结果的决策
code-e302-fix = 为决策至少写一条规则；只有 `first match` 决策才能与单个值比较
code-w401-summary = `first match` 决策中位于 `otherwise` 规则之后的规则永远不会命中
code-w401-fix = 把 `otherwise` 规则移到最后，或删除其后的规则
code-w402-summary = `first match` 决策中，某条规则匹配的每笔贷款都先被之前的规则处理
code-w402-fix = 把该规则移到先处理其贷款的规则之前，或删除它
code-w403-summary = 没有贷款能满足其条件的规则
code-w403-fix = 检查相互矛盾的阈值
code-w404-summary = 没有 `otherwise` 的 `first match` 决策对部分贷款不作决定
code-w404-fix = 为所述贷款增加规则，或在最后加上 `otherwise` 规则
code-w405-summary = `unique match` 决策中两条规则同时匹配部分贷款
code-w405-fix = 收窄其中一条规则；若应由先后顺序决定，改用 `first match`
code-w406-summary = 没有贷款能满足其条件的守则
code-w406-fix = 检查其阈值，或删除它
code-w407-summary = 没有任何地方读取的派生值或措施类别
code-w407-fix = 使用它，或删除它
code-w408-summary = 就该值可能的范围而言，结果永远不变的比较
code-w408-fix = 对照该值的范围检查阈值
code-w409-summary = 分析中的某个问题（此规则能否命中、两条规则是否有共同的贷款、决策是否有未决定的贷款）达到了分析的上限，相关发现可能被遗漏
code-w409-fix = 不一定有问题；若要得到确定结论，请拆分决策，或减少每条规则的检查项
code-e501-summary = 贷款数据中某行缺少必填字段
code-e501-fix = 补上该字段，或在数据结构中将其声明为 `optional`
code-e502-summary = 贷款数据中某行的值类型不对（应为金额处写了文本、日期无效）
code-e502-fix = 在贷款数据中更正该值
code-e503-summary = 贷款数据中某行的取值不是该字段的可选值之一
code-e503-fix = 使用数据结构列出的可选值
code-e504-summary = 贷款数据中某行重复了之前某行的主键（`loan_id`）
code-e504-fix = 每笔贷款使用唯一编号；保留该编号首次出现的行
code-e505-summary = 贷款数据中根本不是记录的行（损坏的 JSON、列数不对的 CSV 行）
code-e505-fix = 修复该行
code-w506-summary = 贷款数据中有数据结构未声明的字段；这些字段会被忽略
code-w506-fix = 删除它们；若政策需要读取，在数据结构中声明
code-w601-summary = `arrears test --mutants`：对政策的小改动（阈值移动一个单位、`>` 改为 `>=`、删除一条规则）后所有测试仍然通过，没有测试能发现这一改动
code-w601-fix = 把建议的测试用例（一笔处于边界上的贷款，预期为政策目前的决定）加入政策的测试
code-e901-summary = arrears 自身出错；这是软件缺陷，不是您的政策的问题
code-e901-fix = 请连同政策和出现问题的命令一起报告
explain-code-what = 含义
explain-code-fix = 改法
explain-code-example = 示例

## 读取贷款数据；`run` 与 `explain` 的提示

progress-loans = 笔
progress-eta = 预计剩余
portfolio-format-unknown = 错误：无法从扩展名判断 `{ $path }` 的格式；请指定 --input-format jsonl|csv|yaml
portfolio-unreadable = 错误：无法读取贷款数据 `{ $path }`：{ $error }
portfolio-unknown-fields = 警告[{ $code }]：`{ $name }` 含有数据结构未声明的字段，已忽略：{ $fields }
run-tally = 读取 { $read } 笔 = 已决策 { $decided } 笔 + 拒收 { $rejected } 笔
rejected-row = 拒收[{ $code }] { $place }：{ $what }{ $reason }
rejected-what = { $list }：
rejected-record = { $file }（第 { $record } 笔）
rejected-loan = 贷款 `{ $value }`
rejected-field = 字段 `{ $value }`
rejected-value = 值 `{ $value }`
explain-rejected = 贷款 `{ $loan }` 无法决策：其所在行被拒收
explain-not-found = 错误：`{ $portfolio }` 中没有贷款 `{ $loan }`：已读取全部行，没有这个编号

## 拒收的行（E5xx）

row-duplicate-key = 此贷款编号已在之前的行中使用；保留之前的行
row-undecided = 内部错误：该贷款已读取但未得出决策，请报告此问题
row-not-record = 此行不是由具名字段组成的记录
row-unreadable-line = 此行无法读取
row-field-twice = 此字段在记录中出现了两次；请只保留一个
row-no-id = 贷款没有编号
row-expected-single = 此处应是单个值（{ $kind }），实际是列表或记录
row-required-missing = 此字段为必填，但缺失
row-required-empty = 此字段为必填，但为空
row-expected-bool = 应为 `true` 或 `false`
row-expected-integer = 应为整数
row-expected-time = 应为 HH:MM 或 HH:MM:SS 格式的时刻，例如 21:30
row-expected-choice = 应为以下之一：{ $choices }
row-expected-choice-hint = 应为以下之一：{ $choices }（是否想写 `{ $hint }`？）
row-expected-list = 应为列表
row-not-a-day = `{ $text }` 不是日历上存在的日期
row-date-alone = 应只有日期，不带时刻或时区，例如 { $date }
row-date-spelled = 日期应写作 YYYY-MM-DD，此处即 { $spelled }
row-expected-date = 应为 YYYY-MM-DD 格式的日期
row-money-places = 金额最多两位小数
row-money-separators = 金额不要带千位分隔符，例如 1250000.00
row-money-digits = 金额最多 28 位数字
row-expected-money = 应为金额，例如 125000.50
row-expected-array = 应为列表，写作 JSON 数组，例如 [{ "{" }"on": "2026-01-05", "channel": "phone"{ "}" }]
row-list-not-record = 应为列表，实际是单个记录
row-expected-record = 应为由具名字段组成的记录

## `arrears fmt`

fmt-formatted = 已格式化 { $path }
fmt-not-formatted = 未格式化 `{ $path }`：{ $summary }
fmt-would-reformat = { $total } 个文件中有 { $count } 个需要重新格式化

## `arrears test`：用例本身有误

case-hint = （是否想写 `{ $name }`？）
case-default-not-record = 默认贷款 `{ $name }` 不是记录：{ $error }
case-no-default = 没有名为 `{ $name }` 的默认贷款{ $hint }
case-loan-not-record = `loan` 不是记录：{ $error }
case-no-as-of = 缺少 `as_of`：请为该用例或整个文件指定评估日
case-bad-as-of = `as_of: { $date }` 不是 YYYY-MM-DD 格式的日期
case-unknown-field = 贷款中有数据结构未声明的字段 `{ $field }`{ $hint }
case-loan-invalid = 贷款无效：{ $reason }
case-loan-invalid-field = 贷款无效：字段 `{ $field }`：{ $reason }
case-loan-invalid-value = 贷款无效：值 `{ $value }`：{ $reason }
case-loan-invalid-field-value = 贷款无效：字段 `{ $field }` 值 `{ $value }`：{ $reason }
case-unknown-name = `{ $name }` 不是{ $what }{ $hint }
case-list-of-names-at = `{ $what }.{ $key }` 必须是名称列表
case-list-of-names = `{ $what }` 必须是名称列表
case-include-exclude = `{ $what }` 只接受 `include` 和 `exclude`，不接受 `{ $other }`
case-one-outcome = `{ $what }` 预期一个结果，例如 `{ $example }`
case-an-outcome-of = 决策 `{ $what }` 的结果
case-unreadable = 无法读取 `{ $what }`
case-a-declared-action = 已声明的措施
case-vetoed-list = `vetoed` 是列表：`[phone_reminder]` 或 `[{ "{" }action: phone_reminder, guard: G1{ "}" }]`
case-vetoed-action = 每个被否决项都要写明 `action`
case-vetoed-names = `vetoed` 列出措施名称
case-fired-list = `fired` 是规则与守则名称的列表
case-a-rule-or-guard = 政策中的规则或守则
case-cannot-expect = 不能预期 `{ $other }`{ $hint }：可预期的有 { $keys }

## `--help`（中文）

help-arrears = 银行贷款催收的声明式政策引擎：检查、运行并解释针对贷款数据的催收政策
help-arrears--error-format = 政策中问题的输出方式。`check` 把 `json` 和 `github` 写到标准输出（便于 `| jq`，GitHub 也从那里读取工作流命令）；其他命令的标准输出用于结果，问题写到标准错误
help-arrears--lang = 面向人的输出所用的语言：解释、报告、测试结果、影响表。不指定时，取 `LC_ALL`、`LC_MESSAGES` 或 `LANG` 所指的语言；都没有时，用中文名称写的政策用中文，否则用英文。机器格式（JSON、JUnit、决策记录）在各种语言下都保持英文键名
help-check = 检查政策（及数据结构文件）的所有错误，不运行
help-check--paths = 政策文件（`.policy`）或数据结构文件（`.schema`）
help-check--deny = `--deny warnings`：把警告（包括静态分析的发现）当作错误
help-check--witnesses = 把体现每项发现（永不命中的规则、缺口、重叠）的贷款完整写入此文件夹，文件名与该发现的帮助一致，可直接用于 `arrears explain`
help-run = 对贷款数据中的每笔贷款作出决策，每笔写一条记录
help-run--policy = 政策文件
help-run--portfolio = 贷款数据：`.jsonl`、`.csv` 或 `.yaml`
help-run--as-of = 评估日，YYYY-MM-DD。必填：arrears 从不读取系统时钟
help-run--input-format = 扩展名无法判断时，贷款数据的格式
help-run--format = 决策记录的格式
help-run--output = 把记录写到此文件，而不是标准输出
help-run--rejects = 把拒收的行写到此文件（JSON Lines）。默认：在 `--output` 旁写为 `NAME.rejects.jsonl`；写到标准输出时则写到标准错误
help-run--borrowers = 对按借款人汇总读取贷款的策略：贷款簿如何存放同一借款人的贷款。`sorted` 一次流式读取（遇到位置不连续的借款人即停止）；`unsorted` 把贷款暂存到临时文件夹（`TMPDIR`），并读取贷款簿两次
help-run--threads = 工作线程数（默认：全部核心）。输出与线程数无关
help-run--trace = 附上每笔贷款的追踪：尝试的每条规则和读取的每个值
help-run--manifest = 把运行清单写到此文件（政策、数据结构、贷款数据及各输出的 SHA-256，评估日与计数）。默认：在 `--output` 旁写为 `NAME.manifest.json`
help-run--redact = 在追踪和拒收行中隐去自由文本（借款人姓名、地址：除贷款编号外的所有 `text` 字段）；选项、金额和日期保留，追踪仍可解释
help-run--bom = CSV 输出以字节顺序标记开头，使 Windows 上的电子表格按 UTF-8 读取中文
help-run--deadlines = 把即将到期的期限（政策中的 `deadline` 值，在 `--as-of` 之后 `--within` 天内或已过期）按先后写入此 CSV 文件
help-run--within = `--deadlines` 向后看多少天
help-run--strict = 有任何行被拒收时以 1 退出
help-run--quiet = 不显示进度条
help-report = 汇总政策将做什么：按措施、逾期段、分类、实验组统计贷款笔数与本金
help-report--borrowers = 对按借款人汇总读取贷款的策略：贷款簿如何存放同一借款人的贷款。`sorted` 一次流式读取（遇到位置不连续的借款人即停止）；`unsorted` 把贷款暂存到临时文件夹（`TMPDIR`），并读取贷款簿两次
help-report--policy = 政策文件
help-report--portfolio = 贷款数据：`.jsonl`、`.csv` 或 `.yaml`
help-report--as-of = 评估日，YYYY-MM-DD。必填：arrears 从不读取系统时钟
help-report--input-format = 扩展名无法判断时，贷款数据的格式
help-report--format = 报告的输出方式
help-report--html = 另将报告写成一个带图表、自成一体的 HTML 文件
help-report--buckets = `current`（未逾期）之后各逾期段的上界，单位为天
help-report--overdue = 政策中计算逾期天数的派生值
help-report--classification = 对贷款分类的决策（用于计算不良率）
help-report--amount = 要合计的金额字段
help-report--currency = 存放每笔贷款币种的文本字段
help-report--previous = 同一批贷款较早的快照：报告加上从那时到现在的迁徙率（逾期分档迁徙矩阵，各档、各措施及各实验组的治愈与恶化）
help-report--previous-as-of = `--previous` 快照的日期：其中的贷款按该日评估
help-report--quiet = 不显示进度条
help-explain = 以便于阅读的方式说明一笔贷款为何得到这样的结果
help-explain--policy = 政策文件
help-explain--portfolio = 贷款数据：`.jsonl`、`.csv` 或 `.yaml`
help-explain--as-of = 评估日，YYYY-MM-DD。必填：arrears 从不读取系统时钟
help-explain--input-format = 扩展名无法判断时，贷款数据的格式
help-explain--loan = 贷款编号
help-explain--format = 供人阅读的文本，或 JSON
help-fmt = 按规范版式重写政策和数据结构（`--check`：只报告）
help-fmt--paths = 文件，或要在其中查找 `.policy` 和 `.schema` 文件的文件夹
help-fmt--check = 不作修改：打印每个未格式化文件的差异，若有则以 1 退出
help-diff = 显示政策变更会改变哪些贷款的结果，涉及多少金额
help-diff--old = 变更前的政策
help-diff--new = 变更后的政策
help-diff--portfolio = 用于比较的贷款数据
help-diff--as-of = 评估日，YYYY-MM-DD
help-diff--input-format = 扩展名无法判断时，贷款数据的格式
help-diff--format = 报告方式
help-diff--fail-on-change = 有任何贷款的结果改变时以 1 退出
help-diff--amount = 要合计的金额字段
help-diff--currency = 存放每笔贷款币种的文本字段（金额按币种分别合计）
help-diff--limit = Markdown 报告列出多少笔结果改变的贷款
help-test = 运行政策自带的测试用例（`*.tests.yaml`）并报告覆盖率
help-test--paths = 测试文件（`*.tests.yaml`），或要在其中查找它们的文件夹
help-test--format = 报告方式
help-test--min-coverage = 某政策的规则与守则覆盖率低于此百分比时失败
help-test--mutants = 另外用政策的小改动（阈值移动一个单位、`>` 改为 `>=`、删除一条规则……）运行其测试，报告没有测试能发现的改动，并为每个改动给出能发现它的测试用例
help-test--min-score = 配合 `--mutants`：某政策的变异得分低于此百分比时失败
help-explain-code = 说明诊断代码（`E201`、`unknown-name`）的含义与改法；不指定代码时列出全部
help-explain-code--code = 代码编号或名称
help-usage = 用法：
help-arguments = 参数
help-options = 选项
help-commands = 命令
help-help = 显示帮助
help-version = 显示版本
help-lsp = 为编辑器提供服务：基于标准输入输出的语言服务器（LSP）
help-serve = 通过 HTTP 提供工作台页面和决策接口：`POST /v1/decide`、`GET /v1/policy`、`GET /healthz`
help-serve--policy = 要提供服务的政策
help-serve--bind = 监听地址。监听本机以外的地址时必须给出 `--token`
help-serve--token = 每个 `/v1/` 请求都必须携带的令牌（`Authorization: Bearer 令牌`）
help-serve--max-body-mb = 接受的请求体上限（MB）；超过的请求以 413 拒绝
help-serve--portfolio = 工作台试运行、解释和变更影响所用的样本贷款数据
help-serve--as-of = 工作台初始的评估日（YYYY-MM-DD）

## 语言服务（`arrears lsp`）：悬停、补全、重命名与修复。
lsp-field = 字段 `{ $name }`
lsp-record-field = `{ $list }` 每条记录的字段 `{ $name }`
lsp-choice = `{ $field }` 的选项 `{ $name }`
lsp-value = 派生值 `{ $name }`
lsp-decision = 决策 `{ $name }`
lsp-outcome = 决策 `{ $decision }` 的结果 `{ $name }`
lsp-rule = 规则 `{ $name }`
lsp-guard = 守则 `{ $name }`
lsp-action = 措施 `{ $name }`
lsp-kind = 措施类别 `{ $name }`
lsp-other-name = 另一名称 `{ $name }`
lsp-type = 类型：{ $type }
lsp-basis = 依据：{ $basis }
lsp-in-decision = 属于 `{ $decision }`
lsp-in-kinds = 属于措施类别 { $kinds }
lsp-forbidden-by = 被守则 { $guards } 禁止
lsp-given-by = 由规则 { $rules } 给出
lsp-keyword = 关键字
lsp-as-of = 评估日（`--as-of`）
lsp-rename-data = `{ $name }` 是贷款数据本身使用的名称（每份贷款数据中的列名或取值），只在政策中改名会使所有贷款数据无法读取：请在模式和数据中一并修改
lsp-rename-invalid = `{ $name }` 不能作为名称：名称由字母（含汉字）、数字和 `_` 组成，不以数字开头，也不能是关键字
lsp-rename-nothing = 此处没有可重命名的已声明名称
lsp-rename-taken = `{ $name }` 已被声明：改成它会把两样东西混为一个
lsp-fix-replace = 改为 `{ $name }`
lsp-fix-presence = 先检查 `{ $name }` 有值
lsp-fix-declare = 声明措施 `{ $name }`
lsp-analysis-on-save = 此政策较大：静态分析（不可达规则、缺口、重叠）在保存时运行，打开和输入时不运行

# capacity statements (E216)
capacity-zero = `{ $name }` 的容量为 0，凡给出此措施的贷款都会排队
capacity-zero-help = 请写明每组每天能承接的贷款笔数，或让规则不再给出 `{ $name }`
capacity-twice = `{ $action }` 已受 `{ $other }` 的容量限制
capacity-twice-other = 首次在此限制
capacity-twice-help = 一项措施只能受一个容量限制：保留其中之一，或对包含两者的措施类别设容量
capacity-fallback-kind = 替代措施 `{ $name }` 是措施类别，而排队的贷款只能改为一项措施
capacity-fallback-kind-help = 请在 `else` 后写一项措施
capacity-fallback-limited = 替代措施 `{ $name }` 受 `{ $other }` 的容量限制，排队的贷款会在另一队列中再次排队
capacity-fallback-limited-help = 请改用不受任何容量限制的措施，或不写 `else`
capacity-reads-what = `{ $name }` 不是贷款的字段或数值，不能用来分组或排序
capacity-reads-what-help = 请写贷款的字段，或策略用 `let` 定义的数值
capacity-group-type = `{ $name }` 是{ $what }，不能用来为容量分组
capacity-group-type-help = 请按文本、选项、整数、是/否或日期分组（`per 地区`）
capacity-priority-type = `{ $name }` 是{ $what }，不能用来排序
capacity-priority-type-help = 请按金额、数字、天数、日期、时间或是/否排序（`priority by 本金余额 desc`）

# report: capacities
report-capacity = { $name } 的容量：{ $group }每天 { $limit } 笔，{ $order }；{ $fallback }
report-capacity-per = 每个{ $group }
report-capacity-book = 全部贷款合计
report-capacity-order = 按 { $order } 排序，相同时按编号
report-capacity-by-key = 按编号排序
report-capacity-fallback = 排队的贷款改为 { $action }
report-capacity-no-fallback = 排队的贷款不另作安排
report-capacity-no-group = （无值）
report-capacity-all = （全部贷款）
report-capacity-group = 分组
report-capacity-limit = 容量
report-capacity-demand = 需求
report-capacity-taken = 承接
report-capacity-queued = 排队
report-capacity-instead = 改为替代措施
report-capacity-queued-amount = 排队金额
report-capacity-unclaimed = 没有贷款需要它
report-capacity-bar = 承接 { $taken } 笔，排队 { $queued } 笔
report-html-capacities = 容量与排队

# report: roll rates
roll-title = 自 { $date } 以来的迁徙（当时 { $before }，现在 { $after }）
roll-from-to = 原档 \ 现档
roll-total = 合计
roll-new = 新增
roll-closed = 结清或移出
roll-loans = 笔数
roll-cured = 治愈
roll-improved = 好转
roll-stayed = 持平
roll-rolled-forward = 恶化
roll-per-bucket = 各逾期档的去向
roll-per-action = { $date } 所给各措施的贷款去向
roll-per-arm = { $name } 各实验组的贷款去向

# explain: capacities
explain-capacity-rank = { $capacity } 的容量：需要它的{ $group }共 { $demand } 笔，{ $order }，本笔排第 { $rank }；每天 { $limit } 笔
explain-capacity-group = { $by }为 { $group } 的贷款
explain-capacity-no-group = 没有{ $by }的贷款
explain-capacity-book = 贷款
explain-capacity-order = 按 { $order } 排序，相同时按编号
explain-capacity-by-key = 按编号排序
explain-capacity-taken = 在容量之内：措施不变
explain-capacity-queued = 超出容量：{ $actions } 排队，排在第 { $place } 位；{ $instead }
explain-capacity-instead = 改为 { $action }
explain-capacity-already = 已有替代措施 { $action }
explain-capacity-nothing-instead = 不另作安排
explain-capacity-forbidden = 替代措施 { $action } 被 { $guard } 禁止
