//! The outputs people read, in Chinese: the SME policy (written in Chinese) over the sample
//! book speaks Chinese without being asked, and every verb's output is held by a golden file.
//! `--lang en` gives the English, which the other tests hold unchanged.

use crate::support::{SAMPLE_JSONL, arrears, copy_shipped, temp, write};

const SME: &str = "policies/小微企业催收.policy";

/// `report` on the SME policy and the sample book, with `extra` arguments.
fn report(extra: &[&str]) -> crate::support::Outcome {
    let mut args = vec![
        "report",
        SME,
        SAMPLE_JSONL,
        "--as-of",
        "2026-11-20",
        "--overdue",
        "逾期天数",
        "--quiet",
    ];
    args.extend(extra);
    arrears(&args)
}

#[test]
fn the_report_speaks_chinese_for_a_chinese_policy() {
    let text = report(&[]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("各表均已勾稽一致"), "{}", text.stdout);
    insta::assert_snapshot!("report_sme_zh", text.stdout);
    assert_eq!(report(&["--lang", "zh"]).stdout, text.stdout);
    let english = report(&["--lang", "en"]);
    assert!(
        english.stdout.contains("reconciled in every table"),
        "{}",
        english.stdout
    );
    // The machine formats keep their English keys whatever the language.
    let json = report(&["--format", "json"]);
    assert_eq!(
        json.stdout,
        report(&["--format", "json", "--lang", "en"]).stdout
    );
}

#[test]
fn explain_and_check_speak_chinese_for_a_chinese_policy() {
    let explained = arrears(&[
        "explain",
        SME,
        SAMPLE_JSONL,
        "--as-of",
        "2026-11-20",
        "--loan",
        "L00117",
    ]);
    assert_eq!(explained.code, 0, "{}", explained.stderr);
    assert!(
        explained
            .stdout
            .starts_with("贷款 L00117，评估日 2026-11-20"),
        "{}",
        explained.stdout
    );
    insta::assert_snapshot!("explain_sme_zh", explained.stdout);
    let checked = arrears(&["check", SME]);
    assert_eq!(checked.code, 0, "{}", checked.stderr);
    assert_eq!(checked.stderr, "已检查 1 个文件：没有问题\n");
    // `explain-code` and `--help` too, when asked.
    let code = arrears(&["explain-code", "W404", "--lang", "zh"]);
    assert!(
        code.stdout
            .contains("含义: 没有 `otherwise` 的 `first match` 决策"),
        "{}",
        code.stdout
    );
    let help = arrears(&["report", "--help", "--lang", "zh"]);
    assert!(
        help.stdout.contains("用法：arrears report"),
        "{}",
        help.stdout
    );
}

#[test]
fn the_html_report_speaks_chinese_with_a_cjk_font_stack() {
    let dir = temp();
    let html = dir.path().join("报告.html");
    let outcome = report(&["--html", html.to_str().unwrap()]);
    assert_eq!(outcome.code, 0, "{}", outcome.stderr);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.starts_with("<!doctype html><html lang='zh-CN'>"),
        "{page}"
    );
    assert!(page.contains("'Noto Sans CJK SC'"), "{page}");
    insta::assert_snapshot!("report_sme_zh_html", page.replace("><", ">\n<"));
}

#[test]
fn test_results_speak_chinese_with_the_failure_explained() {
    let dir = temp();
    copy_shipped(
        dir.path(),
        &["小微企业催收.policy", "guardrails.policy", "loan-v1.schema"],
    );
    let shipped =
        std::fs::read_to_string(crate::support::root().join("policies/小微企业催收.tests.yaml"))
            .unwrap();
    // The first case expects the wrong stage.
    let broken = shipped.replacen("      催收阶段: 不适用\n", "      催收阶段: 早期\n", 1);
    assert_ne!(broken, shipped);
    let tests = write(dir.path(), "小微企业催收.tests.yaml", &broken);
    let outcome = arrears(&["test", &tests]);
    assert_eq!(outcome.code, 1, "{}", outcome.stderr);
    let shown = outcome
        .stdout
        .replace(dir.path().to_str().unwrap(), "[tmp]");
    assert!(
        shown.contains("失败    段0 未逾期的小微贷款不适用"),
        "{shown}"
    );
    // Only the failure and the totals: the 99 passing cases add nothing to the golden file.
    let kept: Vec<&str> = shown
        .lines()
        .filter(|line| !line.starts_with("  通过"))
        .collect();
    insta::assert_snapshot!("test_sme_zh", kept.join("\n"));
}

