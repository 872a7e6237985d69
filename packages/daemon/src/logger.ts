/** Log levels of berthd, as dockerd's `--log-level`. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where the daemon writes what it does; the level can change while it runs (SIGHUP). */
export interface Logger {
  level: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger writing `time level=… msg=…` lines (dockerd's text format) to `write`, stderr by default. */
export function createLogger(level: LogLevel = 'info', write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const logger: Logger = {
    level,
    debug: (message) => log('debug', message),
    info: (message) => log('info', message),
    warn: (message) => log('warn', message),
    error: (message) => log('error', message),
  };
  function log(at: LogLevel, message: string): void {
    if (LOG_LEVELS.indexOf(at) < LOG_LEVELS.indexOf(logger.level)) return;
    write(`time="${new Date().toISOString()}" level=${at} msg=${JSON.stringify(message)}\n`);
  }
  return logger;
}

/** A logger that drops everything (tests, embedders that log elsewhere). */
export function silentLogger(): Logger {
  return createLogger('fatal', () => undefined);
}
