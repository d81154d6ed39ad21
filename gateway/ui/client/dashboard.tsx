// The joint meeting's dashboard (编外用工数据看板): a client of the gateway like any other, sending only the
// named operations under schema/operations (the DASHBOARD role may send nothing else). Charts by Apache
// ECharts (SVG), each with the table of its figures.
import './page.css';
import './dashboard.css';
import { StrictMode, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import {
  Header,
  SIGN_IN_HINT,
  SignIn,
  forgetToken,
  pageData,
  pageSetting,
  refusal,
  runOperation,
  storeToken,
  storedToken,
  type GraphQLError,
  type GraphQLResult,
} from './session.tsx';

echarts.use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/** Texts of the named operations the page sends, embedded by the gateway: trusted documents as they are. */
const OPERATIONS = pageData<Record<'HeadcountAgainstQuota' | 'RuleCounts' | 'UnreportedStaffUnits' | 'UnitProfile', string>>('operations');
const DISTRICT = pageSetting('district');
const TREND_MONTHS = 6;

const CATEGORY_NAMES: Record<string, string> = {
  DISTRICT_ORGAN: '区级机关',
  FUNDED_INSTITUTION: '财政补助事业单位',
  EDUCATION: '教育系统',
  TOWN_SUBDISTRICT: '镇街',
};

/** The rules of RuleCounts, in the order of docs/rules.md; yearly ones are judged per year. */
const RULES: { field: string; name: string; yearly?: true }[] = [
  { field: 'unreportedStaff', name: '未纳入实名制 unreported staff' },
  { field: 'ghostRecords', name: '空挂人员 ghost records' },
  { field: 'overQuota', name: '超管控数 over quota' },
  { field: 'budgetLinkage', name: '经费联动异常 budget linkage', yearly: true },
  { field: 'quotaRaised', name: '违反只减不增 quota raised', yearly: true },
  { field: 'disguisedOutsourcing', name: '变相外包 disguised outsourcing' },
  { field: 'unrecoveredOutsourcing', name: '外包未收回管控数 quota not recovered' },
  { field: 'missingAgreements', name: '无合同或派遣协议 no agreement' },
  { field: 'retireesOverAgeLimit', name: '返聘超龄 retirees over age' },
  { field: 'hiredWithoutRecruitment', name: '未经公开招聘 no public recruitment' },
  { field: 'payAboveStandard', name: '超标准发放 pay above standard' },
  { field: 'registryLate', name: '实名制更新不及时 registry late' },
  { field: 'overdueRectifications', name: '整改逾期 overdue rectifications' },
];

interface HeadcountGroup {
  category?: string | null;
  town?: { code: string; name: string } | null;
  units: number;
  quota: number;
  registeredHeadcount: number;
  unitsOverQuota: number;
}
interface HeadcountData {
  districtMonth: { byCategory: HeadcountGroup[]; byTown: HeadcountGroup[] };
}
type Counts = Record<string, { totalCount: number } | undefined>;
interface RuleCountsData {
  districtMonth: Counts & { month: string };
  districtYear: Counts & { year: number };
}
interface FlagshipUnit {
  unit: { code: string; name: string; category: string; town: { name: string } | null; openLeads: { id: string; rule: string | null }[] };
  peopleCount: number;
}
interface FlagshipData {
  districtMonth: { unreportedStaff: { totalCount: number; totalPeople: number; nodes: FlagshipUnit[]; pageInfo: { hasNextPage: boolean } } };
}

function monthsEndingAt(month: string, count: number): string[] {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return Array.from({ length: count }, (_, i) => {
    const d = new Date(Date.UTC(y, m - 1 - (count - 1 - i), 1));
    return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

const yearOf = (month: string) => Number(month.slice(0, 4));
const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : '–');

function Chart({ option, label }: { option: echarts.EChartsCoreOption; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = ref.current!;
    const chart = echarts.init(element, undefined, { renderer: 'svg' });
    chart.setOption({ animation: false, tooltip: { trigger: 'axis' }, ...option });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.dispose();
    };
  }, [option]);
  return <div ref={ref} className="bw-chart" role="img" aria-label={label} />;
}

const quotaBars = (labels: string[], groups: HeadcountGroup[]): echarts.EChartsCoreOption => ({
  legend: { top: 0 },
  grid: { left: 50, right: 20, top: 40, bottom: 80 },
  xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 35 : 0 } },
  yAxis: { type: 'value' },
  series: [
    { name: '管控数 quota', type: 'bar', data: groups.map((g) => g.quota) },
    { name: '实名制实有人数 registered', type: 'bar', data: groups.map((g) => g.registeredHeadcount) },
  ],
});

