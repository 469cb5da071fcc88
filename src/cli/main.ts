/** The `tinychain` executable (docs/protocol.md §8). */
import { Command } from "commander";
import { registerDevnetCommand } from "./devnet-command.js";
import { registerLabCommand } from "./lab-command.js";
import { registerNodeCommand } from "./node-command.js";
import { packageVersion, shortUsageErrors } from "./usage.js";
import { registerWalletCommand } from "./wallet-command.js";

const program = new Command();
program
  .name("tinychain")
  .description("a small, real proof-of-work blockchain node")
  .version(packageVersion(), "-V, --version", "print the version");
registerNodeCommand(program);
registerWalletCommand(program);
registerDevnetCommand(program);
registerLabCommand(program);
shortUsageErrors(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tinychain: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
