#!/usr/bin/env -S node --experimental-transform-types --conditions=development --disable-warning=ExperimentalWarning
/**
 * `soc-rules test <dir>`: loads the rules of a directory and runs them over its fixtures
 * (fixtures.ts); exit 0 when every fixture raises exactly its expected alerts, 1 otherwise or when a
 * rule or fixture is invalid (the message names the file, rule and field). `soc-rules schema` prints
 * the rules' JSON Schema.
 */
import { formatResults, runFixtures } from "./fixtures.ts";
import { loadRules } from "./load.ts";
import { detectionRuleJsonSchema, InvalidRuleError } from "./schema.ts";

const USAGE =
  "usage: soc-rules test <rules-dir>   run the rules over <rules-dir>/tests/<name>.log against <name>.expected.yaml\n       soc-rules schema            print the rule schema (JSON Schema)";

async function main(args: string[]): Promise<number> {
  const [command, dir] = args;
  if (command === "schema" && dir === undefined) {
    process.stdout.write(`${JSON.stringify(detectionRuleJsonSchema(), null, 2)}\n`);
    return 0;
  }
  if (command !== "test" || dir === undefined || args.length !== 2) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  try {
    const rules = loadRules(dir);
    const results = await runFixtures(rules, dir);
    process.stdout.write(`${rules.length} rules, ${results.length} fixtures\n${formatResults(results)}\n`);
    return results.every((r) => r.missing.length === 0 && r.unexpected.length === 0) ? 0 : 1;
  } catch (error) {
    if (!(error instanceof InvalidRuleError) && !(error instanceof Error && "code" in error && error.code === "ENOENT"))
      throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
