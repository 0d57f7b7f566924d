/**
 * The embedded default is secured from its first start: without configured keys it creates an
 * admin key, stores it (mode 0600) in the data directory and reports it once, on creation.
 * More keys (a bouncer's) are added to the same file by add-key.ts.
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateApiKey, keyAccess, parseApiKeys, type ApiKey, type Role } from "@soc/api";

const keysFile = (dataDir: string): string => join(dataDir, "api-keys");

export interface KeyBootstrap {
  keys: ApiKey[];
  /** Set only on the start that created the key, so it is printed once. */
  createdAdminKey: string | null;
  file: string;
}

export function loadOrCreateKeys(dataDir: string): KeyBootstrap {
  const file = keysFile(dataDir);
  if (existsSync(file)) return { keys: parseApiKeys(readFileSync(file, "utf8")), createdAdminKey: null, file };
  const key = generateApiKey();
  writeFileSync(file, `# role:key, one per line\nadmin:${key}\n`, { mode: 0o600 });
  return { keys: [{ role: "admin", key }], createdAdminKey: key, file };
}

/**
 * Adds a named key of `role` to the data directory's keys file and answers it (shown once by the
 * caller). The file must exist (a first start made it with the admin key): a file holding only
 * this key would keep that start from creating one.
 */
export function addApiKey(dataDir: string, role: Role, name: string): string {
  const file = keysFile(dataDir);
  if (!existsSync(file))
    throw new Error(`${file} does not exist: start the pipeline once (make run), which creates it with the admin key`);
  const key = generateApiKey();
  const text = readFileSync(file, "utf8");
  const line = `${text === "" || text.endsWith("\n") ? "" : "\n"}${role}@${name}:${key}\n`;
  // Checked as the next start will read it: a bad name or a name taken fails here, not there.
  keyAccess(parseApiKeys(text + line));
  appendFileSync(file, line, { mode: 0o600 });
  return key;
}
