// The --help and bad-usage handling that `cnnlab train`, `sweep`, `inside`, `predict` and `export`
// share: the usage on stdout for -h/--help, or what was wrong, a blank line and the usage on stderr
// with exit code 2 (as `cnnlab` itself and `cnnlab doctor` print theirs).
import type { CliStreams } from './summary';

export interface CommandLine<Invocation> {
  /** The subcommand (`inside`), named before each usage error: `cnnlab inside: …`. */
  name: string;
  usage: string;
  /** The error `parse` throws for a command line it cannot act on; any other error goes on up. */
  usageError: abstract new (...args: never[]) => Error;
  parse: (args: string[]) => Invocation;
}

/** Parses `args` and runs the command with what they say; returns the command's exit code (0 after --help, 2 after a usage error). */
export async function withUsage<Invocation>(command: CommandLine<Invocation>, args: string[], streams: CliStreams, run: (invocation: Invocation) => Promise<number>): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    streams.stdout(command.usage);
    return 0;
  }
  let invocation: Invocation;
  try {
    invocation = command.parse(args);
  } catch (error) {
    if (!(error instanceof command.usageError)) throw error;
    streams.stderr(`cnnlab ${command.name}: ${error.message}\n\n${command.usage}`);
    return 2;
  }
  return run(invocation);
}
