// The stepper of `backprop step`, in the browser. The data (the trace as columns, written by
// src/render/page.rs) holds each value's symbol and numbers as MathML and each formula tree
// as a MathML template; a step's math is put together here when the step is shown, so a
// network of any size costs no DOM node until a value is looked at.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("data").textContent);
  const $ = (id) => document.getElementById(id);
  const main = document.querySelector("main");
  let lang = D.lang;
  let position = 0;
  let allBuilt = false;
  // Whether a long sum (a wide layer's net) is shown whole rather than shortened.
  let allTerms = false;
  // Every value but the given ones is a step, in the order computed.
  const givenSet = new Set(D.given.map((g) => g[0]));
  const steps = [];
  for (let i = 0; i < D.symbols.length; i++) if (!givenSet.has(i)) steps.push(i);
  // A small derivation is laid out at once too (hidden), so that printing gives it whole; a
  // large one when "show all" is asked for.
  const small = D.symbols.length <= 5000;

  // A value's formula from its tree, each operand written by `leaf` (a symbol or a number).
  function formula(i, leaf) {
    const operands = D.from[i];
    const short = D.shortened[D.tree[i]];
    const template = short && !allTerms ? short[0] : D.trees[D.tree[i]];
    return template.replace(/<mrow data-operand="(\d+)"><\/mrow>/g, (_, n) => leaf(operands[+n]));
  }
  // A symbol from its template, each `#` one of its subscripts in turn.
  function symbol(i) {
    const [t, ...subscripts] = D.symbols[i].split("|");
    let k = 0;
    return D.symbol_templates[+t].replace(/#/g, () => subscripts[k++]);
  }
  const number = (i) => `<mn>${esc(D.numbers[i])}</mn>`;
  // A formula whose tree is a bare operand (∂net_o1/∂out_h1 = w5) stands for that value.
  const bare = (i) => D.tree[i] >= 0 && D.trees[D.tree[i]] === '<mrow data-operand="0"></mrow>';
  const standsFor = (i) => (bare(i) ? D.from[i][0] : i);
  const math = (inner) => `<math display="block"><mrow>${inner}</mrow></math>`;
  const eq = "<mo>=</mo>";

  // The three lines of a step: symbol = formula, = the numbers substituted, = the value.
  function equations(i) {
    const value = `<mn>${D.values[i]}</mn>`;
    if (bare(i)) {
      const o = D.from[i][0];
      return [math(symbol(i) + eq + symbol(o)), "", math(eq + value)];
    }
    return [math(symbol(i) + eq + formula(i, symbol)), math(eq + formula(i, number)),
      math(eq + value)];
  }

  function articleItems(i) {
    return (D.article[i] || []).map((line) => {
      const why = line.why ? `<span class="why"> ${esc(line.why[lang])}</span>` : "";
      return `<li class="${line.class}">${esc(line.text[lang])}${why}</li>`;
    }).join("");
  }

  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function sectionOf(p) {
    let s = 0;
    while (s + 1 < D.sections.length && D.sections[s + 1].start <= p) s++;
    return s;
  }

  // The figure: every place a value is written shows it as it stands after the value `upto`
  // (a weight before → after once updated), except what the step reads, which shows as the
  // formula reads it (the original w5 in the hidden layer's chain, though w5⁺ is known).
  const slotElements = D.slots.map((s) => {
    const group = s.node ? document.getElementById(s.node)
      : document.querySelector(`#figure .edge[data-label="${s.edge}"]`);
    return group ? group.querySelectorAll(`[data-slot="${s.slot}"]`) : [];
  });
  let usedNow = [];
  function paintFigure(upto, reads) {
    for (const el of usedNow) el.classList.remove("used");
    usedNow = [];
    D.slots.forEach((s, k) => {
      let text = "";
      if (s.parameter) {
        const [given, updated] = s.values;
        if (reads.has(given)) text = D.short[given];
        else if (updated !== undefined && (updated <= upto || reads.has(updated)))
          text = `${D.short[given]} → ${D.short[updated]}`;
        else if (given <= upto) text = D.short[given];
      } else {
        let latest = -1;
        for (const v of s.values) if (v <= upto) latest = v;
        if (latest >= 0) text = s.prefix + D.short[latest];
      }
      for (const el of slotElements[k]) el.textContent = text;
    });
  }
  function markUsed(indices) {
    for (const i of indices) {
      const mark = D.marks[i];
      if (!mark) continue;
      const found = mark.startsWith("n") && document.getElementById(mark)
        ? [document.getElementById(mark)]
        : document.querySelectorAll(`#figure .edge[data-label="${mark}"]`);
      for (const el of found) { el.classList.add("used"); usedNow.push(el); }
    }
  }

  function show(p) {
    position = Math.max(0, Math.min(steps.length - 1, p));
    const i = steps[position];
    const s = sectionOf(position);
    $("section").textContent = D.sections[s].title[lang];
    // A section's notes show at its first step, as the tables print them above it.
    const notes = position === D.sections[s].start ? D.sections[s].notes : [];
    $("section-notes").innerHTML = notes.map((n) => `<p class="note">${esc(n[lang])}</p>`).join("");
    $("position").textContent = D.step_of[lang].replace("{k}", position + 1)
      .replace("{n}", steps.length);
    const [f, sub, value] = equations(i);
    $("formula").innerHTML = f;
    $("substituted").innerHTML = sub;
    $("value").innerHTML = value;
    const short = D.shortened[D.tree[i]];
    $("terms").hidden = !short;
    if (short) {
      const l = D.labels[lang];
      $("terms").textContent = allTerms ? l.fewer_terms : l.all_terms.replace("{count}", short[1]);
      $("terms").setAttribute("aria-pressed", allTerms ? "true" : "false");
    }
    $("article").innerHTML = articleItems(i);
    const reads = new Set(D.from[i].map(standsFor));
    paintFigure(i, reads);
    markUsed([i, ...D.from[i], ...reads]);
    document.body.dataset.step = position + 1;
  }

  function move(key) {
    const s = sectionOf(position);
    const last = steps.length - 1;
    switch (key) {
      case "next": return show(position + 1);
      case "previous": return show(position - 1);
      case "next-section":
        return show(s + 1 < D.sections.length ? D.sections[s + 1].start : last);
      case "previous-section": {
        const start = D.sections[s].start;
        return show(position > start || s === 0 ? start : D.sections[s - 1].start);
      }
      case "first": return show(0);
      case "last": return show(last);
    }
  }

  // "Show all": the whole derivation as one page (the view that prints). A section longer
  // than D.cut writes that many values out and says how many remain, as the documents do.
  function buildAll() {
    const l = D.labels[lang];
    const parts = [];
    if (D.given.length) {
      const h = D.given_header.map((b) => `<th>${esc(b[lang])}</th>`).join("");
      // Like a long section, a long list of given values is cut (784 × 128 weights).
      const rows = D.given.slice(0, D.cut).map(([i, origin]) =>
        `<tr><td>${math(symbol(i))}</td><td class="number">${D.values[i]}</td><td><code>${esc(D.origins[origin])}</code></td></tr>`
      ).join("");
      const more = D.given.length > D.cut
        ? `<p class="more">${esc(l.more_given.replace("{count}", D.given.length - D.cut))}</p>` : "";
      parts.push(`<section><h2>${esc(D.given_title[lang])}</h2><table><thead><tr>${h}</tr></thead><tbody>${rows}</tbody></table>${more}</section>`);
    }
    D.sections.forEach((sec, s) => {
      const end = s + 1 < D.sections.length ? D.sections[s + 1].start : steps.length;
      const shown = Math.min(end - sec.start, D.cut);
      const items = [];
      for (let p = sec.start; p < sec.start + shown; p++) {
        const i = steps[p];
        const [f, sub, value] = equations(i);
        const lines = [f, sub, value].filter((m) => m).map((m) => `<div class="math">${m}</div>`);
        items.push(`<div class="equation" data-step="${p + 1}">${lines.join("")}<ul class="notes">${articleItems(i)}</ul></div>`);
      }
      if (end - sec.start > shown) {
        items.push(`<p class="more">${esc(l.more.replace("{count}", end - sec.start - shown))}</p>`);
      }
      const notes = sec.notes.map((n) => `<p class="note">${esc(n[lang])}</p>`).join("");
      parts.push(`<section><h2>${esc(sec.title[lang])}</h2>${notes}${items.join("")}</section>`);
    });
    $("all").innerHTML = parts.join("");
    allBuilt = true;
  }

  function setAll(on) {
    if (on && !allBuilt) buildAll();
    $("all").hidden = !on;
    $("stepper").hidden = on;
    main.classList.toggle("all", on);
    $("show-all").textContent = D.labels[lang][on ? "step_through" : "show_all"];
    $("show-all").setAttribute("aria-pressed", on ? "true" : "false");
    if (on) {
      const last = steps[steps.length - 1];
      paintFigure(last, new Set());
      for (const el of usedNow) el.classList.remove("used");
      usedNow = [];
    } else {
      show(position);
    }
    document.body.dataset.view = on ? "all" : "step";
  }
  const showingAll = () => !$("all").hidden;

  function setLang(code) {
    lang = code;
    const l = D.labels[lang];
    document.documentElement.lang = lang;
    $("title").textContent = D.title[lang];
    document.title = D.title[lang];
    for (const id of ["first", "previous-section", "previous", "next", "next-section", "last"]) {
      $(id).textContent = l[id.replace("-", "_")];
    }
    $("keys").textContent = l.keys;
    $("figure-caption").textContent = l.figure;
    for (const b of document.querySelectorAll("#langs button")) {
      b.setAttribute("aria-pressed", b.dataset.lang === lang ? "true" : "false");
    }
    allBuilt = false;
    if (small || showingAll()) buildAll();
    if (showingAll()) setAll(true);
    else { $("show-all").textContent = l.show_all; show(position); }
  }

  for (const id of ["first", "previous-section", "previous", "next", "next-section", "last"]) {
    $(id).addEventListener("click", () => { if (showingAll()) setAll(false); move(id); });
  }
  $("show-all").addEventListener("click", () => setAll(!showingAll()));
  $("terms").addEventListener("click", () => { allTerms = !allTerms; show(position); });
  for (const b of document.querySelectorAll("#langs button")) {
    b.addEventListener("click", () => setLang(b.dataset.lang));
  }
  // The terminal stepper's keys (src/commands/step.rs), and `a` for show all.
  const KEYS = {
    Enter: "next", " ": "next", ArrowRight: "next", ArrowDown: "next",
    ArrowLeft: "previous", Backspace: "previous", ArrowUp: "previous",
    n: "next-section", PageDown: "next-section", p: "previous-section", PageUp: "previous-section",
    g: "first", Home: "first", G: "last", End: "last",
  };
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // Enter and Space on a focused button press that button.
    if ((e.key === "Enter" || e.key === " ") && e.target.closest && e.target.closest("button")) return;
    if (e.key === "a") { setAll(!showingAll()); e.preventDefault(); return; }
    const key = KEYS[e.key];
    if (!key) return;
    e.preventDefault();
    if (showingAll()) setAll(false);
    move(key);
  });
  window.addEventListener("beforeprint", () => { if (!allBuilt) buildAll(); });

  setLang(lang);
  if (location.hash === "#all") setAll(true);
  document.body.dataset.ready = "true";
})();
