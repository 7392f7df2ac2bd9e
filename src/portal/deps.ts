import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import type { HotspotLookup } from './hotspot-cache';
import type { FormSigner } from './form-token';

/** What the citizen-facing routers need: Redis and its keys, the hotspots, the form and status-link signers. */
export interface PortalDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly hotspots: HotspotLookup;
  readonly signer: FormSigner;
  readonly statusSigner: FormSigner;
  readonly publicUrl: string;
}
