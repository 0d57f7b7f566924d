/**
 * Configuration is read once at the edge: a service's main() parses process.env (and mounted
 * files) with a zod schema into a typed object and passes it down. Nothing else reads process.env.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { retentionEnvShape } from "./store/retention.ts";

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
export const commaList = z.string().transform((s) =>
  s
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0),
);

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

export const secretString = z
  .string()
  .min(1)
  .transform((s) => new Secret(s));

export const logLevel = z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info");

// --- Elasticsearch and Redis connections, shared by every service that opens one ---

/** CA certificates in PEM, usually from NAME_FILE=/path (a mounted Secret or ConfigMap). */
const pemCertificates = z
  .string()
  .refine(
    (pem) => pem.includes("-----BEGIN CERTIFICATE-----"),
    "expected PEM certificates (-----BEGIN CERTIFICATE-----), inline or from the _FILE path",
  );

/** A count in digits; a blank value is refused, not read as 0. */
const count = (max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, "expected a whole number")
    .transform(Number)
    .pipe(z.number().max(max, `expected at most ${max}`));

const withoutUserinfo = (url: string): boolean => {
  const parsed = new URL(url);
  return parsed.username === "" && parsed.password === "";
};

export const elasticsearchEnvShape = {
  /** https with a CA the system does not know needs ELASTICSEARCH_CA(_FILE). */
  ELASTICSEARCH_URL: z
    .url({ protocol: /^https?$/ })
    // The URL is printed in logs and errors, and the operator may put it in a plain env value.
    .refine(
      withoutUserinfo,
      "credentials in the URL are refused: use ELASTICSEARCH_API_KEY, or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD (each also as _FILE)",
    )
    .default("http://127.0.0.1:19200"),
  ELASTICSEARCH_INDEX: z.string().min(1).default("processed_logs"),
  ELASTICSEARCH_CA: pemCertificates.optional(),
  /** The `encoded` value of Elasticsearch's create-API-key response: base64 of `id:api_key`. */
  ELASTICSEARCH_API_KEY: z
    .string()
    .regex(
      /^[A-Za-z0-9+/_-]+=*$/,
      "expected the encoded API key (base64 of id:api_key, the `encoded` field Elasticsearch returns)",
    )
    .transform((key) => new Secret(key))
    .optional(),
  ELASTICSEARCH_USERNAME: z.string().min(1).optional(),
  ELASTICSEARCH_PASSWORD: secretString.optional(),
  /** Primary shards of an index the pipeline creates; 1 suits up to tens of GB. */
  ELASTICSEARCH_SHARDS: count(1024).pipe(z.number().min(1, "expected at least 1")).default(1),
  /** Unset: 0 on a one-node cluster, 1 as soon as there is a second data node (auto_expand_replicas 0-1). */
  ELASTICSEARCH_REPLICAS: count(32).optional(),
  // The store writes by event time within the retention, so its writers read the policy too.
  ...retentionEnvShape,
};
export type ElasticsearchEnv = z.output<z.ZodObject<typeof elasticsearchEnvShape>>;

/** The checks across keys of elasticsearchEnvShape: `.superRefine(checkElasticsearchEnv)` on the service's schema. */
export function checkElasticsearchEnv(env: ElasticsearchEnv, ctx: z.RefinementCtx): void {
  const basic = env.ELASTICSEARCH_USERNAME !== undefined || env.ELASTICSEARCH_PASSWORD !== undefined;
  if (env.ELASTICSEARCH_API_KEY !== undefined && basic) {
    ctx.addIssue({
      code: "custom",
      path: ["ELASTICSEARCH_API_KEY"],
      message: "set an API key or ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD, not both",
    });
  }
  if (basic && (env.ELASTICSEARCH_USERNAME === undefined || env.ELASTICSEARCH_PASSWORD === undefined)) {
    const missing = env.ELASTICSEARCH_USERNAME === undefined ? "ELASTICSEARCH_USERNAME" : "ELASTICSEARCH_PASSWORD";
    ctx.addIssue({
      code: "custom",
      path: [missing],
      message: "basic authentication needs both ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD",
    });
  }
  if (env.ELASTICSEARCH_CA !== undefined && env.ELASTICSEARCH_URL.startsWith("http:")) {
    ctx.addIssue({
      code: "custom",
      path: ["ELASTICSEARCH_CA"],
      message: "a CA is only used over TLS, but ELASTICSEARCH_URL is http://",
    });
  }
  if (env.RETENTION_ANOMALY_DAYS < env.RETENTION_NORMAL_DAYS) {
    ctx.addIssue({
      code: "custom",
      path: ["RETENTION_ANOMALY_DAYS"],
      message: "anomalies must be kept at least as long as normal logs (RETENTION_NORMAL_DAYS)",
    });
  }
}

const redisUrl = z.url({ protocol: /^rediss?$/, error: "expected a redis:// or rediss:// (TLS) URL" });

export const redisEnvShape = {
  /** Credentials may sit in the URL (as managed Redis services hand them out) or in REDIS_USERNAME/REDIS_PASSWORD. */
  REDIS_URL: redisUrl.default("redis://127.0.0.1:16379"),
  REDIS_CA: pemCertificates.optional(),
  /** An ACL user (Redis 6+); unset means `default`. */
  REDIS_USERNAME: z.string().min(1).optional(),
  REDIS_PASSWORD: secretString.optional(),
};
/** For a service that runs without Redis unless REDIS_URL is set. */
export const optionalRedisEnvShape = { ...redisEnvShape, REDIS_URL: redisUrl.optional() };
export type RedisEnv = z.output<z.ZodObject<typeof optionalRedisEnvShape>>;

/** The checks across keys of redisEnvShape: `.superRefine(checkRedisEnv)` on the service's schema. */
export function checkRedisEnv(env: RedisEnv, ctx: z.RefinementCtx): void {
  if (env.REDIS_URL === undefined) return;
  const inUrl = !withoutUserinfo(env.REDIS_URL);
  if (inUrl && (env.REDIS_USERNAME !== undefined || env.REDIS_PASSWORD !== undefined)) {
    ctx.addIssue({
      code: "custom",
      path: ["REDIS_URL"],
      message: "credentials both in the URL and in REDIS_USERNAME/REDIS_PASSWORD: keep one",
    });
  }
  if (env.REDIS_USERNAME !== undefined && env.REDIS_PASSWORD === undefined) {
    ctx.addIssue({ code: "custom", path: ["REDIS_PASSWORD"], message: "an ACL user needs REDIS_PASSWORD" });
  }
  if (env.REDIS_CA !== undefined && env.REDIS_URL.startsWith("redis:")) {
    ctx.addIssue({
      code: "custom",
      path: ["REDIS_CA"],
      message: "a CA is only used over TLS, but REDIS_URL is redis://; use rediss://",
    });
  }
}
