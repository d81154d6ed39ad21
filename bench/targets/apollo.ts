// Stock @apollo/gateway with its default settings, served by @apollo/server's startStandaloneServer, for
// `npm run bench`. Its only addition: a data source that signs every subgraph request as an auditor
// (lib/auth/signing.ts over the exact body, as gateway/server.ts's BureauDataSource does), because the
// subgraphs refuse unsigned calls. It is given the supergraph without the security features
// (withoutSecurityFeatures), which @apollo/gateway refuses, with the subgraphs' URLs written in.
// `node --import tsx bench/targets/apollo.ts` with BENCH_TARGET = {"port", "supergraphPath", "signingKey" (hex)}.
import { readFileSync } from 'node:fs';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { identityOf } from '../../lib/auth/identity.ts';
import { SIGNATURE_HEADER, signRequest, type SigningKey } from '../../lib/auth/signing.ts';

interface Config {
  port: number;
  supergraphPath: string;
  signingKey: string;
}

const config = JSON.parse(process.env.BENCH_TARGET ?? 'null') as Config | null;
if (!config) {
  console.error('bench: run by bench/run.ts (needs BENCH_TARGET)');
  process.exit(2);
}
const BENCH_IDENTITY = identityOf('bench:auditor', 'AUDITOR');

class SigningDataSource extends RemoteGraphQLDataSource {
  constructor(url: string, key: SigningKey) {
    super({ url });
    const fetcher = this.fetcher;
    // The signature covers the exact body sent, which only the fetcher sees.
    this.fetcher = ((input: string, init: { headers: Record<string, string>; body: string }) => {
      init.headers[SIGNATURE_HEADER] = signRequest(key, init.body, BENCH_IDENTITY);
      return fetcher(input, init as never);
    }) as never;
  }
}

const key = Buffer.from(config.signingKey, 'hex');
const gateway = new ApolloGateway({
  supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
  buildService: ({ url }) => new SigningDataSource(url!, key),
});
const server = new ApolloServer({ gateway });
const { url } = await startStandaloneServer(server, { listen: { port: config.port, host: '127.0.0.1' } });
console.log(`apollo: gateway on ${url}`);
const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
