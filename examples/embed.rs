//! Using arrears from Rust: load a policy, decide one loan, read why.
//!
//! Run with `cargo run --example embed`. The same steps `arrears run` takes for every loan of a
//! portfolio, here for one loan held in memory.

use std::path::Path;
use std::process::ExitCode;

use arrears::loan_from_json;
use arrears::{ErrorFormat, render_all};
use arrears::{LoadError, load_policy};
use chrono::NaiveDate;

const LOAN: &str = r#"{
    "loan_id": "L-EMBED-1", "borrower": "王小明", "product": "sme", "currency": "CNY",
    "principal_outstanding": "1250000.00", "oldest_unpaid_due_date": "2026-07-01",
    "collateral_value": null, "has_guarantor": true, "has_assets": true,
    "willingness": "refuses", "ability": "able", "operating_status": "difficulty",
    "restructured": false, "deceased": false, "bankrupt": false, "in_dispute": false,
    "public_official": false, "do_not_contact": false, "region": "上海",
    "promises": [{"due_on": "2026-09-30", "amount": "20000.00", "kept": false}],
    "contacts": [{"on": "2026-11-02", "channel": "phone"}]
}"#;

fn main() -> ExitCode {
    // 1. Load: parse, check against the schema the policy names, compile.
    let loaded = match load_policy(Path::new("policies/retail.policy")) {
        Ok(loaded) => loaded,
        Err(LoadError::Invalid(diagnostics)) => {
            let _ = render_all(
                &diagnostics,
                ErrorFormat::Human,
                false,
                arrears::Lang::En,
                &mut std::io::stderr(),
            );
            return ExitCode::FAILURE;
        }
        Err(LoadError::Unreadable { path, reason }) => {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("cannot read {}: {reason}\n", path.display()).as_bytes(),
            );
            return ExitCode::FAILURE;
        }
    };
    let program = loaded.program;

    // 2. A loan, read against the policy's schema: exact decimals, checked dates and choices.
    let (loan_id, loan) = match loan_from_json(LOAN, program.schema()) {
        Ok(loan) => loan,
        Err(rejected) => {
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("rejected: {}\n", rejected.reason).as_bytes(),
            );
            return ExitCode::FAILURE;
        }
    };

    // 3. Decide it on an explicit date (never the clock), with the trace.
    let Some(as_of) = NaiveDate::from_ymd_opt(2026, 11, 20) else {
        return ExitCode::FAILURE;
    };
    let (evaluation, trace) = program.evaluate_traced(&loan, as_of);

    // 4. Read the outcome: per decision, then the surviving and forbidden actions.
    let mut report = format!("loan {loan_id}\n");
    for decision in program.decisions() {
        let Some(outcome) = evaluation.outcome(decision) else {
            continue;
        };
        report.push_str(&format!(
            "  {}: {}\n",
            program.decision_name(decision),
            program.outcome_text(decision, outcome)
        ));
    }
    let actions: Vec<&str> = evaluation
        .actions
        .iter()
        .map(|a| program.action_name(*a))
        .collect();
    report.push_str(&format!("  actions: {}\n\n", actions.join(", ")));

    // 5. And why, as the auditor reads it.
    report.push_str(&arrears::explain_text(
        &program,
        &loan_id,
        &evaluation,
        &trace,
        as_of,
        arrears::Lang::En,
    ));
    let _ = std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes());
    ExitCode::SUCCESS
}
