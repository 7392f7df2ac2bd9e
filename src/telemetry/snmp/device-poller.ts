import type { AgencyMeasure, SnmpDevice } from '../../config/site';
import { openSnmp, SnmpError, toBigInt, type SnmpClient, type SnmpValue } from './client';
import { counterRate, type CounterReading, type CounterRate } from './counter-rate';
import { OID, rowIndex } from './oids';

/**
 * One SNMP device, polled for the counters its agencies are measured by. It finds interfaces by ifName (or ifDescr)
 * and MikroTik simple queues by name, again whenever the agent restarted or a counter vanished (indexes can change
 * on a reboot), reads sysUpTime and every counter in one GET, and keeps the last reading of each counter for the
 * next rate (see counter-rate.ts).
 */

export interface AgencyTarget {
  readonly agencyId: string;
  readonly measure: AgencyMeasure;
}

export interface Measurement {
  readonly agencyId: string;
  readonly downKbps: number;
  readonly upKbps: number;
  /** Our clock when the reading was taken. */
  readonly atMs: number;
  /** What was read, for the console: "ifName ether2-dinkes (ifIndex 3)" or "queue dinkes". */
  readonly counter: string;
  /** 64 or 32 (an agent without ifHC counters). */
  readonly bits: 32 | 64;
}

export interface PollOutcome {
  readonly measurements: readonly Measurement[];
  /** Agencies with no rate this time, and why ("first reading", "not found on the device", ...). */
  readonly pending: ReadonlyArray<{ readonly agencyId: string; readonly reason: string }>;
  readonly uptimeTicks: number;
}

/** What a device offers, for an operator mapping agencies to counters ("test this device"). */
export interface DeviceInventory {
  readonly sysDescr: string;
  readonly uptimeTicks: number;
  readonly interfaces: ReadonlyArray<{ readonly ifIndex: number; readonly name: string; readonly descr: string; readonly hc: boolean }>;
  readonly queues: ReadonlyArray<{ readonly index: number; readonly name: string }>;
}

type Resolved = { readonly kind: 'if'; readonly index: number; readonly label: string } | { readonly kind: 'queue'; readonly index: number; readonly label: string };

/** The fastest link an agency could be on; a rate above it is a glitch (10 Gbps). */
const MAX_KBPS = 10_000_000;

const REASONS: Record<Exclude<CounterRate, { ok: true }>['reason'], string> = {
  first: 'first reading; a rate comes with the next poll',
  restarted: 'the device restarted; a rate comes with the next poll',
  reset: 'the counter was reset; a rate comes with the next poll',
  'no-time': 'no time passed on the device since the last reading',
  implausible: 'the counter jumped more than a 10 Gbps link could carry; reading discarded',
};

export class DevicePoller {
  private resolved = new Map<string, Resolved>();
  private readings = new Map<string, CounterReading>();
  /** Interfaces without 64-bit counters, read with the 32-bit ones. */
  private only32 = new Set<number>();
  private lastUptime = -1;

  constructor(
    readonly device: SnmpDevice,
    private readonly open: (d: SnmpDevice) => SnmpClient = openSnmp,
    private readonly now: () => number = Date.now,
  ) {}

