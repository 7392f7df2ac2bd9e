import type { Actor } from './operators';

/**
 * Who may do what, in one place: the service, the console's pages and templates, the admin API and the CLI all ask
 * `can(actor, action, target)`. Roles:
 *  - admin: everything, including accounts, agencies and API keys;
 *  - operator: reads everything, changes hotspots, sessions and vouchers within its scope (a list of kecamatan
 *    and/or hotspots);
 *  - viewer: reads everything, changes nothing.
 */

/** A hotspot as the policy sees it: its id and its kecamatan. */
export interface HotspotRef {
  readonly id: string;
  readonly kecamatan: string;
}

/** Where vouchers are good: hotspots (undefined for one that no longer exists) and kecamatan; both empty, everywhere. */
export interface VoucherScope {
  readonly hotspots: ReadonlyArray<HotspotRef | undefined>;
  readonly kecamatan: readonly string[];
}

interface Targets {
  /** Change anything at all (a viewer may not). */
  readonly change: undefined;
  /** Site-wide things: accounts, agencies, API keys. */
  readonly administer: undefined;
  /** Change a hotspot, its routers and sessions (also: put a hotspot in this kecamatan). */
  readonly 'hotspot.change': HotspotRef;
  /** Act on a whole kecamatan (vouchers good there). */
  readonly 'kecamatan.change': string;
  /** Make, see the codes of, print, export or revoke vouchers good there: an operator never for every hotspot. */
  readonly 'vouchers.change': VoucherScope;
  /** Lift a device block: an admin, or the operator who set it. */
  readonly 'block.lift': { readonly by: string };
}
export type Action = keyof Targets;

export function can<A extends Action>(actor: Actor, action: A, ...target: Targets[A] extends undefined ? [] : [Targets[A]]): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role !== 'operator' || action === 'administer') return false;
  const t = target[0] as Targets[Action];
  switch (action) {
    case 'change':
      return true;
    case 'hotspot.change': {
      const h = t as HotspotRef;
      return actor.scope.hotspots.includes(h.id) || actor.scope.kecamatan.includes(h.kecamatan);
    }
    case 'kecamatan.change':
      return actor.scope.kecamatan.includes(t as string);
    case 'vouchers.change': {
      const s = t as VoucherScope;
      if (s.hotspots.length === 0 && s.kecamatan.length === 0) return false;
      return s.hotspots.every((h) => h !== undefined && can(actor, 'hotspot.change', h)) && s.kecamatan.every((k) => can(actor, 'kecamatan.change', k));
    }
    case 'block.lift':
      return (t as { by: string }).by === actor.name;
    default:
      return false;
  }
}
