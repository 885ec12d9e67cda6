// Helpers of the run-names scenarios (issue 10 items 5, 8 and 13): editor groups and their tabs,
// notification toasts, CodeLenses of an editor that is not the active one, titled input boxes and
// the Runs view's rows as a user reads them.
import type { Frame, Locator } from 'playwright-core';
import type { Workbench } from './workbench';

export interface EditorGroupReading {
  /** The tab titles of the group, left to right (a panel's tab: `CNN Lab: <run name>`). */
  tabs: string[];
  /** The title of the group's active tab. */
  active: string;
}

/** The editor groups on screen, left to right then top to bottom, with their tabs. */
export async function editorGroups(workbench: Workbench): Promise<EditorGroupReading[]> {
  // No helper functions inside: tsx names them with an `__name` call that the page does not have.
  return workbench.page.locator('.part.editor').first().evaluate((part) =>
    [...part.querySelectorAll('.editor-group-container')]
      .map((group) => ({
        rect: group.getBoundingClientRect(),
        // The whole name: VS Code draws the end of a long file name (`.json`) apart, as `.label-suffix` after `.label-name`.
        tabs: [...group.querySelectorAll('.tabs-container .tab')].map((tab) =>
          `${tab.querySelector('.label-name')?.textContent ?? ''}${tab.querySelector('.label-suffix')?.textContent ?? ''}`.trim(),
        ),
        active: [...group.querySelectorAll('.tabs-container .tab.active')]
          .map((tab) => `${tab.querySelector('.label-name')?.textContent ?? ''}${tab.querySelector('.label-suffix')?.textContent ?? ''}`.trim())
          .join(''),
      }))
      .filter((group) => group.rect.width > 0 && group.rect.height > 0)
      .sort((a, b) => a.rect.left - b.rect.left || a.rect.top - b.rect.top)
      .map(({ tabs, active }) => ({ tabs, active })),
  );
}

/** Every editor tab title on screen, in all groups. */
export async function allTabTitles(workbench: Workbench): Promise<string[]> {
  return (await editorGroups(workbench)).flatMap((group) => group.tabs);
}

/** Waits until some editor tab's title matches `title`; returns the groups as they were then. */
export async function waitForTab(workbench: Workbench, title: string | RegExp, timeoutMs = 30_000): Promise<EditorGroupReading[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const groups = await editorGroups(workbench);
    const matches = (tab: string): boolean => (typeof title === 'string' ? tab === title : title.test(tab));
    if (groups.some((group) => group.tabs.some(matches))) return groups;
    if (Date.now() > deadline) throw new Error(`no editor tab titled ${String(title)} after ${timeoutMs} ms; tabs: ${JSON.stringify(groups)}`);
    await workbench.page.waitForTimeout(200);
  }
}

/** The text of each notification toast on screen (message, progress message and buttons), newest last. */
export async function toastTexts(workbench: Workbench): Promise<string[]> {
  const toasts = workbench.page.locator('.notifications-toasts .notification-toast');
  return (await toasts.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
}

/** The toast whose text matches `pattern`, waited for. */
export async function waitForToast(workbench: Workbench, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await toastTexts(workbench)).find((text) => pattern.test(text));
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`no notification matching ${pattern} after ${timeoutMs} ms; toasts: ${JSON.stringify(await toastTexts(workbench))}`);
    await workbench.page.waitForTimeout(200);
  }
}

/**
 * The CodeLens texts of every editor on screen (the active one or not), top to bottom: one entry per
 * lens, though VS Code draws the lenses of one line as one decoration (`▶ Train | last run … | Total …`).
 */
export async function visibleCodeLensTexts(workbench: Workbench): Promise<string[]> {
  const lenses = workbench.page.locator('.part.editor .monaco-editor .codelens-decoration');
  return (await lenses.allTextContents())
    .flatMap((text) => text.replace(/\s+/g, ' ').split(' | '))
    .map((text) => text.trim())
    .filter((text) => text.length > 0);
}

/**
 * Answers the input box titled `title` (showInputBox with a title) with `value`: waits for that
 * title, so that a second input box following a first is not answered in the first one's place.
 */
export async function answerTitledInputBox(workbench: Workbench, title: string, value: string): Promise<void> {
  const widget = workbench.page.locator('.quick-input-widget');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  const input = widget.locator('input').first();
  await input.fill(value);
  await workbench.page.keyboard.press('Enter');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'hidden', timeout: 30_000 });
}

