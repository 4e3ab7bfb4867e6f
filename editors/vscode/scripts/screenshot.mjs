// Draws the extension's screenshot (../screenshot.png): a Chinese policy with one slip, as
// this extension's grammar highlights it (vscode-textmate, the engine VS Code uses, coloured
// as VS Code's Dark+ theme colours those scopes), with the diagnostic and the hover the real
// `arrears lsp` sends for that text, rendered in headless Chromium. VS Code itself cannot be
// installed on our build machines; everything drawn here is the extension's own output.
//
//   ARREARS=../../target/debug/arrears CHROMIUM=/usr/bin/chromium node scripts/screenshot.mjs

import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const rpc = require("vscode-languageserver-protocol/node");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");
const { chromium } = require("playwright-core");

const here = dirname(fileURLToPath(import.meta.url));
const extension = join(here, "..");
const root = join(extension, "..", "..");
const arrears = process.env.ARREARS || join(root, "target", "debug", "arrears");

// The policy, with `还款意愿` misspelt in rule 处置4.
const original = readFileSync(join(root, "policies", "催收示例.policy"), "utf8");
const text = original.replace("and 还款意愿 = 拒绝 and 有可执行财产", "and 还款意原 = 拒绝 and 有可执行财产");
const dir = mkdtempSync(join(tmpdir(), "arrears-shot-"));
const file = join(dir, "催收示例.policy");
writeFileSync(file, text);
const uri = pathToFileURL(file).href;

function positionOf(needle, shift = 0) {
  const index = text.indexOf(needle) + shift;
  const before = text.slice(0, index);
  return { line: before.split("\n").length - 1, character: index - (before.lastIndexOf("\n") + 1) };
}

// What the server says about the text.
const child = spawn(arrears, ["lsp"], { stdio: ["pipe", "pipe", "inherit"] });
const connection = rpc.createProtocolConnection(new rpc.StreamMessageReader(child.stdout), new rpc.StreamMessageWriter(child.stdin));
const diagnostics = new Promise((resolve) => {
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, (p) => {
    if (p.uri === uri && p.diagnostics.length > 0) resolve(p.diagnostics);
  });
});
connection.listen();
await connection.sendRequest(rpc.InitializeRequest.type, { processId: process.pid, rootUri: null, capabilities: {} });
await connection.sendNotification(rpc.InitializedNotification.type, {});
await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: "arrears", version: 1, text } });
const [diagnostic] = await diagnostics;
const hoverAt = positionOf("or 逾期天数 > 360天", 3);
const hover = await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: hoverAt });
await connection.sendRequest(rpc.ShutdownRequest.type);
await connection.sendNotification(rpc.ExitNotification.type);

// The grammar's tokens.
await oniguruma.loadWASM(readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer);
const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (p) => new oniguruma.OnigScanner(p),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async () => vsctm.parseRawGrammar(readFileSync(join(extension, "syntaxes", "arrears.tmLanguage.json"), "utf8"), "g.json"),
});
const grammar = await registry.loadGrammar("source.arrears");

// Dark+'s colours for the scopes the grammar gives, most specific first.
const colours = [
  ["comment", "#6A9955"], ["string", "#CE9178"], ["constant.numeric", "#B5CEA8"],
  ["constant.language", "#569CD6"], ["keyword.control", "#C586C0"], ["keyword.operator.word", "#569CD6"],
  ["keyword.operator", "#D4D4D4"], ["keyword", "#569CD6"], ["storage.type", "#569CD6"],
  ["entity.name.function", "#DCDCAA"], ["support.function", "#DCDCAA"], ["entity.name.type", "#4EC9B0"],
  ["entity.name.namespace", "#4EC9B0"], ["support.type", "#4EC9B0"], ["variable.other.enummember", "#4FC1FF"],
  ["variable", "#9CDCFE"],
];
const colourOf = (scopes) => {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const found = colours.find(([prefix]) => scopes[i].startsWith(prefix));
    if (found) return found[1];
  }
  return "#D4D4D4";
};
const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const lines = text.split("\n");
const first = 17, last = 44;
let stack = vsctm.INITIAL;
let body = "";
lines.forEach((line, number) => {
  const { tokens, ruleStack } = grammar.tokenizeLine(line, stack);
  stack = ruleStack;
  if (number < first || number > last) return;
  let html = "";
  for (const token of tokens) {
    const piece = line.slice(token.startIndex, token.endIndex);
    let inner = escape(piece);
    const r = diagnostic.range;
    if (number === r.start.line && token.startIndex <= r.start.character && r.start.character < token.endIndex) {
      const a = r.start.character - token.startIndex, b = r.end.character - token.startIndex;
      inner = escape(piece.slice(0, a)) + `<span class="squiggle">${escape(piece.slice(a, b))}</span>` + escape(piece.slice(b));
    }
    html += `<span style="color:${colourOf(token.scopes)}">${inner}</span>`;
  }
  const marker = number === hoverAt.line ? ' id="hover-line"' : "";
  body += `<div class="line"${marker}><span class="number">${number + 1}</span>${html || "&nbsp;"}</div>\n`;
});

