/**
 * A fixed-rate (open-loop) HTTP load generator for the portal benchmark, run in its own process (forked by
 * bench/portal.ts): request i is due at start + i / rate whether or not earlier ones were answered, and its latency
 * runs from that due time, so that a server that falls behind shows it in the percentiles instead of slowing the
 * generator down (no coordinated omission). Keep-alive connections, up to BENCH_OPEN_LOOP_SOCKETS at once; the
 * replies are read, not decompressed. Takes its job over IPC and answers with the latencies.
 */
import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** As an Indonesian phone's browser asks (bench/portal-replay.lua sends the same). */
const ACCEPT_LANGUAGE = 'id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7';

export interface OpenLoopJob {
  readonly port: number;
  readonly path: string;
  /** The requests file of bench/portal-replay.lua: "<X-Forwarded-For>\t<body>" per line. */
  readonly file: string;
  readonly ratePerSec: number;
  readonly seconds: number;
}

export interface OpenLoopResult {
  readonly sent: number;
  /** Latencies from the due time, ms, ascending, of the replies with a 2xx or 3xx status. */
  readonly latenciesMs: number[];
  /** Replies with another status, by status. */
  readonly otherStatus: Record<string, number>;
  readonly errors: number;
  /** From the first due time to the last reply. */
  readonly seconds: number;
}

function run(job: OpenLoopJob): Promise<OpenLoopResult> {
  const lines = readFileSync(job.file, 'utf8').split('\n').filter(Boolean).map((l) => {
    const tab = l.indexOf('\t');
    return { xff: l.slice(0, tab), body: Buffer.from(l.slice(tab + 1)) };
  });
  const total = Math.round(job.ratePerSec * job.seconds);
  const agent = new Agent({ keepAlive: true, maxSockets: Number(process.env['BENCH_OPEN_LOOP_SOCKETS'] ?? 64) });
  const latenciesMs: number[] = [];
  const otherStatus: Record<string, number> = {};
  let errors = 0;
  let done = 0;
  let sent = 0;
  return new Promise((resolve) => {
    const t0 = performance.now() + 20;
    const finish = () => {
      if (++done < total) return;
      agent.destroy();
      latenciesMs.sort((a, b) => a - b);
      resolve({ sent, latenciesMs, otherStatus, errors, seconds: (performance.now() - t0) / 1000 });
    };
    const send = (i: number) => {
      const due = t0 + (i * 1000) / job.ratePerSec;
      const line = lines[i % lines.length]!;
      sent++;
      const req = request(
        {
          host: '127.0.0.1', port: job.port, path: job.path, method: 'POST', agent,
          headers: {
            'content-type': 'application/x-www-form-urlencoded', 'content-length': line.body.length,
            'accept-encoding': 'gzip', 'accept-language': ACCEPT_LANGUAGE, 'x-forwarded-for': line.xff,
          },
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 400) latenciesMs.push(performance.now() - due);
            else otherStatus[status] = (otherStatus[status] ?? 0) + 1;
            finish();
          });
        },
      );
      req.on('error', () => {
        errors++;
        finish();
      });
      req.end(line.body);
    };
    let next = 0;
    const tick = () => {
      const dueNow = Math.min(total, Math.floor(((performance.now() - t0) * job.ratePerSec) / 1000) + 1);
      while (next < dueNow) send(next++);
      if (next < total) setTimeout(tick, 1);
    };
    setTimeout(tick, 20);
  });
}

process.once('message', (job: OpenLoopJob) => {
  void run(job).then((result) => process.send!(result, () => process.exit(0)));
});
