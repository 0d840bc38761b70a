/** Integration tests: real DynamoDB Local and the local runtime, driven over HTTP and the AWS SDK. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  // @middy/core is ESM only: swc turns it into CommonJS like our own TypeScript.
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  roots: ['<rootDir>/tests', '<rootDir>/layers', '<rootDir>/local'],
  testMatch: ['**/*.integration.test.ts'],
  setupFiles: ['<rootDir>/tests/setup-env.js'],
  testTimeout: 60000,
  maxWorkers: 1,
};
