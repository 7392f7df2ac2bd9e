import type { RedisClient as Redis } from '../redis/client';

/** Two fixed-window counters taken together: a device's and the network it asks from. */
export interface DeviceSourceLimit {
  readonly deviceKey: string;
  readonly sourceKey: string;
  readonly perDevice: number;
  readonly perSource: number;
  readonly windowMs: number;
}

/** Takes one hit from both counters, checked and counted in one step (rate-limit-2.lua); says which one is full. */
export async function takeHit(redis: Redis, l: DeviceSourceLimit): Promise<'ok' | 'device' | 'source'> {
  const r = await redis.rateLimit(l.deviceKey, l.sourceKey, l.perDevice, l.perSource, l.windowMs);
  return r === 0 ? 'ok' : r === 1 ? 'device' : 'source';
}

/** Gives back a hit taken by `takeHit` (rate-refund-2.lua), for an attempt that turned out not to count. */
export async function giveBackHit(redis: Redis, l: Pick<DeviceSourceLimit, 'deviceKey' | 'sourceKey'>): Promise<void> {
  await redis.rateRefund(l.deviceKey, l.sourceKey);
}
