import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./testing.ts";

describe("POST /logs refuses event times no window can hold", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(async () => {
    await api.close();
  });

  it.each([2.4e19, 253_402_300_800])("answers 400 for timestamp %d", async (timestamp) => {
    const response = await api.request("/logs", {
      method: "POST",
      body: JSON.stringify({ message: "GET / 200", timestamp }),
      key: "ingest",
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: "bad_request", detail: expect.stringContaining("timestamp") });
  });

  it("accepts the last second of year 9999", async () => {
    const response = await api.request("/logs", {
      method: "POST",
      body: JSON.stringify({ message: "GET / 200", timestamp: 253_402_300_799 }),
      key: "ingest",
    });
    expect(response.status).toBe(200);
  });
});
