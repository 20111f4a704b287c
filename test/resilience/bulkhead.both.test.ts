import { getEventListeners } from 'node:events';
import { BulkheadRejectedError, ConfigError } from '../../src/errors';
import {
  Bulkhead,
  validateBulkheadOptions,
  type BulkheadOptions,
} from '../../src/resilience/bulkhead';

type Release = () => void;

/** Lets every settled promise's callbacks run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The release function of a fast-path acquire, which must be returned synchronously. */
function now(slot: ReturnType<Bulkhead['acquire']>): Release {
  expect(typeof slot).toBe('function');
  return slot as Release;
}

/** What became of a queued acquire, read after `flush()`. */
interface Outcome {
  release?: Release;
  error?: unknown;
}

function observe(slot: ReturnType<Bulkhead['acquire']>): Outcome {
  expect(slot).toBeInstanceOf(Promise);
  const outcome: Outcome = {};
  (slot as Promise<Release>).then(
    (release) => (outcome.release = release),
    (error: unknown) => (outcome.error = error),
  );
  return outcome;
}

/**
 * Drives a bulkhead by labels: records the order in which calls are admitted and keeps their
 * release functions.
 */
class Driver {
  readonly admitted: string[] = [];
  readonly rejected = new Map<string, unknown>();
  private readonly releases = new Map<string, Release>();

  constructor(readonly bulkhead: Bulkhead) {}

  acquire(label: string, priority?: number, signal?: AbortSignal): void {
    const slot = this.bulkhead.acquire(priority, signal);
    if (typeof slot === 'function') {
      this.admit(label, slot);
      return;
    }
    slot.then(
      (release) => this.admit(label, release),
      (error: unknown) => this.rejected.set(label, error),
    );
  }

  /** Releases `label`'s slot and lets the waiter it goes to see its admission. */
  async release(label: string): Promise<void> {
    this.releases.get(label)!();
    await flush();
  }

  get last(): string {
    return this.admitted[this.admitted.length - 1];
  }

  private admit(label: string, release: Release): void {
    this.admitted.push(label);
    this.releases.set(label, release);
  }
}

describe('Bulkhead: a free slot', () => {
  it('returns the release function synchronously, not a Promise (the hot path)', () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 2 });
    const slot = bulkhead.acquire();
    expect(typeof slot).toBe('function');
    expect(slot).not.toBeInstanceOf(Promise);
    expect(bulkhead.running).toBe(1);
    (slot as Release)();
    expect(bulkhead.running).toBe(0);
  });

  it('defaults to 100 slots and no queue: the 101st call is rejected at once', async () => {
    const bulkhead = new Bulkhead('db', {});
    const releases = Array.from({ length: 100 }, () => now(bulkhead.acquire()));
    expect(bulkhead.running).toBe(100);
    const rejected = observe(bulkhead.acquire());
    await flush();
    expect(rejected.error).toBeInstanceOf(BulkheadRejectedError);
    expect(rejected.error).toMatchObject({ maxConcurrent: 100, maxQueue: 0 });
    expect(bulkhead.queued).toBe(0);
    releases.forEach((release) => release());
    expect(bulkhead.running).toBe(0);
  });

  it('a free slot is taken at once whatever the priority, and adds no abort listener', () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 3 });
    const controller = new AbortController();
    const releases = [
      now(bulkhead.acquire(-100, controller.signal)),
      now(bulkhead.acquire(100, controller.signal)),
      now(bulkhead.acquire(undefined, controller.signal)),
    ];
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(bulkhead.running).toBe(3);
    releases.forEach((release) => release());
    expect(bulkhead.running).toBe(0);
  });
});

