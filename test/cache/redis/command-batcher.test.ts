import {
  CommandBatcher,
  type Attempt,
  type Outcome,
} from '../../../src/cache/redis/command-batcher';

/** A command that has been sent: its batch, and how to answer it. */
interface Sent {
  batch: number[];
  answer(): void;
  fail(error: Error): void;
  /** Times it out; its reply may still come (`answer` after this is a late reply). */
  timeOut(): void;
}

function rig() {
  const sent: Sent[] = [];
  const late: [number, string | undefined][] = [];
  const attempt: Attempt = <T>(run: () => Promise<T>, onLate?: (work: Promise<T>) => void) =>
    new Promise<Outcome<T>>((settle) => {
      const work = run();
      const entry = sent[sent.length - 1];
      entry.timeOut = () => {
        onLate?.(work);
        settle({ ok: false, reason: 'timeout', unanswered: true });
      };
      work.then(
        (value) => settle({ ok: true, value }),
        (error: unknown) => settle({ ok: false, reason: 'error', error }),
      );
    });
  const batcher = new CommandBatcher<number, string>(
    (batch) =>
      new Promise<string[]>((resolve, reject) => {
        sent.push({
          batch,
          answer: () => resolve(batch.map((n) => `r${n}`)),
          fail: reject,
          timeOut: () => {},
        });
      }),
    attempt,
    (request, reply) => late.push([request, reply]),
  );
  return { batcher, sent, late };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('CommandBatcher', () => {
  it("sends one turn's requests as one command and answers each with its own reply", async () => {
    const { batcher, sent } = rig();
    const outcomes = Promise.all([1, 2, 3].map((n) => batcher.run(n)));
    expect(sent).toHaveLength(0);
    await turn();
    expect(sent.map((s) => s.batch)).toEqual([[1, 2, 3]]);
    sent[0].answer();
    expect(await outcomes).toEqual([
      { ok: true, value: 'r1' },
      { ok: true, value: 'r2' },
      { ok: true, value: 'r3' },
    ]);
  });

  it('puts at most 256 requests in a command and has at most 4 in flight', async () => {
    const { batcher, sent } = rig();
    const all = Promise.all(Array.from({ length: 2_000 }, (_, n) => batcher.run(n)));
    await turn();
    expect(sent.map((s) => s.batch.length)).toEqual([256, 256, 256, 256]);
    // One returns: the next command takes the next 256 of the queue.
    sent[0].answer();
    await turn();
    expect(sent.map((s) => s.batch.length)).toEqual([256, 256, 256, 256, 256]);
    expect(sent[4].batch[0]).toBe(1_024);
    for (let i = 1; i < 8; i++) {
      sent[i].answer();
      await turn();
    }
    expect(sent.map((s) => s.batch.length)).toEqual([...Array(7).fill(256), 208]);
    const outcomes = await all;
    expect(outcomes[1_999]).toEqual({ ok: true, value: 'r1999' });
  });

  it('sends what queued while the window was full as one command when it frees', async () => {
    const { batcher, sent } = rig();
    for (let n = 0; n < 4; n++) {
      void batcher.run(n);
      await turn();
    }
    expect(sent.map((s) => s.batch)).toEqual([[0], [1], [2], [3]]);
    void batcher.run(10);
    void batcher.run(11);
    await turn();
    void batcher.run(12);
    await turn();
    expect(sent).toHaveLength(4);
    sent[0].answer();
    await turn();
    expect(sent[4].batch).toEqual([10, 11, 12]);
  });

  it("gives every request of a failed command the command's failure", async () => {
    const { batcher, sent } = rig();
    const outcomes = Promise.all([1, 2].map((n) => batcher.run(n)));
    await turn();
    const error = new Error('READONLY');
    sent[0].fail(error);
    expect(await outcomes).toEqual([
      { ok: false, reason: 'error', error },
      { ok: false, reason: 'error', error },
    ]);
  });

  it('fails the requests queued behind a command that timed out at once, as not sent', async () => {
    const { batcher, sent } = rig();
    const all = Array.from({ length: 1_100 }, (_, n) => batcher.run(n));
    await turn();
    sent[0].timeOut();
    expect(await all[0]).toEqual({ ok: false, reason: 'timeout', unanswered: true });
    // The 76 never sent: failed without waiting, and no late reply will come for them.
    expect(await all[1_099]).toEqual({ ok: false, reason: 'timeout', error: undefined });
    expect(sent).toHaveLength(4);
  });

  it('hands the late reply of each timed-out request to onLate', async () => {
    const { batcher, sent, late } = rig();
    const outcomes = Promise.all([1, 2].map((n) => batcher.run(n)));
    await turn();
    sent[0].timeOut();
    await outcomes;
    expect(late).toEqual([]);
    sent[0].answer();
    await turn();
    expect(late).toEqual([
      [1, 'r1'],
      [2, 'r2'],
    ]);
  });

  it('tells onLate that no reply will come when the late command fails', async () => {
    const { batcher, sent, late } = rig();
    const outcome = batcher.run(7);
    await turn();
    sent[0].timeOut();
    await outcome;
    sent[0].fail(new Error('Connection is closed.'));
    await turn();
    expect(late).toEqual([[7, undefined]]);
  });
});
