/**
 * Which (alert, channel) pairs were already delivered or given up. Consulted before sending, so a
 * batch delivered again after a restart does not notify twice. Redis in a cluster, memory locally.
 */
import { createRedisClient, type RedisConnection } from "@soc/shared/redis";

export interface DeliveryLog {
  settled(notificationId: string, channelId: string): Promise<boolean>;
  record(notificationId: string, channelId: string, outcome: string): Promise<void>;
  close(): Promise<void>;
}

export function createMemoryDeliveryLog(): DeliveryLog {
  const settled = new Map<string, string>();
  return {
    async settled(notificationId, channelId) {
      return settled.has(`${notificationId}|${channelId}`);
    },
    async record(notificationId, channelId, outcome) {
      settled.set(`${notificationId}|${channelId}`, outcome);
    },
    async close() {},
  };
}

/** Entries expire after `retentionSeconds`, longer than any redelivery takes. */
export function createRedisDeliveryLog(
  connection: RedisConnection,
  retentionSeconds = 7 * 86_400,
  keyPrefix = "soc-alerter:",
): DeliveryLog {
  const redis = createRedisClient(connection, { keyPrefix, maxRetriesPerRequest: 3 });
  return {
    async settled(notificationId, channelId) {
      return (await redis.exists(`delivered:${notificationId}:${channelId}`)) === 1;
    },
    async record(notificationId, channelId, outcome) {
      await redis.set(`delivered:${notificationId}:${channelId}`, outcome, "EX", retentionSeconds);
    },
    async close() {
      redis.disconnect();
    },
  };
}
