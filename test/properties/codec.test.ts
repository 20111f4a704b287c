import 'reflect-metadata';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { decodeEntry, encodeEntry, type Envelope } from '../../src/cache/codec';
import { PROPERTY_RUNS, check, timeoutFor } from './runs';

/**
 * The Redis tier's codec, as README "Scaling out" states it: every value of the documented
 * grammar reads back with its types (node's strict deep equality: prototypes, -0, NaN, undefined
 * properties and Buffer vs Uint8Array all count), and no text at all makes the decoder throw or
 * touch Object.prototype.
 */

const leaf = fc.oneof(
  fc.string(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt(),
  fc.date({ noInvalidDate: false }),
  fc.uint8Array({ maxLength: 8 }).map((bytes) => Buffer.from(bytes)),
  fc.uint8Array({ maxLength: 8 }),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom('$', '__proto__', 'v', 'constructor')),
      tie('value'),
      {
        maxKeys: 4,
      },
    ),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((pairs) => new Map(pairs)),
    fc.array(tie('value'), { maxLength: 3 }).map((items) => new Set(items)),
  ),
}));

const envelope = fc.record(
  {
    value,
    graceMs: fc.nat(),
    operation: fc.string(),
    tenant: fc.string(),
    tags: fc.array(fc.string(), { maxLength: 3 }),
  },
  { noNullPrototype: true },
);

/** What the README says a value reads back as: a null-prototype object as a plain one. */
function asRead(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asRead);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [asRead(k), asRead(x)]));
  if (v instanceof Set) return new Set([...v].map(asRead));
  if (typeof v !== 'object' || v === null) return v;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== null && proto !== Object.prototype) return v;
  const plain: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    Object.defineProperty(plain, key, {
      value: asRead((v as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return plain;
}

describe('codec properties', () => {
  it(
    'decodes every encoded entry to an equal one, types included',
    () => {
      fc.assert(
        fc.property(envelope, (entry: Envelope) => {
          const decoded = decodeEntry(encodeEntry(entry));
          check(decoded.ok, () => `did not decode: ${JSON.stringify(decoded)}`);
          if (!decoded.ok) return;
          const expected = { ...entry, value: asRead(entry.value) };
          check(isDeepStrictEqual(decoded.envelope, expected), () => 'decoded a different entry');
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.5),
  );

  it(
    'never throws and never touches Object.prototype, whatever the text',
    () => {
      const text = fc.oneof(
        fc.string(),
        fc.json(),
        envelope
          .map((e) => encodeEntry(e))
          .chain((good) =>
            fc.nat(good.length).map((cut) => good.slice(0, cut) + good.slice(cut + 1)),
          ),
      );
      fc.assert(
        fc.property(text, (t) => {
          const decoded = decodeEntry(t);
          check(typeof decoded.ok === 'boolean', () => 'no answer');
          check(Object.keys(Object.prototype).length === 0, () => 'Object.prototype was changed');
        }),
        { numRuns: PROPERTY_RUNS },
      );
    },
    timeoutFor(0.5),
  );
});
