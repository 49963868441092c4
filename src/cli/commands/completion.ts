/**
 * `hostpass completion bash|zsh`: a completion script for every command, group and option,
 * generated from the commands themselves (so it is never out of date). zsh runs the bash
 * function through bashcompinit, as az does.
 */
import type { Command } from "commander";
import type { CliCommand } from "../command.ts";
import { CliUsageError } from "../errors.ts";
import { configureCommand } from "../lib/options.ts";

export const completionCommand: CliCommand<{ operands?: string[] }> = {
  path: ["completion"],
  summary: "Print a shell completion script (bash or zsh).",
  examples: [
    {
      summary: "Complete hostpass commands in bash from now on.",
      command: "hostpass completion bash > ~/.local/share/bash-completion/completions/hostpass",
    },
    { summary: "In zsh (add to ~/.zshrc).", command: 'eval "$(hostpass completion zsh)"' },
  ],
  configure(command) {
    command.argument("<shell>", "bash or zsh");
  },
  async run(ctx, args) {
    const shell = args.operands?.[0];
    if (shell !== "bash" && shell !== "zsh") throw new CliUsageError("completion: the shell is bash or zsh");
    const { loadAllCommands } = await import("./index.ts");
    const { Command: Commander } = await import("commander");
    const words = new Map<string, Set<string>>();
    const add = (path: string, word: string) => {
      if (!words.has(path)) words.set(path, new Set());
      words.get(path)?.add(word);
    };
    for (const command of await loadAllCommands()) {
      for (const [i, word] of command.path.entries()) add(command.path.slice(0, i).join(" "), word);
      const probe: Command = new Commander(command.path.at(-1));
      configureCommand(probe, command);
      for (const option of probe.options) {
        for (const flag of [option.short, option.long]) if (flag) add(command.path.join(" "), flag);
      }
      add(command.path.join(" "), "--help");
    }
    const cases = [...words.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, set]) => `    "${path}") opts="${[...set].sort().join(" ")}" ;;`)
      .join("\n");
    const script = `# hostpass ${shell} completion (hostpass completion ${shell})
${shell === "zsh" ? "(( $+functions[compdef] )) || { autoload -U +X compinit && compinit -u; }\nautoload -U +X bashcompinit && bashcompinit\n" : ""}_hostpass() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" i w opts=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ $w == -* ]] && break
    path="\${path:+$path }$w"
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$opts --output --query --subscription --debug --verbose --only-show-errors" -- "$cur"))
}
complete -F _hostpass hostpass
`;
    ctx.stdout.write(script);
    return undefined;
  },
};
