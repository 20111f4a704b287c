/**
 * Canonical cache keys.
 *
 * A raw key is the concatenation of
 *
 *     "<funcName>" "<userId>" "<taskId>" [<arg>,<arg>,...] {<kwargs>}      (no spaces)
 *
 * where the three ids are `JSON.stringify`'d (self-delimiting and injective, so no id can bleed
 * into the next one whatever it contains) and the kwargs object is appended only when it has at
 * least one key. Every value is written in a small grammar that a parser could read back
 * unambiguously, which is what makes the encoding injective:
 *
 *     string      "..." (JSON.stringify)           number     String(n): 42, -1.5, NaN, Infinity
 *     bigint      42n                              boolean    true / false
 *     null        null                             undefined  undefined
 *     array       [v,v]  (holes read as undefined) object     {"k":v,"k2":v}  keys sorted
 *     Map         M{k=>v,k=>v}  pairs sorted       Set        S{v,v}  members sorted
 *     Date        D(<epoch ms>)  or  D(NaN)        typed      Uint8Array(<base64 of the bytes>)
 *     toJSON()    @Name(<encoded toJSON() result>), the name JSON.stringify'd unless it is a plain
 *                 ASCII identifier
 *
 * Strings are the only values that can contain arbitrary characters and they are always quoted
 * and escaped, so text that looks like structure (`","`, `M{`, `undefined`, `@X(`) never is.
 * Sorting (object keys, Map pairs, Set members) compares the encoded text with `<`, i.e. UTF-16
 * code-unit order, so the key does not depend on insertion order and is the same in every
 * process. Map pairs and Set members are compared as whole encoded entries, so two entries whose
 * keys encode alike (two distinct `{}` keys) still sort deterministically.
 *
 * Deliberate equalities: `-0` and `0` give the same key (`String(-0)` is `'0'`, and Map and Set
 * already treat them as one), and an array hole keys like `undefined`. Typed arrays are keyed by
 * their raw bytes, so multi-byte element types depend on the platform's byte order (every platform
 * Node ships for is little-endian).
 *
 * A raw key always starts with `"`. When it is longer than 512 characters (UTF-16 code units) the
 * key is `#` + base64url(sha256(raw key)) instead, so raw and digested keys cannot collide. The
 * raw key is well-formed UTF-16 (JSON.stringify escapes lone surrogates), so hashing its UTF-8
 * bytes loses nothing.
 *
 * Error paths (`CacheKeyError.path`) use JavaScript accessor notation for arrays and objects
 * (`args[1].filters[0]`, `kwargs.page`, `args[0]["not an identifier"]`), and for the rest:
 * a Map value `.get(<encoded key>)` (`args[0].get("k")`), a Map key `<map key 2>` and a Set
 * member `<set member 2>` (both counted in iteration order from 0), and the result of a
 * `toJSON()` call `.toJSON()`. Paths are built only when something fails: each container catches
 * the failure on its way up and prepends its own step, so the success path never concatenates one.
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
  ].map((type): [object, string] => [type.prototype, type.name]),
);

const propertyIsEnumerable = Object.prototype.propertyIsEnumerable;

/**
 * Thrown inside the encoder when a value cannot be keyed. Each enclosing container prepends its
 * step to `path` as the failure passes through, and the entry point turns it into a
 * {@link CacheKeyError}. A private class, so a user `toJSON()` can never throw one.
 */
class Unkeyable {
  path = '';
  constructor(readonly reason: string) {}
}

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
  try {
    return encodeValue(value, undefined);
  } catch (error) {
    throw toPublicError(error, path);
  }
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
 *   says which (`'userId'`, `'args[1].filters[0]'`, `'kwargs.page'`).
 */
