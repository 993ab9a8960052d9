// Sharing in the console (国发〔2016〕51号 第十二条): 民政局's data consumer applies for a
// conditional resource of 公安局 that has data, 公安局's approver finds it in the inbox and
// approves it, the consumer reads the data in the browser; the auditor opens the audit log and
// the coordinator the supervision dashboard.
import { test } from "node:test";
import assert from "node:assert/strict";
import { account, base, screenshots, signedIn } from "../lib/harness.mjs";

/** GET an API path with a demo account's token. */
async function api(username, path) {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${account(username).token}` } });
  assert.equal(r.status, 200, `${path}: ${r.status} ${await r.clone().text()}`);
  return r.json();
}

/** A published conditional resource of 公安局 with at least one data version. */
async function conditionalGajResourceWithData() {
  const list = await api("mzj_consumer", "/api/v1/resources?share_type=conditional&status=published&limit=500");
  const gaj = account("gaj_approver").department;
  const candidates = list.items.filter(
    (r) => r.provider_name === gaj || r.provider_name.includes("公安"),
  );
  assert.ok(candidates.length > 0, `no conditional resource of ${gaj}`);
  for (const r of candidates) {
    const fmt = r.format?.class;
    if (fmt && !["database", "spreadsheet", "电子表格", "数据库"].includes(fmt)) continue;
    const v = await api("mzj_consumer", `/api/v1/resources/${encodeURIComponent(r.code)}/versions`);
    if (v.items.length > 0) return r;
  }
  throw new Error("no conditional 公安局 resource with data in the demo");
}

test("apply, approve from the inbox, read the data in the browser", async () => {
  const resource = await conditionalGajResourceWithData();
  const purpose = `核对低保申请人身份信息（浏览器测试 ${Date.now()}）`;

  // 民政局 applies.
  const consumer = await signedIn(account("mzj_consumer").username);
  await consumer.goto(`/console/applications/new?resource=${encodeURIComponent(resource.code)}`);
  assert.match(await consumer.locator("h1").innerText(), /申请共享/);
  const items = resource.data_items.filter((i) => !i.share_type || i.share_type === "conditional").slice(0, 4);
  assert.ok(items.length > 0, "the resource has conditional items");
  for (const i of items) await consumer.locator(`input[name=fields][value="${i.name}"]`).check();
  await consumer.locator("#purpose_kind").selectOption("data_verification");
  await consumer.locator("#purpose").fill(purpose);
  await consumer.locator("#basis").fill("《社会救助暂行办法》第十一条：最低生活保障申请审核");
  for (const m of await consumer.locator("input[name=methods]").all()) await m.check();
  await consumer.locator("#contact_name").fill("林晓燕");
  await consumer.locator("#contact_phone").fill("0591-87110231");
  await screenshots(consumer, "console-apply");
  await consumer.getByRole("button", { name: "提交申请" }).click();
  await consumer.waitForURL(/\/console\/applications\/\d+/);
  const id = new URL(consumer.url()).pathname.split("/").pop();
  assert.match(await consumer.locator(".alert-ok").innerText(), /共享申请已提交/);
  assert.deepEqual(consumer.errors, []);

  // 公安局's approver finds it in the inbox, with the working days left, and approves it.
  const approver = await signedIn(account("gaj_approver").username);
  await approver.goto("/console/inbox");
  const entry = approver.locator(".work-item", { has: approver.locator(`a[href="/console/applications/${id}"]`) });
  await entry.first().waitFor();
  assert.match(await entry.first().innerText(), /剩余\d+个工作日|今天到期/);
  await screenshots(approver, "console-inbox");
  await entry.first().getByRole("link", { name: "办理" }).click();
  await approver.waitForURL(`**/console/applications/${id}`);
  await screenshots(approver, "console-application");
  // A refusal without a reason is refused next to the field.
  await approver.getByLabel("不予共享").check();
  await approver.getByRole("button", { name: "提交答复" }).click();
  assert.match(await approver.locator("#reason-error").innerText(), /应说明理由/);
  await approver.getByLabel("同意", { exact: true }).check();
  await approver.getByRole("button", { name: "提交答复" }).click();
  await approver.waitForURL(/done=decided/);
  assert.match(await approver.locator(".badge-lg").innerText(), /已同意/);
  assert.deepEqual(approver.errors, []);

  // The consumer reads the data.
  await consumer.goto(`/console/read/${encodeURIComponent(resource.code)}`);
  await consumer.locator("#purpose_kind").selectOption("data_verification");
  await consumer.locator("#purpose").fill(purpose);
  await consumer.getByRole("button", { name: "查询数据" }).click();
  await consumer.locator(".data-table table").waitFor();
  const rows = await consumer.locator(".data-table tbody tr").count();
  assert.ok(rows > 0, "rows are shown");
  const headers = await consumer.locator(".data-table thead th").allInnerTexts();
  assert.deepEqual(headers.sort(), items.map((i) => i.name).sort());
  assert.ok(await consumer.getByRole("link", { name: "下载 CSV" }).isVisible());
  await screenshots(consumer, "console-read");
  assert.deepEqual(consumer.errors, []);
});

test("the auditor sees the log and its verification; the coordinator the dashboard", async () => {
  const auditor = await signedIn(account("auditor").username);
  await auditor.goto("/console/audit");
  // A verification replays the whole log, so it runs on request, and the page shows the latest one.
  await auditor.getByRole("button", { name: "立即核验全部记录" }).click();
  await auditor.locator("#audit-verification", { hasText: "完整性核验通过" }).waitFor();
  assert.match(await auditor.locator("#audit-verification").innerText(), /完整性核验通过[\s\S]*由 auditor 核验/);
  assert.ok((await auditor.locator("table.audit-table tbody tr").count()) > 0);
  await auditor.goto("/console/audit?action=application.");
  assert.match(await auditor.locator("table.audit-table").innerText(), /application\./);
  await screenshots(auditor, "console-audit");
  assert.deepEqual(auditor.errors, []);

  const coordinator = await signedIn(account("coordinator").username);
  await coordinator.goto("/console/dashboard");
  const chart = coordinator.locator("svg[role=img]").first();
  assert.match(await chart.getAttribute("aria-label"), /各部门待答复的共享申请/);
  assert.ok((await coordinator.locator("table.dashboard-table tbody tr").count()) > 1);
  await screenshots(coordinator, "console-dashboard");
  await coordinator.goto("/console/disputes");
  assert.equal(await coordinator.locator("h1").innerText(), "争议协调");
  assert.deepEqual(coordinator.errors, []);
});
