import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isFree } from '../../../examples/service/free-ports';
import { startRedis, type RedisServer } from './redis-server';

/** A private three-master Redis Cluster, for the suites that check Cluster clients. */
export interface RedisCluster {
  readonly nodes: readonly { host: string; port: number }[];
  stop(): Promise<void>;
}

const run = promisify(execFile);

/**
 * Starts three cluster-mode servers and joins them (no replicas). A node also listens on its
 * port + 10000 (the cluster bus), so both ports are picked free.
 */
export async function startCluster(): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'execution-utils-cluster-'));
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startNode(dir));
    const addresses = servers.map((s) => `127.0.0.1:${s.port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    await waitUntilOk(servers.map((s) => s.port));
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    nodes: servers.map((s) => ({ host: '127.0.0.1', port: s.port })),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilOk(ports: number[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const states = await Promise.all(
      ports.map(async (port) => {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);
        return stdout.includes('cluster_state:ok');
      }),
    );
    if (states.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error('the cluster did not reach cluster_state:ok');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One cluster-mode server; another port if its own was taken between the probe and the bind. */
async function startNode(dir: string): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await clusterPort();
    const args = ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`];
    try {
      return await startRedis({ port, args: [...args, '--dir', dir] });
    } catch (error) {
      if (attempt === 5 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

/**
 * A port whose cluster bus port (+10000) is free too, both below Linux's ephemeral range
 * (32768 and up), where the clients of every other suite get their local ports.
 */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = 12_000 + Math.floor(Math.random() * 5_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
}
