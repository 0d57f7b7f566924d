/**
 * The Elasticsearch client side of security, against the real server behind nginx (scripts/infra/
 * secure-backends.sh): TLS with the test CA, and an API key or basic credentials, or a 401.
 * Every setting goes the services' way: environment (with *_FILE) → zod → connection → client.
 */
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { checkElasticsearchEnv, elasticsearchEnvShape, parseConfig } from "@soc/shared";
import { createElasticsearchStore, elasticsearchStoreOptionsOf } from "@soc/shared/elasticsearch";
import { missingInfra, realInfra, storeContract, uniqueName } from "@soc/shared/testing";

const schema = z.object(elasticsearchEnvShape).superRefine(checkElasticsearchEnv);
const secure = {
  ELASTICSEARCH_URL: realInfra.secureElasticsearchUrl ?? "",
  ELASTICSEARCH_CA_FILE: realInfra.secureCaFile ?? "",
};
const withApiKey = { ...secure, ELASTICSEARCH_API_KEY_FILE: realInfra.secureElasticsearchApiKeyFile ?? "" };
const withBasic = {
  ...secure,
  ELASTICSEARCH_USERNAME: realInfra.secureElasticsearchUsername ?? "",
  ELASTICSEARCH_PASSWORD_FILE: realInfra.secureElasticsearchPasswordFile ?? "",
};

const indices: string[] = [];
const storeFrom = (env: Record<string, string>) => {
  const index = uniqueName("secure-logs");
  indices.push(index);
  return createElasticsearchStore({
    ...elasticsearchStoreOptionsOf(parseConfig(schema, env)),
    index,
    refreshOnWrite: true,
  });
};

describe.skipIf(missingInfra("secureElasticsearchUrl"))("Elasticsearch behind TLS and authentication (nginx)", () => {
  afterAll(async () => {
    // Straight to the shared server, which has no security of its own.
    for (const index of indices) {
      const direct = createElasticsearchStore({ url: realInfra.elasticsearchUrl ?? "", index });
      await direct.dropIndices();
      await direct.close();
    }
  });

  describe("over https with an API key", () => {
    storeContract(async () => storeFrom(withApiKey));
  });

  describe("over https with basic credentials", () => {
    storeContract(async () => storeFrom(withBasic));
  });

  it("creates the indices with the configured shards and replicas, through the front", async () => {
    const store = storeFrom({ ...withApiKey, ELASTICSEARCH_SHARDS: "2", ELASTICSEARCH_REPLICAS: "0" });
    await store.ensureReady();
    const settings = Object.values(await store.client.indices.getSettings({ index: store.index }));
    expect(settings.length).toBeGreaterThan(0);
    for (const index of settings)
      expect(index.settings?.index).toMatchObject({ number_of_shards: "2", number_of_replicas: "0" });
    await store.close();
  });

  it("without credentials: refused (401), with a message naming the settings", async () => {
    const store = storeFrom(secure);
    await expect(store.ensureReady()).rejects.toThrow(
      /requires authentication and no credentials were sent \(401\): set ELASTICSEARCH_API_KEY/,
    );
    await expect(store.ping()).rejects.toThrow(/401/);
    await store.close();
  });

  it("with a wrong API key: refused (401), and the error holds neither key", async () => {
    const wrongKey = Buffer.from("wrong-id:wrong-api-key-0123456789").toString("base64");
    const store = storeFrom({ ...secure, ELASTICSEARCH_API_KEY: wrongKey });
    const error = await store.ensureReady().then(
      () => null,
      (thrown: unknown) => thrown as Error,
    );
    expect(error?.message).toMatch(/refused ELASTICSEARCH_API_KEY/);
    // The cause carries the request's headers; the client redacts Authorization.
    expect(JSON.stringify(error?.cause)).not.toContain(wrongKey);
    await store.close();
  });

  it("with a wrong password: refused (401)", async () => {
    const store = storeFrom({
      ...secure,
      ELASTICSEARCH_USERNAME: realInfra.secureElasticsearchUsername ?? "",
      ELASTICSEARCH_PASSWORD: "not-the-password",
    });
    await expect(store.ensureReady()).rejects.toThrow(/refused user soc/);
    await store.close();
  });

  it("with a CA that did not sign the server's certificate: a TLS error naming ELASTICSEARCH_CA_FILE", async () => {
    const store = storeFrom({ ...withApiKey, ELASTICSEARCH_CA_FILE: realInfra.untrustedCaFile ?? "" });
    await expect(store.ensureReady()).rejects.toThrow(/TLS certificate not trusted \(.+\); set ELASTICSEARCH_CA_FILE/);
    await store.close();
  });

  it("without a CA (system roots only): the same TLS error, never a silent fallback", async () => {
    const store = storeFrom({
      ELASTICSEARCH_URL: secure.ELASTICSEARCH_URL,
      ELASTICSEARCH_API_KEY_FILE: withApiKey.ELASTICSEARCH_API_KEY_FILE,
    });
    await expect(store.ping()).rejects.toThrow(/TLS certificate not trusted/);
    await store.close();
  });
});
