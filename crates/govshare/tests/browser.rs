//! The console and the portal in a real browser: runs the browser tests of `web-tests/` (Node's
//! test runner, playwright-core driving Debian's Chromium) against this build's binary, which
//! they start as `govshare demo` on a free port. Screenshots of the main pages, at a desktop and
//! a phone size, land in `web-tests/screenshots/` (or `GOVSHARE_SCREENSHOTS`).
//!
//! Runs when `GOVSHARE_TEST_CHROMIUM` names the browser (`.ci/run` installs Chromium, a CJK font
//! and the test's npm packages and sets it), like the PostgreSQL suite with its URL; without it
//! this test says so and passes.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn console_and_portal_in_chromium() {
    let Ok(chromium) = std::env::var("GOVSHARE_TEST_CHROMIUM") else {
        eprintln!("GOVSHARE_TEST_CHROMIUM is not set: browser tests skipped (.ci/run runs them)");
        return;
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../web-tests");
    assert!(dir.join("node_modules/playwright-core").exists(), "run `npm ci --prefix web-tests` first (.ci/run does)");
    let status = Command::new("node")
        .arg("run.mjs")
        .current_dir(&dir)
        .env("GOVSHARE_BIN", env!("CARGO_BIN_EXE_govshare"))
        .env("GOVSHARE_TEST_CHROMIUM", chromium)
        .status()
        .expect("node runs (install Node.js)");
    assert!(status.success(), "browser tests failed (their report is above)");
}