describe('Bulkhead: queueing and rejection', () => {
  it('queues when every slot is busy and the queue has room, and rejects when it is full', async () => {
    const bulkhead = new Bulkhead('payments', { maxConcurrent: 1, maxQueue: 2 });
    const first = now(bulkhead.acquire());
    const second = observe(bulkhead.acquire());
    const third = observe(bulkhead.acquire());
    expect([bulkhead.running, bulkhead.queued]).toEqual([1, 2]);
    const fourth = observe(bulkhead.acquire());
    await flush();
    expect(second).toEqual({});
    expect(third).toEqual({});
    expect(fourth.error).toBeInstanceOf(BulkheadRejectedError);
    expect([bulkhead.running, bulkhead.queued]).toEqual([1, 2]);

    first();
    expect([bulkhead.running, bulkhead.queued]).toEqual([1, 1]); // the slot went to `second`
    await flush();
    expect(typeof second.release).toBe('function');
    expect(third).toEqual({});

    second.release!();
    await flush();
    expect([bulkhead.running, bulkhead.queued]).toEqual([1, 0]);
    third.release!();
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
  });

  it('rejects with a BulkheadRejectedError that names the bulkhead and its limits', async () => {
    const bulkhead = new Bulkhead('payments', { maxConcurrent: 2, maxQueue: 1 });
    now(bulkhead.acquire());
    now(bulkhead.acquire());
    observe(bulkhead.acquire());
    const error = await (bulkhead.acquire() as Promise<Release>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'BulkheadRejectedError',
      retryable: false,
      bulkhead: 'payments',
      maxConcurrent: 2,
      maxQueue: 1,
      message:
        "bulkhead 'payments' is full: 2 calls running and 1 waiting; raise its maxConcurrent or " +
        'maxQueue, or shed load before calling',
    });
  });

  it('frees the slot when the queue is empty at release', () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue: 5 });
    const release = now(bulkhead.acquire());
    release();
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
    now(bulkhead.acquire());
    expect(bulkhead.running).toBe(1);
  });
});

describe('Bulkhead: release order', () => {
  it('hands a freed slot to the highest priority first, FIFO among equals', async () => {
    const driver = new Driver(new Bulkhead('db', { maxConcurrent: 1, maxQueue: 10 }));
    driver.acquire('holder');
    const queue: [string, number][] = [
      ['a0', 0],
      ['b5', 5],
      ['c1', 1],
      ['d5', 5],
      ['e0', 0],
      ['f-2', -2],
      ['g1', 1],
      ['h5', 5],
    ];
    for (const [label, priority] of queue) driver.acquire(label, priority);
    expect(driver.bulkhead.queued).toBe(8);
    while (driver.bulkhead.queued > 0) await driver.release(driver.last);
    expect(driver.admitted).toEqual(['holder', 'b5', 'd5', 'h5', 'c1', 'g1', 'a0', 'e0', 'f-2']);
  });

  it("uses the bulkhead's priority option when acquire is given none", async () => {
    const driver = new Driver(new Bulkhead('db', { maxConcurrent: 1, maxQueue: 5, priority: 5 }));
    driver.acquire('holder');
    driver.acquire('p4', 4);
    driver.acquire('default');
    driver.acquire('p6', 6);
    driver.acquire('p5', 5);
    while (driver.bulkhead.queued > 0) await driver.release(driver.last);
    expect(driver.admitted).toEqual(['holder', 'p6', 'default', 'p5', 'p4']);
  });

  it('release is idempotent: a second call neither frees nor hands over another slot', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue: 2 });
    const release = now(bulkhead.acquire());
    release();
    release();
    expect(bulkhead.running).toBe(0); // not -1

    const holder = now(bulkhead.acquire());
    const a = observe(bulkhead.acquire());
    const b = observe(bulkhead.acquire());
    holder();
    holder();
    await flush();
    expect([bulkhead.running, bulkhead.queued]).toEqual([1, 1]);
    expect(typeof a.release).toBe('function');
    expect(b).toEqual({});
    a.release!();
    a.release!();
    await flush();
    expect([bulkhead.running, bulkhead.queued]).toEqual([1, 0]);
    b.release!();
    b.release!();
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
  });

  it('rejects a priority that is not a finite number, with a ConfigError', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1 });
    for (const priority of [NaN, Infinity, -Infinity]) {
      const error = await (bulkhead.acquire(priority) as Promise<Release>).catch((e: unknown) => e);
      expect(error).toEqual(
        new ConfigError(
          'Bulkhead(db).acquire(priority)',
          `expected a finite number, got ${priority}`,
        ),
      );
      expect(error).toBeInstanceOf(ConfigError);
    }
    expect(bulkhead.running).toBe(0);
  });
});

