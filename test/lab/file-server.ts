import { createServer } from 'node:http';

/**
 * The lab's file server (run inside the core namespace): the far side of a citizen's download and upload.
 *   GET  /bytes/N   N bytes of zeros (download)
 *   POST /sink[?skip=MS]  reads the body and answers {"bytes", "kbps"}: the upload rate it received, leaving out
 *                   the first MS (1000) ms (Chilli's leaky bucket lets one second's worth through at once)
 * Usage: node file-server.js HOST PORT
 */
const [host = '127.0.0.1', port = '80'] = process.argv.slice(2);
const chunk = Buffer.alloc(64 * 1024);

export function steadyKbps(marks: ReadonlyArray<readonly [number, number]>, skipMs = 1000): number | null {
  const first = marks[0];
  if (!first) return null;
  const from = marks.find(([t]) => t - first[0] >= skipMs);
  const last = marks[marks.length - 1]!;
  if (!from || last[0] - from[0] < 500) return null;
  return ((last[1] - from[1]) * 8) / (last[0] - from[0]);
}

if (require.main === module) {
  createServer((req, res) => {
    const down = /^\/bytes\/(\d{1,10})$/.exec(req.url ?? '');
    if (req.method === 'GET' && down) {
      let left = Number(down[1]);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left), 'cache-control': 'no-store' });
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    const sink = /^\/sink(?:\?skip=(\d{1,6}))?$/.exec(req.url ?? '');
    if (req.method === 'POST' && sink) {
      const marks: Array<[number, number]> = [];
      let bytes = 0;
      req.on('data', (d: Buffer) => {
        bytes += d.length;
        marks.push([performance.now(), bytes]);
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes, kbps: steadyKbps(marks, Number(sink[1] ?? 1000)) }));
      });
      return undefined;
    }
    res.writeHead(404).end();
    return undefined;
  }).listen(Number(port), host, () => process.stdout.write(`file server on ${host}:${port}\n`));
}
