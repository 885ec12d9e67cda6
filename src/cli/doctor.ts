// `cnnlab doctor [--json] [--runs-dir DIR]… [--running NAME]…`: which Node runs, which backends load
// here and on what device, and what to install. A run training now keeps the backends unloaded.
import { resolve } from 'node:path';
import { liveRunNames } from '../runs/liveRuns';
import { runsDirFor } from '../runs/store';
import { collectDoctorReport } from '../runtime/doctor';
import { formatDoctorReport } from '../runtime/doctorReport';

export const doctorUsage = `Usage: cnnlab doctor [--json] [--runs-dir DIR]... [--running NAME]...

Loads every training backend in this Node and reports what works, on which device, and what to
install for the rest. While a training run is in progress the backends are not loaded (that would
compete with the run for the GPU and CPU); the rest of the report still comes.

  --json           print the report as JSON
  --runs-dir DIR   where to look for runs in progress (default: ./.cnnlab/runs); may repeat
  --running NAME   a run in progress that the run folders do not show yet (VS Code passes its own); may repeat
`;

interface DoctorArguments {
  json: boolean;
  runsDirs: string[];
  running: string[];
}

function parseDoctorArguments(args: string[], cwd: string): DoctorArguments | string {
  const parsed: DoctorArguments = { json: false, runsDirs: [], running: [] };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    if (arg === '--json') {
      parsed.json = true;
      continue;
    }
    if (arg !== '--runs-dir' && arg !== '--running') return `unknown option '${arg}'`;
    const value = args[index + 1];
    if (value === undefined || value === '') return `${arg} needs a value`;
    index += 1;
    if (arg === '--runs-dir') parsed.runsDirs.push(resolve(cwd, value));
    else parsed.running.push(value);
  }
  if (parsed.runsDirs.length === 0) parsed.runsDirs.push(runsDirFor(cwd));
  return parsed;
}

/** Runs in progress: those named on the command line, then live ones in the run folders, each once. */
async function runsInProgress(parsed: DoctorArguments): Promise<string[]> {
  const names = [...parsed.running];
  for (const runsDir of parsed.runsDirs) names.push(...(await liveRunNames(runsDir)));
  return [...new Set(names)];
}

export async function doctorCommand(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(doctorUsage);
    return 0;
  }
  const parsed = parseDoctorArguments(args, process.cwd());
  if (typeof parsed === 'string') {
    process.stderr.write(`cnnlab doctor: ${parsed}.\n\n${doctorUsage}`);
    return 2;
  }
  const report = await collectDoctorReport(await runsInProgress(parsed));
  process.stdout.write(parsed.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
  return 0;
}
