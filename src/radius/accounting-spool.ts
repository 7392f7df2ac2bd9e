import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log';
import type { AccountingInput, Pool } from '../pool/pool';

/**
 * Accounting that could not reach Redis, kept in a local append-only file (one JSON line per record, synced to
 * disk before the NAS gets its Accounting-Response) and replayed when Redis is back. Replaying is safe to repeat:
 * records carry the NAS's totals, so a record applied twice counts once.
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
    this.fd ??= openSync(this.file, 'a', 0o600);
    writeSync(this.fd, `${JSON.stringify({ ...input, spooledAt: Date.now() })}\n`);
    fdatasyncSync(this.fd);
  }

  /** Whether any spool file (this process's or one left by an earlier run) waits for replay. */
  pending(): boolean {
    return readdirSync(this.dir).some((f) => f.endsWith('.jsonl') || f.endsWith('.replaying'));
  }

  /**
   * Replays every spool file in order into the pool; a file is removed only after all its records were applied.
   * Returns how many records were applied.
   */
  replay(pool: Pool): Promise<number> {
    this.replaying ??= this.replayAll(pool).finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  private async replayAll(pool: Pool): Promise<number> {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    let applied = 0;
    for (const name of readdirSync(this.dir).sort()) {
      let path = join(this.dir, name);
      if (name.endsWith('.jsonl')) {
        // New records go to a fresh file while this one is replayed.
        const moved = `${path}.${Date.now()}.replaying`;
        renameSync(path, moved);
        path = moved;
      } else if (!name.endsWith('.replaying')) {
        continue;
      }
      const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
      for (const line of lines) {
        let input: AccountingInput;
        try {
          input = JSON.parse(line) as AccountingInput;
        } catch {
          this.logger.error({ file: path }, 'skipping a damaged line in the accounting spool');
          continue;
        }
        await pool.account(input);
        applied++;
      }
      unlinkSync(path);
    }
    if (applied > 0) this.logger.info({ applied }, 'replayed spooled accounting into Redis');
    return applied;
  }
}
