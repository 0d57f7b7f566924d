/** `make run`: the embedded pipeline with a local data directory and a key created on first start. */
import { z } from "zod";
import { onShutdownSignal, parseConfig } from "@soc/shared";
import { startTracing, tracingEnvShape } from "@soc/shared/telemetry";
import { startEmbedded } from "./embedded.ts";

const telemetry = parseConfig(z.object(tracingEnvShape), process.env);
const tracing = startTracing(
  "soc-pipeline",
  telemetry.OTEL_EXPORTER_OTLP_ENDPOINT,
  telemetry.OTEL_EXPORTER_OTLP_HEADERS,
);
await tracing.ready;

// Whatever this process creates later (journals of new topics) is its owner's only, like .data itself.
process.umask(0o077);
const embedded = await startEmbedded({ env: process.env, print: (text) => process.stdout.write(text) });
onShutdownSignal(async () => {
  await embedded.close();
  await tracing.shutdown();
});
