import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../pool/keys';
import { refreshCapacity } from './capacity-refresh';

/**
 * Recomputes capacity on a timer, so that stale telemetry and the start and end of office hours take effect
 * without a push. Every process may run it: the result depends only on Redis state and Redis time.
 */
export class CapacityJob {
  private timer: NodeJS.Timeout | undefined;
  private lastDownKbps: number | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly logger: Logger,
    private readonly intervalMs = 15_000,
    /** Called when public capacity moved: the allocator re-shares it at once instead of at its next round. */
    private readonly onChange?: () => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    try {
      const c = await refreshCapacity(this.redis, this.keys);
      if (c.downKbps !== this.lastDownKbps) {
        const bases = c.claims.reduce<Record<string, number>>((acc, cl) => ({ ...acc, [cl.basis]: (acc[cl.basis] ?? 0) + 1 }), {});
        this.logger.info({ capDownKbps: c.downKbps, capUpKbps: c.upKbps, claims: bases }, 'public capacity changed');
        if (this.lastDownKbps !== undefined) this.onChange?.();
        this.lastDownKbps = c.downKbps;
      }
    } catch (err) {
      this.logger.warn({ err }, 'capacity refresh failed; keeping the last capacity');
    }
  }
}
