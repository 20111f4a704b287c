/**
 * The shared workload: one async method called with the same five arguments inside one execution
 * context, returning a small object. Every row of every scenario calls this shape.
 */
import { getExecutionContext, type ExecutionContext } from '../src';

export interface Query {
  page: number;
  filters: string[];
}

export interface Result {
  userId: string;
  q: string;
  n: number;
  page: number;
}

export type Args = [userId: string, taskId: string, q: string, n: number, query: Query];

/** The context every measured call runs in. */
export const CTX: ExecutionContext = { userId: 'user-1', taskId: 'task-1' };

/** The arguments of every call (scenario C replaces `n` by a counter). */
export const U = 'user-1';
export const T = 'task-1';
export const Q = 'abc';
export const N = 42;
export const QUERY: Query = { page: 1, filters: ['x', 'y'] };
export const ARGS: Args = [U, T, Q, N, QUERY];

/**
 * The operation name. Our decorated class is called `Svc`, so our keys are built from
 * `'Svc.get'`; the peers' keys use the same name.
 */
export const OP = 'Svc.get';

/** Entries live an hour everywhere: the library's default `cacheTtl`, given to every peer too. */
export const TTL_MS = 3_600_000;

/** The small object the method returns. */
export function makeResult(userId: string, q: string, n: number, query: Query): Result {
  return { userId, q, n, page: query.page };
}

/**
 * The peers' key: what ours identifies (operation, tenant, every argument) as one JSON text.
 * Read from the context at call time, like our decorators do.
 */
export function peerKey(args: readonly unknown[]): string {
  const ctx = getExecutionContext();
  return JSON.stringify([OP, ctx?.userId ?? '', ctx?.taskId ?? '', args]);
}

/** The undecorated method: the bare call, and what every peer wraps. Counts its executions. */
export class Plain {
  executions = 0;

  async get(userId: string, _taskId: string, q: string, n: number, query: Query): Promise<Result> {
    this.executions++;
    return makeResult(userId, q, n, query);
  }
}

/** `plain.get` as a free function, for the peers that wrap functions. */
export type GetFn = (...args: Args) => Promise<Result>;

export function plainFn(plain: Plain): GetFn {
  return (userId, taskId, q, n, query) => plain.get(userId, taskId, q, n, query);
}