function HeadcountTable({ groups, label, testId }: { groups: HeadcountGroup[]; label: (g: HeadcountGroup) => string; testId: string }) {
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          <th />
          <th>单位 units</th>
          <th>管控数 quota</th>
          <th>实名制实有人数 registered</th>
          <th>使用率 use</th>
          <th>超管控数单位 units over quota</th>
        </tr>
      </thead>
      <tbody>
        {groups.map((g) => (
          <tr key={label(g)} data-group={g.category ?? g.town?.code ?? 'none'}>
            <th scope="row">{label(g)}</th>
            <td data-field="units">{g.units}</td>
            <td data-field="quota">{g.quota}</td>
            <td data-field="registeredHeadcount">{g.registeredHeadcount}</td>
            <td>{percent(g.registeredHeadcount, g.quota)}</td>
            <td data-field="unitsOverQuota">{g.unitsOverQuota}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function HeadcountSection({ data }: { data: HeadcountData }) {
  const { byCategory, byTown } = data.districtMonth;
  const categoryLabel = (g: HeadcountGroup) => CATEGORY_NAMES[g.category ?? ''] ?? String(g.category);
  const townLabel = (g: HeadcountGroup) => g.town?.name ?? '区级 (no town)';
  return (
    <>
      <section className="bw-card" aria-labelledby="by-category">
        <h2 id="by-category">管控数使用：按单位类别 Headcount against quota by unit category</h2>
        <Chart label="管控数与实名制实有人数，按单位类别" option={quotaBars(byCategory.map(categoryLabel), byCategory)} />
        <HeadcountTable groups={byCategory} label={categoryLabel} testId="headcount-by-category" />
      </section>
      <section className="bw-card" aria-labelledby="by-town">
        <h2 id="by-town">管控数使用：按镇街 Headcount against quota by town</h2>
        <Chart label="管控数与实名制实有人数，按镇街" option={quotaBars(byTown.map(townLabel), byTown)} />
        <HeadcountTable groups={byTown} label={townLabel} testId="headcount-by-town" />
      </section>
    </>
  );
}

function TrendSection({ months, counts }: { months: string[]; counts: RuleCountsData[] }) {
  const valueOf = (c: RuleCountsData, rule: (typeof RULES)[number]) => (rule.yearly ? c.districtYear : c.districtMonth)[rule.field]?.totalCount;
  const monthly = RULES.filter((r) => !r.yearly);
  const option: echarts.EChartsCoreOption = {
    legend: { type: 'scroll', top: 0 },
    grid: { left: 50, right: 20, top: 50, bottom: 30 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', minInterval: 1 },
    series: monthly.map((rule) => ({ name: rule.name, type: 'line', data: counts.map((c) => valueOf(c, rule) ?? null) })),
  };
  return (
    <section className="bw-card bw-wide" aria-labelledby="trend">
      <h2 id="trend">比对异常趋势：各规则每月命中数 Anomalies per rule by month</h2>
      <Chart label="各规则每月命中数" option={option} />
      <table data-testid="rule-counts">
        <thead>
          <tr>
            <th>规则 rule</th>
            {months.map((m) => (
              <th key={m}>{m}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {RULES.map((rule) => (
            <tr key={rule.field} data-rule={rule.field}>
              <th scope="row">
                {rule.name}
                {rule.yearly ? ' (年度 yearly)' : ''}
              </th>
              {counts.map((c, i) => (
                <td key={months[i]} data-month={months[i]}>
                  {valueOf(c, rule) ?? '–'}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function FlagshipSection({ data, selected, onSelect }: { data: FlagshipData; selected: string | null; onSelect(code: string): void }) {
  const list = data.districtMonth.unreportedStaff;
  return (
    <section className="bw-card bw-wide" aria-labelledby="flagship">
      <h2 id="flagship">未纳入实名制管理的编外人员 Units with unreported staff</h2>
      <p data-testid="flagship-totals">
        <strong data-field="totalCount">{list.totalCount}</strong> 个单位 units, <strong data-field="totalPeople">{list.totalPeople}</strong> 人 people
        {list.pageInfo.hasNextPage ? ` (前 ${list.nodes.length} 个 first ${list.nodes.length} shown)` : ''}
      </p>
      <table data-testid="flagship-units">
        <thead>
          <tr>
            <th>单位 unit</th>
            <th>类别 category</th>
            <th>镇街 town</th>
            <th>未纳入人数 people</th>
            <th>未结线索 open leads</th>
          </tr>
        </thead>
        <tbody>
          {list.nodes.map(({ unit, peopleCount }) => (
            <tr key={unit.code} data-unit={unit.code} className={unit.code === selected ? 'bw-selected' : undefined}>
              <th scope="row">
                <button type="button" className="bw-link" onClick={() => onSelect(unit.code)}>
                  {unit.name}
                </button>
              </th>
              <td>{CATEGORY_NAMES[unit.category] ?? unit.category}</td>
              <td>{unit.town?.name ?? '–'}</td>
              <td data-field="peopleCount">{peopleCount}</td>
              <td data-field="openLeads">{unit.openLeads.length}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

interface ProfileData {
  unit: {
    code: string;
    name: string;
    category: string;
    nature: string;
    town: { name: string } | null;
    establishmentSize: number;
    establishmentActual: number;
    quotaHistory?: { year: number; quota: number }[];
    registeredHeadcount?: number;
    registry?: { id: string; person: { idNumber: string }; name: string; post: string; employmentForm: string; startDate: string }[];
    leads?: { id: string; rule: string | null; status: string; routedTo: string | null; period: string | null }[];
  } | null;
  month?: Counts | null;
  year?: Counts | null;
}

const DETAIL_RULE = 'requiresScopes:detail:read';

function Profile({ result, month }: { result: GraphQLResult<ProfileData>; month: string }) {
  const unit = result.data?.unit;
  const denied = [...new Set((result.errors ?? []).map((e: GraphQLError) => e.extensions?.rule).filter((r): r is string => typeof r === 'string'))];
  if (!unit) {
    return (
      <p className="bw-error" role="alert">
        {result.errors?.length ? refusal(result) : '没有这个单位 No such unit'}
      </p>
    );
  }
  const quota = unit.quotaHistory?.find((q) => q.year === yearOf(month))?.quota;
  const broken = RULES.map((rule) => ({ rule, count: (rule.yearly ? result.data?.year : result.data?.month)?.[rule.field]?.totalCount ?? 0 })).filter((r) => r.count > 0);
  const openLeads = unit.leads?.filter((l) => l.status === 'OPEN' || l.status === 'ROUTED');
  return (
    <div data-testid="unit-profile" data-unit={unit.code}>
      <h3>
        {unit.name} <small>{unit.code}</small>
      </h3>
      {denied.includes(DETAIL_RULE) ? (
        <p className="bw-notice" data-testid="profile-needs-detail">
          单位明细（实名制名单、合同、参保、线索人员）需要 detail:read 权限，当前令牌只能看汇总数。请以联席会议分析员 (ANALYST)、审计 (AUDITOR) 或业务部门身份登录查看明细。 The unit's rows
          (registry, contracts, insurance) need scope detail:read; this token sees counts and totals only. Sign in as ANALYST, AUDITOR or a bureau officer to
          see them.
        </p>
      ) : null}
      {denied.length > 0 ? <p className="bw-hint">未返回的字段 Withheld by rule: {denied.join(', ')}</p> : null}
      <dl className="bw-facts">
        <dt>类别 category</dt>
        <dd>{CATEGORY_NAMES[unit.category] ?? unit.category}</dd>
        <dt>镇街 town</dt>
        <dd>{unit.town?.name ?? '–'}</dd>
        <dt>核定编制 / 实有 establishment</dt>
        <dd>
          {unit.establishmentSize} / {unit.establishmentActual}
        </dd>
        <dt>{yearOf(month)} 管控数 quota</dt>
        <dd data-field="quota">{quota ?? '–'}</dd>
        <dt>{month} 实名制实有人数 registered</dt>
        <dd data-field="registeredHeadcount">{unit.registeredHeadcount ?? '–'}</dd>
        <dt>未结线索 open leads</dt>
        <dd data-field="openLeads">{openLeads?.length ?? '–'}</dd>
      </dl>
      <h4>违反的规则 Rules broken in {month}</h4>
      <ul data-testid="profile-rules">
        {broken.length === 0 ? <li>无 none</li> : null}
        {broken.map(({ rule, count }) => (
          <li key={rule.field} data-rule={rule.field}>
            {rule.name}: <span data-field="count">{count}</span>
          </li>
        ))}
      </ul>
      {unit.registry ? (
        <>
          <h4>实名制名单 Registry ({month})</h4>
          <table data-testid="profile-registry">
            <thead>
              <tr>
                <th>姓名 name</th>
                <th>身份证号 ID number</th>
                <th>岗位 post</th>
                <th>用工方式 form</th>
                <th>起始 start</th>
              </tr>
            </thead>
            <tbody>
              {unit.registry.map((r) => (
                <tr key={r.id}>
                  <td>{r.name}</td>
                  <td>{r.person.idNumber}</td>
                  <td>{r.post}</td>
                  <td>{r.employmentForm}</td>
                  <td>{r.startDate}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}

type Load<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready'; data: T };

function Dashboard({ token, month, onRefused }: { token: string; month: string; onRefused(message: string): void }) {
  const [headcount, setHeadcount] = useState<Load<HeadcountData>>({ state: 'loading' });
  const [trend, setTrend] = useState<Load<RuleCountsData[]>>({ state: 'loading' });
  const [flagship, setFlagship] = useState<Load<FlagshipData>>({ state: 'loading' });
  const [selected, setSelected] = useState<string | null>(null);
  const [profile, setProfile] = useState<Load<GraphQLResult<ProfileData>> | null>(null);
  const months = monthsEndingAt(month, TREND_MONTHS);
  const district = DISTRICT;

  /** An answer with data is shown (a denied field comes as an error beside it); a refused request is not. */
  const settle = useCallback(
    <T,>(result: GraphQLResult<T>, set: (load: Load<T>) => void) => {
      if (result.status === 401) onRefused(refusal(result));
      if (result.data) set({ state: 'ready', data: result.data });
      else set({ state: 'error', message: refusal(result) });
    },
    [onRefused],
  );

  useEffect(() => {
    setHeadcount({ state: 'loading' });
    setTrend({ state: 'loading' });
    setFlagship({ state: 'loading' });
    runOperation<HeadcountData>(token, OPERATIONS.HeadcountAgainstQuota, 'HeadcountAgainstQuota', { month, district }).then((r) => settle(r, setHeadcount));
    runOperation<FlagshipData>(token, OPERATIONS.UnreportedStaffUnits, 'UnreportedStaffUnits', { month, district }).then((r) => settle(r, setFlagship));
    Promise.all(months.map((m) => runOperation<RuleCountsData>(token, OPERATIONS.RuleCounts, 'RuleCounts', { month: m, year: yearOf(m), district }))).then((results) => {
      const failed = results.find((r) => !r.data);
      if (failed) settle({ ...failed, data: null }, setTrend);
      else setTrend({ state: 'ready', data: results.map((r) => r.data!) });
    });
    // months is derived from month
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [token, month, district, settle]);

  useEffect(() => {
    if (!selected) return;
    setProfile({ state: 'loading' });
    runOperation<ProfileData>(token, OPERATIONS.UnitProfile, 'UnitProfile', { code: selected, month, year: yearOf(month), district }).then((r) => {
      if (r.status === 401) onRefused(refusal(r));
      setProfile({ state: 'ready', data: r });
    });
  }, [token, selected, month, district, onRefused]);

  const show = <T,>(load: Load<T>, render: (data: T) => ReactNode, name: string) =>
    load.state === 'ready' ? (
      render(load.data)
    ) : (
      <section className="bw-card" data-state={load.state} aria-label={name}>
        {load.state === 'loading' ? <p>载入中… Loading {name}…</p> : <p className="bw-error" role="alert">{load.message}</p>}
      </section>
    );

  return (
    <main className="bw-dashboard">
      {show(headcount, (data) => <HeadcountSection data={data} />, 'headcount')}
      {show(trend, (data) => <TrendSection months={months} counts={data} />, 'rule counts')}
      {show(flagship, (data) => <FlagshipSection data={data} selected={selected} onSelect={setSelected} />, 'unreported staff')}
      {profile ? (
        <section className="bw-card bw-wide" aria-labelledby="profile" data-state={profile.state}>
          <h2 id="profile">单位编外用工全景 Unit profile</h2>
          {profile.state === 'ready' ? <Profile result={profile.data} month={month} /> : <p>载入中… Loading…</p>}
        </section>
      ) : null}
    </main>
  );
}

function App() {
  const [token, setToken] = useState<string | null>(storedToken());
  const [error, setError] = useState<string | null>(null);
  const [month, setMonth] = useState<string>(() => new URLSearchParams(location.search).get('month') ?? pageSetting('month'));
  const signIn = (value: string) => {
    storeToken(value);
    setError(null);
    setToken(value);
  };
  const signOut = useCallback(() => {
    forgetToken();
    setToken(null);
  }, []);
  const refused = useCallback(
    (message: string) => {
      setError(`令牌被拒绝 Token refused: ${message}`);
      signOut();
    },
    [signOut],
  );
  return (
    <div className="bw-page">
      <Header title="编外用工数据看板 Dashboard" token={token} onSignOut={signOut}>
        <label>
          月份 Month{' '}
          <input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} data-testid="month" />
        </label>
      </Header>
      {token ? (
        <Dashboard token={token} month={month} onRefused={refused} />
      ) : (
        <SignIn
          onSignIn={signIn}
          error={error}
          hint={
            <>
              看板用 DASHBOARD 角色（只见汇总数）；查看单位明细需 detail:read（如 ANALYST）。 Use the DASHBOARD role for the figures; drilling into a unit's rows needs
              detail:read (e.g. ANALYST). {SIGN_IN_HINT}
            </>
          }
        />
      )}
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
