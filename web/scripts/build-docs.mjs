// Builds the docs site (dist/docs/): Swagger UI from npm (no CDN at run time) and a small
// external initializer, so the page works under a CSP with script-src 'self'.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const out = join(process.env.WEB_DIST_DIR ?? join(here, '..', 'dist'), 'docs');
const swagger = dirname(require.resolve('swagger-ui-dist/package.json'));
mkdirSync(out, { recursive: true });
for (const f of ['swagger-ui-bundle.js', 'swagger-ui.css']) copyFileSync(join(swagger, f), join(out, f));

writeFileSync(
  join(out, 'index.html'),
  `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <title>myapp API · Docs</title>
  <link rel="icon" href="data:," />
  <link rel="stylesheet" href="./swagger-ui.css" />
  <link rel="stylesheet" href="./docs.css" />
</head>
<body>
  <header class="docs-bar"><a href="/docs/" class="docs-brand">◆ myapp API</a><a href="/app/">Open the web app →</a></header>
  <div id="swagger-ui"></div>
  <script src="./swagger-ui-bundle.js"></script>
  <script src="./docs.js"></script>
</body>
</html>
`,
);

writeFileSync(
  join(out, 'docs.css'),
  `body { margin: 0; font-family: system-ui, sans-serif; }
.docs-bar { display: flex; justify-content: space-between; align-items: center; padding: .7rem 1.25rem; background: #1f3a5f; }
.docs-bar a { color: #fff; text-decoration: none; }
.docs-brand { font-weight: 700; font-size: 1.1rem; }
.swagger-ui .topbar { display: none; }
`,
);

// The live document comes from the API (its servers entry then points at that API); the copy
// written at build time is the fallback when the API is unreachable.
writeFileSync(
  join(out, 'docs.js'),
  `(function () {
  function show(url) {
    window.ui = SwaggerUIBundle({ url: url, dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false, tryItOutEnabled: false });
  }
  fetch('/config.json', { cache: 'no-store' })
    .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
    .then(function (c) {
      var live = String(c.apiUrl || '').replace(/\\/+$/, '') + '/openapi.json';
      return fetch(live).then(function (r) { if (!r.ok) throw new Error(String(r.status)); show(live); });
    })
    .catch(function () { show('/openapi.json'); });
})();
`,
);
console.log(`docs written to ${out}`);
