// Text from the workspace (layer names and types, run labels, tags) shown inside Markdown, which VS
// Code renders in hovers and tooltips. Escaping only the usual emphasis characters is not enough:
// `:` and `.` make autolinks (`http://x.y`, `www.x.y`), `&` entities, `<` HTML and autolinks, `$(`
// theme icons, a line break a new block. So every ASCII punctuation character is escaped, which
// CommonMark allows for all of them, and control characters become spaces.

/** `text` as Markdown that shows exactly `text`, and nothing that could link, load, format or start a block. */
export function escapeMarkdown(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').replace(/[!-/:-@[-`{-~]/g, '\\$&');
}
