/**
 * The images' recipe without a Docker engine: services/Dockerfile's compile command, run into a
 * temporary directory laid out as the image's /app, and started as the ENTRYPOINT starts it: plain
 * `node` on JavaScript, without tsx, flags or NODE_OPTIONS. Every image of mk/kind.mk loads and
 * reads its configuration; the API, the worker and the operator answer their probes on the real
 * servers and stop cleanly on SIGTERM; the dashboard image's own main.mjs serves.
 */
import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import {
  applyCrds,
  createNamespace,
  deleteNamespace,
  freePort,
  httpGet,
  kubeEnv,
  missingKube,
} from "../../operator/test/harness.ts";
import {
  compileLikeTheImage,
  exitOf,
  filesUnder,
  layOutLikeTheImage,
  readDockerfile,
  REPO_ROOT,
  startNode,
} from "./compiled-image.ts";
import { finalStage } from "./dockerfile.ts";

/** mk/kind.mk's `name:workspace` pairs: every image built with services/Dockerfile. */
const kindImages = (
  /^KIND_NODE_IMAGES := ((?:.*\\\n)*.*)$/m.exec(readFileSync(join(REPO_ROOT, "mk/kind.mk"), "utf8"))?.[1] ?? ""
)
  .split(/[\s\\]+/)
  .filter((pair) => pair.includes(":"))
  .map((pair) => pair.split(":") as [string, string]);

let out = "";
const started: ChildProcess[] = [];
/** startNode, and killed at the end should a test have left it running. */
const start = (script: string, env: Record<string, string>): ReturnType<typeof startNode> => {
  const node = startNode(script, env);
  started.push(node.child);
  return node;
};
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), "soc-image-"));
  compileLikeTheImage(out);
  layOutLikeTheImage(out);
});
afterAll(() => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  rmSync(out, { recursive: true, force: true });
});

// Start-up joins Kafka consumer groups and creates topics: seconds alone, much longer on a busy machine.
const START_TIMEOUT_MS = 60_000;
const SERVICE_TEST_TIMEOUT_MS = 2 * START_TIMEOUT_MS + 30_000;

/** Polls `url` until it answers 200, then returns the body; the process's output when it never does. */
async function until200(url: string, output: () => string): Promise<string> {
  try {
    return await eventually(
      async () => {
        const answer = await httpGet(url);
        expect(answer.status).toBe(200);
        return answer.body;
      },
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 200 },
    );
  } catch (error) {
    throw new Error(`${url} never answered 200; process output:\n${output()}`, { cause: error });
  }
}

