import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';

/** A peer on 127.0.0.1 that accepts every connection and never answers: a stalled AWS endpoint or WeCom. */
export interface StalledPeer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Connections accepted so far (each attempt a client made). */
  readonly connections: () => number;
  close(): Promise<void>;
}

export const startStalledPeer = async (): Promise<StalledPeer> => {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    // Reads and drops what is sent, so the client's request is fully written and then waits.
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: async () => {
      for (const socket of sockets) {
        socket.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
