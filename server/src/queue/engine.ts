// The claim engine's surface: what routes, workers and other areas call.
// (claim path and key layout: docs/architecture.md, "The claim path and the key layout")
export { claimTask, workableNode, type ClaimResult } from "./claim";
export { readyTasks, type ReadySet } from "./available";
export { heartbeat, loadHeldClaim } from "./held";
export { submitAndClaimNext, submitClaim, type SubmitInput, type Submitted } from "./finish";
export { releaseClaim, revokeClaim } from "./release";
export { nodeCounts, countsFor, type NodeCount } from "./counts";
export { enqueue } from "./follow";
export { ensureLoaded } from "./rebuild";
export { sweepOnce, startSweeper } from "./sweeper";
export { getCatalog, bumpConfig, watchConfigChanges, scheduleOf, type Catalog, type NodeDef } from "./catalog";
