import type { RedisClient as Redis } from '../redis/client';
import type { Keys } from '../redis/keys';
import { giveBackHit, takeHit } from '../pool/device-source-limit';
import { generateCode } from './codes';

/**
 * Vouchers: a code a village hall clerk hands out, valid for a time that starts at its first use, on a number
 * of devices, for a number of megabytes. The portal redeems it (redeem-voucher script) and issues a grant that
 * names it; RADIUS then limits the session by the voucher (admit script), and accounting books the usage on it
 * (account script), so the router never has to know.
 */

/** How long a voucher's record is kept after it ends (or after its redeem-by date, unused), for reports. */
export const VOUCHER_RETENTION_MS = 90 * 86_400_000;
/**
 * Wrong voucher codes allowed per device, and per source network (many phones behind one router's NAT), per 10
 * minutes: with 31^10 codes, guessing at that pace finds nothing. There is no cap per hotspot, which anyone who can
 * reach the portal could use up and so lock a hall's citizens out of their vouchers.
 */
export const FAILURES_PER_DEVICE = 5;
export const FAILURES_PER_SOURCE = 100;
export const FAILURE_WINDOW_MS = 10 * 60_000;

/** What a voucher allows: the same for every code of a batch. */
export interface VoucherTerms {
  /** Hotspot ids it may be used at; with kecamatan empty too, every hotspot. */
  readonly hotspots: readonly string[];
  /** Kecamatan it may be used in, at any of their hotspots (those added later too). */
  readonly kecamatan?: readonly string[];
  /** Minutes from first use. */
  readonly validityMinutes: number;
  /** Devices (MACs) it may be used on. */
  readonly deviceLimit: number;
  /** Megabytes over its whole validity. */
  readonly quotaMB: number;
}

export interface VoucherSpec extends VoucherTerms {
  readonly count: number;
  /** If still unused by then (ms since epoch), it expires unused. */
  readonly redeemByMs: number;
  readonly batch: string;
  readonly note: string;
  /** Who made them (an operator's name, or "cli"). */
  readonly createdBy: string;
}

export type VoucherStatus = 'unused' | 'active' | 'expired' | 'used-up' | 'revoked';

export interface Voucher extends VoucherTerms {
  readonly code: string;
  readonly batch: string;
  readonly note: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly kecamatan: readonly string[];
  readonly redeemBy: number;
  readonly firstUsedAt: number | null;
  readonly expiresAt: number | null;
  readonly usedBytes: number;
  readonly usedSec: number;
  readonly devices: number;
  readonly status: VoucherStatus;
  /** Where it was first and last used, and when it was last used. */
  readonly firstHotspot: string | null;
  readonly lastHotspot: string | null;
  readonly lastUsedAt: number | null;
}

export interface VoucherBatch extends VoucherTerms {
  readonly batch: string;
  readonly note: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly count: number;
  readonly redeemBy: number;
}

