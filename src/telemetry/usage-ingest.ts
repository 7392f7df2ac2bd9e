import type { RedisClient as Redis } from '../redis/client';
import { z } from 'zod';
import type { Keys } from '../redis/keys';
import { hashApiKey } from '../pool/site-store';
import { redisNowMs } from '../redis/time';
import type { UsageSource } from '../pool/capacity';
import { recordUsageSamples } from './usage-history';

/** Who sent a batch: the API key's name and the agencies it may report for (null: all). */
export interface ApiKeyIdentity {
  readonly name: string;
  readonly agencies: readonly string[] | null;
}

/** Finds the API key by its SHA-256 digest; the digest comparison is constant-time. */
export async function authenticateApiKey(redis: Redis, keys: Keys, bearer: string | undefined): Promise<ApiKeyIdentity | null> {
  if (!bearer || bearer.length < 24 || bearer.length > 200) return null;
  const digest = hashApiKey(bearer);
  const json = await redis.hget(keys.apiKeys(), digest);
  // Looked up by the key's SHA-256: what the lookup's timing could reveal is the digest, not the key.
  if (!json) return null;
  return JSON.parse(json) as ApiKeyIdentity;
}

/** The most an agency can plausibly measure: 100 Gbps. */
const MAX_KBPS = 100_000_000;

export const usageItemSchema = z.strictObject({
  agencyId: z.string().min(1).max(64),
  downKbps: z.number().finite().min(0, 'must not be negative').max(MAX_KBPS, 'is more than 100 Gbps: check the unit (kbps)'),
  upKbps: z.number().finite().min(0, 'must not be negative').max(MAX_KBPS, 'is more than 100 Gbps: check the unit (kbps)'),
  /** When it was measured: ISO 8601 or ms since the epoch. */
  at: z.union([z.iso.datetime({ offset: true }), z.number().int().positive()]),
});

export const usageBatchSchema = z.union([
  z.array(usageItemSchema).min(1).max(500),
  z.strictObject({ usage: z.array(usageItemSchema).min(1).max(500) }).transform((b) => b.usage),
]);

export type UsageItem = z.infer<typeof usageItemSchema>;

export interface IngestProblem {
  readonly path: string;
  readonly message: string;
}

/** Clock skew allowed for a measurement time in the future. */
const MAX_FUTURE_MS = 60_000;

/**
 * Checks a batch against the known agencies, the key's scope and the clock, and stores it whole or not at all.
 * A measurement older than the one stored for an agency does not replace it.
 */
export async function ingestUsage(
  redis: Redis,
  keys: Keys,
  who: ApiKeyIdentity,
  batch: readonly UsageItem[],
): Promise<{ stored: number; problems: IngestProblem[] }> {
  const [agencies, nowMs] = await Promise.all([redis.hkeys(keys.agencies()), redisNowMs(redis)]);
  const known = new Set(agencies);
  const problems: IngestProblem[] = [];
  const items = batch.map((item, i) => {
    const atMs = typeof item.at === 'number' ? item.at : Date.parse(item.at);
    if (!known.has(item.agencyId)) problems.push({ path: `[${i}].agencyId`, message: `unknown agency "${item.agencyId}"` });
    else if (who.agencies && !who.agencies.includes(item.agencyId)) {
      problems.push({ path: `[${i}].agencyId`, message: `this API key may not report for "${item.agencyId}"` });
    }
    if (atMs > nowMs + MAX_FUTURE_MS) problems.push({ path: `[${i}].at`, message: 'is in the future: check the clock of the sender (NTP)' });
    return { agencyId: item.agencyId, downKbps: item.downKbps, upKbps: item.upKbps, atMs };
  });
  if (problems.length > 0) return { stored: 0, problems };

  const stored = await recordMeasurements(redis, keys, items.map((i) => ({ ...i, source: { kind: 'push', key: who.name } })), nowMs);
  return { stored, problems };
}

/** Where a measurement came from, shown beside it in the console. */
export type { UsageSource } from '../pool/capacity';

export interface Measured {
  readonly agencyId: string;
  readonly downKbps: number;
  readonly upKbps: number;
  readonly atMs: number;
  readonly source: UsageSource;
}

/**
 * Stores measurements from the push API or the SNMP collector alike: for each agency the newest wins, whichever
 * way it came (record-usage script), so an agency measured both ways is claimed at its latest reading. Each also
 * goes into the agency's per-minute history (usage-history.ts), older ones too (their minute may still be empty).
 */
export async function recordMeasurements(redis: Redis, keys: Keys, items: readonly Measured[], receivedAtMs: number): Promise<number> {
  if (items.length === 0) return 0;
  const args = items.flatMap((i) => [
    i.agencyId,
    i.atMs,
    JSON.stringify({ downKbps: i.downKbps, upKbps: i.upKbps, atMs: i.atMs, receivedAtMs, source: i.source }),
  ]);
  const stored = await redis.recordUsage(keys.agencyUsage(), ...args);
  // Every measurement also goes into the per-minute history the right-sizing report reads.
  await recordUsageSamples(redis, keys, items.map((i) => ({ agencyId: i.agencyId, atMs: i.atMs, downKbps: i.downKbps, upKbps: i.upKbps })));
  return stored;
}
