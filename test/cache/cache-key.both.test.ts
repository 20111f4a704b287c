import { createHash } from 'node:crypto';

import { buildCacheKey, cacheKeyBuilder, encodeKeyPart } from '../../src/cache/cache-key';

const tryBuildCacheKey = (f: string, u: string, t: string, args: readonly unknown[]) =>
  cacheKeyBuilder(f)(u, t, args);
import { CacheKeyError } from '../../src/errors';
import { KEY_MARKUP as FRAGMENTS } from '../key-markup';
import { sameValue } from '../structural-equality';
import { thrownBy } from '../helpers';

const key = (value: unknown): string => encodeKeyPart(value, 'value');

/** Runs `build`, expecting a CacheKeyError, and returns it. */
const keyError = (build: () => unknown): CacheKeyError => thrownBy(CacheKeyError, build);

class Money {
  constructor(
    readonly amount: string,
    readonly currency: string,
  ) {}
  toJSON(): unknown {
    return { amount: this.amount, currency: this.currency };
  }
}

describe('encodeKeyPart', () => {
  describe('format', () => {
    it('writes every supported type in the documented grammar', () => {
      const value = {
        t: new Uint8Array([1, 2, 3]),
        s: new Set([3, 1]),
        m: new Money('1.50', 'EUR'),
        d: new Date(0),
        bad: new Date(NaN),
        b: [1, 'x', undefined, null, true, 10n, NaN, -Infinity],
        a: new Map<unknown, unknown>([
          [2, 'two'],
          ['1', 1],
        ]),
      };
      expect(key(value)).toBe(
        '{"a":M{"1"=>1,2=>"two"},"b":[1,"x",undefined,null,true,10n,NaN,-Infinity],' +
          '"bad":D(NaN),"d":D(0),"m":@Money({"amount":"1.50","currency":"EUR"}),"s":S{1,3},' +
          '"t":Uint8Array(AQID)}',
      );
    });

    it('writes a Buffer under its own name', () => {
      expect(key(Buffer.from('hi'))).toBe('Buffer(aGk=)');
    });

    it('escapes strings as JSON does', () => {
      expect(key('a"b\\c\n')).toBe('"a\\"b\\\\c\\n"');
    });

    it('escapes a lone surrogate, keeping it apart from the replacement character', () => {
      expect(key('\ud800')).toBe('"\\ud800"');
      expect(key('\ud800')).not.toBe(key('\ufffd'));
    });

    it('keeps a valid surrogate pair as is', () => {
      expect(key('😀')).toBe('"😀"');
    });

    it('quotes a class name that is not a plain identifier', () => {
      const named = {
        'a(b': class {
          toJSON(): unknown {
            return 1;
          }
        },
      };
      expect(key(new named['a(b']())).toBe('@"a(b"(1)');
    });

    it('writes an anonymous class as an empty quoted name', () => {
      const instance = new (class {
        toJSON(): unknown {
          return 1;
        }
      })();
      expect(key(instance)).toBe('@""(1)');
    });

    it('writes an instance whose prototype has no constructor under an empty name', () => {
      const proto = Object.assign(Object.create(null) as object, { toJSON: () => 1 });
      expect(key(Object.create(proto))).toBe('@""(1)');
    });

    it('writes an instance whose constructor name is not a string under an empty name', () => {
      class Named {
        toJSON(): unknown {
          return 1;
        }
      }
      Object.defineProperty(Named, 'name', { value: 42 });
      expect(key(new Named())).toBe('@""(1)');
    });
  });

  describe('distinguishes values', () => {
    class D {
      toJSON(): unknown {
        return 0;
      }
    }
    const ordered = new Map<unknown, unknown>([[1, 'a']]);
    it.each<[string, unknown, unknown]>([
      ['1 and "1"', 1, '1'],
      ['true and "true"', true, 'true'],
      ['false and "false"', false, 'false'],
      ['null and "null"', null, 'null'],
      ['undefined and "undefined"', undefined, 'undefined'],
      ['undefined and null', undefined, null],
      ['10n and 10', 10n, 10],
      ['10n and "10n"', 10n, '10n'],
      ['NaN and Infinity', NaN, Infinity],
      ['Infinity and -Infinity', Infinity, -Infinity],
      ['NaN and "NaN"', NaN, 'NaN'],
      ['Infinity and "Infinity"', Infinity, 'Infinity'],
      ['-Infinity and "-Infinity"', -Infinity, '-Infinity'],
      ['{a: undefined} and {}', { a: undefined }, {}],
      ['[undefined] and []', [undefined], []],
      ['[undefined] and [null]', [undefined], [null]],
      ['[] and [null]', [], [null]],
      ['Map{1=>a} and Map{"1"=>a}', ordered, new Map([['1', 'a']])],
      ['Map{"1"=>a} and {1: a}', new Map([['1', 'a']]), { 1: 'a' }],
      ['Map{1=>a} and {1: a}', ordered, { 1: 'a' }],
      ['Map{1=>23} and Map{12=>3}', new Map([[1, 23]]), new Map([[12, 3]])],
      ['Set{1,2} and [1,2]', new Set([1, 2]), [1, 2]],
      ['Set{} and Map{}', new Set(), new Map()],
      ['Map{} and {}', new Map(), {}],
      ['Date(0) and its ISO string', new Date(0), new Date(0).toISOString()],
      ['Date(0) and 0', new Date(0), 0],
      ['an invalid Date and a valid one', new Date(NaN), new Date(0)],
      ['an invalid Date and null', new Date(NaN), null],
      ['Uint8Array and Int8Array with the same bytes', new Uint8Array([1]), new Int8Array([1])],
      ['Buffer and Uint8Array with the same bytes', Buffer.from([1]), new Uint8Array([1])],
      ['Uint8Array contents', new Uint8Array([1, 2]), new Uint8Array([2, 1])],
      ['Float64Array and Float32Array of 0', new Float64Array(1), new Float32Array(2)],
      [
        'a toJSON instance and its plain result',
        new Money('1', 'EUR'),
        new Money('1', 'EUR').toJSON(),
      ],
      ['instances of two classes with equal toJSON results', new D(), new (class E extends D {})()],
      ['a class named D and a Date', new D(), new Date(0)],
      ['["a","b"] and ["a\\",\\"b"]', ['a', 'b'], ['a","b']],
      ['a Map and a string spelling it', new Map([[1, 2]]), 'M{1=>2}'],
      ['{a: 1} and {"a:1": undefined}', { a: 1 }, { 'a:1': undefined }],
      ['nesting depth', [[1], 2], [[1, 2]]],
    ])('keys %s differently', (_label, a, b) => {
      expect(key(a)).not.toBe(key(b));
    });
  });

  describe('treats as equal', () => {
    it('ignores object key order', () => {
      expect(key({ a: 1, b: 2 })).toBe(key({ b: 2, a: 1 }));
    });

    it('ignores the order of integer-like and other keys', () => {
      expect(key({ b: 1, 10: 2, 2: 3, a: 4 })).toBe(key({ a: 4, 2: 3, b: 1, 10: 2 }));
    });

    it('ignores key order in objects too large for the insertion sort', () => {
      const names = Array.from({ length: 40 }, (_, i) => `k${(i * 7) % 40}`);
      const forward = Object.fromEntries(names.map((name) => [name, name]));
      const backward = Object.fromEntries([...names].reverse().map((name) => [name, name]));
      expect(key(forward)).toBe(key(backward));
    });

    it('ignores Map insertion order', () => {
      const forward = new Map<unknown, unknown>([
        ['b', 1],
        [1, 'b'],
        [{ x: 1 }, null],
      ]);
      const backward = new Map<unknown, unknown>([
        [{ x: 1 }, null],
        [1, 'b'],
        ['b', 1],
      ]);
      expect(key(forward)).toBe(key(backward));
    });

    it('ignores Set insertion order', () => {
      expect(key(new Set([3, 'a', [1], 1]))).toBe(key(new Set([1, [1], 'a', 3])));
    });

    it('orders Map entries whose keys encode alike by the whole entry', () => {
      const first = new Map<unknown, unknown>([
        [{}, 2],
        [{}, 1],
      ]);
      const second = new Map<unknown, unknown>([
        [{}, 1],
        [{}, 2],
      ]);
      expect(key(first)).toBe(key(second));
    });

    it('keys a typed-array view by its own bytes only', () => {
      const view = new Uint8Array([0, 1, 2, 3]).subarray(1, 3);
      expect(key(view)).toBe(key(new Uint8Array([1, 2])));
    });

    it('keys -0 like 0', () => {
      expect(key(-0)).toBe(key(0));
    });

    it('keys an array hole like undefined', () => {
      // eslint-disable-next-line no-sparse-arrays
      expect(key([, 1])).toBe(key([undefined, 1]));
    });

    it('keys a null-prototype object like a plain one', () => {
      expect(key(Object.assign(Object.create(null) as object, { a: 1 }))).toBe(key({ a: 1 }));
    });

    it('ignores non-enumerable symbol keys', () => {
      const object = Object.defineProperty({ a: 1 }, Symbol('meta'), { value: 1 });
      expect(key(object)).toBe(key({ a: 1 }));
    });

    it('keys an object repeated in sibling places (a DAG) like two equal copies', () => {
      const shared = { id: 1 };
      expect(key([shared, { again: shared }])).toBe(key([{ id: 1 }, { again: { id: 1 } }]));
    });
  });

  describe('rejects what it cannot key', () => {
    it.each<[string, unknown, string, string]>([
      ['a function', () => 1, 'value', 'a function'],
      ['a symbol', Symbol('s'), 'value', 'a symbol'],
      ['a Promise', Promise.resolve(1), 'value', 'thenable'],
      ['a WeakMap', new WeakMap(), 'value', 'WeakMap'],
      ['a WeakSet', new WeakSet(), 'value', 'WeakSet'],
      ['a class instance without toJSON()', new (class Foo {})(), 'value', 'Foo without toJSON'],
      ['an anonymous class instance', new (class {})(), 'value', 'anonymous class'],
      ['a RegExp', /x/, 'value', 'RegExp'],
      ['an Array subclass instance', new (class List extends Array {})(), 'value', 'List'],
      ['an Error', new Error('x'), 'value', 'an Error'],
      ['a typed-array subclass', new (class Bytes extends Uint8Array {})(1), 'value', 'Bytes'],
      ['an object with an enumerable symbol key', { [Symbol('s')]: 1 }, 'value', 'symbol keys'],
    ])('rejects %s', (_label, value, path, reason) => {
      const error = keyError(() => key(value));
      expect(error.path).toBe(path);
      expect(error.message).toContain(reason);
    });

    it('rejects an Error even when it has a toJSON()', () => {
      class HttpError extends Error {
        toJSON(): unknown {
          return { status: 500 };
        }
      }
      expect(keyError(() => key(new HttpError('x'))).message).toContain('an Error');
    });

    it('rejects a thenable even when it has a toJSON()', () => {
      class Query {
        then(): void {}
        toJSON(): unknown {
          return 'q';
        }
      }
      expect(keyError(() => key(new Query())).message).toContain('thenable');
    });

    it('rejects an array that contains itself', () => {
      const list: unknown[] = [1];
      list.push(list);
      const error = keyError(() => key(list));
      expect(error.path).toBe('value[1]');
      expect(error.message).toContain('circular');
    });

    it('rejects an object that contains itself further down', () => {
      const node: Record<string, unknown> = { id: 1 };
      node.children = [{ parent: node }];
      expect(keyError(() => key(node)).path).toBe('value.children[0].parent');
    });

    it('rejects a Map that contains itself as a value', () => {
      const map = new Map<unknown, unknown>();
      map.set('self', map);
      expect(keyError(() => key(map)).path).toBe('value.get("self")');
    });

    it('rejects a toJSON() that returns its own instance', () => {
      class Selfish {
        toJSON(): unknown {
          return this;
        }
      }
      expect(keyError(() => key(new Selfish())).path).toBe('value.toJSON()');
    });
  });

  describe('error paths', () => {
    it('starts at the given path', () => {
      expect(keyError(() => encodeKeyPart([1, () => 1], 'args[1]')).path).toBe('args[1][1]');
    });

    it.each([
      ['a space', 'a b'],
      ['a colon', 'a:b'],
      ['a leading digit', '1a'],
      ['nothing', ''],
    ])('quotes a property name with %s', (_label, name) => {
      expect(keyError(() => key({ [name]: () => 1 })).path).toBe(`value[${JSON.stringify(name)}]`);
    });

    it('writes an identifier property name with a dot', () => {
      expect(keyError(() => key({ $a_1: () => 1 })).path).toBe('value.$a_1');
    });

    it('names a Map value by its encoded key', () => {
      const map = new Map<unknown, unknown>([
        [1, 'ok'],
        ['k', [() => 1]],
      ]);
      expect(keyError(() => key(map)).path).toBe('value.get("k")[0]');
    });

    it('names a Map key by its position', () => {
      const map = new Map<unknown, unknown>([
        [1, 'ok'],
        [() => 1, 'bad'],
      ]);
      expect(keyError(() => key(map)).path).toBe('value<map key 1>');
    });

    it('names a Set member by its position', () => {
      expect(keyError(() => key(new Set([1, 2, Symbol('s')]))).path).toBe('value<set member 2>');
    });

    it('steps through a toJSON() result', () => {
      class Wrapper {
        toJSON(): unknown {
          return { x: () => 1 };
        }
      }
      expect(keyError(() => key(new Wrapper())).path).toBe('value.toJSON().x');
    });
  });

  describe('user code', () => {
    it('lets an error thrown by a toJSON() pass through unchanged', () => {
      const boom = new Error('boom');
      class Throwing {
        toJSON(): unknown {
          throw boom;
        }
      }
      expect(() => key([new Throwing()])).toThrow(boom);
    });

    it('lets an error thrown by a getter pass through unchanged', () => {
      const boom = new Error('boom');
      const object = {
        get x(): unknown {
          throw boom;
        },
      };
      expect(() => key(object)).toThrow(boom);
    });

    it('gives a toJSON() that builds a key itself a fresh ancestor stack', () => {
      // The inner call encodes `root`, which the outer call is still inside of; a stack shared
      // between calls would see a cycle there.
      class Snapshot {
        private busy = false;
        constructor(private readonly target: object) {}
        toJSON(): unknown {
          if (this.busy) return 'self';
          this.busy = true;
          try {
            return encodeKeyPart(this.target, 'target');
          } finally {
            this.busy = false;
          }
        }
      }
      const root: Record<string, unknown> = {};
      root.snap = new Snapshot(root);
      expect(key(root)).toBe('{"snap":@Snapshot("{\\"snap\\":@Snapshot(\\"self\\")}")}');
    });
  });

  describe('property: injective and canonical on random values', () => {
    it('gives equal keys exactly to structurally equal values', () => {
      const random = createRandom(20240611);
      const values: unknown[] = [];
      for (let i = 0; i < 300; i++) {
        // Alternate lone values (so top-level primitives meet) and short lists (for variety).
        const value =
          i % 2 === 0 ? generate(random, 3) : [generate(random, 2), generate(random, 2)];
        values.push(value, reshape(value, random));
      }
      const keys = values.map(key);
      const mismatches: string[] = [];
      let equalPairs = 0;
      for (let i = 0; i < values.length; i++) {
        for (let j = i + 1; j < values.length; j++) {
          const equal = sameValue(values[i], values[j]);
          if (equal) equalPairs++;
          if (equal !== (keys[i] === keys[j])) {
            mismatches.push(`${equal ? 'equal' : 'distinct'} values: ${keys[i]} / ${keys[j]}`);
          }
        }
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
      // The generator must produce both outcomes in bulk for the property to mean anything: equal
      // pairs beyond the 300 reshaped copies, and many distinct keys.
      expect(equalPairs).toBeGreaterThan(600);
      expect(new Set(keys).size).toBeGreaterThan(200);
    });
  });
});

describe('buildCacheKey', () => {
  const sampleArgs = ['abc', 42, { page: 1, filters: ['x', 'y'] }];

  it('builds the documented key for a typical call', () => {
    expect(buildCacheKey('Svc.get', 'user-1', 'task-1', sampleArgs)).toBe(
      '"Svc.get""user-1""task-1"["abc",42,{"filters":["x","y"],"page":1}]',
    );
  });

  it('gives a fresh but equal argument list the same key', () => {
    const again = ['abc', 42, { filters: ['x', 'y'], page: 1 }];
    expect(buildCacheKey('Svc.get', 'user-1', 'task-1', again)).toBe(
      buildCacheKey('Svc.get', 'user-1', 'task-1', sampleArgs),
    );
  });

  it('keys a missing argument apart from undefined and null', () => {
    const keys = [[], [undefined], [null]].map((args) => buildCacheKey('f', 'u', 't', args));
    expect(new Set(keys).size).toBe(3);
  });

  it('keys an arguments object like the array of its items', () => {
    function viaArguments(..._: unknown[]): string {
      // eslint-disable-next-line prefer-rest-params
      return buildCacheKey('f', 'u', 't', arguments as unknown as unknown[]);
    }
    expect(viaArguments(1, 'a')).toBe(buildCacheKey('f', 'u', 't', [1, 'a']));
  });

  describe('ids', () => {
    it.each<[string, [string, string, string], [string, string, string]]>([
      ['a separator moved between funcName and userId', ['a', 'b|c', 't'], ['a|b', 'c', 't']],
      ['a quote moved between userId and taskId', ['f', '"x', 'y'], ['f', '', 'x"y']],
      ['an escaped quote', ['f', 'a\\"', 'b'], ['f', 'a\\', '"b']],
      ['swapped userId and taskId', ['f', 'u', 't'], ['f', 't', 'u']],
      ['an id that spells the next one', ['f', 'u""t', ''], ['f', 'u', 't']],
    ])('keys ids apart across %s', (_label, [f1, u1, t1], [f2, u2, t2]) => {
      expect(buildCacheKey(f1, u1, t1, [])).not.toBe(buildCacheKey(f2, u2, t2, []));
    });

    it('keys distinct random id triples apart', () => {
      const random = createRandom(7);
      const alphabet = ['a', '|', '"', '\\', ':', '', '""', '["'];
      const text = (): string => pickOf(random, alphabet) + pickOf(random, alphabet);
      const keyOf = new Map<string, string>();
      for (let i = 0; i < 500; i++) {
        const ids = [text(), text(), text()] as const;
        keyOf.set(JSON.stringify(ids), buildCacheKey(ids[0], ids[1], ids[2], []));
      }
      expect(new Set(keyOf.values()).size).toBe(keyOf.size);
    });

    it.each([0, 1, 2])('rejects an id that is not a string (id %i)', (position) => {
      const ids: unknown[] = ['f', 'u', 't'];
      ids[position] = 42;
      const [funcName, userId, taskId] = ids as [string, string, string];
      const error = keyError(() => buildCacheKey(funcName, userId, taskId, []));
      expect(error.path).toBe(['funcName', 'userId', 'taskId'][position]);
      expect(error.message).toContain('a number, not a string');
    });
  });

  describe('kwargs', () => {
    it('gives omitted, undefined and empty kwargs the same key', () => {
      const omitted = buildCacheKey('f', 'u', 't', [1]);
      expect(buildCacheKey('f', 'u', 't', [1], undefined)).toBe(omitted);
      expect(buildCacheKey('f', 'u', 't', [1], {})).toBe(omitted);
    });

    it('keys non-empty kwargs apart from none', () => {
      expect(buildCacheKey('f', 'u', 't', [], { a: undefined })).not.toBe(
        buildCacheKey('f', 'u', 't', []),
      );
    });

    it('keys kwargs apart from the same object passed positionally', () => {
      expect(buildCacheKey('f', 'u', 't', [], { a: 1 })).not.toBe(
        buildCacheKey('f', 'u', 't', [{ a: 1 }]),
      );
    });

    it('ignores kwargs order', () => {
      expect(buildCacheKey('f', 'u', 't', [], { a: 1, b: 2 })).toBe(
        buildCacheKey('f', 'u', 't', [], { b: 2, a: 1 }),
      );
    });

    it('names a bad kwarg by its name', () => {
      expect(keyError(() => buildCacheKey('f', 'u', 't', [], { page: () => 1 })).path).toBe(
        'kwargs.page',
      );
    });
  });

  it('names a bad nested argument by its path', () => {
    const args = ['abc', { filters: [Symbol('x')] }];
    expect(keyError(() => buildCacheKey('f', 'u', 't', args)).path).toBe('args[1].filters[0]');
  });

  it('names an argument list that contains itself', () => {
    const args: unknown[] = [];
    args.push(args);
    expect(keyError(() => buildCacheKey('f', 'u', 't', args)).path).toBe('args[0][0]');
  });

  it('lets an error thrown by user code pass through unchanged', () => {
    const boom = new Error('boom');
    const args = [
      {
        get x(): unknown {
          throw boom;
        },
      },
    ];
    expect(() => buildCacheKey('f', 'u', 't', args)).toThrow(boom);
  });

  describe('long keys', () => {
    // '"f""u""t"["' + text + '"]' is 13 characters longer than `text`.
    const rawKey = (text: string): string => '"f""u""t"["' + text + '"]';
    const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');

    it('starts every raw key with a quote, never with #', () => {
      expect(buildCacheKey('#x', '#', '#', ['#'])[0]).toBe('"');
    });

    it('keeps a key of exactly 512 characters raw', () => {
      const text = 'x'.repeat(499);
      expect(buildCacheKey('f', 'u', 't', [text])).toBe(rawKey(text));
      expect(rawKey(text)).toHaveLength(512);
    });

    it('replaces a key of 513 characters by # and its SHA-256 digest', () => {
      const text = 'x'.repeat(500);
      expect(buildCacheKey('f', 'u', 't', [text])).toBe('#' + sha256(rawKey(text)));
    });

    it('digests long keys deterministically', () => {
      expect(buildCacheKey('f', 'u', 't', ['x'.repeat(1000)])).toBe(
        '#EOU6OxKyh_Nf750PVMRz6RjhM77O2yvL167OzKubLo0',
      );
    });

    it('digests distinct long keys apart', () => {
      expect(buildCacheKey('f', 'u', 't', ['x'.repeat(600)])).not.toBe(
        buildCacheKey('f', 'u', 't', ['x'.repeat(599) + 'y']),
      );
    });

    it('digests keys whose length is counted with kwargs', () => {
      const text = 'x'.repeat(499);
      expect(buildCacheKey('f', 'u', 't', [text], { a: 1 })).toBe(
        '#' + sha256(rawKey(text) + '{"a":1}'),
      );
    });
  });
});

describe('cacheKeyBuilder', () => {
  it('returns the same key as buildCacheKey', () => {
    const args = [1, { a: [new Date(5)] }];
    expect(tryBuildCacheKey('f', 'u', 't', args)).toBe(buildCacheKey('f', 'u', 't', args));
  });

  it('returns undefined for an argument it cannot key', () => {
    expect(tryBuildCacheKey('f', 'u', 't', [{ cb: () => 1 }])).toBeUndefined();
  });

  it('returns undefined for a circular argument', () => {
    const node: Record<string, unknown> = {};
    node.self = node;
    expect(tryBuildCacheKey('f', 'u', 't', [node])).toBeUndefined();
  });

  it('returns undefined when a toJSON() throws', () => {
    class Throwing {
      toJSON(): unknown {
        throw new Error('boom');
      }
    }
    expect(tryBuildCacheKey('f', 'u', 't', [new Throwing()])).toBeUndefined();
  });

  it('returns undefined for an id that is not a string', () => {
    expect(tryBuildCacheKey('f', 'u', undefined as unknown as string, [])).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------
// Random values for the property test, and an equality written independently of the encoder.

/** A small linear congruential generator: deterministic, so a failure can be replayed. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function pickOf<T>(random: () => number, options: readonly T[]): T {
  return options[Math.floor(random() * options.length)];
}

const NUMBERS = [0, -0, 1, -1, 1.5, 10, 1e21, NaN, Infinity, -Infinity];
const BIGINTS = [0n, 1n, 10n, -1n];
const KEYS = ['a', 'b', '1', '10', '', '"', 'a b', 'undefined'];
const TIMES = [0, 1, NaN];

class Box {
  constructor(readonly inner: unknown) {}
  toJSON(): unknown {
    return this.inner;
  }
}

class Crate {
  constructor(readonly inner: unknown) {}
  toJSON(): unknown {
    return this.inner;
  }
}

function generateString(random: () => number): string {
  let text = '';
  const parts = Math.floor(random() * 3);
  for (let i = 0; i < parts; i++) text += pickOf(random, FRAGMENTS);
  return text;
}

function generate(random: () => number, depth: number): unknown {
  const kinds = depth > 0 ? 16 : 8;
  const children = (): unknown[] =>
    Array.from({ length: Math.floor(random() * 3) }, () => generate(random, depth - 1));
  switch (Math.floor(random() * kinds)) {
    case 0:
    case 1:
      return generateString(random);
    case 2:
      return pickOf(random, NUMBERS);
    case 3:
      return pickOf(random, BIGINTS);
    case 4:
      return random() < 0.5;
    case 5:
      return random() < 0.5 ? null : undefined;
    case 6:
      return new Date(pickOf(random, TIMES));
    case 7: {
      const bytes = [Math.floor(random() * 2), Math.floor(random() * 2)].slice(random() * 3);
      return random() < 0.5 ? new Uint8Array(bytes) : new Int8Array(bytes);
    }
    case 8:
    case 9: {
      const items = children();
      if (random() < 0.2) items.length += 1; // a trailing hole
      return items;
    }
    case 10:
    case 11: {
      const object: Record<string, unknown> = random() < 0.3 ? Object.create(null) : {};
      for (const item of children()) object[pickOf(random, KEYS)] = item;
      return object;
    }
    case 12:
      return new Map(children().map((item) => [generate(random, depth - 1), item]));
    case 13:
      return new Set(children());
    case 14:
      return new Box(generate(random, depth - 1));
    default:
      return new Crate(generate(random, depth - 1));
  }
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/**
 * A structurally equal deep copy built in a different order: object keys, Map entries and Set
 * members are inserted shuffled, plain objects may switch prototype (null or Object), holes may
 * become undefined and 0 may become -0.
 */
function reshape(value: unknown, random: () => number): unknown {
  if (typeof value === 'number') return value === 0 && random() < 0.5 ? -value : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    value.forEach((item, i) => (copy[i] = reshape(item, random)));
    if (random() < 0.5) for (let i = 0; i < copy.length; i++) if (!(i in copy)) copy[i] = undefined;
    return copy;
  }
  if (value instanceof Map) {
    const entries = shuffled(random, [...value]);
    return new Map(entries.map(([k, v]) => [reshape(k, random), reshape(v, random)]));
  }
  if (value instanceof Set)
    return new Set(shuffled(random, [...value]).map((v) => reshape(v, random)));
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value instanceof Int8Array) return new Int8Array(value);
  if (value instanceof Box) return new Box(reshape(value.inner, random));
  if (value instanceof Crate) return new Crate(reshape(value.inner, random));
  const copy: Record<string, unknown> = random() < 0.5 ? Object.create(null) : {};
  for (const name of shuffled(random, Object.keys(value))) {
    copy[name] = reshape((value as Record<string, unknown>)[name], random);
  }
  return copy;
}

describe('cycle detection past the untracked depth', () => {
  const nest = (depth: number, leaf: unknown): unknown => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i++) value = { next: value };
    return value;
  };

  it('keys an acyclic structure nested 200 deep, the same as a rebuilt copy', () => {
    expect(buildCacheKey('f', '', '', [nest(200, 1)])).toBe(
      buildCacheKey('f', '', '', [nest(200, 1)]),
    );
    expect(buildCacheKey('f', '', '', [nest(200, 1)])).not.toBe(
      buildCacheKey('f', '', '', [nest(200, 2)]),
    );
  });

  it('finds a cycle that closes 100 levels down, and names where', () => {
    const root: { next?: unknown } = {};
    let tail = root;
    for (let i = 0; i < 100; i++) {
      const next: { next?: unknown } = {};
      tail.next = next;
      tail = next;
    }
    tail.next = root;
    let error: unknown;
    try {
      buildCacheKey('f', '', '', [root]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CacheKeyError);
    expect((error as CacheKeyError).path).toBe(`args[0]${'.next'.repeat(101)}`);
    expect((error as CacheKeyError).message).toContain('circular');
  });

  it('refuses a 20,000-deep argument with CacheKeyError instead of overflowing the stack', () => {
    expect(() => buildCacheKey('f', '', '', [nest(20_000, 1)])).toThrow(CacheKeyError);
    expect(() => buildCacheKey('f', '', '', [nest(20_000, 1)])).toThrow(/1000 levels/);
  });

  it('still keys an argument exactly 1000 levels deep', () => {
    expect(buildCacheKey('f', '', '', [nest(999, 1)])).toMatch(/^#/);
  });
});
