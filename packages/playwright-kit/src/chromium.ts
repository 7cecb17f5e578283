/**
 * Launch options for a system Chromium (Debian's `chromium` package) on a machine where Playwright cannot
 * download its own browsers, kept quiet offline: no background networking, component updates, sync, QUIC.
 */
export interface SystemChromiumOptions {
  /** @default process.env.CHROMIUM_PATH, else '/usr/bin/chromium' */
  executablePath?: string;
  /** More Chromium switches, after the kit's own. @default [] */
  extraArgs?: string[];
}

export function systemChromium({ executablePath, extraArgs = [] }: SystemChromiumOptions = {}): {
  executablePath: string;
  args: string[];
} {
  return {
    executablePath: executablePath ?? process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  };
}
