// ferry's process logger: one JSON line per event on stderr (stdout stays for command output such as
// `ferry render`), with the component and, for speakers, the node. Secrets never reach it: callers log
// objects and what changed, never Secret data or passwords (FRR text is redacted before logging).
import winston, { type Logger } from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export function createProcessLogger(
  component: string,
  level: LogLevel = 'info',
  extra: Record<string, string> = {},
): Logger {
  return winston.createLogger({
    level,
    defaultMeta: { component, ...extra },
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [
      new winston.transports.Console({
        stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'],
      }),
    ],
  });
}
