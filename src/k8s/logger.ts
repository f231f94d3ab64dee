// The winston logger the shells log through when the caller passes none: silent, so library use and
// tests stay quiet while processes inject their real logger.
import winston from 'winston';
import type { Logger } from 'winston';

let silent: Logger | undefined;

export function silentLogger(): Logger {
  silent ??= winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ silent: true })],
  });
  return silent;
}
