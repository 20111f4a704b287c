/**
 * The 50 tenants of the soak, each with two tasks. A few ids look like `tenant-1` or hold the
 * characters a naive key would use as separators or quotes, so a key built by concatenation would
 * collide. They sit near the front because tenants are picked skewed towards the front (hot).
 */
const LOOK_ALIKES = ['tenant-1"', 'tenant-1\\', 'tenant-1|daily', 'tenant-1 ', 'tenant-1\u0000'];

export const TENANTS: readonly string[] = [
  'tenant-0',
  'tenant-1',
  ...LOOK_ALIKES,
  ...Array.from({ length: 48 - LOOK_ALIKES.length }, (_, i) => `tenant-${i + 2}`),
];

export const TASKS: readonly string[] = ['daily', 'adhoc'];
