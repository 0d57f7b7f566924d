/**
 * Skipping applies that would change nothing. Server-side apply of an unchanged object is a no-op
 * for the API server but still a round trip; most reconciles (a pod became ready) change nothing.
 * An object is up to date when the live copy carries the hash of exactly this desired object and
 * still has every field the operator sets with the value it sets (so an edit by someone else is
 * found and undone). Pure.
 */
import { createHash } from "node:crypto";
import type { KubeObject } from "./client.ts";

export const APPLIED_HASH = "socpipeline.io/applied-hash";

/** The desired object with the hash of its own content as an annotation. */
export function withAppliedHash<T extends KubeObject>(object: T): T {
  const hash = createHash("sha256").update(JSON.stringify(object)).digest("hex").slice(0, 20);
  return {
    ...object,
    metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [APPLIED_HASH]: hash } },
  };
}

/** Every field of `wanted` is in `actual` with the same value; arrays match element by element. */
export function containsFields(actual: unknown, wanted: unknown): boolean {
  if (Array.isArray(wanted)) {
    return (
      Array.isArray(actual) &&
      actual.length === wanted.length &&
      wanted.every((item, i) => containsFields(actual[i], item))
    );
  }
  if (wanted !== null && typeof wanted === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return false;
    return Object.entries(wanted).every(([key, value]) =>
      containsFields((actual as Record<string, unknown>)[key], value),
    );
  }
  return actual === wanted;
}

export function isUpToDate(desired: KubeObject, live: KubeObject | undefined): boolean {
  if (live === undefined || live.metadata.deletionTimestamp !== undefined) return false;
  const hash = desired.metadata.annotations?.[APPLIED_HASH];
  return hash !== undefined && live.metadata.annotations?.[APPLIED_HASH] === hash && containsFields(live, desired);
}
