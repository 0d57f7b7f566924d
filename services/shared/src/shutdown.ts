/**
 * Graceful shutdown on SIGTERM/SIGINT. A repeated signal (Kubernetes and process supervisors may
 * send more than one) must not kill the process halfway through its shutdown.
 */
export function onShutdownSignal(shutdown: (signal: string) => Promise<void>): void {
  let started = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (started) return;
      started = true;
      shutdown(signal).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
