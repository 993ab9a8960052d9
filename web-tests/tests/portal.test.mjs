// 政府数据开放: a reviewer of 市场监管局 opens the resource the demo left unreviewed (blocked until
// every flagged column is decided), then a visitor finds it on the portal, sees the preview with
// masked values, downloads the CSV (masked values masked, removed columns absent) and the
// statistics count it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { account, newPage, screenshots, signedIn } from "../lib/harness.mjs";

const REVIEWER = "scjgj_approver";

test("a reviewer opens data after the confidentiality review; the public reads it masked", async () => {
  const page = await signedIn(account(REVIEWER).username);
  page.on("dialog", (d) => d.accept());
  await page.goto("/console/open-reviews");
  assert.equal(await page.locator("h1").innerText(), "开放审查");
  const pending = page.locator("tr", { hasText: "待审查" }).first();
  const name = (await pending.locator("td a").innerText()).trim();
  const code = (await pending.locator("td.mono").innerText()).trim();
  await pending.locator("td a").click();
  await page.waitForURL("**/console/open-reviews/**");
  assert.equal(await page.locator("h1").innerText(), name);

  // Opening is refused while flagged columns are undecided.
  const columns = await page.locator("article.review-column h3").evaluateAll((hs) =>
    hs.map((h) => h.firstChild.textContent.trim()),
  );
  assert.ok(columns.length >= 1, "the scan flags at least one column");
  await page.getByRole("button", { name: "开放", exact: true }).click();
  await page.locator(".alert-error").waitFor();
  assert.match(await page.locator(".alert-error").innerText(), /尚未作出审查决定/);

  // Decide every column: the first removed, the others masked with the suggested rule (a
  // sign-off without a reason is refused first).
  const removed = columns[0];
  const masked = columns.slice(1);
  for (const [i, column] of columns.entries()) {
    const card = page.locator("article.review-column", { has: page.locator("h3", { hasText: column }) });
    if (i === 0) {
      await card.getByLabel("确认原样开放", { exact: true }).check();
      await card.getByRole("button", { name: "保存决定" }).click();
      await page.locator(".field-error").waitFor();
      assert.match(await page.locator(".field-error").innerText(), /须写明审查意见/);
      const again = page.locator("article.review-column", { has: page.locator("h3", { hasText: column }) });
      await again.getByLabel("不开放该列", { exact: true }).check();
      await again.getByRole("button", { name: "保存决定" }).click();
    } else {
      await card.getByLabel("脱敏开放", { exact: true }).check();
      await card.getByRole("button", { name: "保存决定" }).click();
    }
    await page.waitForURL("**?done=decide");
  }
  assert.equal(await page.locator("article.review-column.undecided").count(), 0);
  await screenshots(page, "console-open-review");
  await page.getByRole("button", { name: "开放", exact: true }).click();
  await page.waitForURL("**?done=open");
  assert.match(await page.locator("body").innerText(), /已向社会开放/);
  assert.deepEqual(page.errors, []);

  // A visitor: the home page, a search, the dataset.
  const visitor = await newPage();
  await visitor.goto("/");
  await screenshots(visitor, "portal-home");
  await visitor.getByLabel("搜索开放数据").fill(name);
  await visitor.getByRole("button", { name: "搜索" }).click();
  await visitor.waitForURL("**/datasets?q=**");
  await visitor.getByRole("link", { name }).first().click();
  await visitor.waitForURL(`**/datasets/${encodeURIComponent(code)}`);
  assert.equal(await visitor.locator("h1").innerText(), name);
  const preview = visitor.locator("table.preview");
  const headers = await preview.locator("thead th").allInnerTexts();
  assert.ok(!headers.includes(removed), `the removed column ${removed} is absent: ${headers}`);
  for (const m of masked) {
    const idx = headers.indexOf(m);
    assert.ok(idx >= 0, `the masked column ${m} is shown`);
    const values = await preview.locator(`tbody tr td:nth-child(${idx + 1})`).allInnerTexts();
    assert.ok(values.filter((v) => v).every((v) => v.includes("*")), `${m} is masked: ${values}`);
  }
  await screenshots(visitor, "portal-dataset");

  // The CSV download: the same columns, masked the same way.
  const [download] = await Promise.all([
    visitor.waitForEvent("download"),
    visitor.getByRole("link", { name: "下载 CSV" }).click(),
  ]);
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  const csv = readFileSync(path, "utf8").replace(/^\ufeff/, "");
  const [head, ...rows] = csv.trim().split(/\r?\n/);
  const cols = head.split(",");
  assert.ok(!cols.includes(removed), `no ${removed} in the CSV: ${head}`);
  for (const m of masked) {
    const idx = cols.indexOf(m);
    assert.ok(idx >= 0, `${m} in the CSV`);
    const values = rows.map((r) => r.split(",")[idx]).filter((v) => v);
    assert.ok(values.length > 0 && values.every((v) => v.includes("*")), `${m} masked in the CSV`);
  }

  // The statistics count the view and the download.
  await visitor.goto("/statistics");
  const row = visitor.locator("tr", { has: visitor.getByRole("link", { name, exact: true }) }).first();
  const cells = await row.locator("td.num").allInnerTexts();
  assert.ok(Number(cells[0]) >= 1 && Number(cells[1]) >= 1, `views and downloads counted: ${cells}`);
  await screenshots(visitor, "portal-statistics");
  assert.deepEqual(visitor.errors, []);
});

test("what is not opened is not on the portal", async () => {
  const visitor = await newPage();
  const res = await visitor.goto("/datasets/000000%2F000000");
  assert.equal(res.status(), 404);
  assert.match(await visitor.locator("body").innerText(), /不存在/);
  const bad = await visitor.goto("/datasets?cursor=zzz");
  assert.equal(bad.status(), 422);
});
