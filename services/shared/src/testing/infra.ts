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
};

export const missingInfra = (name: keyof typeof realInfra): boolean => {
  const absent = realInfra[name] === undefined || realInfra[name] === "";
  if (absent) console.warn(`skipping ${name} integration tests: start the servers with 'make infra-up' and source their env`);
  return absent;
};

export const uniqueName = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
