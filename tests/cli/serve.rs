//! `arrears serve` through a real HTTP client: the decision API answers exactly what `arrears
//! run` writes, refuses bad requests with a clear status, keeps its token, and reloads a changed
//! policy without ever serving one that does not check.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{SAMPLE_JSONL, arrears, copy_shipped, root, temp, write};

/// A running server; stopped when dropped.
struct Server {
    child: Child,
    base: String,
    agent: ureq::Agent,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_arrears"))
            .arg("serve")
            .args(args)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let mut log = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        log.read_line(&mut first).unwrap();
        let base = first
            .split("listening on ")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("no address in `{first}`"))
            .to_owned();
        // The rest of the log is read so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = log.read_to_string(&mut rest);
        });
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        Server { child, base, agent }
    }

    /// The workbench over `policy`, with the shipped sample book and its date.
    fn workbench(policy: &std::path::Path) -> Server {
        Server::start(&[
            policy.to_str().unwrap(),
            "--bind",
            "127.0.0.1:0",
            "--portfolio",
            SAMPLE_JSONL,
            "--as-of",
            "2026-11-20",
        ])
    }

    /// The status and body of a request.
    fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (u16, String) {
        let url = format!("{}{path}", self.base);
        let mut response = match (method, body) {
            ("POST", Some(body)) => {
                let mut request = self
                    .agent
                    .post(&url)
                    .header("Content-Type", "application/json");
                if let Some(token) = token {
                    request = request.header("Authorization", &format!("Bearer {token}"));
                }
                request.send(body)
            }
            _ => {
                let mut request = self.agent.get(&url);
                if let Some(token) = token {
                    request = request.header("Authorization", &format!("Bearer {token}"));
                }
                request.call()
            }
        }
        .expect("the server answers");
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        (status, text)
    }

    fn decide(&self, body: &Value) -> Value {
        let (status, text) = self.call("POST", "/v1/decide", None, Some(&body.to_string()));
        assert_eq!(status, 200, "{text}");
        serde_json::from_str(&text).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sample's first `n` lines, and the same with a row that is not a loan and a repeated key.
fn loans(n: usize) -> (String, Vec<Value>) {
    let text = std::fs::read_to_string(root().join(SAMPLE_JSONL)).unwrap();
    let mut lines: Vec<String> = text.lines().take(n).map(str::to_owned).collect();
    lines.insert(
        3,
        r#"{"loan_id": "BAD1", "principal_outstanding": "12.345"}"#.to_owned(),
    );
    lines.push(lines[0].clone());
    let values = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines.join("\n") + "\n", values)
}

