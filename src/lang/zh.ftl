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
report-title = 试运行：政策 { $policy }，贷款数据 { $portfolio }，评估日 { $date }
report-reconciliation = 读取 { $read } 笔 = 已决策 { $decided } 笔 + 拒收 { $rejected } 笔；本金 { $principal }，{ $verdict }
report-reconciled = 各表均已勾稽一致
report-not-reconciled = 勾稽不一致：请报告此问题
report-share = 占本金 { $percent }%
report-share-of = 占{ $currency }本金 { $percent }%
report-overdue = 逾期：{ $loans }，{ $principal }（{ $share }）
report-non-performing = 不良：{ $loans }，{ $principal }（不良率 { $share }）
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
