import { defineConfig } from "vitest/config";

// One runner for every workspace. Integration tests need the real servers of `make infra-up`
// (their addresses in the environment) and skip with a visible reason when those are absent.
export default defineConfig({
  test: {
    include: ["services/**/*.test.ts", "operator/**/*.test.ts", "bench/**/*.test.ts", "tests/**/*.test.ts"],
    exclude: ["**/node_modules/**", "dashboard/**"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
