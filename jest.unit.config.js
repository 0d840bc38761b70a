/** Unit tests: one handler or one module at a time, AWS calls mocked with aws-sdk-client-mock. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  // @middy/core is ESM only: swc turns it into CommonJS like our own TypeScript.
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  roots: ['<rootDir>/functions', '<rootDir>/layers', '<rootDir>/local', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/tests/resilience/',
    '<rootDir>/web/',
    '\\.integration\\.test\\.ts$',
    '\\.e2e\\.test\\.ts$',
    '\\.stack\\.test\\.ts$',
  ],
  setupFiles: ['<rootDir>/tests/setup-env.js'],
};
