import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../../examples/service/free-ports';

/**
 * A real `prometheus` of a test's own (Debian's prometheus package), running the shipped
 * `examples/prometheus/prometheus.yml` and its alert rules with two changes: the targets are the
 * ports given, and it scrapes and evaluates every second instead of every 15.
 */
export interface PrometheusServer {
  readonly url: string;
  /** An instant query through the HTTP API: the result vector (empty when there is no data). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** The rule groups it loaded (`/api/v1/rules`). */
  rules(): Promise<{ name: string; rules: { name: string; health: string; state: string }[] }[]>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

export const prometheusFound: boolean =
  spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;

export const HOW_TO_ENABLE_PROMETHEUS =
  'install prometheus (apt-get install prometheus) to run the dashboard against a real Prometheus';

const READY_WITHIN_MS = 20_000;
const SHIPPED = join(__dirname, '..', '..', 'examples', 'prometheus');

/** The shipped config, aimed at `targets` and sped up; throws if its shape changed. */
export function testConfig(targets: readonly number[]): string {
  const shipped = readFileSync(join(SHIPPED, 'prometheus.yml'), 'utf8');
  const replaced = shipped
    .replace(/scrape_interval: 15s/, 'scrape_interval: 1s')
    .replace(/evaluation_interval: 15s/, 'evaluation_interval: 1s')
    .replace(
      /targets: \[[^\]]*\]/,
      `targets: [${targets.map((p) => `'127.0.0.1:${p}'`).join(', ')}]`,
    );
  if ((replaced.match(/1s$/gm) ?? []).length !== 2 || !replaced.includes(`:${targets[0]}'`)) {
    throw new Error(`examples/prometheus/prometheus.yml changed shape:\n${shipped}`);
  }
  return replaced;
}

export async function startPrometheus(targets: readonly number[]): Promise<PrometheusServer> {
  const folder = mkdtempSync(join(tmpdir(), 'eu-prom-'));
  writeFileSync(join(folder, 'prometheus.yml'), testConfig(targets));
  copyFileSync(join(SHIPPED, 'alerts.yml'), join(folder, 'alerts.yml'));
  const port = await freePorts(1);
  const url = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(folder, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(folder, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(folder, { recursive: true, force: true });
  };
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(url + path);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error}`);
    return body.data;
  };
  const deadline = Date.now() + READY_WITHIN_MS;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not get ready:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    query: async (expr) =>
      (await api<{ result: [] }>(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
    rules: async () => (await api<{ groups: [] }>('/api/v1/rules')).groups,
    stop,
  };
}
