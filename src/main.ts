import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { loadConfig, type AppConfig } from './config/env';
import { loadSiteFile } from './config/site';
import { isLimpahError } from './errors';
import { createLogger, type Logger } from './log';
import { cliCommand, paths } from './paths';
import { connectRedis, waitForRedis } from './redis/connect';
import { startEmbeddedRedis, type EmbeddedRedis } from './redis/embedded';
import { UdpListener } from './radius/transport';
import { buildServices } from './services';
import { reportRunning, superviseWorkers, thisWorker, workerCount } from './workers';

/** The composition root: the only place that listens, binds, handles signals or exits. */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  const worker = thisWorker();
  const base = createLogger({ level: config.logLevel });
  const logger = worker ? base.child({ worker: worker.index }) : base;
  const cleanups: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    // A stuck close (a hung HTTP client, an unreachable Redis) must not keep a stopped service alive.
    setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(code || 1);
    }, 10_000).unref();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.warn({ err }, 'error during shutdown');
      }
    }
    logger.flush();
    process.exit(code);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));
  process.once('SIGINT', () => void shutdown('SIGINT', 0));

  try {
    const count = workerCount(config.workers);
    if (!worker && count > 1) await supervise(count, config, logger, cleanups, (reason) => void shutdown(reason, 1));
    else await start(config, logger, cleanups, (reason) => void shutdown(reason, 1));
  } catch (err) {
    if (isLimpahError(err)) logger.fatal({ code: err.code }, err.message);
    else logger.fatal({ err }, 'Limpah failed to start');
    await shutdown('start failed', 1);
  }
}

/** Without REDIS_URL, Sentinel or Cluster, a private redis-server started here (in the primary, for all workers). */
async function embeddedRedisUrl(config: AppConfig, logger: Logger, cleanups: Array<() => Promise<void>>, fatal: (reason: string) => void): Promise<string | undefined> {
  if (config.redis.url || config.redis.sentinels || config.redis.clusterNodes) return config.redis.url;
  const embedded: EmbeddedRedis = await startEmbeddedRedis({
    dataDir: resolve(config.dataDir ?? 'data', 'redis'),
    logger,
    onUnexpectedExit: () => fatal('the embedded redis-server exited'),
  });
  cleanups.push(() => embedded.stop());
  return embedded.url;
}

/** The primary of WORKERS > 1: the embedded Redis if there is one, and the workers (src/workers.ts); nothing else. */
async function supervise(count: number, config: AppConfig, logger: Logger, cleanups: Array<() => Promise<void>>, fatal: (reason: string) => void): Promise<void> {
  const redisUrl = await embeddedRedisUrl(config, logger, cleanups, fatal);
  const workers = superviseWorkers(count, logger, config.redis.url ? undefined : redisUrl);
  cleanups.push(() => workers.stop());
  await workers.ready;
  logger.info({ workers: count }, 'Limpah is running in several worker processes');
}

async function start(
  config: AppConfig,
  logger: Logger,
  cleanups: Array<() => Promise<void>>,
  fatal: (reason: string) => void,
): Promise<void> {
  const worker = thisWorker();
  const redisUrl = worker?.redisUrl ?? (await embeddedRedisUrl(config, logger, cleanups, fatal));
  const redis = connectRedis(config.redis, redisUrl);
  redis.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  cleanups.push(async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  await waitForRedis(redis);
  const kind = config.redis.clusterNodes ? 'cluster' : config.redis.sentinels ? 'sentinel' : config.redis.url ? 'external' : 'embedded';
  logger.info({ redis: kind }, 'connected to redis');

  if (!process.env['PUBLIC_URL']) {
    logger.warn({ publicUrl: config.publicUrl }, 'PUBLIC_URL is not set: citizens are sent to this address after login; set it to the portal URL their phones reach');
  }
  const siteFile = config.siteFile ?? paths.exampleSite;
  const site = await loadSiteFile(siteFile);
  logger.info(
    { siteFile: config.siteFile ? siteFile : 'example site', hotspots: site.hotspots.length, agencies: site.agencies.length },
    config.siteFile ? 'site loaded' : 'no SITE_FILE set: loaded the example site (Kotawaringin Timur)',
  );

  const services = await buildServices({
    redis,
    namespace: config.redis.namespace,
    site,
    logger,
    publicUrl: config.publicUrl,
    trustProxy: config.http.trustProxy,
    adminNetworks: config.http.adminNetworks,
    spoolDir: resolve(config.dataDir ?? 'data', 'spool'),
    // In several workers, what must happen once runs in the leader only (src/workers.ts).
    jobs: worker?.role === 'follower' ? 'local' : 'all',
    failOpen: config.failOpen,
    radius: { address: config.radius.publicAddress, authPort: config.radius.authPort, acctPort: config.radius.acctPort },
  });
  cleanups.push(() => services.stop());

  const auth = new UdpListener('auth', config.radius.host, config.radius.authPort, services.radius.handleAuth, logger);
  const acct = new UdpListener('acct', config.radius.host, config.radius.acctPort, services.radius.handleAcct, logger);
  const authPort = await auth.start();
  cleanups.push(() => auth.close());
  const acctPort = await acct.start();
  cleanups.push(() => acct.close());

  const http = createServer(services.app);
  http.listen(config.http.port, config.http.host);
  await once(http, 'listening');
  cleanups.push(
    () =>
      new Promise<void>((done) => {
        http.close(() => done());
        http.closeIdleConnections();
      }),
  );
  logger.info(
    {
      http: `${config.http.host}:${(http.address() as AddressInfo).port}`,
      radiusAuth: `${config.radius.host}:${authPort}`,
      radiusAcct: `${config.radius.host}:${acctPort}`,
      publicUrl: config.publicUrl,
      nas: services.nas.size,
      pid: process.pid,
    },
    'Limpah is running',
  );
  // The CLI, run from any shell, prints links (sign-in, voucher QR codes) with the URL this process serves: without
  // PUBLIC_URL, the port it really listens on.
  const publicUrl = process.env['PUBLIC_URL'] ? config.publicUrl : `http://localhost:${(http.address() as AddressInfo).port}`;
  await redis.hset(services.keys.instance(), { publicUrl, startedAt: Date.now() });
  reportRunning();
  if (worker?.role !== 'follower' && (await redis.scard(services.keys.operators())) === 0) {
    logger.warn(
      { console: `${publicUrl}/admin` },
      `no console account yet: create the first admin with \`${cliCommand.fromHost} admin create <username>\` (there is no default password)`,
    );
  }
}

void main();
