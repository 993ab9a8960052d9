// Runs last (file name): the main pages without JavaScript (read-only content must be there), and
// basic accessibility on each: a language, one h1, a label for every form control, a name for
// every chart, no broken asset or script error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, base, newContext, watch } from "../lib/harness.mjs";

const PORTAL = ["/", "/datasets", "/apps", "/developers", "/statistics"];
// Every role's menu is walked: each page it offers must answer and pass the checks.
const USERS = ["gaj_editor", "gaj_provider", "mzj_consumer", "gaj_approver", "coordinator", "auditor"];

async function checkPage(page, path) {
  const res = await page.goto(path);
  assert.equal(res.status(), 200, `${path} answers 200`);
  assert.equal(await page.getAttribute("html", "lang"), "zh-CN", `${path}: lang`);
  assert.equal(await page.locator("h1").count(), 1, `${path}: one h1`);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea")]
      .filter((el) => el.type !== "hidden" && el.type !== "submit")
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
  assert.deepEqual(unlabelled, [], `${path}: every form control has a label`);
  const unnamedCharts = await page.evaluate(() =>
    [...document.querySelectorAll("svg")].filter((s) => !s.getAttribute("aria-label") && !s.querySelector("title") && s.getAttribute("aria-hidden") !== "true").length,
  );
  assert.equal(unnamedCharts, 0, `${path}: every chart has a name`);
  assert.deepEqual(page.errors, [], `${path}: no broken asset or script error`);
}

test("portal pages work without JavaScript and are accessible", async () => {
  const ctx = await newContext({ javaScriptEnabled: false });
  const nojs = await ctx.newPage();
  watch(nojs);
  for (const path of PORTAL) await checkPage(nojs, path);
  // The first dataset of the list opens, with its metadata, without script.
  await nojs.goto("/datasets");
  // The demo opens dozens of datasets: an empty list would be a failure, not a pass.
  const first = nojs.locator(".results h3 a").first();
  assert.ok((await first.count()) > 0, "the portal lists open datasets");
  const name = (await first.innerText()).trim();
  await first.click();
  await checkPage(nojs, new URL(nojs.url()).pathname);
  assert.equal((await nojs.locator("h1").innerText()).trim(), name, "the dataset's own page opened");
  await ctx.close();
});

test("console pages of every role work without JavaScript (sign-in included) and are accessible", async () => {
  for (const user of USERS) {
    const ctx = await newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    watch(page);
    await page.goto("/console/login");
    await page.getByLabel("用户名").fill(user);
    await page.getByLabel("密码").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "登录" }).click();
    await page.waitForURL(`${base}/console`);
    const menu = await page.locator("nav.site-nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    assert.ok(menu.length >= 2, `${user} has a menu`);
    for (const path of [...menu, "/console/account"]) await checkPage(page, path);
    await ctx.close();
  }
});
