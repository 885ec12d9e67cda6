// Drives the VS Code workbench that code-server serves, through Debian's Chromium and playwright-core:
// the command palette, quick open, editors, CodeLens, the Problems panel, webviews and the sidebar.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
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

/** A right-click menu on screen (code-server draws it in HTML, inside a shadow root that locators pierce). */
export const contextMenu = '.context-view .monaco-menu';

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
    // Whichever view container was open last (Explorer, CNN Lab) comes back with its views.
    await this.page.locator('.part.sidebar .pane-header, .part.sidebar .explorer-folders-view').first().waitFor({ timeout: 60_000 });
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(artifactsDir, { recursive: true });
    const file = join(artifactsDir, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /**
   * Runs a command by its title from the command palette, as a user types it. A panel that takes
   * the focus just after F1 (a run panel opening) closes the palette before the command is picked,
   * and F1 pressed in a context menu opens nothing: then the focus is given back to the editor area
   * and the palette opened again.
   */
  async runCommand(title: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await this.retryOnScreen(
      `F1 opened no command palette that lists ${title}`,
      3,
      async () => {
        await this.page.keyboard.press('F1');
        return input
          .waitFor({ state: 'visible', timeout: 5_000 })
          .then(() => input.fill(`>${title}`, { timeout: 5_000 }))
          .then(() => row.waitFor({ state: 'visible', timeout: 20_000 }))
          .then(() => row.click({ timeout: 5_000 }))
          .then(
            () => true,
            () => false,
          );
      },
      async () => {
        await this.page.keyboard.press('Escape');
        await this.focusEditorArea();
      },
    );
  }

  /**
   * Tries a step of the user's up to `tries` times (`attempt` says whether it took), with `recover`
   * (if any) between two tries. A busy machine loses clicks and keys, and a panel that opens takes the focus:
   * a user would simply do it again. When the last try fails, says what is on screen.
   */
  async retryOnScreen(what: string, tries: number, attempt: (tryNumber: number) => Promise<boolean>, recover?: () => Promise<void>): Promise<void> {
    for (let tryNumber = 1; ; tryNumber++) {
      if (await attempt(tryNumber)) return;
      if (tryNumber === tries) throw new Error(`${what} (tried ${tries} times). ${await this.describeScreen()}`);
      await recover?.();
    }
  }

  /**
   * Gives the keyboard focus back to the workbench from wherever it went (a webview, a context menu):
   * the first group's active tab, or the empty editor area when no editor is open.
   */
  private async focusEditorArea(): Promise<void> {
    if (await this.page.locator(contextMenu).isVisible().catch(() => false)) await this.page.keyboard.press('Escape');
    const firstGroup = this.page.locator('.part.editor .editor-group-container').first();
    const activeTab = firstGroup.locator('.tabs-container .tab.active').first();
    if (await activeTab.isVisible().catch(() => false)) {
      await activeTab.click({ timeout: 10_000 });
    } else {
      // A corner of the empty group, away from the watermark's centred text.
      await firstGroup.click({ position: { x: 8, y: 8 }, timeout: 10_000 });
    }
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
    await this.page.locator(`.editor-group-container.active .tab.active[data-resource-name="${fileName}"]`).first().waitFor({ timeout: 30_000 });
    const editor = this.activeEditor();
    await editor.locator('.view-lines').waitFor();
    return editor;
  }

  activeEditor(): Locator {
    return this.page.locator('.editor-group-container.active .monaco-editor').first();
  }

  /** The text of every CodeLens on screen, top to bottom. */
  async codeLensTexts(): Promise<string[]> {
    return (await this.codeLensesWithLines()).map((lens) => lens.text);
  }

  /** Each CodeLens on screen with the source line drawn right below it (the line it annotates). */
  async codeLensesWithLines(): Promise<{ text: string; line: string }[]> {
    const editor = this.activeEditor();
    // No helper functions inside: tsx names them with an `__name` call that the page does not have.
    return editor.evaluate((root) => {
      const lines = [...root.querySelectorAll('.view-lines .view-line')]
        .map((line) => ({ top: line.getBoundingClientRect().top, text: (line.textContent ?? '').replace(/\s+/g, ' ').trim() }))
        .sort((a, b) => a.top - b.top);
      return [...root.querySelectorAll('.codelens-decoration')]
        .map((lens) => ({ rect: lens.getBoundingClientRect(), text: (lens.textContent ?? '').replace(/\s+/g, ' ').trim() }))
        .filter((lens) => lens.text.length > 0)
        .sort((a, b) => a.rect.top - b.rect.top)
        .map((lens) => ({ text: lens.text, line: lines.find((line) => line.top >= lens.rect.bottom - 1)?.text ?? '' }));
    });
  }

  /**
   * Selects the first occurrence of `text` in the active editor (through the find widget). The
   * click that gives the editor the focus may land on a hover or while another part (Problems)
   * keeps the focus, and Ctrl+F then opens nothing in the editor: it is clicked again.
   */
  async selectInEditor(text: string): Promise<void> {
    const find = this.page.locator('.editor-widget.find-widget textarea, .editor-widget.find-widget input').first();
    await this.retryOnScreen(
      'Ctrl+F opened no find widget in the editor',
      4,
      async () => {
        await this.page.mouse.move(5, 5);
        await this.activeEditor().locator('.view-lines').click();
        await this.page.keyboard.press(`${mod}+F`);
        return find.waitFor({ state: 'visible', timeout: 5_000 }).then(
          () => true,
          () => false,
        );
      },
      () => this.page.keyboard.press('Escape'),
    );
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

  /**
   * Picks the quick-pick row whose label contains `label` (after a command opened a quick pick).
   * Fails early, saying what is on screen, when no quick pick has been open for a while (a panel
   * that took the focus closes it), instead of waiting for a row that cannot come. The command's
   * own quick pick may open a moment after the palette closed, hence the grace.
   */
  async pickQuickItem(label: string | RegExp, closedGraceMs = 20_000): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    const row = widget.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    const deadline = Date.now() + 30_000;
    let closedSince: number | undefined;
    while (!(await row.isVisible().catch(() => false))) {
      const closed = !(await widget.isVisible().catch(() => false));
      closedSince = closed ? (closedSince ?? Date.now()) : undefined;
      const closedTooLong = closedSince !== undefined && Date.now() - closedSince > closedGraceMs;
      if (closedTooLong || Date.now() > deadline) {
        throw new Error(`no quick-pick row ${String(label)} to pick: the quick pick is ${closed ? 'closed' : 'open without it'}. ${await this.describeScreen()}`);
      }
      await this.page.waitForTimeout(100);
    }
    await row.click({ timeout: 10_000 }).catch(async (error: Error) => {
      throw new Error(`the quick-pick row ${String(label)} could not be clicked: ${error.message.split('\n')[0]}. ${await this.describeScreen()}`);
    });
  }

  /**
   * What is on screen, in one line, for a failure message: the editor tabs, the quick pick and its
   * rows, a context menu, a dialog, notifications, and what each webview frame shows (run pages'
   * status and epoch count). A scenario that failed in CI can only be read from its message.
   */
  async describeScreen(): Promise<string> {
    const texts = async (selector: string, limit = 8): Promise<string[]> =>
      (await this.page.locator(selector).allTextContents().catch(() => [] as string[])).map((text) => text.replace(/\s+/g, ' ').trim()).filter(Boolean).slice(0, limit);
    const parts = [`tabs: ${JSON.stringify(await texts('.tabs-container .tab .label-name', 20))}`, `active tab: ${JSON.stringify(await texts('.editor-group-container.active .tab.active .label-name', 1))}`];
    if (await this.page.locator('.quick-input-widget').isVisible().catch(() => false)) parts.push(`quick pick rows: ${JSON.stringify(await texts('.quick-input-widget .quick-input-list .monaco-list-row .label-name'))}`);
    if (await this.page.locator(contextMenu).isVisible().catch(() => false)) parts.push('a context menu is open');
    const dialog = await texts('.monaco-dialog-box', 1);
    if (dialog.length > 0) parts.push(`dialog: ${dialog[0]}`);
    const notifications = await texts('.notification-toast .notification-list-item-message', 4);
    if (notifications.length > 0) parts.push(`notifications: ${JSON.stringify(notifications)}`);
    for (const frame of this.page.frames()) {
      if (frame === this.page.mainFrame() || frame.isDetached()) continue;
      const status = await frame.locator('[data-testid="run-status"]').first().getAttribute('data-status', { timeout: 500 }).catch(() => null);
      if (status === null) continue;
      const visible = await frame.locator('[data-testid="run-status"]').first().isVisible().catch(() => false);
      const epochs = await frame.locator('[data-testid="epoch-count"]').first().textContent({ timeout: 500 }).catch(() => null);
      parts.push(`a ${visible ? 'visible' : 'hidden'} run page: ${status}, ${epochs ?? '?'} epochs`);
    }
    return `On screen: ${parts.join('; ')}.`;
  }

  /** Answers an input box (showInputBox) with `value`. */
  async answerInputBox(value: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(value);
    await this.page.keyboard.press('Enter');
  }

  /**
   * The document of the visible webview that contains `[data-testid=testId]`. code-server nests
   * each webview in two iframes (the host's iframe.webview, then #active-frame), and keeps hidden
   * panels' frames alive, so the frame is looked up by what it shows.
   */
  async webviewFrame(testId: string, timeoutMs = 60_000): Promise<Frame> {
    return this.webviewFrameShowing(`[data-testid="${testId}"]`, timeoutMs);
  }

  /**
   * The webview document in which `selector` is visible. Several CNN Lab panels may be open (a
   * reload restores them), and a restored panel's frame may be replaced while it loads: frames
   * are searched again until one shows the selector.
   */
  async webviewFrameShowing(selector: string, timeoutMs = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const frame of this.page.frames()) {
        if (frame === this.page.mainFrame() || frame.isDetached()) continue;
        if (await frame.locator(selector).first().isVisible().catch(() => false)) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no visible webview shows ${selector} after ${timeoutMs} ms. ${await this.describeScreen()}`);
      await this.page.waitForTimeout(250);
    }
  }

  /** Opens the CNN Lab activity-bar container. */
  async openCnnLabSidebar(): Promise<Locator> {
    // The activity-bar entry carries the view container's title; its first view is Runs.
    const item = this.page.locator('.activitybar .action-item a[aria-label^="CNN Lab"]').first();
    const alreadyOpen = await this.page.locator('.sidebar .composite.title', { hasText: /CNN LAB/i }).isVisible();
    if (!alreadyOpen) await item.click();
    const sidebar = this.page.locator('.part.sidebar');
    await sidebar.waitFor({ state: 'visible' });
    return sidebar;
  }

  /**
   * Each CodeLens on screen, one entry per lens (VS Code draws the lenses of one line in one
   * decoration, "▶ Train | Total …"), with the 1-based number (from the gutter) and the text of the
   * source line drawn right below it: the line it annotates.
   */
  async codeLensesWithLineNumbers(): Promise<{ text: string; lineNumber: number | undefined; line: string }[]> {
    // No helper functions inside (see codeLensesWithLines).
    return this.activeEditor().evaluate((root) => {
      const numbers = [...root.querySelectorAll('.margin-view-overlays .line-numbers')].map((number) => ({
        top: number.getBoundingClientRect().top,
        value: Number((number.textContent ?? '').trim()),
      }));
      const lines = [...root.querySelectorAll('.view-lines .view-line')]
        .map((line) => ({ top: line.getBoundingClientRect().top, text: (line.textContent ?? '').replace(/\s+/g, ' ').trim() }))
        .sort((a, b) => a.top - b.top);
      const editorRect = root.getBoundingClientRect();
      return [...root.querySelectorAll('.codelens-decoration')]
        .map((decoration) => ({
          rect: decoration.getBoundingClientRect(),
          shown: (decoration as unknown as { checkVisibility(options: object): boolean }).checkVisibility({ visibilityProperty: true, opacityProperty: true }),
          // Each lens is a link (or a span), the separators spans holding " | ".
          texts: [...decoration.children].map((part) => (part.textContent ?? '').replace(/\s+/g, ' ').trim()).filter((text) => text.length > 0 && text !== '|'),
        }))
        // Lenses of lines scrolled out of view stay in the DOM, hidden.
        .filter((decoration) => decoration.shown && decoration.rect.height > 0 && decoration.rect.top >= editorRect.top && decoration.rect.bottom <= editorRect.bottom)
        .sort((a, b) => a.rect.top - b.rect.top)
        .flatMap((decoration) => {
          const below = lines.find((line) => line.top >= decoration.rect.bottom - 1);
          const lineNumber = below ? numbers.find((number) => Math.abs(number.top - below.top) < 2)?.value : undefined;
          return decoration.texts.map((text) => ({ text, lineNumber, line: below?.text ?? '' }));
        });
    });
  }

  /** Opens a workspace file through quick open (Ctrl+P) once quick open finds it, and waits for its text editor. */
  async openFileOnceFound(relativePath: string, timeoutMs = 60_000): Promise<Locator> {
    const fileName = relativePath.split('/').pop() ?? relativePath;
    await this.quickOpenOnceFound(relativePath, timeoutMs);
    await this.page.locator(`.editor-group-container.active .tab.active[data-resource-name="${fileName}"]`).first().waitFor({ timeout: 30_000 });
    const editor = this.activeEditor();
    await editor.locator('.view-lines').waitFor();
    return editor;
  }

  /**
   * Picks a workspace file in quick open (Ctrl+P) once quick open finds it: a file created after
   * the window opened may be missing from its first searches, so it asks again until then.
   */
  async quickOpenOnceFound(relativePath: string, timeoutMs = 60_000): Promise<void> {
    const fileName = relativePath.split('/').pop() ?? relativePath;
    const deadline = Date.now() + timeoutMs;
    const input = this.page.locator('.quick-input-widget input');
    const row = this.page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
    for (;;) {
      await this.page.keyboard.press(`${mod}+P`);
      await input.waitFor({ state: 'visible' });
      await input.fill(relativePath);
      const found = await row.waitFor({ state: 'visible', timeout: 5_000 }).then(
        () => true,
        () => false,
      );
      if (found) break;
      await this.page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden' });
      if (Date.now() > deadline) throw new Error(`quick open did not find ${relativePath} within ${timeoutMs} ms`);
    }
    await this.page.keyboard.press('Enter');
  }

  /** Moves the cursor to a 1-based line of the active editor (quick open's `:line`), which scrolls it into view. */
  async goToLine(lineNumber: number): Promise<void> {
    await this.page.keyboard.press(`${mod}+P`);
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(`:${lineNumber}`);
    await this.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: String(lineNumber) }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden' });
  }

  /**
   * The rows of the Problems panel, top to bottom: a file row (level 1) is followed by its
   * problems (level 2). `text` is what the row shows, e.g. "message CNN Lab(code) [Ln 9, Col 54]".
   */
  async problemRows(): Promise<{ level: number; text: string; ariaLabel: string }[]> {
    return this.page.locator('.markers-panel').evaluate((panel) =>
      [...panel.querySelectorAll('.monaco-list-row')]
        .map((row) => ({
          top: row.getBoundingClientRect().top,
          level: Number(row.getAttribute('aria-level') ?? '0'),
          text: (row.textContent ?? '').replace(/\s+/g, ' ').trim(),
          ariaLabel: row.getAttribute('aria-label') ?? '',
        }))
        .sort((a, b) => a.top - b.top)
        .map(({ level, text, ariaLabel }) => ({ level, text, ariaLabel })),
    );
  }

  /** The problems the Problems panel lists under the file named `fileName` (its level-2 rows). */
  async problemsOf(fileName: string): Promise<string[]> {
    const rows = await this.problemRows();
    const problems: string[] = [];
    let inFile = false;
    for (const row of rows) {
      if (row.level === 1) inFile = row.text.startsWith(fileName) || row.ariaLabel.startsWith(fileName);
      else if (row.level === 2 && inFile) problems.push(row.text);
    }
    return problems;
  }

  async notificationsText(): Promise<string> {
    return (await this.page.locator('.notifications-toasts, .notifications-center').allTextContents()).join('\n');
  }
}

/** A row of the CNN Lab Runs view; its aria-label reads "Run <title>, <status>, <details>". */
export function runRows(sidebar: Locator): Locator {
  return sidebar.locator('.monaco-list-row[aria-label^="Run "]');
}

/**
 * After a failed test: a screenshot of the moment and code-server's log (extension host output
 * included) go to .test-artifacts/e2e/, named after the test, for CI's artifacts.
 */
export async function keepFailureEvidence(test: Mocha.Test | undefined, workbench: Workbench | undefined, serverLog: string | undefined): Promise<void> {
  if (!test || test.state !== 'failed') return;
  const name = `FAILED-${test.fullTitle().replace(/[^A-Za-z0-9]+/g, '-').slice(0, 100)}`;
  mkdirSync(artifactsDir, { recursive: true });
  if (serverLog !== undefined) writeFileSync(join(artifactsDir, `${name}.code-server.log`), serverLog);
  await workbench?.screenshot(name).catch(() => undefined);
}
