import { readAgencyUsage, refreshCapacity } from '../../pool/capacity-refresh';
import { audit } from '../audit';
import { AdminError } from '../errors';
import type { Actor } from '../operators';
import { can } from '../policy';
import type { StoreDeps } from './deps';

/** Agencies: their committed rate, measured usage and current claim; an admin changes the committed rate. */

export interface AgencyView {
  readonly id: string;
  readonly name: string;
  readonly committedKbps: number;
  readonly source: string;
  readonly usage: { downKbps: number; upKbps: number; ageSeconds: number } | null;
  readonly claim: { downKbps: number; upKbps: number; basis: string } | null;
}

export async function listAgencies(d: StoreDeps): Promise<AgencyView[]> {
  const [agencies, usage, capacity] = await Promise.all([d.redis.hgetall(d.keys.agencies()), readAgencyUsage(d.redis, d.keys), refreshCapacity(d.redis, d.keys)]);
  const now = Date.now();
  return Object.values(agencies)
    .map((json) => JSON.parse(json) as { id: string; name: string; committedKbps: number; source?: string })
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((a) => {
      const u = usage.get(a.id);
      const c = capacity.claims.find((x) => x.agencyId === a.id);
      return {
        id: a.id,
        name: a.name,
        committedKbps: a.committedKbps,
        source: a.source ?? 'site',
        usage: u ? { downKbps: u.downKbps, upKbps: u.upKbps, ageSeconds: Math.max(0, Math.round((now - u.receivedAtMs) / 1000)) } : null,
        claim: c ? { downKbps: c.downKbps, upKbps: c.upKbps, basis: c.basis } : null,
      };
    });
}

export async function setAgencyCommitted(d: StoreDeps, actor: Actor, id: string, committedKbps: number): Promise<void> {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', 'only an admin may change agencies').says('adminOnly');
  if (!Number.isInteger(committedKbps) || committedKbps < 0 || committedKbps > 100_000_000) throw new AdminError('INVALID', 'committedKbps: a whole number of kbps, 0 or more').says('committedKbps');
  const json = await d.redis.hget(d.keys.agencies(), id);
  if (!json) throw new AdminError('NOT_FOUND', `no agency "${id}"`).says('noAgency', { id });
  const before = JSON.parse(json) as { committedKbps: number };
  await d.redis.hset(d.keys.agencies(), id, JSON.stringify({ ...before, committedKbps, source: 'console' }));
  await refreshCapacity(d.redis, d.keys);
  await audit(d.redis, d.keys, actor, 'agency.update', `agency:${id}`, { committedKbps: before.committedKbps }, { committedKbps });
}
