// Authentication at the gateway: the caller's `Authorization: Bearer <JWT>` becomes an Identity
// (lib/auth/identity.ts), or the request is refused with UNAUTHENTICATED (HTTP 401) and a short
// machine reason. Keys: a JSON Web Key Set (RS256/ES256, from a file or a URL) and/or an HS256
// secret for development. `createDemoAuth` makes an in-memory ES256 key and one token per role for
// `npm start`.
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import {
  SignJWT,
  calculateJwkThumbprint,
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import { ROLES, ROLE_SCOPES, SCOPES, identityOf, isRole, type Identity, type Role } from '../lib/auth/identity.ts';

export interface AuthConfig {
  /** Verification keys: a JWKS (from a file), a remote JWKS URL, and/or an HS256 secret (development). */
  jwks?: JSONWebKeySet;
  jwksUrl?: string;
  hs256Secret?: Uint8Array;
  issuer: string;
  audience: string;
  /** Seconds of clock skew tolerated for exp/nbf (default 30). */
  clockTolerance?: number;
}

export type Authenticator = (authorization: string | undefined) => Promise<Identity>;

export interface DemoAuth {
  config: AuthConfig;
  tokens: Record<Role, string>;
}

/** Machine reasons in `extensions.reason` of an UNAUTHENTICATED error. */
export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'unsecured'
  | 'alg_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'bad_claims';

export const DEFAULT_ISSUER = 'bianwai-demo';
export const DEFAULT_AUDIENCE = 'bianwai-gateway';
const DEFAULT_CLOCK_TOLERANCE = 30;
const MIN_HS256_SECRET_BYTES = 32;
/** Algorithms accepted with JWKS keys; HS256 only with the configured secret. Everything else (alg none included) is refused. */
const JWKS_ALGORITHMS = ['RS256', 'ES256'] as const;
const SECRET_ALGORITHMS = ['HS256'] as const;
const DEMO_TOWN = '330109001'; // 城厢街道
const TOWN_CODE = /^\d{9}$/;

// ---------------------------------------------------------------------------------------------
// Configuration

/**
 * Reads AUTH_JWKS_FILE, AUTH_JWKS_URL, AUTH_HS256_SECRET (UTF-8, at least 32 bytes), AUTH_ISSUER,
 * AUTH_AUDIENCE and AUTH_CLOCK_TOLERANCE (seconds). Null when no key source is configured; throws a
 * clear Error on a misconfiguration (unreadable or private JWKS, short secret, bad URL).
 */
export function authConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AuthConfig | null {
  const jwksFile = env.AUTH_JWKS_FILE?.trim();
  const jwksUrl = env.AUTH_JWKS_URL?.trim();
  const secret = env.AUTH_HS256_SECRET;
  if (!jwksFile && !jwksUrl && !secret) return null;

  const config: AuthConfig = {
    issuer: env.AUTH_ISSUER?.trim() || DEFAULT_ISSUER,
    audience: env.AUTH_AUDIENCE?.trim() || DEFAULT_AUDIENCE,
  };
  if (jwksFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(jwksFile, 'utf8'));
    } catch (error) {
      throw new Error(`AUTH_JWKS_FILE ${jwksFile}: cannot read a JSON Web Key Set (${(error as Error).message})`);
    }
    config.jwks = checkJwks(parsed, `AUTH_JWKS_FILE ${jwksFile}`);
  }
  if (jwksUrl) config.jwksUrl = checkJwksUrl(jwksUrl, 'AUTH_JWKS_URL');
  if (secret) {
    const bytes = new TextEncoder().encode(secret);
    if (bytes.length < MIN_HS256_SECRET_BYTES) {
      throw new Error(`AUTH_HS256_SECRET is ${bytes.length} bytes; an HS256 secret must be at least ${MIN_HS256_SECRET_BYTES} bytes`);
    }
    config.hs256Secret = bytes;
  }
  const tolerance = env.AUTH_CLOCK_TOLERANCE?.trim();
  if (tolerance) {
    const seconds = Number(tolerance);
    if (!Number.isInteger(seconds) || seconds < 0) throw new Error(`AUTH_CLOCK_TOLERANCE must be a whole number of seconds, not "${tolerance}"`);
    config.clockTolerance = seconds;
  }
  return config;
}

