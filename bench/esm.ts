/**
 * The ESM-only packages, loaded with a real dynamic `import()` (the bench compiles as CommonJS
 * with `module: node16`, which keeps `import()` as is).
 */
export async function loadEsm() {
  const [mitata, pMemoize, pRetry, pTimeout, bentocache, bentoMemory] = await Promise.all([
    import('mitata'),
    import('p-memoize'),
    import('p-retry'),
    import('p-timeout'),
    import('bentocache'),
    import('bentocache/drivers/memory'),
  ]);
  return {
    measure: mitata.measure,
    pMemoize: pMemoize.default,
    pRetry: pRetry.default,
    pTimeout: pTimeout.default,
    BentoCache: bentocache.BentoCache,
    bentostore: bentocache.bentostore,
    memoryDriver: bentoMemory.memoryDriver,
  };
}

export type Esm = Awaited<ReturnType<typeof loadEsm>>;
