// The joint meeting's query IDE (联席会议查询): GraphiQL with the gateway's API schema, fetched as SDL
// with the caller's token (introspection stays off), and the named cross-bureau operations as examples.
import './monaco-workers.ts';
import 'graphiql/style.css';
import './page.css';
import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { buildSchema, type GraphQLSchema } from 'graphql';
import { GraphiQL, HISTORY_PLUGIN } from 'graphiql';
import { useGraphiQL, useGraphiQLActions, type GraphiQLPlugin } from '@graphiql/react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { Header, SIGN_IN_HINT, SignIn, bearer, forgetToken, pageData, storeToken, storedToken } from './session.tsx';

/** A named operation file under schema/operations, as the gateway embeds it in the page. */
interface NamedOperation {
  name: string;
  description: string;
  document: string;
  variables: Record<string, unknown>;
}

const OPERATIONS = pageData<NamedOperation[]>('operations');
const FLAGSHIP = OPERATIONS.find((o) => o.name === 'UnreportedStaff') ?? OPERATIONS[0];
const variablesText = (op: NamedOperation) => JSON.stringify(op.variables, null, 2);

function NamedOperations() {
  const { addTab } = useGraphiQLActions();
  const queryEditor = useGraphiQL((state) => state.queryEditor);
  const variableEditor = useGraphiQL((state) => state.variableEditor);
  const open = (op: NamedOperation) => {
    addTab();
    queryEditor?.setValue(op.document);
    variableEditor?.setValue(variablesText(op));
  };
  return (
    <section className="bw-operations" aria-label="命名操作 Named operations">
      <div className="graphiql-doc-explorer-title">命名操作 Named operations</div>
      <p className="bw-hint">联席会议的跨部门比对：点击在新标签页打开。 The cross-bureau questions of schema/operations/: click to open one in a new tab.</p>
      <ul>
        {OPERATIONS.map((op) => (
          <li key={op.name}>
            <button type="button" className="bw-operation" data-operation={op.name} onClick={() => open(op)}>
              {op.name}
            </button>
            <p>{op.description}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}

const NAMED_OPERATIONS_PLUGIN: GraphiQLPlugin = {
  title: '命名操作 Named operations',
  icon: () => (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" fill="none" stroke="currentColor" strokeWidth="1.8">
      <path d="M4 6h16M4 12h16M4 18h10" />
    </svg>
  ),
  content: NamedOperations,
};

function Ide({ token, schema }: { token: string; schema: GraphQLSchema }) {
  const fetcher = useMemo(
    () => createGraphiQLFetcher({ url: `${location.origin}/graphql`, headers: bearer(token), enableIncrementalDelivery: false }),
    [token],
  );
  return (
    <GraphiQL
      fetcher={fetcher}
      schema={schema}
      // Queries and history stay in this tab, like the token: they may name people.
      storage={sessionStorage}
      plugins={[NAMED_OPERATIONS_PLUGIN, HISTORY_PLUGIN]}
      visiblePlugin={NAMED_OPERATIONS_PLUGIN}
      // The flagship question opens first (defaultTabs would lose its variables: GraphiQL 5 reads them from initialVariables only).
      initialQuery={FLAGSHIP?.document}
      initialVariables={FLAGSHIP ? variablesText(FLAGSHIP) : undefined}
      defaultEditorToolsVisibility="variables"
      // The token travels in the fetcher, not in editable (and persistable) headers.
      isHeadersEditorEnabled={false}
    />
  );
}

function App() {
  const [token, setToken] = useState<string | null>(storedToken());
  const [schema, setSchema] = useState<GraphQLSchema | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    (async () => {
      const res = await fetch('/schema.graphql', { headers: bearer(token) });
      if (cancelled) return;
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { errors?: { message: string }[] } | null;
        setError(`令牌被拒绝 Token refused: ${body?.errors?.[0]?.message ?? `HTTP ${res.status}`}`);
        forgetToken();
        setToken(null);
        return;
      }
      setSchema(buildSchema(await res.text()));
    })().catch((e: Error) => !cancelled && setError(`无法载入模式 Cannot load the schema: ${e.message}`));
    return () => {
      cancelled = true;
    };
  }, [token]);

  const signIn = (value: string) => {
    storeToken(value);
    setError(null);
    setToken(value);
  };
  const signOut = () => {
    forgetToken();
    setSchema(null);
    setToken(null);
  };

  return (
    <div className="bw-page bw-ide">
      <Header title="联席会议查询 Query IDE" token={token} onSignOut={signOut} />
      {!token ? (
        <SignIn onSignIn={signIn} error={error} hint={SIGN_IN_HINT} />
      ) : schema ? (
        <main className="bw-graphiql">
          <Ide token={token} schema={schema} />
        </main>
      ) : (
        <p className="bw-loading">载入模式… Loading the schema…</p>
      )}
    </div>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
