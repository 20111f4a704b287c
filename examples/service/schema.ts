import type { Pool } from 'pg';

/** One row of the example's table: items belong to a tenant, and ids repeat across tenants. */
export interface Item {
  tenant: string;
  id: number;
  name: string;
  price: number;
  /** Bumped by every write: a read after a write must see at least the write's version. */
  version: number;
}

/** The tenants' names: `t0` to `t<count - 1>`. */
export const tenantName = (index: number): string => `t${index}`;

/**
 * Creates the table and its seed data (`tenants` x `itemsPerTenant` rows) in one statement each,
 * unless a previous run left the same seed: a restart keeps the writes made since.
 */
export async function ensureSchema(
  pool: Pool,
  tenants: number,
  itemsPerTenant: number,
): Promise<void> {
  await pool.query(`CREATE TABLE IF NOT EXISTS items (
    tenant text NOT NULL,
    id integer NOT NULL,
    name text NOT NULL,
    price integer NOT NULL,
    version integer NOT NULL DEFAULT 1,
    PRIMARY KEY (tenant, id)
  )`);
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM items');
  if (Number(rows[0].n) === tenants * itemsPerTenant) return;
  await pool.query('TRUNCATE items');
  await pool.query(
    `INSERT INTO items (tenant, id, name, price)
     SELECT 't' || t, i, 'item ' || i || ' of t' || t, (t * 7 + i * 13) % 1000
     FROM generate_series(0, $1 - 1) AS t, generate_series(1, $2) AS i`,
    [tenants, itemsPerTenant],
  );
}
