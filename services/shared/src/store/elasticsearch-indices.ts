/**
 * The indices behind the `processed_logs` alias (retention.ts names them): the index template that
 * owns their mapping, settings and alias; the one-time move of a concrete `processed_logs` index
 * from before time-based indices; the current indices; and retention runs. No ILM: it manages the
 * indices itself, so it works on any distribution (docs/retention.md says how to use ILM instead).
 */
import { errors, type Client } from "@elastic/elasticsearch";
import type { estypes } from "@elastic/elasticsearch";
import {
  backingIndexPatterns,
  currentIndices,
  legacyIndexName,
  retentionPlan,
  type IndexFamily,
  type IndexLayout,
  type RetentionOutcome,
  type RetentionPolicy,
} from "./retention.ts";

export interface IndexManagerOptions {
  alias: string;
  layout: IndexLayout;
  settings: estypes.IndicesIndexSettings;
  mapping: estypes.MappingTypeMapping;
}

export interface IndexManager {
  /** Migrates a concrete index named like the alias, updates the template and the mappings, and makes the current indices. */
  ensure(nowSeconds: number): Promise<void>;
  /** Concrete indices behind the alias. */
  backingIndices(): Promise<string[]>;
  applyRetention(policy: RetentionPolicy, nowSeconds: number): Promise<RetentionOutcome>;
  /** Deletes every index behind the alias and the template (tests and benchmarks). */
  drop(): Promise<void>;
}

/** Above the built-in templates (100), so an alias like `logs-shop` is not taken for a data stream. */
const TEMPLATE_PRIORITY = 200;
/** Index names per delete request, to keep its URL short. */
const DELETE_CHUNK = 50;
const PRUNE_PAGE = 1000;

const errorType = (error: unknown): string | undefined =>
  error instanceof errors.ResponseError
    ? (error.body as { error?: { type?: string } } | undefined)?.error?.type
    : undefined;
const isStatus = (error: unknown, status: number): boolean =>
  error instanceof errors.ResponseError && error.statusCode === status;
const ignoreExisting = (error: unknown): void => {
  if (errorType(error) !== "resource_already_exists_exception") throw error;
};

export function createIndexManager(client: Client, options: IndexManagerOptions): IndexManager {
  const { alias } = options;

  const backingIndices = async (): Promise<string[]> => {
    try {
      return Object.keys(await client.indices.getAlias({ name: alias }));
    } catch (error) {
      if (isStatus(error, 404)) return [];
      throw error;
    }
  };

  const isConcreteIndex = async (): Promise<boolean> => {
    try {
      return (await client.indices.resolveIndex({ name: alias })).indices.some((index) => index.name === alias);
    } catch (error) {
      if (isStatus(error, 404)) return false;
      throw error;
    }
  };

  /**
   * An index named like the alias (from an older release) becomes one more backing index, kept
   * whole: it is write-blocked, cloned (hard links, seconds at any size) to `<alias>-legacy`, and
   * in one atomic alias action deleted while the alias takes its name. Every step may run again
   * after a crash, and from several replicas at once.
   */
  const migrateConcreteIndex = async (): Promise<void> => {
    if (!(await isConcreteIndex())) return;
    const legacy = legacyIndexName(alias);
    const blocked = await client.indices.addBlock({ index: alias, block: "write" });
    const raced = blocked.indices.map((index) => index.name).filter((name) => name !== alias);
    if (raced.length > 0) {
      // Another replica swapped in the alias between our check and our block: the block hit its backing indices.
      await client.indices.putSettings({ index: raced, settings: { "index.blocks.write": false } });
      return;
    }
    await client.indices.clone({ index: alias, target: legacy }).catch(ignoreExisting);
    await client.cluster.health({ index: legacy, wait_for_status: "yellow", timeout: "60s" });
    // The clone inherits the block; status changes of old alerts must still land there.
    await client.indices.putSettings({ index: legacy, settings: { "index.blocks.write": false } });
    try {
      await client.indices.updateAliases({
        actions: [{ add: { index: legacy, alias } }, { remove_index: { index: alias } }],
      });
    } catch (error) {
      if (await isConcreteIndex()) throw error;
    }
  };

  /** Fields are only ever added (the mapping is strict): keep those another release put in the template too. */
  const putTemplate = async (): Promise<void> => {
    let existing: Record<string, estypes.MappingProperty> = {};
    try {
      const found = await client.indices.getIndexTemplate({ name: alias });
      existing = found.index_templates[0]?.index_template.template?.mappings?.properties ?? {};
    } catch (error) {
      if (!isStatus(error, 404)) throw error;
    }
    await client.indices.putIndexTemplate({
      name: alias,
      index_patterns: backingIndexPatterns(alias),
      priority: TEMPLATE_PRIORITY,
      template: {
        settings: options.settings,
        mappings: { ...options.mapping, properties: { ...existing, ...options.mapping.properties } },
        aliases: { [alias]: {} },
      },
      _meta: { description: "processed logs of a SOC Pipeline, by family and event period (docs/retention.md)" },
    });
  };

  const deleteIndices = async (names: string[]): Promise<void> => {
    for (let i = 0; i < names.length; i += DELETE_CHUNK)
      await client.indices.delete({ index: names.slice(i, i + DELETE_CHUNK), ignore_unavailable: true });
  };

  /** Deletes a mixed index's documents older than their family keeps, a page at a time (no delete-by-query: not every distribution has it). */
  const pruneDocuments = async (index: string, keptFrom: Record<IndexFamily, number>): Promise<number> => {
    const expired = (isAnomaly: boolean, before: number): estypes.QueryDslQueryContainer => ({
      bool: {
        filter: [{ term: { is_anomaly: isAnomaly } }, { range: { timestamp: { lt: before, format: "epoch_second" } } }],
      },
    });
    let deleted = 0;
    for (;;) {
      const page = await client.search({
        index,
        size: PRUNE_PAGE,
        _source: false,
        query: { bool: { should: [expired(false, keptFrom.normal), expired(true, keptFrom.anomalies)] } },
      });
      const ids = page.hits.hits.flatMap((hit) => (hit._id === undefined ? [] : [hit._id]));
      if (ids.length === 0) return deleted;
      await client.bulk({ operations: ids.map((id) => ({ delete: { _index: index, _id: id } })), refresh: true });
      deleted += ids.length;
    }
  };

  return {
    backingIndices,

    async ensure(nowSeconds) {
      await migrateConcreteIndex();
      await putTemplate();
      for (const index of currentIndices(alias, options.layout, nowSeconds))
        await client.indices.create({ index }).catch(ignoreExisting);
      // Indices made before this release's template: add its new fields to them.
      await client.indices.putMapping({ index: alias, properties: options.mapping.properties });
    },

    async applyRetention(policy, nowSeconds) {
      const plan = retentionPlan(alias, await backingIndices(), policy, nowSeconds);
      const deletedIndices = [...plan.deleteIndices];
      let deletedDocuments = 0;
      for (const { index, keptFrom } of plan.pruneIndices) {
        deletedDocuments += await pruneDocuments(index, keptFrom);
        if ((await client.count({ index })).count === 0) deletedIndices.push(index);
      }
      await deleteIndices(deletedIndices);
      return { deletedIndices, deletedDocuments };
    },

    async drop() {
      await deleteIndices([...((await isConcreteIndex()) ? [alias] : []), ...(await backingIndices())]);
      await client.indices.deleteIndexTemplate({ name: alias }).catch((error: unknown) => {
        if (!isStatus(error, 404)) throw error;
      });
    },
  };
}
