// The workbench page: CodeMirror for the policy and the files beside it, checked as typed by
// the same checker as `arrears check` (through `arrears serve`), and the panels that show
// what the edited policy would do to the sample book.

import { EditorView, basicSetup } from "codemirror";
import { EditorState } from "@codemirror/state";
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { setDiagnostics, lintGutter } from "@codemirror/lint";
import { tags } from "@lezer/highlight";
import "./style.css";

// ── Talking to the server ───────────────────────────────────────────────────────────────

const token = new URLSearchParams(location.search).get("token");

async function call(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method, headers, body: body && JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error ? answer.error.message : `${response.status}`);
  return answer;
}

// ── The language, for highlighting (the same forms as the VS Code grammar) ────────────────

const KEYWORDS = new Set(("policy module include use schema field let deadline actions kind decision rule guard table capacity priority desc asc day " +
  "when then otherwise if else where per forbid gives first unique every match one of list optional action keyed borrowers by").split(" "));
const OPERATORS = new Set("and or not in is present missing".split(" "));
const TYPES = new Set("text bool integer money date days time".split(" "));
const CONSTANTS = new Set("true false nothing as_of 评估日".split(" "));

const arrears = StreamLanguage.define({
  name: "arrears",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^#.*/)) return "comment";
    if (stream.match(/^"(?:[^"\\]|\\.)*"?/) || stream.match(/^“[^”]*”?/)) return "string";
    if (stream.match(/^\d{4}-\d{2}-\d{2}/)) return "number";
    if (stream.match(/^\d{1,2}:\d{2}/)) return "number";
    if (stream.match(/^\d[\d_]*(?:\.\d+)?\s*(?:days?|天|日)?/)) return "number";
    if (stream.match(/^(?:>=|<=|!=|==|[=<>≥≤≠+\-|])/)) return "operator";
    const word = stream.match(/^[\p{L}_][\p{L}\p{N}_]*/u);
    if (word) {
      const w = word[0];
      if (KEYWORDS.has(w)) return "keyword";
      if (OPERATORS.has(w)) return "operatorKeyword";
      if (TYPES.has(w)) return "typeName";
      if (CONSTANTS.has(w)) return "atom";
      return "variableName";
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "#" } },
});

const colours = HighlightStyle.define([
  { tag: tags.comment, color: "#6a737d", fontStyle: "italic" },
  { tag: tags.string, color: "#032f62" },
  { tag: tags.number, color: "#005cc5" },
  { tag: tags.keyword, color: "#d73a49", fontWeight: "600" },
  { tag: tags.operatorKeyword, color: "#d73a49" },
  { tag: tags.typeName, color: "#6f42c1" },
  { tag: tags.atom, color: "#e36209" },
  { tag: tags.variableName, color: "#24292e" },
]);

// ── The page's own words: Chinese for a Chinese policy or a Chinese browser ────────────────

const session = await call("GET", "/api/session");
const zh = session.lang === "zh" || navigator.language.startsWith("zh");
const WORDS = {
  format: "格式化", analyse: "静态分析", save: "保存", problems: "问题", run: "试运行", explain: "解释",
  impact: "变更影响", tests: "测试", "as-of": "评估日", "run-go": "用样本贷款数据试运行", loan: "贷款编号",
  "impact-go": "比较编辑内容与已保存的文件", book: "贷款数据", revision: "或与 git 版本比较", "explain-witness": "解释此贷款", "tests-go": "运行政策的测试用例（已保存的文件）",
  "no errors": "没有错误", errors: "个错误", saved: "已保存", "saved with": "已保存，但有",
  "loans change": "笔贷款的结果改变", of: "笔中有", before: "之前", after: "之后", loans: "笔数", amount: "金额",
};
const word = (key, english) => (zh && WORDS[key]) || english;
if (zh) {
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = word(element.dataset.i18n, element.textContent);
  }
}

// ── Files and the editor ────────────────────────────────────────────────────────────────

const states = new Map();
const saved = new Map();
let current = session.policy;
let timer = null;
let lastCheck = 0;

function texts() {
  const out = {};
  for (const [name, state] of states) out[name] = state.doc.toString();
  return out;
}

function stateFor(name, text) {
  return EditorState.create({
    doc: text,
    extensions: [
      basicSetup,
      arrears,
      syntaxHighlighting(colours),
      lintGutter(),
      EditorView.lineWrapping,
      EditorView.updateListener.of((update) => {
        if (update.docChanged) {
          markDirty();
          clearTimeout(timer);
          timer = setTimeout(() => check(false), 250);
        }
      }),
    ],
  });
}

