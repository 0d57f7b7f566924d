import { describe } from "vitest";
import { missingInfra, realInfra, uniqueName } from "../testing/infra.ts";
import { createElasticsearchStore } from "./elasticsearch-store.ts";
import { storeContract } from "./store.contract.ts";

describe.skipIf(missingInfra("elasticsearchUrl"))("Elasticsearch store on a real server", () => {
  storeContract(async () => createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index: uniqueName("contract-logs"), refreshOnWrite: true }));
});
