/**
 * Adds a named API key to the embedded default's keys file and prints it once, e.g. a bouncer's:
 *
 *   npx tsx services/standalone/src/add-key.ts bouncer edge-1
 *
 * DATA_DIR as for `make run` (default .data); the running pipeline reads the file at start.
 */
import { resolve } from "node:path";
import { z } from "zod";
import { ROLES } from "@soc/api";
import { parseConfig } from "@soc/shared";
import { addApiKey } from "./api-keys.ts";

const usage =
  "usage: add-key.ts <role> <name>   (role: bouncer, ingest, read or admin; name: letters, digits, '.', '_', '-')";
const [role, name] = process.argv.slice(2);
const parsedRole = z.enum(ROLES).safeParse(role);
if (!parsedRole.success || name === undefined) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const { DATA_DIR } = parseConfig(z.object({ DATA_DIR: z.string().min(1).default(".data") }), process.env);
try {
  const key = addApiKey(resolve(DATA_DIR), parsedRole.data, name);
  process.stdout.write(
    `${parsedRole.data} key "${name}" (saved in ${resolve(DATA_DIR, "api-keys")}; restart the pipeline to use it):\n  ${key}\n`,
  );
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
