import assert from 'node:assert/strict';
import { withUsage, type CommandLine } from '../../src/cli/usage';
import { UserError } from '../../src/util/userError';

class DemoUsageError extends UserError {}

const demo: CommandLine<{ count: number }> = {
  name: 'demo',
  usage: 'Usage: cnnlab demo N\n',
  usageError: DemoUsageError,
  parse: ([count]) => {
    if (count === 'boom') throw new Error('a bug, not a usage error');
    if (!/^\d+$/.test(count ?? '')) throw new DemoUsageError(`Expected a count. Received: ${count ?? 'nothing'}.`);
    return { count: Number(count) };
  },
};

/** Runs `demo` with `args`: its exit code, what it printed, and what the command was run with. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string; ran: { count: number }[] }> {
  let stdout = '';
  let stderr = '';
  const ran: { count: number }[] = [];
  const code = await withUsage(demo, args, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) }, async (invocation) => {
    ran.push(invocation);
    return invocation.count;
  });
  return { code, stdout, stderr, ran };
}

describe('cli: withUsage', () => {
  it('prints the usage for -h and --help and exits 0 without running the command', async () => {
    for (const help of ['-h', '--help']) assert.deepEqual(await run(['x', help]), { code: 0, stdout: demo.usage, stderr: '', ran: [] });
  });

  it('prints a usage error after the command name, then a blank line and the usage, and exits 2', async () => {
    assert.deepEqual(await run(['two']), { code: 2, stdout: '', stderr: 'cnnlab demo: Expected a count. Received: two.\n\nUsage: cnnlab demo N\n', ran: [] });
  });

  it('lets any other error of the parser go on up', async () => {
    await assert.rejects(run(['boom']), /a bug, not a usage error/);
  });

  it('runs the command with what the arguments say and returns its exit code', async () => {
    assert.deepEqual(await run(['3']), { code: 3, stdout: '', stderr: '', ran: [{ count: 3 }] });
  });
});
