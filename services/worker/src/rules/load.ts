/** Reads rules from YAML: every `*.yaml`/`*.yml` file of a directory, one rule per YAML document. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { checkUniqueIds, InvalidRuleError, parseRule, type DataRule } from "./schema.ts";

/** The rules the worker ships with (services/worker/rules). */
export const BUILT_IN_RULES_DIR = fileURLToPath(new URL("../../rules/", import.meta.url));

const isYaml = (name: string): boolean => name.endsWith(".yaml") || name.endsWith(".yml");

/** The documents of a YAML text; a syntax error is reported with the file and line. */
export function parseYamlDocuments(text: string, origin: string): unknown[] {
  const documents = parseAllDocuments(text, { prettyErrors: true });
  if (!Array.isArray(documents)) return [];
  const values: unknown[] = [];
  for (const document of documents) {
    const [error] = document.errors;
    if (error !== undefined) throw new InvalidRuleError(`${origin}: not valid YAML: ${error.message}`);
    const value: unknown = document.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  return values;
}

export function parseRules(text: string, origin: string): DataRule[] {
  return parseYamlDocuments(text, origin).map((document, i) => parseRule(document, `${origin}#${i + 1}`));
}

/** The rules of a directory, in file order; invalid or duplicate rules refuse the whole set. */
export function loadRules(dir: string): DataRule[] {
  const files = readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && isYaml(entry.name))
    .map((entry) => entry.name)
    .sort();
  const loaded = files.flatMap((name) =>
    parseRules(readFileSync(join(dir, name), "utf8"), name).map((rule) => ({ rule, origin: name })),
  );
  checkUniqueIds(loaded);
  return loaded.map(({ rule }) => rule);
}
