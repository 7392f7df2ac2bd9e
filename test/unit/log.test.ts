import { Writable } from 'node:stream';
import { createLogger } from '../../src/log';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('logs', () => {
  it('never hold a password, a secret or a token', () => {
    const { lines, stream } = capture();
    const log = createLogger({ destination: stream });
    log.info({ password: 'p4ss', nas: { secret: 's3cret', uamSecret: 'u4m' }, token: 't0k' }, 'x');
    expect(lines.join('')).not.toMatch(/p4ss|s3cret|u4m|t0k/);
  });

  it('drop the command arguments ioredis attaches to its errors', () => {
    const { lines, stream } = capture();
    const err = Object.assign(new Error('READONLY'), { command: { name: 'hset', args: ['{l}:grant:g-x', 'password', 'hunter2hunter22'] } });
    createLogger({ destination: stream }).error({ err }, 'redis failed');
    expect(lines.join('')).toContain('READONLY');
    expect(lines.join('')).not.toContain('hunter2hunter22');
  });
});
