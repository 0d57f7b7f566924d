import { describe, expect, it } from "vitest";
import { BUILT_IN_RULES_DIR, loadRules, parseRules } from "./load.ts";
import { detectionRuleJsonSchema, parseRule } from "./schema.ts";

const valid = {
  id: "ssh-brute-force",
  title: "Brute force",
  kind: "threshold",
  severity: "high",
  techniques: ["T1110.001"],
  match: { "event.action": { exists: true } },
  key: "client.address",
  threshold: 5,
  windowSeconds: 300,
  reason: "Brute force from {client.address} ({count} attempts in {window}).",
};

describe("rule schema", () => {
  it("loads the built-in rules, one of each kind", () => {
    // In file order: brute-force.yaml, compromise-after-failures.yaml, password-spraying.yaml.
    expect(loadRules(BUILT_IN_RULES_DIR).map((rule) => [rule.id, rule.kind])).toEqual([
      ["ssh-brute-force", "threshold"],
      ["compromise-after-failures", "sequence"],
      ["password-spraying", "distinct"],
    ]);
  });

  it.each([
    [
      "an unknown field in match",
      { match: { "user.email": "x" } },
      'rules.yaml: rule "ssh-brute-force" is invalid: match: unknown field "user.email"; one of client.address',
    ],
    [
      "a regular expression as a condition",
      { match: { "user.name": { regex: "^adm.*" } } },
      "match.user.name: expected a value, {in: [values]} or {exists: true|false}",
    ],
    ["an unknown key field", { key: "source.ip" }, 'key: unknown field "source.ip"'],
    ["a window over a day", { windowSeconds: 86_401 }, "windowSeconds: Too big"],
    ["a threshold of zero", { threshold: 0 }, "threshold: Too small"],
    ["a technique that is no ATT&CK id", { techniques: ["T110"] }, "techniques.0: a MITRE ATT&CK technique id"],
    ["an unknown placeholder", { reason: "from {source.ip}" }, "reason: unknown placeholder {source.ip}"],
    ["an unknown kind", { kind: "anomaly" }, "kind: kind must be threshold, distinct or sequence"],
    ["a field of another kind", { distinct: "user.name" }, 'Unrecognized key: "distinct"'],
    ["an id that is no Kubernetes name", { id: "SSH Brute" }, 'rule "SSH Brute" is invalid: id: lower-case letters'],
  ])("refuses %s, naming the rule and field", (_, change, message) => {
    expect(() => parseRule({ ...valid, ...change }, "rules.yaml")).toThrow(message);
  });

  it("refuses an empty match and a sequence without its success", () => {
    expect(() => parseRule({ ...valid, match: {} }, "a.yaml")).toThrow("match: needs at least one field");
    const { match: _match, ...rest } = valid;
    expect(() => parseRule({ ...rest, kind: "sequence", failure: { "event.outcome": "failure" } }, "b.yaml")).toThrow(
      "success:",
    );
  });

  it("names the YAML document of an invalid rule and reports bad YAML with its line", () => {
    expect(() => parseRules("id: a\n---\nid: b\n", "two.yaml")).toThrow('two.yaml#1: rule "a" is invalid');
    expect(() => parseRules("id: [a\n", "broken.yaml")).toThrow("broken.yaml: not valid YAML");
  });

  it("exports a JSON Schema for the DetectionRule CRD, one branch per kind", () => {
    const schema = detectionRuleJsonSchema() as {
      oneOf?: { properties: { kind: { const: string } } }[];
      anyOf?: { properties: { kind: { const: string } } }[];
    };
    const branches = schema.oneOf ?? schema.anyOf ?? [];
    expect(branches.map((b) => b.properties.kind.const).sort()).toEqual(["distinct", "sequence", "threshold"]);
  });
});
