import { describe, expect, it } from "vitest";
import { parseOperatorScope } from "./scope.ts";

describe("parseOperatorScope", () => {
  it.each([
    { case: "nothing set: every namespace, any image", env: {}, scope: { namespaces: [], imageRegistries: [] } },
    {
      case: "a list of namespaces",
      env: { WATCH_NAMESPACES: "team-a, team-b" },
      scope: { namespaces: ["team-a", "team-b"], imageRegistries: [] },
    },
    {
      case: "WATCH_NAMESPACE as before",
      env: { WATCH_NAMESPACE: "soc" },
      scope: { namespaces: ["soc"], imageRegistries: [] },
    },
    {
      case: "registries",
      env: { ALLOWED_IMAGE_REGISTRIES: "ghcr.io/soc-pipeline,registry.example.com:5000" },
      scope: { namespaces: [], imageRegistries: ["ghcr.io/soc-pipeline", "registry.example.com:5000"] },
    },
  ])("$case", ({ env, scope }) => {
    expect(parseOperatorScope(env)).toEqual(scope);
  });

  it.each([
    ["a namespace that is no DNS label", { WATCH_NAMESPACES: "Team_A" }, "WATCH_NAMESPACES"],
    ["a registry with a scheme", { ALLOWED_IMAGE_REGISTRIES: "https://ghcr.io" }, "ALLOWED_IMAGE_REGISTRIES"],
  ])("refuses %s", (_what, env, key) => {
    expect(() => parseOperatorScope(env)).toThrow(key);
  });
});