describe("the images' JavaScript", () => {
  it("is built and run by Node 24", () => {
    expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
  });

  it("holds compiled JavaScript only, and no tests or test helpers", () => {
    const files = filesUnder(out).filter((file) => !file.endsWith("package.json"));
    expect(files.length).toBeGreaterThan(50);
    expect(files.filter((file) => !file.endsWith(".js"))).toEqual([]);
    expect(files.filter((file) => /\.test\.|\.contract\.|\/testing[./]|\/test\/|\/e2e\//.test(file))).toEqual([]);
  });

  it("is what every workspace exports by default; its TypeScript only under the development condition", () => {
    const manifests = readdirSync(join(REPO_ROOT, "node_modules", "@soc")).map((link) =>
      join(REPO_ROOT, "node_modules", "@soc", link, "package.json"),
    );
    for (const manifest of manifests) {
      const { exports } = JSON.parse(readFileSync(manifest, "utf8")) as { exports: Record<string, unknown> };
      // Test helpers are not compiled: they resolve only where tests run, from the sources.
      const runtime = Object.entries(exports).filter(([subpath]) => subpath !== "./testing");
      for (const [subpath, target] of runtime) {
        const source = (target as { development?: string }).development ?? "";
        expect({ manifest, subpath, target }).toEqual({
          manifest,
          subpath,
          target: { development: expect.stringMatching(/\.ts$/), default: source.replace(/\.ts$/, ".js") },
        });
      }
    }
  });

  it("reads the images from mk/kind.mk", () => {
    expect(kindImages.map(([name]) => name)).toEqual(expect.arrayContaining(["api", "worker", "operator"]));
  });

  // Side by side: each is a process mostly waiting on its module loads.
  it.concurrent.each(kindImages)(
    "%s (%s): the entry point loads on plain node and validates its configuration",
    async (_name, workspace) => {
      const { child, output } = start(join(out, workspace, "src", "main.js"), { LOG_LEVEL: "loudest" });
      expect(await exitOf(child)).toBe(1);
      expect(output()).toContain("invalid configuration");
      expect(output()).toContain("LOG_LEVEL");
    },
  );

  it("dashboard: the image's main.mjs serves the built files and /config.json with the compiled serve.js", async () => {
    const [main] = finalStage(readDockerfile("dashboard/Dockerfile")).instructions.flatMap(
      (instruction) => instruction.heredocs,
    );
    writeFileSync(join(out, "dashboard", "main.mjs"), main ?? "");
    mkdirSync(join(out, "dashboard", "dist"), { recursive: true });
    writeFileSync(join(out, "dashboard", "dist", "index.html"), "<!doctype html><title>SOC dashboard</title>");
    const port = await freePort();
    const { child, output } = start(join(out, "dashboard", "main.mjs"), {
      DASHBOARD_PORT: String(port),
      DASHBOARD_HOST: "127.0.0.1",
      API_BASE_URL: "http://api.example:8000",
    });
    try {
      expect(await until200(`http://127.0.0.1:${port}/alerts`, output)).toContain("<title>SOC dashboard</title>");
      const config = await httpGet(`http://127.0.0.1:${port}/config.json`);
      expect(JSON.parse(config.body)).toEqual({ apiBaseUrl: "http://api.example:8000" });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exitOf(child)).toBe(0);
  });
});

describe.skipIf(missingInfra("kafkaBroker"))("compiled services on the real Kafka, Elasticsearch and Redis", () => {
  // Topics and a consumer group of their own: nothing another suite publishes reaches them.
  const name = uniqueName("image");
  const backends = {
    KAFKA_BROKER: realInfra.kafkaBroker ?? "",
    ELASTICSEARCH_URL: realInfra.elasticsearchUrl ?? "",
    REDIS_URL: realInfra.redisUrl ?? "",
    TOPIC_LOGS: `${name}-logs`,
    TOPIC_CONFIG_UPDATES: `${name}-config-updates`,
    TOPIC_HIGH_PRIORITY_ALERTS: `${name}-alerts`,
    WORKER_GROUP_ID: `${name}-worker`,
    LOG_LEVEL: "warn",
  };

  it(
    "api: answers /healthz and /readyz, and stops on SIGTERM",
    async () => {
      const port = await freePort();
      const { child, output } = start(join(out, "services", "api", "src", "main.js"), {
        ...backends,
        API_PORT: String(port),
        API_KEYS: "read:image-test-read-key-0001",
      });
      try {
        expect(JSON.parse(await until200(`http://127.0.0.1:${port}/healthz`, output))).toEqual({ status: "ok" });
        expect(JSON.parse(await until200(`http://127.0.0.1:${port}/readyz`, output))).toMatchObject({
          status: "ready",
        });
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exitOf(child)).toBe(0);
    },
    SERVICE_TEST_TIMEOUT_MS,
  );

  it(
    "worker: answers /healthz and /readyz, and stops on SIGTERM",
    async () => {
      const port = await freePort();
      const { child, output } = start(join(out, "services", "worker", "src", "main.js"), {
        ...backends,
        WORKER_METRICS_PORT: String(port),
      });
      try {
        await until200(`http://127.0.0.1:${port}/healthz`, output);
        await until200(`http://127.0.0.1:${port}/readyz`, output);
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exitOf(child)).toBe(0);
    },
    SERVICE_TEST_TIMEOUT_MS,
  );
});

describe.skipIf(missingKube())("the compiled operator on the real Kubernetes API server", () => {
  let namespace = "";
  beforeAll(() => {
    applyCrds();
    namespace = createNamespace("image");
  });
  afterAll(() => deleteNamespace(namespace));

  it(
    "takes the lease, answers /healthz and /readyz, and stops on SIGTERM",
    async () => {
      const port = await freePort();
      const { child, output } = start(join(out, "operator", "src", "main.js"), {
        KUBECONFIG: kubeEnv.kubeconfig ?? "",
        OPERATOR_PORT: String(port),
        WATCH_NAMESPACE: namespace,
        LEADER_ELECTION_NAMESPACE: namespace,
        POD_NAME: "image-test",
        LOG_LEVEL: "warn",
      });
      try {
        await until200(`http://127.0.0.1:${port}/healthz`, output);
        await until200(`http://127.0.0.1:${port}/readyz`, output);
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exitOf(child)).toBe(0);
    },
    SERVICE_TEST_TIMEOUT_MS,
  );
});
