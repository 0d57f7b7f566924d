export * from "./eventually.ts";
export * from "./infra.ts";
export { busContract } from "../bus/bus.contract.ts";
export { storeContract } from "../store/store.contract.ts";
export { countersContract } from "../counters/counters.contract.ts";
export * from "./smtp-sink.ts";
