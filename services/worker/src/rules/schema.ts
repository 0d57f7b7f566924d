/**
 * Detection rules as data: the schema every rule file must satisfy. It is written to become the spec
 * of a DetectionRule custom resource, so it holds only plain data (no code, no regular expressions:
 * a rule's matches are equality, membership and presence, which cost the same on any input).
 */
import { ANOMALY_SEVERITIES } from "@soc/shared";
import { z } from "zod";

/** The fields a rule may match, key and count on; see fields.ts for where each comes from. */
export const RULE_FIELDS = [
  "client.address",
  "client.ip",
  "client.domain",
  "user.name",
  "event.outcome",
  "event.action",
  "process.name",
  "host.name",
  "log.source",
] as const;
export type RuleField = (typeof RULE_FIELDS)[number];

/** Placeholders a reason may use beside the rule fields. */
export const REASON_FACTS = ["count", "window", "key"] as const;

/** Events of one key kept per rule at most, and the longest window: state stays bounded whatever a rule says. */
export const MAX_THRESHOLD = 1_000;
export const MAX_WINDOW_SECONDS = 86_400;

const ruleField = z.enum(RULE_FIELDS, {
  error: (issue) => `unknown field ${JSON.stringify(issue.input)}; one of ${RULE_FIELDS.join(", ")}`,
});
const fieldValue = z.string().min(1).max(256);

/** One field's condition: a value (equals), `{in: [...]}` or `{exists: true|false}`. */
const condition = z.union(
  [fieldValue, z.strictObject({ in: z.array(fieldValue).min(1).max(256) }), z.strictObject({ exists: z.boolean() })],
  {
    error: "expected a value, {in: [values]} or {exists: true|false}",
  },
);
export type Condition = z.infer<typeof condition>;

const fieldList = RULE_FIELDS.join(", ");

/** Every listed field must satisfy its condition. */
const match = z
  .strictObject(
    Object.fromEntries(RULE_FIELDS.map((field) => [field, condition.optional()])) as Record<
      RuleField,
      z.ZodOptional<typeof condition>
    >,
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field ${issue.keys.map((key) => JSON.stringify(key)).join(", ")}; one of ${fieldList}`
          : undefined,
    },
  )
  .refine((m) => Object.keys(m).length > 0, "needs at least one field");
export type Match = z.infer<typeof match>;

const windowSeconds = z.number().int().min(1).max(MAX_WINDOW_SECONDS);
const threshold = z.number().int().min(1).max(MAX_THRESHOLD);

/** `{name}` in a reason template. */
export const PLACEHOLDER = /\{([^{}]{0,64})\}/g;
const placeholdersOf = (template: string): string[] => [...template.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
const knownPlaceholder = (name: string): boolean =>
  (RULE_FIELDS as readonly string[]).includes(name) || (REASON_FACTS as readonly string[]).includes(name);

const reason = z
  .string()
  .min(1)
  .max(512)
  .superRefine((template, ctx) => {
    for (const name of placeholdersOf(template)) {
      if (!knownPlaceholder(name))
        ctx.addIssue({
          code: "custom",
          message: `unknown placeholder {${name}}; use {${[...REASON_FACTS, ...RULE_FIELDS].join("}, {")}}`,
        });
    }
  });

const common = {
  id: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "lower-case letters, digits and '-' (a Kubernetes name)"),
  title: z.string().min(1).max(200),
  severity: z.enum(ANOMALY_SEVERITIES),
  /** MITRE ATT&CK technique ids, e.g. T1110 or T1110.003. */
  techniques: z
    .array(z.string().regex(/^T\d{4}(?:\.\d{3})?$/, "a MITRE ATT&CK technique id such as T1110 or T1110.003"))
    .max(16)
    .default([]),
  reason,
  /** The field events are grouped by (one window per value). */
  key: ruleField,
  windowSeconds,
};

/** At least `threshold` matching events of one key within `windowSeconds`. */
const thresholdRule = z.strictObject({ ...common, kind: z.literal("threshold"), match, threshold });

/** At least `threshold` distinct values of `distinct` per key within `windowSeconds` (one address, many users: spraying). */
const distinctRule = z.strictObject({ ...common, kind: z.literal("distinct"), match, distinct: ruleField, threshold });

/** At least `threshold` events matching `failure`, then one matching `success`, of one key within `windowSeconds`. */
const sequenceRule = z.strictObject({
  ...common,
  kind: z.literal("sequence"),
  failure: match,
  success: match,
  threshold,
});

export const detectionRuleSchema = z.discriminatedUnion("kind", [thresholdRule, distinctRule, sequenceRule], {
  error: "kind must be threshold, distinct or sequence",
});
export type DataRule = z.infer<typeof detectionRuleSchema>;
export type ThresholdRule = z.infer<typeof thresholdRule>;
export type DistinctRule = z.infer<typeof distinctRule>;
export type SequenceRule = z.infer<typeof sequenceRule>;

/** The schema as JSON Schema: what the DetectionRule CRD's spec will be generated from. */
export const detectionRuleJsonSchema = () => z.toJSONSchema(detectionRuleSchema, { io: "input" });

export class InvalidRuleError extends Error {
  override name = "InvalidRuleError";
}

const pathOf = (path: readonly PropertyKey[]): string => (path.length === 0 ? "(rule)" : path.map(String).join("."));

/** A rule, or an error naming the rule (its id when it has one, else where it came from) and each bad field. */
export function parseRule(input: unknown, origin: string): DataRule {
  const parsed = detectionRuleSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const id =
    typeof input === "object" && input !== null && "id" in input && typeof input.id === "string"
      ? `rule "${input.id}"`
      : "rule";
  const problems = parsed.error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`);
  throw new InvalidRuleError(`${origin}: ${id} is invalid: ${problems.join("; ")}`);
}

/** A set of rules with unique ids. */
export function checkUniqueIds(rules: readonly { rule: DataRule; origin: string }[]): void {
  const seen = new Map<string, string>();
  for (const { rule, origin } of rules) {
    const earlier = seen.get(rule.id);
    if (earlier !== undefined) throw new InvalidRuleError(`${origin}: rule "${rule.id}" is also defined in ${earlier}`);
    seen.set(rule.id, origin);
  }
}
