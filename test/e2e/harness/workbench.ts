// Drives the VS Code workbench that code-server serves, through Debian's Chromium and playwright-core:
// the command palette, quick open, editors, CodeLens, the Problems panel, webviews and the sidebar.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { repoRoot } from './codeServer';

export const artifactsDir = join(repoRoot, '.test-artifacts', 'e2e');

const chromiumPath = process.env.CNNLAB_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    chromiumSandbox: false,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // No --user-data-dir: Playwright refuses it in launch() and gives every launch a fresh temporary profile.
    ],
  });
}

const isMac = process.platform === 'darwin';
const mod = isMac ? 'Meta' : 'Control';

export class Workbench {
  constructor(readonly page: Page) {}

  static async open(browser: Browser, url: string): Promise<Workbench> {
    // A tall window, so that a whole model file and its CodeLenses render without scrolling.
    const page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
    await page.goto(url);
    const workbench = new Workbench(page);
    await workbench.waitUntilReady();
    return workbench;
  }

  async waitUntilReady(): Promise<void> {
    await this.page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    await this.page.locator('.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    // The explorer shows the folder once the remote file system answers.
    await this.page.locator('.explorer-folders-view, .explorer-viewlet').first().waitFor({ timeout: 60_000 });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(artifactsDir, { recursive: true });
    const file = join(artifactsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Runs a command by its title from the command palette, as a user types it. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`>${title}`);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
  }

  /** Opens a workspace file through quick open (Ctrl+P) and waits for its editor tab. */
  async openFile(relativePath: string): Promise<Locator> {
    const fileName = relativePath.split('/').pop() ?? relativePath;
    await this.page.keyboard.press(`${mod}+P`);
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(relativePath);
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 30_000 });
    const editor = this.activeEditor();
    await editor.locator('.view-lines').waitFor();
    return editor;
  }

  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The text of every CodeLens on screen, top to bottom. */
  async codeLensTexts(): Promise<string[]> {
    const lenses = this.activeEditor().locator('.codelens-decoration');
    const items = await lenses.evaluateAll((elements) =>
      elements
        .map((element) => ({ top: element.getBoundingClientRect().top, text: (element.textContent ?? '').replace(/\s+/g, ' ').trim() }))
        .sort((a, b) => a.top - b.top)
        .map((item) => item.text),
    );
    return items.filter((text) => text.length > 0);
  }

  /** Selects the first occurrence of `text` in the active editor (through the find widget). */
  async selectInEditor(text: string): Promise<void> {
    await this.activeEditor().locator('.view-lines').click();
    await this.page.keyboard.press(`${mod}+F`);
    const find = this.page.locator('.editor-widget.find-widget textarea, .editor-widget.find-widget input').first();
    await find.waitFor({ state: 'visible' });
    await find.fill(text);
    await this.page.locator('.find-widget .matchesCount', { hasText: /^1 of/ }).waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Escape');
  }

  async openProblems(): Promise<Locator> {
    await this.runCommand('View: Focus Problems');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor({ state: 'visible' });
    return panel;
  }

  /** The webview's own document: code-server nests it in two iframes. */
  webview(titleHint?: string): FrameLocator {
    const outer = titleHint
      ? this.page.locator(`iframe.webview.ready[title*="${titleHint}"]`).first()
      : this.page.locator('iframe.webview.ready').last();
    return outer.contentFrame().frameLocator('iframe#active-frame');
  }

  /** Opens the CNN Lab activity-bar container. */
  async openCnnLabSidebar(): Promise<Locator> {
    const item = this.page.locator('.activitybar .action-item a[aria-label^="CNN Lab"]').first();
    const alreadyOpen = await this.page.locator('.sidebar .composite.title', { hasText: /CNN LAB/i }).isVisible();
    if (!alreadyOpen) await item.click();
    const sidebar = this.page.locator('.part.sidebar');
    await sidebar.waitFor({ state: 'visible' });
    return sidebar;
  }

  async notificationsText(): Promise<string> {
    return (await this.page.locator('.notifications-toasts, .notifications-center').allTextContents()).join('\n');
  }
}
