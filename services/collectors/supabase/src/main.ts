/** The Supabase collector: polls the Management API logs endpoint and, if configured, receives a log drain. */
import { createPullCollector, drainCollectorListener, drainHandler, drainServer, fileCursorStore, pollUntilStopped } from "@soc/collector-framework";
import { createKafkaBus, createLogger, createRegistry, kafkaConnectionOf, topicsFromEnv } from "@soc/shared";
import { parseSupabaseCollectorEnv } from "./config.ts";
import { supabaseDrainSource, supabaseSource } from "./source.ts";

const env = parseSupabaseCollectorEnv(process.env);
const logger = createLogger("collector-supabase", env.LOG_LEVEL);
const registry = createRegistry("collector-supabase");
const bus = createKafkaBus({ ...kafkaConnectionOf(env), clientId: "soc-collector-supabase", logger });
const topic = topicsFromEnv(env).logs;
const source = supabaseSource({ baseUrl: env.SUPABASE_API_URL, projectRef: env.SUPABASE_PROJECT_REF, token: env.SUPABASE_ACCESS_TOKEN, windowSeconds: env.COLLECTOR_POLL_SECONDS });
const collector = createPullCollector({ source, bus, cursors: fileCursorStore(env.COLLECTOR_CURSOR_FILE), logger, registry, topic });
const drain = env.SUPABASE_DRAIN_SECRET === undefined ? null : drainHandler({ source: supabaseDrainSource({ headerName: env.SUPABASE_DRAIN_HEADER, secret: env.SUPABASE_DRAIN_SECRET }), bus, topic, maxBodyBytes: env.DRAIN_MAX_BODY_BYTES });
const server = drainServer(drainCollectorListener({ registry, ready: () => bus.ping() }, drain), { maxConnections: env.DRAIN_MAX_CONNECTIONS }).listen(env.COLLECTOR_PORT);
await pollUntilStopped(collector, env.COLLECTOR_POLL_SECONDS);
server.close();
await bus.close();
