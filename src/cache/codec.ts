/**
 * The Redis tier's entry format: a cached value and its metadata as one JSON text, and back.
 *
 * An entry is the JSON object `{"v":2,"g":<graceMs>,"o":"<operation>","t":"<tenant>",
 * "x":["<tag>",...],"l":<loadMs>,"d":<value>}`, where `v` is {@link CODEC_VERSION}, `l` (left out
 * when unknown) is how long the load that produced the value took, and `d` is the value in JSON
 * extended with tags. A tag is a JSON object with a `$` key naming the type and a `v` key holding
 * its content (no other keys):
 *
 *     undefined  {"$":"undefined"}               NaN ±Infinity -0  {"$":"number","v":"-0"}
 *     bigint     {"$":"bigint","v":"-42"}        Date    {"$":"date","v":<epoch ms>} (invalid: null)
 *     Map        {"$":"map","v":[k,v,k,v,...]}   Set     {"$":"set","v":[m,m,...]}
 *     Buffer     {"$":"buffer","v":"<base64>"}   Uint8Array  {"$":"uint8array","v":"<base64>"}
 *     RegExp     {"$":"regexp","v":["<source>","<flags>"]} (lastIndex is not kept)
 *     an object with a `$` key of its own        {"$":"object","v":{<its keys, `$` included>}}
 *
 * Everything else is plain JSON: strings, booleans, null, finite numbers, arrays (a hole decodes
 * as undefined) and objects. The grammar is unambiguous because every JSON object with a `$` key
 * is a tag and nothing else is: a data object with a `$` key is always wrapped in an `object` tag,
 * whose `v` is read as an object (its values by these same rules), never as a tag. A tag with an
 * unknown type, an extra key or content of the wrong shape makes the whole entry corrupt.
 *
 * Objects are told apart by their exact prototype:
 * - `Object.prototype` or `null`: a plain object of its own enumerable string keys, in their
 *   order; it decodes with `Object.prototype`. Keys such as `__proto__` stay own data properties.
 * - arrays (`Array.isArray`): items `0` to `length - 1`; other properties are dropped, as in JSON.
 * - `Date`, `Map`, `Set`, `Buffer`, `Uint8Array`, `RegExp`: the tags above.
 * - anything else is a class instance. With a `toJSON()` method (own or inherited) it is stored
 *   as what `toJSON()` (called without arguments) returns, by these same rules, and decodes as
 *   that data, not as the class. Without one it is rejected if it keeps state its own properties
 *   do not show (a Promise or other thenable, an Error, a Map, Set, WeakMap, WeakSet, WeakRef,
 *   ArrayBuffer, other typed arrays, DataView, a boxed primitive, a RegExp subclass); otherwise it
 *   decodes as a plain object of its own enumerable string-keyed properties (`Object.keys`):
 *   inherited properties, getters declared in the class body and non-enumerable properties are
 *   dropped.
 *
 * Typed arrays other than Buffer and Uint8Array are rejected: those two cover binary data, and
 * storing wider elements by their bytes would tie the format to the host's byte order.
 *
 * {@link encodeEntry} refuses (with {@link UnencodableValueError}) what it could not restore:
 * functions, symbols, enumerable symbol keys, the instances above, circular references, and values
 * nested in more than {@link MAX_DEPTH} containers (arrays, objects, Maps, Sets, instances). A
 * value referenced twice is not circular: it is stored twice and decodes as two copies.
 * {@link decodeEntry} never throws: text this codec did not write decodes as a miss.
 */

import { UnencodableValueError } from '../errors';

/** Bump when the envelope or the value grammar changes: older data then decodes as a miss. */
export const CODEC_VERSION = 2;

/**
 * Containers a value may be nested in. Deeper values are refused when encoding and are corrupt
 * when decoding, so neither walk can overflow the stack.
 */
export const MAX_DEPTH = 1000;

