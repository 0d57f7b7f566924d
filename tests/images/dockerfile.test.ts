/**
 * What the two Dockerfiles promise, read from the files themselves: Node 24 (the Makefile's
 * version for the build stages, distroless for the runtime), a non-root runtime that runs
 * compiled JavaScript with plain node, and installs from the lock without install scripts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, compileArgs, readDockerfile } from "./compiled-image.ts";
import { finalStage, instructionsOf, parseDockerfile, resolveImage } from "./dockerfile.ts";

const makefileNodeVersion = /^NODE_VERSION := (\S+)$/m.exec(readFileSync(join(REPO_ROOT, "Makefile"), "utf8"))?.[1];

describe("the Dockerfile reader", () => {
  const text = [
    "# syntax=docker/dockerfile:1",
    "ARG BASE=node:24-slim",
    "FROM ${BASE} AS build",
    "RUN npm ci \\",
    "    # a comment inside the continuation",
    "    --ignore-scripts",
    "FROM scratch",
    "COPY <<'JS' /main.mjs",
    'import "./x.js";',
    "JS",
    'ENTRYPOINT ["/nodejs/bin/node", "/main.mjs"]',
  ].join("\n");
  const dockerfile = parseDockerfile(text);

  it("reads global ARG defaults, stages and joined continuations", () => {
    expect(resolveImage(dockerfile, dockerfile.stages[0]?.from ?? "")).toBe("node:24-slim");
    expect(dockerfile.stages.map((stage) => stage.name)).toEqual(["build", undefined]);
    expect(dockerfile.stages[0]?.instructions).toEqual([
      { keyword: "RUN", args: "npm ci --ignore-scripts", heredocs: [] },
    ]);
  });

  it("keeps a heredoc's body out of the instructions", () => {
    expect(finalStage(dockerfile).instructions).toEqual([
      { keyword: "COPY", args: "<<'JS' /main.mjs", heredocs: ['import "./x.js";'] },
      { keyword: "ENTRYPOINT", args: '["/nodejs/bin/node", "/main.mjs"]', heredocs: [] },
    ]);
  });
});

describe.each(["services/Dockerfile", "dashboard/Dockerfile"])("%s", (path) => {
  const dockerfile = readDockerfile(path);
  const runtime = finalStage(dockerfile);
  const instructions = instructionsOf(dockerfile);
  const of = (keyword: string) => runtime.instructions.filter((instruction) => instruction.keyword === keyword);

  it("builds on the official Node image at the Makefile's Node version, and runs on distroless Node 24", () => {
    expect(makefileNodeVersion).toMatch(/^24\.\d+\.\d+$/);
    const stageNames = new Set(dockerfile.stages.map((stage) => stage.name));
    const builds = dockerfile.stages
      .slice(0, -1)
      .filter((stage) => !stageNames.has(stage.from))
      .map((stage) => resolveImage(dockerfile, stage.from));
    expect(new Set(builds)).toEqual(new Set([`node:${makefileNodeVersion}-bookworm-slim`]));
    expect(resolveImage(dockerfile, runtime.from)).toBe("gcr.io/distroless/nodejs24-debian12:nonroot");
  });

  it("runs as uid 65532 (the charts' runAsUser), never as root", () => {
    expect(of("USER").map((instruction) => instruction.args)).toEqual(["65532:65532"]);
  });

  it("starts compiled JavaScript with plain node: no tsx, no loader or experimental flag", () => {
    const [entrypoint] = of("ENTRYPOINT");
    const command: unknown = JSON.parse(entrypoint?.args ?? "null");
    expect(command).toEqual([expect.stringMatching(/\/node$/), expect.stringMatching(/^\/app\/.*\.mjs$/)]);
    expect(of("CMD")).toEqual([]);
    for (const instruction of instructions) {
      expect(`${instruction.args}\n${instruction.heredocs.join("\n")}`).not.toMatch(
        /\btsx\b|--import|--loader|--experimental/,
      );
      for (const script of instruction.heredocs) expect(script).not.toMatch(/\.ts["']/);
    }
  });

  it("installs from the lock file without running install scripts, and nothing in the runtime stage", () => {
    const installs = instructions.filter((instruction) => /\bnpm (ci|install)\b/.test(instruction.args));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install.args).toContain("--ignore-scripts");
    expect(runtime.instructions.filter((instruction) => instruction.keyword === "RUN")).toEqual([]);
  });

  it("compiles with tsconfig.build.json", () => {
    expect(compileArgs(dockerfile)).toEqual(["-p", "tsconfig.build.json", "--outDir", "/build"]);
  });
});

describe("services/Dockerfile", () => {
  it("installs only production dependencies, from the lock, for the runtime", () => {
    const installs = instructionsOf(readDockerfile("services/Dockerfile")).filter((instruction) =>
      /\bnpm ci\b/.test(instruction.args),
    );
    expect(installs.map((install) => install.args.slice(install.args.indexOf("npm ci")))).toEqual([
      'npm ci --omit=dev --workspace "${SERVICE_DIR}" --include-workspace-root=false --ignore-scripts --no-audit --no-fund',
    ]);
  });
});