#[test]
fn the_impact_of_a_change_speaks_chinese_in_text_and_markdown() {
    let dir = temp();
    copy_shipped(
        dir.path(),
        &["小微企业催收.policy", "guardrails.policy", "loan-v1.schema"],
    );
    // `diff` compares policies loan by loan, so the copies leave out what reads a borrower's
    // loans together (the contact plan, and the cap counted over all of them).
    let shipped = std::fs::read_to_string(dir.path().join("小微企业催收.policy")).unwrap();
    let (head, rest) = shipped.split_once("# ── 联系计划").unwrap();
    let (_, tail) = rest.split_once("# ── 附加措施").unwrap();
    let original = format!("{head}# ── 附加措施{tail}");
    let guardrails = std::fs::read_to_string(dir.path().join("guardrails.policy"))
        .unwrap()
        .replace("count(借款人.联系记录 where", "count(联系记录 where");
    write(dir.path(), "guardrails.policy", &guardrails);
    let old = write(dir.path(), "小微企业催收.policy", &original);
    let changed = original.replace(
        "rule 段4 \"第29天起：一户一策\" when 小微逾期 and 逾期天数 > 28天",
        "rule 段4 \"第29天起：一户一策\" when 小微逾期 and 逾期天数 > 27天",
    );
    let changed = changed.replace(
        "rule 段3 \"后期：第19–28天\" when 小微逾期 and 逾期天数 >= 19天 and 逾期天数 <= 28天",
        "rule 段3 \"后期：第19–28天\" when 小微逾期 and 逾期天数 >= 19天 and 逾期天数 <= 27天",
    );
    assert_ne!(changed, original);
    let new = write(dir.path(), "改.policy", &changed);
    let diff = |format: &str| {
        let outcome = arrears(&[
            "diff",
            &old,
            &new,
            SAMPLE_JSONL,
            "--as-of",
            "2026-11-20",
            "--format",
            format,
        ]);
        assert_eq!(outcome.code, 0, "{}", outcome.stderr);
        outcome
            .stdout
            .replace(dir.path().to_str().unwrap(), "[tmp]")
    };
    let text = diff("human");
    assert!(text.contains("笔结果改变"), "{text}");
    insta::assert_snapshot!("diff_sme_zh", text);
    insta::assert_snapshot!("diff_sme_zh_markdown", diff("markdown"));
}

#[test]
fn the_environment_chooses_the_language_when_no_flag_does() {
    let explain = |env: &[(&str, &str)], extra: &[&str]| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_arrears"));
        command
            .args([
                "explain",
                "policies/retail.policy",
                SAMPLE_JSONL,
                "--as-of",
                "2026-11-20",
                "--loan",
                "L00002",
            ])
            .args(extra)
            .current_dir(crate::support::root())
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG");
        for (name, value) in env {
            command.env(name, value);
        }
        String::from_utf8(command.output().unwrap().stdout).unwrap()
    };
    let english = explain(&[], &[]);
    assert!(
        english.starts_with("loan L00002, evaluated on"),
        "{english}"
    );
    let chinese = explain(&[("LANG", "zh_CN.UTF-8")], &[]);
    assert!(chinese.starts_with("贷款 L00002，评估日"), "{chinese}");
    // LC_ALL outranks LANG, and the flag outranks both.
    assert_eq!(
        explain(&[("LANG", "zh_CN.UTF-8"), ("LC_ALL", "en_US.UTF-8")], &[]),
        english
    );
    assert_eq!(
        explain(&[("LC_ALL", "en_US.UTF-8")], &["--lang", "zh"]),
        chinese
    );
    // A locale that names no language arrears speaks leaves the choice to the policy.
    assert_eq!(explain(&[("LANG", "C.UTF-8")], &[]), english);
}
