/**
 * The real-router lab (test/lab): CoovaChilli in network namespaces. It runs alone, after the other suites, so
 * that the rates it measures on the wire do not share the CPU with them.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/lab'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  maxWorkers: 1,
  testTimeout: 90000,
  // A failed run can leave a client or a container's process behind: end the run rather than hang CI.
  forceExit: true,
};
