/** Browser end-to-end: headless Chromium (playwright-core, tests/support/chromium.ts) against the local runtime. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  // @middy/core is ESM only: swc turns it into CommonJS like our own TypeScript.
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  setupFiles: ['<rootDir>/tests/setup-env.js'],
  testTimeout: 120000,
  maxWorkers: 1,
};
