import {
  CODEC_VERSION,
  MAX_DEPTH,
  decodeEntry,
  encodeEntry,
  type Envelope,
} from '../../src/cache/codec';
import { UnencodableValueError } from '../../src/errors';
import { thrownBy } from '../helpers';

/**
 * The value as text that shows everything a round trip must keep: each object's class (or
 * `Object` for a plain one), key and Map/Set order, keys holding `undefined`, -0, NaN, bigint
 * versus number, and bytes. (test/structural-equality.ts deliberately ignores order and -0, as
 * cache keys do.)
 */
function render(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return String(value);
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) return `[${Array.from(value, render).join(',')}]`;
  if (value instanceof Map) {
    return `Map{${[...value].map(([k, v]) => `${render(k)}=>${render(v)}`).join(',')}}`;
  }
  if (value instanceof Set) return `Set{${[...value].map(render).join(',')}}`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (value instanceof RegExp) return `RegExp(${String(value)})`;
  if (value instanceof Uint8Array) {
    return `${value.constructor.name}(${Buffer.from(value).toString('hex')})`;
  }
  const name = proto === Object.prototype ? 'Object' : proto === null ? 'null' : 'other';
  const fields = Object.keys(value).map(
    (key) => `${JSON.stringify(key)}:${render((value as Record<string, unknown>)[key])}`,
  );
  return `${name}{${fields.join(',')}}`;
}

const entry = (value: unknown): Envelope => ({
  value,
  graceMs: 0,
  operation: 'Users.get',
  tenant: '',
  tags: [],
});

/** Encodes `value` in an entry and decodes it again, expecting success. */
function roundTrip(value: unknown): unknown {
  const decoded = decodeEntry(encodeEntry(entry(value)));
  if (!decoded.ok) throw new Error(`decoding failed: ${decoded.reason}`);
  return decoded.envelope.value;
}

/** Runs `encode`, expecting an UnencodableValueError, and returns it. */
const encodeError = (encode: () => unknown): UnencodableValueError =>
  thrownBy(UnencodableValueError, encode);

/** `value` wrapped in `levels` arrays. */
function nestedArrays(levels: number, value: unknown = 0): unknown {
  let nested = value;
  for (let i = 0; i < levels; i++) nested = [nested];
  return nested;
}

/** An entry's text with `d` replaced by raw JSON text. */
const textWithData = (d: string): string =>
  `{"v":${CODEC_VERSION},"g":0,"o":"Users.get","t":"","x":[],"d":${d}}`;

class Money {
  constructor(
    readonly amount: string,
    readonly currency: string,
  ) {}
  toJSON(): unknown {
    return { amount: this.amount, currency: this.currency };
  }
}

class Point {
  hidden!: number;
  constructor(
    readonly x: number,
    readonly y: number,
  ) {
    Object.defineProperty(this, 'hidden', { value: 1, enumerable: false });
  }
  get length(): number {
    return Math.hypot(this.x, this.y);
  }
}

