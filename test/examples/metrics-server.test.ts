import { get } from 'node:http';
import { startMetricsServer, type MetricsServer } from '../../examples/metrics-server';
import { expressions, metricNames } from './dashboard';

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

/** A GET over a fresh connection (no agent: nothing is left open after the test). */
function fetchText(url: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          body,
        }),
      );
    }).on('error', reject);
  });
}

interface Exposition {
  /** `# TYPE` lines: metric name to type. */
  types: Map<string, string>;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

/** Parses the Prometheus text format (enough of it for these checks). */
function parse(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Exposition['samples'] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1], type[2]);
    if (!line || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not an exposition line: ${line}`);
    const labels = Object.fromEntries(
      [...(sample[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  return { types, samples };
}

/** The Python original's six metrics and their types. */
const ORIGINAL: [string, string][] = [
  ['cache_hits_total', 'counter'],
  ['cache_misses_total', 'counter'],
  ['operation_duration_seconds', 'histogram'],
  ['retry_attempts_total', 'counter'],
  ['timeout_errors_total', 'counter'],
  ['cache_size', 'gauge'],
];

/** The value of the first sample named `name` whose labels include `labels`. */
function valueIn(
  { samples }: Exposition,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  return samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  )?.value;
}

/** Whether the traffic has hit the cache, retried and timed out (so every series is there). */
function warmedUp(exposition: Exposition): boolean {
  return (
    (valueIn(exposition, 'cache_hits_total', { operation_type: 'Catalog.price' }) ?? 0) > 0 &&
    (valueIn(exposition, 'retry_attempts_total', { operation_type: 'Inventory.stock' }) ?? 0) > 0 &&
    (valueIn(exposition, 'timeout_errors_total', { operation_type: 'Search.query' }) ?? 0) > 0
  );
}

describe('examples/metrics-server', () => {
  let server: MetricsServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the original six metrics over HTTP, labelled by operation, under generated traffic', async () => {
    server = await startMetricsServer({ port: 0, trafficIntervalMs: 20 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    // Traffic needs a few rounds before a retry and a timeout (100 ms) have happened.
    let reply = await fetchText(`${server.url}/metrics`);
    for (let i = 0; i < 100 && !warmedUp(parse(reply.body)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      reply = await fetchText(`${server.url}/metrics`);
    }

    expect(reply.status).toBe(200);
    expect(reply.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const exposition = parse(reply.body);
    expect(warmedUp(exposition)).toBe(true);
    for (const [name, type] of ORIGINAL) expect(exposition.types.get(name)).toBe(type);
    for (const [name] of ORIGINAL.filter(([n]) => n !== 'cache_size')) {
      const series = exposition.samples.filter((s) => s.name.startsWith(name));
      expect(series.length).toBeGreaterThan(0);
      expect(series.every((s) => s.labels.operation_type)).toBe(true);
    }
    expect(
      valueIn(exposition, 'operation_duration_seconds_count', { operation_type: 'Search.query' }),
    ).toBeGreaterThan(0);
    expect(valueIn(exposition, 'cache_size')).toBeGreaterThan(0);
    expect(exposition.types.get('circuit_state')).toBe('gauge');
    expect(exposition.types.get('bulkhead_in_use')).toBe('gauge');
  });

  it('moves every metric the dashboard reads, coalesced and stale-served calls included', async () => {
    server = await startMetricsServer({ port: 0, trafficIntervalMs: 20 });
    // The demo has no Redis tier: dashboard-prometheus.test.ts moves those against the service.
    const redisTier = [
      'cache_remote_hits_total',
      'cache_remote_misses_total',
      'cache_remote_errors_total',
    ];
    const wanted = new Set(
      expressions.flatMap(metricNames).filter((name) => !redisTier.includes(name)),
    );
    expect([...wanted]).toEqual(
      expect.arrayContaining(['cache_coalesced_total', 'cache_stale_served_total']),
    );

    // A gauge moves when a scrape sees it above 0.
    const moved = new Set<string>();
    const still = (): string[] => [...wanted].filter((name) => !moved.has(name));
    for (let i = 0; i < 200 && still().length > 0; i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      for (const sample of parse((await fetchText(`${server.url}/metrics`)).body).samples) {
        if (sample.value > 0) moved.add(sample.name);
      }
    }
    expect(still()).toEqual([]);
  }, 20_000); // the breaker opens after ~1 s of traffic; on a loaded machine later

  it('answers /health with 200 and the JSON health report, and 404 elsewhere', async () => {
    server = await startMetricsServer({ port: 0 });
    const health = await fetchText(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.contentType).toBe('application/json');
    expect(JSON.parse(health.body)).toMatchObject({
      status: 'healthy',
      cacheSize: expect.any(Number),
    });
    expect((await fetchText(`${server.url}/nothing`)).status).toBe(404);
  });

  it('stops listening once closed', async () => {
    server = await startMetricsServer({ port: 0 });
    const { url } = server;
    await server.close();
    await expect(fetchText(`${url}/metrics`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
