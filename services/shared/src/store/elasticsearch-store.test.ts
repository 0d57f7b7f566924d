import { describe, expect, it } from "vitest";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { createElasticsearchStore } from "./elasticsearch-store.ts";
import { storeContract } from "./store.contract.ts";

describe.skipIf(missingInfra("elasticsearchUrl"))("Elasticsearch store on a real server", () => {
  storeContract(async () => createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: uniqueName("contract-logs"), refreshOnWrite: true }));

  it("adds the fields of a newer release to an index an older one created (the mapping is strict)", async () => {
    const store = createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: uniqueName("upgraded-logs"), refreshOnWrite: true });
    await store.client.indices.create({ index: store.index, mappings: { dynamic: "strict", properties: { id: { type: "keyword" }, message: { type: "text" }, timestamp: { type: "date", format: "epoch_second" }, status: { type: "keyword" }, is_anomaly: { type: "boolean" }, reason: { type: "text" }, source_ip: { type: "ip" } } } });
    try {
      await store.ensureReady();
      const doc = { id: "a", message: "rhost=scanner.example", timestamp: 1_700_000_000, status: "new" as const, is_anomaly: false, reason: null, source_ip: null, source_host: "scanner.example", source_ip_inferred: false };
      await store.bulkIndex([doc]);
      expect((await store.search({ size: 1 })).items[0]).toMatchObject({ source_host: "scanner.example" });
    } finally {
      await store.client.indices.delete({ index: store.index });
    }
  });
});
