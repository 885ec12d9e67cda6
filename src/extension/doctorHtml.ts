// The doctor view's page, built whole by the host: the report's sections in the order `cnnlab doctor`
// prints them, every text HTML-escaped (device names, paths and reasons come from the machine), and
// one script, allowed by its nonce, whose only job is to ask the host for a refresh.
import { doctorTitle, type DoctorSection } from '../runtime/doctorReport';

export interface DoctorPage {
  /** The last report's sections; kept on screen while a refresh runs. */
  sections?: DoctorSection[];
  checking: boolean;
  /** Why the last check produced no report. */
  error?: string;
}

/** What the page posts: the one thing it can ask for. */
export const refreshMessage = { type: 'refresh' } as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** Escaped text with its backtick spans (commands to run, package names) as code. */
function inline(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function sectionHtml(section: DoctorSection): string {
  const parts: string[] = [];
  let items: string[] = [];
  const closeList = (): void => {
    if (items.length > 0) parts.push(`<ul>${items.join('')}</ul>`);
    items = [];
  };
  for (const line of section.lines) {
    if (line.startsWith('- ')) {
      items.push(`<li>${inline(line.slice(2))}</li>`);
      continue;
    }
    closeList();
    parts.push(`<p>${inline(line)}</p>`);
  }
  closeList();
  return `<section><h2>${inline(section.heading)}</h2>${parts.join('')}</section>`;
}

function statusHtml(page: DoctorPage): string {
  if (page.checking) return '<p class="status">Checking Node and training backends…</p>';
  if (page.error) return `<p class="status error">The doctor could not run: ${inline(page.error)}</p>`;
  return '';
}

const style = `
  body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); padding: 0 20px 20px; line-height: 1.5; }
  header { display: flex; align-items: center; gap: 16px; }
  button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 4px 12px; cursor: pointer; }
  button:disabled { opacity: 0.5; cursor: default; }
  code { font-family: var(--vscode-editor-font-family); background: var(--vscode-textCodeBlock-background); padding: 0 3px; }
  .status { color: var(--vscode-descriptionForeground); }
  .error { color: var(--vscode-errorForeground); }
  .checking section { opacity: 0.6; }
`;

/** The whole page: no resource is loaded, and the CSP allows only this page's own style and script. */
export function doctorHtml(page: DoctorPage, nonce: string): string {
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'`;
  const sections = (page.sections ?? []).map(sectionHtml).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <style nonce="${nonce}">${style}</style>
  <title>${doctorTitle}</title>
</head>
<body class="${page.checking ? 'checking' : ''}">
  <header><h1>${doctorTitle}</h1><button id="refresh"${page.checking ? ' disabled' : ''}>Refresh</button></header>
  ${statusHtml(page)}
  ${sections}
  <script nonce="${nonce}">
    const vscode = acquireVsCodeApi();
    document.getElementById('refresh').addEventListener('click', () => vscode.postMessage(${JSON.stringify(refreshMessage)}));
  </script>
</body>
</html>`;
}
