// Gateway authentication (gateway/authenticate.ts) at unit level: tokens built with jose, no HTTP.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import {
  authConfigFromEnv,
  createAuthenticator,
  createDemoAuth,
  describeDemoTokens,
  type AuthConfig,
  type Authenticator,
} from '../gateway/authenticate.ts';
import { ROLES, ROLE_SCOPES } from '../lib/auth/identity.ts';

const ISSUER = 'test-issuer';
const AUDIENCE = 'test-gateway';
const SECRET = new TextEncoder().encode('a-development-secret-of-32+bytes!!');

interface KeyPair {
  privateKey: CryptoKey;
  publicJwk: JWK;
}
let es: KeyPair;
let rs: KeyPair;
let otherRs: KeyPair;
let config: AuthConfig;
let authenticate: Authenticator;

async function keyPair(alg: 'ES256' | 'RS256', kid: string): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const now = () => Math.floor(Date.now() / 1000);

interface SignOptions {
  alg?: 'ES256' | 'RS256' | 'HS256' | 'HS512';
  key?: CryptoKey | Uint8Array;
  kid?: string | null;
  iss?: string | null;
  aud?: string | null;
  sub?: string | null;
  exp?: number | null;
  nbf?: number;
}

/** A token signed like a real issuer would, AUDITOR by default; null drops a claim. */
async function sign(claims: JWTPayload = { role: 'AUDITOR' }, options: SignOptions = {}): Promise<string> {
  const alg = options.alg ?? 'ES256';
  const key = options.key ?? (alg === 'ES256' ? es.privateKey : alg === 'RS256' ? rs.privateKey : SECRET);
  const kid = options.kid === undefined ? (alg === 'ES256' ? 'es-1' : alg === 'RS256' ? 'rs-1' : undefined) : options.kid ?? undefined;
  const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }).setIssuedAt();
  if (options.iss !== null) jwt.setIssuer(options.iss ?? ISSUER);
  if (options.aud !== null) jwt.setAudience(options.aud ?? AUDIENCE);
  if (options.sub !== null) jwt.setSubject(options.sub ?? 'user:42');
  if (options.exp !== null) jwt.setExpirationTime(options.exp ?? now() + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(key);
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The thrown error, checked to be UNAUTHENTICATED with a 401 and WWW-Authenticate; returns it. */
async function refusal(promise: Promise<unknown>, reason: string): Promise<GraphQLError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GraphQLError);
  const error = caught as GraphQLError;
  expect(error.extensions.code).toBe('UNAUTHENTICATED');
  expect(error.extensions.reason).toBe(reason);
  const http = error.extensions.http as { status: number; headers: Map<string, string> };
  expect(http.status).toBe(401);
  expect(http.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  return error;
}

beforeAll(async () => {
  [es, rs, otherRs] = await Promise.all([keyPair('ES256', 'es-1'), keyPair('RS256', 'rs-1'), keyPair('RS256', 'rs-1')]);
  config = { jwks: { keys: [es.publicJwk, rs.publicJwk] }, hs256Secret: SECRET, issuer: ISSUER, audience: AUDIENCE };
  authenticate = createAuthenticator(config);
});

