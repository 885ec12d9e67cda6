// Where built-in dataset files come from: a local folder (job option, CNNLAB_DATA_DIR, Debian's
// dataset packages) or the download cache, filled on first use.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, createWriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, type ProgressReporter } from './types';

export function defaultCacheDir(): string {
  return process.env.CNNLAB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cnnlab');
}

export interface DatasetSource {
  /** Folder name inside the cache, e.g. `mnist`. */
  cacheName: string;
  /** Base URL the files are downloaded from. */
  baseUrl: string;
  /** Folders that may already hold the files (distribution packages). */
  systemDirs: string[];
}

export interface FileLocationOptions {
  dataDir?: string;
  cacheDir?: string;
  progress: ProgressReporter;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Candidate local folders, most specific first: the job's folder, CNNLAB_DATA_DIR (also per-dataset subfolders), system packages. */
function localDirs(source: DatasetSource, options: FileLocationOptions): string[] {
  const roots = [options.dataDir, process.env.CNNLAB_DATA_DIR].filter((dir): dir is string => Boolean(dir));
  return [...roots.flatMap((root) => [root, join(root, source.cacheName)]), ...source.systemDirs];
}

async function download(url: string, target: string, progress: ProgressReporter): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DatasetError(
      `Could not download ${url}: ${(error as Error).message}.`,
      'Check the network connection, or download the files yourself and point CNNLAB_DATA_DIR (or the cnnLab.dataDir setting) at their folder.',
    );
  }
  if (!response.ok || !response.body) {
    throw new DatasetError(`Downloading ${url} failed: HTTP ${response.status}.`, 'Try again later, or put the files in a folder named by CNNLAB_DATA_DIR.');
  }
  const total = Number(response.headers.get('content-length') ?? 0);
  const partial = `${target}.part`;
  const out = createWriteStream(partial);
  const hash = createHash('sha256');
  let received = 0;
  let lastReport = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    received += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    if (Date.now() - lastReport > 250) {
      lastReport = Date.now();
      progress(`Downloading ${url.split('/').pop()}: ${(received / 1e6).toFixed(1)} MB`, total > 0 ? received / total : undefined);
    }
  }
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  if (total > 0 && received !== total) {
    throw new DatasetError(`Download of ${url} stopped after ${received} of ${total} bytes.`, 'Run the training again to retry the download.');
  }
  // The digest is recorded beside the file and checked on every later use, so a cache file
  // damaged after download (disk full, a copy cut short) is caught instead of half-read.
  writeFileSync(`${target}.sha256`, `${hash.digest('hex')}\n`);
  renameSync(partial, target);
}

/**
 * The bytes of one dataset file: from a local folder when one holds it, else from the cache
 * (downloaded first if needed, SHA-256 checked against the digest taken at download).
 */
export async function datasetFile(source: DatasetSource, fileName: string, options: FileLocationOptions): Promise<{ bytes: Buffer; path: string }> {
  for (const dir of localDirs(source, options)) {
    const path = join(dir, fileName);
    if (existsSync(path)) return { bytes: readFileSync(path), path };
  }
  const cacheDir = join(options.cacheDir ?? defaultCacheDir(), source.cacheName);
  const path = join(cacheDir, fileName);
  if (!existsSync(path)) {
    mkdirSync(cacheDir, { recursive: true });
    await download(`${source.baseUrl}${fileName}`, path, options.progress);
  }
  const bytes = readFileSync(path);
  const digestFile = `${path}.sha256`;
  if (existsSync(digestFile)) {
    const expected = readFileSync(digestFile, 'utf8').trim();
    const actual = sha256(bytes);
    if (actual !== expected) {
      throw new DatasetError(
        `${path} is damaged: its SHA-256 is ${actual}, but ${expected} when it was downloaded.`,
        `Delete ${path} so that it is downloaded again.`,
      );
    }
  }
  return { bytes, path };
}
