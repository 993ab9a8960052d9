// Sign-in: wrong password, lockout, role menus, sign-out, and the session cookie's protections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, account, newPage, screenshots, signedIn } from "../lib/harness.mjs";

test("a wrong password is refused with a message, the right one opens the console", async () => {
  const page = await newPage();
  await page.goto("/console");
  assert.match(new URL(page.url()).pathname, /^\/console\/login/);
  await screenshots(page, "console-login");
  const user = account("mzj_consumer").username;
  await page.getByLabel("用户名").fill(user);
  await page.getByLabel("密码").fill("Wrong-password-1");
  await page.getByRole("button", { name: "登录" }).click();
  await assert.doesNotReject(page.locator("#login-error").waitFor());
  assert.equal(await page.locator("#login-error").innerText(), "用户名或密码错误");
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL("**/console");
  assert.equal(await page.locator("h1").innerText(), "工作台");
  const menu = await page.locator("nav.site-nav").innerText();
  assert.match(menu, /共享申请/);
  assert.doesNotMatch(menu, /审计日志/);
  const cookie = (await page.context().cookies()).find((c) => c.name === "gs_session");
  assert.ok(cookie.httpOnly, "the session cookie is HttpOnly");
  assert.equal(cookie.sameSite, "Lax");
  assert.deepEqual(page.errors, []);
  await screenshots(page, "console-home");
  await page.getByRole("button", { name: "退出登录" }).click();
  await page.waitForURL("**/console/login");
  await page.goto("/console");
  assert.match(new URL(page.url()).pathname, /^\/console\/login/, "signed out: the console asks to sign in again");
});

test("five wrong passwords lock the username, even the right password is then refused", async () => {
  const page = await newPage();
  const user = account("qxj_editor").username; // used by no other test: the lockout lasts 15 minutes
  for (let i = 0; i < 5; i++) {
    await page.goto("/console/login");
    await page.getByLabel("用户名").fill(user);
    await page.getByLabel("密码").fill(`Wrong-password-${i}`);
    await page.getByRole("button", { name: "登录" }).click();
    await page.locator("#login-error").waitFor();
  }
  assert.match(await page.locator("#login-error").innerText(), /锁定/);
  // A fresh form, so that the message read below is the answer to the right password.
  await page.goto("/console/login");
  await page.getByLabel("用户名").fill(user);
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.locator("#login-error").waitFor();
  assert.match(await page.locator("#login-error").innerText(), /锁定/);
  assert.equal(new URL(page.url()).pathname, "/console/login");
  assert.ok(!(await page.context().cookies()).some((c) => c.name === "gs_session"), "no session while locked");
});

test("an auditor's menu offers the audit log and not the sharing screens", async () => {
  const page = await signedIn(account("auditor").username);
  const menu = await page.locator("nav.site-nav").innerText();
  assert.match(menu, /审计日志/);
  assert.doesNotMatch(menu, /共享申请/);
});

test("a form posted without the session's anti-forgery token is refused", async () => {
  const page = await signedIn(account("mzj_consumer").username);
  const res = await page.request.post("/console/logout", { form: { csrf: "0".repeat(64) } });
  assert.equal(res.status(), 403);
  await page.goto("/console");
  assert.equal(await page.locator("h1").innerText(), "工作台", "still signed in");
});
