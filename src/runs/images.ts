// The misclassified test examples a run saved as PNG files, read for the panel as data: URIs.
// run.json names the files and is data anyone can write, so a file is read only when it is a
// regular file inside the run folder after resolving links (a link planted in the run folder
// must not carry a file from elsewhere into the page).
import { readFile, stat } from 'node:fs/promises';
import type { RunRecord } from './format';
import { resolveRunFile } from './store';

/** Misclassified examples sent to the page at most; the trainer saves a few dozen. */
export const MAX_IMAGES = 64;
export const MAX_IMAGE_BYTES = 512 * 1024;

export async function readMisclassifiedImages(runDir: string, record: RunRecord): Promise<{ file: string; dataUri: string }[]> {
  const listed = record.evaluation?.misclassified;
  const examples = Array.isArray(listed) ? listed.slice(0, MAX_IMAGES) : [];
  const images: { file: string; dataUri: string }[] = [];
  for (const example of examples) {
    if (typeof example?.file !== 'string') continue;
    const file = await resolveRunFile(runDir, example.file);
    if (!file) continue;
    try {
      if ((await stat(file)).size > MAX_IMAGE_BYTES) continue;
      const bytes = await readFile(file);
      images.push({ file: example.file, dataUri: `data:image/png;base64,${bytes.toString('base64')}` });
    } catch {
      continue;
    }
  }
  return images;
}
