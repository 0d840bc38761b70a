/** Browser end-to-end: headless Chromium (playwright-core, tests/support/chromium.ts) against the local runtime. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  roots: ['<rootDir>/tests/e2e'],
  testMatch: ['**/*.e2e.test.ts'],
  setupFiles: ['<rootDir>/tests/setup-env.js'],
  testTimeout: 120000,
  maxWorkers: 1,
};
