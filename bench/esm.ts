/**
 * The ESM-only packages, loaded with a real dynamic `import()` (the bench compiles as CommonJS
 * with `module: node16`, which keeps `import()` as is).
 */
export async function loadEsm() {
  const [mitata, pMemoize, pRetry, pTimeout, bentocache, bentoMemory, bentoRedis] =
    await Promise.all([
      import('mitata'),
      import('p-memoize'),
      import('p-retry'),
      import('p-timeout'),
      import('bentocache'),
      import('bentocache/drivers/memory'),
      import('bentocache/drivers/redis'),
    ]);
  return {
    measure: mitata.measure,
    pMemoize: pMemoize.default,
    pRetry: pRetry.default,
    pTimeout: pTimeout.default,
    BentoCache: bentocache.BentoCache,
    bentostore: bentocache.bentostore,
    memoryDriver: bentoMemory.memoryDriver,
    redisDriver: bentoRedis.redisDriver,
  };
}

export type Esm = Awaited<ReturnType<typeof loadEsm>>;
