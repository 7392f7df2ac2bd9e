import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import type { Capacity } from '../pool/capacity';
import { refreshCapacity } from '../pool/capacity-refresh';
import { PeriodicJob, type Job } from '../job';

/**
 * Recomputes capacity on a timer, so that stale telemetry and the start and end of office hours take effect
 * without a push. Every process may run it: the result depends only on Redis state and Redis time.
 */
export class CapacityJob implements Job {
  readonly name = 'capacity';
  private readonly ticks: PeriodicJob<Capacity>;
  private lastDownKbps: number | undefined;
  private lastUpKbps: number | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly logger: Logger,
    intervalMs = 15_000,
    /** Called when public capacity moved: the allocator re-shares it at once instead of at its next round. */
    private readonly onChange?: () => void,
  ) {
    this.ticks = new PeriodicJob({
      name: this.name,
      intervalMs,
      logger,
      // The baseline at start, so that a push before the first tick that moves capacity is re-shared too.
      runAtStart: true,
      run: () => this.refreshNow(),
      failureMessage: 'capacity refresh failed; keeping the last capacity',
    });
  }

  start(): void {
    this.ticks.start();
  }

  stop(): Promise<void> {
    return this.ticks.stop();
  }

  /** One refresh, after the tick in flight if there is one. */
  runOnce(): Promise<Capacity> {
    return this.ticks.runOnce();
  }

  /**
   * Recomputes capacity now (after an agency's usage push, say) and, when it moved, has the allocator re-share it
   * at once: a push takes effect within one allocator round, not at the next tick.
   */
  async refreshNow(): Promise<Capacity> {
    const c = await refreshCapacity(this.redis, this.keys);
    if (c.downKbps !== this.lastDownKbps || c.upKbps !== this.lastUpKbps) {
      const bases = c.claims.reduce<Record<string, number>>((acc, cl) => ({ ...acc, [cl.basis]: (acc[cl.basis] ?? 0) + 1 }), {});
      this.logger.info({ capDownKbps: c.downKbps, capUpKbps: c.upKbps, claims: bases }, 'public capacity changed');
      if (this.lastDownKbps !== undefined) this.onChange?.();
      this.lastDownKbps = c.downKbps;
      this.lastUpKbps = c.upKbps;
    }
    return c;
  }
}