/** What one Redis entry holds: the cached value and what the tier needs to know about it. */
export interface Envelope {
  readonly value: unknown;
  /** Milliseconds the entry may still be served after it stops being fresh: finite, `>= 0`. */
  readonly graceMs: number;
  /** The operation that cached it (the decorated method's name). */
  readonly operation: string;
  /** The tenant its key was built with; '' for a shared entry. */
  readonly tenant: string;
  /** The tags `@Cached({ tags })` gave it. */
  readonly tags: readonly string[];
  /**
   * Milliseconds the load that produced the value took (what `refreshAhead` scales its early
   * refresh by), when it was measured: finite, `>= 0`.
   */
  readonly loadMs?: number;
}

/** A decoded entry, or why the text is not one: written by another codec version, or not ours. */
export type Decoded =
  | { readonly ok: true; readonly envelope: Envelope }
  | { readonly ok: false; readonly reason: 'version' | 'corrupt' };

/**
 * Encodes an entry as the text stored in Redis (the format is at the top of this file).
 *
 * @example
 * ```ts
 * const text = encodeEntry({ value: new Map([[1, 'a']]), graceMs: 0, operation: 'Users.get', tenant: '', tags: [] });
 * ```
 * @throws UnencodableValueError when the value (or a field) cannot be stored so that it decodes
 *   the same; its `path` says where. Errors thrown by user code (a getter, a `toJSON()`) pass
 *   through.
 */
export function encodeEntry(envelope: Envelope): string {
  const { graceMs, operation, tenant, tags, loadMs } = envelope;
  // Callers may be plain JavaScript; a field that decodes as corrupt must not be written.
  if (!isDuration(graceMs)) throw new UnencodableValueError('graceMs', 'not a finite number >= 0');
  if (loadMs !== undefined && !isDuration(loadMs)) {
    throw new UnencodableValueError('loadMs', 'not a finite number >= 0');
  }
  if (typeof operation !== 'string') throw new UnencodableValueError('operation', 'not a string');
  if (typeof tenant !== 'string') throw new UnencodableValueError('tenant', 'not a string');
  if (!Array.isArray(tags)) throw new UnencodableValueError('tags', 'not an array');
  tags.forEach((tag, index) => {
    if (typeof tag !== 'string') throw new UnencodableValueError(`tags[${index}]`, 'not a string');
  });
  try {
    const d = encodeValue(envelope.value, []);
    // The labels before `d`: DROP_LABELLED reads them without decoding the value (scripts.ts).
    return JSON.stringify({
      v: CODEC_VERSION,
      g: graceMs,
      o: operation,
      t: tenant,
      x: tags,
      l: loadMs,
      d,
    });
  } catch (error) {
    if (error instanceof Unencodable)
      throw new UnencodableValueError('value' + error.path, error.reason);
    // A value too large for one string, or deep enough to exhaust a stack already deep when
    // called (JSON nests up to three levels per container).
    if (
      error instanceof RangeError &&
      (error.message === 'Invalid string length' ||
        error.message === 'Maximum call stack size exceeded')
    ) {
      throw new UnencodableValueError('value', 'too large or too deeply nested to encode');
    }
    throw error;
  }
}

/**
 * Decodes text stored by {@link encodeEntry}. Never throws: text in another version's format is
 * `{ ok: false, reason: 'version' }`, anything else that is not an entry this codec wrote
 * (including values nested deeper than {@link MAX_DEPTH}) is `{ ok: false, reason: 'corrupt' }`.
 *
 * @example
 * ```ts
 * const decoded = decodeEntry(text);
 * if (decoded.ok) use(decoded.envelope.value);
 * ```
 */
export function decodeEntry(text: string): Decoded {
  try {
    return decodeText(text);
  } catch {
    // Explicit checks reject what is malformed; this catches what they do not foresee.
    return CORRUPT;
  }
}

// ---- encoding ----------------------------------------------------------------------------------

/** The JSON tree the encoder builds, stringified once at the end. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Why a value cannot be encoded, and where. Thrown from the failing value; each enclosing
 * container prepends its step to `path` as it passes by, so the success path builds no path.
 */
