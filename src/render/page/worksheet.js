// The self-checking worksheet of `backprop exercise --format html`. Each box's answer is
// judged as `verify` judges a homework value: at the precision typed (right when the value is
// within half a unit of the last digit typed, with verify's slack for the binary
// representation: src/number.rs, `within_half_unit`). A wrong answer is named a slip when it
// matches, at the same precision, a value that slip gives at this box (worked out by
// src/verify/slip_values.rs; nothing is recomputed here). The values stay in this script's
// data until "Show answer" writes one into the page.
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("data").textContent);
  const labels = data.labels;
  // Each slip's name and hint, from their indices into the data's texts.
  for (const blank of data.blanks) {
    for (const s of [...blank.slips, ...blank.rounded]) {
      if ("short" in s) s.short = data.texts[s.short];
      s.hint = data.texts[s.hint];
    }
  }
  const fill = (text, values) =>
    text.replace(/\{(\w+)\}/g, (whole, key) => (key in values ? String(values[key]) : whole));

  // A number as typed: 0.3775, -0.74, −0.74, 1e-3, .5, or with a decimal comma, 0,3775.
  // Its value, half a unit of its last digit (src/number.rs, `half_unit`), and its
  // decimals in fixed notation (1.5e-3 has 4).
  function read(typed) {
    let text = typed.trim().replace(/^\u2212/, "-");
    if (!text.includes(".") && /^[+-]?\d*,\d+([eE][+-]?\d+)?$/.test(text)) text = text.replace(",", ".");
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m) return null;
    const exponent = m[2] === undefined ? 0 : parseInt(m[2], 10);
    const dot = m[1].indexOf(".");
    const decimals = dot < 0 ? 0 : m[1].length - dot - 1;
    const value = Number(text);
    if (!Number.isFinite(value)) return null;
    return { text, mantissa: m[1], value, half: 0.5 * 10 ** (exponent - decimals),
      decimals: Math.max(0, decimals - exponent), scientific: m[2] !== undefined };
  }

  // |value − shown| ≤ half, with room for the binary representation (src/number.rs).
  function within(value, shown, half) {
    const slack = half * 1e-9 + 4 * Number.EPSILON * Math.max(Math.abs(value), Math.abs(shown));
    return Math.abs(value - shown) <= half + slack;
  }

  // The slip a wrong `answer` at `blank` is, as verify finds it (src/verify/homework.rs,
  // `diagnose`): the catalogue's slips whose value here matches the answer and is not the
  // right value at that precision; a slip of writing the number down (digits transposed,
  // truncated) when no slip of the computation moves the value by more than 20 half-units;
  // otherwise rounding too early, within `rounding_units` units of the last digit.
  function diagnose(blank, answer) {
    const found = [];
    const effects = [];
    for (const slip of blank.slips) {
      if (within(slip.value, answer.value, answer.half) &&
          Math.abs(slip.value - blank.value) > answer.half &&
          !found.some((f) => f.short === slip.short)) {
        found.push(slip);
        effects.push(Math.abs(slip.value - blank.value));
      }
    }
    const writing = transposed(blank, answer) ?? truncated(blank, answer);
    if (writing && effects.every((e) => e <= 20 * answer.half)) return [writing];
    if (found.length) return found;
    if (Math.abs(answer.value - blank.value) <= 2 * answer.half * data.rounding_units) {
      const tried = blank.rounded
        .filter((r) => r.decimals <= answer.decimals)
        .sort((a, b) => b.decimals - a.decimals);
      for (const r of tried) {
        if (within(r.value, answer.value, answer.half)) return [{ short: data.rounded_early, hint: r.hint }];
      }
    }
    return [];
  }

  // Two adjacent digits exchanged: undoing one exchange gives the value.
  function transposed(blank, answer) {
    const digits = answer.mantissa;
    for (let i = 1; i < digits.length; i++) {
      const a = digits[i - 1], b = digits[i];
      if (!/\d/.test(a) || !/\d/.test(b) || a === b) continue;
      const meant = digits.slice(0, i - 1) + b + a + digits.slice(i + 1) + answer.text.slice(digits.length);
      const m = Number(meant);
      if (m !== answer.value && within(m, blank.value, answer.half)) {
        return { short: data.transposed, hint: data.transposed_hint };
      }
    }
    return null;
  }

  // The value cut off after the digits typed (toward zero) instead of rounded.
  function truncated(blank, answer) {
    if (answer.scientific) return null;
    const value = answer.value, right = blank.value, unit = 2 * answer.half;
    const slack = answer.half * 1e-9 + 4 * Number.EPSILON * Math.max(Math.abs(value), Math.abs(right));
    const cut = right >= 0
      ? value >= -slack && right >= value - slack && right < value + unit - slack
      : value <= slack && right <= value + slack && right > value - unit + slack;
    return cut ? { short: data.truncated, hint: data.truncated_hint } : null;
  }

  const state = new Map(); // box number → { right, revealed }
  function score() {
    let right = 0, answered = 0, revealed = 0;
    for (const s of state.values()) {
      if (s.right !== null) answered++;
      if (s.right && s.earned) right++;
      if (s.revealed) revealed++;
    }
    let text = fill(labels.score, { right, answered, total: data.blanks.length });
    if (revealed) text += " · " + fill(labels.score_revealed, { count: revealed });
    document.getElementById("score").textContent = text;
  }

  for (const blank of data.blanks) {
    const box = document.querySelector(`.blank[data-blank="${blank.n}"]`);
    if (!box) continue;
    const input = box.querySelector("input");
    const mark = box.querySelector(".mark");
    const slip = box.querySelector(".slip");
    const solution = box.querySelector(".solution");
    // `earned`: right before the answer was shown.
    const s = { right: null, earned: false, revealed: false, checked: "" };
    state.set(blank.n, s);
    const check = () => {
      const typed = input.value;
      if (typed.trim() === "") {
        box.classList.remove("right", "wrong");
        mark.textContent = "";
        slip.textContent = "";
        s.right = null;
        s.checked = "";
        score();
        return;
      }
      if (typed === s.checked) return;
      s.checked = typed;
      const answer = read(typed);
      slip.replaceChildren();
      if (answer === null) {
        s.right = false;
        mark.textContent = labels.unreadable;
      } else if (!/[1-9]/.test(answer.mantissa) && answer.value !== blank.value
          && within(blank.value, answer.value, answer.half)) {
        // 0 or 0.000 for 0.000438568: agreeing says nothing of the value (src/quiz.rs).
        s.right = false;
        mark.textContent = labels.no_digits;
      } else {
        s.right = within(blank.value, answer.value, answer.half);
        mark.textContent = s.right ? labels.right : labels.wrong;
        if (!s.right) {
          for (const found of diagnose(blank, answer)) {
            const name = document.createElement("strong");
            name.textContent = found.short;
            const hint = document.createElement("span");
            hint.className = "hint";
            hint.textContent = found.hint;
            const line = document.createElement("span");
            line.className = "found";
            line.append(name, ": ", hint);
            slip.append(line);
          }
        }
      }
      s.earned = s.right && !s.revealed;
      box.classList.toggle("right", s.right);
      box.classList.toggle("wrong", !s.right);
      input.setAttribute("aria-invalid", String(!s.right));
      score();
    };
    input.addEventListener("keydown", (e) => { if (e.key === "Enter") check(); });
    input.addEventListener("blur", check);
    box.querySelector("button.check").addEventListener("click", () => { s.checked = ""; check(); });
    box.querySelector("button.reveal").addEventListener("click", () => {
      s.revealed = true;
      box.classList.add("revealed");
      solution.textContent = fill(labels.answer_is, { value: blank.shown });
      score();
    });
  }
  score();
  document.body.dataset.ready = "true";
})();
