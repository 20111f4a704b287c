/**
 * Many tenants, one cache: entries are keyed by the context's userId/taskId, so no tenant is
 * ever served another's data; `tenant: 'required'` refuses to cache without a user, and
 * `tenant: 'shared'` keeps one entry for everybody.
 */
import 'reflect-metadata';
import { container } from 'tsyringe';
import { Cached, ExecutionUtils, getExecutionContext, runWithContext } from '../src';

export class AccountService {
  loads = 0;

  /** Per-tenant data: without a userId in context the call runs uncached. */
  @Cached({ tenant: 'required', ttl: 30_000 })
  async balance(accountId: string): Promise<string> {
    this.loads++;
    const userId = getExecutionContext()?.userId ?? 'nobody';
    return `${userId}'s account ${accountId}: ${100 * this.loads} EUR`;
  }

  /** Configuration-like data: one entry shared by every tenant. */
  @Cached({ tenant: 'shared', name: 'exchange-rates' })
  async rates(): Promise<Record<string, number>> {
    this.loads++;
    return { EUR: 1, USD: 1.08 };
  }
}

export async function main(log: (line: string) => void = console.log): Promise<void> {
  const utils = new ExecutionUtils({ cacheSize: 1_000 });
  container.registerInstance(ExecutionUtils, utils);
  const accounts = new AccountService();

  for (const userId of ['alice', 'bob', 'alice']) {
    const line = await runWithContext({ userId, taskId: 'web' }, () => accounts.balance('main'));
    log(`${userId.padEnd(5)} -> ${line}`);
  }
  log(`no user -> ${await accounts.balance('main')}  (runs uncached: tenant is required)`);

  await runWithContext({ userId: 'alice' }, () => accounts.rates());
  await runWithContext({ userId: 'bob' }, () => accounts.rates());
  log(`rates loaded once for both tenants`);

  const { hits, misses, uncached } = utils.getStats();
  log(`loads=${accounts.loads} hits=${hits} misses=${misses} uncached=${uncached}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
