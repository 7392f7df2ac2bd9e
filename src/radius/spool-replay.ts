import type { RedisClient as Redis } from '../redis/client';
import type { CircuitBreaker } from '../redis/breaker';
import type { Logger } from '../log';
import type { Pool } from '../pool/pool';
import type { AccountingSpool } from './accounting-spool';
import { PeriodicJob, type Job } from '../job';

/**
 * Puts spooled accounting into Redis as soon as it answers again (and, at the first tick, a spool left by a crash).
 * Not through the breaker: a long replay must not hold its probe and keep everyone failing open.
 */
export function spoolReplayJob(
  deps: { spool: AccountingSpool; pool: Pool; breaker: CircuitBreaker; redis: Redis; logger: Logger },
  intervalMs = 5000,
): Job {
  const { spool, pool, breaker, redis } = deps;
  return new PeriodicJob({
    name: 'spool-replay',
    intervalMs,
    logger: deps.logger,
    /** How many records went into Redis. */
    run: async () => {
      if (!spool.pending()) return 0;
      if (breaker.open) {
        // Without RADIUS traffic nothing would probe Redis: probe here, and replay once it answers.
        await breaker.run(() => redis.ping()).catch(() => undefined);
        return 0;
      }
      return spool.replay(pool);
    },
    failureMessage: 'spool replay stopped; it goes on when Redis answers',
  });
}
