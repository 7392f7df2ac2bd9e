import type { Agency, SnmpDevice } from '../../config/site';
import type { Logger } from '../../log';
import type { RedisClient as Redis } from '../../redis/client';
import type { Keys } from '../../redis/keys';
import { redisNowMs } from '../../redis/time';
import { PeriodicJob, type Job } from '../../job';
import { recordMeasurements } from '../usage-ingest';
import { SnmpError, type SnmpClient } from './client';
import { DevicePoller, type AgencyTarget, type Measurement } from './device-poller';

/**
 * Limpah measures the agencies itself: every SNMP device in telemetry.snmp is polled on its own interval for the
 * counters that agencies[].measure names, and each rate is stored like a push (the newest measurement of an agency
 * wins, whichever way it came). A device that stops answering stores nothing, so its agencies turn stale after
 * telemetry.staleAfterSeconds and are claimed at their committed rate again (pool/capacity.ts); the console shows why.
 *
 * A scheduler tick every second starts the polls that are due, at most maxConcurrentPolls at once; a poll is never
 * awaited by the tick, so a slow or silent device (bounded by its own timeout and retries) delays no other.
 * The configuration is read from Redis (site file and console) every few seconds.
 */

export interface SnmpDeviceStatus {
  readonly okAtMs: number | null;
  readonly errorAtMs: number | null;
  /** The last failure, in words an operator can act on; null after a good poll. */
  readonly error: string | null;
  readonly errorCode: SnmpError['code'] | null;
  readonly durationMs: number;
  readonly measured: Readonly<Record<string, { readonly downKbps: number; readonly upKbps: number; readonly counter: string }>>;
  readonly pending: ReadonlyArray<{ readonly agencyId: string; readonly reason: string }>;
}

export interface CollectorTallies {
  /** Polls per device and result ('ok' or an SnmpError code). */
  readonly polls: Map<string, Map<string, number>>;
}

interface DeviceState {
  config: string;
  poller: DevicePoller;
  nextAtMs: number;
  inFlight: Promise<void> | null;
}

