import { request } from 'node:http';
import { steadyKbps } from './file-server';

/**
 * Measures a rate from a phone (run inside a phone namespace), printing one JSON line:
 *   node measure.js down URL SECONDS [SKIP]   download for SECONDS, rate from the bytes received after SKIP seconds
 *   node measure.js up URL SECONDS [SKIP]     upload for SECONDS; the file server measures what it received after SKIP
 * The start is left out (1 s by default): Chilli's leaky bucket holds a second of the rate and lets it through at once.
 */
const [mode, url, secondsText = '4', skipText = '1'] = process.argv.slice(2);
const seconds = Number(secondsText);
const skipMs = Number(skipText) * 1000;

function down(): void {
  const marks: Array<[number, number]> = [];
  let bytes = 0;
  const req = request(url!, (res) => {
    res.on('data', (d: Buffer) => {
      bytes += d.length;
      marks.push([performance.now(), bytes]);
    });
    res.on('end', () => finish());
  });
  const finish = () => {
    clearTimeout(timer);
    process.stdout.write(`${JSON.stringify({ bytes, kbps: steadyKbps(marks, skipMs) })}\n`);
    process.exit(0);
  };
  const timer = setTimeout(() => {
    req.destroy();
    finish();
  }, seconds * 1000);
  req.on('error', (err) => {
    if (!timer.hasRef()) return;
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
  req.end();
}

function up(): void {
  const chunk = Buffer.alloc(16 * 1024);
  const req = request(`${url!}?skip=${skipMs}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
    let body = '';
    res.on('data', (d: Buffer) => (body += d.toString()));
    res.on('end', () => {
      process.stdout.write(`${body.trim()}\n`);
      process.exit(0);
    });
  });
  req.on('error', (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
  const until = performance.now() + seconds * 1000;
  const pump = () => {
    while (performance.now() < until) {
      if (!req.write(chunk)) return void req.once('drain', pump);
    }
    req.end();
  };
  // The clock is checked on each drain too; a last slow write may end a little after SECONDS.
  const stop = setInterval(() => {
    if (performance.now() >= until) {
      clearInterval(stop);
      req.end();
    }
  }, 50);
  pump();
}

if (mode === 'down') down();
else if (mode === 'up') up();
else {
  process.stderr.write('usage: node measure.js down|up URL SECONDS\n');
  process.exit(2);
}
