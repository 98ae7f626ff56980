import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A latency as a log-normal distribution fitted to its median and 99th percentile (ms). */
export interface StatedLatency {
  readonly p50Ms: number;
  readonly p99Ms: number;
}

// z of the 99th percentile of a standard normal.
const Z99 = 2.326;

/** One draw from the log-normal with that median and p99, using `random` for uniform draws. */
export const drawLatency = (latency: StatedLatency, random: () => number): number => {
  const sigma = Math.log(latency.p99Ms / latency.p50Ms) / Z99;
  // Box-Muller: a standard normal from two uniforms.
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return latency.p50Ms * Math.exp(sigma * normal);
};

/** A reverse proxy on 127.0.0.1 that adds AWS-like latency in front of a loopback fake. */
export interface LatencyProxy {
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Forwards every request to `target` after a draw of `perCall`, and the first request on each new
 * connection after a draw of `newConnection` too (the TCP and TLS set-up a cold container pays per
 * AWS endpoint, which plain loopback HTTP does not have).
 */
export const startLatencyProxy = async (
  target: string,
  latency: { readonly perCall: StatedLatency; readonly newConnection: StatedLatency },
  random: () => number,
): Promise<LatencyProxy> => {
  const upstream = new URL(target);
  const fresh = new WeakSet<Socket>();
  const server: Server = createServer((incoming, outgoing) => {
    const isFirst = fresh.has(incoming.socket);
    fresh.delete(incoming.socket);
    const delayMs =
      drawLatency(latency.perCall, random) + (isFirst ? drawLatency(latency.newConnection, random) : 0);
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      setTimeout(() => {
        const forwarded = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forwarded.on('error', () => {
          outgoing.writeHead(502);
          outgoing.end();
        });
        forwarded.end(Buffer.concat(chunks));
      }, delayMs);
    });
  });
  server.on('connection', (socket: Socket) => fresh.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
