import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliDecompressSync, createBrotliDecompress } from 'node:zlib';

/**
 * PGlite makes a new database by running initdb in WebAssembly: 10 s or more, and about 650 MB of
 * memory that stays with the process (PGlite copies a second instance's whole heap to restore it
 * before each of initdb's steps). A new data directory is unpacked instead from a snapshot of a
 * cluster that the same PGlite version initialised (`npm run db:pglite-cluster` writes it): no
 * initdb, a fraction of the memory. Migrations then run on it as on any directory.
 * Without a snapshot for the installed version, PGlite runs initdb as before.
 */

const VENDOR_DIR = fileURLToPath(new URL('../../vendor/pglite/', import.meta.url));

/** The installed PGlite's version: a snapshot is used only by the version that made it. */
export function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const manifest = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

export function clusterSnapshotPath(version = pgliteVersion()): string {
  return join(VENDOR_DIR, `cluster-${version}.tar.br`);
}

/** The snapshot as the tarball `loadDataDir` takes (for an in-memory database), or null. */
export function clusterSnapshotBlob(): Blob | null {
  const path = clusterSnapshotPath();
  return existsSync(path) ? new Blob([brotliDecompressSync(readFileSync(path))]) : null;
}

/**
 * Unpacks the snapshot into `dataDir` file by file as it decompresses (never the whole 40 MB tar in
 * memory). PG_VERSION, which PGlite takes as "a database is here", is written last: a start that
 * dies halfway leaves none, and the next start unpacks again. False when there is no snapshot.
 */
export async function unpackClusterSnapshot(dataDir: string): Promise<boolean> {
  const path = clusterSnapshotPath();
  if (!existsSync(path)) return false;
  const tar = new TarWriter(dataDir);
  for await (const chunk of createReadStream(path).pipe(createBrotliDecompress())) tar.write(chunk as Buffer);
  tar.finish();
  return true;
}

const BLOCK = 512;
const VERSION_FILE = '/PG_VERSION';

/** Writes the members of a ustar stream (directories and plain files, as PGlite's dump holds) under `root`. */
class TarWriter {
  private pending: Buffer = Buffer.alloc(0);
  /** The member being written: its descriptor, bytes still to come and padding after them. */
  private file: { fd: number | null; left: number; padding: number } | null = null;
  private version: Buffer[] | null = null;

  constructor(private readonly root: string) {}

  write(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let offset = 0;
    for (;;) {
      if (this.file) {
        const take = Math.min(this.file.left, this.pending.length - offset);
        const data = this.pending.subarray(offset, offset + take);
        if (this.file.fd === null) this.version?.push(Buffer.from(data));
        else writeSync(this.file.fd, data);
        this.file.left -= take;
        offset += take;
        if (this.file.left > 0) break;
        const skip = Math.min(this.file.padding, this.pending.length - offset);
        this.file.padding -= skip;
        offset += skip;
        if (this.file.padding > 0) break;
        if (this.file.fd !== null) closeSync(this.file.fd);
        this.file = null;
      }
      if (this.pending.length - offset < BLOCK) break;
      this.begin(this.pending.subarray(offset, offset + BLOCK));
      offset += BLOCK;
    }
    this.pending = this.pending.subarray(offset);
  }

  finish(): void {
    if (this.file !== null || this.version === null) throw new Error('the PGlite cluster snapshot is truncated');
    const fd = openSync(join(this.root, VERSION_FILE), 'w', 0o600);
    for (const part of this.version) writeSync(fd, part);
    closeSync(fd);
  }

  private begin(header: Buffer): void {
    const name = header.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    if (name === '') return; // the two zero blocks that end the archive
    const size = Number.parseInt(header.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const target = join(this.root, name);
    if (!target.startsWith(this.root)) throw new Error(`the PGlite cluster snapshot names a path outside it: ${name}`);
    if (type === '5') {
      mkdirSync(target, { recursive: true, mode: 0o750 });
      return;
    }
    if (type !== '0' && type !== '\0')
      throw new Error(`the PGlite cluster snapshot holds an unexpected member: ${name}`);
    mkdirSync(dirname(target), { recursive: true, mode: 0o750 });
    const isVersion = name === VERSION_FILE;
    if (isVersion) this.version = [];
    this.file = {
      fd: isVersion ? null : openSync(target, 'w', 0o600),
      left: size,
      padding: (BLOCK - (size % BLOCK)) % BLOCK,
    };
  }
}