describe('valid tokens', () => {
  it('ES256 from the JWKS gives the role with its scopes', async () => {
    const identity = await authenticate(`Bearer ${await sign({ role: 'AUDITOR' })}`);
    expect(identity).toEqual({ subject: 'user:42', role: 'AUDITOR', scopes: [...ROLE_SCOPES.AUDITOR] });
  });

  it('RS256 from the JWKS, narrowed by a scope claim', async () => {
    const token = await sign({ role: 'FINANCE_OFFICER', scope: 'detail:read pay:read audit:write' }, { alg: 'RS256' });
    const identity = await authenticate(`Bearer ${token}`);
    // audit:write is not the finance officer's to grant: dropped.
    expect(identity).toEqual({ subject: 'user:42', role: 'FINANCE_OFFICER', scopes: ['detail:read', 'pay:read'] });
  });

  it('HS256 with the secret', async () => {
    const token = await sign({ role: 'ANALYST' }, { alg: 'HS256' });
    expect(await authenticate(`Bearer ${token}`)).toEqual({ subject: 'user:42', role: 'ANALYST', scopes: ['detail:read'] });
  });

  it('TOWN_OFFICER carries its town; the scheme is case-insensitive', async () => {
    const token = await sign({ role: 'TOWN_OFFICER', town: '330109001' });
    expect(await authenticate(`bearer ${token}`)).toEqual({
      subject: 'user:42',
      role: 'TOWN_OFFICER',
      scopes: [...ROLE_SCOPES.TOWN_OFFICER],
      town: '330109001',
    });
  });

  it('a token without kid is tried against every matching JWKS key', async () => {
    const second = await keyPair('ES256', 'unused');
    const { kid: _a, ...first } = es.publicJwk;
    const { kid: _b, ...other } = second.publicJwk;
    const noKids = createAuthenticator({ jwks: { keys: [other, first] }, issuer: ISSUER, audience: AUDIENCE });
    const identity = await noKids(`Bearer ${await sign({ role: 'DASHBOARD' }, { kid: null })}`);
    expect(identity).toEqual({ subject: 'user:42', role: 'DASHBOARD', scopes: [] });
  });
});

