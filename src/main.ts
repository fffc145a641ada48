import { buildApp, SlackAuthError } from './app.js';
import { configuredSecrets, formatProblems, parseConfig } from './config.js';
import { EmbeddedDatabaseMissingError, openDatabase } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { createLogger } from './lib/logger.js';
import { SecretKeyError } from './lib/secret-box.js';

/** The process entry: the only module that reads process.env, handles signals and sets exit codes. */
const EXIT_CONFIG = 2;

async function main() {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) {
    process.stderr.write(`${formatProblems(parsed.problems)}\n`);
    process.exit(EXIT_CONFIG);
  }
  const { config } = parsed;
  const logger = createLogger(config.logLevel, undefined, configuredSecrets(config));

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

  let bot: Awaited<ReturnType<typeof buildApp>>;
  try {
    bot = await buildApp({ config, database, logger });
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
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await bot.stop().catch((error: unknown) => logger.error({ err: error }, 'error while stopping the app'));
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`kpi-bot crashed while starting: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
