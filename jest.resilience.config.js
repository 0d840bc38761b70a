/**
 * Resilience suites (`npm run test:resilience`): tokens, isolation, fuzzing and
 * concurrency against one local runtime started in globalSetup on free ports. Faults
 * (DynamoDB Local paused and killed) starts a runtime of its own.
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  // @middy/core and oauth4webapi (the OAuth client of the hosted UI tests) ship ESM only: swc
  // turns them into CommonJS like our own TypeScript. Amplify and amazon-cognito-identity-js ship CommonJS.
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|oauth4webapi)/)'],
  roots: ['<rootDir>/tests/resilience'],
  testMatch: ['**/*.test.ts'],
  setupFiles: ['<rootDir>/tests/setup-env.js'],
  globalSetup: '<rootDir>/tests/resilience/global-setup.ts',
  globalTeardown: '<rootDir>/tests/resilience/global-teardown.ts',
  testTimeout: 180000,
  maxWorkers: 1,
};
