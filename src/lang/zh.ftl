# 中文消息目录：与 `en.ftl` 的消息一一对应，参数相同；`cargo test` 检查二者一致。
# 术语以 `GLOSSARY.md` 为准，一个概念只用一个词。
# Fluent 会去掉值首尾的空格；需要保留时写成带引号的字面量 { " " }。

## 列表与计数

list-separator = 、
none = 无
loans = { $count } 笔

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
