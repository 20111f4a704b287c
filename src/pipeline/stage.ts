/** One link of a compiled pipeline: runs the rest of the pipeline for `thisArg` and `args`. */
export type Stage = (thisArg: unknown, args: unknown[]) => unknown;
