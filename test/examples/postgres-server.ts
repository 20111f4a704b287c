import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../examples/service/free-ports';

/**
 * A PostgreSQL of a test's own: `initdb` in a temporary folder, `pg_ctl` on a free port, so a
 * test may stop and start it freely (never the machine's own). As root it runs as the
 * `postgres` user (initdb refuses root).
 */
export interface PostgresServer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:port/postgres */
  readonly url: string;
  /** Stops it fast (open connections are cut); `start()` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /**
   * SIGSTOPs the server and every backend: connections stay open and queries hang, as on a
   * database that stopped answering (not one that went away); `thaw()` lets them go on.
   */
  freeze(): void;
  thaw(): void;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

const HOW_TO_ENABLE =
  'install the PostgreSQL server (apt-get install postgresql): the service suites need initdb and pg_ctl';

/** The folder of initdb and pg_ctl (`pg_config --bindir`), or undefined without them. */
export const postgresBin: string | undefined = (() => {
  const found = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (found.status !== 0) return undefined;
  const bin = found.stdout.trim();
  const initdb = spawnSync(join(bin, 'initdb'), ['--version'], { stdio: 'ignore' });
  return initdb.status === 0 ? bin : undefined;
})();

/** `describe` when the server binaries are there; without them skipped, or failed with CI=true. */
export function describePostgres(name: string, fn: () => void): void {
  if (postgresBin) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs the PostgreSQL server binaries', () => {
        throw new Error(
          `initdb is not found (CI=true: the suite fails, not skips): ${HOW_TO_ENABLE}`,
        );
      });
    });
  } else {
    console.warn(`Skipping "${name}": ${HOW_TO_ENABLE}`);
    describe.skip(name, fn);
  }
}

/** `pid` and its descendants, parents first (from /proc: each process's parent is in its stat). */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    // "pid (command) state ppid ...": the command may hold spaces and parentheses.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(parent, [...(children.get(parent) ?? []), Number(name)]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** The uid and gid to run the server as: the postgres user's when this process is root. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number =>
    Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout);
  return { uid: id('-u'), gid: id('-g') };
}

function check(step: string, result: SpawnSyncReturns<string>): void {
  if (result.status !== 0) throw new Error(`${step} failed: ${result.stdout}${result.stderr}`);
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin;
  if (!bin) throw new Error(HOW_TO_ENABLE);
  const folder = mkdtempSync(join(tmpdir(), 'eu-pg-'));
  const as = owner();
  if (as) chownSync(folder, as.uid, as.gid);
  const data = join(folder, 'data');
  const run = (tool: string, args: string[]): SpawnSyncReturns<string> =>
    spawnSync(join(bin, tool), args, { encoding: 'utf8', ...as, cwd: folder });
  check(
    'initdb',
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']),
  );
  const port = await freePorts(1);
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = async (): Promise<void> => {
    // pg_ctl -w waits until the server accepts connections.
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        join(bin, 'pg_ctl'),
        ['-D', data, '-w', '-l', join(folder, 'log'), '-o', options, 'start'],
        {
          ...as,
          cwd: folder,
          stdio: 'ignore',
        },
      );
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`pg_ctl start: exit ${code}`)),
      );
    });
  };
  const stop = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      const child = spawn(join(bin, 'pg_ctl'), ['-D', data, '-w', '-m', 'immediate', 'stop'], {
        ...as,
        cwd: folder,
        stdio: 'ignore',
      });
      child.once('exit', () => resolve());
    });
  };
  await start();
  // The postmaster's pid is the first line of its pid file (there while it runs).
  const running = (): number[] => {
    try {
      return processTree(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]));
    } catch {
      return [];
    }
  };
  const thaw = (): void =>
    running()
      .reverse()
      .forEach((pid) => process.kill(pid, 'SIGCONT'));
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    // The postmaster first, so that it starts no backend the signal would miss; back in reverse.
    freeze: () => running().forEach((pid) => process.kill(pid, 'SIGSTOP')),
    thaw,
    async destroy() {
      // A frozen server would not stop (a test that failed between freeze and thaw).
      thaw();
      await stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
