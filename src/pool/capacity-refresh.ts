import type { RedisClient as Redis } from '../redis/client';
import type { OfficeHours } from '../config/site';
import { computeCapacity, type AgencyUsage, type Capacity } from './capacity';
import type { Keys } from '../redis/keys';
import { redisNowMs } from '../redis/time';

export async function readAgencyUsage(redis: Redis, keys: Keys): Promise<Map<string, AgencyUsage & { receivedAtMs: number }>> {
  const all = await redis.hgetall(keys.agencyUsage());
  return new Map(Object.entries(all).map(([id, json]) => [id, JSON.parse(json) as AgencyUsage & { receivedAtMs: number }]));
}

/**
 * Recomputes public capacity from the site, the agencies' latest usage and the time, and writes it into the pool.
 * Idempotent; any process may run it.
 */
export async function refreshCapacity(redis: Redis, keys: Keys): Promise<Capacity> {
  const [site, agencies, usage, nowMs] = await Promise.all([
    redis.hgetall(keys.site()),
    redis.hgetall(keys.agencies()),
    readAgencyUsage(redis, keys),
    redisNowMs(redis),
  ]);
  const known = new Map(Object.entries(agencies).map(([id, json]) => [id, JSON.parse(json) as { id: string; committedKbps: number }]));
  for (const id of usage.keys()) if (!known.has(id)) usage.delete(id);
  const capacity = computeCapacity(
    {
      uplinkKbps: Number(site['capacityKbps'] ?? 0),
      headroomKbps: Number(site['headroomKbps'] ?? 0),
      agencies: [...known.values()],
      usage,
      staleAfterMs: Number(site['staleAfterSeconds'] ?? 300) * 1000,
      safetyMarginPercent: Number(site['safetyMarginPercent'] ?? 20),
      officeHours: JSON.parse(site['officeHours'] ?? '{}') as OfficeHours,
      outsideOfficeFraction: Number(site['outsideOfficeFraction'] ?? 1),
    },
    nowMs,
  );
  await redis.hset(keys.pool(), { capDownKbps: capacity.downKbps, capUpKbps: capacity.upKbps });
  return capacity;
}
