import { join } from 'node:path';
import type { Express } from 'express';
import type { RedisClient as Redis } from './redis/client';
import type { Site } from './config/site';
import type { Logger } from './log';
import { paths } from './paths';
import { Keys } from './redis/keys';
import { Pool, type PoolOptions } from './pool/pool';
import { Allocator } from './control/allocator';
import { Reaper } from './control/reaper';
import { reconcileJob } from './control/reconcile-job';
import { restoreLostSite, upsertSite } from './pool/site-store';
import { createApp } from './http/app';
import { createHmac } from 'node:crypto';
import { poolSampler } from './admin/pool-sampler';
import { createObservability } from './observability';
import { retentionJob } from './pool/retention';
import { FormSigner, loadFormKey } from './portal/form-token';
import { statusSigner } from './portal/status';
import { NasDirectory } from './radius/nas-directory';
import { CoaClient } from './radius/coa-client';
import { AccountingSpool } from './radius/accounting-spool';
import { spoolReplayJob } from './radius/spool-replay';
import { FailOpenPolicy, type FailOpenOptions } from './radius/fail-open';
import { RadiusServer } from './radius/server';
import { CircuitBreaker } from './redis/breaker';
import { CapacityJob } from './telemetry/capacity-job';
import { SnmpCollector } from './telemetry/snmp/collector';
import { SessionControl } from './radius/session-control';
import type { RadiusEndpoint } from './admin/router-config';
import type { Job } from './job';

export interface Services {
  readonly keys: Keys;
  readonly pool: Pool;
  readonly nas: NasDirectory;
  readonly radius: RadiusServer;
  /** Accounting kept on disk while Redis is unavailable, replayed by a timer (spoolReplayMs) once it answers. */
  readonly spool: AccountingSpool;
  readonly reaper: Reaper;
  /** Re-rates or disconnects a live session through its NAS. */
  readonly sessions: SessionControl;
  /** Fair shares of public capacity, applied to live sessions. */
  readonly allocator: Allocator;
  readonly app: Express;
  /** The background jobs, in the order they were started (stop() stops them in reverse). */
  readonly jobs: readonly Job[];
  /** Stops the jobs this builder started; sockets and Redis belong to the caller. */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  readonly redis: Redis;
  readonly namespace: string;
  readonly site: Site;
  readonly logger: Logger;
  readonly publicUrl: string;
  readonly trustProxy?: boolean;
  /** ADMIN_NETWORKS: where the console, admin API and metrics may be reached from. */
  readonly adminNetworks?: readonly string[] | undefined;
  readonly pool?: PoolOptions;
  readonly reaperIntervalMs?: number;
  /** Where accounting is spooled while Redis is unavailable (default: data/spool in the project). */
  readonly spoolDir?: string;
  readonly failOpen?: FailOpenOptions;
  readonly spoolReplayMs?: number;
  readonly allocatorIntervalMs?: number;
  /** How often the RADIUS server re-reads its routers from Redis (and notices Redis lost the site). */
  readonly nasRefreshMs?: number;
  /**
   * Which background jobs this process runs: 'all' (one process, or the leader worker), or 'local' (the other
   * workers: only what each process needs for itself — its routers' list, its spool's replay, its Redis ping).
   * The allocator's Redis lease keeps one allocator anyway; the rest must not run twice.
   */
  readonly jobs?: 'all' | 'local';
  /** Where routers reach the RADIUS server (RADIUS_PUBLIC_ADDRESS and the ports), for the generated RouterOS script. */
  readonly radius?: RadiusEndpoint;
}

export const DEFAULT_FAIL_OPEN: FailOpenOptions = { downKbps: 512, upKbps: 256, sessionTimeoutSec: 900, maxSessions: 200 };

/**
 * Wires the domain together without binding anything: writes the site into Redis, then builds the pool, the
 * NAS directory, the RADIUS handlers and the HTTP app. main.ts binds them to ports; tests bind them to port 0.
 */
