import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from './keys';
import type { RefusalReason } from '../refusals';
import { wibDay, WIB_OFFSET_SEC } from '../time';

/**
 * Why a login by this device at this hotspot would be refused right now, as the admission script would decide it
 * (the same conditions, read without changing anything), or null when it would be admitted. For the splash page,
 * so that a citizen learns before "Sambungkan" that the hotspot is closed, full or that the day's allowance is used
 * up; the admission still decides. One pipelined round trip.
 */
export async function loginObstacle(redis: Redis, keys: Keys, hotspotId: string, mac: string, nowMs = Date.now()): Promise<RefusalReason | null> {
  const day = wibDay(nowMs);
  const r = await redis
    .multi()
    .hmget(keys.hotspot(hotspotId), 'maxSessions', 'minDownKbps', 'minUpKbps', 'dailyMinutes', 'dailyMB', 'openMinutes', 'maxShareKbps', 'disabled')
    .exists(keys.deviceBlock(mac))
    .hmget(keys.device(mac), `d${day}:s`, `d${day}:b`)
    .scard(keys.hotspotLive(hotspotId))
    .hmget(keys.pool(), 'capDownKbps', 'capUpKbps', 'allocDownKbps', 'allocUpKbps', 'overbooking', `h:${hotspotId}:down`)
    .exec();
  if (!r || r.some(([err]) => err)) return null;
  const [maxSessions, minDown, minUp, dailyMinutes, dailyMB, openMinutes, maxShare, disabled] = r[0]![1] as Array<string | null>;
  if (!maxSessions) return null;
  if (disabled === '1') return 'hotspot_disabled';
  if (r[1]![1] === 1) return 'device_blocked';
  if (openMinutes) {
    const wib = Math.floor(nowMs / 1000) + WIB_OFFSET_SEC;
    const span = (JSON.parse(openMinutes) as Array<[number, number] | false | null>)[(day + 4) % 7];
    const minute = Math.floor((wib % 86400) / 60);
    if (!span || minute < span[0] || minute >= span[1]) return 'closed_hours';
  }
  const [usedSec, usedBytes] = (r[2]![1] as Array<string | null>).map((v) => Number(v ?? 0));
  if (Number(dailyMinutes) * 60 - usedSec! < 60 || Number(dailyMB) * 1048576 - usedBytes! < 1048576) return 'daily_limit';
  if ((r[3]![1] as number) >= Number(maxSessions)) return 'hotspot_full';
  const [capDown, capUp, allocDown, allocUp, overbooking, held] = (r[4]![1] as Array<string | null>).map((v) => Number(v ?? 0));
  const factor = overbooking || 1;
  if (Math.floor(capDown! * factor) - allocDown! < Number(minDown) || Math.floor(capUp! * factor) - allocUp! < Number(minUp)) return 'pool_full';
  if (Number(maxShare ?? 0) > 0 && Number(maxShare) - held! < Number(minDown)) return 'hotspot_full';
  return null;
}
