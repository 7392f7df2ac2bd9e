import request from 'supertest';
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
      'user-portal-url': 'http://portal.test/',
      'venue-info-url': `http://portal.test/hotspot/welcome?hotspot=${HOTSPOT}`,
    });
  });

  it('says not captive, with the seconds and bytes left, to the client of a live session', async () => {
    const sid = 'g-captivecapt';
    const mac = 'AA:00:00:00:0D:01';
    await h.redis.hset(h.services.keys.grant(sid), { password: 'x', hotspotId: HOTSPOT, mac });
    await h.services.pool.admit({ sessionId: sid, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'c', requestKey: sid, credential: { kind: 'verified', value: '' } });
    await h.services.pool.account({
      status: 'start', sessionId: sid, mac, hotspotId: HOTSPOT, acctSessionId: 'c', sessionTimeSec: 0, inputBytes: 0, outputBytes: 0,
      terminateCause: '', framedIp: '127.0.0.1', record: {},
    });
    await h.services.pool.account({
      status: 'interim', sessionId: sid, mac, hotspotId: HOTSPOT, acctSessionId: 'c', sessionTimeSec: 600, inputBytes: 0, outputBytes: 1048576,
      terminateCause: '', framedIp: '127.0.0.1', record: {},
    });
    const body = JSON.parse((await request(h.services.app).get(`/api/captive/${HOTSPOT}`).expect(200)).text);
    expect(body).toMatchObject({ captive: false, 'bytes-remaining': 1023 * 1048576 });
    expect(body['seconds-remaining']).toBeGreaterThan(3500);
    expect(body['seconds-remaining']).toBeLessThanOrEqual(3600);
  });

  it('answers an unknown hotspot with a JSON 404', async () => {
    const res = await request(h.services.app).get('/api/captive/nowhere').expect(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
