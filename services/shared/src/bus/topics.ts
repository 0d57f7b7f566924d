/** The topics (with the settings each needs; services create them if missing) and consumer groups the pipeline owns. */
import { z } from "zod";
import { deadLetterTopic, TOPICS, type PipelineTopics } from "../messages.ts";

export interface TopicSpec {
  topic: string;
  partitions: number;
  config: Record<string, string>;
}

const deadLetter = (topic: string): TopicSpec => ({ topic: deadLetterTopic(topic), partitions: 1, config: {} });

/** Partitions of a new `logs` topic unless the pipeline asks otherwise (the operator's spec.kafka.logsPartitions). */
export const DEFAULT_LOGS_PARTITIONS = 6;

export function pipelineTopicSpecs(
  topics: PipelineTopics = TOPICS,
  logsPartitions = DEFAULT_LOGS_PARTITIONS,
): TopicSpec[] {
  return [
    { topic: topics.logs, partitions: logsPartitions, config: {} },
    // Compacted and keyed by IP: the latest action per IP is kept forever, so a new replica
    // rebuilds the whole whitelist by reading from the start.
    { topic: topics.configUpdates, partitions: 1, config: { "cleanup.policy": "compact" } },
    { topic: topics.highPriorityAlerts, partitions: 3, config: {} },
    deadLetter(topics.logs),
    deadLetter(topics.configUpdates),
    deadLetter(topics.highPriorityAlerts),
  ];
}

export const PIPELINE_TOPICS: TopicSpec[] = pipelineTopicSpecs();

/** Environment keys for the topic names, shared by every service's configuration schema. */
export const topicEnvShape = {
  TOPIC_LOGS: z.string().min(1).default(TOPICS.logs),
  TOPIC_CONFIG_UPDATES: z.string().min(1).default(TOPICS.configUpdates),
  TOPIC_HIGH_PRIORITY_ALERTS: z.string().min(1).default(TOPICS.highPriorityAlerts),
};

/** Consumer group ids, each a prefix: the API's, worker's and operator's whitelist followers use `<client id>-follow-<uuid>`. */
export interface PipelineGroups {
  api: string;
  worker: string;
  alerter: string;
  operator: string;
}

export const DEFAULT_PIPELINE_GROUPS: PipelineGroups = {
  api: "soc-api",
  worker: "soc-worker",
  alerter: "soc-alerter",
  operator: "soc-operator",
};

/** The worker's consumer group: the worker joins it, the API reads its lag for GET /pipeline. */
export const workerGroupEnvShape = {
  WORKER_GROUP_ID: z.string().min(1).default(DEFAULT_PIPELINE_GROUPS.worker),
};

export function topicsFromEnv(env: {
  TOPIC_LOGS: string;
  TOPIC_CONFIG_UPDATES: string;
  TOPIC_HIGH_PRIORITY_ALERTS: string;
}): PipelineTopics {
  return {
    logs: env.TOPIC_LOGS,
    configUpdates: env.TOPIC_CONFIG_UPDATES,
    highPriorityAlerts: env.TOPIC_HIGH_PRIORITY_ALERTS,
  };
}
