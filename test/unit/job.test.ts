import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';
import { PeriodicJob, type Job, type PeriodicJobOptions } from '../../src/job';
import { eventually } from '../support/eventually';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'debug', destination: stream }) };
}

/** A run that waits until the test lets it finish (release), or no longer waits (open), and counts how many run at once. */
function gatedRun() {
  const state = { calls: 0, active: 0, maxActive: 0, finished: 0 };
  const gates: Array<() => void> = [];
  let opened = false;
  const run = async () => {
    const call = ++state.calls;
    state.active++;
    state.maxActive = Math.max(state.maxActive, state.active);
    if (!opened) await new Promise<void>((release) => gates.push(release));
    state.active--;
    state.finished++;
    return call;
  };
  const release = () => gates.splice(0).forEach((r) => r());
  const open = () => {
    opened = true;
    release();
  };
  return { state, run, release, open };
}

/** Ticks of a timer with the job's interval, created after the job's: when it has ticked n times, so has the job. */
async function ticksPassed(intervalMs: number, n: number): Promise<void> {
  let ticks = 0;
  const timer = setInterval(() => ticks++, intervalMs);
  try {
    await eventually(() => ticks >= n, { what: `${n} ticks of ${intervalMs} ms` });
  } finally {
    clearInterval(timer);
  }
}

describe('a periodic job', () => {
  const jobs: Job[] = [];
  const job = <T>(options: PeriodicJobOptions<T>) => {
    const j = new PeriodicJob<T>(options);
    jobs.push(j);
    return j;
  };
  afterEach(async () => {
    await Promise.all(jobs.splice(0).map((j) => j.stop()));
  });

  it('runs once on demand without being started, and returns what the run returned', async () => {
    const { logger } = capture();
    let calls = 0;
    const j = job({ name: 'answer', intervalMs: 5, logger, run: async () => ++calls * 42 });
    expect(j.name).toBe('answer');
    expect(await j.runOnce()).toBe(42);
    expect(await j.runOnce()).toBe(84);
  });

  it('skips the ticks that come while a run is still in flight, and ticks again after it', async () => {
    const { logger } = capture();
    const { state, run, release, open } = gatedRun();
    const j = job({ name: 'slow', intervalMs: 5, logger, run });
    j.start();
    await eventually(() => state.calls === 1, { what: 'the first tick' });
    await ticksPassed(5, 5);
    expect(state).toMatchObject({ calls: 1, active: 1 });

    release();
    await eventually(() => state.calls >= 2, { what: 'a tick after the first run finished' });
    // The skipped ticks left nothing queued behind the run in flight: once it ends, no other run starts.
    const calls = state.calls;
    open();
    await j.stop();
    expect(state.calls).toBe(calls);
    expect(state.maxActive).toBe(1);
  });

  it('starts a runOnce() asked for during a tick after that tick', async () => {
    const { logger } = capture();
    const { state, run, release, open } = gatedRun();
    const j = job({ name: 'slow', intervalMs: 5, logger, run });
    j.start();
    await eventually(() => state.calls === 1, { what: 'the first tick' });
    const asked = j.runOnce();
    await ticksPassed(5, 3);
    expect(state.calls).toBe(1);

    release();
    await eventually(() => state.calls === 2, { what: 'the run asked for' });
    open();
    expect(await asked).toBe(2);
    expect(state.maxActive).toBe(1);
  });

  it('waits for the run in flight when stopped, aborts its signal, and ticks no more', async () => {
    const { logger } = capture();
    const { state, run, open } = gatedRun();
    let signal: AbortSignal | undefined;
    const j = job({ name: 'slow', intervalMs: 5, logger, run: (s) => ((signal = s), run()) });
    j.start();
    await eventually(() => state.calls === 1, { what: 'the first tick' });

    const order: string[] = [];
    const stopped = j.stop().then(() => order.push(`stopped after ${state.finished} run(s)`));
    expect(signal?.aborted).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    open();
    await stopped;
    expect(order).toEqual(['stopped after 1 run(s)']);

    // No timer left: the intervals that pass bring no run.
    await ticksPassed(5, 5);
    expect(state.calls).toBe(1);
  });

  it('logs a failed run from the timer and runs again at the next tick, while runOnce() hands the failure to its caller', async () => {
    const { lines, logger } = capture();
    let calls = 0;
    const j = job({
      name: 'flaky',
      intervalMs: 5,
      logger,
      run: async () => {
        calls++;
        throw new Error('redis said no');
      },
      failureMessage: 'flaky failed; trying again',
    });
    await expect(j.runOnce()).rejects.toThrow('redis said no');
    expect(lines).toEqual([]);

    j.start();
    await eventually(() => calls >= 3, { what: 'runs after the failure' });
    const failure = lines.find((l) => l['msg'] === 'flaky failed; trying again');
    expect(failure).toMatchObject({ level: 40, err: { message: 'redis said no' } });
  });

  it('logs at the level it was given, with its name when no message was', async () => {
    const { lines, logger } = capture();
    const j = job({ name: 'quiet', intervalMs: 5, logger, failureLevel: 'debug', run: () => Promise.reject(new Error('nope')) });
    j.start();
    await eventually(() => lines.length > 0, { what: 'the failure logged' });
    expect(lines[0]).toMatchObject({ level: 20, msg: 'quiet failed; it runs again at the next interval', err: { message: 'nope' } });
  });

  it('runs at start when asked to, without waiting an interval', async () => {
    const { logger } = capture();
    let calls = 0;
    const j = job({ name: 'eager', intervalMs: 3_600_000, logger, runAtStart: true, run: async () => ++calls });
    j.start();
    await eventually(() => calls === 1, { what: 'the run at start' });
  });

  it('skips ticks while paused, and runs on demand even then', async () => {
    const { logger } = capture();
    let paused = true;
    let calls = 0;
    const j = job({ name: 'pausable', intervalMs: 5, logger, paused: () => paused, run: async () => ++calls });
    j.start();
    await ticksPassed(5, 5);
    expect(calls).toBe(0);
    expect(await j.runOnce()).toBe(1);

    paused = false;
    await eventually(() => calls >= 2, { what: 'a tick once no longer paused' });
  });
});
