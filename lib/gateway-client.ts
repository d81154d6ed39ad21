// How a subgraph asks the whole graph a question (the lead sweep, the suspension check): through the
// gateway, like any client, so that the other bureaus' data arrives only by federation.
import { GraphQLError } from 'graphql';
import type { Identity } from './auth/identity.ts';
import { correlationHeaders } from './observability.ts';
import { SIGNATURE_HEADER, signRequest, signingKeyFromEnv, type SigningKey } from './auth/signing.ts';

export class GatewayClient {
  /**
   * url is read at call time: in monolith mode the gateway starts after the subgraphs. Calls are signed
   * with the subgraphs' key as the given service identity, which the gateway accepts in place of a token.
   */
  constructor(
    private readonly url: () => string | undefined,
    private readonly auth: { signingKey: SigningKey; identity: Identity } | null,
  ) {}

  static fromEnv(identity: Identity, env: NodeJS.ProcessEnv = process.env): GatewayClient {
    const signingKey = signingKeyFromEnv(env);
    return new GatewayClient(() => env.GATEWAY_URL, signingKey ? { signingKey, identity } : null);
  }

  async query<T>(document: string, variables: Record<string, unknown> = {}, operationName?: string): Promise<T> {
    const url = this.url();
    if (!url) throw unavailable('no gateway is configured (GATEWAY_URL)');
    if (!this.auth) throw unavailable('no signing key is configured (SUBGRAPH_SIGNING_KEY)');
    const payload = JSON.stringify({ query: document, variables, operationName });
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: correlationHeaders({ 'content-type': 'application/json', [SIGNATURE_HEADER]: signRequest(this.auth.signingKey, payload, this.auth.identity) }),
        body: payload,
        signal: AbortSignal.timeout(120_000),
      });
    } catch (err) {
      throw unavailable(`the gateway cannot be reached (${(err as Error).name})`);
    }
    const body = (await res.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } | null;
    if (!body || body.errors?.length || body.data == null) {
      const first = body?.errors?.[0];
      throw new GraphQLError(`the gateway answered with an error: ${first?.message ?? `HTTP ${res.status}`}`, {
        extensions: { code: 'UPSTREAM_ERROR', upstreamCode: first?.extensions?.code ?? null },
      });
    }
    return body.data;
  }
}

function unavailable(reason: string): GraphQLError {
  return new GraphQLError(`cannot consult the other bureaus: ${reason}`, { extensions: { code: 'GATEWAY_UNAVAILABLE' } });
}
