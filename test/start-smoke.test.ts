// `npm start` with no database configured: embedded PGlite, demo data, the gateway answering; SIGTERM stops it cleanly.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../lib/subgraph.ts';
import { postGraphQL } from './support/federation.ts';

let child: ChildProcess | undefined;

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

function waitForLine(proc: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = output.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}; output:\n${output}`));
    });
  });
}

describe('npm start (embedded default)', () => {
  it('serves the gateway with demo data when no database URL is set', async () => {
    // Port 0 everywhere: the OS picks free ports (a random fixed port once collided with another test's socket).
    const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_PORT: '0', STAFFING_PORT: '0', FINANCE_PORT: '0', HR_PORT: '0', AUDIT_PORT: '0' };
    for (const name of ['STAFFING', 'FINANCE', 'HR', 'AUDIT']) delete env[`${name}_DATABASE_URL`];
    delete env.DATABASE_URL;
    delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the child
    child = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), ['scripts/start.ts'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const [, url, token] = await waitForLine(child, /Gateway ready in [\d.]+ s: (\S+)[\s\S]*\n  AUDITOR .*\n\s+(ey[\w-]+\.[\w-]+\.[\w-]+)\n/, 90_000);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const query = '{ districtMonth(month: "2026-10") { unreportedStaff(first: 1) { totalCount nodes { unit { name openLeads { id } } people { name } } } } }';
    // Without a token: refused. With the printed auditor token: the answer.
    const anonymous = await postGraphQL<any>(url!, { query });
    expect(anonymous.status).toBe(401);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const res = await postGraphQL<any>(url!, { query }, { authorization: `Bearer ${token}` });
    expect(res.errors).toBeUndefined();
    expect(res.data.districtMonth.unreportedStaff.totalCount).toBeGreaterThanOrEqual(20);
    expect(res.data.districtMonth.unreportedStaff.nodes[0].people.length).toBeGreaterThan(0);
    // SIGTERM: not ready, requests finished, pools closed, exit 0.
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('npm start: stopped');
  }, 120_000);
});
