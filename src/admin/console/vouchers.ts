import { Router, type Request, type Response } from 'express';
import { formatCode } from '../../vouchers/codes';
import type { AdminMessages } from '../i18n';
import { toCsv, wib } from '../insight';
import { fill } from '../problems';
import { renderQrSvg } from '../qr';
import {
  batchVouchers, canUseBatch, createVoucherBatch, findBatch, findVoucher, kecamatanOf, listBatches, listHotspots, maskCode, revokeBatch,
  revokeVoucherCode, writableBatch, type HotspotView,
} from '../service';
import { confirmed, done, form, list, locals, num, orRefused, str, type ConsoleDeps } from './common';

/** The console's vouchers: batches, a batch's vouchers, the A4 sheet, the CSV, revoking one voucher or a batch. */

/** Where a batch's vouchers are good, in words: hotspot names and kecamatan, or every hotspot. */
function scopeText(a: AdminMessages, b: { hotspots: readonly string[]; kecamatan?: readonly string[] | undefined }, hotspots: readonly HotspotView[]): string {
  const names = b.hotspots.map((id) => hotspots.find((h) => h.id === id)?.name ?? id);
  const kecamatan = (b.kecamatan ?? []).map((k) => `Kec. ${k}`);
  return [...names, ...kecamatan].join(', ') || a.vouchers.everywhere;
}

export function voucherRoutes(deps: ConsoleDeps): Router {
  const router = Router();

  const vouchersPage = async (res: Response, error: string | null, status = 200) => {
    const [batches, hotspots] = await Promise.all([listBatches(deps.redis, deps.keys), listHotspots(deps)]);
    res.status(status).render('admin/vouchers', { batches, hotspots, kecamatan: kecamatanOf(hotspots), error, scopeText: (b: Parameters<typeof scopeText>[1]) => scopeText(locals(res).a, b, hotspots) });
  };
  router.get('/vouchers', (_req, res) => vouchersPage(res, null));
  router.post('/vouchers', async (req, res) => {
    const { a, actor } = locals(res);
    const b = form(req);
    await orRefused(res, async () => {
      const r = await createVoucherBatch(deps, actor, {
        count: num(b['count']), validityHours: num(b['validityHours']), deviceLimit: num(b['deviceLimit']), quotaMB: num(b['quotaMB']),
        redeemDays: num(b['redeemDays']) || 90, hotspots: list(b['hotspots']), kecamatan: list(b['kecamatan']), note: str(b['note']),
      });
      done(res, `/admin/vouchers/${encodeURIComponent(r.batch)}`, fill(a.done.vouchersCreated, { n: r.codes.length, batch: r.batch }));
    }, (error, status) => vouchersPage(res, error, status));
  });
  router.get('/vouchers/:batch', async (req, res) => {
    const batch = await findBatch(deps, req.params['batch']!);
    const [usable, vouchers, hotspots] = await Promise.all([canUseBatch(deps, locals(res).actor, batch.batch), batchVouchers(deps.redis, deps.keys, batch.batch), listHotspots(deps)]);
    res.render('admin/voucher-batch', {
      batch, usable, vouchers, formatCode: usable ? formatCode : maskCode, scopeLine: scopeText(locals(res).a, batch, hotspots),
      hotspotName: (id: string) => hotspots.find((h) => h.id === id)?.name ?? id,
    });
  });
  // Codes are credentials: printing and exporting them is for who may change the batch.
  const usableBatch = (req: Request, res: Response) => writableBatch(deps, locals(res).actor, String(req.params['batch']));
  router.get('/vouchers/:batch/print', async (req, res) => {
    const a = locals(res).a;
    const batch = await usableBatch(req, res);
    const [vouchers, hotspots] = await Promise.all([batchVouchers(deps.redis, deps.keys, batch.batch), listHotspots(deps)]);
    // What a card says about where it works: the hotspots by name (two, then "and n more"), the kecamatan, or all;
    // and the WiFi name(s) to join there.
    const kecamatan = batch.kecamatan ?? [];
    const inScope = batch.hotspots.length === 0 && kecamatan.length === 0 ? hotspots : hotspots.filter((h) => batch.hotspots.includes(h.id) || kecamatan.includes(h.kecamatan));
    const names = batch.hotspots.map((id) => hotspots.find((h) => h.id === id)?.name ?? id);
    const where = [
      ...(names.length > 2 ? [fill(a.vouchers.sheetMore, { list: names.slice(0, 2).join(', '), n: names.length - 2 })] : names),
      ...(kecamatan.length ? [fill(a.vouchers.sheetInKecamatan, { list: kecamatan.join(', ') })] : []),
    ].join('; ') || a.vouchers.sheetEverywhere;
    const ssids = [...new Set(inScope.flatMap((h) => (h.ssid ? [h.ssid] : [])))];
    res.render('admin/voucher-sheet', {
      batch, where, ssids: ssids.length > 2 ? [...ssids.slice(0, 2), '…'] : ssids,
      cards: vouchers.filter((v) => v.status === 'unused').map((v) => ({ code: formatCode(v.code), qr: renderQrSvg(`${deps.publicUrl}/v/${formatCode(v.code)}`) })),
    });
  });
  router.get('/vouchers/:batch/csv', async (req, res) => {
    const batch = await usableBatch(req, res);
    const vouchers = await batchVouchers(deps.redis, deps.keys, batch.batch);
    res.type('text/csv; charset=utf-8').setHeader('Content-Disposition', `attachment; filename="vouchers-${batch.batch}.csv"`);
    res.send(toCsv(
      ['code', 'qr_link', 'status', 'validity_hours', 'quota_mb', 'device_limit', 'devices_used', 'mb_used', 'first_used_wib', 'first_hotspot', 'last_used_wib', 'last_hotspot', 'hotspots', 'note'],
      vouchers.map((v) => [
        formatCode(v.code), `${deps.publicUrl}/v/${formatCode(v.code)}`, v.status, v.validityMinutes / 60, v.quotaMB, v.deviceLimit, v.devices,
        Math.round(v.usedBytes / 1048576), v.firstUsedAt ? wib(v.firstUsedAt) : '', v.firstHotspot ?? '', v.lastUsedAt ? wib(v.lastUsedAt) : '',
        v.lastHotspot ?? '', v.hotspots.join(' '), v.note,
      ]),
    ));
  });
  router.post('/vouchers/:batch/revoke', async (req, res) => {
    const { a, actor } = locals(res);
    const batch = req.params['batch']!;
    const back = `/admin/vouchers/${encodeURIComponent(batch)}`;
    const typed = str(form(req)['code']);
    if (typed) {
      // Checked before a confirmation is asked for, and again by the service when it acts.
      const v = await findVoucher(deps, typed);
      await writableBatch(deps, actor, v.batch);
      const c = a.confirm.revokeVoucher;
      if (!confirmed(req, res, { title: fill(c.title, { code: formatCode(v.code) }), body: c.body, button: c.button, back })) return;
      await revokeVoucherCode(deps, actor, v.code);
      return done(res, back, fill(a.done.voucherRevoked, { code: formatCode(v.code) }));
    }
    const b = await usableBatch(req, res);
    const n = (await batchVouchers(deps.redis, deps.keys, b.batch)).filter((v) => v.status !== 'revoked').length;
    const c = a.confirm.revokeBatch;
    if (!confirmed(req, res, { title: fill(c.title, { batch: b.batch }), body: fill(c.body, { n }), button: c.button, back })) return;
    await revokeBatch(deps, actor, b.batch);
    done(res, back, fill(a.done.batchRevoked, { batch: b.batch, n }));
  });
  return router;
}
