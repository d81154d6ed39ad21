// Signed calls between the gateway and the subgraphs. The gateway signs every subgraph request over its
// body, the time and the caller's identity; a subgraph refuses requests that are unsigned (401), signed
// wrongly or replayed (403) or too old (401). The identity reaches a subgraph only inside the signature,
// never from a header a client could set. Subgraphs sign their own calls to the gateway the same way.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isRole, type Identity } from './identity.ts';

export const SIGNATURE_HEADER = 'x-bianwai-signature';
const VERSION = 'v1';

export type SigningKey = Buffer;

/** SUBGRAPH_SIGNING_KEY (hex or base64, at least 32 bytes), shared by the gateway and the subgraphs. */
export function signingKeyFromEnv(env: NodeJS.ProcessEnv = process.env): SigningKey | null {
  const text = env.SUBGRAPH_SIGNING_KEY;
  if (!text) return null;
  const key = /^[0-9a-f]+$/i.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length < 32) throw new Error('SUBGRAPH_SIGNING_KEY must hold at least 32 bytes (64 hex characters)');
  return key;
}

export function randomSigningKey(): SigningKey {
  return randomBytes(32);
}

function mac(key: SigningKey, time: string, nonce: string, identity: string, body: string | Buffer): string {
  const bodyHash = createHash('sha256').update(body).digest('base64url');
  return createHmac('sha256', key).update(`${VERSION}.${time}.${nonce}.${identity}.${bodyHash}`).digest('base64url');
}

/**
 * Nonces need only be unique (the MAC covers them): a random prefix per process and a counter. A
 * randomBytes call per subgraph request cost more than signing the body.
 */
const NONCE_PREFIX = randomBytes(9).toString('base64url');
let nonceCounter = 0;
/** A request's identity is signed into each of its subgraph requests: encoded once. */
const encodedIdentities = new WeakMap<Identity, string>();

/** The header value for a request body sent on behalf of an identity. */
export function signRequest(key: SigningKey, body: string | Buffer, identity: Identity, now = Date.now()): string {
  const time = String(Math.floor(now / 1000));
  const nonce = `${NONCE_PREFIX}${(nonceCounter++).toString(36)}`;
  let id = encodedIdentities.get(identity);
  if (id === undefined) encodedIdentities.set(identity, (id = Buffer.from(JSON.stringify(identity), 'utf8').toString('base64url')));
  return `${VERSION}.${time}.${nonce}.${id}.${mac(key, time, nonce, id, body)}`;
}

export type Verdict = { ok: true; identity: Identity } | { ok: false; status: 401 | 403; reason: string };

/** Checks signatures; remembers nonces for the accepted age so that a replay is refused. */
export class SignatureVerifier {
  private readonly seen = new Map<string, number>();
  constructor(
    private readonly key: SigningKey,
    private readonly maxAgeSeconds = 60,
  ) {}

  verify(header: string | undefined, body: string | Buffer, now = Date.now()): Verdict {
    if (!header) return { ok: false, status: 401, reason: 'unsigned request: only the gateway may call this service' };
    const parts = header.split('.');
    if (parts.length !== 5 || parts[0] !== VERSION) return { ok: false, status: 403, reason: 'malformed signature' };
    const [, time, nonce, id, sig] = parts as [string, string, string, string, string];
    const expected = Buffer.from(mac(this.key, time, nonce, id, body));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, status: 403, reason: 'bad signature' };
    const age = Math.floor(now / 1000) - Number(time);
    if (!Number.isFinite(age) || age > this.maxAgeSeconds || age < -this.maxAgeSeconds) {
      return { ok: false, status: 401, reason: `signature too old (${age} s; at most ${this.maxAgeSeconds} s)` };
    }
    this.prune(now);
    if (this.seen.has(nonce)) return { ok: false, status: 403, reason: 'replayed request' };
    this.seen.set(nonce, now + 2 * this.maxAgeSeconds * 1000);
    let identity: Identity;
    try {
      identity = JSON.parse(Buffer.from(id, 'base64url').toString('utf8')) as Identity;
    } catch {
      return { ok: false, status: 403, reason: 'malformed identity' };
    }
    if (typeof identity?.subject !== 'string' || !isRole(identity.role) || !Array.isArray(identity.scopes)) {
      return { ok: false, status: 403, reason: 'malformed identity' };
    }
    return { ok: true, identity };
  }

  private prune(now: number): void {
    if (this.seen.size < 10_000) return;
    for (const [nonce, expires] of this.seen) if (expires < now) this.seen.delete(nonce);
  }
}
