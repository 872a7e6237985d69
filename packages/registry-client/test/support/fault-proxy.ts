import { type IncomingMessage, type Server, type ServerResponse, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the proxy does to the next matching response. */
export type ProxyFault =
  | { type: 'corrupt'; path: RegExp }
  | { type: 'cut'; path: RegExp; afterBytes: number }
  | { type: 'status'; path: RegExp; status: number; retryAfter?: string };

/** A forwarding HTTP proxy in front of a registry that injects faults and records requests. */
export interface FaultProxy {
  host: string;
  requests: Array<{ method: string; path: string; range: string | undefined; status?: number }>;
  inject(fault: ProxyFault): void;
  close(): Promise<void>;
}

/** Starts a proxy forwarding to `target` (`127.0.0.1:<port>`, plain HTTP). Each injected fault applies once. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const [targetHost, targetPort] = target.split(':') as [string, string];
  const faults: ProxyFault[] = [];
  const requests: FaultProxy['requests'] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const record: FaultProxy['requests'][number] = { method: req.method ?? 'GET', path, range: req.headers.range };
    requests.push(record);
    const index = faults.findIndex((f) => f.path.test(path) && req.method === 'GET');
    const fault = index === -1 ? undefined : faults.splice(index, 1)[0];
    if (fault?.type === 'status') {
      req.resume();
      record.status = fault.status;
      const body = JSON.stringify({ errors: [{ code: fault.status === 429 ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'injected' }] });
      res.writeHead(fault.status, { 'Content-Type': 'application/json', ...(fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {}) });
      res.end(body);
      return;
    }
    const upstream = request(
      { host: targetHost, port: Number(targetPort), method: req.method, path: req.url, headers: req.headers },
      (up) => {
        record.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (!fault || up.statusCode! >= 300) {
          up.pipe(res);
          return;
        }
        let sent = 0;
        let flipped = false;
        up.on('data', (chunk: Buffer) => {
          if (fault.type === 'corrupt' && !flipped) {
            const copy = Buffer.from(chunk);
            copy[0] = copy[0]! ^ 0xff;
            flipped = true;
            res.write(copy);
            return;
          }
          if (fault.type === 'cut') {
            const room = fault.afterBytes - sent;
            if (room <= 0) return;
            const part = chunk.subarray(0, room);
            sent += part.byteLength;
            res.write(part, () => {
              if (sent >= fault.afterBytes) {
                up.destroy();
                res.socket?.destroy();
              }
            });
            return;
          }
          res.write(chunk);
        });
        up.on('end', () => res.end());
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    inject: (fault) => faults.push(fault),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
