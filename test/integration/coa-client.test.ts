import pino from 'pino';
import { CoaClient } from '../../src/radius/coa-client';
import { Vendor } from '../../src/radius/codec';
import { startFreeradiusCoa, type FreeradiusCoa } from '../support/freeradius-coa';
import { createSocket } from 'node:dgram';

const SECRET = 'coa-test-secret-42';

describe('our CoA/Disconnect client against a real FreeRADIUS CoA listener', () => {
  let fr: FreeradiusCoa;
  let client: CoaClient;
  beforeAll(async () => {
    fr = await startFreeradiusCoa({ secret: SECRET, nakUserName: 'g-gone00000000', requireMessageAuthenticator: true });
    client = new CoaClient(pino({ level: 'silent' }), { timeoutMs: 300, retries: 1 });
  });
  afterAll(async () => {
    client.close();
    await fr.stop();
  });
  const target = () => ({ ip: '127.0.0.1', port: fr.port, secret: SECRET });

  it('disconnects a session identified by User-Name, Acct-Session-Id, NAS-IP-Address and Framed-IP-Address', async () => {
    const outcome = await client.send('disconnect', target(), [
      ['User-Name', 'g-abcdefghjkmn'],
      ['Acct-Session-Id', '81a00001'],
      ['NAS-IP-Address', '127.0.0.1'],
      ['Framed-IP-Address', '10.5.50.23'],
    ]);
    expect(outcome).toEqual({ ok: true, code: 'ack' });
    const got = (await fr.received()).at(-1)!;
    expect(got.code).toBe('Disconnect-Request');
    expect(got.attributes).toMatchObject({
      'User-Name': 'g-abcdefghjkmn',
      'Acct-Session-Id': '81a00001',
      'NAS-IP-Address': '127.0.0.1',
      'Framed-IP-Address': '10.5.50.23',
    });
  });

  it('re-rates a session with the MikroTik and WISPr rate attributes, with Message-Authenticator the receiver requires', async () => {
    const outcome = await client.send('coa', target(), [
      ['User-Name', 'g-abcdefghjkmn'],
      ['Acct-Session-Id', '81a00001'],
      { vendor: Vendor.Mikrotik, name: 'Mikrotik-Rate-Limit', value: '512k/1024k' },
      { vendor: Vendor.WISPr, name: 'WISPr-Bandwidth-Max-Down', value: 1024000 },
    ]);
    expect(outcome).toEqual({ ok: true, code: 'ack' });
    const got = (await fr.received()).at(-1)!;
    expect(got.code).toBe('CoA-Request');
    expect(got.attributes).toMatchObject({ 'Mikrotik-Rate-Limit': '512k/1024k', 'WISPr-Bandwidth-Max-Down': '1024000' });
  });

  it('reports a NAK with its Error-Cause (503 Session-Context-Not-Found)', async () => {
    const outcome = await client.send('disconnect', target(), [['User-Name', 'g-gone00000000']]);
    expect(outcome).toEqual({ ok: false, code: 'nak', errorCause: 503 });
  });

  it('retransmits and then reports a timeout when nobody answers, or the secret is wrong', async () => {
    const sink = createSocket('udp4');
    const seen: Buffer[] = [];
    sink.on('message', (m) => seen.push(m));
    await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
    const silent = { ip: '127.0.0.1', port: sink.address().port, secret: SECRET };
    expect(await client.send('disconnect', silent, [['User-Name', 'x']])).toEqual({ ok: false, code: 'timeout' });
    sink.close();
    expect(seen).toHaveLength(2); // the first try and one retransmission, byte for byte the same
    expect(seen[1]!.equals(seen[0]!)).toBe(true);
    expect(await client.send('disconnect', { ...target(), secret: 'not-the-secret' }, [['User-Name', 'x']])).toEqual({ ok: false, code: 'timeout' });
  });

  it('keeps many requests to one NAS apart by Identifier', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.send('coa', target(), [['User-Name', `g-many${String(i).padStart(8, '0')}`]])),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });
});
