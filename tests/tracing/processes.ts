/** The services as processes, and a trace as Jaeger's query API returns it. */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:net";

export interface ServiceProcess {
  /** What it wrote to stdout and stderr, to explain a failure. */
  output(): string;
  /** SIGTERM (the service flushes its spans), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/** `services/<name>/src/main.ts` from its TypeScript sources, as in development. */
export function startService(name: string, env: Record<string, string | undefined>): ServiceProcess {
  const child = spawn(
    process.execPath,
    ["--conditions=development", "--import", "tsx", `services/${name}/src/main.ts`],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: a kill takes whatever it started too.
      detached: true,
    },
  );
  const chunks: string[] = [];
  child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk.toString()));
  const exited = once(child, "exit");
  return {
    output: () => `${name}:\n${chunks.join("")}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      process.kill(-(child.pid ?? 0), "SIGTERM");
      const timer = setTimeout(() => process.kill(-(child.pid ?? 0), "SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A caller's own W3C trace context (sampled). */
export function randomTraceparent(): { traceId: string; spanId: string; header: string } {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, header: `00-${traceId}-${spanId}-01` };
}

interface JaegerTrace {
  spans: {
    spanID: string;
    operationName: string;
    processID: string;
    references: { refType: string; spanID: string }[];
    tags: { key: string; value: unknown }[];
  }[];
  processes: Record<string, { serviceName: string }>;
}

export interface TracedSpan {
  service: string;
  operation: string;
  spanId: string;
  parentSpanId: string | null;
  links: string[];
  kind: string | null;
  tags: Record<string, unknown>;
}

/** GET /api/traces/<id>; rejects until Jaeger has the trace. */
export async function fetchJaegerTrace(queryUrl: string, traceId: string): Promise<JaegerTrace> {
  const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
  if (response.status !== 200) throw new Error(`Jaeger answered ${response.status} for trace ${traceId}`);
  const body = (await response.json()) as { data: JaegerTrace[] };
  const [found] = body.data;
  if (found === undefined) throw new Error(`Jaeger has no trace ${traceId}`);
  return found;
}

/** Each span with its service, its parent (CHILD_OF) and its links (FOLLOWS_FROM), as Jaeger records them. */
export function spanTree(found: JaegerTrace): TracedSpan[] {
  return found.spans.map((span) => {
    const tags = Object.fromEntries(span.tags.map((tag) => [tag.key, tag.value]));
    return {
      service: found.processes[span.processID]?.serviceName ?? "?",
      operation: span.operationName,
      spanId: span.spanID,
      parentSpanId: span.references.find((reference) => reference.refType === "CHILD_OF")?.spanID ?? null,
      links: span.references
        .filter((reference) => reference.refType === "FOLLOWS_FROM")
        .map((reference) => reference.spanID),
      kind: typeof tags["span.kind"] === "string" ? tags["span.kind"] : null,
      tags,
    };
  });
}
