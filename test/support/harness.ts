import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { RedisClient as Redis } from '../../src/redis/client';
import type { Site } from '../../src/config/site';
import type { Logger } from '../../src/log';
import { UdpListener } from '../../src/radius/transport';
import { buildServices, type ServiceOptions, type Services } from '../../src/services';
import { testRedis } from './redis';
import { TEST_SECRET, testSite } from './site';
import { radclient, type RadclientReply } from './radclient';
import { createGrant, type Grant } from '../../src/grants/grants';

export interface Harness {
  readonly services: Services;
  readonly redis: Redis;
  readonly namespace: string;
  readonly authPort: number;
  readonly acctPort: number;
  readonly logger: Logger;
  close(): Promise<void>;
}

/** Limpah as main.ts composes it, on a test namespace, with RADIUS on free loopback ports. */
export async function startHarness(
  site: Site = testSite(),
  options: Partial<ServiceOptions> & { redisUrl?: string; commandTimeoutMs?: number } = {},
): Promise<Harness> {
  const { redis, namespace } = testRedis(options.redisUrl, options.commandTimeoutMs);
  const logger = pino({ level: process.env['LOG_LEVEL'] ?? 'silent' });
  const services = await buildServices({
    redis,
    namespace,
    site,
    logger,
    publicUrl: 'http://portal.test',
    reaperIntervalMs: 3_600_000,
    spoolDir: mkdtempSync(join(tmpdir(), 'limpah-spool-')),
    ...options,
  });
  const auth = new UdpListener('auth', '127.0.0.1', 0, services.radius.handleAuth, logger);
  const acct = new UdpListener('acct', '127.0.0.1', 0, services.radius.handleAcct, logger);
  const authPort = await auth.start();
  const acctPort = await acct.start();
  return {
    services,
    redis,
    namespace,
    authPort,
    acctPort,
    logger,
    async close() {
      await auth.close();
      await acct.close();
      await services.stop();
      redis.disconnect();
    },
  };
}

/** What a MikroTik router sends for a PAP login: radclient with the grant's credentials and Message-Authenticator. */
export function papLogin(h: Harness, credential: { username: string; password: string; mac: string }): Promise<RadclientReply> {
  return radclient(h.authPort, 'auth', TEST_SECRET, [
    `User-Name = "${credential.username}"`, `User-Password = "${credential.password}"`, `Calling-Station-Id = "${credential.mac}"`,
    'NAS-IP-Address = 127.0.0.1', 'Message-Authenticator = 0x00',
  ]);
}

/** A one-time grant for this device at a hotspot of the test site (taman-kota-sampit unless said), and the router's login with it. */
export async function grantLogin(h: Harness, mac: string, options: { hotspotId?: string; voucher?: string } = {}): Promise<{ grant: Grant; reply: RadclientReply }> {
  const grant = await createGrant(h.redis, h.services.keys, { hotspotId: options.hotspotId ?? 'taman-kota-sampit', mac, ...(options.voucher ? { voucher: options.voucher } : {}) });
  return { grant, reply: await papLogin(h, grant) };
}

/**
 * A harness for a whole describe block: started before its tests, closed after them. `use` gets it once it runs
 * (to keep it, its keys, or to make operators).
 */
export function harnessForSuite(use: (h: Harness) => void | Promise<void>, ...args: Parameters<typeof startHarness>): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    h = await startHarness(...args);
    await use(h);
  });
  afterAll(async () => {
    await h?.close();
  });
}