describe('Bulkhead: aging (no starvation)', () => {
  interface Stream {
    /** The waiter watched, and the priority of every other call. */
    low: number;
    high: number;
    /** Calls of priority `high` arriving before each release; the full queue rejects the rest. */
    perStep: number;
    maxQueue: number;
    /** Calls of priority `high` queued before the watched waiter arrives. */
    ahead?: number;
    /** Calls of priority `high` queued right after it, before the stream starts. */
    behind?: number;
  }

  /**
   * Holds the only slot, queues the watched waiter, then runs a continuous stream: before each
   * release, `perStep` new calls arrive. Returns how many other calls were admitted while the
   * watched waiter waited, and how many were still queued when it got the slot.
   */
  async function passedOver(stream: Stream): Promise<{ passes: number; stillQueued: number }> {
    const { low, high, perStep, maxQueue, ahead = 0, behind = 0 } = stream;
    const driver = new Driver(new Bulkhead('db', { maxConcurrent: 1, maxQueue }));
    driver.acquire('holder');
    for (let i = 0; i < ahead; i++) driver.acquire(`ahead${i}`, high);
    driver.acquire('low', low);
    for (let i = 0; i < behind; i++) driver.acquire(`behind${i}`, high);
    let arrivals = 0;
    for (let step = 0; !driver.admitted.includes('low'); step++) {
      if (step > 10_000) throw new Error('the low-priority waiter starved');
      for (let i = 0; i < perStep; i++) driver.acquire(`high${arrivals++}`, high);
      await driver.release(driver.last);
    }
    return {
      passes: driver.admitted.indexOf('low') - 1, // admissions after the holder, before `low`
      stillQueued: driver.bulkhead.queued,
    };
  }

  /** The documented bound: Q - 1 when D = 0, else D + Q - 2, with D = max(0, ceil(P - p)). */
  const bound = ({ low, high, maxQueue }: Stream): number => {
    const d = Math.max(0, Math.ceil(high - low));
    return d === 0 ? maxQueue - 1 : d + maxQueue - 2;
  };

  it('one high arrival per admission: the low waiter gets the slot after exactly P - p others', async () => {
    // Keys are priority - admissions before arrival: the low waiter keeps key 0; the call arriving
    // after k admissions has key 10 - k, so the 10 calls arriving after 0..9 admissions pass it and
    // the one arriving after 10 ties with it and loses on FIFO.
    const stream = { low: 0, high: 10, perStep: 1, maxQueue: 100 };
    const { passes, stillQueued } = await passedOver(stream);
    expect(passes).toBe(10);
    expect(passes).toBeLessThanOrEqual(bound(stream));
    expect(stillQueued).toBe(1); // served although a higher-priority call still waits
  });

  it.each<Stream>([
    { low: 0, high: 10, perStep: 3, maxQueue: 5 },
    { low: 0, high: 10, perStep: 3, maxQueue: 5, ahead: 4 },
    { low: 0, high: 1, perStep: 5, maxQueue: 20, ahead: 19 },
    { low: -3, high: 7, perStep: 2, maxQueue: 8, ahead: 3, behind: 4 },
    { low: 0, high: 2.5, perStep: 4, maxQueue: 6, ahead: 2 },
    { low: 0, high: 50, perStep: 10, maxQueue: 30, behind: 29 },
    { low: 9, high: 2, perStep: 3, maxQueue: 10, ahead: 9 }, // arrivals never pass it
  ])('%j: served within the bound', async (stream) => {
    const { passes } = await passedOver(stream);
    expect(passes).toBeLessThanOrEqual(bound(stream));
  });

  it('the bound D + Q - 2 is reached: the queue kept full of calls that arrived early enough', async () => {
    // D = 3, Q = 5: the watched waiter (key 0) is followed by 3 calls of key 3; before each
    // release one more arrives (keys 3, 2, 1, then 0 which loses the tie). After the 3rd
    // admission the queue holds the watched waiter and 3 calls of keys >= 1: 3 + 3 = 6 passes.
    const stream = { low: 0, high: 3, perStep: 1, maxQueue: 5, behind: 3 };
    const { passes } = await passedOver(stream);
    expect(bound(stream)).toBe(6);
    expect(passes).toBe(6);
  });

  it('the bound Q - 1 is reached when no arrival outranks the waiter (D = 0)', async () => {
    // Equal priorities are served FIFO: only the Q - 1 calls already queued pass it.
    const stream = { low: 5, high: 5, perStep: 3, maxQueue: 10, ahead: 9 };
    const { passes } = await passedOver(stream);
    expect(bound(stream)).toBe(9);
    expect(passes).toBe(9);
  });
});

