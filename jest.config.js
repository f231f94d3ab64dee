// Three projects: `unit` (pure, fast), `frr` (real FRR in network namespaces, root) and `e2e`
// (e2e/apiserver + the lab). `npm test` runs all three; CI fails when FRR cannot run.
const tsJest = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }],
};
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: tsJest,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
  // Jest 30's default 'soft' cleanup of globals between test files recurses forever when a later
  // file writes a soft-deleted global (a Jest bug, seen as "Maximum call stack size exceeded"
  // in a suite that ran after others in the same worker): keep the globals instead.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};
export default {
  // Two workers even on two cores: the frr and e2e suites mostly wait on BGP/BFD timers and polls, so
  // two of them side by side take little more than one; their namespaces and ports never collide
  // (random prefixes, each lab in namespaces of its own).
  maxWorkers: 2,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/scripts/**/*.test.ts'],
    },
    { ...common, displayName: 'frr', testMatch: ['<rootDir>/test/frr/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/e2e/**/*.test.ts'] },
  ],
};
