// Graceful Ctrl-C for long commands (`tg4 train`): the first SIGINT/SIGTERM asks the work to stop at its next safe point
// (training finishes the current update and saves a checkpoint marked partial); a second one quits at once. Either way
// the terminal is given back as it was (cursor shown, line wrap on: progress bars switch both off) and the process
// exits 130, the shell's code for "ended by Ctrl-C".

export const INTERRUPTED_EXIT_CODE = 130;

/** Shows the cursor and turns line wrap back on, when `stream` is a terminal. */
export function restoreTerminal(stream: { isTTY?: boolean; write(s: string): unknown } = process.stderr): void {
  if (stream.isTTY) stream.write('\x1b[?25h\x1b[?7h');
}

export interface InterruptOptions {
  /** Called once, on the first signal (e.g. to stop a progress bar and say what happens next). */
  onFirst?: (signal: NodeJS.Signals) => void;
  /** For tests: what a second signal does (default: restore the terminal, exit 130 now). */
  onSecond?: (signal: NodeJS.Signals) => void;
}

/** A stop request from the user; `requested` is polled by the work at its safe points. */
export class Interrupt {
  private signal_: NodeJS.Signals | null = null;
  private readonly handler = (signal: NodeJS.Signals): void => this.receive(signal);

  private constructor(private readonly opts: InterruptOptions) {}

  /** Starts listening for SIGINT and SIGTERM; dispose() stops. */
  static install(opts: InterruptOptions = {}): Interrupt {
    const i = new Interrupt(opts);
    process.on('SIGINT', i.handler);
    process.on('SIGTERM', i.handler);
    return i;
  }

  get requested(): boolean {
    return this.signal_ !== null;
  }

  /** Why the work stopped, for the record it leaves (e.g. a partial checkpoint's manifest). */
  get reason(): string {
    return this.signal_ === null ? '' : `interrupted by ${this.signal_}`;
  }

  receive(signal: NodeJS.Signals): void {
    if (this.signal_ === null) {
      this.signal_ = signal;
      this.opts.onFirst?.(signal);
      return;
    }
    if (this.opts.onSecond) this.opts.onSecond(signal);
    else {
      restoreTerminal();
      process.stderr.write(`\n${signal} again: quitting now, without saving\n`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
  }

  dispose(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

/** Resolves once the first SIGINT or SIGTERM has been handled by `close` (a server command's foreground wait). */
export function closeOnStopSignal(close: () => Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().then(() => resolve());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
