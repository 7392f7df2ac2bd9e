import request from 'supertest';
import { createAdminApiKey } from '../../src/admin/auth';
import { createOperator } from '../../src/admin/operators';
import { startHarness, type Harness } from '../support/harness';
import { testSite, TEST_SECRET } from '../support/site';

const ROOT = { kind: 'operator' as const, name: 'root', role: 'admin' as const, scope: { kecamatan: [], hotspots: [] } };
const PASSWORD = 'pasir-panjang-2026';

/**
 * The RouterOS script as the console and the admin API hand it out: with Limpah's configured RADIUS endpoint
 * (RADIUS_PUBLIC_ADDRESS and the ports, passed from main.ts through buildServices), never PUBLIC_URL's host name.
 */
describe('the RouterOS script from the console and the admin API', () => {
  let h: Harness;
  let key: string;
  beforeAll(async () => {
    h = await startHarness(testSite(), { publicUrl: 'https://wifi.kotimkab.go.id', radius: { address: '10.20.0.5', authPort: 11812, acctPort: 11813 } });
    key = await createAdminApiKey(h.redis, h.services.keys, ROOT, { name: 'ops', role: 'admin', scope: { kecamatan: [], hotspots: [] } });
    await createOperator(h.redis, h.services.keys, { username: 'siti', name: 'Siti', role: 'admin', scope: { kecamatan: [], hotspots: [] }, password: PASSWORD });
  });
  afterAll(async () => {
    await h.close();
  });

  const expectConfigured = (script: string) => {
    expect(script).toContain(`/radius add service=hotspot address=10.20.0.5 secret="${TEST_SECRET}" authentication-port=11812 accounting-port=11813 `);
    expect(script).toContain('/ip hotspot walled-garden ip add dst-host=wifi.kotimkab.go.id protocol=tcp dst-port=443 action=accept');
    expect(script).not.toMatch(/address=wifi|LIMPAH_RADIUS_IP|port=1812|port=1813/);
  };

  it('fills in the configured RADIUS address and ports over the API', async () => {
    const r = await request(h.services.app).get('/api/v1/nas/127.0.0.1/routeros').set('Authorization', `Bearer ${key}`).expect(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain/);
    expectConfigured(r.text);
  });

  it('fills in the same in the console download', async () => {
    const login = await request(h.services.app).post('/admin/login').type('form').send({ username: 'siti', password: PASSWORD }).expect(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const r = await request(h.services.app).get('/admin/hotspots/taman-kota-sampit/router/127.0.0.1/limpah-setup.rsc').set('Cookie', cookie).expect(200);
    expect(r.headers['content-disposition']).toBe('attachment; filename="limpah-taman-kota-sampit.rsc"');
    expectConfigured(r.text);
    // The old ?radius= override is gone: the address comes from configuration only.
    const overridden = await request(h.services.app).get('/admin/hotspots/taman-kota-sampit/router/127.0.0.1/limpah-setup.rsc?radius=wifi.kotimkab.go.id').set('Cookie', cookie).expect(200);
    expectConfigured(overridden.text);
  });
});
