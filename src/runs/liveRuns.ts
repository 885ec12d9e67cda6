// Which runs are training right now, from the run folders alone: the doctor asks before it loads
// every backend, which would compete with a run for the GPU and the CPU. Read-only: unlike a
// listing, it neither marks dead runs interrupted nor cleans temporary files.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord } from './format';
import { runTitle } from './grouping';
import { isPlainRunId, isRunLive, readRunRecord } from './store';

async function readableRecords(runsDir: string): Promise<RunRecord[]> {
  let names: string[];
  try {
    names = await readdir(runsDir);
  } catch {
    return []; // no runs folder (yet), or one that cannot be read: nothing is known to be running
  }
  const records: RunRecord[] = [];
  for (const name of names.filter(isPlainRunId)) {
    try {
      records.push(await readRunRecord(join(runsDir, name)));
    } catch {
      continue; // not a run, or unreadable: the Runs view says why
    }
  }
  return records;
}

/** The names (`cnn #3`, or the run's label) of the runs under `runsDir` whose trainer is alive now. */
export async function liveRunNames(runsDir: string): Promise<string[]> {
  const records = await readableRecords(runsDir);
  const names: string[] = [];
  for (const record of records) {
    if (await isRunLive(record, join(runsDir, record.id))) names.push(runTitle(record, records));
  }
  return names;
}
