// The TextMate grammar, run by the engine VS Code runs it with (vscode-textmate over the
// Oniguruma regular expressions compiled to WebAssembly): the shipped policies and schema
// tokenise as the snapshots in test/snapshots say, and the forms the language has (keywords,
// comments, strings, `30 days` and `30天`, dates, times, money, rule and action names) get
// the scopes a theme colours. `UPDATE_SNAPSHOTS=1 npm test` rewrites the snapshots.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, readdirSync, existsSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const here = dirname(fileURLToPath(import.meta.url));
const extension = join(here, "..");
const root = join(extension, "..", "..");

async function grammar() {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== "source.arrears") return null;
      const text = readFileSync(join(extension, "syntaxes", "arrears.tmLanguage.json"), "utf8");
      return vsctm.parseRawGrammar(text, "arrears.tmLanguage.json");
    },
  });
  return registry.loadGrammar("source.arrears");
}

/** Each line's tokens that carry a scope of their own, as `text  scope`. */
function tokenise(g, text) {
  let stack = vsctm.INITIAL;
  const out = [];
  text.split("\n").forEach((line, number) => {
    const result = g.tokenizeLine(line, stack);
    stack = result.ruleStack;
    const tokens = result.tokens
      .map((t) => ({
        text: line.slice(t.startIndex, t.endIndex),
        scope: t.scopes.filter((s) => s !== "source.arrears").join(" "),
      }))
      .filter((t) => t.text.trim() !== "" && t.scope !== "");
    if (tokens.length === 0) return;
    out.push(`${number + 1}: ${line}`);
    for (const t of tokens) out.push(`    ${JSON.stringify(t.text)}  ${t.scope}`);
  });
  return out.join("\n") + "\n";
}

/** The scope of the first token of `line` whose text is `text`. */
function scopeOf(g, line, text) {
  const { tokens } = g.tokenizeLine(line, vsctm.INITIAL);
  const found = tokens.find((t) => line.slice(t.startIndex, t.endIndex) === text);
  return found ? found.scopes[found.scopes.length - 1] : undefined;
}

test("the shipped policies and schema tokenise as their snapshots say", async () => {
  const g = await grammar();
  const snapshots = join(here, "snapshots");
  if (!existsSync(snapshots)) mkdirSync(snapshots);
  const shipped = readdirSync(join(root, "policies")).filter((f) => /\.(policy|schema)$/.test(f));
  assert.ok(shipped.length >= 5, `shipped files: ${shipped}`);
  for (const name of shipped) {
    const tokens = tokenise(g, readFileSync(join(root, "policies", name), "utf8"));
    const snapshot = join(snapshots, `${name}.tokens`);
    if (process.env.UPDATE_SNAPSHOTS === "1") {
      writeFileSync(snapshot, tokens);
    }
    assert.equal(tokens, readFileSync(snapshot, "utf8"), `tokens of ${name} differ from ${snapshot}`);
  }
});

test("each form of the language gets its scope", async () => {
  const g = await grammar();
  const cases = [
    ["# a comment", "# a comment", "comment.line.number-sign.arrears"],
    ['rule T7 "refuses" when overdue > 90 days then litigation', "T7", "entity.name.function.rule.arrears"],
    ['rule T7 "refuses" when overdue > 90 days then litigation', "litigation", "entity.name.function.action.arrears"],
    ['rule T7 "refuses" when overdue > 90 days then litigation', "90 days", "constant.numeric.days.arrears"],
    ['rule T7 "refuses" when overdue > 90 days then litigation', "when", "keyword.control.arrears"],
    ["  rule 规则1 when 逾期天数 > 30天 then 电话催收", "30天", "constant.numeric.days.arrears"],
    ["  rule 规则1 when 逾期天数 > 30天 then 电话催收", "电话催收", "entity.name.function.action.arrears"],
    ["  rule 规则1 when 逾期天数 > 30天 then 电话催收", "规则1", "entity.name.function.rule.arrears"],
    ["  rule R when due_date < 2026-11-20 then call", "2026-11-20", "constant.numeric.date.arrears"],
    ["guard G when contact_time > 22:00 forbid phone_call, visits", "22:00", "constant.numeric.time.arrears"],
    ["guard G when contact_time > 22:00 forbid phone_call, visits", "visits", "entity.name.function.action.arrears"],
    ["guard G when contact_time > 22:00 forbid phone_call, visits", "G", "entity.name.function.guard.arrears"],
    ["  rule R when principal_outstanding >= 500000.00 then call", "500000.00", "constant.numeric.arrears"],
    ['let overdue "days overdue" = as_of - due', "overdue", "variable.other.definition.arrears"],
    ['let overdue "days overdue" = as_of - due', '"', "string.quoted.double.arrears"],
    ["let n = count(promises where not kept)", "count", "support.function.arrears"],
    ["kind contact: phone_reminder, visits", "visits", "entity.name.function.action.arrears"],
    ["decision d: first match, gives one of normal, loss", "loss", "variable.other.enummember.outcome.arrears"],
    ["  field overdue_since (逾期起始日): optional date", "date", "support.type.arrears"],
    ["  rule T5 when overdue = 0 days then nothing", "nothing", "constant.language.nothing.arrears"],
    ["  table when 小微逾期", "table", "storage.type.table.arrears"],
  ];
  for (const [line, text, scope] of cases) {
    assert.equal(scopeOf(g, line, text), scope, `\`${text}\` in \`${line}\``);
  }
});
