import { Cached, runWithContext, type ExecutionUtils } from '../../src';
import { rig, type TestRig } from '../helpers';
import {
  boundedRun,
  cacheKeyErrorFrom,
  circularArray,
  circularObject,
  deepArray,
  deepMap,
  deepObject,
  expectCacheStillHits,
  expectNoPrototypePollution,
  flatString,
  revokedProxy,
  TEN_MB,
  untyped,
} from './support';

// Arguments no cache key can hold safely, and arguments built to hurt: generateCacheKey throws
// CacheKeyError naming the path; a decorated call with them runs uncached (counted `uncached`)
// and returns its result; a hostile key (`__proto__`, `constructor`) is keyed like any other and
// pollutes nothing; a huge argument gets a digested key, fast. The cache keeps working after each.

let current: TestRig;
let utils: ExecutionUtils;
beforeEach(() => {
  current = rig();
  utils = current.utils;
});

const key = (args: unknown, kwargs?: unknown): string =>
  utils.generateCacheKey('Svc.op', 'u', 't', untyped(args), untyped(kwargs));

class NoToJson {
  x = 1;
}

class SelfJson {
  toJSON(): unknown {
    return this;
  }
}

class ThrowingJson {
  toJSON(): unknown {
    throw new Error('toJSON broke');
  }
}

/** A plain object with an own, enumerable `__proto__` property holding `value`. */
const ownProto = (value: unknown): object =>
  Object.defineProperty({}, '__proto__', { value, enumerable: true });

/** Arguments that cannot be keyed, each with the path CacheKeyError must name. */
const UNKEYABLE: [string, string, () => unknown[]][] = [
  ['a function', 'args[0]', () => [() => 1]],
  ['a symbol', 'args[0]', () => [Symbol('s')]],
  ['a promise', 'args[0]', () => [Promise.resolve(1)]],
  ['a thenable', 'args[0].then', () => [{ then: () => undefined }]],
  ['a WeakMap', 'args[0]', () => [new WeakMap()]],
  ['a WeakSet', 'args[0]', () => [new WeakSet()]],
  ['a function deep inside', 'args[1].filters[1]', () => [1, { filters: ['x', () => 1] }]],
  ['a circular object', 'args[0].self', () => [circularObject()]],
  ['a circular array', 'args[0][1]', () => [circularArray()]],
  ['a class instance without toJSON', 'args[0]', () => [new NoToJson()]],
  ['an Error', 'args[0]', () => [new Error('e')]],
  ['a toJSON that returns itself', 'args[0].toJSON()', () => [new SelfJson()]],
  ['an enumerable symbol key', 'args[0]', () => [{ [Symbol('k')]: 1 }]],
  ['a function as a Map value', 'args[0].get("k")', () => [new Map([['k', () => 1]])]],
  ['a function in a Set', 'args[0]<set member 1>', () => [new Set([1, () => 1])]],
  ['a function under an odd key', 'args[0]["not id"]', () => [{ 'not id': () => 1 }]],
  ['a function under a __proto__ key', 'args[0].__proto__', () => [ownProto(() => 1)]],
];

/** Arguments nested past any depth a key can check without tracking. */
const TOO_DEEP: [string, () => unknown][] = [
  ['a 20,000-deep object', () => deepObject(20_000)],
  ['a 20,000-deep array', () => deepArray(20_000)],
  ['a 20,000-deep Map', () => deepMap(20_000)],
];

