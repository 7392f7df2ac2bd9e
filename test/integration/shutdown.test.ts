import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { eventually } from '../support/eventually';
import { startHarness } from '../support/harness';
import { TEST_ADMIN_KEY, testSite } from '../support/site';

const HOTSPOT = 'taman-kota-sampit';

describe('stopping Limpah', () => {
  it('does not wait out CoA retransmissions to a silent router, and leaves the session for re-rating after the restart', async () => {
    // A router that takes CoA-Requests and never answers.
    const silent = createSocket('udp4');
    const received: Buffer[] = [];
    silent.on('message', (m) => received.push(m));
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const h = await startHarness(testSite({ coaPort: (silent.address() as AddressInfo).port }), { allocatorIntervalMs: 3_600_000 });
    try {
      const sessionId = 'g-shutdownshut';
      const mac = 'AA:00:00:00:15:01';
      await h.redis.hset(h.services.keys.grant(sessionId), { password: 'x', hotspotId: HOTSPOT, mac });
      await h.services.pool.admit({ sessionId, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 's1', requestKey: sessionId, credential: { kind: 'verified', value: '' } });
      await h.services.pool.account({ status: 'start', sessionId, mac, hotspotId: HOTSPOT, acctSessionId: 's1', sessionTimeSec: 0, inputBytes: 0, outputBytes: 0, terminateCause: '', framedIp: '', nasIp: '127.0.0.1', record: {} });
      // The agencies burst: the push starts a round, which re-rates the session down through the silent router.
      await request(h.services.app).post('/api/v1/agencies/usage').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`)
        .send([{ agencyId: 'dinkes', downKbps: 72_000, upKbps: 100, at: Date.now() }]).expect(200);
      await eventually(() => expect(received.length).toBeGreaterThan(0), { what: 'the CoA-Request of the round at the silent router', timeoutMs: 5000, intervalMs: 20 });
      expect(received).toHaveLength(1);
      await h.services.stop();
      // Stopped before the first retransmission (1 s later) was due: the in-flight CoA was not waited out.
      expect(received).toHaveLength(1);
      // The router may have applied it: the ledger keeps the higher rate and the session is re-rated after restart.
      expect(await h.services.pool.session(sessionId)).toMatchObject({ downKbps: '2048', needsRerate: '1' });
    } finally {
      await h.close();
      silent.close();
    }
  });
});
