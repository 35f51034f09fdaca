// The `tg4` command. Each subcommand lives in src/cli/commands/<name>.ts and exports `register(program)`; they are
// discovered at start-up so that independent capabilities add commands without touching a shared list.
import { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Tg4Error } from '../core/errors.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Builds the program. With `only` naming a command whose file is commands/<only>.ts, just that module is loaded: each
 * command pulls in its own heavy dependencies (tfjs, zeromq, pg), and `tg4 serve` should not pay for tfjs at start-up.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('tg4')
    .description('TG4 Gym: reinforcement-learning environments, server and agents for crypto trading')
    .version('0.1.0')
    .showHelpAfterError();
  const dir = join(here, 'commands');
  const all = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
  const files = only !== undefined && all.includes(`${only}.ts`) ? [`${only}.ts`] : all;
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { register?: (p: Command) => void };
    mod.register?.(program);
  }
  return program;
}

async function main(): Promise<void> {
  // `tg4 envs | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const program = await buildProgram(process.argv[2]);
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof Tg4Error) {
      process.stderr.write(`tg4: error [${err.code}]: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

await main();
