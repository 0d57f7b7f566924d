/**
 * The running operator: informers on SocPipelines, IpWhitelists and every child kind feed one
 * keyed work queue of pipelines; workers take keys and reconcile. Which event arrived does not
 * matter, only which pipeline it concerns: an IpWhitelist maps to the pipeline it names (and the
 * one it named before), a child to its owner.
 */
import type { Logger } from "@soc/shared";
import { API_VERSION } from "../api/v1alpha1/index.ts";
import { AutoscalerManager } from "../autoscaling/manager.ts";
import type { KindRef, KubeClient, KubeObject } from "../kube/client.ts";
import type { EventRecorder } from "../kube/events.ts";
import { SOC_PIPELINE_CONTROLLER, startControllerMetrics, type OperatorMetrics } from "../metrics.ts";
import type { PipelineBuses } from "../kafka/pipeline-buses.ts";
import { MANAGED_SELECTOR } from "../naming.ts";
import { CHILD_KINDS } from "../pipeline/children.ts";
import { reconcilePipeline, type ReconcilerContext } from "../pipeline/reconciler.ts";
import { TopicWhitelists } from "../whitelist/topic-whitelists.ts";
import { DEFAULT_INFORMER_OPTIONS, Informer, objectKey, type InformerEvent, type InformerOptions } from "./informer.ts";
import { DEFAULT_BACKOFF, WorkQueue } from "./work-queue.ts";

export interface OperatorOptions {
  kube: KubeClient;
  buses: PipelineBuses;
  events: EventRecorder;
  metrics: OperatorMetrics;
  logger: Logger;
  /**
   * Only these namespaces, each listed and watched on its own (what Roles allow), or every
   * namespace (a ClusterRole) when empty.
   */
  namespaces?: readonly string[];
  /** Registries workload images must come from; empty: any. */
  imageRegistries?: readonly string[];
  concurrency?: number;
  informer?: InformerOptions;
  now?: () => Date;
}

export class Operator {
  readonly queue: WorkQueue;
  readonly autoscalers: AutoscalerManager;
  readonly #informers: Informer<KubeObject>[] = [];
  readonly #whitelists: Informer<KubeObject>[];
  /** Per child kind, one informer per watched namespace (or one for all). */
  readonly #children = new Map<string, Informer<KubeObject>[]>();
  readonly #namespaces: readonly string[];
  /** Generation last seen per pipeline: status writes leave it alone and need no reconcile. */
  readonly #generations = new Map<string, number>();
  /** The pipeline each IpWhitelist referred to last, so moving one reconciles both pipelines. */
  readonly #whitelistTargets = new Map<string, string>();
  #workers: Promise<void>[] = [];
  readonly #context: ReconcilerContext;
  readonly #topicWhitelists: TopicWhitelists;