class Unencodable extends Error {
  path = '';
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** How a container reached a child, for the path of an {@link Unencodable}. */
type Step = 'property' | 'item' | 'map key' | 'map value' | 'set member' | 'toJSON';

/** Built-ins (and their subclasses) whose contents are not in their own properties. */
const HIDDEN_STATE: readonly {
  readonly name: string;
  [Symbol.hasInstance](value: unknown): boolean;
}[] = [
  Error,
  Map,
  Set,
  WeakMap,
  WeakSet,
  WeakRef,
  FinalizationRegistry,
  ArrayBuffer,
  SharedArrayBuffer,
  RegExp,
  Number,
  String,
  Boolean,
  BigInt,
  Symbol,
];

const UNDEFINED: Json = { $: 'undefined' };

function encodeValue(value: unknown, ancestors: object[]): Json {
  // Ordered by how common each type is in cached values.
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && (value !== 0 || 1 / value > 0)) return value;
      return { $: 'number', v: Object.is(value, -0) ? '-0' : String(value) };
    case 'object':
      return value === null ? null : encodeObject(value, ancestors);
    case 'undefined':
      return UNDEFINED;
    case 'bigint':
      return { $: 'bigint', v: value.toString() };
    default:
      throw new Unencodable(typeof value === 'function' ? 'a function' : 'a symbol');
  }
}

/** `ancestors` holds the containers around `object`: its length is the depth, and finds cycles. */
function encodeObject(object: object, ancestors: object[]): Json {
  const proto: unknown = Object.getPrototypeOf(object);
  // Leaves first. Date and Buffer have a toJSON(), but it loses the type.
  if (proto === Date.prototype) {
    const time = (object as Date).getTime();
    return { $: 'date', v: Number.isNaN(time) ? null : time };
  }
  if (proto === Buffer.prototype) return { $: 'buffer', v: (object as Buffer).toString('base64') };
  if (proto === Uint8Array.prototype) {
    const bytes = object as Uint8Array;
    return {
      $: 'uint8array',
      v: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'),
    };
  }
  if (proto === RegExp.prototype) {
    const { source, flags } = object as RegExp;
    return { $: 'regexp', v: [source, flags] };
  }
  // Everything else can contain values, directly or through toJSON(), so it can contain itself.
  if (ancestors.length >= MAX_DEPTH) {
    throw new Unencodable(`nested in more than ${MAX_DEPTH} containers`);
  }
  if (ancestors.includes(object)) {
    throw new Unencodable('a circular reference (an object that contains itself)');
  }
  ancestors.push(object);
  const encoded =
    proto === Object.prototype || proto === null
      ? encodeFields(object, ancestors)
      : Array.isArray(object)
        ? encodeItems(object, ancestors)
        : proto === Map.prototype
          ? encodeMap(object as Map<unknown, unknown>, ancestors)
          : proto === Set.prototype
            ? encodeSet(object as Set<unknown>, ancestors)
            : encodeInstance(object, ancestors);
  ancestors.pop();
  return encoded;
}

function encodeItems(items: readonly unknown[], ancestors: object[]): Json {
  const encoded = new Array<Json>(items.length);
  for (let index = 0; index < items.length; index++) {
    encoded[index] = encodeChild(items[index], ancestors, 'item', index);
  }
  return encoded;
}

function encodeFields(object: object, ancestors: object[]): Json {
  const symbols = Object.getOwnPropertySymbols(object);
  if (symbols.some((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol))) {
    throw new Unencodable('an object with symbol keys');
  }
  const fields: { [key: string]: Json } = {};
  let hasDollar = false;
  for (const key of Object.keys(object)) {
    const field = encodeChild((object as Record<string, unknown>)[key], ancestors, 'property', key);
    setField(fields, key, field);
    if (key === '$') hasDollar = true;
  }
  return hasDollar ? { $: 'object', v: fields } : fields;
}

function encodeMap(map: Map<unknown, unknown>, ancestors: object[]): Json {
  const flat: Json[] = [];
  let index = 0;
  for (const [key, value] of map) {
    flat.push(encodeChild(key, ancestors, 'map key', index));
    flat.push(encodeChild(value, ancestors, 'map value', index));
    index++;
  }
  return { $: 'map', v: flat };
}