export function buildCacheKey(
  funcName: string,
  userId: string,
  taskId: string,
  args: readonly unknown[],
  kwargs?: Record<string, unknown>,
): string {
  let key =
    encodeId(funcName, 'funcName') +
    encodeId(userId, 'userId') +
    encodeId(taskId, 'taskId') +
    encodeArgs(args);
  if (kwargs !== undefined) {
    const encodedKwargs = encodeKeyPart(kwargs, 'kwargs');
    if (encodedKwargs !== '{}') key += encodedKwargs;
  }
  return key.length > MAX_RAW_KEY_LENGTH
    ? '#' + createHash('sha256').update(key).digest('base64url')
    : key;
}

/**
 * Like {@link buildCacheKey} without kwargs, but returns `undefined` instead of throwing, whatever
 * the error (a `CacheKeyError`, or one thrown by a user getter or `toJSON()`). Meant for the hot
 * path of a decorated call, where an unkeyable call simply runs uncached.
 */
export function tryBuildCacheKey(
  funcName: string,
  userId: string,
  taskId: string,
  args: readonly unknown[],
): string | undefined {
  try {
    return buildCacheKey(funcName, userId, taskId, args);
  } catch {
    return undefined;
  }
}

function encodeId(id: string, name: string): string {
  if (typeof id !== 'string') throw new CacheKeyError(name, `a ${typeof id}, not a string`);
  return quote(id);
}

/** The top-level argument list, encoded like an array; accepts any array-like (`arguments`). */
function encodeArgs(args: readonly unknown[]): string {
  try {
    return encodeItems(args, undefined);
  } catch (error) {
    throw toPublicError(error, 'args');
  }
}

function toPublicError(error: unknown, root: string): unknown {
  return error instanceof Unkeyable ? new CacheKeyError(root + error.path, error.reason) : error;
}

/**
 * `ancestors` holds the containers currently being encoded around `value`, for cycle detection.
 * It stays `undefined` until the first container is entered, so primitives allocate nothing, and
 * it is owned by one top-level call: a re-entrant call (a `toJSON()` that builds a key itself)
 * starts with its own.
 */
function encodeValue(value: unknown, ancestors: object[] | undefined): string {
  // Ordered by how common each type is in arguments.
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'object') return value === null ? 'null' : encodeObject(value, ancestors);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return String(value) + 'n';
  throw new Unkeyable(typeof value === 'function' ? 'a function' : 'a symbol');
}

function encodeObject(object: object, ancestors: object[] | undefined): string {
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto === Object.prototype || proto === null) {
    const stack = enter(object, ancestors);
    const encoded = encodePlainObject(object as Record<string, unknown>, stack);
    stack.pop();
    return encoded;
  }
  if (proto === Array.prototype) {
    const stack = enter(object, ancestors);
    const encoded = encodeItems(object as unknown[], stack);
    stack.pop();
    return encoded;
  }
  if (proto === Map.prototype) {
    const stack = enter(object, ancestors);
    const encoded = encodeMap(object as Map<unknown, unknown>, stack);
    stack.pop();
    return encoded;
  }
  if (proto === Set.prototype) {
    const stack = enter(object, ancestors);
    const encoded = encodeSet(object as Set<unknown>, stack);
    stack.pop();
    return encoded;
  }
  // Checked before toJSON(): Date and Buffer have one, but it loses the type (and, for an invalid
  // Date, the value).
  if (proto === Date.prototype) return 'D(' + String((object as Date).getTime()) + ')';
  const typedArrayName = TYPED_ARRAY_NAMES.get(proto as object);
  if (typedArrayName !== undefined) {
    const view = object as ArrayBufferView;
    const bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    return typedArrayName + '(' + bytes.toString('base64') + ')';
  }
  return encodeInstance(object, proto as object, ancestors);
}

/** Pushes `object` on the ancestor stack (creating it if needed), rejecting a cycle. */
function enter(object: object, ancestors: object[] | undefined): object[] {
  if (ancestors === undefined) return [object];
  if (ancestors.includes(object)) {
    throw new Unkeyable('a circular reference (an object that contains itself)');
  }
  ancestors.push(object);
  return ancestors;
}

