/** Integration tests: real DynamoDB Local and the local runtime, driven over HTTP and the AWS SDK. */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  // @middy/core, oauth4webapi (the OAuth client of the hosted UI tests) and jose (the local Cognito's tokens, for runtimes started in-process) ship ESM only: swc
  // turns them into CommonJS like our own TypeScript. Amplify and amazon-cognito-identity-js ship CommonJS.
  transform: { '^.+\\.[tj]s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|oauth4webapi|jose)/)'],
  roots: ['<rootDir>/tests', '<rootDir>/layers', '<rootDir>/local'],
  testMatch: ['**/*.integration.test.ts'],
  setupFiles: ['<rootDir>/tests/setup-env.js'],
  testTimeout: 60000,
  maxWorkers: 1,
};
