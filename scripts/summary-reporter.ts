import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, that CI
 * systems read without understanding vitest's own summary. vitest's default reporter
 * prints its summary after `onTestRunEnd`, so the line is written when the process
 * is about to exit, to stay last.
 */
export default class SummaryReporter implements Reporter {
  private line = '';

  constructor() {
    process.once('beforeExit', () => {
      if (this.line) process.stdout.write(`\n${this.line}\n`);
    });
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load has no tests but must still count as a failure.
      if (module.state() === 'failed' && module.children.size === 0) failed++;
    }
    this.line = `tests: ${passed} passed, ${failed} failed, ${skipped} skipped`;
  }
}
