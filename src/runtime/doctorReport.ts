// The doctor's report as data and as sections in one fixed order, free of tfjs: the CLI prints it
// as Markdown, and the extension host, which never loads tfjs, reads the CLI's JSON and shows the
// same sections, with how it found the trainer's Node added to the Node section.
import type { BackendName } from '../model/vocabulary';
import type { BackendProbe } from '../trainer/backends';
import { isSoftwareAdapter, nativeGpuApi, type LibraryLocation } from './systemProbe';

export interface DoctorReport {
  node: { version: string; execPath: string; insideElectron: boolean; platform: string; arch: string };
  /** Where the extension's node_modules are: optional backends get installed there. */
  installRoot: string;
  /** Empty while a run is in progress: loading every backend would compete with it. */
  backends: BackendProbe[];
  /** What `auto` would train on. */
  autoChoice?: BackendName;
  nvidiaGpus: string[];
  cudaLibraries: LibraryLocation[];
  vulkanDrivers: string[];
  /** What to install or change, most useful first. */
  advice: string[];
  /** Names of the training runs in progress when the doctor ran; the backends were not checked if there is one. */
  runsInProgress: string[];
}

export interface DoctorSection {
  heading: string;
  /** Plain text; a line starting `- ` is a list item, and `code` spans are marked with backticks. */
  lines: string[];
}

export const doctorTitle = 'CNN Lab doctor';

const ok = '✓';
const no = '✗';

/** Why the backends were not loaded: a run is training, and the check would take the GPU and CPU from it. */
export function backendsNotCheckedMessage(runs: readonly string[]): string {
  const which = runs.length === 1 ? `a training run is in progress (${runs[0]})` : `training runs are in progress (${runs.join(', ')})`;
  return (
    `Backends not checked: ${which}. Checking loads every backend and trains on it, which would compete with ` +
    `${runs.length === 1 ? 'the run' : 'them'} for the GPU and CPU. Check again when ${runs.length === 1 ? 'it ends' : 'they end'}.`
  );
}

function nodeSection(report: DoctorReport, nodeSearch: readonly string[]): DoctorSection {
  const { node } = report;
  const line =
    `${node.insideElectron ? no : ok} ${node.version} at ${node.execPath} (${node.platform}-${node.arch}` +
    `${node.insideElectron ? ", VS Code's own runtime: WebAssembly and pure-JS CPU only" : ''})`;
  return { heading: 'Node running the trainer', lines: [line, ...nodeSearch] };
}

function backendLine(probe: BackendProbe): string {
  if (!('device' in probe)) return `${no} ${probe.name}: ${probe.reason}`;
  const software = probe.name === 'webgpu' && isSoftwareAdapter(probe.device);
  return `${ok} ${probe.name}: ${probe.device}${software ? ' (a software adapter: auto prefers WebAssembly)' : ''}`;
}

function backendsSection(report: DoctorReport): DoctorSection {
  if (report.runsInProgress.length > 0) return { heading: 'Backends (not checked)', lines: [backendsNotCheckedMessage(report.runsInProgress)] };
  return { heading: `Backends (auto picks: ${report.autoChoice ?? 'none'})`, lines: report.backends.map(backendLine) };
}

function vulkanDriversText(drivers: readonly string[]): string {
  if (nativeGpuApi() !== 'Vulkan') return 'provided by the operating system';
  if (drivers.length === 0) return 'none found';
  return drivers.map((manifest) => (manifest.endsWith('/lvp_icd.json') ? `${manifest} (Mesa lavapipe, software)` : manifest)).join(', ');
}

function gpuSection(report: DoctorReport): DoctorSection {
  const lines = [`NVIDIA GPUs: ${report.nvidiaGpus.length > 0 ? report.nvidiaGpus.join(', ') : 'none found (nvidia-smi)'}`];
  for (const library of report.cudaLibraries) {
    const role = library.name.startsWith('libcudnn') ? 'cuDNN 8.1' : 'CUDA 11.2 runtime';
    lines.push(`${role} (${library.name}): ${library.path ?? 'not found (ldconfig -p, LD_LIBRARY_PATH)'}`);
  }
  lines.push(`${nativeGpuApi()} drivers for WebGPU: ${vulkanDriversText(report.vulkanDrivers)}`);
  return { heading: 'GPU, CUDA and Vulkan', lines };
}

function adviceSection(report: DoctorReport): DoctorSection {
  const lines = report.advice.map((advice) => `- ${advice}`);
  if (lines.length === 0) {
    // With the backends unchecked, an empty list means "not known yet", never "all is well".
    lines.push(report.runsInProgress.length > 0 ? 'Nothing more to say until the backends are checked.' : 'Nothing: the fastest backend this machine supports is working.');
  }
  return { heading: 'What to do', lines };
}

/** The report's sections, always in this order; `nodeSearch` (the extension's) joins the Node section. */
export function doctorSections(report: DoctorReport, nodeSearch: readonly string[] = []): DoctorSection[] {
  return [nodeSection(report, nodeSearch), backendsSection(report), gpuSection(report), adviceSection(report)];
}

/** The report as Markdown, as `cnnlab doctor` prints it. */
export function formatDoctorReport(report: DoctorReport, nodeSearch: readonly string[] = []): string {
  const blocks = doctorSections(report, nodeSearch).map((section) => [`## ${section.heading}`, '', ...section.lines].join('\n'));
  return `${[`# ${doctorTitle}`, ...blocks].join('\n\n')}\n`;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

function isBackendProbe(value: unknown): value is BackendProbe {
  const probe = value as Partial<Record<string, unknown>> | null;
  return typeof probe === 'object' && probe !== null && isString(probe.name) && (isString(probe.device) || isString(probe.reason));
}

function isDoctorReport(value: unknown): value is DoctorReport {
  const report = value as Partial<Record<keyof DoctorReport, unknown>> | null;
  if (typeof report !== 'object' || report === null) return false;
  const node = report.node as Partial<Record<string, unknown>> | null;
  return (
    typeof node === 'object' && node !== null && isString(node.version) && isString(node.execPath) &&
    isString(report.installRoot) && Array.isArray(report.backends) && report.backends.every(isBackendProbe) &&
    isStringArray(report.nvidiaGpus) && Array.isArray(report.cudaLibraries) && isStringArray(report.vulkanDrivers) &&
    isStringArray(report.advice) && isStringArray(report.runsInProgress)
  );
}

/** `cnnlab doctor --json` output, checked; throws when it is not a report (another version's CLI, a crash mid-write). */
export function parseDoctorReport(text: string): DoctorReport {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the doctor printed something other than its JSON report (${(error as Error).message.slice(0, 200)})`, { cause: error });
  }
  if (!isDoctorReport(parsed)) throw new Error('the doctor printed JSON that is not its report; see the CNN Lab output');
  return parsed;
}
