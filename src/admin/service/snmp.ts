import { z } from 'zod';
import { agencyMeasureSchema, snmpDeviceSchema, type Agency, type AgencyMeasure, type SnmpDevice } from '../../config/site';
import { redisNowMs } from '../../redis/time';
import { readSnmpStatus, type SnmpDeviceStatus } from '../../telemetry/snmp/collector';
import { DevicePoller, SnmpError, type DeviceInventory } from '../../telemetry/snmp/device-poller';
import type { SnmpClient } from '../../telemetry/snmp/client';
import type { UsageSource } from '../../telemetry/usage-ingest';
import { audit } from '../audit';
import { AdminError, parseOrInvalid } from '../errors';
import type { Actor } from '../operators';
import { can } from '../policy';
import type { StoreDeps } from './deps';

/**
 * The SNMP devices Limpah polls for the agencies' traffic (src/telemetry/snmp/), and which counter measures which
 * agency: an admin adds, changes and removes devices and sets an agency's measure; anyone signed in sees them, their
 * last poll, and what a device offers ("test this device"). A device made or changed here belongs to the console
 * from then on (source 'console': the site file no longer overrides it, src/pool/site-store.ts), as an agency
 * whose commitment was changed here does. The community and v3 keys never leave this module except to the poller
 * and the admin's RouterOS download: views say only whether each is set.
 */

export type SnmpDeviceRecord = SnmpDevice & { readonly source?: 'site' | 'console' };

export interface SnmpDeviceView {
  readonly id: string;
  readonly host: string;
  readonly port: number;
  readonly version: '2c' | '3';
  /** The v3 user name (not a secret; the router shows it too). */
  readonly user: string | null;
  readonly authProtocol: SnmpDevice['authProtocol'];
  readonly privProtocol: SnmpDevice['privProtocol'];
  readonly intervalSeconds: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly source: 'site' | 'console';
  /** Whether each secret is stored, never the secret. */
  readonly communitySet: boolean;
  readonly authKeySet: boolean;
  readonly privKeySet: boolean;
  /** The agencies measured on it, by id. */
  readonly agencies: readonly string[];
  /** The collector's last poll, or null before the first. */
  readonly status: Omit<SnmpDeviceStatus, 'measured'> | null;
}

/** The SNMP device form and body: the site file's fields but the id; a secret left out keeps the stored one. */
export const snmpDeviceInputSchema = z.strictObject(snmpDeviceSchema.shape).omit({ id: true });
export type SnmpDeviceInput = z.input<typeof snmpDeviceInputSchema>;

const SECRETS = ['community', 'authKey', 'privKey'] as const;

/** "Test this device" waits this long for each answer, and tries once more at most: an operator is waiting. */
export const SNMP_TEST_TIMEOUT_MS = 2000;
const SNMP_TEST_RETRIES = 1;

async function readDevices(d: StoreDeps): Promise<Map<string, SnmpDeviceRecord>> {
  const all = await d.redis.hgetall(d.keys.snmpDevices());
  return new Map(Object.entries(all).map(([id, json]) => [id, JSON.parse(json) as SnmpDeviceRecord]));
}

async function readAgencies(d: StoreDeps): Promise<Map<string, Agency & { source?: string }>> {
  const all = await d.redis.hgetall(d.keys.agencies());
  return new Map(Object.entries(all).map(([id, json]) => [id, JSON.parse(json) as Agency & { source?: string }]));
}

function view(device: SnmpDeviceRecord, agencies: readonly string[], status: SnmpDeviceStatus | undefined): SnmpDeviceView {
  const { measured: _, ...lastPoll } = status ?? { measured: {} };
  return {
    id: device.id,
    host: device.host,
    port: device.port,
    version: device.version,
    user: device.version === '3' ? device.user ?? null : null,
    authProtocol: device.authProtocol,
    privProtocol: device.privProtocol,
    intervalSeconds: device.intervalSeconds,
    timeoutMs: device.timeoutMs,
    retries: device.retries,
    source: device.source ?? 'site',
    communitySet: Boolean(device.community),
    authKeySet: Boolean(device.authKey),
    privKeySet: Boolean(device.privKey),
    agencies,
    status: status ? (lastPoll as Omit<SnmpDeviceStatus, 'measured'>) : null,
  };
}

