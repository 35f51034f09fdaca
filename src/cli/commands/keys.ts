// `tg4 keys`: makes CURVE keypairs (ZeroMQ's encryption and authentication) for `tg4 serve --curve-keys DIR`.
import type { Command } from 'commander';
import { generateKeys } from '../../server/curve.ts';

export function register(program: Command): void {
  program
    .command('keys')
    .description(
      'make a CURVE server keypair, a client keypair and authorized_clients for `tg4 serve --curve-keys DIR`',
    )
    .requiredOption('--out <dir>', 'folder to write the keys to')
    .option('--force', 'replace keys already in the folder', false)
    .action((opts: { out: string; force: boolean }) => {
      const k = generateKeys(opts.out, opts.force);
      process.stdout.write(
        `wrote ${opts.out}/server.public, server.secret, client.public, client.secret, authorized_clients\n` +
          `server public key: ${k.server}\nclient public key: ${k.client}\n` +
          `serve: tg4 serve --bind tcp://0.0.0.0:5555 --curve-keys ${opts.out}\n` +
          `copy server.public, client.public and client.secret to the training machine (tg4gym.Client(address, curve_keys_dir=...))\n`,
      );
    });
}
