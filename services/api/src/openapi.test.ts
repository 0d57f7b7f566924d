import Router from "@koa/router";
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "@soc/shared";
import { createMemoryStore } from "@soc/shared/memory";
import { createRegistry } from "@soc/shared/telemetry";
import { createMemoryReportSource, createReportRoutes } from "@soc/reporter";
import { createApp } from "./app.ts";
import { openApiDocument } from "./openapi.ts";
import { DOCUMENTED_ROUTES } from "./routes/index.ts";
import { startTestApi, type TestApi } from "./testing.ts";

interface Operation {
  operationId: string;
  security?: unknown[];
  responses: Record<string, unknown>;
}
type Paths = Record<string, Record<string, Operation>>;

describe("/openapi.json", () => {
  let api: TestApi;
  let served: { paths: Paths };
  beforeAll(async () => {
    const store = createMemoryStore();
    api = await startTestApi({
      store,
      readRoutes: [createReportRoutes({ source: createMemoryReportSource(store), logger: silentLogger() })],
    });
    served = (await (await api.request("/openapi.json", { key: null })).json()) as { paths: Paths };
  });
  afterAll(async () => {
    await api.close();
  });

  it("is a valid OpenAPI 3.1 document whose every $ref resolves from its root", async () => {
    const validator = new Validator();
    // A copy: resolveRefs() dereferences in place.
    const result = await validator.validate(structuredClone(served) as Parameters<Validator["validate"]>[0]);
    expect(result.errors).toBeUndefined();
    expect([result.valid, validator.version]).toEqual([true, "3.1"]);
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it("keeps the contract's paths, methods and success statuses", () => {
    const operations = Object.entries(served.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(
        ([method, operation]) =>
          `${method.toUpperCase()} ${path} ${Object.keys(operation.responses).filter((status) => status.startsWith("2"))}`,
      ),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        "POST /logs 200",
        "GET /alerts 200",
        "PATCH /alerts/{alert_id} 200",
        "GET /whitelist 200",
        "POST /whitelist 201",
        "DELETE /whitelist/{ip} 200",
        "PATCH /alerts 200",
        "GET /stats 200",
        "GET /pipeline 200",
        "GET /reports/monthly.pdf 200",
        "GET /auth/whoami 200",
        "GET /healthz 200",
        "GET /readyz 200",
        "GET /metrics 200",
        "GET /bans 200",
        "POST /bans 200,201",
        "DELETE /bans/{ip} 200",
        "GET /v1/decisions 200",
        "GET /v1/decisions/stream 200",
      ]),
    );
    expect(operations).toHaveLength(DOCUMENTED_ROUTES.length);
    const ids = Object.values(served.paths).flatMap((methods) =>
      Object.values(methods).map((operation) => operation.operationId),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is the document openApiDocument() generates, the one the dashboard's client is generated from", () => {
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
  });

  // Black-box: every documented operation answers as documented without a key, so none is missing
  // from the router (a missing one would answer 404 "No route" or 405).
  it.each(DOCUMENTED_ROUTES.map((route) => [route.method.toUpperCase(), route.path, route.access] as const))(
    "%s %s is served with the documented access",
    async (method, path, access) => {
      const response = await api.request(path.replace(/\{\w+\}/g, "x"), { method, key: null });
      const expected = access === "public" ? [200, 503] : [401];
      expect(expected).toContain(response.status);
      if (access === "public") expect(served.paths[path]?.[method.toLowerCase()]?.security).toEqual([]);
    },
  );

  it("refuses to mount another package's route that the route list does not document", () => {
    const undocumented = new Router().get("/reports/weekly.pdf", (ctx) => {
      ctx.body = "";
    });
    expect(() =>
      createApp({
        ...api.deps,
        registry: createRegistry("api-test", { defaultMetrics: false }),
        readRoutes: [undocumented],
      }),
    ).toThrow("GET /reports/weekly.pdf is not in the API's route list");
  });

  it("answers /auth/whoami for a key of any role, as documented", async () => {
    for (const key of ["ingest", "read", "admin", "bouncer"] as const) {
      const response = await api.request("/auth/whoami", { key });
      expect([response.status, await response.json()]).toEqual([200, { role: key }]);
    }
  });
});
