// Drives the web page of `backprop show --format html` in headless Chromium (Debian's
// /usr/bin/chromium, through playwright-core) for tests/page.rs. It reads a plan (JSON, the
// first argument): the page to open, the window size, and the actions to take in turn —
// press a key, click a button, observe the page's state under a label, take a screenshot or
// a PDF, time a series of steps. It prints one JSON report: what was observed, every console
// message of error level, every page error, every request the page made (it must make none
// but for its own file), and the times measured. The Rust test asserts on the report.
import { chromium } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const plan = JSON.parse(process.argv[2]);
const profile = mkdtempSync(join(tmpdir(), "backprop-chromium-"));
const report = { observations: {}, errors: [], requests: [], times: {} };

// The state a test checks: where the stepper is, the math it shows (as text, and whether it
// was laid out as typeset math), the article's lines, and the figure: what is marked as used
// and what is written in each place.
function observe() {
  const text = (id) => (document.getElementById(id)?.textContent ?? "").replace(/\s+/g, "");
  const math = document.querySelector("#formula math");
  const fraction = document.querySelector("#formula mfrac, #formula msub");
  // A neuron by its id (n1_0: layer 1, neuron 0), an arrow by its label (w5, b1).
  const name = (el) => (el.classList.contains("edge") ? el.dataset.label : el.id);
  const used = [...document.querySelectorAll("#figure .used")].map(name);
  const slots = {};
  for (const el of document.querySelectorAll("#figure [data-slot]")) {
    if (!el.textContent) continue;
    slots[`${name(el.closest("g"))}:${el.dataset.slot}`] = el.textContent;
  }
  return {
    step: document.body.dataset.step,
    view: document.body.dataset.view,
    lang: document.documentElement.lang,
    title: document.getElementById("title").textContent,
    section: document.getElementById("section").textContent,
    sectionNotes: document.getElementById("section-notes")?.textContent ?? "",
    position: document.getElementById("position").textContent,
    formula: text("formula"),
    substituted: text("substituted"),
    value: text("value"),
    // MathML laid out by the browser: the <math> element has a box, and a fraction or a
    // subscript inside it is laid out as math (a subscript's box is lower than its base's).
    typeset: !!math && math.getBoundingClientRect().height > 0 &&
      (fraction ? fraction.getBoundingClientRect().height > 0 : false) &&
      typeof MathMLElement !== "undefined" && math instanceof MathMLElement,
    article: [...document.querySelectorAll("#article li")].map((li) => ({
      class: li.className, text: li.textContent })),
    used,
    slots,
    next: document.getElementById("next").textContent,
    allVisible: !document.getElementById("all").hidden,
    allEquations: document.querySelectorAll("#all .equation").length,
    allText: document.getElementById("all").textContent.slice(0, 4000),
    // What "show all" says it left out (a long section, a long list of given values).
    allMore: [...document.querySelectorAll("#all .more")].map((p) => p.textContent),
    focused: document.activeElement?.id || document.activeElement?.tagName,
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  };
}

// A fresh profile (--user-data-dir) each run, and the flags that keep Chromium from reaching
// for the network, which this machine does not have.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: plan.width ?? 1280, height: plan.height ?? 900 },
});
try {
  const page = browser.pages()[0] ?? await browser.newPage();
  const url = pathToFileURL(plan.page).href;
  page.on("console", (m) => { if (m.type() === "error") report.errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => report.errors.push(`page: ${e.message}`));
  page.on("request", (r) => { if (r.url() !== url && r.url() !== `${url}#all`) report.requests.push(r.url()); });
  let started = performance.now();
  await page.goto(url + (plan.hash ?? ""));
  // The stepper's page says when its script is done; another page (`"ready": false`, as for
  // the README's picture of a Markdown document) is taken as loaded.
  if (plan.ready !== false) {
    await page.waitForFunction(() => document.body.dataset.ready === "true", null, { timeout: 60000 });
  }
  report.times.open_ms = performance.now() - started;
  for (const action of plan.actions) {
    if (action.press) await page.keyboard.press(action.press);
    else if (action.click) await page.click(action.click);
    else if (action.focus) await page.focus(action.focus);
    else if (action.observe) report.observations[action.observe] = await page.evaluate(observe);
    else if (action.screenshot) await page.screenshot({ path: action.screenshot, fullPage: !!action.full });
    else if (action.pdf) await page.pdf({ path: action.pdf, format: "A4" });
    else if (action.time) {
      // `time.presses` of `time.key`, each waited for until the step it leads to is shown.
      const times = [];
      for (let k = 0; k < action.time.presses; k++) {
        const before = await page.evaluate(() => document.body.dataset.step);
        started = performance.now();
        await page.keyboard.press(action.time.key);
        await page.waitForFunction((b) => document.body.dataset.step !== b, before);
        times.push(performance.now() - started);
      }
      report.times[action.time.label] = times;
    } else throw new Error(`unknown action ${JSON.stringify(action)}`);
  }
} finally {
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
