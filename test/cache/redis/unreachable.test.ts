import Redis from 'ioredis';
import { ExecutionUtils, type ExecutionEvents, type Logger } from '../../../src';

/**
 * Nothing listens on port 1: every connection attempt is refused at once. All ioredis says of a
 * command then is "Reached the max retries per request limit"; these tests check that the
 * refusal itself reaches the user.
 */
const UNREACHABLE = 'redis://127.0.0.1:1';
const REFUSED = /ECONNREFUSED 127\.0\.0\.1:1/;

const services: ExecutionUtils[] = [];
function service(logger?: Logger): ExecutionUtils {
  const utils = new ExecutionUtils({
    redis: { url: UNREACHABLE },
    namespace: 'unreachable',
    logger,
  });
  services.push(utils);
  return utils;
}

afterEach(async () => {
  await Promise.all(services.splice(0).map((utils) => utils.close()));
});

describe('a Redis tier that cannot connect', () => {
  it('names the connection error in health().tiers.redis.lastError', async () => {
    const redis = (await service().health()).tiers.redis;
    expect(redis).toMatchObject({ status: 'down', lastError: expect.stringMatching(REFUSED) });
  });

  it("names the error of the tier's own subscriber connection with a client passed in", async () => {
    // The client is its owner's to listen to; the subscriber duplicated from it is the tier's.
    const client = new Redis(UNREACHABLE, { maxRetriesPerRequest: 0, disconnectTimeout: 0 });
    client.on('error', () => {});
    const utils = new ExecutionUtils({ redis: { client }, namespace: 'unreachable' });
    services.push(utils);
    try {
      let redis = (await utils.health()).tiers.redis;
      // The subscriber's first attempt may be refused just after the client's.
      for (let tries = 0; redis?.lastError === undefined && tries < 20; tries++) {
        redis = (await utils.health()).tiers.redis;
      }
      expect(redis?.lastError).toMatch(REFUSED);
    } finally {
      client.disconnect();
    }
  });

  it("gives the connection error as the remoteError event's error", async () => {
    const utils = service();
    const events: ExecutionEvents['remoteError'][] = [];
    utils.on('remoteError', (event) => events.push(event));
    await utils.wrap(async () => 1, { name: 'one', cache: true })();
    expect(events[0]).toMatchObject({ command: 'claim', reason: 'error' });
    expect(events[0].error).toMatchObject({
      code: 'ECONNREFUSED',
      message: expect.stringMatching(REFUSED),
    });
  });

  it('logs the connection error once, not the retries limit', async () => {
    const warnings: string[] = [];
    const logger = {
      warn: (line: string) => warnings.push(line),
      error: () => {},
      debug: () => {},
    };
    const one = service(logger).wrap(async (n: number) => n, { name: 'one', cache: true });
    await one(1);
    await one(2);
    expect(warnings).toEqual([expect.stringMatching(REFUSED)]);
    expect(warnings[0]).not.toMatch(/max retries/);
  });
});
