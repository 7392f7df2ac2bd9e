import { createHmac } from 'node:crypto';
import { Code, decodeAttributes, decodeRequest, encodeRequest, encodeResponse, inspect, Vendor, verifyResponse, type ReplyAttribute } from '../../src/radius/codec';
import fixtures from '../fixtures/radclient-packets.json';

const SECRET = 'codec-secret-123';

describe('RADIUS codec: packets captured from radclient', () => {
  const auth = Buffer.from(fixtures.auth, 'hex');
  const acct = Buffer.from(fixtures.acct, 'hex');

  it('verifies and decodes an Access-Request with Message-Authenticator and a 25-character PAP password', () => {
    const r = decodeRequest(auth, fixtures.secret);
    if (!r.ok) throw new Error(r.reason);
    expect(r.request.hasMessageAuthenticator).toBe(true);
    expect(r.request.attributes).toMatchObject({
      'User-Name': 'g-fixture12345',
      'User-Password': 'a-password-longer-than-16',
      'Calling-Station-Id': 'AA:BB:CC:DD:EE:01',
      'NAS-Identifier': 'MikroTik-Taman',
      'NAS-IP-Address': '127.0.0.1',
    });
  });

  it('verifies an Accounting-Request whose Message-Authenticator radclient computed over a zero authenticator', () => {
    const r = decodeRequest(acct, fixtures.secret);
    if (!r.ok) throw new Error(r.reason);
    expect(r.request.attributes).toMatchObject({
      'Acct-Status-Type': 'Stop',
      'Acct-Session-Time': 900,
      'Acct-Output-Gigawords': 1,
      'Acct-Terminate-Cause': 'User-Request',
    });
  });

  it('drops both with the wrong secret', () => {
    expect(decodeRequest(auth, 'wrong')).toEqual({ ok: false, reason: 'bad-message-authenticator' });
    expect(decodeRequest(acct, 'wrong')).toEqual({ ok: false, reason: 'bad-authenticator' });
  });

  it('re-encodes the captured Access-Request byte for byte from its own authenticator and identifier', () => {
    const r = decodeRequest(auth, fixtures.secret);
    if (!r.ok) throw new Error(r.reason);
    const again = encodeRequest(
      Code.AccessRequest,
      [
        ['User-Name', 'g-fixture12345'],
        ['User-Password', 'a-password-longer-than-16'],
        ['Calling-Station-Id', 'AA:BB:CC:DD:EE:01'],
        ['NAS-Identifier', 'MikroTik-Taman'],
        ['NAS-IP-Address', '127.0.0.1'],
      ],
      fixtures.secret,
      { identifier: r.request.identifier, authenticator: r.request.authenticator, messageAuthenticator: false },
    );
    // radclient puts Message-Authenticator last; strip it from the capture and compare the rest of the layout.
    const withoutMa = inspect(auth)!.attributes.filter(([t]) => t !== 80);
    expect(inspect(again)!.attributes).toEqual(withoutMa);
  });
});

describe('RADIUS codec: responses', () => {
  const request = encodeRequest(Code.AccessRequest, [['User-Name', 'g-abc'], ['User-Password', 'pw']], SECRET, { messageAuthenticator: true });
  const decoded = decodeRequest(request, SECRET);
  if (!decoded.ok) throw new Error('setup');
  const req = decoded.request;

  const attrs: ReplyAttribute[] = [
    ['Session-Timeout', 3600],
    { vendor: Vendor.Mikrotik, name: 'Mikrotik-Rate-Limit', value: '1024k/2048k' },
    { vendor: Vendor.WISPr, name: 'WISPr-Bandwidth-Max-Down', value: 2048000 },
  ];

  it('puts Message-Authenticator first in Access-Accept and Access-Reject, and signs both correctly', () => {
    for (const code of [Code.AccessAccept, Code.AccessReject]) {
      const reply = encodeResponse(code, req, code === Code.AccessAccept ? attrs : [['Reply-Message', 'Penuh']], SECRET);
      const layout = inspect(reply)!;
      expect(layout.code).toBe(code);
      expect(layout.identifier).toBe(req.identifier);
      expect(layout.attributes[0]![0]).toBe(80);
      expect(verifyResponse(reply, req.authenticator, SECRET)).toBe(true);
      // The Message-Authenticator is HMAC-MD5 over the reply with the Request Authenticator and a zero MA.
      const copy = Buffer.from(reply);
      req.authenticator.copy(copy, 4);
      copy.fill(0, 22, 38);
      expect(createHmac('md5', SECRET).update(copy).digest()).toEqual(reply.subarray(22, 38));
    }
  });

  it('encodes vendor attributes the way MikroTik reads them', () => {
    const reply = encodeResponse(Code.AccessAccept, req, attrs, SECRET);
    const vsa = decodeAttributes(reply).attributes['Vendor-Specific'] as Record<string, unknown>;
    expect(vsa).toMatchObject({ 'Mikrotik-Rate-Limit': '1024k/2048k', 'WISPr-Bandwidth-Max-Down': 2048000 });
  });

  it('detects a reply altered on the wire', () => {
    const reply = encodeResponse(Code.AccessAccept, req, attrs, SECRET);
    const tampered = Buffer.from(reply);
    tampered[tampered.length - 1]! ^= 1;
    expect(verifyResponse(tampered, req.authenticator, SECRET)).toBe(false);
    expect(verifyResponse(reply, req.authenticator, 'other-secret')).toBe(false);
  });

  it("never changes the caller's attribute array", () => {
    const frozen = Object.freeze(attrs.map((a) => (Array.isArray(a) ? Object.freeze([...a]) : Object.freeze({ ...a })))) as readonly ReplyAttribute[];
    expect(() => encodeResponse(Code.AccessAccept, req, frozen, SECRET)).not.toThrow();
    expect(frozen).toHaveLength(3);
  });

  it('copies Proxy-State attributes last, in order', () => {
    const withProxy = encodeRequest(Code.AccessRequest, [['User-Name', 'x'], ['Proxy-State', Buffer.from('one')], ['Proxy-State', Buffer.from('two')]], SECRET, {
      messageAuthenticator: true,
    });
    const d = decodeRequest(withProxy, SECRET);
    if (!d.ok) throw new Error(d.reason);
    const reply = encodeResponse(Code.AccessReject, d.request, [['Reply-Message', 'x']], SECRET);
    const tail = inspect(reply)!.attributes.slice(-2);
    expect(tail.map(([t, v]) => [t, v.toString()])).toEqual([[33, 'one'], [33, 'two']]);
  });
});

