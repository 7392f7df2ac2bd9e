import type { Logger } from '../../log';
import type { Keys } from '../../redis/keys';
import type { Pool } from '../../pool/pool';
import type { NasDirectory } from '../../radius/nas-directory';
import type { SessionControl } from '../../radius/session-control';
import type { RedisClient as Redis } from '../../redis/client';
import type { RadiusEndpoint } from '../router-config';

export interface AdminDeps {
  readonly redis: Redis;
  readonly keys: Keys;
  readonly pool: Pool;
  readonly nas: NasDirectory;
  readonly sessions: Pick<SessionControl, 'disconnect'>;
  readonly logger: Logger;
  /** Where routers reach the RADIUS server, for the generated RouterOS script (default: address unknown, 1812/1813). */
  readonly radius?: RadiusEndpoint;
}

/** What the operations that only read and write Redis need: the CLI runs them without a pool or a RADIUS server. */
export type StoreDeps = Pick<AdminDeps, 'redis' | 'keys'>;
