/**
 * Every regular expression in the project's sources, found with the TypeScript parser (a regex over
 * the text would miss some and invent others): literals, `RegExp(…)` calls whose pattern is a
 * literal (checkable like a literal), and `RegExp(…)` calls built at run time (to be reviewed).
 * Svelte components contribute their `<script>` blocks; expressions in their markup are not parsed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** Production code only: tests and their helpers never see attacker input. */
const SOURCE_ROOTS = ["services", "operator", "dashboard/src", "dashboard/serve.ts"];
const SKIPPED_DIRECTORIES = new Set(["node_modules", "dist", "test", "testing", "e2e"]);
const isSourceFile = (name: string): boolean =>
  (name.endsWith(".ts") || name.endsWith(".svelte")) && !/\.(test|contract|d)\.ts$/.test(name);

export interface RegexSite {
  /** `path:line`, the path relative to the repository. */
  where: string;
  source: string;
  flags: string;
}

export interface DynamicRegexSite {
  where: string;
  file: string;
  /** The code of the call's arguments, whitespace collapsed. */
  args: string;
}

export interface RegexInventory {
  /** Every file read, relative to the repository. */
  files: string[];
  checkable: RegexSite[];
  dynamic: DynamicRegexSite[];
}

function sourceFiles(root: string, path: string): string[] {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return isSourceFile(path) ? [path] : [];
  return readdirSync(full)
    .filter((entry) => !SKIPPED_DIRECTORIES.has(entry))
    .sort()
    .flatMap((entry) => sourceFiles(root, join(path, entry)));
}

/** The code to parse and the line it starts on: a whole .ts file, or each script of a component. */
function scripts(path: string, text: string): { code: string; firstLine: number }[] {
  if (!path.endsWith(".svelte")) return [{ code: text, firstLine: 1 }];
  const blocks: { code: string; firstLine: number }[] = [];
  for (let open = text.indexOf("<script"); open !== -1; open = text.indexOf("<script", open + 1)) {
    const start = text.indexOf(">", open) + 1;
    const end = text.indexOf("</script>", start);
    if (start === 0 || end === -1) break;
    blocks.push({ code: text.slice(start, end), firstLine: text.slice(0, start).split("\n").length });
  }
  return blocks;
}

/** `const NAME = "text"` anywhere in the file: a RegExp built from such a name is as checkable as a literal. */
function stringConstants(file: ts.SourceFile): Map<string, string> {
  const constants = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclarationList(node) && (node.flags & ts.NodeFlags.Const) !== 0) {
      for (const declaration of node.declarations) {
        const value = declaration.initializer;
        if (
          ts.isIdentifier(declaration.name) &&
          value !== undefined &&
          (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value))
        )
          constants.set(declaration.name.text, value.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return constants;
}

/** The pattern text of a literal argument (string, template without substitutions, regex, string constant), else null. */
function literalPattern(node: ts.Expression | undefined, constants: Map<string, string>): string | null {
  if (node === undefined) return "";
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isRegularExpressionLiteral(node)) return node.text.slice(1, node.text.lastIndexOf("/"));
  if (ts.isIdentifier(node)) return constants.get(node.text) ?? null;
  return null;
}

const isRegExpCall = (node: ts.Node): node is ts.NewExpression | ts.CallExpression =>
  (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
  ts.isIdentifier(node.expression) &&
  node.expression.text === "RegExp";

function sitesIn(path: string, text: string, inventory: RegexInventory): void {
  for (const { code, firstLine } of scripts(path, text)) {
    const file = ts.createSourceFile(path, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const constants = stringConstants(file);
    const where = (node: ts.Node): string =>
      `${path}:${file.getLineAndCharacterOfPosition(node.getStart()).line + firstLine}`;
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) {
        const slash = node.text.lastIndexOf("/");
        inventory.checkable.push({
          where: where(node),
          source: node.text.slice(1, slash),
          flags: node.text.slice(slash + 1),
        });
      } else if (isRegExpCall(node)) {
        const [pattern, flags] = node.arguments ?? [];
        const source = literalPattern(pattern, constants);
        const flagText = literalPattern(flags, constants);
        if (source !== null && flagText !== null)
          inventory.checkable.push({ where: where(node), source, flags: flagText });
        else
          inventory.dynamic.push({
            where: where(node),
            file: path,
            args: (node.arguments ?? [])
              .map((arg) => arg.getText(file))
              .join(", ")
              .replace(/\s+/g, " "),
          });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
}

export function regexInventory(repositoryRoot: string): RegexInventory {
  const files = SOURCE_ROOTS.flatMap((root) => sourceFiles(repositoryRoot, root));
  const inventory: RegexInventory = { files, checkable: [], dynamic: [] };
  for (const path of files) sitesIn(path, readFileSync(join(repositoryRoot, path), "utf8"), inventory);
  return inventory;
}
