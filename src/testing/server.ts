/**
 * The fake over real HTTP: node:http on 127.0.0.1 only (it serves an account's data to whoever connects),
 * keep-alive, and a close() that also drops connections a `timeout` or `hung` fault left hanging.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FakeRequest, FakeResponse, FakeServer, ListenOptions } from './types.js';

function headersOf(request: IncomingMessage): Record<string, string | undefined> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  return headers;
}

function send(res: ServerResponse, response: FakeResponse): void {
  const body = Buffer.from(response.body);
  res.writeHead(response.status, { ...response.headers, 'Content-Length': String(body.length) });
  if (response.fault === 'connection_reset') {
    // Headers and the first part of the body go out; then the connection dies mid-body.
    res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
    return;
  }
  if (response.fault === 'hung') {
    // Headers and the first part of the body go out; then nothing, on a connection left open (close() drops it).
    res.write(body.subarray(0, Math.floor(body.length / 2)));
    return;
  }
  res.end(body);
}

export async function listen(handle: (request: FakeRequest) => Promise<FakeResponse>, options: ListenOptions = {}): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server = createServer({ keepAlive: true }, (req, res) => {
    req.resume(); // bodies of refused POSTs are read and dropped, so the connection stays usable
    const request: FakeRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: headersOf(req) };
    handle(request).then(
      (response) => {
        if (response.fault !== 'timeout') send(res, response); // a timeout never answers
      },
      (error: unknown) => {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { type: 'api_error', message: `fake Stripe failed: ${String(error)}` } }));
      },
    );
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