export async function buildServices(o: ServiceOptions): Promise<Services> {
  const keys = new Keys(o.namespace);
  await upsertSite(o.redis, keys, o.site, o.logger);
  const formKey = await loadFormKey(o.redis, keys);
  // Devices are counted for reports under a keyed hash of their MAC, never the MAC itself.
  const deviceSalt = createHmac('sha256', formKey).update('device-pseudonym').digest('hex');
  const pool = new Pool(o.redis, keys, {
    deviceSalt,
    closedRetentionSec: o.site.reporting.sessionRetentionDays * 86400,
    aggregateRetentionSec: o.site.reporting.aggregateRetentionDays * 86400,
    ...o.pool,
  });
  const nas = new NasDirectory(o.redis, keys, o.logger, o.nasRefreshMs ?? 5000, (lastKnown, uamSecrets) => restoreLostSite(o.redis, keys, o.site, lastKnown, uamSecrets, o.logger));
  // The routers are known before anything is served; the directory's timer starts with the other jobs.
  await nas.runOnce();
  const coa = new CoaClient(o.logger.child({ component: 'coa' }));
  const sessions = new SessionControl({ pool, nas, coa, logger: o.logger.child({ component: 'sessions' }) });
  const radiusLog = o.logger.child({ component: 'radius' });
  const breaker = new CircuitBreaker(3, 2000, (open) =>
    open ? radiusLog.error('Redis unavailable: failing open and spooling accounting') : radiusLog.info('Redis is back'),
  );
  const spool = new AccountingSpool(o.spoolDir ?? join(paths.defaultDataDir, 'spool'), radiusLog);
  const radius = new RadiusServer({
    redis: o.redis,
    keys,
    pool,
    nas,
    logger: radiusLog,
    breaker,
    failOpen: new FailOpenPolicy(o.failOpen ?? DEFAULT_FAIL_OPEN),
    spool,
    sessions,
  });
  // After an outage, leases ran out only because the interims sat in the spool: no reaping until it is replayed.
  const reaper = new Reaper(pool, o.logger.child({ component: 'reaper' }), o.reaperIntervalMs, () => breaker.open || spool.pending());
  const spoolReplay = spoolReplayJob({ spool, pool, breaker, redis: o.redis, logger: radiusLog }, o.spoolReplayMs);
  const reconcileCheck = reconcileJob(o.redis, keys, o.logger.child({ component: 'reconcile' }));
  const allocator = new Allocator({ redis: o.redis, keys, pool, sessions, logger: o.logger.child({ component: 'allocator' }) }, {
    kindWeights: o.site.kindWeights,
    ...(o.allocatorIntervalMs ? { intervalMs: o.allocatorIntervalMs } : {}),
  });
  const capacity = new CapacityJob(o.redis, keys, o.logger.child({ component: 'capacity' }), 15_000, () => {
    allocator.runOnce().catch((err: unknown) => o.logger.warn({ err }, 'allocation after a capacity change failed'));
  });
  // One sample of the pool a minute, for the console's charts.
  // Agencies measured over SNMP: a stored measurement recomputes capacity at once (within one poll interval).
  const snmp = new SnmpCollector(o.redis, keys, o.logger.child({ component: 'snmp' }), () => {
    capacity.refreshNow().catch((err: unknown) => o.logger.warn({ err }, 'capacity refresh after an SNMP poll failed'));
  });
  const sampler = poolSampler(o.redis, keys, o.logger.child({ component: 'history' }));
  const retention = retentionJob(o.redis, keys, o.site.reporting.sessionRetentionDays, o.logger.child({ component: 'retention' }));
  const signer = new FormSigner(formKey);
  const observability = createObservability({ redis: o.redis, keys, radius, snmp: snmp.tallies, breakerOpen: () => breaker.open, logger: o.logger.child({ component: 'metrics' }) });
  const app = createApp({
    observability,
    redis: o.redis,
    keys,
    logger: o.logger.child({ component: 'portal' }),
    signer,
    statusSigner: statusSigner(formKey),
    publicUrl: o.publicUrl,
    trustProxy: o.trustProxy ?? false,
    adminNetworks: o.adminNetworks,
    refreshCapacity: () => capacity.refreshNow(),
    admin: { redis: o.redis, keys, pool, nas, sessions, logger: o.logger.child({ component: 'admin' }), ...(o.radius ? { radius: o.radius } : {}) },
  });

  // Started in this order and stopped in reverse. The reaper comes first, so that it stops last; capacity comes
  // after the allocator, so that it stops first and no capacity change starts a round once the allocator stopped.
  const jobs: readonly Job[] =
    o.jobs === 'local'
      ? [nas, spoolReplay, observability.redisPing]
      : [reaper, nas, spoolReplay, reconcileCheck, allocator, capacity, snmp, sampler, retention, observability.redisPing];
  for (const job of jobs) job.start();
  return {
    keys,
    pool,
    nas,
    radius,
    spool,
    reaper,
    sessions,
    allocator,
    app,
    jobs,
    async stop() {
      for (const job of [...jobs].reverse()) {
        const stopping = job.stop();
        // Promptly: a CoA to a silent router is not waited out (its retransmissions take seconds). The allocator
        // sends no more once its stop() began, and closing the client aborts the CoA in flight; what was in flight
        // is marked for re-rating after the restart.
        if (job === allocator) coa.close();
        await stopping;
      }
    },
  };
}