describe('Bulkhead: abort signals', () => {
  it('a queued call whose signal aborts leaves the queue and rejects with signal.reason', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue: 3 });
    const holder = now(bulkhead.acquire());
    const controller = new AbortController();
    const waiting = observe(bulkhead.acquire(0, controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(bulkhead.queued).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    await flush();
    expect(waiting.error).toBe(reason);
    holder();
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]); // not handed to the aborted call
  });

  it('rejects with the default AbortError reason when aborted without one', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue: 1 });
    now(bulkhead.acquire());
    const controller = new AbortController();
    const waiting = observe(bulkhead.acquire(0, controller.signal));
    controller.abort();
    await flush();
    expect(waiting.error).toBe(controller.signal.reason);
    expect(waiting.error).toMatchObject({ name: 'AbortError' });
  });

  it('an already-aborted signal rejects at once, even with a free slot, and takes nothing', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue: 1 });
    const reason = new Error('too late');
    const signal = AbortSignal.abort(reason);
    const free = observe(bulkhead.acquire(0, signal));
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
    now(bulkhead.acquire());
    const busy = observe(bulkhead.acquire(0, signal)); // the queue has room
    const full = observe(bulkhead.acquire(0, signal));
    expect([bulkhead.running, bulkhead.queued]).toEqual([1, 0]);
    await flush();
    expect(free.error).toBe(reason);
    expect(busy.error).toBe(reason);
    expect(full.error).toBe(reason);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });

  it('an abort after admission changes nothing: the listener is already gone', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue: 1 });
    const holder = now(bulkhead.acquire());
    const controller = new AbortController();
    const waiting = observe(bulkhead.acquire(0, controller.signal));
    holder();
    await flush();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    await flush();
    expect(typeof waiting.release).toBe('function');
    expect(waiting.error).toBeUndefined();
    expect(bulkhead.running).toBe(1);
    waiting.release!();
    expect(bulkhead.running).toBe(0);
  });

  it('aborting waiters anywhere in the queue keeps the order of the others', async () => {
    const driver = new Driver(new Bulkhead('db', { maxConcurrent: 1, maxQueue: 20 }));
    driver.acquire('holder');
    const controllers = new Map<string, AbortController>();
    const priorities = [3, 9, 1, 7, 7, 0, 5, 9, 2, 4, 6, 8];
    priorities.forEach((priority, i) => {
      const label = `w${i}p${priority}`;
      const controller = new AbortController();
      controllers.set(label, controller);
      driver.acquire(label, priority, controller.signal);
    });
    // The root (first 9), a middle one, the last added, and a leaf.
    for (const label of ['w1p9', 'w4p7', 'w11p8', 'w5p0']) controllers.get(label)!.abort(label);
    expect(driver.bulkhead.queued).toBe(8);
    while (driver.bulkhead.queued > 0) await driver.release(driver.last);
    expect(driver.admitted).toEqual([
      'holder',
      'w7p9',
      'w3p7',
      'w10p6',
      'w6p5',
      'w9p4',
      'w0p3',
      'w8p2',
      'w2p1',
    ]);
    expect([...driver.rejected.values()]).toEqual(['w1p9', 'w4p7', 'w11p8', 'w5p0']);
    for (const controller of controllers.values()) {
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }
  });

  it('a long-lived signal shared by many calls does not accumulate listeners', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 2, maxQueue: 10 });
    const shared = new AbortController().signal;
    let held: Release[] = [now(bulkhead.acquire(0, shared)), now(bulkhead.acquire(0, shared))];
    for (let round = 0; round < 500; round++) {
      const waiting = Array.from({ length: 10 }, () => observe(bulkhead.acquire(0, shared)));
      expect(getEventListeners(shared, 'abort')).toHaveLength(1); // one for all 10 waiters
      for (let i = 0; i < 10; i += 2) {
        held.forEach((release) => release());
        await flush();
        held = [waiting[i].release!, waiting[i + 1].release!];
        // Gone with the last waiter using it.
        expect(getEventListeners(shared, 'abort')).toHaveLength(i + 2 < 10 ? 1 : 0);
      }
    }
    held.forEach((release) => release());
    expect([bulkhead.running, bulkhead.queued]).toEqual([0, 0]);
  });

  it('aborting a shared signal rejects all its waiters at once and leaves no listener', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 1, maxQueue: 1_000 });
    const holder = now(bulkhead.acquire());
    const shared = new AbortController();
    const other = new AbortController();
    const waiting = Array.from({ length: 999 }, (_, i) =>
      observe(bulkhead.acquire(i % 7, shared.signal)),
    );
    const survivor = observe(bulkhead.acquire(-1, other.signal));
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1);
    expect(bulkhead.queued).toBe(1_000);
    shared.abort();
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    expect(bulkhead.queued).toBe(1);
    await flush();
    expect(waiting.every((w) => w.error === shared.signal.reason)).toBe(true);
    holder();
    await flush();
    expect(typeof survivor.release).toBe('function'); // the heap is intact after 999 removals
    expect(getEventListeners(other.signal, 'abort')).toHaveLength(0);
  });

  it('two bulkheads sharing a signal each keep their own listener', async () => {
    const a = new Bulkhead('a', { maxConcurrent: 1, maxQueue: 2 });
    const b = new Bulkhead('b', { maxConcurrent: 1, maxQueue: 2 });
    const holdA = now(a.acquire());
    now(b.acquire());
    const shared = new AbortController();
    const inA = observe(a.acquire(0, shared.signal));
    const inB = observe(b.acquire(0, shared.signal));
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(2);
    holdA();
    await flush();
    expect(typeof inA.release).toBe('function');
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(1); // b's waiter still watched
    shared.abort('stop');
    await flush();
    expect(inB.error).toBe('stop');
    expect(b.queued).toBe(0);
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });
});

