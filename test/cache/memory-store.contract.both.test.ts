import { MemoryStore } from '../../src/cache/memory-store';
import { ManualClock } from '../../src/testing/manual-clock';
import { storeContract } from './store-contract';

// The in-process tier on a manual clock: its expiry tests move time instead of waiting.
storeContract('MemoryStore', async () => {
  const clock = new ManualClock();
  const store = new MemoryStore(100, 60_000, clock, () => {});
  return { store, advance: (ms) => clock.advance(ms) };
});
