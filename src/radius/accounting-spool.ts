import {
  closeSync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync,
  unlinkSync, writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { LimpahError } from '../errors';
import type { Logger } from '../log';
import type { AccountingInput, Pool } from '../pool/pool';
import { isRedisUnavailable } from '../redis/breaker';

const LIVE = /^accounting-(\d+)\.jsonl$/;
const REPLAYING = /^accounting-(\d+)\.jsonl\.(\d+)\.replaying$/;

type SpooledRecord = AccountingInput & { spooledAt: number };

/** Writes all of `data`, checking each write's length: a write(2) may take only part of it (a disk filling up). */
function writeWhole(fd: number, data: Buffer): void {
  for (let at = 0; at < data.length; ) {
    const n = writeSync(fd, data, at, data.length - at);
    if (n <= 0) throw new Error(`the disk took ${at} of ${data.length} bytes`);
    at += n;
  }
}

/** The length of the file up to and including its last newline: the records that were written whole. */
function completeLength(fd: number): number {
  const chunk = Buffer.alloc(4096);
  for (let end = fstatSync(fd).size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    const newline = n > 0 ? chunk.lastIndexOf(0x0a, n - 1) : -1;
    if (newline !== -1) return start + newline + 1;
    end = start;
  }
  return 0;
}

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
 * A record is on disk whole or not at all: a write the disk takes only in part (full, I/O error) is cut back to
 * the last complete record and refused, so the NAS gets no answer and retransmits, and the next record starts on
 * a clean line. While records wait here (`backlogged`), new accounting must queue behind them: a Stop applied
 * before its spooled Start and Interim would be undone by them.
 *
 * Each process appends to its own file. A replay first moves the files it will read aside, synchronously, so that
 * records appended meanwhile go to a new file; then it applies them oldest first. Files of another live process
 * are left to that process.
 */
export class AccountingSpool {
  private readonly file: string;
  private fd: number | undefined;
  /** The length of the complete records in the open file. */
  private size = 0;
  private backlog = false;
  private replaying: Promise<number> | undefined;

  constructor(private readonly dir: string, private readonly logger: Logger) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, `accounting-${process.pid}.jsonl`);
    this.backlog = this.pending(); // a spool left by a crash is older than anything that arrives now
  }

  /** Whether records this process spooled, or will replay, are not in Redis yet. Cheap: no disk access. */
  get backlogged(): boolean {
    return this.backlog;
  }

  /**
   * Appends one record durably, whole or not at all. Throws SPOOL_WRITE_FAILED if the disk refuses any of it;
   * the NAS must then get no reply (it retransmits).
   */
  append(input: AccountingInput): void {
    const line = Buffer.from(`${JSON.stringify({ ...input, spooledAt: Date.now() })}\n`);
    try {
      const fd = this.open();
      try {
        writeWhole(fd, line);
        fdatasyncSync(fd);
      } catch (err) {
        this.cutBack(fd);
        throw err;
      }
    } catch (err) {
      throw new LimpahError(
        'SPOOL_WRITE_FAILED',
        `Cannot write accounting to the spool in ${this.dir}; the router was not answered and will send it again. Free space on that disk, or bring Redis back.`,
        { cause: err },
      );
    }
    this.size += line.length;
    this.backlog = true;
  }

  private open(): number {
    if (this.fd !== undefined && fstatSync(this.fd).nlink === 0) {
      closeSync(this.fd); // the file was moved away and removed: start a new one
      this.fd = undefined;
    }
    if (this.fd === undefined) {
      const fd = openSync(this.file, 'a+', 0o600);
      // A crash mid-write, or a cut-back that failed, can leave part of a record at the end; it was never
      // answered. Dropped here, or the next record would be glued to it and lost with it on replay.
      this.size = completeLength(fd);
      if (fstatSync(fd).size !== this.size) ftruncateSync(fd, this.size);
      this.fd = fd;
    }
    return this.fd;
  }

  /** Back to the last complete record after a failed write; if even that fails, the next open() does it. */
  private cutBack(fd: number): void {
    try {
      ftruncateSync(fd, this.size);
    } catch {
      closeSync(fd);
      this.fd = undefined;
    }
  }

  /** Whether any record this process may replay is waiting. */
  pending(): boolean {
    return this.backlog || this.claimable().length > 0 || readdirSync(this.dir).some((f) => REPLAYING.test(f) && this.mayReplay(Number(REPLAYING.exec(f)![1])));
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
    let applied = 0;
    // Records spooled while a batch is applied queue behind it, so batches go on until one finds nothing; that
    // last look and the end of the backlog are one synchronous step, so no record can slip in between.
    for (let files = this.claim(); files.length > 0; files = this.claim()) applied += await this.applyFiles(pool, files);
    this.backlog = false;
    if (applied > 0) this.logger.info({ applied }, 'replayed spooled accounting into Redis');
    return applied;
  }

  /** Synchronously, before any await: closes our file, moves every claimable file aside, lists them oldest first. */
  private claim(): string[] {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    const now = Date.now();
    for (const name of this.claimable()) renameSync(join(this.dir, name), join(this.dir, `${name}.${now}.replaying`));
    return readdirSync(this.dir)
      .map((name) => ({ name, m: REPLAYING.exec(name) }))
      .filter((f): f is { name: string; m: RegExpExecArray } => f.m !== null && this.mayReplay(Number(f.m[1])))
      .sort((a, b) => Number(a.m[2]) - Number(b.m[2]) || Number(a.m[1]) - Number(b.m[1]))
      .map((f) => f.name);
  }

  private async applyFiles(pool: Pool, files: readonly string[]): Promise<number> {
    const records = files.flatMap((name) => this.read(name));
    // Across files and processes, in the order the records arrived.
    records.sort((a, b) => a.spooledAt - b.spooledAt);
    for (const record of records) await this.applyRecord(pool, record);
    for (const name of files) unlinkSync(join(this.dir, name));
    return records.length;
  }

  private read(name: string): SpooledRecord[] {
    const lines = readFileSync(join(this.dir, name), 'utf8').split('\n');
    // What follows the last newline was never written whole, so never answered: the router sent it again.
    if (lines.pop() !== '') this.logger.warn({ file: name }, 'dropping an unfinished record at the end of the accounting spool (it was never acknowledged)');
    const records: SpooledRecord[] = [];
    for (const line of lines) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line) as SpooledRecord);
      } catch {
        this.logger.error({ file: name }, 'skipping a damaged line in the accounting spool');
      }
    }
    return records;
  }

  /**
   * An outage stops the replay, to go on later. Any other failure is this record's own and would fail every
   * time; it is logged whole (for an operator to apply) and passed, or it would hold all accounting on disk.
   */
  private async applyRecord(pool: Pool, record: SpooledRecord): Promise<void> {
    try {
      await pool.account(record);
    } catch (err) {
      if (isRedisUnavailable(err)) throw err;
      this.logger.error({ err, record }, 'a spooled accounting record was refused by Redis; skipped');
    }
  }
}