describe('refused', () => {
  it('missing header', async () => {
    await refusal(authenticate(undefined), 'missing');
    await refusal(authenticate(''), 'missing');
  });

  it('not "Bearer <token>"', async () => {
    await refusal(authenticate('Basic dXNlcjpwYXNz'), 'malformed');
    await refusal(authenticate('Bearer'), 'malformed');
    await refusal(authenticate(await sign()), 'malformed');
  });

  it('malformed token', async () => {
    await refusal(authenticate('Bearer not-a-jwt'), 'malformed');
    await refusal(authenticate('Bearer abc.def.ghi'), 'malformed');
    await refusal(authenticate(`Bearer ${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`), 'malformed'); // a JWE
    // A well-formed header over garbage is refused on its signature, before the payload is read.
    await refusal(authenticate(`Bearer ${b64({ alg: 'ES256', kid: 'es-1' })}.bm90IGpzb24.${'A'.repeat(86)}`), 'bad_signature');
  });

  it('tampered payload (one character changed)', async () => {
    const token = await sign({ role: 'ANALYST' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const i = 10;
    const changed = payload.slice(0, i) + (payload[i] === 'A' ? 'B' : 'A') + payload.slice(i + 1);
    const error = await refusal(authenticate(`Bearer ${header}.${changed}.${signature}`), 'bad_signature');
    expect(error.message).not.toContain(signature);
  });

  it('RS256 signed by another key: same kid → bad signature, other kid → unknown key', async () => {
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { alg: 'RS256', key: otherRs.privateKey })}`), 'bad_signature');
    const unknown = await refusal(
      authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { alg: 'RS256', key: otherRs.privateKey, kid: 'rs-elsewhere' })}`),
      'unknown_key',
    );
    expect(unknown.message).toContain('rs-elsewhere');
  });

  it('expired, with the expiry time in the message and not the token', async () => {
    const exp = now() - 3600;
    const token = await sign({ role: 'AUDITOR' }, { exp });
    const error = await refusal(authenticate(`Bearer ${token}`), 'expired');
    expect(error.message).toBe(`token expired at ${new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`);
    expect(error.message).not.toContain(token.split('.')[1]);
  });

  it('expiry within the clock tolerance is accepted', async () => {
    const lenient = createAuthenticator({ ...config, clockTolerance: 120 });
    await expect(lenient(`Bearer ${await sign({ role: 'AUDITOR' }, { exp: now() - 60 })}`)).resolves.toMatchObject({ role: 'AUDITOR' });
    await refusal(createAuthenticator({ ...config, clockTolerance: 0 })(`Bearer ${await sign({ role: 'AUDITOR' }, { exp: now() - 60 })}`), 'expired');
  });

  it('not yet valid (nbf)', async () => {
    const error = await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { nbf: now() + 3600 })}`), 'not_yet_valid');
    expect(error.message).toMatch(/not valid before \d{4}-\d\d-\d\dT/);
  });

  it('wrong issuer, wrong audience', async () => {
    const iss = await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { iss: 'somebody-else' })}`), 'wrong_issuer');
    expect(iss.message).toContain('somebody-else');
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { iss: null })}`), 'wrong_issuer');
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { aud: 'another-api' })}`), 'wrong_audience');
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { aud: null })}`), 'wrong_audience');
  });

  it('alg none (unsecured JWT)', async () => {
    const claims = { sub: 'user:42', role: 'AUDITOR', iss: ISSUER, aud: AUDIENCE, exp: now() + 600 };
    await refusal(authenticate(`Bearer ${b64({ alg: 'none' })}.${b64(claims)}.`), 'unsecured');
    await refusal(authenticate(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`), 'unsecured');
  });

  it('algorithms outside the allow-list', async () => {
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { alg: 'HS512', key: new Uint8Array(64).fill(7) })}`), 'alg_not_allowed');
    const jwksOnly = createAuthenticator({ jwks: config.jwks, issuer: ISSUER, audience: AUDIENCE });
    const error = await refusal(jwksOnly(`Bearer ${await sign({ role: 'AUDITOR' }, { alg: 'HS256' })}`), 'alg_not_allowed');
    expect(error.message).toContain('HS256');
    // An HS256 token that names a JWKS key is not verified with that key.
    await refusal(jwksOnly(`Bearer ${await sign({ role: 'AUDITOR' }, { alg: 'HS256', kid: 'rs-1' })}`), 'alg_not_allowed');
    // An ES256 token when only the secret is configured.
    const secretOnly = createAuthenticator({ hs256Secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    await refusal(secretOnly(`Bearer ${await sign({ role: 'AUDITOR' })}`), 'alg_not_allowed');
  });

  it('HS256 signed with another secret', async () => {
    const token = await sign({ role: 'AUDITOR' }, { alg: 'HS256', key: new TextEncoder().encode('another-secret-that-is-32-bytes-long') });
    await refusal(authenticate(`Bearer ${token}`), 'bad_signature');
  });

  it('missing or unknown role, missing sub, missing exp', async () => {
    await refusal(authenticate(`Bearer ${await sign({})}`), 'bad_claims');
    const unknown = await refusal(authenticate(`Bearer ${await sign({ role: 'ROOT' })}`), 'bad_claims');
    expect(unknown.message).toContain('"ROOT"');
    await refusal(authenticate(`Bearer ${await sign({ role: 'auditor' })}`), 'bad_claims');
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { sub: null })}`), 'bad_claims');
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR' }, { exp: null })}`), 'bad_claims');
    await refusal(authenticate(`Bearer ${await sign({ role: 'AUDITOR', scope: ['detail:read'] })}`), 'bad_claims');
  });

  it('TOWN_OFFICER without a valid 9-digit town', async () => {
    await refusal(authenticate(`Bearer ${await sign({ role: 'TOWN_OFFICER' })}`), 'bad_claims');
    await refusal(authenticate(`Bearer ${await sign({ role: 'TOWN_OFFICER', town: '33010900' })}`), 'bad_claims');
    await refusal(authenticate(`Bearer ${await sign({ role: 'TOWN_OFFICER', town: 330109001 })}`), 'bad_claims');
  });
});

