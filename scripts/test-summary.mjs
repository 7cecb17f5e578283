// Adds up the vitest and Playwright JSON reports into the one closing line CI reads:
// "tests: N passed, N failed, N skipped". Exits non-zero if a report is missing or anything failed.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
let missing = [];

const vitestFile = join(dir, 'vitest.json');
if (existsSync(vitestFile)) {
  const report = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  if (report.numFailedTestSuites > 0 && report.numFailedTests === 0) failed += report.numFailedTestSuites;
} else missing.push('vitest');

const playwrightFile = join(dir, 'playwright.json');
if (existsSync(playwrightFile)) {
  const { stats, errors = [] } = JSON.parse(readFileSync(playwrightFile, 'utf8'));
  passed += stats.expected + stats.flaky;
  failed += stats.unexpected + errors.length;
  skipped += stats.skipped;
} else missing.push('playwright');

if (missing.length > 0) console.log(`missing reports: ${missing.join(', ')}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 || passed === 0 ? 1 : 0);
