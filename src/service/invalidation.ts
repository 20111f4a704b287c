import type { Invalidation } from '../cache/store';
import { checkName, checkString, fail } from '../validation';
import type { ServiceCore } from './service-core';

/**
 * Drops what `what` names in every tier and every process (only here once closed: the shared
 * tier's connections are gone); resolves with the number of entries dropped in this process.
 */
export async function invalidate(core: ServiceCore, what: Invalidation): Promise<number> {
  const { cache } = core;
  if (!cache) return 0;
  const dropped = core.closed ? cache.dropLocal(what) : await cache.invalidate(what);
  core.report.invalidated(what, dropped, 'local');
  return dropped;
}

/** The invalidations the service's methods name, their arguments checked (callers may be JS). */
export const invalidations = {
  key(key: string): Invalidation {
    checkString('key', key);
    return { kind: 'key', key };
  },
  operation(name: string): Invalidation {
    checkName('name', name);
    return { kind: 'operation', name };
  },
  tenant(userId: string): Invalidation {
    checkName('userId', userId);
    return { kind: 'tenant', id: userId };
  },
  tags(tags: readonly string[]): Invalidation {
    if (!Array.isArray(tags)) fail('tags', tags, 'an array of tag strings');
    const copy = (tags as readonly string[]).slice();
    copy.forEach((tag, i) => checkName(`tags[${i}]`, tag));
    return { kind: 'tags', tags: copy };
  },
};