describe('encodeEntry and decodeEntry', () => {
  describe('round trip', () => {
    it.each<[string, unknown]>([
      ['a string', 'héllo "quoted" \\ \n'],
      ['an empty string', ''],
      ['a lone surrogate', '\ud800x'],
      ['an integer', 42],
      ['a fraction', -1.5],
      ['a large number', 1e300],
      ['zero', 0],
      ['true', true],
      ['false', false],
      ['null', null],
      ['undefined', undefined],
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
      ['-0', -0],
      ['a bigint', 10n],
      ['a negative bigint beyond 2^64', -123456789012345678901234567890n],
      ['a zero bigint', 0n],
      ['nested JSON', { a: [1, { b: 'c', d: [null, true] }], e: { f: {} } }],
      ['an object with an undefined field', { a: undefined, b: 1 }],
      ['an array holding undefined', [undefined, 1, undefined]],
      ['special numbers inside containers', { n: [NaN, -0, Infinity], z: -0 }],
      ['an object with integer-like keys', { b: 1, 2: 'two', 1: 'one', a: 2 }],
      ['a Date', new Date(1_700_000_000_123)],
      ['the latest Date', new Date(8.64e15)],
      ['an invalid Date', new Date(NaN)],
      [
        'a Map with keys of every kind, in order',
        new Map<unknown, unknown>([
          ['1', 'string key'],
          [1, 'number key'],
          [{ k: 1 }, 'object key'],
          [undefined, null],
          [NaN, -0],
          [1n, new Date(0)],
        ]),
      ],
      ['an empty Map', new Map()],
      ['a Set, in order', new Set<unknown>([3, 'a', 1, { b: undefined }, [2]])],
      ['a Buffer', Buffer.from('hi there')],
      ['an empty Buffer', Buffer.alloc(0)],
      ['a Uint8Array', new Uint8Array([0, 1, 254, 255])],
      ['a Uint8Array view into a larger buffer', new Uint8Array([9, 8, 7, 6]).subarray(1, 3)],
      ['a RegExp', /a+\/b$/giu],
      ['a Map inside a Set inside an array', [new Set([new Map([[{ a: 1 }, [undefined]]])])]],
      ['an object with a "$" key', { $: 'date', v: 1 }],
      ['tag-shaped data in an array', [{ $: 'undefined' }, { $: 'object', v: { $: 1 } }]],
      ['a Map whose keys are tag-shaped', new Map([[{ $: 'set' }, { $: 'map', v: [] }]])],
    ])('keeps %s', (_name, value) => {
      expect(render(roundTrip(value))).toBe(render(value));
    });

    it('keeps the envelope fields', () => {
      const envelope: Envelope = {
        value: 1,
        graceMs: 1500,
        operation: 'Orders.list "all"',
        tenant: 'tenant-7',
        tags: ['orders', 'tenant:7', ''],
      };
      expect(decodeEntry(encodeEntry(envelope))).toEqual({ ok: true, envelope });
    });

    it('decodes a Buffer as a Buffer and a Uint8Array as a Uint8Array, not a Buffer', () => {
      const decoded = roundTrip([Buffer.from([1]), new Uint8Array([1])]) as unknown[];
      expect(Object.getPrototypeOf(decoded[0])).toBe(Buffer.prototype);
      expect(Object.getPrototypeOf(decoded[1])).toBe(Uint8Array.prototype);
    });

    it('keeps an object field that holds undefined as a present key', () => {
      expect(Object.keys(roundTrip({ a: undefined }) as object)).toEqual(['a']);
    });

    it('decodes an array hole as undefined', () => {
      // eslint-disable-next-line no-sparse-arrays
      expect(render(roundTrip([1, , 3]))).toBe(render([1, undefined, 3]));
    });

    it(`keeps a value nested in ${MAX_DEPTH} arrays`, () => {
      const value = nestedArrays(MAX_DEPTH);
      expect(render(roundTrip(value))).toBe(render(value));
    });

    it(`keeps ${MAX_DEPTH} Maps nested as each other's keys`, () => {
      let value: unknown = 0;
      for (let i = 0; i < MAX_DEPTH; i++) value = new Map([[value, i]]);
      expect(render(roundTrip(value))).toBe(render(value));
    });

    it('stores a value referenced twice twice, and decodes two copies', () => {
      const shared = { a: 1 };
      const decoded = roundTrip([shared, shared]) as unknown[];
      expect(render(decoded)).toBe(render([shared, shared]));
      expect(decoded[0]).not.toBe(decoded[1]);
    });

    it('writes the documented format', () => {
      const text = encodeEntry({
        value: { a: undefined, n: -0, b: 2n, m: new Map([[1, new Set(['x'])]]), $: 'data' },
        graceMs: 250,
        operation: 'Users.get',
        tenant: 't1',
        tags: ['users'],
      });
      expect(text).toBe(
        '{"v":2,"g":250,"o":"Users.get","t":"t1","x":["users"],"d":{"$":"object","v":' +
          '{"a":{"$":"undefined"},"n":{"$":"number","v":"-0"},"b":{"$":"bigint","v":"2"},' +
          '"m":{"$":"map","v":[1,{"$":"set","v":["x"]}]},"$":"data"}}}',
      );
    });
  });

  describe('load time', () => {
    it('keeps the load time of the value between the labels and the value', () => {
      const text = encodeEntry({ ...entry('x'), loadMs: 12.5 });
      expect(text).toBe('{"v":2,"g":0,"o":"Users.get","t":"","x":[],"l":12.5,"d":"x"}');
      expect(decodeEntry(text)).toEqual({ ok: true, envelope: { ...entry('x'), loadMs: 12.5 } });
    });

    it('leaves the field out when the load was not timed, and decodes without it', () => {
      const text = encodeEntry(entry('x'));
      expect(text).not.toContain('"l"');
      const decoded = decodeEntry(text);
      expect(decoded.ok && 'loadMs' in decoded.envelope).toBe(false);
    });

    it.each([-1, NaN, Infinity, '5'])('refuses a load time of %p', (loadMs) => {
      expect(encodeError(() => encodeEntry({ ...entry('x'), loadMs: loadMs as number })).path).toBe(
        'loadMs',
      );
    });
  });

  describe('class instances', () => {
    it('stores an instance with toJSON() as its toJSON() result, decoded as plain data', () => {
      expect(render(roundTrip({ price: new Money('1.50', 'EUR') }))).toBe(
        render({ price: { amount: '1.50', currency: 'EUR' } }),
      );
    });

    it('stores a Date subclass through its inherited toJSON(), as an ISO string', () => {
      class Day extends Date {}
      expect(roundTrip(new Day(0))).toBe('1970-01-01T00:00:00.000Z');
    });

    it('decodes an instance without toJSON() as a plain object of its own enumerable fields', () => {
      // The prototype getter `length` and the non-enumerable `hidden` are dropped.
      expect(render(roundTrip(new Point(3, 4)))).toBe('Object{"x":3,"y":4}');
    });

    it('decodes a null-prototype object as a plain object', () => {
      const bare = Object.assign(Object.create(null) as object, { a: 1, b: [2] });
      const decoded = roundTrip(bare) as object;
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(render(decoded)).toBe('Object{"a":1,"b":[2]}');
    });

    it('passes an error thrown by toJSON() through unchanged', () => {
      const failure = new Error('toJSON failed');
      const broken = new (class {
        toJSON(): never {
          throw failure;
        }
      })();
      expect(() => encodeEntry(entry(broken))).toThrow(failure);
    });
  });

  describe('unencodable values', () => {
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    const circularMap = new Map<string, unknown>();
    circularMap.set('me', [circularMap]);
    const selfJson = new (class {
      toJSON(): unknown {
        return this;
      }
    })();

    it.each<[string, unknown, string]>([
      ['a function', () => 1, 'value'],
      ['a symbol', Symbol('s'), 'value'],
      ['a function in a field', { a: [1, () => 1] }, 'value.a[1]'],
      ['a symbol under an odd key', { 'odd key': Symbol('s') }, 'value["odd key"]'],
      ['an enumerable symbol key', { [Symbol('k')]: 1 }, 'value'],
      ['a function as a Map key', new Map([[() => 1, 1]]), 'value<map key 0>'],
      [
        'a function as a Map value',
        new Map<number, unknown>([
          [1, 1],
          [2, () => 1],
        ]),
        'value<map value 1>',
      ],
      ['a symbol in a Set', new Set([1, Symbol('s')]), 'value<set member 1>'],
      ['a circular object', circular, 'value.self'],
      ['a circular Map', circularMap, 'value<map value 0>[0]'],
      ['a toJSON() that returns its instance', selfJson, 'value.toJSON()'],
      [`${MAX_DEPTH + 1} nested arrays`, nestedArrays(MAX_DEPTH + 1), `value${'[0]'.repeat(1000)}`],
      ['a Promise', Promise.resolve(1), 'value'],
      ['a WeakMap', new WeakMap(), 'value'],
      ['an Error', new Error('x'), 'value'],
      ['a Map subclass', new (class Registry extends Map {})(), 'value'],
      ['a Float64Array', new Float64Array([1]), 'value'],
      ['an ArrayBuffer', new ArrayBuffer(1), 'value'],
      ['a boxed string', Object('s'), 'value'],
    ])('refuses %s, naming where it is', (_name, value, path) => {
      expect(encodeError(() => encodeEntry(entry(value))).path).toBe(path);
    });

    it('says what was wrong and what to do', () => {
      expect(encodeError(() => encodeEntry(entry({ f: () => 1 }))).message).toBe(
        'cannot store value.f in the shared cache: it is a function; cache plain data ' +
          '(or give the class a toJSON()) to share it across processes',
      );
    });

    it.each<[string, Partial<Envelope>, string]>([
      ['a negative graceMs', { graceMs: -1 }, 'graceMs'],
      ['an infinite graceMs', { graceMs: Infinity }, 'graceMs'],
      ['a NaN graceMs', { graceMs: NaN }, 'graceMs'],
      ['an operation that is not a string', { operation: 1 as unknown as string }, 'operation'],
      ['a tenant that is not a string', { tenant: null as unknown as string }, 'tenant'],
      ['a tag that is not a string', { tags: ['a', 2 as unknown as string] }, 'tags[1]'],
    ])('refuses %s', (_name, fields, path) => {
      expect(encodeError(() => encodeEntry({ ...entry(1), ...fields })).path).toBe(path);
    });
  });

  describe('decoding text it did not write', () => {
    const valid = encodeEntry(entry({ a: 1 }));

    it.each<[string, string]>([
      ['an empty string', ''],
      ['JSON null', 'null'],
      ['a JSON array', '[]'],
      ['a JSON string', '"text"'],
      ['truncated JSON', valid.slice(0, -1)],
      ['a lone brace', '{'],
      ['an object without a version', '{"g":0,"o":"","t":"","x":[],"d":1}'],
      ['a version that is a string', valid.replace('"v":2', '"v":"2"')],
      ['a missing value', '{"v":2,"g":0,"o":"","t":"","x":[]}'],
      ['an extra envelope field', valid.replace('"v":2', '"v":2,"z":0')],
      ['an extra field beside a load time', valid.replace('"v":2', '"v":2,"l":1,"z":0')],
      ['a negative load time', valid.replace('"x":[]', '"x":[],"l":-1')],
      ['a load time that is a string', valid.replace('"x":[]', '"x":[],"l":"5"')],
      ['a load time that is null', valid.replace('"x":[]', '"x":[],"l":null')],
      ['a negative graceMs', valid.replace('"g":0', '"g":-1')],
      ['a graceMs that is a string', valid.replace('"g":0', '"g":"0"')],
      ['an operation that is not a string', valid.replace('"o":"Users.get"', '"o":1')],
      ['a tenant that is not a string', valid.replace('"t":""', '"t":null')],
      ['tags that are not an array', valid.replace('"x":[]', '"x":"a"')],
      ['a tag that is not a string', valid.replace('"x":[]', '"x":[1]')],
      ['an unknown tag', textWithData('{"$":"weakmap","v":1}')],
      ['a tag that is not a string', textWithData('{"$":1,"v":1}')],
      ['a tag with an extra key', textWithData('{"$":"bigint","v":"1","w":2}')],
      ['a tag without content', textWithData('{"$":"bigint"}')],
      ['an undefined tag with content', textWithData('{"$":"undefined","v":1}')],
      ['a bigint that is not an integer', textWithData('{"$":"bigint","v":"1.5"}')],
      ['a bigint with a sign only', textWithData('{"$":"bigint","v":"-"}')],
      ['a bigint that is a number', textWithData('{"$":"bigint","v":1}')],
      ['a number tag for a finite number', textWithData('{"$":"number","v":"1"}')],
      ['a date that is not an integer', textWithData('{"$":"date","v":1.5}')],
      ['a date out of range', textWithData('{"$":"date","v":8640000000000001}')],
      ['a date as text', textWithData('{"$":"date","v":"1970-01-01"}')],
      ['a Map with an odd entry list', textWithData('{"$":"map","v":[1,2,3]}')],
      ['a Map with a repeated key', textWithData('{"$":"map","v":[1,2,1,3]}')],
      ['a Set with a repeated member', textWithData('{"$":"set","v":[1,1]}')],
      ['a Set that is not a list', textWithData('{"$":"set","v":{}}')],
      ['bad base64', textWithData('{"$":"buffer","v":"#not base64#"}')],
      ['base64 without padding', textWithData('{"$":"uint8array","v":"aGk"}')],
      ['a RegExp with bad flags', textWithData('{"$":"regexp","v":["a","zz"]}')],
      ['a RegExp with a bad source', textWithData('{"$":"regexp","v":["(","g"]}')],
      ['an escaped object that is an array', textWithData('{"$":"object","v":[1]}')],
      ['a bad tag deep inside', textWithData('{"a":[{"b":{"$":"nope","v":0}}]}')],
      [
        `a value nested in ${MAX_DEPTH + 1} arrays`,
        textWithData(JSON.stringify(nestedArrays(1001))),
      ],
      ['a value nested in 100,000 arrays', textWithData('['.repeat(100_000) + ']'.repeat(100_000))],
      ['100,000 nested arrays', '['.repeat(100_000) + ']'.repeat(100_000)],
    ])('reports %s as corrupt', (_name, text) => {
      expect(decodeEntry(text)).toEqual({ ok: false, reason: 'corrupt' });
    });

    it.each<[string, unknown]>([
      ['undefined', undefined],
      ['a number', 42],
      ['an object', { v: 1 }],
    ])('reports %s passed by a JavaScript caller as corrupt', (_name, input) => {
      expect(decodeEntry(input as string)).toEqual({ ok: false, reason: 'corrupt' });
    });

    it.each<[string, string]>([
      ['a later version', valid.replace('"v":2', '"v":3')],
      ['the version before load times', valid.replace('"v":2', '"v":1')],
      ['version 0 with other fields', '{"v":0,"data":"anything"}'],
      ['a fractional version', '{"v":1.5}'],
    ])('reports %s as another version', (_name, text) => {
      expect(decodeEntry(text)).toEqual({ ok: false, reason: 'version' });
    });
  });

  describe('prototype pollution', () => {
    it.each(['__proto__', 'constructor', 'prototype'])(
      'keeps a "%s" key as an own data field, touching no prototype',
      (key) => {
        const text = textWithData(`{"${key}":{"polluted":1},"a":[{"${key}":{"polluted":2}}]}`);
        const decoded = decodeEntry(text);
        if (!decoded.ok) throw new Error(`decoding failed: ${decoded.reason}`);
        const value = decoded.envelope.value as Record<string, unknown>;
        expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
        expect(Object.getOwnPropertyDescriptor(value, key)?.value).toEqual({ polluted: 1 });
        const inner = (value.a as Record<string, unknown>[])[0];
        expect(Object.getPrototypeOf(inner)).toBe(Object.prototype);
        expect(Object.hasOwn(inner, key)).toBe(true);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect((value as { polluted?: unknown }).polluted).toBeUndefined();
      },
    );

    it('round-trips an own "__proto__" field as data', () => {
      const value = JSON.parse('{"__proto__":{"x":1},"$":2}') as object;
      const decoded = roundTrip(value) as object;
      expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
      expect(render(decoded)).toBe(render(value));
    });
  });
});
