import request from 'supertest';
import { MESSAGES } from '../../src/portal/i18n/messages';
import { harnessForSuite, startHarness, type Harness } from '../support/harness';

const MAC = 'AA:BB:CC:DD:EE:77';
const ROUTER = { mac: MAC, 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', identity: 'MikroTik-Taman' };

/** Every refusal the RADIUS server records, as the citizen reads it when the router sends them back to the portal. */
describe('refusal pages', () => {
  let h: Harness;
  let keys: Harness['services']['keys'];
  harnessForSuite((started) => {
    h = started;
    keys = h.services.keys;
  });
  const splash = (lang: 'id' | 'en') =>
    request(h.services.app).post('/hotspot/mikrotik').type('form').send({ ...ROUTER, error: 'RADIUS said no', lang }).expect(200);

  it.each(Object.keys(MESSAGES.id.refusals))('explains %s in both languages, with when to come back', async (reason) => {
    await h.redis.hset(keys.refusals('taman-kota-sampit'), MAC, JSON.stringify({ reason, atMs: Date.now() }));
    for (const lang of ['id', 'en'] as const) {
      const r = MESSAGES[lang].refusals[reason as keyof (typeof MESSAGES)['id']['refusals']];
      const page = (await splash(lang)).text;
      expect(page).toContain(`<h2 id="refusal-title">${r.title.replace(/'/g, '&#39;')}</h2>`);
      expect(page).toContain(r.body.replace(/'/g, '&#39;'));
      // The router's own words give way to the explanation.
      expect(page).not.toContain('RADIUS said no');
      expect(page).toMatch(/<p class="when"><strong>[^<]+<\/strong><\/p>/);
    }
  });

  it('says when a closed hotspot opens again, from its opening hours', async () => {
    // Open every day from 23:58 to 23:59 WIB: closed at almost any moment, and it opens again today or tomorrow.
    const span = ['23:58', '23:59'];
    await h.redis.hset(keys.hotspot('taman-kota-sampit'), 'openingHours', JSON.stringify({ mon: span, tue: span, wed: span, thu: span, fri: span, sat: span, sun: span }));
    try {
      await h.redis.hset(keys.refusals('taman-kota-sampit'), MAC, JSON.stringify({ reason: 'closed_hours', atMs: Date.now() }));
      const page = (await splash('id')).text;
      expect(page).toMatch(/Buka lagi (hari ini|hari (Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu)) pukul 23\.58 WIB\./);
      // Closed: neither free access nor a voucher is offered.
      expect(page).not.toContain('value="click"');
      expect(page).not.toContain('value="voucher"');
    } finally {
      // Open again even when an expectation above failed: the next test shows the splash of an open hotspot.
      await h.redis.hset(keys.hotspot('taman-kota-sampit'), 'openingHours', '');
    }
  });

  it('carries the WISPr 1.0 smart-client block, pointing at the router', async () => {
    await h.redis.hdel(keys.refusals('taman-kota-sampit'), MAC);
    const page = (await request(h.services.app).post('/hotspot/mikrotik').type('form').send(ROUTER).expect(200)).text;
    const xml = /<!--(<\?xml[\s\S]*?<\/WISPAccessGatewayParam>)-->/.exec(page)?.[1];
    expect(xml).toBeDefined();
    expect(xml).toContain('<MessageType>100</MessageType>');
    expect(xml).toContain('<ResponseCode>0</ResponseCode>');
    expect(xml).toContain('<AccessProcedure>1.0</AccessProcedure>');
    expect(xml).toContain('<LoginURL>http://10.5.50.1/login</LoginURL>');
    expect(xml).toContain('<AbortLoginURL>http://10.5.50.1/logout</AbortLoginURL>');
    expect(xml).toContain('<LocationName>Taman Kota Sampit</LocationName>');
  });
});