  constructor(private readonly options: OperatorOptions) {
    const { kube, logger, metrics } = options;
    this.queue = new WorkQueue(DEFAULT_BACKOFF, metrics.workQueue(SOC_PIPELINE_CONTROLLER));
    const informerOptions = options.informer ?? DEFAULT_INFORMER_OPTIONS;
    this.#namespaces = [...new Set(options.namespaces ?? [])];
    const scopes: (string | undefined)[] = this.#namespaces.length === 0 ? [undefined] : [...this.#namespaces];
    const make = (
      ref: Omit<KindRef, "namespace">,
      onChange: (object: KubeObject, event: InformerEvent) => void,
      labelSelector?: string,
    ): Informer<KubeObject>[] =>
      scopes.map((namespace) => {
        const informer = new Informer<KubeObject>(
          kube,
          { ...ref, ...(namespace === undefined ? {} : { namespace }) },
          onChange,
          { ...informerOptions, ...(labelSelector === undefined ? {} : { labelSelector }) },
          (error) => {
            metrics.watchRestarts.inc({ resource: ref.kind });
            logger.warn({ err: error, resource: ref.kind, namespace }, "watch ended with an error; relisting");
          },
        );
        this.#informers.push(informer);
        return informer;
      });
    make({ apiVersion: API_VERSION, kind: "SocPipeline" }, (pipeline, event) => this.#onPipeline(pipeline, event));
    this.#whitelists = make({ apiVersion: API_VERSION, kind: "IpWhitelist" }, (whitelist) =>
      this.#onWhitelist(whitelist),
    );
    for (const { apiVersion, kind } of CHILD_KINDS) {
      this.#children.set(
        `${apiVersion}/${kind}`,
        make({ apiVersion, kind }, (child) => this.#onChild(child), MANAGED_SELECTOR),
      );
    }
    this.autoscalers = new AutoscalerManager({ kube, buses: options.buses, events: options.events, metrics, logger });
    this.#topicWhitelists = new TopicWhitelists(logger);
    options.buses.onEvict((bus) => this.#topicWhitelists.forget(bus));
    this.#context = {
      kube,
      buses: options.buses,
      topicWhitelists: this.#topicWhitelists,
      events: options.events,
      autoscalers: this.autoscalers,
      whitelists: () => this.#whitelists.flatMap((informer) => informer.list()),
      children: (apiVersion, kind) =>
        (this.#children.get(`${apiVersion}/${kind}`) ?? []).flatMap((informer) => informer.list()),
      child: (ref) =>
        (this.#children.get(`${ref.apiVersion}/${ref.kind}`) ?? [])
          .find((informer) => informer.ref.namespace === undefined || informer.ref.namespace === ref.namespace)
          ?.get(`${ref.namespace ?? ""}/${ref.name}`),
      imageRegistries: options.imageRegistries ?? [],
      metrics,
      logger,
      now: options.now ?? (() => new Date()),
    };
  }

  /** Lists everything (caches synced), then starts the workers. */
  async start(): Promise<void> {
    await Promise.all(this.#informers.map((informer) => informer.start()));
    const concurrency = this.options.concurrency ?? 2;
    startControllerMetrics(this.options.metrics, SOC_PIPELINE_CONTROLLER, concurrency);
    this.#workers = Array.from({ length: concurrency }, () => this.#work());
    this.options.logger.info(
      { concurrency, namespaces: this.#namespaces.length === 0 ? "(all)" : this.#namespaces.join(",") },
      "operator started",
    );
  }

  /** Stops taking work and waits for the reconciles in flight. */
  async stop(): Promise<void> {
    for (const informer of this.#informers) informer.stop();
    this.queue.shutDown();
    this.autoscalers.stopAll();
    await Promise.all(this.#workers);
    // Before the buses close (main, harness): a follower outliving its client would log errors.
    await this.#topicWhitelists.close();
  }

  /** Names the watches that are not live; empty when all are. */
  deadWatches(now = Date.now()): string[] {
    return this.#informers.filter((informer) => !informer.healthy(now)).map((informer) => informer.name);
  }

  synced(): boolean {
    return this.#informers.every((informer) => informer.synced);
  }

  #onPipeline(pipeline: KubeObject, event: InformerEvent): void {
    const key = objectKey(pipeline);
    const generation = pipeline.metadata.generation;
    if (event === "DELETED") this.#generations.delete(key);
    // Our own status writes (and the autoscaler's) come back as updates of the same generation.
    else if (event === "MODIFIED" && generation !== undefined && this.#generations.get(key) === generation) return;
    else if (generation !== undefined) this.#generations.set(key, generation);
    this.queue.add(key);
  }

  #onWhitelist(whitelist: KubeObject): void {
    const key = objectKey(whitelist);
    const target = (whitelist.spec as { pipelineRef?: { name?: string } } | undefined)?.pipelineRef?.name;
    const pipelineKey = target === undefined ? undefined : `${whitelist.metadata.namespace ?? ""}/${target}`;
    const previous = this.#whitelistTargets.get(key);
    if (previous !== undefined && previous !== pipelineKey) this.queue.add(previous);
    if (pipelineKey !== undefined) {
      this.#whitelistTargets.set(key, pipelineKey);
      this.queue.add(pipelineKey);
    }
  }

  #onChild(child: KubeObject): void {
    const owner = child.metadata.ownerReferences?.find((o) => o.kind === "SocPipeline" && o.apiVersion === API_VERSION);
    if (owner !== undefined) this.queue.add(`${child.metadata.namespace ?? ""}/${owner.name}`);
  }

  async #work(): Promise<void> {
    const { metrics, logger } = this.options;
    const controller = SOC_PIPELINE_CONTROLLER;
    for (;;) {
      const key = await this.queue.get();
      if (key === null) return;
      const [namespace = "", name = ""] = key.split("/");
      metrics.activeWorkers.inc({ controller });
      const stopTimer = metrics.reconcileSeconds.startTimer({ controller });
      try {
        const result = await reconcilePipeline(this.#context, namespace, name);
        this.queue.forget(key);
        if (result.requeueAfterMs !== null) this.queue.addAfter(key, result.requeueAfterMs);
        metrics.reconciles.inc({ controller, result: result.requeueAfterMs === null ? "success" : "requeue_after" });
      } catch (error) {
        const delayMs = this.queue.addRateLimited(key);
        metrics.reconciles.inc({ controller, result: "error" });
        metrics.reconcileErrors.inc({ controller });
        logger.warn({ err: error, pipeline: key, retryInMs: delayMs }, "reconcile failed");
      } finally {
        stopTimer();
        metrics.activeWorkers.dec({ controller });
        this.queue.done(key);
      }
    }
  }
}
