/**
 * Configuration is read once at the edge: a service's main() parses process.env (and mounted
 * files) with a zod schema into a typed object and passes it down. Nothing else reads process.env.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Parses `source` with `schema`, reporting every bad key at once with its exact name. For each key
 * of the schema, `KEY_FILE=/path` (a mounted Kubernetes Secret) supplies the value from a file.
 */
export function parseConfig<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.output<S> {
  const keys = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
  const result = schema.safeParse(withFileSecrets(source, keys));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issue.path.join(".") || "(root)";
    return `  ${key}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${problems.join("\n")}`);
}

/** Comma-separated list; blanks dropped. */
export const commaList = z
  .string()
  .transform((s) => s.split(",").map((part) => part.trim()).filter((part) => part.length > 0));

export const positiveInt = z.coerce.number().int().positive();
/** A TCP port in digits (0 picks a free one); a blank value is refused, not read as 0. */
export const port = z
  .string()
  .trim()
  .regex(/^\d{1,5}$/, "expected a port number, 0-65535")
  .transform(Number)
  .pipe(z.number().max(65_535, "expected a port number, 0-65535"));
export const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((s) => s === "true" || s === "1" || s === "yes");

/** `NAME_FILE=/path` wins over `NAME`, for the given names only, so secrets need not sit in the environment. */
function withFileSecrets(env: Record<string, string | undefined>, names: string[]): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env };
  for (const name of names) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === "") continue;
    try {
      resolved[name] = readFileSync(path, "utf8").trim();
    } catch (error) {
      throw new ConfigError(`invalid configuration:\n  ${name}_FILE: cannot read ${path}: ${(error as Error).message}`);
    }
  }
  return resolved;
}

/** A secret value that never prints itself in logs, errors or JSON. */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return "<secret>";
  }
  toJSON(): string {
    return "<secret>";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "<secret>";
  }
}

export const secretString = z.string().min(1).transform((s) => new Secret(s));

export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");
