import { NO_SLOT } from './lru-slots';
import type { EntryLabels } from './store';

/**
 * The entries that share one set of labels (operation, tenant, tags), as a list of store slots
 * linked through two arrays indexed by slot: joining or leaving costs a few integer writes, and
 * each entry two links. Untagged entries of one operation and tenant share one group; a tagged
 * entry has a group of its own.
 */
export class LabelGroup implements EntryLabels {
  head = NO_SLOT;

  constructor(
    readonly operation: string,
    readonly tenant: string,
    readonly tags: readonly string[],
  ) {}
}

const NO_TAGS: readonly string[] = [];

/**
 * The groups with at least one entry, by operation, tenant and tag, so an invalidation by one of
 * them finds its entries without walking the store (a million entries walked would block the
 * process for a second). A group is indexed while it has members, so the index holds no more
 * groups than the store holds entries.
 */
export class LabelGroups {
  /** Untagged groups by operation, then tenant: the ones entries share. */
  private readonly shared = new Map<string, Map<string, LabelGroup>>();
  private readonly byOperation = new Map<string, Set<LabelGroup>>();
  private readonly byTenant = new Map<string, Set<LabelGroup>>();
  private readonly byTag = new Map<string, Set<LabelGroup>>();
  /** Each member slot's group; undefined for a slot in no group. */
  private readonly groupOfSlot: (LabelGroup | undefined)[] = [];
  private readonly next: Int32Array;
  private readonly prev: Int32Array;

  /** @param slots how many store slots there are (the store's `max`). */
  constructor(slots: number) {
    this.next = new Int32Array(slots);
    this.prev = new Int32Array(slots);
  }

  /**
   * The group for these labels: the shared one when untagged and it has members, else a new one
   * (shared from its first member on, so a group whose entry the store refused is not kept).
   */
  groupOf(operation: string, tenant: string, tags: readonly string[]): LabelGroup {
    if (tags.length === 0) {
      const group = this.shared.get(operation)?.get(tenant);
      if (group) return group;
    }
    return new LabelGroup(operation, tenant, tags.length === 0 ? NO_TAGS : tags);
  }

  /** The group `slot` is in, if any. */
  labelsOf(slot: number): LabelGroup | undefined {
    return this.groupOfSlot[slot];
  }

  join(slot: number, group: LabelGroup): void {
    if (group.head === NO_SLOT) this.index(group);
    else this.prev[group.head] = slot;
    this.next[slot] = group.head;
    this.prev[slot] = NO_SLOT;
    group.head = slot;
    this.groupOfSlot[slot] = group;
  }

  /** Takes `slot` out of its group; a slot in none is left alone. */
  leave(slot: number): void {
    const group = this.groupOfSlot[slot];
    if (group === undefined) return;
    this.groupOfSlot[slot] = undefined;
    const prev = this.prev[slot];
    const next = this.next[slot];
    if (prev === NO_SLOT) group.head = next;
    else this.next[prev] = next;
    if (next !== NO_SLOT) this.prev[next] = prev;
    if (group.head === NO_SLOT) this.unindex(group);
  }

  /** The slots of the entries `kind` `name` reaches (a copy: the caller deletes them). */
  slotsOf(kind: 'operation' | 'tenant' | 'tag', name: string): number[] {
    const map =
      kind === 'operation' ? this.byOperation : kind === 'tenant' ? this.byTenant : this.byTag;
    const slots: number[] = [];
    for (const group of map.get(name) ?? []) {
      for (let slot = group.head; slot !== NO_SLOT; slot = this.next[slot]) slots.push(slot);
    }
    return slots;
  }

  /** Forgets every group at once (the store emptied every slot). */
  clear(): void {
    this.shared.clear();
    this.byOperation.clear();
    this.byTenant.clear();
    this.byTag.clear();
    this.groupOfSlot.length = 0;
  }

  /**
   * Names (operations, tenants, tags, shared groups) the index holds: 0 once every member has
   * left. Lets tests check that the index never outlives the entries it points to.
   */
  get names(): number {
    return this.shared.size + this.byOperation.size + this.byTenant.size + this.byTag.size;
  }

  /** Only groups of an operation are indexed: the store keeps the others out (see `put`). */
  private index(group: LabelGroup): void {
    add(this.byOperation, group.operation, group);
    if (group.tenant) add(this.byTenant, group.tenant, group);
    for (const tag of group.tags) add(this.byTag, tag, group);
    if (group.tags.length > 0) return;
    const tenants = this.shared.get(group.operation);
    if (tenants) tenants.set(group.tenant, group);
    else this.shared.set(group.operation, new Map([[group.tenant, group]]));
  }

  /** Forgets an empty group, the shared map's reference to it included. */
  private unindex(group: LabelGroup): void {
    remove(this.byOperation, group.operation, group);
    if (group.tenant) remove(this.byTenant, group.tenant, group);
    for (const tag of group.tags) remove(this.byTag, tag, group);
    // A tagged group is never the shared one: the check below lets it go.
    const tenants = this.shared.get(group.operation);
    if (tenants?.get(group.tenant) !== group) return;
    tenants.delete(group.tenant);
    if (tenants.size === 0) this.shared.delete(group.operation);
  }
}

function add(map: Map<string, Set<LabelGroup>>, name: string, group: LabelGroup): void {
  const groups = map.get(name);
  if (groups) groups.add(group);
  else map.set(name, new Set([group]));
}

function remove(map: Map<string, Set<LabelGroup>>, name: string, group: LabelGroup): void {
  const groups = map.get(name);
  if (!groups) return;
  groups.delete(group);
  if (groups.size === 0) map.delete(name);
}
