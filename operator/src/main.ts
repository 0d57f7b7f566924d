/**
 * The operator process: leader election on a Lease; the leader runs the informers, work queue
 * and reconcilers; every replica serves /healthz (fails when a watch is dead), /readyz and
 * /metrics. SIGTERM stops work, waits for reconciles in flight and hands the Lease over.
 */
import { createLogger, onShutdownSignal } from "@soc/shared";
import { createKafkaBus, describeKafkaSecurity, kafkaSecurityOf } from "@soc/shared/kafka";
import { startOpsServer, startTracing } from "@soc/shared/telemetry";
import { parseOperatorEnv } from "./config.ts";
import { LeaderElector } from "./controller/leader-election.ts";
import { Operator } from "./controller/operator.ts";
import { parseOperatorScope } from "./scope.ts";
import { createKubeClient, loadKubeConfig } from "./kube/client.ts";
import { createEventRecorder } from "./kube/events.ts";
import { createOperatorMetrics } from "./metrics.ts";
import { BusPool } from "./kafka/bus-pool.ts";
import { brokerPolicyOf, isOpen } from "./kafka/broker-policy.ts";
import { PipelineBuses } from "./kafka/pipeline-buses.ts";
import { kubeSecretReader } from "./kafka/pipeline-credentials.ts";

/** Within Kubernetes' default 30 s termination grace period, with room for the rest. */
const SHUTDOWN_GRACE_MS = 10_000;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

const env = parseOperatorEnv(process.env);
const logger = createLogger("soc-operator", env.LOG_LEVEL);
const tracing = startTracing("soc-operator", env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_HEADERS);
await tracing.ready;
const kube = createKubeClient(loadKubeConfig());
const metrics = createOperatorMetrics();
const kafkaSecurity = kafkaSecurityOf(env);
const brokerPolicy = brokerPolicyOf(env);
const buses = new PipelineBuses({
  pool: new BusPool(logger, {
    idleMs: env.KAFKA_CLIENT_IDLE_SECONDS * 1000,
    maxClients: env.KAFKA_CLIENTS_MAX,
    now: Date.now,
  }),
  create: ({ brokers, security, allowConnection }) =>
    createKafkaBus({ brokers, security, allowConnection, clientId: `soc-operator-${env.POD_NAME}`, logger }),
  readSecret: kubeSecretReader(kube),
  policy: brokerPolicy,
  operatorSecurity: kafkaSecurity,
  requirePipelineCredentials: env.KAFKA_REQUIRE_PIPELINE_CREDENTIALS,
  logger,
});
const operator = new Operator({
  kube,
  buses,
  events: createEventRecorder(kube, env.POD_NAME, logger),
  metrics,
  logger,
  // Watched namespaces (WATCH_NAMESPACES, or the older WATCH_NAMESPACE) and the image-registry allow-list.
  ...parseOperatorScope(process.env),
  concurrency: env.RECONCILE_CONCURRENCY,
  informer: {
    watchTimeoutSeconds: env.WATCH_TIMEOUT_SECONDS,
    graceSeconds: env.WATCH_GRACE_SECONDS,
    resyncSeconds: env.RESYNC_SECONDS,
  },
});

let leading = false;
const startLeading = (): void => {
  leading = true;
  metrics.isLeader.set(1);
  operator.start().catch((error: unknown) => {
    logger.fatal({ err: error }, "operator could not start");
    process.exit(1);
  });
};

const elector = env.LEADER_ELECT
  ? new LeaderElector(
      kube,
      {
        namespace: env.LEADER_ELECTION_NAMESPACE,
        name: env.LEADER_ELECTION_ID,
        identity: env.POD_NAME,
        leaseDurationSeconds: env.LEASE_DURATION_SECONDS,
        renewDeadlineSeconds: env.LEASE_RENEW_DEADLINE_SECONDS,
        retryPeriodSeconds: env.LEASE_RETRY_PERIOD_SECONDS,
      },
      {
        onStartedLeading: startLeading,
        // Another replica may already be reconciling: stop at once, as client-go does.
        onStoppedLeading: () => {
          logger.fatal("lost the leader lease: exiting");
          process.exit(1);
        },
      },
      logger,
    )
  : null;

const ops = startOpsServer({
  port: env.OPERATOR_PORT,
  registry: metrics.registry,
  ready: async () => {
    if (leading && !operator.synced()) throw new Error("caches not synced yet");
  },
  live: async () => {
    if (!leading) return;
    const dead = operator.deadWatches();
    if (dead.length > 0) throw new Error(`watches not live: ${dead.join(", ")}`);
  },
});

logger.info(
  { identity: env.POD_NAME, leaderElection: env.LEADER_ELECT, kafka: describeKafkaSecurity(kafkaSecurity) },
  "soc-operator starting",
);
if (isOpen(brokerPolicy))
  logger.warn(
    "no Kafka broker allow-list (KAFKA_BROKER_ALLOWLIST, KAFKA_BROKERS_IN_NAMESPACE): any SocPipeline can make the operator connect to any host:port it can reach (docs/security.md)",
  );
if (elector === null) startLeading();
else elector.start();

onShutdownSignal(async (signal) => {
  const started = Date.now();
  logger.info({ signal }, "shutting down");
  ops.close();
  // Stop reconciling before giving up the Lease, so two leaders never overlap. A reconcile that
  // does not finish in time keeps the Lease held: the next leader then waits it out instead.
  const stopped = await Promise.race([operator.stop().then(() => true), delay(SHUTDOWN_GRACE_MS).then(() => false)]);
  if (stopped) {
    logger.info({ ms: Date.now() - started }, "reconciles in flight finished");
    await elector?.stop();
    logger.info({ ms: Date.now() - started }, "leader lease released");
  } else {
    logger.warn({ ms: Date.now() - started }, "reconciles still in flight: exiting without releasing the leader lease");
  }
  await buses.close();
  await tracing.shutdown();
});
