import type { Logger } from './log';

/**
 * Work Limpah does in the background, on a timer: the reaper, the allocator, capacity, the pool sampler, retention,
 * the spool replay, reconcile, the NAS directory and the Redis ping. services.ts starts them in one place and stops
 * them in one place.
 */
export interface Job {
  /** For logs and for finding it in Services.jobs: "reaper", "allocator". */
  readonly name: string;
  /** Starts the timer. The job runs in the background from then on; a run that fails is logged, never thrown. */
  start(): void;
  /** Stops the timer and waits for a run in flight; it never rejects. */
  stop(): Promise<void>;
  /** One run now, started or not; its failure goes to the caller. */
  runOnce(): Promise<unknown>;
}

export interface PeriodicJobOptions<T> {
  readonly name: string;
  readonly intervalMs: number;
  /** One run: what runOnce() returns. A long run may end early once `signal` is aborted (by stop()). */
  readonly run: (signal: AbortSignal) => Promise<T>;
  readonly logger: Logger;
  /** What a run from the timer that failed logs (with the error); the next tick runs again. */
  readonly failureMessage?: string;
  readonly failureLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** Runs at start() too, not only one interval later. */
  readonly runAtStart?: boolean;
  /** While true, ticks are skipped (runOnce() still runs). */
  readonly paused?: () => boolean;
}

/**
 * A job run on an unref'd timer (it never keeps the process alive). Runs never overlap: a tick while one is in
 * flight is skipped, and a runOnce() meanwhile starts after it. stop() clears the timer and waits for the run in
 * flight, so that nothing writes to Redis after it resolved; it aborts the signal the run was given, so that a long
 * run (a sweep of every session) may end early.
 */
export class PeriodicJob<T = unknown> implements Job {
  readonly name: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<T> | undefined;
  private stopping = new AbortController();

  constructor(private readonly o: PeriodicJobOptions<T>) {
    this.name = o.name;
  }

  start(): void {
    if (this.timer) return;
    if (this.stopping.signal.aborted) this.stopping = new AbortController();
    this.timer = setInterval(() => this.tick(), this.o.intervalMs);
    this.timer.unref();
    if (this.o.runAtStart) this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  async runOnce(): Promise<T> {
    while (this.running) await this.running.catch(() => undefined);
    // Set before the first await, so that a tick in the same turn sees it.
    const run = this.o.run(this.stopping.signal);
    this.running = run;
    try {
      return await run;
    } finally {
      if (this.running === run) this.running = undefined;
    }
  }

  private tick(): void {
    if (this.running || this.o.paused?.()) return;
    this.runOnce().catch((err: unknown) => {
      this.o.logger[this.o.failureLevel ?? 'warn']({ err }, this.o.failureMessage ?? `${this.name} failed; it runs again at the next interval`);
    });
  }
}
