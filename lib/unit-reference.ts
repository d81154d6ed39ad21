// Units belong to the establishment office (编办). The other bureaus check a unit they write about through
// the graph, like any client (lib/gateway-client.ts), and keep what they learnt for a few minutes: units
// change rarely, and a burst of writes about one unit then costs one question.
import type { GatewayClient } from './gateway-client.ts';
import { GraphQLError } from 'graphql';
import { readOperation } from './operations.ts';

export interface UnitFacts {
  code: string;
  category: string;
}

const TTL_MS = 5 * 60_000;

export class UnitReferences {
  private readonly known = new Map<string, { facts: Promise<UnitFacts | null>; until: number }>();
  private document?: string;

  constructor(private readonly gateway: GatewayClient | undefined) {}

  /** The unit, or null when the establishment office has none with that code. Fails closed without the graph. */
  get(code: string): Promise<UnitFacts | null> {
    const hit = this.known.get(code);
    if (hit && hit.until > Date.now()) return hit.facts;
    const facts = this.ask(code);
    this.known.set(code, { facts, until: Date.now() + TTL_MS });
    // Only existing units are remembered: one registered a moment later must not stay unknown.
    facts.then(
      (f) => f === null && this.known.delete(code),
      () => this.known.delete(code),
    );
    return facts;
  }

  private async ask(code: string): Promise<UnitFacts | null> {
    if (!this.gateway) {
      throw new GraphQLError('cannot check the unit with the establishment office: no gateway is configured (GATEWAY_URL)', {
        extensions: { code: 'GATEWAY_UNAVAILABLE' },
      });
    }
    this.document ??= readOperation('UnitReference');
    const answer = await this.gateway.query<{ unit: UnitFacts | null }>(this.document, { code }, 'UnitReference');
    return answer.unit;
  }
}