function encodeSet(set: Set<unknown>, ancestors: object[]): Json {
  const members: Json[] = [];
  for (const member of set)
    members.push(encodeChild(member, ancestors, 'set member', members.length));
  return { $: 'set', v: members };
}

/** A class instance: its `toJSON()` result, its own fields, or refused (see the top of the file). */
function encodeInstance(object: object, ancestors: object[]): Json {
  const instance = object as { then?: unknown; toJSON?: unknown };
  // A pending result is not data, whatever its toJSON() says.
  if (typeof instance.then === 'function') throw new Unencodable('a Promise or other thenable');
  if (typeof instance.toJSON === 'function') {
    // `object` is already among the ancestors, so a toJSON() that returns it is a cycle.
    const json: unknown = (instance.toJSON as () => unknown).call(instance);
    return encodeChild(json, ancestors, 'toJSON', 0);
  }
  const hidden = HIDDEN_STATE.find((type) => object instanceof type);
  if (hidden !== undefined) {
    throw new Unencodable(`a ${hidden.name}, whose contents are not in its own properties`);
  }
  if (ArrayBuffer.isView(object)) {
    throw new Unencodable('a typed array other than Buffer or Uint8Array, or a DataView');
  }
  return encodeFields(object, ancestors);
}

function encodeChild(value: unknown, ancestors: object[], step: Step, at: string | number): Json {
  try {
    return encodeValue(value, ancestors);
  } catch (error) {
    if (error instanceof Unencodable) error.path = stepText(step, at) + error.path;
    throw error;
  }
}

function stepText(step: Step, at: string | number): string {
  switch (step) {
    case 'property':
      return /^[A-Za-z_$][\w$]*$/.test(String(at)) ? `.${at}` : `[${JSON.stringify(at)}]`;
    case 'item':
      return `[${at}]`;
    case 'toJSON':
      return '.toJSON()';
    default:
      return `<${step} ${at}>`;
  }
}

// ---- decoding ----------------------------------------------------------------------------------

const CORRUPT: Decoded = Object.freeze({ ok: false, reason: 'corrupt' });
const OTHER_VERSION: Decoded = Object.freeze({ ok: false, reason: 'version' });

/** Thrown by the decoding walk for text this codec did not write; becomes {@link CORRUPT}. */
const NOT_OURS = new SyntaxError('not a cache entry this codec wrote');

/** The envelope's keys but the optional `l`. */
const ENVELOPE_KEYS = 6;
/** A finite number of milliseconds, `>= 0`. */
const isDuration = (ms: unknown): ms is number =>
  typeof ms === 'number' && Number.isFinite(ms) && ms >= 0;
const SPECIAL_NUMBERS: ReadonlyMap<unknown, number> = new Map([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-0', -0],
]);
/** Canonical integers only, as `bigint.toString()` writes them. */
const BIGINT_TEXT = /^(?:0|-?[1-9][0-9]*)$/;
/** The largest epoch milliseconds a Date holds, either side of 1970. */
const MAX_TIME = 8.64e15;

function decodeText(text: string): Decoded {
  if (typeof text !== 'string') return CORRUPT;
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed)) return CORRUPT;
  // The version first: another version may have other fields.
  if (parsed.v !== CODEC_VERSION) return typeof parsed.v === 'number' ? OTHER_VERSION : CORRUPT;
  const { g, o, t, x, l } = parsed;
  const timed = Object.hasOwn(parsed, 'l');
  if (
    Object.keys(parsed).length !== ENVELOPE_KEYS + (timed ? 1 : 0) ||
    !Object.hasOwn(parsed, 'd') ||
    !isDuration(g) ||
    (timed && !isDuration(l)) ||
    typeof o !== 'string' ||
    typeof t !== 'string' ||
    !Array.isArray(x) ||
    !x.every((tag) => typeof tag === 'string')
  ) {
    return CORRUPT;
  }
  const value = decodeValue(parsed.d, 0);
  return {
    ok: true,
    envelope: timed
      ? { value, graceMs: g, operation: o, tenant: t, tags: x, loadMs: l as number }
      : { value, graceMs: g, operation: o, tenant: t, tags: x },
  };
}

