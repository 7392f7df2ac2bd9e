import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Redis } from 'ioredis';
import type { Site } from '../../src/config/site';
import type { Logger } from '../../src/log';
import { UdpListener } from '../../src/radius/transport';
import { buildServices, type ServiceOptions, type Services } from '../../src/services';
import { testRedis } from './redis';
import { testSite } from './site';

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
