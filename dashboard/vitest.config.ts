import { defineConfig } from "vitest/config";

// Unit tests of the dashboard's pure modules; browser tests are e2e/dashboard.e2e.ts.
export default defineConfig({ test: { include: ["src/**/*.test.ts"] } });
