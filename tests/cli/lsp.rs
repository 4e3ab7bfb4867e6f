//! `arrears lsp` through a client over standard input and output, as an editor drives it:
//! initialize, open, edit, diagnostics with codes and UTF-16 places, formatting, shutdown.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::{copy_shipped, temp, write};

/// A running server and the messages it sends.
struct Client {
    child: Child,
    input: ChildStdin,
    messages: Receiver<Value>,
    next_id: u64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_arrears"))
            .arg("lsp")
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env_remove("LANG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let input = child.stdin.take().unwrap();
        let mut output = BufReader::new(child.stdout.take().unwrap());
        let (send, messages) = channel();
        std::thread::spawn(move || {
            loop {
                // `Content-Length: N`, a blank line, then N bytes of JSON.
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if output.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                if output.read_exact(&mut body).is_err() {
                    return;
                }
                if send.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut client = Client {
            child,
            input,
            messages,
            next_id: 1,
        };
        let init = client.request("initialize", json!({"capabilities": {}}));
        assert_eq!(
            init["result"]["capabilities"]["positionEncoding"], "utf-16",
            "{init}"
        );
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == id)
    }

    /// The next message that `wanted` accepts; others are passed over.
    fn wait(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let message = self
                .messages
                .recv_timeout(Duration::from_secs(30))
                .expect("the server answers within 30 s");
            if wanted(&message) {
                return message;
            }
        }
    }

    /// Opens `uri` with `text` in the server.
    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "arrears", "version": 1, "text": text}}),
        );
    }

    /// Asks the server to shut down and exit, and checks that it does so cleanly.
    fn stop(mut self) {
        let shutdown = self.request("shutdown", Value::Null);
        assert!(shutdown.get("error").is_none(), "{shutdown}");
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status:?}");
    }

    /// The first diagnostics published for `uri` that `wanted` accepts.
    fn diagnostics_where(&mut self, uri: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        loop {
            let found = self.diagnostics(uri);
            if wanted(&found) {
                return found;
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

const POLICY: &str = "policy p \"p\"\nuse schema \"loan-v1.schema\"\n\
let 逾期 = if 最早未还日 is present and 最早未还日 < 评估日 then 评估日 - 最早未还日 else 0天\n\
actions visit, call\n\
decision d: first match, gives action\n  rule R1 when 逾期 > 30天 and 还款意原 = 拒绝 then visit\n  rule R2 otherwise then call\n";

#[test]
fn an_editor_sees_diagnostics_as_it_types_and_formats_through_the_server() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let path = write(dir.path(), "p.policy", POLICY);
    let uri = format!("file://{path}");
    let mut client = Client::start();
    client.open(&uri, POLICY);
    let found = client.diagnostics(&uri);
    assert_eq!(found.len(), 1, "{found:?}");
    let e201 = &found[0];
    assert_eq!(e201["code"], "E201");
    assert_eq!(e201["severity"], 1);
    // Chinese names in the policy: it is answered in Chinese, with the suggestion.
    let message = e201["message"].as_str().unwrap();
    assert!(
        message.contains("未知名称 `还款意原`") && message.contains("还款意愿"),
        "{message}"
    );
    // `还款意原` on line 6 (from 0), after `  rule R1 when 逾期 > 30天 and `: 28 UTF-16 units.
    assert_eq!(e201["range"]["start"], json!({"line": 5, "character": 28}));
    assert_eq!(e201["range"]["end"], json!({"line": 5, "character": 32}));

    // The edit that fixes it clears the diagnostics.
    let fixed = POLICY.replace("还款意原", "还款意愿");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // Formatting is `arrears fmt`'s: one edit giving the canonical layout.
    let messy = fixed.replace("  rule R2 otherwise", "      rule   R2 otherwise");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": messy}]}),
    );
    client.diagnostics(&uri);
    let formatted = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = formatted["result"].as_array().unwrap();
    assert_eq!(edits.len(), 1, "{formatted}");
    let new_text = edits[0]["newText"].as_str().unwrap();
    assert!(
        new_text.contains("\n  rule R2 otherwise then call\n"),
        "{new_text}"
    );

    // An unknown request is refused, not ignored; the server shuts down cleanly.
    let unknown = client.request("textDocument/prepareCallHierarchy", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    client.stop();
}

#[test]
fn an_edit_to_the_schema_rechecks_the_open_policy() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let fixed = POLICY.replace("还款意原", "还款意愿");
    let path = write(dir.path(), "p.policy", &fixed);
    let schema_path = dir.path().join("loan-v1.schema");
    let schema = std::fs::read_to_string(&schema_path).unwrap();
    let (policy_uri, schema_uri) = (
        format!("file://{path}"),
        format!("file://{}", schema_path.display()),
    );
    let mut client = Client::start();
    client.open(&policy_uri, &fixed);
    assert_eq!(client.diagnostics(&policy_uri), Vec::<Value>::new());
    client.open(&schema_uri, &schema);
    // The schema's other name for `willingness` renamed in the editor, unsaved: the policy,
    // which writes `还款意愿`, no longer checks.
    let renamed = schema.replace("willingness (还款意愿)", "willingness (还款态度)");
    assert_ne!(renamed, schema);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": schema_uri, "version": 2}, "contentChanges": [{"text": renamed}]}),
    );
    // (Opening the schema re-checks the policy first; its publication, still clean, comes before.)
    let found = client.diagnostics_where(&policy_uri, |d| !d.is_empty());
    assert!(found.iter().any(|d| d["code"] == "E201"), "{found:?}");
    client.stop();
}

#[test]
fn a_chinese_file_name_travels_escaped_and_comes_back_the_same() {
    let dir = temp();
    copy_shipped(dir.path(), &["loan-v1.schema"]);
    let path = write(dir.path(), "催收 政策.policy", POLICY);
    // As editors write it: every byte of the name outside the unreserved ones escaped.
    let escaped: String = path
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let uri = format!("file://{escaped}");
    let mut client = Client::start();
    client.open(&uri, POLICY);
    let found = client.diagnostics(&uri);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["code"], "E201");
    client.stop();
}