  async poll(targets: readonly AgencyTarget[]): Promise<PollOutcome> {
    const client = this.open(this.device);
    try {
      const unresolved = targets.filter((t) => !this.resolved.has(targetKey(t.measure)));
      if (unresolved.length > 0) await this.resolve(client, unresolved);
      let values = await client.get([OID.sysUpTime, ...this.counterOids(targets)]);
      const uptime = Number(values.get(OID.sysUpTime) ?? -1);
      // Restarted, or a counter vanished: indexes may have moved. Look everything up again and read once more.
      const vanished = targets.some((t) => this.resolved.has(targetKey(t.measure)) && this.counterOids([t]).some((o) => values.get(o) == null));
      if ((this.lastUptime >= 0 && uptime < this.lastUptime) || vanished) {
        this.resolved.clear();
        this.only32.clear();
        await this.resolve(client, targets);
        values = await client.get([OID.sysUpTime, ...this.counterOids(targets)]);
      }
      const atMs = this.now();
      const ticks = Number(values.get(OID.sysUpTime) ?? 0);
      this.lastUptime = ticks;
      const measurements: Measurement[] = [];
      const pending: Array<{ agencyId: string; reason: string }> = [];
      for (const t of targets) {
        const r = this.resolved.get(targetKey(t.measure));
        if (!r) {
          pending.push({ agencyId: t.agencyId, reason: `${describeMeasure(t.measure)} not found on ${this.device.id}` });
          continue;
        }
        const [inOid, outOid, bits] = this.oidsOf(r);
        const inV = values.get(inOid);
        const outV = values.get(outOid);
        if (inV == null || outV == null) {
          pending.push({ agencyId: t.agencyId, reason: `${r.label}: the device gave no counter` });
          continue;
        }
        const inRate = this.rate(`${r.kind}:${r.index}:in:${bits}`, toBigInt(inV), bits, ticks);
        const outRate = this.rate(`${r.kind}:${r.index}:out:${bits}`, toBigInt(outV), bits, ticks);
        if (!inRate.ok) {
          pending.push({ agencyId: t.agencyId, reason: `${r.label}: ${REASONS[inRate.reason]}` });
          continue;
        }
        if (!outRate.ok) {
          pending.push({ agencyId: t.agencyId, reason: `${r.label}: ${REASONS[outRate.reason]}` });
          continue;
        }
        const [down, up] = t.measure.download === 'in' ? [inRate.kbps, outRate.kbps] : [outRate.kbps, inRate.kbps];
        measurements.push({ agencyId: t.agencyId, downKbps: Math.round(down), upKbps: Math.round(up), atMs, counter: r.label, bits });
      }
      return { measurements, pending, uptimeTicks: ticks };
    } finally {
      client.close();
    }
  }

  /** Reads what the device offers, once (for the console's "test this device"). */
  static async inventory(device: SnmpDevice, open: (d: SnmpDevice) => SnmpClient = openSnmp): Promise<DeviceInventory> {
    const client = open(device);
    try {
      const head = await client.get([OID.sysDescr, OID.sysUpTime]);
      const [names, descrs, hc, queues] = await Promise.all([
        client.walk(OID.ifName).catch(() => []),
        client.walk(OID.ifDescr),
        client.walk(OID.ifHCInOctets).catch(() => []),
        client.walk(OID.mtxrQueueSimpleName).catch(() => []),
      ]);
      const byIndex = new Map<number, { ifIndex: number; name: string; descr: string; hc: boolean }>();
      for (const [oid, v] of descrs) {
        const i = rowIndex(OID.ifDescr, oid);
        if (i !== null) byIndex.set(i, { ifIndex: i, name: '', descr: text(v), hc: false });
      }
      for (const [oid, v] of names) {
        const i = rowIndex(OID.ifName, oid);
        if (i !== null) byIndex.set(i, { ...(byIndex.get(i) ?? { ifIndex: i, descr: '', hc: false }), name: text(v) });
      }
      for (const [oid] of hc) {
        const i = rowIndex(OID.ifHCInOctets, oid);
        const row = i === null ? undefined : byIndex.get(i);
        if (row) row.hc = true;
      }
      return {
        sysDescr: text(head.get(OID.sysDescr) ?? ''),
        uptimeTicks: Number(head.get(OID.sysUpTime) ?? 0),
        interfaces: [...byIndex.values()].sort((a, b) => a.ifIndex - b.ifIndex),
        queues: queues.flatMap(([oid, v]) => {
          const i = rowIndex(OID.mtxrQueueSimpleName, oid);
          return i === null ? [] : [{ index: i, name: text(v) }];
        }),
      };
    } finally {
      client.close();
    }
  }

  private rate(key: string, octets: bigint, bits: 32 | 64, uptimeTicks: number): CounterRate {
    const cur: CounterReading = { octets, bits, uptimeTicks };
    const r = counterRate(this.readings.get(key), cur, MAX_KBPS);
    this.readings.set(key, cur);
    return r;
  }

