/**
 * The container image (test/container): the Dockerfile built with podman on a stand-in base and run against a
 * real redis-server, then compose.yaml started with podman-compose. It runs alone, after the lab (npm test), one
 * file at a time: builds and containers share the machine's two cores. Needs root and podman (.ci/run installs it);
 * without them it fails, saying why.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/container'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  maxWorkers: 1,
  testTimeout: 60000,
  // A failed run can leave a client or a container's process behind: end the run rather than hang CI.
  forceExit: true,
};