/** Every batch, newest first. */
export async function listBatches(redis: Redis, keys: Keys): Promise<VoucherBatch[]> {
  const all = await redis.hgetall(keys.voucherBatches());
  return Object.entries(all)
    .map(([batch, json]) => ({ batch, ...(JSON.parse(json) as Omit<VoucherBatch, 'batch'>) }))
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** The vouchers of a batch (those whose records are still kept), in code order. */
export async function batchVouchers(redis: Redis, keys: Keys, batch: string, nowMs = Date.now()): Promise<Voucher[]> {
  const codes = (await redis.smembers(keys.voucherBatch(batch))).sort();
  const all = await Promise.all(codes.map((c) => getVoucher(redis, keys, c, nowMs)));
  // Records past their retention are gone: so are they from the batch, and an empty batch from the index.
  const gone = codes.filter((_, i) => all[i] === null);
  if (gone.length) {
    await redis.srem(keys.voucherBatch(batch), ...gone);
    if (gone.length === codes.length) await redis.hdel(keys.voucherBatches(), batch);
  }
  return all.filter((v): v is Voucher => v !== null);
}

export type RedeemResult =
  | {
      readonly ok: true;
      readonly expiresAt: number;
      readonly bytesLeft: number;
      /** This redemption started the voucher's validity, and added this device: what a refused login gives back. */
      readonly startedClock: boolean;
      readonly addedDevice: boolean;
    }
  | { readonly ok: false; readonly reason: 'voucher_invalid' | 'voucher_wrong_hotspot' | 'voucher_expired' | 'voucher_used_up' | 'voucher_devices' | 'device_blocked' };

/** Makes `spec.count` vouchers with fresh codes; returns the codes. */
export async function createVouchers(redis: Redis, keys: Keys, spec: VoucherSpec, nowMs = Date.now()): Promise<string[]> {
  const fields = {
    batch: spec.batch,
    note: spec.note,
    createdAt: nowMs,
    createdBy: spec.createdBy,
    hotspots: spec.hotspots.length ? JSON.stringify(spec.hotspots) : '',
    kecamatan: spec.kecamatan?.length ? JSON.stringify(spec.kecamatan) : '',
    validityMinutes: spec.validityMinutes,
    deviceLimit: spec.deviceLimit,
    quotaMB: spec.quotaMB,
    redeemBy: spec.redeemByMs,
    revoked: 0,
    usedBytes: 0,
    usedSec: 0,
  };
  // A batch is made in pipelined rounds, not two round trips per code. A collision in 8e14 codes is unlikely;
  // HSETNX makes it harmless (that code is drawn again).
  const codes: string[] = [];
  while (codes.length < spec.count) {
    const drawn = Array.from({ length: spec.count - codes.length }, () => generateCode());
    const claimed = await Promise.all(drawn.map((code) => redis.hsetnx(keys.voucher(code), 'code', code)));
    const fresh = drawn.filter((_, i) => claimed[i] === 1);
    await Promise.all(
      fresh.map((code) =>
        redis
          .multi()
          .hset(keys.voucher(code), fields)
          .pexpireat(keys.voucher(code), spec.redeemByMs + VOUCHER_RETENTION_MS)
          .sadd(keys.voucherBatch(spec.batch), code)
          .exec(),
      ),
    );
    codes.push(...fresh);
  }
  const { count: _, redeemByMs, ...rest } = spec;
  const previous = await redis.hget(keys.voucherBatches(), spec.batch);
  const count = (previous ? (JSON.parse(previous) as { count: number }).count : 0) + codes.length;
  await redis.hset(keys.voucherBatches(), spec.batch, JSON.stringify({ ...rest, redeemBy: redeemByMs, createdAt: nowMs, count }));
  return codes;
}

function statusOf(v: Record<string, string>, nowMs: number): VoucherStatus {
  if (v['revoked'] === '1') return 'revoked';
  const expiresAt = v['expiresAt'] ? Number(v['expiresAt']) : null;
  if (expiresAt === null) return nowMs > Number(v['redeemBy']) ? 'expired' : 'unused';
  if (nowMs >= expiresAt) return 'expired';
  if (Number(v['usedBytes'] ?? 0) >= Number(v['quotaMB']) * 1048576) return 'used-up';
  return 'active';
}

export async function getVoucher(redis: Redis, keys: Keys, code: string, nowMs = Date.now()): Promise<Voucher | null> {
  const [v, devices] = await Promise.all([redis.hgetall(keys.voucher(code)), redis.scard(keys.voucherDevices(code))]);
  if (!v['code']) return null;
  return {
    code,
    batch: v['batch'] ?? '',
    note: v['note'] ?? '',
    createdAt: Number(v['createdAt']),
    createdBy: v['createdBy'] ?? '',
    hotspots: v['hotspots'] ? (JSON.parse(v['hotspots']) as string[]) : [],
    kecamatan: v['kecamatan'] ? (JSON.parse(v['kecamatan']) as string[]) : [],
    validityMinutes: Number(v['validityMinutes']),
    deviceLimit: Number(v['deviceLimit']),
    quotaMB: Number(v['quotaMB']),
    redeemBy: Number(v['redeemBy']),
    firstUsedAt: v['firstUsedAt'] ? Number(v['firstUsedAt']) : null,
    expiresAt: v['expiresAt'] ? Number(v['expiresAt']) : null,
    usedBytes: Number(v['usedBytes'] ?? 0),
    usedSec: Number(v['usedSec'] ?? 0),
    devices,
    status: statusOf(v, nowMs),
    firstHotspot: v['firstHotspot'] || null,
    lastHotspot: v['lastHotspot'] || null,
    lastUsedAt: v['lastUsedAt'] ? Number(v['lastUsedAt']) : null,
  };
}

/** Revokes a voucher: it admits no new session, and live sessions on it end at their next interim update. */
export async function revokeVoucher(redis: Redis, keys: Keys, code: string): Promise<boolean> {
  return (await redis.revokeVoucher(keys.voucher(code))) === 1;
}

/** Checks a voucher for a device at a hotspot and, if it may be used, records the device and starts it. */
export async function redeemVoucher(redis: Redis, keys: Keys, input: { code: string; mac: string; hotspotId: string }): Promise<RedeemResult> {
  const [code, expiresAt, bytesLeft, startedClock, addedDevice] = await redis.redeemVoucher(
    keys.voucher(input.code),
    keys.voucherDevices(input.code),
    keys.deviceBlock(input.mac),
    keys.hotspot(input.hotspotId),
    input.mac,
    input.hotspotId,
    VOUCHER_RETENTION_MS,
  );
  if (code === 'ok') return { ok: true, expiresAt: Number(expiresAt), bytesLeft: Number(bytesLeft), startedClock: startedClock === 1, addedDevice: addedDevice === 1 };
  return { ok: false, reason: code as Extract<RedeemResult, { ok: false }>['reason'] };
}

/**
 * Takes one attempt from the device's and the source network's allowance, checked and counted in one step (parallel
 * attempts cannot all pass a check made before any is counted). An attempt that turns out not to be a guess (the
 * code exists) is given back with `refundVoucherAttempt`.
 */
export function takeVoucherAttempt(redis: Redis, keys: Keys, input: { mac: string; source: string }): Promise<'ok' | 'device' | 'source'> {
  return takeHit(redis, { ...attemptKeys(keys, input), perDevice: FAILURES_PER_DEVICE, perSource: FAILURES_PER_SOURCE, windowMs: FAILURE_WINDOW_MS });
}

/** Gives back an attempt taken by `takeVoucherAttempt`: the code existed, so it was no guess. */
export function refundVoucherAttempt(redis: Redis, keys: Keys, input: { mac: string; source: string }): Promise<void> {
  return giveBackHit(redis, attemptKeys(keys, input));
}

function attemptKeys(keys: Keys, input: { mac: string; source: string }): { deviceKey: string; sourceKey: string } {
  return { deviceKey: keys.voucherFailures(`mac:${input.mac}`), sourceKey: keys.voucherFailures(`src:${input.source}`) };
}
