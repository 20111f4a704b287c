/**
 * Canonical cache keys.
 *
 * A raw key is the concatenation, with nothing in between, of
 *
 *     "<funcName>"  "<userId>"  "<taskId>"  [<arg>,<arg>,...]  {<kwargs>}
 *
 * The ids are JSON-quoted, which is injective and self-delimiting, so no id can bleed into the next
 * whatever separators or quotes it contains; kwargs are appended only when there is at least one.
 * Values use a small grammar that a parser could read back unambiguously (hence injective):
 *
 *     string    "..." (as JSON.stringify)      number     String(n): 42, 1e+21, NaN, -Infinity
 *     bigint    42n                            boolean    true, false
 *     null      null                           undefined  undefined
 *     array     [v,v] (a hole reads undefined) object     {"a":v,"b":v} (sorted by key)
 *     Map       M{k=>v,k=>v} (entries sorted)  Set        S{v,v} (members sorted)
 *     Date      D(<epoch ms>) or D(NaN)        typed      Uint8Array(<base64 of its bytes>)
 *     toJSON()  @Name(<encoded toJSON() result>); Name JSON-quoted unless a plain identifier
 *
 * All user text (strings, object keys, odd class names) is JSON-quoted, so text that looks like
 * structure (`","`, `M{`, `undefined`, `@X(`) never is. Object keys are sorted by the key itself,
 * Map entries and Set members by their encoded text, always in UTF-16 code-unit order: the key does
 * not depend on insertion order and is the same in every process. Sorting whole encoded entries
 * also orders two entries whose keys encode alike (two distinct `{}` keys) deterministically.
 *
 * Plain objects are those whose prototype is `Object.prototype` or `null` (both key alike); only
 * their own enumerable string keys count, and an enumerable symbol key is rejected. Arrays, Maps,
 * Sets, Dates and typed arrays are recognised by their exact built-in prototype: a subclass is a
 * class instance and needs a `toJSON()`.
 *
 * Deliberate equalities: `-0` keys like `0` (`String(-0)` is `'0'`, and Map and Set already treat
 * them as one) and an array hole like `undefined`. Typed arrays are keyed by their bytes, so
 * multi-byte element types follow the host's byte order; only big-endian hosts (s390x) differ.
 *
 * A raw key always starts with `"`. When it is longer than 512 characters (UTF-16 code units),
 * the key is `#` + base64url(sha256(raw key)) instead, so raw and digested keys cannot collide.
 * The raw key is well-formed UTF-16 (lone surrogates are escaped), so hashing its UTF-8 bytes
 * loses nothing.
 *
 * Error paths (`CacheKeyError.path`) use JavaScript accessors for arrays and objects
 * (`args[1].filters[0]`, `kwargs.page`, `args[0]["not an identifier"]`) and, for the rest, a Map
 * value `.get(<encoded key>)` (`args[0].get("k")`), a Map key `<map key 2>`, a Set member
 * `<set member 2>` (both counted from 0 in iteration order) and a `toJSON()` result `.toJSON()`.
 * Paths are built only when something fails: each container prepends its step as the failure is
 * returned through it, so the success path never builds one.
 */
import { createHash } from 'node:crypto';

import { CacheKeyError } from '../errors';

/** Longest raw key returned as is; anything longer is replaced by its digest. */
const MAX_RAW_KEY_LENGTH = 512;

/**
 * Built-in typed arrays (and Buffer), by exact prototype. A subclass is not in the map and is
 * treated like any other class instance: keyed through its `toJSON()`, or rejected.
 */
const TYPED_ARRAY_NAMES: ReadonlyMap<object, string> = new Map(
  [
    Buffer,
    Int8Array,
    Uint8Array,
    Uint8ClampedArray,
    Int16Array,
    Uint16Array,
    Int32Array,
    Uint32Array,
    Float32Array,
    Float64Array,
    BigInt64Array,
    BigUint64Array,
  ].map((type): [object, string] => [type.prototype as object, type.name]),
);

