import request from 'supertest';
import { createVouchers, redeemVoucher } from '../../src/vouchers/store';
import { startHarness, type Harness } from '../support/harness';

const HOTSPOT = 'taman-kota-sampit';

describe('RFC 8908 Captive Portal API: GET /api/captive/<hotspot-id>', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('says captive, with the portal and venue URLs, to a client it does not know', async () => {
    const res = await request(h.services.app).get(`/api/captive/${HOTSPOT}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/captive\+json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.text)).toEqual({
      captive: true,
      'user-portal-url': `http://portal.test/hotspot/venue?hotspot=${HOTSPOT}#masuk`,
      'venue-info-url': `http://portal.test/hotspot/venue?hotspot=${HOTSPOT}`,
    });
    // Each leads somewhere useful for a phone that is still captive: how to log in here, hours and terms; never
    // "open this through the WiFi" nor "you are connected".
    const venue = await request(h.services.app).get(`/hotspot/venue?hotspot=${HOTSPOT}`).expect(200);
    expect(venue.text).toContain('Taman Kota Sampit');
    expect(venue.text).toContain('Cara tersambung');
    expect(venue.text).toContain('http://example.com');
    expect(venue.text).not.toContain('Anda sudah terhubung');
    expect(venue.text).not.toContain('harus dibuka melalui WiFi');
    await request(h.services.app).get('/hotspot/venue?hotspot=nowhere').expect(404);
  });

  it('links the venue page to the hotspot\'s own login page once it is known', async () => {
    // A MikroTik with a login host in the site file.
    await h.redis.hset(h.services.keys.hotspot(HOTSPOT), 'loginHosts', JSON.stringify(['login.taman.example']));
    const mikrotik = await request(h.services.app).get(`/hotspot/venue?hotspot=${HOTSPOT}`).expect(200);
    expect(mikrotik.text).toContain('href="http://login.taman.example/login"');
    await h.redis.hdel(h.services.keys.hotspot(HOTSPOT), 'loginHosts');
  });

  it('says not captive, with the seconds and bytes left, to the client of a live session', async () => {
    const sid = 'g-captivecapt';
    const mac = 'AA:00:00:00:0D:01';
    await h.redis.hset(h.services.keys.grant(sid), { password: 'x', hotspotId: HOTSPOT, mac });
    await h.services.pool.admit({ sessionId: sid, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'c', requestKey: sid, credential: { kind: 'verified', value: '' } });
    await h.services.pool.account({
      status: 'start', sessionId: sid, mac, hotspotId: HOTSPOT, acctSessionId: 'c', sessionTimeSec: 0, inputBytes: 0, outputBytes: 0,
      terminateCause: '', framedIp: '127.0.0.1', nasIp: '127.0.0.1', record: {},
    });
    await h.services.pool.account({
      status: 'interim', sessionId: sid, mac, hotspotId: HOTSPOT, acctSessionId: 'c', sessionTimeSec: 600, inputBytes: 0, outputBytes: 1048576,
      terminateCause: '', framedIp: '127.0.0.1', nasIp: '127.0.0.1', record: {},
    });
    const body = JSON.parse((await request(h.services.app).get(`/api/captive/${HOTSPOT}`).expect(200)).text);
    expect(body).toMatchObject({ captive: false, 'bytes-remaining': 1023 * 1048576 });
    expect(body['seconds-remaining']).toBeGreaterThan(3500);
    expect(body['seconds-remaining']).toBeLessThanOrEqual(3600);
  });

  it("tells a voucher session what is left of its voucher, as the status page does", async () => {
    await h.services.pool.release('g-captivecapt', HOTSPOT, 'test');
    const [code] = await createVouchers(h.redis, h.services.keys, {
      count: 1, hotspots: [], validityMinutes: 180, deviceLimit: 1, quotaMB: 200, redeemByMs: Date.now() + 86_400_000, batch: 'captive', note: '', createdBy: 'test',
    });
    const sid = 'g-captivevouc';
    const mac = 'AA:00:00:00:0D:02';
    expect((await redeemVoucher(h.redis, h.services.keys, { code: code!, mac, hotspotId: HOTSPOT })).ok).toBe(true);
    await h.redis.hset(h.services.keys.grant(sid), { password: 'x', hotspotId: HOTSPOT, mac, voucher: code! });
    await h.services.pool.admit({ sessionId: sid, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'v', requestKey: sid, credential: { kind: 'verified', value: '' } });
    for (const [status, outputBytes] of [['start', 0], ['interim', 1048576]] as const) {
      await h.services.pool.account({
        status, sessionId: sid, mac, hotspotId: HOTSPOT, acctSessionId: 'v', sessionTimeSec: status === 'start' ? 0 : 60, inputBytes: 0, outputBytes,
        terminateCause: '', framedIp: '127.0.0.1', nasIp: '127.0.0.1', record: {},
      });
    }
    const body = JSON.parse((await request(h.services.app).get(`/api/captive/${HOTSPOT}`).expect(200)).text);
    // The voucher's 200 MB less what was used, and its 180 minutes (not the free day's 1024 MB, nor the 60-minute session limit).
    expect(body).toMatchObject({ captive: false, 'bytes-remaining': 199 * 1048576 });
    expect(body['seconds-remaining']).toBeGreaterThan(170 * 60);
    expect(body['seconds-remaining']).toBeLessThanOrEqual(180 * 60);
  });

  it('answers an unknown hotspot with a JSON 404', async () => {
    const res = await request(h.services.app).get('/api/captive/nowhere').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
