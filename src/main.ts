import { buildApp } from './app.js';
import { configuredSecrets, formatProblems, parseConfig } from './config.js';
import { EmbeddedDatabaseMissingError, openDatabase } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createLogger } from './lib/logger.js';
import { handleProcessFaults } from './lib/process-faults.js';
import { SecretKeyError } from './lib/secret-box.js';
import { createShutdown } from './lib/shutdown.js';
import { SlackAuthError } from './slack/bolt-app.js';

/** The process entry: the only module that reads process.env, handles signals and sets exit codes. */
const EXIT_CONFIG = 2;
const EXIT_CRASHED = 1;

async function main() {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`${formatProblems(parsed.problems)}\n`);
    process.exit(EXIT_CONFIG);
  }
  const { config } = parsed;
  const logger = createLogger(config.logLevel, undefined, configuredSecrets(config));
  // Set once the app runs; a fatal fault before that exits at once.
  let shutdown = async (_reason: string, code: number): Promise<void> => process.exit(code);
  handleProcessFaults(logger, () => void shutdown('uncaughtException', EXIT_CRASHED));

  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config.database);
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof EmbeddedDatabaseMissingError) {
      process.stderr.write(`kpi-bot cannot start: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  logger.info({ driver: database.driver }, 'database ready, migrations applied');
  // Added first, so closed last: every service the app adds stops before it.
  const services = createShutdown(logger);
  services.add('database', () => database.close());

  let bot: Awaited<ReturnType<typeof buildApp>>;
  try {
    bot = await buildApp({ config, database, logger, shutdown: services });
  } catch (error) {
    await database.close();
    if (error instanceof SlackAuthError || error instanceof SecretKeyError) {
      process.stderr.write(`kpi-bot cannot start: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  await bot.start();
  logger.info(
    { mode: config.slack.mode, port: config.slack.mode === 'socket' ? undefined : config.port },
    'kpi-bot is running',
  );

  let stopping = false;
  shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    await services.run();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));
}

main().catch((error: unknown) => {
  process.stderr.write(`kpi-bot crashed while starting: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(EXIT_CRASHED);
});
