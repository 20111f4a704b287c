import Redis, { type RedisOptions } from 'ioredis';
import { createConnection } from 'node:net';
import { describeRedis, startRedis, type RedisServer } from './redis-server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether nothing listens on `port` any more (the connection is refused). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/** Runs `fn` with a connected client, disconnected afterwards whatever happens. */
async function withClient<T>(
  server: RedisServer,
  fn: (redis: Redis) => Promise<T>,
  options: RedisOptions = {},
): Promise<T> {
  const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1, ...options });
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

describeRedis('startRedis', () => {
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedis();
  });

  afterAll(() => server.stop());

  it('runs a server of its own at its url, never on 6379, persisting nothing', async () => {
    expect(server.port).not.toBe(6379);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    await withClient(server, async (redis) => {
      await redis.set('k', 'v');
      expect(await redis.get('k')).toBe('v');
      expect(await redis.config('GET', 'save')).toEqual(['save', '']);
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    });
  });

  it('pause() hangs commands on open connections; resume() answers them', async () => {
    await withClient(server, async (patient) => {
      await withClient(
        server,
        async (timed) => {
          server.pause();
          let answered = false;
          const ping = patient.ping().finally(() => (answered = true));
          const timedOut = expect(timed.ping()).rejects.toThrow('Command timed out');
          await sleep(200);
          await timedOut;
          expect(answered).toBe(false);

          server.resume();
          await expect(ping).resolves.toBe('PONG');
          await expect(timed.ping()).resolves.toBe('PONG');
        },
        { commandTimeout: 100 },
      );
    });
  });

  it('kill() takes it down; restart() brings it back empty on the same port', async () => {
    const { port } = server;
    await withClient(server, (redis) => redis.set('k', 'v'));
    await expect(server.restart()).rejects.toThrow('still running');

    await server.kill();
    expect(await refused(port)).toBe(true);

    await server.restart();
    expect(server.port).toBe(port);
    await withClient(server, async (redis) => {
      expect(await redis.ping()).toBe('PONG');
      expect(await redis.get('k')).toBeNull();
    });
  });

  it('stop() ends even a paused server, and again does nothing', async () => {
    const other = await startRedis();
    expect(other.port).not.toBe(server.port);
    other.pause();
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    expect(await refused(other.port)).toBe(true);
    expect(() => other.pause()).toThrow('not running');
  });
});

describe('describeRedis without redis-server on PATH', () => {
  interface Registered {
    readonly how: 'describe' | 'skip';
    readonly name: string;
    readonly fn: () => void;
  }

  const ci = process.env.CI;
  afterEach(() => {
    if (ci === undefined) delete process.env.CI;
    else process.env.CI = ci;
    jest.restoreAllMocks();
  });

  /** The module as loaded where `redis-server --version` cannot run. */
  async function withoutBinary(): Promise<typeof import('./redis-server')> {
    let loaded: typeof import('./redis-server') | undefined;
    await jest.isolateModulesAsync(async () => {
      jest.doMock('node:child_process', () => ({
        ...jest.requireActual('node:child_process'),
        spawnSync: () => ({ status: null, error: new Error('spawnSync redis-server ENOENT') }),
      }));
      loaded = await import('./redis-server');
    });
    return loaded!;
  }

  /** What `run` registers with `describe`, caught instead of declared (a test cannot nest one). */
  function registered(run: () => void): Registered[] {
    const seen: Registered[] = [];
    const real = global.describe;
    global.describe = Object.assign(
      (name: string, fn: () => void) => seen.push({ how: 'describe', name, fn }),
      { skip: (name: string, fn: () => void) => seen.push({ how: 'skip', name, fn }) },
    ) as unknown as jest.Describe;
    try {
      run();
    } finally {
      global.describe = real;
    }
    return seen;
  }

  it('skips the suite outside CI, with one line saying how to enable it', async () => {
    delete process.env.CI;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const module = await withoutBinary();
    expect(module.redisAvailable).toBe(false);
    const body = jest.fn();

    expect(registered(() => module.describeRedis('suite', body))).toEqual([
      { how: 'skip', name: 'suite', fn: body },
    ]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain('apt-get install redis-server');
  });

  it('fails the suite in CI with a test that says why', async () => {
    process.env.CI = 'true';
    const module = await withoutBinary();
    const body = jest.fn();
    const [suite] = registered(() => module.describeRedis('suite', body));
    expect(suite?.how).toBe('describe');

    const tests: (() => void)[] = [];
    const realIt = global.it;
    global.it = ((_: string, test: () => void) => tests.push(test)) as unknown as jest.It;
    try {
      suite?.fn();
    } finally {
      global.it = realIt;
    }
    expect(body).not.toHaveBeenCalled();
    expect(tests).toHaveLength(1);
    expect(tests[0]).toThrow(/redis-server is not on PATH.*apt-get install redis-server/);
  });
});