// The hover's Markdown, as VS Code renders its few forms: bold, code, a fenced block, rules.
const markdown = (md) => md
  .split(/```arrears\n([\s\S]*?)\n```/)
  .map((part, i) => i % 2 === 1
    ? `<pre>${escape(part)}</pre>`
    : escape(part)
        .replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")
        .replace(/`([^`]+)`/g, "<code>$1</code>")
        .replace(/\n---\n/g, "<hr>")
        .replace(/\n\n/g, "<br>"))
  .join("");

const page = `<!doctype html><meta charset="utf-8"><style>
  body { margin: 0; background: #1e1e1e; font: 14px/20px "Noto Sans Mono CJK SC", "DejaVu Sans Mono", monospace; color: #d4d4d4; width: 1180px; }
  .tab { background: #252526; color: #fff; padding: 8px 16px; font-family: "Noto Sans CJK SC", sans-serif; font-size: 13px; border-bottom: 1px solid #333; }
  .tab b { color: #e2c08d; font-weight: normal; margin-left: 8px; }
  .editor { padding: 8px 0; position: relative; }
  .line { white-space: pre; height: 20px; }
  .number { display: inline-block; width: 48px; text-align: right; padding-right: 24px; color: #858585; }
  .squiggle { text-decoration: underline wavy #f14c4c; text-decoration-skip-ink: none; text-underline-offset: 3px; }
  .hover { position: absolute; left: 330px; width: 620px; background: #252526; border: 1px solid #454545; padding: 8px 12px;
           font: 13px/19px "Noto Sans CJK SC", sans-serif; box-shadow: 0 2px 8px #000; }
  .hover pre { background: #1e1e1e; padding: 6px 8px; margin: 6px 0; font: 13px/18px "Noto Sans Mono CJK SC", monospace; color: #d4d4d4; white-space: pre-wrap; }
  .hover code { font-family: "Noto Sans Mono CJK SC", monospace; color: #d7ba7d; }
  .hover hr { border: 0; border-top: 1px solid #454545; }
  .panel { border-top: 1px solid #333; background: #1e1e1e; padding: 6px 16px 12px; font: 13px/19px "Noto Sans CJK SC", sans-serif; }
  .panel .title { color: #e7e7e7; font-size: 11px; letter-spacing: 1px; margin-bottom: 6px; }
  .panel .error::before { content: "⊗ "; color: #f14c4c; }
  .panel .where { color: #858585; margin-left: 8px; }
</style>
<div class="tab">催收示例.policy <b>1</b></div>
<div class="editor">${body}<div class="hover" id="hover">${markdown(hover.contents.value)}</div></div>
<div class="panel"><div class="title">PROBLEMS</div>
<div class="error">${escape(diagnostic.message.split("\n")[0])} <span class="where">arrears(${diagnostic.code}) [Ln ${diagnostic.range.start.line + 1}, Col ${diagnostic.range.start.character + 1}]</span></div>
<div class="where" style="margin-left:18px">${escape(diagnostic.message.split("\n").slice(1).join(" "))}</div></div>`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const tab = await browser.newPage({ viewport: { width: 1180, height: 760 } });
await tab.setContent(page);
// The hover sits under the line it explains, as VS Code places it.
await tab.evaluate(() => {
  const line = document.getElementById("hover-line");
  document.getElementById("hover").style.top = `${line.offsetTop + 22}px`;
});
await tab.screenshot({ path: join(extension, "screenshot.png"), fullPage: true });
await browser.close();
console.log(`screenshot.png: ${diagnostic.code} at line ${diagnostic.range.start.line + 1}; hover ${hover.contents.value.split("\n")[0]}`);