for (const file of session.files) {
  states.set(file.name, stateFor(file.name, file.text));
  saved.set(file.name, file.text);
}

const view = new EditorView({ state: states.get(current), parent: document.getElementById("editor") });
window.workbench = { view };

function renderFiles() {
  const nav = document.getElementById("files");
  nav.replaceChildren();
  for (const name of states.keys()) {
    const button = document.createElement("button");
    const dirty = states.get(name).doc.toString() !== saved.get(name);
    button.textContent = name + (dirty ? " ●" : "");
    button.className = name === current ? "on" : "";
    button.onclick = () => open(name);
    nav.append(button);
  }
}

function open(name) {
  states.set(current, view.state);
  current = name;
  view.setState(states.get(name));
  renderFiles();
  check(false);
}

function markDirty() {
  states.set(current, view.state);
  renderFiles();
}

function say(text) {
  document.getElementById("status").textContent = text;
}

// ── Problems ────────────────────────────────────────────────────────────────────────────

async function check(analyse) {
  states.set(current, view.state);
  const asked = ++lastCheck;
  let answer;
  try {
    answer = await call("POST", "/api/check", { file: current, texts: texts(), analyse });
  } catch (error) {
    say(error.message);
    return;
  }
  // An answer overtaken by a newer check is of a text that is gone.
  if (asked !== lastCheck) return;
  const here = answer.diagnostics.filter((d) => d.file === current);
  const length = view.state.doc.length;
  view.dispatch(setDiagnostics(view.state, here.map((d) => ({
    from: Math.min(d.from, length),
    to: Math.min(Math.max(d.to, d.from), length),
    severity: d.severity,
    source: d.code,
    message: d.help ? `${d.code}: ${d.message}\n${d.help}` : `${d.code}: ${d.message}`,
    actions: d.fix ? [{ name: d.fix.label, apply: (v, from, to) => v.dispatch({ changes: { from, to, insert: d.fix.insert } }) }] : [],
  }))));
  renderProblems(answer.diagnostics, answer.witnesses);
}

function renderProblems(diagnostics, witnesses) {
  const list = document.getElementById("problem-list");
  list.replaceChildren();
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  document.getElementById("count").textContent = diagnostics.length ? `(${diagnostics.length})` : "";
  say(errors ? (zh ? `${errors} ${WORDS.errors}` : `${errors} error(s)`) : word("no errors", "no errors"));
  for (const d of diagnostics) {
    const item = document.createElement("li");
    item.className = d.severity;
    const where = document.createElement("a");
    where.href = "#";
    where.textContent = `${d.file ?? ""}:${d.line} ${d.code}`;
    where.onclick = (event) => {
      event.preventDefault();
      if (d.file && d.file !== current && states.has(d.file)) open(d.file);
      view.dispatch({ selection: { anchor: Math.min(d.from, view.state.doc.length) }, scrollIntoView: true });
      view.focus();
    };
    const message = document.createElement("span");
    message.textContent = ` ${d.message}`;
    item.append(where, message);
    if (d.help) {
      const help = document.createElement("div");
      help.className = "help";
      help.textContent = d.help;
      item.append(help);
    }
    if (d.fix && d.file === current) {
      const fix = document.createElement("button");
      fix.className = "fix";
      fix.textContent = d.fix.label;
      fix.onclick = () => view.dispatch({ changes: { from: d.from, to: d.to, insert: d.fix.insert } });
      item.append(fix);
    }
    list.append(item);
  }
  const box = document.getElementById("witnesses");
  box.replaceChildren();
  for (const w of witnesses || []) {
    const row = document.createElement("div");
    row.className = "witness";
    const title = document.createElement("b");
    title.textContent = `${w.name} (as of ${w.as_of}): `;
    const record = document.createElement("code");
    record.textContent = w.record;
    const go = document.createElement("button");
    go.textContent = word("explain-witness", "explain this loan");
    go.onclick = () => explain(w.loan, w);
    row.append(title, go, document.createElement("br"), record);
    box.append(row);
  }
}

// ── Toolbar ─────────────────────────────────────────────────────────────────────────────

document.getElementById("format").onclick = async () => {
  try {
    const { text } = await call("POST", "/api/format", { file: current, texts: texts() });
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  } catch (error) {
    say(error.message);
  }
};
document.getElementById("analyse").onclick = () => check(true);
document.getElementById("save").onclick = async () => {
  states.set(current, view.state);
  const answer = await call("POST", "/api/save", { file: current, texts: texts() });
  saved.set(current, view.state.doc.toString());
  renderFiles();
  say(answer.errors
    ? (zh ? `${WORDS["saved with"]} ${answer.errors} ${WORDS.errors}` : `saved with ${answer.errors} error(s)`)
    : word("saved", "saved"));
  check(true);
};

