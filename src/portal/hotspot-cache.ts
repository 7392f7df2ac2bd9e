import type { RedisClient as Redis } from '../redis/client';
import type { Logger } from '../log';
import type { Keys } from '../redis/keys';
import { findHotspot, type HotspotInfo } from '../pool/site-store';

/**
 * Hotspot lookups for the portal: from Redis, so that changes show at once, and from the last answer Redis gave
 * while Redis is unavailable, so that a citizen still sees the splash page and can connect (RADIUS fails open).
 */
export class HotspotLookup {
  private readonly byId = new Map<string, HotspotInfo>();
  private readonly byIdentifier = new Map<string, string>();

  constructor(private readonly redis: Redis, private readonly keys: Keys, private readonly logger: Logger) {}

  async find(by: { id?: string; identifier?: string }): Promise<HotspotInfo | null> {
    try {
      const h = await findHotspot(this.redis, this.keys, by);
      if (h) {
        this.byId.set(h.id, h);
        if (by.identifier) this.byIdentifier.set(by.identifier, h.id);
      }
      return h;
    } catch (err) {
      this.logger.warn({ err }, 'Redis unavailable: using the last known hotspot');
      const id = by.id ?? (by.identifier ? this.byIdentifier.get(by.identifier) : undefined);
      return (id && this.byId.get(id)) || null;
    }
  }
}
