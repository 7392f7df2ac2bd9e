import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/env';
import { LimpahError } from '../errors';
import type { RedisClient } from './client';
import { registerScripts } from './scripts';

/**
 * The ioredis client as Limpah uses it: a short command timeout (RADIUS must answer within the NAS's timeout and
 * fail open when Redis cannot), one retry, reconnection with backoff; through Sentinel when REDIS_SENTINELS is set,
 * so that a failover moves the client to the new master by itself.
 */
export function redisOptions(config: AppConfig['redis']): RedisOptions {
  const common: RedisOptions = {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    commandTimeout: config.commandTimeoutMs,
    connectionName: 'limpah',
    // Commands issued in the same tick share one write: fewer system calls under load (npm run bench).
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
  };
  if (config.sentinels) {
    return {
      ...common,
      sentinels: config.sentinels.map((s) => ({ host: s.host, port: s.port })),
      name: config.masterName!,
      ...(config.password ? { password: config.password } : {}),
      ...(config.sentinelPassword ? { sentinelPassword: config.sentinelPassword } : {}),
      // After a failover the old master may still accept a connection as a replica: insist on the master role.
      role: 'master',
    };
  }
  return common;
}

export function connectRedis(config: AppConfig['redis'], url: string | undefined): RedisClient {
  return registerScripts(bareClient(config, url));
}

function bareClient(config: AppConfig['redis'], url: string | undefined): Redis | Cluster {
  const options = redisOptions(config);
  if (config.clusterNodes) {
    const { enableAutoPipelining, ...nodeOptions } = options;
    return new Cluster(config.clusterNodes.map((n) => ({ host: n.host, port: n.port })), {
      enableAutoPipelining: enableAutoPipelining ?? true,
      scaleReads: 'master',
      redisOptions: { ...nodeOptions, ...(config.password ? { password: config.password } : {}) },
    });
  }
  if (url?.startsWith('unix://')) return new Redis({ ...options, path: url.slice('unix://'.length) });
  return url && !config.sentinels ? new Redis(url, options) : new Redis(options);
}

/**
 * Waits until Redis answers, for up to `deadlineMs`: at start a slow machine or a Redis still loading its AOF
 * must not fail Limpah because of the short per-command timeout.
 */
export async function waitForRedis(redis: RedisClient, deadlineMs = 15_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    try {
      await redis.ping();
      return;
    } catch (err) {
      if (Date.now() > end) {
        throw new LimpahError('REDIS_UNREACHABLE', `Redis did not answer within ${deadlineMs / 1000} s (${(err as Error).message}). Check REDIS_URL or REDIS_SENTINELS, and that Redis is running.`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
