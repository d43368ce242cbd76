// bench:api's raw baseline: a workflow that does nothing, registered only by the bench's own worker
// (bench/noop-worker.ts) on a task queue of its own; it is not in the production workflow bundle.
export async function benchNoop(): Promise<void> {}
