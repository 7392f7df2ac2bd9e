/**
 * The server half of the RADIUS benchmark, in its own process so that its CPU time is measured alone:
 * Limpah's services on a synthetic site, RADIUS auth on a free loopback port. Talks to the parent over IPC.
 */
import pino from 'pino';
import { loadConfig } from '../src/config/env';
import { benchSite } from './site';
import { connectRedis } from '../src/redis/connect';
import { UdpListener } from '../src/radius/transport';
import { buildServices } from '../src/services';



async function main(): Promise<void> {
  // The client exactly as main.ts configures it.
  const redis = connectRedis(loadConfig({ REDIS_URL: process.env['REDIS_URL'] }).redis, process.env['REDIS_URL']);
  const site = benchSite({ maxSessions: 1_000_000, downKbps: 2048, upKbps: 1024 });
  const logger = pino({ level: 'silent' });
  const services = await buildServices({ redis, namespace: 'bench', site, logger, publicUrl: 'http://bench', reaperIntervalMs: 3_600_000 });
  const auth = new UdpListener('auth', '127.0.0.1', 0, services.radius.handleAuth, logger);
  const port = await auth.start();
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'stop') {
      void auth.close().then(() => services.stop()).then(() => redis.quit()).then(() => process.exit(0));
    }
  });
  process.send!({ type: 'ready', port });
}

void main();
