import { Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/env';

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

export function connectRedis(config: AppConfig['redis'], url: string | undefined): Redis {
  const options = redisOptions(config);
  return url && !config.sentinels ? new Redis(url, options) : new Redis(options);
}
