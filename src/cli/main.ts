// Entry point of the `thalamus` command.
import { processIo } from './io.ts';
import { runCli } from './program.ts';

const code = await runCli(process.argv.slice(2), processIo());
if (code !== 0) process.exit(code);
