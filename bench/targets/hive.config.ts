// Hive Gateway's configuration for `npm run bench` (`hive-gateway supergraph <file> --port N -c
// bench/targets/hive.config.ts`): its default settings plus one plugin that signs every subgraph
// request as an auditor over the exact body (lib/auth/signing.ts), as our gateway and the stock
// @apollo/gateway target do, because the subgraphs refuse unsigned calls. Key: SUBGRAPH_SIGNING_KEY.
import { identityOf } from '../../lib/auth/identity.ts';
import { SIGNATURE_HEADER, signRequest, signingKeyFromEnv } from '../../lib/auth/signing.ts';

const key = signingKeyFromEnv();
if (!key) throw new Error('hive.config.ts: set SUBGRAPH_SIGNING_KEY');
const identity = identityOf('bench:auditor', 'AUDITOR');

/** The part of Hive Gateway's onFetch hook used here. (Its own types are not imported: graphql-yoga's
 * augmentation of GraphQLErrorExtensions would leak into the rest of the program's type check.) */
interface OnFetchPayload {
  options: { body?: unknown; headers?: Record<string, string> };
  setOptions(options: { body?: unknown; headers?: Record<string, string> }): void;
}

export const gatewayConfig = {
  plugins: () => [
    {
      onFetch({ options, setOptions }: OnFetchPayload) {
        const body = options.body;
        if (typeof body !== 'string') throw new Error(`hive.config.ts: cannot sign a ${typeof body} body`);
        setOptions({ ...options, headers: { ...options.headers, [SIGNATURE_HEADER]: signRequest(key, body, identity) } });
      },
    },
  ],
};
