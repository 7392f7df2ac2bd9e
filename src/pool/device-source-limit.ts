import type { RedisClient as Redis } from '../redis/client';
import { defineScripts } from '../redis/script-loader';

/** Two fixed-window counters taken together: a device's and the network it asks from. */
export interface DeviceSourceLimit {
  readonly deviceKey: string;
  readonly sourceKey: string;
  readonly perDevice: number;
  readonly perSource: number;
  readonly windowMs: number;
}

type LimitScripts = {
  rateLimit(...a: Array<string | number>): Promise<number>;
  rateRefund(...a: string[]): Promise<number>;
};

/** Takes one hit from both counters, checked and counted in one step (rate-limit-2.lua); says which one is full. */
export async function takeHit(redis: Redis, l: DeviceSourceLimit): Promise<'ok' | 'device' | 'source'> {
  defineScripts(redis);
  const r = await (redis as unknown as LimitScripts).rateLimit(l.deviceKey, l.sourceKey, l.perDevice, l.perSource, l.windowMs);
  return r === 0 ? 'ok' : r === 1 ? 'device' : 'source';
}

/** Gives back a hit taken by `takeHit` (rate-refund-2.lua), for an attempt that turned out not to count. */
export async function giveBackHit(redis: Redis, l: Pick<DeviceSourceLimit, 'deviceKey' | 'sourceKey'>): Promise<void> {
  defineScripts(redis);
  await (redis as unknown as LimitScripts).rateRefund(l.deviceKey, l.sourceKey);
}
