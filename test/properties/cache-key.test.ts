import fc from 'fast-check';
import { ExecutionUtils } from '../../src';
import { PROPERTY_RUNS, check, timeoutFor } from './runs';
import { KEY_MARKUP as MARKUP } from '../key-markup';
import { sameValue } from '../structural-equality';

/**
 * Cache keys, as README "Cache keys" states them: a key identifies (operation, tenant, arguments)
 * without collisions, and object key order and Map/Set insertion order do not matter.
 *
 * Only what the README calls keyable is generated: strings, numbers (NaN and the infinities
 * included), booleans, null, undefined, bigints, Dates, arrays, plain objects, Maps and Sets, nested.
 * How -0 is keyed is not in the README; test/cache/cache-key.test.ts pins it ('keys -0 like 0'),
 * so the equivalence below treats 0 and -0 as one value: pairs that differ only there are
 * skipped, never asserted either way.
 */

const utils = new ExecutionUtils({ cacheSize: 0 });

interface Call {
  readonly funcName: string;
  readonly userId: string;
  readonly taskId: string;
  readonly args: unknown[];
  readonly kwargs?: Record<string, unknown>;
}

const keyOf = (call: Call): string =>
  utils.generateCacheKey(call.funcName, call.userId, call.taskId, call.args, call.kwargs);

const sameKey = (a: string, b: string): void =>
  check(a === b, () => `equal calls got different keys:\n  ${a}\n  ${b}`);

const differentKeys = (a: string, b: string): void =>
  check(a !== b, () => `different calls got the same key:\n  ${a}`);

// ---------------------------------------------------------------------------------------------
// Generators. Small alphabets on purpose: independent values then collide in shape often, and
// strings made of the encoder's own markup are where an ambiguous encoding would show.

/** Any code point, lone surrogates included. (The built-in 'binary' unit would do, but it spends
 * over a second building a reverse mapping of every code point on first use.) */
const codePoint = fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp));

const text = fc.oneof(
  fc.string({ unit: fc.constantFrom(...MARKUP), maxLength: 3 }),
  fc.string({ unit: codePoint, maxLength: 4 }),
);

/** Ids (operation, userId, taskId): separators and quotes that could move between fields. */
const id = fc.string({
  unit: fc.constantFrom('a', 'b', '|', '"', '\\', ':', '[', '""'),
  maxLength: 3,
});

const propertyName = fc.oneof(
  fc.constantFrom('a', 'b', '1', '10', '', '"', 'a b', 'a:1', '__proto__', 'toJSON', 'undefined'),
  fc.string({ maxLength: 3 }),
);

const SPECIAL_NUMBERS = [0, -0, 1, -1, 1.5, 10, 1e21, NaN, Infinity, -Infinity];

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  text,
  fc.constantFrom(...SPECIAL_NUMBERS),
  fc.double(),
  fc.integer({ min: -20, max: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -20n, max: 20n }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.date({ noInvalidDate: false }),
  fc.integer({ min: -2, max: 2 }).map((ms) => new Date(ms)),
);

const { value } = fc.letrec<{
  value: unknown;
  array: unknown[];
  object: Record<string, unknown>;
  map: Map<unknown, unknown>;
  set: Set<unknown>;
}>((tie) => ({
  // maxDepth: past it, oneof takes its first arbitrary, the leaf, so every value is finite.
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    leaf,
    tie('array'),
    tie('object'),
    tie('map'),
    tie('set'),
  ),
  array: fc.array(tie('value'), { maxLength: 3 }),
  // Object.fromEntries defines every name as an own property, '__proto__' included.
  object: fc
    .uniqueArray(fc.tuple(propertyName, tie('value')), { selector: ([name]) => name, maxLength: 3 })
    .map((entries) => Object.fromEntries(entries)),
  map: fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((e) => new Map(e)),
  set: fc.array(tie('value'), { maxLength: 3 }).map((members) => new Set(members)),
}));

const kwargs = fc.option(
  fc
    .uniqueArray(fc.tuple(propertyName, value), { selector: ([name]) => name, maxLength: 3 })
    .map((entries) => Object.fromEntries(entries)),
  { nil: undefined },
);

const call: fc.Arbitrary<Call> = fc.record(
  {
    funcName: id,
    userId: id,
    taskId: id,
    args: fc.array(value, { maxLength: 3 }),
    kwargs,
  },
  { requiredKeys: ['funcName', 'userId', 'taskId', 'args'] },
);

