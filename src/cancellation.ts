/**
 * Lightweight cancellation: a scope that is aborted once, with a reason, and tells the scopes
 * linked below it synchronously. An `AbortSignal` (which costs ~2 µs to create here) is made only
 * when code reads `.signal`, so attempts and shared loads that nobody cancels cost almost nothing.
 */

/**
 * Whatever must stop when its parent is aborted. As an event listener object it can be linked to
 * a caller's `AbortSignal` without a closure: `handleEvent` passes the signal's reason on.
 */
export interface Abandonable {
  abandon(reason: unknown): void;
  handleEvent(event: Event): void;
}

/** Where cancellation comes from: a scope of ours, or a caller's own `AbortSignal`. */
export type Cancellation = CancelScope | AbortSignal;

export class CancelScope {
  private controller: AbortController | undefined;
  private children: Set<Abandonable> | undefined;
  private abortedWith: { readonly reason: unknown } | undefined;

  /** The scope as an `AbortSignal`, created on first read (already aborted if the scope is). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith.reason);
    }
    return this.controller.signal;
  }

  get aborted(): boolean {
    return this.abortedWith !== undefined;
  }

  get reason(): unknown {
    return this.abortedWith?.reason;
  }

  /** Aborts the scope and everything linked below it; later calls do nothing. */
  protected cancel(reason: unknown): void {
    if (this.abortedWith) return;
    this.abortedWith = { reason };
    this.controller?.abort(reason);
    if (this.children) for (const child of [...this.children]) child.abandon(reason);
  }

  /** @internal Use {@link link}. */
  addChild(child: Abandonable): void {
    (this.children ??= new Set()).add(child);
  }

  /** @internal Use {@link unlink}. */
  removeChild(child: Abandonable): void {
    this.children?.delete(child);
  }
}

/** Makes `child.abandon(reason)` run when `parent` aborts (not if it already has: check first). */
export function link(parent: Cancellation, child: Abandonable): void {
  if (parent instanceof CancelScope) parent.addChild(child);
  else parent.addEventListener('abort', child, { once: true });
}

export function unlink(parent: Cancellation, child: Abandonable): void {
  if (parent instanceof CancelScope) parent.removeChild(child);
  else parent.removeEventListener('abort', child);
}

export function isAborted(c: Cancellation | undefined): boolean {
  return c !== undefined && c.aborted;
}

/** The cancellation as a real `AbortSignal` (creating a scope's signal if need be). */
export function signalOf(c: Cancellation | undefined): AbortSignal | undefined {
  return c instanceof CancelScope ? c.signal : c;
}
