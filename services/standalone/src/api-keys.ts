/**
 * The embedded default is secured from its first start: without configured keys it creates an
 * admin key, stores it (mode 0600) in the data directory and reports it once, on creation.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateApiKey, parseApiKeys, type ApiKey } from "@soc/api";

export interface KeyBootstrap {
  keys: ApiKey[];
  /** Set only on the start that created the key, so it is printed once. */
  createdAdminKey: string | null;
  file: string;
}

export function loadOrCreateKeys(dataDir: string): KeyBootstrap {
  const file = join(dataDir, "api-keys");
  if (existsSync(file)) return { keys: parseApiKeys(readFileSync(file, "utf8")), createdAdminKey: null, file };
  const key = generateApiKey();
  writeFileSync(file, `# role:key, one per line\nadmin:${key}\n`, { mode: 0o600 });
  return { keys: [{ role: "admin", key }], createdAdminKey: key, file };
}
