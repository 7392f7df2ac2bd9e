import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { registerScripts, type ScriptCommands } from '../../src/redis/scripts';
import type { RedisClient } from '../../src/redis/client';

/** A connection to the test run's redis-server and a namespace no other suite uses. */
export function testRedis(url = process.env['LIMPAH_TEST_REDIS_URL'], commandTimeoutMs = 2000): { redis: Redis & ScriptCommands; namespace: string } {
  if (!url) throw new Error('LIMPAH_TEST_REDIS_URL is not set: run the tests through jest (globalSetup starts redis-server)');
  // As main.ts connects, with a command timeout so that a dead Redis fails fast; longer than production's by
  // default, because two test workers and a browser share two cores.
  const redis = registerScripts(new Redis(url, { maxRetriesPerRequest: 1, commandTimeout: commandTimeoutMs, retryStrategy: (n) => Math.min(n * 50, 500) }));
  redis.on('error', () => undefined);
  return { redis, namespace: `t-${randomBytes(5).toString('hex')}` };
}

/** Every key and value of a namespace, for comparing states. */
export async function dumpNamespace(redis: Redis | RedisClient, namespace: string): Promise<Record<string, unknown>> {
  const keys = (await redis.keys(`{${namespace}}:*`)).sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'hash') out[key] = await redis.hgetall(key);
    else if (type === 'set') out[key] = (await redis.smembers(key)).sort();
    else if (type === 'zset') out[key] = await redis.zrange(key, 0, -1, 'WITHSCORES');
    else if (type === 'list') out[key] = await redis.lrange(key, 0, -1);
    else out[key] = await redis.get(key);
  }
  return out;
}
