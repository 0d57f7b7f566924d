/**
 * The images' JavaScript without Docker: the compile command of services/Dockerfile run into a
 * temporary directory, laid out as the image's /app (each workspace's package.json beside its
 * compiled files, node_modules with @soc/* linked to them), and started with plain node.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync } from "node:fs";
import { join, relative } from "node:path";
import { instructionsOf, parseDockerfile, type Dockerfile } from "./dockerfile.ts";

export const REPO_ROOT = join(import.meta.dirname, "..", "..");
export const readDockerfile = (path: string): Dockerfile =>
  parseDockerfile(readFileSync(join(REPO_ROOT, path), "utf8"));

/** The arguments the Dockerfile gives tsc, with its output directory (/build) as written. */
export function compileArgs(dockerfile: Dockerfile): string[] {
  const match = instructionsOf(dockerfile)
    .filter((instruction) => instruction.keyword === "RUN")
    .map((instruction) => /\/tsc\s+(-p\s+\S+\s+--outDir\s+\S+)/.exec(instruction.args))
    .find((found) => found !== null);
  if (match?.[1] === undefined) throw new Error("no `tsc -p <config> --outDir <dir>` RUN in the Dockerfile");
  return match[1].split(/\s+/);
}

/** Runs services/Dockerfile's compile into `outDir`; tsc's output when it fails. */
export function compileLikeTheImage(outDir: string): void {
  const args = compileArgs(readDockerfile("services/Dockerfile"));
  args[args.indexOf("--outDir") + 1] = outDir;
  const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
  const result = spawnSync(process.execPath, [tsc, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
  if (result.status !== 0) throw new Error(`tsc ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
}

/** The image's /app around compiled files: package.json files, node_modules with @soc/* pointing at `outDir`. */
export function layOutLikeTheImage(outDir: string): void {
  const modules = join(REPO_ROOT, "node_modules");
  mkdirSync(join(outDir, "node_modules", "@soc"), { recursive: true });
  for (const entry of readdirSync(modules)) {
    if (entry !== "@soc") symlinkSync(join(modules, entry), join(outDir, "node_modules", entry));
  }
  for (const link of readdirSync(join(modules, "@soc"))) {
    const workspace = relative(REPO_ROOT, realpathSync(join(modules, "@soc", link)));
    if (!existsSync(join(outDir, workspace))) continue;
    copyFileSync(join(REPO_ROOT, workspace, "package.json"), join(outDir, workspace, "package.json"));
    symlinkSync(join(outDir, workspace), join(outDir, "node_modules", "@soc", link));
    // Versions that differ from the root's are installed inside the workspace.
    const own = join(REPO_ROOT, workspace, "node_modules");
    if (existsSync(own)) symlinkSync(own, join(outDir, workspace, "node_modules"));
  }
}

/** Every file under `dir` (relative paths), not following node_modules. */
export function filesUnder(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const path = join(prefix, entry.name);
    if (entry.name === "node_modules") return [];
    return entry.isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** `node <script>` with only the given environment (no NODE_OPTIONS, no loaders): what the image's ENTRYPOINT runs. */
export function startNode(script: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [script], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

/** Exit code of a process once it has exited (null when killed by a signal). */
export async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
  return child.exitCode;
}
