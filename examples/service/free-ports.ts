import { createServer } from 'node:net';

/**
 * The service's ports, and by default those of the servers its tests start: below the kernel's
 * ephemeral range (32768 up), where the outgoing connections of the suites running beside them
 * land, and clear of the Redis suites' ranges (cluster nodes 12000-17000, their buses
 * 22000-27000, single servers 27000 up).
 */
const PORTS_FROM = 17_000;
const PORTS_SPAN = 5_000;

/**
 * The first of `count` consecutive ports that were all free when probed, drawn from `span` ports
 * starting at `from`.
 */
export async function freePorts(
  count: number,
  from = PORTS_FROM,
  span = PORTS_SPAN,
): Promise<number> {
  for (;;) {
    const base = from + Math.floor(Math.random() * (span - count));
    let free = true;
    for (let port = base; free && port < base + count; port++) free = await isFree(port);
    if (free) return base;
  }
}

/** Whether nothing listens on `port` of 127.0.0.1 now (a probe binds it and lets it go). */
export function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