describe('RADIUS codec: hostile input', () => {
  const good = encodeRequest(
    Code.AccessRequest,
    [['User-Name', 'g-abc'], ['User-Password', 'pw'], { vendor: Vendor.Mikrotik, name: 'Mikrotik-Group', value: 'x' }],
    SECRET,
    { messageAuthenticator: true },
  );

  it('accepts the intact packet, and padding past the declared length', () => {
    expect(decodeRequest(good, SECRET).ok).toBe(true);
    expect(decodeRequest(Buffer.concat([good, Buffer.alloc(10)]), SECRET).ok).toBe(true);
  });

  it('refuses every truncation without throwing', () => {
    for (let len = 0; len < good.length; len++) {
      const r = decodeRequest(good.subarray(0, len), SECRET);
      expect(r.ok).toBe(false);
    }
  });

  it('refuses every single-byte corruption without throwing, when Message-Authenticator is required', () => {
    for (let i = 0; i < good.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const bad = Buffer.from(good);
        bad[i]! ^= flip;
        const r = decodeRequest(bad, SECRET, { requireMessageAuthenticator: true });
        expect(r.ok).toBe(false);
      }
    }
  });

  it('without the requirement, a request whose Message-Authenticator was renamed away is only PAP-protected (BlastRADIUS)', () => {
    const stripped = Buffer.from(good);
    stripped[20] = 0x51;
    expect(decodeRequest(stripped, SECRET).ok).toBe(true);
    expect(decodeRequest(stripped, SECRET, { requireMessageAuthenticator: true })).toEqual({ ok: false, reason: 'missing-message-authenticator' });
  });

  it('refuses unsupported codes, zero-length attributes and overlong vendor attributes', () => {
    const coa = Buffer.from(good);
    coa[0] = 43;
    expect(decodeRequest(coa, SECRET)).toEqual({ ok: false, reason: 'unsupported-code' });
    const zero = Buffer.from(good);
    zero[21] = 0;
    expect(decodeRequest(zero, SECRET)).toEqual({ ok: false, reason: 'bad-attribute' });
  });
});

describe('RADIUS codec: encoding limits', () => {
  const request = { identifier: 1, authenticator: Buffer.alloc(16, 1), proxyStates: [] };

  it('refuses a value longer than an attribute can hold, instead of wrapping its length octet', () => {
    expect(() => encodeResponse(Code.AccessReject, request, [['Reply-Message', 'x'.repeat(254)]], SECRET)).toThrow(/Reply-Message: 254 octets, at most 253 fit/);
    expect(() => encodeResponse(Code.AccessAccept, request, [{ vendor: Vendor.Mikrotik, name: 'Mikrotik-Rate-Limit', value: 'x'.repeat(248) }], SECRET)).toThrow(/at most 247 fit/);
    const longest = encodeResponse(Code.AccessReject, request, [['Reply-Message', 'x'.repeat(253)]], SECRET);
    expect(inspect(longest)!.attributes[1]![1].length).toBe(253);
  });

  it('encodes VALUE names of enumerated integers and refuses values that fit no type', () => {
    const p = encodeRequest(Code.AccountingRequest, [['Acct-Status-Type', 'Interim-Update'], ['Acct-Terminate-Cause', 'User-Request']], SECRET);
    expect(inspect(p)!.attributes).toEqual([[40, Buffer.from([0, 0, 0, 3])], [49, Buffer.from([0, 0, 0, 1])]]);
    expect(() => encodeRequest(Code.AccountingRequest, [['Acct-Status-Type', 'Sometimes']], SECRET)).toThrow(/not an unsigned 32-bit integer/);
    expect(() => encodeRequest(Code.AccountingRequest, [['Session-Timeout', -1]], SECRET)).toThrow(/not an unsigned 32-bit integer/);
    expect(() => encodeRequest(Code.AccountingRequest, [['NAS-IP-Address', '10.0.0.256']], SECRET)).toThrow(/not an IPv4 address/);
    expect(() => encodeRequest(Code.AccountingRequest, [['No-Such-Attribute', 'x']], SECRET)).toThrow(/not in the dictionaries/);
  });

  it('refuses a packet that would pass 4096 octets', () => {
    const many: ReplyAttribute[] = Array.from({ length: 17 }, () => ['Reply-Message', 'y'.repeat(250)] as const);
    expect(() => encodeResponse(Code.AccessReject, request, many, SECRET)).toThrow(/at most|packet is full/);
  });
});
