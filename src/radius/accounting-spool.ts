import { closeSync, fdatasyncSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log';
import type { AccountingInput, Pool } from '../pool/pool';

const LIVE = /^accounting-(\d+)\.jsonl$/;
const REPLAYING = /^accounting-(\d+)\.jsonl\.(\d+)\.replaying$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Accounting that could not reach Redis, kept in a local append-only file (one JSON line per record, synced to
 * disk before the NAS gets its Accounting-Response) and replayed when Redis is back. Replaying is safe to repeat:
 * records carry the NAS's totals, so a record applied twice counts once.
 *
 * Each process appends to its own file. A replay first moves the files it will read aside, synchronously, so that
 * records appended meanwhile go to a new file; then it applies them oldest first. Files of another live process
 * are left to that process.
 */
export class AccountingSpool {
  private readonly file: string;
  private fd: number | undefined;
  private replaying: Promise<number> | undefined;

  constructor(private readonly dir: string, private readonly logger: Logger) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, `accounting-${process.pid}.jsonl`);
  }

  /** Appends one record durably. Throws if the disk refuses: then the NAS gets no reply and retransmits. */
  append(input: AccountingInput): void {
    if (this.fd !== undefined && fstatSync(this.fd).nlink === 0) {
      closeSync(this.fd); // the file was moved away and removed: start a new one
      this.fd = undefined;
    }
    this.fd ??= openSync(this.file, 'a', 0o600);
    writeSync(this.fd, `${JSON.stringify({ ...input, spooledAt: Date.now() })}\n`);
    fdatasyncSync(this.fd);
  }

  /** Whether any spool file this process may replay is waiting. */
  pending(): boolean {
    return this.claimable().length > 0 || readdirSync(this.dir).some((f) => REPLAYING.test(f) && this.mayReplay(Number(REPLAYING.exec(f)![1])));
  }

  private mayReplay(pid: number): boolean {
    return pid === process.pid || !alive(pid);
  }

  private claimable(): string[] {
    return readdirSync(this.dir).filter((f) => {
      const m = LIVE.exec(f);
      return m !== null && this.mayReplay(Number(m[1]));
    });
  }

  /** Replays every spool file this process may, oldest first. Returns how many records were applied. */
  replay(pool: Pool): Promise<number> {
    this.replaying ??= this.replayAll(pool).finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  private async replayAll(pool: Pool): Promise<number> {
    // Synchronously, before any await: close our file and move every claimable file aside.
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    const now = Date.now();
    for (const name of this.claimable()) renameSync(join(this.dir, name), join(this.dir, `${name}.${now}.replaying`));
    const files = readdirSync(this.dir)
      .map((name) => ({ name, m: REPLAYING.exec(name) }))
      .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null && this.mayReplay(Number(f.m[1])))
      .sort((a, b) => Number(a.m[2]) - Number(b.m[2]) || Number(a.m[1]) - Number(b.m[1]));
    const records: Array<AccountingInput & { spooledAt: number }> = [];
    for (const f of files) {
      for (const line of readFileSync(join(this.dir, f.name), 'utf8').split('\n').filter(Boolean)) {
        try {
          records.push(JSON.parse(line) as AccountingInput & { spooledAt: number });
        } catch {
          this.logger.error({ file: f.name }, 'skipping a damaged line in the accounting spool');
        }
      }
    }
    // Across files and processes, in the order the records arrived.
    records.sort((a, b) => a.spooledAt - b.spooledAt);
    for (const record of records) await pool.account(record);
    for (const f of files) unlinkSync(join(this.dir, f.name));
    if (records.length > 0) this.logger.info({ applied: records.length }, 'replayed spooled accounting into Redis');
    return records.length;
  }
}
