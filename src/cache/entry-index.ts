/**
 * Which keys each operation, tenant and tag holds, so an invalidation by one of them drops its
 * entries without walking the whole store. Updated when an entry is written and when the store
 * lets it go (evicted, expired, replaced or deleted), so it never names a key the store lost.
 */
export class EntryIndex {
  private readonly byOperation = new Map<string, Set<string>>();
  private readonly byTenant = new Map<string, Set<string>>();
  private readonly byTag = new Map<string, Set<string>>();

  add(key: string, labels: EntryLabels): void {
    if (labels.operation) join(this.byOperation, labels.operation, key);
    if (labels.tenant) join(this.byTenant, labels.tenant, key);
    for (const tag of labels.tags) join(this.byTag, tag, key);
  }

  remove(key: string, labels: EntryLabels): void {
    if (labels.operation) leave(this.byOperation, labels.operation, key);
    if (labels.tenant) leave(this.byTenant, labels.tenant, key);
    for (const tag of labels.tags) leave(this.byTag, tag, key);
  }

  /** A copy of the keys under `name` (the caller deletes them, which changes the index). */
  keysOf(kind: 'operation' | 'tenant' | 'tag', name: string): string[] {
    const map =
      kind === 'operation' ? this.byOperation : kind === 'tenant' ? this.byTenant : this.byTag;
    const keys = map.get(name);
    return keys ? [...keys] : [];
  }

  clear(): void {
    this.byOperation.clear();
    this.byTenant.clear();
    this.byTag.clear();
  }
}

/** What an entry is indexed by. */
export interface EntryLabels {
  readonly operation: string;
  /** '' for an entry of no tenant. */
  readonly tenant: string;
  readonly tags: readonly string[];
}

function join(map: Map<string, Set<string>>, name: string, key: string): void {
  const keys = map.get(name);
  if (keys) keys.add(key);
  else map.set(name, new Set([key]));
}

function leave(map: Map<string, Set<string>>, name: string, key: string): void {
  const keys = map.get(name);
  if (!keys) return;
  keys.delete(key);
  // An empty set would keep every tenant or tag ever seen alive.
  if (keys.size === 0) map.delete(name);
}