/** Every device with its last poll and the agencies it measures, by id; no secrets. */
export async function listSnmpDevices(d: StoreDeps): Promise<SnmpDeviceView[]> {
  const [devices, agencies, status] = await Promise.all([readDevices(d), readAgencies(d), readSnmpStatus(d.redis, d.keys)]);
  const measuredOn = (id: string) => [...agencies.values()].filter((a) => a.measure?.device === id).map((a) => a.id).sort();
  return [...devices.values()].sort((x, y) => x.id.localeCompare(y.id)).map((dev) => view(dev, measuredOn(dev.id), status.get(dev.id)));
}

export async function getSnmpDevice(d: StoreDeps, id: string): Promise<SnmpDeviceView> {
  const device = (await listSnmpDevices(d)).find((x) => x.id === id);
  if (!device) throw new AdminError('NOT_FOUND', `no SNMP device "${id}"`).says('noSnmpDevice', { id });
  return device;
}

/** The stored device, secrets included: for the poller and the admin's RouterOS download only. */
export async function snmpDeviceWithSecrets(d: StoreDeps, id: string): Promise<SnmpDeviceRecord> {
  const json = await d.redis.hget(d.keys.snmpDevices(), id);
  if (!json) throw new AdminError('NOT_FOUND', `no SNMP device "${id}"`).says('noSnmpDevice', { id });
  return JSON.parse(json) as SnmpDeviceRecord;
}

function adminOnly(actor: Actor, what: string): void {
  if (!can(actor, 'administer')) throw new AdminError('FORBIDDEN', `only an admin may ${what}`).says('adminOnly');
}

/** What the audit log keeps of a device: everything but its secrets, and whether each is set. */
function audited(device: SnmpDeviceRecord | null): Record<string, unknown> | null {
  if (!device) return null;
  const { community: _c, authKey: _a, privKey: _p, ...rest } = device;
  return { ...rest, communitySet: Boolean(device.community), authKeySet: Boolean(device.authKey), privKeySet: Boolean(device.privKey) };
}

/**
 * Creates or changes a device (admin). Validated as the site file's devices are (snmpDeviceSchema); a secret the
 * form leaves empty keeps the stored one, and the secrets of the other SNMP version are dropped (a device moved
 * from v2c to v3 keeps no community). `mustBeNew` refuses an id that exists (the console's "add" form).
 */
export async function saveSnmpDevice(d: StoreDeps, actor: Actor, id: string, raw: unknown, options: { mustBeNew?: boolean } = {}): Promise<SnmpDeviceView> {
  adminOnly(actor, 'change SNMP devices');
  const input = parseOrInvalid(snmpDeviceInputSchema, raw);
  const beforeJson = await d.redis.hget(d.keys.snmpDevices(), id);
  if (beforeJson && options.mustBeNew) throw new AdminError('CONFLICT', `an SNMP device "${id}" exists already`).says('snmpDeviceExists', { id });
  const before = beforeJson ? (JSON.parse(beforeJson) as SnmpDeviceRecord) : null;
  const merged: Record<string, unknown> = { id, ...input };
  for (const s of SECRETS) if (!input[s]) merged[s] = before?.[s];
  if (input.version === '2c') for (const s of ['user', 'authKey', 'privKey'] as const) delete merged[s];
  else delete merged['community'];
  for (const k of Object.keys(merged)) if (merged[k] === undefined) delete merged[k];
  const device = parseOrInvalid(snmpDeviceSchema, merged);
  const record: SnmpDeviceRecord = { ...device, source: 'console' };
  await d.redis.hset(d.keys.snmpDevices(), id, JSON.stringify(record));
  const changedSecrets = SECRETS.filter((s) => (before?.[s] ?? null) !== (record[s] ?? null));
  await audit(d.redis, d.keys, actor, before ? 'snmp-device.update' : 'snmp-device.create', `snmp-device:${id}`, audited(before), {
    ...audited(record),
    ...(before && changedSecrets.length ? { secretsChanged: changedSecrets } : {}),
  });
  return getSnmpDevice(d, id);
}

