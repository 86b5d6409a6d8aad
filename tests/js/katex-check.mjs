// Renders every TeX fragment of a Markdown document with KaTeX, as a student's Markdown
// viewer would, and fails on any error. With --latex the document is a .tex file, whose
// display math is \[ … \]. Reads the document on standard input; prints
// {"fragments": N, "errors": E} and each error with its fragment; exits 1 on any error.
// Run by tests/documents.rs.
import katex from "katex";
import { readFileSync } from "node:fs";

const text = readFileSync(0, "utf8");
const fragments = [];
// Display math first ($$…$$, possibly over several lines), then inline math ($…$) in
// what is left, as Markdown renderers with math (KaTeX's auto-render, MathJax) read them.
const displayMath = process.argv.includes("--latex") ? /\\\[([\s\S]+?)\\\]/g : /\$\$([\s\S]+?)\$\$/g;
const rest = text.replace(displayMath, (_, tex) => {
  fragments.push({ tex, display: true });
  return "";
});
// (In LaTeX text, an escaped \$ is a dollar sign, not math.)
rest.replace(/(?<!\\)\$([^$\n]+?)\$/g, (_, tex) => {
  fragments.push({ tex, display: false });
  return "";
});

let errors = 0;
for (const { tex, display } of fragments) {
  try {
    // strict: anything KaTeX would only warn about (Unicode in math, …) is an error too.
    katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: "error" });
  } catch (e) {
    errors += 1;
    console.error(`${e.message}\n  in: ${tex}`);
  }
}
console.log(JSON.stringify({ fragments: fragments.length, errors }));
process.exit(errors === 0 ? 0 : 1);
