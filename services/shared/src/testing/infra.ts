/**
 * Addresses of the real servers `make infra-up` starts; integration suites skip, saying why,
 * when they are absent.
 */
export const realInfra = {
  kafkaBroker: process.env.KAFKA_BROKER,
  elasticsearchUrl: process.env.ELASTICSEARCH_URL,
  redisUrl: process.env.REDIS_URL,
  postgresUrl: process.env.POSTGRES_URL,
  postgresLogDir: process.env.POSTGRES_LOG_DIR,
  // The SASL_SSL broker of scripts/infra/kafka-secure.sh (SCRAM users, test CA, ACLs).
  kafkaSecureBroker: process.env.KAFKA_SECURE_BROKER,
  kafkaSecureCaFile: process.env.KAFKA_SECURE_CA_FILE,
  // The secured fronts of scripts/infra/secure-backends.sh: nginx (TLS + API key or basic auth) before
  // Elasticsearch, a TLS-only Redis with ACL user `soc`; both trust SECURE_CA_FILE's CA.
  secureElasticsearchUrl: process.env.SECURE_ELASTICSEARCH_URL,
  secureElasticsearchUsername: process.env.SECURE_ELASTICSEARCH_USERNAME,
  secureElasticsearchPasswordFile: process.env.SECURE_ELASTICSEARCH_PASSWORD_FILE,
  secureElasticsearchApiKeyFile: process.env.SECURE_ELASTICSEARCH_API_KEY_FILE,
  secureRedisUrl: process.env.SECURE_REDIS_URL,
  secureRedisUsername: process.env.SECURE_REDIS_USERNAME,
  secureRedisPasswordFile: process.env.SECURE_REDIS_PASSWORD_FILE,
  secureCaFile: process.env.SECURE_CA_FILE,
  untrustedCaFile: process.env.UNTRUSTED_CA_FILE,
};

/** The secured broker's SCRAM password of a test user (admin, api, worker, alerter, collector, scanner, operator). */
export const kafkaSecurePassword = (user: string): string =>
  process.env[`KAFKA_SECURE_PASSWORD_${user.toUpperCase()}`] ?? "";

export const missingInfra = (name: keyof typeof realInfra): boolean => {
  const absent = realInfra[name] === undefined || realInfra[name] === "";
  if (absent)
    console.warn(`skipping ${name} integration tests: start the servers with 'make infra-up' and source their env`);
  return absent;
};

export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
