/** The topics the pipeline owns, with the settings each needs; services create them if missing. */
import { deadLetterTopic, TOPICS } from "../messages.ts";

export interface TopicSpec {
  topic: string;
  partitions: number;
  config: Record<string, string>;
}

const deadLetter = (topic: string): TopicSpec => ({ topic: deadLetterTopic(topic), partitions: 1, config: {} });

export const PIPELINE_TOPICS: TopicSpec[] = [
  { topic: TOPICS.logs, partitions: 6, config: {} },
  // Compacted and keyed by IP: the latest action per IP is kept forever, so a new replica
  // rebuilds the whole whitelist by reading from the start.
  { topic: TOPICS.configUpdates, partitions: 1, config: { "cleanup.policy": "compact" } },
  { topic: TOPICS.highPriorityAlerts, partitions: 3, config: {} },
  deadLetter(TOPICS.logs),
  deadLetter(TOPICS.configUpdates),
  deadLetter(TOPICS.highPriorityAlerts),
];
