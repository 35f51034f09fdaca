// The terminal progress bar of the long commands (data ingest, features export, train): only when asked for and only
// on a terminal (stderr), so that piped and logged output stays clean.
import cliProgress from 'cli-progress';

export function progressBar(
  wanted: boolean | undefined,
  format: string,
  options: cliProgress.Options = {},
): cliProgress.SingleBar | null {
  if (!wanted || !process.stderr.isTTY) return null;
  return new cliProgress.SingleBar({ stream: process.stderr, format, ...options }, cliProgress.Presets.shades_classic);
}
