// `arrears lsp` end to end through the protocol library VS Code's own client is built on
// (vscode-languageserver-protocol over vscode-jsonrpc), starting the real binary as the
// extension does: initialize, open, edit, diagnostics with codes, hover, definition,
// references, completion in English and Chinese, rename, formatting, a quick fix, shutdown.
// The binary is `$ARREARS`, or the repository's debug build.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const rpc = require("vscode-languageserver-protocol/node");

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const arrears = process.env.ARREARS || join(root, "target", "debug", "arrears");

/** A started server, its connection, and the diagnostics it publishes, by URI. */
async function start() {
  const child = spawn(arrears, ["lsp"], { stdio: ["pipe", "pipe", "inherit"], env: { PATH: process.env.PATH } });
  const connection = rpc.createProtocolConnection(
    new rpc.StreamMessageReader(child.stdout),
    new rpc.StreamMessageWriter(child.stdin),
  );
  const published = new Map();
  const waiting = [];
  connection.onNotification(rpc.PublishDiagnosticsNotification.type, (params) => {
    published.set(params.uri, params);
    for (const w of [...waiting]) {
      if (w.uri === params.uri && w.wanted(params)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(params);
      }
    }
  });
  connection.listen();
  const init = await connection.sendRequest(rpc.InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: { general: { positionEncodings: ["utf-16"] } },
  });
  await connection.sendNotification(rpc.InitializedNotification.type, {});
  /** The next diagnostics for `uri` that `wanted` accepts (the last published, if it does). */
  const diagnostics = (uri, wanted = () => true) => {
    const last = published.get(uri);
    if (last && wanted(last)) return Promise.resolve(last);
    return new Promise((resolve, reject) => {
      waiting.push({ uri, wanted, resolve });
      setTimeout(() => reject(new Error(`no diagnostics for ${uri} in 20 s`)), 20000).unref();
    });
  };
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  const stop = async () => {
    await connection.sendRequest(rpc.ShutdownRequest.type);
    await connection.sendNotification(rpc.ExitNotification.type);
    assert.equal(await exited, 0, "the server exits cleanly");
    connection.dispose();
  };
  return { connection, init, diagnostics, stop };
}

/** The LSP position (UTF-16 units) of the `n`th `needle` in `text`, moved on by `shift` characters. */
function at(text, needle, n = 0, shift = 0) {
  let index = -1;
  for (let i = 0; i <= n; i++) {
    index = text.indexOf(needle, index + 1);
    assert.ok(index >= 0, `\`${needle}\` (${n}) in the text`);
  }
  index += shift;
  const before = text.slice(0, index);
  const line = before.split("\n").length - 1;
  const character = before.length - (before.lastIndexOf("\n") + 1);
  return { line, character };
}

function copies(...names) {
  const dir = mkdtempSync(join(tmpdir(), "arrears-lsp-"));
  for (const name of names) copyFileSync(join(root, "policies", name), join(dir, name));
  return dir;
}