describe('Bulkhead: counters and a model check', () => {
  it('running and queued follow every transition', async () => {
    const bulkhead = new Bulkhead('db', { maxConcurrent: 2, maxQueue: 2 });
    const seen = (): number[] => [bulkhead.running, bulkhead.queued];
    expect(seen()).toEqual([0, 0]);
    const a = now(bulkhead.acquire());
    expect(seen()).toEqual([1, 0]);
    const b = now(bulkhead.acquire());
    expect(seen()).toEqual([2, 0]);
    const controller = new AbortController();
    const c = observe(bulkhead.acquire(0, controller.signal));
    expect(seen()).toEqual([2, 1]);
    const d = observe(bulkhead.acquire());
    expect(seen()).toEqual([2, 2]);
    observe(bulkhead.acquire()); // rejected
    expect(seen()).toEqual([2, 2]);
    controller.abort();
    expect(seen()).toEqual([2, 1]);
    a();
    expect(seen()).toEqual([2, 0]); // handed to d
    b();
    expect(seen()).toEqual([1, 0]);
    await flush();
    expect(c.error).toBeDefined();
    d.release!();
    expect(seen()).toEqual([0, 0]);
  });

  it('matches a reference model over 5_000 random operations', async () => {
    let seed = 42;
    const random = (): number => {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      return seed / 2 ** 32;
    };
    const maxConcurrent = 3;
    const maxQueue = 8;
    const bulkhead = new Bulkhead('model', { maxConcurrent, maxQueue });
    // The model: a plain list scanned for the best key (priority - admissions at arrival), then seq.
    interface ModelWaiter {
      id: number;
      key: number;
      seq: number;
      controller: AbortController;
    }
    let modelRunning = 0;
    let modelWaiting: ModelWaiter[] = [];
    let admissions = 0;
    let seq = 0;
    const held: Release[] = [];
    const outcomes = new Map<number, Outcome>();
    const expectedAdmitted: number[] = [];
    const actualAdmitted: number[] = [];

    for (let op = 0; op < 5_000; op++) {
      const r = random();
      if (r < 0.5) {
        const id = op;
        const priority = Math.floor(random() * 5);
        const controller = new AbortController();
        const slot = bulkhead.acquire(priority, controller.signal);
        if (modelRunning < maxConcurrent) {
          modelRunning++;
          held.push(now(slot));
        } else if (modelWaiting.length >= maxQueue) {
          const outcome = observe(slot);
          await flush();
          expect(outcome.error).toBeInstanceOf(BulkheadRejectedError);
        } else {
          const key = priority - admissions;
          modelWaiting.push({ id, key, seq: seq++, controller });
          const outcome = observe(slot);
          outcomes.set(id, outcome);
          (slot as Promise<Release>).then(
            (release) => {
              actualAdmitted.push(id);
              held.push(release);
            },
            () => {},
          );
        }
      } else if (r < 0.85) {
        if (held.length === 0) continue;
        const release = held.splice(Math.floor(random() * held.length), 1)[0];
        release();
        if (modelWaiting.length === 0) {
          modelRunning--;
        } else {
          const best = modelWaiting.reduce((a, b) =>
            b.key > a.key || (b.key === a.key && b.seq < a.seq) ? b : a,
          );
          modelWaiting = modelWaiting.filter((w) => w !== best);
          admissions++;
          expectedAdmitted.push(best.id);
        }
        await flush();
      } else {
        if (modelWaiting.length === 0) continue;
        const victim = modelWaiting[Math.floor(random() * modelWaiting.length)];
        modelWaiting = modelWaiting.filter((w) => w !== victim);
        victim.controller.abort(`abort ${victim.id}`);
        await flush();
        expect(outcomes.get(victim.id)!.error).toBe(`abort ${victim.id}`);
      }
      expect([bulkhead.running, bulkhead.queued]).toEqual([modelRunning, modelWaiting.length]);
    }
    expect(actualAdmitted).toEqual(expectedAdmitted);
    expect(expectedAdmitted.length).toBeGreaterThan(500);
  });
});

