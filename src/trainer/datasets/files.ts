// Where built-in dataset files come from: a local folder (job option, CNNLAB_DATA_DIR, Debian's
// dataset packages) or the download cache, filled on first use.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DatasetError, type ProgressReporter } from './types';

export function defaultCacheDir(): string {
  return process.env.CNNLAB_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'cnnlab');
}

export interface DatasetSource {
  /** Folder name inside the cache, e.g. `mnist`. */
  cacheName: string;
  /** Upstream base URL the files are downloaded from (CNNLAB_DATASET_MIRROR replaces it). */
  baseUrl: string;
  /** Folders that may already hold the files (distribution packages). */
  systemDirs: string[];
  /**
   * The MD5 of each file as its publishers give it: a download must match before it is kept.
   * (MD5 is what the dataset pages publish; the SHA-256 recorded at download guards the cache.)
   */
  publishedMd5: Record<string, string>;
  /** What the files are, in messages (default "dataset file"; pretrained weights say "weights file"). */
  fileKind?: string;
  /** Who gives the digests, with the verb (default "the dataset's publishers give"). */
  digestsGivenBy?: string;
}

export interface FileLocationOptions {
  dataDir?: string;
  cacheDir?: string;
  progress: ProgressReporter;
  /** A download that receives nothing for this long is abandoned (default: 60 s). */
  stallTimeoutMs?: number;
  /** Digests that replace the publishers' ones (tests serve files of their own through a mirror). */
  publishedMd5?: Record<string, string>;
}

/**
 * Throws when downloaded bytes are not the file they should be (an HTML error page, a cut-off
 * body): they are checked before they take the file's name in the cache.
 */
export type FileCheck = (bytes: Buffer, path: string) => void;

const DEFAULT_STALL_TIMEOUT_MS = 60_000;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Candidate local folders, most specific first: the job's folder, CNNLAB_DATA_DIR (also per-dataset subfolders), system packages. */
function localDirs(source: DatasetSource, options: FileLocationOptions): string[] {
  const roots = [options.dataDir, process.env.CNNLAB_DATA_DIR].filter((dir): dir is string => Boolean(dir));
  return [...roots.flatMap((root) => [root, join(root, source.cacheName)]), ...source.systemDirs];
}

/**
 * Where a file is downloaded from: upstream, or CNNLAB_DATASET_MIRROR laid out like the cache
 * (`MIRROR/mnist/train-images-idx3-ubyte.gz`), so that a copy of one machine's cache folder served
 * over HTTP feeds machines that cannot reach the dataset hosts.
 */
function downloadUrl(source: DatasetSource, fileName: string): string {
  const mirror = process.env.CNNLAB_DATASET_MIRROR;
  return mirror ? `${mirror.replace(/\/+$/, '')}/${source.cacheName}/${fileName}` : `${source.baseUrl}${fileName}`;
}

/** fetch reports only "fetch failed" or "terminated"; the socket's own error is in `cause`. */
function failureReason(error: unknown): string {
  const { message, cause } = error as Error;
  return cause instanceof Error ? `${message} (${cause.message})` : message;
}

const fetchYourselfHint =
  'Check the network connection and try again, or download the files yourself and point CNNLAB_DATA_DIR (or the cnnLab.dataDir setting) at their folder, or set CNNLAB_DATASET_MIRROR to a mirror.';

/** Aborts when `reset` has not been called for `timeoutMs`: a server that drips or stalls. */
function stallGuard(timeoutMs: number): { signal: AbortSignal; reset(): void; stalled(): boolean; clear(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let stalled = false;
  const reset = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, timeoutMs);
  };
  reset();
  return { signal: controller.signal, reset, stalled: () => stalled, clear: () => clearTimeout(timer) };
}

async function download(source: DatasetSource, url: string, target: string, options: FileLocationOptions, check: FileCheck, expectedMd5: string | undefined): Promise<void> {
  const timeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
  const guard = stallGuard(timeoutMs);
  const stallReason = (): string => `no data arrived for ${timeoutMs / 1000} s`;
  let response: Response;
  try {
    response = await fetch(url, { signal: guard.signal });
  } catch (error) {
    guard.clear();
    throw new DatasetError(`Could not download ${url}: ${guard.stalled() ? stallReason() : failureReason(error)}.`, fetchYourselfHint);
  }
  if (!response.ok || !response.body) {
    guard.clear();
    throw new DatasetError(`Downloading ${url} failed: HTTP ${response.status}.`, fetchYourselfHint);
  }
  const total = Number(response.headers.get('content-length') ?? 0);
  const partial = `${target}.part`;
  const out = createWriteStream(partial);
  let received = 0;
  let lastReport = 0;
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      guard.reset();
      received += chunk.length;
      if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      if (Date.now() - lastReport > 250) {
        lastReport = Date.now();
        options.progress(`Downloading ${url.split('/').pop()}: ${(received / 1e6).toFixed(1)} MB`, total > 0 ? received / total : undefined);
      }
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  } catch (error) {
    // A connection dropped or stalled mid-file: the partial file must not stay open or be taken for a download.
    out.destroy();
    rmSync(partial, { force: true });
    const reason = guard.stalled() ? stallReason() : failureReason(error);
    throw new DatasetError(`Download of ${url} was cut off after ${received}${total > 0 ? ` of ${total}` : ''} bytes: ${reason}.`, fetchYourselfHint);
  } finally {
    guard.clear();
  }
  if (total > 0 && received !== total) {
    rmSync(partial, { force: true });
    throw new DatasetError(`Download of ${url} stopped after ${received} of ${total} bytes.`, fetchYourselfHint);
  }
  const bytes = readFileSync(partial);
  try {
    // The format first: "an HTML page, not an IDX file" says more than a digest mismatch.
    check(bytes, url);
    const md5 = createHash('md5').update(bytes).digest('hex');
    if (expectedMd5 !== undefined && md5 !== expectedMd5) throw new Error(`its MD5 is ${md5}, but ${source.digestsGivenBy ?? "the dataset's publishers give"} ${expectedMd5}.`);
  } catch (error) {
    rmSync(partial, { force: true });
    throw new DatasetError(`${url} did not send the ${source.fileKind ?? 'dataset file'}: ${(error as Error).message}`, fetchYourselfHint);
  }
  // The digest is recorded beside the file and checked on every later use, so a cache file
  // damaged after download (disk full, a copy cut short) is caught instead of half-read.
  writeFileSync(`${target}.sha256`, `${sha256(bytes)}\n`);
  renameSync(partial, target);
}

/**
 * The bytes of one dataset file: from a local folder when one holds it, else from the cache
 * (downloaded first if needed, SHA-256 checked against the digest taken at download).
 */
export async function datasetFile(source: DatasetSource, fileName: string, options: FileLocationOptions, check: FileCheck): Promise<{ bytes: Buffer; path: string }> {
  for (const dir of localDirs(source, options)) {
    const path = join(dir, fileName);
    if (existsSync(path)) return { bytes: readFileSync(path), path };
  }
  const cacheDir = join(options.cacheDir ?? defaultCacheDir(), source.cacheName);
  const path = join(cacheDir, fileName);
  if (!existsSync(path)) {
    mkdirSync(cacheDir, { recursive: true });
    await download(source, downloadUrl(source, fileName), path, options, check, (options.publishedMd5 ?? source.publishedMd5)[fileName]);
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
