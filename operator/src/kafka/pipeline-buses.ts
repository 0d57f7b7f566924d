/**
 * The one way the operator reaches a pipeline's Kafka: the broker policy is checked before any
 * connection (and again on every connection the client opens, so a broker cannot redirect it with
 * the addresses it advertises), the pipeline's own credentials are read from its Secrets, and the
 * client comes from the pool under the key (namespace, brokers, credentials identity).
 */
import type { Logger } from "@soc/shared";
import type { KafkaBus, KafkaSecurity } from "@soc/shared/kafka";
import type { SocPipeline } from "../api/v1alpha1/index.ts";
import { brokerAllowed, describePolicy, refusedBrokers, type BrokerPolicy } from "./broker-policy.ts";
import type { BusPool, EvictionListener } from "./bus-pool.ts";
import { KafkaAccessRefused } from "./kafka-problem.ts";
import { hasPipelineIdentity, pipelineKafkaCredentials, type SecretReader } from "./pipeline-credentials.ts";

export interface KafkaClientSettings {
  brokers: string[];
  /** The pipeline's credentials, or the operator's own. */
  security: KafkaSecurity;
  /** Consulted before every connection the client opens, bootstrap or advertised. */
  allowConnection: (host: string, port: number) => boolean;
}

export type BusFactory = (settings: KafkaClientSettings) => KafkaBus;

export interface PipelineBusesOptions {
  pool: BusPool;
  create: BusFactory;
  readSecret: SecretReader;
  policy: BrokerPolicy;
  /** How the operator connects when a pipeline names no credentials. */
  operatorSecurity: KafkaSecurity;
  /** Refuse pipelines without credentials of their own (the operator never acts as itself). */
  requirePipelineCredentials: boolean;
  logger: Logger;
}

export const pipelineKey = (pipeline: SocPipeline): string =>
  `${pipeline.metadata.namespace}/${pipeline.metadata.name}`;

export class PipelineBuses {
  constructor(private readonly options: PipelineBusesOptions) {}

  /** The pipeline's client, its topics ensured; throws KafkaAccessRefused before connecting when it may not. */
  async connect(pipeline: SocPipeline, logsPartitions?: number): Promise<KafkaBus> {
    const { policy, logger, requirePipelineCredentials } = this.options;
    const { namespace } = pipeline.metadata;
    const { kafka } = pipeline.spec;
    const refused = refusedBrokers(policy, namespace, kafka.brokers);
    if (refused.length > 0) {
      throw new KafkaAccessRefused(
        "BrokerNotAllowed",
        `brokers ${refused.join(", ")} are outside the operator's Kafka broker allow-list for namespace ${namespace} (allowed: ${describePolicy(policy, namespace)}); no connection made`,
      );
    }
    if (requirePipelineCredentials && !hasPipelineIdentity(kafka)) {
      throw new KafkaAccessRefused(
        "CredentialsRequired",
        "the operator requires Kafka credentials of the pipeline's own: set spec.kafka.sasl with a user (or a client certificate in spec.kafka.tls); with AWS_MSK_IAM it would sign in as its own AWS identity",
      );
    }
    const credentials = await pipelineKafkaCredentials(kafka, namespace, this.options.readSecret);
    const brokers = [...kafka.brokers].sort();
    const key = `${namespace}|${brokers.join(",")}|${credentials.identity}`;
    const create = (): KafkaBus =>
      this.options.create({
        brokers,
        security: credentials.security ?? this.options.operatorSecurity,
        allowConnection: (host, port) => {
          const allowed = brokerAllowed(policy, namespace, host, port);
          if (!allowed)
            logger.warn(
              { namespace, host, port },
              "refused a Kafka connection outside the broker allow-list (advertised by the cluster)",
            );
          return allowed;
        },
      });
    return this.options.pool.get(pipelineKey(pipeline), key, create, kafka.topics, logsPartitions);
  }

  /** The client the pipeline's last reconcile connected, for its autoscaler; null before one did. */
  connected(key: string): KafkaBus | null {
    return this.options.pool.current(key);
  }

  release(key: string): void {
    this.options.pool.release(key);
  }

  onEvict(listener: EvictionListener): void {
    this.options.pool.onEvict(listener);
  }

  close(): Promise<void> {
    return this.options.pool.close();
  }
}
