import { loadConfig } from '../../src/config/env';

describe('configuration from the environment', () => {
  it('has working defaults and is frozen', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      http: { port: 3000, host: '0.0.0.0' },
      radius: { host: '0.0.0.0', authPort: 1812, acctPort: 1813 },
      redis: { url: undefined, namespace: 'limpah' },
      publicUrl: 'http://localhost:3000',
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.radius)).toBe(true);
  });

  it('names the variable that is wrong and shows the value it got', () => {
    expect(() => loadConfig({ RADIUS_AUTH_PORT: 'abc' })).toThrow(/RADIUS_AUTH_PORT: .* \(got "abc"\)/);
    expect(() => loadConfig({ HTTP_PORT: '70000' })).toThrow(/HTTP_PORT/);
    expect(() => loadConfig({ REDIS_URL: 'localhost:6379' })).toThrow(/REDIS_URL: must start with redis:\/\//);
    expect(() => loadConfig({ PUBLIC_URL: 'portal' })).toThrow(/PUBLIC_URL/);
  });

  it('treats empty variables as unset and trims a trailing slash from PUBLIC_URL', () => {
    const c = loadConfig({ REDIS_URL: '', SITE_FILE: '', PUBLIC_URL: 'https://wifi.kotimkab.go.id/' });
    expect(c.redis.url).toBeUndefined();
    expect(c.siteFile).toBeUndefined();
    expect(c.publicUrl).toBe('https://wifi.kotimkab.go.id');
  });

  it('reads ADMIN_NETWORKS as addresses and networks, and refuses anything else', () => {
    expect(loadConfig({ ADMIN_NETWORKS: '10.20.0.0/16, 127.0.0.1,fd00::/8' }).http.adminNetworks).toEqual(['10.20.0.0/16', '127.0.0.1', 'fd00::/8']);
    expect(loadConfig({}).http.adminNetworks).toBeUndefined();
    expect(() => loadConfig({ ADMIN_NETWORKS: '10.20.0.0/33' })).toThrow(/ADMIN_NETWORKS: must be a comma-separated list/);
    expect(() => loadConfig({ ADMIN_NETWORKS: 'kantor' })).toThrow(/ADMIN_NETWORKS/);
  });
});
