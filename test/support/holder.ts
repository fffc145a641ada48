import { type ChildProcess, spawn } from 'node:child_process';

/** Spawns a node process and resolves once it printed `ready` (it then stays alive until killed). */
export function startHolder(args: string[], children: ChildProcess[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('ready')) resolve(child);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`holder exited with ${code} before it was ready: ${err}`)));
  });
}

/** Another process with a PGlite data directory open, as the running bot has it. */
export function holdDataDir(dataDir: string, children: ChildProcess[]): Promise<ChildProcess> {
  return startHolder(
    [
      '--import',
      'tsx',
      '-e',
      `const { openDatabase } = await import('./src/db/client.ts');
       await openDatabase({ driver: 'pglite', dataDir: process.argv[1] }, { migrate: false });
       console.log('ready');
       setInterval(() => {}, 60000);`,
      dataDir,
    ],
    children,
  );
}
