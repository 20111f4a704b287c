import type { EntryLabels } from './store';

/** An entry as a group lists it: its key, and its neighbours in the group's list. */
export interface GroupMember {
  readonly key: string;
  readonly group: LabelGroup;
  prev: GroupMember | undefined;
  next: GroupMember | undefined;
}

/**
 * The entries that share one set of labels (operation, tenant, tags), linked through the entries
 * themselves: joining or leaving costs a few pointer writes, and each entry two links. Untagged
 * entries of one operation and tenant share one group; a tagged entry has a group of its own.
 */
export class LabelGroup implements EntryLabels {
  head: GroupMember | undefined = undefined;

  constructor(
    readonly operation: string,
    readonly tenant: string,
    readonly tags: readonly string[],
  ) {}
}

const NO_TAGS: readonly string[] = [];

/**
 * The groups with at least one entry, by operation, tenant and tag, so an invalidation by one of
 * them finds its entries without walking the store (lru-cache iterates at ~1 µs per entry: a
 * million entries would block the process for a second). A group is indexed while it has
 * members, so the index holds no more groups than the store holds entries.
 */
export class LabelGroups {
  /** Untagged groups by operation, then tenant: the ones entries share. */
  private readonly shared = new Map<string, Map<string, LabelGroup>>();
  private readonly byOperation = new Map<string, Set<LabelGroup>>();
  private readonly byTenant = new Map<string, Set<LabelGroup>>();
  private readonly byTag = new Map<string, Set<LabelGroup>>();

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

  join(member: GroupMember): void {
    const { group } = member;
    if (group.head === undefined) this.index(group);
    else group.head.prev = member;
    member.next = group.head;
    group.head = member;
  }

  leave(member: GroupMember): void {
    const { group, prev, next } = member;
    if (prev) prev.next = next;
    else if (group.head === member) group.head = next;
    else return; // not a member (never joined, or already left)
    if (next) next.prev = prev;
    member.prev = member.next = undefined;
    if (group.head === undefined) this.unindex(group);
  }

  /** The keys of the entries `kind` `name` reaches (a copy: the caller deletes them). */
  keysOf(kind: 'operation' | 'tenant' | 'tag', name: string): string[] {
    const map =
      kind === 'operation' ? this.byOperation : kind === 'tenant' ? this.byTenant : this.byTag;
    const keys: string[] = [];
    for (const group of map.get(name) ?? []) {
      for (let m = group.head; m; m = m.next) keys.push(m.key);
    }
    return keys;
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
