// Runs every browser test against one demo server: `GOVSHARE_BIN=… node run.mjs`.
// The Rust test `crates/govshare/tests/browser.rs` runs this with the freshly built binary.
import { after, before } from "node:test";
import { readdirSync } from "node:fs";
import { start, stop } from "./lib/harness.mjs";

before(start, { timeout: 900_000 });
after(stop);

const only = process.env.GOVSHARE_WEB_TESTS; // e.g. "signin,portal"
const files = readdirSync(new URL("./tests", import.meta.url))
  .filter((f) => f.endsWith(".test.mjs"))
  .filter((f) => !only || only.split(",").some((o) => f.startsWith(o)))
  .sort();
for (const f of files) {
  await import(`./tests/${f}`);
}
