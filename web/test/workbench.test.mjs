// The workbench end to end: the real `arrears serve` (`$ARREARS`, or the repository's debug
// build) over a copy of the shipped policies, driven in Debian's Chromium (`$CHROMIUM`, or
// /usr/bin/chromium) by playwright-core, as a risk officer uses it: a misspelt field is
// underlined with its fix, the fix is clicked, the dry run shows the action mix, a loan is
// explained, a threshold is changed and the impact shown, Chinese names are typed into the SME
// policy, and the policy's tests run. Screenshots go to test/artifacts/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const arrears = process.env.ARREARS || join(root, "target", "debug", "arrears");
const artifacts = join(here, "artifacts");

/** `arrears serve` over a copy of policies/, and the address it listens on. */
async function serve(policy = "retail.policy") {
  const folder = mkdtempSync(join(tmpdir(), "arrears-bench-"));
  for (const name of readdirSync(join(root, "policies"))) cpSync(join(root, "policies", name), join(folder, name));
  const child = spawn(arrears, [
    "serve", join(folder, policy),
    "--portfolio", join(root, "examples", "portfolios", "retail-sample.jsonl"),
    "--as-of", "2026-11-20", "--bind", "127.0.0.1:0",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const address = await new Promise((resolve, reject) => {
    let log = "";
    child.stderr.on("data", (chunk) => {
      log += chunk;
      const found = log.match(/listening on (http:\/\/\S+)/);
      if (found) resolve(found[1]);
    });
    child.on("exit", (code) => reject(new Error(`the server stopped (${code}): ${log}`)));
  });
  return { child, folder, address };
}

/** Moves the editor's cursor into the first `needle`, `within` characters from its start
 * (its end when not given). */
async function cursorAfter(page, needle, within = needle.length) {
  await page.evaluate(([needle, within]) => {
    const view = window.workbench.view;
    const at = view.state.doc.toString().indexOf(needle);
    if (at < 0) throw new Error(`no ${needle}`);
    view.dispatch({ selection: { anchor: at + within } });
    view.focus();
  }, [needle, within]);
}

function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A page of the workbench over `policy`, in a browser of its own; both end with the test. */
async function open(t, policy) {
  mkdirSync(artifacts, { recursive: true });
  const { child, folder, address } = await serve(policy);
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    child.kill();
    rmSync(folder, { recursive: true, force: true });
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  return { page, address };
}

test("a risk officer's session in the workbench", { timeout: 180000 }, async (t) => {
  const { page, address } = await open(t);
  const failures = [];
  page.on("pageerror", (error) => failures.push(error.message));
  // Nothing may be fetched from anywhere but the server: the page works with no network.
  const elsewhere = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(address) && !request.url().startsWith("data:") && !request.url().startsWith("about:")) {
      elsewhere.push(request.url());
    }
  });
  await page.goto(address);
  await page.waitForSelector(".cm-content");
  await page.waitForFunction(() => document.getElementById("status").textContent === "no errors");

  // A misspelt field: `willingness` loses its last letter in rule T7.
  await cursorAfter(page, "overdue > 90 days and willingness");
  await page.keyboard.press("Backspace");
  const problem = page.locator("#problem-list li.error", { hasText: "E201" });
  await problem.waitFor();
  assert.match(await problem.textContent(), /willingnes/);
  const fix = problem.locator("button.fix");
  assert.equal(await fix.textContent(), "replace with `willingness`");
  await page.waitForSelector(".cm-lintRange-error");
  await page.screenshot({ path: join(artifacts, "1-misspelt-field.png") });
  await fix.click();
  await page.waitForFunction(() => document.getElementById("status").textContent === "no errors");
  assert.ok((await page.evaluate(() => window.workbench.view.state.doc.toString())).includes("and willingness = refuses"));

  // The dry run over the sample: the report with its action-mix chart.
  await page.click("#tabs button[data-tab=run]");
  await page.click("#run-go");
  const report = page.frameLocator("#report");
  await report.locator("svg").first().waitFor({ timeout: 60000 });
  const reportText = await report.locator("body").textContent();
  assert.match(reportText, /reconciled/i);
  assert.match(reportText, /litigation/);
  await page.screenshot({ path: join(artifacts, "2-dry-run.png") });

  // A loan explained: each rule tried, with the comparison that failed.
  await page.click("#tabs button[data-tab=explain]");
  await page.fill("#loan", "L00001");
  await page.click("#explain-go");
  await page.waitForFunction(() => document.getElementById("explanation").textContent.includes("derived values"));
  const explanation = await page.textContent("#explanation");
  assert.match(explanation, /overdue = \d+ days/);
  assert.match(explanation, /needs/);
  await page.screenshot({ path: join(artifacts, "3-explain.png") });

  // A threshold changed (court after 60 days instead of 90): the impact on the sample.
  await cursorAfter(page, "overdue > 90 days and willingness", "overdue > 9".length);
  await page.keyboard.press("Backspace");
  await page.keyboard.type("6");
  await page.click("#tabs button[data-tab=impact]");
  await page.click("#impact-go");
  await page.waitForSelector("table.matrix", { timeout: 60000 });
  const impact = await page.textContent("#impact-out");
  assert.ok(/\d+ of 3000 loans change/.test(impact), impact.slice(0, 200));
  assert.ok(impact.includes("treatment") && impact.includes("litigation"), impact.slice(0, 400));
  await page.screenshot({ path: join(artifacts, "4-impact.png") });
  // A changed loan opens its explanation.
  await page.locator("ul.changed a").first().click();
  await page.waitForFunction(() => document.getElementById("explanation").textContent.includes("derived values"));

  // The SME policy, in Chinese: a value typed with Chinese names checks clean; a misspelt
  // Chinese field is reported in Chinese with its fix.
  await page.click("#files button:has-text('小微企业催收.policy')");
  await page.click("#tabs button[data-tab=problems]");
  await page.waitForFunction(() => document.getElementById("status").textContent === "no errors");
  await cursorAfter(page, "else 0天\n");
  await page.keyboard.insertText("\nlet 逾期两周以上 \"逾期超过14天\" = 逾期天数 > 14天\n");
  await page.waitForFunction(() => document.getElementById("status").textContent === "no errors");
  await page.keyboard.insertText("let 停业 = 经营状态 = 停止经营\n");
  const chinese = page.locator("#problem-list li.error", { hasText: "经营状态" });
  await chinese.waitFor();
  assert.match(await chinese.textContent(), /未知名称/);
  assert.equal(await chinese.locator("button.fix").textContent(), "改为 `经营状况`");
  await page.screenshot({ path: join(artifacts, "5-chinese.png") });
  await chinese.locator("button.fix").click();
  await page.waitForFunction(() => document.getElementById("status").textContent.includes("no errors"));

  // The policy's own tests.
  await page.click("#tabs button[data-tab=tests]");
  await page.click("#tests-go");
  await page.waitForFunction(() => !["", "…"].includes(document.getElementById("tests-out").textContent));
  assert.match(await page.textContent("#tests-out"), /通过|passed/);
  await page.screenshot({ path: join(artifacts, "6-tests.png") });

  assert.deepEqual(failures, [], "no script errors on the page");
  assert.deepEqual(elsewhere, [], "nothing fetched from outside the server");
});

test("a Chinese policy gets a Chinese page", { timeout: 120000 }, async (t) => {
  const { page, address } = await open(t, "小微企业催收.policy");
  await page.goto(address);
  await page.waitForFunction(() => document.getElementById("status").textContent === "没有错误");
  assert.equal(await page.textContent("#tabs button[data-tab=run]"), "试运行");
  await page.click("#tabs button[data-tab=explain]");
  await page.fill("#loan", "L00002");
  await page.click("#explain-go");
  await page.waitForFunction(() => document.getElementById("explanation").textContent.includes("派生值"));
  await page.screenshot({ path: join(artifacts, "7-chinese-explain.png") });
});