/**
 * Removes a console device (admin). Refused while an agency is measured on it (set those agencies' measure first),
 * and for a device of the site file, which would come back at the next start: that one is removed from the file.
 */
export async function removeSnmpDevice(d: StoreDeps, actor: Actor, id: string): Promise<void> {
  adminOnly(actor, 'remove SNMP devices');
  const device = await snmpDeviceWithSecrets(d, id);
  const agencies = [...(await readAgencies(d)).values()].filter((a) => a.measure?.device === id);
  if (agencies.length > 0) {
    const names = agencies.map((a) => a.name).sort().join(', ');
    throw new AdminError('CONFLICT', `SNMP device "${id}" measures ${names}: give those agencies another measure (or none) first`).says('snmpDeviceInUse', { id, agencies: names });
  }
  if ((device.source ?? 'site') === 'site') {
    throw new AdminError('CONFLICT', `SNMP device "${id}" comes from the site file: remove it from telemetry.snmp.devices there and restart Limpah`).says('snmpDeviceFromSite', { id });
  }
  await d.redis.multi().hdel(d.keys.snmpDevices(), id).hdel(d.keys.snmpStatus(), id).exec();
  await audit(d.redis, d.keys, actor, 'snmp-device.remove', `snmp-device:${id}`, audited(device), null);
}

export type SnmpTestResult =
  | { readonly ok: true; readonly device: string; readonly inventory: DeviceInventory }
  | { readonly ok: false; readonly device: string; readonly code: SnmpError['code']; readonly message: string };

/**
 * Polls a stored device once for what it offers (sysDescr, interfaces with ifName/ifDescr/ifIndex and 64-bit
 * counters, MikroTik simple queues), with a short timeout: how an operator maps agencies without reading MIBs.
 * A device that does not answer, or refuses, is an outcome, not an error: `ok: false` with the poller's words.
 * Reads only, so anyone signed in may; it changes nothing and is not audited.
 */
export async function testSnmpDevice(d: StoreDeps, id: string, open?: (device: SnmpDevice) => SnmpClient): Promise<SnmpTestResult> {
  const stored = await snmpDeviceWithSecrets(d, id);
  const device: SnmpDevice = { ...stored, timeoutMs: Math.min(stored.timeoutMs, SNMP_TEST_TIMEOUT_MS), retries: Math.min(stored.retries, SNMP_TEST_RETRIES) };
  try {
    return { ok: true, device: id, inventory: await DevicePoller.inventory(device, open) };
  } catch (err) {
    const e = err instanceof SnmpError ? err : new SnmpError('protocol', (err as Error).message, { cause: err });
    return { ok: false, device: id, code: e.code, message: e.message };
  }
}

/**
 * Sets which counter measures an agency (admin), or with null stops measuring it over SNMP (it is then measured by
 * the push API alone, or claimed at its commitment). The device must exist. The collector picks it up within seconds.
 */
export async function setAgencyMeasure(d: StoreDeps, actor: Actor, agencyId: string, raw: unknown): Promise<AgencyMeasure | null> {
  adminOnly(actor, 'change agencies');
  const json = await d.redis.hget(d.keys.agencies(), agencyId);
  if (!json) throw new AdminError('NOT_FOUND', `no agency "${agencyId}"`).says('noAgency', { id: agencyId });
  const measure = raw === null ? null : parseOrInvalid(agencyMeasureSchema, raw, 'measure: ');
  if (measure && !(await d.redis.hexists(d.keys.snmpDevices(), measure.device))) {
    throw new AdminError('INVALID', `measure.device: no SNMP device "${measure.device}"; add it first`).says('noSnmpDevice', { id: measure.device });
  }
  const before = JSON.parse(json) as Agency & { source?: string };
  const { measure: oldMeasure, ...rest } = before;
  await d.redis.hset(d.keys.agencies(), agencyId, JSON.stringify({ ...rest, ...(measure ? { measure } : {}), source: 'console' }));
  await audit(d.redis, d.keys, actor, 'agency.measure', `agency:${agencyId}`, { measure: oldMeasure ?? null }, { measure });
  return measure;
}

