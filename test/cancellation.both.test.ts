import {
  CancelScope,
  isAborted,
  link,
  signalOf,
  unlink,
  type Abandonable,
} from '../src/cancellation';

/** A scope a test may cancel (`cancel` is protected: its owners decide). */
class Scope extends CancelScope {
  abort(reason: unknown): void {
    this.cancel(reason);
  }
}

function child(): Abandonable & { reasons: unknown[] } {
  const reasons: unknown[] = [];
  return {
    reasons,
    abandon: (reason) => void reasons.push(reason),
    handleEvent(event) {
      this.abandon((event.target as AbortSignal).reason);
    },
  };
}

describe('CancelScope', () => {
  it('is not aborted until cancelled, then keeps the first reason', () => {
    const scope = new Scope();
    expect(scope.aborted).toBe(false);
    scope.abort('first');
    scope.abort('second');
    expect(scope.aborted).toBe(true);
    expect(scope.reason).toBe('first');
  });

  it('gives the same AbortSignal on every read, aborted with the scope', () => {
    const scope = new Scope();
    const signal = scope.signal;
    expect(scope.signal).toBe(signal);
    scope.abort('why');
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe('why');
  });

  it('makes a signal read after the abort already aborted, with the reason', () => {
    const scope = new Scope();
    scope.abort('why');
    expect(scope.signal.aborted).toBe(true);
    expect(scope.signal.reason).toBe('why');
  });

  it('abandons the children linked to it, once', () => {
    const scope = new Scope();
    const a = child();
    link(scope, a);
    scope.abort('stop');
    scope.abort('again');
    expect(a.reasons).toEqual(['stop']);
  });

  it('does not abandon a child unlinked before the abort', () => {
    const scope = new Scope();
    const a = child();
    link(scope, a);
    unlink(scope, a);
    scope.abort('stop');
    expect(a.reasons).toEqual([]);
  });
});

describe('link to an AbortSignal', () => {
  it("abandons the child with the signal's reason when it aborts", () => {
    const controller = new AbortController();
    const a = child();
    link(controller.signal, a);
    controller.abort('caller left');
    expect(a.reasons).toEqual(['caller left']);
  });

  it('removes the listener on unlink', () => {
    const controller = new AbortController();
    const a = child();
    link(controller.signal, a);
    unlink(controller.signal, a);
    controller.abort('caller left');
    expect(a.reasons).toEqual([]);
  });
});

describe('isAborted and signalOf', () => {
  it('read a scope and a signal alike, and nothing as not aborted', () => {
    const scope = new Scope();
    const controller = new AbortController();
    expect([isAborted(scope), isAborted(controller.signal), isAborted(undefined)]).toEqual([
      false,
      false,
      false,
    ]);
    scope.abort('x');
    controller.abort('y');
    expect([isAborted(scope), isAborted(controller.signal)]).toEqual([true, true]);
  });

  it("give a scope's signal, a signal itself, and undefined for nothing", () => {
    const scope = new Scope();
    const controller = new AbortController();
    expect(signalOf(scope)).toBe(scope.signal);
    expect(signalOf(controller.signal)).toBe(controller.signal);
    expect(signalOf(undefined)).toBeUndefined();
  });
});
