/**
 * Imported first by run.ts. Pins V8's young generation at its usual 16 MB maximum: a full GC
 * (mitata runs one before every row) otherwise shrinks it, and promise-heavy code, which
 * AsyncLocalStorage makes allocate on every promise, then runs up to 2x slower until it grows
 * back. Timings were bimodal without this.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--min-semi-space-size=16');
