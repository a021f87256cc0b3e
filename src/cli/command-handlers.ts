/**
 * The module that runs each command of the table (commands.ts), loaded on demand. Apart from the
 * table: the command modules read their options from the table, so the table must not import them.
 */
import type { COMMANDS, Handler } from './commands.js';

export const HANDLERS: Record<keyof typeof COMMANDS, () => Promise<Handler>> = {
  demo: async (): Promise<Handler> => (await import('./demo.js')).demoCommand,
  run: async (): Promise<Handler> => (await import('./run.js')).runCommand,
  watch: async (): Promise<Handler> => (await import('./watch.js')).watchCommand,
  rollback: async (): Promise<Handler> => (await import('./headless-run.js')).rollbackCommand,
  history: async (): Promise<Handler> => (await import('./history.js')).historyCommand,
  validate: async (): Promise<Handler> => (await import('./validate.js')).validateCommand,
  import: async (): Promise<Handler> => (await import('./import.js')).importCommand,
  init: async (): Promise<Handler> => (await import('./init.js')).initCommand,
  schema: async (): Promise<Handler> => (await import('./schema.js')).schemaCommand,
  flag: async (): Promise<Handler> => (await import('./flag.js')).flagCommand,
  experiment: async (): Promise<Handler> => (await import('./experiment.js')).experimentCommand,
  wallboard: async (): Promise<Handler> => (await import('./wallboard.js')).wallboardCommand,
  hold: async (): Promise<Handler> => (await import('./hold.js')).holdCommand,
  unhold: async (): Promise<Handler> => (await import('./hold.js')).unholdCommand,
  keys: async (): Promise<Handler> => (await import('./keys.js')).keysCommand,
  config: async (): Promise<Handler> => (await import('./config.js')).configCommand,
  help: async (): Promise<Handler> => (await import('./help.js')).helpCommand,
};
