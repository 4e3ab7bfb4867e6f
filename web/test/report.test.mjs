// `arrears report --html` in Debian's Chromium: the SME policy's field-team capacity and the
// roll rates from the sample to its second snapshot a month later, as a risk officer opens
// the file. The page must draw the capacity bars and the roll matrix, with every number the
// JSON report gives. Screenshots go to test/artifacts/.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const arrears = process.env.ARREARS || join(root, "target", "debug", "arrears");
const artifacts = join(here, "artifacts");
const portfolios = join(root, "examples", "portfolios");

test("the HTML report shows each region's queue and the roll matrix", async () => {
  mkdirSync(artifacts, { recursive: true });
  const folder = mkdtempSync(join(tmpdir(), "arrears-report-"));
  const html = join(folder, "report.html");
  const args = [
    "report", join(root, "policies", "小微企业催收.policy"),
    join(portfolios, "retail-sample-next.jsonl"), "--as-of", "2026-12-20",
    "--previous", join(portfolios, "retail-sample.jsonl"), "--previous-as-of", "2026-11-20",
    "--overdue", "逾期天数", "--classification", "五级分类", "--amount", "本金余额",
    "--currency", "币种", "--quiet",
  ];
  const json = JSON.parse(execFileSync(arrears, [...args, "--format", "json"], { encoding: "utf8" }));
  execFileSync(arrears, [...args, "--html", html], { encoding: "utf8" });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.goto(pathToFileURL(html).href);
    // The capacity: one row per region that asked for visits, each with its bar.
    const capacity = json.tables.capacities[0];
    const rows = page.locator("table.capacity tr:has(td)");
    assert.equal(await rows.count(), capacity.groups.length);
    for (const [index, group] of capacity.groups.entries()) {
      const cells = await rows.nth(index).locator("td").allTextContents();
      assert.equal(cells[0], group.group);
      assert.equal(cells[2], String(group.demand.loans));
      assert.equal(cells[3], String(group.taken));
      assert.equal(cells[4], String(group.queued.loans));
      const bars = rows.nth(index).locator("svg rect");
      assert.equal(await bars.count(), 2);
      const taken = Number(await bars.nth(0).getAttribute("width"));
      const queued = Number(await bars.nth(1).getAttribute("width"));
      assert.ok(group.queued.loans === 0 ? queued === 0 : queued > 0, `${group.group}: queued bar`);
      assert.ok(taken > 0, `${group.group}: taken bar`);
    }
    await page.locator("table.capacity").first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, "report-capacity.png") });

    // The roll matrix: buckets and `new` down, buckets and `closed` across, every row's
    // total the loans it held.
    const matrix = page.locator("table.roll");
    await matrix.scrollIntoViewIfNeeded();
    const text = await matrix.textContent();
    assert.match(text, /新增/);
    assert.match(text, /结清或移出/);
    const counts = await matrix.locator("td").allTextContents();
    const total = counts.map((c) => Number(c.replace(/,/g, ""))).reduce((a, b) => a + b, 0);
    assert.equal(total, json.roll.previous.loans + json.roll.current.loans
      - json.roll.cells.filter((c) => c.from !== "new" && c.to !== "closed")
        .reduce((n, c) => n + c.after.loans, 0));
    await page.screenshot({ path: join(artifacts, "report-roll.png"), fullPage: false });
    const movements = await page.locator("h3", { hasText: "各逾期档的去向" }).count();
    assert.equal(movements, 1);
  } finally {
    await browser.close();
  }
});