describe('generateCacheKey with an argument it cannot key', () => {
  it.each(UNKEYABLE)('%s throws CacheKeyError naming %s', async (_, path, args) => {
    const error = cacheKeyErrorFrom(() => key(args()));
    expect(error.path).toBe(path);
    expect(error.message).toContain(error.path);
    await expectCacheStillHits(utils);
  });

  it.each(TOO_DEEP)('%s throws CacheKeyError, not a stack overflow', async (_, make) => {
    const error = cacheKeyErrorFrom(() => key([make()]));
    expect(error.path.startsWith('args[0]')).toBe(true);
    await expectCacheStillHits(utils);
  });

  it('a 20,000-deep kwargs value throws CacheKeyError naming kwargs', () => {
    expect(cacheKeyErrorFrom(() => key([], { page: deepObject(20_000) })).path).toMatch(
      /^kwargs\.page/,
    );
  });

  it.each<[string, () => unknown]>([
    ['a function', () => ({ page: () => 1 })],
    ['a symbol', () => ({ page: Symbol('p') })],
    ['a circular object', () => ({ page: circularObject() })],
  ])('a kwargs value that is %s throws CacheKeyError naming kwargs.page', (_, kwargs) => {
    expect(cacheKeyErrorFrom(() => key([], kwargs())).path).toMatch(/^kwargs\.page/);
  });

  it.each<[string, () => string]>([
    ['funcName 5', () => utils.generateCacheKey(untyped(5), '', '', [])],
    ['funcName null', () => utils.generateCacheKey(untyped(null), '', '', [])],
    ['userId undefined', () => utils.generateCacheKey('f', untyped(undefined), '', [])],
    ['userId 42', () => utils.generateCacheKey('f', untyped(42), '', [])],
    ['taskId {}', () => utils.generateCacheKey('f', '', untyped({}), [])],
  ])('%s throws CacheKeyError naming the id', (label, build) => {
    expect(cacheKeyErrorFrom(build).path).toBe(label.split(' ')[0]);
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'abc'],
    ['a number', 5],
    ['a plain object', {}],
  ])(
    'args that are %s throw CacheKeyError naming args, never a TypeError or a collision',
    (_, args) => {
      expect(cacheKeyErrorFrom(() => key(args)).path).toBe('args');
    },
  );

  it("a revoked proxy's own TypeError passes through, like any error the argument throws", async () => {
    // Reading a revoked Proxy throws, as a throwing getter does: the argument's own error.
    expect(() => key([revokedProxy()])).toThrow(/revoked/);
    await expectCacheStillHits(utils);
  });

  it.each<[string, () => unknown]>([
    [
      'a getter',
      () => ({
        get x(): never {
          throw new SyntaxError('user getter');
        },
      }),
    ],
    ['a toJSON()', () => new ThrowingJson()],
    [
      'a proxy trap',
      () =>
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new SyntaxError('user trap');
            },
          },
        ),
    ],
  ])('an error thrown by %s (user code) passes through unchanged', async (_, make) => {
    const arg = make();
    let thrown: unknown;
    try {
      key([arg]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toMatch(/user|toJSON broke/);
    await expectCacheStillHits(utils);
  });

  it('arguments whose keys together pass the longest string V8 can hold throw CacheKeyError, not RangeError', async () => {
    const big = flatString(TEN_MB);
    const args = Array.from({ length: 52 }, () => big); // 545 M characters in all
    expect(cacheKeyErrorFrom(() => key(args)).path).toMatch(/^args/);
    await expectCacheStillHits(utils);
  }, 30_000);

  it('a sparse array of length 2^32 - 1 is refused within a second, not after a minute of work', async () => {
    const sparse = Object.assign([], { length: 2 ** 32 - 1 });
    const outcome = boundedRun(1_000, () => key([sparse]));
    expect(outcome).not.toBe('timed out');
    expect(outcome).toMatchObject({ threw: expect.objectContaining({ name: 'CacheKeyError' }) });
    await expectCacheStillHits(utils);
  });
});

describe('generateCacheKey with __proto__ and constructor keys', () => {
  it.each<[string, string, unknown]>([
    ['{"__proto__": {"x": 1}}', '{}', {}],
    ['{"__proto__": {"x": 1}}', '{"x": 1}', { x: 1 }],
    ['{"__proto__": {}}', '{}', {}],
    ['{"__proto__": null}', '{}', {}],
    ['{"constructor": {"prototype": {"x": 1}}}', '{}', {}],
    ['{"constructor": 1}', '{}', {}],
    ['{"a": {"__proto__": {"x": 1}}}', '{"a": {"x": 1}}', { a: { x: 1 } }],
  ])('%s keys apart from %s', (json, _, other) => {
    const hostile = JSON.parse(json);
    expect(key([hostile])).not.toBe(key([other]));
    expect(key([hostile])).toBe(key([JSON.parse(json)]));
    expectNoPrototypePollution();
  });

  it('keys a __proto__ payload as its own data: the same whatever the object prototype', () => {
    const payload = JSON.parse('{"__proto__": {"x": 1}, "b": 2}');
    const nullProto = Object.assign(Object.create(null), { b: 2 });
    Object.defineProperty(nullProto, '__proto__', { value: { x: 1 }, enumerable: true });
    expect(key([payload])).toBe(key([nullProto]));
    expect(key([payload])).toBe(key([Object.assign(ownProto({ x: 1 }), { b: 2 })]));
  });

  it('keys a __proto__ payload in kwargs apart from {} kwargs', () => {
    expect(key([], JSON.parse('{"__proto__": {"x": 1}}'))).not.toBe(key([], {}));
    expectNoPrototypePollution();
  });
});

