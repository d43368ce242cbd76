// Issue 12 (abuse limits): password hashes take turns, so a burst cannot take libuv's whole thread pool.
import { CONCURRENT_HASHES, hashPassword, turns, verifyPassword } from '../../platform/secrets';

/** A task that runs until its `finish` is called, counting how many run at the same time. */
function gate() {
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const finishers: Array<() => void> = [];
  const task = (id: number) => async () => {
    running += 1;
    most = Math.max(most, running);
    started.push(id);
    await new Promise<void>((resolve) => finishers.push(resolve));
    running -= 1;
    if (id === 3) throw new Error('task 3 failed');
    return id;
  };
  return { task, started, finishers, most: () => most };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

it(
  'Abuse limits: at most `size` tasks run at once, the rest start in arrival order, a ' + 'failure frees its turn',
  async () => {
    const limit = turns(2);
    const g = gate();
    const results = [1, 2, 3, 4, 5].map((id) => limit(g.task(id)).catch((err: Error) => err.message));
    await settle();
    expect(g.started).toEqual([1, 2]);
    g.finishers[0](); // 1 ends: 3 starts
    await settle();
    expect(g.started).toEqual([1, 2, 3]);
    g.finishers[2](); // 3 fails: 4 still starts
    await settle();
    expect(g.started).toEqual([1, 2, 3, 4]);
    for (const finish of g.finishers.slice()) finish();
    await settle();
    g.finishers[g.finishers.length - 1]();
    expect(await Promise.all(results)).toEqual([1, 2, 'task 3 failed', 4, 5]);
    expect(g.most()).toBe(2);
  },
);

it('Abuse limits: a burst of password hashes and checks still gives every caller the right answer', async () => {
  expect(CONCURRENT_HASHES).toBeLessThan(4); // libuv's default pool has 4 threads: some stay free
  const stored = await hashPassword('correct horse battery');
  const checks = await Promise.all(
    Array.from({ length: 6 }, (_, i) => verifyPassword(i % 2 ? 'correct horse battery' : 'wrong', stored)),
  );
  expect(checks).toEqual([false, true, false, true, false, true]);
});
