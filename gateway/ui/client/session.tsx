// What the IDE and the dashboard share: the caller's token (sessionStorage only: gone when the tab
// closes), requests to the gateway with it, the sign-in form and the page header.
import { useState, type FormEvent, type ReactNode } from 'react';

const TOKEN_KEY = 'bianwai.token';

export const storedToken = (): string | null => sessionStorage.getItem(TOKEN_KEY);
export const storeToken = (token: string): void => sessionStorage.setItem(TOKEN_KEY, token);
export const forgetToken = (): void => sessionStorage.removeItem(TOKEN_KEY);

/** A value the server put in a <meta name="bianwai-…"> tag of the page. */
export function pageSetting(name: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="bianwai-${name}"]`)?.content ?? '';
}

/** JSON the server embedded in a <script type="application/json"> block of the page. */
export function pageData<T>(id: string): T {
  return JSON.parse(document.getElementById(id)?.textContent ?? 'null') as T;
}

/** The token's claims, for display only: the gateway verifies the token on every request. */
export function claimsOf(token: string): { sub?: string; role?: string; town?: string; exp?: number } | null {
  try {
    const part = token.split('.')[1] ?? '';
    const json = new TextDecoder().decode(Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)));
    return JSON.parse(json) as { sub?: string; role?: string; town?: string; exp?: number };
  } catch {
    return null;
  }
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; rule?: string; [key: string]: unknown };
}

export interface GraphQLResult<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLError[];
}

/** One operation through the gateway, as any client sends it. */
export async function runOperation<T>(token: string, query: string, operationName: string, variables: Record<string, unknown>): Promise<GraphQLResult<T>> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(token) },
    body: JSON.stringify({ query, operationName, variables }),
  });
  const body = (await res.json().catch(() => ({ errors: [{ message: `HTTP ${res.status}` }] }))) as Omit<GraphQLResult<T>, 'status'>;
  return { status: res.status, ...body };
}

/** The first error's message for a refused request, as the user should read it. */
export function refusal(result: { status: number; errors?: GraphQLError[] }): string {
  const error = result.errors?.[0];
  return error ? `${error.message}${error.extensions?.code ? ` (${error.extensions.code})` : ''}` : `HTTP ${result.status}`;
}

export function SignIn({ onSignIn, error, hint }: { onSignIn(token: string): void; error: string | null; hint: ReactNode }) {
  const [value, setValue] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = value.trim().replace(/^Bearer\s+/i, '');
    if (token) onSignIn(token);
  };
  return (
    <form className="bw-signin" onSubmit={submit} aria-label="登录 Sign in">
      <label htmlFor="bw-token">令牌 Access token</label>
      <input id="bw-token" name="token" type="password" autoComplete="off" spellCheck={false} value={value} onChange={(e) => setValue(e.target.value)} placeholder="eyJhbGciOi…" />
      <button type="submit">登录 Sign in</button>
      {error ? (
        <p className="bw-error" role="alert">
          {error}
        </p>
      ) : null}
      <p className="bw-hint">{hint}</p>
    </form>
  );
}

export function Header({ title, token, onSignOut, children }: { title: string; token: string | null; onSignOut(): void; children?: ReactNode }) {
  const claims = token ? claimsOf(token) : null;
  return (
    <header className="bw-header">
      <h1>{title}</h1>
      <nav>
        <a href="/ide">查询 IDE</a>
        <a href="/dashboard">看板 Dashboard</a>
      </nav>
      {children}
      {token ? (
        <span className="bw-session">
          <span data-testid="signed-in-as">
            {claims?.role ?? '?'}
            {claims?.town ? ` · ${claims.town}` : ''} · {claims?.sub ?? ''}
          </span>
          <button type="button" onClick={onSignOut}>
            退出 Sign out
          </button>
        </span>
      ) : null}
    </header>
  );
}

export const SIGN_IN_HINT = (
  <>
    粘贴身份提供方签发的令牌；`npm start` 为每个角色打印一个演示令牌。令牌只保存在本标签页 (sessionStorage)，随请求以 Authorization: Bearer 发送。 Paste the
    token your identity provider issued (`npm start` prints a demo token per role). It stays in this tab only and is sent as Authorization: Bearer.
  </>
);
