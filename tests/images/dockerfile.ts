/**
 * Just enough of the Dockerfile grammar to check what our two Dockerfiles claim: global ARG
 * defaults, stages, instructions with their line continuations joined, heredoc bodies kept apart.
 */

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  args: string;
  /** Bodies of `<<NAME` heredocs, in order. */
  heredocs: string[];
}

export interface Stage {
  /** The image after FROM (ARG references left as written). */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Defaults of the ARGs declared before the first FROM. */
  globalArgs: Map<string, string>;
  stages: Stage[];
}

const HEREDOC = /<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/g;

function readInstructions(text: string): Instruction[] {
  const lines = text.split("\n");
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    const first = (lines[i] ?? "").trim();
    if (first === "" || first.startsWith("#")) continue;
    let logical = first;
    while (logical.endsWith("\\") && i + 1 < lines.length) {
      logical = logical.slice(0, -1).trimEnd();
      // Comment and blank lines inside a continuation are dropped; the continuation goes on.
      let next = (lines[++i] ?? "").trim();
      while ((next === "" || next.startsWith("#")) && i + 1 < lines.length) next = (lines[++i] ?? "").trim();
      logical += ` ${next}`;
    }
    const heredocs: string[] = [];
    for (const [, , delimiter] of logical.matchAll(HEREDOC)) {
      const body: string[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== delimiter) body.push(lines[++i] ?? "");
      i++;
      heredocs.push(body.join("\n"));
    }
    const space = logical.search(/\s/);
    const keyword = (space === -1 ? logical : logical.slice(0, space)).toUpperCase();
    instructions.push({ keyword, args: space === -1 ? "" : logical.slice(space + 1).trim(), heredocs });
  }
  return instructions;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of readInstructions(text)) {
    if (instruction.keyword === "FROM") {
      const [from = "", as, name] = instruction.args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name = "", value = ""] = instruction.args.split("=", 2);
      globalArgs.set(name, value);
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** The value of `${NAME}` (or a literal image) after global ARG defaults. */
export function resolveImage(dockerfile: Dockerfile, from: string): string {
  return from.replace(/^\$\{(\w+)\}$/, (_, name: string) => dockerfile.globalArgs.get(name) ?? from);
}

export const finalStage = (dockerfile: Dockerfile): Stage => {
  const stage = dockerfile.stages.at(-1);
  if (stage === undefined) throw new Error("Dockerfile without FROM");
  return stage;
};

export const instructionsOf = (dockerfile: Dockerfile): Instruction[] => dockerfile.stages.flatMap((stage) => stage.instructions);