export class SnmpCollector implements Job {
  readonly name = 'snmp-collector';
  readonly tallies: CollectorTallies = { polls: new Map() };
  private readonly ticks: PeriodicJob<void>;
  private readonly devices = new Map<string, DeviceState>();
  /** Every poll in flight, those of devices removed meanwhile too: stop() waits for all of them. */
  private readonly inFlight = new Set<Promise<void>>();
  private targets = new Map<string, AgencyTarget[]>();
  private maxConcurrent = 8;
  private running = 0;
  private loadedAtMs = 0;
  private stopping = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly logger: Logger,
    /** Called after a poll stored measurements: capacity is recomputed at once, not at its next tick. */
    private readonly onMeasured?: () => void,
    private readonly open?: (d: SnmpDevice) => SnmpClient,
    private readonly reloadMs = 5000,
  ) {
    this.ticks = new PeriodicJob({ name: this.name, intervalMs: 1000, logger, run: () => this.tick(), failureMessage: 'SNMP scheduling failed; trying again' });
  }

  start(): void {
    this.stopping = false;
    this.ticks.start();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.ticks.stop();
    await Promise.all([...this.inFlight]);
  }

  /** Polls every device once now and waits for all of them (tests, and the console after a change). */
  async runOnce(): Promise<void> {
    await this.load(true);
    await Promise.all([...this.devices.keys()].map((id) => this.pollDevice(id)));
  }

  private async tick(): Promise<void> {
    await this.load(false);
    const now = Date.now();
    for (const [id, d] of this.devices) {
      if (this.stopping || this.running >= this.maxConcurrent) break;
      if (d.inFlight || d.nextAtMs > now) continue;
      void this.pollDevice(id);
    }
  }

  private async load(force: boolean): Promise<void> {
    if (!force && Date.now() - this.loadedAtMs < this.reloadMs) return;
    const [deviceJson, agencyJson, max] = await Promise.all([
      this.redis.hgetall(this.keys.snmpDevices()),
      this.redis.hgetall(this.keys.agencies()),
      this.redis.hget(this.keys.site(), 'snmpMaxConcurrentPolls'),
    ]);
    this.loadedAtMs = Date.now();
    this.maxConcurrent = Math.max(1, Number(max ?? 8) || 8);
    const targets = new Map<string, AgencyTarget[]>();
    for (const json of Object.values(agencyJson)) {
      const a = JSON.parse(json) as Agency;
      if (a.measure) targets.set(a.measure.device, [...(targets.get(a.measure.device) ?? []), { agencyId: a.id, measure: a.measure }]);
    }
    this.targets = targets;
    for (const id of [...this.devices.keys()]) if (!(id in deviceJson)) this.devices.delete(id);
    for (const [id, json] of Object.entries(deviceJson)) {
      const existing = this.devices.get(id);
      // A changed device (address, credentials) starts afresh: its old readings are not comparable.
      if (existing && existing.config === json) continue;
      const device = JSON.parse(json) as SnmpDevice;
      this.devices.set(id, { config: json, poller: new DevicePoller(device, this.open), nextAtMs: 0, inFlight: null });
    }
  }

  private pollDevice(id: string): Promise<void> {
    const d = this.devices.get(id);
    if (!d) return Promise.resolve();
    if (d.inFlight) return d.inFlight;
    this.running++;
    const started = Date.now();
    d.nextAtMs = started + d.poller.device.intervalSeconds * 1000;
    const poll: Promise<void> = this.pollAndStore(d.poller, this.targets.get(id) ?? [], started).finally(() => {
      this.running--;
      d.inFlight = null;
      this.inFlight.delete(poll);
    });
    d.inFlight = poll;
    this.inFlight.add(poll);
    return poll;
  }

  private async pollAndStore(poller: DevicePoller, targets: AgencyTarget[], started: number): Promise<void> {
    const id = poller.device.id;
    let status: SnmpDeviceStatus;
    let previous: SnmpDeviceStatus | null = null;
    try {
      previous = JSON.parse((await this.redis.hget(this.keys.snmpStatus(), id)) ?? 'null') as SnmpDeviceStatus | null;
    } catch {
      // A status that cannot be read is replaced below.
    }
    try {
      const outcome = await poller.poll(targets);
      const nowMs = await redisNowMs(this.redis);
      await this.store(id, outcome.measurements, nowMs);
      this.count(id, 'ok');
      status = {
        okAtMs: nowMs, errorAtMs: null, error: null, errorCode: null, durationMs: Date.now() - started,
        measured: Object.fromEntries(outcome.measurements.map((m) => [m.agencyId, { downKbps: m.downKbps, upKbps: m.upKbps, counter: m.counter }])),
        pending: outcome.pending,
      };
      if (outcome.measurements.length > 0) this.onMeasured?.();
    } catch (err) {
      const e = err instanceof SnmpError ? err : new SnmpError('protocol', (err as Error).message, { cause: err });
      this.count(id, e.code);
      if (previous?.error !== e.message) this.logger.warn({ device: id, code: e.code, err: e.message }, 'SNMP poll failed; its agencies turn stale unless it answers again');
      status = {
        okAtMs: previous?.okAtMs ?? null, errorAtMs: Date.now(), error: e.message, errorCode: e.code, durationMs: Date.now() - started,
        measured: {}, pending: targets.map((t) => ({ agencyId: t.agencyId, reason: e.message })),
      };
    }
    await this.redis.hset(this.keys.snmpStatus(), id, JSON.stringify(status)).catch((err: unknown) => this.logger.warn({ err, device: id }, 'could not store the SNMP status'));
  }

  private async store(deviceId: string, measurements: readonly Measurement[], nowMs: number): Promise<void> {
    await recordMeasurements(
      this.redis,
      this.keys,
      measurements.map((m) => ({ agencyId: m.agencyId, downKbps: m.downKbps, upKbps: m.upKbps, atMs: nowMs, source: { kind: 'snmp', device: deviceId, counter: m.counter } })),
      nowMs,
    );
  }

  private count(device: string, result: string): void {
    const byResult = this.tallies.polls.get(device) ?? new Map<string, number>();
    byResult.set(result, (byResult.get(result) ?? 0) + 1);
    this.tallies.polls.set(device, byResult);
  }
}

/** The last poll of every device, for the console and the API. */
export async function readSnmpStatus(redis: Redis, keys: Keys): Promise<Map<string, SnmpDeviceStatus>> {
  const all = await redis.hgetall(keys.snmpStatus());
  return new Map(Object.entries(all).map(([id, json]) => [id, JSON.parse(json) as SnmpDeviceStatus]));
}
