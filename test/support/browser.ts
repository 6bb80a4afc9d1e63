// Headless Chromium for end-to-end tests: Debian's `chromium` package driven by playwright-core
// (no browser download of any kind). CI installs the package with scripts/ci/setup-host.sh.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** test-artifacts/ at the repository root (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Saves `<artifacts>/<NN>-<step>.png` (full page) and returns its path. */
  screenshot(step: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Fails (never skips) without the browser: an e2e test that silently did nothing would look green.
 */
export function assertChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `headless Chromium not found at ${CHROMIUM_PATH}: run scripts/ci/setup-host.sh ` +
        '(it installs Debian\'s "chromium" package; CI runs it) or set CHROMIUM_PATH',
    );
  }
}

export async function launchBrowser(o: { readonly artifacts: string }): Promise<TestBrowser> {
  assertChromium();
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'cltv8-chromium-'));
  const artifacts = path.join(ARTIFACTS_DIR, o.artifacts);
  rmSync(artifacts, { recursive: true, force: true });
  mkdirSync(artifacts, { recursive: true });
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    locale: 'pt-BR',
    timezoneId: 'America/Sao_Paulo',
    viewport: { width: 1200, height: 900 },
    acceptDownloads: true,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let n = 0;
  return {
    context,
    page,
    async screenshot(step) {
      n++;
      const file = path.join(artifacts, `${String(n).padStart(2, '0')}-${step}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
