/**
 * The URL state (lib/url-state.ts) as a reactive value: read in a component, effect or $derived, it
 * follows the hash, so links and back/forward change what every view shows; navigate() pushes a
 * history entry.
 */
import { createSubscriber } from "svelte/reactivity";
import { hashOf, parseHash, type UrlState } from "./lib/url-state.ts";

const subscribe = createSubscriber((update) => {
  window.addEventListener("hashchange", update);
  return () => window.removeEventListener("hashchange", update);
});

let parsedHash = location.hash;
let parsed = parseHash(parsedHash);

export function urlState(): UrlState {
  subscribe();
  if (location.hash !== parsedHash) {
    parsedHash = location.hash;
    parsed = parseHash(parsedHash);
  }
  return parsed;
}

/** The hash of the current state with `changes`; for links, which keep the range unless they change it. */
export const linkTo = (changes: Partial<UrlState>): string => hashOf({ ...urlState(), ...changes });

export function navigate(changes: Partial<UrlState>): void {
  const next = linkTo(changes);
  if (next !== location.hash) location.hash = next;
}
