import type { RedisClient as Redis } from './client';

/** Redis time, ms: every process agrees on it. */
export async function redisNowMs(redis: Redis): Promise<number> {
  const [sec, usec] = await redis.time();
  return Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
}
