import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** What the fixture printed once `close()` resolved, and how long the process lived after. */
async function runFixture(): Promise<{ result: number; pending: string[]; exitAfterMs: number }> {
  const script = join(__dirname, '..', '..', 'fixtures', 'unreachable-redis.ts');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
    cwd: join(__dirname, '..', '..', '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  let closedAt: number | undefined;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    if (output.includes('\n')) closedAt ??= Date.now();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const exitedAt = Date.now();
  expect({ code, output }).toMatchObject({ code: 0 });
  const printed = JSON.parse(output) as { result: number; pending: string[] };
  return { ...printed, exitAfterMs: exitedAt - closedAt! };
}

describe('close() with a Redis URL where nothing listens', () => {
  it('leaves nothing pending, so the process exits as soon as close() resolves', async () => {
    const { result, pending, exitAfterMs } = await runFixture();
    // The call itself went on without the tier.
    expect(result).toBe(42);
    // ioredis's reconnect and disconnect timers (2 s by default) and its sockets are all gone.
    expect(pending.filter((kind) => kind === 'Timeout' || kind.startsWith('TCP'))).toEqual([]);
    expect(exitAfterMs).toBeLessThan(500);
  }, 20_000);
});
