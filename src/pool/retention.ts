import type { Logger } from '../log';
import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import { PeriodicJob, type Job } from '../job';

/**
 * Retention: raw session records older than the configured days are deleted, and the per-day totals (reports)
 * stay for their own, longer period. A closed session's record gets an expiry when it closes; this job deletes
 * those closed before the retention changed (or whose expiry was lost), so that a shorter retention set in the
 * site file applies to old records too. Live sessions are never touched. An aborted `signal` ends it after the batch
 * in hand (the next sweep goes on from the start).
 */
export async function sweepSessions(
  redis: Redis,
  keys: Keys,
  retentionDays: number,
  nowMs = Date.now(),
  signal?: AbortSignal,
): Promise<{ scanned: number; deleted: number }> {
  const cutoff = nowMs - retentionDays * 86_400_000;
  let cursor = '0';
  let scanned = 0;
  let deleted = 0;
  const match = `${keys.session('')}*`;
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500);
    cursor = next;
    for (const key of batch) {
      scanned++;
      const [state, closedAt] = await redis.hmget(key, 'state', 'closedAt');
      if (state !== 'closed') continue;
      if (closedAt && Number(closedAt) < cutoff) {
        await redis.del(key);
        deleted++;
      } else if ((await redis.pttl(key)) === -1) {
        // A closed record without an expiry: it goes retention days after it closed.
        await redis.pexpireat(key, Math.max(nowMs + 60_000, Number(closedAt || nowMs) + retentionDays * 86_400_000));
      }
    }
  } while (cursor !== '0' && !signal?.aborted);
  return { scanned, deleted };
}

/** The sweep, hourly. */
export function retentionJob(redis: Redis, keys: Keys, retentionDays: number, logger: Logger, intervalMs = 3_600_000): Job {
  return new PeriodicJob({
    name: 'retention',
    intervalMs,
    logger,
    // A shutdown does not wait out a sweep of every session record.
    run: async (signal) => {
      const r = await sweepSessions(redis, keys, retentionDays, Date.now(), signal);
      if (r.deleted) logger.info({ ...r, retentionDays }, 'retention: old session records deleted');
      return r;
    },
    failureMessage: 'retention sweep failed; it runs again in an hour',
  });
}
