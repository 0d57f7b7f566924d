/**
 * Run by kafka-secure.sh as the admin user over SASL_SSL: creates the pipeline's topics and its
 * least-privilege ACLs (pipelineAcls) for the test users api, worker, alerter, collector, scanner
 * and operator. Idempotent; failing (broker not up yet) makes the script retry.
 */
import { PIPELINE_TOPICS, Secret, silentLogger, TOPICS } from "@soc/shared";
import { createKafkaBus, pipelineAcls } from "@soc/shared/kafka";
import { readFileSync } from "node:fs";

const {
  KAFKA_SECURE_BROKER: broker,
  KAFKA_SECURE_CA_FILE: caFile,
  KAFKA_SECURE_PASSWORD_ADMIN: password,
} = process.env;
if (broker === undefined || caFile === undefined || password === undefined)
  throw new Error("KAFKA_SECURE_BROKER, KAFKA_SECURE_CA_FILE and KAFKA_SECURE_PASSWORD_ADMIN are required");
const bus = createKafkaBus({
  brokers: [broker],
  clientId: "soc-infra-setup",
  logger: silentLogger(),
  security: {
    protocol: "SASL_SSL",
    sasl: { mechanism: "SCRAM-SHA-512", username: "admin", password: new Secret(password) },
    tls: { ca: readFileSync(caFile, "utf8") },
  },
});
try {
  await bus.ensureTopics(PIPELINE_TOPICS);
  await bus.ensureAcls(
    pipelineAcls(TOPICS, {
      api: "User:api",
      worker: "User:worker",
      alerter: "User:alerter",
      collector: "User:collector",
      scanner: "User:scanner",
      operator: "User:operator",
    }),
  );
} finally {
  await bus.close();
}
