import request from 'supertest';
import { grantLogin, startHarness, type Harness } from '../support/harness';

const gauge = (text: string, line: RegExp): number => Number(line.exec(text)?.[1] ?? NaN);

describe('/metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it('writes out the pool and its hotspots as they are at that scrape, all from one reading', async () => {
    await request(h.services.app).get('/metrics').expect(200);
    expect((await grantLogin(h, 'AA:00:00:00:14:01')).reply.code).toBe('Access-Accept');
    // The first scrape after the change already agrees with itself (the gauges do not lag one scrape behind).
    const text = (await request(h.services.app).get('/metrics').expect(200)).text;
    const allocated = gauge(text, /limpah_pool_kbps\{kind="allocated",direction="down",app="limpah"\} (\d+)/);
    const park = gauge(text, /limpah_hotspot_allocated_down_kbps\{hotspot="taman-kota-sampit",app="limpah"\} (\d+)/);
    const sessions = gauge(text, /limpah_hotspot_sessions\{hotspot="taman-kota-sampit",app="limpah"\} (\d+)/);
    expect(allocated).toBe(2048);
    expect(park).toBe(2048);
    expect(sessions).toBe(1);
    expect(gauge(text, /limpah_pool_sessions\{app="limpah"\} (\d+)/)).toBe(1);
    expect(gauge(text, /limpah_pool_scrape_ok\{app="limpah"\} (\d+)/)).toBe(1);
  });
});
