// The portal's public side: a developer registers for an API key and calls the open-data API
// with it; an app is submitted, approved by the coordinator in the console, and shown on /apps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { DESKTOP, PHONE, SCREENSHOTS, account, newPage, screenshots, signedIn } from "../lib/harness.mjs";

/** Screenshots of the page as it is (the answer to a POST cannot be loaded again), desktop then
 * phone size. */
async function screenshotsInPlace(page, name) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
}

test("a visitor registers for an API key, sees it once and calls the API with it", async () => {
  const page = await newPage();
  await page.goto("/developers");
  assert.equal(await page.locator("h1").innerText(), "开发者服务");
  // A refused registration names the field.
  await page.getByLabel("姓名或名称").fill("测试开发者");
  await page.getByLabel("电子邮箱").fill("not-an-email");
  await page.getByLabel("用途说明").fill("开发公交到站查询小程序");
  await page.getByRole("button", { name: "申请密钥" }).click();
  await page.locator("#register-errors").waitFor();
  assert.match(await page.locator("#register-errors").innerText(), /电子邮箱“not-an-email”格式不正确/);
  await page.getByLabel("电子邮箱").fill("dev@example.com");
  await page.getByRole("button", { name: "申请密钥" }).click();
  const keyField = page.locator("#issued-key");
  await keyField.waitFor();
  const key = await keyField.inputValue();
  assert.match(key, /^gso_[0-9a-f]{64}$/);
  await screenshotsInPlace(page, "portal-developers");

  // The API answers JSON with the key, and refuses without it.
  const result = await page.evaluate(async (k) => {
    const ok = await fetch("/open/api/v1/datasets?limit=5", { headers: { "X-API-Key": k } });
    const refused = await fetch("/open/api/v1/datasets");
    const list = await ok.json();
    let rows = null;
    const first = list.items.find((i) => i.open_type === "unconditional");
    if (first) {
      const r = await fetch(`${first.href}/rows?limit=3`, { headers: { "X-API-Key": k } });
      rows = { status: r.status, body: await r.json() };
    }
    return { status: ok.status, type: ok.headers.get("content-type"), list, refused: refused.status, refusedBody: await refused.json(), rows };
  }, key);
  assert.equal(result.status, 200);
  assert.match(result.type, /application\/json/);
  assert.ok(result.list.items.length > 0, "the demo has open datasets");
  assert.equal(result.refused, 401);
  assert.equal(result.refusedBody.error.code, "missing_api_key");
  assert.ok(result.rows, "an opened dataset is listed");
  assert.equal(result.rows.status, 200);
  assert.ok(result.rows.body.rows.length > 0);

  // Shown once: a fresh visit does not show it again.
  await page.goto("/developers");
  assert.equal(await page.locator("#issued-key").count(), 0);
  assert.ok(!(await page.content()).includes(key));
  assert.deepEqual(page.errors, []);
});

test("an app is submitted, approved by the coordinator and shown on /apps", async () => {
  const name = `公交到站提醒${Date.now() % 100000}`;
  const page = await newPage();
  await page.goto("/apps/new");
  await page.getByLabel("应用名称").fill(name);
  await page.getByLabel("访问地址").fill("https://bus.example.cn");
  await page.getByLabel("应用简介").fill("实时查询本市公交线路、站点和到站时间，提醒乘客按时出行。");
  await page.getByLabel("开发者", { exact: true }).fill("示例出行科技有限公司");
  await page.getByLabel("联系方式").fill("0591-87654321");
  await page.locator("input[name=datasets]").first().check();
  await screenshots(page, "portal-app-form");
  await page.getByRole("button", { name: "提交审核" }).click();
  await page.waitForURL("**/apps?submitted=1");
  assert.match(await page.locator("[role=status]").innerText(), /审核通过后/);
  assert.ok(!(await page.locator("main").innerText()).includes(name), "hidden until approved");

  const coord = await signedIn(account("coordinator").username);
  await coord.goto("/console/apps");
  await coord.getByRole("link", { name, exact: true }).click();
  await screenshots(coord, "console-app-review");
  await coord.getByRole("button", { name: "通过并展示" }).click();
  await coord.waitForURL("**/console/apps?done=approved");
  assert.deepEqual(coord.errors, []);

  await page.goto("/apps");
  await page.getByRole("link", { name, exact: true }).waitFor();
  await screenshots(page, "portal-apps");
  await page.getByRole("link", { name, exact: true }).click();
  assert.equal(await page.locator("h1").innerText(), name);
  const dataLink = page.locator("main .card li a").first();
  const href = await dataLink.getAttribute("href");
  assert.match(href, /^\/datasets\//);
  assert.deepEqual(page.errors, []);
});

test("a visitor applies for conditionally open data and follows the answer with the reference code", async () => {
  const page = await newPage();
  await page.goto("/datasets?open_type=conditional");
  await page.locator("main .results h3 a").first().click();
  await page.getByRole("link", { name: "申请使用" }).click();
  assert.match(new URL(page.url()).pathname, /\/apply$/);
  assert.match(await page.locator("main").innerText(), /开放条件/);
  await page.getByLabel("申请人").fill("测试申请人");
  await page.getByLabel("申请单位").fill("示例大学统计学院");
  await page.getByLabel("联系方式").fill("apply@example.edu.cn");
  await page.getByLabel("申请目的").fill("研究本市公共服务供给情况，撰写研究报告");
  await page.getByLabel("使用方式").fill("仅用于统计分析，不对外提供原始数据");
  await page.getByLabel("使用期限：结束日期").fill("2026-01-01");
  await page.getByRole("button", { name: "提交申请" }).click();
  await page.locator("#form-errors").waitFor();
  assert.match(await page.locator("#form-errors").innerText(), /结束日期不能早于开始日期/);
  const end = new Date(Date.now() + 90 * 86400e3).toISOString().slice(0, 10);
  await page.getByLabel("使用期限：结束日期").fill(end);
  await screenshots(page, "portal-apply");
  await page.getByRole("button", { name: "提交申请" }).click();
  await page.waitForURL("**/datasets/apply/status?ref=*");
  const reference = await page.locator("#reference").innerText();
  assert.match(reference, /^KF[0-9A-Z]{12}$/);
  assert.equal(await page.locator("#request-status").innerText(), "待答复");
  await screenshots(page, "portal-apply-status");
  assert.deepEqual(page.errors, []);
});
