import type { RedisClient } from '../redis/client';
import type { Keys } from '../redis/keys';
import { WIB_OFFSET_MS, wibDay } from '../time';

/**
 * Each agency's measured usage minute by minute, kept for the right-sizing report (src/admin/right-sizing.ts).
 *
 * Storage: one Redis string per agency per WIB day (keys.agencyMinutes), 1440 slots of 8 bytes: down kbps + 1, then
 * up kbps + 1, each a big-endian uint32, so that 0 means "no sample" (SETRANGE pads a string with zero bytes). The
 * slots run from the day's last minute to its first: minute m (after 00:00 WIB) is at byte (1439 − m) × 8. So the
 * day's first write, which comes at its earliest minute, creates the string at its final length in one exact
 * allocation, and every later minute lands inside it; in minute order a string grown at its end would be grown again
 * and again with Redis's doubling reserve, about 16.1 KiB of memory a day instead of 12.1 KiB. `npm run bench:history`
 * measures it (per agency per 30 days, and against a hash of the same minutes, about 7 times larger).
 *
 * Writes are SETRANGE: the minute's last measurement written wins (within one batch, the one measured last). Each
 * day's key expires reporting.usageHistoryDays after that day ends (PEXPIREAT, the same instant at every write).
 */

export interface UsageSample {
  readonly agencyId: string;
  /** When it was measured, ms since the epoch; it is stored in the minute that contains it. */
  readonly atMs: number;
  readonly downKbps: number;
  readonly upKbps: number;
}

/** A stored minute: atMs is the minute's start. */
export interface MinuteUsage {
  readonly atMs: number;
  readonly downKbps: number;
  readonly upKbps: number;
}

export const MINUTES_PER_DAY = 1440;
export const SLOT_BYTES = 8;
export const DAY_BYTES = MINUTES_PER_DAY * SLOT_BYTES;
/** reporting.usageHistoryDays when the site in Redis does not say (written by upsertSite). */
export const DEFAULT_USAGE_HISTORY_DAYS = 90;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** The most a slot holds: kbps + 1 must fit a uint32 (4.29 Tbps, far above the 100 Gbps the push accepts). */
const MAX_STORED_KBPS = 0xffff_fffe;

/** Where minute `minute` of the day (0–1439) starts in the day's string: the last minute first. */
export function slotOffset(minute: number): number {
  return (MINUTES_PER_DAY - 1 - minute) * SLOT_BYTES;
}

/** The first instant of a WIB day (wibDay's inverse). */
export function wibDayStartMs(day: number): number {
  return day * DAY_MS - WIB_OFFSET_MS;
}

/** How many days the history is kept, as the site in Redis says (reporting.usageHistoryDays). */
export async function usageHistoryDays(redis: RedisClient, keys: Keys): Promise<number> {
  const days = Number(await redis.hget(keys.site(), 'usageHistoryDays'));
  return Number.isInteger(days) && days > 0 ? days : DEFAULT_USAGE_HISTORY_DAYS;
}

function slotValue(kbps: number): number {
  return Math.min(MAX_STORED_KBPS, Math.round(Math.max(0, kbps))) + 1;
}

/**
 * Stores a batch of measurements in one round trip: for each agency-day key, one SETRANGE per run of consecutive
 * minutes and one PEXPIREAT. A measurement whose time or rates are not finite numbers is skipped (a collector's
 * counter glitch must not lose the batch). `retentionDays` is the site's reporting.usageHistoryDays; without it the
 * site in Redis is asked first (one more round trip).
 */
export async function recordUsageSamples(
  redis: RedisClient,
  keys: Keys,
  samples: readonly UsageSample[],
  retentionDays?: number,
): Promise<void> {
  const valid = samples.filter((s) => Number.isFinite(s.atMs) && Number.isFinite(s.downKbps) && Number.isFinite(s.upKbps));
  if (valid.length === 0) return;
  const keepDays = retentionDays ?? (await usageHistoryDays(redis, keys));
  // key -> its day and, per minute of the day, the measurement kept (the latest; on a tie, the later in the batch).
  const byKey = new Map<string, { day: number; minutes: Map<number, UsageSample> }>();
  for (const s of valid) {
    const day = wibDay(s.atMs);
    const key = keys.agencyMinutes(s.agencyId, day);
    let entry = byKey.get(key);
    if (!entry) byKey.set(key, (entry = { day, minutes: new Map() }));
    const minute = Math.floor((s.atMs - wibDayStartMs(day)) / MINUTE_MS);
    const kept = entry.minutes.get(minute);
    if (!kept || s.atMs >= kept.atMs) entry.minutes.set(minute, s);
  }
  const pipe = redis.pipeline();
  for (const [key, { day, minutes }] of byKey) {
    // Latest minute first: consecutive minutes then lie at consecutive offsets, one SETRANGE per run.
    const order = [...minutes.keys()].sort((a, b) => b - a);
    for (let i = 0; i < order.length; ) {
      let j = i + 1;
      while (j < order.length && order[j] === order[j - 1]! - 1) j++;
      const run = Buffer.alloc((j - i) * SLOT_BYTES);
      for (let k = i; k < j; k++) {
        const s = minutes.get(order[k]!)!;
        run.writeUInt32BE(slotValue(s.downKbps), (k - i) * SLOT_BYTES);
        run.writeUInt32BE(slotValue(s.upKbps), (k - i) * SLOT_BYTES + 4);
      }
      pipe.setrange(key, slotOffset(order[i]!), run);
      i = j;
    }
    // A day older than the retention gets an instant in the past: Redis deletes the key at once.
    pipe.pexpireat(key, wibDayStartMs(day + 1) + keepDays * DAY_MS);
  }
  const results = (await pipe.exec()) ?? [];
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
}

/**
 * An agency's stored minutes whose start lies in [fromMs, toMs), oldest first, in one round trip (one GET per WIB
 * day of the period, pipelined). Minutes without a sample are left out.
 */
export async function readUsageSamples(redis: RedisClient, keys: Keys, agencyId: string, fromMs: number, toMs: number): Promise<MinuteUsage[]> {
  if (!(toMs > fromMs)) return [];
  const firstDay = wibDay(fromMs);
  const lastDay = wibDay(toMs - 1);
  const pipe = redis.pipeline();
  for (let day = firstDay; day <= lastDay; day++) pipe.getBuffer(keys.agencyMinutes(agencyId, day));
  const results = (await pipe.exec()) ?? [];
  const out: MinuteUsage[] = [];
  results.forEach(([err, value], i) => {
    if (err) throw err;
    if (!(value instanceof Buffer)) return;
    const start = wibDayStartMs(firstDay + i);
    // A string shorter than a day holds its last minutes only (the day's first write came later than 00:00).
    const stored = Math.min(MINUTES_PER_DAY, Math.floor(value.length / SLOT_BYTES));
    for (let minute = MINUTES_PER_DAY - stored; minute < MINUTES_PER_DAY; minute++) {
      const down = value.readUInt32BE(slotOffset(minute));
      const up = value.readUInt32BE(slotOffset(minute) + 4);
      if (down === 0 && up === 0) continue;
      const atMs = start + minute * MINUTE_MS;
      if (atMs < fromMs || atMs >= toMs) continue;
      // A slot is written whole, so both halves are set; were one not, it reads as 0 kbps rather than -1.
      out.push({ atMs, downKbps: Math.max(0, down - 1), upKbps: Math.max(0, up - 1) });
    }
  });
  return out;
}