/** `depth` is how many containers enclose `json`'s value. */
function decodeValue(json: unknown, depth: number): unknown {
  if (typeof json !== 'object' || json === null) return json;
  if (Array.isArray(json)) return decodeItems(json, depth);
  return Object.hasOwn(json, '$')
    ? decodeTag(json as Record<string, unknown>, depth)
    : decodeFields(json, depth);
}

function decodeItems(json: readonly unknown[], depth: number): unknown[] {
  if (depth >= MAX_DEPTH) fail();
  return json.map((item) => decodeValue(item, depth + 1));
}

function decodeFields(json: object, depth: number): Record<string, unknown> {
  if (depth >= MAX_DEPTH) fail();
  const object: Record<string, unknown> = {};
  for (const key of Object.keys(json)) {
    setField(object, key, decodeValue((json as Record<string, unknown>)[key], depth + 1));
  }
  return object;
}

function decodeTag(tag: Record<string, unknown>, depth: number): unknown {
  const keys = Object.keys(tag).length;
  if (tag.$ === 'undefined' && keys === 1) return undefined;
  if (keys !== 2 || !Object.hasOwn(tag, 'v')) fail();
  const content = tag.v;
  switch (tag.$) {
    case 'number':
      return SPECIAL_NUMBERS.get(content) ?? fail();
    case 'bigint':
      return typeof content === 'string' && BIGINT_TEXT.test(content) ? BigInt(content) : fail();
    case 'date':
      return content === null
        ? new Date(NaN)
        : Number.isInteger(content) && Math.abs(content as number) <= MAX_TIME
          ? new Date(content as number)
          : fail();
    case 'map':
      return decodeMap(content, depth);
    case 'set':
      return decodeSet(content, depth);
    case 'buffer':
      return decodeBase64(content);
    case 'uint8array':
      // A copy: a small Buffer is a view of a shared pool that the caller should not reach.
      return new Uint8Array(decodeBase64(content));
    case 'regexp':
      // RegExp throws on a bad source or flags, which decodeEntry reports as corrupt.
      return Array.isArray(content) &&
        content.length === 2 &&
        typeof content[0] === 'string' &&
        typeof content[1] === 'string'
        ? new RegExp(content[0], content[1])
        : fail();
    case 'object':
      return isObject(content) ? decodeFields(content, depth) : fail();
    default:
      return fail();
  }
}

function decodeMap(content: unknown, depth: number): Map<unknown, unknown> {
  if (!Array.isArray(content) || content.length % 2 !== 0 || depth >= MAX_DEPTH) fail();
  const map = new Map<unknown, unknown>();
  for (let index = 0; index < content.length; index += 2) {
    map.set(decodeValue(content[index], depth + 1), decodeValue(content[index + 1], depth + 1));
  }
  // A repeated key was not written by a Map.
  if (map.size !== content.length / 2) fail();
  return map;
}

function decodeSet(content: unknown, depth: number): Set<unknown> {
  if (!Array.isArray(content) || depth >= MAX_DEPTH) fail();
  const set = new Set(content.map((member) => decodeValue(member, depth + 1)));
  if (set.size !== content.length) fail();
  return set;
}

function decodeBase64(content: unknown): Buffer {
  if (typeof content !== 'string') fail();
  const bytes = Buffer.from(content, 'base64');
  // Buffer.from skips characters that are not base64; only canonical text is ours.
  if (bytes.toString('base64') !== content) fail();
  return bytes;
}

function fail(): never {
  throw NOT_OURS;
}

// ---- shared ------------------------------------------------------------------------------------

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets an own data property. Assigning `__proto__` would set the prototype instead (and, with
 * decoded data, let stored text choose it), so that key is defined.
 */
function setField<T>(object: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
}
