/** The `tawasul` command line. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { chatCommand } from './chat.ts';
import { flowsCheckCommand, flowsSchemaCommand } from './flows.ts';
import { gatewayCommand, startCommand, workerCommand } from './serve.ts';
import { usersAddCommand, usersPasswdCommand } from './users.ts';
import { dbCommand } from './db.ts';
import { mediaCommand } from './media.ts';
import { deadLettersCommand, decideCommand, deliveredCommand, retryDeadLetterCommand } from './ops.ts';

const program = new Command()
  .name('tawasul')
  .description('Tawasul — beneficiary-relations bot for Saudi non-profit associations')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError();

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? 'unknown';
}

program
  .command('chat')
  .description('chat with an association\'s bot in the terminal (one message per line when piped)')
  .requiredOption('--org <association-id>', 'the association (a flow id, e.g. qalam)')
  .addOption(new Option('--lang <lang>', 'language to start in').choices(['ar', 'en']))
  .option('--db <path>', 'SQLite database file (default: $DB_PATH or ./data/tawasul.db)')
  .option('--user <name>', 'who you are on the terminal channel; the same name resumes the same conversation', process.env.USER ?? 'terminal-user')
  .action(chatCommand);

program
  .command('start')
  .description('run everything on this machine: embedded Redis (unless REDIS_URL), HTTP server, workers, every configured channel')
  .action(startCommand);
program
  .command('worker')
  .description('run the engine, verification, notification and timer workers (needs REDIS_URL or the embedded Redis of `start`)')
  .action(workerCommand);
program
  .command('gateway')
  .description('run one channel: receive its messages and send its replies')
  .requiredOption('--channel <name>', 'the channel, e.g. loopback, telegram')
  .option('--http', 'also serve /healthz and /metrics (and the channel\'s webhooks)')
  .action(gatewayCommand);

const dead = program.command('dead-letters').description('replies that could not be sent (failed, or unknown after a crash mid-send)');
dead
  .command('list', { isDefault: true })
  .option('--org <association-id>', 'only this association')
  .option('--json', 'as JSON')
  .action(deadLettersCommand);
dead.command('retry').argument('<id>', 'the message id shown by the list').description('send it again').action(retryDeadLetterCommand);

const requests = program.command('requests').description('support requests (until the staff console does this)');
requests
  .command('decide')
  .argument('<reference>')
  .argument('<outcome>', 'accepted or rejected')
  .option('--reason <text>', 'required for a rejection; sent to the beneficiary')
  .option('--by <name>', 'who decided (audit log)', process.env.USER ?? 'operator')
  .description("record the committee's decision; the beneficiary is told on their channel")
  .action(decideCommand);
requests
  .command('delivered')
  .argument('<reference>')
  .option('--by <name>', 'who delivered (audit log)', process.env.USER ?? 'operator')
  .description('record service delivery; schedules the satisfaction survey')
  .action(deliveredCommand);

const users = program.command('users').description('staff console accounts');
users
  .command('add')
  .requiredOption('--email <email>')
  .option('--name <name>', 'shown in the console and the audit log')
  .option('--name-ar <name>', 'the name Arabic conversations are told when this user joins (default: the officer title)')
  .option('--name-en <name>', 'the same for English conversations')
  .requiredOption('--role <role>', 'staff, researcher, committee, supervisor or admin')
  .requiredOption('--org <ids>', 'the associations this user works for, comma-separated')
  .description('create a user; prints a generated password once')
  .action(usersAddCommand);
users.command('passwd').requiredOption('--email <email>').description('set a new generated password and end their sessions').action(usersPasswdCommand);

const flows = program.command('flows').description('flow files');
flows
  .command('check')
  .description('validate flow files (all of flows/ when none is given); errors name file, line and field')
  .argument('[files...]')
  .action(flowsCheckCommand);
flows
  .command('schema')
  .description('write flows/flow.schema.json from the zod schema (--check: fail if it is stale)')
  .option('--check', 'only compare, do not write')
  .action(flowsSchemaCommand);

program.addCommand(dbCommand());
program.addCommand(mediaCommand());

await program.parseAsync(process.argv);
