/** Opening the sign-in page for the user. */
import { spawn } from "node:child_process";

/** Starts the desktop's browser without a shell; false when there is none (the URL is printed instead). */
export async function openBrowser(url: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.HOSTPASS_NO_BROWSER || (!env.DISPLAY && !env.WAYLAND_DISPLAY && process.platform === "linux"))
    return false;
  const opener =
    process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer.exe" : "xdg-open";
  return new Promise((resolve) => {
    const child = spawn(opener, [url], { stdio: "ignore", detached: true });
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
