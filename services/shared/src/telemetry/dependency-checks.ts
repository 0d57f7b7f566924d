/** Named checks of the servers a service depends on: for readiness, and for soc_dependency_up. */
import { Gauge, type Registry } from "prom-client";

const CHECK_TIMEOUT_MS = 3_000;

/** Runs every readiness check at once; a check's error text is its status. */
export async function runChecks(
  checks: Record<string, () => Promise<void>>,
): Promise<{ ready: boolean; components: Record<string, string> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
          }),
        ]);
        return [name, "ok"] as const;
      } catch (error) {
        return [name, (error as Error).message] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: entries.every(([, status]) => status === "ok"), components: Object.fromEntries(entries) };
}

/**
 * soc_dependency_up{dependency}: 1 while the named check answers, else 0. Checked when scraped, as
 * an exporter does, so the value is as fresh as the scrape and nothing polls in between.
 */
export function registerDependencyProbes(registry: Registry, checks: Record<string, () => Promise<void>>): void {
  new Gauge({
    name: "soc_dependency_up",
    help: "1 when this process reaches the dependency (kafka, elasticsearch, redis), checked at scrape time",
    labelNames: ["dependency"],
    registers: [registry],
    async collect() {
      const { components } = await runChecks(checks);
      for (const [dependency, status] of Object.entries(components)) this.set({ dependency }, status === "ok" ? 1 : 0);
    },
  });
}
