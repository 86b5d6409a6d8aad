// Drives the self-checking worksheet of `backprop exercise --format html` in headless
// Chromium (Debian's /usr/bin/chromium, through playwright-core) for tests/worksheet_page.rs.
// It reads a plan (JSON, the first argument): the page to open and the actions to take in
// turn — type into a box (replacing what is there) and press Enter, or leave it (blur),
// click, observe the page under a label. It prints one JSON report: what was observed, every
// console message of error level, every page error, and every request the page made (it must
// make none but for its own file). The Rust test asserts on the report.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const plan = JSON.parse(process.argv[2]);
const profile = mkdtempSync(join(tmpdir(), "backprop-worksheet-"));
const report = { observations: {}, errors: [], requests: [] };

// What a student sees: each box's mark, slip and revealed answer, the score, and the page's
// text (as rendered, and every text node but the script's data) to look for a value in.
function observe() {
  const blanks = {};
  for (const box of document.querySelectorAll(".blank")) {
    blanks[box.dataset.blank] = {
      class: box.className,
      mark: box.querySelector(".mark").textContent,
      slip: box.querySelector(".slip").textContent,
      names: [...box.querySelectorAll(".slip strong")].map((s) => s.textContent),
      solution: box.querySelector(".solution").textContent,
      invalid: box.querySelector("input").getAttribute("aria-invalid"),
    };
  }
  const texts = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement?.tagName;
    if (parent !== "SCRIPT" && parent !== "STYLE") texts.push(node.textContent);
  }
  const math = document.querySelector(".blank math");
  return {
    lang: document.documentElement.lang,
    title: document.getElementById("title").textContent,
    score: document.getElementById("score")?.textContent ?? null,
    blanks,
    inputs: document.querySelectorAll(".blank input").length,
    bodyText: document.body.innerText,
    domText: texts.join("\n"),
    typeset: !!math && typeof MathMLElement !== "undefined" && math instanceof MathMLElement &&
      math.getBoundingClientRect().height > 0,
  };
}

const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: plan.width ?? 1280, height: plan.height ?? 900 },
  javaScriptEnabled: plan.javascript !== false,
});
try {
  const page = browser.pages()[0] ?? await browser.newPage();
  const url = pathToFileURL(plan.page).href;
  page.on("console", (m) => { if (m.type() === "error") report.errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => report.errors.push(`page: ${e.message}`));
  page.on("request", (r) => { if (r.url() !== url) report.requests.push(r.url()); });
  await page.goto(url);
  if (plan.ready !== false) {
    await page.waitForFunction(() => document.body.dataset.ready === "true", null, { timeout: 60000 });
  }
  for (const action of plan.actions) {
    if (action.answer !== undefined) {
      // Box `n`: its text replaced by `answer`, then Enter (or, with `leave`, Tab away).
      const box = `#blank-${action.n}`;
      await page.fill(box, action.answer);
      await page.focus(box);
      await page.keyboard.press(action.leave ? "Tab" : "Enter");
    } else if (action.click) await page.click(action.click);
    else if (action.observe) report.observations[action.observe] = await page.evaluate(observe);
    else if (action.screenshot) await page.screenshot({ path: action.screenshot, fullPage: !!action.full });
    else throw new Error(`unknown action ${JSON.stringify(action)}`);
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
