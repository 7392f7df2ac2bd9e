import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { paths } from '../../src/paths';
import { startHarness, type Harness } from '../support/harness';
import { TEST_SECRET } from '../support/site';

/** The README's way for a newcomer to play the router works, against a Limpah that listens. */
describe('scripts/play-router.js', () => {
  let h: Harness;
  let http: Server;
  beforeAll(async () => {
    h = await startHarness();
    http = createServer(h.services.app).listen(0, '127.0.0.1');
    await new Promise((r) => http.once('listening', r));
  });
  afterAll(async () => {
    await new Promise((r) => http.close(r));
    await h.close();
  });

  it('taps "Sambungkan" as a phone would and gets the Access-Accept a MikroTik would', async () => {
    const portal = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const { stdout } = await promisify(execFile)(process.execPath, [join(paths.root, 'scripts', 'play-router.js'), portal, `127.0.0.1:${h.authPort}`, TEST_SECRET, 'MikroTik-Taman', 'AA:00:00:00:16:01']);
    expect(stdout).toContain('1. splash page: Taman Kota Sampit');
    expect(stdout).toContain('Received Access-Accept');
    expect(stdout).toContain('Mikrotik-Rate-Limit = "1024k/2048k"');
  });
});
