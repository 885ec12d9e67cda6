// `cnnlab doctor [--json]`: which Node runs, which backends load here and on what device, and what to install.
import { collectDoctorReport, formatDoctorReport } from '../trainer/doctor';

export const doctorUsage = `Usage: cnnlab doctor [--json]

Loads every training backend in this Node and reports what works, on which device, and what to
install for the rest. --json prints the report as JSON.
`;

export async function doctorCommand(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(doctorUsage);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`cnnlab doctor: unknown option '${unknown[0]}'.\n\n${doctorUsage}`);
    return 2;
  }
  const report = await collectDoctorReport();
  process.stdout.write(args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
  return 0;
}
