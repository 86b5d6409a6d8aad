// Validates documents against the JSON Schemas in schemas/ with Ajv (draft 2020-12), for
// tests/schemas.rs. Reads a plan (JSON) on standard input: a list of {"schema": NAME,
// "file": PATH, "lines": BOOL}, where NAME is a file schemas/NAME.schema.json and `lines`
// says the file is NDJSON (each line a document). Prints one JSON list: for each entry, the
// documents that failed (with the line, for NDJSON) and Ajv's first errors.
import Ajv2020 from "ajv/dist/2020.js";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dirname, "..", "..", "schemas");
// Strict: a keyword Ajv does not know, or a schema that cannot mean what it says, is an
// error in the schema, not something to skip.
// (strictRequired is off: `required` inside `oneOf` and `not`, naming properties declared
// at the top, is how a schema says "input and target, or samples, not both".)
const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true });
for (const file of readdirSync(dir).filter((f) => f.endsWith(".schema.json"))) {
  ajv.addSchema(JSON.parse(readFileSync(join(dir, file), "utf8")));
}
const plan = JSON.parse(readFileSync(0, "utf8"));
const results = plan.map(({ schema, file, lines }) => {
  const validate = ajv.getSchema(`urn:backprop-tracer:schema:${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  const text = readFileSync(file, "utf8");
  const documents = lines
    ? text.split("\n").filter((l) => l.trim()).map((l, i) => [i + 1, l])
    : [[null, text]];
  const failures = [];
  for (const [line, doc] of documents) {
    if (!validate(JSON.parse(doc))) {
      failures.push({ line, errors: validate.errors.slice(0, 3) });
    }
  }
  return { schema, file, documents: documents.length, failures };
});
console.log(JSON.stringify(results));
