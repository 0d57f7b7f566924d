/**
 * Where a pull collector keeps its position in the source. Saved only after the bus acknowledged
 * the logs before it: a restart resumes there and never skips a window.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export interface CursorStore {
  load(): Promise<string | null>;
  save(cursor: string): Promise<void>;
}

/** A file, replaced atomically (write, then rename) so a crash never leaves half a cursor. */
export function fileCursorStore(path: string): CursorStore {
  return {
    async load() {
      try {
        return await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw error;
      }
    },
    async save(cursor) {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(`${path}.tmp`, cursor);
      await rename(`${path}.tmp`, path);
    },
  };
}
