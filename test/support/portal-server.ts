import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Site } from '../../src/config/site';
import type { ServiceOptions } from '../../src/services';
import { startHarness, type Harness } from './harness';

/**
 * Limpah with its portal on a real loopback port, for browsers: the port is bound first, because its address is
 * PUBLIC_URL (where routers send the browser after login, and what QR links and status links name).
 */
export async function startPortal(site?: Site, options: Partial<ServiceOptions> = {}): Promise<{ h: Harness; url: string; close(): Promise<void> }> {
  let app: Harness['services']['app'] | undefined;
  const server: Server = createServer((req, res) => app!(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const h = await startHarness(site, { ...options, publicUrl: url });
  app = h.services.app;
  return {
    h,
    url,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      await h.close();
    },
  };
}
