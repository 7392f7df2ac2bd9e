/**
 * npm run bench:history: the Redis memory the per-minute usage history takes (src/telemetry/usage-history.ts),
 * measured with MEMORY USAGE against a private redis-server: one agency, 30 full WIB days (BENCH_HISTORY_DAYS), every
 * minute measured, written in batches of 500 as a backfill through the usage API would; a day written a minute at a
 * time, as a collector does; and for comparison, one day stored as a hash of minutes (field: minute of the day,
 * value "down,up"), the obvious alternative.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Keys } from '../src/redis/keys';
import { registerScripts } from '../src/redis/scripts';
import type { RedisClient } from '../src/redis/client';
import { startEmbeddedRedis } from '../src/redis/embedded';
import { recordUsageSamples, wibDayStartMs, type UsageSample } from '../src/telemetry/usage-history';
import { wibDay } from '../src/time';

const DAYS = Number(process.env['BENCH_HISTORY_DAYS'] ?? 30);
const BATCH = 500;

async function usedMemory(redis: RedisClient): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

async function memoryUsage(redis: RedisClient, key: string): Promise<number> {
  // SAMPLES 0: every element counted, not an estimate.
  return Number(await redis.memory('USAGE', key, 'SAMPLES', 0));
}

/** A plausible office day: low at night, up to ~40 Mbps by day, never twice the same. */
function kbpsAt(t: number): { downKbps: number; upKbps: number } {
  const hour = new Date(t + 7 * 3600_000).getUTCHours();
  const base = hour >= 8 && hour < 16 ? 20_000 : 2_000;
  const wobble = Math.abs(Math.sin(t / 7_919_000)) * base;
  return { downKbps: Math.round(base + wobble), upKbps: Math.round((base + wobble) / 5) };
}

async function main(): Promise<void> {
  const server = await startEmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'limpah-bench-history-')), appendOnly: false });
  const redis = registerScripts(new Redis(server.url));
  try {
    const keys = new Keys('bench');
    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
    const firstDay = wibDay(Date.now()) - DAYS;
    const baseline = await usedMemory(redis);
    for (let d = 0; d < DAYS; d++) {
      const start = wibDayStartMs(firstDay + d);
      const day: UsageSample[] = Array.from({ length: 1440 }, (_, m) => ({ agencyId: 'dinkes', atMs: start + m * 60_000 + 20_000, ...kbpsAt(start + m * 60_000) }));
      for (let i = 0; i < day.length; i += BATCH) await recordUsageSamples(redis, keys, day.slice(i, i + BATCH), 400);
    }
    const grown = (await usedMemory(redis)) - baseline;
    let total = 0;
    for (let d = 0; d < DAYS; d++) total += await memoryUsage(redis, keys.agencyMinutes('dinkes', firstDay + d));
    const perDay = total / DAYS;

    // The same first day as a hash of minutes.
    const hashKey = `${keys.prefix()}bench-hash-day`;
    const start = wibDayStartMs(firstDay);
    const fields: Record<string, string> = {};
    for (let m = 0; m < 1440; m++) {
      const r = kbpsAt(start + m * 60_000);
      fields[String(m)] = `${r.downKbps},${r.upKbps}`;
    }
    await redis.hset(hashKey, fields);
    const hashDay = await memoryUsage(redis, hashKey);

    // One more day written as a collector writes it, a minute at a time, each in its own batch.
    const collectorDay = wibDay(Date.now()) - DAYS - 1;
    const collectorStart = wibDayStartMs(collectorDay);
    for (let m = 0; m < 1440; m++) {
      const t = collectorStart + m * 60_000;
      await recordUsageSamples(redis, keys, [{ agencyId: 'collector', atMs: t + 30_000, ...kbpsAt(t) }], 400);
    }
    const minuteByMinute = await memoryUsage(redis, keys.agencyMinutes('collector', collectorDay));

    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
    console.log(`usage history, one agency, ${DAYS} WIB days, every minute measured (redis-server ${version}):`);
    console.log(`  MEMORY USAGE summed over the ${DAYS} day keys: ${total} bytes (${kb(total)}), ${Math.round(perDay)} bytes per agency-day (payload 11520)`);
    console.log(`  used_memory grew by ${grown} bytes (${kb(grown)}) while writing them`);
    console.log(`  per agency: 30 days ${kb(perDay * 30)}, 90 days (default reporting.usageHistoryDays) ${mb(perDay * 90)}, 400 days (the most) ${mb(perDay * 400)}`);
    console.log(`  35 agencies: 30 days ${mb(perDay * 30 * 35)}, 90 days ${mb(perDay * 90 * 35)}`);
    console.log(`  a day written a minute at a time (as a collector does): ${minuteByMinute} bytes`);
    console.log(`  the same day as a hash of 1440 minutes: ${hashDay} bytes (${kb(hashDay)}), ${(hashDay / perDay).toFixed(1)}x the string`);
    console.log('command: npm run bench:history (BENCH_HISTORY_DAYS=30)');
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
