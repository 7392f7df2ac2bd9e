import { wibClock } from '../../time';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { normalizeCode } from '../../vouchers/codes';
import { batchVouchers, createVouchers, getVoucher, listBatches, revokeVoucher, type Voucher, type VoucherBatch } from '../../vouchers/store';
import { audit } from '../audit';
import { AdminError, parseOrInvalid } from '../errors';
import type { Actor } from '../operators';
import { can } from '../policy';
import type { StoreDeps } from './deps';
import { listHotspots } from './hotspots';

/**
 * Voucher batches: made for hotspots and/or kecamatan (an operator's within its scope), revoked one by one or whole.
 * Codes are credentials: only who may change a batch sees, prints or exports them. Every change is audited.
 */

export const voucherBatchSchema = z.strictObject({
  count: z.number().int().min(1).max(1000),
  validityHours: z.number().min(1 / 60, 'at least one minute').max(24 * 366),
  deviceLimit: z.number().int().min(1).max(20),
  quotaMB: z.number().int().min(1).max(1_000_000),
  redeemDays: z.number().int().min(1).max(3650).default(90),
  /** Scope: hotspot ids, or kecamatan (resolved to their hotspots now); both empty: every hotspot. */
  hotspots: z.array(z.string()).default([]),
  kecamatan: z.array(z.string()).default([]),
  note: z.string().trim().max(200).default(''),
});

export async function createVoucherBatch(d: StoreDeps, actor: Actor, raw: unknown): Promise<{ batch: string; codes: string[] }> {
  const o = parseOrInvalid(voucherBatchSchema, raw);
  const all = await listHotspots(d);
  const unknown = o.hotspots.filter((id) => !all.some((h) => h.id === id));
  if (unknown.length) throw new AdminError('INVALID', `hotspots: unknown ${unknown.join(', ')}`).says('unknownHotspots', { list: unknown.join(', ') });
  const empty = o.kecamatan.filter((k) => !all.some((h) => h.kecamatan === k));
  if (empty.length) throw new AdminError('INVALID', `kecamatan: no hotspots in ${empty.join(', ')}`).says('emptyKecamatan', { list: empty.join(', ') });
  // An operator makes vouchers for its own hotspots and kecamatan only; an admin for any, or all.
  if (!can(actor, 'vouchers.change', { hotspots: o.hotspots.map((id) => all.find((h) => h.id === id)), kecamatan: o.kecamatan })) {
    if (!can(actor, 'change')) throw new AdminError('FORBIDDEN', 'a viewer may not create vouchers').says('viewerReadOnly');
    if (o.hotspots.length === 0 && o.kecamatan.length === 0) throw new AdminError('FORBIDDEN', 'an operator must choose hotspots or kecamatan within its scope').says('voucherScopeRequired');
    const outside = [
      ...o.hotspots.filter((id) => !can(actor, 'hotspot.change', all.find((h) => h.id === id)!)),
      ...o.kecamatan.filter((k) => !can(actor, 'kecamatan.change', k)),
    ];
    if (outside.length) throw new AdminError('FORBIDDEN', `outside ${actor.name}'s scope: ${outside.join(', ')}`).says('voucherOutOfScope', { list: outside.join(', ') });
  }
  const scoped = [...new Set(o.hotspots)];
  const now = Date.now();
  const spec = {
    hotspots: scoped, kecamatan: o.kecamatan, validityMinutes: Math.round(o.validityHours * 60), deviceLimit: o.deviceLimit, quotaMB: o.quotaMB,
    redeemByMs: now + o.redeemDays * 86_400_000, note: o.note, createdBy: actor.name,
  };
  // A batch id is claimed before any voucher is made (HSETNX), so two batches never share one: the sheet, the CSV
  // and "revoke the batch" act on exactly the vouchers of one request. The id is the WIB date and a random suffix.
  const { redeemByMs, ...shown } = spec;
  let batch: string;
  do {
    batch = `${wibClock(now).toISOString().slice(0, 10)}-${randomBytes(3).toString('hex')}`;
  } while (!(await d.redis.hsetnx(d.keys.voucherBatches(), batch, JSON.stringify({ ...shown, batch, redeemBy: redeemByMs, createdAt: now, count: 0 }))));
  const codes = await createVouchers(d.redis, d.keys, { ...spec, count: o.count, batch }, now);
  await audit(d.redis, d.keys, actor, 'vouchers.create', `batch:${batch}`, null, { count: codes.length, hotspots: scoped, kecamatan: o.kecamatan, validityHours: o.validityHours, deviceLimit: o.deviceLimit, quotaMB: o.quotaMB, note: o.note });
  return { batch, codes };
}