/** Why an agency measured over SNMP has no fresh rate, as far as Limpah knows. */
export type MeasureProblem =
  | { readonly kind: 'no-device'; readonly device: string }
  | { readonly kind: 'not-polled'; readonly device: string }
  | { readonly kind: 'device-error'; readonly device: string; readonly code: SnmpError['code'] | null; readonly message: string; readonly atMs: number | null }
  | { readonly kind: 'pending'; readonly device: string; readonly message: string };

export interface AgencyMeasurement {
  readonly agencyId: string;
  /** The counter it is measured by over SNMP, or null (push only, or not measured). */
  readonly measure: AgencyMeasure | null;
  /** Where its last stored measurement came from, and how old it is (Redis time). */
  readonly last: { readonly source: UsageSource | null; readonly downKbps: number; readonly upKbps: number; readonly ageSeconds: number; readonly stale: boolean } | null;
  /** What stands in the way of a fresh SNMP rate, from the collector's last poll of its device. */
  readonly problem: MeasureProblem | null;
}

/** Per agency: its measure, its last measurement with source and age, and what keeps the collector from a rate. */
export async function listAgencyMeasurements(d: StoreDeps): Promise<AgencyMeasurement[]> {
  const [agencies, devices, status, usage, staleAfter, nowMs] = await Promise.all([
    readAgencies(d),
    readDevices(d),
    readSnmpStatus(d.redis, d.keys),
    d.redis.hgetall(d.keys.agencyUsage()),
    d.redis.hget(d.keys.site(), 'staleAfterSeconds'),
    redisNowMs(d.redis),
  ]);
  const staleAfterMs = Number(staleAfter ?? 300) * 1000;
  return [...agencies.values()].sort((x, y) => x.name.localeCompare(y.name)).map((a) => {
    const u = usage[a.id] ? (JSON.parse(usage[a.id]!) as { downKbps: number; upKbps: number; atMs: number; receivedAtMs: number; source?: UsageSource }) : null;
    const last = u
      ? { source: u.source ?? null, downKbps: u.downKbps, upKbps: u.upKbps, ageSeconds: Math.max(0, Math.round((nowMs - u.atMs) / 1000)), stale: nowMs - u.atMs > staleAfterMs }
      : null;
    return { agencyId: a.id, measure: a.measure ?? null, last, problem: a.measure ? problemOf(a.id, a.measure.device, devices, status) : null };
  });
}

function problemOf(agencyId: string, device: string, devices: ReadonlyMap<string, SnmpDeviceRecord>, status: ReadonlyMap<string, SnmpDeviceStatus>): MeasureProblem | null {
  if (!devices.has(device)) return { kind: 'no-device', device };
  const s = status.get(device);
  if (!s) return { kind: 'not-polled', device };
  if (s.error) return { kind: 'device-error', device, code: s.errorCode, message: s.error, atMs: s.errorAtMs };
  const pending = s.pending.find((p) => p.agencyId === agencyId);
  return pending ? { kind: 'pending', device, message: pending.reason } : null;
}

/** An agency's measure in words, as the collector labels its counters: "ifName vlan101", "ifIndex 7", "queue dinkes". */
export function measureLabel(m: AgencyMeasure): string {
  return m.queue !== undefined ? `queue ${m.queue}` : m.ifIndex !== undefined ? `ifIndex ${m.ifIndex}` : `interface ${m.interface ?? ''}`;
}
