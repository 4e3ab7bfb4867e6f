//! Formatter tests: layout, comments, idempotence and meaning, over fixed and generated policies.

use super::format_source;
use crate::source::SourceFile;

fn fmt(text: &str) -> String {
    match format_source(&SourceFile::new("t.policy", text)) {
        Ok(out) => out,
        Err(diagnostics) => panic!(
            "{:?}",
            diagnostics
                .iter()
                .map(|d| d.message().to_owned())
                .collect::<Vec<_>>()
        ),
    }
}

#[test]
fn layout_is_canonical_and_idempotent() {
    let input = "# header\n\npolicy   p  \"P\"\nlet   a=1_000.00   # inline\n\n\n# about b\nlet b =  (a > 2)\ndecision d : first match ,gives action\n   rule R1 \"one\"   when not(b) then x # last\n   # between rules\n   rule R2 otherwise then   nothing\nactions x\n";
    let once = fmt(input);
    assert_eq!(
        once,
        "# header\n\npolicy p \"P\"\nlet a = 1_000.00  # inline\n\n# about b\nlet b = a > 2\n\ndecision d: first match, gives action\n  rule R1 \"one\" when not b then x  # last\n  # between rules\n  rule R2 otherwise then nothing\n\nactions x\n"
    );
    assert_eq!(fmt(&once), once);
}

#[test]
fn brackets_are_kept_where_meaning_needs_them() {
    let cases = [
        "let x = a and (b or c)",
        "let x = (a or b) and c",
        "let x = not (a and b)",
        "let x = a - (b - c)",
        "let x = (if a then b else c) > d",
        "let x = (a + b) is present",
        "let x = -(a - b)",
        "let x = a or b or c",
        "let x = a or (b and c) or d",
    ];
    for case in cases {
        assert_eq!(fmt(case).trim_end(), case);
    }
}

#[test]
fn long_conditions_break_before_and_or() {
    let input = "decision d: first match, gives action\n  rule R1 when overdue > 90 days and collateral_value is present and collateral_value >= principal_outstanding and has_guarantor then x\n";
    let out = fmt(input);
    assert_eq!(
        out,
        "decision d: first match, gives action\n  rule R1\n    when overdue > 90 days\n    and collateral_value is present\n    and collateral_value >= principal_outstanding\n    and has_guarantor\n    then x\n"
    );
    assert_eq!(fmt(&out), out);
}

#[test]
fn chinese_text_and_comments_are_kept() {
    let input = "# 中文注释\nlet 逾期天数 “逾期” = if 最早未还日 is present then 评估日 - 最早未还日 else 0天  # 注释\n";
    let out = fmt(input);
    assert_eq!(out, input);
}

#[test]
fn files_with_syntax_errors_are_not_formatted() {
    assert!(format_source(&SourceFile::new("t.policy", "let x = = 1\n")).is_err());
}

mod properties {
    use proptest::prelude::*;

    use super::super::format_source;
    use crate::source::SourceFile;

    /// Conditions built from a small grammar, with random spacing, brackets and comments.
    fn condition() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            Just("overdue > 30 days".to_owned()),
            Just("has_assets".to_owned()),
            Just("willingness = willing".to_owned()),
            Just("collateral_value is present".to_owned()),
            Just("product in [sme, card]".to_owned()),
            Just("principal_outstanding >= 1_000_000.00".to_owned()),
            Just("count(promises where not kept) >= 2".to_owned()),
            Just("as_of - 7 天 < 2026-01-01".to_owned()),
        ];
        leaf.prop_recursive(4, 24, 3, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
                (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) or {b}")),
                inner.clone().prop_map(|a| format!("not ({a})")),
                (inner.clone(), inner).prop_map(|(a, b)| format!("(if {a} then true else {b})")),
            ]
        })
    }

    fn policy() -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(condition(), 1..6),
            proptest::collection::vec(proptest::sample::select(vec!["", " ", "   "]), 6),
            proptest::collection::vec(any::<bool>(), 6),
        )
            .prop_map(|(conditions, spaces, comments)| {
                let mut text = String::from("# generated\nactions a, b\n");
                text.push_str(&format!(
                    "decision d:{}first match, gives action\n",
                    spaces[0]
                ));
                for (index, condition) in conditions.iter().enumerate() {
                    let comment = if comments[index % 6] { "  # note" } else { "" };
                    text.push_str(&format!(
                        "  rule R{index}{} when {condition} then a{comment}\n",
                        spaces[index % 6]
                    ));
                }
                text.push_str("  rule Z otherwise then b\n");
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Formatting keeps meaning (checked inside `format_source`) and a second pass changes
        /// nothing.
        #[test]
        fn formatting_is_sound_and_idempotent(text in policy()) {
            let once = format_source(&SourceFile::new("g.policy", text.clone()))
                .map_err(|d| TestCaseError::fail(format!("{:?}", d.iter().map(|d| d.message().to_owned()).collect::<Vec<_>>())))?;
            let twice = format_source(&SourceFile::new("g.policy", once.clone()))
                .map_err(|_| TestCaseError::fail("the formatted text does not format"))?;
            prop_assert_eq!(once, twice);
        }
    }
}

#[test]
fn schema_labels_line_up_within_a_paragraph_and_never_past_a_sane_column() {
    let long = (0..12)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let input = format!(
        "schema s keyed by id\n  field id: text \"key\"\n  field amount (金额): money \"owed\"\n  # contacts\n  field note: text \"free text\"\n  field sort: one of {long} \"a long list\"\n"
    );
    let out = fmt(&input);
    let lines: Vec<&str> = out.lines().collect();
    // The first paragraph lines up after its widest head (金额 takes four columns).
    assert_eq!(lines[1], "  field id: text              \"key\"");
    assert_eq!(lines[2], "  field amount (金额): money  \"owed\"");
    // After the comment, a new paragraph; the head past the limit keeps its label close.
    assert_eq!(lines[4], "  field note: text  \"free text\"");
    assert!(lines[5].ends_with("c11  \"a long list\""), "{}", lines[5]);
    assert_eq!(fmt(&out), out);
}

#[test]
fn a_table_lines_up_by_display_width_and_keeps_its_comments() {
    let input = "decision d: unique match, gives action\n  table   when  a>1\n  |格|经营状况|策略|\n  # 正常\n  |正1|正常经营|电话提醒|  # 第一格\n  | 困1 | 经营困难, 停止经营 | 贷款重组 |\n";
    let out = fmt(input);
    assert_eq!(
        out,
        "decision d: unique match, gives action\n  table when a > 1\n  | 格  | 经营状况           | 策略     |\n  # 正常\n  | 正1 | 正常经营           | 电话提醒 |  # 第一格\n  | 困1 | 经营困难, 停止经营 | 贷款重组 |\n"
    );
    assert_eq!(fmt(&out), out);
}

#[test]
fn a_table_without_rows_stays_where_it_is_written() {
    let input = "decision d: first match, gives action\n  table\n  | r | a | o |\n  rule B otherwise then x\n";
    assert_eq!(fmt(input), input);
}
