import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback that a test can break the way networks break: `refuse` (the server is
 * down: every connection is cut and new ones are closed at once), `freeze` (a partition: connections
 * stay open but nothing gets through), and `open` again.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: 'open' | 'refuse' | 'freeze' = 'open';
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (mode === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = createConnection(target);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forget = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    if (mode === 'open') {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    /** The server is down: cuts every connection and refuses new ones. */
    refuse() {
      mode = 'refuse';
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    /** A network partition: connections stay open, nothing flows, new ones hang. */
    freeze() {
      mode = 'freeze';
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    /** The network heals: frozen connections are cut (as a partition's usually are), new ones pass. */
    open() {
      if (mode === 'freeze') {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
      }
      mode = 'open';
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
