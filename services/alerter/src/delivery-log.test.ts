import { describe, expect, it } from "vitest";
import { redisConnectionOf } from "@soc/shared/redis";
import { missingInfra, realInfra, uniqueName } from "@soc/shared/testing";
import { createRedisDeliveryLog } from "./delivery-log.ts";

describe.skipIf(missingInfra("redisUrl"))("the delivery log on a real Redis", () => {
  it("keeps two pipelines' deliveries apart on one Redis: alert ids repeat across pipelines", async () => {
    const connection = redisConnectionOf({ REDIS_URL: realInfra.redisUrl ?? "" });
    const base = uniqueName("soc-alerter");
    const shop = createRedisDeliveryLog(connection, 60, `${base}:soc/shop:`);
    const blog = createRedisDeliveryLog(connection, 60, `${base}:soc/blog:`);
    try {
      await shop.record("logs-0-42", "slack#1", "delivered");
      expect(await shop.settled("logs-0-42", "slack#1")).toBe(true);
      // The same id in another pipeline is another alert: it must still be delivered there.
      expect(await blog.settled("logs-0-42", "slack#1")).toBe(false);
    } finally {
      await shop.close();
      await blog.close();
    }
  });
});
