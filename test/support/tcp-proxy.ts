import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a server that a test can turn off: `refuse` closes the port (a database
 * down or failing over), `blackhole` accepts connections and never answers (a dead proxy, a network
 * partition), `forward` passes bytes through again.
 */
export interface TcpProxy {
  port: number;
  mode(next: 'forward' | 'refuse' | 'blackhole'): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let current: 'forward' | 'refuse' | 'blackhole' = 'forward';
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (current === 'blackhole') return;
    const upstream = createConnection(target);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  await listen(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  const { port } = address;
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const stop = () => new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
  return {
    port,
    async mode(next) {
      current = next;
      dropAll();
      if (next === 'refuse') await stop();
      else if (!server.listening) await listen(port);
    },
    async close() {
      dropAll();
      await stop();
    },
  };
}