/** Whether the actor may see a batch's codes, print or export them: only who may change the batch (codes are credentials). */
export async function canUseBatch(d: StoreDeps, actor: Actor, batch: string): Promise<boolean> {
  try {
    await writableBatch(d, actor, batch);
    return true;
  } catch (err) {
    if (err instanceof AdminError && err.code === 'FORBIDDEN') return false;
    throw err;
  }
}

/** A code as someone who may not use it sees it: enough to tell vouchers apart, not enough to log in. */
export function maskCode(code: string): string {
  return `${code.slice(0, 2)}***-***${code.slice(-2)}`;
}

/** A batch by its id, or AdminError NOT_FOUND. */
export async function findBatch(d: StoreDeps, batch: string): Promise<VoucherBatch> {
  const b = (await listBatches(d.redis, d.keys)).find((x) => x.batch === batch);
  if (!b) throw new AdminError('NOT_FOUND', `no batch ${batch}`).says('noBatch', { batch });
  return b;
}

/** A batch the actor may change (and see the codes of), or AdminError FORBIDDEN (NOT_FOUND when there is none). */
export async function writableBatch(d: StoreDeps, actor: Actor, batch: string): Promise<VoucherBatch> {
  const b = await findBatch(d, batch);
  if (can(actor, 'administer')) return b;
  const all = await listHotspots(d);
  if (!can(actor, 'vouchers.change', { hotspots: b.hotspots.map((id) => all.find((x) => x.id === id)), kecamatan: b.kecamatan ?? [] })) {
    throw new AdminError('FORBIDDEN', `${actor.name} may not change batch ${batch}`).says('batchOutOfScope', { batch });
  }
  return b;
}

/** One voucher by its code as typed (any case, with or without the dash), or AdminError NOT_FOUND. */
export async function findVoucher(d: StoreDeps, typed: string): Promise<Voucher> {
  const code = normalizeCode(typed);
  const v = code ? await getVoucher(d.redis, d.keys, code) : null;
  if (!v) throw new AdminError('NOT_FOUND', `no voucher ${typed}`).says('noVoucher', { code: typed });
  return v;
}

export async function revokeVoucherCode(d: StoreDeps, actor: Actor, code: string): Promise<void> {
  const v = await getVoucher(d.redis, d.keys, code);
  if (!v) throw new AdminError('NOT_FOUND', `no voucher ${code}`).says('noVoucher', { code });
  await writableBatch(d, actor, v.batch);
  await revokeVoucher(d.redis, d.keys, code);
  await audit(d.redis, d.keys, actor, 'voucher.revoke', `voucher:${code}`, { status: v.status }, { status: 'revoked' });
}

export async function revokeBatch(d: StoreDeps, actor: Actor, batch: string): Promise<number> {
  await writableBatch(d, actor, batch);
  const vouchers = await batchVouchers(d.redis, d.keys, batch);
  await Promise.all(vouchers.map((v) => revokeVoucher(d.redis, d.keys, v.code)));
  await audit(d.redis, d.keys, actor, 'vouchers.revoke-batch', `batch:${batch}`, { count: vouchers.length }, { status: 'revoked' });
  return vouchers.length;
}

export { listBatches, batchVouchers };