// ── Panels ──────────────────────────────────────────────────────────────────────────────

for (const tab of document.querySelectorAll("#tabs button")) {
  tab.onclick = () => show(tab.dataset.tab);
}

function show(name) {
  for (const tab of document.querySelectorAll("#tabs button")) tab.classList.toggle("on", tab.dataset.tab === name);
  for (const panel of document.querySelectorAll(".panel")) panel.classList.toggle("on", panel.id === name);
}

const asOf = document.getElementById("as-of");
asOf.value = session.as_of || "";
const book = document.getElementById("book");
for (const name of session.books || []) {
  const option = document.createElement("option");
  option.value = option.textContent = name;
  option.selected = name === session.portfolio;
  book.append(option);
}
/** What every call about the sample book sends besides the texts. */
const sample = () => ({ as_of: asOf.value, book: book.value || undefined });

document.getElementById("run-go").onclick = async () => {
  const note = document.getElementById("run-note");
  const progress = document.getElementById("run-progress");
  note.textContent = "";
  progress.value = 0;
  let job;
  try {
    ({ job } = await call("POST", "/api/report", { file: current, texts: texts(), ...sample() }));
  } catch (error) {
    note.textContent = error.message;
    return;
  }
  for (;;) {
    const state = await call("GET", `/api/jobs/${job}`);
    progress.value = state.total ? state.read / state.total : 0;
    if (state.done) {
      progress.value = 1;
      if (state.error) note.textContent = state.error;
      else document.getElementById("report").srcdoc = state.html;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
};

async function explain(loan, witness) {
  show("explain");
  document.getElementById("loan").value = loan;
  const out = document.getElementById("explanation");
  out.textContent = "…";
  const asked = witness
    ? { file: current, texts: texts(), as_of: witness.as_of, record: witness.record }
    : { file: current, texts: texts(), ...sample(), loan };
  try {
    const { text } = await call("POST", "/api/explain", asked);
    out.textContent = text;
  } catch (error) {
    out.textContent = error.message;
  }
}
document.getElementById("explain-go").onclick = () => explain(document.getElementById("loan").value.trim());

document.getElementById("impact-go").onclick = async () => {
  const out = document.getElementById("impact-out");
  out.textContent = "…";
  let impact;
  try {
    const revision = document.getElementById("revision").value.trim() || undefined;
    impact = await call("POST", "/api/impact", { file: current, texts: texts(), ...sample(), revision });
  } catch (error) {
    out.textContent = error.message;
    return;
  }
  out.replaceChildren();
  const headline = document.createElement("p");
  const money = Object.entries(impact.changed.by_currency).map(([c, t]) => `(${t.amount} ${c})`).join(" ");
  headline.textContent = zh
    ? `${impact.compared.loans} ${WORDS.of} ${impact.changed.loans} ${WORDS["loans change"]} ${money}`
    : `${impact.changed.loans} of ${impact.compared.loans} loans change ${money}`;
  out.append(headline);
  for (const matrix of impact.transitions) {
    const moved = matrix.cells.filter((c) => c.before !== c.after);
    if (!moved.length) continue;
    const table = document.createElement("table");
    table.className = "matrix";
    table.innerHTML = `<caption>${escape(matrix.name)}</caption><tr>` +
      ["before", "after", "loans", "amount"].map((k) => `<th>${word(k, k)}</th>`).join("") + "</tr>";
    for (const cell of moved) {
      const row = table.insertRow();
      const money = Object.entries(cell.by_currency).map(([c, t]) => `${t.amount} ${c}`).join(", ");
      for (const text of [cell.before, cell.after, cell.loans, money]) row.insertCell().textContent = text;
    }
    out.append(table);
  }
  const list = document.createElement("ul");
  list.className = "changed";
  for (const loan of impact.loans.slice(0, 200)) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#";
    link.textContent = loan.loan_id;
    link.onclick = (event) => {
      event.preventDefault();
      explain(loan.loan_id);
    };
    const what = loan.decisions.map((d) => `${d.decision}: ${d.before} → ${d.after}`).join("; ");
    item.append(link, document.createTextNode(` ${what} (${loan.amount} ${loan.currency})`));
    list.append(item);
  }
  out.append(list);
};

document.getElementById("tests-go").onclick = async () => {
  const out = document.getElementById("tests-out");
  out.textContent = "…";
  try {
    out.textContent = (await call("POST", "/api/tests", { file: current })).text;
  } catch (error) {
    out.textContent = error.message;
  }
};

function escape(text) {
  return String(text).replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]);
}

renderFiles();
check(true);
