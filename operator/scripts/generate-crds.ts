/** Writes crds/*.yaml and the operator chart's copy from the TypeScript schemas. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crdFiles } from "../src/api/crd.ts";

const root = join(import.meta.dirname, "..", "..");
for (const dir of [join(root, "crds"), join(root, "charts", "soc-operator", "crds")]) {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of crdFiles()) writeFileSync(join(dir, name), text);
}