const isEnumerable = (object: object, key: PropertyKey): boolean =>
  Object.prototype.propertyIsEnumerable.call(object, key);

/**
 * Why a value cannot be keyed, and where. Encoders return it instead of a string, and each
 * enclosing container prepends its own step to `path` as it passes the failure up; the public
 * entry points turn it into a {@link CacheKeyError}. Returned rather than thrown because an
 * unkeyable call is routine for a decorated method (it runs uncached, possibly on every call),
 * and V8 charges about a microsecond per throw, while a type check per value is nearly free.
 */
class Unkeyable {
  path = '';
  constructor(readonly reason: string) {}
}

/** An encoder's result: the encoded text, or why it could not be encoded. */
type Encoded = string | Unkeyable;

/**
 * Encodes one value canonically (see the format at the top of this file).
 *
 * @param value - any keyable value: primitives, arrays, plain objects, Map, Set, Date, typed
 *   arrays, Buffer, and class instances with a `toJSON()` method.
 * @param path - where `value` sits, used as the start of `CacheKeyError.path`, e.g. `'args[1]'`.
 * @throws CacheKeyError naming the path of the first part that cannot be keyed (e.g.
 *   `'args[1].filters[0]'`). Errors thrown by user code (a getter, a `toJSON()`) pass through.
 */
export function encodeKeyPart(value: unknown, path: string): string {
  return textOrThrow(encodeRoot(value, encodeValue), path);
}

/**
 * Builds the cache key of one call: exactly what `ExecutionUtils.generateCacheKey` returns.
 *
 * The key is deterministic across processes and injective: two calls get the same key only when
 * their ids and arguments are structurally equal (object key order, Map and Set insertion order,
 * and `-0` versus `0` do not count). Keys longer than 512 characters are returned as `#` + their
 * SHA-256 digest.
 *
 * @param kwargs - named arguments; omitted, `undefined` and `{}` give the same key.
 * @throws CacheKeyError when an id is not a string or an argument cannot be keyed; its `path`
 *   says which (`'userId'`, `'args[1].filters[0]'`, `'kwargs.page'`). Errors thrown by user code
 *   (a getter, a `toJSON()`) pass through.
 */
export function buildCacheKey(
  funcName: string,
  userId: string,
  taskId: string,
  args: readonly unknown[],
  kwargs?: Record<string, unknown>,
): string {
  let encoded: Encoded;
  try {
    encoded = buildKey(funcName, userId, taskId, args, kwargs);
  } catch (error) {
    // Arguments whose encoding passes the longest string V8 can hold (~512 M characters).
    if (error instanceof RangeError && error.message === 'Invalid string length') {
      throw new CacheKeyError('args', 'too large to encode as a key');
    }
    throw error;
  }
  return textOrThrow(encoded, '');
}

/**
 * A key builder for one operation, for the hot path of a decorated call: like
 * {@link buildCacheKey} without kwargs (the operation's quoted name is encoded once, here), but
 * it returns `undefined` instead of throwing, whatever the error (a `CacheKeyError`, or one thrown
 * by a user getter or `toJSON()`): an unkeyable call simply runs uncached, and reaching that
 * verdict costs no more than building a key.
 */
export function cacheKeyBuilder(
  funcName: string,
): (userId: string, taskId: string, args: readonly unknown[]) => string | undefined {
  const prefix = quote(funcName);
  return (userId, taskId, args) => {
    // Callers may be plain JavaScript, and an id that is not a string cannot be quoted.
    if (typeof userId !== 'string' || typeof taskId !== 'string') return undefined;
    try {
      const encodedArgs = encodeRoot(args, encodeItems);
      if (typeof encodedArgs !== 'string') return undefined;
      return flat(digestIfLong(prefix + quote(userId) + quote(taskId) + encodedArgs));
    } catch {
      return undefined;
    }
  };
}

