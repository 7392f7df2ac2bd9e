import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podman, runCommand, tail } from './podman';

/**
 * A stand-in for the official `node:20-slim` image, for machines that reach Debian's mirror and the npm registry but
 * no image registry: Debian (minbase, from the mirror the host's apt uses, trimmed as Debian's slim images are) with
 * this machine's Node 20 and npm in /usr/local, and a user `node` with uid and gid 1000, as in the official image.
 * The Dockerfile takes it through its NODE_IMAGE argument.
 *
 * Built once per set of inputs (this recipe, the mirror and release, the Node binary, npm and corepack): its tag
 * names their digest, so a later run finds it and takes no time, and a new Node on the host makes a new base.
 */
export const BASE_REPOSITORY = 'localhost/limpah-ci-node';

/** The host's Debian release (bookworm): the base must match the libc the host's Node binary was built for. */
export function debianCodename(osRelease = readFileSync('/etc/os-release', 'utf8')): string {
  const codename = /^VERSION_CODENAME=("?)([a-z]+)\1$/m.exec(osRelease)?.[2];
  if (!codename) throw new Error('cannot tell the Debian release from /etc/os-release (no VERSION_CODENAME)');
  return codename;
}

interface AptSource {
  readonly uri: string;
  readonly suites: readonly string[];
  readonly components: readonly string[];
}

/** The `deb` entries of apt's sources: one-line `.list` files and deb822 `.sources` files, as apt reads them. */
export function aptSources(files: ReadonlyArray<{ name: string; text: string }>): AptSource[] {
  const out: AptSource[] = [];
  for (const { name, text } of files) {
    if (name.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line.replace(/#.*/, ''));
        if (m) out.push({ uri: m[1]!, suites: [m[2]!], components: m[3]!.trim().split(/\s+/) });
      }
    } else if (name.endsWith('.sources')) {
      for (const stanza of text.split(/\n[ \t]*\n/)) {
        // Fields are "Name: value", a value going on over lines that start with a space; "#" lines are comments.
        const fields = new Map<string, string[]>();
        let last = '';
        for (const line of stanza.split('\n')) {
          if (line.startsWith('#')) continue;
          const m = /^([\w-]+):(.*)$/.exec(line);
          if (m) fields.set((last = m[1]!.toLowerCase()), m[2]!.trim().split(/\s+/).filter(Boolean));
          else if (/^\s/.test(line) && last) fields.get(last)!.push(...line.trim().split(/\s+/).filter(Boolean));
        }
        const field = (key: string) => fields.get(key) ?? [];
        if (!field('types').includes('deb') || field('enabled')[0] === 'no') continue;
        for (const uri of field('uris')) out.push({ uri, suites: field('suites'), components: field('components') });
      }
    }
  }
  return out;
}

/** The Debian mirror the host's apt installs `codename` from: never a fixed URL, the one this machine uses. */
export function debianMirror(codename: string, dir = '/etc/apt'): string {
  const files: Array<{ name: string; text: string }> = [];
  if (existsSync(join(dir, 'sources.list'))) files.push({ name: 'sources.list', text: readFileSync(join(dir, 'sources.list'), 'utf8') });
  const partDir = join(dir, 'sources.list.d');
  if (existsSync(partDir)) {
    for (const name of readdirSync(partDir).sort()) files.push({ name, text: readFileSync(join(partDir, name), 'utf8') });
  }
  const source = aptSources(files).find((s) => s.suites.includes(codename) && s.components.includes('main'));
  if (!source) throw new Error(`no "deb ... ${codename} main" entry in ${dir}/sources.list or ${partDir}: debootstrap needs the mirror apt uses`);
  return source.uri;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Where Node's npm and corepack are, next to the binary (/usr/bin/node: /usr/lib/node_modules). */
function nodeModulesDir(): string {
  const dir = join(process.execPath, '..', '..', 'lib', 'node_modules');
  if (!existsSync(join(dir, 'npm', 'package.json'))) throw new Error(`npm is not in ${dir}: the stand-in base copies the machine's npm from there`);
  return dir;
}

/** The inputs of the base image and the tag that names them. */
export function standInBaseTag(): { tag: string; codename: string; mirror: string } {
  const codename = debianCodename();
  const mirror = debianMirror(codename);
  const modules = nodeModulesDir();
  const version = (pkg: string) => (JSON.parse(readFileSync(join(modules, pkg, 'package.json'), 'utf8')) as { version: string }).version;
  const inputs = [readFileSync(__filename, 'utf8'), codename, mirror, sha256(readFileSync(process.execPath)), version('npm'), existsSync(join(modules, 'corepack')) ? version('corepack') : ''];
  return { tag: `${BASE_REPOSITORY}:20-slim-${sha256(inputs.join('\n')).slice(0, 12)}`, codename, mirror };
}

function must(command: string, args: readonly string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${`${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-30).join('\n')}`);
}

/**
 * The base image's tag, building it first if this machine does not have it (about 30 s: debootstrap fetches some
 * 90 packages from the mirror). Older stand-ins of this recipe are removed once the new one is in place.
 */
export async function ensureStandInBase(log: (line: string) => void): Promise<string> {
  const { tag, codename, mirror } = standInBaseTag();
  if ((await runCommand('podman', ['image', 'exists', tag])).code === 0) return tag;

  const work = mkdtempSync(join(tmpdir(), 'limpah-base-'));
  const root = join(work, 'rootfs');
  try {
    const started = Date.now();
    log(`building the stand-in for node:20-slim: debootstrap ${codename} from ${mirror} with this machine's Node ${process.version}`);
    must('debootstrap', ['--variant=minbase', codename, root, mirror]);
    // As Debian's slim images: no documentation, manual pages or translations, no package lists or downloads.
    must('sh', ['-c', [
      `cd '${root}'`,
      "find usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete",
      'find usr/share/doc -mindepth 1 -type d -empty -delete',
      'rm -rf usr/share/man/* usr/share/info/* usr/share/lintian var/cache/apt/archives/*.deb var/cache/apt/*.bin var/lib/apt/lists/*',
      "find usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +",
    ].join(' && ')]);
    // Node where the official image has it: /usr/local/bin, npm and corepack in /usr/local/lib/node_modules.
    const modules = nodeModulesDir();
    mkdirSync(join(root, 'usr', 'local', 'lib', 'node_modules'), { recursive: true });
    cpSync(process.execPath, join(root, 'usr', 'local', 'bin', 'node'));
    for (const [pkg, bins] of [['npm', { npm: 'bin/npm-cli.js', npx: 'bin/npx-cli.js' }], ['corepack', { corepack: 'dist/corepack.js' }]] as const) {
      if (!existsSync(join(modules, pkg))) continue;
      cpSync(join(modules, pkg), join(root, 'usr', 'local', 'lib', 'node_modules', pkg), { recursive: true, verbatimSymlinks: true });
      for (const [bin, target] of Object.entries(bins)) symlinkSync(`../lib/node_modules/${pkg}/${target}`, join(root, 'usr', 'local', 'bin', bin));
    }
    must('chroot', [root, 'groupadd', '--gid', '1000', 'node']);
    must('chroot', [root, 'useradd', '--uid', '1000', '--gid', 'node', '--shell', '/bin/bash', '--create-home', 'node']);
    const imported = await runCommand('sh', ['-c', `tar -C '${root}' -c . | podman import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'ENV NODE_VERSION=${process.version.slice(1)}' --change 'CMD ["node"]' - '${tag}'`]);
    if (imported.code !== 0) throw new Error(`podman import of the stand-in base failed:\n${tail(imported)}`);
    log(`stand-in base ${tag} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const old = (await podman(['images', '--format', '{{.Repository}}:{{.Tag}}', BASE_REPOSITORY])).split('\n').filter((t) => t && t !== tag);
  for (const t of old) await runCommand('podman', ['rmi', t]);
  return tag;
}
