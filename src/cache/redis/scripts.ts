import { Script } from './redis-client';

/**
 * The tier's atomic steps. A script touches the keys of one cache key (value, fence, lock, which
 * share a Cluster hash slot: see redis-keys.ts) or one index set; CLAIM and WRITE also take many
 * cache keys at once, which a single server (not a Cluster) runs in one round trip. Fencing tokens are the server's
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
 * Claims keys, many in one round trip. KEYS: value, lock and fence of each key, in threes. ARGV:
 * lock TTL ms ('0': take no lock), then two per key: its lock token, and the version (the fence
 * its writer left) of a value that does not count ('': any value counts; an early refresh passes
 * the version of the copy it replaces, which then reads as absent). Returns four items per key:
 * 'entry', payload, PTTL, version ('' if none) when a value counts; 'lease', fence, 0, '' when
 * this caller took the lock; else 'busy', fence, 0, '': another holds it (or no lock was asked
 * for), and a write by this caller is fenced by the time it asked. Many keys go together only
 * where one server holds them all (not across a Cluster's slots).
 */
export const CLAIM = new Script(`
${NOW_US}
local replies = {}
for i = 1, #KEYS, 3 do
  local a = (i - 1) / 3 * 2 + 1
  local payload = redis.call('GET', KEYS[i])
  local version = ''
  if payload then
    version = redis.call('GET', KEYS[i + 2]) or ''
    if ARGV[a + 2] ~= '' and version == ARGV[a + 2] then payload = false end
  end
  if payload then
    table.insert(replies, 'entry')
    table.insert(replies, payload)
    table.insert(replies, redis.call('PTTL', KEYS[i]))
    table.insert(replies, version)
  else
    local kind = 'busy'
    if ARGV[1] ~= '0' and redis.call('SET', KEYS[i + 1], ARGV[a + 1], 'NX', 'PX', ARGV[1]) then
      kind = 'lease'
    end
    table.insert(replies, kind)
    table.insert(replies, now)
    table.insert(replies, 0)
    table.insert(replies, '')
  end
end
return replies
`);

/**
 * Writes entries, many in one round trip. KEYS: value, fence and lock of each entry, in threes.
 * ARGV: four per entry: payload, PX ms ('0': no expiry), fence ('': as of now), lock token ('' if
 * none). Writes each entry unless its key's fence (of the value there, or of an invalidation) is
 * newer than its writer's, then releases the lock if the writer holds it. Returns 1 (written) or
 * 0 per entry.
 */
export const WRITE = new Script(`
${NOW_US}
local written = {}
for i = 1, #KEYS, 3 do
  local a = (i - 1) / 3 * 4
  local fence = ARGV[a + 3]
  if fence == '' then fence = now end
  local last = tonumber(redis.call('GET', KEYS[i + 1]) or '0')
  local ok = 0
  if tonumber(fence) >= last then
    if ARGV[a + 2] == '0' then
      redis.call('SET', KEYS[i], ARGV[a + 1])
      redis.call('SET', KEYS[i + 1], fence)
    else
      redis.call('SET', KEYS[i], ARGV[a + 1], 'PX', ARGV[a + 2])
      redis.call('SET', KEYS[i + 1], fence, 'PX', ARGV[a + 2])
    end
    ok = 1
  end
  if ARGV[a + 4] ~= '' and redis.call('GET', KEYS[i + 2]) == ARGV[a + 4] then
    redis.call('DEL', KEYS[i + 2])
  end
  table.insert(written, ok)
end
return written
`);

/**
 * One call of a shared rate limit (the sliding window of resilience/sliding-window.ts, on the
 * server's clock). KEYS: the budget's list of admission times, newest first, at most `limit`
 * long. ARGV: limit, interval ms, burst, burst span ms. Admits (pushes now, trims, keeps the list
 * for one interval) and returns '0', or returns the ms until a call would be admitted, as text
 * (a Lua number would be truncated to an integer).
 */
export const ADMIT = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local limit = tonumber(ARGV[1])
local burst = tonumber(ARGV[3])
local n = redis.call('LLEN', KEYS[1])
local wait = 0
if n >= limit then
  wait = tonumber(redis.call('LINDEX', KEYS[1], -1)) + tonumber(ARGV[2]) - now
end
if burst < limit and n >= burst then
  wait = math.max(wait, tonumber(redis.call('LINDEX', KEYS[1], burst - 1)) + tonumber(ARGV[4]) - now)
end
if wait > 0 then return string.format('%.3f', wait) end
redis.call('LPUSH', KEYS[1], string.format('%.3f', now))
redis.call('LTRIM', KEYS[1], 0, limit - 1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return '0'
`);

/**
 * KEYS: a shared breaker's trial key. ARGV: token, TTL ms. Takes (or, for its holder, extends)
 * the right to send the breaker's half-open trial. Returns 1 if the token holds it.
 */
export const CLAIM_TRIAL = new Script(`
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`);

/**
 * KEYS: a shared breaker's trial key. How many ms its claim has left: while one is held, some
 * process has the breaker open or half-open (a closing releases it). 0 when none is held.
 */
export const TRIAL_LEFT = new Script(`
local left = redis.call('PTTL', KEYS[1])
if left < 0 then return 0 end
return left
`);

/** KEYS: lock. ARGV: token. Releases the lock if the token still holds it. */
export const RELEASE = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

/**
 * KEYS: lock. ARGV: token, TTL ms. Extends the lock while its holder's load runs, if the token
 * still holds it. Returns 1 if extended.
 */
export const RENEW = new Script(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
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
 * ARGV: pairs of member and PX ms ('0': the entry never expires). Prunes the members whose entries
 * have expired, so a set in steady use does not grow with every key it ever held, adds the
 * members, and keeps the set as long as its longest-lived member (persistent if one never expires).
 */
export const INDEX = new Script(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', now))
for i = 1, #ARGV, 2 do
  if ARGV[i + 1] == '0' then
    redis.call('ZADD', KEYS[1], '+inf', ARGV[i])
  else
    redis.call('ZADD', KEYS[1], string.format('%.0f', now + tonumber(ARGV[i + 1])), ARGV[i])
  end
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
