import { Script } from './redis-client';

/**
 * The tier's atomic steps. Every script touches the keys of ONE cache key only (value, fence,
 * lock), which share a Cluster hash slot (see redis-keys.ts). Fencing tokens are the server's
 * clock in microseconds (`TIME`), so they grow across processes without a counter key to keep.
 */

/**
 * The server's clock in µs as decimal text: a fencing token later than every one handed out
 * before. Formatted with %.0f: Lua's tostring keeps 14 digits, and a token has 16.
 */
const NOW_US = `local t = redis.call('TIME')
local now = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))`;

/** KEYS: value. Returns { payload or false, PTTL }. */
export const READ = new Script(`
local payload = redis.call('GET', KEYS[1])
if not payload then return {false, -2} end
return {payload, redis.call('PTTL', KEYS[1])}
`);

/**
 * KEYS: value, lock. ARGV: lock TTL ms ('0': take no lock), lock token.
 * Returns { 'entry', payload, PTTL } when the value is there, { 'lease', fence } when this caller
 * took the lock, else { 'busy', fence }: another holds it (or no lock was asked for), and a write
 * by this caller is fenced by the time it asked.
 */
export const CLAIM = new Script(`
local payload = redis.call('GET', KEYS[1])
if payload then return {'entry', payload, redis.call('PTTL', KEYS[1])} end
${NOW_US}
if ARGV[1] == '0' then return {'busy', now} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[1]) then return {'lease', now} end
return {'busy', now}
`);

/**
 * KEYS: value, fence, lock. ARGV: payload, PX ms ('0': no expiry), fence ('': as of now), lock
 * token ('' if none). Writes unless the key's fence (of the value there, or of an invalidation)
 * is newer than this writer's, then releases the lock if this writer holds it. Returns 1 if written.
 */
export const WRITE = new Script(`
local fence = ARGV[3]
if fence == '' then
  ${NOW_US}
  fence = now
end
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
local written = 0
if tonumber(fence) >= last then
  if ARGV[2] == '0' then
    redis.call('SET', KEYS[1], ARGV[1])
    redis.call('SET', KEYS[2], fence)
  else
    redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
    redis.call('SET', KEYS[2], fence, 'PX', ARGV[2])
  end
  written = 1
end
if ARGV[4] ~= '' and redis.call('GET', KEYS[3]) == ARGV[4] then redis.call('DEL', KEYS[3]) end
return written
`);

/** KEYS: lock. ARGV: token. Releases the lock if the token still holds it. */
export const RELEASE = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * KEYS: value, fence. ARGV: tombstone TTL ms. Drops the value and leaves a fence newer than any
 * load in flight, so none of them writes its older result back. Returns 1 if a value was dropped.
 */
export const DROP = new Script(`
${NOW_US}
local dropped = redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], now, 'PX', ARGV[1])
return dropped
`);

/**
 * KEYS: value, fence. ARGV: tombstone TTL ms, envelope field ('o', 't' or 'x'), name. DROP for a
 * member of an index set, unless the value there no longer carries that operation, tenant or tag:
 * a set keeps every key once written under its name, and the key may hold a newer entry labelled
 * otherwise. The labels come from the envelope's head (they precede the value `d`, see codec.ts;
 * `,"d":` cannot occur earlier, as a quote inside a JSON string is escaped), so the value itself
 * is never decoded here. A value whose labels cannot be read is dropped.
 */
export const DROP_LABELLED = new Script(`
local payload = redis.call('GET', KEYS[1])
if payload then
  local head = string.find(payload, ',"d":', 1, true)
  local ok, labels = pcall(cjson.decode, string.sub(payload, 1, (head or 1) - 1) .. '}')
  if ok and type(labels) == 'table' then
    local label = labels[ARGV[2]]
    local carries = label == ARGV[3]
    if type(label) == 'table' then
      for _, tag in ipairs(label) do
        if tag == ARGV[3] then carries = true end
      end
    end
    if not carries then return 0 end
  end
end
${NOW_US}
local dropped = redis.call('DEL', KEYS[1])
redis.call('SET', KEYS[2], now, 'PX', ARGV[1])
return dropped
`);

/**
 * KEYS: index set (a sorted set: member = cache key, score = when its entry expires, server ms).
 * ARGV: member, PX ms ('0': the entry never expires). Prunes the members whose entries have
 * expired, so a set in steady use does not grow with every key it ever held, adds the member, and
 * keeps the set as long as its longest-lived member (persistent if one never expires).
 */
export const INDEX = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
if ARGV[2] == '0' then
  redis.call('ZADD', KEYS[1], '+inf', ARGV[1])
else
  redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[2])), ARGV[1])
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] == 'inf' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(last[2]) - now))
end
return 1
`);

/**
 * KEYS: index set. Returns its members and deletes it, in one step: a key indexed after this
 * goes into a new set, never into one already being dropped.
 */
export const TAKE_INDEX = new Script(`
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return members
`);