function encodeItems(items: ArrayLike<unknown>, ancestors: object[] | undefined): string {
  const length = items.length;
  if (length === 0) return '[]';
  let index = 0;
  try {
    let encoded = '[' + encodeValue(items[0], ancestors);
    for (index = 1; index < length; index++) encoded += ',' + encodeValue(items[index], ancestors);
    return encoded + ']';
  } catch (error) {
    throw prependStep(error, '[' + index + ']');
  }
}

function encodePlainObject(object: Record<string, unknown>, ancestors: object[]): string {
  const keys = Object.keys(object);
  if (hasEnumerableSymbolKey(object)) {
    throw new Unkeyable('an object with symbol keys, which a cache key cannot represent');
  }
  const length = keys.length;
  if (length === 0) return '{}';
  if (length > 1) sortTexts(keys);
  let index = 0;
  try {
    let encoded = '{' + quote(keys[0]) + ':' + encodeValue(object[keys[0]], ancestors);
    for (index = 1; index < length; index++) {
      const key = keys[index];
      encoded += ',' + quote(key) + ':' + encodeValue(object[key], ancestors);
    }
    return encoded + '}';
  } catch (error) {
    throw prependStep(error, propertyStep(keys[index]));
  }
}

function hasEnumerableSymbolKey(object: object): boolean {
  const symbols = Object.getOwnPropertySymbols(object);
  for (let i = 0; i < symbols.length; i++) {
    if (propertyIsEnumerable.call(object, symbols[i])) return true;
  }
  return false;
}

function encodeMap(map: Map<unknown, unknown>, ancestors: object[]): string {
  const pairs: string[] = [];
  let key: string | undefined;
  try {
    for (const [k, v] of map) {
      key = undefined;
      key = encodeValue(k, ancestors);
      pairs.push(key + '=>' + encodeValue(v, ancestors));
    }
  } catch (error) {
    const step = key === undefined ? '<map key ' + pairs.length + '>' : '.get(' + key + ')';
    throw prependStep(error, step);
  }
  return 'M{' + sortAndJoin(pairs) + '}';
}

function encodeSet(set: Set<unknown>, ancestors: object[]): string {
  const members: string[] = [];
  try {
    for (const member of set) members.push(encodeValue(member, ancestors));
  } catch (error) {
    throw prependStep(error, '<set member ' + members.length + '>');
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
function encodeInstance(object: object, proto: object, ancestors: object[] | undefined): string {
  const instance = object as { then?: unknown; toJSON?: unknown };
  // A pending result is not data, whatever its toJSON() says; neither is an Error.
  if (typeof instance.then === 'function') throw new Unkeyable('a Promise or other thenable');
  if (object instanceof Error) throw new Unkeyable('an Error');
  const name = constructorName(proto);
  if (typeof instance.toJSON !== 'function') {
    if (object instanceof WeakMap || object instanceof WeakSet) {
      throw new Unkeyable(`a ${name}, whose contents cannot be listed`);
    }
    throw new Unkeyable(`an instance of ${name || 'an anonymous class'} without toJSON()`);
  }
  const stack = enter(object, ancestors);
  let encoded: string;
  try {
    // The ancestor stack catches a toJSON() that returns (or contains) the instance itself.
    encoded = encodeValue(instance.toJSON(), stack);
  } catch (error) {
    throw prependStep(error, '.toJSON()');
  }
  stack.pop();
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

function prependStep(error: unknown, step: string): unknown {
  if (error instanceof Unkeyable) error.path = step + error.path;
  return error;
}

function propertyStep(key: string): string {
  return isIdentifier(key) ? '.' + key : '[' + quote(key) + ']';
}

/** ASCII letters, digits, `_` and `$`, not starting with a digit (and not empty). */
function isIdentifier(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const isLetter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36;
    if (!isLetter && (i === 0 || c < 48 || c > 57)) return false;
  }
  return true;
}