function checkJwks(value: unknown, where: string): JSONWebKeySet {
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'object' && k !== null && !Array.isArray(k))) {
    throw new Error(`${where}: not a JSON Web Key Set (expected {"keys": [ ...JWKs ]} with at least one key)`);
  }
  keys.forEach((key: Record<string, unknown>, index) => {
    const name = typeof key.kid === 'string' ? `key "${key.kid}"` : `key #${index}`;
    if ('d' in key || 'p' in key || 'k' in key) {
      throw new Error(`${where}: ${name} holds private or symmetric key material; a verification JWKS must hold public keys only`);
    }
  });
  return value as JSONWebKeySet;
}

function checkJwksUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${where} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${where} must be an http(s) URL, not "${value}"`);
  return url.href;
}

// ---------------------------------------------------------------------------------------------
// Verification

function unauthenticated(reason: AuthFailureReason, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'UNAUTHENTICATED',
      reason,
      http: { status: 401, headers: new Map([['www-authenticate', 'Bearer error="invalid_token"']]) },
    },
  });
}

/** The key server could not be reached: not the caller's fault, so not a 401. */
function keysUnavailable(cause: unknown): GraphQLError {
  return new GraphQLError('cannot fetch the token verification keys (JWKS); try again later', {
    originalError: cause instanceof Error ? cause : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR', reason: 'keys_unavailable', http: { status: 503 } },
  });
}

class KeysUnavailable extends Error {}

const iso = (seconds: unknown) =>
  typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') : String(seconds);

/** A claim value for a message: JSON, shortened (claim values, never the token itself). */
function shown(value: unknown): string {
  const text = value === undefined ? 'none' : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Verifies `Authorization: Bearer <JWT>` and returns the caller's Identity. Throws GraphQLError
 * UNAUTHENTICATED (HTTP 401, WWW-Authenticate) with `extensions.reason` on any failure.
 */
export function createAuthenticator(config: AuthConfig): Authenticator {
  if (!config.issuer || !config.audience) throw new Error('AuthConfig needs an issuer and an audience');
  if (!config.jwks && !config.jwksUrl && !config.hs256Secret) {
    throw new Error('AuthConfig has no verification key: give jwks, jwksUrl and/or hs256Secret');
  }
  if (config.hs256Secret && config.hs256Secret.length < MIN_HS256_SECRET_BYTES) {
    throw new Error(`the HS256 secret is ${config.hs256Secret.length} bytes; it must be at least ${MIN_HS256_SECRET_BYTES} bytes`);
  }

  const localKeys = config.jwks ? createLocalJWKSet(checkJwks(config.jwks, 'AuthConfig.jwks')) : undefined;
  const remoteKeys = config.jwksUrl ? createRemoteJWKSet(new URL(checkJwksUrl(config.jwksUrl, 'AuthConfig.jwksUrl'))) : undefined;
  const secret = config.hs256Secret;
  const accepted = [...(localKeys || remoteKeys ? JWKS_ALGORITHMS : []), ...(secret ? SECRET_ALGORITHMS : [])];
  const verifyOptions = (algorithms: readonly string[]): JWTVerifyOptions => ({
    algorithms: [...algorithms],
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
    requiredClaims: ['sub', 'exp'],
  });

  /** The JWKS keys the header may refer to: the local set first, then the remote one. */
  async function jwksKeys(header: JWSHeaderParameters): Promise<CryptoKey[]> {
    for (const [keys, remote] of [
      [localKeys, false],
      [remoteKeys, true],
    ] as const) {
      if (!keys) continue;
      try {
        return [await keys(header)];
      } catch (error) {
        if (error instanceof errors.JWKSMultipleMatchingKeys) {
          const candidates: CryptoKey[] = [];
          for await (const key of error) candidates.push(key);
          if (candidates.length) return candidates;
          continue;
        }
        if (error instanceof errors.JWKSNoMatchingKey) continue;
        if (remote && !(error instanceof errors.JOSENotSupported)) throw new KeysUnavailable('remote JWKS', { cause: error });
        throw error;
      }
    }
    throw new errors.JWKSNoMatchingKey();
  }

  async function verify(token: string, header: JWSHeaderParameters): Promise<JWTPayload> {
    const alg = header.alg;
    if (secret && (SECRET_ALGORITHMS as readonly string[]).includes(alg ?? '')) {
      return (await jwtVerify(token, secret, verifyOptions(SECRET_ALGORITHMS))).payload;
    }
    if ((localKeys || remoteKeys) && (JWKS_ALGORITHMS as readonly string[]).includes(alg ?? '')) {
      const keys = await jwksKeys(header);
      let failure: unknown;
      for (const key of keys) {
        try {
          return (await jwtVerify(token, key, verifyOptions(JWKS_ALGORITHMS))).payload;
        } catch (error) {
          if (!(error instanceof errors.JWSSignatureVerificationFailed)) throw error;
          failure = error;
        }
      }
      throw failure;
    }
    throw unauthenticated('alg_not_allowed', `token is signed with ${shown(alg)}, which this gateway does not accept (accepted: ${accepted.join(', ')})`);
  }

  function explain(error: unknown, header: JWSHeaderParameters): GraphQLError {
    if (error instanceof GraphQLError) return error;
    if (error instanceof KeysUnavailable) return keysUnavailable(error.cause);
    if (error instanceof errors.JWTExpired) return unauthenticated('expired', `token expired at ${iso(error.payload.exp)}`);
    if (error instanceof errors.JWTClaimValidationFailed) {
      const { claim, payload } = error;
      if (claim === 'iss') return unauthenticated('wrong_issuer', `token issuer ${shown(payload.iss)} is not the accepted issuer ${shown(config.issuer)}`);
      if (claim === 'aud') return unauthenticated('wrong_audience', `token audience ${shown(payload.aud)} does not include ${shown(config.audience)}`);
      if (error.reason === 'missing') return unauthenticated('bad_claims', `token has no "${claim}" claim`);
      if (claim === 'nbf' && error.reason === 'check_failed') return unauthenticated('not_yet_valid', `token is not valid before ${iso(payload.nbf)}`);
      return unauthenticated('bad_claims', `token claim "${claim}" is invalid: ${error.message}`);
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) return unauthenticated('bad_signature', 'token signature does not verify (tampered, or signed by another key)');
    if (error instanceof errors.JWKSNoMatchingKey) {
      return unauthenticated('unknown_key', header.kid !== undefined ? `no verification key with kid ${shown(header.kid)} for ${shown(header.alg)}` : `no verification key for ${shown(header.alg)}`);
    }
    if (error instanceof errors.JOSEAlgNotAllowed) {
      return unauthenticated('alg_not_allowed', `token algorithm ${shown(header.alg)} is not accepted (accepted: ${accepted.join(', ')})`);
    }
    if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) {
      return unauthenticated('malformed', `token is not a valid JWT: ${error.message}`);
    }
    if (error instanceof errors.JOSEError) return unauthenticated('malformed', `token is not a valid JWT: ${error.message}`);
    throw error;
  }

  // Verified tokens, until they expire: a dashboard sends the same token all day, and an ES256 check
  // costs more than the rest of a small request. Keyed by the whole token, so it maps to its own identity.
  const verified = new Map<string, { identity: Identity; until: number }>();
  const MAX_CACHED = 10_000;

  return async (authorization) => {
    const cached = authorization ? verified.get(authorization) : undefined;
    if (cached && cached.until > Date.now()) return cached.identity;
    if (authorization === undefined || authorization.trim() === '') {
      throw unauthenticated('missing', 'missing Authorization header: send "Authorization: Bearer <token>"');
    }
    const match = /^Bearer +([A-Za-z0-9_\-.]+=*) *$/i.exec(authorization.trim());
    if (!match) {
      const scheme = /^\S+/.exec(authorization.trim())?.[0] ?? '';
      throw unauthenticated(
        'malformed',
        scheme.toLowerCase() === 'bearer' ? 'Authorization header has no well-formed token after "Bearer"' : `Authorization header is not "Bearer <token>" (scheme ${shown(scheme.slice(0, 20))})`,
      );
    }
    const token = match[1]!;
    if (token.split('.').length !== 3) throw unauthenticated('malformed', 'token is not a JWT (expected three dot-separated parts)');

    let header: JWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token) as JWSHeaderParameters;
    } catch {
      throw unauthenticated('malformed', 'token header is not base64url-encoded JSON');
    }
    if (typeof header.alg !== 'string' || header.alg === '') throw unauthenticated('malformed', 'token header has no "alg"');
    if (header.alg.toLowerCase() === 'none') throw unauthenticated('unsecured', 'unsecured token (alg "none") is not accepted');

    let payload: JWTPayload;
    try {
      payload = await verify(token, header);
    } catch (error) {
      throw explain(error, header);
    }

    const { sub, role, scope, town } = payload as JWTPayload & { role?: unknown; town?: unknown };
    if (typeof sub !== 'string' || sub === '') throw unauthenticated('bad_claims', 'token has no "sub" claim');
    if (role === undefined) throw unauthenticated('bad_claims', 'token has no "role" claim');
    if (!isRole(role)) throw unauthenticated('bad_claims', `token role ${shown(role)} is not one of ${ROLES.join(', ')}`);
    if (scope !== undefined && typeof scope !== 'string') throw unauthenticated('bad_claims', 'token "scope" claim must be a space-separated string');
    if (role === 'TOWN_OFFICER' && (typeof town !== 'string' || !TOWN_CODE.test(town))) {
      throw unauthenticated('bad_claims', `a TOWN_OFFICER token needs a 9-digit "town" claim, got ${shown(town)}`);
    }
    const identity = identityOf(sub, role, { scope: scope as string | undefined, town: typeof town === 'string' ? town : undefined });
    if (verified.size >= MAX_CACHED) verified.delete(verified.keys().next().value!);
    // exp is required and was checked; stop trusting the cache a little before it, whatever the clock tolerance.
    verified.set(authorization, { identity, until: Math.min((payload.exp! * 1000) - 1000, Date.now() + 10 * 60_000) });
    return identity;
  };
}

// ---------------------------------------------------------------------------------------------
// Demo keys and tokens

/** An in-memory ES256 key pair, its public JWK as the config's JWKS, and one signed token per role. */
export async function createDemoAuth(options: { town?: string; expiresIn?: string } = {}): Promise<DemoAuth> {
  const town = options.town ?? DEMO_TOWN;
  if (!TOWN_CODE.test(town)) throw new Error(`demo town must be a 9-digit town code, not "${town}"`);
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const publicJwk: JWK = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwk: JWK = { ...publicJwk, kid, alg: 'ES256', use: 'sig' };
  const config: AuthConfig = { jwks: { keys: [jwk] }, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE };

  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    tokens[role] = await new SignJWT({ role, ...(role === 'TOWN_OFFICER' ? { town } : {}) })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setSubject(`demo:${role.toLowerCase()}`)
      .setIssuer(config.issuer)
      .setAudience(config.audience)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '12h')
      .sign(privateKey);
  }
  return { config, tokens };
}

/** Lines for `npm start`: each role, what it may do, its token, and a ready curl line. */
export function describeDemoTokens(demo: DemoAuth, options: { url?: string } = {}): string {
  const url = options.url ?? 'http://127.0.0.1:4000/graphql';
  const width = Math.max(...ROLES.map((r) => r.length));
  const lines = [
    `Demo tokens (ES256, in-memory key; iss ${demo.config.issuer}, aud ${demo.config.audience}). Scopes:`,
    ...Object.entries(SCOPES).map(([scope, meaning]) => `  ${scope.padEnd(15)} ${meaning}`),
    '',
  ];
  for (const role of ROLES) {
    const scopes = ROLE_SCOPES[role];
    const town = role === 'TOWN_OFFICER' ? readClaim(demo.tokens[role], 'town') : undefined;
    const may = scopes.length ? scopes.join(', ') : 'counts and totals only (no scopes)';
    lines.push(`  ${role.padEnd(width)}  ${may}${town ? `; only town ${town}` : ''}`);
    lines.push(`  ${''.padEnd(width)}  ${demo.tokens[role]}`);
  }
  const example: Role = 'AUDITOR';
  lines.push(
    '',
    `Try it as ${example}:`,
    `  curl -s ${url} -H 'content-type: application/json' \\`,
    `    -H 'Authorization: Bearer ${demo.tokens[example]}' \\`,
    `    -d '{"query":"{ __typename }"}'`,
  );
  return lines.join('\n');
}

/** A claim of one of our own demo tokens (no verification needed: we just signed it). */
function readClaim(token: string, claim: string): unknown {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    return payload[claim];
  } catch {
    return undefined;
  }
}
