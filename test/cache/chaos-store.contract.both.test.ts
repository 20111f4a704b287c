import { MemoryStore } from '../../src/cache/memory-store';
import { ManualClock } from '../../src/testing/manual-clock';
import { ChaosStore } from './chaos-store';
import { storeContract } from './store-contract';

// A healthy ChaosStore must be invisible: the contract holds through the wrapper, whose answers
// are always promises even though the store inside answers at once.
storeContract('ChaosStore (healthy, over a MemoryStore)', async () => {
  const clock = new ManualClock();
  const store = new ChaosStore(new MemoryStore(100, 60_000, clock, () => {}));
  return { store, advance: (ms) => clock.advance(ms) };
});
