/**
 * Waits until an sshd answers with its banner. A reload (SIGHUP, which the agent sends when its
 * drop-in changes, as `systemctl reload ssh` does) re-executes sshd, and for a few milliseconds
 * nothing listens: a login right after an apply could meet that gap.
 */
import { connect } from "node:net";

export async function sshdReady(host: string, port = 22, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const banner = await new Promise<string>((resolve) => {
      const socket = connect({ host, port });
      let text = "";
      const done = (value: string) => {
        socket.destroy();
        resolve(value);
      };
      socket.setTimeout(2000, () => done(""));
      socket.on("data", (d: Buffer) => {
        text += d.toString("latin1");
        if (text.includes("\n")) done(text);
      });
      socket.on("error", () => done(""));
    });
    if (banner.startsWith("SSH-2.0-")) return;
    if (Date.now() > deadline) throw new Error(`no sshd answering on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
