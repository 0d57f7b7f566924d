// The Kafka Bus adapter (the only importer of kafkajs), its connection and security settings and ACLs.
export * from "./bus/kafka-bus.ts";
export * from "./bus/kafka-security.ts";
