/** What an entry is indexed by. */
export interface EntryLabels {
  readonly operation: string;
  /** '' for an entry of no tenant. */
  readonly tenant: string;
  readonly tags: readonly string[];
}

/**
 * An entry as the index keeps it: its key and labels, and its links in the list of its operation
 * and in the list of its tenant. The links live in the entry itself (an intrusive list), so
 * indexing costs four fields per entry instead of a membership in two Sets (~100 B per entry).
 */
export interface IndexedEntry extends EntryLabels {
  readonly key: string;
  operationPrev: IndexedEntry | undefined;
  operationNext: IndexedEntry | undefined;
  tenantPrev: IndexedEntry | undefined;
  tenantNext: IndexedEntry | undefined;
}

/**
 * Which keys each operation, tenant and tag holds, so an invalidation by one of them drops its
 * entries without walking the whole store. Updated when an entry is written and when the store
 * lets it go (evicted, expired, replaced or deleted), so it never names a key the store lost.
 * Operations and tenants are doubly linked lists through the entries; tags, which few entries
 * carry, are sets of keys.
 */
export class EntryIndex {
  private readonly operations = new Map<string, IndexedEntry>();
  private readonly tenants = new Map<string, IndexedEntry>();
  private readonly tags = new Map<string, Set<string>>();

  add(entry: IndexedEntry): void {
    if (entry.operation) {
      const head = this.operations.get(entry.operation);
      entry.operationNext = head;
      if (head) head.operationPrev = entry;
      this.operations.set(entry.operation, entry);
    }
    if (entry.tenant) {
      const head = this.tenants.get(entry.tenant);
      entry.tenantNext = head;
      if (head) head.tenantPrev = entry;
      this.tenants.set(entry.tenant, entry);
    }
    for (const tag of entry.tags) {
      const keys = this.tags.get(tag);
      if (keys) keys.add(entry.key);
      else this.tags.set(tag, new Set([entry.key]));
    }
  }

  remove(entry: IndexedEntry): void {
    if (entry.operation) {
      const { operationPrev: prev, operationNext: next } = entry;
      if (prev) prev.operationNext = next;
      else if (this.operations.get(entry.operation) === entry)
        this.unhead(this.operations, entry.operation, next);
      if (next) next.operationPrev = prev;
      entry.operationPrev = entry.operationNext = undefined;
    }
    if (entry.tenant) {
      const { tenantPrev: prev, tenantNext: next } = entry;
      if (prev) prev.tenantNext = next;
      else if (this.tenants.get(entry.tenant) === entry)
        this.unhead(this.tenants, entry.tenant, next);
      if (next) next.tenantPrev = prev;
      entry.tenantPrev = entry.tenantNext = undefined;
    }
    for (const tag of entry.tags) {
      const keys = this.tags.get(tag);
      if (!keys) continue;
      keys.delete(entry.key);
      // An empty set would keep every tag ever seen alive.
      if (keys.size === 0) this.tags.delete(tag);
    }
  }

  /** The keys under `name` (a copy: the caller deletes them, which changes the index). */
  keysOf(kind: 'operation' | 'tenant' | 'tag', name: string): string[] {
    if (kind === 'tag') return [...(this.tags.get(name) ?? [])];
    const keys: string[] = [];
    if (kind === 'operation') {
      for (let e = this.operations.get(name); e; e = e.operationNext) keys.push(e.key);
    } else {
      for (let e = this.tenants.get(name); e; e = e.tenantNext) keys.push(e.key);
    }
    return keys;
  }

  clear(): void {
    this.operations.clear();
    this.tenants.clear();
    this.tags.clear();
  }

  /** Makes `next` the head of `name`'s list, or forgets the name once its list is empty. */
  private unhead(
    heads: Map<string, IndexedEntry>,
    name: string,
    next: IndexedEntry | undefined,
  ): void {
    if (next) heads.set(name, next);
    else heads.delete(name);
  }
}