/** A seed for the deterministic shuffles and mutations, so a counterexample replays exactly. */
const seed = fc.noBias(fc.integer());

// ---------------------------------------------------------------------------------------------
// Equality written independently of the encoder, and the two ways of making values.

function createRandom(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

type Kind = 'array' | 'map' | 'set' | 'date' | 'object';

function kindOf(x: object): Kind {
  if (Array.isArray(x)) return 'array';
  if (x instanceof Map) return 'map';
  if (x instanceof Set) return 'set';
  if (x instanceof Date) return 'date';
  return 'object';
}

/** Omitted kwargs and `{}` are the same key (README, `generateCacheKey`). */
const sameKwargs = (a: Call['kwargs'], b: Call['kwargs']): boolean => sameValue(a ?? {}, b ?? {});

const sameCall = (a: Call, b: Call): boolean =>
  a.funcName === b.funcName &&
  a.userId === b.userId &&
  a.taskId === b.taskId &&
  sameValue(a.args, b.args) &&
  sameKwargs(a.kwargs, b.kwargs);

/** A fresh deep copy of `x` with object keys, Map entries and Set members in another order. */
function reshape(x: unknown, random: () => number): unknown {
  if (typeof x !== 'object' || x === null) return x;
  switch (kindOf(x)) {
    case 'array':
      return (x as unknown[]).map((item) => reshape(item, random));
    case 'map':
      return new Map(
        shuffled(random, [...(x as Map<unknown, unknown>)]).map(([k, v]) => [
          reshape(k, random),
          reshape(v, random),
        ]),
      );
    case 'set':
      return new Set(shuffled(random, [...(x as Set<unknown>)]).map((m) => reshape(m, random)));
    case 'date':
      return new Date((x as Date).getTime());
    case 'object': {
      const entries = Object.entries(x as Record<string, unknown>);
      return Object.fromEntries(
        shuffled(random, entries).map(([name, v]) => [name, reshape(v, random)]),
      );
    }
  }
}

/**
 * Replacements a mutation may put in place of a value: the near misses the README names (1 and
 * '1', 10n and 10, a Date and its ISO string, undefined and null, a Set and an array of its
 * members, a Map and an object of its entries) and small structural edits.
 */
function nearMisses(x: unknown): unknown[] {
  const misses: unknown[] = [undefined, null, 0, '', [], {}, [x], { a: x }];
  switch (typeof x) {
    case 'number':
      misses.push(String(x), Number.isInteger(x) ? BigInt(x) : x + 1, x + 1, -x);
      break;
    case 'string':
      misses.push(Number(x), x + 'a', x.slice(1), `"${x}"`);
      break;
    case 'bigint':
      misses.push(Number(x), String(x), `${x}n`, x + 1n);
      break;
    case 'boolean':
      misses.push(!x, String(x));
      break;
  }
  if (x instanceof Date) {
    const time = x.getTime();
    misses.push(time, new Date(time + 1), Number.isNaN(time) ? 'Invalid Date' : x.toISOString());
  } else if (x instanceof Set) {
    misses.push([...x], new Map([...x].map((m) => [m, m])));
  } else if (x instanceof Map) {
    misses.push(Object.fromEntries([...x].map(([k, v]) => [String(k), v])), [...x], new Set(x));
  }
  return misses;
}

/** A copy of `x` with one random edit somewhere inside (which may happen to change nothing). */
function mutate(x: unknown, random: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const container = typeof x === 'object' && x !== null && !(x instanceof Date);
  // Edit here, or step into a child; leaves are always edited here.
  if (!container || random() < 0.3) return pick(nearMisses(x));
  return mutateInside(x, random);
}

/** A copy of the container `x`, of the same kind, with one edit among its children. */
function mutateInside<T extends object>(x: T, random: () => number): T;
function mutateInside(x: object, random: () => number): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  switch (kindOf(x)) {
    case 'array': {
      const items = [...(x as unknown[])];
      const i = Math.floor(random() * (items.length + 1));
      const edit = random();
      if (i === items.length || edit < 0.2) items.splice(i, 0, pick(nearMisses(undefined)));
      else if (edit < 0.4) items.splice(i, 1);
      else items[i] = mutate(items[i], random);
      return items;
    }
    case 'map': {
      const entries = [...(x as Map<unknown, unknown>)];
      const i = Math.floor(random() * (entries.length + 1));
      if (i === entries.length) entries.push([pick(nearMisses(entries[0]?.[0])), 1]);
      else if (random() < 0.5) entries[i] = [mutate(entries[i][0], random), entries[i][1]];
      else entries[i] = [entries[i][0], mutate(entries[i][1], random)];
      return new Map(entries);
    }
    case 'set': {
      const members = [...(x as Set<unknown>)];
      const i = Math.floor(random() * (members.length + 1));
      if (i === members.length) members.push(pick(nearMisses(members[0])));
      else if (random() < 0.3) members.splice(i, 1);
      else members[i] = mutate(members[i], random);
      return new Set(members);
    }
    case 'object': {
      const entries = Object.entries(x as Record<string, unknown>);
      const i = Math.floor(random() * (entries.length + 1));
      const edit = random();
      if (i === entries.length) entries.push([pick(['a', 'b', '', 'a:1']), undefined]);
      else if (edit < 0.2) entries.splice(i, 1);
      else if (edit < 0.4) entries[i] = [entries[i][0] + pick(['a', '"', ':']), entries[i][1]];
      else entries[i] = [entries[i][0], mutate(entries[i][1], random)];
      return Object.fromEntries(entries);
    }
    case 'date':
      return x;
  }
}

