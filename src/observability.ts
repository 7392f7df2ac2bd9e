import cluster from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS_REQUEST, type MetricsReply } from './workers';
import { hotspotField, type Keys } from './redis/keys';
import type { RadiusCounters } from './radius/server';
import type { CollectorTallies } from './telemetry/snmp/collector';
import type { RedisClient as Redis } from './redis/client';
import type { Logger } from './log';
import { PeriodicJob, type Job } from './job';

/**
 * Prometheus metrics at /metrics, and the readiness check behind /readyz. Counters of the RADIUS server are read
 * from its own tallies when Prometheus scrapes (nothing is added to the per-packet path); pool gauges and Redis
 * latency are measured then too, and Redis is pinged every 10 s (the redisPing job) for the latency histogram.
 */
export interface Observability {
  readonly registry: Registry;
  /**
   * The text /metrics serves: this process's metrics, or in several workers (WORKERS) every worker's, gathered by
   * the primary (counters summed; gauges read from Redis taken once).
   */
  metrics(): Promise<string>;
  /** Whether Limpah can serve: Redis answers (within a second, three tries) and the site is loaded. */
  ready(): Promise<{ ok: boolean; checks: Record<string, boolean> }>;
  /** The PING every 10 s for the latency histogram and limpah_redis_up; started and stopped with the other jobs. */
  readonly redisPing: Job;
}

