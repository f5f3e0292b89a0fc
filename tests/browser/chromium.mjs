// Launches Debian's Chromium headless with a new, empty profile, through playwright-core (which
// downloads no browser of its own).

import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.SUNLIGHT_CHROMIUM || '/usr/bin/chromium';

const FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync',
];

/** Resolves to { context, close }; `close` also removes the profile. */
export async function launch() {
  const userDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sunlight-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: false, // --headless=new is passed below, as Debian's Chromium expects
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  return {
    context,
    close: async () => {
      await context.close();
      await fs.rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The repository root and the cargo target directory the scripts use. */
export const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const TARGET = path.resolve(REPO, process.env.CARGO_TARGET_DIR || 'target');