  private oidsOf(r: Resolved): [string, string, 32 | 64] {
    if (r.kind === 'queue') return [`${OID.mtxrQueueSimpleBytesIn}.${r.index}`, `${OID.mtxrQueueSimpleBytesOut}.${r.index}`, 64];
    if (this.only32.has(r.index)) return [`${OID.ifInOctets}.${r.index}`, `${OID.ifOutOctets}.${r.index}`, 32];
    return [`${OID.ifHCInOctets}.${r.index}`, `${OID.ifHCOutOctets}.${r.index}`, 64];
  }

  private counterOids(targets: readonly AgencyTarget[]): string[] {
    const oids = new Set<string>();
    for (const t of targets) {
      const r = this.resolved.get(targetKey(t.measure));
      if (r) for (const o of this.oidsOf(r).slice(0, 2) as string[]) oids.add(o);
    }
    return [...oids];
  }

  private async resolve(client: SnmpClient, targets: readonly AgencyTarget[]): Promise<void> {
    const wantIf = targets.some((t) => t.measure.interface !== undefined || t.measure.ifIndex !== undefined);
    const wantQueue = targets.some((t) => t.measure.queue !== undefined);
    const [names, descrs, queues] = await Promise.all([
      wantIf ? client.walk(OID.ifName).catch(() => [] as Array<[string, SnmpValue]>) : [],
      wantIf ? client.walk(OID.ifDescr) : [],
      wantQueue ? client.walk(OID.mtxrQueueSimpleName) : [],
    ]);
    const index = (column: string, rows: Array<[string, SnmpValue]>) => {
      const m = new Map<string, number>();
      for (const [oid, v] of rows) {
        const i = rowIndex(column, oid);
        if (i !== null && !m.has(text(v))) m.set(text(v), i);
      }
      return m;
    };
    const byName = index(OID.ifName, names);
    const byDescr = index(OID.ifDescr, descrs);
    const queueByName = index(OID.mtxrQueueSimpleName, queues);
    const ifIndexes = new Set([...byDescr.values(), ...byName.values()]);
    for (const t of targets) {
      const m = t.measure;
      let r: Resolved | undefined;
      if (m.queue !== undefined) {
        const i = queueByName.get(m.queue);
        if (i !== undefined) r = { kind: 'queue', index: i, label: `queue ${m.queue}` };
      } else if (m.ifIndex !== undefined) {
        if (ifIndexes.has(m.ifIndex)) r = { kind: 'if', index: m.ifIndex, label: `ifIndex ${m.ifIndex}` };
      } else if (m.interface !== undefined) {
        const viaName = byName.get(m.interface);
        const i = viaName ?? byDescr.get(m.interface);
        if (i !== undefined) r = { kind: 'if', index: i, label: `${viaName !== undefined ? 'ifName' : 'ifDescr'} ${m.interface} (ifIndex ${i})` };
      }
      if (r) this.resolved.set(targetKey(m), r);
    }
    // Interfaces whose 64-bit counters the agent does not have are read with the 32-bit ones.
    const ifs = [...this.resolved.values()].filter((r) => r.kind === 'if');
    if (ifs.length > 0) {
      const hc = await client.get(ifs.map((r) => `${OID.ifHCInOctets}.${r.index}`));
      for (const r of ifs) if (hc.get(`${OID.ifHCInOctets}.${r.index}`) == null) this.only32.add(r.index);
    }
  }
}

function targetKey(m: AgencyMeasure): string {
  return m.queue !== undefined ? `q:${m.queue}` : m.ifIndex !== undefined ? `i:${m.ifIndex}` : `n:${m.interface ?? ''}`;
}

export function describeMeasure(m: AgencyMeasure): string {
  return m.queue !== undefined ? `queue "${m.queue}"` : m.ifIndex !== undefined ? `ifIndex ${m.ifIndex}` : `interface "${m.interface ?? ''}"`;
}

function text(v: SnmpValue): string {
  return v == null ? '' : String(v);
}

export { SnmpError };
