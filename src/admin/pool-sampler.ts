import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import type { RedisClient as Redis } from '../redis/client';
import { redisNowMs } from '../redis/time';
import { PeriodicJob, type Job } from '../job';
import { CHART_RANGES, type PoolSample } from './insight';

/** The history keeps a day more than the longest chart range. */
const HISTORY_KEEP_MS = CHART_RANGES['7d'] + 24 * 3600_000;

/** Takes this minute's sample, once across every Limpah process (the first to claim the minute writes it). */
export async function samplePool(redis: Redis, keys: Keys): Promise<boolean> {
  const nowMs = await redisNowMs(redis);
  const minute = Math.floor(nowMs / 60_000) * 60_000;
  const claimed = await redis.set(`${keys.poolHistory()}:taken:${minute}`, '1', 'PX', 120_000, 'NX');
  if (!claimed) return false;
  const p = await redis.hmget(keys.pool(), 'capDownKbps', 'allocDownKbps', 'sessions', 'overbooking');
  const sample: PoolSample = {
    t: minute,
    capDownKbps: Math.round(Number(p[0] ?? 0) * Number(p[3] ?? 1)),
    allocDownKbps: Number(p[1] ?? 0),
    sessions: Number(p[2] ?? 0),
  };
  await redis.multi().zadd(keys.poolHistory(), minute, JSON.stringify(sample)).zremrangebyscore(keys.poolHistory(), '-inf', minute - HISTORY_KEEP_MS).exec();
  return true;
}

/** One sample of the pool a minute (and one at start), for the console's charts. */
export function poolSampler(redis: Redis, keys: Keys, logger: Logger, intervalMs = 60_000): Job {
  return new PeriodicJob({
    name: 'pool-sampler',
    intervalMs,
    logger,
    runAtStart: true,
    run: () => samplePool(redis, keys),
    failureLevel: 'debug',
    failureMessage: 'pool sample skipped',
  });
}
