// Every command CNN Lab registers, written once: the manifest lists the same ids (a test holds
// them together), and Ctx.registerCommand accepts no other.

/** Commands a user reaches from the palette, menus and the Runs view (package.json `contributes.commands`). */
export const MANIFEST_COMMANDS = [
  'cnnLab.showSummary',
  'cnnLab.doctor',
  'cnnLab.train',
  'cnnLab.openRun',
  'cnnLab.compareRuns',
  'cnnLab.rerun',
  'cnnLab.resumeRun',
  'cnnLab.stopRun',
  'cnnLab.renameRun',
  'cnnLab.revealRunFolder',
  'cnnLab.exportModel',
  'cnnLab.exportKeras',
  'cnnLab.exportMetricsCsv',
  'cnnLab.exportTensorBoard',
  'cnnLab.deleteRun',
  'cnnLab.refreshRuns',
  'cnnLab.predictImage',
  'cnnLab.sweep',
  'cnnLab.openExperiment',
  'cnnLab.stopSweep',
  'cnnLab.continueSweep',
] as const;

/** Commands only CNN Lab's own CodeLenses run; they take a document and mean nothing in the palette. */
export const INTERNAL_COMMANDS = ['cnnLab.formatOneLineModel'] as const;

export type CommandId = (typeof MANIFEST_COMMANDS)[number] | (typeof INTERNAL_COMMANDS)[number];
