// The browser-test harness: one real `govshare demo` server for the whole run (a fresh data
// directory, a free port), Debian's Chromium through playwright-core, sign-in helpers and
// screenshots at a desktop and a phone size.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";

export const DEMO_PASSWORD = "Demo-2026-Shili";
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };
export const SCREENSHOTS = resolve(process.env.GOVSHARE_SCREENSHOTS ?? new URL("../screenshots", import.meta.url).pathname);

let server = null;
let browser = null;
let dataDir = null;
export let base = null;
export let accounts = [];

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

async function waitUp(url, ms) {
  const until = Date.now() + ms;
  let last = null;
  while (Date.now() < until) {
    if (server.exitCode !== null) throw new Error(`govshare exited with ${server.exitCode}:\n${server.log}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`govshare did not come up at ${url} (${last}):\n${server.log}`);
}

/** Starts the demo city and the browser (once per run). */
export async function start() {
  const bin = process.env.GOVSHARE_BIN;
  const exe = process.env.GOVSHARE_TEST_CHROMIUM ?? "/usr/bin/chromium";
  if (!bin) throw new Error("GOVSHARE_BIN must name the govshare binary");
  dataDir = mkdtempSync(join(tmpdir(), "govshare-web-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(bin, ["demo", "--data", dataDir, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" },
  });
  server.log = "";
  server.stdout.on("data", (d) => (server.log += d));
  server.stderr.on("data", (d) => (server.log += d));
  await waitUp(`${base}/healthz`, 600_000);
  accounts = JSON.parse(readFileSync(join(dataDir, "demo-accounts.json"), "utf8"));
  browser = await chromium.launch({ executablePath: exe, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  mkdirSync(SCREENSHOTS, { recursive: true });
}

export async function stop() {
  if (browser) await browser.close();
  if (server && server.exitCode === null) {
    server.kill("SIGINT");
    await new Promise((r) => server.once("exit", r));
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** The demo account with this username (throws if there is none). */
export function account(username) {
  const a = accounts.find((x) => x.username === username);
  if (!a) throw new Error(`no demo account ${username}; there are: ${accounts.map((x) => x.username).join(", ")}`);
  return a;
}

/** A fresh browser context with extra options (e.g. `{ javaScriptEnabled: false }`). */
export async function newContext(options = {}) {
  return browser.newContext({ viewport: DESKTOP, locale: "zh-CN", baseURL: base, ...options });
}

/** A fresh browser context (its own cookies) with a page at desktop size, or `viewport`. */
export async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, locale: "zh-CN", baseURL: base });
  const page = await context.newPage();
  watch(page);
  return page;
}

/** Collects a page's script errors and broken assets in `page.errors`. */
export function watch(page) {
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  // Script errors, and any stylesheet, script, image or font that fails to load (a broken page).
  // Documents may answer 4xx on purpose (a refused sign-in is a 401 page).
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) page.errors.push(m.text());
  });
  page.on("response", (r) => {
    const kind = r.request().resourceType();
    if (["stylesheet", "script", "image", "font"].includes(kind) && r.status() >= 400) {
      page.errors.push(`${kind} ${r.url()} answered ${r.status()}`);
    }
    if (r.status() >= 500) page.errors.push(`${r.url()} answered ${r.status()}`);
  });
}

/** A page signed in to the console as `username` (demo password). */
export async function signedIn(username, viewport = DESKTOP) {
  const page = await newPage(viewport);
  await page.goto("/console/login");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/console/login"));
  return page;
}

/** Saves a full-page screenshot of the current page as `<name>-desktop.png`, then the same page
 * (same state, also after a POST) at phone size as `<name>-phone.png`, and restores the size. */
export async function screenshots(page, name) {
  const size = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(DESKTOP);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(size);
}