/**
 * `text` made one flat run of characters. A key built by concatenation is a rope of its pieces,
 * and a `Map` lookup hashes and compares a rope piece by piece, several times slower than the
 * flat text (measured: ~450 ns against ~150 ns for a 75-character key); reading one character
 * makes V8 flatten it once.
 */
function flat(text: string): string {
  text.charCodeAt(0);
  return text;
}

function textOrThrow(encoded: Encoded, root: string): string {
  if (typeof encoded === 'string') return encoded;
  throw new CacheKeyError(root + encoded.path, encoded.reason);
}

function buildKey(
  funcName: string,
  userId: string,
  taskId: string,
  args: readonly unknown[],
  kwargs: Record<string, unknown> | undefined,
): Encoded {
  // Callers may be plain JavaScript, and an id that is not a string cannot be quoted.
  if (typeof funcName !== 'string') return notAString(funcName, 'funcName');
  if (typeof userId !== 'string') return notAString(userId, 'userId');
  if (typeof taskId !== 'string') return notAString(taskId, 'taskId');
  if (!Array.isArray(args) && !isArgumentsObject(args)) {
    return within(new Unkeyable('not an array of arguments'), 'args');
  }
  if (
    kwargs !== undefined &&
    (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs))
  ) {
    return within(new Unkeyable('not an object of named arguments'), 'kwargs');
  }
  // Read by index, so an `arguments` object keys like the array of its items.
  const encodedArgs = encodeRoot(args, encodeItems);
  if (typeof encodedArgs !== 'string') return within(encodedArgs, 'args');
  let key = quote(funcName) + quote(userId) + quote(taskId) + encodedArgs;
  if (kwargs !== undefined) {
    const encodedKwargs = encodeRoot(kwargs, encodeValue);
    if (typeof encodedKwargs !== 'string') return within(encodedKwargs, 'kwargs');
    if (encodedKwargs !== '{}') key += encodedKwargs;
  }
  return digestIfLong(key);
}

function isArgumentsObject(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Arguments]';
}

function digestIfLong(key: string): string {
  return key.length > MAX_RAW_KEY_LENGTH
    ? '#' + createHash('sha256').update(key).digest('base64url')
    : key;
}

function notAString(id: unknown, name: string): Unkeyable {
  return within(new Unkeyable(`a ${typeof id}, not a string`), name);
}

/**
 * What cycle detection knows about the containers around a value. While the structure is shallow
 * it is only their count (a cycle would nest forever, so a shallow value has none, and nothing is
 * allocated); past {@link UNTRACKED_DEPTH} the encoding starts over with the chain of enclosing
 * containers itself, which finds the cycle (or proves a deep structure has none). Each top-level
 * call has its own: a re-entrant call (a `toJSON()` that builds a key itself) starts afresh.
 */
type Ancestors = number | object[];

/** Containers nested this deep are encoded again with the full chain, to look for a cycle. */
const UNTRACKED_DEPTH = 64;
/** Deeper arguments are refused: encoding them would overflow the stack. */
export const MAX_KEY_DEPTH = 1000;
/** Longer arrays (a sparse one can claim 2^32-1 items), Maps and Sets are refused. */
export const MAX_KEY_ITEMS = 1_000_000;
const TOO_MANY_ITEMS = `more than ${MAX_KEY_ITEMS} items`;
const TOO_DEEP = 'nested too deep to check without tracking';

function encodeRoot<T>(value: T, encode: (value: T, ancestors: Ancestors) => Encoded): Encoded {
  const encoded = encode(value, 0);
  if (typeof encoded !== 'string' && encoded.reason === TOO_DEEP) return encode(value, []);
  return encoded;
}

function encodeValue(value: unknown, ancestors: Ancestors): Encoded {
  // Ordered by how common each type is in arguments.
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return value === null ? 'null' : encodeObject(value, ancestors);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return String(value) + 'n';
  return new Unkeyable(typeof value === 'function' ? 'a function' : 'a symbol');
}

