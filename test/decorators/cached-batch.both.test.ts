import { Cached, CachedBatch, ConfigError, type ExecutionUtils } from '../../src';
import { policiesOf } from '../../src/decorators/method-policies';
import { configErrorOf, rig } from '../helpers';

// What the decorator records and refuses; how a batched call runs is test/pipeline/batch-stage.

class Users {
  @CachedBatch({ name: 'user', ttl: 60_000, maxBatchSize: 3 })
  async getMany(ids: readonly string[]): Promise<string[]> {
    return ids.map((id) => `user-${id}`);
  }
}

describe('@CachedBatch', () => {
  it("records its options as the method's batch policy", () => {
    expect(policiesOf(Users.prototype.getMany)?.batch).toEqual({
      name: 'user',
      ttl: 60_000,
      maxBatchSize: 3,
    });
  });

  it('refuses a bad maxBatchSize, batchWindow or returns where it is declared', () => {
    for (const maxBatchSize of [0, -1, 1.5, 10_001]) {
      expect(configErrorOf(() => CachedBatch({ maxBatchSize })).message).toMatch(/maxBatchSize/);
    }
    expect(configErrorOf(() => CachedBatch({ batchWindow: -1 })).message).toMatch(/batchWindow/);
    expect(configErrorOf(() => CachedBatch({ returns: 'set' as 'map' })).message).toMatch(
      /returns/,
    );
    expect(configErrorOf(() => CachedBatch({ maxBatch: 5 } as object)).message).toMatch(
      /maxBatchSize/,
    );
  });

  it('refuses @Cached and @CachedBatch on one method', async () => {
    rig();
    class Both {
      @Cached()
      @CachedBatch()
      async load(ids: readonly string[]): Promise<string[]> {
        return [...ids];
      }
    }
    await expect(new Both().load(['a'])).rejects.toBeInstanceOf(ConfigError);
  });
});

/** Compile-time checks: `npm run typecheck` fails if the decorator accepts these. */
export function typeChecks(utils: ExecutionUtils): void {
  class Wrong {
    // @ts-expect-error the first parameter must be an array of ids
    @CachedBatch()
    async one(id: string): Promise<string[]> {
      return [id];
    }

    // @ts-expect-error a sync method
    @CachedBatch()
    many(ids: readonly string[]): string[] {
      return [...ids];
    }

    // @ts-expect-error the result must be an array or a Map
    @CachedBatch()
    async record(ids: readonly string[]): Promise<Record<string, string>> {
      return Object.fromEntries(ids.map((id) => [id, id]));
    }
  }
  void Wrong;
  // @ts-expect-error wrapBatch needs a name
  utils.wrapBatch(async (ids: readonly string[]) => [...ids], {});
}
