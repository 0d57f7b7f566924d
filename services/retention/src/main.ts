/**
 * One retention run (the operator's CronJob; locally: npx tsx services/retention/src/main.ts): make
 * sure the template and today's indices exist, migrating an older index if there is one, then
 * delete what RETENTION_NORMAL_DAYS and RETENTION_ANOMALY_DAYS no longer keep (docs/retention.md).
 */
import { createLogger, retentionPolicyOf } from "@soc/shared";
import { createElasticsearchStore, elasticsearchStoreOptionsOf } from "@soc/shared/elasticsearch";
import { parseRetentionJobEnv } from "./config.ts";

const env = parseRetentionJobEnv(process.env);
const logger = createLogger("retention", env.LOG_LEVEL);
const store = createElasticsearchStore(elasticsearchStoreOptionsOf(env));
const policy = retentionPolicyOf(env);
try {
  await store.ensureReady();
  if (policy === null) logger.info({ index: store.index }, "RETENTION_ENABLED=false: nothing deleted");
  else
    logger.info(
      { index: store.index, policy, ...(await store.applyRetention(policy, Date.now() / 1000)) },
      "retention run done",
    );
} catch (error) {
  // A failed Job: the CronJob's history and `kubectl get jobs` show it, and the next run tries again.
  logger.error({ err: error, index: store.index }, "retention run failed");
  process.exitCode = 1;
} finally {
  await store.close();
}
