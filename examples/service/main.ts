/**
 * The example service: `npm run example:service` (PostgreSQL and Redis on their local defaults;
 * see `service-config.ts` for the environment it reads). The primary creates the schema and seed
 * data, then runs WORKERS worker processes that share the API port, and restarts one that dies.
 */
import cluster from 'node:cluster';
import { Pool } from 'pg';
import { ensureSchema } from './schema';
import { configFromEnv } from './service-config';
import { runWorker } from './worker';

const config = configFromEnv();

async function primary(): Promise<void> {
  const pool = new Pool({ connectionString: config.databaseUrl });
  await ensureSchema(pool, config.tenants, config.itemsPerTenant);
  await pool.end();
  let stopping = false;
  let ready = 0;
  const start = (index: number): void => {
    const worker = cluster.fork({ WORKER_INDEX: String(index) });
    let served = false;
    worker.on('message', (message: unknown) => {
      if (message !== 'ready') return;
      served = true;
      if (++ready !== config.workers) return;
      const own = Array.from({ length: config.workers }, (_, i) => config.port + 1 + i);
      console.log(
        `service ready on http://127.0.0.1:${config.port} (cache: ${config.cache}; ` +
          `workers ${own.map((p) => `:${p}`).join(', ')}; ${process.pid})`,
      );
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      if (!served) {
        // It never started (a port taken, a database that is not there): starting it again would
        // fail the same way, forever. The service stops and says why.
        console.error(`worker ${index} failed to start (${signal ?? `exit ${code}`}); stopping`);
        stop();
        process.exitCode = 1;
        return;
      }
      // A worker that dies is replaced on its own port; the shared port keeps being served.
      start(index);
    });
  };
  for (let index = 0; index < config.workers; index++) start(index);
  const stop = (): void => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function worker(): Promise<void> {
  await runWorker(config, Number(process.env.WORKER_INDEX));
  process.send?.('ready');
}

(cluster.isPrimary ? primary() : worker()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
