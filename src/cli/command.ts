/** One CLI command. `name` may have spaces for sub-commands ("models list"). */
export interface Command {
  name: string;
  summary: string;
  /** Full help text shown by `parley <name> --help` (usage line first). */
  help: string;
  /** Returns the process exit code. Throw AppError for a one-line error on stderr. */
  run(argv: string[]): Promise<number>;
}
