// The query IDE and the dashboard that the gateway serves, end to end: the schema endpoint that stands in
// for introspection, the dashboard's figures against the seeded data, and both pages in a real browser
// (Debian's chromium driven by playwright-core) with every request outside localhost blocked.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, isObjectType } from 'graphql';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { readOperation } from '../lib/operations.ts';
import { monthRange } from '../lib/cross-check.ts';
import type { Role } from '../lib/auth/identity.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these Chromium tries to reach Google's services and stalls on a closed network.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TOWN = '330109001';
/** Upper bounds for a page to show something, and for one browser test. */
const BROWSER_WAIT_MS = 120_000;
const BROWSER_TEST_MS = 300_000;

let data: GeneratedData;
let fed: TestFederation;
let site: string;
let month: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser test needs Debian's chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
  }
  data = generate({ seed: 42 });
  month = data.manifest.month;
  fed = await startTestFederation(data, { ui: { month } });
  site = fed.gatewayUrl.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await fed?.stop();
});

// ---- expected figures, from the generated rows (independent of the subgraphs' SQL) ----------------

interface Group {
  units: number;
  quota: number;
  registeredHeadcount: number;
  unitsOverQuota: number;
}

function rowsOf(table: string): Record<string, unknown>[] {
  const t = data.staffing[table]!;
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}

/** Headcount against quota per category and per town (town '' = no town), as headcountAgainstQuota defines it. */
function expectedHeadcount(onlyTown?: string): { byCategory: Map<string, Group>; byTown: Map<string, Group> } {
  const { first, last, year } = monthRange(month);
  const people = new Map<string, Set<string>>();
  for (const r of rowsOf('registry_record')) {
    if ((r.start_date as string) > last || (r.end_date !== null && (r.end_date as string) < first)) continue;
    const unit = r.unit_code as string;
    if (!people.has(unit)) people.set(unit, new Set());
    people.get(unit)!.add(r.id_number as string);
  }
  const quota = new Map(rowsOf('quota_decision').filter((q) => q.year === year).map((q) => [q.unit_code as string, q.quota as number]));
  const byCategory = new Map<string, Group>();
  const byTown = new Map<string, Group>();
  for (const u of rowsOf('unit')) {
    if (u.district_code !== '330109' || (onlyTown && u.town_code !== onlyTown)) continue;
    const code = u.code as string;
    const headcount = people.get(code)?.size ?? 0;
    const q = quota.get(code);
    for (const [map, key] of [
      [byCategory, u.category as string],
      [byTown, (u.town_code as string | null) ?? ''],
    ] as const) {
      const g = map.get(key) ?? { units: 0, quota: 0, registeredHeadcount: 0, unitsOverQuota: 0 };
      g.units++;
      g.quota += q ?? 0;
      g.registeredHeadcount += headcount;
      if (q !== undefined && headcount > q) g.unitsOverQuota++;
      map.set(key, g);
    }
  }
  return { byCategory, byTown };
}

/** The manifest's count of hits of each rule RuleCounts asks (all but the suspensions, a current state), for its month. */
function manifestRuleCounts(): Record<string, number> {
  return Object.fromEntries(
    Object.entries(data.manifest.rules).flatMap(([rule, hits]) => (Array.isArray(hits) && rule !== 'registrySuspensions' ? [[rule, hits.length]] : [])),
  );
}

const ruleCounts = async (role: Role, m: string) => {
  const res = await fed.queryAs(role, readOperation('RuleCounts'), { month: m, year: Number(m.slice(0, 4)) });
  expect(res.errors).toBeUndefined();
  const { districtMonth, districtYear } = res.data!;
  const counts: Record<string, number> = {};
  for (const [field, value] of Object.entries({ ...districtMonth, ...districtYear })) {
    if (value && typeof value === 'object' && 'totalCount' in value) counts[field] = (value as { totalCount: number }).totalCount;
  }
  return counts;
};

function previousMonths(last: string, count: number): string[] {
  const [y, m] = last.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - count + i, 1)).toISOString().slice(0, 7));
}

// ---------------------------------------------------------------------------------------------------

