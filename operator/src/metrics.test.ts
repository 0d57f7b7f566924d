import { Registry } from "@soc/shared/telemetry";
import { describe, expect, it } from "vitest";
import { WorkQueue } from "./controller/work-queue.ts";
import { createOperatorMetrics, SOC_PIPELINE_CONTROLLER, startControllerMetrics } from "./metrics.ts";

/** A sample's value in the exposition text, by metric name and label set as written. */
async function sample(text: Promise<string>, series: string): Promise<number | undefined> {
  const line = (await text).split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const QUEUE = `{name="socpipeline",controller="socpipeline"}`;

describe("operator metrics", () => {
  function setUp() {
    let nowMs = 0;
    const metrics = createOperatorMetrics(new Registry(), () => nowMs);
    const queue = new WorkQueue({ baseMs: 100, maxMs: 1_000 }, metrics.workQueue(SOC_PIPELINE_CONTROLLER));
    return { metrics, queue, text: () => metrics.registry.metrics(), advance: (ms: number) => (nowMs += ms) };
  }

  it("counts work-queue adds, depth, waits and work as client-go does", async () => {
    const { queue, text, advance } = setUp();
    queue.add("default/a");
    queue.add("default/a");
    queue.add("default/b");
    expect(await sample(text(), `workqueue_adds_total${QUEUE}`)).toBe(2);
    expect(await sample(text(), `workqueue_depth${QUEUE}`)).toBe(2);

    advance(2_000);
    const key = await queue.get();
    expect(await sample(text(), `workqueue_depth${QUEUE}`)).toBe(1);
    expect(await sample(text(), `workqueue_queue_duration_seconds_count${QUEUE}`)).toBe(1);
    expect(await sample(text(), `workqueue_queue_duration_seconds_sum${QUEUE}`)).toBe(2);

    advance(3_000);
    expect(await sample(text(), `workqueue_unfinished_work_seconds${QUEUE}`)).toBe(3);
    expect(await sample(text(), `workqueue_longest_running_processor_seconds${QUEUE}`)).toBe(3);
    queue.done(key ?? "");
    expect(await sample(text(), `workqueue_work_duration_seconds_sum${QUEUE}`)).toBe(3);
    expect(await sample(text(), `workqueue_unfinished_work_seconds${QUEUE}`)).toBe(0);
  });

  it("counts a key changed during its reconcile as one add, and a delayed requeue as a retry", async () => {
    const { queue, text } = setUp();
    queue.add("k");
    const key = await queue.get();
    queue.add("k");
    queue.add("k");
    expect(await sample(text(), `workqueue_adds_total${QUEUE}`)).toBe(2);
    expect(await sample(text(), `workqueue_depth${QUEUE}`)).toBe(1);
    queue.done(key ?? "");
    expect(await sample(text(), `workqueue_adds_total${QUEUE}`)).toBe(2);
    expect(await queue.get()).toBe("k");
    expect(await sample(text(), `workqueue_depth${QUEUE}`)).toBe(0);

    queue.addRateLimited("k");
    queue.addAfter("k", 5_000);
    expect(await sample(text(), `workqueue_retries_total${QUEUE}`)).toBe(2);
    queue.shutDown();
  });

  it("exposes every reconcile result of a started controller at zero, under controller-runtime's names", async () => {
    const { metrics, text } = setUp();
    startControllerMetrics(metrics, SOC_PIPELINE_CONTROLLER, 2);
    for (const result of ["success", "error", "requeue", "requeue_after"]) {
      expect(
        await sample(text(), `controller_runtime_reconcile_total{controller="socpipeline",result="${result}"}`),
      ).toBe(0);
    }
    expect(await sample(text(), `controller_runtime_reconcile_errors_total{controller="socpipeline"}`)).toBe(0);
    expect(await sample(text(), `controller_runtime_max_concurrent_reconciles{controller="socpipeline"}`)).toBe(2);
    expect(await sample(text(), `controller_runtime_active_workers{controller="socpipeline"}`)).toBe(0);
  });
});