/** A Runs view row as a user reads it: its label (the run's name) and its description. */
export async function runRowText(row: Locator): Promise<{ label: string; description: string; ariaLabel: string }> {
  const text = async (selector: string): Promise<string> => ((await row.locator(selector).first().textContent().catch(() => '')) ?? '').replace(/\s+/g, ' ').trim();
  return { label: await text('.label-name'), description: await text('.label-description'), ariaLabel: (await row.getAttribute('aria-label')) ?? '' };
}

/**
 * Samples the editor groups every `intervalMs` until `stop()` is called: the most groups seen at
 * once, and the readings where there were more than `limit` (to check "at most N groups throughout").
 */
export function watchEditorGroups(workbench: Workbench, limit: number, intervalMs = 250): { stop: () => Promise<{ samples: number; most: number; over: EditorGroupReading[][] }> } {
  let running = true;
  let samples = 0;
  let most = 0;
  const over: EditorGroupReading[][] = [];
  const loop = (async () => {
    while (running) {
      const groups = await editorGroups(workbench).catch(() => undefined);
      if (groups) {
        samples += 1;
        most = Math.max(most, groups.length);
        if (groups.length > limit && over.length < 5) over.push(groups);
      }
      await new Promise((resolveLater) => setTimeout(resolveLater, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { samples, most, over };
    },
  };
}

/**
 * Whether `text`, somewhere inside `container`, is drawn where it can be read: inside every box
 * that clips it (an ellipsis-cut tree row, a truncated toast), with room left for the ellipsis.
 */
export async function textShown(container: Locator, text: string): Promise<boolean> {
  // No helper functions inside (see editorGroups). The suite compiles without the DOM library: the
  // few browser objects used are described here.
  interface Box {
    left: number;
    right: number;
    width: number;
  }
  interface Shown {
    textContent: string | null;
    parentElement: Shown | null;
    scrollWidth: number;
    clientWidth: number;
    getBoundingClientRect(): Box;
  }
  interface Page {
    document: {
      createTreeWalker(root: unknown, show: number): { nextNode(): Shown | null };
      createRange(): { setStart(node: Shown, offset: number): void; setEnd(node: Shown, offset: number): void; getBoundingClientRect(): Box };
    };
    innerWidth: number;
    getComputedStyle(element: Shown): { overflow: string; overflowX: string };
  }
  return container.evaluate((root, wanted) => {
    const page = globalThis as unknown as Page;
    // 4: NodeFilter.SHOW_TEXT.
    const walker = page.document.createTreeWalker(root, 4);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const content = (node.textContent ?? '').replace(/\s/g, ' ');
      const at = content.indexOf(wanted);
      if (at < 0) continue;
      const range = page.document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const rect = range.getBoundingClientRect();
      let left = 0;
      let right = page.innerWidth;
      for (let element = node.parentElement; element; element = element.parentElement) {
        const style = page.getComputedStyle(element);
        if (style.overflowX === 'visible' && style.overflow === 'visible') continue;
        const box = element.getBoundingClientRect();
        const cut = element.scrollWidth > element.clientWidth + 1 ? 14 : 0;
        left = Math.max(left, box.left);
        right = Math.min(right, box.right - cut);
      }
      return rect.width > 0 && rect.left >= left - 1 && rect.right <= right + 1;
    }
    return false;
  }, text);
}

/**
 * Compares runs from the palette: Compare Runs, each run's row ticked, Enter; returns the compare
 * page. A run panel that takes the focus while the quick pick is open closes it (a panel still
 * loading does): then the whole choice is made again.
 */
export async function compareRunsFromPalette(workbench: Workbench, runLabels: (string | RegExp)[]): Promise<Frame> {
  await workbench.retryOnScreen(
    `Compare Runs' quick pick closed before ${runLabels.map(String).join(', ')} could be ticked`,
    3,
    async () => {
      await workbench.runCommand('CNN Lab: Compare Runs');
      for (const label of runLabels) {
        if (!(await workbench.pickQuickItem(label).then(() => true, () => false))) return false;
      }
      return true;
    },
    () => workbench.page.keyboard.press('Escape'),
  );
  await workbench.page.keyboard.press('Enter');
  return workbench.webviewFrame('compare-page');
}
