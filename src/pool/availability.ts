import type { RedisClient as Redis } from '../redis/client';
import { hotspotField, type Keys } from '../redis/keys';
import type { RefusalReason } from '../refusals';
import { wibDay, WIB_OFFSET_SEC } from '../time';
import { refusalWithinWindow } from './refusal-store';

/** What the splash needs to know of a device at a hotspot: its last refusal kept for the portal, and what would refuse it now. */
export interface LoginState {
  /** The RADIUS server's last refusal of this device here, within its window (see refusal-store). */
  readonly recorded: RefusalReason | null;
  /** What would refuse a login now, or null. */
  readonly obstacle: RefusalReason | null;
}

/**
 * Why a login by this device at this hotspot would be refused right now, as the admission script would decide it
 * (the same conditions, read without changing anything), and the last refusal kept for the portal. For the splash
 * page, so that a citizen learns before "Sambungkan" that the hotspot is closed, full or that the day's allowance is
 * used up; the admission still decides. One round trip: the reads are issued together and the client's
 * auto-pipelining sends them in one write. No MULTI: a hint needs no transaction, and a MULTI of these reads costs
 * the portal more CPU than the reads themselves (npm run bench:portal).
 */
export async function loginState(redis: Redis, keys: Keys, hotspotId: string, mac: string, nowMs = Date.now()): Promise<LoginState> {
  const day = wibDay(nowMs);
  const r = await Promise.all([
    redis.hmget(keys.hotspot(hotspotId), 'maxSessions', 'minDownKbps', 'minUpKbps', 'dailyMinutes', 'dailyMB', 'openMinutes', 'maxShareKbps', 'disabled'),
    redis.exists(keys.deviceBlock(mac)),
    redis.hmget(keys.device(mac), `d${day}:s`, `d${day}:b`),
    redis.scard(keys.hotspotLive(hotspotId)),
    redis.hmget(keys.pool(), 'capDownKbps', 'capUpKbps', 'allocDownKbps', 'allocUpKbps', 'overbooking', hotspotField(hotspotId, 'down')),
    redis.hget(keys.refusals(hotspotId), mac),
  ]);
  return { recorded: refusalWithinWindow(r[5], nowMs), obstacle: obstacleFrom(r, day, nowMs) };
}

/** The admission script's conditions, in its order, over the replies above. */
function obstacleFrom(r: unknown[], day: number, nowMs: number): RefusalReason | null {
  const [maxSessions, minDown, minUp, dailyMinutes, dailyMB, openMinutes, maxShare, disabled] = r[0] as Array<string | null>;
  if (!maxSessions) return null;
  if (disabled === '1') return 'hotspot_disabled';
  if (r[1] === 1) return 'device_blocked';
  if (openMinutes) {
    const wib = Math.floor(nowMs / 1000) + WIB_OFFSET_SEC;
    const span = (JSON.parse(openMinutes) as Array<[number, number] | false | null>)[(day + 4) % 7];
    const minute = Math.floor((wib % 86400) / 60);
    if (!span || minute < span[0] || minute >= span[1]) return 'closed_hours';
  }
  const [usedSec, usedBytes] = (r[2] as Array<string | null>).map((v) => Number(v ?? 0));
  if (Number(dailyMinutes) * 60 - usedSec! < 60 || Number(dailyMB) * 1048576 - usedBytes! < 1048576) return 'daily_limit';
  if ((r[3] as number) >= Number(maxSessions)) return 'hotspot_full';
  const [capDown, capUp, allocDown, allocUp, overbooking, held] = (r[4] as Array<string | null>).map((v) => Number(v ?? 0));
  const factor = overbooking || 1;
  if (Math.floor(capDown! * factor) - allocDown! < Number(minDown) || Math.floor(capUp! * factor) - allocUp! < Number(minUp)) return 'pool_full';
  if (Number(maxShare ?? 0) > 0 && Number(maxShare) - held! < Number(minDown)) return 'hotspot_full';
  return null;
}
