/**
 * Weighted max-min fair shares (water-filling), pure. Each session has a weight (by its hotspot's kind) and a
 * ceiling (its hotspot's per-session rate); capacity is shared so that no session can get more without taking
 * from one that has less per unit of weight. Sessions are never given more than their ceiling; what they cannot
 * use goes to the others.
 */
export interface Claimant {
  readonly id: string;
  readonly weight: number;
  readonly ceilingKbps: number;
}

export function fairShares(capacityKbps: number, claimants: readonly Claimant[]): Map<string, number> {
  const shares = new Map<string, number>();
  let remaining = Math.max(0, capacityKbps);
  // Fill in order of ceiling per weight: the first ones saturate before the water level reaches the rest.
  const open = [...claimants].filter((c) => c.weight > 0).sort((a, b) => a.ceilingKbps / a.weight - b.ceilingKbps / b.weight);
  let weightLeft = open.reduce((s, c) => s + c.weight, 0);
  for (const c of open) {
    const level = remaining / weightLeft; // kbps per unit of weight still on offer
    const share = Math.min(c.ceilingKbps, level * c.weight);
    shares.set(c.id, Math.floor(share));
    remaining -= share;
    weightLeft -= c.weight;
  }
  for (const c of claimants) if (!shares.has(c.id)) shares.set(c.id, 0);
  return shares;
}

export interface RerateDecision {
  readonly id: string;
  readonly fromKbps: number;
  readonly toKbps: number;
}

/**
 * Which sessions to re-rate, from their current and fair rates: down at once when a session holds more than its
 * share, up in steps (at most `stepUp` times the current rate per round), and not at all when the change is
 * within the hysteresis, so that routers are not flooded with CoA for a few kbps. A rate never goes below
 * `minKbps` (a session below the minimum usable rate ends with its Session-Timeout rather than crawl).
 */
export function rerateDecisions(
  current: ReadonlyMap<string, number>,
  fair: ReadonlyMap<string, number>,
  options: { hysteresis: number; stepUp: number; minKbps: number },
  /** Sessions whose router may not enforce their booked rate (revived, adopted): re-rated whatever the change. */
  force: ReadonlySet<string> = new Set(),
): RerateDecision[] {
  const out: RerateDecision[] = [];
  for (const [id, from] of current) {
    const target = Math.max(options.minKbps, fair.get(id) ?? from);
    if (!force.has(id) && Math.abs(target - from) <= from * options.hysteresis) continue;
    // Up in steps from at least the minimum, so that a session booked at nothing can climb.
    const to = target < from ? target : Math.min(target, Math.floor(Math.max(from, options.minKbps) * options.stepUp));
    if (force.has(id) && to === from) {
      out.push({ id, fromKbps: from, toKbps: to });
      continue;
    }
    if (to !== from) out.push({ id, fromKbps: from, toKbps: to });
  }
  return out;
}