/** A call edited in one place: an id, an argument (or the list), or the kwargs. */
function mutateCall(c: Call, random: () => number): Call {
  const where = Math.floor(random() * 5);
  const idEdit = (s: string): string =>
    random() < 0.5 ? s + (random() < 0.5 ? '|' : '"') : s.slice(0, -1);
  switch (where) {
    case 0:
      return { ...c, funcName: idEdit(c.funcName) };
    case 1:
      return { ...c, userId: idEdit(c.userId) };
    case 2:
      return { ...c, taskId: idEdit(c.taskId) };
    case 3:
      // The argument list stays a list and kwargs an object: the edit is inside them.
      return { ...c, args: mutateInside(c.args, random) };
    default:
      return { ...c, kwargs: mutateInside(c.kwargs ?? {}, random) };
  }
}

/** Pairs of calls: independent ones, and near misses of one another (where collisions hide). */
const pairOfCalls: fc.Arbitrary<[Call, Call]> = fc.oneof(
  fc.tuple(call, call),
  fc.tuple(call, seed).map(([c, s]): [Call, Call] => [c, mutateCall(c, createRandom(s))]),
  fc.tuple(call, seed).map(([c, s]): [Call, Call] => {
    const random = createRandom(s);
    return [c, mutateCall(mutateCall(c, random), random)];
  }),
);

// ---------------------------------------------------------------------------------------------

describe('generateCacheKey properties', () => {
  it(
    'gives calls equal up to object key and Map/Set order the same key',
    () => {
      fc.assert(
        fc.property(call, seed, (c, s) => {
          const random = createRandom(s);
          const copy: Call = {
            ...c,
            args: reshape(c.args, random) as unknown[],
            // Omitted kwargs and {} are the same key: swap one for the other now and then.
            kwargs:
              c.kwargs === undefined
                ? random() < 0.5
                  ? {}
                  : undefined
                : (reshape(c.kwargs, random) as Record<string, unknown>),
          };
          sameKey(keyOf(copy), keyOf(c));
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.2),
  );

  it(
    'gives calls that differ in operation, tenant, arguments or kwargs different keys',
    () => {
      let asserted = 0;
      fc.assert(
        fc.property(pairOfCalls, ([a, b]) => {
          // Equal pairs are the other property's business; fc.pre skips them without counting
          // them as runs, so numRuns unequal pairs are checked.
          fc.pre(!sameCall(a, b));
          asserted++;
          differentKeys(keyOf(a), keyOf(b));
        }),
        { numRuns: PROPERTY_RUNS },
      );
      // The property means nothing unless it really checked that many distinct pairs.
      expect(asserted).toBeGreaterThanOrEqual(PROPERTY_RUNS);
    },
    timeoutFor(0.3),
  );

  it(
    'gives the same arguments under a different operation or tenant a different key',
    () => {
      const ids = fc.tuple(id, id, id);
      fc.assert(
        fc.property(ids, ids, fc.array(value, { maxLength: 2 }), kwargs, (x, y, args, kw) => {
          fc.pre(x.some((part, i) => part !== y[i]));
          const [a, b] = [x, y].map(([funcName, userId, taskId]) =>
            keyOf({ funcName, userId, taskId, args, kwargs: kw }),
          );
          differentKeys(a, b);
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.2),
  );
});