describe('validateBulkheadOptions', () => {
  it.each<[BulkheadOptions]>([
    [{}],
    [{ maxConcurrent: 1, maxQueue: 0, priority: -3.5 }],
    [{ maxConcurrent: 10_000, maxQueue: 1_000_000, priority: 7 }],
  ])('accepts %j', (options) => {
    expect(() => validateBulkheadOptions(options, 'bulkheads.db')).not.toThrow();
  });

  it.each<[string, unknown, string]>([
    ['maxConcurrent', 0, 'expected an integer >= 1, got 0'],
    ['maxConcurrent', -1, 'expected an integer >= 1, got -1'],
    ['maxConcurrent', 1.5, 'expected an integer >= 1, got 1.5'],
    ['maxConcurrent', NaN, 'expected an integer >= 1, got NaN'],
    ['maxConcurrent', Infinity, 'expected an integer >= 1, got Infinity'],
    ['maxConcurrent', '2', "expected an integer >= 1, got '2'"],
    ['maxQueue', -1, 'expected an integer >= 0, got -1'],
    ['maxQueue', 0.5, 'expected an integer >= 0, got 0.5'],
    ['maxQueue', Infinity, 'expected an integer >= 0, got Infinity'],
    ['maxQueue', null, 'expected an integer >= 0, got null'],
    ['priority', NaN, 'expected a finite number, got NaN'],
    ['priority', -Infinity, 'expected a finite number, got -Infinity'],
    ['priority', '1', "expected a finite number, got '1'"],
  ])('rejects %s = %p with a ConfigError naming it', (option, value, message) => {
    const options = { [option]: value } as BulkheadOptions;
    let error: unknown;
    try {
      validateBulkheadOptions(options, 'bulkheads.db');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      name: 'ConfigError',
      option: `bulkheads.db.${option}`,
      message: `bulkheads.db.${option}: ${message}`,
      retryable: false,
    });
  });

  it('is applied by the constructor, naming Bulkhead(<name>).<option>', () => {
    expect(() => new Bulkhead('db', { maxConcurrent: 0 })).toThrow(
      new ConfigError('Bulkhead(db).maxConcurrent', 'expected an integer >= 1, got 0'),
    );
  });
});