describe('the API schema for the IDE (GET /schema.graphql)', () => {
  it('refuses a caller without a valid token with 401, and records it', async () => {
    const res = await fetch(`${site}/schema.graphql`, { headers: { authorization: 'Bearer not.a.jwt' } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const [entry] = (await fed.accessLog.query({ first: 1 })).entries;
    expect(entry).toMatchObject({ decision: 'DENIED', operationName: 'GET /schema.graphql', rule: 'UNAUTHENTICATED:malformed' });
  });

  it('serves the schema with its descriptions and without the internals, records who asked, and introspection stays off', async () => {
    const res = await fetch(`${site}/schema.graphql`, { headers: { authorization: `Bearer ${fed.tokens.ANALYST}` } });
    expect(res.status).toBe(200);
    const sdl = await res.text();
    const schema = buildSchema(sdl);
    const query = schema.getQueryType()!.getFields();
    expect(query.unit!.description).toContain('统一社会信用代码');
    const districtMonth = schema.getType('DistrictMonth');
    expect(isObjectType(districtMonth) && Object.keys(districtMonth.getFields())).toEqual(expect.arrayContaining(['unreportedStaff', 'headcountAgainstQuota']));
    // @inaccessible rosters and scalars are not part of the API.
    for (const internal of ['hrRoster', 'payrollRoster', 'unitDirectory', 'EmploymentRoster', 'UnitDirectory', 'inaccessible', 'join__']) expect(sdl).not.toContain(internal);
    const [entry] = (await fed.accessLog.query({ first: 1 })).entries;
    expect(entry).toMatchObject({ decision: 'ALLOWED', operationName: 'GET /schema.graphql', role: 'ANALYST' });
    const introspection = await fed.queryAs('ANALYST', '{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.extensions?.code).toBe('INTROSPECTION_DISABLED');
  });

  it('serves the pages with a policy that lets the browser load nothing from elsewhere', async () => {
    for (const path of ['/ide', '/dashboard']) {
      const res = await fetch(`${site}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self'/);
      const html = await res.text();
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
    expect((await fetch(`${site}/ui/nothing.js`)).status).toBe(404);
  });
});

describe("the dashboard's operations, as the DASHBOARD role", () => {
  it('give headcount against quota by category and by town as the seeded rows have it', async () => {
    const res = await fed.queryAs('DASHBOARD', readOperation('HeadcountAgainstQuota'), { month });
    expect(res.errors).toBeUndefined();
    const { byCategory, byTown } = res.data!.districtMonth;
    const expected = expectedHeadcount();
    expect(byCategory.map((g: any) => g.category)).toEqual(['DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT'].filter((c) => expected.byCategory.has(c)));
    expect(Object.fromEntries(byCategory.map(({ category, ...g }: any) => [category, g]))).toEqual(Object.fromEntries(expected.byCategory));
    expect(Object.fromEntries(byTown.map(({ town, ...g }: any) => [town?.code ?? '', g]))).toEqual(Object.fromEntries(expected.byTown));
    expect(byTown.at(-1).town).toBeNull();
    expect(expected.byCategory.get('EDUCATION')!.units).toBeGreaterThan(0);
  });

  it("give a town officer its own town's totals only", async () => {
    const res = await fed.queryAs('TOWN_OFFICER', readOperation('HeadcountAgainstQuota'), { month });
    expect(res.errors).toBeUndefined();
    const expected = expectedHeadcount(TOWN);
    expect(res.data!.districtMonth.byTown.map(({ town, ...g }: any) => [town?.code, g])).toEqual([[TOWN, expected.byTown.get(TOWN)]]);
  });

  it('count every rule as the manifest does, and list the flagship units with their people counts', async () => {
    expect(await ruleCounts('DASHBOARD', month)).toEqual(manifestRuleCounts());
    const res = await fed.queryAs('DASHBOARD', readOperation('UnreportedStaffUnits'), { month });
    expect(res.errors).toBeUndefined();
    const list = res.data!.districtMonth.unreportedStaff;
    const units = data.manifest.unreportedStaff.units;
    expect(list.totalCount).toBe(units.length);
    expect(list.totalPeople).toBe(units.reduce((n, u) => n + u.people.length, 0));
    expect(list.nodes.map((n: any) => [n.unit.code, n.peopleCount, n.unit.openLeads.length])).toEqual(units.map((u) => [u.code, u.people.length, u.openLeadIds.length]));
  });
});

describe('in the browser, with no network beyond localhost', () => {
  let context: BrowserContext;
  let userDataDir: string;
  /** Every URL the pages asked for, and what they logged as errors. */
  const requested: string[] = [];
  const blocked: string[] = [];
  const browserErrors: string[] = [];

  beforeAll(async () => {
    userDataDir = mkdtempSync(join(tmpdir(), 'bianwai-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 1000 } });
    // Waits, not assertions about speed: on a loaded machine the dashboard's six months of rule counts take a while.
    context.setDefaultTimeout(BROWSER_WAIT_MS);
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      requested.push(url);
      const { protocol, hostname } = new URL(url);
      if ((protocol === 'http:' || protocol === 'https:') && (hostname === '127.0.0.1' || hostname === 'localhost')) return route.continue();
      blocked.push(url);
      return route.abort('blockedbyclient');
    });
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  async function open(path: string, role: Role): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (error) => browserErrors.push(`${path}: ${error.message}`));
    page.on('console', (message) => void (message.type() === 'error' && browserErrors.push(`${path}: ${message.text()}`)));
    await page.goto(`${site}${path}`);
    await page.fill('#bw-token', fed.tokens[role]);
    await page.click('form[aria-label] button[type=submit]');
    await page.getByTestId('signed-in-as').filter({ hasText: role }).waitFor();
    return page;
  }

  /** Waits for a part of the dashboard, or for an error shown instead: then no error may be shown. */
  async function shown(page: Page, testId: string): Promise<void> {
    await page.locator(`[data-testid="${testId}"], main [role=alert]`).first().waitFor();
    expect(await page.locator('main [role=alert]').allInnerTexts()).toEqual([]);
  }

  /** The text of a table cell, as a number. */
  const cell = async (page: Page, selector: string) => Number(await page.locator(selector).innerText());

  it("IDE: a refused token is named as refused, with the gateway's reason", async () => {
    const page = await context.newPage(); // no error listeners: the browser logs the 401 itself
    await page.goto(`${site}/ide`);
    await page.fill('#bw-token', 'not-a-token');
    await page.click('form[aria-label] button[type=submit]');
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Token refused: token is not a JWT/);
    expect(await page.evaluate(() => sessionStorage.getItem('bianwai.token'))).toBeNull();
    await page.close();
  }, BROWSER_TEST_MS);

  it('IDE: shows the schema docs and the named operations, and runs one', async () => {
    const page = await open('/ide', 'ANALYST');
    // Every named operation file is listed with its description (its leading comment).
    const listed = page.locator('.bw-operation');
    await listed.first().waitFor();
    expect(await listed.count()).toBe((await import('../lib/operations.ts')).operationNames().length);
    await expect(page.locator('.bw-operations li', { hasText: 'HeadcountAgainstQuota' }).innerText()).resolves.toContain('管控数使用情况');

    // The docs come from the SDL the page fetched, not from introspection.
    await page.getByRole('button', { name: /Documentation Explorer/ }).click();
    await page.locator('.graphiql-doc-explorer').getByText('Query', { exact: true }).click();
    await page.locator('.graphiql-doc-explorer').getByText(/统一社会信用代码/).first().waitFor();

    // Open a named operation from the list: a new tab with its text and example variables; run it.
    await page.getByRole('button', { name: /Named operations/ }).click();
    await page.locator('.bw-operation[data-operation="HeadcountAgainstQuota"]').click();
    await page.locator('.graphiql-tab-active', { hasText: 'HeadcountAgainstQuota' }).waitFor();
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.filter({ hasText: '"byCategory"' }).waitFor();
    const text = (await response.innerText()).replace(/\s+/g, ' ');
    const first = expectedHeadcount().byCategory.get('DISTRICT_ORGAN')!;
    expect(text).toContain(`"month": "${month}"`);
    expect(text).toMatch(new RegExp(`"category": "DISTRICT_ORGAN", "units": ${first.units}, "quota": ${first.quota}, "registeredHeadcount": ${first.registeredHeadcount}`));
    await page.close();
  }, BROWSER_TEST_MS);

  it("dashboard: shows the seeded figures as the DASHBOARD role, and a unit's drill-down says what needs detail:read", async () => {
    const page = await open('/dashboard', 'DASHBOARD');
    const expected = expectedHeadcount();
    await shown(page, 'headcount-by-category');
    for (const [category, g] of expected.byCategory) {
      const row = `[data-testid=headcount-by-category] tr[data-group="${category}"]`;
      expect([await cell(page, `${row} [data-field=units]`), await cell(page, `${row} [data-field=quota]`), await cell(page, `${row} [data-field=registeredHeadcount]`), await cell(page, `${row} [data-field=unitsOverQuota]`)]).toEqual([
        g.units,
        g.quota,
        g.registeredHeadcount,
        g.unitsOverQuota,
      ]);
    }
    for (const [town, g] of expected.byTown) {
      const row = `[data-testid=headcount-by-town] tr[data-group="${town || 'none'}"]`;
      expect([await cell(page, `${row} [data-field=units]`), await cell(page, `${row} [data-field=registeredHeadcount]`)]).toEqual([g.units, g.registeredHeadcount]);
    }
    // The charts are drawn (ECharts, SVG) with the categories' names.
    await expect(page.locator('section[aria-labelledby=by-category] .bw-chart svg').innerHTML()).resolves.toContain('教育系统');

    // Anomalies per rule: six months up to the month; the last one is the manifest's, the others what the graph says.
    await shown(page, 'rule-counts');
    const months = previousMonths(month, 6);
    expect(await page.locator('[data-testid=rule-counts] thead th').allInnerTexts()).toEqual(['规则 rule', ...months]);
    const countsShown = async (m: string) =>
      Object.fromEntries(
        await Promise.all(
          Object.keys(manifestRuleCounts()).map(async (rule) => [rule, await cell(page, `[data-testid=rule-counts] tr[data-rule=${rule}] td[data-month="${m}"]`)] as const),
        ),
      );
    expect(await countsShown(month)).toEqual(manifestRuleCounts());
    expect(await countsShown(months[0]!)).toEqual(await ruleCounts('DASHBOARD', months[0]!));

    // The flagship list, then a click on a unit.
    await shown(page, 'flagship-units');
    const units = data.manifest.unreportedStaff.units;
    expect(await cell(page, '[data-testid=flagship-totals] [data-field=totalCount]')).toBe(units.length);
    expect(await cell(page, '[data-testid=flagship-totals] [data-field=totalPeople]')).toBe(units.reduce((n, u) => n + u.people.length, 0));
    expect(await page.locator('[data-testid=flagship-units] tbody tr').count()).toBe(units.length);
    const unit = units[0]!;
    await page.locator(`[data-testid=flagship-units] tr[data-unit="${unit.code}"] button`).click();
    const profile = page.locator(`[data-testid=unit-profile][data-unit="${unit.code}"]`);
    await shown(page, 'unit-profile');
    await expect(profile.locator('h3').innerText()).resolves.toContain(unit.name);
    await page.getByTestId('profile-needs-detail').waitFor();
    expect(await profile.locator('[data-rule=unreportedStaff] [data-field=count]').innerText()).toBe('1');
    expect(await profile.getByTestId('profile-registry').count()).toBe(0);
    await page.close();
  }, BROWSER_TEST_MS);

  it('dashboard: an analyst drilling into a unit sees its registry, masked', async () => {
    const page = await open('/dashboard', 'ANALYST');
    const unit = data.manifest.unreportedStaff.units[0]!;
    await shown(page, 'flagship-units');
    await page.locator(`[data-testid=flagship-units] tr[data-unit="${unit.code}"] button`).click();
    await shown(page, 'unit-profile');
    const registry = page.locator(`[data-testid=unit-profile][data-unit="${unit.code}"]`).getByTestId('profile-registry');
    await registry.waitFor();
    const headcount = await cell(page, '[data-testid=unit-profile] [data-field=registeredHeadcount]');
    const ids = await registry.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(ids.length).toBeGreaterThanOrEqual(headcount);
    expect(ids.every((id) => /^\d{6}\*{8}\d{3}[\dX]$/.test(id))).toBe(true);
    expect(await page.getByTestId('profile-needs-detail').count()).toBe(0);
    await page.close();
  }, BROWSER_TEST_MS);

  it('asked for nothing outside localhost and logged no errors', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((url) => url.startsWith(`${site}/ui/`)).length).toBeGreaterThan(0);
    expect(blocked).toEqual([]);
    expect(browserErrors).toEqual([]);
  });
});
