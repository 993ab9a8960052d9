// The console's catalogue and data pages: search and open a resource, register one (a refusal
// shown next to its field, then success), and a data provider's freshness list and upload report.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { DESKTOP, PHONE, SCREENSHOTS, account, screenshots, signedIn } from "../lib/harness.mjs";

/** Screenshots of the page as it is now (the answer to a POST, which the harness's reload by URL
 * would lose), at desktop and phone size. */
async function screenshotsHere(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

/** A valid 18-digit 公民身份号码 (GB 11643 check digit) that the demo is unlikely to hold. */
function citizenId() {
  const seq = String(100 + Math.floor(Math.random() * 900));
  const body = `110105${1950 + Math.floor(Math.random() * 50)}0${1 + Math.floor(Math.random() * 9)}1${Math.floor(Math.random() * 9)}${seq}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return body + "10X98765432"[sum % 11];
}

/** The same id with a wrong check digit. */
function badCitizenId() {
  const id = citizenId();
  const last = id.at(-1) === "0" ? "1" : "0";
  return id.slice(0, 17) + last;
}

test("an editor searches the catalogue with facets and opens a resource", async () => {
  const page = await signedIn(account("gaj_editor").username);
  await page.goto("/console/catalog");
  await page.getByLabel("检索词").fill("户籍");
  await page.getByRole("button", { name: "检索" }).click();
  await page.waitForURL(/q=/);
  assert.ok((await page.locator(".results > li").count()) > 0, "results");
  assert.ok((await page.locator(".results mark").count()) > 0, "highlights");
  assert.match(await page.locator(".facets").innerText(), /共享类型/);
  // A facet narrows the results and keeps the query.
  await page.locator(".facets a", { hasText: "有条件共享" }).first().click();
  await page.waitForURL(/share_type=conditional/);
  assert.match(page.url(), /q=/);
  await screenshots(page, "console-catalog");
  await page.locator(".results h3 a").first().click();
  await page.waitForURL(/\/console\/catalog\/\d+%2F/);
  await page.locator("#history-h").waitFor();
  assert.match(await page.locator("main").innerText(), /信息资源分类[\s\S]*共享类型[\s\S]*信息项/);
  assert.deepEqual(page.errors, []);
  await screenshots(page, "console-resource");
});

test("registering a resource: the refusal sits next to the field, then it is saved", async () => {
  const page = await signedIn(account("gaj_editor").username);
  await page.goto("/console/catalog/new");
  const name = `浏览器登记测试资源${Date.now()}`;
  await page.getByLabel("信息资源分类", { exact: true }).selectOption("307001");
  await page.getByLabel("信息资源名称").fill(name);
  await page.getByLabel("信息资源摘要").fill("用于验证登记表单的测试资源。");
  await page.getByLabel("格式类型").fill("oracle");
  await page.getByLabel("第1行 信息项名称").fill("公民身份号码");
  await page.getByLabel("第1行 数据长度").fill("18");
  await page.getByLabel("第1行 主键").check();
  await page.getByLabel("第2行 信息项名称").fill("案件编号");
  await page.getByLabel("第2行 数据长度").fill("三十");
  await page.getByLabel("共享类型", { exact: true }).selectOption("not_shared");
  await page.getByRole("button", { name: "保存为草稿" }).click();
  await page.locator("#share_basis-error").waitFor();
  assert.match(await page.locator("#share_basis-error").innerText(), /不予共享的资源必须写明/);
  assert.match(await page.locator("#form-errors").innerText(), /数据长度“三十”应为正整数/);
  assert.equal(await page.getByLabel("信息资源名称").inputValue(), name, "what was typed is kept");
  assert.equal(await page.getByLabel("第2行 数据长度").inputValue(), "三十");
  await screenshotsHere(page, "console-resource-form-error");
  await page.getByLabel("第2行 数据长度").fill("30");
  await page.getByLabel("不予共享依据", { exact: true }).fill("《中华人民共和国反恐怖主义法》第四十八条");
  await page.getByRole("button", { name: "保存为草稿" }).click();
  await page.waitForURL(/\/console\/catalog\/307001%2F\d+\?done=created/);
  assert.match(await page.locator(".alert-ok").innerText(), /已登记为草稿/);
  assert.equal(await page.locator("h1").innerText(), name);
  assert.match(await page.locator("main").innerText(), /不予共享依据\s*《中华人民共和国反恐怖主义法》第四十八条/);
  assert.deepEqual(page.errors, []);
});

test("a data provider sees freshness, uploads a version and reads the rejected row", async () => {
  const page = await signedIn(account("gaj_provider").username);
  await page.goto("/console/data");
  await page.locator("h1", { hasText: "数据发布" }).waitFor();
  assert.ok((await page.locator(".fresh-table tbody tr").count()) > 0, "the department's resources");
  await screenshots(page, "console-data");
  await page.getByRole("link", { name: "上传数据：户籍注销信息" }).click();
  await page.waitForURL(/\/upload$/);
  const hint = await page.locator(".hint", { hasText: "文件的列名" }).innerText();
  const columns = hint.split("：")[1].split("。")[0].split("、");
  const value = (col, bad) => {
    if (col.includes("身份号码")) return bad ? badCitizenId() : citizenId();
    if (col.includes("日期")) return "2026-01-05";
    if (col.includes("姓名")) return bad ? "李四" : "张三";
    if (col.includes("原因")) return "01";
    return "示例市公安局";
  };
  const csv = [columns.join(","), columns.map((c) => value(c, false)).join(","), columns.map((c) => value(c, true)).join(",")].join("\n") + "\n";
  await page.getByLabel("追加").check();
  await page.getByLabel(/只发布通过校验的行/).check();
  await page.getByLabel("数据文件", { exact: true }).setInputFiles({ name: "test.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
  await page.getByRole("button", { name: "上传并校验" }).click();
  await page.locator("#report").waitFor();
  assert.match(await page.locator("#report .alert-ok").innerText(), /已发布第\d+版/);
  const rejected = await page.locator(".reject-table tbody").innerText();
  assert.match(rejected, /3\s+公民身份号码/, "the bad row (file row 3) is listed with its column");
  assert.deepEqual(page.errors, []);
  await screenshotsHere(page, "console-upload-report");
});
