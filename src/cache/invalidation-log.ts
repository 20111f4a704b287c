import type { EntryLabels, Invalidation } from './store';

/** Names remembered before the log forgets them and treats every older load as invalidated. */
const MAX_REMEMBERED = 4096;

/**
 * Lets a load tell whether something invalidated its entry while it ran, so it does not write an
 * older result back: a load takes a `stamp()` when it starts and asks `covers()` before it saves.
 * Each key, operation, tenant and tag invalidated is remembered with the invalidation's number;
 * past {@link MAX_REMEMBERED} names the log forgets them all and raises a floor instead, below which
 * every load counts as invalidated (a few loads are then not cached: safe, and bounded memory).
 */
export class InvalidationLog {
  private generation = 0;
  /** Loads stamped below this started before an invalidation the log no longer details. */
  private floor = 0;
  private readonly last = new Map<string, number>();

  stamp(): number {
    return this.generation;
  }

  record(what: Invalidation): void {
    const generation = ++this.generation;
    if (what.kind === 'all' || this.last.size >= MAX_REMEMBERED) {
      this.last.clear();
      this.floor = generation;
      return;
    }
    if (what.kind === 'key') this.last.set(`k:${what.key}`, generation);
    else if (what.kind === 'operation') this.last.set(`o:${what.name}`, generation);
    else if (what.kind === 'tenant') this.last.set(`u:${what.id}`, generation);
    else for (const tag of what.tags) this.last.set(`t:${tag}`, generation);
  }

  /** Whether an invalidation since `stamp` reached the entry `key` with these labels. */
  covers(stamp: number, key: string, labels: EntryLabels): boolean {
    if (stamp === this.generation) return false;
    if (stamp < this.floor) return true;
    const after = (name: string): boolean => (this.last.get(name) ?? 0) > stamp;
    return (
      after(`k:${key}`) ||
      after(`o:${labels.operation}`) ||
      (labels.tenant !== '' && after(`u:${labels.tenant}`)) ||
      labels.tags.some((tag) => after(`t:${tag}`))
    );
  }
}