function encodeObject(object: object, ancestors: Ancestors): Encoded {
  const proto: unknown = Object.getPrototypeOf(object);
  // Leaves first. Date and Buffer have a toJSON(), but it loses the type (and, for an invalid
  // Date, the value).
  if (proto === Date.prototype) return 'D(' + String((object as Date).getTime()) + ')';
  if (proto !== Object.prototype && proto !== Array.prototype && ArrayBuffer.isView(object)) {
    const typedArrayName = TYPED_ARRAY_NAMES.get(proto as object);
    if (typedArrayName !== undefined) {
      const bytes = Buffer.from(object.buffer, object.byteOffset, object.byteLength);
      return typedArrayName + '(' + bytes.toString('base64') + ')';
    }
  }
  // Everything else can contain values, directly or through toJSON(), so it can contain itself.
  if (typeof ancestors === 'number') {
    if (ancestors >= UNTRACKED_DEPTH) return new Unkeyable(TOO_DEEP);
    return encodeContents(object, proto, ancestors + 1);
  }
  if (ancestors.length >= MAX_KEY_DEPTH) {
    return new Unkeyable(`nested more than ${MAX_KEY_DEPTH} levels deep`);
  }
  if (ancestors.includes(object)) {
    return new Unkeyable('a circular reference (an object that contains itself)');
  }
  ancestors.push(object);
  const encoded = encodeContents(object, proto, ancestors);
  ancestors.pop();
  return encoded;
}

function encodeContents(object: object, proto: unknown, ancestors: Ancestors): Encoded {
  // Ordered by how common each kind is in arguments.
  return proto === Object.prototype
    ? encodePlainObject(object as Record<string, unknown>, ancestors)
    : proto === Array.prototype
      ? encodeItems(object as unknown[], ancestors)
      : proto === null
        ? encodePlainObject(object as Record<string, unknown>, ancestors)
        : proto === Map.prototype
          ? encodeMap(object as Map<unknown, unknown>, ancestors)
          : proto === Set.prototype
            ? encodeSet(object as Set<unknown>, ancestors)
            : encodeInstance(object, proto as object, ancestors);
}

function encodeItems(items: ArrayLike<unknown>, ancestors: Ancestors): Encoded {
  if (items.length > MAX_KEY_ITEMS) return new Unkeyable(TOO_MANY_ITEMS);
  let encoded = '[';
  for (let index = 0; index < items.length; index++) {
    const item = encodeValue(items[index], ancestors);
    if (typeof item !== 'string') return within(item, '[' + index + ']');
    encoded += index === 0 ? item : ',' + item;
  }
  return encoded + ']';
}

function encodePlainObject(object: Record<string, unknown>, ancestors: Ancestors): Encoded {
  const keys = Object.keys(object);
  if (hasEnumerableSymbolKey(object)) {
    return new Unkeyable('an object with symbol keys, which a cache key cannot represent');
  }
  if (keys.length > 1) sortTexts(keys);
  let encoded = '{';
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index];
    const value = encodeValue(object[key], ancestors);
    if (typeof value !== 'string') return within(value, propertyStep(key));
    encoded += (index === 0 ? '' : ',') + quote(key) + ':' + value;
  }
  return encoded + '}';
}

function hasEnumerableSymbolKey(object: object): boolean {
  const symbols = Object.getOwnPropertySymbols(object);
  for (let i = 0; i < symbols.length; i++) {
    if (isEnumerable(object, symbols[i])) return true;
  }
  return false;
}

