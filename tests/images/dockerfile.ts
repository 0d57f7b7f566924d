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

const isSkipped = (line: string): boolean => line === "" || line.startsWith("#");

/** The logical line starting at `lines[start]`, continuations joined; comment and blank lines inside one are dropped. */
function joinContinuations(lines: string[], start: number): { text: string; last: number } {
  let text = (lines[start] ?? "").trim();
  let last = start;
  while (text.endsWith("\\") && last + 1 < lines.length) {
    let next = (lines[++last] ?? "").trim();
    while (isSkipped(next) && last + 1 < lines.length) next = (lines[++last] ?? "").trim();
    text = `${text.slice(0, -1).trimEnd()} ${next}`;
  }
  return { text, last };
}

/** The bodies of the heredocs `text` opens, read from the lines after `last`. */
function readHeredocs(lines: string[], text: string, last: number): { heredocs: string[]; last: number } {
  const heredocs: string[] = [];
  for (const [, , delimiter] of text.matchAll(HEREDOC)) {
    const end = lines.indexOf(delimiter ?? "", last + 1);
    if (end === -1) throw new Error(`heredoc ${delimiter} is not closed`);
    heredocs.push(lines.slice(last + 1, end).join("\n"));
    last = end;
  }
  return { heredocs, last };
}

function readInstructions(text: string): Instruction[] {
  const lines = text.split("\n");
  const instructions: Instruction[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (isSkipped((lines[i] ?? "").trim())) continue;
    const logical = joinContinuations(lines, i);
    const { heredocs, last } = readHeredocs(lines, logical.text, logical.last);
    i = last;
    const [keyword = "", args = ""] = logical.text.split(/\s+(.*)/s);
    instructions.push({ keyword: keyword.toUpperCase(), args: args.trim(), heredocs });
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

export const instructionsOf = (dockerfile: Dockerfile): Instruction[] =>
  dockerfile.stages.flatMap((stage) => stage.instructions);
