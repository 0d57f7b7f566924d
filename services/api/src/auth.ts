/**
 * API keys with roles. Keys are kept only as SHA-256 digests and compared in constant time.
 * admin may do everything; read may query; ingest may only submit logs; bouncer may only pull
 * bans (CrowdSec's bouncer API, docs/response.md).
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Middleware } from "koa";
import { AppError, ConfigError } from "@soc/shared";

export const ROLES = ["ingest", "read", "admin", "bouncer"] as const;
export type Role = (typeof ROLES)[number];

export interface ApiKey {
  role: Role;
  key: string;
  /** Who holds it (`role@name:key`): a ban's origin, a bouncer's stream state. */
  name?: string;
}

/** What authenticate leaves in ctx.state for the routes. */
export interface Caller {
  role?: Role | "invalid";
  /** The key's name, or `<role>-<digest prefix>` for an unnamed key. */
  keyName?: string;
}

/** In open mode `hosts` are the names the API answers to besides loopback (against DNS rebinding). */
export type AccessControl =
  { mode: "open"; hosts?: string[] } | { mode: "keys"; keys: { role: Role; digest: Buffer; name: string }[] };

export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1"] as const;
/** Kubelet probes address a pod by its IP, so they pass the Host check (and get no role). */
const PROBE_PATHS = new Set(["/healthz", "/readyz"]);

const digest = (key: string): Buffer => createHash("sha256").update(key).digest();

const KEY_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** The caller's name in open mode, where no key is presented. */
export const OPEN_MODE_CALLER = "open-mode";

/**
 * Parses `role:key` or `role@name:key` entries separated by commas or newlines (env var or mounted
 * file). Lines that start with `#` are comments as a whole, so a comma inside one never makes an entry.
 */
export function parseApiKeys(text: string): ApiKey[] {
  const entries = text
    .split("\n")
    .filter((line) => !line.trim().startsWith("#"))
    .flatMap((line) => line.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  return entries.map((entry, index) => {
    const separator = entry.indexOf(":");
    const [role = "", name] = entry.slice(0, Math.max(separator, 0)).split("@");
    const key = entry.slice(separator + 1);
    if (separator < 0 || !(ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(
        `API_KEYS entry ${index + 1}: expected role:key or role@name:key with role one of ${ROLES.join(", ")}`,
      );
    }
    if (name !== undefined && !KEY_NAME.test(name))
      throw new ConfigError(`API_KEYS entry ${index + 1}: a key name is 1 to 64 letters, digits, '.', '_' or '-'`);
    if (key.length < 16) throw new ConfigError(`API_KEYS entry ${index + 1}: key must be at least 16 characters`);
    return { role: role as Role, key, ...(name !== undefined ? { name } : {}) };
  });
}

export function keyAccess(keys: ApiKey[]): AccessControl {
  if (keys.length === 0)
    throw new ConfigError("no API keys configured: set API_KEYS (role:key,...) or API_KEYS_FILE, or AUTH_MODE=open");
  const names = keys.map(({ role, key, name }) => name ?? `${role}-${digest(key).toString("hex").slice(0, 8)}`);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  // Bans name their analyst and bouncers keep their state by name: two keys must not share one.
  if (repeated !== undefined) throw new ConfigError(`API_KEYS: two keys are named ${repeated}`);
  return {
    mode: "keys",
    keys: keys.map(({ role, key }, index) => ({ role, digest: digest(key), name: names[index] ?? role })),
  };
}

export function generateApiKey(): string {
  return `soc_${randomBytes(24).toString("base64url")}`;
}

const grants = (held: Role, needed: Role): boolean => held === "admin" || held === needed;

/** Whether the caller identified by authenticate holds `needed`, for answers that only vary by role. */
export function holdsRole(state: { role?: unknown }, needed: Role): boolean {
  return (ROLES as readonly unknown[]).includes(state.role) && grants(state.role as Role, needed);
}

const HOST_HEADER = /^(?:\[([0-9a-f:.]{2,45})\]|([a-z0-9.-]{1,253}))(?::\d{1,5})?$/i;

/** The host name of a Host header (`[::1]:8000` → `::1`), or null unless it is exactly `name[:port]`. */
export function hostNameOf(header: string | undefined): string | null {
  const match = HOST_HEADER.exec(header ?? "");
  return match === null ? null : (match[1] ?? match[2] ?? "").toLowerCase();
}

function presentedKey(authorization: string | undefined, apiKeyHeader: string | string[] | undefined): string | null {
  if (authorization?.startsWith("Bearer ")) return authorization.slice("Bearer ".length).trim();
  if (typeof apiKeyHeader === "string" && apiKeyHeader !== "") return apiKeyHeader;
  return null;
}

/** Identifies the caller's role into ctx.state.role; routes then demand one with requireRole. */
export function authenticate(access: AccessControl): Middleware {
  return async function authenticateCaller(ctx, next) {
    if (access.mode === "open") {
      // Without keys, a page on another site must not reach the API through a name it controls.
      const host = hostNameOf(ctx.req.headers.host);
      const allowed = [...LOOPBACK_HOSTS, ...(access.hosts ?? [])].map((name) => name.toLowerCase());
      if (host !== null && allowed.includes(host))
        Object.assign(ctx.state, { role: "admin", keyName: OPEN_MODE_CALLER } satisfies Caller);
      else if (!PROBE_PATHS.has(ctx.path)) {
        throw new AppError(
          "forbidden",
          `Host ${JSON.stringify(ctx.req.headers.host ?? "")} is not allowed: with AUTH_MODE=open the API answers only to ${allowed.join(", ")}`,
        );
      }
      return next();
    }
    const key = presentedKey(ctx.get("authorization") || undefined, ctx.headers["x-api-key"]);
    if (key !== null) {
      const presented = digest(key);
      const holder = access.keys.find((candidate) => timingSafeEqual(candidate.digest, presented));
      Object.assign(
        ctx.state,
        (holder === undefined ? { role: "invalid" } : { role: holder.role, keyName: holder.name }) satisfies Caller,
      );
    }
    return next();
  };
}

/** `"any-key"`: any valid key, whatever its role (to learn which role it has). */
export function requireRole(needed: Role | "any-key"): Middleware {
  return async function checkRole(ctx, next) {
    const role = ctx.state.role as Role | "invalid" | undefined;
    if (role === undefined) throw new AppError("unauthorized", "Missing API key: send 'Authorization: Bearer <key>'");
    if (role === "invalid") throw new AppError("forbidden", "Invalid API key");
    if (needed !== "any-key" && !grants(role, needed))
      throw new AppError("forbidden", `This action needs the '${needed}' role; your key has '${role}'`);
    return next();
  };
}
