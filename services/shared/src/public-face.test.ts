/**
 * What importing each entry point of @soc/shared loads, seen from a fresh Node process: the root
 * (contracts) loads no client library, and each adapter subpath loads its own, which also shows
 * that the probe sees a package when one is loaded.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

// Records the npm package of every module resolved (imports and requires alike), then imports the entry.
const PROBE = `
import { registerHooks } from "node:module";
const loaded = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    const npmPackage = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url)?.[1];
    if (npmPackage !== undefined) loaded.add(npmPackage);
    return resolved;
  },
});
await import(process.argv.at(-1));
console.log(JSON.stringify([...loaded]));
`;

const ENTRIES = [
  "@soc/shared",
  "@soc/shared/memory",
  "@soc/shared/kafka",
  "@soc/shared/elasticsearch",
  "@soc/shared/redis",
  "@soc/shared/telemetry",
  "@soc/shared/http",
] as const;
type Entry = (typeof ENTRIES)[number];

/** The client libraries an entry point may pull in only if it is the adapter for them. */
const CLIENTS = [
  "kafkajs",
  "ioredis",
  "@elastic/elasticsearch",
  "prom-client",
  "@opentelemetry/api",
  "@opentelemetry/sdk-node",
];

async function packagesLoadedBy(entry: Entry): Promise<string[]> {
  // The services' own way of running TypeScript sources: the development condition and tsx.
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--conditions=development", "--import", "tsx", "--input-type=module", "-e", PROBE, entry],
    { cwd: PACKAGE_DIR },
  );
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "[]") as string[];
}

const clientsOf = (packages: string[]): string[] => CLIENTS.filter((client) => packages.includes(client));

describe("@soc/shared's entry points, each imported alone in a fresh process", () => {
  const loaded = new Map<Entry, string[]>();
  beforeAll(async () => {
    for (const [entry, packages] of await Promise.all(
      ENTRIES.map(async (entry) => [entry, await packagesLoadedBy(entry)] as const),
    ))
      loaded.set(entry, packages);
  }, 60_000);

  it("the contracts at the root load no client library: no Kafka, Redis, Elasticsearch, metrics or tracing", () => {
    expect(loaded.get("@soc/shared")).toContain("zod");
    expect(clientsOf(loaded.get("@soc/shared") ?? [])).toEqual([]);
  });

  it("the in-memory adapters and the HTTP helper load no server's client either", () => {
    expect(
      clientsOf(loaded.get("@soc/shared/memory") ?? []).filter((client) => client !== "@opentelemetry/api"),
    ).toEqual([]);
    expect(loaded.get("@soc/shared/http")).toEqual([]);
  });

  it.each([
    ["@soc/shared/kafka", "kafkajs"],
    ["@soc/shared/elasticsearch", "@elastic/elasticsearch"],
    ["@soc/shared/redis", "ioredis"],
    ["@soc/shared/telemetry", "prom-client"],
  ] as const)("%s loads %s, and no other server's client", (entry, client) => {
    const servers = ["kafkajs", "ioredis", "@elastic/elasticsearch"];
    expect(
      clientsOf(loaded.get(entry) ?? []).filter(
        (loadedClient) => servers.includes(loadedClient) || loadedClient === client,
      ),
    ).toEqual([client]);
  });

  it("no entry point starts the OpenTelemetry SDK: it loads only when tracing is configured", () => {
    expect(ENTRIES.filter((entry) => loaded.get(entry)?.includes("@opentelemetry/sdk-node"))).toEqual([]);
  });
});