#[test]
fn decisions_and_rejections_are_exactly_arrears_runs() {
    let dir = temp();
    let (jsonl, values) = loans(400);
    let book = write(dir.path(), "book.jsonl", &jsonl);
    let rejects = dir.path().join("book.rejects.jsonl");
    let output = dir.path().join("out.jsonl");
    let server = Server::start(&["policies/retail.policy", "--bind", "127.0.0.1:0"]);
    for trace in [false, true] {
        let mut args = vec![
            "run",
            "policies/retail.policy",
            &book,
            "--as-of",
            "2026-11-20",
            "-o",
            output.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
        ];
        if trace {
            args.push("--trace");
        }
        let run = arrears(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let answer =
            server.decide(&json!({"as_of": "2026-11-20", "loans": values, "trace": trace}));
        let written = std::fs::read_to_string(&output).unwrap();
        let decisions: Vec<String> = answer["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::to_string)
            .collect();
        let expected: Vec<&str> = written.lines().collect();
        assert_eq!(decisions.len(), 400);
        assert_eq!(decisions, expected, "trace: {trace}");
        // Each rejected row is the rejects file's object without its `file`.
        let rejected = answer["rejected"].as_array().unwrap();
        let expected: Vec<Value> = std::fs::read_to_string(&rejects)
            .unwrap()
            .lines()
            .map(|l| {
                let mut row: Value = serde_json::from_str(l).unwrap();
                row.as_object_mut().unwrap().shift_remove("file");
                row
            })
            .collect();
        assert_eq!(rejected, &expected);
        assert_eq!(rejected.len(), 2);
        assert_eq!(rejected[0]["code"], "E501");
        assert_eq!(rejected[1]["code"], "E504");
        // read = decided + rejected.
        assert_eq!(decisions.len() + rejected.len(), values.len());
    }
    let (_, policy) = server.call("GET", "/v1/policy", None, None);
    let policy: Value = serde_json::from_str(&policy).unwrap();
    let answer = server.decide(&json!({"as_of": "2026-11-20", "loans": []}));
    assert_eq!(answer["policy"]["sha256"], policy["sha256"]);
    assert_eq!(answer["policy"]["version"], policy["version"]);
    assert_eq!(policy["version"].as_str().unwrap().len(), 64);
    assert_eq!(policy["files"].as_array().unwrap().len(), 2, "{policy}");
    assert_eq!(
        server.call("GET", "/healthz", None, None),
        (200, "ok\n".to_owned())
    );
}

#[test]
fn bad_requests_are_refused_with_their_status_and_place() {
    let server = Server::start(&[
        "policies/retail.policy",
        "--bind",
        "127.0.0.1:0",
        "--max-body-mb",
        "1",
    ]);
    let refused = |body: &str| {
        let (status, text) = server.call("POST", "/v1/decide", None, Some(body));
        (
            status,
            serde_json::from_str::<Value>(&text).unwrap_or_else(|_| panic!("JSON: {text}")),
        )
    };
    let (status, error) = refused(r#"{"as_of": "2026-11-20", "loans": ["#);
    assert_eq!(status, 400);
    assert_eq!(error["error"]["column"], 34, "{error}");
    let (status, error) = refused(r#"{"as_of": "2026-02-30", "loans": []}"#);
    assert_eq!(status, 400);
    assert_eq!(error["error"]["field"], "as_of", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2026-02-30")
    );
    let (status, error) = refused(r#"{"as_of": "2026-11-20", "loans": {}}"#);
    assert_eq!(status, 400, "{error}");
    let (status, error) = refused(r#"{"as_of": "2026-11-20", "loans": [], "trac": true}"#);
    assert_eq!(status, 400);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `trac`"),
        "{error}"
    );
    let huge = format!(
        r#"{{"as_of": "2026-11-20", "loans": ["{}"]}}"#,
        "x".repeat(1_100_000)
    );
    let (status, error) = refused(&huge);
    assert_eq!(status, 413, "{error}");
    // A loan that is not an object is a rejected row, not an error.
    let answer = server.decide(&json!({"as_of": "2026-11-20", "loans": [5, "text"]}));
    assert_eq!(answer["rejected"].as_array().unwrap().len(), 2, "{answer}");
    assert_eq!(server.call("GET", "/v1/nothing", None, None).0, 404);
}

#[test]
fn off_loopback_the_token_is_required_and_checked() {
    let refused = arrears(&["serve", "policies/retail.policy", "--bind", "0.0.0.0:0"]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--token"), "{}", refused.stderr);
    let mut server = Server::start(&[
        "policies/retail.policy",
        "--bind",
        "0.0.0.0:0",
        "--token",
        "s3cret-token",
    ]);
    server.base = server.base.replace("0.0.0.0", "127.0.0.1");
    assert_eq!(server.call("GET", "/v1/policy", None, None).0, 401);
    assert_eq!(
        server
            .call("GET", "/v1/policy", Some("s3cret-tokem"), None)
            .0,
        401
    );
    assert_eq!(
        server
            .call("GET", "/v1/policy", Some("s3cret-token"), None)
            .0,
        200
    );
    let body = r#"{"as_of": "2026-11-20", "loans": []}"#;
    assert_eq!(server.call("POST", "/v1/decide", None, Some(body)).0, 401);
    assert_eq!(
        server
            .call("POST", "/v1/decide", Some("s3cret-token"), Some(body))
            .0,
        200
    );
    assert_eq!(server.call("GET", "/healthz", None, None).0, 200);
    // The workbench's calls need it too; its page does not (it sends the token it was opened with).
    assert_eq!(server.call("GET", "/api/session", None, None).0, 401);
    assert_eq!(
        server
            .call("GET", "/api/session", Some("s3cret-token"), None)
            .0,
        200
    );
    assert_eq!(server.call("GET", "/", None, None).0, 200);
}

#[test]
fn a_changed_policy_is_swapped_in_only_when_it_checks() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema", "retail.policy"]);
    let path = dir.path().join("retail.policy");
    let original = std::fs::read_to_string(&path).unwrap();
    let server = Server::start(&[path.to_str().unwrap(), "--bind", "127.0.0.1:0"]);
    let (_, values) = loans(50);
    let request = json!({"as_of": "2026-11-20", "loans": values});
    let before = server.decide(&request);
    let litigated = |answer: &Value| {
        answer["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["treatment"] == "litigation")
            .count()
    };
    assert!(litigated(&before) > 0);
    let sha = |server: &Server| -> Value {
        serde_json::from_str(&server.call("GET", "/v1/policy", None, None).1).unwrap()
    };
    let first = sha(&server);
    // A version that sends no one to court: loaded within a few ticks, answered from then on.
    let changed = original.replace("then litigation", "then demand_letter");
    std::fs::write(&path, &changed).unwrap();
    let mut policy = sha(&server);
    for _ in 0..100 {
        if policy["sha256"] != first["sha256"] {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        policy = sha(&server);
    }
    assert_ne!(
        policy["sha256"], first["sha256"],
        "the change was not loaded"
    );
    let after = server.decide(&request);
    assert_eq!(after["policy"]["sha256"], policy["sha256"]);
    assert_eq!(litigated(&after), 0);
    // A version with an error is not loaded: the last good one goes on, and says why.
    std::fs::write(&path, original.replace("then litigation", "then litigaton")).unwrap();
    let mut policy = sha(&server);
    for _ in 0..100 {
        if !policy["reload_error"].is_null() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        policy = sha(&server);
    }
    let why = policy["reload_error"]
        .as_str()
        .unwrap_or_else(|| panic!("no reload error: {policy}"));
    assert!(why.contains("E206") && why.contains("litigaton"), "{why}");
    let still = server.decide(&request);
    assert_eq!(still["policy"]["sha256"], after["policy"]["sha256"]);
    assert_eq!(still["decisions"], after["decisions"]);
}

#[test]
fn the_workbench_checks_edited_texts_and_saves_them_whole() {
    let dir = temp();
    copy_shipped(
        dir.path(),
        &["loan-v1.schema", "retail.policy", "催收示例.policy"],
    );
    let policy = dir.path().join("retail.policy");
    let server = Server::workbench(&policy);
    // The page and its assets are served from the binary.
    let (status, page) = server.call("GET", "/", None, None);
    assert_eq!(status, 200);
    assert!(
        page.contains("/app.js") && page.contains("/app.css"),
        "{page}"
    );
    let (status, script) = server.call("GET", "/app.js", None, None);
    assert!(status == 200 && script.len() > 100_000, "{status}");
    let (_, session) = server.call("GET", "/api/session", None, None);
    let session: Value = serde_json::from_str(&session).unwrap();
    let names: Vec<&str> = session["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["loan-v1.schema", "retail.policy", "催收示例.policy"]
    );
    // A slip in the Chinese policy, unsaved: placed in UTF-16 units, with its fix.
    let original = std::fs::read_to_string(dir.path().join("催收示例.policy")).unwrap();
    let edited = original.replacen("还款意愿 = 拒绝", "还款意原 = 拒绝", 1);
    let ask = json!({"file": "催收示例.policy", "texts": {"催收示例.policy": edited}});
    let (status, answer) = server.call("POST", "/api/check", None, Some(&ask.to_string()));
    assert_eq!(status, 200, "{answer}");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let found = &answer["diagnostics"][0];
    assert_eq!(found["code"], "E201", "{answer}");
    let at = edited.find("还款意原").unwrap();
    assert_eq!(
        found["from"],
        edited[..at].encode_utf16().count(),
        "{found}"
    );
    assert_eq!(found["fix"]["insert"], "还款意愿");
    assert_eq!(found["fix"]["label"], "改为 `还款意愿`");
    // Only the folder's own files.
    let outside = json!({"file": "../../etc/passwd", "texts": {}});
    assert_eq!(
        server
            .call("POST", "/api/check", None, Some(&outside.to_string()))
            .0,
        400
    );
    // Saved whole; an error is saved too, and counted.
    let save = json!({"file": "催收示例.policy", "texts": {"催收示例.policy": edited}});
    let (status, saved) = server.call("POST", "/api/save", None, Some(&save.to_string()));
    assert_eq!(status, 200, "{saved}");
    assert_eq!(serde_json::from_str::<Value>(&saved).unwrap()["errors"], 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("催收示例.policy")).unwrap(),
        edited
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn the_workbench_explains_a_loan_given_whole_and_compares_with_a_git_revision() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema", "retail.policy"]);
    let git = |args: &[&str]| {
        let status = Command::new("git")
            .arg("-C")
            .arg(dir.path())
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {args:?}");
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "v1"]);
    let policy = dir.path().join("retail.policy");
    let original = std::fs::read_to_string(&policy).unwrap();
    // The saved file moves on after the commit; the edit goes back to it but for T7.
    std::fs::write(
        &policy,
        original.replace("then litigation", "then demand_letter"),
    )
    .unwrap();
    let server = Server::workbench(&policy);
    let edited = original.replace(
        "overdue > 90 days and willingness",
        "overdue > 60 days and willingness",
    );
    let impact = |revision: Option<&str>| {
        let ask = json!({"file": "retail.policy", "texts": {"retail.policy": edited}, "revision": revision});
        let (status, answer) = server.call("POST", "/api/impact", None, Some(&ask.to_string()));
        (status, serde_json::from_str::<Value>(&answer).unwrap())
    };
    // Against the commit only the lowered threshold shows; against the saved file, more.
    let (status, against_commit) = impact(Some("HEAD"));
    assert_eq!(status, 200, "{against_commit}");
    let (_, against_saved) = impact(None);
    let changed = |v: &Value| v["changed"]["loans"].as_u64().unwrap();
    assert!(changed(&against_commit) > 0 && changed(&against_saved) > changed(&against_commit));
    assert_eq!(against_commit["old"], "retail.policy (HEAD)");
    let (status, refused) = impact(Some("--output=/tmp/x"));
    assert_eq!(status, 400, "{refused}");
    let (status, _) = impact(Some("no-such-branch"));
    assert_eq!(status, 400);
    // A loan given whole (an analysis witness) is explained without the book.
    let text = std::fs::read_to_string(root().join(SAMPLE_JSONL)).unwrap();
    let record = text.lines().next().unwrap();
    let ask =
        json!({"file": "retail.policy", "texts": {}, "as_of": "2026-11-20", "record": record});
    let (status, answer) = server.call("POST", "/api/explain", None, Some(&ask.to_string()));
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("derived values"), "{answer}");
}

#[test]
fn a_requests_loans_of_one_borrower_are_decided_together_as_arrears_run_does() {
    let dir = temp();
    // The sample's first 300 loans: whole blocks, so every borrower's loans are all there,
    // scattered as in the sample.
    let values: Vec<Value> = crate::support::sample_loans()
        .into_iter()
        .take(300)
        .collect();
    let jsonl: String = values.iter().map(|v| format!("{v}\n")).collect();
    let book = write(dir.path(), "book.jsonl", &jsonl);
    let output = dir.path().join("out.jsonl");
    let policy = "policies/小微企业催收.policy";
    let server = Server::start(&[policy, "--bind", "127.0.0.1:0"]);
    for trace in [false, true] {
        let mut args = vec![
            "run",
            policy,
            &book,
            "--as-of",
            "2026-11-20",
            "-o",
            output.to_str().unwrap(),
        ];
        if trace {
            args.push("--trace");
        }
        let run = arrears(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let answer =
            server.decide(&json!({"as_of": "2026-11-20", "loans": values, "trace": trace}));
        let decisions: Vec<String> = answer["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::to_string)
            .collect();
        let written = std::fs::read_to_string(&output).unwrap();
        let expected: Vec<&str> = written.lines().collect();
        assert_eq!(decisions, expected, "trace: {trace}");
    }
    // The plan is one per borrower: a borrower's loans share it.
    let answer = server.decide(&json!({"as_of": "2026-11-20", "loans": values}));
    let mut plans: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        std::collections::BTreeMap::new();
    for (loan, record) in values.iter().zip(answer["decisions"].as_array().unwrap()) {
        plans
            .entry(loan["borrower_id"].as_str().unwrap().to_owned())
            .or_default()
            .insert(record["联系计划"].to_string());
    }
    assert!(plans.values().all(|p| p.len() == 1), "{plans:?}");
    assert!(plans.len() < values.len());
}
