// Elasticsearch adapters: the LogStore, the incident store and their connection.
export * from "./store/elasticsearch-connection.ts";
export * from "./store/elasticsearch-store.ts";
export * from "./incidents/elasticsearch-incident-store.ts";
