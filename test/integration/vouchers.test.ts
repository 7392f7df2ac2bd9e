import request from 'supertest';
import { REPLY_MESSAGES } from '../../src/refusals';
import { lastRefusal } from '../../src/pool/refusal-store';
import { createGrant } from '../../src/grants/grants';
import { findHotspot } from '../../src/pool/site-store';
import { allowanceLeft } from '../../src/portal/allowance';
import { createVouchers, FAILURES_PER_DEVICE, getVoucher, redeemVoucher, revokeVoucher, type VoucherSpec } from '../../src/vouchers/store';
import { formatCode } from '../../src/vouchers/codes';
import { eventually } from '../support/eventually';
import { grantLogin, papLogin, harnessForSuite, startHarness, type Harness } from '../support/harness';
import { formFields } from '../support/html';
import { testSite } from '../support/site';

const SPEC: VoucherSpec = {
  count: 1, hotspots: [], validityMinutes: 180, deviceLimit: 2, quotaMB: 200, redeemByMs: Date.now() + 7 * 86_400_000,
  batch: 'test', note: 'Acara 17 Agustus', createdBy: 'test',
};
const HOTSPOT = 'taman-kota-sampit';

describe('vouchers against a real redis-server and RADIUS', () => {
  let h: Harness;
  let keys: Harness['services']['keys'];
  harnessForSuite((started) => {
    h = started;
    keys = h.services.keys;
  });
  const voucher = async (spec: Partial<VoucherSpec> = {}): Promise<string> => (await createVouchers(h.redis, keys, { ...SPEC, ...spec }))[0]!;
  const redeem = (code: string, mac: string, hotspotId = HOTSPOT) => redeemVoucher(h.redis, keys, { code, mac, hotspotId });

  it('starts its validity at first use, and takes its own devices again but no more than it allows', async () => {
    const code = await voucher();
    expect((await getVoucher(h.redis, keys, code))!.status).toBe('unused');
    const t0 = Date.now();
    const first = await redeem(code, 'AA:00:00:00:00:01');
    if (!first.ok) throw new Error(first.reason);
    expect(first.expiresAt).toBeGreaterThanOrEqual(t0 + 180 * 60_000 - 1000);
    expect(first.expiresAt).toBeLessThanOrEqual(Date.now() + 180 * 60_000 + 1000);
    expect(first.bytesLeft).toBe(200 * 1048576);
    expect(first).toMatchObject({ startedClock: true, addedDevice: true });
    // The same device again, and a second one: the validity does not start again.
    expect(await redeem(code, 'AA:00:00:00:00:01')).toEqual({ ok: true, expiresAt: first.expiresAt, bytesLeft: 200 * 1048576, startedClock: false, addedDevice: false });
    expect(await redeem(code, 'AA:00:00:00:00:02')).toEqual({ ok: true, expiresAt: first.expiresAt, bytesLeft: 200 * 1048576, startedClock: false, addedDevice: true });
    expect(await redeem(code, 'AA:00:00:00:00:03')).toEqual({ ok: false, reason: 'voucher_devices' });
    const v = (await getVoucher(h.redis, keys, code))!;
    expect(v).toMatchObject({ status: 'active', devices: 2, note: 'Acara 17 Agustus', firstUsedAt: expect.any(Number) });
  });

  it('gives the last device slot to one of two phones racing for it', async () => {
    const code = await voucher({ deviceLimit: 1 });
    const results = await Promise.all(['AA:00:00:00:01:01', 'AA:00:00:00:01:02', 'AA:00:00:00:01:03'].map((mac) => redeem(code, mac)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('refuses an unknown, revoked, wrong-hotspot, expired or used-up voucher, each with its reason', async () => {
    expect(await redeem('ABCDEFGHJK', 'AA:00:00:00:02:01')).toEqual({ ok: false, reason: 'voucher_invalid' });
    const revoked = await voucher();
    await revokeVoucher(h.redis, keys, revoked);
    expect(await redeem(revoked, 'AA:00:00:00:02:01')).toEqual({ ok: false, reason: 'voucher_invalid' });
    const elsewhere = await voucher({ hotspots: ['aula-desa-baamang'] });
    expect(await redeem(elsewhere, 'AA:00:00:00:02:01')).toEqual({ ok: false, reason: 'voucher_wrong_hotspot' });
    expect((await redeem(elsewhere, 'AA:00:00:00:02:01', 'aula-desa-baamang')).ok).toBe(true);
    const stale = await voucher({ redeemByMs: Date.now() - 1000 });
    expect(await redeem(stale, 'AA:00:00:00:02:01')).toEqual({ ok: false, reason: 'voucher_expired' });
    const ended = await voucher();
    await redeem(ended, 'AA:00:00:00:02:01');
    await h.redis.hset(keys.voucher(ended), 'expiresAt', Date.now() - 1);
    expect(await redeem(ended, 'AA:00:00:00:02:01')).toEqual({ ok: false, reason: 'voucher_expired' });
    const spent = await voucher();
    await h.redis.hset(keys.voucher(spent), 'usedBytes', 200 * 1048576);
    expect(await redeem(spent, 'AA:00:00:00:02:01')).toEqual({ ok: false, reason: 'voucher_used_up' });
    expect((await getVoucher(h.redis, keys, spent))!.status).toBe('unused');
  });

  it("admits a voucher session for the voucher's time and megabytes, books its usage on the voucher, and ends it when they run out", async () => {
    const code = await voucher();
    const mac = 'AA:00:00:00:03:01';
    await redeem(code, mac);
    const { grant, reply } = await grantLogin(h, mac, { hotspotId: HOTSPOT, voucher: code });
    expect(reply.code).toBe('Access-Accept');
    // Not the hotspot's 60-minute session limit: the voucher's 180 minutes.
    expect(Number(reply.attributes['Session-Timeout'])).toBeGreaterThan(170 * 60);
    expect(reply.attributes['Mikrotik-Total-Limit']).toBe(String(200 * 1048576));

    const account = (status: 'start' | 'interim', outputBytes: number) =>
      h.services.pool.account({
        status, sessionId: grant.username, mac, hotspotId: HOTSPOT, acctSessionId: 'v1', sessionTimeSec: 60, inputBytes: 0, outputBytes,
        terminateCause: '', framedIp: '', nasIp: '127.0.0.1', record: {},
      });
    expect((await account('start', 0)).code).toBe('ok');
    expect((await account('interim', 50 * 1048576)).code).toBe('ok');
    expect(await getVoucher(h.redis, keys, code)).toMatchObject({ usedBytes: 50 * 1048576, usedSec: 60 });
    // The device's free day is untouched, as the portal reads it.
    const daily = (await findHotspot(h.redis, keys, { id: HOTSPOT }))!;
    expect(await allowanceLeft(h.redis, keys, { mac }, daily, Math.floor(Date.now() / 1000))).toEqual({ voucher: false, seconds: daily.dailyMinutes * 60, bytes: daily.dailyMB * 1048576 });
    expect((await account('interim', 200 * 1048576)).code).toBe('over_quota');
  });

  it('refuses at RADIUS a voucher that ran out after the portal took it, says so, and records why for the portal', async () => {
    const code = await voucher();
    const mac = 'AA:00:00:00:04:01';
    await redeem(code, mac);
    const grant = await createGrant(h.redis, keys, { hotspotId: HOTSPOT, mac, voucher: code });
    await h.redis.hset(keys.voucher(code), 'expiresAt', Date.now() + 30_000);
    const reply = await papLogin(h, grant);
    expect(reply.code).toBe('Access-Reject');
    expect(reply.attributes['Reply-Message']).toBe('Masa berlaku voucher sudah habis. Minta voucher baru ke petugas.');
    await eventually(async () => expect(await lastRefusal(h.redis, keys, HOTSPOT, mac)).toBe('voucher_expired'), { what: 'the refusal to be recorded for the portal' });
  });

  it('caps wrong codes per device, without locking out the next citizen behind the same router', async () => {
    const splash = (mac: string) =>
      request(h.services.app)
        .post('/hotspot/mikrotik')
        .type('form')
        .send({ mac, 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', identity: 'MikroTik-Taman' });
    const attempt = async (mac: string, code: string) => {
      const page = await splash(mac).expect(200);
      const fields = formFields(page.text.slice(page.text.lastIndexOf('<form', page.text.indexOf('class="voucher"')))).fields;
      return request(h.services.app).post('/hotspot/mikrotik/connect').type('form').send({ ...fields, voucher: code });
    };
    for (let i = 0; i < FAILURES_PER_DEVICE; i++) {
      const wrong = await attempt('AA:00:00:00:05:01', `ZZZZZ-2222${i + 2}`);
      expect(wrong.status).toBe(400);
      expect(wrong.text).toContain('Kode voucher tidak ditemukan');
    }
    const good = await voucher();
    const blocked = await attempt('AA:00:00:00:05:01', formatCode(good));
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Tunggu 10 menit');
    // Another phone in the same park (same HTTP source address) is not affected.
    const other = await attempt('AA:00:00:00:05:02', formatCode(good));
    expect(other.status).toBe(200);
    expect(formFields(other.text).action).toBe('http://10.5.50.1/login');
  });

  it('does not offer free access where a hotspot takes vouchers only', async () => {
    const only = await startHarness(testSite({ villageHallLogin: ['voucher'] }));
    try {
      const page = await request(only.services.app)
        .post('/hotspot/mikrotik')
        .type('form')
        .send({ mac: 'AA:00:00:00:06:01', 'link-login-only': 'http://10.5.50.1/login', identity: 'MT-AulaBaamang', hotspot: 'aula-desa-baamang' })
        .expect(200);
      expect(page.text).toContain('Masuk dengan voucher');
      expect(page.text).not.toContain('value="click"');
      const fields = formFields(page.text).fields;
      expect(fields['method']).toBe('voucher');
      await request(only.services.app).post('/hotspot/mikrotik/connect').type('form').send({ ...fields, method: 'click' }).expect(400);
    } finally {
      await only.close();
    }
  });

  // Issue 12, 1: while the pool was full, a voucher login was refused at RADIUS yet the voucher was used up.
  it('gives a voucher back when RADIUS refuses the login it was redeemed for, and keeps the code filled in', async () => {
    // 60000 - 10000 headroom - 50000 committed: nothing left for citizens.
    const full = await startHarness(testSite({ capacityKbps: 60_000 }));
    try {
      const code = (await createVouchers(full.redis, full.services.keys, { ...SPEC, deviceLimit: 1 }))[0]!;
      const router = { mac: 'AA:00:00:00:07:01', 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', identity: 'MikroTik-Taman' };
      const page = await request(full.services.app).post('/hotspot/mikrotik').type('form').send(router).expect(200);
      const form = formFields(page.text.slice(page.text.lastIndexOf('<form', page.text.indexOf('class="voucher"'))));
      const connect = await request(full.services.app).post('/hotspot/mikrotik/connect').type('form').send({ ...form.fields, voucher: formatCode(code) }).expect(200);
      const login = formFields(connect.text).fields;
      const reply = await papLogin(full, { username: login['username']!, password: login['password']!, mac: 'AA:00:00:00:07:01' });
      expect(reply.code).toBe('Access-Reject');
      expect(reply.attributes['Reply-Message']).toContain('Kapasitas');
      // The refused login's credentials are spent: they cannot be presented again (to ride on the voucher later).
      expect((await papLogin(full, { username: login['username']!, password: login['password']!, mac: 'AA:00:00:00:07:01' })).attributes['Reply-Message']).toBe(REPLY_MESSAGES.grant_invalid);
      // Unused still: no device taken, no validity started.
      const v = (await getVoucher(full.redis, full.services.keys, code))!;
      expect(v.status).toBe('unused');
      expect(v.devices).toBe(0);
      // The router shows its login page again with the reason; the portal explains it, with the code still there.
      const cookie = ([] as string[]).concat(connect.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
      const again = await request(full.services.app).post('/hotspot/mikrotik').set('Cookie', cookie).type('form').send({ ...router, error: reply.attributes['Reply-Message'] }).expect(200);
      expect(again.text).toContain(`value="${formatCode(code)}"`);
      // Another phone can still use it: the voucher allows one device, and none has it.
      expect(await redeemVoucher(full.redis, full.services.keys, { code, mac: 'AA:00:00:00:07:02', hotspotId: HOTSPOT })).toMatchObject({ ok: true, startedClock: true });
    } finally {
      await full.close();
    }
  });
});
