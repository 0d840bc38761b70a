import { join } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// WEB_DIST_DIR: where the local edge builds (a staging folder it swaps in); default web/dist.
const dist = process.env.WEB_DIST_DIR ?? 'dist';

// The app lives under /app/ because the edge redirects / to /docs/. No inline scripts or
// module preload polyfill, so a CSP of script-src 'self' holds.
export default defineConfig({
  base: '/app/',
  plugins: [react()],
  build: { outDir: join(dist, 'app'), emptyOutDir: true, modulePreload: { polyfill: false }, sourcemap: true, target: 'es2022' },
  server: { port: 5173, strictPort: false },
});