describe('configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'auth-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('no key source → null', () => {
    expect(authConfigFromEnv({})).toBeNull();
    expect(authConfigFromEnv({ AUTH_ISSUER: 'x' })).toBeNull();
  });

  it('reads a JWKS file, with default issuer and audience', async () => {
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [es.publicJwk] }));
    const fromEnv = authConfigFromEnv({ AUTH_JWKS_FILE: file });
    expect(fromEnv).toEqual({ jwks: { keys: [es.publicJwk] }, issuer: 'bianwai-demo', audience: 'bianwai-gateway' });
    const auth = createAuthenticator(fromEnv!);
    const token = await sign({ role: 'HR_OFFICER' }, { iss: 'bianwai-demo', aud: 'bianwai-gateway' });
    expect(await auth(`Bearer ${token}`)).toMatchObject({ role: 'HR_OFFICER' });
  });

  it('reads issuer, audience, secret and clock tolerance', () => {
    const secret = 'x'.repeat(32);
    expect(authConfigFromEnv({ AUTH_HS256_SECRET: secret, AUTH_ISSUER: 'i', AUTH_AUDIENCE: 'a', AUTH_CLOCK_TOLERANCE: '5' })).toEqual({
      hs256Secret: new TextEncoder().encode(secret),
      issuer: 'i',
      audience: 'a',
      clockTolerance: 5,
    });
    expect(authConfigFromEnv({ AUTH_JWKS_URL: 'https://idp.example/jwks.json' })).toMatchObject({ jwksUrl: 'https://idp.example/jwks.json' });
  });

  it('rejects a short HS256 secret, a private JWKS, a bad file or URL', () => {
    expect(() => authConfigFromEnv({ AUTH_HS256_SECRET: 'too-short' })).toThrow(/AUTH_HS256_SECRET is 9 bytes; .* at least 32 bytes/);
    const privateFile = join(dir, 'private.json');
    writeFileSync(privateFile, JSON.stringify({ keys: [{ ...es.publicJwk, d: 'secret' }] }));
    expect(() => authConfigFromEnv({ AUTH_JWKS_FILE: privateFile })).toThrow(/private/);
    expect(() => authConfigFromEnv({ AUTH_JWKS_FILE: join(dir, 'absent.json') })).toThrow(/AUTH_JWKS_FILE/);
    const notJwks = join(dir, 'not-jwks.json');
    writeFileSync(notJwks, '{"kty":"EC"}');
    expect(() => authConfigFromEnv({ AUTH_JWKS_FILE: notJwks })).toThrow(/not a JSON Web Key Set/);
    expect(() => authConfigFromEnv({ AUTH_JWKS_URL: 'not a url' })).toThrow(/AUTH_JWKS_URL/);
  });

  it('createAuthenticator needs a key', () => {
    expect(() => createAuthenticator({ issuer: ISSUER, audience: AUDIENCE })).toThrow(/no verification key/);
    expect(() => createAuthenticator({ hs256Secret: new Uint8Array(16), issuer: ISSUER, audience: AUDIENCE })).toThrow(/32 bytes/);
  });
});

describe('demo auth', () => {
  it('signs one ES256 token per role that the demo config accepts', async () => {
    const demo = await createDemoAuth();
    expect(demo.config.jwks?.keys).toHaveLength(1);
    const [jwk] = demo.config.jwks!.keys;
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(typeof jwk!.kid).toBe('string');
    expect(jwk).not.toHaveProperty('d');
    expect(demo.config).toMatchObject({ issuer: 'bianwai-demo', audience: 'bianwai-gateway' });
    const auth = createAuthenticator(demo.config);
    for (const role of ROLES) {
      const identity = await auth(`Bearer ${demo.tokens[role]}`);
      expect(identity).toEqual({
        subject: `demo:${role.toLowerCase()}`,
        role,
        scopes: [...ROLE_SCOPES[role]],
        ...(role === 'TOWN_OFFICER' ? { town: '330109001' } : {}),
      });
    }
  });

  it('takes a town and an expiry', async () => {
    const demo = await createDemoAuth({ town: '330109002', expiresIn: '1s' });
    const auth = createAuthenticator({ ...demo.config, clockTolerance: 0 });
    expect(await auth(`Bearer ${demo.tokens.TOWN_OFFICER}`)).toMatchObject({ town: '330109002' });
    await expect(createDemoAuth({ town: '3301' })).rejects.toThrow(/9-digit/);
  });

  it('describeDemoTokens names every role, its token and a curl line', async () => {
    const demo = await createDemoAuth();
    const text = describeDemoTokens(demo);
    for (const role of ROLES) {
      expect(text).toContain(role);
      expect(text).toContain(demo.tokens[role]);
    }
    expect(text).toContain('audit-log:read');
    expect(text).toMatch(/curl .*\n.*-H 'Authorization: Bearer ey/);
  });
});
