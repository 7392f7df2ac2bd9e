/**
 * npm run bench:pool: admit and release operations per second through Limpah's client (scripts.ts), the Redis
 * commands each runs (INFO commandstats) with the microseconds Redis spends per call, and Redis memory per live
 * session measured with 100,000 sessions (BENCH_SESSIONS) against a private redis-server.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { registerScripts } from '../src/redis/scripts';
import type { RedisClient } from '../src/redis/client';
import { createGrant, type Grant } from '../src/grants/grants';
import { Keys } from '../src/redis/keys';
import { Pool } from '../src/pool/pool';
import { upsertSite } from '../src/pool/site-store';
import { startEmbeddedRedis } from '../src/redis/embedded';
import { benchSite } from './site';

/** Admissions made here skip the credential check, as RADIUS does once it has verified CHAP itself. */
const VERIFIED = { kind: 'verified', value: '' } as const;

const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 100_000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 256);

async function usedMemory(redis: RedisClient): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** Calls and microseconds per operation, by command, from INFO commandstats since the last CONFIG RESETSTAT. */
async function commandStats(redis: RedisClient, operations: number): Promise<{ line: string; commands: number; scriptUs: number }> {
  const rows: Array<[string, number, number]> = [];
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/gm)) {
    if (/^(info|config\|resetstat)$/.test(m[1]!)) continue;
    rows.push([m[1]!, Number(m[2]) / operations, Number(m[3]) / operations]);
  }
  const scripts = rows.filter(([name]) => name === 'evalsha' || name === 'eval');
  const inner = rows.filter(([name]) => name !== 'evalsha' && name !== 'eval').sort((a, b) => b[1] - a[1]);
  return {
    line: inner.filter(([, calls]) => calls >= 0.005).map(([name, calls]) => `${name} ${+calls.toFixed(2)}`).join(', '),
    commands: inner.reduce((sum, [, calls]) => sum + calls, 0),
    scriptUs: scripts.reduce((sum, [, , us]) => sum + us, 0),
  };
}

async function inParallel(count: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) await fn(next++);
    }),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function mac(n: number): string {
  return ['02', '00', ...[24, 16, 8, 0].map((s) => ((n >> s) & 255).toString(16).padStart(2, '0'))].join(':').toUpperCase();
}

async function main(): Promise<void> {
  const server = await startEmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'limpah-bench-pool-')), appendOnly: false });
  const redis = registerScripts(new Redis(server.url, { enableAutoPipelining: true }));
  const keys = new Keys('bench');
  await upsertSite(redis, keys, benchSite({ maxSessions: 10_000_000, downKbps: 512, upKbps: 256, minDownKbps: 256, minUpKbps: 128 }));
  const pool = new Pool(redis, keys);
  const baseline = await usedMemory(redis);
  const grants: Grant[] = [];
  for (let i = 0; i < SESSIONS; i += 1000) {
    grants.push(...(await Promise.all(Array.from({ length: Math.min(1000, SESSIONS - i) }, (_, j) => createGrant(redis, keys, { hotspotId: 'bench', mac: mac(i + j) })))));
  }

  await redis.config('RESETSTAT');
  const admitSec = await inParallel(grants.length, async (i) => {
    const g = grants[i]!;
    const r = await pool.admit({ sessionId: g.username, mac: g.mac, hotspotId: 'bench', nasIp: '127.0.0.1', acctSessionId: `a${i}`, requestKey: `r${i}`, credential: VERIFIED });
    if (!r.ok) throw new Error(`admission refused: ${r.reason}`);
  });
  const admitStats = await commandStats(redis, SESSIONS);
  // Nothing of an admission expires later (a retransmission is answered from the session itself): this is steady.
  const steady = await usedMemory(redis);
  const snap = await pool.snapshot();

  await redis.config('RESETSTAT');
  const releaseSec = await inParallel(grants.length, (i) => pool.release(grants[i]!.username, 'bench', 'bench'));
  const releaseStats = await commandStats(redis, SESSIONS);
  const after = await pool.snapshot();

  console.log(`# npm run bench:pool  (${SESSIONS} sessions, ${CONCURRENCY} in flight, scripts sent as in scripts.ts, redis-server ${(await redis.info('server')).match(/redis_version:(\S+)/)?.[1]})`);
  console.log(`admit:   ${(SESSIONS / admitSec).toFixed(0)} ops/s  (${admitSec.toFixed(2)} s; pool then held ${snap.sessions} sessions, ${snap.allocDownKbps} kbps)`);
  console.log(`         ${admitStats.commands.toFixed(1)} commands in the script per admission (${admitStats.line}); Redis ${admitStats.scriptUs.toFixed(1)} us per admission script`);
  console.log(`release: ${(SESSIONS / releaseSec).toFixed(0)} ops/s  (${releaseSec.toFixed(2)} s; pool then held ${after.sessions} sessions, ${after.allocDownKbps} kbps)`);
  console.log(`         ${releaseStats.commands.toFixed(1)} commands in the script per release (${releaseStats.line}); Redis ${releaseStats.scriptUs.toFixed(1)} us per release script`);
  console.log(`memory per live session: ${((steady - baseline) / SESSIONS).toFixed(0)} bytes (session hash, hotspot live set, lease, the device hash with its live-session entry, the day's device count); target <= 1024`);
  redis.disconnect();
  await server.stop();
}

void main();