describe('generateCacheKey with a 10 MB argument', () => {
  it('digests it into a short key starting with "#", quickly', () => {
    const big = flatString(TEN_MB);
    const started = performance.now();
    const digested = key([big]);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(digested).toMatch(/^#[A-Za-z0-9_-]{43}$/);
  });

  it('gives the same key to equal 10 MB strings and another to one differing in its last character', () => {
    const a = flatString(TEN_MB);
    const b = flatString(TEN_MB);
    const c = flatString(TEN_MB - 1) + 'y';
    expect(key([a])).toBe(key([b]));
    expect(key([a])).not.toBe(key([c]));
  });

  it.each<[string, () => unknown]>([
    ['Buffer', () => Buffer.alloc(TEN_MB, 1)],
    ['Uint8Array', () => new Uint8Array(TEN_MB)],
    ['array of 1e6 numbers', () => Array.from({ length: 1e6 }, (_, i) => i)],
    [
      'object of 1e5 keys',
      () => Object.fromEntries(Array.from({ length: 1e5 }, (_, i) => [`k${i}`, i])),
    ],
    ['Map of 1e5 entries', () => new Map(Array.from({ length: 1e5 }, (_, i) => [i, i]))],
  ])('digests a big %s into a "#" key', (_, make) => {
    expect(key([make()])).toMatch(/^#/);
  });
});

class Svc {
  runs = 0;

  @Cached()
  async op(...args: unknown[]): Promise<number> {
    void args;
    return ++this.runs;
  }

  @Cached()
  opSync(...args: unknown[]): number {
    void args;
    return ++this.runs;
  }

  @Cached()
  async echo(value: unknown): Promise<unknown> {
    this.runs++;
    return value;
  }

  @Cached()
  async parsed(json: string): Promise<unknown> {
    this.runs++;
    return JSON.parse(json);
  }
}

describe('a decorated call with an argument it cannot key runs uncached', () => {
  const cases: [string, () => unknown[]][] = [
    ...UNKEYABLE.map(([label, , args]): [string, () => unknown[]] => [label, args]),
    ...TOO_DEEP.map(([label, make]): [string, () => unknown[]] => [label, () => [make()]]),
    ['a revoked proxy', () => [revokedProxy()]],
    [
      'a throwing getter',
      () => [
        {
          get x(): never {
            throw new Error('getter');
          },
        },
      ],
    ],
    ['a throwing toJSON()', () => [new ThrowingJson()]],
    [
      'a throwing proxy trap',
      () => [
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error('trap');
            },
          },
        ),
      ],
    ],
  ];

  it.each(cases)('async: %s', async (_, args) => {
    const svc = new Svc();
    const a = args();
    const first = svc.op(...a);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(1);
    expect(await svc.op(...a)).toBe(2);
    expect(utils.getStats()).toMatchObject({ uncached: 2, hits: 0, sets: 0 });
    await expectCacheStillHits(utils);
  });

  it.each(cases)('sync: %s', async (_, args) => {
    const svc = new Svc();
    const a = args();
    expect(svc.opSync(...a)).toBe(1);
    expect(svc.opSync(...a)).toBe(2);
    expect(utils.getStats()).toMatchObject({ uncached: 2, hits: 0, sets: 0 });
    await expectCacheStillHits(utils);
  });

  it('arguments past the longest string V8 can hold run uncached', async () => {
    const big = flatString(TEN_MB);
    const svc = new Svc();
    expect(await svc.op(...Array.from({ length: 52 }, () => big))).toBe(1);
    expect(utils.getStats().uncached).toBe(1);
    await expectCacheStillHits(utils);
  }, 30_000);

  it('a sparse array of length 2^32 - 1 does not stall the call: it starts within a second', async () => {
    const svc = new Svc();
    const outcome = boundedRun(1_000, () => svc.op(Object.assign([], { length: 2 ** 32 - 1 })));
    expect(outcome).not.toBe('timed out');
    if (outcome !== 'timed out' && 'returned' in outcome) {
      await expect(outcome.returned).resolves.toBe(1);
    }
    await expectCacheStillHits(utils);
  });
});