function encodeMap(map: Map<unknown, unknown>, ancestors: Ancestors): Encoded {
  if (map.size > MAX_KEY_ITEMS) return new Unkeyable(TOO_MANY_ITEMS);
  const pairs: string[] = [];
  for (const [key, value] of map) {
    const encodedKey = encodeValue(key, ancestors);
    if (typeof encodedKey !== 'string') return within(encodedKey, '<map key ' + pairs.length + '>');
    const encodedValue = encodeValue(value, ancestors);
    if (typeof encodedValue !== 'string') return within(encodedValue, '.get(' + encodedKey + ')');
    pairs.push(encodedKey + '=>' + encodedValue);
  }
  return 'M{' + sortAndJoin(pairs) + '}';
}

function encodeSet(set: Set<unknown>, ancestors: Ancestors): Encoded {
  if (set.size > MAX_KEY_ITEMS) return new Unkeyable(TOO_MANY_ITEMS);
  const members: string[] = [];
  for (const member of set) {
    const encoded = encodeValue(member, ancestors);
    if (typeof encoded !== 'string') return within(encoded, '<set member ' + members.length + '>');
    members.push(encoded);
  }
  return 'S{' + sortAndJoin(members) + '}';
}

function sortAndJoin(entries: string[]): string {
  if (entries.length > 1) sortTexts(entries);
  return entries.join(',');
}

/**
 * Sorts in UTF-16 code-unit order, the same order as `Array.prototype.sort()` without a
 * comparator. Small arrays (nearly all argument objects) are insertion-sorted: several times
 * faster than the built-in sort at these sizes.
 */
function sortTexts(texts: string[]): void {
  if (texts.length > 16) {
    texts.sort();
    return;
  }
  for (let i = 1; i < texts.length; i++) {
    const text = texts[i];
    let j = i - 1;
    for (; j >= 0 && texts[j] > text; j--) texts[j + 1] = texts[j];
    texts[j + 1] = text;
  }
}

/** A class instance: keyed as its class name plus its `toJSON()` result, or rejected. */
function encodeInstance(object: object, proto: object, ancestors: Ancestors): Encoded {
  const instance = object as { then?: unknown; toJSON?: unknown };
  // A pending result is not data, whatever its toJSON() says; neither is an Error.
  if (typeof instance.then === 'function') return new Unkeyable('a Promise or other thenable');
  if (object instanceof Error) return new Unkeyable('an Error');
  const name = constructorName(proto);
  if (typeof instance.toJSON !== 'function') {
    return new Unkeyable(
      object instanceof WeakMap || object instanceof WeakSet
        ? `a ${name}, whose contents cannot be listed`
        : `an instance of ${name || 'an anonymous class'} without toJSON()`,
    );
  }
  // `object` is already on the ancestor stack, so a toJSON() that returns (or contains) the
  // instance itself is caught as a cycle.
  const encoded = encodeValue((instance.toJSON as () => unknown).call(instance), ancestors);
  if (typeof encoded !== 'string') return within(encoded, '.toJSON()');
  // The class name is user-controlled: quote it unless it is a plain identifier, so it always
  // ends unambiguously at the '('.
  return '@' + (isIdentifier(name) ? name : quote(name)) + '(' + encoded + ')';
}

function constructorName(proto: object): string {
  const constructor: unknown = (proto as { constructor?: unknown }).constructor;
  if (typeof constructor !== 'function') return '';
  const name: unknown = constructor.name;
  return typeof name === 'string' ? name : '';
}

/**
 * `JSON.stringify` for a string. Most strings in arguments need no escaping, and checking that in
 * JavaScript is faster than calling into `JSON.stringify`; anything with a quote, a backslash, a
 * control character or a surrogate goes to `JSON.stringify` (which escapes lone surrogates).
 */
function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      return JSON.stringify(text);
    }
  }
  return '"' + text + '"';
}

function within(failure: Unkeyable, step: string): Unkeyable {
  failure.path = step + failure.path;
  return failure;
}

function propertyStep(key: string): string {
  return isIdentifier(key) ? '.' + key : '[' + quote(key) + ']';
}

/** ASCII letters, digits, `_` and `$`, not starting with a digit (and not empty). */
function isIdentifier(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const canStart = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
    if (!canStart && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}
