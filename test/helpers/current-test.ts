/**
 * Mocha root hooks (loaded by .mocharc.json's `require`): remembers which test is running, so a
 * browser problem (test/helpers/browser.ts) names the test during which it happened.
 */
let current: string | null = null;

/** The full title of the test now running (or of the hook's suite), null between tests. */
export const currentTest = (): string | null => current;

export const mochaHooks = {
  beforeEach(this: Mocha.Context) {
    current = this.currentTest?.fullTitle() ?? null;
  },
  afterEach() {
    current = null;
  },
};
