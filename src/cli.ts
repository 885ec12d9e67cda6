// `cnnlab` command line: one module per subcommand under src/cli/.
import { doctorCommand } from './cli/doctor';
import { runExport } from './cli/export';
import { runInside } from './cli/inside';
import { runPredict } from './cli/predict';
import { runSummaryCommand } from './cli/summary';
import { sweepCommand } from './cli/sweep';
import { trainCommand } from './cli/train';
import { UserError } from './util/userError';

const usage = `Usage: cnnlab <command> [options]

Commands:
  summary FILE [--json] [--evaluate]
                          print the Keras-format summary of a model file
                          (see \`cnnlab summary --help\`)
  train FILE [options]    train a model file (see \`cnnlab train --help\`)
  sweep FILE [options]    train every variant of a model file's sweep block and rank
                          them; --continue EXPERIMENT carries one on (see \`cnnlab sweep --help\`)
  predict MODEL IMAGE... [--json] [--top K]
                          the top classes of images (see \`cnnlab predict --help\`)
  inside RUN IMAGE --out DIR [--class NAME] [--max-maps N]
                          a run's filters, feature maps and Grad-CAM for an image
                          (IMAGE: a file or test:N) as PNG files (see \`cnnlab inside --help\`)
  export RUN [--format keras|python|tfjs] [--out PATH]
                          a run as a Keras 3 .keras file, a Keras train.py or its tfjs
                          model (see \`cnnlab export --help\`)
  doctor                  show which Node and backends are available
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
    case 'summary':
      return runSummaryCommand(rest, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) });
    case 'train':
      return trainCommand(rest);
    case 'sweep':
      return sweepCommand(rest);
    case 'predict':
      return runPredict(rest, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) });
    case 'inside':
      return runInside(rest, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) });
    case 'export':
      return runExport(rest, { stdout: (text) => process.stdout.write(text), stderr: (text) => process.stderr.write(text) });
    case 'doctor':
      return doctorCommand(rest);
    default:
      process.stderr.write(`cnnlab: unknown command '${command}'.\n\n${usage}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A UserError is the user's to fix: its message and hint, no stack. Anything else is a bug.
    if (error instanceof UserError) process.stderr.write(`cnnlab: ${error.message}${error.hint ? `\n${error.hint}` : ''}\n`);
    else process.stderr.write(`cnnlab: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
