import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AccountingInput, Pool } from '../../src/pool/pool';
import { AccountingSpool } from '../../src/radius/accounting-spool';

const logger = pino({ level: 'silent' });

function record(sessionTimeSec: number): AccountingInput {
  return {
    status: 'interim', sessionId: 'g-spoolspool01', mac: 'AA:00:00:00:0F:01', hotspotId: 'h', acctSessionId: 'a', sessionTimeSec,
    inputBytes: 0, outputBytes: 0, terminateCause: '', framedIp: '', nasIp: '127.0.0.1', record: {},
  };
}

/** Stands in for the ledger: remembers what it was given, and may do something meanwhile (a record arriving). */
function recordingPool(during?: (n: number) => void): { pool: Pool; applied: number[] } {
  const applied: number[] = [];
  const pool = {
    account: async (input: AccountingInput) => {
      applied.push(input.sessionTimeSec);
      during?.(applied.length);
      return { code: 'ok', state: 'active' };
    },
  } as unknown as Pool;
  return { pool, applied };
}

describe('the accounting spool', () => {
  it('drops a record a crash left unfinished before appending, so the next record is not glued to it and lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'limpah-spool-unit-'));
    const file = join(dir, `accounting-${process.pid}.jsonl`);
    writeFileSync(file, `${JSON.stringify({ ...record(60), spooledAt: 1 })}\n{"status":"interim","sessionId":"g-spo`);
    const spool = new AccountingSpool(dir, logger);
    expect(spool.backlogged).toBe(true);
    spool.append(record(120));
    expect(readFileSync(file, 'utf8').split('\n').map((l) => (l ? (JSON.parse(l) as AccountingInput).sessionTimeSec : l))).toEqual([60, 120, '']);
    const { pool, applied } = recordingPool();
    expect(await spool.replay(pool)).toBe(2);
    expect(applied).toEqual([60, 120]);
  });

  it('replays what arrives during a replay in the same pass, after the older records, and only then is empty', async () => {
    const spool = new AccountingSpool(mkdtempSync(join(tmpdir(), 'limpah-spool-unit-')), logger);
    expect(spool.backlogged).toBe(false);
    spool.append(record(60));
    spool.append(record(120));
    const { pool, applied } = recordingPool((n) => {
      if (n === 1) spool.append(record(180)); // the router's next Interim, queued behind the backlog
    });
    expect(await spool.replay(pool)).toBe(3);
    expect(applied).toEqual([60, 120, 180]);
    expect(spool.backlogged).toBe(false);
    expect(spool.pending()).toBe(false);
  });
});
