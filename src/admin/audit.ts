import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import type { Actor } from './operators';

/**
 * The audit log: every change made through the console or the API, with who, when, what, and the values before
 * and after. A Redis stream, capped at about 200,000 entries (years of a regency's changes).
 */
export interface AuditEntry {
  readonly id: string;
  readonly at: number;
  readonly actor: string;
  readonly via: 'console' | 'api' | 'cli';
  readonly action: string;
  readonly target: string;
  readonly before: unknown;
  readonly after: unknown;
}

const MAX_ENTRIES = 200_000;

export async function audit(
  redis: Redis,
  keys: Keys,
  actor: Actor | { name: string; kind: 'cli' },
  action: string,
  target: string,
  before: unknown,
  after: unknown,
): Promise<void> {
  const via = actor.kind === 'operator' ? 'console' : actor.kind === 'api-key' ? 'api' : 'cli';
  await redis.xadd(
    keys.audit(), 'MAXLEN', '~', MAX_ENTRIES, '*',
    'actor', actor.name, 'via', via, 'action', action, 'target', target,
    'before', JSON.stringify(before ?? null), 'after', JSON.stringify(after ?? null),
  );
}

export interface AuditFilter {
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  /** A substring of the target. */
  readonly target?: string | undefined;
  readonly limit?: number | undefined;
}

/** The newest entries first that match the filter; reads back at most 5,000 entries to find them. */
export async function readAudit(redis: Redis, keys: Keys, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const limit = Math.min(filter.limit ?? 100, 1000);
  const out: AuditEntry[] = [];
  let end = '+';
  for (let scanned = 0; out.length < limit && scanned < 5000; ) {
    const batch = await redis.xrevrange(keys.audit(), end, '-', 'COUNT', 500);
    if (batch.length === 0) break;
    for (const [id, flat] of batch) {
      if (id === end) continue;
      const f: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      const entry: AuditEntry = {
        id,
        at: Number(id.split('-')[0]),
        actor: f['actor'] ?? '',
        via: (f['via'] as AuditEntry['via']) ?? 'console',
        action: f['action'] ?? '',
        target: f['target'] ?? '',
        before: JSON.parse(f['before'] ?? 'null'),
        after: JSON.parse(f['after'] ?? 'null'),
      };
      if (filter.actor && entry.actor !== filter.actor) continue;
      if (filter.action && entry.action !== filter.action) continue;
      if (filter.target && !entry.target.includes(filter.target)) continue;
      out.push(entry);
      if (out.length >= limit) break;
    }
    scanned += batch.length;
    end = batch[batch.length - 1]![0];
    if (batch.length < 500) break;
  }
  return out;
}

/**
 * What changed between two audit values, field by field (nested objects flattened to dotted paths, lists compared
 * whole), for showing an entry: a hotspot update is one line for its quota change, not two copies of the hotspot.
 */
export function auditChanges(before: unknown, after: unknown): Array<{ field: string; before: string; after: string }> {
  const flat = (v: unknown, prefix = '', out: Map<string, string> = new Map()): Map<string, string> => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) flat(x, prefix ? `${prefix}.${k}` : k, out);
    } else if (v !== undefined && !(v === null && prefix === '')) {
      out.set(prefix, JSON.stringify(v));
    }
    return out;
  };
  const a = flat(before);
  const b = flat(after);
  const fields = [...new Set([...a.keys(), ...b.keys()])].sort();
  return fields.filter((f) => a.get(f) !== b.get(f)).map((f) => ({ field: f || '(value)', before: a.get(f) ?? '—', after: b.get(f) ?? '—' }));
}
