import { sourceNetwork } from '../../src/source-network';

/** The network a console sign-in, a login grant or a voucher attempt is counted against. */
describe('sourceNetwork', () => {
  it('keeps an IPv4 address, also one a dual-stack socket gives as IPv4-mapped', () => {
    expect(sourceNetwork('198.51.100.7')).toBe('198.51.100.7');
    expect(sourceNetwork('::ffff:198.51.100.7')).toBe('198.51.100.7');
  });

  it('counts an IPv6 address by its /64, however it is written', () => {
    expect(sourceNetwork('2001:db8:1:2::a')).toBe('2001:db8:1:2::/64');
    expect(sourceNetwork('2001:0db8:0001:0002:ffff:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(sourceNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceNetwork('::1')).toBe('0:0:0:0::/64');
    expect(sourceNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceNetwork('64:ff9b::198.51.100.7')).toBe('64:ff9b:0:0::/64');
  });

  it('puts anything that is not an address in one bucket, so a forged header cannot make keys at will', () => {
    expect(sourceNetwork('')).toBe('unknown');
    expect(sourceNetwork('not-an-address|x')).toBe('unknown');
  });
});
