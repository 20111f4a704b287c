import type { DependencyContainer } from 'tsyringe';
import type { Rng } from './rng';
import {
  CATALOG_TTL_MS,
  Catalog,
  Exports,
  Legacy,
  Payments,
  REPORTS_TTL_MS,
  Reports,
  Search,
  type View,
} from './services';
import type { Stamp } from './stamp';

/** One call about to be made: its arguments, and how to make it. */
export interface Call {
  readonly args: readonly unknown[];
  readonly invoke: () => Promise<Stamp>;
}

export interface Operation {
  readonly name: string;
  /** Share of the calls, relative to the other operations' weights. */
  readonly weight: number;
  /** How old a result may be when its call starts: the TTL of a cached operation, else 0. */
  readonly maxAgeMs: number;
  prepare(rng: Rng): Call;
}

/** Every operation of the soak, its services resolved from `container` like an application's. */
export function operations(container: DependencyContainer): Operation[] {
  const catalog = container.resolve(Catalog);
  const reports = container.resolve(Reports);
  const search = container.resolve(Search);
  const legacy = container.resolve(Legacy);
  const payments = container.resolve(Payments);
  const exports = container.resolve(Exports);
  return [
    {
      name: 'Catalog.item',
      weight: 35,
      maxAgeMs: CATALOG_TTL_MS,
      prepare(rng) {
        // 7 and '7', { page } and { page, lang: undefined } must all be different entries.
        const n = rng.skewed(8);
        const id = rng.chance(0.5) ? n : String(n);
        const view: View = rng.chance(0.5) ? { page: rng.int(2) } : { page: 0, lang: undefined };
        return { args: [id, view], invoke: () => catalog.item(id, view) };
      },
    },
    {
      name: 'Reports.monthly',
      weight: 20,
      maxAgeMs: REPORTS_TTL_MS,
      prepare(rng) {
        const month = 1 + rng.skewed(12);
        return { args: [month], invoke: () => reports.monthly(month) };
      },
    },
    {
      name: 'Search.query',
      weight: 15,
      maxAgeMs: 0,
      prepare(rng) {
        const text = `q${rng.int(100)}`;
        const page = rng.int(3);
        return { args: [text, page], invoke: () => search.query(text, page) };
      },
    },
    {
      name: 'Legacy.fetch',
      weight: 10,
      maxAgeMs: 0,
      prepare(rng) {
        const id = rng.int(1000);
        return { args: [id], invoke: () => legacy.fetch(id) };
      },
    },
    {
      name: 'Payments.charge',
      weight: 12,
      maxAgeMs: 0,
      prepare(rng) {
        const cents = rng.between(1, 100_000);
        return { args: [cents], invoke: () => payments.charge(cents) };
      },
    },
    {
      name: 'Exports.render',
      weight: 8,
      maxAgeMs: 0,
      prepare(rng) {
        const id = rng.int(1000);
        return { args: [id], invoke: () => exports.render(id) };
      },
    },
  ];
}

/** Picks an operation in proportion to its weight. */
export function pickOperation(ops: readonly Operation[], rng: Rng): Operation {
  const total = ops.reduce((sum, op) => sum + op.weight, 0);
  let at = rng.next() * total;
  for (const op of ops) {
    at -= op.weight;
    if (at < 0) return op;
  }
  return ops[ops.length - 1];
}
