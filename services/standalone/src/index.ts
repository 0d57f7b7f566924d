// Public face of @soc/standalone: the embedded pipeline, for `make run` and browser tests.
export { startStandalone, type Standalone, type StandaloneOptions } from "./standalone.ts";
export { loadOrCreateKeys } from "./api-keys.ts";
