import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { API_SCHEMA_FILE, apiSchemaSource } from "../scripts/api-types.ts";

describe("src/lib/api-schema.ts", () => {
  it("is what the API's current OpenAPI document generates (else: npm run generate:api -w @soc/dashboard)", async () => {
    expect(readFileSync(API_SCHEMA_FILE, "utf8")).toBe(await apiSchemaSource());
  });
});