describe('a decorated call with a tenant id of the wrong type runs uncached', () => {
  it.each<[string, Record<string, unknown>]>([
    ['userId 5', { userId: 5 }],
    ['userId {}', { userId: {} }],
    ['userId a function', { userId: () => 'u' }],
    ['taskId 5', { userId: 'u', taskId: 5 }],
    ['taskId a symbol', { userId: 'u', taskId: Symbol('t') }],
  ])('%s', async (_, ctx) => {
    const svc = new Svc();
    await runWithContext(untyped(ctx), () => svc.op('a'));
    await runWithContext(untyped(ctx), () => svc.op('a'));
    expect(svc.runs).toBe(2);
    expect(utils.getStats().uncached).toBe(2);
    await expectCacheStillHits(utils);
  });

  it('a userId of "__proto__" or "constructor" is an ordinary tenant', async () => {
    const svc = new Svc();
    for (const userId of ['__proto__', 'constructor', '__proto__', 'constructor']) {
      await runWithContext({ userId }, () => svc.op('a'));
    }
    expect(svc.runs).toBe(2);
    expectNoPrototypePollution();
  });
});

describe('a decorated call with __proto__ and constructor keys', () => {
  it('caches a __proto__ payload argument under its own key, apart from {} and {x: 1}', async () => {
    const svc = new Svc();
    const hostile = JSON.parse('{"__proto__": {"x": 1}}');
    expect(await svc.op(hostile)).toBe(1);
    expect(await svc.op(JSON.parse('{"__proto__": {"x": 1}}'))).toBe(1);
    expect(await svc.op({})).toBe(2);
    expect(await svc.op({ x: 1 })).toBe(3);
    expect(utils.getStats()).toMatchObject({ hits: 1, uncached: 0 });
    expectNoPrototypePollution();
    await expectCacheStillHits(utils);
  });

  it('caches a constructor payload argument apart from {}', async () => {
    const svc = new Svc();
    const hostile = JSON.parse('{"constructor": {"prototype": {"polluted": true}}}');
    expect(await svc.op(hostile)).toBe(1);
    expect(await svc.op(hostile)).toBe(1);
    expect(await svc.op({})).toBe(2);
    expectNoPrototypePollution();
  });

  it.each([
    '{"__proto__": {"polluted": true}}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    '{"a": [{"__proto__": {"isAdmin": true}}]}',
  ])('returns a cached result %s unchanged on a hit, and pollutes nothing', async (json) => {
    const svc = new Svc();
    const first = await svc.parsed(json);
    const second = await svc.parsed(json);
    expect(second).toBe(first);
    expect(svc.runs).toBe(1);
    expect(JSON.stringify(second)).toBe(JSON.stringify(JSON.parse(json)));
    expect(Object.getPrototypeOf(second)).toBe(Object.prototype);
    expect(() => utils.getMemoryStats()).not.toThrow();
    expectNoPrototypePollution();
    await expectCacheStillHits(utils);
  });
});

describe('a decorated call with a 10 MB argument', () => {
  it('is keyed (digested), cached and hit, quickly', async () => {
    const svc = new Svc();
    const big = flatString(TEN_MB);
    const started = performance.now();
    expect(await svc.echo(big)).toBe(big);
    expect(await svc.echo(big)).toBe(big);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(svc.runs).toBe(1);
    expect(utils.getStats()).toMatchObject({ hits: 1, uncached: 0 });
    await expectCacheStillHits(utils);
  });

  it('keeps two 10 MB arguments differing in the last character apart', async () => {
    const svc = new Svc();
    await svc.echo(flatString(TEN_MB));
    await svc.echo(flatString(TEN_MB - 1) + 'y');
    expect(svc.runs).toBe(2);
  });
});