test("an editor's session with the retail policy", async (t) => {
  const dir = copies("loan-v1.schema", "retail.policy");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "retail.policy");
  const uri = pathToFileURL(file).href;
  let text = readFileSync(file, "utf8");
  const server = await start();
  const { connection } = server;
  assert.equal(server.init.capabilities.positionEncoding, "utf-16");
  assert.ok(server.init.capabilities.renameProvider, "renames");

  await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "arrears", version: 1, text },
  });
  const clean = await server.diagnostics(uri);
  assert.deepEqual(clean.diagnostics.filter((d) => d.severity === 1), [], "no errors in the shipped policy");

  // One keystroke's worth of change, sent as VS Code sends it (a range and its new text).
  const slip = at(text, "willingness = refuses");
  await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: slip.line, character: slip.character + 10 }, end: { line: slip.line, character: slip.character + 11 } }, text: "" }],
  });
  const broken = await server.diagnostics(uri, (p) => p.version === 2);
  const e201 = broken.diagnostics.find((d) => d.code === "E201");
  assert.ok(e201, JSON.stringify(broken));
  assert.match(e201.message, /willingnes/);
  assert.match(e201.message, /did you mean `willingness`/);
  assert.deepEqual(e201.range.start, slip);

  // The quick fix puts the suggestion in.
  const actions = await connection.sendRequest(rpc.CodeActionRequest.type, {
    textDocument: { uri },
    range: e201.range,
    context: { diagnostics: [e201] },
  });
  const fix = actions.find((a) => a.title === "replace with `willingness`");
  assert.ok(fix, JSON.stringify(actions));
  const [edit] = fix.edit.changes[uri];
  assert.equal(edit.newText, "willingness");
  await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 3 },
    contentChanges: [{ range: edit.range, text: edit.newText }],
  });
  const fixed = await server.diagnostics(uri, (p) => p.version === 3);
  assert.deepEqual(fixed.diagnostics.filter((d) => d.severity === 1), []);

  // Hover, definition, references.
  const hover = await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: at(text, "when bankrupt", 0, 6) });
  assert.match(hover.contents.value, /field `bankrupt`/);
  const definition = await connection.sendRequest(rpc.DefinitionRequest.type, { textDocument: { uri }, position: at(text, "then litigation", 0, 6) });
  assert.deepEqual(definition.range.start, at(text, "litigation "));
  const references = await connection.sendRequest(rpc.ReferencesRequest.type, {
    textDocument: { uri },
    position: at(text, "then litigation", 0, 6),
    context: { includeDeclaration: true },
  });
  assert.ok(references.length >= 2, JSON.stringify(references));

  // Completion: the choices of `willingness` after `=`, actions after `then`.
  const choices = await connection.sendRequest(rpc.CompletionRequest.type, {
    textDocument: { uri },
    position: at(text, "willingness = refuses", 0, "willingness = ".length),
  });
  const labels = choices.map((c) => c.label);
  for (const choice of ["willing", "hesitant", "refuses", "拒绝"]) assert.ok(labels.includes(choice), `${choice} in ${labels}`);

  // Rename a decision's outcome value everywhere; renaming a field is refused, with the reason.
  const renamed = await connection.sendRequest(rpc.RenameRequest.type, {
    textDocument: { uri },
    position: at(text, "then substandard", 0, 6),
    newName: "substandard_loan",
  });
  const edits = renamed.changes[uri];
  assert.ok(edits.length >= 3 && edits.every((e) => e.newText === "substandard_loan"), JSON.stringify(edits));
  await assert.rejects(
    connection.sendRequest(rpc.RenameRequest.type, { textDocument: { uri }, position: at(text, "when bankrupt", 0, 6), newName: "insolvent" }),
    /named by the loan data/,
  );

  // Formatting is `arrears fmt`'s: the shipped policy is formatted already.
  const formatting = await connection.sendRequest(rpc.DocumentFormattingRequest.type, {
    textDocument: { uri },
    options: { tabSize: 2, insertSpaces: true },
  });
  assert.deepEqual(formatting, []);
  await server.stop();
});

test("a Chinese policy completes Chinese names and answers in Chinese", async (t) => {
  const dir = copies("loan-v1.schema", "guardrails.policy", "小微企业催收.policy");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "小微企业催收.policy");
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, "utf8");
  const server = await start();
  const { connection } = server;
  await connection.sendNotification(rpc.DidOpenTextDocumentNotification.type, {
    textDocument: { uri, languageId: "arrears", version: 1, text },
  });
  await server.diagnostics(uri);
  const items = await connection.sendRequest(rpc.CompletionRequest.type, {
    textDocument: { uri },
    position: at(text, "还款意愿 in [", 0, 3),
  });
  const labels = items.map((c) => c.label);
  assert.ok(labels.includes("还款意愿"), `${labels}`);
  assert.ok(labels.every((l) => l.startsWith("还款")), `${labels}`);
  const hover = await connection.sendRequest(rpc.HoverRequest.type, { textDocument: { uri }, position: at(text, "还款意愿 in [") });
  assert.match(hover.contents.value, /字段 `willingness`/);
  // A slip in Chinese is reported in Chinese, underlined on the right characters.
  const slip = at(text, "还款意愿 in [");
  await connection.sendNotification(rpc.DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: slip.line, character: slip.character + 3 }, end: { line: slip.line, character: slip.character + 4 } }, text: "原" }],
  });
  const found = await server.diagnostics(uri, (p) => p.version === 2);
  const e201 = found.diagnostics.find((d) => d.code === "E201");
  assert.ok(e201, JSON.stringify(found));
  assert.match(e201.message, /未知名称 `还款意原`/);
  assert.deepEqual(e201.range, { start: slip, end: { line: slip.line, character: slip.character + 4 } });
  await server.stop();
});
