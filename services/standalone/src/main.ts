/** `make run`: the embedded pipeline with a local data directory and a key created on first start. */
import { onShutdownSignal } from "@soc/shared";
import { startEmbedded } from "./embedded.ts";

// Whatever this process creates later (journals of new topics) is its owner's only, like .data itself.
process.umask(0o077);
const embedded = await startEmbedded({ env: process.env, print: (text) => process.stdout.write(text) });
onShutdownSignal(() => embedded.close());