export function createObservability(deps: {
  redis: Redis;
  keys: Keys;
  radius: { readonly counters: RadiusCounters };
  snmp?: CollectorTallies;
  breakerOpen: () => boolean;
  logger: Logger;
}): Observability {
  const registry = new Registry();
  registry.setDefaultLabels({ app: 'limpah' });
  collectDefaultMetrics({ register: registry });

  const last = new Map<string, number>();
  /** Adds what a running tally grew by since the last scrape (a tally never shrinks while the process lives). */
  const sync = (counter: Counter, labels: Record<string, string>, value: number) => {
    const key = `${(counter as unknown as { name: string }).name}|${JSON.stringify(labels)}`;
    const delta = value - (last.get(key) ?? 0);
    if (delta > 0) counter.inc(labels, delta);
    last.set(key, value);
  };

  // The tallies are read in the first counter's collect: the registry renders metrics in the order they were
  // registered, so the others are up to date by the time they are written out.
  const access: Counter = new Counter({
    name: 'limpah_radius_access_requests_total', help: 'Access-Requests answered, by result', labelNames: ['result'], registers: [registry],
    collect() {
      const c = deps.radius.counters;
      sync(received, {}, c.received);
      sync(access, { result: 'accept' }, c.accepted - c.failedOpen);
      sync(access, { result: 'accept_fail_open' }, c.failedOpen);
      sync(access, { result: 'reject' }, c.rejected);
      sync(accounting, { result: 'stored' }, c.accounted - c.spooled);
      sync(accounting, { result: 'spooled' }, c.spooled);
      sync(retransmits, {}, c.retransmits);
      for (const [reason, n] of Object.entries(c.dropped)) sync(dropped, { reason }, n ?? 0);
    },
  });
  const accounting = new Counter({ name: 'limpah_radius_accounting_requests_total', help: 'Accounting-Requests answered, by where they went', labelNames: ['result'], registers: [registry] });
  const received = new Counter({ name: 'limpah_radius_packets_received_total', help: 'RADIUS datagrams received on both ports', registers: [registry] });
  const retransmits = new Counter({ name: 'limpah_radius_retransmits_total', help: 'Retransmissions answered from the reply cache', registers: [registry] });
  const dropped = new Counter({ name: 'limpah_radius_dropped_total', help: 'Datagrams dropped silently, by reason', labelNames: ['reason'], registers: [registry] });

  const snmpPolls: Counter = new Counter({
    name: 'limpah_snmp_polls_total', help: 'SNMP polls of the agencies\' devices, by device and result (ok, timeout, auth, ...)', labelNames: ['device', 'result'], registers: [registry],
    collect() {
      for (const [device, byResult] of deps.snmp?.polls ?? []) for (const [result, n] of byResult) sync(snmpPolls, { device, result }, n);
    },
  });
  new Gauge({
    name: 'limpah_agency_measured_kbps', aggregator: 'first', help: 'Each agency\'s last measured rate, kbps, by direction and source (snmp or push)', labelNames: ['agency', 'direction', 'source'], registers: [registry],
    async collect() {
      const all = await deps.redis.hgetall(deps.keys.agencyUsage()).catch(() => null);
      if (!all) return;
      this.reset();
      for (const [agency, json] of Object.entries(all)) {
        const u = JSON.parse(json) as { downKbps: number; upKbps: number; source?: { kind: string } };
        const source = u.source?.kind ?? 'push';
        this.set({ agency, direction: 'down', source }, u.downKbps);
        this.set({ agency, direction: 'up', source }, u.upKbps);
      }
    },
  });

  const redisLatency = new Histogram({
    name: 'limpah_redis_latency_seconds', help: 'Round trip of a PING to Redis', registers: [registry],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  });
  const redisUp = new Gauge({ name: 'limpah_redis_up', aggregator: 'min', help: '1 when Redis answered the last PING', registers: [registry] });
  const ping = async (): Promise<boolean> => {
    const t0 = process.hrtime.bigint();
    try {
      await deps.redis.ping();
      redisLatency.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      redisUp.set(1);
      return true;
    } catch {
      redisUp.set(0);
      return false;
    }
  };
  // ping() never throws: a failed PING is limpah_redis_up 0, not a log line.
  const redisPing = new PeriodicJob({ name: 'redis-ping', intervalMs: 10_000, logger: deps.logger, run: ping });

  new Gauge({ name: 'limpah_redis_breaker_open', aggregator: 'max', help: '1 while the circuit breaker in front of Redis is open (RADIUS fails open)', registers: [registry], collect() { this.set(deps.breakerOpen() ? 1 : 0); } });

  // prom-client collects every metric at once (Promise.all), so no gauge can rely on another's collect having run:
  // each awaits the same reading of the pool, made once per scrape.
  interface PoolReading {
    readonly pool: Record<string, string>;
    readonly hotspots: ReadonlyArray<readonly [id: string, live: number]>;
  }
  let reading: Promise<PoolReading | null> | undefined;
  const readPool = (): Promise<PoolReading | null> => {
    reading ??= (async () => {
      try {
        const [poolHash, ids] = await Promise.all([deps.redis.hgetall(deps.keys.pool()), deps.redis.smembers(deps.keys.hotspots())]);
        const pipe = deps.redis.pipeline();
        for (const id of ids) pipe.scard(deps.keys.hotspotLive(id));
        const counts = (await pipe.exec()) ?? [];
        return { pool: poolHash, hotspots: ids.map((id, i) => [id, Number(counts[i]?.[1] ?? 0)] as const) };
      } catch {
        return null;
      }
    })().finally(() => setImmediate(() => (reading = undefined)));
    return reading;
  };
  new Gauge({
    name: 'limpah_pool_kbps', aggregator: 'first', help: 'The pool: public capacity and allocation, kbps', labelNames: ['kind', 'direction'], registers: [registry],
    async collect() {
      const r = await readPool();
      if (!r) return;
      const p = r.pool;
      const overbooking = Number(p['overbooking'] ?? 1);
      this.set({ kind: 'capacity', direction: 'down' }, Number(p['capDownKbps'] ?? 0) * overbooking);
      this.set({ kind: 'capacity', direction: 'up' }, Number(p['capUpKbps'] ?? 0) * overbooking);
      this.set({ kind: 'allocated', direction: 'down' }, Number(p['allocDownKbps'] ?? 0));
      this.set({ kind: 'allocated', direction: 'up' }, Number(p['allocUpKbps'] ?? 0));
    },
  });
  new Gauge({
    name: 'limpah_pool_sessions', aggregator: 'first', help: 'Live sessions in the pool', registers: [registry],
    async collect() {
      const r = await readPool();
      if (r) this.set(Number(r.pool['sessions'] ?? 0));
    },
  });
  new Gauge({
    name: 'limpah_hotspot_sessions', aggregator: 'first', help: 'Live sessions per hotspot', labelNames: ['hotspot'], registers: [registry],
    async collect() {
      const r = await readPool();
      if (!r) return;
      this.reset();
      for (const [id, live] of r.hotspots) this.set({ hotspot: id }, live);
    },
  });
  new Gauge({
    name: 'limpah_hotspot_allocated_down_kbps', aggregator: 'first', help: 'Download rate held by a hotspot, kbps', labelNames: ['hotspot'], registers: [registry],
    async collect() {
      const r = await readPool();
      if (!r) return;
      this.reset();
      for (const [id] of r.hotspots) this.set({ hotspot: id }, Number(r.pool[hotspotField(id, 'down')] ?? 0));
    },
  });
  new Gauge({
    name: 'limpah_pool_scrape_ok', aggregator: 'min', help: '1 when the pool gauges could be read from Redis at this scrape', registers: [registry],
    async collect() {
      this.set((await readPool()) ? 1 : 0);
    },
  });

  // In a worker, the primary asks for this registry when it gathers everyone's. prom-client answers those requests
  // once an AggregatorRegistry exists in the process (its constructor adds the listener).
  if (cluster.isWorker) {
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry();
  }
  let asked = 0;
  const metrics = (): Promise<string> => {
    if (!cluster.isWorker || !process.send) return registry.metrics();
    const id = ++asked;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        process.off('message', onReply);
        reject(new Error('the primary did not gather the workers\' metrics within 6 s'));
      }, 6000);
      const onReply = (m: unknown) => {
        const reply = m as Partial<MetricsReply>;
        if (reply?.type !== METRICS_REQUEST || reply.id !== id) return;
        clearTimeout(timer);
        process.off('message', onReply);
        if (reply.error !== undefined) reject(new Error(reply.error));
        else resolve(reply.text ?? '');
      };
      process.on('message', onReply);
      process.send!({ type: METRICS_REQUEST, id });
    });
  };

  return {
    registry,
    metrics,
    async ready() {
      let redisOk = false;
      for (let i = 0; i < 3 && !redisOk; i++) redisOk = await Promise.race([ping(), new Promise<boolean>((r) => setTimeout(() => r(false), 1000).unref())]);
      const siteLoaded = redisOk ? (await deps.redis.scard(deps.keys.hotspots()).catch(() => 0)) > 0 : false;
      const checks = { redis: redisOk, siteLoaded, breakerClosed: !deps.breakerOpen() };
      return { ok: redisOk && siteLoaded, checks };
    },
    redisPing,
  };
}
