import { isRouterLoginUrl } from '../../src/portal/router-url';

describe('where the portal may post a citizen credentials', () => {
  it('accepts router addresses in private, CGNAT, link-local and loopback ranges', () => {
    for (const url of ['http://10.5.50.1/login', 'http://172.16.0.1/login', 'http://192.168.88.1/login', 'https://100.64.1.1/login', 'http://169.254.1.1/login', 'http://[fd00::1]/login', 'http://[fe80::1]/login']) {
      expect(isRouterLoginUrl(url, [])).toBe(true);
    }
  });
  it('accepts a configured hotspot DNS name, case-insensitively, and no other name', () => {
    expect(isRouterLoginUrl('http://Login.Taman.Net/login', ['login.taman.net'])).toBe(true);
    expect(isRouterLoginUrl('http://login.taman.net.evil.example/login', ['login.taman.net'])).toBe(false);
  });
  it('refuses public addresses, other schemes and credentials in the URL', () => {
    for (const url of ['http://8.8.8.8/login', 'http://172.32.0.1/login', 'javascript:alert(1)', 'ftp://10.0.0.1/', 'http://user:pw@10.0.0.1/login', 'not a url', 'http://[2001:db8::1]/']) {
      expect(isRouterLoginUrl(url, [])).toBe(false);
    }
  });
});
