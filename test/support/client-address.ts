// A test client that calls from a loopback address of its own (127.0.0.2, 127.0.0.3, …) instead of
// 127.0.0.1. The abuse limits count per client IP, the socket's peer (trust proxy off); every test
// file's requests come from 127.0.0.1, so a file that checks production's limits calls from its own
// address and runs beside the others without their requests spending its counts (jest.config.js).
// Node's fetch cannot bind a local address without undici's Agent, which is not a dependency here,
// so this is a small fetch over node:http: method, headers, a string body, no redirects followed.
import { Agent, request } from 'node:http';

export type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/** The answers Response's constructor refuses a body for. */
const NO_BODY = new Set([101, 204, 205, 304]);

export function fetchFrom(localAddress: string): { fetch: Fetch; close(): void } {
  const agent = new Agent({ keepAlive: true, localAddress });
  const fetchLocal: Fetch = (url, init = {}) =>
    new Promise((resolve, reject) => {
      const headers = new Headers(init.headers);
      const body = init.body == null ? undefined : String(init.body);
      if (init.body instanceof URLSearchParams && !headers.has('content-type')) {
        headers.set('content-type', 'application/x-www-form-urlencoded;charset=UTF-8');
      }
      if (body !== undefined) headers.set('content-length', String(Buffer.byteLength(body)));
      const outgoing: Record<string, string> = {};
      headers.forEach((value, name) => {
        outgoing[name] = value;
      });
      const req = request(url, { method: init.method ?? 'GET', headers: outgoing, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const answer = new Headers();
          // Raw pairs keep every Set-Cookie apart (getSetCookie()).
          for (let i = 0; i < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
          const status = res.statusCode ?? 0;
          resolve(new Response(NO_BODY.has(status) ? null : Buffer.concat(chunks), { status, headers: answer }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  return { fetch: fetchLocal, close: () => agent.destroy() };
}
