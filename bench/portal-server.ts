/**
 * The server half of the portal benchmark (bench/portal.ts), in its own process so that the load generator's work
 * is neither in its CPU time nor in its latencies: Limpah's services on the benchmark site, the HTTP app on a free
 * loopback port, the Redis client and the logger as main.ts makes them (LOG_LEVEL, default info, written to
 * /dev/null instead of stdout), PUBLIC_URL from BENCH_PUBLIC_URL. TRUST_PROXY is on, so that the load generator can spread its requests over many
 * source networks (X-Forwarded-For) and stay under the grant limit per network. Talks to the parent over IPC.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { loadConfig } from '../src/config/env';
import { createLogger } from '../src/log';
import { connectRedis } from '../src/redis/connect';
import { buildServices } from '../src/services';
import { benchSite } from './site';

async function main(): Promise<void> {
  const config = loadConfig({ REDIS_URL: process.env['REDIS_URL'], LOG_LEVEL: process.env['LOG_LEVEL'] });
  const redis = connectRedis(config.redis, process.env['REDIS_URL']);
  const logger = createLogger({ level: config.logLevel, destination: pino.destination({ dest: '/dev/null', sync: true }) });
  const services = await buildServices({
    redis,
    namespace: 'bench',
    site: benchSite({ maxSessions: 1_000_000, downKbps: 2048, upKbps: 1024 }),
    logger,
    publicUrl: process.env['BENCH_PUBLIC_URL']!,
    trustProxy: true,
    reaperIntervalMs: 3_600_000,
    spoolDir: process.env['BENCH_SPOOL_DIR']!,
  });
  const http = createServer(services.app);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  process.on('message', (msg: { type: string }) => {
    if (msg.type !== 'stop') return;
    http.closeAllConnections();
    http.close();
    void services.stop().then(() => redis.quit()).then(() => process.exit(0));
  });
  process.send!({ type: 'ready', port: (http.address() as AddressInfo).port });
}

void main();
