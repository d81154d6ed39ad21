// An HTTP proxy in front of one subgraph, for failure tests: it forwards requests, holds GraphQL requests
// without answering (a hung subgraph) until released, or answers them in the subgraph's place.
import http from 'node:http';
import { listen } from '../../lib/subgraph.ts';

export interface SubgraphProxy {
  /** The subgraph's GraphQL URL through the proxy. */
  readonly url: string;
  /** Where requests are forwarded (the subgraph's GraphQL URL). */
  target: string;
  /** GraphQL requests that reached the proxy so far. */
  received(): number;
  /** Requests held unanswered now. */
  held(): number;
  /** Forwards every request (the default). */
  forward(): void;
  /** Holds new GraphQL requests unanswered, as a subgraph that hangs (/health and /ready still pass). */
  hang(): void;
  /** Forwards the requests held so far. */
  release(): void;
  /** Answers the next `times` GraphQL requests itself, with this status and body. */
  answer(status: number, body: string, times: number): void;
  stop(): Promise<void>;
}

interface Pending {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  body: Buffer;
}

export async function startProxy(target = 'http://127.0.0.1:1/graphql'): Promise<SubgraphProxy> {
  let mode: 'forward' | 'hang' = 'forward';
  let received = 0;
  const holding: Pending[] = [];
  const canned: { status: number; body: string }[] = [];

  const proxy = {
    target,
    url: '',
    received: () => received,
    held: () => holding.length,
    forward: () => void (mode = 'forward'),
    hang: () => void (mode = 'hang'),
    release: () => {
      for (const p of holding.splice(0)) pass(p);
    },
    answer: (status: number, body: string, times: number) => {
      for (let i = 0; i < times; i++) canned.push({ status, body });
    },
    stop: async () => {
      for (const p of holding.splice(0)) p.res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const pass = ({ req, res, body }: Pending) => {
    const to = new URL(req.url ?? '/', proxy.target);
    const upstream = http.request(to, { method: req.method, headers: { ...req.headers, host: to.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const pending = { req, res, body: Buffer.concat(chunks) };
      if (!req.url?.startsWith('/graphql')) return pass(pending);
      received++;
      const reply = canned.shift();
      if (reply) res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      else if (mode === 'hang') holding.push(pending);
      else pass(pending);
    });
  });
  const { port } = await listen(server, 0, '127.0.0.1');
  proxy.url = `http://127.0.0.1:${port}/graphql`;
  return proxy;
}
