import type { Keys } from '../redis/keys';
import { deviceDayUsage } from '../pool/device-usage';
import { wibDay } from '../time';
import type { RedisClient as Redis } from '../redis/client';

/** What a session has left, and whether it is a voucher's (then the voucher's time and megabytes, not the device's day). */
export interface Allowance {
  readonly seconds: number;
  readonly bytes: number;
  readonly voucher: boolean;
}

/**
 * What a live session has left now: of its voucher when it runs on one, else of its device's free day (WIB) at the
 * hotspot's daily limits. For the status page and the Captive Portal API, which must say the same.
 */
export async function allowanceLeft(
  redis: Redis,
  keys: Keys,
  session: { voucher?: string | undefined; mac?: string | undefined },
  daily: { dailyMinutes: number; dailyMB: number },
  nowSec: number,
): Promise<Allowance> {
  if (session.voucher) {
    const [expiresAt, quotaMB, usedBytes] = await redis.hmget(keys.voucher(session.voucher), 'expiresAt', 'quotaMB', 'usedBytes');
    return {
      voucher: true,
      seconds: Math.max(0, Math.floor(Number(expiresAt ?? 0) / 1000 - nowSec)),
      bytes: Math.max(0, Number(quotaMB ?? 0) * 1048576 - Number(usedBytes ?? 0)),
    };
  }
  const used = await deviceDayUsage(redis, keys, session.mac ?? '', wibDay(nowSec * 1000));
  return {
    voucher: false,
    seconds: Math.max(0, daily.dailyMinutes * 60 - used.sec),
    bytes: Math.max(0, daily.dailyMB * 1048576 - used.bytes),
  };
}
