// Writing changed training settings back into a `*.model.json` file's `training` block with
// jsonc-parser, which edits the text in place: the user's formatting, comments and key order stay.
// Pure (no vscode), so it is unit-tested.

import { applyEdits, modify, parse } from 'jsonc-parser';
import type { TrainingConfig } from '../model/types';

// Keras spellings the JSON front end accepts; an existing key is edited where it is, never duplicated.
const KEY_ALIASES: Record<string, string[]> = {
  batchSize: ['batchSize', 'batch_size'],
  learningRate: ['learningRate', 'learning_rate', 'lr'],
};

export function withTrainingChanges(text: string, changes: TrainingConfig): string {
  const root: unknown = parse(text);
  const existing = typeof root === 'object' && root !== null ? (root as Record<string, unknown>).training : undefined;
  const block = typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : {};
  const optimizer = block.optimizer;
  const formattingOptions = { insertSpaces: true, tabSize: 2, eol: text.includes('\r\n') ? '\r\n' : '\n' };
  let current = text;
  for (const [key, value] of Object.entries(changes)) {
    const written = (KEY_ALIASES[key] ?? [key]).find((alias) => alias in block) ?? key;
    let jsonPath = ['training', written];
    // A learning rate written inside an optimizer object stays there.
    if (key === 'learningRate' && !(written in block) && typeof optimizer === 'object' && optimizer !== null && 'learningRate' in optimizer) {
      jsonPath = ['training', 'optimizer', 'learningRate'];
    }
    current = applyEdits(current, modify(current, jsonPath, value, { formattingOptions }));
  }
  return current;
}
