import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import { wibDay } from '../time';

/** What a device has used of one WIB day's free allowance, as the ledger books it (account-5.lua). */
export interface DeviceDayUsage {
  readonly sec: number;
  readonly bytes: number;
}

/** The device's usage on a WIB day (default: today by this process's clock). */
export async function deviceDayUsage(redis: Redis, keys: Keys, mac: string, day = wibDay(Date.now())): Promise<DeviceDayUsage> {
  const [sec, bytes] = await redis.hmget(keys.device(mac), `d${day}:s`, `d${day}:b`);
  return { sec: Number(sec ?? 0), bytes: Number(bytes ?? 0) };
}
