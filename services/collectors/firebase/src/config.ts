/** Firebase collector configuration, parsed once from the environment in main(). */
import { z } from "zod";
import { logLevel, parseConfig, port, positiveInt, secretString, topicEnvShape } from "@soc/shared";
import { checkKafkaEnv, kafkaEnvShape } from "@soc/shared/kafka";
import { tracingEnvShape } from "@soc/shared/telemetry";
import { DEFAULT_FILTER } from "./source.ts";

export const firebaseCollectorEnvSchema = z
  .object({
    ...kafkaEnvShape,
    ...tracingEnvShape,
    GCP_PROJECT_ID: z.string().min(1),
    /** The service-account key JSON (mount it and use GOOGLE_SERVICE_ACCOUNT_JSON_FILE). */
    GOOGLE_SERVICE_ACCOUNT_JSON: secretString,
    CLOUD_LOGGING_URL: z.url().default("https://logging.googleapis.com"),
    FIREBASE_LOG_FILTER: z.string().min(1).default(DEFAULT_FILTER),
    COLLECTOR_CURSOR_FILE: z.string().min(1).default(".data/collector-firebase.cursor"),
    COLLECTOR_POLL_SECONDS: positiveInt.default(30),
    COLLECTOR_PORT: port.default(9473),
    LOG_LEVEL: logLevel,
    ...topicEnvShape,
  })
  .superRefine(checkKafkaEnv);
export type FirebaseCollectorEnv = z.output<typeof firebaseCollectorEnvSchema>;

export function parseFirebaseCollectorEnv(env: Record<string, string | undefined>): FirebaseCollectorEnv {
  return parseConfig(firebaseCollectorEnvSchema, env);
}
