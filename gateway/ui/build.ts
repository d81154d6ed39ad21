// Bundles the browser pages (query IDE, dashboard) from installed packages with esbuild, in memory, the
// first time a page is asked for; the gateway serves the result for the life of the process. Nothing is
// written to disk and nothing is loaded from elsewhere: fonts and icons are inlined as data URLs.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface Asset {
  contents: Uint8Array;
  contentType: string;
  etag: string;
}

const require = createRequire(import.meta.url);
const client = (file: string) => fileURLToPath(new URL(`./client/${file}`, import.meta.url));

/** Output name (without extension) → entry module. Monaco's workers run as classic workers of their own. */
const ENTRY_POINTS: Record<string, string> = {
  ide: client('ide.tsx'),
  dashboard: client('dashboard.tsx'),
  'editor.worker': require.resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
  'json.worker': require.resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
  'graphql.worker': require.resolve('monaco-graphql/esm/graphql.worker.js'),
};

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

let assets: Promise<Map<string, Asset>> | undefined;

/** The bundled files by name (ide.js, ide.css, dashboard.js, ...); built once per process. */
export function uiAssets(): Promise<Map<string, Asset>> {
  assets ??= bundle().catch((error: unknown) => {
    assets = undefined; // a failed build is tried again on the next request
    throw error;
  });
  return assets;
}

async function bundle(): Promise<Map<string, Asset>> {
  const outdir = fileURLToPath(new URL('./out', import.meta.url));
  const result = await build({
    entryPoints: ENTRY_POINTS,
    outdir,
    write: false,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: true,
    jsx: 'automatic',
    // Monaco's icon font; GraphiQL's stylesheet has its fonts inline already.
    loader: { '.ttf': 'dataurl' },
    define: { 'process.env.NODE_ENV': '"production"' },
    // The packages' licence notices travel with the code, at the end of each file.
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const files = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = file.path.slice(outdir.length + 1);
    const extension = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[extension];
    if (!contentType) continue;
    const etag = `"${createHash('sha256').update(file.contents).digest('base64url').slice(0, 27)}"`;
    files.set(name, { contents: file.contents, contentType, etag });
  }
  return files;
}
