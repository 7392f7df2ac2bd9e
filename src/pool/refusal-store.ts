import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import { REFUSAL_POLICY, type RefusalReason } from '../refusals';

/** How long the portal can explain a refusal after it happened. */
export const REFUSAL_WINDOW_MS = 10 * 60_000;
/** Devices whose refusal a hotspot keeps at most, within the window: more than its crowd, less than a flood. */
export const REFUSALS_PER_HOTSPOT = 1000;

/** Keeps a refusal for the portal (bounded per hotspot); false when it was not kept. */
export async function recordRefusal(redis: Redis, keys: Keys, hotspotId: string, mac: string, reason: RefusalReason, nowMs = Date.now()): Promise<boolean> {
  if (!REFUSAL_POLICY[reason].kept) return false;
  const r = await redis.recordRefusal(
    keys.refusals(hotspotId), mac, JSON.stringify({ reason, atMs: nowMs }), REFUSALS_PER_HOTSPOT, REFUSAL_WINDOW_MS,
  );
  return r === 1;
}

/** The device's last refusal at the hotspot within the window, or null. */
export async function lastRefusal(redis: Redis, keys: Keys, hotspotId: string, mac: string, nowMs = Date.now()): Promise<RefusalReason | null> {
  return refusalWithinWindow(await redis.hget(keys.refusals(hotspotId), mac), nowMs);
}

/** A stored refusal's reason, if it is still within the window. */
export function refusalWithinWindow(json: string | null, nowMs: number): RefusalReason | null {
  if (!json) return null;
  const r = JSON.parse(json) as { reason: RefusalReason; atMs: number };
  return nowMs - r.atMs <= REFUSAL_WINDOW_MS ? r.reason : null;
}
